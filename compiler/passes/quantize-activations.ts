// quantize-activations: --quantize int8's static activations. Around every Conv/Gemm/MatMul whose
// weight is on the int8 grid and whose int8 form the cost model estimates faster, it writes the
// QDQ form (QuantizeLinear → DequantizeLinear pairs with per-tensor parameters from calibration
// ranges, the weight as int8 codes and a DequantizeLinear); fuse-qdq then turns it into the int8
// ops: one mechanism for ingested and produced int8.

import type { Attr, Constant, Graph, Node, Value } from '../ir/graph.js';
import { attrFloat, attrInt, isStatic, kernelAttrs, makeGraph, readersOf } from '../ir/graph.js';
import { nodeWeightAxes } from '../ir/weight-matrix.js';
import { toWeightMatrix } from '../../runtime/sparse/layout.js';
import { roundHalfEven } from '../../runtime/quant/stored.js';
import type { Range } from '../calibrate/ranges.js';
import { activationRanges } from '../calibrate/ranges.js';
import type { Kernel, KernelRegistry } from '../../runtime/kernels/kernel.js';
import type { Target } from '../analysis/kernel-choice.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';
import { chooseKernel, SPARSE_MARGIN } from '../analysis/kernel-choice.js';
import { estimate, estimateElements, formatMs, INT8_OUTPUT_WORK, int8NmWork, int8ProductWork, layerStats } from '../analysis/cost.js';
import { GEMV_MAX_ROWS } from '../../runtime/kernels/wasm/int8-gemv.js';
import type { KernelProfile } from '../analysis/profile.js';
import { getDefaultProfile } from '../analysis/profile.js';
import { DATA_MOVEMENT } from './fuse-qdq.js';
import type { Pass, PassContext } from './pass.js';

/**
 * Ops whose outputs are values of their input 0: a tensor they make from a quantized one is on its
 * grid, so it takes the same parameters (quantizing it again is exact, and stores no new ones).
 */
const SAME_GRID: ReadonlySet<string> = new Set([...DATA_MOVEMENT, 'MaxPool']);

/** int8 activation parameters: asymmetric over the range widened to hold 0 (so 0 is exact), as onnxruntime's quantizer computes them. */
export function activationParams(r: Range): { scale: number; zero: number } {
  const lo = Math.min(r.min, 0), hi = Math.max(r.max, 0);
  const scale = Math.fround((hi - lo) / 255);
  if (!(scale > 0) || !Number.isFinite(scale)) return { scale: 1, zero: -128 };
  return { scale, zero: Math.max(-128, Math.min(127, roundHalfEven(-128 - lo / scale))) };
}

/**
 * The int8 kernels other than the reference one, on an allowed target (`--targets`), that run `n`
 * as a QLinearConv (a Conv, or a Gemm written as a 1×1 Conv) or a QLinearMatMul: a layer only
 * the ref kernel would run, far slower than the float one, stays float until one exists. Each is
 * asked with the QLinearConv's shapes (a Gemm's 1×1 conv too: the grouped 1x8 kernel, which cannot
 * run a Gemm, priced digits_cnn's fc1 int8 once its entry fell below the group-1 kernel's).
 */
