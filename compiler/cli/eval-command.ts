// `spc eval model.spm --data x.npy --labels y.npy [--reference model.onnx]`: top-1 accuracy of
// an artifact run by spc's runtime, and agreement / KL against the dense model compiled in memory.

import { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { readSamples } from '../calibrate/data.js';
import { evaluateArtifact } from '../eval/evaluate.js';
import { readLabels } from '../eval/labels.js';
import { SpcError, UsageError } from '../errors.js';
import { readArtifactInputs } from './read-file.js';
import { compileReference } from './reference.js';
import { printOut } from './print.js';
import { collect } from './options.js';
import { OPTIONS } from '../options/table.js';
import { pct } from '../format.js';

interface EvalFlags { data?: string; labels?: string; reference?: string; inputValue?: string[]; count?: string; json?: boolean; quiet?: boolean }


export function evalCommand(): Command {
  return new Command('eval')
    .description('score an .spm artifact on samples: top-1 accuracy against labels, agreement and KL against the dense model')
    .argument('<file.spm>', 'the artifact')
    .option('--data <x.npy|dir>', 'samples: one .npy with the sample axis first, or a folder of .npy / .pb files (one sample each)')
    .option('--labels <y.npy>', 'one integer class per sample (per output row): prints top-1 accuracy')
    .option('--reference <model.onnx>', 'the dense model: compiled in memory and run by spc\'s runtime on the same samples; prints top-1 agreement and mean KL(dense ‖ model) of the softmax outputs')
    .option('--input-value <name=file>', 'with --reference: fix an input of the dense model to the tensor in file (.npy or TensorProto .pb), as `spc compile --input-value` did for the artifact (its provenance names the input and the value\'s digest, which must match; repeatable)', collect)
    .option('-n, --count <n>', 'use the first n samples only')
    .option('--json', 'print the scores as JSON')
    .option('-q, --quiet', 'print nothing but errors (--json still prints)')
    .action(async (file: string, flags: EvalFlags) => {
      if (!flags.data) throw new UsageError('eval: give the samples with --data x.npy');
      if (!flags.labels && !flags.reference) throw new UsageError('eval: give --labels y.npy (accuracy) and/or --reference model.onnx (agreement, KL)');
      if (flags.inputValue && !flags.reference) throw new UsageError('--input-value goes with --reference (it fixes an input of the dense model)');
      let count: number | undefined;
      if (flags.count !== undefined) {
        count = Number(flags.count);
        if (!Number.isInteger(count) || count < 1 || flags.count.trim() === '') throw new UsageError(`--count '${flags.count}': expected a positive whole number`);
      }
      const { bytes, inputs } = readArtifactInputs(file);
      const data = readSamples(flags.data, inputs, { count, flag: '--data' });
      const batch = Number(inputs.values.get(inputs.inputs[0]!)!.shape![0] ?? 1);
      let labels: Int32Array | undefined;
      if (flags.labels) {
        const all = readLabels(flags.labels);
        const need = data.samples.length * batch;
        if (all.length < need || (count === undefined && all.length !== need)) {
          throw new SpcError(`--labels ${flags.labels} holds ${all.length} labels but --data ${flags.data} gives ${data.samples.length} samples` +
            `${batch > 1 ? ` of batch ${batch} (${need} rows)` : ''}`);
        }
        labels = all.subarray(0, need);
      }
      const reference = flags.reference ? compileReference(flags.reference, bytes, OPTIONS.inputValues.read(flags.inputValue ?? [])) : undefined;
      const r = await evaluateArtifact(bytes, data, labels, reference);
      if (flags.json) {
        printOut(JSON.stringify({
          model: basename(file), data: data.source, count: r.count, rows: r.rows,
          ...(labels ? { labels: basename(flags.labels!), top1: r.top1, correct: r.correct } : {}),
          ...(reference ? { reference: basename(resolve(flags.reference!)), agreement: r.agreement, kl: r.kl } : {}),
        }, null, 2) + '\n');
        return;
      }
      if (flags.quiet) return;
      const lines = [`${basename(file)} on ${data.source}:`];
      if (labels) lines.push(`  top-1 accuracy  ${pct(r.top1!)} (${r.correct} of ${r.rows})`);
      if (reference) {
        lines.push(`  agreement       ${pct(r.agreement!)} with ${basename(flags.reference!)} (dense, spc runtime)`);
        lines.push(`  KL(dense‖model) ${r.kl!.toPrecision(4)} nats, mean over ${r.rows} rows`);
      }
      printOut(lines.join('\n') + '\n');
    });
}
