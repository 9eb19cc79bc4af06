// The contract between the executor and every kernel, and the fields a kernel declares (its id
// is written from them: kernelId). A kernel is prepared once per node at load time (shapes are
// static, views are bound to the arena or the weight section) and the closure it returns runs
// the node with no allocation.

import type { TensorView } from '../tensor.js';
import type { PackedWeight } from '../sparse/packed.js';

/** Attribute values as they reach a kernel: ints and floats are both JS numbers. */
export type AttrValue = number | string | readonly number[] | readonly string[];
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface KernelContext {
  /** Node name, for error messages. */
  readonly node: string;
  /** Inputs in ONNX order; `undefined` marks an omitted optional input. */
  readonly inputs: readonly (TensorView | undefined)[];
  readonly outputs: readonly TensorView[];
  readonly attrs: Attrs;
  /**
   * Per input, true when it is a weight (the artifact's tensor kind): its values are fixed for
   * the model's lifetime, so prepare may pack it once. Absent or false: the input may change
   * between runs (a graph input, a computed tensor) and a kernel reads it at every run.
   */
  readonly constants?: readonly boolean[];
  /**
   * Present only when the artifact runs wasmsimd kernels and this runtime could instantiate
   * them: every view then lives in `wasm.memory` (see kernels/wasm/env.ts). Without it a
   * wasmsimd kernel prepares its js equivalent.
   */
  readonly wasm?: WasmEnv;
}

/** The one WebAssembly.Memory of a load and the kernel modules instantiated over it. */
export interface WasmEnv {
  /** Holds the arena, the dense weights and kernel scratch; never grown after views exist. */
  readonly memory: WebAssembly.Memory;
  /** The exports of the load's kernel families, merged (functions over byte offsets into `memory`; names are unique across families). */
  readonly exports: WebAssembly.Exports;
  /** Reserves `bytes` of kernel-private memory (16-byte aligned) for the model's lifetime; returns its byte offset. */
  scratch(bytes: number): number;
}

/**
 * One kernel family's WebAssembly module as scripts/build-wasm.mjs generates it
 * (kernels/wasm/modules/<family>.wasm.ts): the SIMD128 build and the relaxed-SIMD one as a delta.
 */
export interface WasmKernelModule {
  readonly family: string;
  /** The SIMD128 module, base64. */
  readonly simd: string;
  /** The relaxed-SIMD module as a delta against the SIMD128 one (kernels/wasm/env.ts applyDelta), base64. */
  readonly relaxedDelta: string;
}

/** What kernel selection and memory sizing know about a node before any view exists. */
export interface NodeShapes {
  readonly inputs: readonly ({ readonly dtype: string; readonly shape: readonly number[]; readonly packed?: PackedWeight } | undefined)[];
  readonly outputs: readonly { readonly dtype: string; readonly shape: readonly number[] }[];
  readonly attrs: Attrs;
}

export type RunFn = () => void;

/**
 * What a kernel declares about itself: every property the registry, kernel selection, the cost
 * model and the dispatch generator read is one of these fields, never parsed back out of the id.
 */
export interface KernelFields {
  /** The id's element-type field: `f32`, or `any` for kernels generic over dtypes (`dtypes` lists what it accepts). */
  readonly dtype: KernelDType;
  /** ONNX op type it implements. */
  readonly op: string;
  /** Where it runs: `ref` is the readable specification, `js` optimized TypeScript, `wasmsimd` WebAssembly. */
  readonly target: 'ref' | 'js' | 'wasmsimd';
  /** Fused activation it applies after the op ('' for none). */
  readonly epilogue: '' | 'relu' | 'clip';
  /** The weight format it reads ('dense' unless it consumes a packed sparse weight). */
  readonly format?: 'dense' | 'csr' | 'nm' | 'bsr';
  /** Register tile MRxNR (output rows × columns per step; `1x1` untiled), or `bcast` for broadcasting elementwise kernels. */
  readonly tile: string;
  /** Output rows an nm/bsr kernel stages together over the union of their kept columns (row-block tile); absent otherwise. */
  readonly rowBlock?: number;
}

export interface Kernel extends KernelFields {
  /** kernelId(this): registry key and artifact string. */
  readonly id: string;
  /** Element types it accepts for its first input ('any' for dtype-generic data movement). */
  readonly dtypes: readonly string[] | 'any';
  /** Binds views and precomputes index arithmetic; throws KernelError when preconditions fail. */
  prepare(ctx: KernelContext): RunFn;
  /** False when the kernel cannot run this node (kernel selection then moves on); absent means any node prepare accepts. */
  supports?(node: NodeShapes): boolean;
  /**
   * The WebAssembly kernel families prepare calls into (wasmsimd kernels): a load instantiates
   * the union over its kernels, so an app embeds and compiles only those (kernels/wasm/modules/).
   */
  readonly wasmModules?: readonly WasmKernelModule[];
  /** Bytes of `WasmEnv.scratch` prepare will reserve for this node (wasmsimd kernels; sizes the memory up front). */
  scratchBytes?(node: NodeShapes): number;
}

export class KernelError extends Error {
  constructor(node: string, kernel: string, message: string) {
    super(`node '${node}' (kernel ${kernel}): ${message}`);
    this.name = 'KernelError';
  }
}

/** Registry: a value handed to the executor, never a global filled by import side effects. */
export type KernelRegistry = ReadonlyMap<string, Kernel>;

export function makeRegistry(kernels: readonly Kernel[]): KernelRegistry {
  const m = new Map<string, Kernel>();
  for (const k of kernels) {
    if (m.has(k.id)) throw new Error(`kernel '${k.id}' registered twice`);
    m.set(k.id, k);
  }
  return m;
}

/** The id's element-type field (KERNEL_ID_PATTERN lists the same set); `i8` is the int8 kernels, which take int8 or uint8. */
export type KernelDType = 'f32' | 'f64' | 'i64' | 'i32' | 'i8' | 'u8' | 'b8' | 'any';

/**
 * A kernel's id, `<dtype>-<op>[-<epilogue>]-<tile>-<target>`, written from its declared fields:
 * the op part is the ONNX op in lower case followed by the weight format when it is packed
 * (`convnm`), e.g. `f32-convnm-relu-4x8-wasmsimd`. The id names the kernel's family file (the
 * module the enumerator lists, e.g. wasm/conv-rowblock) plus the variant fields that file
 * declares; it is never parsed back into fields.
 */
export function kernelId(k: Pick<KernelFields, 'dtype' | 'op' | 'format' | 'epilogue' | 'tile' | 'target'>): string {
  const format = k.format === undefined || k.format === 'dense' ? '' : k.format;
  return [k.dtype, `${k.op.toLowerCase()}${format}`, ...(k.epilogue === '' ? [] : [k.epilogue]), k.tile, k.target].join('-');
}

/** Kernel ids follow `<dtype>-<op>[-<epilogue>]-<tile>-<target>`; the tile is MRxNR, or `bcast` for broadcasting elementwise kernels. */
export const KERNEL_ID_PATTERN = /^(f32|f64|i64|i32|i8|u8|b8|any)-[a-z0-9]+(-(relu|clip|hardsigmoid))?-(\d+x\d+|bcast)-(ref|js|wasmsimd)$/;
