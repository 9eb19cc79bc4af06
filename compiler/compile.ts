// The compile driver: ONNX file in, artifact bytes out. Frontend, the canonicalize pipeline,
// kernel selection, memory planning, lowering and the writer, in that order.

import { createHash } from 'node:crypto';
import { READ_CAPS, readBounded } from './io/read.js';
import { basename, extname } from 'node:path';
import type { Graph } from './ir/graph.js';
import { withGraph } from './ir/graph.js';
import { loadOnnx, loadOnnxBytes } from './frontend/load.js';
import { makePassContext } from './passes/pass.js';
import type { PassNote } from './passes/pass.js';
import { runPipeline } from './passes/manager.js';
import type { RunOptions } from './passes/manager.js';
import { canonicalizePipeline, prunePipeline, selectPipeline } from './passes/pipelines.js';
import { VALUE_SETS_SHAPE_FROM_INPUT_0 } from './analysis/shape-rules/data-movement.js';
import type { GroupPermutation } from './passes/permute-channels.js';
import { permuteResultOf } from './passes/permute-channels.js';
import type { RowReorder } from './passes/reorder-rows.js';
import { rowOrderOf } from './passes/reorder-rows.js';
import { pruneResultOf } from './passes/prune.js';
import { channelPruningOf } from './passes/prune-channels.js';
import { planArena } from './analysis/memory-plan.js';
import { inferShapes } from './analysis/shapes.js';
import { lowerGraph, withRecipe } from './emit/lower.js';
import { compileReport, recipeOf, type CompileLayerReport, type PruningRecord, type Rearranged } from './emit/compile-report.js';
import type { Bought } from './report/bought.js';
import { whatItBought } from './report/bought.js';
import { estimateLayers } from './report/estimates.js';
import type { SpeedupEstimate } from './report/estimates.js';
import { writeArtifact } from './emit/artifact.js';
import { generateDispatch } from './emit/dispatch.js';
import type { LoadedArtifact } from '../runtime/loader/model.js';
import { SPC_VERSION } from './version.js';
import { DEFAULT_CALIB_SAMPLES, readSamples } from './calibrate/data.js';
import { defaultRegistry } from '../runtime/kernels/index.js';
import { SpcError, UsageError } from './errors.js';
import { checkArenaBytes, checkRuntimeValues, checkValueShapes, checkWeightBytes } from './limits.js';
import type { CompileSettings, OptionValues, PassSettings, ProgressHooks } from './options/settings.js';
import { resolveOptions } from './options/settings.js';
import { referenceOptions } from './options/reference.js';
import type { KernelRegistry } from '../runtime/kernels/kernel.js';
import { provenanceOptions } from './options/provenance.js';
import { bucketShapes, isBuckets } from './options/shape-buckets.js';
import { attentionMaskInput } from './analysis/attention-mask.js';
import { withShapeBuckets } from './emit/shape-buckets.js';
import { bucketLayout } from '../runtime/loader/check-buckets.js';

/**
 * The compile's options (`spc/compiler`): the option table's (options/table.ts: types, defaults,
 * validation, flags and provenance), progress callbacks, and pass observers. Resolved settings
 * (options/settings.ts resolveOptions) are taken as they are.
 */
export interface CompileOptions extends OptionValues, ProgressHooks, PassObservers {}

export interface PassObservers {
  /** Called before and after every pass (`--print-ir-after`, `--timing`); observers only, not recorded. */
  readonly passHooks?: Pick<RunOptions, 'beforePass' | 'afterPass'>;
}

/** What compileFile / compileBytes take: options, or settings already resolved from them (the CLI resolves its flags first). */
export type CompileInput = CompileOptions | (CompileSettings & PassObservers);

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
   * Estimated time of the compiled model against the dense one, per Conv/Gemm/MatMul (what the
   * report draws and --min-speedup checks): the dense model's kernels are those the same compile
   * without pruning selects (see denseArtifact). Computed on first read, then kept.
   */
  readonly estimate: SpeedupEstimate;
  /**
   * The artifact the same compile without pruning writes (the model and kernel options kept:
   * options/reference.ts), byte for byte: the canonical graph selected, lowered and written again,
   * since the pruning passes change nothing without a pattern. Computed on first read, then kept.
   */
  readonly denseArtifact: Uint8Array;
  /**
   * What pruning bought: the artifact's size against denseArtifact's, raw and gzip -9, the
   * estimated speedup, and what would make each pruned layer that gains nothing gain
   * (report/bought.ts). Computed on first read, then kept.
   */
  readonly bought: Bought;
  /**
   * The generated dispatch module (`<name>.dispatch.ts`, see emit/dispatch.ts), importing the
   * runtime as `spc-runtime/...`. Generated on first read, then kept.
   */
  readonly dispatch: string;
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

export function compileFile(modelPath: string, options: CompileInput = {}): CompileResult {
  const settings = resolveOptions(options);
  const source = readBounded(modelPath, READ_CAPS.onnxModel);
  return compileBuckets(settings, (shapes) => {
    const { graph: imported, warnings } = loadOnnx(modelPath, loadOptions(settings, shapes));
    return compileGraph(imported, warnings, source, basename(modelPath, extname(modelPath)), settings, options.passHooks, modelPath);
  });
}

