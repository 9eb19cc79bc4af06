// `spc bench` as a user runs it: the artifact timed side by side with the dense model, the
// speedup as the ratio of the printed medians, the --min-speedup budget's exit codes, and usage
// errors. No timing is asserted: only that the figures are consistent and present.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { writeLinearModel } from '../../helpers/onnx-models.js';
import { NO_NM_GEMM, writeShippedProfileWithout } from '../../helpers/profiles.js';

describe('cli: spc bench', function () {
  this.timeout(180_000);
  const work = tempDir('spc-bench-cli-');
  const cnn = join(DIGITS_DIR, 'digits_cnn.onnx');
  const spm = join(work, 'digits_cnn.spm');
  before(() => {
    // Without the N:M Gemm kernels' measured entries, fc1 runs a dense Gemm over its nm storage (expanded at load).
    const profile = writeShippedProfileWithout(work, NO_NM_GEMM, 'no-nm-gemm');
    assert.equal(spc('compile', cnn, '-o', work, '-q', '--pattern', '2:4', '--profile', profile).code, 0);
  });

  it('--reference --json: both models timed; speedup = reference CPU median ÷ artifact CPU median', () => {
    const r = spc('bench', spm, '--reference', cnn, '--time', '0.2', '--warmup', '2', '--json', '--data', join(DIGITS_DIR, 'digits-test-x.npy'));
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.models.map((m: { name: string }) => m.name), ['digits_cnn.spm', 'digits_cnn.onnx (dense)']);
    for (const m of j.models) {
      assert.ok(m.runs >= m.batches && m.batches >= 1, JSON.stringify(m));
      assert.ok(m.medianMs > 0 && m.p25Ms <= m.medianMs && m.medianMs <= m.p75Ms, JSON.stringify(m));
    }
    assert.ok(Math.abs(j.speedup - j.models[1].cpuMedianMs / j.models[0].cpuMedianMs) < 1e-12);
    assert.ok(Math.abs(j.wallSpeedup - j.models[1].medianMs / j.models[0].medianMs) < 1e-12);
    assert.equal(j.input, 'digits-test-x.npy');
  });

  it('text output: a row per model and the speedup line; without --reference, one row and no speedup', () => {
    const r = spc('bench', spm, '--reference', cnn, '--time', '0.1', '--warmup', '1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /synthetic input, 0\.1 s in all, after up to 1 warm-up runs per model, in alternating rounds/);
    assert.match(r.stdout, /^ {2}digits_cnn\.spm +\S+ +\S+ +\S+ +\d+$/m);
    assert.match(r.stdout, /^ {2}digits_cnn\.onnx \(dense\) +\S+/m);
    // The wall-clock ratio only when the runs had a CPU; on a busy machine a line says so instead (never both).
    assert.match(r.stdout, /speedup \d+\.\d{3}× over the dense model \(median CPU time per run(; wall clock \d+\.\d{3}×)?\)/);
    assert.equal(/wall clock \d/.test(r.stdout), !/the machine was busy: runs had a CPU for \d+% and \d+% of their wall clock/.test(r.stdout));
    const alone = spc('bench', spm, '--time', '0.1');
    assert.equal(alone.code, 0, alone.stderr);
    assert.doesNotMatch(alone.stdout, /speedup|dense/);
    // This digits_cnn 2:4 stores fc1 nm for its dense Gemm kernel (conv2 runs the N:M kernel packed): the load line
    // reports that one expansion, 256×128 floats.
    assert.match(alone.stdout, /^ {2}load: 1 packed weight unpacked for their kernels in \S+ ms, 131072 bytes resident$/m);
  });

  it('--min-speedup: exit 1 naming the budget and the measured value when below, 0 and "budget met" when met', () => {
    const fail = spc('bench', spm, '--reference', cnn, '--time', '0.1', '--min-speedup', '1000');
    assert.equal(fail.code, 1, fail.stderr);
    assert.match(fail.stderr, /budget failed: --min-speedup 1000: measured speedup \d+\.\d{3}× \(median CPU time per run; \d+ runs of the dense model, \d+ of the artifact\), below the budget of 1000×/);
    const ok = spc('bench', spm, '--reference', cnn, '--time', '0.1', '--min-speedup', '0.001', '--json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).budgets.map((b: { budget: string; ok: boolean }) => [b.budget, b.ok]), [['--min-speedup', true]]);
  });

  it('--profile: every node of the artifact once, its op types summed, the nodes summing to the run\'s CPU median', () => {
    const r = spc('bench', spm, '--time', '0.2', '--warmup', '1', '--profile', '--json');
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout).profile as { runCpuMs: number; byOp: { op: string; ms: number; nodes: number }[]; nodes: { node: string; op: string; kernel: string; ms: number }[] };
    const a = parseArtifact(new Uint8Array(readFileSync(spm)));
    assert.deepEqual(p.nodes.map((n) => [n.node, n.op, n.kernel]), a.nodes.map((n) => [n.name, n.op, n.kernel]));
    const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
    assert.ok(p.runCpuMs > 0 && p.nodes.every((n) => n.ms >= 0));
    assert.ok(Math.abs(sum(p.nodes.map((n) => n.ms)) - p.runCpuMs) < 1e-9 * p.runCpuMs + 1e-12);
    for (const o of p.byOp) {
      const mine = p.nodes.filter((n) => n.op === o.op);
      assert.equal(o.nodes, mine.length, o.op);
      assert.ok(Math.abs(o.ms - sum(mine.map((n) => n.ms))) < 1e-9, o.op);
    }
    assert.deepEqual(p.byOp.map((o) => o.op).sort(), [...new Set(a.nodes.map((n) => n.op))].sort());
    const text = spc('bench', spm, '--time', '0.1', '--warmup', '1', '--profile');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /where the time goes: \S+ ms CPU per run \(median\)/);
    assert.match(text.stdout, /^ {2}Conv +2 +\S+ +\S+%$/m);
    assert.match(text.stdout, /slowest 6 of 6 nodes:/);
  });

  it('usage errors exit 2; a missing reference or a damaged artifact exits 1 naming it', () => {
    for (const args of [['--min-speedup', '2'], ['--time', '0'], ['--warmup', '1.5'], ['--time', 'soon']]) {
      const r = spc('bench', spm, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.match(spc('bench', spm, '--min-speedup', '2').stderr, /--min-speedup needs --reference/);
    const missing = spc('bench', spm, '--reference', join(work, 'nope.onnx'), '--time', '0.1');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--reference .*nope\.onnx: no such file/);
    // Another model: its input cannot take the artifact's shape (one compile error, the file named once) …
    const mlp = spc('bench', spm, '--reference', join(DIGITS_DIR, 'digits_mlp.onnx'), '--time', '0.1');
    assert.equal(mlp.code, 1, mlp.stderr);
    assert.match(mlp.stderr, /^spc: error: --reference \S*digits_mlp\.onnx: input 'input' has rank 2/);
    // … or it takes the same input and gives another output.
    const a = writeLinearModel(work, 'three', [[1, 0, 0], [0, 1, 0]]), b = writeLinearModel(work, 'two', [[1, 0], [0, 1]]);
    assert.equal(spc('compile', a, '-o', work, '-q').code, 0);
    const other = spc('bench', join(work, 'three.spm'), '--reference', b, '--time', '0.1');
    assert.equal(other.code, 1, other.stderr);
    assert.match(other.stderr, /--reference \S*two\.onnx: its outputs float32\[1,2\] differ from the artifact's float32\[1,3\]: not the dense form of this model/);
    const notSpm = spc('bench', cnn, '--time', '0.1');
    assert.equal(notSpm.code, 1, notSpm.stderr);
    assert.match(notSpm.stderr, /digits_cnn\.onnx: /);
  });
});
