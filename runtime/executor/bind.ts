// Binding: the one step both execution paths share. It turns a loaded artifact into memory and
// prepared closures: the arena (a plain ArrayBuffer, or one WebAssembly.Memory when wasmsimd
// kernels run in WebAssembly), a view per tensor, dense weights copied into that memory (a packed
// weight whose kernel reads it dense expanded there: the storage codec), kernel scratch, and each
// node's kernel prepared once. The interpreter is this plus a loop over the
// closures; a generated dispatch module (compiler/emit/dispatch.ts) is this plus one call per
// node. Feeds in and outputs out go through copyFeeds/readOutputs here, so both paths check
// and copy the same way.
//
// Memory: without wasmsimd kernels the arena is a plain ArrayBuffer and weights stay views into
// the artifact. When a node's kernel is wasmsimd and a space factory is given (kernels/wasm/env.ts
// createWasmSpace) that yields a space (the engine runs SIMD), the arena, copies of the dense
// weights and the kernels' scratch share ONE WebAssembly.Memory sized up front, so js and wasm
// kernels read the same views. Otherwise the plain arena is used and each wasmsimd kernel
// prepares its js equivalent.

import type { LoadedArtifact, LoadedNode, LoadedTensor, Provenance } from '../loader/model.js';
import type { Kernel, KernelRegistry, RunFn } from '../kernels/kernel.js';
import type { WasmSpace, WasmSpaceFactory } from '../kernels/wasm/env.js';
import type { DType, TensorView, TypedArray } from '../tensor.js';
import { DTYPE_BYTES, dtypeOfArray, shapeString, sizeOf, storageDType, viewArray } from '../tensor.js';
import { KernelError } from '../kernels/kernel.js';
import { expandWeight } from '../sparse/expand.js';
import { weightInputOf, type WeightOp } from '../sparse/layout.js';
import { checkNodeKernels, nodeShapes } from './check-nodes.js';
import { branchProgram, branchRegions } from './branches.js';
import { RunError } from './run-error.js';

export { RunError } from './run-error.js';

export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** What run() accepts per input: a typed array (shape taken from the model) or an explicit tensor. */
export type Feed = TypedArray | { readonly data: TypedArray; readonly shape?: readonly number[] };

export interface RunOptions {
  /**
   * Arrays to write outputs into, by output name (dtype and length must match the output);
   * the returned views then hold these arrays. Outputs not named here are fresh copies. With
   * every output given, run() creates no array or buffer.
   */
  readonly outputs?: Readonly<Record<string, TypedArray>>;
}

/** A loaded model, whichever path runs it (loadModel's interpreter, or a generated module's load). */
export interface Model {
  readonly name: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly provenance: Provenance;
  /** True when the artifact's wasmsimd kernels run in WebAssembly (false: none, or js fallback). */
  readonly wasmsimd: boolean;
  /**
   * True when they run the relaxed-SIMD build of the kernel module (fused multiply-add: the
   * engine has relaxed SIMD and the load did not set `relaxedSimd: false`); false: the SIMD128
   * build, or no WebAssembly.
   */
  readonly relaxedSimd: boolean;
  /** The packed weights expanded to dense at load (loadModel sets it; absent from generated dispatch modules). */
  readonly expanded?: ExpansionStats;
  /**
   * A bucketed artifact's sequence lengths, in increasing order, and whether a length between
   * them runs (padded through the attention mask, sliced back); absent: one input shape.
   */
  readonly shapeBuckets?: { readonly lengths: readonly number[]; readonly padding: boolean };
  /** Runs the model; resolves to one tensor per model output, by name. */
  run(feeds: Readonly<Record<string, Feed>>, options?: RunOptions): Promise<Record<string, TensorView>>;
  /** Releases the arena; the model cannot run afterwards. */
  dispose(): void;
}

/** What the storage codec cost at load: packed weights expanded for dense kernels, their dense bytes now resident, and the time. */
export interface ExpansionStats {
  readonly weights: number;
  readonly bytes: number;
  /**
   * Time spent expanding, where the bind was given a clock (loadModel's). Absent otherwise:
   * the compiler's binds pass none, so a compile reads no clock (bind-clock.test.ts).
   */
  readonly ms?: number;
}

