// The kernel cost model: what a node asks of a kernel, how much work each kernel does on it, and
// its estimated time from a profile (compiler/analysis/profile.ts) or, for a kernel the profile
// has not seen, a prior. A Conv/Gemm/MatMul is priced from its layer statistics (multiply-adds);
// every other node per element it reads and writes (elementWork, shape class 'elements').
//
//   work (multiply-adds per call, the unit a profile's nsPerUnit is per):
//     dense kernel                     N·K·P        (N output rows, K reduction, P output pixels/rows)
//     csr kernel                       nnz·P
//     nm/bsr kernel, row-block tile    union4·P     (declared rowBlock: 4 output rows staged together over
//                                                   the union of their kept columns)
//     other nm/bsr kernels             stored·P     (stored slots: nm rows·(K/m)·n, bsr blocks·br·bc)
//     any other node                   elements read + written (pooling: × window; Resize: × taps;
//                                      Gather/Slice: their data counted as the elements they write;
//                                      ConvTranspose, recurrent cells, QLinearConv/ConvInteger and
//                                      QLinearMatMul/MatMulInteger: their multiply-adds; the int8
//                                      ones + INT8_OUTPUT_WORK per output element; the N:M int8
//                                      conv its kept ones, + INT8_NM_COLUMN_WORK per pixel and
//                                      reduction column: kernelElementWork)
//   estimated ns = nsPerCall + nsPerUnit · work

import type { Graph, Node, Value } from '../ir/graph.js';
import { isStatic } from '../ir/graph.js';
import type { Kernel, KernelFields } from '../../runtime/kernels/kernel.js';
import { kernelId } from '../../runtime/kernels/kernel.js';
import { nodeWeightMatrix, nodeWeightShape } from '../ir/weight-matrix.js';
import type { WeightFormat } from '../../runtime/sparse/packed.js';
import { PACKED_FORMAT } from '../sparse/pack/pack.js';
import type { KernelProfile, ProfileEntry, ShapeClass } from './profile.js';

/** Rows a row-block sparse kernel stages together (its declared `rowBlock`). */
export const ROW_BLOCK = 4;

/** What the cost model knows about one Conv/Gemm/MatMul node. */
export interface LayerStats {
  readonly op: 'Conv' | 'Gemm' | 'MatMul';
  readonly shapeClass: ShapeClass;
  /** Output pixels (Conv: batch·spatial) or output rows (Gemm M, MatMul batch·M). */
  readonly P: number;
  /** Reduction length: the weight matrix's columns (Conv Cin/group·kh·kw). */
  readonly K: number;
  /** Output channels / features: the weight matrix's rows. */
  readonly N: number;
  /** For a pruned weight: its format, nonzeros, stored slots and 4-row-union work (see sparseWork). */
  readonly sparse?: SparseWork;
}

export interface SparseWork {
  readonly format: Exclude<WeightFormat, 'dense'>;
  readonly nnz: number;
  /** Slots the packed format stores (csr: nnz; nm: rows·(K/m)·n; bsr: nonzero blocks·br·bc). */
  readonly stored: number;
  /** Σ over groups of ROW_BLOCK rows of |union of their nonzero columns| · ROW_BLOCK. */
  readonly union4: number;
}

const product = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);

const intAttr = (n: Node, name: string, def: number): number => {
  const a = n.attrs[name];
  return a && a.kind === 'int' ? a.value : def;
};
const intsAttr = (n: Node, name: string): readonly number[] | undefined => {
  const a = n.attrs[name];
  return a && a.kind === 'ints' ? a.value : undefined;
};

/** The shape class of a Conv from its weight shape [O, C/g, k…] and attributes. */
export function convShapeClass(wShape: readonly number[], cin: number, group: number, strides: readonly number[] | undefined, pads: readonly number[] | undefined): ShapeClass {
  const cout = wShape[0]!;
  if (group > 1 && group === cin && cout === cin) return 'depthwise';
  const window1 = wShape.slice(2).every((d) => d === 1);
  const unitStride = (strides ?? []).every((s) => s === 1);
  const noPads = (pads ?? []).every((p) => p === 0);
  return group === 1 && window1 && unitStride && noPads ? 'pointwise' : 'kxk';
}

