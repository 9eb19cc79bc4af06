// spc's version, read once from the package manifest so it never drifts from package.json.
// The manifest is looked up from this module's folder upwards: the repository's (dist/compiler/ →
// the root, 'spc') or the installed package's (spc-compiler; its version is the repository's).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if ((pkg.name === 'spc' || pkg.name === 'spc-compiler') && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error('spc: cannot find its own package.json');
  }
}

export const SPC_VERSION: string = readVersion();
