// End to end on the shared corpus: compile every model, run the artifact with spc's runtime,
// and compare with onnxruntime's stored outputs; digits accuracy must equal the README's.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import { loadModel } from '../../runtime/index.js';
import { DIGITS_DIR, MODELS_DIR } from '../helpers/corpus.js';
import { argmaxRows, assertClose } from '../helpers/compare.js';
import { readNpy } from '../helpers/files.js';

interface ModelEntry { name: string; file: string; inputs: { name: string; npy: string }[]; outputs: { name: string; npy: string }[] }
const MODELS = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as ModelEntry[];

describe('e2e: corpus models match onnxruntime', function () {
  this.timeout(300_000);
  for (const m of MODELS) {
    it(`${m.name}: spc output within 1e-4·max|ort| + 1e-5 of onnxruntime`, async () => {
      const { artifact } = compileFile(join(MODELS_DIR, m.file), { verify: true });
      const model = await loadModel(artifact);
      const feeds = Object.fromEntries(m.inputs.map((i) => {
        const a = readNpy(join(MODELS_DIR, i.npy));
        return [i.name, { data: a.data, shape: a.shape }];
      }));
      const out = await model.run(feeds);
      for (const o of m.outputs) {
        const want = readNpy(join(MODELS_DIR, o.npy));
        assert.deepEqual([...out[o.name].shape], [...want.shape], `${m.name}: output shape`);
        assertClose(out[o.name].data, want.data, 1e-4, 1e-5, `${m.name} output '${o.name}'`);
      }
      model.dispose();
    });
  }
});

describe('e2e: digits models reproduce the README accuracy', function () {
  this.timeout(120_000);
  const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
  const y = readNpy(join(DIGITS_DIR, 'digits-test-y.npy'));
  const cases = [
    { model: 'digits_mlp', shape: [500, 64], accuracy: 0.99 },
    { model: 'digits_cnn', shape: [500, 1, 8, 8], accuracy: 0.996 },
  ];
  for (const c of cases) {
    it(`${c.model}: 500 test images, logits match onnxruntime, accuracy ${(c.accuracy * 100).toFixed(1)}%`, async () => {
      const { artifact } = compileFile(join(DIGITS_DIR, `${c.model}.onnx`), { inputShapes: { input: c.shape }, verify: true });
      const model = await loadModel(artifact);
      const out = await model.run({ input: { data: x.data, shape: c.shape } });
      const want = readNpy(join(DIGITS_DIR, `${c.model}.output.npy`));
      assertClose(out.logits.data, want.data, 1e-4, 1e-5, `${c.model} logits`);
      const pred = argmaxRows(out.logits.data, 500, 10);
      const correct = pred.filter((p, i) => p === Number(y.data[i])).length;
      assert.equal(correct / 500, c.accuracy, `${c.model}: ${correct}/500 correct`);
      model.dispose();
    });
  }
});

describe('e2e: determinism', function () {
  this.timeout(120_000);
  for (const file of [join(MODELS_DIR, 'resnet10_w32.onnx'), join(MODELS_DIR, 'transformer_enc2.onnx')]) {
    it(`compiling ${file.split('/').pop()} twice gives byte-identical artifacts`, () => {
      const a = compileFile(file).artifact;
      const b = compileFile(file).artifact;
      assert.equal(a.length, b.length);
      assert.ok(Buffer.from(a).equals(Buffer.from(b)), 'artifacts differ');
    });
  }
});
