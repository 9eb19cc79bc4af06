// Reference Flatten: a copy, after checking the output is [prod(d[:axis]), prod(d[axis:])].

import type { CopyShapeCheck } from '../common/copy.js';
import { copyKernel } from '../common/copy.js';

export const checkFlatten: CopyShapeCheck = (c, x, y) => {
  const inShape = x.shape;
  const rank = inShape.length;
  let axis = c.int('axis', 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) c.fail(`axis ${axis} out of range for rank ${rank}`);
  const outer = inShape.slice(0, axis).reduce((p, d) => p * d, 1);
  c.shapeIs(y, [outer, inShape.slice(axis).reduce((p, d) => p * d, 1)], 'output');
};

export const flattenRef = copyKernel('Flatten', checkFlatten);
