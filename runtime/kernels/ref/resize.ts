// Reference Resize (opset 11+: X, roi, scales, sizes; the two-input opset-10 form reads scales
// from input 1 with asymmetric coordinates) and Upsample (opset 7–9: the opset-10 form, scales
// from input 1 or the attribute, 'bilinear' = linear): modes nearest (nearest_mode round_prefer_floor,
// round_prefer_ceil, floor, ceil) and linear (N-linear over every resized axis), coordinate
// transformations half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners and
// asymmetric. Not implemented (the kernel refuses them): cubic, tf_crop_and_resize, antialias.
// The output shape comes from the output view (shape inference applied sizes / scales); the
// attributes and taps are read in common/resize-plan.ts (shared with the js kernel).

import { defineKernel } from '../common/define.js';
import type { Cells, Checker } from '../common/define.js';
import type { RunFn } from '../kernel.js';
import { resizeTaps } from '../common/resize-plan.js';

function prepareResize(c: Checker, upsample: boolean): RunFn {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['float32']);
    const rank = x.shape.length;
    const taps = resizeTaps(c, x, y, upsample);
    const inStrides = new Array<number>(rank);
    for (let a = rank - 1, s = 1; a >= 0; a--) { inStrides[a] = s; s *= x.shape[a]!; }
    const xd = x.data as Cells, yd = y.data as Float32Array;
    const outDims = y.shape;
    const total = outDims.reduce((p, d) => p * d, 1);
    const pos = new Array<number>(rank).fill(0);
    const blend = (a: number, base: number): number => {
      if (a === rank) return xd[base] as number;
      const t = taps[a]!, o = pos[a]!;
      const ii = t.idx[o]!, ww = t.wts[o]!;
      let acc = 0;
      for (let k = 0; k < ii.length; k++) acc += ww[k]! * blend(a + 1, base + ii[k]! * inStrides[a]!);
      return acc;
    };
    return () => {
      pos.fill(0);
      for (let i = 0; i < total; i++) {
        yd[i] = blend(0, 0);
        for (let a = rank - 1; a >= 0; a--) {
          if (++pos[a]! < outDims[a]!) break;
          pos[a] = 0;
        }
      }
    };
}

export const resizeRef = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'Resize', target: 'ref', dtypes: ['float32'],
  prepare: (c) => prepareResize(c, false),
});

export const upsampleRef = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'Upsample', target: 'ref', dtypes: ['float32'],
  prepare: (c) => prepareResize(c, true),
});
