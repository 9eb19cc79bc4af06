// `spc compile --permute/--no-permute/--permute-time` and `spc inspect --groups`, as a user runs them.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArtifact } from '../../../runtime/index.js';
import { spc } from '../../helpers/cli.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');

describe('cli: --permute and inspect --groups', function () {
  this.timeout(300_000);

  it('compile --pattern 2:4 permutes by default: the summary and --json report the groups and kept fractions', () => {
    const dir = tempDir();
    const r = spc('compile', CNN, '-o', dir, '--pattern', '2:4', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { groups: { group: number; before: number; after: number; applied: boolean }[]; layerReport: { node: string; keptBefore?: number; keptAfter?: number; group?: number }[] };
    assert.ok(j.groups.length >= 1);
    for (const g of j.groups) assert.ok(g.after >= g.before);
    assert.ok(j.layerReport.some((l) => l.group !== undefined && l.keptAfter! > l.keptBefore!));
    const t = spc('compile', CNN, '-o', dir, '--pattern', '2:4');
    assert.match(t.stdout, /permuted \d+ of \d+ channel groups searched: N:M kept magnitude [\d.]+ → [\d.]+ \(\+/);
    assert.match(t.stdout, /kept \|w\|/);
  });

  it('with a calibrated method the summary gives the kept score, and the calibrated output error where Wanda\'s check ran', () => {
    const dir = tempDir();
    const calib = join(DIGITS_DIR, 'digits-calib-x.npy');
    const sg = spc('compile', CNN, '-o', dir, '--pattern', '2:4', '--method', 'sparsegpt', '--calib', calib);
    assert.equal(sg.code, 0, sg.stderr);
    assert.match(sg.stdout, /channel groups searched: N:M kept score [\d.]+ → [\d.]+ \([+-][\d.]+%\)\n/);
    assert.doesNotMatch(sg.stdout, /calibrated output error/, 'sparsegpt runs no calibrated check');
    const wa = spc('compile', CNN, '-o', dir, '--pattern', '2:4', '--method', 'wanda', '--calib', calib);
    assert.equal(wa.code, 0, wa.stderr);
    assert.match(wa.stdout, /channel groups searched: N:M kept score [\d.]+ → [\d.]+ \([+-][\d.]+%\); calibrated output error [\d.e-]+ → [\d.e-]+/);
  });

  it('--permute twice gives byte-identical artifacts; --no-permute turns it off', () => {
    const a = tempDir();
    const b = tempDir();
    for (const d of [a, b]) assert.equal(spc('compile', CNN, '-o', d, '-q', '--pattern', '1:4', '--permute').code, 0);
    assert.deepEqual(readFileSync(join(a, 'digits_cnn.spm')), readFileSync(join(b, 'digits_cnn.spm')));
    const r = spc('compile', CNN, '-o', a, '--pattern', '1:4', '--no-permute', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).groups, []);
  });

  it('--permute-time must be a positive number (usage error, exit 2)', () => {
    for (const bad of ['0', '-1', 'soon', ' ']) {
      const r = spc('compile', CNN, '-o', tempDir(), '--pattern', '2:4', '--permute-time', bad);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--permute-time/);
    }
  });

  it('--permute-time is an opt-in cap recorded in the provenance; without it there is none', () => {
    const capped = tempDir();
    const plain = tempDir();
    assert.equal(spc('compile', CNN, '-o', capped, '-q', '--pattern', '2:4', '--permute-time', '120').code, 0);
    assert.equal(spc('compile', CNN, '-o', plain, '-q', '--pattern', '2:4').code, 0);
    const options = (dir: string) => new Map(parseArtifact(readFileSync(join(dir, 'digits_cnn.spm'))).provenance.options);
    assert.equal(options(capped).get('permute-time'), '120');
    assert.ok(!options(plain).has('permute-time'));
  });

  it('inspect --groups prints every group with its producers, consumers and why it is excluded; --json too', () => {
    const r = spc('inspect', '--groups', join(MODELS_DIR, 'resnet10_w32.onnx'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^9 channel groups, 8 permutable/);
    assert.match(r.stdout, /g0 +32 ch +producers: \/conv1\/Conv, \/layer1\/layer1\.0\/conv2\/Conv +consumers: .*\/layer2\/layer2\.0\/downsample\/downsample\.0\/Conv/);
    assert.match(r.stdout, /g8 +1000 ch +producers: \/fc\/Gemm +consumers: - +excluded: reaches graph output 'output'/);
    const j = spc('inspect', '--groups', '--json', CNN);
    const groups = JSON.parse(j.stdout) as { id: number; consumers: { node: string; factor: number }[]; excluded?: string }[];
    assert.equal(groups.length, 4);
    assert.deepEqual(groups[1]!.consumers, [{ node: '/fc1/Gemm', offset: 0, factor: 16 }]);
    assert.equal(spc('inspect', '--groups', join(tempDir(), 'missing.onnx')).code, 1);
  });
});
