// `spc bench model.spm [--reference model.onnx] [--min-speedup x] [--profile]`: the artifact's
// latency on this machine with spc's runtime, side by side with the dense model (alternating
// rounds), and the measured speedup; --min-speedup makes it a CI budget; --profile says where the
// time goes per op type and node (bench/profile-steps.ts).

import { Command } from 'commander';
import { basename } from 'node:path';
import { loadModel } from '../../runtime/index.js';
import type { Model, TensorInfo } from '../../runtime/index.js';
import { allocArray, sizeOf } from '../../runtime/tensor.js';
import type { TypedArray } from '../../runtime/tensor.js';
import { readSamples } from '../calibrate/data.js';
import { measureSideBySide } from '../bench/measure.js';
import { formatStepProfile, profileSteps } from '../bench/profile-steps.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import type { Latency } from '../bench/measure.js';
import { mulberry32 } from '../sparse/rearrange/prng.js';
import { SpcError, UsageError } from '../errors.js';
import { BudgetError } from './compile-checks.js';
import { loadArtifactFile, readArtifactInputs } from './read-file.js';
import { compileReference } from './reference.js';
import { printOut } from './print.js';
import { collect } from './options.js';
import { OPTIONS } from '../options/table.js';

interface BenchFlags { reference?: string; inputValue?: string[]; data?: string; time?: string; warmup?: string; minSpeedup?: string; profile?: boolean; json?: boolean; quiet?: boolean }

const DEFAULT_SECONDS = 2;
const DEFAULT_WARMUP = 10;
/** Runs that had a CPU for less of their wall clock than this ran on a busy machine. */
const BUSY_SHARE = 0.9;

function positive(text: string | undefined, flag: string, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || !(x > 0) || (integer && !Number.isInteger(x))) {
    throw new UsageError(`${flag} '${text}': expected a positive ${integer ? 'whole number' : 'number'}`);
  }
  return x;
}

/** The feed when no --data is given: pseudo-random values in [0, 1) (seeded) for float inputs, zeros for the others (valid indices, masks). */
function syntheticFeeds(inputs: readonly TensorInfo[]): Record<string, TypedArray> {
  const next = mulberry32(1);
  const feeds: Record<string, TypedArray> = {};
  for (const t of inputs) {
    const a = allocArray(t.dtype, sizeOf(t.shape));
    if (a instanceof Float32Array || a instanceof Float64Array) for (let i = 0; i < a.length; i++) a[i] = next();
    feeds[t.name] = a;
  }
  return feeds;
}

/** The reference must take the artifact's inputs and give its outputs (dtypes and shapes, in order): else it is another model. */
function checkSameInterface(model: Model, ref: Model, path: string): void {
  const sig = (ts: readonly TensorInfo[]): string => ts.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(', ');
  for (const side of ['inputs', 'outputs'] as const) {
    if (sig(model[side]) !== sig(ref[side])) {
      throw new SpcError(`--reference ${path}: its ${side} ${sig(ref[side])} differ from the artifact's ${sig(model[side])}: not the dense form of this model`);
    }
  }
}

const ms = (x: number): string => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(3) : x.toPrecision(3));

