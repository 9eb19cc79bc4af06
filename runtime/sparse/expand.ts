// Packed weights back to dense: the row-major matrix (unpackWeight, for the compiler and tests)
// and the weight in its own tensor layout (expandWeight, the storage codec: the runtime expands a
// packed weight at load for a kernel that reads it dense). Browser-safe: no Node APIs.

import { nmIndexBits, readNmSlot, type PackedWeight } from './packed.js';
import { weightMatrixShape, type WeightOp } from './layout.js';

/** The value of the `bits`-bit little-endian field starting at bit `at` of `stream`. */
export function readBits(stream: Uint8Array, at: number, bits: number): number {
  let v = 0;
  for (let b = 0; b < bits; b++) v |= ((stream[(at + b) >> 3]! >> ((at + b) & 7)) & 1) << b;
  return v;
}

/**
 * Writes every stored entry W[r][c] of `p` to out[r·rowStride + colOffset[c]]; entries it does
 * not store are left as they are (the caller zeroes `out`). The caller guarantees the offsets
 * stay inside `out` (the loader checked the packing against the dense shape).
 */
function scatter(p: PackedWeight, out: Float32Array | Int8Array, rowStride: number, colOffset: Int32Array): void {
  switch (p.format) {
    case 'csr':
      for (let r = 0; r < p.rows; r++) {
        const base = r * rowStride;
        for (let k = p.rowPtr[r]!; k < p.rowPtr[r + 1]!; k++) out[base + colOffset[p.colIdx[k]!]!] = p.values[k]!;
      }
      return;
    case 'nm': {
      const bits = nmIndexBits(p.m);
      const groups = p.cols / p.m;
      const stream = p.indices;
      let slot = 0;
      for (let r = 0; r < p.rows; r++) {
        const base = r * rowStride;
        for (let g = 0; g < groups; g++) {
          // Padding slots hold the zero at an otherwise unused index: writing them is harmless.
          for (let s = 0; s < p.n; s++, slot++) {
            const k = readNmSlot(stream, slot, bits);
            out[base + colOffset[g * p.m + k]!] = p.values[slot]!;
          }
        }
      }
      return;
    }
    case 'bsr': {
      const blockRows = p.rows / p.br;
      for (let R = 0; R < blockRows; R++) {
        for (let k = p.rowPtr[R]!; k < p.rowPtr[R + 1]!; k++) {
          const C = p.colIdx[k]!;
          for (let i = 0; i < p.br; i++) {
            const base = (R * p.br + i) * rowStride;
            for (let j = 0; j < p.bc; j++) out[base + colOffset[C * p.bc + j]!] = p.values[(k * p.br + i) * p.bc + j]!;
          }
        }
      }
    }
  }
}

/** The dense row-major rows×cols matrix a packed weight holds. */
export function unpackWeight(p: PackedWeight): Float32Array {
  const out = new Float32Array(p.rows * p.cols);
  scatter(p, out, p.cols, Int32Array.from({ length: p.cols }, (_, c) => c));
  return out;
}

/**
 * The packed weight `p` of a `op` node (`transB` for Gemm) expanded into `out`, the dense
 * weight of `shape` in its own layout (runtime/sparse/layout.ts reversed): Conv
 * [O, C/g, k…] with col = s·Cg + ci at offset (o·Cg + ci)·S + s; Gemm transB [N, K] as stored;
 * Gemm and MatMul [K, N] transposed. `out` is zeroed first, so it may be reused memory; an
 * Int8Array for an int8 weight (QLinearConv/QLinearMatMul), whose packed values hold its codes.
 */
export function expandWeight(p: PackedWeight, op: WeightOp, shape: readonly number[], transB: boolean, out: Float32Array | Int8Array): void {
  const { rows, cols } = weightMatrixShape(op, shape, transB);
  if (rows !== p.rows || cols !== p.cols || out.length !== rows * cols) {
    throw new Error(`expandWeight: a ${p.rows}×${p.cols} ${p.format} weight does not fill ${op} shape [${shape.join(',')}] (${out.length} elements)`);
  }
  out.fill(0);
  const colOffset = new Int32Array(cols);
  if (op === 'Conv') {
    const cg = shape[1]!;
    const s = cg === 0 ? 0 : cols / cg;
    for (let k = 0; k < s; k++) for (let ci = 0; ci < cg; ci++) colOffset[k * cg + ci] = ci * s + k;
    scatter(p, out, cols, colOffset);
  } else if (op === 'Gemm' && transB) {
    for (let c = 0; c < cols; c++) colOffset[c] = c;
    scatter(p, out, cols, colOffset);
  } else {
    for (let c = 0; c < cols; c++) colOffset[c] = c * rows;
    scatter(p, out, 1, colOffset);
  }
}
