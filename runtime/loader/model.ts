// The in-memory form of a loaded artifact: what the loader hands the executor after every
// offset, length and index has been checked. Weights are views into the artifact's bytes.

import type { DType, TypedArray } from '../tensor.js';
import type { Attrs } from '../kernels/kernel.js';
import type { PackedWeight, SparsityDescriptor } from '../sparse/packed.js';
import type { StoredQuantization } from '../quant/stored.js';

export type TensorKind = 'input' | 'output' | 'activation' | 'weight';

export interface LoadedTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly kind: TensorKind;
  /** For weights: a view into the weight section; for a packed weight, an empty Float32Array. */
  readonly data?: TypedArray;
  /**
   * A packed sparse weight (format v2): typed-array views into the weight section, checked by
   * the loader. `shape` stays the logical dense shape; the dtype is float32.
   */
  readonly packed?: PackedWeight;
  /**
   * A packed weight whose kernels read it dense (Tensor.sparse.kernel_layout DENSE): the storage
   * codec. Binding expands `packed` into a dense array of `shape` (executor/bind.ts); absent, the
   * kernels read the packed format as stored.
   */
  readonly kernelLayout?: 'dense';
  /**
   * A weight stored quantized (Tensor.quant): the stored elements and scales, what the writer
   * writes and what int8 kernels may read. `data` (or `packed.values`) then holds them
   * dequantized to float32 by the loader, so float32 kernels read the weight unchanged.
   */
  readonly quant?: StoredQuantization;
  /** What pruning promised for a packed weight (pattern, achieved sparsity). */
  readonly descriptor?: SparsityDescriptor;
  /** For inputs, outputs and activations: byte offset in the arena. */
  readonly arenaOffset?: number;
}

export interface LoadedNode {
  readonly name: string;
  readonly op: string;
  readonly kernel: string;
  readonly kernelReason: string;
  /** Tensor indices; -1 marks an omitted optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly attrs: Attrs;
}

/** What the compiler did to one Conv/Gemm/MatMul layer (schema LayerRecipe; metadata only). */
export interface LayerRecipe {
  /** Name of a node of the artifact. */
  readonly node: string;
  /** 'dense' (kept dense), 'channel', 'unstructured', 'N:M' or 'block:RxC'. */
  readonly pattern: string;
  /** Sparsity asked for and reached, in [0, 1], as float32 values. */
  readonly requested: number;
  readonly achieved: number;
  /** Weight elements before pruning, and nonzero weights after. */
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  /** 'magnitude', or '' for a dense layer. */
  readonly criterion: string;
  /** Why the layer was kept dense, or what structured pruning did; '' when nothing to say. */
  readonly note: string;
}

export interface Provenance {
  readonly spcVersion: string;
  readonly sourceSha256: string;
  /** Options as sorted key/value pairs, exactly as given to the compiler. */
  readonly options: readonly (readonly [string, string])[];
  /** The per-layer recipe, in node order; empty when the artifact records none. */
  readonly layers: readonly LayerRecipe[];
}

/** The graph of one shape bucket (schema ShapePlan): what a run at that bucket's input shapes binds. */
export interface ShapePlan {
  readonly tensors: readonly LoadedTensor[];
  readonly nodes: readonly LoadedNode[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly arenaBytes: number;
}

/**
 * Several input shapes in one artifact (schema ShapeBuckets, required feature 'shape-buckets'):
 * the artifact's own graph serves the smallest bucket, `plans` the larger ones in increasing order.
 */
export interface ShapeBuckets {
  readonly plans: readonly ShapePlan[];
  /** The attention-mask input padded with zeros for lengths between buckets; '' when only bucket lengths run. */
  readonly maskInput: string;
}

export interface LoadedArtifact {
  readonly formatVersion: number;
  readonly requiredFeatures: readonly string[];
  readonly name: string;
  readonly tensors: readonly LoadedTensor[];
  readonly nodes: readonly LoadedNode[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly arenaBytes: number;
  readonly provenance: Provenance;
  /** Plans for more input shapes; absent in a single-shape artifact. */
  readonly shapeBuckets?: ShapeBuckets;
}
