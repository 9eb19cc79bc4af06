// Packing: pack → unpack is the identity for every format, the weight-matrix view is
// invertible, and packed storage is as small as the formats promise.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { packBsr, packCsr, packNm, packedBytes, readBits, unpackWeight } from '../../../../compiler/sparse/pack/pack.js';
import { fromWeightMatrix, toWeightMatrix, weightMatrixShape } from '../../../../runtime/sparse/layout.js';
import { nmIndexBits } from '../../../../runtime/sparse/packed.js';

/** A float32 value, nonzero with probability ~1/3 (never -0). */
const cell = fc.oneof(fc.constant(0), fc.constant(0),
  fc.float({ noNaN: true, noDefaultInfinity: true, min: -1000, max: 1000 }).map((v) => (v === 0 ? 1 : v)));

function sparseMatrix(rows: fc.Arbitrary<number>, cols: fc.Arbitrary<number>) {
  return fc.tuple(rows, cols).chain(([r, c]) =>
    fc.tuple(fc.constant(r), fc.constant(c), fc.array(cell, { minLength: r * c, maxLength: r * c }),
      fc.array(fc.nat({ max: Math.max(0, r - 1) }), { maxLength: 3 }))
      .map(([rows2, cols2, cells, zeroRows]) => {
        const m = Float32Array.from(cells);
        for (const z of zeroRows) m.fill(0, z * cols2, z * cols2 + cols2); // whole zero rows
        return { rows: rows2, cols: cols2, m };
      }));
}

describe('sparse packing', () => {
  it('csr: pack → unpack is the identity; canonical structure', () => {
    fc.assert(fc.property(sparseMatrix(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 37 })), ({ rows, cols, m }) => {
      const p = packCsr(rows, cols, m);
      assert.deepStrictEqual(unpackWeight(p), m);
      assert.ok(p.colIdx instanceof Uint16Array);
      assert.equal(p.rowPtr.length, rows + 1);
      assert.equal(p.rowPtr[rows], p.values.length);
      assert.ok(p.values.every((v) => v !== 0));
      for (let r = 0; r < rows; r++) {
        for (let k = p.rowPtr[r]! + 1; k < p.rowPtr[r + 1]!; k++) assert.ok(p.colIdx[k]! > p.colIdx[k - 1]!);
      }
      assert.equal(packedBytes(p), p.values.byteLength + p.colIdx.byteLength + p.rowPtr.byteLength);
    }), { numRuns: 300, seed: 11 });
  });

  it('csr uses int32 column indices beyond 65536 columns', () => {
    const m = new Float32Array(65537);
    m[65536] = 2;
    m[3] = -1;
    const p = packCsr(1, 65537, m);
    assert.ok(p.colIdx instanceof Int32Array);
    assert.deepStrictEqual(Array.from(p.colIdx), [3, 65536]);
    assert.deepStrictEqual(unpackWeight(p), m);
    assert.ok(packCsr(1, 65536, new Float32Array(65536)).colIdx instanceof Uint16Array);
  });

  const nmShape = fc.integer({ min: 2, max: 16 }).chain((mm) => fc.tuple(fc.integer({ min: 1, max: mm - 1 }), fc.constant(mm)));
  it('nm: pack → unpack is the identity for matrices that satisfy the pattern', () => {
    const arb = nmShape.chain(([n, mm]) => fc.tuple(fc.constant(n), fc.constant(mm),
      sparseMatrix(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 5 }).map((g) => g * mm))));
    fc.assert(fc.property(arb, ([n, mm, { rows, cols, m }]) => {
      // Keep at most n nonzeros per group (some groups end up all zero).
      for (let g = 0; g < m.length; g += mm) {
        let kept = 0;
        for (let k = 0; k < mm; k++) if (m[g + k] !== 0 && ++kept > n) m[g + k] = 0;
      }
      const p = packNm(rows, cols, m, n, mm);
      assert.deepStrictEqual(unpackWeight(p), m);
      const bits = nmIndexBits(mm);
      const slots = rows * (cols / mm) * n;
      assert.equal(p.values.length, slots);
      assert.equal(p.indices.length, Math.ceil((slots * bits) / 8));
      for (let s = 0; s < slots; s++) {
        const idx = readBits(p.indices, s * bits, bits);
        assert.ok(idx < mm);
        if (s % n !== 0) assert.ok(idx > readBits(p.indices, (s - 1) * bits, bits), `slot ${s}`);
      }
    }), { numRuns: 300, seed: 12 });
  });

  it('nm pads short groups at the lowest unused indices', () => {
    // 2:4, group [0, 0, 5, 0] → slots (0: 0), (2: 5); all-zero group → (0, 1).
    const p = packNm(1, 8, Float32Array.from([0, 0, 5, 0, 0, 0, 0, 0]), 2, 4);
    assert.deepStrictEqual(Array.from(p.values), [0, 5, 0, 0]);
    assert.deepStrictEqual([0, 1, 2, 3].map((s) => readBits(p.indices, 2 * s, 2)), [0, 2, 0, 1]);
    assert.deepStrictEqual(Array.from(p.indices), [0b0100_1000]);
  });

  it('nm refuses a matrix that breaks the pattern, with a clear message', () => {
    assert.throws(() => packNm(1, 6, new Float32Array(6), 2, 4), /packNm: 6 columns are not a multiple of m = 4/);
    assert.throws(() => packNm(2, 4, Float32Array.from([1, 0, 0, 0, 1, 1, 1, 0]), 2, 4),
      /packNm: row 1, columns 0\.\.3 hold 3 nonzeros, more than n = 2 of m = 4/);
    assert.throws(() => packNm(1, 4, new Float32Array(4), 4, 4), /0 < n < m ≤ 16/);
  });

  it('bsr: pack → unpack is the identity; a block is stored when any element is nonzero', () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).chain(([br, bc]) =>
      fc.tuple(fc.constant(br), fc.constant(bc),
        sparseMatrix(fc.integer({ min: 0, max: 4 }).map((k) => k * br), fc.integer({ min: 0, max: 5 }).map((k) => k * bc))));
    fc.assert(fc.property(arb, ([br, bc, { rows, cols, m }]) => {
      const p = packBsr(rows, cols, m, br, bc);
      assert.deepStrictEqual(unpackWeight(p), m);
      assert.equal(p.rowPtr.length, rows / br + 1);
      assert.equal(p.values.length, p.colIdx.length * br * bc);
      for (let b = 0; b < p.colIdx.length; b++) {
        assert.ok(p.values.subarray(b * br * bc, (b + 1) * br * bc).some((v) => v !== 0), `block ${b} is all zero`);
      }
    }), { numRuns: 300, seed: 13 });
  });

  it('bsr refuses a matrix that blocks do not tile', () => {
    assert.throws(() => packBsr(3, 4, new Float32Array(12), 2, 1), /3×4 is not a whole number of 2×1 blocks/);
  });

  it('size: 64×256 at 2:4 packs to 17/32 of dense bytes, at 90% csr to under 0.16', () => {
    const dense = 64 * 256 * 4;
    const m = new Float32Array(64 * 256);
    for (let i = 0; i < m.length; i += 4) { m[i + (i % 3)] = 1 + i; m[i + 3] = -1; }
    const nm = packNm(64, 256, m, 2, 4);
    // values: half the elements; indices: 2 bits per kept value (ceil(log2 4) per slot).
    assert.equal(packedBytes(nm) / dense, 0.53125);
    const u = new Float32Array(64 * 256);
    // 10% nonzero at scattered positions (7919 is odd, so k·7919 mod 2^14 are distinct).
    for (let k = 0; k < Math.round(u.length * 0.1); k++) u[(k * 7919) % u.length] = 0.5 + (k % 97);
    const csr = packCsr(64, 256, u);
    assert.ok(packedBytes(csr) / dense <= 0.16, `${packedBytes(csr) / dense}`);
  });
});

