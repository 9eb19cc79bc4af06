// Input statistics of a Conv/Gemm/MatMul layer over calibration activations, in the weight
// matrix's column order (layout.ts): per column sum and sum of squares (Wanda's ‖X_j‖, the mean
// input of bias correction) and optionally XᵀX (SparseGPT's Hessian), all float64, per conv group.
// A Conv's rows are its im2col patches (one per output position), honoring pads, strides,
// dilations and groups; column = tap·Cg + ci as in toWeightMatrix.

import type { Node } from '../ir/graph.js';
import { attrInt, kernelAttrs } from '../ir/graph.js';
import { nodeWeightAxes } from '../ir/weight-matrix.js';
import type { TensorView } from '../../runtime/tensor.js';
import { Checker } from '../../runtime/kernels/common/define.js';
import { windowGeometry, windowTapTable } from '../../runtime/kernels/common/geometry.js';
import { arena, arenaKept, type Arena } from '../linalg/linalg.js';

export interface InputStats {
  /** Conv groups (1 for Gemm/MatMul); each has its own statistics over its input channels. */
  readonly groups: number;
  /** Columns of the weight matrix (per group). */
  readonly cols: number;
  /** Activation rows seen per group (samples × positions), T in H = 2/T·XᵀX. */
  readonly rows: number;
  /** Per group: Σ_t x_tj (empty, no group's, with `sums: false`). */
  readonly sum: readonly Float64Array[];
  /** Per group: Σ_t x_tj² (empty, no group's, with `sums: false`). */
  readonly sumSq: readonly Float64Array[];
  /** Per group: Σ_t x_t x_tᵀ, cols×cols row-major, symmetric (when asked for). */
  readonly xtx?: readonly Float64Array[];
  /** Rows that fed xtx and target (evenly strided when there are more than `maxRows`). */
  readonly sampledRows: number;
  /**
   * Per group, when dense-network inputs d_t and the dense weights W were given: Σ_t (W d_t) x_tᵀ
   * (rows_g × cols), what reconstructing the dense layer's output from the pruned inputs needs.
   */
  readonly target?: readonly Float64Array[];
  /**
   * Per group, with `options.residual` (and no folds) in place of `target`: the re-fit's residual
   * Σ_t (W (d_t − x_t)) x_tᵀ = target − W·XᵀX (sparse/prune/sparsegpt.ts), summed from the
   * differences of the inputs rather than as a difference of two large sums.
   */
  readonly residual?: readonly Float64Array[];
  /**
   * With `options.folds`: the same statistics per fold of the samples (sample s in fold s mod K),
   * summing to xtx / target / sampledRows; held-out data for choosing the dampening.
   */
  readonly folds?: readonly FoldStats[];
}

/** XᵀX and target (per group) and sampled rows of one fold of the calibration samples. */
export interface FoldStats {
  readonly xtx: readonly Float64Array[];
  readonly target?: readonly Float64Array[];
  readonly sampledRows: number;
}

export interface StatsOptions {
  /** Also accumulate XᵀX (SparseGPT). */
  readonly full: boolean;
  /** The dense network's inputs (same order); with `weights`, accumulates `target`. Ignored when identical to the inputs. */
  readonly denseInputs?: readonly TensorView[];
  /** The dense weight matrix (rows × cols, all groups' rows in order). */
  readonly weights?: Float32Array;
  /** At most this many rows feed XᵀX and the target (default 8192); sums use every row. */
  readonly maxRows?: number;
  /** With `full`: also keep XᵀX and the target per fold of the samples (K ≥ 2; `folds` in the result). */
  readonly folds?: number;
  /**
   * False: no per-column sums (`sum` and `sumSq` are empty), for a caller that reads XᵀX only
   * (SparseGPT without bias correction): they are a pass over every row, where XᵀX samples some.
   */
  readonly sums?: boolean;
  /** With a target and no folds: accumulate the re-fit's residual instead (`residual` in the result). */
  readonly residual?: boolean;
}

export const DEFAULT_MAX_ROWS = 8192;

/**
 * Rows accumulated before each XᵀX update: long dot products, and (where the f64x2 module runs
 * them, compiler/linalg) few copies of XᵀX in and out of its memory: 16 for 8192 sampled rows.
 */
const CHUNK = 512;

/**
 * Accumulates rows (given column-major as bt[col·CHUNK + r], r < n) into the upper triangle of h
 * (entries below it may be touched too: `finish` overwrites them). 2×4 tiles of h per pass over
 * the chunk: six loads feed eight multiply-adds.
 */
