// The permutation and row-order searches, judged by objectives recomputed here independently
// (brute-force N:M kept magnitude on the permuted matrix, block unions on the reordered masks).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { keptNm, reorderRows, searchPermutation, type ColumnTerm, type RowTerm } from '../../../../compiler/sparse/rearrange/permute-search.js';
import { rng } from '../../passes/build.js';
import { arena, arenaKept, withoutLinalg } from '../../../../compiler/linalg/linalg.js';

/** |N(0,1)| samples (Box–Muller on the seeded generator). */
function absNormal(count: number, seed: number): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = 1 - r(), v = r();
    out[i] = Math.abs(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

/** Columns of a rows × C matrix reordered: out[:, p] = s[:, perm[p]]. */
function permuteCols(s: Float64Array, rows: number, C: number, perm: Int32Array): Float64Array {
  const out = new Float64Array(s.length);
  for (let r = 0; r < rows; r++) for (let p = 0; p < C; p++) out[r * C + p] = s[r * C + perm[p]!]!;
  return out;
}
function permuteRows(s: Float64Array, cols: number, perm: Int32Array): Float64Array {
  const out = new Float64Array(s.length);
  for (let p = 0; p < perm.length; p++) out.set(s.subarray(perm[p]! * cols, (perm[p]! + 1) * cols), p * cols);
  return out;
}

/** Kept score of a producer with masks shared by `share` rows, by brute force over all n-subsets of each group. */
function keptShared(s: Float64Array, rows: number, cols: number, n: number, m: number, share: number): number {
  let total = 0;
  for (let r0 = 0; r0 < rows; r0 += share) {
    for (let c0 = 0; c0 < cols; c0 += m) {
      let best = -Infinity;
      for (let mask = 0; mask < 1 << m; mask++) {
        if (popcount(mask) !== n) continue;
        let v = 0;
        for (let j = 0; j < m; j++) if (mask & (1 << j)) for (let r = r0; r < r0 + share; r++) v += s[r * cols + c0 + j]!;
        best = Math.max(best, v);
      }
      total += best;
    }
  }
  return total;
}
function popcount(x: number): number { let c = 0; while (x) { x &= x - 1; c++; } return c; }

function assertPermutation(perm: Int32Array, C: number): void {
  assert.equal(perm.length, C);
  const seen = new Uint8Array(C);
  for (const p of perm) { assert.ok(p >= 0 && p < C, `entry ${p} out of range`); assert.equal(seen[p], 0, `channel ${p} twice`); seen[p] = 1; }
}

/** Independent objective of a permutation over the given terms. */
function objective(C: number, columns: readonly ColumnTerm[], rowTerms: readonly RowTerm[], perm: Int32Array): number {
  let v = 0;
  for (const t of columns) v += keptNm(permuteCols(t.scores, t.rows, C, perm), t.rows, C, t.n, t.m);
  for (const t of rowTerms) v += keptShared(permuteRows(t.scores, t.cols, perm), C, t.cols, t.n, t.m, t.share);
  return v;
}

/** Per-row unstructured bound: each row keeps its top `keep` scores. */
function perRowTop(s: Float64Array, rows: number, cols: number, keep: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = Array.from(s.subarray(r * cols, (r + 1) * cols)).sort((a, b) => b - a);
    for (let i = 0; i < keep; i++) total += row[i]!;
  }
  return total;
}

