// Wanda (Sun et al. 2023): prune by S_ij = |W_ij|·‖X_j‖₂, the weight times the L2 norm of its
// input column over the calibration rows; no weight update. Unstructured compares within each
// output row (Wanda's comparison group), N:M within each group (summed over a shared-rows block),
// block patterns by the block's summed score.

import type { MaskRule } from './mask-rule.js';
import { pruneRowwise } from './mask-rule.js';
import { maskBlock, maskNmShared } from './masks.js';

/** |W_ij|·‖X_j‖ for a row-major rows×cols matrix, from Σ_t x_tj² per column. */
export function wandaScores(w: Float32Array, rows: number, cols: number, sumSq: Float64Array): Float32Array {
  if (sumSq.length !== cols) throw new Error(`wandaScores: ${sumSq.length} column norms for ${cols} columns`);
  const s = new Float32Array(rows * cols);
  const norm = Array.from(sumSq, (v) => Math.sqrt(v));
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) s[r * cols + c] = Math.abs(w[r * cols + c]!) * norm[c]!;
  return s;
}

/** The weights with Wanda's mask for `rule` applied (kept values unchanged). */
export function pruneWanda(w: Float32Array, rows: number, cols: number, sumSq: Float64Array, rule: MaskRule): Float32Array {
  const score = wandaScores(w, rows, cols, sumSq);
  switch (rule.kind) {
    case 'nm': return maskNmShared(w, rows, cols, rule.n, rule.m, rule.shareRows, score);
    case 'block': return maskBlock(w, rows, cols, rule.br, rule.bc, rule.prune, score);
    case 'unstructured': {
      const pruned = pruneRowwise(score, rows, cols, rule.prune);
      const out = new Float32Array(w);
      for (let i = 0; i < out.length; i++) if (pruned[i]) out[i] = 0;
      return out;
    }
  }
}
