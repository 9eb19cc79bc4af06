// Edge shapes for the js twins of ops real models ran on ref (issue 16 acceptance 3): copies of
// every rank change (to and from scalars, empty tensors, odd sizes); Gather on every axis with
// negative, repeated, scalar and empty indices; If taking either branch; the unary ops on values
// outside their domain (NaN, -Infinity); Pow by 2 and by a tensor; comparisons on float32 (ties,
// NaN), int32 and int64 under every broadcast form; Cast to and from each dtype family.

import type { DType } from '../../../runtime/tensor.js';
import type { EdgeCase } from './edge-cases.js';

function copyCases(op: string): EdgeCase[] {
  const c = (x: number[], y: number[], attrs: Record<string, number> = {}): EdgeCase =>
    ({ name: `${op} [${x}] → [${y}] ${JSON.stringify(attrs)}`, inputs: [x], attrs, output: y });
  switch (op) {
    case 'Reshape': return [c([2, 3, 5], [6, 5]), c([1], []), c([], [1, 1]), c([0, 3], [3, 0]), c([7, 1, 3], [21])];
    case 'Flatten': return [c([2, 3, 5], [2, 15]), c([2, 3, 5], [1, 30], { axis: 0 }), c([2, 3, 5], [30, 1], { axis: 3 }),
      c([2, 3, 5], [6, 5], { axis: -1 }), c([4, 1], [4, 1]), c([0, 4], [0, 4])];
    case 'Squeeze': return [c([1, 3, 1, 5], [3, 5]), c([1], []), c([1, 0], [0])];
    case 'Unsqueeze': return [c([3, 5], [1, 3, 1, 5]), c([], [1]), c([0], [0, 1])];
    case 'Identity': return [c([5, 7], [5, 7]), c([], []), c([0], [0])];
    default: return [];
  }
}

function gatherCases(): EdgeCase[] {
  const g = (x: number[], idx: number[], idxShape: number[], axis: number, dtype: 'int64' | 'int32' = 'int64'): EdgeCase => {
    const a = axis < 0 ? axis + x.length : axis;
    return {
      name: `gather [${x}] axis ${axis} ${dtype} indices ${JSON.stringify(idx)} as [${idxShape}]`, inputs: [x, idxShape],
      typedInputs: { 1: { dtype, values: idx } }, attrs: { axis }, output: [...x.slice(0, a), ...idxShape, ...x.slice(a + 1)],
    };
  };
  return [
    g([50, 16], [3, 0, 49, 3, -1, -50], [2, 3], 0),  // embedding rows, negative and repeated
    g([5, 4], [1, -4, 3], [3], 1),                    // inner 1
    g([2, 3, 4], [2, 0], [2], -2, 'int32'),           // middle axis, int32 indices
    g([6, 7], [4], [], 0),                            // scalar index: the axis disappears
    g([6, 7], [], [0], 1),                            // no indices
    g([1], [0], [1, 1], 0),
  ];
}

function ifCases(): EdgeCase[] {
  return [1, 0].flatMap((taken) => [[2, 3], [], [0, 4]].map((shape): EdgeCase => ({
    name: `if ${taken ? 'then' : 'else'} [${shape}]`, inputs: [[], shape, shape], typedInputs: { 0: { dtype: 'bool', values: [taken] } }, attrs: {}, output: shape,
  })));
}

const SPECIAL = [0, -0, -1, 1, 2.5, -2.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-30, 3e38, 300.7, -129.5];

function unaryCases(op: string): EdgeCase[] {
  return [
    ...[[1, 129, 8], [1], [], [0, 3], [7, 5]].map((x): EdgeCase => ({ name: `${op} [${x}]`, inputs: [x], attrs: {}, output: x })),
    { name: `${op} special values`, inputs: [[SPECIAL.length]], typedInputs: { 0: { dtype: 'float32', values: SPECIAL } }, attrs: {}, output: [SPECIAL.length] },
  ];
}