function fastInt8Kernels(n: Node, g: Graph, registry: KernelRegistry, targets: readonly Target[]): Kernel[] {
  // dense-weight kernels: one reading a packed weight is priced on its own work (nmInt8Price)
  const fast = (k: Kernel): boolean => k.target !== 'ref' && targets.includes(k.target) && (k.format ?? 'dense') === 'dense';
  if (n.op === 'MatMul') return [...registry.values()].filter((k) => k.op === 'QLinearMatMul' && fast(k));
  const shape = (name: string) => g.values.get(name)?.constant?.shape ?? g.values.get(name)!.shape as number[];
  // a Gemm (transB 0 or 1; int8Layer) runs as the 1×1 conv quantizeLayer writes: x [M, K, 1, 1], w [N, K, 1, 1]
  const gemm = n.op === 'Gemm' ? { x: shape(n.inputs[0]!), y: shape(n.outputs[0]!) } : undefined;
  const w = gemm ? [gemm.y[1]!, gemm.x[1]!, 1, 1] : shape(n.inputs[1]!);
  const scalar = { dtype: 'float32', shape: [] as number[] }, zero = { dtype: 'int8', shape: [] as number[] };
  const shapes = {
    inputs: [{ dtype: 'int8', shape: gemm ? [...gemm.x, 1, 1] : shape(n.inputs[0]!) }, scalar, zero, { dtype: 'int8', shape: w }, { dtype: 'float32', shape: [w[0]!] }, { dtype: 'int8', shape: [w[0]!] }, scalar, zero,
      ...(n.inputs[2] ? [{ dtype: 'int32', shape: [w[0]!] }] : [])],
    outputs: [{ dtype: 'int8', shape: gemm ? [...gemm.y, 1, 1] : shape(n.outputs[0]!) }],
    attrs: gemm ? {} : kernelAttrs(n),
  };
  return [...registry.values()].filter((k) => k.op === 'QLinearConv' && fast(k) && (!k.supports || k.supports(shapes)));
}

/**
 * The fast MatMulInteger kernels that run layer `n` in its float-output int8 form (a Gemm/MatMul
 * writing a graph output, at most GEMV_MAX_ROWS rows: fuse-qdq's MatMulInteger → Cast → Mul [→ Add]);
 * none for any other layer.
 */
function floatOutputKernels(n: Node, g: Graph, registry: KernelRegistry, targets: readonly Target[]): Kernel[] {
  if ((n.op !== 'Gemm' && n.op !== 'MatMul') || !g.outputs.includes(n.outputs[0]!)) return [];
  const x = g.values.get(n.inputs[0]!)?.shape as number[] | undefined, y = g.values.get(n.outputs[0]!)?.shape as number[] | undefined;
  if (!x || !y || x.length !== 2 || y.length !== 2 || x[0]! > GEMV_MAX_ROWS) return [];
  const shapes = { inputs: [{ dtype: 'int8', shape: x }, { dtype: 'int8', shape: [x[1]!, y[1]!] }, { dtype: 'int8', shape: [] as number[] }, { dtype: 'int8', shape: [] as number[] }], outputs: [{ dtype: 'int32', shape: y }], attrs: {} };
  return [...registry.values()].filter((k) => k.op === 'MatMulInteger' && k.target !== 'ref' && targets.includes(k.target) && (!k.supports || k.supports(shapes)));
}

/** A layer the int8 kernels can run: its weight on the int8 grid along its output axis, read by it alone, static float32 activations. */
function int8Layer(n: Node, g: Graph, readers: ReadonlyMap<string, number>, registry: KernelRegistry, targets: readonly Target[]): boolean {
  if (n.op !== 'Conv' && n.op !== 'Gemm' && n.op !== 'MatMul') return false;
  const w = g.values.get(n.inputs[1] ?? '');
  const x = g.values.get(n.inputs[0] ?? ''), y = g.values.get(n.outputs[0] ?? '');
  if (!w?.constant || w.quantization?.kind !== 'int8' || w.quantization.axis !== nodeWeightAxes(n).out || readers.get(w.name) !== 1) return false;
  if (x?.dtype !== 'float32' || y?.dtype !== 'float32' || !isStatic(x.shape) || !isStatic(y.shape) || x.constant) return false;
  if (n.op === 'Gemm') {
    if (attrInt(n, 'transA', 0) !== 0 || attrFloat(n, 'alpha', 1) !== 1 || attrFloat(n, 'beta', 1) !== 1 || x.shape.length !== 2) return false;
    const c = n.inputs[2] ? g.values.get(n.inputs[2])?.constant : undefined;
    if (n.inputs[2] && (!c || !(c.data instanceof Float32Array) || c.data.length !== y.shape[1])) return false;
  }
  return (n.op !== 'MatMul' || w.constant.shape.length === 2) && fastInt8Kernels(n, g, registry, targets).length > 0;
}

const elements = (g: Graph, name: string): number => (g.values.get(name)!.shape as number[]).reduce((a, d) => a * d, 1);

