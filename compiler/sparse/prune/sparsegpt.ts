// SparseGPT (Frantar & Alistarh 2023): one-shot OBS reconstruction of a layer from calibration
// statistics. H = 2/T·XᵀX (dead columns zeroed, 1% of the mean diagonal added), U = the upper
// Cholesky factor of H⁻¹; columns are swept left to right in blocks, the mask is chosen per
// block (unstructured: lowest w²/U_jj² in the block; block patterns: lowest summed score) or per
// group of M columns as the sweep reaches it (N:M), and each pruned weight's error is propagated
// to the later columns (W[:, j:] −= e·U[j, j:]), lazily across blocks. Float64 throughout; the
// n³ and rows·n² products on the f64x2 module (compiler/linalg) where SIMD128 runs.

import { onInt8Grid, type QuantNoise } from '../../quantize/grid.js';
import type { MaskRule } from './mask-rule.js';
import { splitCount } from './mask-rule.js';
import { pruneOrder } from './masks.js';
import { upperCholeskyOfInverse } from './cholesky.js';
import { arena, refitScratch, residualScratch } from '../../linalg/linalg.js';

export interface SparseGptOptions {
  /** Columns per block (rounded up to a multiple of M or of the block width); default 128. */
  readonly blockSize?: number;
  /** Dampening as a fraction of the mean diagonal of H; default 0.01. */
  readonly dampening?: number;
  /**
   * Σ_t (W d_t) x_tᵀ (rows×cols) when the pruned network's inputs x differ from the dense
   * network's d: the weights are first re-fit to reconstruct the dense layer's output,
   * Ŵ = W + (P − W·XᵀX)(XᵀX + λI)⁻¹ (ridge around W, in H's scale), then pruned.
   */
  readonly target?: Float64Array;
  /** Keep the weights of dead columns (never nonzero on the calibration data) instead of zeroing them. */
  readonly keepDead?: boolean;
  /**
   * The re-fit's residual P − W·XᵀX (rows×cols, `refitResidual` of the same w, xtx, target and
   * keepDead) when already known: it does not depend on the dampening, so chooseDampening
   * computes it once per fold for all its candidates, and the calibration statistics can sum it
   * as Σ_t (W (d_t − x_t)) x_tᵀ. Given alone (no target), it asks for the re-fit as a target does.
   */
  readonly residual?: Float64Array;
  /**
   * Quantize the kept weights jointly (GPTQ, as the SparseGPT paper's joint mode): each onto the
   * int8 grid of its row's scale as the sweep reaches it; the rounding noise is added to `noise`.
   * Absent: the weights stay float (the result is then exactly what it was without this option).
   */
  readonly quantize?: Int8Sweep;
}

/** The int8 grid of a joint quantization: one scale per row, and the noise summed over the sweep. */
export interface Int8Sweep {
  readonly scales: Float32Array;
  readonly noise: QuantNoise;
}

/** A fixed mask instead of a rule (1 = prune), for tests of the update alone. */
export interface FixedMask {
  readonly kind: 'fixed';
  readonly pruned: Uint8Array;
}

export interface Factor {
  /** Upper Cholesky factor of (H + λI)⁻¹. */
  readonly U: Float64Array;
  /** Columns never nonzero in the statistics. */
  readonly dead: readonly number[];
}

/**
 * Recently used factors, by statistics array and dampening: the sensitivity levels of a layer
 * share one. Bounded (least recently used out first, the newest always kept) so memory stays O(largest layer):
 * a wide layer's U is n²·8 bytes (170 MB at 4608 columns).
 */
const factors: { xtx: Float64Array; key: string; factor: Factor }[] = [];
const FACTOR_CACHE_BYTES = 2 ** 26;

function cachedFactor(xtx: Float64Array, key: string): Factor | undefined {
  const at = factors.findIndex((f) => f.xtx === xtx && f.key === key);
  if (at < 0) return undefined;
  const [hit] = factors.splice(at, 1);
  factors.push(hit!);
  return hit!.factor;
}

