// The digits sets every accuracy section scores on (../shared/corpus/digits) and the one scorer:
// test accuracy as `spc eval` computes it, cross-checked against onnxruntime on the emitted ONNX.

import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { CompileResult } from '../../compiler/compile.js';
import { emitOnnx } from '../../compiler/emit/onnx.js';
import { readSamples } from '../../compiler/calibrate/data.js';
import { artifactInputGraph, evaluateArtifact } from '../../compiler/eval/evaluate.js';
import { readLabels } from '../../compiler/eval/labels.js';
import { argmax } from '../../compiler/eval/metrics.js';
import { ROOT } from '../bench/corpus.js';

export const DIGITS = join(ROOT, '..', 'shared', 'corpus', 'digits');
/** Calibration data: never the test set. */
export const CALIB = join(DIGITS, 'digits-calib-x.npy');
export const TEST_X = join(DIGITS, 'digits-test-x.npy');
export const TEST_Y = join(DIGITS, 'digits-test-y.npy');
/** The training split: its images not in the calibration set are a second held-out set (never used by the compiles). */
export const TRAIN_X = join(DIGITS, 'digits-train-x.npy');
export const TRAIN_Y = join(DIGITS, 'digits-train-y.npy');

/** Test accuracy as `spc eval` computes it, and the same from onnxruntime on the emitted ONNX (they must agree). */
export async function score(model: string, result: CompileResult, dense: Uint8Array, label: string): Promise<{ top1: number; agreement: number; correct: number }> {
  const data = readSamples(TEST_X, artifactInputGraph(result.artifact), { flag: '--data' });
  const y = readLabels(TEST_Y);
  const r = await evaluateArtifact(result.artifact, data, y, dense);
  const tensors = data.samples.map((s) => Object.values(s)[0]!);
  const ortCorrect = await onnxruntimeCorrect(emitOnnx(result.graph), tensors.map((t) => t.data as Float32Array), tensors[0]!.shape, y);
  if (ortCorrect !== r.correct) throw new Error(`${model} ${label}: spc ${r.correct}/${y.length} disagrees with onnxruntime ${ortCorrect}/${y.length}`);
  return { top1: r.top1!, agreement: r.agreement!, correct: r.correct! };
}

/** How many samples onnxruntime-node classifies as labelled, running `model` (a path or ONNX bytes) one sample at a time. */
export async function onnxruntimeCorrect(model: string | Uint8Array, samples: readonly Float32Array[], shape: readonly number[], labels: ArrayLike<number>): Promise<number> {
  const session = typeof model === 'string'
    ? await ort.InferenceSession.create(model, { intraOpNumThreads: 1 })
    : await ort.InferenceSession.create(model, { intraOpNumThreads: 1 }); // two overloads: one call cannot take the union
  try {
    let correct = 0;
    for (let s = 0; s < samples.length; s++) {
      const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', samples[s]!, [...shape]) });
      if (argmax(out[session.outputNames[0]!]!.data as Float32Array) === labels[s]) correct++;
    }
    return correct;
  } finally {
    await session.release();
  }
}