/**
 * Compiles an ONNX model given as bytes (`spc/compiler` `compile`). `name` names the model (the
 * artifact's name, the dispatch module's) and the messages; default 'model'.
 */
export function compileBytes(bytes: Uint8Array, options: CompileInput & { readonly name?: string } = {}): CompileResult {
  const name = options.name ?? 'model';
  const settings = resolveOptions(options);
  return compileBuckets(settings, (shapes) => {
    const { graph: imported, warnings } = loadOnnxBytes(bytes, name, loadOptions(settings, shapes));
    return compileGraph(imported, warnings, bytes, name, settings, options.passHooks);
  });
}

/**
 * One compile per shape bucket (`--input-shape ids=1x{16,32}`), merged into one artifact whose
 * plans share the weights (emit/shape-buckets.ts); without buckets, the one compile. The result
 * is the smallest bucket's (report, dispatch module, estimates) with the merged artifact.
 */
function compileBuckets(settings: CompileSettings, compileShapes: (shapes: Record<string, number[]>) => CompileResult): CompileResult {
  const shapes = bucketShapes(settings.inputShapes);
  if (shapes.length === 1) return compileShapes(shapes[0]!);
  const results = shapes.map(compileShapes);
  const first = results[0]!;
  const bucketed = Object.entries(settings.inputShapes).filter(([, s]) => isBuckets(s)).map(([name]) => name);
  const mask = attentionMaskInput(first.canonical, bucketed);
  let contents = withShapeBuckets(results.map((r) => r.contents), mask ?? '');
  let layout = bucketLayout(contents, contents.shapeBuckets!);
  let unmasked: string | undefined;
  if (typeof layout === 'string' && mask !== undefined) {
    // The mask cannot make padding exact when an output has no sequence axis to slice it from.
    unmasked = `'${mask}' masks attention, but ${layout.replace(/^shape buckets: mask_input '[^']*' but /, '')}`;
    contents = withShapeBuckets(results.map((r) => r.contents), '');
    layout = bucketLayout(contents, contents.shapeBuckets!);
  }
  if (typeof layout === 'string') throw new SpcError(`--input-shape: the buckets do not make one artifact: ${layout}`);
  const warnings = [...first.warnings];
  if (mask === undefined || unmasked !== undefined) {
    warnings.push(`shape buckets ${layout.lengths.join(', ')}: ${unmasked ?? 'no input is used only as an attention mask (through elementwise ops into a Softmax)'}, so padding would not be exact: only these lengths run`);
  }
  const artifact = writeArtifact(contents, { registry: defaultRegistry() });
  // The first bucket's result (its lazy report parts stay lazy) with the merged artifact.
  const merged = Object.defineProperties({}, Object.getOwnPropertyDescriptors(first)) as CompileResult;
  return Object.defineProperties(merged, {
    artifact: { value: artifact, enumerable: true },
    contents: { value: contents, enumerable: true },
    warnings: { value: warnings, enumerable: true },
  });
}

/** What the frontend reads of the settings, with the input shapes of one bucket. */
function loadOptions(s: CompileSettings, inputShapes: Record<string, number[]>): Parameters<typeof loadOnnx>[1] {
  return { inputShapes, inputValues: s.inputValues, limits: s.limits, allowExternalHardlinks: s.allowExternalHardlinks };
}

