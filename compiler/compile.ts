// The compile driver: ONNX file in, artifact bytes out. Frontend, the canonicalize pipeline,
// kernel selection, memory planning, lowering and the writer, in that order.

import { createHash } from 'node:crypto';
import { READ_CAPS, readBounded } from './io/read.js';
import { basename, extname } from 'node:path';
import type { Graph } from './ir/graph.js';
import type { DType, TypedArray } from '../runtime/tensor.js';
import { withGraph } from './ir/graph.js';
import { loadOnnx, loadOnnxBytes } from './frontend/load.js';
import { makePassContext } from './passes/pass.js';
import type { PassNote } from './passes/pass.js';
import { runPipeline } from './passes/manager.js';
import type { RunOptions } from './passes/manager.js';
import { canonicalizePipeline, prunePipeline, selectPipeline } from './passes/pipelines.js';
import type { GroupPermutation } from './passes/permute-channels.js';
import { permuteResultOf } from './passes/permute-channels.js';
import type { RowReorder } from './passes/reorder-rows.js';
import { rowOrderOf } from './passes/reorder-rows.js';
import { planArena } from './analysis/memory-plan.js';
import { inferShapes } from './analysis/shapes.js';
import { lowerGraph, withRecipe } from './emit/lower.js';
import { compileReport, recipeOf, type CompileLayerReport } from './emit/compile-report.js';
import { writeArtifact } from './emit/artifact.js';
import { generateDispatch } from './emit/dispatch.js';
import type { LoadedArtifact } from '../runtime/loader/model.js';
import type { Preference, Target } from './analysis/kernel-choice.js';
import type { KernelProfile } from './analysis/profile.js';
import { formatProfile, loadProfile } from './analysis/profile.js';
import { SPC_VERSION } from './version.js';
import type { CalibrationSet } from './calibrate/data.js';
import { DEFAULT_CALIB_SAMPLES, readSamples } from './calibrate/data.js';
import { defaultRegistry } from '../runtime/kernels/index.js';
import type { PruneMethod } from './passes/prune.js';
import { SpcError, UsageError } from './errors.js';
import { checkArenaBytes, checkRuntimeValues, checkValueShapes, checkWeightBytes, compileLimits } from './limits.js';
import type { Limits } from './limits.js';

export interface CompileOptions {
  /** Pins input shapes: name → dims. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Fixes inputs to values at compile time: name → tensor. Each becomes a constant and is no
   * longer an input of the artifact (for inputs that set shapes, which spc needs static).
   */
  readonly inputValues?: Readonly<Record<string, { readonly dtype: DType; readonly shape: readonly number[]; readonly data: TypedArray }>>;
  /** Kernel targets allowed, in order of preference for ties (default wasmsimd, js, ref). */
  readonly targets?: readonly Target[];
  /**
   * Kernel profile pricing the candidates (a profile file's path, or a loaded profile); the
   * shipped default when absent. Provenance records its base name and a digest, never a path.
   */
  readonly profile?: string | KernelProfile;
  /**
   * What kernel selection optimizes for pruned layers: 'speed' (default: packed kernels only where
   * estimated faster than dense) or 'size' (packed wherever the packed weight is smaller).
   */
  readonly prefer?: Preference;
  /** Runs the IR verifier after every pass. */
  readonly verify?: boolean;
  /** Pruning pattern: 'unstructured', 'N:M', 'block:RxC' or 'channel'; none means dense. */
  readonly pattern?: string;
  /** Target sparsity for unstructured, block and channel (N:M implies (M−N)/M). */
  readonly sparsity?: number;
  /** How the target is spread over layers (sensitivity measures each layer on `calib`). */
  readonly allocation?: 'uniform' | 'global' | 'erk' | 'sensitivity';
  /** Per-layer overrides (the parsed --config file). */
  readonly config?: unknown;
  /** Layers with fewer weights stay dense. */
  readonly minParams?: number;
  /** N:M only: one mask per block of this many output channels (kernel-friendly N:M). */
  readonly shareRows?: number;
  /**
   * Calibration data: a .npy (sample axis first) or a folder of .npy / .pb files, or a loaded set.
   * Provenance records its base name, sample count and a digest, never a path.
   */
  readonly calib?: string | CalibrationSet;
  /** Use the first n calibration samples only (default DEFAULT_CALIB_SAMPLES when `calib` is a path: no more is read). */
  readonly calibCount?: number;
  /** How the pruned weights are chosen (default magnitude); wanda and sparsegpt need `calib`. */
  readonly method?: PruneMethod;
  /** Re-fit each pruned layer's bias to the dense layer's mean output on `calib`. */
  readonly biasCorrection?: boolean;
  /**
   * Permute channel groups before pruning so N:M keeps more weight (function unchanged); default
   * on for N:M patterns (shared rows included), off otherwise.
   */
  readonly permute?: boolean;
  /**
   * Opt-in wall-clock cap of the permutation search and row reordering, in seconds (default: none,
   * the deterministic work budget alone). A cap can make the bytes depend on the machine's speed,
   * so when given it is recorded in the provenance.
   */
  readonly permuteTime?: number;
  /** Resource limits on the model (tensor elements, weight bytes, graph size); not recorded, they never change the output. */
  readonly limits?: Partial<Limits>;
  /**
   * Read external data files that have several hard links (refused by default: another name of
   * the file may lie outside the model's folder); not recorded, it never changes the output.
   */
  readonly allowExternalHardlinks?: boolean;
  /** Progress of the calibration (nodes done of total); not recorded. */
  readonly onCalibProgress?: (done: number, total: number) => void;
  /** Progress of the channel-permutation search (groups done of total); not recorded. */
  readonly onPermuteProgress?: (done: number, total: number) => void;
  /** Called before and after every pass (`--print-ir-after`, `--timing`); observers only, not recorded. */
  readonly passHooks?: Pick<RunOptions, 'beforePass' | 'afterPass'>;
}

