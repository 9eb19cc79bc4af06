// The generic interpreter: binds every tensor to the arena or the weight section once, prepares
// each node's kernel, and runs the closures in order. After load, run() allocates only the
// output arrays it hands back.
//
// Memory: without wasmsimd kernels the arena is a plain ArrayBuffer and weights stay views into
// the artifact. When a node's kernel is wasmsimd and this engine runs SIMD, the arena, copies of
// the dense weights and the kernels' scratch share ONE WebAssembly.Memory sized up front
// (kernels/wasm/env.ts), so js and wasm kernels read the same views. If SIMD or instantiation
// is unavailable, the plain arena is used and each wasmsimd kernel prepares its js equivalent.

import type { LoadedArtifact, LoadedTensor } from '../loader/model.js';
import type { Kernel, KernelRegistry, NodeShapes, RunFn } from '../kernels/kernel.js';
import type { WasmSpace } from '../kernels/wasm/env.js';
import { align16, createWasmSpace } from '../kernels/wasm/env.js';
import type { DType, TensorView, TypedArray } from '../tensor.js';
import { dtypeOfArray, shapeString, sizeOf, viewArray } from '../tensor.js';

export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** What run() accepts per input: a typed array (shape taken from the model) or an explicit tensor. */
export type Feed = TypedArray | { readonly data: TypedArray; readonly shape?: readonly number[] };

export class RunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}

export class Interpreter {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  private readonly views: TensorView[];
  private readonly steps: RunFn[];
  private readonly inputIdx: readonly number[];
  private readonly outputIdx: readonly number[];
  private arena: ArrayBufferLike | null;
  /** True when wasmsimd kernels run in WebAssembly (false: none used, or they fell back to js). */
  readonly wasmsimd: boolean;

  /**
   * Loads with WebAssembly memory when the artifact uses wasmsimd kernels, `wasm` allows it and
   * the engine runs SIMD; otherwise as the plain constructor does.
   */
  static async create(a: LoadedArtifact, registry: KernelRegistry, wasm = true): Promise<Interpreter> {
    const wasmNodes = a.nodes.filter((n) => registry.get(n.kernel)?.target === 'wasmsimd');
    if (!wasm || wasmNodes.length === 0) return new Interpreter(a, registry);
    let fixed = align16(a.arenaBytes);
    for (const t of a.tensors) if (t.kind === 'weight' && !t.packed && t.data) fixed += align16(t.data.byteLength);
    let scratch = 0;
    for (const n of wasmNodes) scratch += (registry.get(n.kernel)!.scratchBytes?.(nodeShapes(a, n)) ?? 0) + 256;
    return new Interpreter(a, registry, await createWasmSpace(fixed, scratch));
  }

  constructor(a: LoadedArtifact, registry: KernelRegistry, space?: WasmSpace) {
    this.wasmsimd = space !== undefined;
    let arena: ArrayBufferLike, base = 0;
    if (space) {
      arena = space.memory.buffer;
      base = space.alloc(a.arenaBytes);
    } else arena = new ArrayBuffer(a.arenaBytes);
    this.arena = arena;
    this.views = a.tensors.map((t) => bindTensor(t, arena, base, space));
    const warm: RunFn[] = [];
    this.steps = a.nodes.map((n) => {
      const kernel = registry.get(n.kernel);
      if (!kernel) throw new RunError(`node '${n.name}' (${n.op}) needs kernel '${n.kernel}', which this runtime does not have`);
      if (space && kernel.target === 'wasmsimd') {
        const step = this.prepareNode(n, kernel, space);
        warm.push(step);
        return step;
      }
      return this.prepareNode(n, kernel, undefined);
    });
    // The engine compiles wasm lazily and tiers up hot functions: run each wasm step a few times
    // now (on whatever the arena holds; they only write their own outputs) so the first run()
    // is not the slow one.
    for (let i = 0; i < 3; i++) for (const step of warm) step();
    this.inputIdx = a.inputs;
    this.outputIdx = a.outputs;
    const info = (i: number): TensorInfo => ({ name: a.tensors[i].name, dtype: a.tensors[i].dtype, shape: a.tensors[i].shape });
    this.inputs = a.inputs.map(info);
    this.outputs = a.outputs.map(info);
  }

