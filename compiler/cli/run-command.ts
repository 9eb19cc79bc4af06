// `spc run file.spm --input x.npy --output y.npy`: runs an artifact on .npy inputs with spc's
// own runtime and writes .npy outputs.

import { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../runtime/index.js';
import type { Feed } from '../../runtime/index.js';
import { parseNpy, formatNpy } from '../io/npy.js';
import { writeFileAtomic } from '../io/fs.js';
import { UsageError } from '../errors.js';
import { collect, parseInputBinding } from './options.js';
import { readInputFile } from './read-file.js';

interface RunFlags { input?: string[]; output?: string; outputDir?: string; json?: boolean; quiet?: boolean }

export function runCommand(): Command {
  return new Command('run')
    .description('run an .spm artifact on .npy inputs and write .npy outputs')
    .argument('<file.spm>', 'the artifact')
    .option('-i, --input <[name=]file.npy>', 'an input; repeat as name=file.npy for models with several inputs', collect)
    .option('-o, --output <file.npy>', 'where to write the output (models with one output)')
    .option('--output-dir <dir>', 'write every output as <dir>/<output name>.npy')
    .option('--json', 'print output names, shapes and dtypes as JSON')
    .option('-q, --quiet', 'print nothing but errors (--json still prints)')
    .action(async (file: string, flags: RunFlags) => {
      if (!flags.output && !flags.outputDir) throw new UsageError('run: give --output file.npy or --output-dir dir/');
      if (flags.output && flags.outputDir) throw new UsageError('run: give either --output or --output-dir, not both');
      const bytes = readInputFile(file);
      let model;
      try {
        model = await loadModel(bytes);
      } catch (e) {
        if (e instanceof Error && e.name === 'ArtifactError') e.message = `${file}: ${e.message}`;
        throw e;
      }
      const bindings = (flags.input ?? []).map(parseInputBinding);
      const feeds: Record<string, Feed> = {};
      for (const b of bindings) {
        const name = b.name ?? (model.inputs.length === 1 ? model.inputs[0].name : undefined);
        if (name === undefined) {
          throw new UsageError(`the model has ${model.inputs.length} inputs (${model.inputs.map((i) => i.name).join(', ')}): name each one with --input name=file.npy`);
        }
        if (feeds[name]) throw new UsageError(`input '${name}' given twice`);
        const arr = parseNpy(readInputFile(b.path), b.path);
        feeds[name] = { data: arr.data, shape: arr.shape };
      }
      const outputs = await model.run(feeds);
      const names = Object.keys(outputs);
      if (flags.output && names.length !== 1) throw new UsageError(`the model has ${names.length} outputs (${names.join(', ')}): use --output-dir`);
      const written = names.map((n) => ({
        name: n, dtype: outputs[n].dtype, shape: outputs[n].shape,
        file: flags.output ?? join(flags.outputDir!, `${safeFileName(n)}.npy`),
      }));
      if (flags.outputDir) mkdirSync(flags.outputDir, { recursive: true });
      for (const w of written) writeFileAtomic(w.file, formatNpy(outputs[w.name]));
      if (flags.json) process.stdout.write(JSON.stringify(written, null, 2) + '\n');
      else if (!flags.quiet) for (const w of written) process.stdout.write(`wrote ${w.file}: ${w.name} ${w.dtype}[${w.shape.join(',')}]\n`);
      model.dispose();
    });
}

/** Output names may contain '/' or ':' (ONNX allows any string); keep file names inside the folder. */
function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