/** Creates the WebAssembly memory for a load (kernels/wasm/env.ts createWasmSpace); undefined: use js. */
/** A monotonic millisecond clock (performance.now); a bind reads one only when its caller passes it. */
export type Clock = () => number;

export type SpaceFactory = WasmSpaceFactory;

export interface Binding {
  readonly artifact: LoadedArtifact;
  /** The buffer holding the arena: a plain ArrayBuffer, or the WebAssembly.Memory's buffer. */
  readonly arena: ArrayBufferLike;
  /** Byte offset of the arena in `arena` (a tensor's view starts at base + its arenaOffset). */
  readonly base: number;
  /** One view per artifact tensor. */
  readonly views: TensorView[];
  /** One prepared closure per node, in node order. */
  readonly steps: RunFn[];
  /**
   * When the artifact has If branches: the step program (executor/branches.ts) that runs only
   * the taken branch, and the condition views its jumps read, by tensor index.
   */
  readonly program?: Int32Array;
  readonly conds?: readonly Uint8Array[];
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** True when wasmsimd kernels run in WebAssembly (false: none used, or they fell back to js). */
  readonly wasmsimd: boolean;
  /** True when they run the relaxed-SIMD kernel module (kernels/wasm/env.ts). */
  readonly relaxedSimd: boolean;
  readonly expanded: ExpansionStats;
}

/**
 * Binds with WebAssembly memory when the artifact uses wasmsimd kernels and `createSpace` yields
 * a space; otherwise with a plain arena (wasmsimd kernels then prepare their js equivalents).
 * `clock` times the storage codec's expansion (ExpansionStats.ms); without one no clock is read.
 */
export async function bindArtifact(a: LoadedArtifact, registry: KernelRegistry, createSpace?: SpaceFactory, clock?: Clock): Promise<Binding> {
  // Every node is checked against its kernel before any kernel code (scratchBytes, prepare) runs.
  const kernels = checkNodeKernels(a, registry);
  const wasmNodes = a.nodes.filter((_, i) => kernels[i].target === 'wasmsimd');
  if (!createSpace || wasmNodes.length === 0) return bindWith(a, kernels, undefined, clock);
  let fixed = align16(a.arenaBytes);
  // Counted as bindTensor copies: once per stored weight, by its buffer and place in it.
  const copied = new Map<ArrayBufferLike, Set<string>>();
  for (const t of a.tensors) {
    if (t.kind !== 'weight' || !t.data) continue;
    if (t.packed) {
      if (t.kernelLayout === 'dense') fixed += align16(sizeOf(t.shape) * DTYPE_BYTES[t.dtype]);
      continue;
    }
    const seen = copied.get(t.data.buffer) ?? new Set<string>();
    copied.set(t.data.buffer, seen);
    if (seen.has(storageKey(t.data))) continue;
    seen.add(storageKey(t.data));
    fixed += align16(t.data.byteLength);
  }
  let scratch = 0;
  for (const n of wasmNodes) scratch += (registry.get(n.kernel)!.scratchBytes?.(nodeShapes(a, n)) ?? 0) + 256;
  // The kernel families these kernels call, in node order (one module each, kernels/wasm/modules/).
  const modules = [...new Set(a.nodes.flatMap((_, i) => kernels[i].wasmModules ?? []))];
  return bindWith(a, kernels, await createSpace(fixed, scratch, modules), clock);
}

/** Binds synchronously: into `space` when given (its fixed region must fit the arena and dense weights), else a plain arena; reads no clock. */
export function bindArtifactSync(a: LoadedArtifact, registry: KernelRegistry, space?: WasmSpace): Binding {
  return bindWith(a, checkNodeKernels(a, registry), space, undefined);
}

