// `spc inspect file.spm`: the per-layer table (or JSON) of an artifact, after full validation,
// with the pruning recipe the artifact records (requested/achieved sparsity, why kept dense);
// `spc inspect model.onnx`: what compiling it would prune (cli/inspect-onnx.ts).

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
import { extname } from 'node:path';
import { addOptionFlags, optionsFromFlags } from './option-flags.js';
import { formatOnnxInspection, INSPECT_PRUNE_OPTIONS, inspectOnnx } from './inspect-onnx.js';

export function inspectCommand(): Command {
  const cmd = new Command('inspect')
    .description('print the per-layer table of an .spm artifact: op, shapes, parameters, storage, requested and achieved sparsity, bytes, kernel, why a layer stayed dense; of an ONNX model: its layers, which the pruning flags would prune and why the others stay dense, and its channel groups')
    .argument('<file.spm|model.onnx>', 'the artifact, or an ONNX model (.onnx)')
    .option('--json', 'print JSON instead of a table')
    .option('--groups', 'read an ONNX model and print its channel groups (what --permute may permute): id, channels, producers, consumers (@offset, ×features per channel), why a group is excluded')
    .option('-q, --quiet', 'print nothing: only validate the artifact (exit 1 and an error when it is invalid)')
    .optionsGroup('ONNX model (what compiling it with these flags would prune; default --pattern 2:4):');
  addOptionFlags(cmd, INSPECT_PRUNE_OPTIONS);
  return cmd
    .addHelpText('after', `
Examples:
  spc inspect out/model.spm                  the artifact's layers, kernels and pruning
  spc inspect model.onnx                     which layers --pattern 2:4 would prune, and why not the others
  spc inspect model.onnx -p unstructured -s 0.9 --min-params 1000`)
    .action((file: string, flags: { json?: boolean; quiet?: boolean; groups?: boolean }) => {
      if (!flags.groups && extname(file).toLowerCase() === '.onnx') {
        if (!existsSync(file)) throw new SpcError(`${file}: no such file`);
        const x = inspectOnnx(file, optionsFromFlags(flags as Record<string, unknown>, INSPECT_PRUNE_OPTIONS));
        if (flags.quiet && !flags.json) return;
        printOut((flags.json ? JSON.stringify(x, null, 2) : formatOnnxInspection(file, x)) + '\n');
        return;
      }
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