/** The least estimate among `kernels` for `work` units of elementWork (Infinity when none). */
function cheapest(kernels: readonly Kernel[], work: number, profile: KernelProfile): number {
  return Math.min(Infinity, ...kernels.map((k) => estimateElements(k, work, profile).ns));
}

/**
 * A candidate layer's estimates, ns: its float kernel's, its int8 kernel's, and the Q of its input and
 * DQ of its output at an island's edge (none for the float-output form, whose epilogue is in int8).
 */
interface Pricing { readonly float: number; readonly int8: number; readonly quantize: number; readonly dequantize: number; readonly floatOutput: boolean }

/**
 * Prices layer `n` both ways with the profile: the float kernel select-kernels would choose
 * (estimate on layerStats), and the cheapest fast int8 kernel on the QLinearConv/QLinearMatMul
 * fuse-qdq writes, whose elementWork is its multiply-adds and outputs; QuantizeLinear on the input and
 * DequantizeLinear on the output per element (each reads its tensor and two scalars and writes as
 * many elements).
 */
function price(n: Node, g: Graph, registry: KernelRegistry, targets: readonly Target[], profile: KernelProfile): Pricing {
  const choice = chooseKernel(g, n, registry, targets, profile);
  const stats = layerStats(g, n);
  const float = (choice && stats && estimate(choice.kernel, stats, profile)?.ns) ?? Infinity;
  const [x, y] = [elements(g, n.inputs[0]!), elements(g, n.outputs[0]!)];
  const dims = (name: string) => g.values.get(name)!.shape as number[];
  // the int8 product's work (cost.ts elementWork): a Gemm runs as a 1×1 conv over x's K
  const work = int8ProductWork(n.op !== 'MatMul', y, n.op === 'Gemm' ? [0, dims(n.inputs[0]!)[1]!] : dims(n.inputs[1]!));
  const dense8 = cheapest(fastInt8Kernels(n, g, registry, targets), work, profile), nm8 = nmInt8Price(n, g, registry, targets, profile);
  // as select-kernels will choose between them: the N:M int8 conv where 10% below the dense one
  const int8 = nm8 <= SPARSE_MARGIN * dense8 ? nm8 : dense8;
  const allowed = (op: string, dtype: string) => [...registry.values()].filter((k) => k.op === op && targets.includes(k.target) && (k.dtypes === 'any' || k.dtypes.includes(dtype)));
  const quantize = cheapest(allowed('QuantizeLinear', 'float32'), 2 * x + 2, profile);
  const dequantize = cheapest(allowed('DequantizeLinear', 'int8'), 2 * y + 2, profile);
  const gemv = floatOutputKernels(n, g, registry, targets);
  if (gemv.length > 0) {
    // the float-output form: the int8 gemv's products plus its Cast, Mul and Add, each an elementwise pass over y (priced as a DQ's)
    const k = dims(n.inputs[0]!)[1]!;
    return { float, int8: cheapest(gemv, y * (k + INT8_OUTPUT_WORK), profile) + 3 * dequantize, quantize, dequantize: 0, floatOutput: true };
  }
  return { float, int8, quantize, dequantize, floatOutput: false };
}

/**
 * The N:M int8 conv's estimate for a group-1 Conv whose weight is pruned N:M (its QLinearConv will
 * read the int8 codes packed: cost.ts int8NmWork), Infinity for any other layer or without such a kernel.
 */
function nmInt8Price(n: Node, g: Graph, registry: KernelRegistry, targets: readonly Target[], profile: KernelProfile): number {
  const w = g.values.get(n.inputs[1] ?? '');
  const s = w?.sparsity;
  if (n.op !== 'Conv' || attrInt(n, 'group', 1) !== 1 || s?.kind !== 'nm' || !s.n || !s.m || !w?.constant || w.constant.shape.length < 3) return Infinity;
  const kernels = [...registry.values()].filter((k) => k.op === 'QLinearConv' && k.format === 'nm' && k.target !== 'ref' && targets.includes(k.target));
  return cheapest(kernels, int8NmWork(elements(g, n.outputs[0]!), w.constant.shape, s.n, s.m), profile);
}

