// The generic interpreter: binds every tensor to the arena or the weight section once, prepares
// each node's kernel, and runs the closures in order. After load, run() allocates only the
// output arrays it hands back.

import type { LoadedArtifact, LoadedTensor } from '../loader/model.js';
import type { KernelRegistry, RunFn } from '../kernels/kernel.js';
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
  private arena: ArrayBuffer | null;

  constructor(a: LoadedArtifact, registry: KernelRegistry) {
    this.arena = new ArrayBuffer(a.arenaBytes);
    const arena = this.arena;
    this.views = a.tensors.map((t) => bindTensor(t, arena));
    this.steps = a.nodes.map((n) => {
      const kernel = registry.get(n.kernel);
      if (!kernel) throw new RunError(`node '${n.name}' (${n.op}) needs kernel '${n.kernel}', which this runtime does not have`);
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
      });
    });
    this.inputIdx = a.inputs;
    this.outputIdx = a.outputs;
    const info = (i: number): TensorInfo => ({ name: a.tensors[i].name, dtype: a.tensors[i].dtype, shape: a.tensors[i].shape });
    this.inputs = a.inputs.map(info);
    this.outputs = a.outputs.map(info);
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

function bindTensor(t: LoadedTensor, arena: ArrayBuffer): TensorView {
  if (t.kind === 'weight') {
    if (!t.data) throw new RunError(`weight '${t.name}' has no data`);
    return t.packed ? { dtype: t.dtype, shape: t.shape, data: t.data, packed: t.packed } : { dtype: t.dtype, shape: t.shape, data: t.data };
  }
  return { dtype: t.dtype, shape: t.shape, data: viewArray(t.dtype, arena, t.arenaOffset ?? 0, sizeOf(t.shape)) };
}
