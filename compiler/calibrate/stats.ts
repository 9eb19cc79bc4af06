// Input statistics of a Conv/Gemm/MatMul layer over calibration activations, in the weight
// matrix's column order (layout.ts): per column sum and sum of squares (Wanda's ‖X_j‖, the mean
// input of bias correction) and optionally XᵀX (SparseGPT's Hessian), all float64, per conv group.
// A Conv's rows are its im2col patches (one per output position), honoring pads, strides,
// dilations and groups; column = tap·Cg + ci as in toWeightMatrix.

import type { Node } from '../ir/graph.js';
import { attrInt, kernelAttrs } from '../ir/graph.js';
import type { TensorView } from '../../runtime/tensor.js';
import { Checker } from '../../runtime/kernels/common/define.js';
import { windowGeometry, windowTapTable } from '../../runtime/kernels/common/geometry.js';

export interface LayerStats {
  /** Conv groups (1 for Gemm/MatMul); each has its own statistics over its input channels. */
  readonly groups: number;
  /** Columns of the weight matrix (per group). */
  readonly cols: number;
  /** Activation rows seen per group (samples × positions), T in H = 2/T·XᵀX. */
  readonly rows: number;
  /** Per group: Σ_t x_tj. */
  readonly sum: readonly Float64Array[];
  /** Per group: Σ_t x_tj². */
  readonly sumSq: readonly Float64Array[];
  /** Per group: Σ_t x_t x_tᵀ, cols×cols row-major, symmetric (when asked for). */
  readonly xtx?: readonly Float64Array[];
  /**
   * Per group, when dense-network inputs d_t were given: Σ_t d_t x_tᵀ (row i = dense column i),
   * the cross term of reconstructing the dense layer's output from the pruned network's inputs.
   */
  readonly cross?: readonly Float64Array[];
}

/** Rows accumulated before each XᵀX update: long enough dot products, small enough to stay in cache. */
const CHUNK = 64;

/** Accumulates rows (given column-major as bt[col·CHUNK + r], r < n) into the upper triangle of h. */
function accumulateXtx(h: Float64Array, bt: Float64Array, cols: number, n: number): void {
  for (let i = 0; i < cols; i++) {
    const bi = i * CHUNK;
    let any = false;
    for (let r = 0; r < n; r++) if (bt[bi + r] !== 0) { any = true; break; }
    if (!any) continue;
    const hi = i * cols;
    let j = i;
    // Two columns per step: one load of column i feeds two accumulators.
    for (; j + 1 < cols; j += 2) {
      const bj = j * CHUNK, bk = bj + CHUNK;
      let s0 = 0, s1 = 0;
      for (let r = 0; r < n; r++) {
        const x = bt[bi + r]!;
        s0 += x * bt[bj + r]!;
        s1 += x * bt[bk + r]!;
      }
      h[hi + j] += s0;
      h[hi + j + 1] += s1;
    }
    if (j < cols) {
      const bj = j * CHUNK;
      let s0 = 0;
      for (let r = 0; r < n; r++) s0 += bt[bi + r]! * bt[bj + r]!;
      h[hi + j] += s0;
    }
  }
}

/** Accumulates Σ_r a[i,r]·b[j,r] into the full n×n g (both column-major chunks). */
function accumulateCross(g: Float64Array, at: Float64Array, bt: Float64Array, cols: number, n: number): void {
  for (let i = 0; i < cols; i++) {
    const ai = i * CHUNK, gi = i * cols;
    for (let j = 0; j < cols; j++) {
      const bj = j * CHUNK;
      let s = 0;
      for (let r = 0; r < n; r++) s += at[ai + r]! * bt[bj + r]!;
      g[gi + j] += s;
    }
  }
}

/** Per-group accumulator of rows. */
class Accumulator {
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  readonly xtx?: Float64Array;
  readonly cross?: Float64Array;
  private readonly bt?: Float64Array;
  private readonly dt?: Float64Array;
  private n = 0;
  rows = 0;

  constructor(readonly cols: number, full: boolean, cross: boolean) {
    this.sum = new Float64Array(cols);
    this.sumSq = new Float64Array(cols);
    if (full) {
      this.xtx = new Float64Array(cols * cols);
      this.bt = new Float64Array(cols * CHUNK);
    }
    if (full && cross) {
      this.cross = new Float64Array(cols * cols);
      this.dt = new Float64Array(cols * CHUNK);
    }
  }

  /** Adds one row; `get(c)` returns column c's value, `getDense(c)` the dense network's. */
  add(get: (c: number) => number, getDense?: (c: number) => number): void {
    const { cols, sum, sumSq, bt, dt } = this;
    for (let c = 0; c < cols; c++) {
      const x = get(c);
      sum[c] += x;
      sumSq[c] += x * x;
      if (bt) bt[c * CHUNK + this.n] = x;
      if (dt) dt[c * CHUNK + this.n] = getDense!(c);
    }
    this.rows++;
    if (bt && ++this.n === CHUNK) this.flush();
  }