/** Nonzeros, stored slots and 4-row-union work of a row-major rows×cols weight matrix. */
export function sparseWork(format: SparseWork['format'], rows: number, cols: number, m: Float32Array,
  layout: { n?: number; m?: number; br?: number; bc?: number } = {}): SparseWork {
  let nnz = 0;
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) nnz++;
  let union4 = 0;
  for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
    let u = 0;
    for (let c = 0; c < cols; c++) {
      for (let r = r0; r < Math.min(rows, r0 + ROW_BLOCK); r++) if (m[r * cols + c] !== 0) { u++; break; }
    }
    union4 += u * ROW_BLOCK;
  }
  let stored = nnz;
  if (format === 'nm' && layout.n && layout.m) stored = rows * Math.ceil(cols / layout.m) * layout.n;
  if (format === 'bsr' && layout.br && layout.bc) {
    const { br, bc } = layout;
    let blocks = 0;
    for (let R = 0; R < rows; R += br) {
      for (let C = 0; C < cols; C += bc) {
        let any = false;
        for (let r = R; r < Math.min(rows, R + br) && !any; r++) for (let c = C; c < Math.min(cols, C + bc); c++) if (m[r * cols + c] !== 0) { any = true; break; }
        if (any) blocks++;
      }
    }
    stored = blocks * br * bc;
  }
  return { format, nnz, stored, union4 };
}

/** The pruned weight's work counts, in the weight-matrix layout (rows = O, cols = (kh, kw, ci)). */
function weightWork(op: LayerStats['op'], n: Node, w: Value): SparseWork | undefined {
  if (!w.constant || !w.sparsity || !(w.constant.data instanceof Float32Array)) return undefined;
  const { rows, cols, matrix } = nodeWeightMatrix(n, w.constant.shape, w.constant.data);
  const s = w.sparsity;
  return sparseWork(PACKED_FORMAT[s.kind], rows, cols, matrix, { n: s.n, m: s.m, br: s.br, bc: s.bc });
}

/**
 * Constant bytes up to which a model's weights stay in cache from one run to the next, so a gemv
 * reads its weight at cache speed ('gemv-cached') rather than from memory ('gemv'). Measured
 * (docs/performance.md, "cost model"): the MLP heads of 0.3–1.3 MB (mlp3, the wake-word heads)
 * run their gemvs 4–5× faster than a weight cycled through 64 MiB, while the classifiers of the
 * CNNs of 4.9–7.8 MB run at the cycled speed: the conv body evicts them. Between the two, the
 * L2 of this class of machine (1 MiB per core) plus a share of L3.
 */
export const CACHED_MODEL_BYTES = 2 << 20;

const constantBytes = new WeakMap<Graph, number>();

/** Σ bytes of the graph's constants (weights and folded tensors), once per graph. */
function modelConstantBytes(g: Graph): number {
  let bytes = constantBytes.get(g);
  if (bytes === undefined) {
    bytes = 0;
    for (const v of g.values.values()) if (v.constant) bytes += v.constant.data.byteLength;
    constantBytes.set(g, bytes);
  }
  return bytes;
}

/** The shape class of a one-row Gemm/MatMul in `g`: cached when all of the model's constants fit CACHED_MODEL_BYTES. */
const gemvClass = (g: Graph): ShapeClass => (modelConstantBytes(g) <= CACHED_MODEL_BYTES ? 'gemv-cached' : 'gemv');

/** The class a profile entry is looked up under when it has none for `c`: a cached gemv falls back to the gemv entry. */
const FALLBACK_CLASS: Partial<Record<ShapeClass, ShapeClass>> = { 'gemv-cached': 'gemv' };

/** The profile's entry for `k` on the class, or on its fallback class. */
function profileEntry(profile: KernelProfile, k: KernelKey, shapeClass: ShapeClass): ProfileEntry | undefined {
  const fallback = FALLBACK_CLASS[shapeClass];
  return profile.entries.get(profileKey(k, shapeClass)) ?? (fallback && profile.entries.get(profileKey(k, fallback)));
}

