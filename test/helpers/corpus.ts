// Locates the repository root and the shared corpus (../shared/corpus beside the clone),
// whichever output directory the compiled tests run from.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'spc') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no spc package.json above ${start}`);
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const CORPUS = resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const MODELS_DIR = join(CORPUS, 'models');
export const DIGITS_DIR = join(CORPUS, 'digits');
export const NODE_TESTS_DIR = join(CORPUS, 'onnx-node-tests');
