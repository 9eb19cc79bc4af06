// Reference Reshape: the output shape is static and given, so it is a copy (the shape input
// is not re-read).

import { copyKernel } from '../common/copy.js';

export const reshapeRef = copyKernel('Reshape');
