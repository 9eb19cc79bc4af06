// Shape rules of the reductions and index ops (compiler/analysis/shape-rules/reduce.ts), by hand:
// each opset's form of the axes, keepdims, noop_with_empty_axes, TopK's k attribute or input,
// OneHot's depth, NonZero's count on a constant, and unknown values leaving the shape unknown.

import { strict as assert } from 'node:assert';
import { inferNode } from '../../../../compiler/analysis/shapes.js';
import type { ValueInfo } from '../../../../compiler/analysis/shapes.js';
import type { Attr, Node } from '../../../../compiler/ir/graph.js';

function node(op: string, inputs: number, attrs: Record<string, Attr> = {}, outputs = 1): Node {
  return { name: `${op.toLowerCase()}1`, op, attrs, inputs: Array.from({ length: inputs }, (_, i) => `i${i}`), outputs: Array.from({ length: outputs }, (_, i) => `o${i}`) };
}
const f32 = (...shape: number[]): ValueInfo => ({ dtype: 'float32', shape });
const i64 = (shape: number[], ...vals: number[]): ValueInfo => ({ dtype: 'int64', shape, constant: { dtype: 'int64', shape, data: BigInt64Array.from(vals, BigInt) } });
const ints = (...value: number[]): Attr => ({ kind: 'ints', value });
const int = (value: number): Attr => ({ kind: 'int', value });
const shapes = (n: Node, ins: ValueInfo[], opset: number) => inferNode(n, ins, opset).map((o) => [o.dtype, o.shape]);

describe('analysis/shape-rules/reduce', () => {
  it('reads axes from the attribute before opset 13 (ReduceSum) / 18 (the others) and from the input after', () => {
    assert.deepEqual(shapes(node('ReduceSum', 1, { axes: ints(0, -1), keepdims: int(0) }), [f32(2, 3, 4)], 12), [['float32', [3]]]);
    assert.deepEqual(shapes(node('ReduceSum', 2), [f32(2, 3, 4), i64([1], 1)], 13), [['float32', [2, 1, 4]]]);
    assert.deepEqual(shapes(node('ReduceMax', 1, { axes: ints(1) }), [f32(2, 3, 4)], 17), [['float32', [2, 1, 4]]]);
    assert.deepEqual(shapes(node('ReduceL2', 2, { keepdims: int(0) }), [f32(2, 3, 4), i64([2], 0, 2)], 18), [['float32', [3]]]);
    // No axes: every axis; with noop_with_empty_axes: the input unchanged.
    assert.deepEqual(shapes(node('ReduceProd', 1), [f32(2, 3)], 18), [['float32', [1, 1]]]);
    assert.deepEqual(shapes(node('ReduceLogSumExp', 2, { noop_with_empty_axes: int(1) }), [f32(2, 3), i64([0])], 18), [['float32', [2, 3]]]);
    // Axes not known yet (a computed input): the shape waits for folding.
    assert.deepEqual(shapes(node('ReduceMin', 2), [f32(2, 3), { dtype: 'int64', shape: [1] }], 18), [['float32', undefined]]);
  });

  it('ArgMax / ArgMin give int64 with or without the axis; TopK gives values and int64 indices of extent k', () => {
    assert.deepEqual(shapes(node('ArgMax', 1, { axis: int(-1), keepdims: int(0) }), [f32(2, 3, 4)], 13), [['int64', [2, 3]]]);
    assert.deepEqual(shapes(node('ArgMin', 1), [f32(2, 3, 4)], 13), [['int64', [1, 3, 4]]]);
    assert.deepEqual(shapes(node('TopK', 1, { k: int(2) }, 2), [f32(3, 5)], 1), [['float32', [3, 2]], ['int64', [3, 2]]]);
    assert.deepEqual(shapes(node('TopK', 2, { axis: int(0) }, 2), [f32(3, 5), i64([1], 3)], 11), [['float32', [3, 5]], ['int64', [3, 5]]]);
  });

  it('OneHot inserts depth (a float depth truncated) at axis, typed like values; NonZero counts a constant', () => {
    const depth: ValueInfo = { dtype: 'float32', shape: [], constant: { dtype: 'float32', shape: [], data: Float32Array.of(3.7) } };
    const values: ValueInfo = { dtype: 'int32', shape: [2] };
    assert.deepEqual(shapes(node('OneHot', 3, { axis: int(1) }), [i64([2, 4]), depth, values], 11), [['int32', [2, 3, 4]]]);
    assert.deepEqual(shapes(node('OneHot', 3), [i64([5]), { dtype: 'int64', shape: [] }, values], 11), [['int32', [5, '?']]]);
    const c: ValueInfo = { dtype: 'float32', shape: [2, 3], constant: { dtype: 'float32', shape: [2, 3], data: Float32Array.of(0, 1, 0, 2, 0, -3) } };
    assert.deepEqual(shapes(node('NonZero', 1), [c], 13), [['int64', [2, 3]]]);
    assert.deepEqual(shapes(node('NonZero', 1), [f32(2, 3)], 13), [['int64', [2, '?']]]);
  });

  it('the Softmax family, CumSum and Trilu keep the input shape; Softmax before opset 13 defaults to axis 1', () => {
    assert.deepEqual(shapes(node('LogSoftmax', 1), [f32(2, 3, 4)], 11), [['float32', [2, 3, 4]]]);
    assert.throws(() => inferNode(node('Hardmax', 1), [f32(5)], 11), /node 'hardmax1' \(Hardmax\): axis 1 is out of range for rank 1/);
    assert.deepEqual(shapes(node('CumSum', 2), [f32(2, 3), i64([], -1)], 14), [['float32', [2, 3]]]);
    assert.deepEqual(shapes(node('Trilu', 1), [f32(2, 3, 3)], 14), [['float32', [2, 3, 3]]]);
  });
});