  flush(): void {
    if (!this.bt || this.n === 0) return;
    accumulateXtx(this.xtx!, this.bt, this.cols, this.n);
    if (this.dt) accumulateCross(this.cross!, this.dt, this.bt, this.cols, this.n);
    this.n = 0;
  }

  finish(): void {
    this.flush();
    const h = this.xtx;
    if (!h) return;
    const c = this.cols;
    for (let i = 0; i < c; i++) for (let j = i + 1; j < c; j++) h[j * c + i] = h[i * c + j]!;
  }
}

function floatData(t: TensorView, node: Node): Float32Array | Float64Array {
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) throw new Error(`calibration: layer '${node.name}' input is ${t.dtype}, not float`);
  return t.data;
}

/**
 * Statistics of input 0 of `node` (Conv, Gemm or MatMul with a weight of `weightShape`) over
 * `inputs` (one tensor per sample); `outputShape` is the node's output shape (Conv geometry).
 */
export function layerStats(
  node: Node, weightShape: readonly number[], outputShape: readonly number[], inputs: readonly TensorView[], full: boolean,
  denseInputs?: readonly TensorView[],
): LayerStats {
  // Identical inputs make the cross term equal XᵀX: skip it.
  const dense = denseInputs && denseInputs !== inputs ? denseInputs : undefined;
  if (node.op === 'Conv') return convStats(node, weightShape, outputShape, inputs, full, dense);
  let cols: number;
  if (node.op === 'Gemm') cols = attrInt(node, 'transB', 0) !== 0 ? weightShape[1]! : weightShape[0]!;
  else cols = weightShape[0]!;
  const acc = new Accumulator(cols, full, dense !== undefined);
  const transA = node.op === 'Gemm' && attrInt(node, 'transA', 0) !== 0;
  inputs.forEach((t, s) => {
    const x = floatData(t, node);
    const d = dense ? floatData(dense[s]!, node) : x;
    if (transA) {
      // A is [K, M]: row m of op(A) is column m of A.
      const m = t.shape[1]!;
      for (let r = 0; r < m; r++) acc.add((c) => x[c * m + r]!, (c) => d[c * m + r]!);
    } else {
      if (x.length % cols !== 0) throw new Error(`calibration: layer '${node.name}' input of ${x.length} values is not rows of ${cols}`);
      for (let base = 0; base < x.length; base += cols) acc.add((c) => x[base + c]!, (c) => d[base + c]!);
    }
  });
  acc.finish();
  return {
    groups: 1, cols, rows: acc.rows, sum: [acc.sum], sumSq: [acc.sumSq], xtx: full ? [acc.xtx!] : undefined,
    cross: acc.cross ? [acc.cross] : undefined,
  };
}

function convStats(
  node: Node, weightShape: readonly number[], outputShape: readonly number[], inputs: readonly TensorView[], full: boolean,
  dense: readonly TensorView[] | undefined,
): LayerStats {
  const group = attrInt(node, 'group', 1);
  const cg = weightShape[1]!;
  const kernel = weightShape.slice(2);
  const first = inputs[0]!;
  const inSpatial = first.shape.slice(2);
  const checker = new Checker({ node: node.name, inputs: [], outputs: [], attrs: kernelAttrs(node) }, 'calibrate');
  const geo = windowGeometry(checker, inSpatial, kernel, outputShape.slice(2), false);
  const table = windowTapTable(geo);
  const taps = kernel.reduce((a, b) => a * b, 1);
  const positions = table.length / taps;
  const plane = inSpatial.reduce((a, b) => a * b, 1);
  const cols = taps * cg;
  const accs = Array.from({ length: group }, () => new Accumulator(cols, full, dense !== undefined));
  inputs.forEach((t, s) => {
    const x = floatData(t, node);
    const d = dense ? floatData(dense[s]!, node) : x;
    const batch = t.shape[0]!;
    const cin = t.shape[1]!;
    for (let b = 0; b < batch; b++) {
      for (let g = 0; g < group; g++) {
        const base = (b * cin + g * cg) * plane;
        for (let p = 0; p < positions; p++) {
          const row = p * taps;
          accs[g]!.add((c) => {
            const off = table[row + Math.floor(c / cg)]!;
            return off < 0 ? 0 : x[base + (c % cg) * plane + off]!;
          }, (c) => {
            const off = table[row + Math.floor(c / cg)]!;
            return off < 0 ? 0 : d[base + (c % cg) * plane + off]!;
          });
        }
      }
    }
  });
  for (const a of accs) a.finish();
  return {
    groups: group, cols, rows: accs[0]!.rows,
    sum: accs.map((a) => a.sum), sumSq: accs.map((a) => a.sumSq), xtx: full ? accs.map((a) => a.xtx!) : undefined,
    cross: dense && full ? accs.map((a) => a.cross!) : undefined,
  };
}
