// The calibration flags as a user meets them: --method wanda|sparsegpt and --bias-correction
// without --calib, unknown methods and bad counts are usage errors (exit 2) that say what to
// pass; a calibrated compile succeeds and prints no progress bar when stderr is not a terminal.

import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
const CALIB = join(DIGITS_DIR, 'digits-calib-x.npy');

describe('cli: calibration options', function () {
  this.timeout(120_000);
  const work = tempDir('spc-calib-cli-');

  const usage: [string[], RegExp][] = [
    [['--pattern', '2:4', '--method', 'wanda'], /--method wanda needs calibration data: --calib/],
    [['--pattern', '2:4', '--method', 'sparsegpt'], /--method sparsegpt needs calibration data: --calib/],
    [['--pattern', '2:4', '--bias-correction'], /--bias-correction needs calibration data/],
    [['--pattern', '2:4', '--method', 'obs', '--calib', CALIB], /choose magnitude, wanda, sparsegpt/],
    [['--pattern', '2:4', '--method', 'wanda', '--calib', CALIB, '--calib-count', '0'], /--calib-count '0'/],
    [['--pattern', '2:4', '--calib-count', '8'], /--calib-count needs --calib/],
    [['--method', 'sparsegpt', '--calib', CALIB], /--method sparsegpt needs --pattern/],
    [['--pattern', 'channel', '--sparsity', '0.25', '--method', 'wanda', '--calib', CALIB], /channel prunes by magnitude/],
  ];
  for (const [args, pattern] of usage) {
    it(`${args.map((a) => (a === CALIB ? 'x.npy' : a)).join(' ')}: usage error (exit 2)`, () => {
      const out = join(work, 'never');
      const r = spc('compile', CNN, '-o', out, ...args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!existsSync(out));
    });
  }

  it('--method sparsegpt --calib x.npy --calib-count 32 --bias-correction compiles; no progress bar off a terminal', () => {
    const out = join(work, 'ok');
    const r = spc('compile', CNN, '-o', out, '--pattern', 'unstructured', '--sparsity', '0.75', '--method', 'sparsegpt', '--calib', CALIB, '--calib-count', '32', '--bias-correction', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /calibrating/);
    const summary = JSON.parse(r.stdout);
    assert.ok(summary.layerReport.some((l: { pattern: string; achieved: number }) => l.pattern === 'unstructured' && Math.abs(l.achieved - 0.75) < 1e-3));
    assert.ok(existsSync(join(out, 'digits_cnn.spm')));
    const inspect = spc('inspect', '--json', join(out, 'digits_cnn.spm'));
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /"sparsegpt"/);
    assert.match(inspect.stdout, /"bias-correction"/);
    assert.match(inspect.stdout, /digits-calib-x\.npy \(32 of 128 samples\) sha256:/);
    assert.doesNotMatch(inspect.stdout, new RegExp(DIGITS_DIR.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
});
