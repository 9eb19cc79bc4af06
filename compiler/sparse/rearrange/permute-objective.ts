// The calibrated objective behind the channel-permutation choice for the calibrated pruning
// methods (issue 6): a layer's output error ‖(W − Ŵ)X‖² = tr((W − Ŵ) XᵀX (W − Ŵ)ᵀ) after the run's
// method (Wanda, SparseGPT) prunes it to N:M, with XᵀX from the dense network's calibration
// activations. Held out by folds of the samples where the statistics allow (SparseGPT fits its
// calibration rows: in-sample its error would favour whatever it overfits). Pure: callers pass
// matrices and statistics in the weight matrix's current column order.

import type { MaskRule } from '../prune/mask-rule.js';
import { pruneWanda } from '../prune/wanda.js';
import { chooseDampening, pruneSparseGpt, upperCholeskyOfInverse } from '../prune/sparsegpt.js';

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

/** Σ_r (w_r − ŵ_r) H (w_r − ŵ_r)ᵀ for row-major rows×cols w, ŵ (ŵ undefined: zero) and the symmetric cols×cols H. */
export function outputError(w: Float32Array, pruned: Float32Array | undefined, rows: number, cols: number, h: Float64Array): number {
  if (w.length !== rows * cols || h.length !== cols * cols || (pruned && pruned.length !== w.length)) throw new Error(`outputError: ${w.length} weights, ${h.length} Hessian entries for ${rows}×${cols}`);
  const d = new Float64Array(cols);
  const idx = new Int32Array(cols);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let k = 0;
    for (let c = 0; c < cols; c++) {
      const v = w[r * cols + c]! - (pruned ? pruned[r * cols + c]! : 0);
      if (v !== 0) { d[k] = v; idx[k++] = c; }
    }
    for (let a = 0; a < k; a++) {
      const ha = idx[a]! * cols;
      let s = 0;
      for (let b = 0; b < k; b++) s += h[ha + idx[b]!]! * d[b]!;
      total += d[a]! * s;
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
  const scale = cal.count > 0 ? 2 / cal.count : 1;
  const H = Float64Array.from(cal.xtx, (v) => v * scale);
  let mean = 0;
  for (let j = 0; j < n; j++) { if (H[j * n + j] === 0) H[j * n + j] = 1; mean += H[j * n + j]!; }
  mean /= Math.max(1, n);
  let damp = dampening * mean;
  for (let attempt = 0; attempt < 6; attempt++, damp = damp * 10 || mean || 1) {
    const Hd = Float64Array.from(H);
    for (let j = 0; j < n; j++) Hd[j * n + j] += damp;
    const U = upperCholeskyOfInverse(Hd, n);
    if (!U) continue;
    const diag = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) diag[j] += U[i * n + j]! * U[i * n + j]!;
    return diag;
  }
  throw new Error(`inverseHessianDiagonal: the ${n}×${n} Hessian is not positive definite even with dampening`);
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
 * out); otherwise ‖(W − Ŵ)X‖² in-sample. `dense` is ‖WX‖² on the same rows (the scale).
 */
export function calibratedError(method: CalibratedMethod, w: Float32Array, rows: number, cols: number, cal: LayerCalibration, rule: MaskRule, dampening?: number): { error: number; dense: number } {
  if (cal.cols !== cols) throw new Error(`calibratedError: statistics of ${cal.cols} columns for a ${rows}×${cols} matrix`);
  const dense = outputError(w, undefined, rows, cols, cal.xtx);
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
