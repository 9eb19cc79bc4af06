// The storage codec's expansion (runtime/sparse/expand.ts): a packed weight expanded into its own
// dense layout is the pruned weight it was packed from, bit for bit, for every matrix view (Conv
// of any rank, Gemm with and without transB, MatMul) and every packed format. Oracle: the dense
// weight itself, packed through layout.ts's toWeightMatrix and the compiler's packers.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { packBsr, packCsr, packNm } from '../../../compiler/sparse/pack/pack.js';
import { expandWeight } from '../../../runtime/sparse/expand.js';
import { fromWeightMatrix, toWeightMatrix, weightMatrixShape, type WeightOp } from '../../../runtime/sparse/layout.js';
import type { PackedWeight } from '../../../runtime/sparse/packed.js';

/** `data` pruned in matrix form so that it packs as `format` (2:4 along the reduction, 2×2 blocks, or anything for csr). */
function pruneFor(format: 'csr' | 'nm' | 'bsr', rows: number, cols: number, m: Float32Array, seed: number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const keep = format === 'nm' ? (c % 4 === (r + seed) % 4 || c % 4 === (r + seed + 1) % 4) && (r + c + seed) % 7 !== 0
        : format === 'bsr' ? ((r >> 1) + (c >> 1) + seed) % 3 === 0 : (r * 31 + c * 17 + seed) % 5 < 2;
      if (!keep) m[r * cols + c] = 0;
    }
  }
}

function pack(format: 'csr' | 'nm' | 'bsr', rows: number, cols: number, m: Float32Array): PackedWeight {
  return format === 'nm' ? packNm(rows, cols, m, 2, 4) : format === 'bsr' ? packBsr(rows, cols, m, 2, 2) : packCsr(rows, cols, m);
}

describe('expandWeight: a packed weight back to its dense layout', () => {
  it('gives back the pruned dense weight bit for bit, every view and format (property)', () => {
    // Even dimensions everywhere so 2:4 (cols % 4) and 2×2 blocks fit every view.
    const even = fc.integer({ min: 1, max: 4 }).map((d) => 2 * d);
    const arb = fc.tuple(
      fc.oneof(
        fc.tuple(fc.constant('Conv' as WeightOp), fc.array(even, { minLength: 3, maxLength: 5 }), fc.constant(false)),
        fc.tuple(fc.constantFrom('Gemm' as WeightOp, 'MatMul' as WeightOp), fc.array(even, { minLength: 2, maxLength: 2 }), fc.boolean()),
      ),
      fc.constantFrom('csr' as const, 'nm' as const, 'bsr' as const),
      fc.integer({ min: 0, max: 100 }),
    );
    fc.assert(fc.property(arb, ([[op, shape, transB], format, seed]) => {
      const { rows, cols } = weightMatrixShape(op, shape, transB);
      if (format === 'nm' && cols % 4 !== 0) return;
      const n = rows * cols;
      const dense = Float32Array.from({ length: n }, (_, i) => Math.fround(((i * 7919 + seed) % 97) / 7 - 6.5) || 0.25);
      const matrix = toWeightMatrix(op, shape, transB, dense);
      pruneFor(format, rows, cols, matrix, seed);
      // The pruned weight in its own layout: zero wherever the matrix was pruned.
      const pruned = new Float32Array(n);
      const back = toWeightMatrix(op, shape, transB, Float32Array.from({ length: n }, (_, i) => i));
      for (let i = 0; i < n; i++) pruned[back[i]!] = matrix[i]!;
      // Garbage first: expansion must zero the memory it is given.
      const out = new Float32Array(n).fill(NaN);
      expandWeight(pack(format, rows, cols, matrix), op, shape, transB, out);
      assert.deepStrictEqual(new Uint32Array(out.buffer), new Uint32Array(pruned.buffer), `${op} [${shape}] transB ${transB} ${format}`);
    }), { numRuns: 300, seed: 17 });
  });

  it('refuses a packing that does not fill the dense shape, before writing', () => {
    const p = packCsr(4, 8, new Float32Array(32).fill(1));
    const out = new Float32Array(32).fill(7);
    assert.throws(() => expandWeight(p, 'Gemm', [8, 8], true, new Float32Array(64)), /a 4×8 csr weight does not fill Gemm shape \[8,8\]/);
    assert.throws(() => expandWeight(p, 'Conv', [4, 2, 2, 2], false, new Float32Array(16)), /does not fill Conv shape/);
    expandWeight(p, 'Conv', [4, 2, 2, 2], false, out);
    assert.ok(out.every((v) => v === 1));
  });
});

describe('toWeightMatrix / fromWeightMatrix on int8 codes', () => {
  it('keep the element type and move each code where a hand-written transpose does (Gemm [K, N] ↔ [N, K])', () => {
    const [k, n] = [3, 5];
    const codes = Int8Array.from({ length: k * n }, (_, i) => i * 17 - 128);
    const matrix = toWeightMatrix('Gemm', [k, n], false, codes);
    assert.ok(matrix instanceof Int8Array);
    for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) assert.equal(matrix[r * k + c], codes[c * n + r]);
    const back = fromWeightMatrix('Gemm', [k, n], false, matrix);
    assert.ok(back instanceof Int8Array);
    assert.deepEqual([...back], [...codes]);
    // transB: the stored [N, K] already is the matrix; a copy, not the same array
    const same = toWeightMatrix('Gemm', [n, k], true, codes);
    assert.deepEqual([...same], [...codes]);
    assert.notEqual(same, codes);
  });
});
