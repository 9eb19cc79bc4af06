// js Split against the ref Split with several outputs (the js-vs-ref harness runs one output):
// first, middle and last axis, unequal and empty pieces, float32 and int64 (block copies keep
// the dtype), and a second run over the same views giving the same values.

import { strict as assert } from 'node:assert';
import { splitJs } from '../../../runtime/kernels/js/split.js';
import { splitRef } from '../../../runtime/kernels/ref/split.js';
import type { TensorView } from '../../../runtime/tensor.js';
import { sizeOf } from '../../../runtime/tensor.js';

function view(dtype: 'float32' | 'int64', shape: readonly number[], fill: (i: number) => number): TensorView {
  const n = sizeOf(shape);
  return dtype === 'int64'
    ? { dtype, shape, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(fill(i))) }
    : { dtype, shape, data: Float32Array.from({ length: n }, (_, i) => fill(i)) };
}

const CASES: [readonly number[], number, readonly number[]][] = [
  [[6, 3], 0, [1, 2, 3]],
  [[2, 7, 3], 1, [3, 0, 4]],
  [[2, 3, 9], -1, [2, 2, 5]],
  [[1, 4, 5, 5], 1, [2, 2]],
];

describe('js Split vs ref Split, several outputs', () => {
  for (const dtype of ['float32', 'int64'] as const) {
    for (const [shape, axis, pieces] of CASES) {
      it(`${dtype} x[${shape}] axis ${axis} into [${pieces}]`, () => {
        const x = view(dtype, shape, (i) => i * 3 - 7);
        const a = axis < 0 ? axis + shape.length : axis;
        const outShape = (p: number): number[] => shape.map((d, k) => (k === a ? p : d));
        const run = (k: typeof splitJs): TensorView[] => {
          const outs = pieces.map((p) => view(dtype, outShape(p), () => -999));
          const fn = k.prepare({ node: 's', inputs: [x], outputs: outs, attrs: { axis } });
          fn(); fn();
          return outs;
        };
        const want = run(splitRef), got = run(splitJs);
        got.forEach((g, i) => assert.deepEqual(Array.from(g.data as Float32Array), Array.from(want[i]!.data as Float32Array), `output ${i}`));
      });
    }
  }
  it('refuses outputs that do not sum to the input along the axis, naming the node', () => {
    const x = view('float32', [4, 3], (i) => i);
    assert.throws(() => splitJs.prepare({ node: 'bad-split', inputs: [x], outputs: [view('float32', [1, 3], () => 0), view('float32', [2, 3], () => 0)], attrs: { axis: 0 } }),
      /bad-split.*outputs sum to 3 along axis 0, input has 4/);
  });
});
