// `spc eval` as a user runs it: accuracy of a pruned digits model and its agreement / KL with
// the dense ONNX, --json, --count, and errors (exit 1 bad input, 2 usage) that name the files.

import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { writeLinearModel } from '../../helpers/onnx-models.js';
import { formatNpy } from '../../../compiler/io/npy.js';
import { spc } from '../../helpers/cli.js';

describe('cli: spc eval', function () {
  this.timeout(180_000);
  const work = tempDir('spc-eval-cli-');
  const X = join(DIGITS_DIR, 'digits-test-x.npy');
  const Y = join(DIGITS_DIR, 'digits-test-y.npy');
  const cnn = join(DIGITS_DIR, 'digits_cnn.onnx');
  const dense = join(work, 'dense'), pruned = join(work, 'pruned');
  before(() => {
    assert.equal(spc('compile', cnn, '-o', dense, '-q').code, 0);
    assert.equal(spc('compile', cnn, '-o', pruned, '-q', '--pattern', '2:4', '--no-permute').code, 0);
  });

  it('prints the dense CNN\'s 99.6% (498 of 500)', () => {
    const r = spc('eval', join(dense, 'digits_cnn.spm'), '--data', X, '--labels', Y);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /top-1 accuracy\s+99\.6% \(498 of 500\)/);
  });

  it('--reference --json: 2:4 CNN at 98.4% (as onnxruntime measures it in docs/accuracy.md), agreement < 1, KL > 0; dense vs itself: 1 and 0', () => {
    const r = spc('eval', join(pruned, 'digits_cnn.spm'), '--data', X, '--labels', Y, '--reference', cnn, '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.count, 500);
    assert.equal(j.reference, 'digits_cnn.onnx');
    assert.equal(j.correct, 492);
    assert.ok(j.agreement > 0.9 && j.agreement < 1, `agreement ${j.agreement}`);
    assert.ok(j.kl > 0);
    const d = JSON.parse(spc('eval', join(dense, 'digits_cnn.spm'), '--data', X, '--reference', cnn, '--json').stdout);
    assert.equal(d.agreement, 1);
    assert.equal(d.kl, 0);
    assert.equal(d.top1, undefined);
  });

  it('--count uses the first n samples and labels (a hand-made set: 2 of 3 right)', () => {
    const model = writeLinearModel(work, 'identity', [[1, 0], [0, 1]]);
    const out = join(work, 'id');
    assert.equal(spc('compile', model, '-o', out, '-q').code, 0);
    writeFileSync(join(work, 'x.npy'), formatNpy({ dtype: 'float32', shape: [4, 2], data: new Float32Array([1, 0, 0, 1, 2, 1, 5, 6]) }));
    writeFileSync(join(work, 'y.npy'), formatNpy({ dtype: 'int64', shape: [4], data: new BigInt64Array([0n, 1n, 1n, 0n]) }));
    const r = spc('eval', join(out, 'identity.spm'), '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--count', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.count, 3);
    assert.equal(j.correct, 2);
  });

  it('bad input exits 1 naming the file: label count mismatch, non-integer labels, a data shape that does not fit', () => {
    const spm = join(dense, 'digits_cnn.spm');
    writeFileSync(join(work, 'short.npy'), formatNpy({ dtype: 'int64', shape: [499], data: new BigInt64Array(499) }));
    let r = spc('eval', spm, '--data', X, '--labels', join(work, 'short.npy'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--labels .*short\.npy holds 499 labels but --data .*digits-test-x\.npy gives 500 samples/);
    writeFileSync(join(work, 'half.npy'), formatNpy({ dtype: 'float32', shape: [500], data: new Float32Array(500).fill(0.5) }));
    r = spc('eval', spm, '--data', X, '--labels', join(work, 'half.npy'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /half\.npy: label 0 is 0\.5, not an integer class/);
    writeFileSync(join(work, 'wide.npy'), formatNpy({ dtype: 'float32', shape: [3, 65], data: new Float32Array(195) }));
    r = spc('eval', spm, '--data', join(work, 'wide.npy'), '--labels', Y);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--data .*wide\.npy: shape \[3, 65\] does not fit the model's input \[1, 1, 8, 8\]/);
    r = spc('eval', join(work, 'nope.spm'), '--data', X, '--labels', Y);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope\.spm: no such file/);
    r = spc('eval', spm, '--data', X, '--labels', join(DIGITS_DIR, 'digits_cnn.onnx'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /digits_cnn\.onnx: not a valid \.npy file/);
  });

  it('usage errors exit 2: no --data, neither --labels nor --reference, a bad --count', () => {
    const spm = join(dense, 'digits_cnn.spm');
    assert.equal(spc('eval', spm, '--labels', Y).code, 2);
    assert.equal(spc('eval', spm, '--data', X).code, 2);
    const r = spc('eval', spm, '--data', X, '--labels', Y, '--count', '0');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--count '0'/);
  });
});