export interface CompileResult {
  /** The .spm bytes. */
  readonly artifact: Uint8Array;
  /** What the artifact holds (as the runtime loader would return it). */
  readonly contents: LoadedArtifact;
  /** The final IR. */
  readonly graph: Graph;
  /** The IR after canonicalization, before pruning (what the report compares against). */
  readonly canonical: Graph;
  /** Things the user should know (pinned dimensions, skipped rewrites). */
  readonly warnings: readonly string[];
  readonly notes: readonly PassNote[];
  /** What the channel-permutation search did, per group searched (empty when off). */
  readonly groups: readonly GroupPermutation[];
  /** What row reordering did, per group considered (empty when off). */
  readonly rowOrder: readonly RowReorder[];
  /** The per-layer report (what `spc compile` prints); the artifact records it as its recipe. */
  readonly report: readonly CompileLayerReport[];
  /**
   * The generated dispatch module (`<name>.dispatch.ts`, see emit/dispatch.ts), importing the
   * runtime as `spc/runtime/...`. Generated on first read, then kept.
   */
  readonly dispatch: string;
}

/** Options as recorded in the artifact's provenance: sorted, and only those that shape the output. */
export function provenanceOptions(o: CompileOptions): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, dims] of Object.entries(o.inputShapes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push([`input-shape:${name}`, dims.join('x')]);
  }
  for (const [name, t] of Object.entries(o.inputValues ?? {})) out.push([`${INPUT_VALUE_KEY}${name}`, inputValueRecord(t)]);
  if (o.targets) out.push(['targets', o.targets.join(',')]);
  if (o.profile !== undefined) out.push(['profile', profileRecord(typeof o.profile === 'string' ? loadProfile(o.profile) : o.profile)]);
  // The default ('speed') is not recorded: artifacts compiled without the option stay as they were.
  if (o.prefer !== undefined && o.prefer !== 'speed') out.push(['prefer', o.prefer]);
  if (o.pattern !== undefined) out.push(['pattern', o.pattern]);
  if (o.sparsity !== undefined) out.push(['sparsity', String(o.sparsity)]);
  if (o.allocation !== undefined) out.push(['allocation', o.allocation]);
  if (o.config !== undefined) out.push(['config', configRecord(o.config)]);
  if (o.minParams !== undefined) out.push(['min-params', String(o.minParams)]);
  if (o.shareRows !== undefined) out.push(['share-rows', String(o.shareRows)]);
  if (o.method !== undefined) out.push(['method', o.method]);
  if (o.biasCorrection) out.push(['bias-correction', 'true']);
  if (o.permute !== undefined) out.push(['permute', String(o.permute)]);
  // A wall-clock cap can change the output (on a slower machine it cuts the search sooner).
  if (o.permuteTime !== undefined) out.push(['permute-time', String(o.permuteTime)]);
  const calibrated = (o.method !== undefined && o.method !== 'magnitude') || o.biasCorrection === true || o.allocation === 'sensitivity';
  if (calibrated && o.calib !== undefined && typeof o.calib !== 'string') out.push(['calib', calibRecord(o.calib)]);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** How provenance names a config: its rules, and its file by base name (the bytes must not depend on where the file was). */
