// The weight-matrix view read off a node: rows = output channels, cols = the reduction, and the
// axes holding each, against matrices written out by hand for Conv, Gemm (both transB) and MatMul.

import { strict as assert } from 'node:assert';
import type { Node } from '../../../compiler/ir/graph.js';
import { nodeWeightAxes, nodeWeightMatrix, nodeWeightShape, weightView } from '../../../compiler/ir/weight-matrix.js';
import { fromWeightMatrix, toWeightMatrix } from '../../../runtime/sparse/layout.js';
import type { WeightOp } from '../../../runtime/sparse/layout.js';

const node = (op: string, transB?: number): Node => ({
  name: 'n', op, inputs: ['x', 'w'], outputs: ['y'], attrs: transB === undefined ? {} : { transB: { kind: 'int', value: transB } },
});
const iota = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

describe('ir/weight-matrix', () => {
  it('Conv [O, C, kh, kw]: rows O, cols (kh, kw, c) with c fastest', () => {
    // w[o][c][k] = 100·o + 10·c + k for O = 2, C = 2, kernel 1×2.
    const data = Float32Array.from([0, 1, 10, 11, 100, 101, 110, 111]);
    const r = nodeWeightMatrix(node('Conv'), [2, 2, 1, 2], data);
    assert.deepEqual([r.rows, r.cols], [2, 4]);
    assert.deepEqual([...r.matrix], [0, 10, 1, 11, 100, 110, 101, 111]);
    assert.deepEqual(nodeWeightAxes(node('Conv')), { out: 0, in: 1 });
  });

  it('Gemm B [K, N] (transB 0) and MatMul B [K, N]: rows N, cols K, transposed', () => {
    for (const n of [node('Gemm'), node('Gemm', 0), node('MatMul')]) {
      const r = nodeWeightMatrix(n, [3, 2], iota(6)); // B = [[0,1],[2,3],[4,5]]
      assert.deepEqual([r.rows, r.cols], [2, 3], n.op);
      assert.deepEqual([...r.matrix], [0, 2, 4, 1, 3, 5], n.op);
      assert.deepEqual(nodeWeightAxes(n), { out: 1, in: 0 }, n.op);
    }
  });

  it('Gemm B [N, K] (any nonzero transB, as onnxruntime reads it): rows N, cols K as stored', () => {
    for (const t of [1, 2]) {
      const n = node('Gemm', t);
      assert.deepEqual(nodeWeightShape(n, [3, 2]), { rows: 3, cols: 2 });
      assert.deepEqual([...nodeWeightMatrix(n, [3, 2], iota(6)).matrix], [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(nodeWeightAxes(n), { out: 0, in: 1 });
    }
  });

  it('fromWeightMatrix undoes toWeightMatrix for every view', () => {
    const cases: [WeightOp, number[], boolean][] = [['Conv', [3, 2, 2, 3], false], ['Conv', [4, 1, 5], false], ['Gemm', [5, 3], false], ['Gemm', [5, 3], true], ['MatMul', [2, 7], false]];
    for (const [op, shape, transB] of cases) {
      const data = iota(shape.reduce((a, d) => a * d, 1));
      const m = toWeightMatrix(op, shape, transB, data);
      assert.notEqual(m, data);
      assert.deepEqual([...fromWeightMatrix(op, shape, transB, m)], [...data], `${op} [${shape.join(',')}] transB ${transB}`);
    }
  });

  it('refuses a node without a weight matrix', () => {
    assert.throws(() => weightView(node('Add')), /'n' \(Add\) has no weight matrix/);
  });
});
