// Masks and allocation on small hand-made and random matrices, judged by the independent checker;
// and the checker itself must catch wrong masks.

import { strict as assert } from 'node:assert';
import { maskBlock, maskNm, maskNmShared, maskUnstructured } from '../../../../compiler/sparse/prune/masks.js';
import { allocate, allocateErk, allocateGlobal } from '../../../../compiler/sparse/prune/allocation.js';
import { checkBlock, checkNm, checkUnstructured } from '../checker.js';
import { rng } from '../../passes/build.js';

function random(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}
const view = (data: Float32Array, rows: number, cols: number) => ({ rows, cols, data });

describe('sparse/masks', () => {
  it('N:M keeps the N largest |w| of every M, lower index on ties', () => {
    const w = Float32Array.from([1, -3, 2, 0.5, 1, 1, 1, 1]);
    assert.deepEqual([...maskNm(w, 1, 8, 2, 4)], [0, -3, 2, 0, 1, 1, 0, 0]);
    assert.deepEqual([...w], [1, -3, 2, 0.5, 1, 1, 1, 1], 'input untouched');
    const score = Float32Array.from([4, 3, 2, 1, 1, 2, 3, 4]);
    assert.deepEqual([...maskNm(w, 1, 8, 1, 4, score)], [1, 0, 0, 0, 0, 0, 0, 1]);
  });
  it('N:M on many ties (values on a coarse grid, ±0) equals a sort by descending |w| or score, lower index first', () => {
    const r = rng(5);
    for (const [n, m] of [[2, 4], [1, 4], [3, 4], [4, 8], [3, 16]] as const) {
      const rows = 6, cols = 4 * m;
      const w = Float32Array.from({ length: rows * cols }, (_, i) => (i % 11 === 0 ? -0 : Math.round(r() * 6 - 3) / 2));
      const score = Float32Array.from({ length: rows * cols }, () => Math.round(r() * 3));
      for (const sc of [undefined, score]) {
        const want = Float32Array.from(w);
        for (let base = 0; base < w.length; base += m) {
          const key = (j: number): number => (sc ? sc[base + j]! : Math.abs(w[base + j]!));
          const order = Array.from({ length: m }, (_, j) => j).sort((a, b) => key(b) - key(a) || a - b);
          for (const j of order.slice(n)) want[base + j] = 0;
        }
        assert.deepEqual([...maskNm(w, rows, cols, n, m, sc)].map((v) => Object.is(v, -0) ? '-0' : v), [...want].map((v) => Object.is(v, -0) ? '-0' : v), `${n}:${m} ${sc ? 'score' : '|w|'}`);
      }
    }
    // A group holding NaN takes the sort itself (NaN compares as a tie there); the other groups are unaffected.
    const nan = Float32Array.from([1, NaN, 3, 2, 1, 4, 3, 2]);
    const order = [0, 1, 2, 3].sort((a, b) => Math.abs(nan[b]!) - Math.abs(nan[a]!) || a - b);
    const want = [...nan].map(String);
    for (const j of order.slice(2)) want[j] = '0';
    want[4] = want[7] = '0';
    assert.deepEqual([...maskNm(nan, 1, 8, 2, 4)].map(String), want);
  });
  it('unstructured zeroes exactly k, the smallest; ties pruned from the higher index', () => {
    const w = Float32Array.from([0.5, -0.1, 0.5, 0.2, -0.5]);
    assert.deepEqual([...maskUnstructured(w, 3)], [0.5, 0, 0.5, 0, 0]);
    assert.deepEqual([...maskUnstructured(w, 4)], [0.5, 0, 0, 0, 0]);
    assert.deepEqual([...maskUnstructured(w, 0)], [...w]);
    assert.throws(() => maskUnstructured(w, 6));
  });
  it('block zeroes the k blocks with the smallest L1', () => {
    const w = Float32Array.from([1, 1, 0.1, 0.1, 1, 1, 0.1, -0.1, 5, 0, 0.2, 0.2, 0, 0, 0.2, 0.2]);
    const out = maskBlock(w, 4, 4, 2, 2, 2);
    assert.deepEqual([...out], [1, 1, 0, 0, 1, 1, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]);
    assert.throws(() => maskBlock(w, 4, 4, 3, 1, 1), /does not tile/);
  });
  it('pass the checker on random matrices', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const [rows, cols] = [4 + (seed % 5) * 4, 16 * (1 + (seed % 3))];
      const w = random(rows * cols, seed);
      for (const [n, m] of [[2, 4], [4, 8], [1, 4], [3, 16]] as const) assert.deepEqual(checkNm(view(w, rows, cols), view(maskNm(w, rows, cols, n, m), rows, cols), n, m), []);
      const k = Math.round(0.7 * w.length);
      assert.deepEqual(checkUnstructured(view(w, rows, cols), view(maskUnstructured(w, k), rows, cols), 0.7), []);
      const blocks = Math.round(0.75 * (rows / 4) * cols);
      assert.deepEqual(checkBlock(view(w, rows, cols), view(maskBlock(w, rows, cols, 4, 1, blocks), rows, cols), 4, 1, 0.75), []);
    }
  });
  it('the checker catches wrong masks', () => {
    const w = random(64, 7);
    const v = view(w, 4, 16);
    const good = maskNm(w, 4, 16, 2, 4);
    const swapped = Float32Array.from(good);
    // Keep a smaller weight instead of a larger one in group 0.
    const g0 = [0, 1, 2, 3].sort((a, b) => Math.abs(w[a]!) - Math.abs(w[b]!));
    swapped[g0[3]!] = 0; swapped[g0[0]!] = w[g0[0]!]!;
    assert.ok(checkNm(v, view(swapped, 4, 16), 2, 4).some((s) => /dropped/.test(s)));
    assert.ok(checkNm(v, view(w, 4, 16), 2, 4).some((s) => /keeps 4 > 2/.test(s)));
    const changed = Float32Array.from(good); changed[g0[3]!] = 9;
    assert.ok(checkNm(v, view(changed, 4, 16), 2, 4).some((s) => /changed/.test(s)));
    assert.ok(checkUnstructured(v, view(maskUnstructured(w, 30), 4, 16), 0.5).some((s) => /achieved/.test(s)));
    const wrongU = maskUnstructured(w, 32); const j = wrongU.findIndex((x) => x !== 0); const z = wrongU.findIndex((x) => x === 0);
    const bad = Float32Array.from(wrongU); bad[j] = 0; bad[z] = w[z]!;
    assert.ok(checkUnstructured(v, view(bad, 4, 16), 0.5).length > 0);
    const partial = maskBlock(w, 4, 16, 4, 1, 8); const nzi = partial.findIndex((x) => x !== 0); partial[nzi] = 0;
    assert.ok(checkBlock(v, view(partial, 4, 16), 4, 1, 0.5).some((s) => /partly/.test(s)));
  });
});

