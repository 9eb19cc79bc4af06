// Packs a row-major rows×cols weight matrix (runtime/sparse/layout.ts) into the sparse formats
// of runtime/sparse/packed.ts (runtime/sparse/expand.ts unpacks them back); packWeight packs a pruned IR weight. Canonical: the same matrix always
// packs to the same arrays (column indices strictly increasing, N:M padding at the lowest
// unused slots), so artifacts are reproducible byte for byte.

import { nmIndexBits, writeNmSlot, type BsrWeight, type CsrWeight, type NmWeight, type PackedWeight, type SparseFormat } from '../../../runtime/sparse/packed.js';
import type { Node, Sparsity, Value } from '../../ir/graph.js';
import { nodeWeightMatrix } from '../../ir/weight-matrix.js';
import type { LoadedTensor } from '../../../runtime/loader/model.js';
import { nmRankBytes } from '../../../runtime/sparse/nm-rank.js';
import { DTYPE_BYTES } from '../../../runtime/tensor.js';

// Unpacking is the runtime's (it expands packed weights at load); the compiler reads it from there.
export { readBits, unpackWeight } from '../../../runtime/sparse/expand.js';

/** colIdx element type: uint16 when every index fits (bound ≤ 65536), else int32. */
function indexArray(bound: number, values: readonly number[] | Int32Array): Uint16Array | Int32Array {
  return bound <= 65536 ? Uint16Array.from(values) : Int32Array.from(values);
}

function checkMatrix(rows: number, cols: number, m: Float32Array): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`pack: bad matrix shape ${rows}×${cols}`);
  }
  if (m.length !== rows * cols) throw new Error(`pack: matrix has ${m.length} elements, ${rows}×${cols} needs ${rows * cols}`);
}

/** CSR: every element that is not ±0 (NaN counts as nonzero), column indices increasing. */
export function packCsr(rows: number, cols: number, m: Float32Array): CsrWeight {
  checkMatrix(rows, cols, m);
  const rowPtr = new Int32Array(rows + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = m[r * cols + c]!;
      if (v !== 0) { colIdx.push(c); values.push(v); }
    }
    rowPtr[r + 1] = values.length;
  }
  return { format: 'csr', rows, cols, rowPtr, colIdx: indexArray(cols, colIdx), values: Float32Array.from(values) };
}

/**
 * N:M: keep `n` of every `mm` consecutive columns. Throws when cols % mm ≠ 0 or a group holds
 * more than n nonzeros; a group with fewer is padded with zero values at its lowest unused
 * indices, so slot indices stay strictly increasing.
 */
export function packNm(rows: number, cols: number, m: Float32Array, n: number, mm: number): NmWeight {
  checkMatrix(rows, cols, m);
  if (!Number.isInteger(n) || !Number.isInteger(mm) || n < 1 || n >= mm || mm > 16) {
    throw new Error(`packNm: need integers 0 < n < m ≤ 16, got ${n}:${mm}`);
  }
  if (cols % mm !== 0) throw new Error(`packNm: ${cols} columns are not a multiple of m = ${mm}`);
  const groups = cols / mm;
  const bits = nmIndexBits(mm);
  const slots = rows * groups * n;
  const values = new Float32Array(slots);
  const indices = new Uint8Array(Math.ceil((slots * bits) / 8));
  const chosen: number[] = [];
  let slot = 0;
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      const base = r * cols + g * mm;
      chosen.length = 0;
      for (let k = 0; k < mm; k++) if (m[base + k] !== 0) chosen.push(k);
      if (chosen.length > n) {
        throw new Error(`packNm: row ${r}, columns ${g * mm}..${g * mm + mm - 1} hold ${chosen.length} nonzeros, more than n = ${n} of m = ${mm}`);
      }
      // Pad with the lowest unused indices, then sort: indices strictly increasing.
      for (let k = 0; chosen.length < n; k++) if (!chosen.includes(k)) chosen.push(k);
      chosen.sort((x, y) => x - y);
      for (const k of chosen) {
        values[slot] = m[base + k]!;
        writeNmSlot(indices, slot, bits, k);
        slot++;
      }
    }
  }
  return { format: 'nm', rows, cols, n, m: mm, values, indices };
}

