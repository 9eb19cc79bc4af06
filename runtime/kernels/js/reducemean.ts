// js ReduceMean over one contiguous block of axes (axes as attribute): the input is viewed as
// [outer, reduced, inner]; inner = 1 sums contiguous runs (a token mean, a LayerNorm mean),
// otherwise whole inner rows are accumulated at a time. Sums in doubles like the ref.

import type { DType } from '../../tensor.js';
import type { NodeShapes } from '../kernel.js';
import { defineKernel } from '../common/define.js';

const F32: readonly DType[] = ['float32'];

/** [outer, reduced, inner] when the reduced axes (size-1 axes aside) are one contiguous block. */
function blockOf(shape: readonly number[], axes: readonly number[] | undefined): { outer: number; red: number; inner: number } | undefined {
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(axes === undefined || axes.length === 0);
  for (const a of axes ?? []) {
    const d = a < 0 ? a + rank : a;
    if (d < 0 || d >= rank) return undefined;
    reduced[d] = true;
  }
  const live = shape.map((d, i) => i).filter((i) => shape[i] !== 1);
  const firstR = live.findIndex((i) => reduced[i]);
  let lastR = -1;
  live.forEach((i, k) => { if (reduced[i]) lastR = k; });
  if (firstR >= 0 && live.slice(firstR, lastR + 1).some((i) => !reduced[i])) return undefined;
  const prod = (ix: readonly number[]): number => ix.reduce((p, i) => p * shape[i]!, 1);
  if (firstR < 0) return { outer: prod(live), red: 1, inner: 1 };
  return { outer: prod(live.slice(0, firstR)), red: prod(live.slice(firstR, lastR + 1)), inner: prod(live.slice(lastR + 1)) };
}

function attrAxes(attrs: NodeShapes['attrs']): readonly number[] | undefined {
  const a = attrs['axes'];
  return Array.isArray(a) ? (a as readonly number[]) : undefined;
}

export const reduceMeanJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'ReduceMean', target: 'js', dtypes: F32,
  supports(node: NodeShapes): boolean {
    const x = node.inputs[0];
    if (!x || x.dtype !== 'float32' || node.inputs[1] !== undefined) return false;
    const axes = attrAxes(node.attrs);
    if ((axes === undefined || axes.length === 0) && node.attrs['noop_with_empty_axes'] === 1) return false;
    return blockOf(x.shape, axes) !== undefined;
  },
  prepare(c) {
    const x = c.input(0, F32);
    if (c.optionalInput(1)) c.fail('axes as an input are not supported (the ref kernel reads them)');
    const y = c.output(0, F32);
    const axes = c.ints('axes');
    if ((axes === undefined || axes.length === 0) && c.int('noop_with_empty_axes', 0) !== 0) c.fail('noop_with_empty_axes is not supported');
    const block = blockOf(x.shape, axes);
    if (block === undefined) c.fail(`axes [${axes?.join(',')}] are not one contiguous block of [${x.shape.join(',')}]`);
    const { outer, red, inner } = block!;
    const m = y.shape.reduce((p, d) => p * d, 1);
    if (m !== outer * inner) c.fail(`output shape [${y.shape.join(',')}] disagrees with the reduced axes`);
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    const acc = new Float64Array(inner);
    if (inner === 1) {
      return () => {
        for (let o = 0, base = 0; o < outer; o++, base += red) {
          let s = 0;
          for (let r = 0; r < red; r++) s += xd[base + r]!;
          yd[o] = s / red;
        }
      };
    }
    return () => {
      for (let o = 0; o < outer; o++) {
        acc.fill(0);
        for (let r = 0, base = o * red * inner; r < red; r++, base += inner) {
          for (let i = 0; i < inner; i++) acc[i] += xd[base + i]!;
        }
        for (let i = 0; i < inner; i++) yd[o * inner + i] = acc[i]! / red;
      }
    };
  },
});
