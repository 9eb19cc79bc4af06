// Data-movement kernels whose output is the input's elements in the same order (Reshape,
// Flatten, Identity, Squeeze, Unsqueeze): a dtype-generic block copy, skipped when the
// executor aliased output to input. The ref kernels (ref/<op>.ts) and their js twins
// (js/copy.ts) share it: one typed-array set is already memory speed.

import type { Kernel } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import { sizeOf } from '../../tensor.js';
import type { Checker } from './define.js';
import { defineKernel } from './define.js';

export type CopyShapeCheck = (c: Checker, x: TensorView, y: TensorView) => void;

export function copyKernel(op: string, checkShape?: CopyShapeCheck, target: Kernel['target'] = 'ref'): Kernel {
  return defineKernel({
    dtype: 'any', tile: '1x1', op, target, dtypes: 'any',
    prepare(c) {
      const x = c.input(0);
      const y = c.output(0);
      c.sameDType(x, y, 'output');
      const n = sizeOf(x.shape);
      if (sizeOf(y.shape) !== n) c.fail(`output shape [${y.shape.join(',')}] has ${sizeOf(y.shape)} elements, input has ${n}`);
      checkShape?.(c, x, y);
      if (x.data.buffer === y.data.buffer && x.data.byteOffset === y.data.byteOffset) return () => {};
      // Same element family on both sides (checked above), so the casts only satisfy the compiler.
      const src = x.data.subarray(0, n) as Float32Array;
      const dst = y.data.subarray(0, n) as Float32Array;
      return () => dst.set(src);
    },
  });
}