function cacheFactor(xtx: Float64Array, key: string, factor: Factor): void {
  factors.push({ xtx, key, factor });
  let bytes = factors.reduce((b, f) => b + f.factor.U.byteLength, 0);
  while (factors.length > 1 && bytes > FACTOR_CACHE_BYTES) bytes -= factors.shift()!.factor.U.byteLength;
}

/**
 * SparseGPT's factor of the statistics `xtx` scaled by `scale` (2/count) at dampening `fraction`:
 * H = scale·XᵀX with dead columns' diagonal set to 1, dampened by `fraction` of its mean diagonal
 * (×10 up to 6 times while the factorization fails), and U. Cached per `xtx` array (see
 * `factors`), which must not change after its first use (calibration statistics never do).
 */
function factorOf(xtx: Float64Array, n: number, scale: number, fraction: number): Factor {
  const key = `${scale}:${fraction}`;
  const cached = cachedFactor(xtx, key);
  if (cached) return cached;
  const H = new Float64Array(n * n);
  for (let i = 0; i < H.length; i++) H[i] = xtx[i]! * scale;
  const dead: number[] = [];
  for (let j = 0; j < n; j++) {
    if (H[j * n + j] === 0) {
      H[j * n + j] = 1;
      dead.push(j);
    }
  }
  let mean = 0;
  for (let j = 0; j < n; j++) mean += H[j * n + j]!;
  mean /= n;
  let damp = fraction * mean;
  let U: Float64Array | undefined;
  // Rank-deficient statistics with tiny dampening can fail numerically: dampen more.
  for (let attempt = 0; attempt < 6 && !U; attempt++, damp = damp * 10 || mean || 1) U = upperCholeskyOfInverse(H, n, damp);
  if (!U) throw new Error(`pruneSparseGpt: the ${n}×${n} Hessian is not positive definite even with dampening`);
  const factor = { U, dead };
  cacheFactor(xtx, key, factor);
  return factor;
}

/** Block width the sweep uses: `size` rounded up to a multiple of the pattern's column group. */
function sweepBlock(size: number, rule: MaskRule | FixedMask): number {
  const unit = rule.kind === 'nm' ? rule.m : rule.kind === 'block' ? rule.bc : 1;
  return Math.max(unit, Math.ceil(size / unit) * unit);
}

/**
 * Prunes the row-major rows×cols `w` to `rule` with SparseGPT's OBS reconstruction, from the
 * calibration statistics `xtx` = Σ_t x_t x_tᵀ (cols×cols) over `count` rows. Returns the new weights:
 * pruned entries exactly 0, kept ones updated.
 */
