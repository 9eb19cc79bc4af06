// `spc tune`: times every kernel of ALL_KERNELS on the allowed targets (Conv/Gemm/MatMul on
// synthetic layers, layers.ts; every other op on synthetic nodes, element-nodes.ts) and fits per
// `<kernel id without epilogue>@<shape class>` the cost nsPerCall + nsPerUnit·work (analysis/cost.ts).

import type { Kernel, KernelContext, NodeShapes } from '../../runtime/kernels/kernel.js';
import type { TensorView } from '../../runtime/tensor.js';
import { sizeOf } from '../../runtime/tensor.js';
import { ALL_KERNELS } from '../../runtime/kernels/index.js';
import { wasmSimdAvailable } from '../../runtime/kernels/wasm/env.js';
import type { Target } from '../analysis/kernel-choice.js';
import { isInt8Product, kernelFamily, kernelWork, profileKey } from '../analysis/cost.js';
import type { ProfileEntry } from '../analysis/profile.js';
import { fitCost, fitElements } from './fit.js';
import type { Point } from './fit.js';
import { randomData, syntheticStats, tuneLayers, weightVariants } from './layers.js';
import type { SyntheticLayer, WeightVariant } from './layers.js';
import { FULL_TIMING, QUICK_TIMING, timeCall } from './measure.js';
import { wasmContext } from './wasm-context.js';
import { elementForms } from './element-nodes.js';
import { timeElementIsolated } from './element-timing.js';

export const TUNED_OPS: readonly string[] = ['Conv', 'Gemm', 'MatMul'];

export interface TuneOptions {
  readonly quick?: boolean;
  readonly targets: readonly Target[];
  /** Kernels to choose from (default ALL_KERNELS). */
  readonly kernels?: readonly Kernel[];
  /** Called before each kernel is timed (the CLI shows it on a TTY). */
  readonly progress?: (done: number, total: number, what: string) => void;
}

export interface Measurement {
  readonly key: string;
  /** The synthetic layer or node, e.g. 'pointwise 64×32 1×1/1 28×28', 'Add per channel 1×32×24×24'. */
  readonly layer: string;
  /** The weight variant ('none' for a per-element node). */
  readonly weight: string;
  readonly work: number;
  readonly ns: number;
}

export interface TuneResult {
  readonly entries: readonly ProfileEntry[];
  readonly measurements: readonly Measurement[];
  /** Why targets or kernels were left out (e.g. no WebAssembly SIMD on this engine). */
  readonly notes: readonly string[];
}

