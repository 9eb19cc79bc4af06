// `spc compile model.onnx -o out/`: writes out/<name>.spm and prints a summary.

import { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { compileFile } from '../compile.js';
import { summarizeArtifact } from '../emit/layer-table.js';
import { checkOutputs, findCollision, writeFilesAtomic } from '../io/fs.js';
import { SpcError, UsageError } from '../errors.js';
import { printGraph } from '../ir/print.js';
import { isWeightOp } from '../ir/weight-matrix.js';
import { emitOnnx } from '../emit/onnx.js';
import { formatCompileReport, reportTotals } from '../emit/compile-report.js';
import type { CompileResult } from '../compile.js';
import { OPTION_ENTRIES } from '../options/table.js';
import { resolveOptions } from '../options/settings.js';
import { addOptionFlags } from './option-flags.js';
import { formatRecipe } from '../options/recipe.js';
import type { RecipeFlags } from './recipe-flags.js';
import { checkReplay, compileOptionsOf } from './recipe-flags.js';
import { collect } from './options.js';
import { progressBar } from './progress.js';
import { listPasses, observePasses, parsePrintIrAfter } from './pass-observers.js';
import type { CheckFlags } from './compile-checks.js';
import { estimateBasis } from '../report/estimates.js';
import type { IdleLayer } from '../report/bought.js';
import { boughtFacts, idleText } from '../report/bought.js';
import { BudgetError, runChecks, validateCheckFlags } from './compile-checks.js';
import { printErr, printErrLine, printOut } from './print.js';
import { terminalLine } from '../escape.js';
import { pct } from '../format.js';
import type { PassNote } from '../passes/pass.js';
import { quantizeActivations } from '../passes/quantize-activations.js';
import { quantizeWeights } from '../passes/quantize-weights.js';

/**
 * The passes whose notes the summary prints on stderr: what --quantize decided (the weights' grid,
 * the layers turned int8, each layer kept float and why). Pruning's notes are the layer table's
 * note column; --json carries every pass's notes.
 */
const PRINTED_NOTE_PASSES: ReadonlySet<string> = new Set([quantizeWeights.name, quantizeActivations.name]);

/** One note as a line: the node it concerns first, when it names one (printErrLine escapes both). */
const noteLine = (n: PassNote): string => `spc: note: ${n.node !== undefined ? `${n.node}: ` : ''}${n.message}`;

/** The flags that are not compile options (those are the option table's: cli/option-flags.ts). */
interface CompileFlags extends CheckFlags, RecipeFlags {
  output: string;
  emitOnnx?: string;
  printIr?: boolean;
  printIrAfter?: string[];
  timing?: boolean;
  listPasses?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/**
 * The compile summary's permutation line: groups searched and the kept magnitude (with a calibrated
 * method, the kept score |w|·‖x‖ the search maximized) before → after.
 */
function permuteSummary(groups: CompileResult['groups'], calibrated: boolean): string[] {
  if (groups.length === 0) return [];
  const before = groups.reduce((a, g) => a + g.before, 0);
  const after = groups.reduce((a, g) => a + (g.applied ? g.after : g.before), 0);
  const gain = before > 0 ? `${after >= before ? '+' : ''}${(100 * (after / before - 1)).toFixed(2)}%` : '-';
  const measured = groups.filter((g) => g.errorBefore !== undefined);
  const errors = measured.length === 0 ? ''
    : `; calibrated output error ${measured.reduce((a, g) => a + g.errorBefore!, 0).toPrecision(6)} → ${measured.reduce((a, g) => a + g.errorAfter!, 0).toPrecision(6)} (the choice's objective)`;
  return [`  permuted ${groups.filter((g) => g.applied).length} of ${groups.length} channel groups searched: N:M kept ${calibrated ? 'score' : 'magnitude'} ${before.toPrecision(6)} → ${after.toPrecision(6)} (${gain})${errors}`];
}

/** The compile summary's row-reordering line: groups reordered and their 4-row block fill before → after. */
function rowOrderSummary(groups: CompileResult['rowOrder']): string[] {
  const applied = groups.filter((g) => g.applied);
  if (applied.length === 0) return groups.length === 0 ? [] : [`  row reordering: no gain in block fill on the ${groups.length} group(s) considered`];
  return [`  reordered rows of ${applied.length} of ${groups.length} channel groups considered, 4-row block fill: ${applied.map((g) => `g${g.group} ${(100 * g.fillBefore).toFixed(1)}→${(100 * g.fillAfter).toFixed(1)}%`).join(', ')}`];
}

/** The pruned layers that gain nothing, each with what would (report/bought.ts), after the layer table. */
function idleSummary(idle: readonly IdleLayer[]): string[] {
  if (idle.length === 0) return [];
  return ['', `${idle.length} pruned layer(s) gain nothing (stored no smaller, or estimated no faster, than dense); what would, by kernel selection's estimates:`,
    ...idle.flatMap((l) => {
      const t = idleText(l);
      return [`  ${terminalLine(l.node)}: ${t.lacks}`, `    would gain: ${t.wouldGain}`];
    })];
}

type OutputFlag = '-o' | '-o dispatch' | '--report' | '--emit-onnx' | '--write-recipe';
interface Output {
  readonly flag: OutputFlag;
  readonly path: string;
  readonly what: string;
  /** Whether the write creates the file's folder: -o's and --report's; --emit-onnx's only when it is one of those. */
  readonly createFolder: boolean;
}

/**
 * The files one compile writes (artifact and dispatch module first), refused as a usage error
 * (exit 2, like any invalid combination of options) when two name the same file, or one names
 * the model being compiled: `--report out/model.spm` wrote the HTML into the artifact.
 */
function outputFiles(model: string, flags: CompileFlags): Output[] {
  const name = basename(model, extname(model));
  const created = new Set([resolve(flags.output), ...(flags.report !== undefined ? [resolve(dirname(flags.report))] : [])]);
  const outputs: Output[] = [
    { flag: '-o', path: join(flags.output, `${name}.spm`), what: 'the artifact', createFolder: true },
    { flag: '-o dispatch', path: join(flags.output, `${name}.dispatch.ts`), what: 'the dispatch module', createFolder: true },
    ...(flags.report !== undefined ? [{ flag: '--report', path: flags.report, what: 'the report', createFolder: true } as const] : []),
    ...(flags.emitOnnx !== undefined
      ? [{ flag: '--emit-onnx', path: flags.emitOnnx, what: 'the pruned ONNX', createFolder: created.has(resolve(dirname(flags.emitOnnx))) } as const]
      : []),
    ...(flags.writeRecipe !== undefined ? [{ flag: '--write-recipe', path: flags.writeRecipe, what: 'the recipe', createFolder: true } as const] : []),
  ];
  const label = (o: Output): string => (o.flag.startsWith('-o') ? `-o ${flags.output} (${o.what} ${o.path})` : `${o.flag} ${o.path}`);
  const clash = findCollision([model, ...outputs.map((o) => o.path)]);
  if (clash) {
    const [a, b] = [clash[0] === 0 ? undefined : outputs[clash[0] - 1]!, outputs[clash[1] - 1]!];
    throw new UsageError(`${label(b)}: the same file as ${a === undefined ? `the model being compiled (${model})` : label(a)}; each output needs its own path`);
  }
  return outputs;
}

const COMPILE_EXAMPLES = `
Examples:
  spc compile model.onnx -o out/                                  dense: packed and lowered, no pruning
  spc compile model.onnx -o out/ --pattern 2:4                    N:M pruning by magnitude
  spc compile model.onnx -o out/ -p unstructured -s 0.9 --method wanda --calib calib.npy
  spc compile model.onnx -o out/ -p 2:4 --write-recipe recipe.json   the same, and keep its recipe
  spc compile model.onnx -o out/ --recipe recipe.json             every option from one file
  spc compile model.onnx -o again/ --recipe-from out/model.spm    reproduce an artifact byte for byte
  spc compile model.onnx -o out/ -p 2:4 --max-size 60KB --min-speedup 1.2 --report out/report.html   CI budgets`;

export function compileCommand(): Command {
  const cmd = new Command('compile')
    .description('compile an ONNX model into an .spm artifact (pruned and packed when --pattern is given) and its generated dispatch module')
    .argument('[model.onnx]', 'the ONNX model (external data files are read from its folder); required unless --list-passes')
    .optionsGroup('Output:')
    .option('-o, --output <dir>', 'output folder, created if missing; the artifact is <dir>/<model name>.spm, its generated dispatch module <dir>/<model name>.dispatch.ts', '.')
    .option('--emit-onnx <file.onnx>', 'also write the pruned model as ordinary ONNX (zeros in dense initializers; channel pruning gives smaller shapes)')
    .option('--report <report.html>', 'also write a self-contained HTML report: what pruning bought (size raw and gzip -9, estimated speed, against the dense artifact), the layers that gain nothing, per-layer table, charts (sparsity, weight bytes, estimated time, kept magnitude), provenance, accuracy and budgets')
    .option('--json', 'print the summary as JSON on stdout (an error as {"error": …})')
    .option('-q, --quiet', 'print nothing but errors: no summary, warnings or progress bar (--json still prints)')
    .optionsGroup('Recipe (every option below in one JSON file):')
    .option('--recipe <recipe.json>', `compile with the options of a recipe file (schemas/recipe.schema.json; keys are the API's option names, paths relative to the file; a --config file's rules may sit inline under "config"); flags given beside it override its values`)
    .option('--recipe-from <model.spm>', 'compile with the options an artifact records (its provenance), to reproduce it byte for byte; files it names by digest (--calib, --input-value, --profile) must be given again; refused, nothing written, when the result would differ')
    .option('--write-recipe <recipe.json>', 'also write the recipe of the options given, paths relative to its folder: --recipe of it compiles the same artifact');
  for (const [group, heading] of [['prune', 'Pruning:'], ['model', 'Model:'], ['kernels', 'Kernels:']] as const) {
    cmd.optionsGroup(heading);
    addOptionFlags(cmd, OPTION_ENTRIES.filter(([, spec]) => spec.group === group).map(([name]) => name));
  }
  cmd
    .optionsGroup('Budgets (CI: exit 1 and nothing written when one fails):')
    .option('--eval-data <x.npy|folder>', 'labelled test samples (sample axis first, or a folder of .npy / .pb files): the compiled and the dense model are both run by spc\'s runtime and their top-1 accuracy reported; goes with --eval-labels')
    .option('--eval-labels <y.npy>', 'one integer class per --eval-data sample')
    .option('--max-size <size>', 'budget: fail (exit 1, nothing written) if the .spm file is larger; bytes, or KB / MB (1 KB = 1024 bytes)')
    .option('--max-accuracy-drop <points>', 'budget: fail (exit 1, nothing written) if top-1 accuracy on --eval-data/--eval-labels drops more than this many percentage points below the dense model\'s')
    .option('--min-speedup <x>', 'budget: fail (exit 1, nothing written) if the estimated speedup of the whole model over the dense model (Σ kernel-profile estimates over Conv/Gemm/MatMul layers, per-element estimates over every other node; not a measurement: spc bench --min-speedup measures) is below x');
  cmd
    .optionsGroup('Debugging:')
    .option('--print-ir', 'print the final IR to stdout')
    .option('--print-ir-after <pass>', 'print the IR to stderr after the named pass, each time it runs (repeatable; all: after every pass)', collect)
    .option('--timing', 'print each pass\'s CPU and wall time to stderr after compiling (never recorded in the artifact)')
    .option('--list-passes', 'print the passes of each pipeline in the order they run, with what each does, and exit (no model needed)');
  addOptionFlags(cmd, OPTION_ENTRIES.filter(([, spec]) => spec.group === 'debug').map(([name]) => name));
  return cmd
    .addHelpText('after', COMPILE_EXAMPLES)
    .action(async (model: string | undefined, flags: CompileFlags) => {
      if (flags.listPasses) { printOut(listPasses()); return; }
      if (model === undefined) throw new UsageError('compile: missing the model: spc compile <model.onnx> (or --list-passes)');
      const printAfter = parsePrintIrAfter(flags.printIrAfter);
      const observer = printAfter !== 'all' && printAfter.size === 0 && !flags.timing ? undefined
        : observePasses(printAfter, (text) => printErr(text));
      // Every compile option read and checked once, before the model is touched (a bad flag costs nothing).
      const given = compileOptionsOf(cmd, flags as unknown as CompileFlags & Record<string, unknown>);
      const settings = resolveOptions(given.values);
      if (!existsSync(model)) throw new SpcError(`${model}: no such file`);
      validateCheckFlags(flags);
      if (flags.report !== undefined && existsSync(flags.report) && statSync(flags.report).isDirectory()) {
        throw new UsageError(`--report ${flags.report}: is a folder (--report names the HTML file to write)`);
      }
      if (existsSync(flags.output) && !statSync(flags.output).isDirectory()) {
        throw new UsageError(`-o ${flags.output}: exists and is not a folder (-o names the output folder)`);
      }
      const outputs = outputFiles(model, flags);
      // Checked before compiling, so a bad path costs nothing; the write checks again (io/fs.ts).
      checkOutputs(outputs);
      const onCalibProgress = settings.calib !== undefined && !flags.quiet ? progressBar('spc: calibrating') : undefined;
      const onPermuteProgress = settings.pattern !== undefined && !flags.quiet ? progressBar('spc: permuting channels') : undefined;
      const onPruneProgress = settings.calib !== undefined && !flags.quiet ? progressBar('spc: pruning on calibration data') : undefined;
      const options = { ...settings, onCalibProgress, onPermuteProgress, onPruneProgress, ...(observer ? { passHooks: observer.hooks } : {}) };
      const result = compileFile(model, options);
      if (given.replayed) checkReplay(given.replayed, model, result.contents.provenance);
      if (flags.timing) printErr(observer!.timing());
      if (!flags.quiet) for (const w of result.warnings) printErrLine(`spc: warning: ${w}`);
      if (!flags.quiet) for (const n of result.notes) if (PRINTED_NOTE_PASSES.has(n.pass)) printErrLine(noteLine(n));
      if (!flags.quiet && settings.calib !== undefined && settings.method === 'magnitude' && !settings.biasCorrection && settings.quantize !== 'int8') {
        printErr('spc: warning: --calib is not used by --method magnitude without --bias-correction or --quantize int8\n');
      }
      const [out, dispatchOut] = [outputs[0]!.path, outputs[1]!.path];
      const dispatch = result.dispatch; // generated before anything is written: a failure leaves no file
      const checks = await runChecks(model, result, settings, flags);
      const failed = checks.budgets.filter((b) => !b.ok);
      const s = summarizeArtifact(result.contents);
      const report = result.report;
      const totals = reportTotals(report);
      // Pruned layers selection runs on a dense kernel (estimated faster, or no kernel reads the format):
      // read from the records (the weight's pruning, the node's storage), not from the reason's words.
      const densified = result.graph.nodes.filter((n) => isWeightOp(n.op) && (n.weightStorage?.kernelReads ?? 'dense') === 'dense'
        && result.graph.values.get(n.inputs[1] ?? '')?.sparsity).map((n) => n.name);
      const json = (): string => JSON.stringify({
        artifact: failed.length > 0 ? null : out, dispatch: failed.length > 0 ? null : dispatchOut, report: failed.length > 0 ? null : flags.report ?? null,
        bytes: result.artifact.length, layers: s.layers.length, params: s.params,
        weightBytes: s.weightBytes, arenaBytes: s.arenaBytes, warnings: result.warnings, notes: result.notes,
        bought: result.bought, pattern: settings.pattern?.text ?? 'dense', totals, densified, groups: result.groups, rowOrder: result.rowOrder, layerReport: report,
        estimate: checks.estimates, ...(checks.accuracy ? { accuracy: checks.accuracy } : {}), budgets: checks.budgets,
      }, null, 2) + '\n';
      if (failed.length > 0) {
        // Nothing is written: a CI job that ignored the exit code would otherwise ship the artifact.
        if (flags.json) printOut(json());
        throw new BudgetError(`budget failed, nothing written:\n${failed.map((b) => `  ${terminalLine(b.message)}`).join('\n')}`);
      }
      // All generated before anything is written, then written as one step (io/fs.ts): the -o and
      // --report folders are created, an --emit-onnx file's folder must exist or be one of those.
      const data = (flag: OutputFlag): Uint8Array | string =>
        flag === '--emit-onnx' ? emitOnnx(result.graph) : flag === '--report' ? checks.html! : flag === '-o' ? result.artifact
          : flag === '--write-recipe' ? formatRecipe(given.typed, flags.writeRecipe!) : dispatch;
      writeFilesAtomic(outputs.map((o) => ({ path: o.path, data: data(o.flag), createFolder: o.createFolder })));
      if (flags.printIr) printOut(printGraph(result.graph) + '\n');
      if (flags.json) {
        printOut(json());
      } else if (!flags.quiet) {
        const kernels = new Map<string, number>();
        for (const l of s.layers) kernels.set(l.kernel, (kernels.get(l.kernel) ?? 0) + 1);
        // What pruning bought leads: size against the dense artifact (raw, gzipped as served) and the estimated speed.
        // Quantizing alone compresses too: the same lead and per-layer table (with its SQNR column).
        const compressed = settings.pattern !== undefined || settings.quantize !== undefined;
        const lead = compressed ? boughtFacts(result.bought, estimateBasis(checks.estimates)) : undefined;
        printOut([
          `wrote ${out} (${result.artifact.length} bytes) and ${dispatchOut} (its generated dispatch module)`,
          ...(lead ? [`  size: ${lead.size}`, `  gzip -9: ${lead.gzip}`, `  speed: ${lead.speed}`] : []),
          `  ${s.layers.length} layers, ${s.params} parameters (${s.weightBytes} weight bytes), arena ${s.arenaBytes} bytes`,
          `  kernels: ${[...kernels].map(([k, c]) => `${k}×${c}`).join(', ')}`,
        ].join('\n') + '\n');
        if (settings.quantize !== undefined && !settings.pattern) printOut(['', formatCompileReport(report)].join('\n') + '\n');
        if (settings.pattern) {
          const ratio = totals.prunedBytesBefore ? (totals.prunedBytesAfter / totals.prunedBytesBefore).toFixed(3) : '-';
          printOut([
            `  pruned ${totals.prunedLayers} of ${totals.layers} layers (${settings.pattern.text}${settings.shareRows > 1 ? `, one mask per ${settings.shareRows} rows` : ''}, ${settings.method}${settings.biasCorrection ? ' + bias correction' : ''}): weights ${totals.paramsBefore} → ${totals.paramsAfter} nonzero,` +
              ` ${totals.bytesBefore} → ${totals.bytesAfter} bytes; pruned layers stored at ${ratio}× their dense bytes`,
            ...permuteSummary(result.groups, settings.method !== 'magnitude' && settings.calib !== undefined),
            ...rowOrderSummary(result.rowOrder),
            ...(densified.length > 0 ? [`  ${densified.length} pruned layer(s) run DENSIFIED: a dense kernel is estimated faster (or none reads the format); \`spc inspect\` shows why`] : []),
            '',
            formatCompileReport(report),
            ...idleSummary(result.bought.idleLayers),
          ].join('\n') + '\n');
        }
        const e = checks.estimates;
        const extra = [
          ...(e.ns > 0 && !lead ? [`  estimated time ${(e.denseNs / 1e6).toPrecision(3)} ms dense → ${(e.ns / 1e6).toPrecision(3)} ms (${e.speedup.toFixed(3)}×; ${estimateBasis(e)})`] : []),
          ...(checks.accuracy ? [`  top-1 accuracy ${pct(checks.accuracy.dense.top1)} dense → ${pct(checks.accuracy.compiled.top1)} compiled on ${checks.accuracy.data} (drop ${checks.accuracy.dropPoints.toFixed(2)} points)`] : []),
          ...checks.budgets.map((b) => `  budget met: ${b.message}`),
          ...(checks.html !== undefined ? [`  wrote ${flags.report}`] : []),
        ];
        if (extra.length > 0) printOut(extra.join('\n') + '\n');
      }
    });
}
