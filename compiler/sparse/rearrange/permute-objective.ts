// The calibrated objective behind the channel-permutation choice for the calibrated pruning
// methods (issue 6): a layer's output error ‖(W − Ŵ)X‖² = tr((W − Ŵ) XᵀX (W − Ŵ)ᵀ) after the run's
// method (Wanda, SparseGPT) prunes it to N:M, with XᵀX from the dense network's calibration
// activations. Held out by folds of the samples where the statistics allow (SparseGPT fits its
// calibration rows: in-sample its error would favour whatever it overfits). Pure: callers pass
// matrices and statistics in the weight matrix's current column order.

import type { MaskRule } from '../prune/mask-rule.js';
import { pruneWanda } from '../prune/wanda.js';
import { chooseDampening, pruneSparseGpt, sparseGptFactor } from '../prune/sparsegpt.js';
import { arena } from '../../linalg/linalg.js';

export type CalibratedMethod = 'wanda' | 'sparsegpt';

/** A layer's input statistics over the calibration set (one conv group), in some column order. */
export interface LayerCalibration {
  readonly cols: number;
  /** Σ_t x_t x_tᵀ over the sampled rows, cols×cols row-major. */
  readonly xtx: Float64Array;
  /** Rows that fed xtx. */
  readonly count: number;
  /** Σ_t x_tj² over every row. */
  readonly sumSq: Float64Array;
  /** The same XᵀX per fold of the samples (summing to xtx), for held-out errors; absent: in-sample. */
  readonly folds?: readonly { readonly xtx: Float64Array; readonly count: number }[];
}

/** Rows of outputError's difference handled per pass over H. */
const ERROR_ROWS = 4;

/**
 * Σ_r (w_r − ŵ_r) H (w_r − ŵ_r)ᵀ for row-major rows×cols w, ŵ (ŵ undefined: zero) and the symmetric
 * cols×cols H. Four rows per pass over H (one load of H feeds four rows), over the columns where
 * any of them differs, and H's upper triangle only (Σ_a d_a·(H_aa·d_a + 2·Σ_{b>a} H_ab·d_b)).
 */
export function outputError(w: Float32Array, pruned: Float32Array | undefined, rows: number, cols: number, h: Float64Array): number {
  if (w.length !== rows * cols || h.length !== cols * cols || (pruned && pruned.length !== w.length)) throw new Error(`outputError: ${w.length} weights, ${h.length} Hessian entries for ${rows}×${cols}`);
  // The same loop on the f64x2 module where it runs (compiler/linalg): bit-identical.
  const a = arena([rows * cols, pruned ? rows * cols : 0, cols * cols, cols * ERROR_ROWS, 4 * cols], ['f32', 'f32', 'f64', 'f64', 'u8']);
  if (a) {
    a.f32[0]!.set(w);
    if (pruned) a.f32[1]!.set(pruned);
    a.f64[2]!.set(h);
    return a.exports.outputError(a.at[0]!, pruned ? a.at[1]! : 0, rows, cols, a.at[2]!, a.at[3]!, a.at[4]!);
  }
  // d[c·4 + t]: row r0 + t's difference at column c.
  const d = new Float64Array(cols * ERROR_ROWS);
  const idx = new Int32Array(cols);
  let total = 0;
  for (let r0 = 0; r0 < rows; r0 += ERROR_ROWS) {
    d.fill(0);
    for (let t = 0; t < ERROR_ROWS && r0 + t < rows; t++) {
      const at = (r0 + t) * cols;
      for (let c = 0; c < cols; c++) d[c * ERROR_ROWS + t] = w[at + c]! - (pruned ? pruned[at + c]! : 0);
    }
    let k = 0;
    for (let c = 0; c < cols; c++) {
      const q = c * ERROR_ROWS;
      if (d[q] !== 0 || d[q + 1] !== 0 || d[q + 2] !== 0 || d[q + 3] !== 0) idx[k++] = c;
    }
    for (let a = 0; a < k; a++) {
      const ca = idx[a]!, ha = ca * cols;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let b = a + 1; b < k; b++) {
        const cb = idx[b]!, hv = h[ha + cb]!, q = cb * ERROR_ROWS;
        s0 += hv * d[q]!; s1 += hv * d[q + 1]!; s2 += hv * d[q + 2]!; s3 += hv * d[q + 3]!;
      }
      const hd = h[ha + ca]!, q = ca * ERROR_ROWS;
      const x0 = d[q]!, x1 = d[q + 1]!, x2 = d[q + 2]!, x3 = d[q + 3]!;
      total += x0 * (hd * x0 + 2 * s0) + x1 * (hd * x1 + 2 * s1) + x2 * (hd * x2 + 2 * s2) + x3 * (hd * x3 + 2 * s3);
    }
  }
  return total;
}

