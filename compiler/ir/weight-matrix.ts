// The weight-matrix view (runtime/sparse/layout.ts) of a Conv, Gemm or MatMul node's weight, read
// off the node: its op and Gemm's transB (any nonzero value transposes, as in onnxruntime). Every
// compiler module that sees a weight as rows × cols, or asks which axis holds its channels, asks here.

import type { Node } from './graph.js';
import { attrInt } from './graph.js';
import type { MatrixShape, WeightOp } from '../../runtime/sparse/layout.js';
import { toWeightMatrix, weightAxes, weightInputOf, weightMatrixShape } from '../../runtime/sparse/layout.js';

export type { MatrixShape, WeightOp };

export interface WeightView {
  readonly op: WeightOp;
  readonly transB: boolean;
}

export function isWeightOp(op: string): op is WeightOp {
  return op === 'Conv' || op === 'Gemm' || op === 'MatMul';
}

/** How `node` views its weight (input 1; the int8 weight, input 3, of QLinearConv and QLinearMatMul) as a matrix. */
export function weightView(node: Node): WeightView {
  const reads = weightInputOf(node.op);
  if (!reads) throw new Error(`node '${node.name}' (${node.op}) has no weight matrix`);
  return { op: reads.view, transB: reads.view === 'Gemm' && attrInt(node, 'transB', 0) !== 0 };
}

/** The axes of `node`'s weight holding its output channels (rows) and input channels. */
export function nodeWeightAxes(node: Node): { readonly out: number; readonly in: number } {
  const v = weightView(node);
  return weightAxes(v.op, v.transB);
}

/** The rows × cols of `node`'s weight of `shape`. */
export function nodeWeightShape(node: Node, shape: readonly number[]): MatrixShape {
  const v = weightView(node);
  return weightMatrixShape(v.op, shape, v.transB);
}

/** `node`'s weight `data` (of `shape`) as its row-major rows × cols matrix. */
export function nodeWeightMatrix(node: Node, shape: readonly number[], data: Float32Array): MatrixShape & { readonly matrix: Float32Array } {
  const v = weightView(node);
  return { ...weightMatrixShape(v.op, shape, v.transB), matrix: toWeightMatrix(v.op, shape, v.transB, data) };
}
