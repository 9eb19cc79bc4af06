// Chooses a kernel for one node from a registry: the op, the fused epilogue and the input
// dtype must match, the target must be allowed. For a Conv/Gemm/MatMul the candidates are the
// dense kernels and those reading the weight's packed format, and the least estimated time wins
// (cost.ts, from a profile); ties, and ops the profile knows nothing of, go by target order. A ref
// kernel is only a fallback: it is priced only where no fast kernel of its weight format fits.
// The choice also fixes how a pruned weight is stored (weightStorage): packed whenever its packing
// is smaller than dense, whichever kernel runs; a dense kernel then reads it expanded at load.

import type { Graph, Node, Sparsity, Value, WeightStorage } from '../ir/graph.js';
import type { AttrValue, Kernel, KernelRegistry, NodeShapes } from '../../runtime/kernels/kernel.js';
import type { PackedWeight } from '../../runtime/sparse/packed.js';
import { isStatic } from '../ir/graph.js';
import { PACKED_FORMAT, packedBytes, packWeight, storedPackedBytes } from '../sparse/pack/pack.js';
import { expandWeight } from '../../runtime/sparse/expand.js';
import { nodeWeightMatrix, weightView } from '../ir/weight-matrix.js';
import { weightInputOf } from '../../runtime/sparse/layout.js';
import type { WeightFormat } from '../../runtime/sparse/packed.js';
import { estimate, estimateElements, formatMs, isInt8Product, isRowBlock, kernelElementWork, kernelWork, layerStats } from './cost.js';
import type { Estimate, LayerStats } from './cost.js';
import type { KernelProfile } from './profile.js';
import { getDefaultProfile } from './profile.js';

export type Target = Kernel['target'];

/** Fastest first: wasmsimd kernels fall back to js at run time where WebAssembly SIMD is missing. */
export const DEFAULT_TARGETS: readonly Target[] = ['wasmsimd', 'js', 'ref'];

const TARGET_REASON: Record<Target, string> = {
  wasmsimd: 'WebAssembly SIMD kernel',
  js: 'optimized TypeScript kernel',
  ref: 'reference kernel',
};

/**
 * What selection optimizes for a pruned layer: its estimated time ('speed', the default: the
 * packed kernel only where it beats dense by SPARSE_MARGIN), or running packed ('size': the packed
 * kernel wherever the packed weight is smaller than the dense one, even if slower). Storage does
 * not depend on it: a pruned weight is stored packed whenever that is smaller (storageOf).
 */
export type Preference = 'speed' | 'size';
export const PREFERENCES: readonly Preference[] = ['speed', 'size'];

/**
 * The packed weight's and the dense weight's bytes when packing is smaller (undefined: dense is as
 * small). An int8 weight (of QLinearConv/QLinearMatMul) counts them as stored: one byte a value,
 * N:M indices rank coded; float32 ones by their arrays.
 */
function smallerPacked(g: Graph, n: Node, packed: PackedWeight | undefined): { packed: number; dense: number } | undefined {
  const w = sparseWeightOf(g, n);
  const dense = w?.constant?.data.byteLength;
  if (!packed || !w || dense === undefined) return undefined;
  const bytes = w.dtype === 'float32' ? packedBytes(packed) : storedPackedBytes(packed, { dtype: w.dtype });
  return bytes < dense ? { packed: bytes, dense } : undefined;
}

/**
 * Whether a dense kernel can read `n`'s weight stored as `packed` and expanded at load: it is
 * smaller than dense, `n` is the weight's only reader (one layout to expand to), and the
 * expansion gives back the pruned weight bit for bit (a -0 the packing drops would not).
 */
