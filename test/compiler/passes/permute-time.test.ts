// The artifact never depends on the machine's speed: by default the channel-permutation search and
// row reordering stop on their deterministic work budgets and read no clock (a clock that jumps an
// hour per read changes nothing); --permute-time is an opt-in cap, recorded in the provenance.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileOptions, CompileResult } from '../../../compiler/compile.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
const CALIB = join(DIGITS_DIR, 'digits-calib-x.npy');

/**
 * Runs `f` with performance.now and Date.now replaced by a clock that jumps an hour at every read;
 * returns its result and the reads made by spc's own code (the caller's frame in compiler/ or
 * runtime/), with where each came from. Reads by other libraries in this process do not count:
 * once the browser tests load playwright-core, its bundled graceful-fs patches fs.closeSync with
 * a retry queue that reads Date.now — a clock spc never consults.
 */
function withJumpingClock<T>(f: () => T): { value: T; reads: number; readers: string[] } {
  const perf = performance.now, date = Date.now;
  let t = 0;
  const readers: string[] = [];
  const jump = (): number => {
    const caller = new Error().stack?.split('\n')[2] ?? '';
    if (/[\\/](compiler|runtime)[\\/]/.test(caller) && !/node_modules/.test(caller)) readers.push(caller.trim());
    t += 3_600_000;
    return t;
  };
  performance.now = jump;
  Date.now = jump;
  try {
    const value = f();
    return { value, reads: readers.length, readers };
  } finally {
    performance.now = perf;
    Date.now = date;
  }
}

const provenance = (r: CompileResult): Map<string, string> => new Map(r.contents.provenance.options);

describe('permute-channels / reorder-rows: no wall-clock dependence by default', function () {
  this.timeout(300_000);

  const cases: [string, CompileOptions][] = [
    ['2:4 (magnitude, permutation searched)', { pattern: '2:4' }],
    ['2:4 wanda (calibrated permutation choice)', { pattern: '2:4', method: 'wanda', calib: CALIB }],
    ['unstructured 0.9 (row reordering)', { pattern: 'unstructured', sparsity: 0.9 }],
  ];
  for (const [label, options] of cases) {
    it(`${label}: the same bytes with a clock that jumps an hour per read, and no clock read at all`, () => {
      const real = compileFile(CNN, options);
      // The search must have had something to decide, or the comparison proves nothing.
      assert.ok(real.groups.some((g) => g.applied) || real.rowOrder.some((g) => g.applied), 'a permutation or row order was applied');
      const jumped = withJumpingClock(() => compileFile(CNN, options));
      assert.ok(Buffer.from(jumped.value.artifact).equals(Buffer.from(real.artifact)), 'artifact bytes differ under a jumping clock');
      assert.ok(jumped.value.groups.every((g) => !g.timedOut));
      assert.equal(jumped.reads, 0, `the compile read the clock:\n${jumped.readers.join('\n')}`);
      assert.ok(!provenance(real).has('permute-time'), 'no cap recorded by default');
    });
  }

  it('an opt-in --permute-time cap is recorded in the provenance, and cutting the search is warned about', () => {
    const capped = withJumpingClock(() => compileFile(CNN, { pattern: '2:4', permuteTime: 0.001 })).value;
    assert.equal(provenance(capped).get('permute-time'), '0.001');
    assert.ok(capped.groups.length >= 1 && capped.groups.every((g) => g.timedOut), 'a clock past the cap cuts every group');
    assert.ok(capped.warnings.some((w) => /cut by --permute-time \(0\.001 s\).*drop --permute-time/.test(w)), capped.warnings.join('\n'));
    // A generous cap that does not cut still records itself: the option set is what was asked for.
    const roomy = compileFile(CNN, { pattern: '2:4', permuteTime: 600 });
    assert.equal(provenance(roomy).get('permute-time'), '600');
    assert.ok(roomy.groups.every((g) => !g.timedOut));
  });
});
