// Evaluation of an artifact on samples with spc's own runtime: top-1 accuracy against labels
// and, against a reference artifact (the dense model), top-1 agreement and mean softmax KL.
// What `spc eval`, `npm run accuracy` and tests call.

import type { Graph } from '../ir/graph.js';
import { makeGraph } from '../ir/graph.js';
import type { CalibrationSet, SampleTensor } from '../calibrate/data.js';
import { SpcError } from '../errors.js';
import { loadModel } from '../../runtime/index.js';
import type { Model, TensorInfo } from '../../runtime/index.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import { ScoreAccumulator } from './metrics.js';

export interface EvalResult {
  /** Samples run (feeds), and output rows scored (samples × the input's batch). */
  readonly count: number;
  readonly rows: number;
  /** Fraction of rows whose top-1 class is the label (with labels). */
  readonly top1?: number;
  readonly correct?: number;
  /** Fraction of rows whose top-1 class is the reference's (with a reference). */
  readonly agreement?: number;
  /** Mean over rows of KL(softmax(reference) ‖ softmax(model)), in nats (with a reference). */
  readonly kl?: number;
}

type Samples = CalibrationSet | readonly Readonly<Record<string, SampleTensor>>[];

/**
 * The artifact's inputs as a graph holding only their values: what calibrate/data.ts's
 * readSamples needs to shape samples for the model.
 */
export function artifactInputGraph(bytes: Uint8Array): Graph {
  const a = parseArtifact(bytes);
  const inputs = a.inputs.map((i) => a.tensors[i]!);
  return makeGraph({
    name: a.name, opset: 0, inputs: inputs.map((t) => t.name), outputs: [], nodes: [],
    values: inputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })),
  });
}

/** Rows per run and classes per row of a classifier output: [b, C, 1…] for an input batch b, else one row. */
function rowsOf(out: TensorInfo, batch: number): { rows: number; classes: number } {
  const size = out.shape.reduce((a, d) => a * d, 1);
  const rows = out.shape.length >= 2 && out.shape[0] === batch ? batch : 1;
  return { rows, classes: size / rows };
}

async function load(bytes: Uint8Array, what: string): Promise<Model> {
  try {
    return await loadModel(bytes);
  } catch (e) {
    if (e instanceof Error && e.name === 'ArtifactError') e.message = `${what}: ${e.message}`;
    throw e;
  }
}

/**
 * Runs the artifact on every sample and scores its (first) output. `labels` holds one class
 * per output row, in sample order; `reference` is another artifact with the same input and
 * output shapes (the dense model), run on the same samples.
 */
export async function evaluateArtifact(
  bytes: Uint8Array, samples: Samples, labels?: ArrayLike<number>, reference?: Uint8Array,
): Promise<EvalResult> {
  const feeds = 'samples' in samples ? samples.samples : samples;
  const model = await load(bytes, 'model');
  const ref = reference ? await load(reference, 'reference') : undefined;
  try {
    if (model.inputs.length !== 1) throw new SpcError(`the model has ${model.inputs.length} inputs; evaluation supports single-input models`);
    const input = model.inputs[0]!;
    const out = model.outputs[0]!;
    const batch = input.shape[0] ?? 1;
    const { rows, classes } = rowsOf(out, batch);
    if (ref) {
      const refOut = ref.outputs[0];
      const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
      if (ref.inputs.length !== 1 || !same(ref.inputs[0]!.shape, input.shape)) {
        throw new SpcError(`the reference's input [${ref.inputs.map((i) => i.shape.join(',')).join('; ')}] differs from the model's [${input.shape.join(',')}]`);
      }
      if (!refOut || !same(refOut.shape, out.shape)) {
        throw new SpcError(`the reference's output [${refOut?.shape.join(',') ?? ''}] differs from the model's '${out.name}' [${out.shape.join(',')}]`);
      }
    }
    if (labels && labels.length !== feeds.length * rows) {
      throw new SpcError(`${labels.length} labels for ${feeds.length} samples of ${rows} row(s) each (${feeds.length * rows} expected)`);
    }
    if (labels) {
      for (let i = 0; i < labels.length; i++) {
        const l = labels[i]!;
        if (!(Number.isInteger(l) && l >= 0 && l < classes)) throw new SpcError(`label ${i} is ${l}, not a class of the model's ${classes} outputs (0 to ${classes - 1})`);
      }
    }
    const acc = new ScoreAccumulator();
    for (let s = 0; s < feeds.length; s++) {
      const t = feeds[s]![input.name];
      if (!t) throw new SpcError(`sample ${s} has no tensor for input '${input.name}'`);
      const feed = { [input.name]: { data: t.data, shape: t.shape } };
      const y = (await model.run(feed))[out.name]!.data as ArrayLike<number>;
      const yRef = ref ? (await ref.run(feed))[ref.outputs[0]!.name]!.data as ArrayLike<number> : undefined;
      acc.add(y, rows, classes, labels, s * rows, yRef);
    }
    return {
      count: feeds.length, rows: acc.rows,
      ...(labels ? { top1: acc.top1, correct: acc.correct } : {}),
      ...(ref ? { agreement: acc.agreement, kl: acc.kl } : {}),
    };
  } finally {
    model.dispose();
    ref?.dispose();
  }
}
