// spc compile's progress (issue 20 item 5): every long phase of a calibrated compile reports its
// progress (calibration statistics, the permutation search within groups, calibrated pruning),
// and nothing of it reaches stderr when stderr is not a terminal.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { compileFile } from '../../../compiler/compile.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
const CALIB = join(DIGITS_DIR, 'digits-calib-x.npy');

describe('cli: compile progress', function () {
  this.timeout(300_000);

  for (const method of ['wanda', 'sparsegpt'] as const) {
    it(`a calibrated N:M compile (${method}) reports each phase: calibration, the permutation search${method === 'wanda' ? ' (more often than once a group: its calibrated check)' : ''}, pruning`, () => {
      const calls: Record<'calib' | 'permute' | 'prune', [number, number, string | undefined][]> = { calib: [], permute: [], prune: [] };
      const r = compileFile(CNN, {
        pattern: '2:4', method, calib: CALIB, calibCount: 32, inputShapes: { input: [1, 1, 8, 8] },
        onCalibProgress: (d, t, x) => calls.calib.push([d, t, x]),
        onPermuteProgress: (d, t, x) => calls.permute.push([d, t, x]),
        onPruneProgress: (d, t, x) => calls.prune.push([d, t, x]),
      });
      for (const [phase, cs] of Object.entries(calls)) {
        assert.ok(cs.length >= 2, `${phase}: reported (${cs.length} calls)`);
        const total = cs[0]![1];
        assert.ok(cs.every(([d, t], i) => t === total && d <= t && (i === 0 || d >= cs[i - 1]![0])), `${phase}: monotone, one total: ${JSON.stringify(cs)}`);
        assert.equal(cs[cs.length - 1]![0], total, `${phase}: ends at its total`);
      }
      const groups = new Set(calls.permute.map(([, , x]) => x).filter((x) => x !== undefined));
      assert.ok(r.groups.length >= 1);
      assert.match([...groups][0]!, /^group 1 of \d+$/);
      // Wanda's calibrated check ticks the bar within groups (SparseGPT's order has no check: one search a group).
      if (method === 'wanda') assert.ok(calls.permute.length > groups.size + 1, `within groups: ${calls.permute.length} calls for ${groups.size} groups`);
    });
  }

  it('no progress output when stderr is not a terminal: no bar, no carriage return', () => {
    const work = tempDir('spc-progress-');
    const r = spc('compile', CNN, '-o', work, '-p', '2:4', '--method', 'wanda', '--calib', CALIB, '--calib-count', '16', '--input-shape', 'input=1x1x8x8');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'nothing on stderr (spawned with pipes: not a TTY)');
    assert.ok(!r.stdout.includes('\r'));
  });
});