/**
 * The layers to run int8: starting from every candidate, greedily drops the layer whose return to
 * float lowers the estimated time of all of them most (each layer's int8 or float kernel, the Q of
 * each quantized source no int8 layer writes, paid once however many int8 layers read it, and the
 * DQ of each int8 output a float node or the graph reads), until no drop lowers it. Between two
 * int8 layers no Q/DQ runs, so a chain can gain where a lone layer loses; a drop is priced with
 * the edges it opens (its int8 readers' Q, its int8 producer's DQ), so a layer that loses a little
 * on its own stays int8 inside a chain whose edges would cost more. Data-movement ops (fuse-qdq
 * runs them on int8) are looked through.
 */
function chooseInt8(g: Graph, candidates: readonly Node[], prices: ReadonlyMap<Node, Pricing>): Set<Node> {
  const producers = new Map<string, Node>(), readers = readersOf(g);
  for (const n of g.nodes) for (const o of n.outputs) producers.set(o, n);
  const moves = (n: Node | undefined): n is Node => !!n && DATA_MOVEMENT.includes(n.op) && n.outputs.length === 1;
  const source = (t: string): string => { const p = producers.get(t); return moves(p) ? source(p.inputs[0]!) : t; };
  const chosen = new Set(candidates);
  const sources = new Map(candidates.map((n) => [n, source(n.inputs[0]!)]));
  const floatReader = (t: string): boolean => g.outputs.includes(t) || (readers.get(t) ?? []).some((r) =>
    moves(r) && r.inputs[0] === t ? floatReader(r.outputs[0]!) : !(chosen.has(r) && r.inputs[0] === t));
  const total = (): number => {
    let ns = 0;
    const quantized = new Map<string, number>();
    for (const n of candidates) {
      const p = prices.get(n)!;
      if (!chosen.has(n)) { ns += p.float; continue; }
      ns += p.int8 + (floatReader(n.outputs[0]!) ? p.dequantize : 0);
      const src = sources.get(n)!, producer = producers.get(src);
      if (!(producer && chosen.has(producer))) quantized.set(src, Math.max(quantized.get(src) ?? 0, p.quantize));
    }
    for (const q of quantized.values()) ns += q;
    return ns;
  };
  for (;;) {
    let drop: Node | undefined, least = total();
    for (const n of candidates) {
      if (!chosen.has(n)) continue;
      chosen.delete(n);
      const ns = total();
      chosen.add(n);
      if (ns < least) [drop, least] = [n, ns];
    }
    if (!drop) return chosen;
    chosen.delete(drop);
  }
}

/** The int8 codes of a weight on its grid (exact: each element is its code times its channel's scale), laid out as `shape` reads them. */
function weightCodes(w: Value, transpose: boolean): Int8Array {
  const c = w.constant!, q = w.quantization!, data = c.data as Float32Array;
  const dim = c.shape[q.axis]!;
  let inner = 1;
  for (let d = q.axis + 1; d < c.shape.length; d++) inner *= c.shape[d]!;
  const codes = Int8Array.from(data, (v, i) => roundHalfEven(v / q.scales![Math.floor(i / inner) % dim]!));
  // Gemm B [K, N] as a 1×1 conv's [N, K].
  return transpose ? toWeightMatrix('Gemm', c.shape, false, codes) : codes;
}

class Builder {
  readonly nodes: Node[] = [];
  readonly values: Map<string, Value>;
  /** Per tensor, the names of its scale and zero point constants. */
  readonly params = new Map<string, readonly [string, string]>();
  /** Per tensor, its DequantizeLinear output (one Q/DQ pair per tensor, shared by its readers). */
  readonly dequantized = new Map<string, string>();

  constructor(g: Graph, private readonly ranges: ReadonlyMap<string, Range>, private readonly producers: ReadonlyMap<string, Node>) {
    this.values = new Map(g.values);
  }

  fresh(base: string): string {
    if (!this.values.has(base)) return base;
    for (let k = 1; ; k++) if (!this.values.has(`${base}_${k}`)) return `${base}_${k}`;
  }

  constant(base: string, c: Constant): string {
    const name = this.fresh(base);
    this.values.set(name, { name, dtype: c.dtype, shape: c.shape, constant: c });
    return name;
  }

