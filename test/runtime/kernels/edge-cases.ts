// Edge-shape cases per op for the js-vs-ref tests, derived from a kernel's tile (mr×nr from
// its id): sizes 1, mr−1, mr, 2·mr+1 and non-multiples for K, plus the window geometries
// (pads, strides, dilations, groups, auto_pad, ceil_mode, non-square) convs and pools need.

import type { Attrs } from '../../../runtime/kernels/kernel.js';
import type { DType } from '../../../runtime/tensor.js';
import { elementwiseEdgeCases } from './edge-cases-elementwise.js';
import { recurrentEdgeCases } from './edge-cases-recurrent.js';
import { fastEdgeCases } from './edge-cases-fast.js';
import { norefEdgeCases } from './edge-cases-noref.js';

export interface EdgeCase {
  readonly name: string;
  readonly inputs: readonly (readonly number[] | undefined)[];
  /** Inputs given as int64 values instead of random floats (Slice's starts/ends), by input index. */
  readonly int64Inputs?: Readonly<Record<number, readonly number[]>>;
  readonly attrs: Attrs;
  readonly output: readonly number[];
  /** Inputs of another dtype given by value (a bool condition, int32 operands), by input index. */
  readonly typedInputs?: Readonly<Record<number, { readonly dtype: DType; readonly values: readonly number[] }>>;
  /** The output's dtype when it is not float32 (ArgMax's int64 indices, a comparison's bool). */
  readonly outputDtype?: DType;
}

export function tileOf(id: string): { mr: number; nr: number } {
  const m = /-(\d+)x(\d+)-[a-z]+$/.exec(id);
  if (!m) throw new Error(`no tile in ${id}`);
  return { mr: Number(m[1]), nr: Number(m[2]) };
}

const uniq = (xs: number[]): number[] => [...new Set(xs.filter((x) => x >= 1))].sort((a, b) => a - b);
const edgeSizes = (t: number): number[] => uniq([1, t - 1, t, t + 1, 2 * t + 1]);

function windowOut(size: number, k: number, s: number, d: number, pb: number, pe: number, ceil: boolean): number {
  const span = size + pb + pe - ((k - 1) * d + 1);
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= size + pb) out--;
  return out;
}

interface Window { k: number[]; s?: number[]; d?: number[]; pads?: number[]; autoPad?: string; ceil?: boolean }

function windowAttrs(w: Window, withKernelShape: boolean): Attrs {
  const a: Record<string, number | string | number[]> = {};
  if (withKernelShape) a['kernel_shape'] = w.k;
  if (w.s) a['strides'] = w.s;
  if (w.d) a['dilations'] = w.d;
  if (w.pads) a['pads'] = w.pads;
  if (w.autoPad) a['auto_pad'] = w.autoPad;
  if (w.ceil) a['ceil_mode'] = 1;
  return a;
}

function spatialOut(inSpatial: number[], w: Window): number[] {
  const n = inSpatial.length;
  return inSpatial.map((size, i) => {
    const s = w.s?.[i] ?? 1, d = w.d?.[i] ?? 1;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return Math.ceil(size / s);
    const pb = w.pads?.[i] ?? 0, pe = w.pads?.[i + n] ?? 0;
    return windowOut(size, w.k[i]!, s, d, pb, pe, w.ceil ?? false);
  });
}