/** BSR: blocks of br×bc; a block is stored when any of its elements is nonzero. */
export function packBsr(rows: number, cols: number, m: Float32Array, br: number, bc: number): BsrWeight {
  checkMatrix(rows, cols, m);
  if (!Number.isInteger(br) || !Number.isInteger(bc) || br < 1 || bc < 1) throw new Error(`packBsr: bad block ${br}×${bc}`);
  if (rows % br !== 0 || cols % bc !== 0) {
    throw new Error(`packBsr: ${rows}×${cols} is not a whole number of ${br}×${bc} blocks`);
  }
  const blockRows = rows / br;
  const blockCols = cols / bc;
  const rowPtr = new Int32Array(blockRows + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let R = 0; R < blockRows; R++) {
    for (let C = 0; C < blockCols; C++) {
      let any = false;
      for (let i = 0; i < br && !any; i++) {
        for (let j = 0; j < bc; j++) if (m[(R * br + i) * cols + C * bc + j] !== 0) { any = true; break; }
      }
      if (!any) continue;
      colIdx.push(C);
      for (let i = 0; i < br; i++) {
        for (let j = 0; j < bc; j++) values.push(m[(R * br + i) * cols + C * bc + j]!);
      }
    }
    rowPtr[R + 1] = colIdx.length;
  }
  return { format: 'bsr', rows, cols, br, bc, rowPtr, colIdx: indexArray(blockCols, colIdx), values: Float32Array.from(values) };
}

/** The arrays of a packed payload (values, indices, row pointers), what an artifact stores of it. */
export function packedArrays(p: PackedWeight): readonly ArrayBufferView[] {
  switch (p.format) {
    case 'nm': return [p.values, p.indices];
    case 'csr': case 'bsr': return [p.values, p.colIdx, p.rowPtr];
  }
}

/** Bytes of the packed payload, as stored in an artifact. */
export function packedBytes(p: PackedWeight): number {
  return packedArrays(p).reduce((s, a) => s + a.byteLength, 0);
}

/** The packed format each kind of pruned weight is stored in. */
export const PACKED_FORMAT: Readonly<Record<Sparsity['kind'], SparseFormat>> = { unstructured: 'csr', nm: 'nm', block: 'bsr' };

/**
 * Packs a pruned weight in the format its kernel reads. The consumer decides the matrix view
 * (Conv OIHW → rows O, cols (kh, kw, ci); Gemm/MatMul → rows = output features).
 */
export function packWeight(v: Value, consumer: Node, format: SparseFormat): PackedWeight {
  const c = v.constant!;
  const s = v.sparsity!;
  // An int8 weight (QLinearConv/QLinearMatMul) packs its codes, held exactly as float32 values.
  const data = c.data instanceof Int8Array ? Float32Array.from(c.data) : c.data as Float32Array;
  const { rows, cols, matrix } = nodeWeightMatrix(consumer, c.shape, data);
  switch (format) {
    case 'csr': return packCsr(rows, cols, matrix);
    case 'nm': return packNm(rows, cols, matrix, s.n!, s.m!);
    case 'bsr': return packBsr(rows, cols, matrix, s.br!, s.bc!);
  }
}

/** What decides how a packed weight's values are stored: its quantization, else its own dtype. */
export type StoredAs = Pick<LoadedTensor, 'dtype' | 'quant'>;

/**
 * Whether an N:M weight stores its slot indices rank coded (runtime/sparse/nm-rank.ts): when its
 * values are stored as int8 codes (quantized, or an int8 weight of the int8 ops), where the bit
 * stream is a fifth of a 2:4 int8 weight's bytes and the rank code saves a third of it. float32
 * N:M weights keep the bit stream, and their bytes (the rank code would save 1% and make runtimes
 * without 'sparse-nm-rank' refuse them).
 */
export function nmRankCoded(p: PackedWeight, s: StoredAs): boolean {
  return p.format === 'nm' && (s.quant !== undefined || s.dtype !== 'float32');
}

/** Bytes of a packed weight's stored index component (the bit stream or its rank code, colIdx). */
export function storedIndexBytes(p: PackedWeight, s: StoredAs): number {
  if (p.format !== 'nm') return p.colIdx.byteLength;
  return nmRankCoded(p, s) ? nmRankBytes(p.rows * (p.cols / p.m), p.n, p.m) : p.indices.byteLength;
}

/**
 * Bytes a packed weight occupies as the artifact stores it: its values as stored (quantized
 * elements, an int8 weight's codes, or float32), its index component (rank coded where
 * nmRankCoded says), its row pointers; scales and zero points not included.
 */
export function storedPackedBytes(p: PackedWeight, s: StoredAs): number {
  const values = s.quant === undefined ? p.values.length * DTYPE_BYTES[s.dtype] : s.quant.values.byteLength;
  return values + storedIndexBytes(p, s) + (p.format === 'nm' ? 0 : p.rowPtr.byteLength);
}