const PAIRS: readonly [number[], number[], number[]][] = [
  [[2, 3, 5], [2, 3, 5], [2, 3, 5]], [[2, 3, 5], [], [2, 3, 5]], [[], [4, 7], [4, 7]], [[3, 7], [7], [3, 7]],
  [[1, 4, 6], [1, 4, 1], [1, 4, 6]], [[2, 1, 3], [1, 4, 1], [2, 4, 3]], [[0, 3], [3], [0, 3]], [[1], [1], [1]],
];

function powCases(): EdgeCase[] {
  const abs = (shape: number[], seed: number): number[] => Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => ((i * 37 + seed) % 23) / 7);
  return [
    ...PAIRS.map(([a, b, y]): EdgeCase => ({ name: `pow [${a}] ^ [${b}]`, inputs: [a, b], typedInputs: { 0: { dtype: 'float32', values: abs(a, 1) } }, attrs: {}, output: y })),
    ...[2, 0.5, 3, -1].map((e): EdgeCase => ({ name: `pow [1,129,8] ^ ${e}`, inputs: [[1, 129, 8], []], typedInputs: { 1: { dtype: 'float32', values: [e] } }, attrs: {}, output: [1, 129, 8] })),
    { name: 'pow special ^ 2', inputs: [[SPECIAL.length], [1]], typedInputs: { 0: { dtype: 'float32', values: SPECIAL }, 1: { dtype: 'float32', values: [2] } }, attrs: {}, output: [SPECIAL.length] },
  ];
}

function compareCases(op: string): EdgeCase[] {
  const ints = (shape: number[], seed: number): number[] => Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => ((i * 5 + seed) % 4) - 2);
  const out: EdgeCase[] = [];
  for (const [a, b, y] of PAIRS) {
    out.push({ name: `${op} f32 [${a}] [${b}]`, inputs: [a, b], attrs: {}, output: y, outputDtype: 'bool' });
    for (const dtype of ['float32', 'int32', 'int64'] as const) {
      out.push({ name: `${op} ${dtype} ties [${a}] [${b}]`, inputs: [a, b], typedInputs: { 0: { dtype, values: ints(a, 1) }, 1: { dtype, values: ints(b, 2) } }, attrs: {}, output: y, outputDtype: 'bool' });
    }
  }
  out.push({ name: `${op} NaN`, inputs: [[3], [3]], typedInputs: { 0: { dtype: 'float32', values: [Number.NaN, 1, Number.NaN] }, 1: { dtype: 'float32', values: [Number.NaN, Number.NaN, 1] } }, attrs: {}, output: [3], outputDtype: 'bool' });
  return out;
}

// ONNX `to` codes: 1 float32, 2 uint8, 3 int8, 5 int16, 6 int32, 7 int64, 9 bool, 11 float64.
const TO: Readonly<Record<number, DType>> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64' };

function castCases(): EdgeCase[] {
  const from: { dtype: DType; values: number[] }[] = [
    { dtype: 'float32', values: SPECIAL }, { dtype: 'bool', values: [0, 1, 1, 0] }, { dtype: 'int32', values: [0, -1, 255, 256, -129, 70000, 2147483647] },
    { dtype: 'int64', values: [0, -1, 255, 256, -129, 70000] }, { dtype: 'uint8', values: [0, 1, 200, 255] },
  ];
  return from.flatMap((f) => Object.entries(TO).map(([to, dtype]): EdgeCase => ({
    name: `cast ${f.dtype} → ${dtype}`, inputs: [[f.values.length]], typedInputs: { 0: f }, attrs: { to: Number(to) }, output: [f.values.length], outputDtype: dtype,
  })));
}

export function norefEdgeCases(op: string): EdgeCase[] | undefined {
  switch (op) {
    case 'Gather': return gatherCases();
    case 'If': return ifCases();
    case 'Sqrt': case 'Log': case 'Neg': return unaryCases(op);
    case 'Pow': return powCases();
    case 'Equal': case 'GreaterOrEqual': return compareCases(op);
    case 'Cast': return castCases();
  }
  const copies = copyCases(op);
  return copies.length > 0 ? copies : undefined;
}