function convCases(mr: number): EdgeCase[] {
  const cases: EdgeCase[] = [];
  const add = (name: string, n: number, cin: number, cout: number, spatial: number[], group: number, w: Window, bias = true): void => {
    const out = [n, cout, ...spatialOut(spatial, w)];
    cases.push({
      name: `${name} x[${n},${cin},${spatial}] cout=${cout} g=${group} ${JSON.stringify(w)}`,
      inputs: [[n, cin, ...spatial], [cout, cin / group, ...w.k], bias ? [cout] : undefined],
      attrs: { ...windowAttrs(w, true), group },
      output: out,
    });
  };
  for (const cout of edgeSizes(mr)) add('pointwise', 1, 5, cout, [3, 7], 1, { k: [1, 1] });
  add('pointwise batch2 nobias', 2, 3, 2 * mr + 1, [4, 5], 1, { k: [1, 1] }, false);
  add('pointwise grouped', 1, 6, 4, [2, 3], 2, { k: [1, 1] });
  add('pointwise strided', 1, 3, mr + 1, [5, 6], 1, { k: [1, 1], s: [2, 2] });
  add('3x3 pad1', 1, 3, mr + 1, [6, 5], 1, { k: [3, 3], pads: [1, 1, 1, 1] });
  add('3x3 stride2 pad1', 2, 4, 2 * mr + 1, [7, 8], 1, { k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1] });
  add('3x3 dilated2', 1, 2, 3, [7, 7], 1, { k: [3, 3], d: [2, 2], pads: [2, 1, 0, 2] });
  add('3x2 asym pads strides', 1, 3, 5, [6, 9], 1, { k: [3, 2], s: [2, 3], pads: [1, 0, 2, 1] });
  add('same_upper', 1, 2, 3, [5, 6], 1, { k: [3, 3], s: [2, 2], autoPad: 'SAME_UPPER' });
  add('same_lower', 1, 2, 3, [5, 6], 1, { k: [2, 4], s: [2, 1], autoPad: 'SAME_LOWER' });
  add('valid', 1, 3, 2, [6, 5], 1, { k: [3, 2], autoPad: 'VALID' });
  add('grouped 3x3', 1, 6, 9, [5, 5], 3, { k: [3, 3], pads: [1, 1, 1, 1] });
  add('depthwise 3x3', 2, 5, 5, [7, 6], 5, { k: [3, 3], pads: [1, 1, 1, 1] });
  add('depthwise stride2 dil', 1, 4, 4, [9, 8], 4, { k: [3, 3], s: [2, 2], d: [2, 1], pads: [2, 1, 1, 0] });
  add('depthwise multiplier2', 1, 3, 6, [5, 4], 3, { k: [3, 3], s: [1, 2], pads: [0, 1, 2, 1] });
  add('kernel covers input', 1, 2, 3, [2, 2], 1, { k: [3, 3], pads: [1, 1, 1, 1] });
  add('1-D', 2, 3, mr + 1, [11], 1, { k: [3], s: [2], pads: [1, 2] });
  add('1-D depthwise dilated', 1, 4, 4, [9], 4, { k: [3], d: [3], pads: [2, 2] });
  add('1-D pointwise', 1, 3, mr, [7], 1, { k: [1] });
  add('3-D (delegated)', 1, 2, 3, [3, 4, 3], 1, { k: [2, 2, 2], pads: [1, 0, 0, 0, 1, 1] });
  return cases;
}

function gemmCases(mr: number, nr: number): EdgeCase[] {
  const cases: EdgeCase[] = [];
  const ks = uniq([1, 3, mr, 2 * mr + 1, 16]);
  for (const m of edgeSizes(mr)) for (const n of edgeSizes(nr)) for (const k of ks) {
    for (const [transA, transB] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
      if ((m + n + k + transA + 2 * transB) % 3 !== 0 && k !== 1) continue; // thin the grid, keep K = 1 fully
      cases.push({
        name: `m=${m} n=${n} k=${k} transA=${transA} transB=${transB}`,
        inputs: [transA ? [k, m] : [m, k], transB ? [n, k] : [k, n], [n]],
        attrs: { transA, transB, alpha: 1, beta: 1 },
        output: [m, n],
      });
    }
  }
  cases.push({ name: 'alpha/beta, C [m,1]', inputs: [[5, 7], [7, 9], [5, 1]], attrs: { alpha: 0.5, beta: -2 }, output: [5, 9] });
  cases.push({ name: 'C full', inputs: [[3, 4], [6, 4], [3, 6]], attrs: { transB: 1, beta: 0.25 }, output: [3, 6] });
  cases.push({ name: 'C scalar', inputs: [[4, 2], [4, 3], []], attrs: { transA: 1 }, output: [2, 3] });
  cases.push({ name: 'no C', inputs: [[9, 8], [8, 9]], attrs: { alpha: 2 }, output: [9, 9] });
  return cases;
}

function matmulCases(mr: number): EdgeCase[] {
  const cases: EdgeCase[] = [];
  for (const m of edgeSizes(mr)) for (const n of [1, 5, 2 * mr + 1]) for (const k of [1, 3, 2 * mr + 1]) {
    cases.push({ name: `m=${m} n=${n} k=${k}`, inputs: [[m, k], [k, n]], attrs: {}, output: [m, n] });
  }
  const add = (a: number[], b: number[], out: number[]): void => { cases.push({ name: `[${a}]x[${b}]`, inputs: [a, b], attrs: {}, output: out }); };
  add([2, 3, 5, 4], [4, 6], [2, 3, 5, 6]);
  add([5, 4], [2, 4, 3], [2, 5, 3]);
  add([2, 1, 3, 4], [1, 3, 4, 2], [2, 3, 3, 2]);
  add([4], [4, 3], [3]);
  add([2, 3, 4], [4], [2, 3]);
  add([7], [7], []);
  return cases;
}

