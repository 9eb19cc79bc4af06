// `spc tune` and `spc compile --profile` as a user runs them: a quick tune writes a profile the
// compiler accepts and records by name and digest (no path); `spc inspect` shows why each
// weighted layer runs its kernel (estimates, DENSIFIED); a broken profile is an error naming
// the file and the entry; --help tells the default targets.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProfile } from '../../../compiler/analysis/profile.js';
import { MODELS_DIR, REPO_ROOT } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spcWithTimeout } from '../../helpers/cli.js';

const spc = (...args: string[]) => spcWithTimeout(300_000, ...args);

describe('cli: spc tune and compile --profile', function () {
  this.timeout(300_000);
  const work = tempDir('spc-tune-');
  const profile = join(work, 'x.json');
  const model = join(MODELS_DIR, 'mobilenet_v2_w050.onnx');

  before(() => {
    const t = spc('tune', '--quick', '-o', profile);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^wrote .*x\.json \(\d+ entries from \d+ measurements, --quick\)/);
    assert.match(t.stdout, /f32-conv-4x8-wasmsimd@pointwise/);
    // No progress output when stderr is not a terminal: only notes (ops without a synthetic node keep their priors).
    for (const line of t.stderr.split('\n').filter((l) => l !== '')) assert.match(line, /^spc: note: /);
    assert.match(t.stderr, /^spc: note: no synthetic node for .*Einsum.*: their kernels keep the per-element priors/m);
  });

  it('tune --quick writes a valid, sorted profile covering every tuned op on every target', () => {
    const p = loadProfile(profile);
    const keys = [...p.entries.keys()];
    for (const want of ['f32-add-1x4-wasmsimd@elements', 'f32-add-bcast-js@elements', 'f32-resize-1x1-ref@elements', 'any-pad-1x1-ref@elements', 'f32-conv-4x8-wasmsimd@pointwise', 'f32-conv-4x8-wasmsimd@kxk', 'f32-conv-1x8-wasmsimd@depthwise', 'f32-convcsr-24x1-wasmsimd@pointwise',
      'f32-gemm-4x8-wasmsimd@gemm', 'f32-matmul-4x8-wasmsimd@matmul', 'f32-conv-4x1-js@pointwise', 'f32-convnm-8x1-js@pointwise', 'f32-conv-1x1-ref@kxk']) {
      assert.ok(keys.includes(want), want);
    }
    const text = readFileSync(profile, 'utf8');
    assert.ok(!text.includes(work) && !text.includes(REPO_ROOT), 'no paths in the profile');
    assert.deepEqual(keys, [...keys].sort());
  });

  it('compile --profile accepts it, records its name and digest (not its path), and inspect shows the reasons', () => {
    const out = join(work, 'csr');
    const c = spc('compile', model, '--pattern', 'unstructured', '--sparsity', '0.9', '--profile', profile, '-o', out, '-q');
    assert.equal(c.code, 0, c.stderr);
    const spm = join(out, 'mobilenet_v2_w050.spm');
    const j = JSON.parse(spc('inspect', spm, '--json').stdout) as { provenance: { options: [string, string][] }; layers: { op: string; kernelReason: string }[] };
    const recorded = Object.fromEntries(j.provenance.options);
    assert.match(recorded['profile']!, /^x\.json sha256:[0-9a-f]{16}$/);
    assert.equal(recorded['targets'], 'wasmsimd,js,ref');
    for (const l of j.layers.filter((x) => x.op === 'Conv')) assert.match(l.kernelReason, /est\. \S+ ms/);
    const t = spc('inspect', spm);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /\nkernel choices:\n/);
    assert.match(t.stdout, /\/features\.\d+\/conv\/conv\.\d+\/Conv: f32-conv\S*-wasmsimd: \S.* est\. \S+ ms/);
  });

  it('with the shipped profile, inspect gives every plain 2:4 layer its choice with the estimates: the N:M kernel where faster, DENSIFIED otherwise', () => {
    const out = join(work, 'nm');
    const c = spc('compile', model, '--pattern', '2:4', '-o', out, '-q');
    assert.equal(c.code, 0, c.stderr);
    const t = spc('inspect', join(out, 'mobilenet_v2_w050.spm'));
    const lines = t.stdout.split('\n');
    // The convs' N:M kernel, or the classifier's N:M gemv kernel (one output row).
    const nm = lines.filter((l) => /: f32-(conv|gemm)nm\S*-wasmsimd: nm sparse WebAssembly SIMD kernel: est\. \S+ ms vs dense \S+ \S+ ms$/.test(l));
    const densified = lines.filter((l) => /: f32-\S+-wasmsimd: DENSIFIED: dense \S+ est\. \S+ ms < nm \S+ \S+ ms/.test(l));
    assert.ok(nm.length > 10, t.stdout);
    // mobilenet_v2_w050 at 2:4 prunes 22 layers (docs/coverage.md): each one's line is one of the two.
    assert.equal(nm.length + densified.length, 22, t.stdout);
  });

  it('a broken profile is an error (exit 1) naming the file and the entry; nothing is written', () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'spc-kernel-profile', version: 1, entries: [{ key: 'f32-conv-4x8-wasmsimd@pointwise', nsPerCall: 1, nsPerUnit: 'x', points: 1 }] }));
    const out = join(work, 'never');
    const c = spc('compile', model, '--profile', bad, '-o', out);
    assert.equal(c.code, 1);
    assert.equal(c.stderr, `spc: error: ${bad}: entry 0 (f32-conv-4x8-wasmsimd@pointwise): "nsPerUnit" must be a finite number ≥ 0, got "x"\n`);
    assert.equal(existsSync(out), false, 'no output folder');
  });

  it('--help tells the truth: default targets wasmsimd,js,ref, --profile, and the tune command', () => {
    const h = spc('compile', '--help');
    assert.match(h.stdout.replace(/\s+/g, ' '), /--targets <list> [^-]*\(default: "wasmsimd,js,ref"\)/);
    assert.match(h.stdout, /--profile <profile\.json>/);
    const t = spc('tune', '--help');
    assert.equal(t.code, 0);
    for (const o of ['-o, --output', '--quick', '--targets', '--json']) assert.ok(t.stdout.includes(o), o);
    assert.match(spc('--help').stdout, /tune/);
  });
});
