// The trained digits transformer (samples/digits/digits_transformer.onnx) pruned 2:4 by sparsegpt
// on its encoder's linear layers keeps its test accuracy: spc's runtime on the pruned artifact
// against onnxruntime-node running the original model on the same 500 test images.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { compileFile } from '../../compiler/compile.js';
import { readSamples } from '../../compiler/calibrate/data.js';
import { artifactInputGraph, evaluateArtifact } from '../../compiler/eval/evaluate.js';
import { readLabels } from '../../compiler/eval/labels.js';
import { DIGITS_DIR, REPO_ROOT } from '../helpers/corpus.js';
import { argmaxRows } from '../helpers/compare.js';

const MODEL = join(REPO_ROOT, 'samples', 'digits', 'digits_transformer.onnx');
/**
 * 2:4 sparsegpt may cost at most 1.5 points (7 of the 500 test images) against the dense model in
 * onnxruntime. Measured: 2 images (97.6% against 98.0%); magnitude and wanda at 2:4 lose 17 and 20
 * (docs/accuracy.md), so the bound tells sparsegpt's refit from plain masking with room for a
 * kernel change to flip a borderline image or two.
 */
const BOUND = 0.015;

describe('e2e: trained digits transformer at 2:4 sparsegpt', function () {
  this.timeout(300_000);

  it(`the 8 encoder linear layers are pruned 2:4 and top-1 stays within ${BOUND * 100} point of dense onnxruntime`, async () => {
    const r = compileFile(MODEL, { pattern: '2:4', method: 'sparsegpt', calib: join(DIGITS_DIR, 'digits-calib-x.npy') });
    // Per encoder layer: in-projection, out-projection, two feed-forward layers; embedding and classifier stay dense (under 4096 weights).
    const pruned = r.report.filter((l) => l.pattern !== 'dense');
    assert.equal(pruned.length, 8, pruned.map((l) => l.node).join(', '));
    for (const l of pruned) assert.deepEqual([l.pattern, l.achieved], ['2:4', 0.5], l.node);

    const data = readSamples(join(DIGITS_DIR, 'digits-test-x.npy'), artifactInputGraph(r.artifact), { flag: '--data' });
    const y = readLabels(join(DIGITS_DIR, 'digits-test-y.npy'));
    assert.equal(data.samples.length, 500);
    const session = await ort.InferenceSession.create(MODEL, { intraOpNumThreads: 1 });
    let denseCorrect = 0;
    try {
      for (let s = 0; s < data.samples.length; s++) {
        const t = Object.values(data.samples[s]!)[0]!;
        const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', t.data as Float32Array, [...t.shape]) });
        if (argmaxRows(out[session.outputNames[0]!]!.data as Float32Array, 1, 10)[0] === y[s]) denseCorrect++;
      }
    } finally {
      await session.release();
    }
    assert.ok(denseCorrect >= 485, `the trained model classifies ${denseCorrect} of 500 in onnxruntime (trained to 98%)`);
    const pruned24 = await evaluateArtifact(r.artifact, data, y);
    assert.ok(pruned24.correct! >= denseCorrect - Math.floor(BOUND * 500), `2:4 sparsegpt ${pruned24.correct} of 500 against dense ${denseCorrect} of 500 (onnxruntime)`);
  });
});