function accumulateXtx(h: Float64Array, bt: Float64Array, cols: number, n: number): void {
  let i = 0;
  for (; i + 1 < cols; i += 2) {
    const b0 = i * CHUNK, b1 = b0 + CHUNK;
    const h0 = i * cols, h1 = h0 + cols;
    let j = i;
    for (; j + 3 < cols; j += 4) {
      const c0 = j * CHUNK, c1 = c0 + CHUNK, c2 = c1 + CHUNK, c3 = c2 + CHUNK;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let r = 0; r < n; r++) {
        const x0 = bt[b0 + r]!, x1 = bt[b1 + r]!;
        const y0 = bt[c0 + r]!, y1 = bt[c1 + r]!, y2 = bt[c2 + r]!, y3 = bt[c3 + r]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      h[h0 + j] += s00; h[h0 + j + 1] += s01; h[h0 + j + 2] += s02; h[h0 + j + 3] += s03;
      h[h1 + j] += s10; h[h1 + j + 1] += s11; h[h1 + j + 2] += s12; h[h1 + j + 3] += s13;
    }
    for (; j < cols; j++) {
      const c0 = j * CHUNK;
      let s0 = 0, s1 = 0;
      for (let r = 0; r < n; r++) { const y = bt[c0 + r]!; s0 += bt[b0 + r]! * y; s1 += bt[b1 + r]! * y; }
      h[h0 + j] += s0; h[h1 + j] += s1;
    }
  }
  if (i < cols) {
    const b0 = i * CHUNK, h0 = i * cols;
    let s = 0;
    for (let r = 0; r < n; r++) s += bt[b0 + r]! * bt[b0 + r]!;
    h[h0 + i] += s;
  }
}

/**
 * Accumulates Σ_r y[o,r]·x[j,r] into the rows×cols `p`, where y = W·d over the chunk's rows
 * (`w` rows×cols, d and x column-major chunks); `y` is scratch of rows·CHUNK.
 */
function accumulateTarget(p: Float64Array, w: Float32Array, dt: Float64Array, bt: Float64Array, y: Float64Array, rows: number, cols: number, n: number): void {
  weightTimes(y, w, dt, rows, cols, n, CHUNK);
  // Four columns per pass over y's row: five loads feed four multiply-adds.
  for (let o = 0; o < rows; o++) {
    const yo = o * CHUNK, po = o * cols;
    let j = 0;
    for (; j + 3 < cols; j += 4) {
      const b0 = j * CHUNK, b1 = b0 + CHUNK, b2 = b1 + CHUNK, b3 = b2 + CHUNK;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let r = 0; r < n; r++) {
        const v = y[yo + r]!;
        s0 += v * bt[b0 + r]!; s1 += v * bt[b1 + r]!; s2 += v * bt[b2 + r]!; s3 += v * bt[b3 + r]!;
      }
      p[po + j] += s0; p[po + j + 1] += s1; p[po + j + 2] += s2; p[po + j + 3] += s3;
    }
    for (; j < cols; j++) {
      const bj = j * CHUNK;
      let s = 0;
      for (let r = 0; r < n; r++) s += y[yo + r]! * bt[bj + r]!;
      p[po + j] += s;
    }
  }
}

/**
 * Accumulates Σ_r d[i,r]·x[j,r] into the cols×cols `c` (all i, j): the cross statistics Σ_t d_t x_tᵀ
 * of a chunk (d and x column-major chunks), from which the target is W·C (`crossTargetOf`).
 */
function accumulateCross(c: Float64Array, dt: Float64Array, bt: Float64Array, cols: number, n: number): void {
  for (let i = 0; i < cols; i++) {
    const di = i * CHUNK, ci = i * cols;
    for (let j = 0; j < cols; j++) {
      const bj = j * CHUNK;
      let s = 0;
      for (let r = 0; r < n; r++) s += dt[di + r]! * bt[bj + r]!;
      c[ci + j] += s;
    }
  }
}

/** p = W·C (W rows×cols, C cols×cols): the re-fit target from the cross statistics, each entry summed over c in order. */
function crossTargetOf(p: Float64Array, w: Float32Array, c: Float64Array, rows: number, cols: number): void {
  weightTimes(p, w, c, rows, cols, cols, cols);
}

