// evaluateArtifact against hand-worked values (a 3-class identity classifier and a reference
// that swaps two classes) and the dense digits models' known test accuracy (CNN 99.6%, MLP 99.0%).

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { readSamples } from '../../../compiler/calibrate/data.js';
import { artifactInputGraph, evaluateArtifact } from '../../../compiler/eval/evaluate.js';
import { readLabels } from '../../../compiler/eval/labels.js';
import { SpcError } from '../../../compiler/errors.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { writeLinearModel } from '../../helpers/onnx-models.js';

const sample = (v: number[]) => ({ x: { dtype: 'float32' as const, shape: [1, 3], data: new Float32Array(v) } });

describe('evaluateArtifact', function () {
  this.timeout(120_000);
  const dir = tempDir('spc-eval-');
  const identity = compileFile(writeLinearModel(dir, 'identity', [[1, 0, 0], [0, 1, 0], [0, 0, 1]])).artifact;
  const swapped = compileFile(writeLinearModel(dir, 'swapped', [[0, 1, 0], [1, 0, 0], [0, 0, 1]])).artifact;
  // Logits = the sample itself; the reference's are classes 0 and 1 swapped.
  const xs = [[1, 0, 0], [0, 2, 1], [3, 1, 0], [0, 0, 5]];
  const labels = [0, 1, 2, 2];

  it('top-1 by hand: 3 of 4 rows have the labelled class on top', async () => {
    const r = await evaluateArtifact(identity, xs.map(sample), labels);
    assert.deepEqual(r, { count: 4, rows: 4, top1: 0.75, correct: 3 });
  });

  it('agreement and KL(reference ‖ model) by hand', async () => {
    const r = await evaluateArtifact(identity, xs.map(sample), undefined, swapped);
    assert.equal(r.agreement, 0.25);
    // Swapping two logits keeps the log-partition, so KL = Σ p_ref · (ref − model) per row.
    const e = Math.E;
    const rows = [
      (e - 1) / (e + 2),                      // ref [0,1,0] vs [1,0,0]
      2 * (e * e - 1) / (e * e + e + 1),      // ref [2,0,1] vs [0,2,1]
      2 * (e ** 3 - e) / (e ** 3 + e + 1),    // ref [1,3,0] vs [3,1,0]
      0,                                      // class 2 on top in both, same logits
    ];
    const expected = rows.reduce((a, b) => a + b, 0) / 4;
    assert.ok(Math.abs(r.kl! - expected) < 1e-6, `kl ${r.kl} expected ${expected}`);
    assert.equal(r.top1, undefined);
  });

  it('rejects a label count that does not match and labels outside the classes', async () => {
    await assert.rejects(evaluateArtifact(identity, xs.map(sample), [0, 1, 2]), (e: Error) => e instanceof SpcError && /3 labels for 4 samples/.test(e.message));
    await assert.rejects(evaluateArtifact(identity, xs.map(sample), [0, 1, 2, 3]), (e: Error) => e instanceof SpcError && /label 3 is 3, not a class .*\(0 to 2\)/.test(e.message));
  });

  for (const [model, acc] of [['digits_cnn', 0.996], ['digits_mlp', 0.99]] as const) {
    it(`dense ${model}: ${(acc * 100).toFixed(1)}% on the 500 digits test images, agreement 1 and KL 0 with itself`, async () => {
      const art = compileFile(join(DIGITS_DIR, `${model}.onnx`)).artifact;
      const data = readSamples(join(DIGITS_DIR, 'digits-test-x.npy'), artifactInputGraph(art), { flag: '--data' });
      const y = readLabels(join(DIGITS_DIR, 'digits-test-y.npy'));
      const r = await evaluateArtifact(art, data, y, art);
      assert.equal(r.count, 500);
      assert.equal(r.correct, Math.round(acc * 500));
      assert.equal(r.agreement, 1);
      assert.equal(r.kl, 0);
    });
  }
});
