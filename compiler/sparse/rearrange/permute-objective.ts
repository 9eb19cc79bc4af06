// The calibrated objective behind the channel-permutation choice for Wanda (issue 6): a layer's
// output error ‖(W − Ŵ)X‖² = tr((W − Ŵ) XᵀX (W − Ŵ)ᵀ) after Wanda prunes it to N:M, with XᵀX from
// the dense network's calibration activations, held out by folds of the samples where the
// statistics allow. (SparseGPT's order is gated by its saliency instead: passes/permute-channels.ts.)
// Pure: callers pass matrices and statistics in the weight matrix's current column order.

import type { MaskRule } from '../prune/mask-rule.js';
import { pruneWanda } from '../prune/wanda.js';
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

/**
 * The calibrated output error of pruning `w` (rows×cols, columns in `cal`'s order) with Wanda to
 * `rule`: with folds, Σ_f ‖(W − Ŵ_f)X_f‖², Ŵ_f pruned on the other folds' statistics (held out);
 * otherwise ‖(W − Ŵ)X‖² in-sample. `dense` is ‖WX‖² on the same rows (the scale); `denseError`
 * passes it in when known (it does not change when rows and columns are permuted).
 */
export function calibratedError(
  w: Float32Array, rows: number, cols: number, cal: LayerCalibration, rule: MaskRule, denseError?: number,
): { error: number; dense: number } {
  if (cal.cols !== cols) throw new Error(`calibratedError: statistics of ${cal.cols} columns for a ${rows}×${cols} matrix`);
  const dense = denseError ?? outputError(w, undefined, rows, cols, cal.xtx);
  if (!cal.folds) {
    const pruned = pruneWanda(w, rows, cols, cal.sumSq, rule);
    return { error: outputError(w, pruned, rows, cols, cal.xtx), dense };
  }
  let error = 0;
  for (const f of cal.folds) {
    // Wanda's norms from the training folds' diagonal (their sampled rows: proportional to the full norms).
    const sumSq = new Float64Array(cols);
    for (let j = 0; j < cols; j++) sumSq[j] = Math.max(0, cal.xtx[j * cols + j]! - f.xtx[j * cols + j]!);
    const pruned = pruneWanda(w, rows, cols, sumSq, rule);
    error += outputError(w, pruned, rows, cols, f.xtx);
  }
  return { error, dense };
}