export function pruneSparseGpt(
  w: Float32Array, rows: number, cols: number, xtx: Float64Array, count: number,
  rule: MaskRule | FixedMask, options: SparseGptOptions = {},
): Float32Array {
  if (w.length !== rows * cols || xtx.length !== cols * cols) throw new Error(`pruneSparseGpt: ${w.length} weights / ${xtx.length} Hessian entries for a ${rows}×${cols} layer`);
  if (rule.kind === 'nm' && (cols % rule.m !== 0 || rows % rule.shareRows !== 0)) throw new Error(`pruneSparseGpt: ${rows}×${cols} does not fit ${rule.n}:${rule.m} with share-rows ${rule.shareRows}`);
  if (rule.kind === 'block' && (cols % rule.bc !== 0 || rows % rule.br !== 0)) throw new Error(`pruneSparseGpt: ${rows}×${cols} does not tile into ${rule.br}×${rule.bc}`);
  const n = cols;
  const scale = count > 0 ? 2 / count : 1;
  const factor = factorOf(xtx, n, scale, options.dampening ?? 0.01);
  const dead = factor.dead;
  const B = sweepBlock(options.blockSize ?? 128, rule);
  // The weights, U and the errors live in the f64x2 module's memory where it runs (compiler/linalg):
  // the re-fit and the lazy column updates run there, the column-by-column sweep here on the views.
  const target = options.target;
  const refitting = target !== undefined || options.residual !== undefined;
  const computeResidual = target !== undefined && options.residual === undefined;
  const a = arena([rows * n, n * n, rows * B, refitting ? rows * n : 0, refitting ? refitScratch(n) : 0, computeResidual ? n * n : 0, computeResidual ? rows * n : 0, rows * n,
    computeResidual ? residualScratch(rows, n) : 0], ['f64', 'f64', 'f64', 'f64', 'f64', 'f64', 'f64', 'u8', 'f64']);
  const W = a ? a.f64[0]! : new Float64Array(rows * n);
  W.set(w);
  const U = a ? a.f64[1]! : factor.U;
  if (a) U.set(factor.U);
  // Dead inputs (never nonzero on the calibration data): their weights cannot matter there.
  if (!options.keepDead) for (const j of dead) for (let r = 0; r < rows; r++) W[r * n + j] = 0;

  if (refitting && a) {
    if (options.residual) a.f64[3]!.set(options.residual);
    else {
      a.f64[5]!.set(xtx);
      a.f64[6]!.set(target!);
      a.exports.residual(a.at[3]!, a.at[0]!, a.at[5]!, a.at[6]!, rows, n, a.at[8]!);
    }
    a.exports.refit(a.at[0]!, a.at[3]!, a.at[1]!, a.at[4]!, rows, n, scale);
  } else if (refitting) applyRefit(W, rows, n, options.residual ?? residualOf(W, rows, n, xtx, target!), scale, U);

  const starts: number[] = [];
  for (let i = 0; i < n; i += B) starts.push(i);
  const widths = starts.map((s) => Math.min(B, n - s));
  const perBlock = rule.kind === 'unstructured' ? splitCount(rule.prune, widths.map((wd) => wd * rows))
    : rule.kind === 'block' ? splitCount(rule.prune, widths.map((wd) => (wd / rule.bc) * (rows / rule.br))) : undefined;
  const pruned = a ? a.u8[7]!.fill(0) : new Uint8Array(rows * n);
  const err = a ? a.f64[2]! : new Float64Array(rows * B);
  /** One row's nonzero errors in the block and their rows of U (offsets). */
  const nzE = new Float64Array(B), nzU = new Int32Array(B);
  const score = (r: number, j: number): number => { const v = W[r * n + j]! / U[j * n + j]!; return v * v; };
  const nmScores = new Float64Array(rule.kind === 'nm' ? rule.m : 0);
  const grid = options.quantize;
  if (grid !== undefined && grid.scales.length !== rows) throw new Error(`pruneSparseGpt: ${grid.scales.length} int8 scales for ${rows} rows`);

  starts.forEach((i1, b) => {
    const i2 = i1 + widths[b]!;
    const width = i2 - i1;
    if (rule.kind === 'fixed') {
      for (let r = 0; r < rows; r++) for (let j = i1; j < i2; j++) pruned[r * n + j] = rule.pruned[r * n + j]!;
    } else if (rule.kind === 'unstructured') {
      const s = new Float64Array(rows * width);
      for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) s[r * width + j] = score(r, i1 + j);
      const order = pruneOrder(s);
      for (let k = 0; k < perBlock![b]!; k++) {
        const e = order[k]!;
        pruned[Math.floor(e / width) * n + i1 + (e % width)] = 1;
      }
    } else if (rule.kind === 'block') {
      const tc = width / rule.bc, tr = rows / rule.br;
      const s = new Float64Array(tr * tc);
      for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) s[Math.floor(r / rule.br) * tc + Math.floor(j / rule.bc)] += score(r, i1 + j);
      const order = pruneOrder(s);
      for (let k = 0; k < perBlock![b]!; k++) {
        const t = order[k]!;
        const r0 = Math.floor(t / tc) * rule.br, c0 = i1 + (t % tc) * rule.bc;
        for (let r = r0; r < r0 + rule.br; r++) pruned.fill(1, r * n + c0, r * n + c0 + rule.bc);
      }
    }
    err.fill(0);
    // Without joint quantization (kept weights stay as they are) the sweep runs on the module, a
    // group of M columns at a time for N:M (its mask is chosen on the weights the sweep left).
    if (a && grid === undefined) {
      const step = rule.kind === 'nm' ? rule.m : width;
      for (let i = i1; i < i2; i += step) {
        if (rule.kind === 'nm') chooseNm(pruned, W, U, rows, n, i, rule, nmScores);
        a.exports.sweepColumns(a.at[0]!, a.at[1]!, a.at[2]!, a.at[7]!, rows, n, i, Math.min(i + step, i2), i1, i2, B);
      }
    } else for (let i = i1; i < i2; i++) {
      if (rule.kind === 'nm' && (i - i1) % rule.m === 0) chooseNm(pruned, W, U, rows, n, i, rule, nmScores);
      const ui = i * n;
      const d = U[ui + i]!;
      for (let r = 0; r < rows; r++) {
        const at = r * n;
        const w = W[at + i]!;
        // Joint quantization (GPTQ): a kept weight moves to its grid point, and its rounding error
        // is compensated in the later columns exactly as a pruned weight's (the same Hessian).
        let kept = 0;
        if (!pruned[at + i]) {
          if (grid === undefined) continue;
          kept = onInt8Grid(w, grid.scales[r]!);
          grid.noise.signal += w * w;
          grid.noise.noise += (w - kept) * (w - kept);
        }
        const e = (w - kept) / d;
        err[r * B + (i - i1)] = e;
        if (e === 0) continue;
        for (let j = i + 1; j < i2; j++) W[at + j] -= e * U[ui + j]!;
        W[at + i] = kept;
      }
    }
    // Lazy update of the columns after the block, four of the row's errors per pass over them.
    if (i2 < n && a) a.exports.lazyUpdate(a.at[0]!, a.at[1]!, a.at[2]!, rows, n, i1, width, B);
    else if (i2 < n) {
      for (let r = 0; r < rows; r++) {
        const at = r * n;
        let m = 0;
        for (let k = 0; k < width; k++) {
          const e = err[r * B + k]!;
          if (e !== 0) { nzE[m] = e; nzU[m++] = (i1 + k) * n; }
        }
        let q = 0;
        for (; q + 3 < m; q += 4) {
          const e0 = nzE[q]!, e1 = nzE[q + 1]!, e2 = nzE[q + 2]!, e3 = nzE[q + 3]!;
          const u0 = nzU[q]!, u1 = nzU[q + 1]!, u2 = nzU[q + 2]!, u3 = nzU[q + 3]!;
          for (let j = i2; j < n; j++) W[at + j] -= e0 * U[u0 + j]! + e1 * U[u1 + j]! + e2 * U[u2 + j]! + e3 * U[u3 + j]!;
        }
        for (; q < m; q++) {
          const e = nzE[q]!, uk = nzU[q]!;
          for (let j = i2; j < n; j++) W[at + j] -= e * U[uk + j]!;
        }
      }
    }
  });
  const out = new Float32Array(rows * n);
  for (let i = 0; i < out.length; i++) out[i] = pruned[i] ? 0 : W[i]!;
  return out;
}