/** The statistics with their columns reordered: column i of the result is column map[i] of `cal`. */
export function reorderCalibration(cal: LayerCalibration, map: Int32Array | undefined): LayerCalibration {
  if (!map) return cal;
  const n = cal.cols;
  if (map.length !== n) throw new Error(`reorderCalibration: map of ${map.length} for ${n} columns`);
  const sym = (h: Float64Array): Float64Array => {
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) { const ri = map[i]! * n; for (let j = 0; j < n; j++) out[i * n + j] = h[ri + map[j]!]!; }
    return out;
  };
  return {
    cols: n, xtx: sym(cal.xtx), count: cal.count, sumSq: Float64Array.from(map, (c) => cal.sumSq[c]!),
    folds: cal.folds?.map((f) => ({ xtx: sym(f.xtx), count: f.count })),
  };
}

/** diag((H + λI)⁻¹) with H = 2/T·XᵀX as SparseGPT builds it (dead columns' diagonal 1, λ = 1% of the mean diagonal): its saliency is w²/[H⁻¹]jj. */
export function inverseHessianDiagonal(cal: LayerCalibration, dampening = 0.01): Float64Array {
  const n = cal.cols;
  // SparseGPT's own (cached) factor: the identity order's error check reuses it.
  const { U } = sparseGptFactor(cal.xtx, n, cal.count, dampening);
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) diag[j] += U[i * n + j]! * U[i * n + j]!;
  return diag;
}

/** `w` pruned by `method` to `rule` from the statistics (Wanda: the column norms Σx²; SparseGPT: XᵀX over `count` rows). */
export function pruneWith(method: CalibratedMethod, w: Float32Array, rows: number, cols: number, xtx: Float64Array, count: number, sumSq: Float64Array, rule: MaskRule, dampening?: number): Float32Array {
  return method === 'wanda' ? pruneWanda(w, rows, cols, sumSq, rule) : pruneSparseGpt(w, rows, cols, xtx, count, rule, { dampening });
}

/** Columns per fold below which SparseGPT's dampening is chosen on held-out folds (as the prune pass does). */
function fewRows(cal: LayerCalibration): boolean {
  return cal.count < 2 * cal.cols;
}

/**
 * SparseGPT's dampening for this layer in the error estimate: chosen on the folds (the prune
 * pass's cross-validation) when there are few rows per column, else the paper's 1%. The fraction
 * of the mean diagonal does not depend on the column order, so one choice serves every candidate.
 */
export function errorDampening(w: Float32Array, rows: number, cols: number, cal: LayerCalibration, rule: MaskRule): number {
  if (!cal.folds || !fewRows(cal)) return 0.01;
  return chooseDampening(w, rows, cols, cal.xtx, cal.count, cal.folds.map((f) => ({ xtx: f.xtx, count: f.count })), rule).dampening;
}

/**
 * The calibrated output error of pruning `w` (rows×cols, columns in `cal`'s order) with `method`
 * to `rule`: with folds, Σ_f ‖(W − Ŵ_f)X_f‖², Ŵ_f pruned on the other folds' statistics (held
 * out); otherwise ‖(W − Ŵ)X‖² in-sample. `dense` is ‖WX‖² on the same rows (the scale);
 * `denseError` passes it in when known (it does not change when rows and columns are permuted).
 */
export function calibratedError(
  method: CalibratedMethod, w: Float32Array, rows: number, cols: number, cal: LayerCalibration, rule: MaskRule, dampening?: number, denseError?: number,
): { error: number; dense: number } {
  if (cal.cols !== cols) throw new Error(`calibratedError: statistics of ${cal.cols} columns for a ${rows}×${cols} matrix`);
  const dense = denseError ?? outputError(w, undefined, rows, cols, cal.xtx);
  if (!cal.folds) {
    const pruned = pruneWith(method, w, rows, cols, cal.xtx, cal.count, cal.sumSq, rule, dampening);
    return { error: outputError(w, pruned, rows, cols, cal.xtx), dense };
  }
  let error = 0;
  for (const f of cal.folds) {
    const train = cal.xtx.map((v, i) => v - f.xtx[i]!);
    // Wanda's norms from the training folds' diagonal (their sampled rows: proportional to the full norms).
    const sumSq = new Float64Array(cols);
    for (let j = 0; j < cols; j++) sumSq[j] = Math.max(0, train[j * cols + j]!);
    const pruned = pruneWith(method, w, rows, cols, train, cal.count - f.count, sumSq, rule, dampening);
    error += outputError(w, pruned, rows, cols, f.xtx);
  }
  return { error, dense };
}
