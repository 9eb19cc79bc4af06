// Constants of the .spm container and schema (v1 dense, v2 adds packed sparse weights), shared by the loader and the compiler's
// writer so the two cannot disagree. The layout itself is described in schemas/README.md.

import type { DType } from '../tensor.js';
import type { TensorKind } from './model.js';
import type { SparseFormat } from '../sparse/packed.js';
import type { StoredQuantDType } from '../quant/stored.js';
import { DType as FbDType } from '../../schemas/gen/spc/schema/dtype.js';
import { TensorKind as FbTensorKind } from '../../schemas/gen/spc/schema/tensor-kind.js';
import { SparseFormat as FbSparseFormat } from '../../schemas/gen/spc/schema/sparse-format.js';

/** First four bytes: 0x89 'S' 'P' 'M' (a non-ASCII lead byte, so no text file matches). */
/** The schema-value → name map of a name → schema-value record (the loader reads the former, the writer the latter). */
function inverseOf<K extends string>(toFb: Readonly<Record<K, number>>): ReadonlyMap<number, K> {
  return new Map(Object.entries(toFb).map(([k, v]) => [v as number, k as K]));
}

export const MAGIC: readonly number[] = [0x89, 0x53, 0x50, 0x4d];
/** Version of the container layout (the 32-byte header and the sections it points to). */
export const CONTAINER_VERSION = 1;
/** Newest version of the FlatBuffer schema, Model.format_version, this runtime reads. */
export const FORMAT_VERSION = 2;
/** Oldest format version this runtime still reads (v1: dense weights only). */
export const MIN_FORMAT_VERSION = 1;
/** First format version, dense weights only: what an artifact without packed weights records. */
export const DENSE_FORMAT_VERSION = 1;
/** First format version with packed sparse weights (Tensor.sparse). */
export const SPARSE_FORMAT_VERSION = 2;
export const HEADER_BYTES = 32;
/** Alignment of the weight section in the file and of every weight within it. */
export const WEIGHT_ALIGNMENT = 64;
/** MemoryPlan.alignment the writer records (the arena base is aligned to it). */
export const ARENA_ALIGNMENT = 64;
export const FILE_IDENTIFIER = 'SPCM';

/** The required feature an artifact lists when it holds a weight packed in each format. */
export const SPARSE_FEATURES: Readonly<Record<SparseFormat, string>> = {
  csr: 'sparse-csr',
  nm: 'sparse-nm',
  bsr: 'sparse-bsr',
};

/**
 * The required feature an artifact lists when it stores a weight packed that its kernels read
 * dense (Tensor.sparse.kernel_layout DENSE): the runtime expands it at load, so a runtime that
 * would hand the packed weight to a dense kernel refuses the file by name.
 */
export const EXPAND_FEATURE = 'sparse-expand';

/**
 * The required feature an artifact lists when an N:M weight stores its slot indices as the ranks
 * of its groups' slot sets (IndexType NM_RANK, runtime/sparse/nm-rank.ts), decoded at load: a
 * runtime that would read them as the bit stream refuses the file by name.
 */
export const NM_RANK_FEATURE = 'sparse-nm-rank';

/**
 * The required feature an artifact lists when it stores an int8 tensor packed (the weight of a
 * QLinearConv or QLinearMatMul, its values component holding the codes themselves): a runtime that
 * packs only float32 weights refuses the file by name.
 */
export const INT8_PACKED_FEATURE = 'sparse-int8';

/**
 * The required feature an artifact with shape buckets lists (Model.shape_buckets): a runtime that
 * ignored the extra plans would run only the smallest shape, so it must refuse the file by name.
 */
export const BUCKETS_FEATURE = 'shape-buckets';

/**
 * The required feature an artifact lists when one of its tensors has each element type added
 * after v2 shipped (the v2 enum values 10–12), so a runtime without it refuses the file by name.
 */
export const DTYPE_FEATURES: Readonly<Partial<Record<DType, string>>> = {
  float16: 'dtype-float16',
  uint32: 'dtype-uint32',
  uint64: 'dtype-uint64',
};