/**
 * out = W·M over `width` columns: out[o·stride + r] = Σ_c w[o·cols + c]·m[c·stride + r] for r < width,
 * summed over c in order, zero weights skipped (rows of `stride` elements in out and m).
 */
function weightTimes(out: Float64Array, w: Float32Array, m: Float64Array, rows: number, cols: number, width: number, stride: number): void {
  out.fill(0);
  for (let o = 0; o < rows; o++) {
    const oo = o * stride, wo = o * cols;
    for (let c = 0; c < cols; c++) {
      const wv = w[wo + c]!;
      if (wv === 0) continue;
      const mc = c * stride;
      for (let r = 0; r < width; r++) out[oo + r] += wv * m[mc + r]!;
    }
  }
}

/**
 * Whether a rows × cols layer's re-fit target over `sampled` rows, kept in `folds` accumulators,
 * costs fewer multiply-adds as W·(Σ_t d_t x_tᵀ) (cols²·sampled, then rows·cols² per fold) than as
 * Σ_t (W d_t) x_tᵀ (2·rows·cols·sampled): a 768-column layer at 2048 rows, and 1×1 convs that widen
 * their input. The two sum in different orders (the same value up to float64 rounding); the choice
 * depends on shapes only, never on the machine.
 */
export function targetByCross(rows: number, cols: number, sampled: number, folds: number): boolean {
  return cols * sampled + folds * rows * cols < 2 * rows * sampled;
}

/** What an Accumulator collects besides the column sums. */
interface AccumulatorOptions {
  /** XᵀX (and, with `weights`, the re-fit target). */
  readonly full: boolean;
  /** This group's dense rows (rowsOut × cols) when the target is wanted. */
  readonly weights?: Float32Array;
  readonly rowsOut?: number;
  /** Take the target as W·C at `finish` (targetByCross). */
  readonly byCross?: boolean;
  /** d_t − x_t in place of d_t (the target array then sums the residual). */
  readonly differences?: boolean;
  /** Whether `add` sums every row's columns (default true). */
  readonly sums?: boolean;
}

/** Per-group accumulator of rows. */
class Accumulator {
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  readonly xtx?: Float64Array;
  readonly target?: Float64Array;
  private readonly bt?: Float64Array;
  private readonly dt?: Float64Array;
  private readonly y?: Float64Array;
  /** Σ_t d_t x_tᵀ when the target is taken as W·C at `finish` (targetByCross). */
  private readonly cross?: Float64Array;
  private n = 0;
  rows = 0;
  sampled = 0;

  private readonly weights?: Float32Array;
  private readonly rowsOut: number;
  private readonly differences: boolean;
  readonly sums: boolean;

  constructor(readonly cols: number, o: AccumulatorOptions) {
    this.weights = o.weights;
    this.rowsOut = o.rowsOut ?? 0;
    this.differences = o.differences ?? false;
    this.sums = o.sums ?? true;
    this.sum = new Float64Array(cols);
    this.sumSq = new Float64Array(cols);
    if (o.full) {
      this.xtx = new Float64Array(cols * cols);
      this.bt = new Float64Array(cols * CHUNK);
    }
    if (o.full && o.weights) {
      this.target = new Float64Array(this.rowsOut * cols);
      this.dt = new Float64Array(cols * CHUNK);
      if (o.byCross) this.cross = new Float64Array(cols * cols);
      else this.y = new Float64Array(this.rowsOut * CHUNK);
    }
  }

  /**
   * Adds one row: column c's value is x[xAt + c], the dense network's d[dAt + c]; `sample` says
   * whether it feeds XᵀX.
   */
  add(x: ArrayLike<number>, xAt: number, d: ArrayLike<number>, dAt: number, sample: boolean): void {
    const { cols, sum, sumSq } = this;
    if (this.sums) {
      for (let c = 0; c < cols; c++) {
        const v = x[xAt + c]!;
        sum[c] += v;
        sumSq[c] += v * v;
      }
    }
    this.rows++;
    if (sample) this.addSample(x, xAt, d, dAt);
  }

  /** Adds one row to XᵀX and the target only (its sums and row count are the caller's). */
  addSample(x: ArrayLike<number>, xAt: number, d: ArrayLike<number>, dAt: number): void {
    const { cols, bt, dt } = this;
    if (!bt) return;
    const at = this.n;
    for (let c = 0; c < cols; c++) bt[c * CHUNK + at] = x[xAt + c]!;
    if (dt && this.differences) for (let c = 0; c < cols; c++) dt[c * CHUNK + at] = d[dAt + c]! - x[xAt + c]!;
    else if (dt) for (let c = 0; c < cols; c++) dt[c * CHUNK + at] = d[dAt + c]!;
    this.sampled++;
    if (++this.n === CHUNK) this.flush();
  }