  value(base: string, dtype: Value['dtype'], shape: readonly number[]): string {
    const name = this.fresh(base);
    this.values.set(name, { name, dtype, shape });
    return name;
  }

  /**
   * The parameters of tensor `t`: those of the tensor a data-movement op made it from (so the op
   * runs on int8, fuse-qdq), else from `t`'s calibrated range (or `rangeOf`'s); undefined without one.
   */
  paramsOf(t: string): readonly [string, string] | undefined {
    const known = this.params.get(t) ?? this.movedParams(t);
    if (known) return known;
    const r = this.ranges.get(t);
    if (!r) return undefined;
    const { scale, zero } = activationParams(r);
    const names = [this.constant(`${t}_scale`, { dtype: 'float32', shape: [], data: Float32Array.of(scale) }),
      this.constant(`${t}_zp`, { dtype: 'int8', shape: [], data: Int8Array.of(zero) })] as const;
    this.params.set(t, names);
    return names;
  }

  /** The parameters of the quantized tensor a SAME_GRID op made `t` from (through a chain of them). */
  private movedParams(t: string): readonly [string, string] | undefined {
    const p = this.producers.get(t);
    if (!p || !SAME_GRID.has(p.op)) return undefined;
    return this.params.get(p.inputs[0]!) ?? this.movedParams(p.inputs[0]!);
  }

  /**
   * A data-movement op whose input is quantized: pushed with a Q/DQ pair of the same parameters on
   * its output (exact: its values are on that grid), so fuse-qdq runs it on int8. False otherwise.
   */
  movement(n: Node): boolean {
    const p = DATA_MOVEMENT.includes(n.op) && n.outputs.length === 1 ? this.params.get(n.inputs[0]!) : undefined;
    const out = n.outputs[0]!, v = this.values.get(out);
    if (!p || v?.dtype !== 'float32' || !isStatic(v.shape)) return false;
    const float = this.value(`${out}_f`, 'float32', v.shape);
    this.nodes.push({ ...n, inputs: [this.input(n.inputs[0]!, p), ...n.inputs.slice(1)], outputs: [float] });
    this.qdq(float, p, v.shape, out);
    this.params.set(out, p);
    return true;
  }

  /** Q(src) → DQ into `out` (a new value unless given), with `t`'s parameters. */
  qdq(src: string, params: readonly [string, string], shape: readonly number[], out?: string): string {
    const q = this.value(`${src}_q`, 'int8', shape);
    this.nodes.push({ name: this.fresh(`${src}_QuantizeLinear`), op: 'QuantizeLinear', inputs: [src, ...params], outputs: [q], attrs: {} });
    const d = out ?? this.value(`${src}_dq`, 'float32', shape);
    this.nodes.push({ name: `${src}_DequantizeLinear`, op: 'DequantizeLinear', inputs: [q, ...params], outputs: [d], attrs: {} });
    return d;
  }

  /** The dequantized form of activation `t` (one pair per tensor). */
  input(t: string, params: readonly [string, string]): string {
    let d = this.dequantized.get(t);
    if (!d) this.dequantized.set(t, (d = this.qdq(t, params, this.values.get(t)!.shape as number[])));
    return d;
  }

  /**
   * The weight as int8 codes and a DequantizeLinear along `axis`: what fuse-qdq reads. The codes keep
   * the pruned weight's sparsity record (its zeros are zero codes, in the same matrix view: a Gemm's
   * B [K, N] written as [N, K, 1, 1] is the same rows × cols), so they are stored packed.
   */
  weight(w: Value, transpose: boolean, shape: readonly number[], axis: number): string {
    const scales = w.quantization!.scales!;
    const codes = this.fresh(`${w.name}_q`);
    this.values.set(codes, { name: codes, dtype: 'int8', shape, constant: { dtype: 'int8', shape, data: weightCodes(w, transpose) }, ...(w.sparsity ? { sparsity: w.sparsity } : {}), codesOf: w.quantization! });
    const s = this.constant(`${w.name}_scale`, { dtype: 'float32', shape: [scales.length], data: Float32Array.from(scales) });
    const z = this.constant(`${w.name}_zp`, { dtype: 'int8', shape: [scales.length], data: new Int8Array(scales.length) });
    const d = this.value(`${w.name}_dq`, 'float32', shape);
    this.nodes.push({ name: `${w.name}_DequantizeLinear`, op: 'DequantizeLinear', inputs: [codes, s, z], outputs: [d], attrs: { axis: { kind: 'int', value: axis } } });
    return d;
  }

