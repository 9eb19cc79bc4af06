// The benchmark's columns and rows: which models, and how each configuration is run. Shared by
// the driver (bench.ts) and the worker (worker.ts) that measures one cell in its own process.

import type { CompileOptions } from '../../compiler/compile.js';

/**
 * The default rows: every single-input model of ../shared/corpus/models, then of ../shared/corpus/real
 * (silero_vad, with its state inputs, is left out). A model the compiler refuses (an operator not
 * supported yet) is an n/a row with the refusal as its reason.
 */
export const MODELS: readonly string[] = [
  'mlp3', 'mobilenet_v2_w050', 'mobilenet_v3_small_w075', 'resnet10_w32', 'squeezenet1_1', 'transformer_enc2',
  'oww_hey_mycroft', 'oww_weather', 'oww_namaste_deepa', 'oww_hey_jarvis', 'mlsd_large320',
];

export type ConfigKind = 'spc' | 'ort-web' | 'ort-node' | 'missing';

export interface BenchConfig {
  /** Column key (stable, used in --json). */
  readonly key: string;
  /** Column header in the tables. */
  readonly label: string;
  readonly kind: ConfigKind;
  /** For spc: compile options (inputShapes are added per model). */
  readonly compile?: CompileOptions;
  /** For spc: the target whose kernels must actually be selected, else the cell is n/a. */
  readonly requireTarget?: 'wasmsimd';
  /** For 'missing': why the cell is n/a. */
  readonly reason?: string;
  /** For spc: this configuration is `key`'s without row reordering (the row-reordering table pairs them). */
  readonly noReorderOf?: string;
  /**
   * For spc: run the relaxed-SIMD kernel module (the worker is started with RELAXED_SIMD_FLAG,
   * the cell is n/a where the model does not run it). Without it a spc cell loads with
   * `relaxedSimd: false`, so its column is the SIMD128 module on any engine.
   */
  readonly relaxedSimd?: true;
  /**
   * For spc (with `compile.quantize: 'int8'`): calibrate on the model's own corpus input (the
   * corpus holds one input per model; it is what the cell times, so the ranges fit it exactly).
   */
  readonly calibOnInput?: true;
  /** For ort-web/ort-node: run the ONNX model spc emits (--emit-onnx) for this configuration, not the original. */
  readonly emittedBy?: string;
}

/** The Node 20 flag that turns relaxed SIMD on (Chrome ships it on). */
export const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

// Pruned configurations use the compiler's defaults (what `spc compile --pattern` gives): targets
// wasmsimd, js, ref and the shipped kernel profile, so a pruned layer runs dense where that is
// estimated faster (DENSIFIED in its reason).
export const CONFIGS: readonly BenchConfig[] = [
  { key: 'spc-dense-js', label: 'spc dense js', kind: 'spc', compile: { targets: ['js', 'ref'] } },
  { key: 'spc-dense-wasmsimd', label: 'spc dense wasmsimd', kind: 'spc', compile: { targets: ['wasmsimd', 'js', 'ref'] }, requireTarget: 'wasmsimd' },
  { key: 'spc-dense-wasmsimd-relaxed', label: 'spc dense wasmsimd relaxed', kind: 'spc', compile: { targets: ['wasmsimd', 'js', 'ref'] }, requireTarget: 'wasmsimd', relaxedSimd: true },
  { key: 'spc-2:4', label: 'spc 2:4', kind: 'spc', compile: { pattern: '2:4' } },
  { key: 'spc-2:4-shared', label: 'spc 2:4 shared-rows', kind: 'spc', compile: { pattern: '2:4', shareRows: 4 } },
  { key: 'spc-0.9-unstructured', label: 'spc 0.9 unstructured', kind: 'spc', compile: { pattern: 'unstructured', sparsity: 0.9 } },
  { key: 'spc-0.9-unstructured-relaxed', label: 'spc 0.9 unstructured relaxed', kind: 'spc', compile: { pattern: 'unstructured', sparsity: 0.9 }, relaxedSimd: true },
  // Row reordering (passes/reorder-rows.ts) is on for every pruned pattern unless permute is false
  // (`--no-permute`), which for unstructured turns off only the reordering (no permutation search).
  { key: 'spc-0.9-unstructured-noreorder', label: 'spc 0.9 unstructured, rows not reordered', kind: 'spc', compile: { pattern: 'unstructured', sparsity: 0.9, permute: false }, noReorderOf: 'spc-0.9-unstructured' },
  { key: 'spc-0.9-block', label: 'spc 0.9 block:4x1', kind: 'spc', compile: { pattern: 'block:4x1', sparsity: 0.9 } },
  // Static int8 (--quantize int8), and onnxruntime-web on the model spc emits for it.
  { key: 'spc-int8', label: 'spc int8', kind: 'spc', compile: { quantize: 'int8' }, calibOnInput: true },
  // 2:4 + static int8: the int8 layers' pruned weights stored packed (run packed by the N:M int8 conv where the cost rule picks it).
  { key: 'spc-2:4-int8', label: 'spc 2:4 + int8', kind: 'spc', compile: { pattern: '2:4', quantize: 'int8' }, calibOnInput: true },
  { key: 'ort-web', label: 'ort-web wasm 1t', kind: 'ort-web' },
  { key: 'ort-web-int8', label: 'ort-web wasm 1t, spc int8 model', kind: 'ort-web', emittedBy: 'spc-int8' },
  { key: 'ort-node', label: 'ort-node 1t', kind: 'ort-node' },
];

/** What a worker prints (one JSON line on stdout) for one model × configuration. */
export interface CellResult {
  readonly model: string;
  readonly config: string;
  /** 'ok', or 'n/a' with a reason (not implemented, rejected by the compiler, no kernel). */
  readonly status: 'ok' | 'n/a' | 'error';
  readonly reason?: string;
  readonly runs?: number;
  /** Milliseconds per inference. */
  readonly median?: number;
  readonly min?: number;
  readonly p25?: number;
  readonly p75?: number;
  readonly max?: number;
  /** Process CPU ms per inference (see timing.ts). */
  readonly cpuMedian?: number;
  readonly cpuP25?: number;
  readonly cpuP75?: number;
  /** With --rounds > 1: each round's process CPU median, in the order run (the cell reports the lowest round). */
  readonly roundCpuMedians?: readonly number[];
  /** For spc: how many nodes run on each target, and how many weights are stored packed. */
  readonly kernels?: Readonly<Record<string, number>>;
  readonly packedLayers?: number;
  /** For spc: the distinct kernels that run the packed weights. */
  readonly packedKernels?: readonly string[];
  /** Max |output − the corpus's reference output| (dense configurations and peers only). */
  readonly maxAbsDiff?: number;
  /** For pruned spc configurations: what row reordering did, and its output check. */
  readonly reorder?: ReorderCheck;
}

/** Row reordering in one compile (CompileResult.rowOrder), and the outputs against the same compile without it. */
export interface ReorderCheck {
  /** Groups considered, and those whose new order was applied (it raised the 4-row block fill). */
  readonly considered: number;
  readonly applied: number;
  /** Mean over the applied groups of the 4-row block fill before and after. */
  readonly fillBefore?: number;
  readonly fillAfter?: number;
  /**
   * Max |output with − output without reordering| over every output, and max |output without|
   * (the bound is 1e-5 of it); absent when nothing was applied, or when the permutation search
   * also ran (N:M: turning it off changes the masks, not only the order).
   */
  readonly maxAbsDiff?: number;
  readonly maxAbsRef?: number;
}
