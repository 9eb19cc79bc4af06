// spc compile --fold-max-bytes: the folding budget as a flag. A model whose Expand turns a 64-byte
// weight into a 16 KiB constant: folded by default (the artifact stores the 16 KiB), kept as a
// run-time node under --fold-max-bytes 0 (the artifact stores the 64 bytes). Oracle for both
// artifacts' outputs: onnxruntime on the ONNX model.

import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { tempDir } from '../../helpers/files.js';
import { assertClose } from '../../helpers/compare.js';
import { spc } from '../../helpers/cli.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { loadModel } from '../../../runtime/index.js';

const { onnx } = onnxProto;
const ROWS = 256, COLS = 16;

/** y = x + Expand(c, [ROWS, COLS]) for x [ROWS, COLS] and a weight c [1, COLS]. */
function writeExpandModel(dir: string): string {
  const c = Array.from({ length: COLS }, (_, i) => (i - 7.5) / 4);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'expand_add',
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: ROWS }, { dimValue: COLS }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: ROWS }, { dimValue: COLS }] } } } }],
      initializer: [
        { name: 'c', dims: [1, COLS], dataType: onnx.TensorProto.DataType.FLOAT, floatData: c },
        { name: 'shape', dims: [2], dataType: onnx.TensorProto.DataType.INT64, int64Data: [ROWS, COLS] },
      ],
      node: [
        { name: 'expand', opType: 'Expand', input: ['c', 'shape'], output: ['e'] },
        { name: 'add', opType: 'Add', input: ['x', 'e'], output: ['y'] },
      ],
    },
  });
  const path = join(dir, 'expand_add.onnx');
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  return path;
}

describe('cli: --fold-max-bytes', function () {
  this.timeout(120_000);
  const work = tempDir('spc-fold-max-bytes-');
  const model = writeExpandModel(work);
  after(() => rmSync(work, { recursive: true, force: true }));

  it('0 keeps the Expand at run time: the artifact is smaller by the 16 KiB constant, records the budget, and computes what onnxruntime computes', async () => {
    const folded = spc('compile', model, '-o', join(work, 'folded'));
    const kept = spc('compile', model, '-o', join(work, 'kept'), '--fold-max-bytes', '0');
    assert.equal(folded.code, 0, folded.stderr);
    assert.equal(kept.code, 0, kept.stderr);
    const bytes = (dir: string) => new Uint8Array(readFileSync(join(work, dir, 'expand_add.spm')));
    const [a, b] = [bytes('folded'), bytes('kept')];
    const ops = (spm: Uint8Array) => parseArtifact(spm).nodes.map((n) => n.op);
    assert.deepEqual(ops(a), ['Add']);
    assert.deepEqual(ops(b), ['Expand', 'Add']);
    // The folded artifact stores e (ROWS·COLS float32 = 16384 bytes); the other stores c (64 bytes) and the shape (16).
    assert.ok(a.length - b.length >= ROWS * COLS * 4 - 4 * COLS - 16 - 512, `${a.length} → ${b.length} bytes`);
    assert.deepEqual(parseArtifact(b).provenance.options.filter(([k]) => k === 'fold-max-bytes'), [['fold-max-bytes', '0']]);
    assert.ok(!parseArtifact(a).provenance.options.some(([k]) => k === 'fold-max-bytes'));

    const x = Float32Array.from({ length: ROWS * COLS }, (_, i) => Math.sin(i));
    const session = await ort.InferenceSession.create(readFileSync(model));
    const want = (await session.run({ x: new ort.Tensor('float32', x, [ROWS, COLS]) })).y!.data as Float32Array;
    await session.release();
    for (const spm of [a, b]) {
      const m = await loadModel(spm);
      assertClose((await m.run({ x })).y!.data as Float32Array, want, 1e-6, 1e-6, 'expand_add');
      m.dispose();
    }
  });

  it('a budget that is not a whole number of bytes is a usage error (exit 2) naming the flag', () => {
    const r = spc('compile', model, '-o', join(work, 'never'), '--fold-max-bytes', '-1');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--fold-max-bytes '-1': expected a whole number of bytes/);
  });
});
