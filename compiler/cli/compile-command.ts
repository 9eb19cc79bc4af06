// `spc compile model.onnx -o out/`: writes out/<name>.spm and prints a summary.

import { Command } from 'commander';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { compileFile } from '../compile.js';
import { summarizeArtifact } from '../emit/layer-table.js';
import { writeFileAtomic } from '../io/fs.js';
import { SpcError, UsageError } from '../errors.js';
import { collect, parseInputShape } from './options.js';
import type { Target } from '../analysis/kernel-choice.js';
import { printGraph } from '../ir/print.js';

interface CompileFlags {
  output: string;
  inputShape?: string[];
  targets?: string;
  verify?: boolean;
  printIr?: boolean;
  json?: boolean;
  quiet?: boolean;
}

// wasmsimd joins the list with the kernels that use it.
const TARGETS: readonly Target[] = ['js', 'ref'];

export function compileCommand(): Command {
  return new Command('compile')
    .description('compile an ONNX model into an .spm artifact (dense for now)')
    .argument('<model.onnx>', 'the ONNX model (external data files are read from its folder)')
    .option('-o, --output <dir>', 'output folder, created if missing; the artifact is <dir>/<model name>.spm', '.')
    .option('--input-shape <name=dims>', 'pin an input shape, e.g. input=1x3x224x224 (repeatable); a dynamic batch is otherwise pinned to 1', collect)
    .option('--targets <list>', `kernel targets in order of preference, from ${TARGETS.join(', ')}`, 'js,ref')
    .option('--verify', 'run the IR verifier after every pass')
    .option('--print-ir', 'print the final IR to stdout')
    .option('--json', 'print the summary as JSON on stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .action((model: string, flags: CompileFlags) => {
      const inputShapes = Object.fromEntries((flags.inputShape ?? []).map(parseInputShape));
      const targets = (flags.targets ?? 'js,ref').split(',').map((t) => t.trim()) as Target[];
      const bad = targets.filter((t) => !TARGETS.includes(t));
      if (bad.length > 0) throw new UsageError(`--targets: unknown target(s) ${bad.join(', ')}; choose from ${TARGETS.join(', ')}`);
      if (!existsSync(model)) throw new SpcError(`${model}: no such file`);
      const result = compileFile(model, { inputShapes, targets: flags.targets ? targets : undefined, verify: flags.verify });
      if (!flags.quiet) for (const w of result.warnings) process.stderr.write(`spc: warning: ${w}\n`);
      if (existsSync(flags.output) && !statSync(flags.output).isDirectory()) {
        throw new UsageError(`-o ${flags.output}: exists and is not a folder (-o names the output folder)`);
      }
      mkdirSync(flags.output, { recursive: true });
      const out = join(flags.output, `${basename(model, extname(model))}.spm`);
      writeFileAtomic(out, result.artifact);
      const s = summarizeArtifact(result.contents);
      if (flags.printIr) process.stdout.write(printGraph(result.graph) + '\n');
      if (flags.json) {
        process.stdout.write(JSON.stringify({
          artifact: out, bytes: result.artifact.length, layers: s.layers.length, params: s.params,
          weightBytes: s.weightBytes, arenaBytes: s.arenaBytes, warnings: result.warnings,
        }, null, 2) + '\n');
      } else if (!flags.quiet) {
        const kernels = new Map<string, number>();
        for (const l of s.layers) kernels.set(l.kernel, (kernels.get(l.kernel) ?? 0) + 1);
        process.stdout.write([
          `wrote ${out} (${result.artifact.length} bytes)`,
          `  ${s.layers.length} layers, ${s.params} parameters (${s.weightBytes} weight bytes), arena ${s.arenaBytes} bytes`,
          `  kernels: ${[...kernels].map(([k, c]) => `${k}×${c}`).join(', ')}`,
        ].join('\n') + '\n');
      }
    });
}
