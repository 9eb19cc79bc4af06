// Reference Squeeze (axes as attribute before opset 13, as input after): a copy; the output
// shape given is trusted beyond its element count.

import { copyKernel } from '../common/copy.js';

export const squeezeRef = copyKernel('Squeeze');
