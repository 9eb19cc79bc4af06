// Packed sparse weights in the artifact (format v2): write → load round trips, zero-copy
// views, and the loader's refusal of every lying index structure.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { writeArtifact } from '../../../compiler/emit/artifact.js';
import { packBsr, packCsr, packNm } from '../../../compiler/sparse/pack/pack.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import type { LoadedArtifact, LoadedTensor } from '../../../runtime/loader/model.js';
import type { BsrWeight, CsrWeight, NmWeight, PackedWeight } from '../../../runtime/sparse/packed.js';
import { encodeUnchecked, rejection } from './refusal.js';
import { packedSampleArtifact, sampleArtifact, withTensor } from './sample-artifact.js';

function withPacked<P extends PackedWeight>(a: LoadedArtifact, i: number, f: (p: P) => PackedWeight): LoadedArtifact {
  return withTensor(a, i, (t) => ({ ...t, packed: f(t.packed as P) }));
}

describe('artifact with packed sparse weights', () => {
  const a = packedSampleArtifact();

  it('round-trips every packed weight, descriptor and dense weight exactly', () => {
    assert.deepStrictEqual(parseArtifact(writeArtifact(a)), a);
  });

  it('is deterministic, and re-encoding a loaded artifact gives the same bytes', () => {
    const first = writeArtifact(a);
    assert.deepStrictEqual(writeArtifact(packedSampleArtifact()), first);
    assert.deepStrictEqual(writeArtifact(parseArtifact(first)), first);
  });

  it('returns zero-copy, 64-aligned views for every component', () => {
    const bytes = writeArtifact(a);
    for (const t of parseArtifact(bytes).tensors) {
      if (t.packed === undefined) continue;
      assert.equal(t.data!.length, 0);
      const parts = t.packed.format === 'nm' ? [t.packed.values, t.packed.indices] : [t.packed.values, t.packed.colIdx, t.packed.rowPtr];
      for (const part of parts) {
        assert.equal(part.buffer, bytes.buffer, `${t.name} is a copy`);
        assert.equal(part.byteOffset % 64, 0, `${t.name} at ${part.byteOffset}`);
      }
    }
  });

  it('lists exactly the sparse features used and records format 2', () => {
    const onlyNm: LoadedArtifact = {
      ...a, requiredFeatures: ['sparse-bsr'],
      tensors: a.tensors.map((t) => (t.packed !== undefined && t.packed.format !== 'nm' ? { ...t, packed: undefined, descriptor: undefined, data: new Float32Array(t.shape.reduce((x, y) => x * y, 1)) } : t)),
    };
    const loaded = parseArtifact(writeArtifact({ ...onlyNm, formatVersion: 1 }));
    assert.deepStrictEqual(loaded.requiredFeatures, ['sparse-nm']);
    assert.equal(loaded.formatVersion, 2);
    // A dense artifact stays v1 with no features, readable as before.
    assert.deepStrictEqual(parseArtifact(writeArtifact(sampleArtifact())).requiredFeatures, []);
    assert.equal(parseArtifact(writeArtifact(sampleArtifact())).formatVersion, 1);
  });

  it('round-trips random packed weights of every format (property)', () => {
    const matrix = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.constantFrom(...(['csr', 'nm', 'bsr'] as const)))
      .chain(([R, C, format]) => {
        const rows = R * 2, cols = C * 4;
        return fc.tuple(fc.constant(rows), fc.constant(cols), fc.constant(format),
          fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -100, max: 100 })), { minLength: rows * cols, maxLength: rows * cols }));
      });
    fc.assert(fc.property(matrix, ([rows, cols, format, cells]) => {
      const m = Float32Array.from(cells, (v) => v / 8);
      if (format === 'nm') {
        for (let g = 0; g < m.length; g += 4) {
          let kept = 0;
          for (let k = 0; k < 4; k++) if (m[g + k] !== 0 && ++kept > 2) m[g + k] = 0;
        }
      }
      const packed = format === 'csr' ? packCsr(rows, cols, m) : format === 'nm' ? packNm(rows, cols, m, 2, 4) : packBsr(rows, cols, m, 2, 4);
      const w: LoadedTensor = { name: 'w', dtype: 'float32', shape: [rows, cols], kind: 'weight', data: new Float32Array(0), packed,
        descriptor: { pattern: format === 'nm' ? '2:4' : format === 'bsr' ? 'block:2x4' : 'unstructured', sparsity: 0.5 } };
      const art: LoadedArtifact = {
        formatVersion: 2, requiredFeatures: [`sparse-${format}`], name: 'p',
        tensors: [{ name: 'x', dtype: 'float32', shape: [1, cols], kind: 'input', arenaOffset: 0 }, w,
          { name: 'y', dtype: 'float32', shape: [1, rows], kind: 'output', arenaOffset: 4 * cols }],
        nodes: [{ name: 'g', op: 'Gemm', kernel: 'k', kernelReason: '', inputs: [0, 1], outputs: [2], attrs: { transB: 1 } }],
        inputs: [0], outputs: [2], arenaBytes: 4 * (cols + rows), provenance: { spcVersion: '', sourceSha256: '', options: [], layers: [] },
      };
      assert.deepStrictEqual(parseArtifact(writeArtifact(art)), art);
    }), { numRuns: 150, seed: 3 });
  });

  // Tensor indices in the packed sample: 1 csr (8×16), 3 nm 2:4 (16×12), 4 bsr 2×4 (4×8), 6 csr i32 (4×16).
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['a csr column index out of range',
      () => encodeUnchecked(withPacked<CsrWeight>(a, 1, (p) => ({ ...p, colIdx: p.colIdx.map((c, k) => (k === 17 ? 300 : c)) }))),
      /^tensor 1 'w_csr': csr colIdx\[17\] = 300 ≥ cols 16$/],
    ['a negative i32 column index',
      () => encodeUnchecked(withPacked<CsrWeight>(a, 6, (p) => ({ ...p, colIdx: Int32Array.from(p.colIdx, (c, k) => (k === 2 ? -1 : c)) }))),
      /^tensor 6 'w_wide': csr colIdx\[2\] = -1 ≥ cols 16$/],
    ['column indices not increasing within a row',
      () => encodeUnchecked(withPacked<CsrWeight>(a, 1, (p) => {
        const colIdx = Uint16Array.from(p.colIdx);
        [colIdx[0], colIdx[1]] = [colIdx[1]!, colIdx[0]!];
        return { ...p, colIdx };
      })),
      /^tensor 1 'w_csr': csr colIdx of row 0 not strictly increasing/],
    ['a non-monotone rowPtr',
      () => encodeUnchecked(withPacked<CsrWeight>(a, 1, (p) => ({ ...p, rowPtr: p.rowPtr.map((v, r) => (r === 2 ? p.rowPtr[3]! + 1 : v)) }))),
      /^tensor 1 'w_csr': csr rowPtr not monotone: rowPtr\[3\] = \d+ < rowPtr\[2\] = \d+$/],
    ['rowPtr[0] ≠ 0',
      () => encodeUnchecked(withPacked<CsrWeight>(a, 1, (p) => ({ ...p, rowPtr: p.rowPtr.map((v, r) => (r === 0 ? 1 : v)) }))),
      /^tensor 1 'w_csr': csr rowPtr\[0\] = 1 \(must be 0\)$/],
    ['a rowPtr whose last entry is not nnz',
      () => encodeUnchecked(withPacked<CsrWeight>(a, 1, (p) => ({ ...p, colIdx: p.colIdx.slice(0, -1), values: p.values.slice(0, -1) }))),
      /^tensor 1 'w_csr': csr rowPtr\[8\] = \d+ but colIdx has \d+ entries$/],
    ['a rowPtr of the wrong length',
      () => encodeUnchecked(withPacked<CsrWeight>(a, 1, (p) => ({ ...p, rowPtr: p.rowPtr.slice(0, -1) }))),
      /^tensor 1 'w_csr': csr rowPtr has 8 entries, rows 8 need 9$/],
    ['fewer values than column indices',
      () => encodeUnchecked(withPacked<CsrWeight>(a, 1, (p) => ({ ...p, values: p.values.slice(0, -1) }))),
      /^tensor 1 'w_csr': csr has \d+ values, \d+ nonzeros need \d+$/],
    ['a matrix that does not hold the dense shape',
      () => encodeUnchecked(withPacked<CsrWeight>(a, 1, (p) => ({ ...p, cols: 15 }))),
      /^tensor 1 'w_csr': csr matrix 8×15 does not hold shape \[8,16\] \(128 elements\)$/],
    ['rows that are no output dimension',
      () => encodeUnchecked(withTensor(a, 4, (t) => ({ ...t, shape: [2, 4, 2, 2] }))),
      /^tensor 4 'w_bsr': bsr rows 4 match no output dimension of shape \[2,4,2,2\]$/],
    ['a Gemm reading the matrix the other way round',
      () => encodeUnchecked({ ...a, nodes: a.nodes.map((n) => (n.name === 'fc' ? { ...n, attrs: { transB: 0 } } : n)) }),
      /^node 0 'fc': packed weight 'w_csr' is 8×16, Gemm reads shape \[8,16\] as 16×8$/],
    ['a packed weight read by another op',
      () => encodeUnchecked({ ...a, nodes: a.nodes.map((n) => (n.name === 'fc' ? { ...n, op: 'Add' } : n)) }),
      /^node 0 'fc': reads packed weight 'w_csr' as input 1 of 'Add'/],
    ['an N:M slot index ≥ m',
      () => encodeUnchecked(withPacked<NmWeight>(a, 3, () => {
        const p = packNm(16, 12, new Float32Array(192), 1, 3);
        const indices = Uint8Array.from(p.indices);
        indices[0] = 3; // slot 0 = 3 with 2-bit slots
        return { ...p, indices };
      })),
      /^tensor 3 'w_nm': nm index of slot 0 = 3 ≥ m 3$/],
    ['N:M indices not increasing in a group',
      () => encodeUnchecked(withPacked<NmWeight>(a, 3, (p) => {
        const indices = Uint8Array.from(p.indices);
        indices[0] = 0b0000_0101; // slots 0 and 1 both 1
        return { ...p, indices };
      })),
      /^tensor 3 'w_nm': nm indices of group 0 not strictly increasing \(slot 1 = 1 after 1\)$/],
    ['an N:M index stream of the wrong length',
      () => encodeUnchecked(withPacked<NmWeight>(a, 3, (p) => ({ ...p, indices: p.indices.slice(0, -1) }))),
      /^tensor 3 'w_nm': nm index stream of 23 bytes, 96 slots of 2 bits need 24$/],
    ['N:M values of the wrong count',
      () => encodeUnchecked(withPacked<NmWeight>(a, 3, (p) => ({ ...p, values: p.values.slice(1) }))),
      /^tensor 3 'w_nm': nm has 95 values, 16×12 at 2:4 needs 96$/],
    ['N:M with cols not a multiple of m',
      () => encodeUnchecked(withPacked<NmWeight>(a, 3, (p) => ({ ...p, m: 5, n: 2 }))),
      /^tensor 3 'w_nm': nm cols 12 not a multiple of m = 5$/],
    ['N:M with n ≥ m',
      () => encodeUnchecked(withPacked<NmWeight>(a, 3, (p) => ({ ...p, n: 4 }))),
      /^tensor 3 'w_nm': nm needs 0 < n < m ≤ 16, got 4:4$/],
    ['a bsr block column out of range',
      () => encodeUnchecked(withPacked<BsrWeight>(a, 4, (p) => ({ ...p, colIdx: p.colIdx.map(() => 2) }))),
      /^tensor 4 'w_bsr': bsr colIdx\[0\] = 2 ≥ block cols 2$/],
    ['a bsr rowPtr over rows instead of block rows',
      () => encodeUnchecked(withPacked<BsrWeight>(a, 4, (p) => ({ ...p, rowPtr: Int32Array.from([0, 1, 1, 2, 2]) }))),
      /^tensor 4 'w_bsr': bsr rowPtr has 5 entries, block rows 2 need 3$/],
    ['bsr values not a whole number of blocks',
      () => encodeUnchecked(withPacked<BsrWeight>(a, 4, (p) => ({ ...p, values: p.values.slice(1) }))),
      /^tensor 4 'w_bsr': bsr has 23 values, 3 blocks of 2×4 need 24$/],
    ['a bsr block that does not tile the matrix',
      () => encodeUnchecked(withPacked<BsrWeight>(a, 4, (p) => ({ ...p, bc: 3 }))),
      /^tensor 4 'w_bsr': bsr 4×8 is not a whole number of 2×3 blocks$/],
    ['a misaligned component',
      () => encodeUnchecked(a, (l) => { l.placements[3]!.sparse!.indicesOffset += 4n; }),
      /^tensor 3 'w_nm': nm indices offset \d+ not aligned to 64$/],
    ['a component outside the weight section',
      () => encodeUnchecked(a, (l) => { l.placements[1]!.sparse!.rowPtrOffset = BigInt(l.weights.length); }),
      /^tensor 1 'w_csr': csr rowPtr range \d+\+36 outside weight section/],
    ['a packed weight that also has dense data',
      () => encodeUnchecked(a, (l) => { l.placements[1]!.dataLength = 512n; }),
      /^tensor 1 'w_csr': packed weight also has dense data/],
    ['a bad sparsity',
      () => encodeUnchecked(withTensor(a, 1, (t) => ({ ...t, descriptor: { pattern: 'unstructured', sparsity: 1.5 } }))),
      /^tensor 1 'w_csr': sparsity 1.5 outside \[0, 1\]$/],
    ['a bad pattern',
      () => encodeUnchecked(withTensor(a, 1, (t) => ({ ...t, descriptor: { pattern: 'most', sparsity: 0.5 } }))),
      /^tensor 1 'w_csr': bad sparsity pattern 'most'$/],
    // The grammar's own rules (runtime/sparse/pattern.ts), not a looser regex: N < M ≤ 16, sides ≤ 64, canonical text.
    ...(['4:2', '2:32', 'block:65x1', 'block:1x1', 'BLOCK:4x1', ' 2:4', '02:4', 'channel'] as const).map((pattern): [string, () => Uint8Array, RegExp] => [
      `the pattern '${pattern}'`,
      () => encodeUnchecked(withTensor(a, 1, (t) => ({ ...t, descriptor: { pattern, sparsity: 0.5 } }))),
      new RegExp(`^tensor 1 'w_csr': bad sparsity pattern '${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'$`)]),
    ['a packed activation',
      () => encodeUnchecked(withTensor(a, 2, (t) => ({ ...t, packed: a.tensors[1]!.packed }))),
      /^tensor 2 'h': activation tensor is packed/],
  ];
  for (const [what, make, message] of cases) {
    it(`rejects ${what}`, () => assert.match(rejection(make()), message));
  }

  it('refuses to write a lying packed weight', () => {
    assert.throws(() => writeArtifact(withPacked<CsrWeight>(a, 1, (p) => ({ ...p, rowPtr: p.rowPtr.map(() => 0) }))),
      /writeArtifact: the artifact would not load: tensor 1 'w_csr': csr rowPtr\[8\] = 0/);
  });
});
