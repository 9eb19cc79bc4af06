// The runtime must stay browser-safe: no globals only Node has, checked on the sources. Its
// imports (no Node built-in, no compiler module, no package but flatbuffers) are checked with
// the rest of the import structure by test/structure.test.ts (.dependency-cruiser.cjs).

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('runtime is browser-safe', () => {
  const files = tsFiles(join(REPO_ROOT, 'runtime'));

  it('uses no Node-only globals', () => {
    const bad: string[] = [];
    for (const f of files) {
      const src = readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '');
      for (const g of [/\bBuffer\./, /\bprocess\./, /\brequire\(/, /\b__dirname\b/, /\bglobal\./]) {
        if (g.test(src)) bad.push(`${relative(REPO_ROOT, f)}: ${g.source}`);
      }
    }
    assert.deepEqual(bad, []);
    assert.ok(files.length > 10, 'runtime sources found');
  });
});
