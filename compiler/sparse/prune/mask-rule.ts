// What a calibrated pruning method must produce for one weight matrix (its pattern and how many
// weights or blocks to zero), shared by Wanda and SparseGPT, and the exact-count helpers both use.

import { pruneOrder } from './masks.js';

export type MaskRule =
  /** Zero exactly `prune` weights. */
  | { readonly kind: 'unstructured'; readonly prune: number }
  /** Keep `n` of every `m` consecutive columns, one mask per block of `shareRows` rows. */
  | { readonly kind: 'nm'; readonly n: number; readonly m: number; readonly shareRows: number }
  /** Zero exactly `prune` blocks of br × bc. */
  | { readonly kind: 'block'; readonly br: number; readonly bc: number; readonly prune: number };

/** Splits `total` over parts of the given sizes in proportion, by cumulative rounding (sums exactly). */
export function splitCount(total: number, sizes: readonly number[]): number[] {
  const all = sizes.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let seen = 0, given = 0;
  for (const s of sizes) {
    seen += s;
    const upto = all === 0 ? 0 : Math.round((total * seen) / all);
    out.push(upto - given);
    given = upto;
  }
  return out;
}

/**
 * Per-row selection of exactly `prune` entries of a rows×cols score matrix: every row prunes
 * ⌊prune/rows⌋ of its lowest scores, and the remainder goes to the rows whose next-lowest score
 * is smallest (one more each). Returns 1 for pruned entries.
 */
export function pruneRowwise(score: ArrayLike<number>, rows: number, cols: number, prune: number): Uint8Array {
  if (!Number.isInteger(prune) || prune < 0 || prune > rows * cols) throw new Error(`pruneRowwise: cannot prune ${prune} of ${rows * cols}`);
  const pruned = new Uint8Array(rows * cols);
  const base = Math.floor(prune / rows);
  const extra = prune - base * rows;
  const orders: Uint32Array[] = [];
  const next = new Float64Array(rows);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) row[c] = score[r * cols + c]!;
    const order = pruneOrder(row);
    orders.push(order);
    for (let i = 0; i < base; i++) pruned[r * cols + order[i]!] = 1;
    next[r] = base < cols ? row[order[base]!]! : Infinity;
  }
  const rowOrder = Array.from({ length: rows }, (_, r) => r).sort((a, b) => (next[a]! - next[b]!) || a - b);
  for (let i = 0; i < extra; i++) {
    const r = rowOrder[i]!;
    pruned[r * cols + orders[r]![base]!] = 1;
  }
  return pruned;
}