/** `clock` is required (undefined: untimed) so that no caller reads one by default. */
function bindWith(a: LoadedArtifact, kernels: readonly Kernel[], space: WasmSpace | undefined, clock: Clock | undefined): Binding {
  let arena: ArrayBufferLike, base = 0;
  if (space) {
    arena = space.memory.buffer;
    base = space.alloc(a.arenaBytes);
  } else arena = new ArrayBuffer(a.arenaBytes);
  const copies: WeightCopies = new Map();
  const expandAs = expansionViews(a);
  let expandedBytes = 0, expandMs = 0;
  const views = a.tensors.map((t, i) => {
    if (!t.packed || t.kernelLayout !== 'dense') return bindTensor(t, arena, base, space, copies);
    const started = clock?.() ?? 0;
    const view = expandTensor(t, expandAs.get(i), arena, space);
    expandMs += (clock?.() ?? 0) - started;
    expandedBytes += view.data.byteLength;
    return view;
  });
  const expanded: ExpansionStats = { weights: expandAs.size, bytes: expandedBytes, ...(clock ? { ms: expandMs } : {}) };
  const weights = a.tensors.map((t) => t.kind === 'weight');
  const warm = new Map<string, RunFn>();
  const steps = a.nodes.map((n, i) => {
    const kernel = kernels[i];
    const wasm = space && kernel.target === 'wasmsimd' ? space : undefined;
    const step = prepareNode(n, kernel, views, weights, wasm);
    if (wasm && !warm.has(kernel.id)) warm.set(kernel.id, step);
    return step;
  });
  // V8 compiles each wasm function on its first call (Liftoff) and recompiles hot ones in the
  // background (TurboFan): without this, the first run() paid both (resnet10_w32: 37 ms CPU
  // against 6.3 steady). One step per kernel compiles its code and starts the tier-up; running
  // every step (three passes until issue 17) cost up to 3 runs' time at load and bought no more.
  // The steps read whatever the arena holds and write only their own outputs.
  for (const step of warm.values()) step();
  const info = (i: number): TensorInfo => ({ name: a.tensors[i].name, dtype: a.tensors[i].dtype, shape: a.tensors[i].shape });
  // Checked at load too (loader/load.ts); again here for artifacts built in memory.
  const program = branchProgram(a.nodes.length, branchRegions(a.nodes, (m) => new RunError(m)));
  const conds = program ? views.map((v) => (v.dtype === 'bool' ? v.data as Uint8Array : new Uint8Array(0))) : undefined;
  return {
    artifact: a, arena, base, views, steps, ...(program ? { program, conds } : {}),
    inputs: a.inputs.map(info), outputs: a.outputs.map(info),
    wasmsimd: space !== undefined, expanded,
    relaxedSimd: space?.relaxed ?? false,
  };
}

/** For each weight stored packed that its kernels read dense, the node view it expands by (the loader checked all its readers agree). */
function expansionViews(a: LoadedArtifact): Map<number, { readonly op: WeightOp; readonly transB: boolean }> {
  const views = new Map<number, { readonly op: WeightOp; readonly transB: boolean }>();
  for (const n of a.nodes) {
    const reads = weightInputOf(n.op);
    const t = reads === undefined ? -1 : n.inputs[reads.input] ?? -1;
    if (t < 0 || a.tensors[t]?.kernelLayout !== 'dense' || views.has(t)) continue;
    const transB = n.attrs['transB'];
    views.set(t, { op: reads!.view, transB: reads!.view === 'Gemm' && typeof transB === 'number' && transB !== 0 });
  }
  return views;
}

/**
 * The dense weight a packed one expands to (the storage codec), in `space` when there is one (where
 * the dense weights are copied anyway) or a fresh array: bounded by the dense shape the loader checked.
 */
