// Running a bucketed artifact (Model.shape_buckets): picks the bucket a run's sequence length
// fits, runs that bucket's plan (bound on first use), and for a length between buckets pads the
// inputs with zeros and slices the outputs back, only where the artifact names a mask input.

import type { LoadedArtifact, ShapePlan } from '../loader/model.js';
import type { BucketLayout } from '../loader/check-buckets.js';
import type { TensorView, TypedArray } from '../tensor.js';
import type { Feed, RunOptions, TensorInfo } from './bind.js';
import { RunError } from './run-error.js';

/** The artifact a plan runs as: the plan's graph with the artifact's name, features and provenance. */
export function planArtifactOf(a: LoadedArtifact, plan: ShapePlan): LoadedArtifact {
  return {
    formatVersion: a.formatVersion, requiredFeatures: a.requiredFeatures, name: a.name, provenance: a.provenance,
    tensors: plan.tensors, nodes: plan.nodes, inputs: plan.inputs, outputs: plan.outputs, arenaBytes: plan.arenaBytes,
  };
}

/** What runs one plan (an Interpreter, or a test's stand-in). */
export interface PlanRunner {
  readonly inputs: readonly TensorInfo[];
  run(feeds: Readonly<Record<string, Feed>>, options?: RunOptions): Record<string, TensorView>;
  dispose(): void;
}

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Chooses, binds (once per bucket, through `bind`) and runs the bucket each run's feeds fit. */
export class BucketRunner {
  private readonly runners = new Map<number, Promise<PlanRunner>>();
  private disposed = false;

  constructor(private readonly layout: BucketLayout, private readonly bind: (plan: number) => Promise<PlanRunner>) {}

  /** The lengths this artifact serves, for messages: `16, 32, 64` (and any length up to 64 when padding is exact). */
  private served(): string {
    const { lengths, maskInput } = this.layout;
    return `${lengths.join(', ')}${maskInput >= 0 ? ` (and any length up to ${lengths[lengths.length - 1]}, padded)` : ''}`;
  }

  async run(feeds: Readonly<Record<string, Feed>>, options?: RunOptions): Promise<Record<string, TensorView>> {
    if (this.disposed) throw new RunError('model was disposed');
    const length = this.lengthOf(feeds);
    const { lengths, maskInput } = this.layout;
    const exact = lengths.indexOf(length);
    if (exact >= 0) return (await this.runner(exact)).run(feeds, options);
    const bucket = lengths.findIndex((l) => l > length);
    if (bucket < 0) throw new RunError(`sequence length ${length} exceeds the largest bucket: this artifact serves lengths ${this.served()}`);
    if (maskInput < 0) {
      throw new RunError(`sequence length ${length} is not a bucket, and the model has no attention-mask input to pad with: this artifact serves lengths ${this.served()}`);
    }
    const runner = await this.runner(bucket);
    const padded: Record<string, Feed> = {};
    for (const [k, info] of runner.inputs.entries()) {
      const axis = this.layout.inputAxes[k]!;
      const data = dataOf(feeds[info.name]!);
      padded[info.name] = axis < 0 ? feeds[info.name]! : { data: resize(data, info.shape, axis, length, lengths[bucket]!), shape: info.shape };
    }
    const full = runner.run(padded);
    const out: Record<string, TensorView> = {};
    const ends = this.layout.plans[bucket]!;
    ends.outputs.forEach((t, o) => {
      const name = ends.tensors[t]!.name;
      const axis = this.layout.outputAxes[o]!;
      const view = full[name]!;
      const shape = view.shape.map((d, i) => (i === axis ? length : d));
      const sliced = resize(view.data, view.shape, axis, lengths[bucket]!, length);
      const into = options?.outputs?.[name];
      if (into !== undefined) {
        if (into.length !== sliced.length) throw new RunError(`options.outputs '${name}': expected ${sliced.length} elements (shape [${shape.join(',')}]), got ${into.length}`);
        (into as Float32Array).set(sliced as Float32Array);
      }
      out[name] = { dtype: view.dtype, shape, data: into ?? sliced };
    });
    return out;
  }

  /**
   * The run's sequence length: every input the buckets lengthen has it along its axis (from the
   * feed's shape, or its element count over the other dimensions), and they agree.
   */
  private lengthOf(feeds: Readonly<Record<string, Feed>>): number {
    const first = this.layout.plans[0]!;
    let length: number | undefined;
    first.inputs.forEach((t, k) => {
      const axis = this.layout.inputAxes[k]!;
      const info = first.tensors[t]!;
      const feed = feeds?.[info.name] as Feed | undefined;
      if (axis < 0 || feed === undefined) return;
      const data = dataOf(feed);
      const shape = ArrayBuffer.isView(feed) ? undefined : (feed as { shape?: readonly number[] }).shape;
      const others = product(info.shape.filter((_, i) => i !== axis));
      const mine = Array.isArray(shape) && shape.length === info.shape.length ? shape[axis]
        : ArrayBuffer.isView(data) && others > 0 && data.length % others === 0 ? data.length / others : undefined;
      if (typeof mine !== 'number' || !Number.isInteger(mine) || mine < 1) {
        throw new RunError(`input '${info.name}': cannot tell its sequence length (dimension ${axis}); this artifact serves lengths ${this.served()}`);
      }
      if (length !== undefined && mine !== length) throw new RunError(`input '${info.name}': sequence length ${mine}, other inputs have ${length}`);
      length = mine;
    });
    if (length === undefined) throw new RunError(`missing the inputs that set the sequence length; this artifact serves lengths ${this.served()}`);
    return length;
  }

  private runner(bucket: number): Promise<PlanRunner> {
    let r = this.runners.get(bucket);
    if (r === undefined) this.runners.set(bucket, (r = this.bind(bucket)));
    return r;
  }

  dispose(): void {
    this.disposed = true;
    for (const r of this.runners.values()) void r.then((x) => x.dispose(), () => {});
    this.runners.clear();
  }
}

function dataOf(feed: Feed): TypedArray {
  return (ArrayBuffer.isView(feed) ? feed : (feed as { data: TypedArray }).data) as TypedArray;
}

/**
 * `data` of `shape` with dimension `axis` at `from`, copied into an array with it at `to`: the
 * first min(from, to) positions kept, the rest zero (padding) or dropped (slicing back).
 */
function resize(data: TypedArray, shape: readonly number[], axis: number, from: number, to: number): TypedArray {
  const inner = product(shape.slice(axis + 1));
  const outer = product(shape.slice(0, axis));
  const keep = Math.min(from, to) * inner;
  if (data.length !== outer * from * inner) throw new RunError(`expected ${outer * from * inner} elements along a sequence of ${from}, got ${data.length}`);
  const out = new (data.constructor as new (n: number) => TypedArray)(outer * to * inner);
  for (let o = 0; o < outer; o++) (out as Float32Array).set((data as Float32Array).subarray(o * from * inner, o * from * inner + keep), o * to * inner);
  return out;
}
