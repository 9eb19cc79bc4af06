// The compile's settings: the options the API takes (their type derived from the option table)
// read and checked together once, at the compile's entry, into the typed settings the passes,
// provenance and the CLI's summary read. Every option that needs another is checked here, once.

import type { CalibrationSet } from '../calibrate/data.js';
import { UsageError } from '../errors.js';
import { nmSparsity } from '../sparse/settings/pattern.js';
import type { OptionIn, OptionName, OptionOut } from './table.js';
import { OPTION_ENTRIES, OPTIONS } from './table.js';

/** The options as the API takes them (`compileFile`, `compile` of `spc/compiler`): each optional, typed by the table. */
export type OptionValues = { readonly [K in OptionName]?: OptionIn<K> };

/** Progress callbacks; not options (they never change the output), not recorded. `detail` says where the work is. */
export interface ProgressHooks {
  /** Progress of the calibration statistics (nodes of the dense network run, of total). */
  readonly onCalibProgress?: (done: number, total: number, detail?: string) => void;
  /** Progress of the channel-permutation search (work units done of total: a group's search, each calibrated layer's error check). */
  readonly onPermuteProgress?: (done: number, total: number, detail?: string) => void;
  /** Progress of calibrated pruning, layer by layer on the calibration data (--method wanda/sparsegpt, --bias-correction, --allocation sensitivity): nodes done of total. */
  readonly onPruneProgress?: (done: number, total: number, detail?: string) => void;
}

const RESOLVED: unique symbol = Symbol('resolved compile settings');

/** Every option typed, defaults filled in, checked together; `given` names those the caller set. */
export type CompileSettings = Omit<{ readonly [K in OptionName]: OptionOut<K> }, 'permute'> & ProgressHooks & {
  /** On when given, else for N:M patterns. */
  readonly permute: boolean;
  readonly given: ReadonlySet<OptionName>;
  readonly [RESOLVED]: true;
};

/** What passes read: the settings with the calibration data loaded (compile.ts reads a path against the model's inputs). */
export type PassSettings = Omit<CompileSettings, 'calib'> & { readonly calib?: CalibrationSet };

function isResolved(o: object): o is CompileSettings {
  return RESOLVED in o;
}

/**
 * Reads every option (the table's reader: API values or the CLI's text) and checks them
 * together; idempotent, so the CLI resolves its flags once and the compile takes the result as is.
 * Errors are UsageErrors naming the flags.
 */
export function resolveOptions(options: (OptionValues & ProgressHooks) | CompileSettings): CompileSettings {
  if (isResolved(options)) return options;
  const values: Record<string, unknown> = {};
  const given = new Set<OptionName>();
  for (const [name, spec] of OPTION_ENTRIES) {
    const raw = (options as OptionValues)[name];
    if (raw === undefined) {
      values[name] = spec.fallback;
    } else {
      values[name] = spec.read(raw);
      given.add(name);
    }
  }
  const s = values as { -readonly [K in OptionName]: OptionOut<K> };
  // A sparsity alone asks for unstructured pruning, as in other pruning tools.
  if (s.pattern === undefined && given.has('sparsity')) s.pattern = OPTIONS.pattern.read('unstructured');
  const pattern = s.pattern;
  const calibrated = s.method !== 'magnitude';
  if (calibrated && s.calib === undefined) {
    throw new UsageError(`--method ${s.method} needs calibration data: --calib <x.npy|folder> (inputs only, sample axis first; never the test set)`);
  }
  if (s.biasCorrection && s.calib === undefined) throw new UsageError('--bias-correction needs calibration data: --calib <x.npy|folder>');
  if (s.calibCount !== undefined && s.calib === undefined) throw new UsageError('--calib-count needs --calib');
  if (s.quantize === 'int8' && s.calib === undefined) {
    throw new UsageError('--quantize int8 quantizes activations from calibration data: --calib <x.npy|folder> (or --quantize int8-weights, weight-only)');
  }
  if (pattern === undefined) {
    if (calibrated || s.biasCorrection) throw new UsageError(`${calibrated ? `--method ${s.method}` : '--bias-correction'} needs --pattern`);
    if (given.has('shareRows')) throw new UsageError('--share-rows needs an N:M --pattern, e.g. --pattern 2:4 --share-rows 4');
  } else {
    if (pattern.kind === 'channel' && (calibrated || s.biasCorrection)) throw new UsageError('--pattern channel prunes by magnitude; --method and --bias-correction apply to unstructured, N:M and block patterns');
    if (pattern.kind === 'nm' && given.has('sparsity')) {
      throw new UsageError(`--sparsity does not go with an N:M pattern: ${pattern.text} keeps ${pattern.n} of every ${pattern.m} (sparsity ${nmSparsity(pattern.n, pattern.m).toFixed(3)})`);
    }
    if (pattern.kind !== 'nm' && !given.has('sparsity')) throw new UsageError(`--pattern ${pattern.text} needs --sparsity, e.g. --sparsity 0.9`);
    if (s.allocation === 'sensitivity' && s.calib === undefined) throw new UsageError('--allocation sensitivity measures each layer on calibration data: give --calib x.npy');
    if (given.has('shareRows') && pattern.kind !== 'nm') throw new UsageError(`--share-rows goes with an N:M pattern, not ${pattern.text}`);
  }
  return {
    ...s, permute: s.permute ?? pattern?.kind === 'nm', given, [RESOLVED]: true,
    ...(options.onCalibProgress ? { onCalibProgress: options.onCalibProgress } : {}),
    ...(options.onPermuteProgress ? { onPermuteProgress: options.onPermuteProgress } : {}),
    ...(options.onPruneProgress ? { onPruneProgress: options.onPruneProgress } : {}),
  };
}

/** The settings passes read, from options whose calibration data (if any) is already loaded: for tests and tools that run passes alone. */
export function passSettings(options: OptionValues & ProgressHooks = {}): PassSettings {
  const s = resolveOptions(options);
  if (typeof s.calib === 'string') throw new UsageError(`--calib ${s.calib}: a path; compileFile reads it against the model's inputs, passes take a loaded calibration set`);
  return s as PassSettings;
}
