// How a dense weight tensor is viewed as the matrix W[rows][cols] that packed formats store
// (see packed.ts): rows = output channels / output features, cols = the reduction.
//
//   Conv    W [O, C/g, k1, k2, ...] → rows = O, cols = C/g·k1·k2…, ordered (k1, k2, …, ci) with
//           ci fastest: col = s·Cg + ci, s the row-major index of the kernel position.
//   Gemm    B [N, K] (transB ≠ 0) → rows = N, cols = K as stored; B [K, N] (transB = 0) → transposed.
//   MatMul  B [K, N] → rows = N, cols = K (transposed).
// Browser-safe: no Node APIs.

import { sizeOf } from '../tensor.js';

export type WeightOp = 'Conv' | 'Gemm' | 'MatMul';

/** Where a node reads a weight matrix: which input, and whose matrix view it takes. */
export interface WeightInput {
  readonly input: number;
  readonly view: WeightOp;
}

/**
 * The weight matrix `op` reads, if any: input 1 of Conv, Gemm and MatMul; the int8 weight (input 3)
 * of QLinearConv and QLinearMatMul, viewed as Conv's and MatMul's. One table, read by the loader,
 * binding (expansion at load) and the compiler's packing.
 */
export function weightInputOf(op: string): WeightInput | undefined {
  // An op name comes from the artifact: 'constructor' must not find Object's.
  return Object.hasOwn(WEIGHT_INPUTS, op) ? WEIGHT_INPUTS[op] : undefined;
}

const WEIGHT_INPUTS: Readonly<Record<string, WeightInput>> = {
  Conv: { input: 1, view: 'Conv' }, Gemm: { input: 1, view: 'Gemm' }, MatMul: { input: 1, view: 'MatMul' },
  QLinearConv: { input: 3, view: 'Conv' }, QLinearMatMul: { input: 3, view: 'MatMul' },
};

export interface MatrixShape {
  readonly rows: number;
  readonly cols: number;
}

/**
 * The axes of the weight tensor that hold the matrix's rows (`out`: output channels) and its
 * input channels (`in`: the cols for Gemm and MatMul; for Conv the channel axis inside each col).
 */
export function weightAxes(op: WeightOp, transB: boolean): { readonly out: number; readonly in: number } {
  return op === 'Conv' || (op === 'Gemm' && transB) ? { out: 0, in: 1 } : { out: 1, in: 0 };
}

/** The (rows, cols) matrix view of a weight of `shape` consumed by `op`. */
export function weightMatrixShape(op: WeightOp, shape: readonly number[], transB: boolean): MatrixShape {
  if (op === 'Conv') {
    if (shape.length < 3) throw new Error(`Conv weight must have rank ≥ 3, got [${shape.join(',')}]`);
    return { rows: shape[0]!, cols: sizeOf(shape.slice(1)) };
  }
  if (shape.length !== 2) throw new Error(`${op} weight must have rank 2, got [${shape.join(',')}]`);
  const axes = weightAxes(op, transB);
  return { rows: shape[axes.out]!, cols: shape[axes.in]! };
}

/**
 * Where each matrix entry lives in the weight's own layout: index[r·cols + c] is the offset in the
 * weight tensor of W[r][c]; undefined when the two orders coincide (Gemm with transB).
 */
function weightOffsets(op: WeightOp, shape: readonly number[], transB: boolean, rows: number, cols: number): Uint32Array | undefined {
  if (op === 'Gemm' && transB) return undefined;
  const index = new Uint32Array(rows * cols);
  if (op === 'Conv') {
    const cg = shape[1]!;
    const s = sizeOf(shape.slice(2));
    for (let o = 0; o < rows; o++) {
      for (let ci = 0; ci < cg; ci++) {
        for (let k = 0; k < s; k++) index[o * cols + k * cg + ci] = (o * cg + ci) * s + k;
      }
    }
  } else {
    // The weight is [K = cols, N = rows].
    for (let k = 0; k < cols; k++) {
      for (let n = 0; n < rows; n++) index[n * cols + k] = k * rows + n;
    }
  }
  return index;
}

/** The weights these views rearrange: float32, or their int8 codes (quantized layers). */
export type WeightData = Float32Array | Int8Array;

/** A zeroed array of `data`'s element type. */
const like = <T extends WeightData>(data: T, length: number): T => (data instanceof Int8Array ? new Int8Array(length) : new Float32Array(length)) as T;

/** The dense weight `data` (of `shape`) rearranged as the row-major rows×cols matrix. */
export function toWeightMatrix<T extends WeightData>(op: WeightOp, shape: readonly number[], transB: boolean, data: T): T {
  const { rows, cols } = weightMatrixShape(op, shape, transB);
  if (data.length !== rows * cols) throw new Error(`weight data has ${data.length} elements, shape [${shape.join(',')}] needs ${rows * cols}`);
  const index = weightOffsets(op, shape, transB, rows, cols);
  if (!index) return data.slice() as T;
  const out = like(data, rows * cols);
  for (let i = 0; i < index.length; i++) out[i] = data[index[i]!]!;
  return out;
}

/** The inverse of toWeightMatrix: the rows×cols matrix back in the weight's own layout. */
export function fromWeightMatrix<T extends WeightData>(op: WeightOp, shape: readonly number[], transB: boolean, matrix: T): T {
  const { rows, cols } = weightMatrixShape(op, shape, transB);
  if (matrix.length !== rows * cols) throw new Error(`weight matrix has ${matrix.length} elements, expected ${rows}×${cols}`);
  const index = weightOffsets(op, shape, transB, rows, cols);
  if (!index) return matrix.slice() as T;
  const out = like(matrix, rows * cols);
  for (let i = 0; i < index.length; i++) out[index[i]!] = matrix[i]!;
  return out;
}
