// The spc command as a user runs it: exit codes, messages naming what failed, nothing
// written on failure, inspect tables and JSON, run on .npy files.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { REPO_ROOT, MODELS_DIR, DIGITS_DIR } from '../../helpers/corpus.js';
import { readNpy, tempDir } from '../../helpers/files.js';
import { assertClose } from '../../helpers/compare.js';
import { formatNpy } from '../../../compiler/io/npy.js';
import { spc } from '../../helpers/cli.js';

const npyBytes = (data: Float32Array, shape: number[]): Uint8Array => formatNpy({ dtype: 'float32', shape, data });

const { onnx } = onnxProto;

/** A model with two kinds of unsupported op (three nodes), built with the ONNX protobuf classes. */
function unsupportedModel(): Uint8Array {
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      input: [vi('x')],
      output: [vi('z')],
      node: [
        { name: 'fancy1', opType: 'FancyOp', input: ['x'], output: ['a'] },
        { name: 'relu0', opType: 'Relu', input: ['a'], output: ['b'] },
        { name: 'fancy2', opType: 'FancyOp', input: ['b'], output: ['c'] },
        { name: 'wobble', opType: 'Wobble', input: ['c'], output: ['z'] },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

describe('cli', function () {
  this.timeout(180_000);
  const work = tempDir('spc-cli-');

  it('--help and --version exit 0 and tell the truth', () => {
    const h = spc('--help');
    assert.equal(h.code, 0);
    for (const c of ['compile', 'inspect', 'run']) assert.match(h.stdout, new RegExp(c));
    const v = spc('--version');
    assert.equal(v.code, 0);
    assert.equal(v.stdout.trim(), JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });

  it('an unknown option is a usage error (exit 2)', () => {
    const r = spc('compile', '--no-such-flag', 'x.onnx');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option/);
  });

  it('compile → inspect → run on digits_cnn, outputs equal onnxruntime', () => {
    const out = join(work, 'cnn');
    const c = spc('compile', join(DIGITS_DIR, 'digits_cnn.onnx'), '-o', out);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, /dynamic batch/);
    assert.ok(existsSync(join(out, 'digits_cnn.spm')));
    const table = spc('inspect', join(out, 'digits_cnn.spm'));
    assert.equal(table.code, 0, table.stderr);
    for (const col of ['op', 'input', 'output', 'params', 'storage', 'bytes', 'kernel', 'Conv', 'Gemm']) assert.match(table.stdout, new RegExp(col));
    const json = JSON.parse(spc('inspect', join(out, 'digits_cnn.spm'), '--json').stdout);
    assert.ok(json.layers.length >= 4);
    assert.equal(json.params, 38282);
    // Batch pinned to 1: feed the first test image, compare with row 0 of onnxruntime's logits.
    const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
    const one = new Float32Array((x.data as Float32Array).subarray(0, 64));
    const npyIn = join(work, 'one.npy');
    writeFileSync(npyIn, npyBytes(one, [1, 1, 8, 8]));
    const y = join(work, 'y.npy');
    const r = spc('run', join(out, 'digits_cnn.spm'), '--input', npyIn, '--output', y);
    assert.equal(r.code, 0, r.stderr);
    const want = readNpy(join(DIGITS_DIR, 'digits_cnn.output.npy')).data.subarray(0, 10) as Float32Array;
    assertClose(readNpy(y).data, want, 1e-4, 1e-5, 'digits_cnn row 0');
    const dir = join(work, 'outs');
    assert.equal(spc('run', join(out, 'digits_cnn.spm'), '--input', `input=${npyIn}`, '--output-dir', dir).code, 0);
    assert.deepEqual(readdirSync(dir), ['logits.npy']);
  });

  it('two compiles in separate processes give identical bytes', () => {
    const a = join(work, 'det-a'), b = join(work, 'det-b');
    assert.equal(spc('compile', join(MODELS_DIR, 'mlp3.onnx'), '-o', a, '-q').code, 0);
    assert.equal(spc('compile', join(MODELS_DIR, 'mlp3.onnx'), '-o', b, '-q').code, 0);
    assert.ok(readFileSync(join(a, 'mlp3.spm')).equals(readFileSync(join(b, 'mlp3.spm'))));
  });

  describe('bad input: exit 1, a clear message, nothing written', () => {
    const expectFailure = (args: string[], outDir: string, pattern: RegExp) => {
      const r = spc(...args);
      assert.equal(r.code, 1, `exit code (stderr: ${r.stderr})`);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
      assert.ok(!existsSync(outDir) || readdirSync(outDir).length === 0, `something was written to ${outDir}: ${existsSync(outDir) ? readdirSync(outDir) : ''}`);
    };

    it('a file that is not ONNX', () => {
      const f = join(work, 'notes.onnx');
      writeFileSync(f, 'this is a text file, not a model\n'.repeat(20));
      expectFailure(['compile', f, '-o', join(work, 'o1')], join(work, 'o1'), /notes\.onnx/);
    });

    it('a truncated ONNX file', () => {
      const f = join(work, 'trunc.onnx');
      writeFileSync(f, readFileSync(join(MODELS_DIR, 'mlp3.onnx')).subarray(0, 5000));
      expectFailure(['compile', f, '-o', join(work, 'o2')], join(work, 'o2'), /trunc\.onnx.*(truncated|corrupt)/i);
    });

    it('unsupported operators: every op type listed with its node names', () => {
      const f = join(work, 'unsupported.onnx');
      writeFileSync(f, unsupportedModel());
      const r = spc('compile', f, '-o', join(work, 'o3'));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /FancyOp/);
      assert.match(r.stderr, /fancy1/);
      assert.match(r.stderr, /fancy2/);
      assert.match(r.stderr, /Wobble/);
      assert.match(r.stderr, /wobble/);
      assert.ok(!existsSync(join(work, 'o3')));
    });

    it('a missing model file', () => {
      expectFailure(['compile', join(work, 'nope.onnx'), '-o', join(work, 'o4')], join(work, 'o4'), /nope\.onnx: no such file/);
    });

    it('a missing input file for run', () => {
      const spm = join(work, 'cnn', 'digits_cnn.spm');
      const r = spc('run', spm, '--input', join(work, 'missing.npy'), '--output', join(work, 'never.npy'));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /missing\.npy: no such file/);
      assert.ok(!existsSync(join(work, 'never.npy')));
    });

    it('a truncated artifact is rejected by the loader, naming what failed', () => {
      const spm = join(work, 'cnn', 'digits_cnn.spm');
      const bad = join(work, 'trunc.spm');
      const bytes = readFileSync(spm);
      writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
      for (const cmd of [['inspect', bad], ['run', bad, '--input', join(work, 'one.npy'), '--output', join(work, 'never.npy')]]) {
        const r = spc(...cmd);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /trunc\.spm: .*truncated/);
      }
    });

    it('a bit-flipped artifact is rejected by the loader, naming what failed', () => {
      const spm = join(work, 'cnn', 'digits_cnn.spm');
      const bad = join(work, 'flip.spm');
      const bytes = Buffer.from(readFileSync(spm));
      bytes[Math.floor(bytes.length * 0.7)] ^= 0x10;
      writeFileSync(bad, bytes);
      const r = spc('inspect', bad);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /flip\.spm: .*checksum/);
    });

    it('wrong input shape for run names the input and both shapes', () => {
      const spm = join(work, 'cnn', 'digits_cnn.spm');
      const f = join(work, 'wrong.npy');
      writeFileSync(f, npyBytes(new Float32Array(64), [1, 64]));
      const r = spc('run', spm, '--input', f, '--output', join(work, 'never.npy'));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /input 'input'.*\[1,1,8,8\].*\[1,64\]/);
    });
  });

  it('inspect works on every corpus artifact (table and JSON)', () => {
    const out = join(work, 'all');
    for (const m of ['mlp3', 'squeezenet1_1', 'transformer_enc2']) {
      assert.equal(spc('compile', join(MODELS_DIR, `${m}.onnx`), '-o', out, '-q').code, 0);
      const t = spc('inspect', join(out, `${m}.spm`));
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /kernel/);
      const j = spc('inspect', join(out, `${m}.spm`), '--json');
      assert.equal(j.code, 0);
      assert.ok(Array.isArray(JSON.parse(j.stdout).layers));
    }
  });
});
