// The compile options, declared once: API type, default, reader (validation), CLI flags and help,
// group, and how provenance records the value. CompileOptions and the passes' typed settings
// (settings.ts), provenance (provenance.ts), spc compile's flags and docs/cli.md come from here.

import type { Preference, Target } from '../analysis/kernel-choice.js';
import { DEFAULT_TARGETS, PREFERENCES } from '../analysis/kernel-choice.js';
import type { KernelProfile } from '../analysis/profile.js';
import { loadProfile } from '../analysis/profile.js';
import type { CalibrationSet } from '../calibrate/data.js';
import { DEFAULT_CALIB_SAMPLES } from '../calibrate/data.js';
import { UsageError } from '../errors.js';
import { READ_CAPS, readBounded } from '../io/read.js';
import type { Limits } from '../limits.js';
import { compileLimits, DEFAULT_LIMITS, LIMIT_CEILINGS, LIMIT_FLAGS } from '../limits.js';
import type { Allocation } from '../sparse/prune/allocation.js';
import { ALLOCATIONS } from '../sparse/prune/allocation.js';
import type { PruneConfig } from '../sparse/settings/config.js';
import { parseConfig, validateConfig } from '../sparse/settings/config.js';
import type { Pattern } from '../sparse/settings/pattern.js';
import type { QuantizeMode } from '../quantize/grid.js';
import { QUANTIZE_MODES } from '../quantize/grid.js';
import { parsePattern, PATTERN_HELP } from '../sparse/settings/pattern.js';
import { CLASSIFIER_MAX_SPARSITY, DEFAULT_MIN_PARAMS } from '../sparse/settings/skips.js';
import type { InputValue } from './read.js';
import { inputShapeText, parseInputShape, type InputShapes } from './shape-buckets.js';
import { readBoolean, readChoice, readInputShapes, readInputValues, readNumber, readPathOr, readTargets } from './read.js';
import { calibRecord, configRecord, INPUT_VALUE_KEY, inputValueRecord, profileRecord, replayConfig } from './records.js';

/**
 * What an option is about. The dense reference `spc compile --eval-data` and `spc eval/bench
 * --reference` compile (cli/reference.ts) keeps the 'model' and 'kernels' options: the same model,
 * run by the same kernels, without what prunes it.
 */
export type OptionGroup = 'model' | 'kernels' | 'prune' | 'debug';

/** One command-line flag of an option. */
export interface FlagSpec {
  /** commander's flags text, e.g. '-s, --sparsity <fraction>'. */
  readonly flag: string;
  readonly help: string;
  /** commander's default: shown by --help and given to the reader when the flag is absent. */
  readonly default?: string;
  /** Repeatable: every occurrence is collected into an array. */
  readonly repeatable?: boolean;
  /** For an option spread over several flags (limits): the field of the option's object this flag sets. */
  readonly field?: string;
}

/**
 * How an option's recorded text is replayed (`spc compile --recipe-from`): into a value its reader
 * takes, or 'file' for a file recorded by name and digest only, which must be given again.
 * Absent: the text itself, as the CLI's flag would give it.
 */
export type Replay = ((text: string) => unknown) | 'file';

/** How provenance records a value: under `key`, when given or when not the default; or as several entries (keys starting with `prefix`). */
export type Recording<Out> =
  | { readonly key: string; readonly when: 'given' | 'changed'; readonly text: (value: NonNullable<Out>) => string; readonly replay?: Replay }
  | {
    readonly entries: (value: Out, settings: Readonly<Record<string, unknown>>) => readonly (readonly [string, string])[];
    readonly prefix: string;
    /** The value from the entries (keys with the prefix removed); 'file' as above. */
    readonly replay: ((entries: readonly (readonly [string, string])[]) => unknown) | 'file';
  };

/**
 * The JSON Schema of an option's value in a recipe file (schemas/recipe.schema.json is generated
 * from these: `npm run gen:recipe-schema`). `path: true`: a file path, relative to the recipe's
 * folder (for an object, each string value is one).
 */
