// js Reduce{Mean,Sum,Max,Min,SumSquare,L2} over one contiguous block of axes (axes as attribute,
// float32): the input is viewed as [outer, reduced, inner]; inner = 1 folds contiguous runs (a
// token mean, a LayerNorm mean), otherwise whole inner rows are accumulated at a time. Sums in
// doubles like the ref (ref/reduce.ts).

import type { DType } from '../../tensor.js';
import type { Kernel, NodeShapes } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { attrAxes, reduceBlock } from '../common/reduce.js';

const F32: readonly DType[] = ['float32'];

/** How each op accumulates (one loop body each, so the hot loops stay monomorphic) and finishes. */
type Accumulate = 'sum' | 'sumSquare' | 'max' | 'min';
const OPS: Readonly<Record<string, { acc: Accumulate; finish: (a: number, count: number) => number }>> = {
  ReduceMean: { acc: 'sum', finish: (a, n) => a / n },
  ReduceSum: { acc: 'sum', finish: (a) => a },
  ReduceSumSquare: { acc: 'sumSquare', finish: (a) => a },
  ReduceL2: { acc: 'sumSquare', finish: (a) => Math.sqrt(a) },
  ReduceMax: { acc: 'max', finish: (a) => a },
  ReduceMin: { acc: 'min', finish: (a) => a },
};
const START: Readonly<Record<Accumulate, number>> = { sum: 0, sumSquare: 0, max: -Infinity, min: Infinity };

/** `start` folded with the contiguous run xd[base .. base + len). */
function foldRow(kind: Accumulate, xd: Float32Array, base: number, len: number, start: number): number {
  let s = start;
  switch (kind) {
    case 'sum': for (let r = 0; r < len; r++) s += xd[base + r]!; break;
    case 'sumSquare': for (let r = 0; r < len; r++) { const v = xd[base + r]!; s += v * v; } break;
    case 'max': for (let r = 0; r < len; r++) s = Math.max(s, xd[base + r]!); break;
    case 'min': for (let r = 0; r < len; r++) s = Math.min(s, xd[base + r]!); break;
  }
  return s;
}

/** acc[i] folded with xd[base + i] for every i < inner (one reduced step of whole inner rows). */
function foldInto(kind: Accumulate, acc: Float64Array, xd: Float32Array, base: number, inner: number): void {
  switch (kind) {
    case 'sum': for (let i = 0; i < inner; i++) acc[i] += xd[base + i]!; break;
    case 'sumSquare': for (let i = 0; i < inner; i++) { const v = xd[base + i]!; acc[i] += v * v; } break;
    case 'max': for (let i = 0; i < inner; i++) acc[i] = Math.max(acc[i]!, xd[base + i]!); break;
    case 'min': for (let i = 0; i < inner; i++) acc[i] = Math.min(acc[i]!, xd[base + i]!); break;
  }
}

function reduceJs(op: string): Kernel {
  const { acc: kind, finish } = OPS[op]!;
  const start = START[kind];
  return defineKernel({
    dtype: 'f32', tile: '1x1', op, target: 'js', dtypes: F32,
    supports(node: NodeShapes): boolean {
      const x = node.inputs[0];
      if (!x || x.dtype !== 'float32' || node.inputs[1] !== undefined) return false;
      const axes = attrAxes(node.attrs);
      if ((axes === undefined || axes.length === 0) && node.attrs['noop_with_empty_axes'] === 1) return false;
      return reduceBlock(x.shape, axes) !== undefined;
    },
    prepare(c) {
      const x = c.input(0, F32);
      if (c.optionalInput(1)) c.fail('axes as an input are not supported (the ref kernel reads them)');
      const y = c.output(0, F32);
      const axes = c.ints('axes');
      if ((axes === undefined || axes.length === 0) && c.int('noop_with_empty_axes', 0) !== 0) c.fail('noop_with_empty_axes is not supported');
      const block = reduceBlock(x.shape, axes);
      if (block === undefined) c.fail(`axes [${axes?.join(',')}] are not one contiguous block of [${x.shape.join(',')}]`);
      const { outer, red, inner } = block!;
      const m = y.shape.reduce((p, d) => p * d, 1);
      if (m !== outer * inner) c.fail(`output shape [${y.shape.join(',')}] disagrees with the reduced axes`);
      const xd = x.data as Float32Array, yd = y.data as Float32Array;
      const acc = new Float64Array(inner);
      if (inner === 1) {
        return () => {
          for (let o = 0, base = 0; o < outer; o++, base += red) yd[o] = finish(foldRow(kind, xd, base, red, start), red);
        };
      }
      return () => {
        for (let o = 0; o < outer; o++) {
          acc.fill(start);
          for (let r = 0, base = o * red * inner; r < red; r++, base += inner) foldInto(kind, acc, xd, base, inner);
          for (let i = 0; i < inner; i++) yd[o * inner + i] = finish(acc[i]!, red);
        }
      };
    },
  });
}

export const REDUCE_JS_KERNELS: readonly Kernel[] = Object.keys(OPS).map(reduceJs);
