// An independent checker for pruned weights, written apart from compiler/sparse/prune/masks.ts (it does
// not import it): given a weight before and after pruning, it lists every violated promise.

export interface MatrixView {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/**
 * The matrix view, computed here from first principles: Conv OIHW → rows O, cols (kh, kw, ci)
 * with ci fastest; Gemm transB → as stored; Gemm/MatMul B[K,N] → rows N, cols K.
 */
export function matrixView(op: string, shape: readonly number[], transB: boolean, data: Float32Array): MatrixView {
  if (op === 'Conv') {
    const [o, ci] = [shape[0]!, shape[1]!];
    const k = shape.slice(2).reduce((a, b) => a * b, 1);
    const cols = ci * k;
    const out = new Float32Array(o * cols);
    for (let r = 0; r < o; r++) for (let c = 0; c < ci; c++) for (let s = 0; s < k; s++) out[r * cols + s * ci + c] = data[r * cols + c * k + s]!;
    return { rows: o, cols, data: out };
  }
  const [a, b] = [shape[0]!, shape[1]!];
  if (op === 'Gemm' && transB) return { rows: a, cols: b, data: Float32Array.from(data) };
  const out = new Float32Array(a * b);
  for (let k = 0; k < a; k++) for (let n = 0; n < b; n++) out[n * a + k] = data[k * b + n]!;
  return { rows: b, cols: a, data: out };
}

/** Every surviving weight must equal the original; returns violations. */
function checkUnchanged(orig: Float32Array, pruned: Float32Array, label: string): string[] {
  const bad: string[] = [];
  if (orig.length !== pruned.length) return [`${label}: ${pruned.length} weights after pruning, ${orig.length} before`];
  for (let i = 0; i < orig.length && bad.length < 3; i++) {
    if (pruned[i] !== 0 && pruned[i] !== orig[i]) bad.push(`${label}: weight ${i} changed from ${orig[i]} to ${pruned[i]}`);
  }
  return bad;
}

function zeros(a: Float32Array): number {
  let z = 0;
  for (const x of a) if (x === 0) z++;
  return z;
}

/** Kept (nonzero after) vs dropped (nonzero before, zero after) magnitudes over index set `idx`. */
function keptVersusDropped(orig: Float32Array, pruned: Float32Array, idx: Iterable<number>): { minKept: number; maxDropped: number } {
  let minKept = Infinity;
  let maxDropped = -Infinity;
  for (const i of idx) {
    const a = Math.abs(orig[i]!);
    if (pruned[i] !== 0) minKept = Math.min(minKept, a);
    else if (orig[i] !== 0) maxDropped = Math.max(maxDropped, a);
  }
  return { minKept, maxDropped };
}

/** N:M: each group of m consecutive columns keeps ≤ n nonzeros, the largest of the group; full groups give exactly (m−n)/m. */
export function checkNm(orig: MatrixView, pruned: MatrixView, n: number, m: number, label = 'weight'): string[] {
  const bad = checkUnchanged(orig.data, pruned.data, label);
  if (orig.cols % m !== 0) return [...bad, `${label}: ${orig.cols} columns are not a multiple of ${m}`];
  let fullGroups = 0;
  const groups = (orig.rows * orig.cols) / m;
  for (let g = 0; g < groups && bad.length < 5; g++) {
    const idx = Array.from({ length: m }, (_, j) => g * m + j);
    const nz = idx.filter((i) => pruned.data[i] !== 0).length;
    if (nz > n) bad.push(`${label}: group ${g} (row ${Math.floor((g * m) / orig.cols)}) keeps ${nz} > ${n} nonzeros`);
    const origNz = idx.filter((i) => orig.data[i] !== 0).length;
    if (origNz >= n && nz < n) bad.push(`${label}: group ${g} keeps only ${nz} of its ${origNz} nonzero weights, ${n} expected`);
    if (nz === n) fullGroups++;
    const { minKept, maxDropped } = keptVersusDropped(orig.data, pruned.data, idx);
    if (maxDropped > minKept) bad.push(`${label}: group ${g} dropped |w|=${maxDropped} but kept |w|=${minKept}`);
  }
  if (fullGroups === groups) {
    const achieved = zeros(pruned.data) / pruned.data.length;
    if (achieved !== (m - n) / m) bad.push(`${label}: achieved sparsity ${achieved}, expected exactly ${(m - n) / m}`);
  }
  return bad;
}

/** Unstructured: sparsity equals `requested` to one weight; every kept |w| ≥ every dropped |w| in the layer. */
export function checkUnstructured(orig: MatrixView, pruned: MatrixView, requested: number, label = 'weight'): string[] {
  const bad = checkUnchanged(orig.data, pruned.data, label);
  const total = orig.data.length;
  const achieved = zeros(pruned.data) / total;
  if (Math.abs(achieved - requested) > 0.5 / total + 1e-12) bad.push(`${label}: achieved sparsity ${achieved} vs requested ${requested} (more than one weight off over ${total})`);
  const { minKept, maxDropped } = keptVersusDropped(orig.data, pruned.data, orig.data.keys());
  if (maxDropped > minKept) bad.push(`${label}: dropped |w|=${maxDropped} but kept |w|=${minKept}`);
  return bad;
}

/** Block: each br×bc block is all zero or intact; sparsity equals `requested` to one block; kept blocks have L1 ≥ pruned ones. */
export function checkBlock(orig: MatrixView, pruned: MatrixView, br: number, bc: number, requested: number, label = 'weight'): string[] {
  const bad = checkUnchanged(orig.data, pruned.data, label);
  const { rows, cols } = orig;
  if (rows % br !== 0 || cols % bc !== 0) return [...bad, `${label}: ${rows}×${cols} does not tile into ${br}×${bc}`];
  let minKept = Infinity;
  let maxDropped = -Infinity;
  let droppedBlocks = 0;
  for (let r0 = 0; r0 < rows; r0 += br) {
    for (let c0 = 0; c0 < cols; c0 += bc) {
      let l1 = 0;
      let nz = 0;
      for (let r = r0; r < r0 + br; r++) for (let c = c0; c < c0 + bc; c++) {
        l1 += Math.abs(orig.data[r * cols + c]!);
        if (pruned.data[r * cols + c] !== 0) nz++;
      }
      if (nz === 0) { droppedBlocks++; maxDropped = Math.max(maxDropped, l1); }
      else {
        minKept = Math.min(minKept, l1);
        for (let r = r0; r < r0 + br; r++) for (let c = c0; c < c0 + bc; c++) {
          if (pruned.data[r * cols + c] === 0 && orig.data[r * cols + c] !== 0 && bad.length < 5) bad.push(`${label}: block at (${r0},${c0}) is partly pruned`);
        }
      }
    }
  }
  if (maxDropped > minKept * (1 + 1e-6)) bad.push(`${label}: dropped a block with L1=${maxDropped} but kept one with L1=${minKept}`);
  const achieved = (droppedBlocks * br * bc) / orig.data.length;
  if (Math.abs(achieved - requested) > (0.5 * br * bc) / orig.data.length + 1e-12) bad.push(`${label}: achieved sparsity ${achieved} vs requested ${requested} (more than one block off)`);
  return bad;
}
