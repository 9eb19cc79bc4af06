// .npy reading against files numpy wrote (the corpus), and write → read round trips.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import fc from 'fast-check';
import { formatNpy, parseNpy } from '../../../compiler/io/npy.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';

describe('npy', () => {
  it('reads numpy-written float32 and int64 arrays with their shapes', () => {
    const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
    assert.equal(x.dtype, 'float32');
    assert.deepEqual(x.shape, [500, 1, 8, 8]);
    // Pixels are x/16 for x in 0..16.
    assert.ok([...(x.data as Float32Array)].every((v) => v >= 0 && v <= 1 && Number.isInteger(v * 16)));
    const y = readNpy(join(DIGITS_DIR, 'digits-test-y.npy'));
    assert.equal(y.dtype, 'int64');
    assert.deepEqual(y.shape, [500]);
    assert.ok([...(y.data as BigInt64Array)].every((v) => v >= 0n && v <= 9n));
    const t = readNpy(join(MODELS_DIR, 'transformer_enc2.input.npy'));
    assert.deepEqual([t.dtype, ...t.shape], ['int64', 1, 32]);
  });

  it('reads a Node Buffer (readFileSync) as it reads a Uint8Array: a small Buffer is a view into a shared pool', () => {
    const bytes = formatNpy({ dtype: 'float32', shape: [3], data: Float32Array.of(1.5, -2, 3) });
    // Buffer.from copies into the pool (byteOffset usually > 0 there), as readFileSync of a small file does.
    const pooled = Buffer.from(bytes);
    const got = parseNpy(pooled, 'pooled.npy');
    assert.deepEqual([...(got.data as Float32Array)], [1.5, -2, 3]);
    assert.equal(got.data.buffer.byteLength, 12, 'the data owns exactly its bytes');
  });

  it('write → read is the identity (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 }),
      fc.float({ noNaN: true }),
      (shape, seed) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = Float32Array.from({ length: n }, (_, i) => seed * (i + 1));
        const back = parseNpy(formatNpy({ dtype: 'float32', shape, data }), 'mem');
        assert.deepEqual(back.shape, shape);
        assert.deepEqual([...back.data], [...data]);
      }));
  });

  it('rejects truncated and foreign files with the file name', () => {
    const ok = formatNpy({ dtype: 'float32', shape: [4, 4], data: new Float32Array(16) });
    assert.throws(() => parseNpy(ok.subarray(0, ok.length - 3), 'cut.npy'), /cut\.npy: .*truncated data/);
    assert.throws(() => parseNpy(new TextEncoder().encode('hello world'), 'a.txt'), /a\.txt: not a valid \.npy file/);
  });
});
