// The dense reference compiled behind `spc compile --eval-data` and `spc eval` / `spc bench
// --reference` (compiler/cli/reference.ts) gets the input values the artifact was compiled with:
// on a model whose Reshape takes its shape from an input, fixed with --input-value. Oracle for the
// dense model's accuracy: onnxruntime on the ONNX model with the same shape fed.

import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { readNpy, tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { writeReshapeModel } from '../../../scripts/grid-identity.js';

const { onnx } = onnxProto;
const X = join(DIGITS_DIR, 'digits-test-x.npy');
const Y = join(DIGITS_DIR, 'digits-test-y.npy');

describe('cli: the dense reference gets the compile\'s --input-value', function () {
  this.timeout(300_000);
  const work = tempDir('spc-reference-');
  const { model, shape } = writeReshapeModel(work);
  const out = join(work, 'out');
  after(() => rmSync(work, { recursive: true, force: true }));

  it('spc compile --input-value --eval-data: the dense model compiles and scores what onnxruntime scores', async () => {
    const r = spc('compile', model, '-o', out, '--pattern', '2:4', '--min-params', '0', '--input-value', `shape=${shape}`, '--eval-data', X, '--eval-labels', Y, '--json');
    assert.equal(r.code, 0, r.stderr);
    const acc = JSON.parse(r.stdout).accuracy as { rows: number; dense: { correct: number }; compiled: { correct: number } };
    const x = readNpy(X), y = readNpy(Y);
    const session = await ort.InferenceSession.create(model);
    let correct = 0;
    for (let i = 0; i < 500; i++) {
      const feeds = {
        x: new ort.Tensor('float32', (x.data as Float32Array).slice(64 * i, 64 * (i + 1)), [1, 1, 8, 8]),
        shape: new ort.Tensor('int64', new BigInt64Array([1n, 64n]), [2]),
      };
      const logits = (await session.run(feeds))['logits']!.data as Float32Array;
      if (logits.indexOf(Math.max(...logits)) === Number(y.data[i])) correct++;
    }
    await session.release();
    assert.equal(acc.rows, 500);
    assert.equal(acc.dense.correct, correct);
  });

  it('spc eval and spc bench --reference take --input-value; the artifact\'s recorded value must be given, and the same', () => {
    const spm = join(out, 'reshape_mlp.spm');
    const e = spc('eval', spm, '--data', X, '--labels', Y, '--reference', model, '--input-value', `shape=${shape}`, '--json');
    assert.equal(e.code, 0, e.stderr);
    const c = JSON.parse(spc('compile', model, '-o', join(work, 'again'), '--pattern', '2:4', '--min-params', '0', '--input-value', `shape=${shape}`, '--eval-data', X, '--eval-labels', Y, '--json').stdout).accuracy;
    const ev = JSON.parse(e.stdout) as { rows: number; correct: number; agreement: number; kl: number };
    assert.deepEqual([ev.rows, ev.correct, ev.agreement, ev.kl], [c.rows, c.compiled.correct, c.agreement, c.kl]);

    const b = spc('bench', spm, '--reference', model, '--input-value', `shape=${shape}`, '--time', '0.05', '--warmup', '1', '--json');
    assert.equal(b.code, 0, b.stderr);
    assert.ok(JSON.parse(b.stdout).speedup > 0);

    const missing = spc('eval', spm, '--data', X, '--reference', model);
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /--reference \S*reshape_mlp\.onnx: the artifact was compiled with input 'shape' fixed to int64\[2\] sha256:[0-9a-f]{16}; give the same tensor with --input-value shape=<file>/);

    const other = join(work, 'other-shape.pb');
    writeFileSync(other, onnx.TensorProto.encode(onnx.TensorProto.create({ name: 'shape', dims: [2], dataType: onnx.TensorProto.DataType.INT64, int64Data: [1, -1] })).finish());
    const wrong = spc('bench', spm, '--reference', model, '--input-value', `shape=${other}`, '--time', '0.05');
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, /--input-value shape: int64\[2\] sha256:[0-9a-f]{16}, but the artifact was compiled with int64\[2\] sha256:[0-9a-f]{16}/);

    const extra = spc('eval', join(out, 'reshape_mlp.spm'), '--data', X, '--labels', Y, '--input-value', `shape=${shape}`);
    assert.equal(extra.code, 2, extra.stderr);
    assert.match(extra.stderr, /--input-value goes with --reference/);
  });
});