/** Dampening fractions `chooseDampening` tries, the paper's 1% first. */
export const DAMPENING_CANDIDATES: readonly number[] = [0.01, 0.03, 0.1, 0.3, 1];

/** XᵀX, the target (when re-fitting) and the row count of one held-out fold of the calibration rows. */
export interface HeldOutFold {
  readonly xtx: Float64Array;
  readonly target?: Float64Array;
  readonly count: number;
}

/**
 * The dampening (fraction of H's mean diagonal) whose pruned layer best reproduces the wanted
 * output on held-out calibration rows: for each candidate and each fold, prune with the other
 * folds' statistics (totals minus the fold) and score Σ_r ŵ_r X_fᵀX_f ŵ_rᵀ − 2 ŵ_r·t_f,r on the fold
 * (squared output error up to a constant), t_f the fold's target or, without one, W·X_fᵀX_f.
 * With few rows per column XᵀX is far from full rank and 1% under-regularizes; K-fold
 * cross-validation chooses from the calibration data alone. Returns the fraction and the scores
 * (NaN for candidates the descent below did not need: all are scored when there are at most 3).
 */
export function chooseDampening(
  w: Float32Array, rows: number, cols: number, xtx: Float64Array, count: number, folds: readonly HeldOutFold[],
  rule: MaskRule | FixedMask, options: SparseGptOptions = {}, candidates: readonly number[] = DAMPENING_CANDIDATES,
): { readonly dampening: number; readonly scores: readonly number[] } {
  const n = cols;
  // What no candidate changes, once per fold: the training statistics, the re-fit's residual
  // and, without a target, the dense weights' t = X_fᵀX_f·w_r the score compares with.
  const train = folds.map((f) => {
    const xtxT = xtx.map((v, i) => v - f.xtx[i]!);
    const target = options.target && f.target ? options.target.map((v, i) => v - f.target![i]!) : undefined;
    return { xtx: xtxT, target, residual: target ? refitResidual(w, rows, n, xtxT, target, count - f.count, options.keepDead) : undefined };
  });
  // Without a target, t_f = X_fᵀX_f·w_r; the module returns its negation (the residual of a zero target).
  const dense = options.target ? undefined : folds.map((f) => {
    if (arena([0])) return { t: residualOf(Float64Array.from(w), rows, n, f.xtx, new Float64Array(rows * n)), sign: -1 };
    const t = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const at = r * n;
      for (let j = 0; j < n; j++) {
        const hj = j * n;
        let v = 0;
        for (let k = 0; k < n; k++) v += w[at + k]! * f.xtx[hj + k]!;
        t[at + j] = v;
      }
    }
    return { t, sign: 1 };
  });
  const scoreOf = (dampening: number): number => {
    let total = 0;
    for (const [fi, f] of folds.entries()) {
      const { target, residual } = train[fi]!;
      const fitted = pruneSparseGpt(w, rows, cols, train[fi]!.xtx, count - f.count, rule, { ...options, dampening, target, residual });
      const t = target ? { t: f.target!, sign: 1 } : dense![fi]!;
      total += heldOutScore(fitted, rows, n, f.xtx, t.t, t.sign);
    }
    return total;
  };
  const scores = new Array<number>(candidates.length).fill(NaN);
  const at = (i: number): number => (Number.isNaN(scores[i]!) ? (scores[i] = scoreOf(candidates[i]!)) : scores[i]!);
  // Descent from the middle candidate towards lower held-out scores, stopping where the next one is
  // no lower (ties go to the smaller fraction, as the first minimum of a full scan would). On scores
  // unimodal over the ordered candidates (a ridge's held-out error in its parameter; every layer
  // measured) this is the full scan's minimum, from 3 or 4 of the 5 candidates' 4-fold prunes.
  let best = candidates.length <= 3 ? 0 : (candidates.length - 1) >> 1;
  if (candidates.length <= 3) {
    for (let i = 0; i < candidates.length; i++) if (at(i) < at(best)) best = i;
  } else if (at(best + 1) < at(best)) {
    best++;
    while (best + 1 < candidates.length && at(best + 1) < at(best)) best++;
  } else {
    while (best > 0 && at(best - 1) <= at(best)) best--;
  }
  return { dampening: candidates[best]!, scores };
}

