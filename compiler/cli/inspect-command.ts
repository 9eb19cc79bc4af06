// `spc inspect file.spm`: the per-layer table (or JSON) of an artifact, after full validation,
// with the pruning recipe the artifact records (requested/achieved sparsity, why kept dense).

import { Command } from 'commander';
import { formatLayerTable, summarizeArtifact } from '../emit/layer-table.js';
import { parseArtifactFile } from './read-file.js';
import { existsSync } from 'node:fs';
import { loadOnnx } from '../frontend/load.js';
import { runPipeline } from '../passes/manager.js';
import { makePassContext } from '../passes/pass.js';
import { canonicalizePipeline } from '../passes/pipelines.js';
import { channelGroups, formatChannelGroups } from '../analysis/channel-groups.js';
import { SpcError, UsageError } from '../errors.js';
import { printOut } from './print.js';

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('print the per-layer table of an .spm artifact: op, shapes, parameters, storage, requested and achieved sparsity, bytes, kernel, why a layer stayed dense')
    .argument('<file.spm>', 'the artifact (with --groups: the ONNX model)')
    .option('--json', 'print JSON instead of a table')
    .option('--groups', 'read an ONNX model and print its channel groups (what --permute may permute): id, channels, producers, consumers (@offset, ×features per channel), why a group is excluded')
    .option('-q, --quiet', 'print nothing: only validate the artifact (exit 1 and an error when it is invalid)')
    .action((file: string, flags: { json?: boolean; quiet?: boolean; groups?: boolean }) => {
      if (flags.groups) {
        if (!existsSync(file)) throw new SpcError(`${file}: no such file`);
        if (file.endsWith('.spm')) throw new UsageError(`--groups reads an ONNX model, not an artifact: ${file}`);
        const { graph } = loadOnnx(file, {});
        const canonical = runPipeline(graph, canonicalizePipeline, makePassContext());
        const groups = channelGroups(canonical).map(({ edits: _, ...g }) => g);
        printOut((flags.json ? JSON.stringify(groups, null, 2) : formatChannelGroups(groups)) + '\n');
        return;
      }
      const summary = summarizeArtifact(parseArtifactFile(file));
      if (flags.quiet && !flags.json) return;
      printOut((flags.json ? JSON.stringify(summary, null, 2) : formatLayerTable(summary)) + '\n');
    });
}

