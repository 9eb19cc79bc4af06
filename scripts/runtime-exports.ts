// In the repository, `spc-runtime/...` (what generated dispatch modules and apps import) resolves
// through runtime/package.json's exports map to the repository's own build (dist/runtime,
// dist/schemas), not to the staged package copy (runtime/dist), which `npx tsc` alone leaves stale.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bench/corpus.js';

export const RUNTIME_PACKAGE = 'spc-runtime';

type Target = string | { readonly default: string };
let exportsMap: Readonly<Record<string, Target>> | undefined;

/** The repository build's file for `spec` (`spc-runtime`, `spc-runtime/dispatch`, …), or undefined for another package. */
export function repoRuntimeFile(spec: string): string | undefined {
  if (spec !== RUNTIME_PACKAGE && !spec.startsWith(`${RUNTIME_PACKAGE}/`)) return undefined;
  exportsMap ??= (JSON.parse(readFileSync(join(ROOT, 'runtime', 'package.json'), 'utf8')) as { exports: Record<string, Target> }).exports;
  const subpath = `.${spec.slice(RUNTIME_PACKAGE.length)}`;
  for (const [key, target] of Object.entries(exportsMap)) {
    const star = key.indexOf('*');
    const match = star < 0 ? (key === subpath ? '' : undefined)
      : subpath.startsWith(key.slice(0, star)) && subpath.endsWith(key.slice(star + 1)) ? subpath.slice(star, subpath.length - (key.length - star - 1)) : undefined;
    if (match === undefined) continue;
    const file = (typeof target === 'string' ? target : target.default).replace('*', match);
    // The package's ./dist/ is the repository's dist/ (scripts/stage-packages.mjs copies one to the other).
    return join(ROOT, 'dist', file.replace(/^\.\/dist\//, ''));
  }
  throw new Error(`${spec}: not exported by runtime/package.json`);
}
