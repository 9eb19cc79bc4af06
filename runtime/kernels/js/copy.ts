// js Reshape, Flatten, Squeeze, Unsqueeze, Identity and If's select step: the output is an
// input's elements in the same order, so each is one typed-array set (nothing when the executor
// aliased the two), the same body as the ref kernels, registered on the js target so no model
// runs them on ref.

import { copyKernel } from '../common/copy.js';
import { checkFlatten } from '../ref/flatten.js';
import { ifKernel } from '../ref/if.js';

export const COPY_JS_KERNELS = [
  copyKernel('Reshape', undefined, 'js'),
  copyKernel('Flatten', checkFlatten, 'js'),
  copyKernel('Squeeze', undefined, 'js'),
  copyKernel('Unsqueeze', undefined, 'js'),
  copyKernel('Identity', undefined, 'js'),
  ifKernel('js'),
];
