// CI budgets on `spc compile`: each fails with exit 1, a message naming the budget and the
// measured value, and nothing written; each passes when met. Measured values are checked
// against independent readings (file size on disk, `spc eval` of both models, the kernel
// estimates `spc inspect` prints).

import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { NO_NM_GEMM, writeShippedProfileWithout } from '../../helpers/profiles.js';
import { formatMs } from '../../../compiler/analysis/cost.js';

const MLP = join(DIGITS_DIR, 'digits_mlp.onnx');
const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
const EVAL = ['--eval-data', join(DIGITS_DIR, 'digits-test-x.npy'), '--eval-labels', join(DIGITS_DIR, 'digits-test-y.npy')];

function assertNothingWritten(dir: string): void {
  assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, `${dir} holds ${existsSync(dir) ? readdirSync(dir).join(', ') : ''}`);
}

describe('cli: budgets', function () {
  this.timeout(300_000);
  const work = tempDir('spc-budgets-');
  let n = 0;
  const dir = (): string => join(work, `out${n++}`);

  it('--max-size: fails one byte under the artifact size, passes at it', () => {
    const ok = dir();
    const r = spc('compile', MLP, '-o', ok, '--sparsity', '0.9', '--json');
    assert.equal(r.code, 0, r.stderr);
    const bytes = statSync(join(ok, 'digits_mlp.spm')).size;
    assert.equal(JSON.parse(r.stdout).bytes, bytes);

    const failed = dir();
    const f = spc('compile', MLP, '-o', failed, '--sparsity', '0.9', '--max-size', String(bytes - 1), '--report', join(failed, 'r.html'));
    assert.equal(f.code, 1, f.stderr);
    assert.match(f.stderr, new RegExp(`--max-size ${bytes - 1}: the artifact is ${bytes} bytes, over the budget of ${bytes - 1} bytes`));
    assert.match(f.stderr, /nothing written/);
    assertNothingWritten(failed);

    const kb = spc('compile', MLP, '-o', dir(), '--sparsity', '0.9', '--max-size', '50KB', '-q');
    assert.equal(kb.code, 1);
    assert.match(kb.stderr, new RegExp(`--max-size 50KB: the artifact is ${bytes} bytes, over the budget of 51200 bytes`));

    const met = dir();
    const p = spc('compile', MLP, '-o', met, '--sparsity', '0.9', '--max-size', String(bytes));
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, new RegExp(`budget met: --max-size ${bytes}: the artifact is ${bytes} bytes, within`));
    assert.equal(statSync(join(met, 'digits_mlp.spm')).size, bytes);
  });

  it('--max-accuracy-drop: measured against `spc eval` of the dense and the pruned artifact', () => {
    const dense = dir();
    const pruned = dir();
    assert.equal(spc('compile', CNN, '-o', dense, '-q').code, 0);
    assert.equal(spc('compile', CNN, '-o', pruned, '--pattern', '1:4', '-q').code, 0);
    const top1 = (d: string): number => {
      const e = spc('eval', join(d, 'digits_cnn.spm'), '--data', EVAL[1]!, '--labels', EVAL[3]!, '--json');
      assert.equal(e.code, 0, e.stderr);
      return JSON.parse(e.stdout).correct as number;
    };
    const drop = (100 * (top1(dense) - top1(pruned))) / 500;
    assert.ok(drop > 0.5, `1:4 costs digits_cnn ${drop} points`);

    const failed = dir();
    const under = Number((drop - 0.1).toFixed(1));
    const f = spc('compile', CNN, '-o', failed, '--pattern', '1:4', ...EVAL, '--max-accuracy-drop', String(under), '--json');
    assert.equal(f.code, 1, f.stderr);
    assert.match(f.stderr, new RegExp(`--max-accuracy-drop ${under}: top-1 accuracy dropped ${drop.toFixed(2)} points .* more than the budget of ${under} points`));
    assertNothingWritten(failed);
    const json = JSON.parse(f.stdout);
    assert.equal(json.artifact, null);
    assert.deepEqual(json.budgets.map((b: { budget: string; ok: boolean }) => [b.budget, b.ok]), [['--max-accuracy-drop', false]]);

    const met = dir();
    const p = spc('compile', CNN, '-o', met, '--pattern', '1:4', ...EVAL, '--max-accuracy-drop', drop.toFixed(2), '--json');
    assert.equal(p.code, 0, p.stderr);
    const acc = JSON.parse(p.stdout).accuracy;
    assert.equal(acc.dropPoints, drop);
    assert.ok(existsSync(join(met, 'digits_cnn.spm')));
  });

  it('--min-speedup: the estimated speedup is Σ dense / Σ chosen estimates, the ones `spc inspect` gives as reasons', () => {
    const base = dir();
    const r = spc('compile', MLP, '-o', base, '--sparsity', '0.9', '--json');
    assert.equal(r.code, 0, r.stderr);
    const est = JSON.parse(r.stdout).estimate as { speedup: number; ns: number; denseNs: number; others: { ns: number; denseNs: number }; layers: { node: string; kernel: string; ns: number; denseNs: number }[] };
    const sum = (f: (l: typeof est.layers[number]) => number): number => est.layers.reduce((s, l) => s + f(l), 0);
    // The whole model: the layers plus every other node priced per element.
    assert.equal(est.speedup, (sum((l) => l.denseNs) + est.others.denseNs) / (sum((l) => l.ns) + est.others.ns));
    // The CSR layer's reason reads 'est. <ns> ms vs dense <kernel> <denseNs> ms': the same figures, rounded.
    const layers = JSON.parse(spc('inspect', join(base, 'digits_mlp.spm'), '--json').stdout).layers as { node: string; kernelReason: string }[];
    const csr = est.layers.find((l) => l.kernel.includes('csr'))!;
    const m = /est\. ([\d.]+) ms vs dense \S+ ([\d.]+) ms/.exec(layers.find((l) => l.node === csr.node)!.kernelReason)!;
    assert.ok(m, 'the CSR layer says its estimates');
    assert.ok(Math.abs(Number(m[1]) - csr.ns / 1e6) <= 5e-5 && Math.abs(Number(m[2]) - csr.denseNs / 1e6) <= 5e-5, `${m[0]} vs ${csr.ns}, ${csr.denseNs}`);
    assert.ok(est.speedup > 1.05, `90% unstructured digits_mlp is estimated ${est.speedup}× faster`);

    const failed = dir();
    const f = spc('compile', MLP, '-o', failed, '--sparsity', '0.9', '--min-speedup', '5');
    assert.equal(f.code, 1, f.stderr);
    assert.match(f.stderr, new RegExp(`--min-speedup 5: estimated speedup ${est.speedup.toFixed(3)}× \\(.* ms dense → .* ms; estimates, not measurements: 3 Conv/Gemm/MatMul layers from the kernel profile.*\\), below the budget of 5×`));
    assertNothingWritten(failed);

    const p = spc('compile', MLP, '-o', dir(), '--sparsity', '0.9', '--min-speedup', String(Math.floor(est.speedup * 100) / 100));
    assert.equal(p.code, 0, p.stderr);
    // A dense compile is its own baseline: exactly 1×.
    const d = spc('compile', MLP, '-o', dir(), '--min-speedup', '1.01', '-q');
    assert.equal(d.code, 1);
    assert.match(d.stderr, /estimated speedup 1\.000×/);
  });

  it('--prefer size: the estimate prices the kernels the artifact runs (packed), not a re-choice without the preference', () => {
    const out = dir();
    // The shipped profile runs fc1 on the N:M gemv kernel, the fastest either way; without that family's entries
    // (priced by priors) fc1's packed kernel is estimated slower than dense, so the preference costs time.
    const profile = writeShippedProfileWithout(work, NO_NM_GEMM, 'no-nm-gemm');
    const r = spc('compile', CNN, '-o', out, '--pattern', '2:4', '--prefer', 'size', '--profile', profile, '--json');
    assert.equal(r.code, 0, r.stderr);
    const est = JSON.parse(r.stdout).estimate as { speedup: number; ns: number; denseNs: number; others: { ns: number; denseNs: number }; layers: { node: string; kernel: string; ns: number; denseKernel: string; denseNs: number }[] };
    // The oracle: the kernels the written artifact runs, and the estimates their reasons give.
    const layers = JSON.parse(spc('inspect', join(out, 'digits_cnn.spm'), '--json').stdout).layers as { node: string; kernel: string; kernelReason: string }[];
    const runs = new Map(layers.map((l) => [l.node, l]));
    assert.deepEqual(est.layers.map((l) => l.node), ['/conv1/Conv', '/conv2/Conv', '/fc1/Gemm', '/fc2/Gemm']);
    for (const l of est.layers) assert.equal(l.kernel, runs.get(l.node)!.kernel, l.node);
    assert.equal(runs.get('/conv2/Conv')!.kernel, 'f32-convnm-relu-24x1-wasmsimd'); // the fastest nm kernel, preference or not
    assert.match(runs.get('/fc1/Gemm')!.kernel, /^f32-gemmnm-relu-\d+x\d+-wasmsimd$/); // a packed N:M Gemm kernel, by its prior
    for (const node of ['/conv2/Conv', '/fc1/Gemm']) {
      // 'nm sparse (--prefer size: packed even where slower): est. <ms> ms vs dense <kernel> <ms> ms'
      const m = /est\. ([\d.]+) ms(?: \(prior\))? vs dense (\S+) ([\d.]+) ms/.exec(runs.get(node)!.kernelReason);
      assert.ok(m, `${node}: ${runs.get(node)!.kernelReason}`);
      const l = est.layers.find((x) => x.node === node)!;
      assert.deepEqual([formatMs(l.ns), l.denseKernel, formatMs(l.denseNs)], [m[1], m[2], m[3]], node);
    }
    // Σ dense / Σ packed over the whole model, the packed fc1 priced at its packed kernel's estimate.
    const sum = (f: (l: typeof est.layers[number]) => number): number => est.layers.reduce((s, l) => s + f(l), 0);
    assert.equal(est.speedup, (sum((l) => l.denseNs) + est.others.denseNs) / (sum((l) => l.ns) + est.others.ns));
    // fc1 runs its packed kernel, estimated slower than dense: the preference costs time against the default compile.
    const fc1 = est.layers.find((l) => l.node === '/fc1/Gemm')!;
    assert.ok(fc1.ns > fc1.denseNs, `fc1 est. ${fc1.ns} vs dense ${fc1.denseNs} ns`);
    const speed = JSON.parse(spc('compile', CNN, '-o', dir(), '--pattern', '2:4', '--profile', profile, '--json').stdout).estimate as typeof est;
    assert.ok(est.speedup < speed.speedup, `estimated speedup ${est.speedup} with --prefer size, ${speed.speedup} without: the size preference costs time`);
    // A budget just above it fails, naming the estimate of the kernels the artifact runs.
    const f = spc('compile', CNN, '-o', dir(), '--pattern', '2:4', '--prefer', 'size', '--profile', profile, '--min-speedup', (Math.ceil(est.speedup * 100) / 100 + 0.01).toFixed(2), '-q');
    assert.equal(f.code, 1, f.stderr);
    assert.match(f.stderr, new RegExp(`estimated speedup ${est.speedup.toFixed(3)}×`));
  });

  it('several failed budgets are all named; bad budget values and a missing eval set are usage errors (exit 2)', () => {
    const out = dir();
    const f = spc('compile', MLP, '-o', out, '--sparsity', '0.9', '--max-size', '1KB', '--min-speedup', '9');
    assert.equal(f.code, 1);
    assert.match(f.stderr, /--max-size 1KB: .*\n.*--min-speedup 9: /);
    assertNothingWritten(out);
    for (const [flag, value, why] of [['--max-size', '12 parsecs', /KB or MB/], ['--min-speedup', '0', /factor > 0/], ['--max-accuracy-drop', '-1', /points ≥ 0/]] as const) {
      const u = spc('compile', MLP, '-o', dir(), flag, value, ...EVAL);
      assert.equal(u.code, 2, `${flag} ${value}: ${u.stderr}`);
      assert.match(u.stderr, why);
    }
    const noData = spc('compile', MLP, '-o', dir(), '--max-accuracy-drop', '1');
    assert.equal(noData.code, 2);
    assert.match(noData.stderr, /--max-accuracy-drop needs labelled samples/);
    const half = spc('compile', MLP, '-o', dir(), '--eval-data', EVAL[1]!);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /--eval-data and --eval-labels go together/);
  });
});
