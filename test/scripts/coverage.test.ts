// `npm run coverage -- <args>` (scripts/coverage.ts) on a bad command line: every argument is
// checked before any compile starts, and a bad one ends the run with exit 1 and one line naming it
// (no stack trace, nothing on stdout).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';

const COVERAGE = join(REPO_ROOT, 'dist', 'scripts', 'coverage.js');

/** The script as `npm run coverage -- …` runs it; 60 s is far more than a refusal takes (a real run of one model takes minutes). */
function coverage(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [COVERAGE, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run coverage: bad arguments', function () {
  this.timeout(120_000);

  it('an unknown model: exit 1, the argument named, the known models listed, no stack trace', () => {
    const r = coverage('digits_cnn', 'no_such_model');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '', 'no table is started');
    assert.match(r.stderr, /^coverage: argument 2 'no_such_model': unknown model; known: digits_cnn, digits_mlp, .*resnet10_w32/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('a digits_ name the digits folder does not hold is an unknown model too (not a missing-file crash later)', () => {
    const r = coverage('digits_rnn');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^coverage: argument 1 'digits_rnn': unknown model; /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('an unknown option: exit 1 before any compile, the option named (it was ignored before)', () => {
    const r = coverage('digits_cnn', '--fast');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "coverage: argument 2 '--fast': unknown option (known: --sparsegpt)\n");
  });
});