  private prepareNode(n: LoadedArtifact['nodes'][number], kernel: Kernel, space: WasmSpace | undefined): RunFn {
    let outs = n.outputs;
    while (outs.length > 0 && outs[outs.length - 1] < 0) outs = outs.slice(0, -1);
    return kernel.prepare({
      node: n.name,
      inputs: n.inputs.map((i) => (i < 0 ? undefined : this.views[i])),
      outputs: outs.map((o) => {
        if (o < 0) throw new RunError(`node '${n.name}': an omitted output precedes a used one`);
        return this.views[o];
      }),
      attrs: n.attrs,
      ...(space ? { wasm: space } : {}),
    });
  }

  /** Copies the feeds in, runs every node, returns fresh copies of the outputs. */
  run(feeds: Readonly<Record<string, Feed>>): Record<string, TensorView> {
    if (!this.arena) throw new RunError('model was disposed');
    const expected = new Set(this.inputs.map((i) => i.name));
    const extra = Object.keys(feeds).filter((k) => !expected.has(k));
    if (extra.length > 0) throw new RunError(`unknown input(s) ${extra.map((e) => `'${e}'`).join(', ')}; the model's inputs are ${[...expected].map((e) => `'${e}'`).join(', ')}`);
    this.inputIdx.forEach((ti, k) => {
      const info = this.inputs[k];
      const feed = feeds[info.name];
      if (feed === undefined) throw new RunError(`missing input '${info.name}' (${info.dtype}${shapeString(info.shape)})`);
      const data = ArrayBuffer.isView(feed) ? feed : feed.data;
      const shape = ArrayBuffer.isView(feed) ? undefined : feed.shape;
      const got = dtypeOfArray(data);
      const want = info.dtype === 'bool' ? 'uint8' : info.dtype;
      if (got !== want) throw new RunError(`input '${info.name}': expected ${info.dtype} data, got ${got}`);
      if (shape && (shape.length !== info.shape.length || shape.some((d, i) => d !== info.shape[i]))) {
        throw new RunError(`input '${info.name}': expected shape ${shapeString(info.shape)}, got ${shapeString(shape)}`);
      }
      const view = this.views[ti].data;
      if (data.length !== view.length) throw new RunError(`input '${info.name}': expected ${view.length} elements (shape ${shapeString(info.shape)}), got ${data.length}`);
      (view as Float32Array).set(data as Float32Array);
    });
    for (const step of this.steps) step();
    const out: Record<string, TensorView> = {};
    this.outputIdx.forEach((ti, k) => {
      const v = this.views[ti];
      out[this.outputs[k].name] = { dtype: v.dtype, shape: v.shape, data: v.data.slice() };
    });
    return out;
  }

  dispose(): void {
    this.arena = null;
    this.views.length = 0;
    this.steps.length = 0;
  }
}

/** Activations at `base` + their arena offset; dense weights copied into `space` when there is one. */
function bindTensor(t: LoadedTensor, arena: ArrayBufferLike, base: number, space: WasmSpace | undefined): TensorView {
  if (t.kind === 'weight') {
    if (!t.data) throw new RunError(`weight '${t.name}' has no data`);
    if (t.packed) return { dtype: t.dtype, shape: t.shape, data: t.data, packed: t.packed };
    if (!space) return { dtype: t.dtype, shape: t.shape, data: t.data };
    const copy = viewArray(t.dtype, arena, space.alloc(t.data.byteLength), t.data.length);
    (copy as Float32Array).set(t.data as Float32Array);
    return { dtype: t.dtype, shape: t.shape, data: copy };
  }
  return { dtype: t.dtype, shape: t.shape, data: viewArray(t.dtype, arena, base + (t.arenaOffset ?? 0), sizeOf(t.shape)) };
}

/** A node's shapes before any view exists (for a kernel's scratchBytes). */
function nodeShapes(a: LoadedArtifact, n: LoadedArtifact['nodes'][number]): NodeShapes {
  const info = (i: number) => {
    const t = a.tensors[i]!;
    return { dtype: t.dtype, shape: t.shape, ...(t.packed ? { packed: t.packed } : {}) };
  };
  return { inputs: n.inputs.map((i) => (i < 0 ? undefined : info(i))), outputs: n.outputs.filter((o) => o >= 0).map(info), attrs: n.attrs };
}