  /** Rows left in the current chunk. */
  room(): number {
    return CHUNK - this.n;
  }

  /**
   * Adds k ≤ room() rows to XᵀX and the target only, as addSample would one by one: `write` fills
   * rows at..at + k of the chunk, column-major (bt[c·CHUNK + r], and dt likewise when the target is kept).
   */
  addRows(k: number, write: (bt: Float64Array, dt: Float64Array | undefined, at: number) => void): void {
    if (!this.bt) return;
    write(this.bt, this.dt, this.n);
    this.sampled += k;
    this.n += k;
    if (this.n === CHUNK) this.flush();
  }

  flush(): void {
    if (!this.bt || this.n === 0) return;
    if (!this.flushWasm()) {
      accumulateXtx(this.xtx!, this.bt, this.cols, this.n);
      if (this.cross) accumulateCross(this.cross, this.dt!, this.bt, this.cols, this.n);
      else if (this.dt) accumulateTarget(this.target!, this.weights!, this.dt, this.bt, this.y!, this.rowsOut, this.cols, this.n);
    }
    this.n = 0;
  }

  /** The f64x2 module's layout holding XᵀX and the target between flushes (copied out when evicted). */
  private resident?: Arena;

  /**
   * The flush on the f64x2 module; false without it. XᵀX, the target and the weights are copied
   * in once and stay in the module's memory across flushes (a wide layer's XᵀX is 42 MB at 2304
   * columns, and 16 flushes copied it in and out each), copied out when another arena call needs
   * the memory or at `finish`.
   */
  private flushWasm(): boolean {
    const { cols, n, rowsOut } = this;
    const withTarget = this.dt !== undefined, cross = this.cross;
    let a = this.resident && arenaKept(this.resident.generation) ? this.resident : undefined;
    if (!a) {
      // Operand 2 holds the target, or with `cross` the cross statistics (the weights then wait for `finish`).
      a = arena([cols * cols, cols * CHUNK, ...(!withTarget ? [] : cross ? [cols * cols, 0, cols * CHUNK] : [rowsOut * cols, rowsOut * cols, cols * CHUNK, rowsOut * CHUNK, cols * 32])],
        ['f64', 'f64', 'f64', 'f32', 'f64', 'f64', 'f64'], () => this.evict());
      if (!a) return false;
      a.f64[0]!.set(this.xtx!);
      if (cross) a.f64[2]!.set(cross);
      else if (withTarget) {
        a.f64[2]!.set(this.target!);
        a.f32[3]!.set(this.weights!);
      }
      this.resident = a;
    }
    a.f64[1]!.set(this.bt!);
    a.exports.xtxAcc(a.at[0]!, a.at[1]!, cols, n, CHUNK);
    if (withTarget) {
      a.f64[4]!.set(this.dt!);
      if (cross) a.exports.crossAcc(a.at[2]!, a.at[4]!, a.at[1]!, cols, n, CHUNK);
      else a.exports.targetAcc(a.at[2]!, a.at[3]!, a.at[4]!, a.at[1]!, a.at[5]!, rowsOut, cols, n, CHUNK, a.at[6]!);
    }
    return true;
  }

  /** Copies XᵀX and the target (or the cross statistics) out of the module's memory (its views still valid). */
  private evict(): void {
    const a = this.resident;
    if (!a) return;
    this.resident = undefined;
    this.xtx!.set(a.f64[0]!);
    if (this.cross) this.cross.set(a.f64[2]!);
    else if (this.target) this.target.set(a.f64[2]!);
  }

