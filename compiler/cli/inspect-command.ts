// `spc inspect file.spm`: the per-layer table (or JSON) of an artifact, after full validation,
// with the pruning recipe the artifact records (requested/achieved sparsity, why kept dense).

import { Command } from 'commander';
import { parseArtifact } from '../../runtime/loader/load.js';
import { formatLayerTable, summarizeArtifact } from '../emit/layer-table.js';
import { readInputFile } from './read-file.js';

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('print the per-layer table of an .spm artifact: op, shapes, parameters, storage, requested and achieved sparsity, bytes, kernel, why a layer stayed dense')
    .argument('<file.spm>', 'the artifact')
    .option('--json', 'print JSON instead of a table')
    .option('-q, --quiet', 'print nothing: only validate the artifact (exit 1 and an error when it is invalid)')
    .action((file: string, flags: { json?: boolean; quiet?: boolean }) => {
      const summary = summarizeArtifact(parseArtifactFile(file));
      if (flags.quiet && !flags.json) return;
      process.stdout.write((flags.json ? JSON.stringify(summary, null, 2) : formatLayerTable(summary)) + '\n');
    });
}

/** Reads and validates an artifact; loader errors are prefixed with the file name. */
export function parseArtifactFile(file: string) {
  const bytes = readInputFile(file);
  try {
    return parseArtifact(bytes);
  } catch (e) {
    if (e instanceof Error && e.name === 'ArtifactError') e.message = `${file}: ${e.message}`;
    throw e;
  }
}
