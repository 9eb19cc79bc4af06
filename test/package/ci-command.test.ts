// `.ci/run` runs exactly the README's test command (the fenced block after "Run the tests"), so
// what CI checks is what a newcomer types, browser installation step included.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';

describe('.ci/run', () => {
  it("runs the README's test command, which installs chromium when missing", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /Run the tests[^]*?```sh\n([^]*?)\n```/.exec(readme);
    assert.ok(block, 'README has a "Run the tests" sh block');
    const command = block[1].trim();
    const ci = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8').trimEnd().split('\n');
    assert.equal(ci[ci.length - 1], command);
    assert.match(command, /apt-get install -y chromium/);
    assert.match(command, /npm test$/);
  });
});
