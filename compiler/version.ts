// spc's version, read once from the package manifest so it never drifts from package.json.

import { readFileSync } from 'node:fs';

export const SPC_VERSION: string = (JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string }).version;
