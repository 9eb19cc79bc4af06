// `npm run docs:cli`: writes docs/cli.md from the commander definitions (compiler/cli/docs.ts).

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../compiler/cli/main.js';
import { CLI_DOC_PATH, cliReference } from '../compiler/cli/docs.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
writeFileSync(join(ROOT, CLI_DOC_PATH), cliReference(buildProgram()));
process.stdout.write(`wrote ${CLI_DOC_PATH}\n`);
