// Reference Resize (opset 10 two-input form: asymmetric, nearest floor; opset 11+: modes nearest and
// linear, the coordinate transformations but tf_crop_and_resize; no cubic or antialias) and
// Upsample (opset 7–9: the opset-10 form, scales from input 1 or the attribute, 'bilinear' = linear).

import { defineKernel } from '../common/define.js';
import type { Cells, Checker } from '../common/define.js';
import type { RunFn } from '../kernel.js';

type Transform = (xr: number, scale: number, inLen: number, outLen: number) => number;

const TRANSFORMS: Readonly<Record<string, Transform>> = {
  half_pixel: (xr, s) => (xr + 0.5) / s - 0.5,
  half_pixel_symmetric: (xr, s, inLen) => {
    const outF = s * inLen;
    const adjustment = Math.floor(outF) / outF;
    const center = inLen / 2;
    return center * (1 - adjustment) + (xr + 0.5) / s - 0.5;
  },
  pytorch_half_pixel: (xr, s, _in, outLen) => (outLen > 1 ? (xr + 0.5) / s - 0.5 : 0),
  align_corners: (xr, _s, inLen, outLen) => (outLen === 1 ? 0 : (xr * (inLen - 1)) / (outLen - 1)),
  asymmetric: (xr, s) => xr / s,
};

const ROUNDING: Readonly<Record<string, (x: number) => number>> = {
  round_prefer_floor: (x) => (x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x)),
  round_prefer_ceil: (x) => Math.round(x),
  floor: Math.floor,
  ceil: Math.ceil,
};

function prepareResize(c: Checker, upsample: boolean): RunFn {
    const x = c.input(0, ['float32']);
    const opset10 = upsample || c.ctx.inputs.length === 2;
    const attrScales = upsample && c.ctx.inputs[1] === undefined ? c.floats('scales') : undefined;
    const scalesIn = attrScales ? { dtype: 'float32' as const, shape: [attrScales.length], data: Float32Array.from(attrScales) } : c.optionalInput(opset10 ? 1 : 2, ['float32']);
    const y = c.output(0, ['float32']);
    const rank = x.shape.length;
    if (y.shape.length !== rank) c.fail(`output rank ${y.shape.length} differs from input rank ${rank}`);
    const given = c.string('mode', 'nearest');
    const mode = upsample && given === 'bilinear' ? 'linear' : given;
    if (mode !== 'nearest' && mode !== 'linear') c.fail(`mode '${mode}' is not implemented (nearest, linear are)`);
    const ctm = opset10 ? 'asymmetric' : c.string('coordinate_transformation_mode', 'half_pixel');
    const transform = TRANSFORMS[ctm];
    if (!transform) c.fail(`coordinate_transformation_mode '${ctm}' is not implemented (${Object.keys(TRANSFORMS).join(', ')} are)`);
    const round = ROUNDING[opset10 ? 'floor' : c.string('nearest_mode', 'round_prefer_floor')];
    if (!round) c.fail(`nearest_mode '${c.string('nearest_mode', '')}' is not implemented`);
    if (c.int('antialias', 0) !== 0) c.fail('antialias is not implemented');
    if (c.ints('axes') !== undefined) c.fail('the axes attribute is not implemented');
    const scales = scalesIn && scalesIn.data.length > 0 ? Array.from(scalesIn.data as Float32Array) : undefined;
    if (scales && scales.length !== rank) c.fail(`scales has ${scales.length} values for rank ${rank}`);
    if (scales && scales.some((v) => !(v > 0) || !Number.isFinite(v))) c.fail(`scales [${scales.join(',')}] must be finite and > 0`);
    // Per axis and output index: the input indices and weights to blend.
    const taps = x.shape.map((inLen, a) => {
      const outLen = y.shape[a]!;
      const s = scales ? scales[a]! : outLen / inLen;
      const idx: number[][] = [], wts: number[][] = [];
      for (let o = 0; o < outLen; o++) {
        const xo = inLen === outLen && s === 1 ? o : transform(o, s, inLen, outLen);
        if (mode === 'nearest') {
          idx.push([Math.min(inLen - 1, Math.max(0, round(xo)))]);
          wts.push([1]);
        } else {
          const xc = Math.min(inLen - 1, Math.max(0, xo));
          const i0 = Math.floor(xc), i1 = Math.min(i0 + 1, inLen - 1), f = xc - i0;
          if (f === 0 || i1 === i0) { idx.push([i0]); wts.push([1]); } else { idx.push([i0, i1]); wts.push([1 - f, f]); }
        }
      }
      return { idx, wts };
    });
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