/** `label` names the model in errors: its path, or the name given with its bytes. */
function compileGraph(imported: Graph, warnings: string[], source: Uint8Array, name: string, settings: CompileSettings, passHooks: CompileOptions['passHooks'], label = name): CompileResult {
  const registry = defaultRegistry();
  const { limits, calibCount } = settings;
  // The one option read against the model: a calibration path is read for the model's inputs.
  const calib = typeof settings.calib === 'string'
    ? readSamples(settings.calib, imported, { count: calibCount ?? DEFAULT_CALIB_SAMPLES, flag: '--calib' })
    : settings.calib && calibCount !== undefined && calibCount < settings.calib.samples.length
      ? { samples: settings.calib.samples.slice(0, calibCount), source: `${settings.calib.source}, first ${calibCount}` }
      : settings.calib;
  const passSettings: PassSettings = { ...settings, calib };
  const ctx = makePassContext(passSettings, registry);
  const run: RunOptions = { verify: settings.verify, ...passHooks };
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
      allWarnings.push(`the channel-permutation search was cut by --permute-time (${settings.permuteTime} s): the artifact may differ from one machine to another; drop --permute-time for a reproducible result`);
    }
    const graph = runPipeline(pruned, selectPipeline, ctx, run);
    requireStaticShapes(graph, label);
    checkRuntimeValues(graph, limits);
    return { canonical, permuted, rowOrder: rowOrderOf(ctx) ?? [], graph, allWarnings };
  });
  // What the pruning passes decided per layer, as they recorded it (none ran: no pruning).
  const [layers, channels] = [pruneResultOf(ctx), channelPruningOf(ctx)];
  const pruning = layers || channels ? { layers, channels } : undefined;
  const { contents, artifact, report } = lowerAndWrite(canonical, graph, {
    settings: passSettings as CompileSettings, notes: ctx.notes, pruning, registry, sourceSha256: createHash('sha256').update(source).digest('hex'), label, checkLimits: true,
    rearranged: permuted.groups.length > 0 ? { graph: permuted.graph, layerGroup: permuted.layerGroup } : undefined,
  });
  let dispatch: string | undefined;
  let estimate: SpeedupEstimate | undefined;
  let dense: { graph: Graph; settings: CompileSettings } | undefined;
  let denseArtifact: Uint8Array | undefined;
  let bought: Bought | undefined;
  // The dense model: the canonical graph through select-kernels with the reference's settings
  // (options/reference.ts). Without a pattern the pruning passes return their input unchanged, so
  // this is the graph the same compile without pruning selects, with no second frontend or canonicalization.
  // No pass hooks: this selection is the report's, not a step of the compile the user observes.
  const denseModel = (): { graph: Graph; settings: CompileSettings } => {
    if (dense) return dense;
    const settings = resolveOptions(referenceOptions(passSettings as CompileSettings));
    const graph = namingModel(label, () => runPipeline(canonical, selectPipeline, makePassContext({ ...settings, calib: undefined }, registry)));
    return (dense = { graph, settings });
  };
  const result: CompileResult = {
    artifact, contents, graph, canonical, warnings: allWarnings, notes: ctx.notes, report, groups: permuted.groups, rowOrder,
    get dispatch(): string {
      dispatch ??= generateDispatch(contents);
      return dispatch;
    },
    get estimate(): SpeedupEstimate {
      estimate ??= estimateLayers(graph, denseModel().graph, settings.profile);
      return estimate;
    },
    get denseArtifact(): Uint8Array {
      // Lowered and written as that compile would: its provenance records the reference's options,
      // its recipe has no pruning rows. Test: test/compiler/report/bought.test.ts compares it byte for byte with the real compile.
      denseArtifact ??= lowerAndWrite(canonical, denseModel().graph, {
        settings: denseModel().settings, notes: [], registry, sourceSha256: contents.provenance.sourceSha256, label, checkLimits: false,
      }).artifact;
      return denseArtifact;
    },
    get bought(): Bought {
      bought ??= whatItBought(result, passSettings, registry);
      return bought;
    },
  };
  return result;
}

/** What lowering needs besides the graphs: the settings the provenance records, the pruning record for the report rows. */
interface LowerInput {
  readonly settings: CompileSettings;
  readonly notes: readonly PassNote[];
  readonly pruning?: PruningRecord;
  readonly rearranged?: Rearranged;
  readonly registry: KernelRegistry;
  readonly sourceSha256: string;
  readonly label: string;
  /** Checks the arena and the weights against the limits (the artifact the compile writes; the dense one is only measured). */
  readonly checkLimits: boolean;
}

/** Memory plan, lowering, the per-layer report (recorded as the artifact's recipe) and the written artifact of a selected `graph`. */
function lowerAndWrite(canonical: Graph, graph: Graph, x: LowerInput): { contents: LoadedArtifact; artifact: Uint8Array; report: CompileLayerReport[] } {
  const { limits } = x.settings;
  const plan = planArena(graph);
  if (x.checkLimits) checkArenaBytes(plan.arenaBytes, limits, x.label);
  const lowered = lowerGraph(graph, plan, { spcVersion: SPC_VERSION, sourceSha256: x.sourceSha256, options: provenanceOptions(x.settings) }, x.registry);
  // Built once, from the lowered weights (stored bytes, kernels); the artifact records its rows.
  const report = compileReport(canonical, graph, lowered, x.notes, x.pruning, x.rearranged);
  const contents = withRecipe(lowered, recipeOf(report, graph, x.pruning));
  if (x.checkLimits) checkWeightBytes(contents, limits, x.label);
  // The writer loads back what it wrote: a refusal there is this model's, named like the passes' errors.
  const artifact = namingModel(x.label, () => writeArtifact(contents, { registry: x.registry }));
  return { contents, artifact, report };
}

/** Every value that exists at run time needs a static shape; names the first that has none and its producer. */
function requireStaticShapes(g: Graph, file: string): void {
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      const v = o === '' ? undefined : g.values.get(o);
      if (!v || v.constant || (v.shape && v.shape.every((d) => typeof d === 'number'))) continue;
      // Input 0 is the data of most ops; of a few its value is the shape (ConstantOfShape, Range).
      const dynamic = n.inputs.filter((i, k) => i !== '' && (k > 0 || VALUE_SETS_SHAPE_FROM_INPUT_0.has(n.op)) && !g.values.get(i)?.constant);
      throw new SpcError(`${file}: node '${n.name}' (${n.op}): output '${o}' has no static shape${v.shape ? ` ([${v.shape.join(',')}])` : ''}`
        + (dynamic.length ? `: it depends on the value of ${dynamic.map((d) => `'${d}'`).join(', ')}, which is not a constant` : '')
        + `; spc compiles static shapes only`);
    }
  }
}