export interface RecipeSchema {
  readonly type?: string | readonly string[];
  readonly path?: boolean;
  readonly [keyword: string]: unknown;
}

/**
 * One option. `In` is the type the API takes, `Out` the typed value passes read. `read` takes a
 * value as the API gives it or as the CLI's flags give it (text) and validates it alone;
 * options/settings.ts checks them together. No `record`: never changes the output, not recorded.
 */
export interface OptionSpec<In, Out> {
  readonly group: OptionGroup;
  readonly flags?: readonly FlagSpec[];
  /** The value when the option is not given. */
  readonly fallback: Out;
  read(raw: unknown): Out;
  readonly record?: Recording<Out>;
  /** The value in a recipe file (options/recipe.ts); its description is the flag's help. */
  readonly schema: RecipeSchema;
  /** Never set: carries `In` for the mapped types. */
  readonly api?: In;
}

function option<In, Out = In>(spec: OptionSpec<In, Out>): OptionSpec<In, Out> {
  return spec;
}

/** Which weights are kept: by |w|, by Wanda's |w|·‖x‖, or by SparseGPT's OBS reconstruction (which also updates the kept ones). */
export type PruneMethod = 'magnitude' | 'wanda' | 'sparsegpt';
export const PRUNE_METHODS: readonly PruneMethod[] = ['magnitude', 'wanda', 'sparsegpt'];
/** Sparsity for unstructured/block when none is given: the level one-shot magnitude pruning tolerates. */
export const DEFAULT_SPARSITY = 0.5;
export const TARGETS: readonly Target[] = ['wasmsimd', 'js', 'ref'];
export const MAX_SHARE_ROWS = 64;

const isCalibrationSet = (x: unknown): x is CalibrationSet => typeof x === 'object' && x !== null && Array.isArray((x as CalibrationSet).samples);
const isProfile = (x: unknown): x is KernelProfile => typeof x === 'object' && x !== null && (x as KernelProfile).entries instanceof Map;
const wholeAtLeast = (min: number) => (x: number) => Number.isInteger(x) && x >= min;

/** A config from its file (read and validated, errors name the file), or an object: validated unless it already is (it carries its file name). */
function readConfig(raw: unknown): PruneConfig {
  if (typeof raw === 'string') return parseConfig(new TextDecoder().decode(readBounded(raw, READ_CAPS.json)), raw);
  const o = raw as Record<string, unknown> | null;
  return typeof o?.['file'] === 'string' && Array.isArray(o['layers']) ? (raw as PruneConfig) : validateConfig(raw, '--config');
}

/** The --max-… flags' text or the API's numbers, over the defaults; the CLI's text is named by its flag. */
function readLimits(raw: unknown): Limits {
  const given = { ...(raw as Record<string, unknown>) };
  for (const key of Object.keys(LIMIT_FLAGS) as (keyof Limits)[]) {
    if (typeof given[key] !== 'string') continue;
    given[key] = readNumber(LIMIT_FLAGS[key], given[key], (n) => Number.isSafeInteger(n) && n >= 1 && n <= LIMIT_CEILINGS[key], `a whole number from 1 to ${LIMIT_CEILINGS[key]}`);
  }
  return compileLimits(given as Partial<Limits>);
}

