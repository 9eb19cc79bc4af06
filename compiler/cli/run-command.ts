// `spc run file.spm --input x.npy [--output y.npy]`: runs an artifact with spc's own runtime on
// .npy or ONNX TensorProto .pb inputs, prints a summary of each output (top-k classes for a
// classifier) and, when asked, writes .npy or .pb outputs.

import { Command, Option } from 'commander';
import { extname, join } from 'node:path';
import type { Feed } from '../../runtime/index.js';
import { formatNpy } from '../io/npy.js';
import { formatTensorProto } from '../io/tensor-proto.js';
import { readTensorFile } from '../io/tensor-file.js';
import { findCollision, writeFilesAtomic } from '../io/fs.js';
import { SpcError, UsageError } from '../errors.js';
import { collect, parseInputBinding } from './options.js';
import { loadArtifactFile, readInputFile } from './read-file.js';
import { printOut } from './print.js';
import { CLASSIFIER_RULE, formatSummary, summarizeOutput } from './output-summary.js';

type Format = 'npy' | 'pb';

interface RunFlags { input?: string[]; output?: string; outputDir?: string; format?: Format; top: number; json?: boolean; quiet?: boolean }

export function runCommand(): Command {
  return new Command('run')
    .description('run an .spm artifact on .npy or ONNX TensorProto .pb inputs: print a summary of each output '
      + '(the top classes with probabilities for a classifier, else shape and value range) and optionally write .npy or .pb outputs')
    .argument('<file.spm>', 'the artifact')
    .option('-i, --input <[name=]file>', 'an input (.npy, or .pb: a serialized onnx.TensorProto); repeat as name=file for models with several inputs (a .pb may carry the name itself)', collect)
    .option('-o, --output <file>', 'where to write the output (models with one output); .pb writes a TensorProto, anything else .npy')
    .option('--output-dir <dir>', 'write every output as <dir>/<output name>.npy (or .pb with --format pb)')
    .addOption(new Option('--format <format>', 'output file format (default: from --output\'s extension, else npy)').choices(['npy', 'pb']))
    .option('--top <k>', 'classes to list per classifier output', positiveInt, 5)
    .option('--json', 'print each output\'s name, dtype, shape, value range, top classes and file written as JSON')
    .option('-q, --quiet', 'print nothing but errors (--json still prints)')
    .addHelpText('after', `\nClassifier outputs: ${CLASSIFIER_RULE}.`)
    .action(async (file: string, flags: RunFlags) => {
      if (flags.output && flags.outputDir) throw new UsageError('run: give either --output or --output-dir, not both');
      const format: Format = flags.format ?? (flags.output && extname(flags.output).toLowerCase() === '.pb' ? 'pb' : 'npy');
      const bytes = readInputFile(file);
      const model = await loadArtifactFile(file, bytes);
      const bindings = (flags.input ?? []).map(parseInputBinding);
      if (bindings.length === 0 && model.inputs.length > 0) {
        throw new UsageError(`run: give the model's inputs with --input (${model.inputs.map((i) => `${i.name} ${i.dtype}[${i.shape.join(',')}]`).join(', ')})`);
      }
      const feeds: Record<string, Feed> = {};
      const source = new Map<string, string>();
      const names = model.inputs.map((i) => i.name);
      for (const b of bindings) {
        const t = readTensorFile(b.path);
        const named = b.name ?? (model.inputs.length === 1 ? names[0] : t.protoName !== undefined && names.includes(t.protoName) ? t.protoName : undefined);
        if (named === undefined) {
          throw new UsageError(`the model has ${model.inputs.length} inputs (${names.join(', ')}): name each one with --input name=file`);
        }
        if (feeds[named]) throw new UsageError(`input '${named}' given twice`);
        feeds[named] = { data: t.data, shape: t.shape };
        source.set(named, b.path);
      }
      let outputs;
      try {
        outputs = await model.run(feeds);
      } catch (e) {
        // Name the file a rejected input came from.
        const m = e instanceof Error && e.name === 'RunError' ? /^input '([^']*)'/.exec(e.message) : null;
        if (m && source.has(m[1]!)) (e as Error).message = `${source.get(m[1]!)}: ${(e as Error).message}`;
        throw e;
      }
      const outNames = Object.keys(outputs);
      if (flags.output && outNames.length !== 1) throw new UsageError(`the model has ${outNames.length} outputs (${outNames.join(', ')}): use --output-dir`);
      const summaries = outNames.map((n) => summarizeOutput(n, outputs[n], flags.top));
      const writing = flags.output !== undefined || flags.outputDir !== undefined;
      const written = !writing ? [] : outNames.map((n) => ({
        name: n, file: flags.output ?? join(flags.outputDir!, `${safeFileName(n)}.${format}`),
      }));
      // Output names are free text: two may map to the same file name (`a/b` and `a_b`).
      const clash = findCollision(written.map((w) => w.file));
      if (clash) throw new SpcError(`${file}: outputs '${written[clash[0]]!.name}' and '${written[clash[1]]!.name}' would both be written to ${written[clash[1]]!.file}`);
      writeFilesAtomic(written.map((w) => ({
        path: w.file, createFolder: flags.outputDir !== undefined,
        data: format === 'pb' ? formatTensorProto(outputs[w.name], w.name) : formatNpy(outputs[w.name]),
      })));
      const files = new Map(written.map((w) => [w.name, w.file]));
      if (flags.json) printOut(JSON.stringify(summaries.map((s) => ({ ...s, ...(files.has(s.name) ? { file: files.get(s.name) } : {}) })), jsonNumbers, 2) + '\n');
      else if (!flags.quiet) {
        for (const s of summaries) printOut(formatSummary(s).join('\n') + '\n');
        for (const w of written) printOut(`wrote ${w.file}\n`);
      }
      model.dispose();
    });
}

/** --top: a whole number ≥ 1. */
function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--top '${text}': expected a whole number ≥ 1`);
  return n;
}

/** JSON has no NaN or ±Infinity: a non-finite value is written as null. */
function jsonNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

/** Output names may contain '/' or ':' (ONNX allows any string); keep file names inside the folder. */
function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