/** Layer statistics of a Conv/Gemm/MatMul node with static shapes; undefined for anything else. */
export function layerStats(g: Graph, n: Node): LayerStats | undefined {
  const shape = (name: string | undefined): readonly number[] | undefined => {
    const v = g.values.get(name ?? '');
    return v && isStatic(v.shape) ? v.shape : undefined;
  };
  const x = shape(n.inputs[0]), w = shape(n.inputs[1]), y = shape(n.outputs[0]);
  if (!x || !w || !y) return undefined;
  const wv = g.values.get(n.inputs[1]!)!;
  if (n.op === 'Conv') {
    if (w.length < 3 || y.length < 3) return undefined;
    const group = intAttr(n, 'group', 1);
    const shapeClass = convShapeClass(w, x[1]!, group, intsAttr(n, 'strides'), intsAttr(n, 'pads'));
    return { op: 'Conv', shapeClass, P: y[0]! * product(y.slice(2)), K: product(w.slice(1)), N: w[0]!, sparse: weightWork('Conv', n, wv) };
  }
  if (n.op === 'Gemm') {
    if (x.length !== 2 || w.length !== 2) return undefined;
    const transA = intAttr(n, 'transA', 0) === 1;
    const { rows: N, cols: K } = nodeWeightShape(n, w);
    const P = transA ? x[1]! : x[0]!;
    return { op: 'Gemm', shapeClass: P === 1 ? gemvClass(g) : 'gemm', P, K, N, sparse: weightWork('Gemm', n, wv) };
  }
  if (n.op === 'MatMul') {
    if (x.length < 1 || w.length < 1 || y.length < 1) return undefined;
    const K = x[x.length - 1]!;
    const N = w.length === 1 ? 1 : w[w.length - 1]!;
    const P = product(y) / N;
    return { op: 'MatMul', shapeClass: P === 1 ? gemvClass(g) : 'matmul', P, K, N, sparse: w.length === 2 ? weightWork('MatMul', n, wv) : undefined };
  }
  return undefined;
}

type KernelKey = Pick<KernelFields, 'dtype' | 'op' | 'format' | 'epilogue' | 'tile' | 'target'>;

/** The kernel's id without its epilogue (epilogues cost next to nothing: one profile entry serves all). */
export function kernelFamily(k: KernelKey): string {
  return kernelId({ ...k, epilogue: '' });
}

/** The profile key of a kernel on a shape class, e.g. `f32-conv-4x8-wasmsimd@pointwise`. */
export function profileKey(k: KernelKey, shapeClass: ShapeClass): string {
  return `${kernelFamily(k)}@${shapeClass}`;
}

/**
 * True for an nm/bsr kernel that declares a row-block tile: it stages ROW_BLOCK output rows over
 * the union of their columns (a test checks every declared rowBlock equals ROW_BLOCK).
 */
export function isRowBlock(k: Pick<Kernel, 'format' | 'rowBlock'>): boolean {
  return (k.format === 'nm' || k.format === 'bsr') && k.rowBlock !== undefined;
}

/**
 * Multiply-adds `k` performs per call on the layer, or undefined when the layer has no weight
 * in the kernel's format (a sparse kernel on a dense weight).
 */
export function kernelWork(k: Pick<Kernel, 'format' | 'rowBlock'>, s: LayerStats): number | undefined {
  const format = k.format ?? 'dense';
  if (format === 'dense') return s.N * s.K * s.P;
  if (!s.sparse || s.sparse.format !== format) return undefined;
  if (format === 'csr') return s.sparse.nnz * s.P;
  return (isRowBlock(k) ? s.sparse.union4 : s.sparse.stored) * s.P;
}

type Cost = Omit<ProfileEntry, 'key' | 'points'>;

/**
 * Priors for a kernel the profile has not measured (one added since the last `spc tune`),
 * relative to the fastest measured dense kernel of the same target, op and shape class: its
 * nsPerCall, and its nsPerUnit times a factor per format. Sparse kernels reuse each loaded
 * activation less than a dense tile, so their work costs more per unit (csr measured 1.9–3.2×
 * dense on wasmsimd); a row-block nm/bsr kernel ('4x8') works at about dense speed on its
 * union work. A new dense kernel stays behind a measured one until it is measured itself.
 */
export const PRIOR_FACTORS = { dense: 1.1, csr: 2.5, rowBlock: 1.25, otherNmBsr: 2.5 } as const;

