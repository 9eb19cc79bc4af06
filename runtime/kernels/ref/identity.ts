// Reference Identity: a copy.

import { copyKernel } from '../common/copy.js';

export const identityRef = copyKernel('Identity');
