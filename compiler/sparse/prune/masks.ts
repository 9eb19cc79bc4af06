// Magnitude masks on a weight in its matrix view (row-major rows × cols Float32Array; rows =
// output channels, cols = reduction). Pure: each returns a new array with the pruned entries zeroed.
// Ties are broken by position, so the same weights always give the same mask: among equal
// scores the lower index is kept.

/**
 * N:M: in every row, every group of `mm` consecutive columns keeps its `n` largest |w| (or the
 * largest `score` when given, e.g. Wanda's |w|·‖x‖). Requires cols % mm == 0.
 */
export function maskNm(w: Float32Array, rows: number, cols: number, n: number, mm: number, score?: Float32Array): Float32Array {
  if (w.length !== rows * cols) throw new Error(`maskNm: ${w.length} weights for a ${rows}×${cols} matrix`);
  if (cols % mm !== 0) throw new Error(`maskNm: ${cols} columns are not a multiple of M=${mm}`);
  if (!(n >= 1 && n < mm)) throw new Error(`maskNm: need 1 ≤ N < M, got ${n}:${mm}`);
  if (score && score.length !== w.length) throw new Error(`maskNm: score has ${score.length} entries, weights ${w.length}`);
  const out = new Float32Array(w);
  const s = new Float64Array(mm);
  const order = Array.from({ length: mm }, (_, i) => i);
  for (let base = 0; base < w.length; base += mm) {
    let noNaN = true;
    for (let j = 0; j < mm; j++) {
      const v = score ? score[base + j]! : Math.abs(w[base + j]!);
      s[j] = v;
      if (v !== v) noNaN = false;
    }
    if (noNaN) {
      // Each column's place in the order below counted with M comparisons (a sort per group cost
      // 10 s of a 12-layer d-768 encoder's compile report): ahead of j are the higher scores and
      // the equal ones at lower columns.
      for (let j = 0; j < mm; j++) {
        const sj = s[j]!;
        let rank = 0;
        for (let k = 0; k < mm; k++) if (s[k]! > sj || (s[k] === sj && k < j)) rank++;
        if (rank >= n) out[base + j] = 0;
      }
      continue;
    }
    for (let j = 0; j < mm; j++) order[j] = j;
    // Descending score, lower index first on ties; the first n are kept.
    order.sort((a, b) => (s[b]! - s[a]!) || a - b);
    for (let j = n; j < mm; j++) out[base + order[j]!] = 0;
  }
  return out;
}

/**
 * N:M with one mask per block of `shareRows` consecutive rows (output channels): each group of
 * `mm` columns keeps the `n` columns with the largest summed |w| (or score) over the block's
 * rows, in every row of the block. A kernel can then load one activation vector per kept column
 * and feed `shareRows` accumulators. Requires rows % shareRows == 0 and cols % mm == 0.
 */
export function maskNmShared(w: Float32Array, rows: number, cols: number, n: number, mm: number, shareRows: number, score?: Float32Array): Float32Array {
  if (rows % shareRows !== 0) throw new Error(`maskNmShared: ${rows} rows are not a multiple of shareRows=${shareRows}`);
  if (shareRows === 1) return maskNm(w, rows, cols, n, mm, score);
  // Sum the block's scores into one row, choose that row's N:M mask, and apply it to all rows.
  const blockScore = new Float32Array(cols);
  const out = new Float32Array(w);
  for (let r0 = 0; r0 < rows; r0 += shareRows) {
    blockScore.fill(0);
    for (let r = r0; r < r0 + shareRows; r++) {
      for (let c = 0; c < cols; c++) blockScore[c] += score ? score[r * cols + c]! : Math.abs(w[r * cols + c]!);
    }
    const kept = maskNm(blockScore, 1, cols, n, mm, blockScore);
    for (let r = r0; r < r0 + shareRows; r++) {
      for (let c = 0; c < cols; c++) if (kept[c] === 0) out[r * cols + c] = 0;
    }
  }
  return out;
}

/** Indices of `scores` from smallest to largest; on ties the higher index comes first (is pruned first). */
export function pruneOrder(scores: Float64Array | Float32Array): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((a, b) => (scores[a]! - scores[b]!) || b - a);
  return idx;
}

/** Unstructured: zeroes exactly `k` weights, those with the smallest |w|. */
export function maskUnstructured(w: Float32Array, k: number): Float32Array {
  if (!Number.isInteger(k) || k < 0 || k > w.length) throw new Error(`maskUnstructured: cannot prune ${k} of ${w.length} weights`);
  const out = new Float32Array(w);
  if (k === 0) return out;
  const mag = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) mag[i] = Math.abs(w[i]!);
  const order = pruneOrder(mag);
  for (let i = 0; i < k; i++) out[order[i]!] = 0;
  return out;
}

/** L1 norm of every br × bc block (or the sum of `score` over it), block-row-major. */
export function blockNorms(w: Float32Array, rows: number, cols: number, br: number, bc: number, score?: ArrayLike<number>): Float64Array {
  const bRows = rows / br;
  const bCols = cols / bc;
  const norms = new Float64Array(bRows * bCols);
  for (let r = 0; r < rows; r++) {
    const rowBase = Math.floor(r / br) * bCols;
    for (let c = 0; c < cols; c++) norms[rowBase + Math.floor(c / bc)]! += score ? score[r * cols + c]! : Math.abs(w[r * cols + c]!);
  }
  return norms;
}

/**
 * Block: zeroes the `k` blocks of br × bc with the smallest L1 norm (or summed `score`, e.g.
 * Wanda's). Requires rows % br == 0 and cols % bc == 0.
 */
export function maskBlock(w: Float32Array, rows: number, cols: number, br: number, bc: number, k: number, score?: ArrayLike<number>): Float32Array {
  if (w.length !== rows * cols) throw new Error(`maskBlock: ${w.length} weights for a ${rows}×${cols} matrix`);
  if (rows % br !== 0 || cols % bc !== 0) throw new Error(`maskBlock: a ${rows}×${cols} matrix does not tile into ${br}×${bc} blocks`);
  const nBlocks = (rows / br) * (cols / bc);
  if (!Number.isInteger(k) || k < 0 || k > nBlocks) throw new Error(`maskBlock: cannot prune ${k} of ${nBlocks} blocks`);
  const out = new Float32Array(w);
  if (k === 0) return out;
  const order = pruneOrder(blockNorms(w, rows, cols, br, bc, score));
  const bCols = cols / bc;
  for (let i = 0; i < k; i++) {
    const b = order[i]!;
    const r0 = Math.floor(b / bCols) * br;
    const c0 = (b % bCols) * bc;
    for (let r = r0; r < r0 + br; r++) out.fill(0, r * cols + c0, r * cols + c0 + bc);
  }
  return out;
}

/** Number of exact zeros. */
export function countZeros(w: ArrayLike<number>): number {
  let z = 0;
  for (let i = 0; i < w.length; i++) if (w[i] === 0) z++;
  return z;
}