describe('weight matrix layout', () => {
  it('Conv OIHW → rows O, cols (kh, kw, ci) with ci fastest', () => {
    const shape = [2, 3, 2, 2];
    const data = Float32Array.from({ length: 24 }, (_, i) => i);
    const w = toWeightMatrix('Conv', shape, false, data);
    assert.deepStrictEqual(weightMatrixShape('Conv', shape, false), { rows: 2, cols: 12 });
    for (let o = 0; o < 2; o++) for (let ci = 0; ci < 3; ci++) for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) {
      assert.equal(w[o * 12 + (y * 2 + x) * 3 + ci], data[((o * 3 + ci) * 2 + y) * 2 + x]);
    }
  });

  it('Gemm transB=1 is as stored; transB=0 and MatMul are transposed', () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2, 3]
    assert.deepStrictEqual(toWeightMatrix('Gemm', [2, 3], true, data), data);
    assert.deepStrictEqual(weightMatrixShape('Gemm', [2, 3], false), { rows: 3, cols: 2 });
    assert.deepStrictEqual(Array.from(toWeightMatrix('Gemm', [2, 3], false, data)), [1, 4, 2, 5, 3, 6]);
    assert.deepStrictEqual(Array.from(toWeightMatrix('MatMul', [2, 3], false, data)), [1, 4, 2, 5, 3, 6]);
  });

  it('fromWeightMatrix inverts toWeightMatrix (property)', () => {
    const arb = fc.oneof(
      fc.tuple(fc.constant('Conv' as const), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 5 }), fc.boolean()),
      fc.tuple(fc.constantFrom('Gemm' as const, 'MatMul' as const), fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 2, maxLength: 2 }), fc.boolean()),
    );
    fc.assert(fc.property(arb, ([op, shape, transB]) => {
      const n = shape.reduce((x, y) => x * y, 1);
      const data = Float32Array.from({ length: n }, (_, i) => i + 0.5);
      const w = toWeightMatrix(op, shape, transB, data);
      const { rows, cols } = weightMatrixShape(op, shape, transB);
      assert.equal(rows * cols, n);
      assert.equal(rows, op === 'Conv' || (op === 'Gemm' && transB) ? shape[0] : shape[1]);
      assert.deepStrictEqual(fromWeightMatrix(op, shape, transB, w), data);
    }), { numRuns: 300, seed: 14 });
  });
});
