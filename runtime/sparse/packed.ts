// Packed sparse weights as kernels read them. A weight is viewed as a matrix
// W[rows][cols]: rows = output channels (Conv O, Gemm/MatMul output features), cols = the
// reduction, for Conv ordered (kh, kw, ci) — ci fastest — so N:M groups run along input
// channels at a fixed kernel position.
//
//   csr: rowPtr[rows+1] (int32, monotone, rowPtr[0]=0, rowPtr[rows]=nnz)
//        colIdx[nnz] (uint16 when cols ≤ 65536, else int32), values[nnz] (float32)
//   nm:  every row holds cols/m groups of m columns; each group stores exactly n slots:
//        values[rows*(cols/m)*n] (float32, zero-padded when a group keeps fewer),
//        indices: a little-endian bit stream, ceil(log2 m) bits per slot, slot k at bits
//        [k*b, k*b+b); slot indices within a group are strictly increasing and < m
//   bsr: blocks of br rows × bc cols; rowPtr[rows/br + 1] over block rows, colIdx[nnzb]
//        (block column index), values[nnzb*br*bc] (each block row-major); rows % br == 0
//        and cols % bc == 0 are required (else the layer is not packed as bsr)

export type SparseFormat = 'csr' | 'nm' | 'bsr';
/** The format a kernel reads its weight in: dense, or one of the packed formats. */
export type WeightFormat = 'dense' | SparseFormat;

export interface CsrWeight {
  readonly format: 'csr';
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Uint16Array | Int32Array;
  readonly values: Float32Array;
}

export interface NmWeight {
  readonly format: 'nm';
  readonly rows: number;
  readonly cols: number;
  readonly n: number;
  readonly m: number;
  readonly values: Float32Array;
  readonly indices: Uint8Array;
}

export interface BsrWeight {
  readonly format: 'bsr';
  readonly rows: number;
  readonly cols: number;
  readonly br: number;
  readonly bc: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Uint16Array | Int32Array;
  readonly values: Float32Array;
}

export type PackedWeight = CsrWeight | NmWeight | BsrWeight;

/** What pruning promised, carried to the artifact (canonical descriptor). */
export interface SparsityDescriptor {
  /** 'unstructured' | 'n:m' like '2:4' | 'block:RxC'. */
  readonly pattern: string;
  /** Fraction of zero weights actually achieved. */
  readonly sparsity: number;
}

/** Bits per N:M slot index. */
export function nmIndexBits(m: number): number {
  return Math.max(1, Math.ceil(Math.log2(m)));
}

/** Slot `slot`'s index in an N:M bit stream of `bits`-bit fields (bits ≤ 4: a field never straddles more than two bytes). */
export function readNmSlot(stream: Uint8Array, slot: number, bits: number): number {
  const at = slot * bits;
  const word = stream[at >> 3]! | ((stream[(at >> 3) + 1] ?? 0) << 8);
  return (word >> (at & 7)) & ((1 << bits) - 1);
}

/** Group `group`'s field of n·bits = `width` bits (width ≤ 16: a group never straddles more than three bytes), slot 0 lowest. */
export function readNmGroup(stream: Uint8Array, group: number, width: number): number {
  const at = group * width, i = at >> 3;
  const word = stream[i]! | ((stream[i + 1] ?? 0) << 8) | ((stream[i + 2] ?? 0) << 16);
  return (word >> (at & 7)) & ((1 << width) - 1);
}

/**
 * Which group fields of an n:m stream are valid (every slot index < m, strictly increasing), one
 * byte per field, when n·bits ≤ 16; else undefined. Checking a group is then one lookup: loading
 * and staging a large N:M model checks tens of millions of slots.
 */
export function nmValidGroups(n: number, m: number): Uint8Array | undefined {
  const bits = nmIndexBits(m), width = n * bits;
  if (width > 16) return undefined;
  const valid = new Uint8Array(1 << width);
  for (let code = 0; code < valid.length; code++) {
    let previous = -1, ok = 1;
    for (let s = 0; s < n && ok === 1; s++) {
      const slot = (code >> (s * bits)) & ((1 << bits) - 1);
      if (slot >= m || slot <= previous) ok = 0;
      previous = slot;
    }
    valid[code] = ok;
  }
  return valid;
}

/** Sets slot `slot`'s field of a zero-initialized N:M bit stream to `value`. */
export function writeNmSlot(stream: Uint8Array, slot: number, bits: number, value: number): void {
  const at = slot * bits;
  const word = value << (at & 7);
  stream[at >> 3]! |= word & 0xff;
  if (word > 0xff) stream[(at >> 3) + 1]! |= word >> 8;
}