/**
 * Σ_r ŵ_r·H·ŵ_rᵀ − 2·sign·ŵ_r·t_r for the pruned rows×n `fitted` and the symmetric H: the held-out
 * squared output error up to a constant (t·sign the wanted X_fᵀX_f-weighted output). On the f64x2
 * module where it runs (H's rows summed over each row's nonzeros), else in the same order here.
 */
function heldOutScore(fitted: Float32Array, rows: number, n: number, h: Float64Array, t: Float64Array, sign: number): number {
  const a = arena([rows * n, n * n, rows * n, n], ['f32', 'f64', 'f64', 'f64']);
  if (a) {
    a.f32[0]!.set(fitted);
    a.f64[1]!.set(h);
    a.f64[2]!.set(t);
    return a.exports.heldOutScore(a.at[0]!, a.at[1]!, a.at[2]!, a.at[3]!, rows, n, sign);
  }
  const m = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const at = r * n;
    m.fill(0);
    let want = 0;
    for (let k = 0; k < n; k++) {
      const v = fitted[at + k]!;
      if (v === 0) continue;
      const hk = k * n;
      for (let j = 0; j < n; j++) m[j] += v * h[hk + j]!;
    }
    for (let j = 0; j < n; j++) {
      const v = fitted[at + j]!;
      if (v === 0) continue;
      want += v * (m[j]! - 2 * sign * t[at + j]!);
    }
    total += want;
  }
  return total;
}