/**
 * The required feature an artifact lists when it stores a weight quantized to each element type
 * (Tensor.quant, runtime/quant/stored.ts): the runtime dequantizes it at load, so a runtime that
 * would read the stored bytes as float32 refuses the file by name.
 */
export const QUANT_FEATURES: Readonly<Record<StoredQuantDType, string>> = {
  int8: 'quant-int8',
  uint8: 'quant-uint8',
  float16: 'quant-float16',
};

/** Element types a weight may be stored quantized as, as schema DTypes. */
export const QUANT_DTYPE_TO_FB: Readonly<Record<StoredQuantDType, FbDType>> = {
  int8: FbDType.INT8,
  uint8: FbDType.UINT8,
  float16: FbDType.FLOAT16,
};

export const FB_TO_QUANT_DTYPE: ReadonlyMap<number, StoredQuantDType> = inverseOf(QUANT_DTYPE_TO_FB);

/** Features beyond the v1 base this runtime can run; an artifact requiring others is rejected. */
export const SUPPORTED_FEATURES: readonly string[] = [
  SPARSE_FEATURES.csr, SPARSE_FEATURES.nm, SPARSE_FEATURES.bsr, EXPAND_FEATURE, NM_RANK_FEATURE, INT8_PACKED_FEATURE,
  DTYPE_FEATURES.float16!, DTYPE_FEATURES.uint32!, DTYPE_FEATURES.uint64!,
  QUANT_FEATURES.int8, QUANT_FEATURES.uint8, QUANT_FEATURES.float16, BUCKETS_FEATURE,
];

/** Most shape buckets (the Model's own graph and its ShapePlans) an artifact may hold. */
export const MAX_SHAPE_PLANS = 64;

/** Largest element count a tensor may have (2^31 - 1: typed-array lengths stay int32). */
export const MAX_ELEMENTS = 2 ** 31 - 1;
/** Largest tensor rank accepted. */
export const MAX_RANK = 16;
/** Largest arena accepted: 4 GiB, the wasm32 address space. */
export const MAX_ARENA_BYTES = 2 ** 32;

export const HEADER_FIELDS = {
  magic: 0,
  containerVersion: 4,
  crc: 8,
  flatbufferOffset: 12,
  flatbufferLength: 16,
  weightOffset: 20,
  weightLength: 24,
  reserved: 28,
} as const;

/** Checksummed bytes start here: everything after magic, version and the crc itself. */
export const CRC_START = 12;

export const DTYPE_TO_FB: Readonly<Record<DType, FbDType>> = {
  float32: FbDType.FLOAT32,
  float64: FbDType.FLOAT64,
  int64: FbDType.INT64,
  int32: FbDType.INT32,
  int16: FbDType.INT16,
  int8: FbDType.INT8,
  uint8: FbDType.UINT8,
  uint16: FbDType.UINT16,
  bool: FbDType.BOOL,
  float16: FbDType.FLOAT16,
  uint32: FbDType.UINT32,
  uint64: FbDType.UINT64,
};

export const FB_TO_DTYPE: ReadonlyMap<number, DType> = inverseOf(DTYPE_TO_FB);

export const KIND_TO_FB: Readonly<Record<TensorKind, FbTensorKind>> = {
  input: FbTensorKind.INPUT,
  output: FbTensorKind.OUTPUT,
  activation: FbTensorKind.ACTIVATION,
  weight: FbTensorKind.WEIGHT,
};

export const FB_TO_KIND: ReadonlyMap<number, TensorKind> = inverseOf(KIND_TO_FB);

export const SPARSE_FORMAT_TO_FB: Readonly<Record<SparseFormat, FbSparseFormat>> = {
  csr: FbSparseFormat.CSR,
  nm: FbSparseFormat.NM,
  bsr: FbSparseFormat.BSR,
};

export const FB_TO_SPARSE_FORMAT: ReadonlyMap<number, SparseFormat> = inverseOf(SPARSE_FORMAT_TO_FB);

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