  finish(): void {
    this.flush();
    this.evict();
    const { cross, cols, rowsOut } = this;
    if (cross) {
      const a = arena([rowsOut * cols, rowsOut * cols, cols * cols, cols * 32], ['f64', 'f32', 'f64', 'f64']);
      if (a) {
        a.f32[1]!.set(this.weights!);
        a.f64[2]!.set(cross);
        a.exports.crossTarget(a.at[0]!, a.at[1]!, a.at[2]!, rowsOut, cols, a.at[3]!);
        this.target!.set(a.f64[0]!);
      } else crossTargetOf(this.target!, this.weights!, cross, rowsOut, cols);
    }
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
export function inputStats(
  node: Node, weightShape: readonly number[], outputShape: readonly number[], inputs: readonly TensorView[], options: StatsOptions,
): InputStats {
  const { full } = options;
  // Identical inputs make the target W·XᵀX: nothing to re-fit.
  const dense = options.denseInputs && options.denseInputs !== inputs && options.weights ? options.denseInputs : undefined;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const sums = options.sums ?? true;
  if (node.op === 'Conv') return convStats(node, weightShape, outputShape, inputs, full, dense, dense ? options.weights : undefined, maxRows, foldCount(options, inputs.length), sums, options.residual);
  const cols = weightShape[nodeWeightAxes(node).in]!;
  const w = dense ? options.weights : undefined;
  const K = foldCount(options, inputs.length);
  const transA = node.op === 'Gemm' && attrInt(node, 'transA', 0) !== 0;
  const perSample = transA ? inputs[0]!.shape[1]! : Math.floor(inputs[0]!.data.length / cols);
  const stride = Math.max(1, Math.ceil((perSample * inputs.length) / maxRows));
  const rowsOut = w ? w.length / cols : 0;
  const byCross = targetByCross(rowsOut, cols, Math.ceil((perSample * inputs.length) / stride), K);
  const differences = options.residual === true && K === 1;
  const accs = Array.from({ length: K }, () => new Accumulator(cols, { full, weights: w, rowsOut, byCross, differences, sums }));
  let index = 0;
  const row = new Float64Array(cols), denseRow = new Float64Array(cols);
  inputs.forEach((t, s) => {
    const x = floatData(t, node);
    const d = dense ? floatData(dense[s]!, node) : x;
    const acc = accs[s % K]!;
    if (transA) {
      // A is [K, M]: row m of op(A) is column m of A.
      const m = t.shape[1]!;
      for (let r = 0; r < m; r++) {
        for (let c = 0; c < cols; c++) { row[c] = x[c * m + r]!; denseRow[c] = d[c * m + r]!; }
        acc.add(row, 0, denseRow, 0, index++ % stride === 0);
      }
    } else {
      if (x.length % cols !== 0) throw new Error(`calibration: layer '${node.name}' input of ${x.length} values is not rows of ${cols}`);
      for (let base = 0; base < x.length; base += cols) acc.add(x, base, d, base, index++ % stride === 0);
    }
  });
  for (const a of accs) a.finish();
  return combine([accs], full, K > 1, sums, differences);
}

/** Folds to keep: `options.folds` when XᵀX is wanted and every fold gets a sample, else 1. */
function foldCount(options: StatsOptions, samples: number): number {
  const k = options.folds ?? 1;
  return options.full && k >= 2 && samples >= k ? k : 1;
}

/** Adds b into a (same length). */
function addInto(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i]!;
}

/**
 * Totals over the folds of accs[group][fold]; the per-fold XᵀX and targets when `keepFolds`; the
 * sums when `sums`; the target as `residual` when `differences`.
 */
function combine(accs: readonly (readonly Accumulator[])[], full: boolean, keepFolds: boolean, sums: boolean, differences = false): InputStats {
  const total = (pick: (a: Accumulator) => Float64Array | undefined): Float64Array[] | undefined => {
    if (!pick(accs[0]![0]!)) return undefined;
    return accs.map((fs) => {
      // One fold: its own arrays (no copy: XᵀX is 42 MB at 2304 columns).
      if (fs.length === 1) return pick(fs[0]!)!;
      const sum = Float64Array.from(pick(fs[0]!)!);
      for (const a of fs.slice(1)) addInto(sum, pick(a)!);
      return sum;
    });
  };
  const first = accs[0]!;
  const K = first.length;
  return {
    groups: accs.length, cols: first[0]!.cols,
    rows: first.reduce((n, a) => n + a.rows, 0), sampledRows: first.reduce((n, a) => n + a.sampled, 0),
    sum: sums ? total((a) => a.sum)! : [], sumSq: sums ? total((a) => a.sumSq)! : [],
    xtx: full ? total((a) => a.xtx) : undefined,
    target: full && !differences ? total((a) => a.target) : undefined,
    residual: full && differences ? total((a) => a.target) : undefined,
    folds: keepFolds ? Array.from({ length: K }, (_, f) => ({
      xtx: accs.map((fs) => fs[f]!.xtx!),
      target: first[f]!.target ? accs.map((fs) => fs[f]!.target!) : undefined,
      sampledRows: first[f]!.sampled,
    })) : undefined,
  };
}

function convStats(
  node: Node, weightShape: readonly number[], outputShape: readonly number[], inputs: readonly TensorView[], full: boolean,
  dense: readonly TensorView[] | undefined, weights: Float32Array | undefined, maxRows: number, K: number, sums: boolean, residual = false,
): InputStats {
  const group = attrInt(node, 'group', 1);
  const cg = weightShape[1]!;
  const kernel = weightShape.slice(2);
  const first = inputs[0]!;
  const inSpatial = first.shape.slice(2);
  const checker = new Checker({ node: node.name, inputs: [], outputs: [], attrs: kernelAttrs(node) }, 'calibrate');
  const geo = windowGeometry(checker, inSpatial, kernel, outputShape.slice(2), false);
  const table = windowTapTable(geo, checker);
  const taps = kernel.reduce((a, b) => a * b, 1);
  const positions = table.length / taps;
  const plane = inSpatial.reduce((a, b) => a * b, 1);
  const cols = taps * cg;
  const rowsG = weightShape[0]! / group;
  const stride = Math.max(1, Math.ceil((positions * inputs.length * first.shape[0]!) / maxRows));
  const byCross = targetByCross(rowsG, cols, Math.ceil((positions * inputs.length * first.shape[0]!) / stride), K);
  const differences = residual && K === 1;
  const accs = Array.from({ length: group }, (_, g) => Array.from({ length: K }, () => new Accumulator(cols, { full, weights: weights?.subarray(g * rowsG * cols, (g + 1) * rowsG * cols), rowsOut: rowsG, byCross, differences, sums })));
  let index = 0;
  /**
   * The im2col rows of positions p0, p0 + stride, … (k of them) into rows at.. of a column-major
   * chunk: column by column, so the reads walk one input plane and the writes one chunk column.
   */
  const gather = (src: Float32Array | Float64Array, base: number, p0: number, k: number, out: Float64Array, at: number): void => {
    for (let tap = 0; tap < taps; tap++) {
      for (let ci = 0; ci < cg; ci++) {
        const o = (tap * cg + ci) * CHUNK + at, src0 = base + ci * plane;
        for (let j = 0, q = p0 * taps + tap; j < k; j++, q += stride * taps) {
          const off = table[q]!;
          out[o + j] = off < 0 ? 0 : src[src0 + off]!;
        }
      }
    }
  };
  inputs.forEach((t, s) => {
    const x = floatData(t, node);
    const d = dense ? floatData(dense[s]!, node) : x;
    const batch = t.shape[0]!;
    const cin = t.shape[1]!;
    for (let b = 0; b < batch; b++) {
      for (let g = 0; g < group; g++) {
        const base = (b * cin + g * cg) * plane;
        const acc = accs[g]![s % K]!;
        // Every row's sums, column by column straight from the input (each column's additions in
        // row order, as row-by-row adding would do them; a padded tap adds nothing, exactly as its 0).
        const { sum, sumSq } = acc;
        for (let tap = 0; sums && tap < taps; tap++) {
          for (let ci = 0; ci < cg; ci++) {
            const c = tap * cg + ci, src0 = base + ci * plane;
            let sc = sum[c]!, qc = sumSq[c]!;
            for (let p = 0, q = tap; p < positions; p++, q += taps) {
              const off = table[q]!;
              if (off < 0) continue;
              const v = x[src0 + off]!;
              sc += v;
              qc += v * v;
            }
            sum[c] = sc;
            sumSq[c] = qc;
          }
        }
        acc.rows += positions;
        // The sampled rows' im2col rows (column tap·Cg + ci) for XᵀX, and the dense one for the
        // target, a chunk's room at a time.
        if (full) {
          for (let p = (stride - (index % stride)) % stride; p < positions;) {
            const k = Math.min(acc.room(), Math.ceil((positions - p) / stride));
            acc.addRows(k, (bt, dt, at) => {
              gather(x, base, p, k, bt, at);
              if (dt) gather(d, base, p, k, dt, at);
            });
            p += k * stride;
          }
        }
      }
      index += positions;
    }
  });
  for (const fs of accs) for (const a of fs) a.finish();
  return combine(accs, full, K > 1, sums, differences);
}