function configRecord(config: unknown): string {
  const c = config as { file?: unknown } | null;
  return JSON.stringify(typeof c?.file === 'string' ? { ...c, file: basename(c.file) } : config);
}

/** Provenance key prefix of a fixed input value: `input-value:<input name>`. */
export const INPUT_VALUE_KEY = 'input-value:';

/** How provenance names a fixed input value: dtype, shape and a digest of its data. */
export function inputValueRecord(t: NonNullable<CompileOptions['inputValues']>[string]): string {
  const digest = createHash('sha256').update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)).digest('hex').slice(0, 16);
  return `${t.dtype}[${t.shape.join(',')}] sha256:${digest}`;
}

/** How provenance names a profile: its source (a file's base name) and a digest of its entries. */
function profileRecord(p: KernelProfile): string {
  const digest = createHash('sha256').update(formatProfile([...p.entries.values()], '')).digest('hex').slice(0, 16);
  return `${p.source} sha256:${digest}`;
}

/** How provenance names calibration data: its source (base name, samples used) and a digest of the samples. */
export function calibRecord(set: CalibrationSet): string {
  const h = createHash('sha256');
  for (const feed of set.samples) {
    for (const [name, t] of Object.entries(feed).sort(([a], [b]) => (a < b ? -1 : 1))) {
      h.update(`${name}:${t.dtype}:${t.shape.join('x')};`);
      h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
  }
  return `${set.source} sha256:${h.digest('hex').slice(0, 16)}`;
}

/** Runs `f`; an SpcError it throws about the model is given the model's file name, whichever pass found the problem. */
function namingModel<T>(modelPath: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SpcError && !(e instanceof UsageError) && !e.message.startsWith(`${modelPath}: `)) {
      throw new SpcError(`${modelPath}: ${e.message}`);
    }
    throw e;
  }
}

export function compileFile(modelPath: string, options: CompileOptions = {}): CompileResult {
  const { graph: imported, warnings } = loadOnnx(modelPath, { inputShapes: toMutable(options.inputShapes), inputValues: options.inputValues, limits: options.limits, allowExternalHardlinks: options.allowExternalHardlinks });
  return compileGraph(imported, warnings, readBounded(modelPath, READ_CAPS.onnxModel), basename(modelPath, extname(modelPath)), options, modelPath);
}

/**
 * Compiles an ONNX model given as bytes (`spc/compiler` `compile`). `name` names the model (the
 * artifact's name, the dispatch module's) and the messages; default 'model'.
 */
export function compileBytes(bytes: Uint8Array, options: CompileOptions & { readonly name?: string } = {}): CompileResult {
  const name = options.name ?? 'model';
  const { graph: imported, warnings } = loadOnnxBytes(bytes, name, { inputShapes: toMutable(options.inputShapes), inputValues: options.inputValues, limits: options.limits, allowExternalHardlinks: options.allowExternalHardlinks });
  return compileGraph(imported, warnings, bytes, name, options);
}

