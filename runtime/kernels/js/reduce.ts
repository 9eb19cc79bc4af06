// js Reduce{Mean,Sum,Max,Min,SumSquare,L2} over one contiguous block of axes (float32): the
// input is viewed as [outer, reduced, inner]; inner = 1 folds contiguous runs (a token mean, a
// LayerNorm mean), otherwise whole inner rows are accumulated at a time. Sums in doubles like the
// ref (ref/reduce.ts). Axes come from the attribute, or from the axes input (ReduceSum from opset
// 13, the others from 18) when the node's shapes alone pin the block down (selection sees no
// values); prepare then checks the input's values agree.

import type { DType } from '../../tensor.js';
import type { Kernel, NodeShapes } from '../kernel.js';
import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
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

interface Block { readonly outer: number; readonly red: number; readonly inner: number }

const sameBlock = (a: Block, b: Block): boolean => a.outer === b.outer && a.red === b.red && a.inner === b.inner;

/**
 * The block an axes-input node reduces, from its input and output shapes alone, or undefined
 * when they allow axes that are no contiguous block or disagree. keepdims 1: the axes whose
 * extent changed (size-1 axes fold to the same block either way); keepdims 0: every way of
 * dropping axes of `x` that leaves `y` must give the same block.
 */
function blockFromShapes(x: readonly number[], y: readonly number[], keepdims: boolean): Block | undefined {
  const all = x.reduce((p, d) => p * d, 1);
  const identity: Block = { outer: all, red: 1, inner: 1 };
  if (keepdims) {
    if (y.length !== x.length || y.some((d, i) => d !== x[i] && d !== 1)) return undefined;
    const changed = x.map((_, i) => i).filter((i) => y[i] !== x[i]);
    return changed.length === 0 ? identity : reduceBlock(x, changed);
  }
  const drop = x.length - y.length;
  if (drop < 0) return undefined;
  let found: Block | undefined;
  let consistent = true;
  // Choose the dropped axes: only where the remaining axes still spell `y`, so few ways in practice
  // and at most C(16, 8) = 12870 at the loader's largest rank, 16.
  const visit = (i: number, k: number, dropped: number[]): void => {
    if (!consistent) return;
    if (i === x.length) {
      if (k !== y.length || dropped.length !== drop) return;
      const b = dropped.length === 0 ? identity : reduceBlock(x, dropped);
      if (b === undefined || (found !== undefined && !sameBlock(found, b))) consistent = false;
      else found = b;
      return;
    }
    if (k < y.length && y[k] === x[i]) visit(i + 1, k + 1, dropped);
    if (dropped.length < drop) visit(i + 1, k, [...dropped, i]);
  };
  visit(0, 0, []);
  return consistent ? found : undefined;
}

/** The block `node` reduces (attribute axes, or an axes input the shapes pin down), or undefined. */
function nodeBlock(node: NodeShapes): Block | undefined {
  const x = node.inputs[0], y = node.outputs[0];
  if (!x || !y) return undefined;
  if (node.inputs[1] === undefined) return reduceBlock(x.shape, attrAxes(node.attrs));
  if (!INT_INDEX_TYPES.includes(node.inputs[1].dtype as 'int64') || node.inputs[1].shape.length !== 1) return undefined;
  return blockFromShapes(x.shape, y.shape, node.attrs['keepdims'] !== 0);
}

function reduceJs(op: string): Kernel {
  const { acc: kind, finish } = OPS[op]!;
  const start = START[kind];
  return defineKernel({
    dtype: 'f32', tile: '1x1', op, target: 'js', dtypes: F32,
    supports(node: NodeShapes): boolean {
      const x = node.inputs[0];
      // noop_with_empty_axes: the same shapes mean either a copy or a fold over size-1 axes.
      if (!x || x.dtype !== 'float32' || node.attrs['noop_with_empty_axes'] === 1) return false;
      return nodeBlock(node) !== undefined;
    },
    prepare(c) {
      const x = c.input(0, F32);
      const axesIn = c.optionalInput(1, INT_INDEX_TYPES);
      const y = c.output(0, F32);
      if (c.int('noop_with_empty_axes', 0) !== 0) c.fail('noop_with_empty_axes is not supported (the ref kernel takes it)');
      const block = nodeBlock({ inputs: c.ctx.inputs, outputs: c.ctx.outputs, attrs: c.attrs });
      if (block === undefined) c.fail(`the axes are not one contiguous block of [${x.shape.join(',')}] that the shapes determine`);
      if (axesIn !== undefined) {
        // A constant (the output shape was planned from it), so read once: its block must be the one the shapes give.
        const axes = Array.from({ length: axesIn.shape[0]! }, (_, i) => readInt(axesIn, i));
        const given = reduceBlock(x.shape, axes);
        if (given === undefined || !sameBlock(given, block!)) c.fail(`axes input [${axes.join(',')}] disagrees with the input and output shapes`);
      }
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