describe('sparse/allocation', () => {
  const layers = [
    { shape: [16, 8, 3, 3], data: random(16 * 8 * 9, 1) },
    { shape: [64, 16, 1, 1], data: random(64 * 16, 2).map((x) => x * 0.1) },
    { shape: [10, 64], data: random(640, 3).map((x) => x * 3) },
    { shape: [7, 3], data: Float32Array.from({ length: 21 }, () => 0.25) },
  ];
  const total = layers.reduce((a, l) => a + l.data.length, 0);
  it('uniform asks the target of every layer, rounded to a weight', () => {
    for (const [i, a] of allocate('uniform', layers, 0.6).entries()) {
      assert.equal(a.requested, 0.6);
      assert.equal(a.prune, Math.round(0.6 * layers[i]!.data.length));
    }
  });
  for (const target of [0.1, 0.5, 0.73, 0.9, 0.99]) {
    it(`global hits ${target} overall to one weight and uses one threshold`, () => {
      const a = allocateGlobal(layers, target);
      const pruned = a.reduce((s, x) => s + x.prune, 0);
      assert.ok(Math.abs(pruned - target * total) <= 0.5 + 1e-9, `${pruned} vs ${target * total}`);
      // One threshold: every pruned |w| ≤ every kept |w| across layers.
      let maxPruned = -Infinity; let minKept = Infinity;
      layers.forEach((l, i) => {
        const out = maskUnstructured(l.data, a[i]!.prune);
        l.data.forEach((x, j) => { if (out[j] === 0) maxPruned = Math.max(maxPruned, Math.abs(x)); else minKept = Math.min(minKept, Math.abs(x)); });
      });
      assert.ok(maxPruned <= minKept, `${maxPruned} > ${minKept}`);
      assert.ok(a[1]!.sparsity > a[2]!.sparsity, 'small weights are pruned harder');
    });
  }
  it('ERK: density ∝ Σdims/Πdims, capped at 1, overall target kept', () => {
    const a = allocateErk(layers, 0.8);
    const kept = a.reduce((s, x, i) => s + (1 - x.requested) * layers[i]!.data.length, 0);
    assert.ok(Math.abs(kept - 0.2 * total) < 1e-6);
    assert.equal(a[3]!.requested, 0, 'the tiny layer is capped dense');
    const ratio = (i: number) => (1 - a[i]!.requested) / (layers[i]!.shape.reduce((x, y) => x + y, 0) / layers[i]!.shape.reduce((x, y) => x * y, 1));
    assert.ok(Math.abs(ratio(0) - ratio(1)) < 1e-9 && Math.abs(ratio(0) - ratio(2)) < 1e-9);
    a.forEach((x, i) => assert.equal(x.prune, Math.round(x.requested * layers[i]!.data.length)));
  });
  it('rejects targets outside [0, 1)', () => {
    assert.throws(() => allocate('uniform', layers, 1));
    assert.throws(() => allocate('global', layers, -0.1));
  });
});

describe('sparse/masks: N:M shared by row blocks', () => {
  it('every row of a block keeps the same columns, ≤ N per group, chosen by summed |w| (brute force)', () => {
    const rows = 8, cols = 12, n = 2, mm = 4, share = 4;
    const w = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const out = maskNmShared(w, rows, cols, n, mm, share);
    for (let r0 = 0; r0 < rows; r0 += share) {
      for (let g = 0; g < cols / mm; g++) {
        // Brute force: the pair of columns with the largest summed magnitude over the block.
        let best = -1, bestSet: number[] = [];
        for (let a = 0; a < mm; a++) for (let b = a + 1; b < mm; b++) {
          let sum = 0;
          for (let r = r0; r < r0 + share; r++) sum += Math.abs(w[r * cols + g * mm + a]) + Math.abs(w[r * cols + g * mm + b]);
          if (sum > best) { best = sum; bestSet = [a, b]; }
        }
        for (let r = r0; r < r0 + share; r++) {
          for (let j = 0; j < mm; j++) {
            const c = g * mm + j;
            assert.equal(out[r * cols + c], bestSet.includes(j) ? w[r * cols + c] : 0, `row ${r} col ${c}`);
          }
        }
      }
    }
  });

  it('rejects rows that do not tile into blocks; shareRows 1 is plain N:M', () => {
    const w = Float32Array.from({ length: 6 * 4 }, (_, i) => i - 11.5);
    assert.throws(() => maskNmShared(w, 6, 4, 2, 4, 4), /not a multiple of shareRows=4/);
    assert.deepEqual(maskNmShared(w, 6, 4, 2, 4, 1), maskNm(w, 6, 4, 2, 4));
  });
});