/** Absolute priors, per target and format, for when the profile has no dense reference either. */
export const PRIORS: Readonly<Record<Kernel['target'], Readonly<Record<WeightFormat, Cost>>>> = {
  wasmsimd: {
    dense: { nsPerCall: 500, nsPerUnit: 0.06 },
    csr: { nsPerCall: 500, nsPerUnit: 0.15 },
    nm: { nsPerCall: 500, nsPerUnit: 0.075 },
    bsr: { nsPerCall: 500, nsPerUnit: 0.075 },
  },
  js: {
    dense: { nsPerCall: 1000, nsPerUnit: 0.8 },
    csr: { nsPerCall: 1000, nsPerUnit: 1.5 },
    nm: { nsPerCall: 1000, nsPerUnit: 1.5 },
    bsr: { nsPerCall: 1000, nsPerUnit: 1.5 },
  },
  ref: {
    dense: { nsPerCall: 2000, nsPerUnit: 3 },
    csr: { nsPerCall: 2000, nsPerUnit: 8 },
    nm: { nsPerCall: 2000, nsPerUnit: 8 },
    bsr: { nsPerCall: 2000, nsPerUnit: 8 },
  },
};

/** The prior cost of `k` on a shape class (see PRIOR_FACTORS). */
export function priorCost(k: Pick<Kernel, 'op' | 'target' | 'format' | 'rowBlock'>, shapeClass: ShapeClass, profile: KernelProfile): Cost {
  const format = k.format ?? 'dense';
  // Dense families of the same op and target: `<dtype>-<op>-<tile>-<target>@<class>`.
  const dense = new RegExp(`^[a-z0-9]+-${k.op.toLowerCase()}-\\d+x\\d+-${k.target}@${shapeClass}$`);
  let ref: Cost | undefined;
  for (const e of profile.entries.values()) if (dense.test(e.key) && (!ref || e.nsPerUnit < ref.nsPerUnit)) ref = e;
  const fallback = FALLBACK_CLASS[shapeClass];
  if (!ref) return fallback ? priorCost(k, fallback, profile) : PRIORS[k.target][format];
  const factor = format === 'dense' ? PRIOR_FACTORS.dense : format === 'csr' ? PRIOR_FACTORS.csr : isRowBlock(k) ? PRIOR_FACTORS.rowBlock : PRIOR_FACTORS.otherNmBsr;
  return { nsPerCall: ref.nsPerCall, nsPerUnit: ref.nsPerUnit * factor };
}

export interface Estimate {
  readonly kernel: Kernel;
  /** Estimated ns per call. */
  readonly ns: number;
  /** Whether the figure comes from the profile or from a prior (priorCost). */
  readonly from: 'profile' | 'prior';
}

/** Estimated time of `k` on the layer, or undefined when the kernel cannot run it (see kernelWork). */
export function estimate(k: Kernel, s: LayerStats, profile: KernelProfile): Estimate | undefined {
  const work = kernelWork(k, s);
  if (work === undefined) return undefined;
  const entry = profileEntry(profile, k, s.shapeClass);
  const c = entry ?? priorCost(k, s.shapeClass, profile);
  return { kernel: k, ns: c.nsPerCall + c.nsPerUnit * work, from: entry ? 'profile' : 'prior' };
}

/**
 * Priors per element for a kernel the profile has not measured on the 'elements' class, by
 * target; measured on the corpus and real models' non-weighted nodes (docs/performance.md,
 * "cost model"): copies and simple elementwise ops cost about this per element read or
 * written; ops with more arithmetic per element carry it in their work (elementWork).
 */
export const ELEMENT_PRIORS: Readonly<Record<Kernel['target'], Cost>> = {
  wasmsimd: { nsPerCall: 100, nsPerUnit: 0.08 },
  js: { nsPerCall: 100, nsPerUnit: 0.8 },
  ref: { nsPerCall: 200, nsPerUnit: 2.5 },
};

const staticElements = (g: Graph, name: string): number | undefined => {
  if (name === '') return 0;
  const v = g.values.get(name);
  return v && isStatic(v.shape) ? product(v.shape) : undefined;
};

/** Multiply-adds of a ConvTranspose: every input pixel scatters its channels through (C_out/group)·Πkernel weights. */
function convTransposeMacs(g: Graph, n: Node): number | undefined {
  const x = g.values.get(n.inputs[0] ?? ''), w = g.values.get(n.inputs[1] ?? '');
  if (!x || !w || !isStatic(x.shape) || !isStatic(w.shape) || w.shape.length < 3) return undefined;
  return product(x.shape) * w.shape[1]! * product(w.shape.slice(2));
}

