// `npm ci` on a fresh clone runs no dependency install script and prints no warning from the
// project's own files: every locked package with an install script has an allowScripts entry
// (npm 11 runs, and warns about, those without one; onnxruntime-node's would download from
// nuget.org), and no .npmrc sets a key npm does not know.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';

describe('install configuration', () => {
  it('every locked package with an install script is denied in allowScripts', () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const scripted = [...new Set(Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript).map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)))].sort();
    assert.ok(scripted.includes('onnxruntime-node'), `packages with install scripts: ${scripted.join(', ')}`);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    assert.deepEqual(scripted.filter((name) => manifest.allowScripts?.[name] !== false), []);
  });

  it('no .npmrc with keys npm does not know', () => {
    const npmrc = join(REPO_ROOT, '.npmrc');
    if (existsSync(npmrc)) assert.doesNotMatch(readFileSync(npmrc, 'utf8'), /onnxruntime-node-install/);
  });
});
