// `spc compile model.onnx -o out/`: writes out/<name>.spm and prints a summary.

import { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { compileFile } from '../compile.js';
import { summarizeArtifact } from '../emit/layer-table.js';
import { checkOutputs, findCollision, writeFilesAtomic } from '../io/fs.js';
import { SpcError, UsageError } from '../errors.js';
import { collect, parseInputShape, parseInputValues } from './options.js';
import type { Preference, Target } from '../analysis/kernel-choice.js';
import { DEFAULT_TARGETS, PREFERENCES } from '../analysis/kernel-choice.js';
import { loadProfile } from '../analysis/profile.js';
import { printGraph } from '../ir/print.js';
import { isWeightOp } from '../ir/weight-matrix.js';
import { emitOnnx } from '../emit/onnx.js';
import { formatCompileReport, reportTotals } from '../emit/compile-report.js';
import { nmSparsity, parsePattern, PATTERN_HELP } from '../sparse/settings/pattern.js';
import { parseConfig } from '../sparse/settings/config.js';
import { readInputFile } from './read-file.js';
import { DEFAULT_CALIB_SAMPLES } from '../calibrate/data.js';
import { READ_CAPS } from '../io/read.js';
import type { CompileOptions, CompileResult } from '../compile.js';
import { progressBar } from './progress.js';
import { listPasses, observePasses, parsePrintIrAfter } from './pass-observers.js';
import type { CheckFlags } from './compile-checks.js';
import { estimateBasis } from '../report/estimates.js';
import { BudgetError, runChecks, validateCheckFlags } from './compile-checks.js';
import { DEFAULT_LIMITS, LIMIT_CEILINGS, LIMIT_FLAGS } from '../limits.js';
import type { Limits } from '../limits.js';
import { printErr, printErrLine, printOut } from './print.js';
import { terminalLine } from '../escape.js';
import { pct } from '../format.js';

const ALLOCATIONS = ['uniform', 'global', 'erk', 'sensitivity'] as const;
const METHODS = ['magnitude', 'wanda', 'sparsegpt'] as const;

/** Checks the pruning flags together and turns them into compile options. */
function pruningOptions(given: CompileFlags): Partial<CompileOptions> {
  // A sparsity alone asks for unstructured pruning, as in other pruning tools.
  const flags: CompileFlags = given.pattern === undefined && given.sparsity !== undefined ? { ...given, pattern: 'unstructured' } : given;
  const out: { -readonly [K in keyof CompileOptions]?: CompileOptions[K] } = {};
  if (flags.config) {
    out.config = parseConfig(new TextDecoder().decode(readInputFile(flags.config, READ_CAPS.json)), flags.config);
  }
  const method = flags.method ?? 'magnitude';
  if (!(METHODS as readonly string[]).includes(method)) throw new UsageError(`--method '${method}': choose ${METHODS.join(', ')}`);
  if (method !== 'magnitude' && flags.calib === undefined) {
    throw new UsageError(`--method ${method} needs calibration data: --calib <x.npy|folder> (inputs only, sample axis first; never the test set)`);
  }
  if (flags.biasCorrection && flags.calib === undefined) throw new UsageError('--bias-correction needs calibration data: --calib <x.npy|folder>');
  if (flags.calibCount !== undefined) {
    const n = Number(flags.calibCount);
    if (!Number.isInteger(n) || n < 1 || flags.calibCount.trim() === '') throw new UsageError(`--calib-count '${flags.calibCount}': expected a whole number ≥ 1`);
    if (flags.calib === undefined) throw new UsageError('--calib-count needs --calib');
    out.calibCount = n;
  }
  if (flags.calib !== undefined) out.calib = flags.calib;
  if (flags.permuteTime !== undefined) {
    const t = Number(flags.permuteTime);
    if (!(t > 0) || flags.permuteTime.trim() === '') throw new UsageError(`--permute-time '${flags.permuteTime}': expected a positive number of seconds`);
    out.permuteTime = t;
  }
  if (flags.permute !== undefined) out.permute = flags.permute;
  if (method !== 'magnitude') out.method = method as CompileOptions['method'];
  if (flags.biasCorrection) out.biasCorrection = true;
  if (flags.pattern === undefined) {
    if (method !== 'magnitude' || flags.biasCorrection) throw new UsageError(`${method !== 'magnitude' ? `--method ${method}` : '--bias-correction'} needs --pattern`);
    if (flags.shareRows !== undefined) throw new UsageError('--share-rows needs an N:M --pattern, e.g. --pattern 2:4 --share-rows 4');
    return out;
  }
  let pattern;
  try { pattern = parsePattern(flags.pattern); } catch (e) { throw new UsageError(`--pattern: ${(e as Error).message}`); }
  out.pattern = pattern.text;
  if (pattern.kind === 'channel' && (method !== 'magnitude' || flags.biasCorrection)) throw new UsageError('--pattern channel prunes by magnitude; --method and --bias-correction apply to unstructured, N:M and block patterns');
  if (flags.sparsity !== undefined) {
    const s = Number(flags.sparsity);
    if (!(s >= 0 && s < 1) || flags.sparsity.trim() === '') throw new UsageError(`--sparsity '${flags.sparsity}': expected a fraction in [0, 1), e.g. 0.9`);
    if (pattern.kind === 'nm') throw new UsageError(`--sparsity does not go with an N:M pattern: ${pattern.text} keeps ${pattern.n} of every ${pattern.m} (sparsity ${nmSparsity(pattern.n, pattern.m).toFixed(3)})`);
    out.sparsity = s;
  } else if (pattern.kind !== 'nm') {
    throw new UsageError(`--pattern ${pattern.text} needs --sparsity, e.g. --sparsity 0.9`);
  }
  const allocation = flags.allocation ?? 'uniform';
  if (!(ALLOCATIONS as readonly string[]).includes(allocation)) throw new UsageError(`--allocation '${allocation}': choose ${ALLOCATIONS.join(', ')}`);
  if (allocation !== 'uniform') out.allocation = allocation as CompileOptions['allocation'];
  if (flags.shareRows !== undefined) {
    const r = Number(flags.shareRows);
    if (!Number.isInteger(r) || r < 1 || r > 64) throw new UsageError(`--share-rows '${flags.shareRows}': expected a whole number from 1 to 64`);
    if (pattern.kind !== 'nm') throw new UsageError(`--share-rows goes with an N:M pattern, not ${pattern.text}`);
    if (r > 1) out.shareRows = r;
  }
  const minParams = Number(flags.minParams ?? '4096');
  if (!Number.isInteger(minParams) || minParams < 0) throw new UsageError(`--min-params '${flags.minParams}': expected a whole number`);
  if (minParams !== 4096) out.minParams = minParams;
  return out;
}

/** The --max-… flags as limits (each a whole number from 1 to its ceiling). */
function limitOptions(flags: CompileFlags): Partial<Limits> | undefined {
  const out: { -readonly [K in keyof Limits]?: number } = {};
  for (const key of Object.keys(LIMIT_FLAGS) as (keyof Limits)[]) {
    const text = flags[key];
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1 || n > LIMIT_CEILINGS[key] || text.trim() === '') {
      throw new UsageError(`${LIMIT_FLAGS[key]} '${text}': expected a whole number from 1 to ${LIMIT_CEILINGS[key]}`);
    }
    out[key] = n;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

interface CompileFlags extends CheckFlags {
  output: string;
  maxTensorElements?: string;
  maxWeightBytes?: string;
  maxArenaBytes?: string;
  maxNodes?: string;
  maxValues?: string;
  allowExternalHardlinks?: boolean;
  pattern?: string;
  sparsity?: string;
  allocation?: string;
  config?: string;
  minParams?: string;
  shareRows?: string;
  calib?: string;
  calibCount?: string;
  method?: string;
  biasCorrection?: boolean;
  emitOnnx?: string;
  permute?: boolean;
  permuteTime?: string;
  inputShape?: string[];
  inputValue?: string[];
  targets?: string;
  profile?: string;
  prefer?: string;
  verify?: boolean;
  printIr?: boolean;
  printIrAfter?: string[];
  timing?: boolean;
  listPasses?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** The compile summary's permutation line: groups searched and the kept magnitude before → after. */
function permuteSummary(groups: CompileResult['groups']): string[] {
  if (groups.length === 0) return [];
  const before = groups.reduce((a, g) => a + g.before, 0);
  const after = groups.reduce((a, g) => a + (g.applied ? g.after : g.before), 0);
  const gain = before > 0 ? `${after >= before ? '+' : ''}${(100 * (after / before - 1)).toFixed(2)}%` : '-';
  const measured = groups.filter((g) => g.errorBefore !== undefined);
  const errors = measured.length === 0 ? ''
    : `; calibrated output error ${measured.reduce((a, g) => a + g.errorBefore!, 0).toPrecision(6)} → ${measured.reduce((a, g) => a + g.errorAfter!, 0).toPrecision(6)} (the choice's objective)`;
  return [`  permuted ${groups.filter((g) => g.applied).length} of ${groups.length} channel groups searched: N:M kept ${measured.length > 0 ? 'score' : 'magnitude'} ${before.toPrecision(6)} → ${after.toPrecision(6)} (${gain})${errors}`];
}

/** The compile summary's row-reordering line: groups reordered and their 4-row block fill before → after. */
function rowOrderSummary(groups: CompileResult['rowOrder']): string[] {
  const applied = groups.filter((g) => g.applied);
  if (applied.length === 0) return groups.length === 0 ? [] : [`  row reordering: no gain in block fill on the ${groups.length} group(s) considered`];
  return [`  reordered rows of ${applied.length} of ${groups.length} channel groups considered, 4-row block fill: ${applied.map((g) => `g${g.group} ${(100 * g.fillBefore).toFixed(1)}→${(100 * g.fillAfter).toFixed(1)}%`).join(', ')}`];
}

const TARGETS: readonly Target[] = ['wasmsimd', 'js', 'ref'];

type OutputFlag = '-o' | '-o dispatch' | '--report' | '--emit-onnx';
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
  ];
  const label = (o: Output): string => (o.flag.startsWith('-o') ? `-o ${flags.output} (${o.what} ${o.path})` : `${o.flag} ${o.path}`);
  const clash = findCollision([model, ...outputs.map((o) => o.path)]);
  if (clash) {
    const [a, b] = [clash[0] === 0 ? undefined : outputs[clash[0] - 1]!, outputs[clash[1] - 1]!];
    throw new UsageError(`${label(b)}: the same file as ${a === undefined ? `the model being compiled (${model})` : label(a)}; each output needs its own path`);
  }
  return outputs;
}

export function compileCommand(): Command {
  return new Command('compile')
    .description('compile an ONNX model into an .spm artifact (pruned and packed when --pattern is given) and its generated dispatch module')
    .argument('[model.onnx]', 'the ONNX model (external data files are read from its folder); required unless --list-passes')
    .option('-o, --output <dir>', 'output folder, created if missing; the artifact is <dir>/<model name>.spm, its generated dispatch module <dir>/<model name>.dispatch.ts', '.')
    .option('-p, --pattern <pattern>', `prune: ${PATTERN_HELP}; without it the model stays dense`)
    .option('-s, --sparsity <fraction>', 'fraction of weights (channel: of output channels) to remove, in [0, 1); required for unstructured, block and channel; N:M implies (M−N)/M; alone it means --pattern unstructured')
    .option('--allocation <kind>', 'how the sparsity is spread over layers: uniform (same per layer), global (one magnitude threshold), erk (Erdős–Rényi-Kernel), sensitivity (per layer from its measured output divergence on --calib data, overall exact, each layer ≤ 0.98)', 'uniform')
    .option('--config <spc.json>', 'per-layer overrides by node-name glob or op type (pattern, sparsity, skip, force)')
    .option('--share-rows <R>', 'N:M only: one mask per block of R output channels, so a kernel reuses each loaded activation R times (kernel-friendly N:M)')
    .option('--min-params <count>', 'layers with fewer weights stay dense', '4096')
    .option('--method <method>', 'which weights are kept: magnitude (|w|, no data), wanda (|w|·‖x‖) or sparsegpt (OBS reconstruction, updates the kept weights); wanda and sparsegpt need --calib', 'magnitude')
    .option('--calib <x.npy|folder>', 'calibration inputs: one .npy with the sample axis first, or a folder of .npy / TensorProto .pb files (one sample each); never the test set')
    .option('--calib-count <n>', `use the first n calibration samples only (default ${DEFAULT_CALIB_SAMPLES}; no more is read)`)
    .option('--bias-correction', 're-fit each pruned layer\'s bias so its mean output on the calibration inputs matches the dense layer\'s (needs --calib)')
    .option('--permute', 'before pruning, permute the channels of every permutable channel group (`spc inspect --groups`) so N:M keeps more weight; the function is unchanged (default for N:M patterns, shared rows included)')
    .option('--no-permute', 'keep the channels in their original order')
    .option('--permute-time <seconds>', 'opt-in wall-clock cap of the permutation search and row reordering (default: none). Without it the search stops on its deterministic work budget (about 4 s of CPU on the largest corpus models by magnitude; with --method sparsegpt the calibrated choice costs more, about 100 s of CPU on resnet10_w32), so the artifact never depends on the machine\'s speed; with it a slow or loaded machine may get a different artifact (warned about when the cap cuts the search), and the cap is recorded in the provenance')
    .option('--emit-onnx <file.onnx>', 'also write the pruned model as ordinary ONNX (zeros in dense initializers; channel pruning gives smaller shapes)')
    .option('--input-shape <name=dims>', 'pin an input shape, e.g. input=1x3x224x224 (repeatable); a dynamic batch is otherwise pinned to 1', collect)
    .option('--input-value <name=file>', 'fix an input to the tensor in file (.npy or TensorProto .pb) at compile time: it becomes a constant and leaves the artifact\'s inputs; for inputs that set shapes (a Reshape\'s shape, Slice starts, Pad pads), which spc needs static (repeatable)', collect)
    .option('--targets <list>', `kernel targets allowed, from ${TARGETS.join(', ')}: the kernel with the least estimated time wins, ties go to the earlier target (wasmsimd falls back to js at run time without WebAssembly SIMD)`, DEFAULT_TARGETS.join(','))
    .option('--profile <profile.json>', 'kernel timings that price the candidates (written by `spc tune`); default: the profile shipped with spc')
    .option('--prefer <speed|size>', 'what kernel selection optimizes for pruned layers: speed (a packed kernel only where estimated at least 10% faster than dense; others run dense, stored dense) or size (the packed kernel wherever the packed weight is smaller, even if slower: a smaller artifact to download)', 'speed')
    .option(`${LIMIT_FLAGS.maxTensorElements} <n>`, `refuse a model with a tensor (weight, input or activation) of more elements, checked before anything is allocated (default ${DEFAULT_LIMITS.maxTensorElements}, at most ${LIMIT_CEILINGS.maxTensorElements})`)
    .option(`${LIMIT_FLAGS.maxWeightBytes} <n>`, `refuse a model whose weights total more bytes, constants folded at compile time included (default ${DEFAULT_LIMITS.maxWeightBytes})`)
    .option(`${LIMIT_FLAGS.maxArenaBytes} <n>`, `refuse a model whose activations need a larger arena, in bytes (default ${DEFAULT_LIMITS.maxArenaBytes}, at most ${LIMIT_CEILINGS.maxArenaBytes})`)
    .option(`${LIMIT_FLAGS.maxNodes} <n>`, `refuse a graph of more nodes (default ${DEFAULT_LIMITS.maxNodes})`)
    .option(`${LIMIT_FLAGS.maxValues} <n>`, `refuse a graph of more values: inputs, initializers and node outputs (default ${DEFAULT_LIMITS.maxValues})`)
    .option('--allow-external-hardlinks', 'read external data files that have several hard links (refused by default: another name of such a file may lie outside the model\'s folder); symbolic links, FIFOs, devices and paths leaving the folder are always refused')
    .option('--verify', 'run the IR verifier after every pass')
    .option('--print-ir', 'print the final IR to stdout')
    .option('--print-ir-after <pass>', 'print the IR to stderr after the named pass, each time it runs (repeatable; all: after every pass)', collect)
    .option('--timing', 'print each pass\'s CPU and wall time to stderr after compiling (never recorded in the artifact)')
    .option('--list-passes', 'print the passes of each pipeline in the order they run, with what each does, and exit (no model needed)')
    .option('--report <report.html>', 'also write a self-contained HTML report: per-layer table, charts (sparsity, weight bytes, estimated time, kept magnitude), provenance, accuracy and budgets')
    .option('--eval-data <x.npy|folder>', 'labelled test samples (sample axis first, or a folder of .npy / .pb files): the compiled and the dense model are both run by spc\'s runtime and their top-1 accuracy reported; goes with --eval-labels')
    .option('--eval-labels <y.npy>', 'one integer class per --eval-data sample')
    .option('--max-size <size>', 'budget: fail (exit 1, nothing written) if the .spm file is larger; bytes, or KB / MB (1 KB = 1024 bytes)')
    .option('--max-accuracy-drop <points>', 'budget: fail (exit 1, nothing written) if top-1 accuracy on --eval-data/--eval-labels drops more than this many percentage points below the dense model\'s')
    .option('--min-speedup <x>', 'budget: fail (exit 1, nothing written) if the estimated speedup of the whole model over the dense model (Σ kernel-profile estimates over Conv/Gemm/MatMul layers, per-element estimates over every other node; not a measurement: spc bench --min-speedup measures) is below x')
    .option('--json', 'print the summary as JSON on stdout')
    .option('-q, --quiet', 'print nothing but errors: no summary, warnings or progress bar (--json still prints)')
    .action(async (model: string | undefined, flags: CompileFlags) => {
      if (flags.listPasses) { printOut(listPasses()); return; }
      if (model === undefined) throw new UsageError('compile: missing the model: spc compile <model.onnx> (or --list-passes)');
      const printAfter = parsePrintIrAfter(flags.printIrAfter);
      const observer = printAfter !== 'all' && printAfter.size === 0 && !flags.timing ? undefined
        : observePasses(printAfter, (text) => printErr(text));
      const inputShapes = Object.fromEntries((flags.inputShape ?? []).map(parseInputShape));
      const inputValues = parseInputValues(flags.inputValue);
      const targets = (flags.targets ?? DEFAULT_TARGETS.join(',')).split(',').map((t) => t.trim()) as Target[];
      const bad = targets.filter((t) => !TARGETS.includes(t));
      if (bad.length > 0) throw new UsageError(`--targets: unknown target(s) ${bad.join(', ')}; choose from ${TARGETS.join(', ')}`);
      if (!existsSync(model)) throw new SpcError(`${model}: no such file`);
      const prefer = flags.prefer;
      if (prefer !== undefined && !(PREFERENCES as readonly string[]).includes(prefer)) throw new UsageError(`--prefer '${prefer}': choose ${PREFERENCES.join(' or ')}`);
      const pruning = pruningOptions(flags);
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
      const limits = limitOptions(flags);
      const profile = flags.profile === undefined ? undefined : loadProfile(flags.profile);
      const onCalibProgress = pruning.calib !== undefined && !flags.quiet ? progressBar('spc: calibrating') : undefined;
      const onPermuteProgress = pruning.pattern !== undefined && !flags.quiet ? progressBar('spc: permuting channels') : undefined;
      const options: CompileOptions = { inputShapes, ...(flags.inputValue ? { inputValues } : {}), targets: flags.targets ? targets : undefined, profile, ...(prefer ? { prefer: prefer as Preference } : {}), verify: flags.verify, ...pruning, onCalibProgress, onPermuteProgress, limits, ...(flags.allowExternalHardlinks ? { allowExternalHardlinks: true } : {}), ...(observer ? { passHooks: observer.hooks } : {}) };
      const result = compileFile(model, options);
      if (flags.timing) printErr(observer!.timing());
      if (!flags.quiet) for (const w of result.warnings) printErrLine(`spc: warning: ${w}`);
      if (!flags.quiet && pruning.calib !== undefined && pruning.method === undefined && !pruning.biasCorrection) {
        printErr('spc: warning: --calib is not used by --method magnitude without --bias-correction\n');
      }
      const [out, dispatchOut] = [outputs[0]!.path, outputs[1]!.path];
      const dispatch = result.dispatch; // generated before anything is written: a failure leaves no file
      const pruned = Object.keys(pruning).length > 0;
      const checks = await runChecks(model, result, options, pruned, flags);
      const failed = checks.budgets.filter((b) => !b.ok);
      const s = summarizeArtifact(result.contents);
      const report = result.report;
      const totals = reportTotals(report);
      // Pruned layers selection runs on a dense kernel (estimated faster, or no kernel reads the format):
      // read from the records (the weight's pruning, the node's packing), not from the reason's words.
      const densified = result.graph.nodes.filter((n) => isWeightOp(n.op) && !n.packedWeight && result.graph.values.get(n.inputs[1] ?? '')?.sparsity).map((n) => n.name);
      const json = (): string => JSON.stringify({
        artifact: failed.length > 0 ? null : out, dispatch: failed.length > 0 ? null : dispatchOut, report: failed.length > 0 ? null : flags.report ?? null,
        bytes: result.artifact.length, layers: s.layers.length, params: s.params,
        weightBytes: s.weightBytes, arenaBytes: s.arenaBytes, warnings: result.warnings,
        pattern: pruning.pattern ?? 'dense', totals, densified, groups: result.groups, rowOrder: result.rowOrder, layerReport: report,
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
        flag === '--emit-onnx' ? emitOnnx(result.graph) : flag === '--report' ? checks.html! : flag === '-o' ? result.artifact : dispatch;
      writeFilesAtomic(outputs.map((o) => ({ path: o.path, data: data(o.flag), createFolder: o.createFolder })));
      if (flags.printIr) printOut(printGraph(result.graph) + '\n');
      if (flags.json) {
        printOut(json());
      } else if (!flags.quiet) {
        const kernels = new Map<string, number>();
        for (const l of s.layers) kernels.set(l.kernel, (kernels.get(l.kernel) ?? 0) + 1);
        printOut([
          `wrote ${out} (${result.artifact.length} bytes) and ${dispatchOut} (its generated dispatch module)`,
          `  ${s.layers.length} layers, ${s.params} parameters (${s.weightBytes} weight bytes), arena ${s.arenaBytes} bytes`,
          `  kernels: ${[...kernels].map(([k, c]) => `${k}×${c}`).join(', ')}`,
        ].join('\n') + '\n');
        if (pruning.pattern) {
          const ratio = totals.prunedBytesBefore ? (totals.prunedBytesAfter / totals.prunedBytesBefore).toFixed(3) : '-';
          printOut([
            `  pruned ${totals.prunedLayers} of ${totals.layers} layers (${pruning.pattern}${pruning.shareRows ? `, one mask per ${pruning.shareRows} rows` : ''}, ${pruning.method ?? 'magnitude'}${pruning.biasCorrection ? ' + bias correction' : ''}): weights ${totals.paramsBefore} → ${totals.paramsAfter} nonzero,` +
              ` ${totals.bytesBefore} → ${totals.bytesAfter} bytes; pruned layers stored at ${ratio}× their dense bytes`,
            ...permuteSummary(result.groups),
            ...rowOrderSummary(result.rowOrder),
            ...(densified.length > 0 ? [`  ${densified.length} pruned layer(s) run DENSIFIED: a dense kernel is estimated faster (or none reads the format); \`spc inspect\` shows why`] : []),
            '',
            formatCompileReport(report),
          ].join('\n') + '\n');
        }
        const e = checks.estimates;
        const extra = [
          ...(e.ns > 0 ? [`  estimated time ${(e.denseNs / 1e6).toPrecision(3)} ms dense → ${(e.ns / 1e6).toPrecision(3)} ms (${e.speedup.toFixed(3)}×; ${estimateBasis(e)})`] : []),
          ...(checks.accuracy ? [`  top-1 accuracy ${pct(checks.accuracy.dense.top1)} dense → ${pct(checks.accuracy.compiled.top1)} compiled on ${checks.accuracy.data} (drop ${checks.accuracy.dropPoints.toFixed(2)} points)`] : []),
          ...checks.budgets.map((b) => `  budget met: ${b.message}`),
          ...(checks.html !== undefined ? [`  wrote ${flags.report}`] : []),
        ];
        if (extra.length > 0) printOut(extra.join('\n') + '\n');
      }
    });
}