  reshape(src: string, shape: readonly number[], base: string): string {
    const s = this.constant(`${base}_shape`, { dtype: 'int64', shape: [shape.length], data: BigInt64Array.from(shape, BigInt) });
    const out = this.value(base, 'float32', shape);
    this.nodes.push({ name: this.fresh(`${base}_Reshape`), op: 'Reshape', inputs: [src, s], outputs: [out], attrs: {} });
    return out;
  }
}

/** Writes a float-output layer (floatOutputKernels) in QDQ form: DQ(x), the weight's DQ as B [K, N] (axis 1), the Gemm/MatMul writing its float output, no Q. */
function quantizeFloatOutput(n: Node, b: Builder, xp: readonly [string, string]): void {
  const w = b.values.get(n.inputs[1]!)!;
  // floatOutputKernels checked: x [M, K], y [M, N]
  const k = (b.values.get(n.inputs[0]!)!.shape as number[])[1]!, cols = (b.values.get(n.outputs[0]!)!.shape as number[])[1]!;
  const transB = n.op === 'Gemm' && attrInt(n, 'transB', 0) !== 0;
  const wd = b.weight(w, transB, [k, cols], 1);
  const attrs = n.op === 'Gemm' ? { ...n.attrs, transB: { kind: 'int', value: 0 } as Attr } : n.attrs;
  b.nodes.push({ ...n, inputs: [b.input(n.inputs[0]!, xp), wd, ...n.inputs.slice(2)], attrs });
}

/** Writes layer `n` in QDQ form: Conv and MatMul as they are, Gemm as a 1×1 Conv between Reshapes (QLinearConv carries its bias). */
function quantizeLayer(n: Node, b: Builder, xp: readonly [string, string], yp: readonly [string, string]): void {
  const x = n.inputs[0]!, y = n.outputs[0]!;
  const w = b.values.get(n.inputs[1]!)!;
  const yShape = b.values.get(y)!.shape as number[];
  const yFloat = b.value(`${y}_f`, 'float32', yShape);
  const epilogue: Record<string, Attr> = {};
  for (const k of ['spc_activation', 'spc_act_min', 'spc_act_max']) if (n.attrs[k]) epilogue[k] = n.attrs[k]!;
  if (n.op !== 'Gemm') {
    const wd = b.weight(w, false, w.constant!.shape, n.op === 'Conv' ? 0 : 1);
    b.nodes.push({ ...n, inputs: [b.input(x, xp), wd, ...n.inputs.slice(2)], outputs: [yFloat] });
  } else {
    const [m, k] = b.values.get(x)!.shape as [number, number];
    const nOut = yShape[1]!;
    const transB = attrInt(n, 'transB', 0) !== 0;
    const wd = b.weight(w, !transB, [nOut, k, 1, 1], 0);
    const x4 = b.reshape(b.input(x, xp), [m, k, 1, 1], `${x}_4d`);
    const bias = n.inputs[2] ? [b.constant(`${n.inputs[2]}_1d`, { dtype: 'float32', shape: [nOut], data: b.values.get(n.inputs[2])!.constant!.data })] : [];
    const y4 = b.value(`${y}_4d`, 'float32', [m, nOut, 1, 1]);
    b.nodes.push({ name: n.name, op: 'Conv', inputs: [b.qdq(x4, xp, [m, k, 1, 1]), wd, ...bias], outputs: [y4], attrs: { kernel_shape: { kind: 'ints', value: [1, 1] }, ...epilogue } });
    b.nodes.push({ name: b.fresh(`${n.name}_Reshape`), op: 'Reshape', inputs: [b.qdq(y4, yp, [m, nOut, 1, 1]), b.constant(`${y}_shape`, { dtype: 'int64', shape: [2], data: BigInt64Array.of(BigInt(m), BigInt(nOut)) })], outputs: [yFloat], attrs: {} });
  }
  b.qdq(yFloat, yp, yShape, y);
  b.params.set(y, yp);
}