function expandable(g: Graph, n: Node, packed: PackedWeight): boolean {
  const w = sparseWeightOf(g, n)!;
  if (!smallerPacked(g, n, packed) || g.outputs.includes(w.name) || g.nodes.some((m) => m !== n && m.inputs.includes(w.name))) return false;
  const data = w.constant!.data;
  const view = weightView(n);
  if (data instanceof Int8Array) {
    const out = new Int8Array(data.length);
    expandWeight(packed, view.op, w.constant!.shape, view.transB, out);
    return out.every((v, i) => v === data[i]);
  }
  const out = new Float32Array(data.length);
  expandWeight(packed, view.op, w.constant!.shape, view.transB, out);
  const [a, b] = [new Uint32Array(out.buffer), new Uint32Array(data.buffer, data.byteOffset, data.length)];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface KernelChoice {
  readonly kernel: Kernel;
  readonly reason: string;
  /** The chosen kernel's estimated time in ns, when the profile priced the candidates. */
  readonly ns?: number;
  /**
   * How the pruned weight is stored and read (absent: stored dense): the packing the sparse
   * kernels' `supports` and the size comparison saw, which lowering stores, and whether the
   * chosen kernel reads it packed or expanded to dense at load.
   */
  readonly storage?: WeightStorage;
}

/**
 * `choice` with its weight's storage: packed as the chosen kernel reads it, or, for a dense kernel,
 * packed and expanded at load where that is smaller and exact.
 */
function withStorage(g: Graph, n: Node, choice: KernelChoice, packed: PackedWeight | undefined): KernelChoice {
  if (!packed) return choice;
  const reads = choice.kernel.format ?? 'dense';
  if (reads === packed.format) return { ...choice, storage: { packed, kernelReads: reads } };
  // The reason stays about the kernel: the storage is its own record, which the reports show.
  return reads === 'dense' && expandable(g, n, packed) ? { ...choice, storage: { packed, kernelReads: 'dense' } } : choice;
}

function epilogueOf(n: Node): string {
  const a = n.attrs['spc_activation'];
  return a && a.kind === 'string' ? a.value : '';
}

/** The dtype that decides the kernel: the first present input's (outputs for input-less ops). */
function decidingDtype(g: Graph, n: Node): string | undefined {
  const name = n.inputs.find((i) => i !== '') ?? n.outputs[0];
  return g.values.get(name)?.dtype;
}


/**
 * The pruned weight a node reads (input 1 of Conv/Gemm/MatMul; the int8 weight, input 3, of
 * QLinearConv/QLinearMatMul with a zero weight zero point, where a zero code is a zero weight), if any.
 */
export function sparseWeightOf(g: Graph, n: Node): Value | undefined {
  const reads = weightInputOf(n.op);
  if (!reads) return undefined;
  const v = g.values.get(n.inputs[reads.input] ?? '');
  if (!v?.constant) return undefined;
  if (reads.input === 1) return v.sparsity ? v : undefined;
  if (!(v.constant.data instanceof Int8Array && zeroCodes(g, n.inputs[5]))) return undefined;
  if (v.sparsity) return v;
  // Detected once per node and codes (selection asks for a node's weight several times; each detection scans and packs it).
  const seen = detectedCodes.get(n);
  if (seen?.codes === v.constant.data) return seen.weight;
  // Only where its packing is smaller: a dense int8 weight with a few zero codes stays dense, and its reasons say nothing of packing.
  const found = codeSparsity(v.constant.data, nodeWeightMatrix(n, v.constant.shape, Float32Array.from(v.constant.data)));
  const w = found && { ...v, sparsity: found };
  const packed = w && packedOrNone(w, n, PACKED_FORMAT[w.sparsity.kind]);
  const weight = packed && storedPackedBytes(packed, { dtype: v.dtype }) < v.constant.data.byteLength ? w : undefined;
  detectedCodes.set(n, { codes: v.constant.data, weight });
  return weight;
}

/** sparseWeightOf's detections on int8 weights no pruning recorded, by node, valid while its codes are the same array. */
const detectedCodes = new WeakMap<Node, { codes: Int8Array; weight: Value | undefined }>();

/**
 * The pattern the zero codes of an int8 weight nothing recorded a pruning for follow (a model that
 * arrives pruned and quantized): 2:4 along its matrix rows where every group of 4 holds at most 2
 * nonzero codes, else unstructured; undefined without zeros. Whether it is stored packed is then
 * the size rule's (smallerPacked), as for a weight spc pruned.
 */
function codeSparsity(codes: Int8Array, view: { rows: number; cols: number; matrix: Float32Array }): Sparsity | undefined {
  let zeros = 0;
  for (const c of codes) if (c === 0) zeros++;
  if (zeros === 0) return undefined;
  const achieved = zeros / codes.length;
  let nm = view.cols % 4 === 0;
  for (let i = 0; nm && i < view.matrix.length; i += 4) {
    const m = view.matrix;
    nm = (m[i] !== 0 ? 1 : 0) + (m[i + 1] !== 0 ? 1 : 0) + (m[i + 2] !== 0 ? 1 : 0) + (m[i + 3] !== 0 ? 1 : 0) <= 2;
  }
  return nm ? { kind: 'nm', pattern: '2:4', n: 2, m: 4, requested: 0, achieved } : { kind: 'unstructured', pattern: 'unstructured', requested: 0, achieved };
}

/** Whether a zero point input is absent or all zeros. */
function zeroCodes(g: Graph, name: string | undefined): boolean {
  const z = name ? g.values.get(name)?.constant : undefined;
  return !name || (z !== undefined && Array.from(z.data as ArrayLike<number | bigint>).every((v) => Number(v) === 0));
}

/** The packed format a node's pruned weight calls for ('dense' when it has none). */
export function wantedFormat(g: Graph, n: Node): WeightFormat {
  const w = sparseWeightOf(g, n);
  return w?.sparsity ? PACKED_FORMAT[w.sparsity.kind] : 'dense';
}

/** What a kernel's `supports` sees of a node: static shapes, dtypes and plain attribute values. */
function nodeShapes(g: Graph, n: Node, packed?: PackedWeight): NodeShapes {
  const info = (name: string): { dtype: string; shape: readonly number[] } | undefined => {
    const v = g.values.get(name);
    return v && isStatic(v.shape) ? { dtype: v.dtype, shape: v.shape } : undefined;
  };
  const attrs: Record<string, AttrValue> = {};
  for (const [k, a] of Object.entries(n.attrs)) if (a.kind !== 'tensor') attrs[k] = a.value;
  return {
    inputs: n.inputs.map((i, at) => {
      const v = i === '' ? undefined : info(i);
      return v && at === weightInputOf(n.op)?.input && packed ? { ...v, packed } : v;
    }),
    outputs: n.outputs.map((o) => info(o) ?? { dtype: '', shape: [] }),
    attrs,
  };
}

/** The pruned weight packed as `format` exactly as lowering will (what a sparse kernel's `supports` sees at load), if it packs. */
function packedWeight(g: Graph, n: Node, format: Exclude<WeightFormat, 'dense'>): PackedWeight | undefined {
  const w = sparseWeightOf(g, n);
  return w && packedOrNone(w, n, format);
}

/** `w` packed as `format` for `n`, undefined where it does not pack (float32 or int8 data only). */
function packedOrNone(w: Value, n: Node, format: Exclude<WeightFormat, 'dense'>): PackedWeight | undefined {
  if (!(w.constant?.data instanceof Float32Array || w.constant?.data instanceof Int8Array)) return undefined;
  try {
    return packWeight(w, n, format);
  } catch {
    return undefined;
  }
}

/**
 * The kernel for `n`. `profile` prices Conv/Gemm/MatMul candidates (default: the shipped
 * profile); an op none of whose candidates the profile has measured is chosen by target order.
 */
export function chooseKernel(g: Graph, n: Node, registry: KernelRegistry, targets: readonly Target[] = DEFAULT_TARGETS,
  profile: KernelProfile = getDefaultProfile(), prefer: Preference = 'speed'): KernelChoice | undefined {
  // Packed once, here: every sparse candidate's `supports`, the size comparison and lowering see these arrays.
  const format = wantedFormat(g, n);
  const packed = format === 'dense' ? undefined : packedWeight(g, n, format);
  const choice = chooseByCost(g, n, registry, targets, profile, prefer, packed) ?? chooseInt8ByCost(g, n, registry, targets, profile, prefer, packed)
    ?? chooseByTarget(g, n, registry, targets, prefer, packed);
  return choice && withStorage(g, n, choice, packed);
}

function matchingKernels(g: Graph, n: Node, registry: KernelRegistry): Kernel[] {
  const epilogue = epilogueOf(n);
  const dtype = decidingDtype(g, n);
  return [...registry.values()].filter((k) =>
    k.op === n.op && k.epilogue === epilogue && (k.dtypes === 'any' || (dtype !== undefined && k.dtypes.includes(dtype))));
}

/**
 * What --prefer size adds to a packed layer's reason: whether --prefer speed would have run the
 * packed kernel too (it is also the fastest) or a dense one (packed even where slower).
 */
function preferSizeNote(alsoFastest: boolean): string {
  return alsoFastest ? '--prefer size: packed, also the fastest' : '--prefer size: packed even where slower';
}

/** A sparse kernel is chosen over dense only when estimated at most this fraction of dense's time. */
export const SPARSE_MARGIN = 0.9;

const byCost = (targets: readonly Target[]) => (a: Estimate, b: Estimate): number =>
  a.ns - b.ns || targets.indexOf(a.kernel.target) - targets.indexOf(b.kernel.target) || (a.kernel.id < b.kernel.id ? -1 : a.kernel.id > b.kernel.id ? 1 : 0);

const est = (e: Estimate): string => `${formatMs(e.ns)} ms${e.from === 'prior' ? ' (prior)' : ''}`;

function chooseByCost(g: Graph, n: Node, registry: KernelRegistry, targets: readonly Target[], profile: KernelProfile, prefer: Preference,
  packed: PackedWeight | undefined): KernelChoice | undefined {
  const stats = layerStats(g, n);
  if (!stats) return undefined;
  const format = wantedFormat(g, n);
  const denseShapes = nodeShapes(g, n);
  const sparseShapes = packed ? nodeShapes(g, n, packed) : undefined;
  const allowed = matchingKernels(g, n, registry).filter((k) => targets.includes(k.target));
  const ofFormat = (k: Kernel, f: WeightFormat): boolean => (k.format ?? 'dense') === f;
  const fits = (k: Kernel): boolean => {
    const shapes = ofFormat(k, 'dense') ? denseShapes : sparseShapes;
    return shapes !== undefined && (k.supports === undefined || k.supports(shapes));
  };
  const relevant = allowed.filter((k) => ofFormat(k, 'dense') || (format !== 'dense' && ofFormat(k, format)));
  // A ref kernel is the readable spec, not a contender: it runs only where no fast kernel fits
  // (a tuned profile priced f32-conv-relu-1x1-ref below the wasmsimd/js convs on silero's tiny
  // stride-2 1-D convs, a per-call overhead the profile's small shapes do not separate).
  // Judged per weight format, so a sparse ref kernel still competes where no fast one reads its format.
  const fitting = relevant.filter(fits);
  const hasFast = (f: WeightFormat): boolean => fitting.some((k) => k.target !== 'ref' && ofFormat(k, f));
  const raw = fitting.filter((k) => k.target !== 'ref' || !hasFast(k.format ?? 'dense')).map((k) => estimate(k, stats, profile)).filter((e): e is Estimate => e !== undefined);
  if (!raw.some((e) => e.from === 'profile')) return undefined;
  const estimates = raw.map((e) => rowBlockFloor(e, raw, stats));
  estimates.sort(byCost(targets));
  const bestDense = estimates.find((e) => ofFormat(e.kernel, 'dense'));
  const bestSparse = estimates.find((e) => !ofFormat(e.kernel, 'dense'));
  // A sparse kernel has to beat dense by SPARSE_MARGIN, not by a hair: estimates err by several
  // percent, and a near-tie (per-row 2:4 on row-block kernels) measured slower end to end.
  const nearTie = bestSparse !== undefined && bestDense !== undefined && bestSparse === estimates[0] && bestSparse.ns > SPARSE_MARGIN * bestDense.ns;
  const size = prefer === 'size' && bestSparse ? smallerPacked(g, n, packed) : undefined;
  if (bestSparse && size) {
    return {
      kernel: bestSparse.kernel, ns: bestSparse.ns,
      reason: `${format} sparse (${preferSizeNote(bestSparse === estimates[0] && !nearTie)}): est. ${est(bestSparse)} vs ${bestDense ? `dense ${bestDense.kernel.id} ${est(bestDense)}` : 'no dense kernel'}`,
    };
  }
  if (bestSparse && bestDense && nearTie) {
    return {
      kernel: bestDense.kernel, ns: bestDense.ns,
      reason: `DENSIFIED: ${format} ${bestSparse.kernel.id} est. ${est(bestSparse)} is not ${Math.round((1 - SPARSE_MARGIN) * 100)}% below dense ${bestDense.kernel.id} ${est(bestDense)}`,
    };
  }
  const best = estimates[0]!;
  const target = best.kernel.target;
  if (!ofFormat(best.kernel, 'dense')) {
    return { kernel: best.kernel, ns: best.ns, reason: `${format} sparse ${TARGET_REASON[target]}: est. ${est(best)} vs ${bestDense ? `dense ${bestDense.kernel.id} ${est(bestDense)}` : 'no dense kernel'}` };
  }
  const runnerUp = estimates.find((e) => e.kernel !== best.kernel && ofFormat(e.kernel, 'dense'));
  const denseReason = `${TARGET_REASON[target]}: est. ${est(best)}${runnerUp ? ` vs ${runnerUp.kernel.id} ${est(runnerUp)}` : ' (only candidate)'}`;
  if (format === 'dense') return { kernel: best.kernel, ns: best.ns, reason: denseReason };
  if (bestSparse) {
    return { kernel: best.kernel, ns: best.ns, reason: `DENSIFIED: dense ${best.kernel.id} est. ${est(best)} < ${format} ${bestSparse.kernel.id} ${est(bestSparse)}` };
  }
  const refused = relevant.filter((k) => ofFormat(k, format));
  return {
    kernel: best.kernel, ns: best.ns,
    reason: refused.length > 0
      ? `DENSIFIED: no ${format} kernel supports this ${n.op} (${refused.map((k) => k.id).join(', ')}); ${denseReason}`
      : `DENSIFIED: no kernel reads ${format} for ${n.op}; ${denseReason}`,
  };
}

/**
 * An int8 product (QLinearConv, QLinearMatMul) whose weight is pruned and packs: its dense kernels
 * against those reading the packing, priced per element of their work (cost.ts kernelElementWork:
 * the N:M int8 conv by its kept multiply-adds and the activation rows it builds), the packed one
 * only where SPARSE_MARGIN below dense, as for Conv/Gemm/MatMul. Undefined for a dense weight
 * (target order chooses, as before) and where the profile has timed none of the candidates.
 */
function chooseInt8ByCost(g: Graph, n: Node, registry: KernelRegistry, targets: readonly Target[], profile: KernelProfile, prefer: Preference,
  packed: PackedWeight | undefined): KernelChoice | undefined {
  if (!packed || !isInt8Product(n.op)) return undefined;
  const format = packed.format;
  const denseShapes = nodeShapes(g, n), sparseShapes = nodeShapes(g, n, packed);
  const ofFormat = (k: Kernel, f: WeightFormat): boolean => (k.format ?? 'dense') === f;
  const fitting = matchingKernels(g, n, registry).filter((k) => targets.includes(k.target) && k.target !== 'ref'
    && (ofFormat(k, 'dense') || ofFormat(k, format)) && (k.supports === undefined || k.supports(ofFormat(k, 'dense') ? denseShapes : sparseShapes)));
  const raw = fitting.flatMap((k) => {
    const work = kernelElementWork(k, g, n, packed);
    return work === undefined ? [] : [estimateElements(k, work, profile)];
  });
  const estimates = raw.sort(byCost(targets));
  const bestDense = estimates.find((e) => ofFormat(e.kernel, 'dense'));
  const bestSparse = estimates.find((e) => !ofFormat(e.kernel, 'dense'));
  if (!bestSparse || !bestDense || !raw.some((e) => e.from === 'profile')) return undefined;
  const vs = `vs dense ${bestDense.kernel.id} ${est(bestDense)}`;
  if (prefer === 'size' && smallerPacked(g, n, packed)) {
    const alsoFastest = bestSparse.ns <= SPARSE_MARGIN * bestDense.ns;
    return { kernel: bestSparse.kernel, ns: bestSparse.ns, reason: `${format} sparse (${preferSizeNote(alsoFastest)}): est. ${est(bestSparse)} ${vs}` };
  }
  if (bestSparse.ns <= SPARSE_MARGIN * bestDense.ns) {
    return { kernel: bestSparse.kernel, ns: bestSparse.ns, reason: `${format} sparse ${TARGET_REASON[bestSparse.kernel.target]}: est. ${est(bestSparse)} ${vs}` };
  }
  return {
    kernel: bestDense.kernel, ns: bestDense.ns,
    reason: `DENSIFIED: ${format} ${bestSparse.kernel.id} est. ${est(bestSparse)} is not ${Math.round((1 - SPARSE_MARGIN) * 100)}% below dense ${bestDense.kernel.id} ${est(bestDense)}`,
  };
}

/**
 * A row-block kernel runs the dense kernel's 4×8 tile over the kept columns only, so per
 * multiply-add it is never cheaper than the dense kernel of its target: its estimate is at least
 * (its work / dense work) × that kernel's. The linear fits alone can say otherwise on shapes
 * unlike the tuned ones (per-row 2:4, union fill ~0.94, was estimated 20% faster on resnet10_w32's
 * 3×3 convs and measured 3% slower).
 */
function rowBlockFloor(e: Estimate, all: readonly Estimate[], stats: LayerStats): Estimate {
  if (!isRowBlock(e.kernel)) return e;
  const dense = all.filter((d) => (d.kernel.format ?? 'dense') === 'dense' && d.kernel.target === e.kernel.target).sort((a, b) => a.ns - b.ns)[0];
  const work = kernelWork(e.kernel, stats), denseWork = dense && kernelWork(dense.kernel, stats);
  if (!dense || work === undefined || !denseWork) return e;
  const floor = (work / denseWork) * dense.ns;
  return floor > e.ns ? { ...e, ns: floor } : e;
}

/** Preference order alone: the first allowed target with a kernel that supports the node. */
function chooseByTarget(g: Graph, n: Node, registry: KernelRegistry, targets: readonly Target[], prefer: Preference,
  packed: PackedWeight | undefined): KernelChoice | undefined {
  const epilogue = epilogueOf(n);
  const dtype = decidingDtype(g, n);
  const format = wantedFormat(g, n);
  const shapes = nodeShapes(g, n);
  const sparseShapes = packed ? nodeShapes(g, n, packed) : undefined;
  const matching = matchingKernels(g, n, registry);
  // A sparse kernel is asked about the weight packed as it will read it, as at load; one that cannot have it (the weight does not pack) refuses.
  const refuses = (k: Kernel): boolean => {
    if ((k.format ?? 'dense') === 'dense') return k.supports !== undefined && !k.supports(shapes);
    return sparseShapes === undefined || (k.supports !== undefined && !k.supports(sparseShapes));
  };
  const refusing = matching.filter(refuses);
  const candidates = matching.filter((k) => !refusing.includes(k));
  const pick = (fmt: WeightFormat): KernelChoice | undefined => {
    const ofFormat = candidates.filter((c) => (c.format ?? 'dense') === fmt);
    for (const target of targets) {
      const k = ofFormat.filter((c) => c.target === target).sort((a, b) => (a.id < b.id ? -1 : 1))[0];
      if (!k) continue;
      const skipped = targets.slice(0, targets.indexOf(target));
      const what = fmt === 'dense' ? TARGET_REASON[target] : `${fmt} sparse ${TARGET_REASON[target]}`;
      const refused = skipped.filter((t) => refusing.some((r) => r.target === t && (r.format ?? 'dense') === fmt));
      const reason = skipped.length === 0
        ? `${what} (preferred target)`
        : refused.length > 0
          ? `${what}: the ${refused.join('/')} kernel does not support this ${n.op} (${refusing.filter((r) => refused.includes(r.target) && (r.format ?? 'dense') === fmt).map((r) => r.id).join(', ')})`
          : `${what}: no ${skipped.join('/')} kernel for ${n.op}${epilogue ? '+' + epilogue : ''}${fmt === 'dense' ? '' : ' ' + fmt} on ${dtype}`;
      return { kernel: k, reason };
    }
    return undefined;
  };
  if (format !== 'dense') {
    const sparse = pick(format);
    const dense = pick('dense');
    // A sparse kernel only on a slower target loses to a dense one on a faster target (a js CSR
    // conv runs ~15× below a wasmsimd dense one): targets are listed fastest first.
    const denseFaster = sparse !== undefined && dense !== undefined && targets.indexOf(dense.kernel.target) < targets.indexOf(sparse.kernel.target);
    const size = prefer === 'size' && sparse ? smallerPacked(g, n, packed) : undefined;
    if (sparse && size) return { kernel: sparse.kernel, reason: `${sparse.reason} (${preferSizeNote(!denseFaster)})` };
    if (sparse && dense && denseFaster) {
      return { kernel: dense.kernel, reason: `DENSIFIED: the ${format} kernel for ${n.op} is ${sparse.kernel.target} only (${sparse.kernel.id}), the dense ${dense.kernel.target} kernel is faster; ${dense.reason}` };
    }
    if (sparse) return sparse;
    return dense && { kernel: dense.kernel, reason: `DENSIFIED: no kernel reads ${format} for ${n.op}; ${dense.reason}` };
  }
  return pick('dense');
}