/**
 * The re-fit's residual P − W·XᵀX (rows×cols) for the dense `w` as pruneSparseGpt sees it: dead
 * columns (zero diagonal of XᵀX) zeroed unless `keepDead`. Independent of the dampening.
 */
export function refitResidual(w: Float32Array, rows: number, n: number, xtx: Float64Array, target: Float64Array, count: number, keepDead = false): Float64Array {
  const W = Float64Array.from(w);
  const scale = count > 0 ? 2 / count : 1;
  if (!keepDead) for (let j = 0; j < n; j++) if (xtx[j * n + j]! * scale === 0) for (let r = 0; r < rows; r++) W[r * n + j] = 0;
  return residualOf(W, rows, n, xtx, target);
}

/** P − W·XᵀX (XᵀX symmetric: row j of it is column j): on the f64x2 module where it runs, else residualOfScalar. */
function residualOf(W: Float64Array, rows: number, n: number, xtx: Float64Array, target: Float64Array): Float64Array {
  const a = arena([rows * n, rows * n, n * n, rows * n, residualScratch(rows, n)]);
  if (!a) return residualOfScalar(W, rows, n, xtx, target);
  a.f64[1]!.set(W);
  a.f64[2]!.set(xtx);
  a.f64[3]!.set(target);
  a.exports.residual(a.at[0]!, a.at[1]!, a.at[2]!, a.at[3]!, rows, n, a.at[4]!);
  return a.f64[0]!.slice();
}

/** residualOf in scalar TypeScript, four rows of W per pass over XᵀX (one load feeds four rows). */
function residualOfScalar(W: Float64Array, rows: number, n: number, xtx: Float64Array, target: Float64Array): Float64Array {
  const R = 4;
  const m = new Float64Array(rows * n);
  for (let r0 = 0; r0 < rows; r0 += R) {
    const rb = Math.min(R, rows - r0);
    // Missing rows of the last block read row r0 again and are never written.
    const a0 = r0 * n, a1 = (r0 + Math.min(1, rb - 1)) * n, a2 = (r0 + Math.min(2, rb - 1)) * n, a3 = (r0 + Math.min(3, rb - 1)) * n;
    for (let j = 0; j < n; j++) {
      const hj = j * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < n; k++) {
        const h = xtx[hj + k]!;
        s0 += W[a0 + k]! * h; s1 += W[a1 + k]! * h; s2 += W[a2 + k]! * h; s3 += W[a3 + k]! * h;
      }
      m[a0 + j] = target[a0 + j]! - s0;
      if (rb > 1) m[a1 + j] = target[a1 + j]! - s1;
      if (rb > 2) m[a2 + j] = target[a2 + j]! - s2;
      if (rb > 3) m[a3 + j] = target[a3 + j]! - s3;
    }
  }
  return m;
}

/**
 * W += M·scale·UᵀU with M = P − W·XᵀX (residualOf) and UᵀU = (H + λI)⁻¹: the ridge re-fit
 * towards the dense layer's output. Two rows·n²/2 triangular products, four rows of M per pass
 * over U (one load feeds four rows).
 */