describe('sparse/permute-search', () => {
  it('the linalg module runs the pair evaluation bit for bit as the TypeScript loop: same permutation and objective (cells 2 and 4, n 1–3, ties, several terms, row terms)', () => {
    assert.ok(arena([1]), 'the linalg module did not instantiate: this comparison would be vacuous');
    const cases: { C: number; cell: number; terms: { rows: number; n: number }[]; rowTerm?: boolean; levels?: number }[] = [
      { C: 32, cell: 4, terms: [{ rows: 40, n: 2 }, { rows: 24, n: 2 }] },
      { C: 48, cell: 4, terms: [{ rows: 30, n: 1 }, { rows: 20, n: 3 }, { rows: 10, n: 2 }] },
      // Few distinct values: many ties, which the ranks must break as the loop does.
      { C: 64, cell: 4, terms: [{ rows: 50, n: 2 }], levels: 3 },
      { C: 24, cell: 2, terms: [{ rows: 30, n: 1 }], levels: 4 },
      { C: 32, cell: 4, terms: [{ rows: 16, n: 2 }], rowTerm: true },
    ];
    for (const [k, c] of cases.entries()) {
      const columns: ColumnTerm[] = c.terms.map((t, j) => {
        const s = absNormal(t.rows * c.C, 100 + 10 * k + j);
        if (c.levels) for (let i = 0; i < s.length; i++) s[i] = Math.floor(s[i]! * c.levels) / c.levels;
        return { scores: s, rows: t.rows, n: t.n, m: c.cell };
      });
      const rows: RowTerm[] = c.rowTerm ? [{ scores: absNormal(c.C * 16, 900 + k), cols: 16, n: 2, m: c.cell, share: c.cell }] : [];
      const fast = searchPermutation(c.C, c.cell, columns, rows);
      const ref = withoutLinalg(() => searchPermutation(c.C, c.cell, columns, rows));
      assert.deepEqual([...fast.perm], [...ref.perm], `case ${k}: permutations differ`);
      assert.ok(Object.is(fast.after, ref.after) && Object.is(fast.before, ref.before), `case ${k}: objectives ${fast.before} → ${fast.after} vs ${ref.before} → ${ref.after}`);
      assert.ok(fast.after > fast.before, `case ${k}: the search found nothing to compare`);
    }
  });

  it('arenaKept: a layout stays kept until the next arena call, and never with the module switched off', () => {
    const a = arena([4])!;
    assert.ok(arenaKept(a.generation));
    withoutLinalg(() => assert.ok(!arenaKept(a.generation)));
    arena([4]);
    assert.ok(!arenaKept(a.generation));
  });

  it('keptNm sums the top n of every m consecutive scores', () => {
    const s = Float64Array.from([1, 3, 2, 0.5, 4, 4, 1, 0, 0, 0, 0, 7]);
    assert.equal(keptNm(s, 1, 12, 2, 4), 5 + 8 + 7);
    assert.equal(keptNm(s, 3, 4, 1, 4), 3 + 4 + 7);
    assert.throws(() => keptNm(s, 1, 12, 2, 5), /multiple of M=5/);
  });

  it('closes ≥ 30% of the gap between 2:4 and per-row 50% on a random 64×128 matrix (ASP: 36.6%)', () => {
    const rows = 64, C = 128;
    const scores = absNormal(rows * C, 64128);
    const term: ColumnTerm = { scores, rows, n: 2, m: 4 };
    const res = searchPermutation(C, 4, [term], []);
    assertPermutation(res.perm, C);
    const plain = keptNm(scores, rows, C, 2, 4);
    const bound = perRowTop(scores, rows, C, C / 2);
    const recomputed = keptNm(permuteCols(scores, rows, C, res.perm), rows, C, 2, 4);
    assert.ok(Math.abs(res.before - plain) <= 1e-9 * plain, `before ${res.before} vs ${plain}`);
    assert.ok(Math.abs(res.after - recomputed) <= 1e-9 * plain, `after ${res.after} vs recomputed ${recomputed}`);
    const closed = (recomputed - plain) / (bound - plain);
    assert.ok(closed >= 0.3, `closed ${(closed * 100).toFixed(1)}% of the gap (2:4 ${plain.toFixed(1)}, bound ${bound.toFixed(1)}, after ${recomputed.toFixed(1)})`);
    assert.equal(res.timedOut, false);
  });

  it('never returns worse than the identity, matches its own objective, several terms', () => {
    for (const seed of [1, 2, 3]) {
      const C = 32;
      const cols: ColumnTerm[] = [
        { scores: absNormal(8 * C, seed), rows: 8, n: 2, m: 4 },
        { scores: absNormal(3 * C, seed + 100), rows: 3, n: 1, m: 4 },
        { scores: absNormal(5 * C, seed + 200), rows: 5, n: 2, m: 8 }, // m ≠ cell: ignored
      ];
      const rowsT: RowTerm[] = [{ scores: absNormal(C * 12, seed + 300), cols: 12, n: 2, m: 4, share: 4 }];
      const res = searchPermutation(C, 4, cols, rowsT);
      assertPermutation(res.perm, C);
      const used = cols.slice(0, 2);
      const before = objective(C, used, rowsT, Int32Array.from({ length: C }, (_, i) => i));
      const after = objective(C, used, rowsT, res.perm);
      assert.ok(Math.abs(res.before - before) < 1e-9 * before);
      assert.ok(Math.abs(res.after - after) < 1e-9 * before, `after ${res.after} vs ${after}`);
      assert.ok(res.after > res.before, `seed ${seed}: no gain (${res.before} → ${res.after})`);
    }
  });

  it('improves row-term-only (shared-rows) problems', () => {
    const C = 64, cols = 32;
    const t: RowTerm = { scores: absNormal(C * cols, 77), cols, n: 2, m: 4, share: 4 };
    const res = searchPermutation(C, 4, [], [t]);
    assertPermutation(res.perm, C);
    const before = keptShared(t.scores, C, cols, 2, 4, 4);
    const after = keptShared(permuteRows(t.scores, cols, res.perm), C, cols, 2, 4, 4);
    assert.ok(Math.abs(res.before - before) < 1e-9 * before);
    assert.ok(Math.abs(res.after - after) < 1e-9 * before);
    assert.ok(after > before * 1.005, `shared-rows kept ${before} → ${after}`);
  });

  it('is deterministic', () => {
    const C = 64;
    const term: ColumnTerm = { scores: absNormal(16 * C, 5), rows: 16, n: 2, m: 4 };
    const a = searchPermutation(C, 4, [term], [], { budget: 3000 });
    const b = searchPermutation(C, 4, [term], [], { budget: 3000 });
    assert.deepEqual([...a.perm], [...b.perm]);
    assert.equal(a.after, b.after);
  });

  it('stops at the time cap with a fake clock, still returning a valid result', () => {
    const C = 128;
    const term: ColumnTerm = { scores: absNormal(64 * C, 9), rows: 64, n: 2, m: 4 };
    let t = 0;
    const res = searchPermutation(C, 4, [term], [], { timeMs: 50, now: () => t++ });
    assert.equal(res.timedOut, true);
    assertPermutation(res.perm, C);
    assert.ok(res.after >= res.before);
    assert.ok(t < 200, `clock read ${t} times after the cap`);
  });

  it('identity when C is not a multiple of the cell, or nothing to gain', () => {
    const r1 = searchPermutation(10, 4, [{ scores: absNormal(20, 1), rows: 2, n: 2, m: 4 }], []);
    assert.deepEqual([...r1.perm], [...Array(10).keys()]);
    assert.equal(r1.before, r1.after);
    // Every row constant: all permutations keep the same.
    const flat = new Float64Array(4 * 16).fill(1);
    const r2 = searchPermutation(16, 4, [{ scores: flat, rows: 4, n: 2, m: 4 }], []);
    assert.deepEqual([...r2.perm], [...Array(16).keys()]);
    assert.equal(r2.after, r2.before);
  });

  it('rejects scores that do not fit the problem, naming the term', () => {
    assert.throws(() => searchPermutation(8, 4, [{ scores: new Float64Array(15), rows: 2, n: 2, m: 4 }], []), /column term 0 has 15 scores for 2×8/);
    assert.throws(() => searchPermutation(8, 4, [], [{ scores: new Float64Array(8 * 4).fill(NaN), cols: 4, n: 2, m: 4, share: 4 }]), /row term 0 has score NaN at index 0/);
    assert.throws(() => searchPermutation(8, 4, [{ scores: new Float64Array(8).fill(-1), rows: 1, n: 2, m: 4 }], []), /finite and ≥ 0/);
  });

  it('finds the optimum of two cells (brute force over every split), column and row terms (property)', () => {
    const problem = fc.record({
      cell: fc.constantFrom(2, 3, 4),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
      rows: fc.integer({ min: 1, max: 6 }),
      withRows: fc.boolean(),
    });
    fc.assert(fc.property(problem, ({ cell, seed, rows, withRows }) => {
      const C = 2 * cell, n = cell === 4 ? 2 : 1;
      const columns: ColumnTerm[] = [{ scores: absNormal(rows * C, seed), rows, n, m: cell }];
      const rowTerms: RowTerm[] = withRows ? [{ scores: absNormal(C * 8, seed + 1), cols: 8, n: 1, m: 2, share: cell }] : [];
      const res = searchPermutation(C, cell, columns, rowTerms);
      assertPermutation(res.perm, C);
      // Every way to put `cell` of the 2·cell channels in the first cell.
      let best = -Infinity;
      for (let mask = 0; mask < 1 << C; mask++) {
        if (popcount(mask) !== cell) continue;
        const perm = Int32Array.from([...Array(C).keys()].filter((c) => mask & (1 << c)).concat([...Array(C).keys()].filter((c) => !(mask & (1 << c)))));
        best = Math.max(best, objective(C, columns, rowTerms, perm));
      }
      const after = objective(C, columns, rowTerms, res.perm);
      assert.ok(Math.abs(after - res.after) <= 1e-9 * best);
      assert.ok(after >= best - 1e-9 * best, `search ${after}, optimum ${best}`);
    }), { numRuns: 60 });
  });

  it('any problem: a permutation, after ≥ before, both match the independent objective (property)', () => {
    const problem = fc.record({
      cells: fc.integer({ min: 1, max: 8 }),
      cell: fc.constantFrom(2, 4, 8),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
      colRows: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
      rowCols: fc.array(fc.constantFrom(4, 8), { maxLength: 2 }),
      budget: fc.integer({ min: 1, max: 300 }),
    });
    fc.assert(fc.property(problem, ({ cells, cell, seed, colRows, rowCols, budget }) => {
      const C = cells * cell;
      const columns: ColumnTerm[] = colRows.map((rows, i) => ({ scores: absNormal(rows * C, seed + i), rows, n: 1 + (i % (cell - 1)), m: cell }));
      const rowTerms: RowTerm[] = rowCols.map((cols, i) => ({ scores: absNormal(C * cols, seed + 10 + i), cols, n: 1 + (i % 3), m: 4, share: cell }));
      const res = searchPermutation(C, cell, columns, rowTerms, { budget });
      assertPermutation(res.perm, C);
      const before = objective(C, columns, rowTerms, Int32Array.from({ length: C }, (_, i) => i));
      const after = objective(C, columns, rowTerms, res.perm);
      const tol = 1e-9 * Math.max(1, before);
      assert.ok(Math.abs(res.before - before) <= tol && Math.abs(res.after - after) <= tol, `${res.before}/${before} ${res.after}/${after}`);
      assert.ok(res.after >= res.before);
    }), { numRuns: 80 });
  });

  it('larger cells use swap moves (cell 8) and still improve', () => {
    const C = 64;
    const term: ColumnTerm = { scores: absNormal(16 * C, 11), rows: 16, n: 4, m: 8 };
    const res = searchPermutation(C, 8, [term], [], { budget: 2000 });
    assertPermutation(res.perm, C);
    const after = keptNm(permuteCols(term.scores, 16, C, res.perm), 16, C, 4, 8);
    assert.ok(Math.abs(after - res.after) < 1e-9 * after);
    assert.ok(res.after > res.before);
  });
});

