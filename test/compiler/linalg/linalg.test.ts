// The f64x2 linear-algebra module (compiler/linalg) against the scalar TypeScript loops it replaces
// (withoutLinalg) and against the definitions, on shapes with odd tails: rows and columns not
// multiples of the 2×4 tiles, panels of four or the f64x2 lanes, several sweep blocks.

import { strict as assert } from 'node:assert';
import { arena, refitScratch, withoutLinalg } from '../../../compiler/linalg/linalg.js';
import { upperCholeskyOfInverse, upperCholeskyOfInverseScalar } from '../../../compiler/sparse/prune/cholesky.js';
import { chooseDampening, pruneSparseGpt, refitResidual } from '../../../compiler/sparse/prune/sparsegpt.js';
import { inputStats, targetByCross } from '../../../compiler/calibrate/stats.js';
import { outputError } from '../../../compiler/sparse/rearrange/permute-objective.js';
import type { Node } from '../../../compiler/ir/graph.js';
import { int } from '../passes/build.js';

function lcg(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
}

/** XᵀX of `t` seeded rows of n columns (float32 values), and the rows. */
function gram(n: number, t: number, seed: number): { xtx: Float64Array; x: Float32Array } {
  const rnd = lcg(seed);
  const x = Float32Array.from({ length: t * n }, rnd);
  const xtx = new Float64Array(n * n);
  for (let r = 0; r < t; r++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) xtx[i * n + j] += x[r * n + i]! * x[r * n + j]!;
  return { xtx, x };
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let scale = 0, diff = 0;
  for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i]!)); diff = Math.max(diff, Math.abs(a[i]! - b[i]!)); }
  return scale === 0 ? diff : diff / scale;
}