export const OPTIONS = {
  pattern: option<string, Pattern | undefined>({
    group: 'prune',
    schema: { type: 'string', examples: ['2:4', 'unstructured', 'block:4x1', 'channel'] },
    flags: [{ flag: '-p, --pattern <pattern>', help: `prune: ${PATTERN_HELP}; without it the model stays dense` }],
    fallback: undefined,
    read(raw) {
      try { return parsePattern(String(raw)); } catch (e) { throw new UsageError(`--pattern: ${(e as Error).message}`); }
    },
    record: { key: 'pattern', when: 'changed', text: (p) => p.text },
  }),
  sparsity: option<number>({
    group: 'prune',
    schema: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    flags: [{ flag: '-s, --sparsity <fraction>', help: 'fraction of weights (channel: of output channels) to remove, in [0, 1); required for unstructured, block and channel; N:M implies (M−N)/M; alone it means --pattern unstructured' }],
    fallback: DEFAULT_SPARSITY,
    read: (raw) => readNumber('--sparsity', raw, (s) => s >= 0 && s < 1, 'a fraction in [0, 1), e.g. 0.9'),
    record: { key: 'sparsity', when: 'given', text: String },
  }),
  allocation: option<Allocation>({
    group: 'prune',
    schema: { enum: ALLOCATIONS },
    flags: [{ flag: '--allocation <kind>', help: 'how the sparsity is spread over layers: uniform (same per layer), global (one magnitude threshold), erk (Erdős–Rényi-Kernel), sensitivity (per layer from its measured output divergence on --calib data, overall exact, each layer ≤ 0.98)', default: 'uniform' }],
    fallback: 'uniform',
    read: (raw) => readChoice('--allocation', raw, ALLOCATIONS),
    record: { key: 'allocation', when: 'changed', text: String },
  }),
  config: option<string | object, PruneConfig | undefined>({
    group: 'prune',
    schema: { type: ['string', 'object'], path: true, properties: { layers: { type: 'array', items: { type: 'object' } } }, required: ['layers'], additionalProperties: false },
    flags: [{ flag: '--config <spc.json>', help: 'per-layer overrides by node-name glob or op type (pattern, sparsity; skip: true keeps a layer dense, force: true prunes one the defaults keep dense)' }],
    fallback: undefined,
    read: readConfig,
    record: { key: 'config', when: 'changed', text: configRecord, replay: replayConfig },
  }),
  shareRows: option<number>({
    group: 'prune',
    schema: { type: 'integer', minimum: 1, maximum: MAX_SHARE_ROWS },
    flags: [{ flag: '--share-rows <R>', help: 'N:M only: one mask per block of R output channels, so a kernel reuses each loaded activation R times (kernel-friendly N:M)' }],
    fallback: 1,
    read: (raw) => readNumber('--share-rows', raw, (r) => Number.isInteger(r) && r >= 1 && r <= MAX_SHARE_ROWS, `a whole number from 1 to ${MAX_SHARE_ROWS}`),
    record: { key: 'share-rows', when: 'changed', text: String },
  }),
  minParams: option<number>({
    group: 'prune',
    schema: { type: 'integer', minimum: 0 },
    flags: [{ flag: '--min-params <count>', help: `layers with fewer weights stay dense; so do, by default, the stem conv, depthwise and grouped convs, and the classifier when pruned above ${CLASSIFIER_MAX_SPARSITY * 100}% (a --config rule with force: true prunes any of them)`, default: String(DEFAULT_MIN_PARAMS) }],
    fallback: DEFAULT_MIN_PARAMS,
    read: (raw) => readNumber('--min-params', raw, wholeAtLeast(0), 'a whole number'),
    record: { key: 'min-params', when: 'changed', text: String },
  }),
  method: option<PruneMethod>({
    group: 'prune',
    schema: { enum: PRUNE_METHODS },
    flags: [{ flag: '--method <method>', help: 'which weights are kept: magnitude (|w|, no data), wanda (|w|·‖x‖) or sparsegpt (OBS reconstruction, updates the kept weights); wanda and sparsegpt need --calib', default: 'magnitude' }],
    fallback: 'magnitude',
    read: (raw) => readChoice('--method', raw, PRUNE_METHODS),
    record: { key: 'method', when: 'changed', text: String },
  }),
  quantize: option<QuantizeMode | undefined>({
    group: 'prune',
    schema: { enum: QUANTIZE_MODES },
    flags: [{ flag: '--quantize <mode>', help: 'store the Conv/Gemm/MatMul weights quantized, with any --pattern: int8 (static: weights as int8-weights, activations per tensor from --calib, run by the int8 kernels), int8-weights (int8 per output channel, symmetric, weight-only: no calibration; with --method sparsegpt quantized jointly with pruning, GPTQ-style) or fp16 (half precision). With int8-weights and fp16 kernels compute in float32 on the weights dequantized at load' }],
    fallback: undefined,
    read: (raw) => readChoice('--quantize', raw, QUANTIZE_MODES, ' or '),
    record: { key: 'quantize', when: 'given', text: String },
  }),
  calib: option<string | CalibrationSet, string | CalibrationSet | undefined>({
    group: 'prune',
    schema: { type: 'string', path: true },
    flags: [{ flag: '--calib <x.npy|folder>', help: 'calibration inputs: one .npy with the sample axis first, or a folder of .npy / TensorProto .pb files (one sample each); never the test set' }],
    fallback: undefined,
    read: (raw) => readPathOr('--calib', raw, isCalibrationSet, 'a calibration set (see compiler/calibrate/data.ts)'),
    // Recorded once loaded (a path is read by the compile, against the model's inputs), when a method uses it.
    record: {
      entries: (calib, s) => {
        const used = s['method'] !== 'magnitude' || s['biasCorrection'] === true || s['allocation'] === 'sensitivity';
        return used && isCalibrationSet(calib) ? [['calib', calibRecord(calib)]] : [];
      },
      prefix: 'calib',
      replay: 'file',
    },
  }),
  calibCount: option<number, number | undefined>({
    group: 'prune',
    schema: { type: 'integer', minimum: 1 },
    flags: [{ flag: '--calib-count <n>', help: `use the first n calibration samples only (default ${DEFAULT_CALIB_SAMPLES}; no more is read)` }],
    fallback: undefined,
    // Recorded with the calibration data (its source names the samples used).
    read: (raw) => readNumber('--calib-count', raw, wholeAtLeast(1), 'a whole number ≥ 1'),
  }),
  biasCorrection: option<boolean>({
    group: 'prune',
    schema: { type: 'boolean' },
    flags: [{ flag: '--bias-correction', help: 're-fit each pruned layer\'s bias so its mean output on the calibration inputs matches the dense layer\'s (needs --calib)' }],
    fallback: false,
    read: (raw) => readBoolean('--bias-correction', raw),
    record: { key: 'bias-correction', when: 'changed', text: String, replay: (t: string) => t === 'true' },
  }),
  permute: option<boolean, boolean | undefined>({
    group: 'prune',
    schema: { type: 'boolean' },
    flags: [
      { flag: '--permute', help: 'before pruning, permute the channels of every permutable channel group (`spc inspect --groups`) so N:M keeps more weight; the function is unchanged (default for N:M patterns, shared rows included)' },
      { flag: '--no-permute', help: 'keep the channels in their original order' },
    ],
    // Unset: on for N:M patterns (settings.ts decides).
    fallback: undefined,
    read: (raw) => readBoolean('--permute', raw),
    record: { key: 'permute', when: 'given', text: String, replay: (t: string) => t === 'true' },
  }),
  permuteTime: option<number, number | undefined>({
    group: 'prune',
    schema: { type: 'number', exclusiveMinimum: 0 },
    flags: [{ flag: '--permute-time <seconds>', help: 'opt-in wall-clock cap of the permutation search and row reordering (default: none). Without it the search stops on its deterministic work budget (about 4 s of CPU on the largest corpus models by magnitude; with --method sparsegpt the calibrated choice costs more, about 100 s of CPU on resnet10_w32), so the artifact never depends on the machine\'s speed; with it a slow or loaded machine may get a different artifact (warned about when the cap cuts the search), and the cap is recorded in the provenance' }],
    fallback: undefined,
    read: (raw) => readNumber('--permute-time', raw, (t) => t > 0, 'a positive number of seconds'),
    // A wall-clock cap can change the output (on a slower machine it cuts the search sooner).
    record: { key: 'permute-time', when: 'given', text: String },
  }),
  pruneStem: option<boolean>({
    group: 'prune',
    schema: { type: 'boolean', description: 'channel pruning (--pattern channel) removes channels of the stem conv too (its input is the model\'s); no flag' },
    // API only: channel pruning removes channels of the stem conv too (its input is the model's).
    fallback: false,
    read: (raw) => readBoolean('pruneStem', raw),
    record: { key: 'prune-stem', when: 'changed', text: String, replay: (t: string) => t === 'true' },
  }),
  inputShapes: option<InputShapes>({
    group: 'model',
    schema: {
      type: 'object',
      // A shape, or shape buckets: a list of shapes.
      additionalProperties: { type: 'array', items: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'array', items: { type: 'integer', minimum: 0 } }] } },
    },
    flags: [{ flag: '--input-shape <name=dims>', help: 'pin an input shape, e.g. input=1x3x224x224 (repeatable); a dynamic batch is otherwise pinned to 1. Shape buckets, e.g. ids=1x{16,32,64,128}: one artifact with a plan per bucket sharing the weights; a run takes the smallest bucket its length fits (a length between buckets runs padded only when the model has an attention-mask input, else it is refused)', repeatable: true }],
    fallback: {},
    read: readInputShapes,
    record: {
      entries: (shapes) => Object.entries(shapes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, dims]) => [`input-shape:${name}`, inputShapeText(dims)]),
      prefix: 'input-shape:',
      replay: (entries: readonly (readonly [string, string])[]) => Object.fromEntries(entries.map(([name, dims]) => parseInputShape(`${name}=${dims}`))),
    },
  }),
  inputValues: option<Readonly<Record<string, InputValue>>, Readonly<Record<string, InputValue>> | undefined>({
    group: 'model',
    schema: { type: 'object', path: true, additionalProperties: { type: 'string' } },
    flags: [{ flag: '--input-value <name=file>', help: 'fix an input to the tensor in file (.npy or TensorProto .pb) at compile time: it becomes a constant and leaves the artifact\'s inputs; for inputs that set shapes (a Reshape\'s shape, Slice starts, Pad pads), which spc needs static (repeatable)', repeatable: true }],
    fallback: undefined,
    read: readInputValues,
    record: { entries: (values) => Object.entries(values ?? {}).map(([name, t]) => [`${INPUT_VALUE_KEY}${name}`, inputValueRecord(t)]), prefix: INPUT_VALUE_KEY, replay: 'file' },
  }),
  targets: option<readonly Target[]>({
    group: 'kernels',
    schema: { type: 'array', items: { enum: TARGETS }, minItems: 1, uniqueItems: true },
    flags: [{ flag: '--targets <list>', help: `kernel targets allowed, from ${TARGETS.join(', ')}: the kernel with the least estimated time wins, ties go to the earlier target (wasmsimd falls back to js at run time without WebAssembly SIMD)`, default: DEFAULT_TARGETS.join(',') }],
    fallback: DEFAULT_TARGETS,
    read: (raw) => readTargets('--targets', raw, TARGETS),
    record: { key: 'targets', when: 'given', text: (t) => t.join(',') },
  }),
  profile: option<string | KernelProfile, KernelProfile | undefined>({
    group: 'kernels',
    schema: { type: 'string', path: true },
    flags: [{ flag: '--profile <profile.json>', help: 'kernel timings that price the candidates (written by `spc tune`); default: the profile shipped with spc' }],
    // Unset: the shipped default (analysis/profile.ts getDefaultProfile), not recorded.
    fallback: undefined,
    read: (raw) => {
      const p = readPathOr('--profile', raw, isProfile, 'a kernel profile');
      return typeof p === 'string' ? loadProfile(p) : p;
    },
    record: { key: 'profile', when: 'changed', text: profileRecord, replay: 'file' },
  }),
  prefer: option<Preference>({
    group: 'prune',
    schema: { enum: PREFERENCES },
    flags: [{ flag: '--prefer <speed|size>', help: 'which kernels run pruned layers: speed (a packed kernel only where estimated at least 10% faster than dense; others run dense, from the packed weight expanded at load) or size (run packed even where slower: the packed kernel wherever the packed weight is smaller). Storage is the same either way: a pruned weight is stored packed wherever that is smaller', default: 'speed' }],
    fallback: 'speed',
    read: (raw) => readChoice('--prefer', raw, PREFERENCES, ' or '),
    // The default is not recorded: artifacts compiled without the option stay as they were.
    record: { key: 'prefer', when: 'changed', text: String },
  }),
  limits: option<Partial<Limits>, Limits>({
    group: 'model',
    schema: { type: 'object', properties: Object.fromEntries(Object.keys(LIMIT_FLAGS).map((k) => [k, { type: 'integer', minimum: 1 }])), additionalProperties: false },
    flags: [
      { field: 'maxTensorElements', flag: `${LIMIT_FLAGS.maxTensorElements} <n>`, help: `refuse a model with a tensor (weight, input or activation) of more elements, checked before anything is allocated (default ${DEFAULT_LIMITS.maxTensorElements}, at most ${LIMIT_CEILINGS.maxTensorElements})` },
      { field: 'maxWeightBytes', flag: `${LIMIT_FLAGS.maxWeightBytes} <n>`, help: `refuse a model whose weights total more bytes, constants folded at compile time included (default ${DEFAULT_LIMITS.maxWeightBytes})` },
      { field: 'maxArenaBytes', flag: `${LIMIT_FLAGS.maxArenaBytes} <n>`, help: `refuse a model whose activations need a larger arena, in bytes (default ${DEFAULT_LIMITS.maxArenaBytes}, at most ${LIMIT_CEILINGS.maxArenaBytes})` },
      { field: 'maxNodes', flag: `${LIMIT_FLAGS.maxNodes} <n>`, help: `refuse a graph of more nodes (default ${DEFAULT_LIMITS.maxNodes})` },
      { field: 'maxValues', flag: `${LIMIT_FLAGS.maxValues} <n>`, help: `refuse a graph of more values: inputs, initializers and node outputs (default ${DEFAULT_LIMITS.maxValues})` },
    ],
    fallback: DEFAULT_LIMITS,
    // Not recorded: a limit refuses a model or not, it never changes the output.
    read: readLimits,
  }),
  foldMaxBytes: option<number, number | undefined>({
    group: 'model',
    schema: { type: 'integer', minimum: 0 },
    flags: [{ flag: '--fold-max-bytes <bytes>', help: 'folding budget: fold-constants stops making constants once those it made would exceed this many bytes in total, and leaves the rest to run at run time (default: 128 MiB or the model\'s own constants, the larger); a smaller budget keeps constant subgraphs that expand small weights (Expand, Tile, ConstantOfShape) out of the artifact' }],
    fallback: undefined,
    read: (raw) => readNumber('--fold-max-bytes', raw, (n) => Number.isSafeInteger(n) && n >= 0, 'a whole number of bytes'),
    // It changes which nodes the artifact computes at run time.
    record: { key: 'fold-max-bytes', when: 'given', text: String },
  }),
  allowExternalHardlinks: option<boolean>({
    group: 'model',
    schema: { type: 'boolean' },
    flags: [{ flag: '--allow-external-hardlinks', help: 'read external data files that have several hard links (refused by default: another name of such a file may lie outside the model\'s folder); symbolic links, FIFOs, devices and paths leaving the folder are always refused' }],
    fallback: false,
    // Not recorded: it never changes the output.
    read: (raw) => readBoolean('--allow-external-hardlinks', raw),
  }),
  verify: option<boolean>({
    group: 'debug',
    schema: { type: 'boolean' },
    flags: [{ flag: '--verify', help: 'run the IR verifier after every pass' }],
    fallback: false,
    read: (raw) => readBoolean('--verify', raw),
  }),
} as const;

export type OptionName = keyof typeof OPTIONS;
/** The API's type of option `K`. */
export type OptionIn<K extends OptionName> = NonNullable<(typeof OPTIONS)[K]['api']>;
/** The typed value of option `K` that passes read. */
export type OptionOut<K extends OptionName> = ReturnType<(typeof OPTIONS)[K]['read']>;

/** The table's entries in declaration order (the order of `spc compile --help`). */
export const OPTION_ENTRIES = Object.entries(OPTIONS) as [OptionName, OptionSpec<unknown, unknown>][];