function poolCases(op: string): EdgeCase[] {
  const cases: EdgeCase[] = [];
  const add = (x: number[], w: Window, extra: Attrs = {}): void => {
    cases.push({
      name: `x[${x}] ${JSON.stringify(w)} ${JSON.stringify(extra)}`,
      inputs: [x], attrs: { ...windowAttrs(w, true), ...extra }, output: [x[0]!, x[1]!, ...spatialOut(x.slice(2), w)],
    });
  };
  add([1, 3, 8, 8], { k: [2, 2], s: [2, 2] });
  add([2, 2, 7, 9], { k: [3, 3], pads: [1, 1, 1, 1] });
  add([1, 2, 7, 7], { k: [3, 3], s: [2, 2], ceil: true });
  add([1, 1, 6, 7], { k: [3, 2], s: [2, 3], pads: [1, 0, 2, 1], ceil: true });
  add([1, 2, 8, 8], { k: [2, 2], d: [2, 3] });
  add([1, 1, 5, 6], { k: [3, 3], s: [2, 2], autoPad: 'SAME_UPPER' });
  add([1, 1, 5, 6], { k: [2, 3], autoPad: 'SAME_LOWER' });
  add([2, 3, 13], { k: [4], s: [3], pads: [1, 2] });
  add([1, 1, 3, 4, 5], { k: [2, 2, 2] });
  if (op === 'AveragePool') {
    add([1, 2, 7, 7], { k: [3, 3], pads: [1, 1, 1, 1] }, { count_include_pad: 1 });
    add([1, 1, 6, 7], { k: [3, 2], s: [2, 3], pads: [1, 0, 2, 1], ceil: true }, { count_include_pad: 1 });
  }
  return cases;
}

function globalPoolCases(): EdgeCase[] {
  return [[1, 3, 1, 1], [2, 4, 7, 5], [1, 2, 13], [1, 1, 3, 3, 2]].map((x) => ({
    name: `x[${x}]`, inputs: [x], attrs: {}, output: x.map((d, i) => (i < 2 ? d : 1)),
  }));
}

/** Elementwise and Concat kernels (js/add, js/relu, js/concat): sizes around 1, 7, 8, 9 and a broadcast Add that falls back to ref. */
function eltwiseCases(op: string): EdgeCase[] {
  const shapes = [[1], [7], [2, 3, 3, 3], [1, 4, 3, 3]];
  if (op === 'Relu') return shapes.map((s) => ({ name: `x[${s}]`, inputs: [s], attrs: {}, output: s }));
  if (op === 'Add') {
    return [
      ...shapes.map((s) => ({ name: `a[${s}] + b[${s}]`, inputs: [s, s], attrs: {}, output: s })),
      { name: 'broadcast a[2,3,4] + b[4]', inputs: [[2, 3, 4], [4]], attrs: {}, output: [2, 3, 4] },
    ];
  }
  return [
    { name: 'axis 1, 2 inputs', inputs: [[1, 3, 2, 2], [1, 5, 2, 2]], attrs: { axis: 1 }, output: [1, 8, 2, 2] },
    { name: 'axis 1, batch 2, 3 inputs', inputs: [[2, 1, 3], [2, 4, 3], [2, 2, 3]], attrs: { axis: 1 }, output: [2, 7, 3] },
    { name: 'axis -1', inputs: [[3, 2], [3, 5]], attrs: { axis: -1 }, output: [3, 7] },
    { name: 'axis 0', inputs: [[2, 3], [1, 3]], attrs: { axis: 0 }, output: [3, 3] },
  ];
}

/** Edge cases for a kernel of `op` with id `id`, or undefined when the op has none yet. */
export function edgeCasesFor(op: string, id: string): EdgeCase[] | undefined {
  const elementwise = norefEdgeCases(op) ?? elementwiseEdgeCases(op) ?? fastEdgeCases(op);
  if (elementwise) return elementwise;
  const recurrent = recurrentEdgeCases(op);
  if (recurrent) return recurrent;
  const { mr, nr } = tileOf(id);
  switch (op) {
    case 'Conv': return convCases(mr);
    case 'Gemm': return gemmCases(mr, nr);
    case 'MatMul': return matmulCases(mr);
    case 'MaxPool': case 'AveragePool': return poolCases(op);
    case 'GlobalAveragePool': return globalPoolCases();
    case 'Add': case 'Relu': case 'Concat': return eltwiseCases(op);
    default: return undefined;
  }
}