function expandTensor(t: LoadedTensor, as: { readonly op: WeightOp; readonly transB: boolean } | undefined, arena: ArrayBufferLike,
  space: WasmSpace | undefined): TensorView {
  if (!as) throw new RunError(`weight '${t.name}' is stored packed for a dense kernel, but no Conv, Gemm, MatMul, QLinearConv or QLinearMatMul reads it as its weight`);
  const elements = sizeOf(t.shape);
  // float32, or the int8 weight of a QLinearConv/QLinearMatMul (the loader allows no other packed dtype).
  const bytes = t.dtype === 'int8' ? 1 : 4;
  const at = space ? space.alloc(elements * bytes) : 0;
  const data = t.dtype === 'int8'
    ? (space ? new Int8Array(arena, at, elements) : new Int8Array(elements))
    : (space ? new Float32Array(arena, at, elements) : new Float32Array(elements));
  try {
    expandWeight(t.packed!, as.op, t.shape, as.transB, data);
  } catch (e) {
    throw new RunError(`weight '${t.name}': ${e instanceof Error ? e.message : String(e)}`);
  }
  return { dtype: t.dtype, shape: t.shape, data };
}

/** Prepares one node's kernel; a kernel refusing the node (KernelError, which names it) is a binding error, a RunError. */
function prepareNode(n: LoadedNode, kernel: Kernel, views: readonly TensorView[], weights: readonly boolean[], space: WasmSpace | undefined): RunFn {
  try {
    return prepareKernel(n, kernel, views, weights, space);
  } catch (e) {
    if (e instanceof KernelError) throw new RunError(e.message);
    throw e;
  }
}