/** Multiply-adds of an LSTM/GRU/RNN: per step, batch and direction, gates·hidden·(input + hidden). */
function recurrentMacs(g: Graph, n: Node): number | undefined {
  const w = g.values.get(n.inputs[1] ?? ''), r = g.values.get(n.inputs[2] ?? ''), x = g.values.get(n.inputs[0] ?? '');
  if (!w || !r || !x || !isStatic(w.shape) || !isStatic(r.shape) || !isStatic(x.shape) || x.shape.length !== 3) return undefined;
  // W [dirs, gates·hidden, input], R [dirs, gates·hidden, hidden]; X [seq, batch, input] (or batch-major: same product).
  const steps = x.shape[0]! * x.shape[1]!;
  return steps * w.shape[0]! * w.shape[1]! * (w.shape[2]! + r.shape[2]!);
}

/** The int8 products' weight input and whether it is a conv (QLinearConv/ConvInteger) or a matmul. */
const INT8_PRODUCTS: Readonly<Record<string, { readonly w: number; readonly conv: boolean }>> = {
  QLinearConv: { w: 3, conv: true }, ConvInteger: { w: 1, conv: true },
  QLinearMatMul: { w: 3, conv: false }, MatMulInteger: { w: 1, conv: false },
};

/** QLinearConv, ConvInteger, QLinearMatMul, MatMulInteger: priced per multiply-add and output (elementWork). */
export const isInt8Product = (op: string): boolean => Object.hasOwn(INT8_PRODUCTS, op);

/**
 * What an int8 product's epilogue costs per output element, in multiply-adds: the bias, the
 * float32 requantization and the narrowing store. Fitted on `spc tune`'s pointwise forms, which
 * differ only in how many outputs share the same multiply-adds (c → 4c against 4c → c: 0.33 ns
 * more per output at 0.025 ns per multiply-add, load 20). Without it a 1×1 conv over 8–16 input
 * channels, whose outputs cost more than their few products, was priced int8 and ran slower.
 */
export const INT8_OUTPUT_WORK = 12;

/**
 * The work of an int8 product from its output's elements and its weight's shape: per output, its
 * multiply-adds (a conv's (C_in/group)·Πkernel, w [O, C/g, k…]; a matmul's reduction, B [.., K, N])
 * plus INT8_OUTPUT_WORK. quantize-activations prices a float layer's int8 form with the same count.
 */
export function int8ProductWork(conv: boolean, outputElements: number, wShape: readonly number[]): number {
  const reduction = conv ? product(wShape.slice(1)) : wShape.length === 1 ? wShape[0]! : wShape[wShape.length - 2]!;
  return outputElements * (reduction + INT8_OUTPUT_WORK);
}

/**
 * What the N:M int8 conv (i8-qlinearconvnm) spends per output pixel and reduction column beyond its
 * products, in multiply-adds: the activation pair rows it builds, the natural ones as the dense
 * kernel does plus at 2:4 up to two derived rows per column (one shuffle per 4 pixels each). The
 * dense kernel's share of that work is in its per-multiply-add rate, amortized over its output
 * channels; the N:M kernel halves the products, so over 16 output channels the rows cost as much as
 * the products saved (96 → 16 at 56×56 ran 0.57× dense, 16 → 96 1.34×).
 */
export const INT8_NM_COLUMN_WORK = 8;

/**
 * The work of an int8 conv read N:M (keeping n of every m weights): per output its kept multiply-adds
 * plus INT8_OUTPUT_WORK, plus INT8_NM_COLUMN_WORK per output pixel and reduction column.
 */
export function int8NmWork(outputElements: number, wShape: readonly number[], n: number, m: number): number {
  const reduction = product(wShape.slice(1)), pixels = outputElements / wShape[0]!;
  return outputElements * (reduction * n / m + INT8_OUTPUT_WORK) + pixels * reduction * INT8_NM_COLUMN_WORK;
}

/**
 * The work of kernel `k` on a node priced per element: elementWork, except for a kernel reading an
 * int8 product's weight N:M (`packed`, as selection packs it and the node records it), int8NmWork.
 */
export function kernelElementWork(k: Pick<Kernel, 'format'>, g: Graph, n: Node, packed?: { readonly format: string; readonly n?: number; readonly m?: number }): number | undefined {
  const int8 = isInt8Product(n.op) ? INT8_PRODUCTS[n.op] : undefined;
  if (int8 && int8.conv && k.format === 'nm' && packed?.format === 'nm' && packed.n !== undefined && packed.m !== undefined) {
    const w = g.values.get(n.inputs[int8.w] ?? ''), y = staticElements(g, n.outputs[0] ?? '');
    return w && isStatic(w.shape) && w.shape.length >= 3 && y !== undefined ? int8NmWork(y, w.shape, packed.n, packed.m) : undefined;
  }
  return elementWork(g, n);
}

