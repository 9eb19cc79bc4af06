// Bias correction after pruning: the pruned layer's bias is re-fit so that its mean (linear,
// pre-activation) output over the calibration inputs equals the dense layer's on the same inputs.
// The output is linear in the input, so the shift per output channel is (W_dense − W_pruned)·mean(x).

import type { Constant, Node } from '../../ir/graph.js';
import { attrFloat } from '../../ir/graph.js';

/**
 * Per output row: Σ_c (dense − pruned)[r, c]·mean[c], for row-major rows×cols matrices whose
 * rows are split evenly over `means.length` groups (conv groups), each with its column means.
 */
export function biasShift(dense: Float32Array, pruned: Float32Array, rows: number, cols: number, means: readonly Float64Array[]): Float64Array {
  const groups = means.length;
  const per = rows / groups;
  const shift = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const mean = means[Math.floor(r / per)]!;
    let s = 0;
    for (let c = 0; c < cols; c++) s += (dense[r * cols + c]! - pruned[r * cols + c]!) * mean[c]!;
    shift[r] = s;
  }
  return shift;
}

export interface CorrectedBias {
  readonly node: Node;
  /** The bias constant the node now reads (a new value named `name`). */
  readonly name: string;
  readonly bias: Constant;
}

/**
 * The node with its bias shifted by `shift` (one value per output channel) into a new value
 * `name`: Conv's input 2, Gemm's C (scaled by alpha/beta and broadcast as C allows), added when
 * absent. Undefined for ops without a bias input (MatMul).
 */
export function shiftBias(node: Node, bias: Constant | undefined, shift: Float64Array, outputShape: readonly number[], name: string): CorrectedBias | undefined {
  const rows = shift.length;
  if (node.op === 'Conv') {
    const data = new Float32Array(rows);
    for (let r = 0; r < rows; r++) data[r] = (bias ? Number(bias.data[r]) : 0) + shift[r]!;
    return { node: withInput(node, 2, name), name, bias: { dtype: 'float32', shape: [rows], data } };
  }
  if (node.op !== 'Gemm') return undefined;
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = bias ? attrFloat(node, 'beta', 1) : 1;
  const attrs = { ...node.attrs, beta: { kind: 'float' as const, value: beta === 0 ? 1 : beta } };
  const b = beta === 0 ? 1 : beta;
  const delta = Array.from(shift, (v) => (alpha * v) / b);
  const m = outputShape[0] ?? 1;
  const cShape = bias?.shape ?? [];
  const old = (i: number, j: number): number => {
    if (!bias || beta === 0) return 0;
    // C broadcasts to [m, rows] from [], [rows], [1, rows], [m, 1], [m, rows] or [1, 1].
    const r = cShape.length === 2 && cShape[0] === m && m !== 1 ? i : 0;
    const c = cShape[cShape.length - 1] === rows ? j : 0;
    return Number(bias.data[cShape.length === 2 ? r * cShape[1]! + c : c]);
  };
  const perRow = bias !== undefined && beta !== 0 && cShape.length === 2 && cShape[0] === m && m !== 1;
  const shape = perRow ? [m, rows] : [rows];
  const data = new Float32Array(shape.reduce((a, d) => a * d, 1));
  for (let i = 0; i < (perRow ? m : 1); i++) for (let j = 0; j < rows; j++) data[i * rows + j] = old(i, j) + delta[j]!;
  return { node: { ...withInput(node, 2, name), attrs }, name, bias: { dtype: 'float32', shape, data } };
}

function withInput(node: Node, index: number, name: string): Node {
  const inputs = [...node.inputs];
  while (inputs.length < index) inputs.push('');
  inputs[index] = name;
  return { ...node, inputs };
}