/** One kernel per family of those `keep` admits (its epilogue-free variant when there is one): epilogues cost next to nothing. */
function onePerFamily(kernels: readonly Kernel[], keep: (k: Kernel) => boolean): Kernel[] {
  const byFamily = new Map<string, Kernel>();
  for (const k of kernels) {
    if (!keep(k)) continue;
    const f = kernelFamily(k), seen = byFamily.get(f);
    if (!seen || (seen.epilogue !== '' && k.epilogue === '')) byFamily.set(f, k);
  }
  return [...byFamily.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The Conv/Gemm/MatMul kernels timed on the synthetic layers: one per family, float32, on the allowed targets. */
export function tunedKernels(kernels: readonly Kernel[], targets: readonly Target[]): Kernel[] {
  return onePerFamily(kernels, (k) => TUNED_OPS.includes(k.op) && targets.includes(k.target) && (k.dtypes === 'any' || k.dtypes.includes('float32')));
}

/** The per-element kernels (every other op) timed on synthetic nodes: one per family, on the allowed targets. */
export function elementKernels(kernels: readonly Kernel[], targets: readonly Target[]): Kernel[] {
  return onePerFamily(kernels, (k) => !TUNED_OPS.includes(k.op) && targets.includes(k.target));
}

/**
 * One point per size: the mean work and time of the forms the kernel ran at that size. Forms of
 * one size differ in speed per unit (a broadcast costs more than a same-shape Add) at about the
 * same work; fitted one by one on relative error, the fastest would win (an underestimate is off
 * by at most 100%, an overestimate by any factor), while a model's time is a sum over its forms.
 */
export function pointsPerSize(runs: readonly { size: number; work: number; ns: number }[]): Point[] {
  const bySize = new Map<number, { work: number; ns: number; n: number }>();
  for (const r of runs) {
    const a = bySize.get(r.size) ?? { work: 0, ns: 0, n: 0 };
    bySize.set(r.size, { work: a.work + r.work, ns: a.ns + r.ns, n: a.n + 1 });
  }
  return [...bySize.values()].map((a) => ({ work: a.work / a.n, ns: a.ns / a.n }));
}

function shapesOf(layer: SyntheticLayer, v: WeightVariant): NodeShapes {
  const f = (shape: readonly number[]) => ({ dtype: 'float32', shape });
  return {
    inputs: [f(layer.x), { ...f(layer.w), packed: v.packed }, ...(layer.bias ? [f(layer.bias)] : [])],
    outputs: [f(layer.y)],
    attrs: layer.attrs,
  };
}

/** Prepares `k` on the layer; undefined when it refuses (supports, or a KernelError from prepare). */
async function prepareOn(k: Kernel, layer: SyntheticLayer, v: WeightVariant): Promise<(() => void) | undefined> {
  const shapes = shapesOf(layer, v);
  if (k.supports && !k.supports(shapes)) return undefined;
  const x: TensorView = { dtype: 'float32', shape: layer.x, data: randomData(sizeOf(layer.x), 7) };
  const w: TensorView = v.packed
    ? { dtype: 'float32', shape: layer.w, data: new Float32Array(0), packed: v.packed }
    : { dtype: 'float32', shape: layer.w, data: v.dense };
  const b: TensorView | undefined = layer.bias ? { dtype: 'float32', shape: layer.bias, data: randomData(sizeOf(layer.bias), 3) } : undefined;
  const y: TensorView = { dtype: 'float32', shape: layer.y, data: new Float32Array(sizeOf(layer.y)) };
  const base = { node: `tune ${layer.name}`, attrs: layer.attrs };
  let ctx: KernelContext = { ...base, inputs: [x, w, ...(b ? [b] : [])], outputs: [y] };
  if (k.target === 'wasmsimd') {
    const inWasm = await wasmContext(k, base.node, layer.attrs, x, w, b, y);
    if (!inWasm) return undefined;
    ctx = inWasm;
  }
  try {
    return k.prepare(ctx);
  } catch (e) {
    if (e instanceof Error && e.name === 'KernelError') return undefined;
    throw e;
  }
}

/**
 * Weight bytes a gemv's timing cycles through: a model run reads a classifier's weight once, after
 * the rest of the network has pushed it out of cache, so a gemv timed hot (one weight, L2/L3)
 * measured 0.10 ms on mobilenet_v2_w050's 1280→1000 where the same kernel took 0.42–0.54 ms in the
 * model; 2× a 32 MiB L3.
 */
const COLD_WEIGHT_BYTES = 64 << 20;
const MAX_COLD_COPIES = 64;

/**
 * prepareOn, for a gemv as many separate copies (their own weight arrays and memory) as fill
 * COLD_WEIGHT_BYTES of dense weight (at most MAX_COLD_COPIES), called in turn so each call reads
 * its weight from memory as in a model run; any other layer once.
 */
async function prepareCold(k: Kernel, layer: SyntheticLayer, v: WeightVariant): Promise<(() => void) | undefined> {
  const copies = layer.shapeClass === 'gemv' ? Math.min(MAX_COLD_COPIES, Math.ceil(COLD_WEIGHT_BYTES / (layer.rows * layer.cols * 4))) : 1;
  const runs: (() => void)[] = [];
  for (let i = 0; i < copies; i++) {
    // each copy its own weight arrays: js and ref kernels read them in place
    const own = i === 0 ? v : { ...v, dense: v.dense.slice(), ...(v.packed ? { packed: structuredClone(v.packed) } : {}) };
    const run = await prepareOn(k, layer, own);
    if (!run) return undefined;
    runs.push(run);
  }
  if (runs.length === 1) return runs[0];
  let i = 0;
  return () => { runs[i]!(); i = i + 1 === runs.length ? 0 : i + 1; };
}

export async function runTune(o: TuneOptions): Promise<TuneResult> {
  const quick = o.quick ?? false;
  const plan = quick ? QUICK_TIMING : FULL_TIMING;
  const notes: string[] = [];
  let targets = o.targets;
  if (targets.includes('wasmsimd') && !wasmSimdAvailable()) {
    notes.push('no WebAssembly SIMD on this engine: wasmsimd kernels not timed (selection uses their priors)');
    targets = targets.filter((t) => t !== 'wasmsimd');
  }
  const kernels = tunedKernels(o.kernels ?? ALL_KERNELS, targets);
  const perElement = elementKernels(o.kernels ?? ALL_KERNELS, targets);
  const total = kernels.length + perElement.length;
  const layers = tuneLayers(quick);
  const measurements: Measurement[] = [];
  const points = new Map<string, Point[]>();
  const record = (key: string, layer: string, weight: string, work: number, ns: number): void => {
    measurements.push({ key, layer, weight, work, ns });
    points.set(key, [...(points.get(key) ?? []), { work, ns }]);
  };
  for (const [i, k] of kernels.entries()) {
    o.progress?.(i, total, kernelFamily(k));
    for (const layer of layers.filter((l) => l.op === k.op)) {
      for (const v of weightVariants(layer, k.format ?? 'dense', quick)) {
        const run = await prepareCold(k, layer, v);
        if (!run) continue;
        const work = kernelWork(k, syntheticStats(layer, v));
        if (work === undefined) continue;
        record(profileKey(k, layer.shapeClass), layer.name, v.name, work, timeCall(run, plan));
        if (layer.shapeClass === 'gemv') {
          // and hot, one weight called again and again: a model whose weights stay cached (cost.ts CACHED_MODEL_BYTES)
          const hot = await prepareOn(k, layer, v);
          if (hot) record(profileKey(k, 'gemv-cached'), layer.name, v.name, work, timeCall(hot, plan));
        }
      }
    }
  }
  const untemplated = new Set<string>(), unmeasured: string[] = [];
  for (const [i, k] of perElement.entries()) {
    o.progress?.(kernels.length + i, total, kernelFamily(k));
    if (elementForms(k.op, quick).length === 0) {
      untemplated.add(k.op);
      continue;
    }
    const t = await timeElementIsolated(k, quick, plan);
    for (const n of t.notes) if (!notes.includes(n)) notes.push(n);
    for (const r of t.runs) measurements.push({ key: profileKey(k, 'elements'), layer: r.layer, weight: 'none', work: r.work, ns: r.ns });
    if (t.runs.length === 0) unmeasured.push(kernelFamily(k));
    else points.set(profileKey(k, 'elements'), pointsPerSize(t.runs));
  }
  o.progress?.(total, total, 'done');
  if (untemplated.size > 0) notes.push(`no synthetic node for ${[...untemplated].sort().join(', ')}: their kernels keep the per-element priors (cost.ts ELEMENT_PRIORS)`);
  if (unmeasured.length > 0) notes.push(`no synthetic node that ${unmeasured.join(', ')} take${unmeasured.length === 1 ? 's' : ''}: kept at the per-element priors`);
  // Per-element ops: the call priced by the smallest node, the rate by the larger ones (fitElements);
  // products of multiply-adds on relative error, as the Conv/Gemm/MatMul layers (a model's many small layers count).
  const byMacs = new Set(perElement.filter((k) => isInt8Product(k.op)).map((k) => profileKey(k, 'elements')));
  const entries = [...points].map(([key, pts]): ProfileEntry => ({ key, ...(key.endsWith('@elements') && !byMacs.has(key) ? fitElements(pts) : fitCost(pts)), points: measurements.filter((m) => m.key === key).length }));
  return { entries: entries.sort((a, b) => (a.key < b.key ? -1 : 1)), measurements, notes };
}

/** The plain-text table `spc tune` prints: per key, the fit and the speed it implies (a unit is a multiply-add, or an element for @elements). */
export function formatTuneTable(entries: readonly ProfileEntry[]): string {
  const head = ['kernel@shape class', 'points', 'ns/call', 'ns/unit', 'Gunit/s'];
  const rows = entries.map((e) => [e.key, String(e.points), e.nsPerCall.toFixed(0), e.nsPerUnit.toPrecision(3), e.nsPerUnit > 0 ? (1 / e.nsPerUnit).toFixed(2) : '-']);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