/** `weights[t]`: tensor t is a weight, which the kernel may pack once (KernelContext.constants). */
function prepareKernel(n: LoadedNode, kernel: Kernel, views: readonly TensorView[], weights: readonly boolean[], space: WasmSpace | undefined): RunFn {
  let outs = n.outputs;
  while (outs.length > 0 && outs[outs.length - 1] < 0) outs = outs.slice(0, -1);
  return kernel.prepare({
    node: n.name,
    inputs: n.inputs.map((i) => (i < 0 ? undefined : views[i])),
    outputs: outs.map((o) => {
      if (o < 0) throw new RunError(`node '${n.name}': an omitted output precedes a used one`);
      return views[o];
    }),
    attrs: n.attrs,
    constants: n.inputs.map((i) => i >= 0 && weights[i] === true),
    ...(space ? { wasm: space } : {}),
  });
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * Where a weight's bytes sit in the artifact: tensors the writer stored once (identical weights)
 * share one copy in WebAssembly memory, so a small artifact cannot ask for a copy per tensor.
 */
const storageKey = (data: TypedArray): string => `${data.byteOffset}:${data.byteLength}`;

/**
 * The copies made so far, by the buffer the stored bytes live in, then by where in it: weights
 * dequantized at load each have a buffer of their own (at offset 0), never the artifact's.
 */
type WeightCopies = Map<ArrayBufferLike, Map<string, TypedArray>>;

/** Activations at `base` + their arena offset; dense weights copied into `space` when there is one (once per stored weight). */
function bindTensor(t: LoadedTensor, arena: ArrayBufferLike, base: number, space: WasmSpace | undefined, copiesByBuffer: WeightCopies): TensorView {
  if (t.kind === 'weight') {
    if (!t.data) throw new RunError(`weight '${t.name}' has no data`);
    if (t.packed) return { dtype: t.dtype, shape: t.shape, data: t.data, packed: t.packed };
    if (!space) return { dtype: t.dtype, shape: t.shape, data: t.data };
    const key = storageKey(t.data);
    const copies = copiesByBuffer.get(t.data.buffer) ?? new Map<string, TypedArray>();
    copiesByBuffer.set(t.data.buffer, copies);
    const stored = copies.get(key);
    // Same bytes at the same place, possibly seen through another dtype: view the copy as this one.
    if (stored) return { dtype: t.dtype, shape: t.shape, data: viewArray(t.dtype, arena, stored.byteOffset, t.data.length) };
    const copy = viewArray(t.dtype, arena, space.alloc(t.data.byteLength), t.data.length);
    (copy as Float32Array).set(t.data as Float32Array);
    copies.set(key, copy);
    return { dtype: t.dtype, shape: t.shape, data: copy };
  }
  return { dtype: t.dtype, shape: t.shape, data: viewArray(t.dtype, arena, base + (t.arenaOffset ?? 0), sizeOf(t.shape)) };
}

/** What a feed's data is, for messages: a DType, or the name of whatever else it is. */
function describeData(data: unknown): string {
  if (data === null) return 'null';
  if (ArrayBuffer.isView(data)) {
    const known = data instanceof Float32Array || data instanceof Float64Array || data instanceof BigInt64Array
      || data instanceof Int32Array || data instanceof Int16Array || data instanceof Int8Array
      || (data instanceof Uint8Array && !(data instanceof Uint8ClampedArray)) || data instanceof Uint16Array
      || data instanceof Uint32Array || data instanceof BigUint64Array;
    return known ? dtypeOfArray(data as TypedArray) : `${data.constructor.name} (not a supported element type)`;
  }
  if (Array.isArray(data)) return 'a plain Array (pass a typed array, e.g. Float32Array.from(values))';
  return typeof data === 'object' ? 'an object without a typed array `data`' : typeof data;
}

/** How the dtypes without a typed array of their own are passed, for messages. */
const STORED_AS: Partial<Record<DType, string>> = { bool: ' (as Uint8Array)', float16: ' (as Uint16Array bit patterns)' };

/** Checks the feeds against the model's inputs and copies each into its arena view (views[k] for inputs[k]). */
export function copyFeeds(inputs: readonly TensorInfo[], views: readonly TypedArray[], feeds: Readonly<Record<string, Feed>>): void {
  const expected = (): string => inputs.map((e) => `'${e.name}' (${e.dtype}${shapeString(e.shape)})`).join(', ');
  if (feeds === null || typeof feeds !== 'object') throw new RunError(`run() takes an object of feeds by input name, got ${feeds === null ? 'null' : typeof feeds}; the model's inputs are ${expected()}`);
  for (const key in feeds) {
    if (Object.hasOwn(feeds, key) && !inputs.some((i) => i.name === key)) {
      const extra = Object.keys(feeds).filter((k) => !inputs.some((i) => i.name === k));
      throw new RunError(`unknown input(s) ${extra.map((e) => `'${e}'`).join(', ')}; the model's inputs are ${expected()}`);
    }
  }
  for (let k = 0; k < inputs.length; k++) {
    const info = inputs[k];
    const feed = feeds[info.name] as unknown;
    const want = `${info.dtype}${shapeString(info.shape)}`;
    if (feed === undefined) {
      const given = Object.keys(feeds);
      throw new RunError(`missing input '${info.name}' (${want})${given.length ? `; given: ${given.map((g) => `'${g}'`).join(', ')}` : ''}`);
    }
    const isView = ArrayBuffer.isView(feed);
    const bare = isView || Array.isArray(feed) || feed === null || typeof feed !== 'object';
    const data = (bare ? feed : (feed as { data?: unknown }).data) as unknown;
    const shape = bare ? undefined : (feed as { shape?: unknown }).shape;
    const got = describeData(data);
    if (got !== storageDType(info.dtype)) {
      throw new RunError(`input '${info.name}': expected ${info.dtype}${STORED_AS[info.dtype] ?? ''} data of shape ${shapeString(info.shape)}, got ${got}`);
    }
    const arr = data as TypedArray;
    if (shape !== undefined) {
      if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
        throw new RunError(`input '${info.name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
      }
      if (shape.length !== info.shape.length || shape.some((d, i) => d !== info.shape[i])) {
        throw new RunError(`input '${info.name}': expected shape ${shapeString(info.shape)} (${info.dtype}), got ${shapeString(shape)}`);
      }
      if (sizeOf(shape) !== arr.length) {
        throw new RunError(`input '${info.name}': shape ${shapeString(shape)} needs ${sizeOf(shape)} elements, the data has ${arr.length}`);
      }
    }
    const view = views[k];
    if (arr.length !== view.length) throw new RunError(`input '${info.name}': expected ${view.length} elements (${want}), got ${arr.length}`);
    (view as Float32Array).set(arr as Float32Array);
  }
}

/**
 * One tensor per output, by name: copied into the caller's array when `into` names it (checked:
 * same dtype, same length), else a fresh copy of the arena view (views[k] for outputs[k]).
 */
export function readOutputs(
  outputs: readonly TensorInfo[], views: readonly TypedArray[], into?: Readonly<Record<string, TypedArray>>,
): Record<string, TensorView> {
  if (into) {
    for (const key in into) {
      if (Object.hasOwn(into, key) && !outputs.some((o) => o.name === key)) {
        throw new RunError(`options.outputs: unknown output '${key}'; the model's outputs are ${outputs.map((o) => `'${o.name}'`).join(', ')}`);
      }
    }
  }
  const out: Record<string, TensorView> = {};
  for (let k = 0; k < outputs.length; k++) {
    const info = outputs[k], view = views[k];
    const dst = into?.[info.name];
    if (dst === undefined) {
      out[info.name] = { dtype: info.dtype, shape: info.shape, data: view.slice() };
      continue;
    }
    if (dtypeOfArray(dst) !== storageDType(info.dtype)) throw new RunError(`options.outputs '${info.name}': expected a ${info.dtype} array, got ${dtypeOfArray(dst)}`);
    if (dst.length !== view.length) throw new RunError(`options.outputs '${info.name}': expected ${view.length} elements (shape ${shapeString(info.shape)}), got ${dst.length}`);
    (dst as Float32Array).set(view as Float32Array);
    out[info.name] = { dtype: info.dtype, shape: info.shape, data: dst };
  }
  return out;
}

/**
 * A fingerprint of what binding depends on: every tensor's kind, dtype, shape, arena offset and
 * packed format, every node's kernel and tensor indices, the graph inputs and outputs, the
 * arena size (32-bit FNV-1a, hex). Weights' values are not part of it: a generated dispatch
 * module runs any artifact with the same layout.
 */
export function layoutFingerprint(a: LoadedArtifact): string {
  const parts: string[] = [`arena ${a.arenaBytes}`, `in ${a.inputs.join(',')}`, `out ${a.outputs.join(',')}`];
  for (const t of a.tensors) {
    parts.push(`t ${t.kind} ${t.dtype} ${t.shape.join('x')} ${t.arenaOffset ?? '-'} ${t.packed?.format ?? 'dense'}${t.kernelLayout === 'dense' ? '>dense' : ''}`);
  }
  for (const n of a.nodes) parts.push(`n ${n.kernel} ${n.inputs.join(',')} ${n.outputs.join(',')}`);
  let h = 0x811c9dc5;
  const text = parts.join('\n');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Checks that `a` is the artifact a generated module was made for: the same kernel per node,
 * in order, and the same layout fingerprint. Throws a RunError naming the first difference.
 */
export function checkArtifact(a: LoadedArtifact, model: string, kernelIds: readonly string[], fingerprint: string): void {
  const where = `this dispatch module was generated for '${model}' (${kernelIds.length} nodes)`;
  if (a.nodes.length !== kernelIds.length) throw new RunError(`${where}; the artifact '${a.name}' has ${a.nodes.length} nodes; regenerate with spc compile`);
  for (let i = 0; i < kernelIds.length; i++) {
    if (a.nodes[i].kernel !== kernelIds[i]) {
      throw new RunError(`${where}; node ${i} ('${a.nodes[i].name}') runs ${a.nodes[i].kernel} in the artifact, ${kernelIds[i]} in the module; regenerate with spc compile`);
    }
  }
  const got = layoutFingerprint(a);
  if (got !== fingerprint) throw new RunError(`${where}; the artifact's tensor layout differs (fingerprint ${got}, module ${fingerprint}); regenerate with spc compile`);
}

/** The kernel with `id` from a kernel module's export (one kernel, or a list of them). */
export function kernelById(from: Kernel | readonly Kernel[], id: string): Kernel {
  const found = Array.isArray(from) ? (from as readonly Kernel[]).find((k) => k.id === id) : (from as Kernel).id === id ? (from as Kernel) : undefined;
  if (!found) throw new RunError(`kernel '${id}' is not where the dispatch module expects it; regenerate with spc compile`);
  return found;
}