describe('linalg: the f64x2 module against the scalar loops', () => {
  it('runs here (SIMD128): the comparisons below are not vacuous', () => {
    assert.ok(arena([1]), 'the linalg module did not instantiate');
  });

  for (const n of [1, 2, 5, 13, 36]) {
    it(`upperCholeskyOfInverse, n = ${n}: equal to the scalar factor within 1e-12 of its largest entry`, () => {
      const { xtx } = gram(n, 2 * n + 1, n);
      const u = upperCholeskyOfInverse(xtx, n, 0.1)!;
      const ref = upperCholeskyOfInverseScalar(xtx, n, 0.1)!;
      assert.ok(maxRelDiff(u, ref) < 1e-12, `max relative difference ${maxRelDiff(u, ref)}`);
    });
  }

  it('arena: an evict callback runs once, first thing in the next arena call, its views still holding the operands', () => {
    const seen: number[][] = [];
    const a = arena([3], [], () => { seen.push(Array.from(a.f64[0]!)); })!;
    a.f64[0]!.set([1, 2, 3]);
    assert.equal(JSON.stringify(seen), '[]');
    // A layout big enough to grow the memory (detaching the old views after the callback).
    const b = arena([1 << 20])!;
    assert.equal(JSON.stringify(seen), '[[1,2,3]]');
    b.f64[0]![0] = 7;
    arena([1]);
    assert.equal(JSON.stringify(seen), '[[1,2,3]]');
    // Switched off (the scalar reference), an arena call still evicts first.
    const c = arena([2], [], () => { seen.push([c.f64[0]![0]!]); })!;
    c.f64[0]![0] = 5;
    withoutLinalg(() => assert.equal(arena([1]), undefined));
    assert.equal(JSON.stringify(seen), '[[1,2,3],[5]]');
  });

  for (const n of [1, 7, 9, 13, 36]) {
    it(`inverseToUpper, n = ${n} (panels of eight, two rows per pass): bit for bit the column-by-column forward substitution on the same factor`, () => {
      const { xtx } = gram(n, 2 * n + 1, 40 + n);
      const a = arena([n * n, n * n, n * 4, (n + 1) * 8])!;
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.f64[0]![i * n + j] = xtx[i * n + j]! + (i === j ? 0.1 : 0);
      assert.equal(a.exports.choleskyLower(a.at[0]!, n, a.at[2]!), 1);
      const l = Float64Array.from(a.f64[0]!);
      a.f64[1]!.fill(0);
      a.exports.inverseToUpper(a.at[0]!, a.at[1]!, a.at[3]!, n);
      // X = L⁻¹ one column at a time, each sum in k order; U[n−1−i][n−1−col] = X[i][col].
      const x = new Float64Array(n * n);
      for (let col = 0; col < n; col++) for (let i = col; i < n; i++) {
        let s = 0;
        for (let k = col; k < i; k++) s += l[i * n + k]! * x[k * n + col]!;
        x[i * n + col] = ((i === col ? 1 : 0) - s) / l[i * n + i]!;
      }
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        const want = j <= i ? x[i * n + j]! : 0;
        assert.ok(Object.is(a.f64[1]![(n - 1 - i) * n + (n - 1 - j)], want), `X[${i}][${j}]: ${a.f64[1]![(n - 1 - i) * n + (n - 1 - j)]} vs ${want}`);
      }
    });
  }

  it('upperCholeskyOfInverse refuses what the scalar loops refuse (a negative pivot)', () => {
    const a = Float64Array.from([1, 2, 0, 2, 1, 0, 0, 0, 1]);
    assert.equal(upperCholeskyOfInverse(a, 3), undefined);
    assert.equal(upperCholeskyOfInverseScalar(a, 3), undefined);
  });

  for (const [rows, cols, rule] of [[7, 36, 'nm'], [5, 13, 'unstructured'], [2, 8, 'nm']] as const) {
    it(`pruneSparseGpt with a re-fit target, ${rows}×${cols} ${rule}, blocks of 8: the same mask, weights within 1e-9`, () => {
      const { xtx } = gram(cols, 3 * cols, 7 + cols);
      const rnd = lcg(rows * 31 + cols);
      const w = Float32Array.from({ length: rows * cols }, rnd);
      // A target of a perturbed dense layer: Σ (W' d) xᵀ ≈ (W + noise)·XᵀX.
      const target = new Float64Array(rows * cols);
      for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) {
        let v = 0;
        for (let k = 0; k < cols; k++) v += (w[r * cols + k]! + 0.1 * rnd()) * xtx[k * cols + j]!;
        target[r * cols + j] = v;
      }
      const mask = rule === 'nm' ? { kind: 'nm', n: 2, m: 4, shareRows: 1 } as const : { kind: 'unstructured', prune: Math.floor(rows * cols / 2) } as const;
      const run = (): Float32Array => pruneSparseGpt(w, rows, cols, xtx, 3 * cols, mask, { target, blockSize: 8 });
      const fast = run();
      const ref = withoutLinalg(run);
      for (let i = 0; i < fast.length; i++) assert.equal(fast[i] === 0, ref[i] === 0, `mask differs at ${i}`);
      assert.ok(maxRelDiff(fast, ref) < 1e-9, `max relative difference ${maxRelDiff(fast, ref)}`);
      const res = refitResidual(w, rows, cols, xtx, target, 3 * cols);
      assert.ok(maxRelDiff(res, withoutLinalg(() => refitResidual(w, rows, cols, xtx, target, 3 * cols))) < 1e-12);
    });
  }

  for (const withTarget of [false, true]) {
    it(`chooseDampening ${withTarget ? 'with' : 'without'} a re-fit target, 6×20 2:4, 4 folds: the same choice, scores within 1e-9`, () => {
      const rows = 6, cols = 20;
      const folds = [0, 1, 2, 3].map((f) => ({ ...gram(cols, 9, 100 + f), count: 9 }));
      const xtx = new Float64Array(cols * cols);
      for (const f of folds) for (let i = 0; i < xtx.length; i++) xtx[i] += f.xtx[i]!;
      const rnd = lcg(5);
      const w = Float32Array.from({ length: rows * cols }, rnd);
      // With a target: each fold's Σ (W' x) xᵀ for a perturbed W', and their total.
      const wp = Float32Array.from(w, (v) => v + 0.2 * rnd());
      const targetOf = (h: Float64Array): Float64Array => {
        const t = new Float64Array(rows * cols);
        for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) for (let k = 0; k < cols; k++) t[r * cols + j] += wp[r * cols + k]! * h[k * cols + j]!;
        return t;
      };
      const held = folds.map((f) => ({ xtx: f.xtx, count: f.count, ...(withTarget ? { target: targetOf(f.xtx) } : {}) }));
      const options = withTarget ? { target: targetOf(xtx) } : {};
      const rule = { kind: 'nm', n: 2, m: 4, shareRows: 1 } as const;
      const run = () => chooseDampening(w, rows, cols, xtx, 36, held, rule, options);
      const fast = run();
      const ref = withoutLinalg(run);
      assert.equal(fast.dampening, ref.dampening);
      // The same candidates scored (the descent's path), each within 1e-9.
      assert.deepEqual(fast.scores.map(Number.isNaN), ref.scores.map(Number.isNaN));
      const scored = (s: readonly number[]): number[] => s.filter((v) => !Number.isNaN(v));
      assert.ok(maxRelDiff(scored(fast.scores), scored(ref.scores)) < 1e-9, `scores ${fast.scores} against ${ref.scores}`);
    });
  }

  // 5 × 11: the target as Σ_t (W d_t) x_tᵀ; 13 × 11 (odd columns, rows past four, an odd last chunk): as W·Σ_t d_t x_tᵀ.
  for (const [rowsOut, cols, t, cross] of [[5, 11, 1100, false], [13, 11, 1101, true]] as const) {
    it(`inputStats (Gemm ${rowsOut}×${cols}, ${t} rows: three chunks and a tail, target ${cross ? 'by the cross statistics' : 'row by row'}): XᵀX, the dense target and the residual equal the scalar ones within 1e-12, and the definitions`, () => {
      assert.equal(targetByCross(rowsOut, cols, t, 1), cross);
      const rnd = lcg(3);
      const x = Float32Array.from({ length: t * cols }, rnd);
      const d = Float32Array.from(x, (v) => v + 0.01 * rnd());
      const weights = Float32Array.from({ length: rowsOut * cols }, (_, i) => (i % 7 === 3 ? 0 : rnd()));
      const node: Node = { name: 'g', op: 'Gemm', inputs: ['x', 'w'], outputs: ['y'], attrs: { transB: int(1) } };
      const view = (data: Float32Array) => [{ dtype: 'float32' as const, shape: [t, cols], data }];
      const run = () => inputStats(node, [rowsOut, cols], [t, rowsOut], view(x), { full: true, denseInputs: view(d), weights });
      const fast = run();
      const ref = withoutLinalg(run);
      assert.equal(fast.sampledRows, t);
      assert.ok(maxRelDiff(fast.xtx![0]!, ref.xtx![0]!) < 1e-12, `XᵀX: ${maxRelDiff(fast.xtx![0]!, ref.xtx![0]!)}`);
      assert.ok(maxRelDiff(fast.target![0]!, ref.target![0]!) < 1e-12, `target: ${maxRelDiff(fast.target![0]!, ref.target![0]!)}`);
      // And the definitions: XᵀX[i][j] = Σ_t x_ti x_tj; target[o][j] = Σ_t (W d_t)_o x_tj.
      let want = 0;
      for (let r = 0; r < t; r++) want += x[r * cols + 2]! * x[r * cols + 9]!;
      assert.ok(Math.abs(fast.xtx![0]![2 * cols + 9]! - want) < 1e-9 * t);
      const target = new Float64Array(rowsOut * cols);
      for (let r = 0; r < t; r++) for (let o = 0; o < rowsOut; o++) {
        let y = 0;
        for (let c = 0; c < cols; c++) y += weights[o * cols + c]! * d[r * cols + c]!;
        for (let j = 0; j < cols; j++) target[o * cols + j] += y * x[r * cols + j]!;
      }
      assert.ok(maxRelDiff(fast.target![0]!, target) < 1e-12, `target against the definition: ${maxRelDiff(fast.target![0]!, target)}`);
      // With `residual`: Σ_t (W (d_t − x_t)) x_tᵀ in place of the target, = target − W·XᵀX (refitResidual, keeping dead columns: there are none).
      const withResidual = () => inputStats(node, [rowsOut, cols], [t, rowsOut], view(x), { full: true, denseInputs: view(d), weights, residual: true });
      const res = withResidual(), resRef = withoutLinalg(withResidual);
      assert.equal(res.target, undefined);
      assert.ok(maxRelDiff(res.residual![0]!, resRef.residual![0]!) < 1e-12, `residual: ${maxRelDiff(res.residual![0]!, resRef.residual![0]!)}`);
      const wantRes = refitResidual(weights, rowsOut, cols, fast.xtx![0]!, target, t, true);
      assert.ok(maxRelDiff(res.residual![0]!, wantRes) < 1e-9, `residual against target − W·XᵀX: ${maxRelDiff(res.residual![0]!, wantRes)}`);
    });
  }
  for (const [rows, n] of [[9, 13], [4, 36], [1, 5], [7, 2]] as const) {
    it(`outputError, ${rows}×${n} (rows past the four of a pass, columns where no row differs, P absent): bit for bit the scalar loop's, and the definition within 1e-12`, () => {
      const rnd = lcg(rows * 13 + n);
      const w = Float32Array.from({ length: rows * n }, rnd);
      // Ŵ equal to W on every third column of every row (skipped columns), zero or moved elsewhere.
      const p = Float32Array.from(w, (v, i) => (i % n) % 3 === 1 ? v : i % 2 ? 0 : v + 0.25 * rnd());
      const h = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) h[i * n + j] = h[j * n + i] = rnd() + (i === j ? n : 0);
      for (const pruned of [p, undefined]) {
        const fast = outputError(w, pruned, rows, n, h);
        const ref = withoutLinalg(() => outputError(w, pruned, rows, n, h));
        assert.ok(Object.is(fast, ref), `${fast} vs ${ref} (scalar)`);
        let want = 0;
        for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          want += (w[r * n + i]! - (pruned?.[r * n + i] ?? 0)) * h[i * n + j]! * (w[r * n + j]! - (pruned?.[r * n + j] ?? 0));
        }
        assert.ok(Math.abs(fast - want) < 1e-12 * Math.abs(want), `${fast} vs ${want} (definition)`);
      }
    });
  }
  // Past 64 rows and 256 columns: several row groups and column blocks of the blocked loops, odd tails.
  for (const [rows, n] of [[9, 13], [6, 36], [4, 7], [70, 301], [133, 263]] as const) {
    it(`refit, ${rows}×${n}: blocked, four rows per pass over U, each row gets bit for bit what it gets alone, and W + scale·M·UᵀU within 1e-12`, () => {
      const rnd = lcg(rows * 7 + n);
      const w = Float64Array.from({ length: rows * n }, rnd), m = Float64Array.from({ length: rows * n }, rnd);
      const u = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) u[i * n + j] = rnd();
      const run = (r0: number, count: number): Float64Array => {
        const a = arena([count * n, count * n, n * n, refitScratch(n)])!;
        a.f64[0]!.set(w.subarray(r0 * n, (r0 + count) * n));
        a.f64[1]!.set(m.subarray(r0 * n, (r0 + count) * n));
        a.f64[2]!.set(u);
        a.exports.refit(a.at[0]!, a.at[1]!, a.at[2]!, a.at[3]!, count, n, 0.3);
        return Float64Array.from(a.f64[0]!);
      };
      const together = run(0, rows);
      for (let r = 0; r < rows; r++) {
        const alone = run(r, 1);
        for (let j = 0; j < n; j++) assert.ok(Object.is(together[r * n + j], alone[j]), `row ${r} column ${j}: ${together[r * n + j]} vs ${alone[j]} alone`);
      }
      // The definition: W + scale·(M·Uᵀ)·U.
      for (let r = 0; r < rows; r++) for (let j = 0, z = new Float64Array(n); j < n; j++) {
        if (j === 0) for (let i = 0; i < n; i++) for (let k = i; k < n; k++) z[i] += m[r * n + k]! * u[i * n + k]!;
        let want = w[r * n + j]!;
        for (let i = 0; i <= j; i++) want += 0.3 * z[i]! * u[i * n + j]!;
        assert.ok(Math.abs(together[r * n + j]! - want) < 1e-12 * Math.max(1, Math.abs(want)), `row ${r} column ${j}: ${together[r * n + j]} vs ${want}`);
      }
    });
  }
  for (const [rows, n, chunk] of [[9, 13, 7], [6, 10, 12], [5, 6, 75], [7, 601, 3]] as const) {
    it(`residual and targetAcc, ${rows} rows × ${n}: four rows per pass give each row bit for bit what it gets alone, and the definitions within 1e-12`, () => {
      const rnd = lcg(rows * 11 + n);
      const w = Float64Array.from({ length: rows * n }, rnd), target = Float64Array.from({ length: rows * n }, rnd);
      const h = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) h[i * n + j] = h[j * n + i] = rnd();
      // A zero weight in some rows only: skipped per row.
      const wf = Float32Array.from({ length: rows * n }, (_, i) => (i % 5 === 2 ? 0 : rnd()));
      const ld = chunk + 1;
      const dt = Float64Array.from({ length: n * ld }, rnd), bt = Float64Array.from({ length: n * ld }, rnd);
      const p0 = Float64Array.from({ length: rows * n }, rnd);
      const run = (r0: number, count: number): { m: Float64Array; p: Float64Array } => {
        const a = arena([count * n, count * n, n * n, count * n, count * n, count * n, n * ld, n * ld, count * ld, n * 32, 2 * count * n], ['f64', 'f64', 'f64', 'f64', 'f64', 'f32', 'f64', 'f64', 'f64', 'f64', 'f64'])!;
        a.f64[1]!.set(w.subarray(r0 * n, (r0 + count) * n));
        a.f64[2]!.set(h);
        a.f64[3]!.set(target.subarray(r0 * n, (r0 + count) * n));
        a.exports.residual(a.at[0]!, a.at[1]!, a.at[2]!, a.at[3]!, count, n, a.at[10]!);
        a.f64[4]!.set(p0.subarray(r0 * n, (r0 + count) * n));
        a.f32[5]!.set(wf.subarray(r0 * n, (r0 + count) * n));
        a.f64[6]!.set(dt);
        a.f64[7]!.set(bt);
        a.exports.targetAcc(a.at[4]!, a.at[5]!, a.at[6]!, a.at[7]!, a.at[8]!, count, n, chunk, ld, a.at[9]!);
        return { m: Float64Array.from(a.f64[0]!), p: Float64Array.from(a.f64[4]!) };
      };
      const together = run(0, rows);
      for (let r = 0; r < rows; r++) {
        const alone = run(r, 1);
        for (let j = 0; j < n; j++) {
          assert.ok(Object.is(together.m[r * n + j], alone.m[j]), `residual row ${r} column ${j}`);
          assert.ok(Object.is(together.p[r * n + j], alone.p[j]), `targetAcc row ${r} column ${j}`);
        }
      }
      for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) {
        let m = target[r * n + j]!;
        for (let k = 0; k < n; k++) m -= w[r * n + k]! * h[k * n + j]!;
        let p = p0[r * n + j]!;
        for (let t = 0; t < chunk; t++) {
          let y = 0;
          for (let c = 0; c < n; c++) y += wf[r * n + c]! * dt[c * ld + t]!;
          p += y * bt[j * ld + t]!;
        }
        assert.ok(Math.abs(together.m[r * n + j]! - m) < 1e-12 * Math.max(1, Math.abs(m)), `residual row ${r} column ${j}: ${together.m[r * n + j]} vs ${m}`);
        assert.ok(Math.abs(together.p[r * n + j]! - p) < 1e-12 * Math.max(1, Math.abs(p)), `targetAcc row ${r} column ${j}: ${together.p[r * n + j]} vs ${p}`);
      }
    });
  }
});
