// Edge shapes for the js elementwise, data-movement and normalisation kernels (binary
// broadcasting, Transpose, Slice, the js reductions, ArgMax/ArgMin, Softmax/LogSoftmax, LayerNormalization): every fast path of their row plans, empty and size-1 axes,
// and lengths off any unroll.

import type { EdgeCase } from './edge-cases.js';

const BINARY_PAIRS: readonly [readonly number[], readonly number[]][] = [
  [[2, 3, 5], [2, 3, 5]],          // same shape: one row
  [[2, 3, 5], []],                  // scalar
  [[], [4, 7]],                     // scalar on the left
  [[3, 7], [7]],                    // bias [C]
  [[1, 5, 9], [1, 1, 9]],           // bias [1,1,C]
  [[9], [3, 9]],                    // bias on the left, broadcast up
  [[1, 4, 6], [1, 4, 1]],           // per-row value
  [[4, 1], [4, 6]],                 // per-row value on the left
  [[2, 1, 3], [1, 4, 1]],           // both broadcast (outer product)
  [[2, 3, 4, 5], [3, 1, 5]],        // general: middle axis broadcast
  [[1], [1]],                       // one element
  [[0, 3], [3]],                    // empty
  [[2, 1, 1, 3], [2, 5, 1, 3]],     // size-1 axes to drop
];

function binaryCases(): EdgeCase[] {
  return BINARY_PAIRS.map(([a, b]) => {
    const rank = Math.max(a.length, b.length);
    const out = Array.from({ length: rank }, (_, i) => {
      const da = a[a.length - rank + i] ?? 1, db = b[b.length - rank + i] ?? 1;
      return da === 1 ? db : da;
    });
    return { name: `[${a}] ∘ [${b}]`, inputs: [a, b], attrs: {}, output: out };
  });
}

function transposeCases(): EdgeCase[] {
  const cases: [number[], number[] | undefined][] = [
    [[1, 32, 8], [1, 0, 2]], [[5, 4, 3], [1, 0, 2]], [[5, 4, 3], [0, 2, 1]], [[2, 3, 4, 5], [0, 2, 1, 3]],
    [[2, 3, 4, 5], [3, 1, 0, 2]], [[3, 7], undefined], [[6], [0]], [[1, 1], [1, 0]], [[2, 0, 3], [2, 1, 0]],
    [[4, 5, 6], [0, 1, 2]], [[2, 3, 1, 4], [2, 0, 3, 1]],
  ];
  return cases.map(([x, perm]) => {
    const p = perm ?? x.map((_, i) => x.length - 1 - i);
    return { name: `x[${x}] perm [${p}]`, inputs: [x], attrs: perm ? { perm } : ({} as Record<string, number[]>), output: p.map((i) => x[i]!) };
  });
}

function softmaxCases(): EdgeCase[] {
  return [[1], [3, 1], [4, 7], [2, 3, 33], [0, 5], [2, 2, 2, 9]].map((x) => ({
    name: `x[${x}] axis -1`, inputs: [x], attrs: { axis: -1 }, output: x,
  }));
}

function layerNormCases(): EdgeCase[] {
  const c = (x: number[], axis: number, bias = true, eps = 1e-5): EdgeCase => {
    const norm = x.slice(axis < 0 ? axis + x.length : axis);
    return { name: `x[${x}] axis ${axis}${bias ? '' : ' no bias'} eps ${eps}`, inputs: [x, norm, bias ? norm : undefined], attrs: { axis, epsilon: eps }, output: x };
  };
  return [c([2, 5], -1), c([1, 4, 9], -1), c([3, 1], -1), c([2, 3, 4], 1), c([2, 7], -1, false), c([5, 16], -1, true, 1e-3), c([0, 8], -1)];
}