/** Independent fill of masks under a row order. */
function fillOf(masks: readonly { mask: Uint8Array; cols: number }[], rows: number, blockRows: number, order: Int32Array): number {
  let nnz = 0, area = 0;
  for (const { mask, cols } of masks) {
    for (let b0 = 0; b0 < rows; b0 += blockRows) {
      const b1 = Math.min(rows, b0 + blockRows);
      const union = new Set<number>();
      for (let i = b0; i < b1; i++) for (let c = 0; c < cols; c++) if (mask[order[i]! * cols + c]) { union.add(c); nnz++; }
      area += union.size * (b1 - b0);
    }
  }
  return nnz / area;
}

describe('sparse/permute-search reorderRows', () => {
  it('recovers planted row patterns: fill rises to near 1', () => {
    const rows = 64, r = rng(3);
    const mk = (cols: number, patterns: number) => {
      const pats = Array.from({ length: patterns }, () => Uint8Array.from({ length: cols }, () => (r() < 0.3 ? 1 : 0)));
      return pats;
    };
    const pa = mk(48, 4), pb = mk(20, 4);
    // Row i follows pattern i % 4 in both masks, then the rows are shuffled.
    const rowPattern = Array.from({ length: rows }, (_, i) => i % 4);
    for (let i = rows - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [rowPattern[i], rowPattern[j]] = [rowPattern[j]!, rowPattern[i]!]; }
    const build = (pats: Uint8Array[], cols: number) => {
      const m = new Uint8Array(rows * cols);
      for (let i = 0; i < rows; i++) m.set(pats[rowPattern[i]!]!, i * cols);
      return { mask: m, cols };
    };
    const masks = [build(pa, 48), build(pb, 20)];
    const res = reorderRows(masks, rows, 4);
    assertPermutation(res.order, rows);
    const before = fillOf(masks, rows, 4, Int32Array.from({ length: rows }, (_, i) => i));
    const after = fillOf(masks, rows, 4, res.order);
    assert.ok(Math.abs(res.fillBefore - before) < 1e-12 && Math.abs(res.fillAfter - after) < 1e-12);
    assert.ok(before < 0.6, `planted structure hidden by the shuffle: fill ${before}`);
    assert.ok(after > 0.99, `fill ${before} → ${after}`);
  });

  it('never lowers fill on random masks; deterministic; respects a fake clock', () => {
    for (const seed of [1, 2, 3, 4]) {
      const rows = 37, cols = 24, r = rng(seed);
      const mask = Uint8Array.from({ length: rows * cols }, () => (r() < 0.5 ? 1 : 0));
      const res = reorderRows([{ mask, cols }], rows, 4);
      assertPermutation(res.order, rows);
      const after = fillOf([{ mask, cols }], rows, 4, res.order);
      assert.ok(Math.abs(res.fillAfter - after) < 1e-12);
      assert.ok(res.fillAfter >= res.fillBefore);
      assert.deepEqual([...reorderRows([{ mask, cols }], rows, 4).order], [...res.order]);
      let t = 0;
      const capped = reorderRows([{ mask, cols }], rows, 4, { timeMs: 5, now: () => t++ });
      assertPermutation(capped.order, rows);
      assert.ok(capped.fillAfter >= capped.fillBefore);
    }
  });
});