function applyRefit(W: Float64Array, rows: number, n: number, M: Float64Array, scale: number, U: Float64Array): void {
  const R = 4;
  const z = new Float64Array(R * n);
  for (let r0 = 0; r0 < rows; r0 += R) {
    const rb = Math.min(R, rows - r0);
    // Missing rows of the last block read row r0 again and are never written back.
    const a0 = r0 * n, a1 = (r0 + Math.min(1, rb - 1)) * n, a2 = (r0 + Math.min(2, rb - 1)) * n, a3 = (r0 + Math.min(3, rb - 1)) * n;
    // z_t = scale·m_t·Uᵀ (U upper: z_i = Σ_{j≥i} m_j U_ij).
    for (let i = 0; i < n; i++) {
      const ui = i * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = i; j < n; j++) {
        const u = U[ui + j]!;
        s0 += M[a0 + j]! * u; s1 += M[a1 + j]! * u; s2 += M[a2 + j]! * u; s3 += M[a3 + j]! * u;
      }
      z[i] = s0 * scale; z[n + i] = s1 * scale; z[2 * n + i] = s2 * scale; z[3 * n + i] = s3 * scale;
    }
    // W_t += z_t·U: W_tj += Σ_{i≤j} z_ti U_ij, as a dot product over i (U's column j) per j would
    // stride; instead four rows of U per pass over each row of W.
    for (let t = 0; t < rb; t++) {
      const at = (r0 + t) * n, zt = t * n;
      let i = 0;
      for (; i + 3 < n; i += 4) {
        const z0 = z[zt + i]!, z1 = z[zt + i + 1]!, z2 = z[zt + i + 2]!, z3 = z[zt + i + 3]!;
        const u0 = i * n, u1 = u0 + n, u2 = u1 + n, u3 = u2 + n;
        // Columns i..i+3 take the rows of U that reach them (U upper), then all four.
        W[at + i] += z0 * U[u0 + i]!;
        W[at + i + 1] += z0 * U[u0 + i + 1]! + z1 * U[u1 + i + 1]!;
        W[at + i + 2] += z0 * U[u0 + i + 2]! + z1 * U[u1 + i + 2]! + z2 * U[u2 + i + 2]!;
        for (let j = i + 3; j < n; j++) W[at + j] += z0 * U[u0 + j]! + z1 * U[u1 + j]! + z2 * U[u2 + j]! + z3 * U[u3 + j]!;
      }
      for (; i < n; i++) {
        const zi = z[zt + i]!, ui = i * n;
        for (let j = i; j < n; j++) W[at + j] += zi * U[ui + j]!;
      }
    }
  }
}

/**
 * N:M at column `i`: in each block of shareRows rows, prune the M−N columns of i..i+M with the
 * lowest summed score (W[r, j] / U[j, j])², on ties the higher column first (pruneOrder's order).
 * Each column's rank is counted with M comparisons rather than sorted (no allocation per group:
 * this runs once per M columns and row block of every prune); scores that do not compare (NaN)
 * take pruneOrder itself, so the mask is pruneOrder's in every case. `s` is scratch of M.
 */
function chooseNm(pruned: Uint8Array, W: Float64Array, U: Float64Array, rows: number, n: number, i: number, rule: Extract<MaskRule, { kind: 'nm' }>, s: Float64Array): void {
  const m = rule.m, drop = rule.m - rule.n, share = rule.shareRows;
  for (let r0 = 0; r0 < rows; r0 += share) {
    s.fill(0);
    for (let r = r0; r < r0 + share; r++) {
      const at = r * n + i;
      for (let j = 0; j < m; j++) { const v = W[at + j]! / U[(i + j) * n + i + j]!; s[j] += v * v; }
    }
    let ordered = true;
    for (let j = 0; j < m; j++) if (s[j] !== s[j]) ordered = false;
    if (!ordered) {
      const order = pruneOrder(s);
      for (let k = 0; k < drop; k++) for (let r = r0; r < r0 + share; r++) pruned[r * n + i + order[k]!] = 1;
      continue;
    }
    for (let j = 0; j < m; j++) {
      // Columns ahead of j in pruneOrder: lower scores, and equal scores at higher columns.
      const sj = s[j]!;
      let rank = 0;
      for (let k = 0; k < m; k++) if (s[k]! < sj || (s[k] === sj && k > j)) rank++;
      if (rank < drop) for (let r = r0; r < r0 + share; r++) pruned[r * n + i + j] = 1;
    }
  }
}