function sliceCases(): EdgeCase[] {
  // [x shape, starts, ends, axes, steps, output shape]
  const cases: [number[], number[], number[], number[] | undefined, number[] | undefined, number[]][] = [
    [[32, 1, 384], [128], [256], [2], [1], [32, 1, 128]],
    [[32, 1, 384], [0], [128], [-1], undefined, [32, 1, 128]],
    [[5, 7], [1, 2], [4, 6], undefined, undefined, [3, 4]],
    [[5, 7], [4, -1], [0, -8], [0, 1], [-2, -3], [2, 3]],
    [[2, 3, 9], [1], [9], [2], [3], [2, 3, 3]],
    [[6], [-100], [100], [0], [1], [6]],
    [[4, 3], [2], [2], [0], [1], [0, 3]],
    [[3, 4, 5], [1, 0], [3, 5], [0, 2], undefined, [2, 4, 5]],
  ];
  return cases.map(([x, starts, ends, axes, steps, out]) => {
    const ints: Record<number, number[]> = { 1: starts, 2: ends };
    const inputs: (number[] | undefined)[] = [x, [starts.length], [ends.length]];
    if (axes || steps) { inputs.push(axes ? [axes.length] : undefined); if (axes) ints[3] = axes; }
    if (steps) { inputs.push([steps.length]); ints[4] = steps; }
    return { name: `x[${x}] starts ${starts} ends ${ends} axes ${axes ?? '-'} steps ${steps ?? '-'}`, inputs, int64Inputs: ints, attrs: {}, output: out };
  });
}

function reduceCases(): EdgeCase[] {
  const cases: [number[], number[] | undefined, number][] = [
    [[1, 32, 128], [1], 0], [[1, 32, 128], [-1], 1], [[2, 3, 4, 5], [1, 2], 1], [[2, 3, 4, 5], [2, 3], 0],
    [[3, 7], undefined, 1], [[3, 1, 7], [0, 2], 1], [[4, 1, 6], [1], 0], [[5], [0], 0], [[2, 0, 3], [2], 1],
  ];
  const attrForm = cases.map(([x, axes, keepdims]): EdgeCase => {
    const rank = x.length;
    const red = new Set((axes ?? x.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a)));
    const output = keepdims ? x.map((d, i) => (red.has(i) ? 1 : d)) : x.filter((_, i) => !red.has(i));
    return { name: `x[${x}] axes ${axes ?? 'all'} keepdims ${keepdims}`, inputs: [x], attrs: axes ? { axes, keepdims } : ({ keepdims } as Record<string, number>), output };
  });
  // Axes as an input (ReduceSum from opset 13, the others from 18), where the shapes pin the block down.
  const inputForm: [number[], number[], number, number[]][] = [
    [[2, 3, 4, 5], [1, 2], 1, [2, 1, 1, 5]], [[2, 3, 4, 5], [-1], 0, [2, 3, 4]], [[3, 1, 7], [0, 2], 0, [1]], [[4, 6], [], 1, [1, 1]],
  ];
  return [...attrForm, ...inputForm.map(([x, axes, keepdims, output]): EdgeCase => ({
    name: `x[${x}] axes input [${axes}] keepdims ${keepdims}`, inputs: [x, [axes.length]], int64Inputs: { 1: axes }, attrs: { keepdims }, output,
  }))];
}

function argCases(): EdgeCase[] {
  const cases: [number[], number, number, number][] = [
    [[7], 0, 1, 0], [[3, 5], 1, 0, 0], [[3, 5], 0, 1, 1], [[2, 3, 4], 1, 0, 1], [[2, 3, 4], -1, 1, 0], [[1, 1], 0, 0, 0], [[4, 1, 6], 2, 1, 1], [[0, 3], 1, 0, 0],
  ];
  return cases.map(([x, axis, keepdims, last]) => {
    const a = axis < 0 ? axis + x.length : axis;
    return {
      name: `x[${x}] axis ${axis} keepdims ${keepdims} select_last_index ${last}`, inputs: [x], attrs: { axis, keepdims, select_last_index: last },
      output: keepdims ? x.map((d, i) => (i === a ? 1 : d)) : x.filter((_, i) => i !== a), outputDtype: 'int64' as const,
    };
  });
}

/** Cases for the ops these kernels implement, or undefined for other ops. */
export function elementwiseEdgeCases(op: string): EdgeCase[] | undefined {
  switch (op) {
    case 'Add': case 'Sub': case 'Mul': case 'Div': return binaryCases();
    case 'Transpose': return transposeCases();
    case 'Slice': return sliceCases();
    case 'ReduceMean': case 'ReduceSum': case 'ReduceMax': case 'ReduceMin': case 'ReduceSumSquare': case 'ReduceL2': return reduceCases();
    case 'Softmax': case 'LogSoftmax': return softmaxCases();
    case 'ArgMax': case 'ArgMin': return argCases();
    case 'LayerNormalization': return layerNormCases();
    default: return undefined;
  }
}
