// The js reductions' axes-input form: selection sees shapes only, so `supports` accepts an axes
// input only when the input and output shapes pin the reduced block down, and prepare refuses
// axes values that disagree with them (a tampered constant), naming the node.

import { strict as assert } from 'node:assert';
import { REDUCE_JS_KERNELS } from '../../../runtime/kernels/js/reduce.js';
import type { NodeShapes } from '../../../runtime/kernels/kernel.js';
import { KernelError } from '../../../runtime/kernels/kernel.js';

const sum = REDUCE_JS_KERNELS.find((k) => k.op === 'ReduceSum')!;
const node = (x: number[], y: number[], keepdims: number, extra: Record<string, number> = {}): NodeShapes => ({
  inputs: [{ dtype: 'float32', shape: x }, { dtype: 'int64', shape: [1] }], outputs: [{ dtype: 'float32', shape: y }], attrs: { keepdims, ...extra },
});

describe('js reductions with an axes input', () => {
  it('supports a node whose shapes determine the block, and refuses one whose shapes allow two blocks', () => {
    assert.equal(sum.supports!(node([2, 3, 4], [2, 1, 4], 1)), true);
    assert.equal(sum.supports!(node([2, 3, 4], [2, 4], 0)), true);
    // [2,2,3] → [2,3]: axis 0 ([1 | 2 | 6]) or axis 1 ([2 | 2 | 3]).
    assert.equal(sum.supports!(node([2, 2, 3], [2, 3], 0)), false);
    assert.equal(sum.supports!(node([2, 3, 4], [2, 1, 4], 1, { noop_with_empty_axes: 1 })), false);
    assert.equal(sum.supports!(node([2, 3, 4], [1, 3, 1], 1)), false, 'axes 0 and 2 are no contiguous block');
  });

  it('reduces by the block the shapes give, and refuses axes values that disagree with them', () => {
    const x = Float32Array.from({ length: 24 }, (_, i) => i);
    const y = new Float32Array(8);
    const ctx = (axes: bigint) => ({
      node: 'sum_node', inputs: [{ dtype: 'float32' as const, shape: [2, 3, 4], data: x }, { dtype: 'int64' as const, shape: [1], data: BigInt64Array.of(axes) }],
      outputs: [{ dtype: 'float32' as const, shape: [2, 1, 4], data: y }], attrs: { keepdims: 1 },
    });
    sum.prepare(ctx(1n))();
    assert.deepEqual([...y], [12, 15, 18, 21, 48, 51, 54, 57]);
    assert.throws(() => sum.prepare(ctx(2n)), (e: unknown) => e instanceof KernelError
      && /^node 'sum_node' \(kernel f32-reducesum-1x1-js\): axes input \[2\] disagrees with the input and output shapes$/.test(e.message));
  });
});