/**
 * Ops that read only the part of their data input (input 0) they copy out: an embedding Gather
 * touches its rows, not the table (transformer_enc2's was priced 10× its measured time when the
 * table counted).
 */
const SELECTING: ReadonlySet<string> = new Set(['Gather', 'GatherElements', 'GatherND', 'Slice']);

/**
 * The work of a node priced per element (anything but a Conv/Gemm/MatMul layerStats prices):
 * the elements it reads and writes, times the taps per output element where an op reads several
 * (a pooling window, Resize's interpolation taps), or its multiply-adds where it has a weight
 * (ConvTranspose, LSTM/GRU/RNN, the int8 convs and matmuls with their epilogue, int8ProductWork:
 * elements would price a 1×1 conv over 16 channels like one over 160). Undefined when a shape is not static.
 */
export function elementWork(g: Graph, n: Node): number | undefined {
  if (n.op === 'ConvTranspose') return convTransposeMacs(g, n);
  if (n.op === 'LSTM' || n.op === 'GRU' || n.op === 'RNN') return recurrentMacs(g, n);
  // An op name comes from the model: 'constructor' must not find Object's.
  const int8 = isInt8Product(n.op) ? INT8_PRODUCTS[n.op] : undefined;
  if (int8) {
    const w = g.values.get(n.inputs[int8.w] ?? ''), y = staticElements(g, n.outputs[0] ?? '');
    return w && isStatic(w.shape) && w.shape.length >= 1 && y !== undefined ? int8ProductWork(int8.conv, y, w.shape) : undefined;
  }
  let read = 0, written = 0;
  for (const [i, name] of n.inputs.entries()) {
    if (i === 0 && SELECTING.has(n.op)) continue;
    const e = staticElements(g, name);
    if (e === undefined) return undefined;
    read += e;
  }
  for (const o of n.outputs) {
    const e = staticElements(g, o);
    if (e === undefined) return undefined;
    written += e;
  }
  // a selecting op reads as many data elements as it writes, wherever its data came from
  if (SELECTING.has(n.op)) read += written;
  if (n.op === 'MaxPool' || n.op === 'AveragePool') return read + written * product(intsAttr(n, 'kernel_shape') ?? [1]);
  if (n.op === 'Resize' || n.op === 'Upsample') {
    const mode = n.attrs['mode'];
    const x = g.values.get(n.inputs[0]!)!.shape as readonly number[];
    const y = g.values.get(n.outputs[0]!)?.shape as readonly number[];
    const resized = x.filter((d, i) => d !== y[i]).length;
    const taps = mode?.kind === 'string' && mode.value === 'linear' ? 2 ** resized : mode?.kind === 'string' && mode.value === 'cubic' ? 4 ** resized : 1;
    return read + written * taps;
  }
  return read + written;
}

/**
 * Estimated time of `k` on a node priced per element (elementWork): the profile's
 * `<family>@elements` entry; for a family the profile has not timed, the op's cheapest timed
 * family on the same target (as priorCost prices a new layer kernel from its measured dense
 * siblings: the per-element prior of a copy made the group-1 int8 conv, which tune does not
 * time, look 10× cheaper than the measured grouped one); else ELEMENT_PRIORS. Both fallbacks
 * are 'prior'.
 */
export function estimateElements(k: Kernel, work: number, profile: KernelProfile): Estimate {
  const entry = profile.entries.get(profileKey(k, 'elements'));
  if (entry) return { kernel: k, ns: entry.nsPerCall + entry.nsPerUnit * work, from: 'profile' };
  const sibling = new RegExp(`^[a-z0-9]+-${k.op.toLowerCase()}-(\\d+x\\d+|bcast)-${k.target}@elements$`);
  let ns = Infinity;
  for (const e of profile.entries.values()) if (sibling.test(e.key)) ns = Math.min(ns, e.nsPerCall + e.nsPerUnit * work);
  const c = ELEMENT_PRIORS[k.target];
  return { kernel: k, ns: ns < Infinity ? ns : c.nsPerCall + c.nsPerUnit * work, from: 'prior' };
}

/** An estimate as reasons show it: ms with two significant digits (at least two decimals). */
export function formatMs(ns: number): string {
  const ms = ns / 1e6;
  return ms >= 0.1 ? ms.toFixed(2) : ms.toPrecision(2);
}
