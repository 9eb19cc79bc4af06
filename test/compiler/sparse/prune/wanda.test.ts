// Wanda's activation-aware choice on a hand-made case, and the pattern invariants of both
// calibrated methods as properties: N:M groups keep at most N (shared across share-rows
// blocks), unstructured and block counts are exact.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { pruneWanda, wandaScores } from '../../../../compiler/sparse/prune/wanda.js';
import { pruneSparseGpt } from '../../../../compiler/sparse/prune/sparsegpt.js';
import { pruneRowwise, splitCount } from '../../../../compiler/sparse/prune/mask-rule.js';
import type { MaskRule } from '../../../../compiler/sparse/prune/mask-rule.js';
import { maskNm } from '../../../../compiler/sparse/prune/masks.js';

describe('sparse/wanda', () => {
  it('activation norms flip the magnitude choice (2:4 and per-row unstructured)', () => {
    // Row 0: |w| = 4, 3, 2, 1 but inputs 2 and 3 are 10× louder: Wanda keeps columns 2 and 3.
    const w = Float32Array.from([4, -3, 2, -1, 1, 2, 3, 4]);
    const sumSq = Float64Array.from([1, 1, 100, 100]);
    assert.deepEqual([...wandaScores(w, 2, 4, sumSq)], [4, 3, 20, 10, 1, 2, 30, 40]);
    assert.deepEqual([...maskNm(w, 2, 4, 2, 4)], [4, -3, 0, 0, 0, 0, 3, 4]);
    assert.deepEqual([...pruneWanda(w, 2, 4, sumSq, { kind: 'nm', n: 2, m: 4, shareRows: 1 })], [0, 0, 2, -1, 0, 0, 3, 4]);
    // Unstructured compares within each row: 2 per row, not the 4 globally smallest scores.
    assert.deepEqual([...pruneWanda(w, 2, 4, sumSq, { kind: 'unstructured', prune: 4 })], [0, 0, 2, -1, 0, 0, 3, 4]);
    // Shared rows: summed scores 5, 5, 50, 50 keep columns 2 and 3 in both rows.
    assert.deepEqual([...pruneWanda(w, 2, 4, sumSq, { kind: 'nm', n: 2, m: 4, shareRows: 2 })], [0, 0, 2, -1, 0, 0, 3, 4]);
    // Blocks of 1×2: scores 7, 30 | 3, 70 → the two lowest blocks go.
    assert.deepEqual([...pruneWanda(w, 2, 4, sumSq, { kind: 'block', br: 1, bc: 2, prune: 2 })], [0, 0, 2, -1, 0, 0, 3, 4]);
  });

  it('pruneRowwise prunes exactly the count, ⌊k/rows⌋ or one more per row', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.nat(), fc.integer({ min: 0, max: 1000 }), (rows, cols, k0, seed) => {
      const k = k0 % (rows * cols + 1);
      const score = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(seed + i * 7.1));
      const p = pruneRowwise(score, rows, cols, k);
      assert.equal(p.reduce((a, b) => a + b, 0), k);
      for (let r = 0; r < rows; r++) {
        const n = p.subarray(r * cols, (r + 1) * cols).reduce((a, b) => a + b, 0);
        assert.ok(n === Math.floor(k / rows) || n === Math.floor(k / rows) + 1);
      }
    }));
  });

  it('splitCount sums exactly', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 8 }), fc.nat(), (sizes, t) => {
      const total = t % (sizes.reduce((a, b) => a + b, 0) + 1);
      const parts = splitCount(total, sizes);
      assert.equal(parts.reduce((a, b) => a + b, 0), total);
      parts.forEach((p, i) => assert.ok(p >= 0 && p <= sizes[i]!));
    }));
  });
});

/** Weights, per-column Σx² and Σxxᵀ from a seeded sample of rows. */
function randomLayer(rows: number, cols: number, seed: number): { w: Float32Array; sumSq: Float64Array; xtx: Float64Array; t: number } {
  let s = seed + 1;
  const next = () => { s = (s * 16807) % 2147483647; return s / 2147483647 - 0.5; };
  const w = Float32Array.from({ length: rows * cols }, next);
  const t = cols + 3;
  const x = Float64Array.from({ length: t * cols }, next);
  const xtx = new Float64Array(cols * cols);
  const sumSq = new Float64Array(cols);
  for (let r = 0; r < t; r++) for (let i = 0; i < cols; i++) {
    sumSq[i] += x[r * cols + i]! ** 2;
    for (let j = 0; j < cols; j++) xtx[i * cols + j] += x[r * cols + i]! * x[r * cols + j]!;
  }
  return { w, sumSq, xtx, t };
}

describe('sparse: calibrated masks keep their pattern (properties)', () => {
  const methods = {
    wanda: (l: ReturnType<typeof randomLayer>, rows: number, cols: number, rule: MaskRule) => pruneWanda(l.w, rows, cols, l.sumSq, rule),
    sparsegpt: (l: ReturnType<typeof randomLayer>, rows: number, cols: number, rule: MaskRule) => pruneSparseGpt(l.w, rows, cols, l.xtx, l.t, rule, { blockSize: 8 }),
  };
  for (const [name, prune] of Object.entries(methods)) {
    it(`${name}: N:M keeps ≤ N per group, the same columns in every row of a share-rows block`, () => {
      fc.assert(fc.property(
        fc.constantFrom([1, 4], [2, 4], [4, 8], [1, 2]), fc.constantFrom(1, 2, 4), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.nat(),
        ([n, m], share, blocks, groups, seed) => {
          const rows = share * blocks, cols = m! * groups;
          const out = prune(randomLayer(rows, cols, seed), rows, cols, { kind: 'nm', n: n!, m: m!, shareRows: share });
          for (let r = 0; r < rows; r++) {
            for (let g = 0; g < cols; g += m!) {
              let kept = 0;
              for (let j = g; j < g + m!; j++) {
                if (out[r * cols + j] !== 0) kept++;
                // A pruned position is pruned in the block's first row too (a kept weight may still be 0 by chance).
                const lead = Math.floor(r / share) * share;
                if (out[r * cols + j] === 0 && out[lead * cols + j] !== 0) assert.fail(`row ${r} col ${j} pruned but kept in row ${lead}`);
              }
              assert.ok(kept <= n!, `row ${r} group ${g}: ${kept} kept`);
            }
          }
        }), { numRuns: 60 });
    });

    it(`${name}: unstructured and block prune exactly the requested count`, () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.nat(), fc.nat(), (rb, cb, k0, seed) => {
        const rows = 2 * rb, cols = 4 * cb;
        const layer = randomLayer(rows, cols, seed);
        const k = k0 % (rows * cols + 1);
        assert.equal(prune(layer, rows, cols, { kind: 'unstructured', prune: k }).filter((v) => v === 0).length, k);
        const blocks = k0 % (rb * cb + 1);
        const out = prune(layer, rows, cols, { kind: 'block', br: 2, bc: 4, prune: blocks });
        let zeroBlocks = 0;
        for (let b = 0; b < rb; b++) for (let c = 0; c < cb; c++) {
          let z = 0;
          for (let r = 0; r < 2; r++) for (let j = 0; j < 4; j++) if (out[(2 * b + r) * cols + 4 * c + j] === 0) z++;
          if (z === 8) zeroBlocks++;
        }
        assert.equal(zeroBlocks, blocks);
      }), { numRuns: 60 });
    });
  }
});