/** `label` names the model in errors: its path, or the name given with its bytes. */
function compileGraph(imported: Graph, warnings: string[], source: Uint8Array, name: string, options: CompileOptions, label = name): CompileResult {
  const registry = defaultRegistry();
  const profile = typeof options.profile === 'string' ? loadProfile(options.profile) : options.profile;
  if ((options.method === 'wanda' || options.method === 'sparsegpt' || options.biasCorrection) && options.calib === undefined) {
    throw new SpcError(`${options.method === undefined || options.method === 'magnitude' ? 'bias correction' : `method ${options.method}`} needs calibration data (--calib)`);
  }
  const calib = typeof options.calib === 'string'
    ? readSamples(options.calib, imported, { count: options.calibCount ?? DEFAULT_CALIB_SAMPLES, flag: '--calib' })
    : options.calib && options.calibCount !== undefined && options.calibCount < options.calib.samples.length
      ? { samples: options.calib.samples.slice(0, options.calibCount), source: `${options.calib.source}, first ${options.calibCount}` }
      : options.calib;
  const limits = compileLimits(options.limits);
  const ctx = makePassContext({
    limits, targets: options.targets, profile, prefer: options.prefer, pattern: options.pattern, sparsity: options.sparsity,
    allocation: options.allocation, config: options.config, minParams: options.minParams, shareRows: options.shareRows,
    method: options.method, biasCorrection: options.biasCorrection, calib, progress: options.onCalibProgress,
    permute: options.permute, permuteTime: options.permuteTime, permuteProgress: options.onPermuteProgress,
  }, registry);
  const run: RunOptions = { verify: options.verify ?? false, ...options.passHooks };
  const { canonical, permuted, rowOrder, graph, allWarnings } = namingModel(label, () => {
    const canonical = runPipeline(withGraph(imported, { name }), canonicalizePipeline, ctx, run);
    // An If's inference errors wait until folding could have made its condition constant: raise what remains.
    if (canonical.nodes.some((n) => n.op === 'If' || n.branch)) inferShapes(canonical, { strict: true });
    // Folding can make shapes known that were not: check them before calibration allocates activations.
    checkValueShapes(canonical, limits);
    const pruned = runPipeline(canonical, prunePipeline, ctx, run);
    const permuted = permuteResultOf(ctx);
    if (!permuted) throw new Error('the prune pipeline did not run permute-channels');
    const allWarnings = [...warnings];
    if (permuted.timedOut) {
      allWarnings.push(`the channel-permutation search was cut by --permute-time (${options.permuteTime} s): the artifact may differ from one machine to another; drop --permute-time for a reproducible result`);
    }
    const graph = runPipeline(pruned, selectPipeline, ctx, run);
    requireStaticShapes(graph, label);
    checkRuntimeValues(graph, limits);
    return { canonical, permuted, rowOrder: rowOrderOf(ctx) ?? [], graph, allWarnings };
  });
  const plan = planArena(graph);
  checkArenaBytes(plan.arenaBytes, limits, label);
  const sourceSha256 = createHash('sha256').update(source).digest('hex');
  const lowered = lowerGraph(graph, plan, { spcVersion: SPC_VERSION, sourceSha256, options: provenanceOptions({ ...options, profile, calib }) }, registry);
  // Built once, from the lowered weights (stored bytes, kernels); the artifact records its rows.
  const report = compileReport(canonical, graph, lowered, ctx.notes, options.pattern,
    permuted.groups.length > 0 ? { graph: permuted.graph, layerGroup: permuted.layerGroup } : undefined);
  const contents = withRecipe(lowered, recipeOf(report, `${options.method ?? 'magnitude'}${options.biasCorrection ? '+bias-correction' : ''}`));
  checkWeightBytes(contents, limits, label);
  // The writer loads back what it wrote: a refusal there is this model's, named like the passes' errors.
  const artifact = namingModel(label, () => writeArtifact(contents, { registry }));
  let dispatch: string | undefined;
  return {
    artifact, contents, graph, canonical, warnings: allWarnings, notes: ctx.notes, report, groups: permuted.groups, rowOrder,
    get dispatch(): string {
      dispatch ??= generateDispatch(contents);
      return dispatch;
    },
  };
}

/** Every value that exists at run time needs a static shape; names the first that has none and its producer. */
function requireStaticShapes(g: Graph, file: string): void {
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      const v = o === '' ? undefined : g.values.get(o);
      if (!v || v.constant || (v.shape && v.shape.every((d) => typeof d === 'number'))) continue;
      const dynamic = n.inputs.filter((i) => i !== '' && i !== n.inputs[0] && !g.values.get(i)?.constant);
      throw new SpcError(`${file}: node '${n.name}' (${n.op}): output '${o}' has no static shape${v.shape ? ` ([${v.shape.join(',')}])` : ''}`
        + (dynamic.length ? `: it depends on the value of ${dynamic.map((d) => `'${d}'`).join(', ')}, which is not a constant` : '')
        + `; spc compiles static shapes only`);
    }
  }
}

function toMutable(s: CompileOptions['inputShapes']): Record<string, number[]> | undefined {
  if (!s) return undefined;
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, [...v]]));
}
