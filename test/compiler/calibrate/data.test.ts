// Calibration data: a .npy split along its first axis into per-sample feeds of the model's input
// shape (element counts may regroup: digits images [S,1,8,8] for the MLP's [1,64]); a folder of
// .npy / TensorProto .pb files; --calib-count; errors that name the flag, the file and the shapes.

import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { readSamples } from '../../../compiler/calibrate/data.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { formatNpy } from '../../../compiler/io/npy.js';
import { SpcError } from '../../../compiler/errors.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { readNpy, tempDir } from '../../helpers/files.js';

const { onnx } = onnxProto;

describe('calibration data', () => {
  const cnn = loadOnnx(join(DIGITS_DIR, 'digits_cnn.onnx')).graph;
  const mlp = loadOnnx(join(DIGITS_DIR, 'digits_mlp.onnx')).graph;
  const calib = join(DIGITS_DIR, 'digits-calib-x.npy');
  const x = readNpy(calib);

  it('splits digits-calib-x.npy [128,1,8,8] into 128 feeds for the CNN, and regroups them as [1,64] for the MLP', () => {
    const c = readSamples(calib, cnn);
    assert.equal(c.samples.length, 128);
    assert.equal(c.source, 'digits-calib-x.npy (128 of 128 samples)');
    const s5 = c.samples[5]![cnn.inputs[0]!]!;
    assert.deepEqual(s5.shape, [1, 1, 8, 8]);
    assert.deepEqual(Array.from(s5.data as Float32Array), Array.from((x.data as Float32Array).subarray(5 * 64, 6 * 64)));
    const m = readSamples(calib, mlp, { count: 16 });
    assert.equal(m.samples.length, 16);
    const t = m.samples[15]![mlp.inputs[0]!]!;
    assert.deepEqual(t.shape, [1, 64]);
    assert.deepEqual(Array.from(t.data as Float32Array), Array.from((x.data as Float32Array).subarray(15 * 64, 16 * 64)));
  });

  it('reads a folder of .npy and .pb files in name order', () => {
    const dir = join(tempDir('calib'), 'set');
    mkdirSync(dir);
    const one = (i: number) => (x.data as Float32Array).slice(i * 64, (i + 1) * 64);
    writeFileSync(join(dir, 'a.npy'), formatNpy({ dtype: 'float32', shape: [1, 1, 8, 8], data: one(0) }));
    const pb = onnx.TensorProto.encode({ dims: [1, 1, 8, 8], dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(one(1)) }).finish();
    writeFileSync(join(dir, 'b.pb'), pb);
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const c = readSamples(dir, cnn);
    assert.equal(c.samples.length, 2);
    assert.deepEqual(Array.from(c.samples[1]![cnn.inputs[0]!]!.data as Float32Array), Array.from(one(1)));
  });

  it('bad data: errors name the flag, the file and the shapes', () => {
    const dir = tempDir('calib-bad');
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, formatNpy({ dtype: 'float32', shape: [3, 7], data: new Float32Array(21) }));
    assert.throws(() => readSamples(bad, cnn), (e: Error) => e instanceof SpcError && /--calib .*bad\.npy: shape \[3, 7\] does not fit the model's input \[1, 1, 8, 8\]/.test(e.message));
    const ints = join(dir, 'ints.npy');
    writeFileSync(ints, formatNpy({ dtype: 'int64', shape: [2, 64], data: new BigInt64Array(128) }));
    assert.throws(() => readSamples(ints, mlp, { flag: '--data' }), /--data .*ints\.npy: int64 data, the model's input is float32/);
    assert.throws(() => readSamples(join(dir, 'missing.npy'), cnn), /--calib .*missing\.npy: no such file or folder/);
    assert.throws(() => readSamples(calib, cnn, { count: 0 }), /sample count must be a positive integer/);
  });
});
