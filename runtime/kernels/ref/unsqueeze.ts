// Reference Unsqueeze (axes as attribute before opset 13, as input after): a copy.

import { copyKernel } from '../common/copy.js';

export const unsqueezeRef = copyKernel('Unsqueeze');
