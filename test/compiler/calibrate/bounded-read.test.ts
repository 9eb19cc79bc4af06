// Input files are read bounded (compiler/io/read.ts): a FIFO, /dev/zero or a folder is refused
// on the open descriptor, a file over its cap is refused unread, and calibration data is read
// only as far as the samples used (a .npy's rows, a folder's files in name order, 1024 by
// default for spc compile).

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSamples } from '../../../compiler/calibrate/data.js';
import { compileFile } from '../../../compiler/compile.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { formatNpy } from '../../../compiler/io/npy.js';
import { readInputFile } from '../../../compiler/cli/read-file.js';
import { SpcError } from '../../../compiler/errors.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { readNpy, tempDir } from '../../helpers/files.js';

const spcError = (message: string) => (e: Error): boolean => e instanceof SpcError && e.message === message;

/** .npy bytes whose header claims `claimedRows` rows of [1, 8, 8] but which hold only `rows` of data. */
function truncatedNpy(data: Float32Array, rows: number, claimedRows: number): Uint8Array {
  const whole = formatNpy({ dtype: 'float32', shape: [rows, 1, 8, 8], data: data.subarray(0, rows * 64) });
  const text = new TextDecoder('latin1').decode(whole.subarray(0, 128));
  const patched = text.replace(`(${rows}, 1, 8, 8)`, `(${claimedRows}, 1, 8, 8)`.padEnd(`(${rows}, 1, 8, 8)`.length));
  const out = whole.slice();
  out.set(Uint8Array.from(patched, (c) => c.charCodeAt(0)));
  return out;
}

describe('bounded input reads', () => {
  const dir = tempDir('spc-bounded-read-');
  const cnn = loadOnnx(join(DIGITS_DIR, 'digits_cnn.onnx')).graph;
  const x = readNpy(join(DIGITS_DIR, 'digits-calib-x.npy')).data as Float32Array;

  it('a FIFO is refused when opened, never waited on (--input, --calib)', () => {
    const fifo = join(dir, 'pipe.npy');
    execFileSync('mkfifo', [fifo]);
    assert.throws(() => readInputFile(fifo), spcError(`${fifo}: it is a FIFO (named pipe), not a regular file`));
    assert.throws(() => readSamples(fifo, cnn), spcError(`--calib ${fifo}: it is a FIFO (named pipe), not a regular file`));
  });

  it('/dev/zero and a folder are refused, a file over its cap is refused unread', () => {
    assert.throws(() => readSamples('/dev/zero', cnn, { flag: '--data' }), spcError('--data /dev/zero: it is a character device, not a regular file'));
    assert.throws(() => readInputFile(dir), spcError(`${dir}: it is a folder, not a regular file`));
    const big = join(dir, 'big.json');
    writeFileSync(big, '{}'.padEnd(100));
    assert.throws(() => readInputFile(big, 99), spcError(`${big}: 100 bytes, more than the 99 bytes spc reads for this input`));
  });

  it('a .npy is read only up to the samples used: a header claiming 100,000 rows over 20 gives 10 samples with count 10', () => {
    const file = join(dir, 'claims-more.npy');
    writeFileSync(file, truncatedNpy(x, 20, 100_000));
    const c = readSamples(file, cnn, { count: 10 });
    assert.equal(c.samples.length, 10);
    assert.equal(c.source, 'claims-more.npy (10 of 100000 samples)');
    assert.deepEqual(Array.from(c.samples[9]![cnn.inputs[0]!]!.data as Float32Array), Array.from(x.subarray(9 * 64, 10 * 64)));
    // Asking for all of them still finds the file short.
    assert.throws(() => readSamples(file, cnn), /claims-more\.npy: not a valid \.npy file: truncated data: shape \(100000, 1, 8, 8\) needs 25600000 bytes, file has 5120$/);
  });

  it('a folder is read in name order only until the count: 3000 files, a broken one last, count 5', () => {
    const folder = join(dir, 'many');
    mkdirSync(folder);
    for (let i = 0; i < 3000; i++) {
      writeFileSync(join(folder, `s${String(i).padStart(5, '0')}.npy`), formatNpy({ dtype: 'float32', shape: [1, 1, 8, 8], data: x.subarray((i % 128) * 64, (i % 128 + 1) * 64) }));
    }
    writeFileSync(join(folder, 'zz-broken.npy'), 'not a npy');
    const c = readSamples(folder, cnn, { count: 5 });
    assert.equal(c.samples.length, 5);
    assert.equal(c.source, 'many (5 of ≥3001 samples)');
    assert.deepEqual(Array.from(c.samples[4]![cnn.inputs[0]!]!.data as Float32Array), Array.from(x.subarray(4 * 64, 5 * 64)));
  });

  it('spc compile reads at most 1024 calibration samples by default (a .npy claiming 5000 rows over 1024 compiles)', async () => {
    const rows = new Float32Array(1024 * 64);
    for (let i = 0; i < 1024; i++) rows.set(x.subarray((i % 128) * 64, (i % 128 + 1) * 64), i * 64);
    const file = join(dir, 'calib-5000.npy');
    writeFileSync(file, truncatedNpy(rows, 1024, 5000));
    const r = await compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: '2:4', calib: file, method: 'wanda' });
    // Reading all 5000 claimed rows would find the file short (the error the code before this gave).
    assert.ok(r.contents.nodes.length > 0);
  });
});