export function benchCommand(): Command {
  return new Command('bench')
    .description('time an .spm artifact on this machine with spc\'s runtime; with --reference, side by side with the dense model, and the measured speedup')
    .argument('<file.spm>', 'the artifact')
    .option('--reference <model.onnx>', 'the dense model: compiled in memory (no pruning, the artifact\'s input shapes) and timed in alternation with the artifact; prints the measured speedup')
    .option('--input-value <name=file>', 'with --reference: fix an input of the dense model to the tensor in file (.npy or TensorProto .pb), as `spc compile --input-value` did for the artifact (its provenance names the input and the value\'s digest, which must match; repeatable)', collect)
    .option('--data <x.npy|dir>', 'time on this input: the first sample of a .npy (sample axis first) or a folder of .npy / .pb files (default: pseudo-random values in [0, 1) for float inputs, zeros for the others)')
    .option('--time <seconds>', `how long the measurement takes in all, warm-up and --profile included (default ${DEFAULT_SECONDS}): it stops at this bound, or after one run of each model when a run takes longer; compiling --reference comes before and is not counted`)
    .option('--warmup <runs>', `untimed runs per model first (default ${DEFAULT_WARMUP}), cut short past a fifth of --time`)
    .option('--min-speedup <x>', 'budget: exit 1 if the measured speedup (median CPU time per run of the reference ÷ of the artifact) is below x; needs --reference. Timings vary from run to run: leave a margin')
    .option('--profile', 'also print where the artifact\'s time goes: CPU ms per op type and the slowest nodes (each node timed inside whole runs; the shares of a run\'s wall clock scaled to its CPU time)')
    .option('--json', 'print the measurements as JSON')
    .option('-q, --quiet', 'print nothing but errors (--json still prints)')
    .action(async (file: string, flags: BenchFlags) => {
      const seconds = positive(flags.time, '--time', DEFAULT_SECONDS, false);
      const warmup = positive(flags.warmup, '--warmup', DEFAULT_WARMUP, true);
      const minSpeedup = flags.minSpeedup === undefined ? undefined : positive(flags.minSpeedup, '--min-speedup', 1, false);
      if (minSpeedup !== undefined && !flags.reference) throw new UsageError('--min-speedup needs --reference model.onnx (the dense model to compare with)');
      if (flags.inputValue && !flags.reference) throw new UsageError('--input-value goes with --reference (it fixes an input of the dense model)');
      const { bytes, inputs } = readArtifactInputs(file);
      const reference = flags.reference ? compileReference(flags.reference, bytes, OPTIONS.inputValues.read(flags.inputValue ?? [])) : undefined;
      const models: Model[] = [];
      try {
        models.push(await loadArtifactFile(file, bytes));
        if (reference) {
          models.push(await loadModel(reference));
          checkSameInterface(models[0]!, models[1]!, flags.reference!);
        }
        const feeds: Record<string, TypedArray> = flags.data
          ? Object.fromEntries(Object.entries(readSamples(flags.data, inputs, { count: 1, flag: '--data' }).samples[0]!).map(([k, t]) => [k, t.data]))
          : syntheticFeeds(models[0]!.inputs);
        // Outputs written into arrays allocated once: a run allocates nothing (what apps do).
        const fns = models.map((m) => {
          const outputs = Object.fromEntries(m.outputs.map((o) => [o.name, allocArray(o.dtype, sizeOf(o.shape))]));
          return () => m.run(feeds, { outputs });
        });
        // One bound for everything timed: --profile takes half of it.
        const timeMs = seconds * 1000 * (flags.profile ? 0.5 : 1);
        const stats = await measureSideBySide(fns, { warmup, timeMs });
        const profile = flags.profile ? await profileSteps(parseArtifact(bytes), feeds, { timeMs, minRuns: 1 }) : undefined;
        const speedup = stats[1] ? stats[1].cpuMedian / stats[0]!.cpuMedian : undefined;
        const wallSpeedup = stats[1] ? stats[1].median / stats[0]!.median : undefined;
        // The share of the wall clock a run had a CPU: below BUSY_SHARE the machine was busy and a
        // wall time counts waiting for a CPU, so the wall ratio says more about the load than the models.
        const cpuShares = stats.map((s) => Math.min(1, s.cpuMedian / s.median));
        const busy = cpuShares.some((c) => c < BUSY_SHARE);
        const names = [basename(file), ...(flags.reference ? [`${basename(flags.reference)} (dense)`] : [])];
        // The storage codec's cost at load (packed weights expanded for dense kernels), when the artifact has any.
        const expanded = models[0]!.expanded?.weights ? models[0]!.expanded : undefined;
        const budget = minSpeedup === undefined ? undefined : { limit: minSpeedup, ok: speedup! >= minSpeedup };
        const budgetLine = budget && `--min-speedup ${budget.limit}: measured speedup ${speedup!.toFixed(3)}× (median CPU time per run; ${stats[1]!.runs} runs of the dense model, ${stats[0]!.runs} of the artifact), ${budget.ok ? 'meets' : 'below'} the budget of ${budget.limit}×`;
        if (flags.json) {
          const row = (name: string, s: Latency, i: number) => ({ name, runs: s.runs, batches: s.batches, medianMs: s.median, p25Ms: s.p25, p75Ms: s.p75, cpuMedianMs: s.cpuMedian, cpuShare: cpuShares[i] });
          printOut(JSON.stringify({
            input: flags.data ? basename(flags.data) : 'synthetic', seconds, warmup,
            models: stats.map((s, i) => row(names[i]!, s, i)), busy,
            ...(speedup !== undefined ? { speedup, wallSpeedup } : {}),
            ...(expanded ? { expanded: { weights: expanded.weights, denseBytes: expanded.bytes, loadMs: expanded.ms } } : {}),
            ...(budget ? { budgets: [{ budget: '--min-speedup', limit: budget.limit, measured: speedup, ok: budget.ok }] } : {}),
            ...(profile ? { profile: { runCpuMs: profile.runMs, byOp: profile.byOp, nodes: profile.nodes } } : {}),
          }, null, 2) + '\n');
        } else if (!flags.quiet) {
          const width = Math.max(...names.map((n) => n.length));
          const lines = [
            `${basename(file)}: ${flags.data ? `input from ${basename(flags.data)}` : 'synthetic input'}, ${seconds} s in all, after up to ${warmup} warm-up runs per model${stats.length > 1 ? ', in alternating rounds' : ''}`,
            `  ${'model'.padEnd(width)}  median ms  p25–p75 ms       CPU ms  runs`,
            ...stats.map((s, i) => `  ${names[i]!.padEnd(width)}  ${ms(s.median).padStart(9)}  ${`${ms(s.p25)}–${ms(s.p75)}`.padEnd(15)}  ${ms(s.cpuMedian).padStart(6)}  ${s.runs}`),
          ];
          if (expanded) {
            const took = expanded.ms === undefined ? '' : ` in ${ms(expanded.ms)} ms`;
            lines.push(`  load: ${expanded.weights} packed weight${expanded.weights === 1 ? '' : 's'} unpacked for their kernels${took}, ${expanded.bytes} bytes resident`);
          }
          if (speedup !== undefined) {
            lines.push(`  speedup ${speedup.toFixed(3)}× over the dense model (median CPU time per run${busy ? '' : `; wall clock ${wallSpeedup!.toFixed(3)}×`})`);
          }
          if (busy) {
            lines.push(`  the machine was busy: runs had a CPU for ${cpuShares.map((c) => `${Math.round(100 * c)}%`).join(' and ')} of their wall clock, so the wall times include waiting for one; CPU times measure the models`);
          }
          if (budget?.ok) lines.push(`  budget met: ${budgetLine}`);
          if (profile) lines.push('', formatStepProfile(profile));
          printOut(lines.join('\n') + '\n');
        }
        if (budget && !budget.ok) throw new BudgetError(`budget failed: ${budgetLine}`);
      } finally {
        for (const m of models) m.dispose();
      }
    });
}