/**
 * With --quantize int8 (calibration data given): every layer the int8 kernels can run (weight on
 * the int8 grid, quantize-weights) and chooseInt8 estimates faster as int8 gets per-tensor int8
 * parameters for its input and output from their calibrated ranges (min/max widened to hold 0), and is written in QDQ form; the tensors
 * data-movement ops make from a quantized tensor share its parameters (and a Q/DQ pair). A layer whose input or output has no
 * range (a graph output: the classifier's logits), that only the ref int8 kernel would run, or
 * whose int8 form is estimated slower (noted by name), stays float, on its dequantized int8 weight.
 *
 * Preconditions: weights quantized (quantize-weights), shapes static. Postconditions: QDQ pairs
 * around the int8 layers, which fuse-qdq rewrites into QLinearConv/QLinearMatMul.
 */
export const quantizeActivations: Pass = {
  name: 'quantize-activations',
  summary: 'write int8 layers in QDQ form with per-tensor activation scales from calibration (--quantize int8)',
  run(graph: Graph, ctx: PassContext): Graph {
    const calib = ctx.settings.calib;
    if (ctx.settings.quantize !== 'int8' || !calib) return graph;
    const readers = new Map<string, number>();
    for (const n of graph.nodes) for (const x of n.inputs) readers.set(x, (readers.get(x) ?? 0) + 1);
    const registry = ctx.registry ?? defaultRegistry();
    const { targets } = ctx.settings, profile = ctx.settings.profile ?? getDefaultProfile();
    const candidates = graph.nodes.filter((n) => int8Layer(n, graph, readers, registry, targets)
      && (!graph.outputs.includes(n.outputs[0]!) || floatOutputKernels(n, graph, registry, targets).length > 0));
    const prices = new Map(candidates.map((n) => [n, price(n, graph, registry, targets, profile)]));
    const chosen = chooseInt8(graph, candidates, prices);
    for (const n of candidates) {
      if (chosen.has(n)) continue;
      const p = prices.get(n)!;
      ctx.log({ pass: 'quantize-activations', node: n.name, message: `stays float: int8 estimated slower (kernel ${formatMs(p.int8)} ms, Q ${formatMs(p.quantize)} ms, DQ ${formatMs(p.dequantize)} ms at an island's edge) than float ${formatMs(p.float)} ms` });
    }
    const layers = candidates.filter((n) => chosen.has(n));
    if (layers.length === 0) return graph;
    const floatOutput = new Set(layers.filter((n) => prices.get(n)!.floatOutput));
    const ranges = activationRanges(graph, calib, new Set(layers.flatMap((n) => floatOutput.has(n) ? [n.inputs[0]!] : [n.inputs[0]!, n.outputs[0]!])));
    const producers = new Map<string, Node>();
    for (const n of graph.nodes) for (const o of n.outputs) producers.set(o, n);
    const b = new Builder(graph, ranges, producers);
    let count = 0;
    for (const n of graph.nodes) {
      if (floatOutput.has(n)) {
        const xp = b.paramsOf(n.inputs[0]!);
        if (xp) { quantizeFloatOutput(n, b, xp); count++; } else b.nodes.push(n);
        continue;
      }
      const xp = layers.includes(n) && !graph.outputs.includes(n.outputs[0]!) ? b.paramsOf(n.inputs[0]!) : undefined;
      const yp = xp ? b.paramsOf(n.outputs[0]!) : undefined;
      if (xp && yp) { quantizeLayer(n, b, xp, yp); count++; } else if (!b.movement(n)) b.nodes.push(n);
    }
    if (count === 0) return graph;
    ctx.log({ pass: 'quantize-activations', message: `${count} layers int8 (activations per tensor from ${calib.samples.length} calibration samples, min/max)` });
    return makeGraph({ ...graph, nodes: b.nodes, values: b.values.values() });
  },
};
