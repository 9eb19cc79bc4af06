// Resize's attributes and per-axis taps, shared by the ref kernel (the readable spec, which
// blends every axis) and the js kernel (separable passes over the last two axes): for each
// axis and output index, the input indices to blend and their weights.

import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';

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

/** One axis: per output index, one or two input indices and their weights (summing to 1). */
export interface AxisTaps { readonly idx: number[][]; readonly wts: number[][] }

/**
 * Reads and checks the node's Resize form (opset 11+: X, roi, scales, sizes; the two-input
 * opset-10 form: scales as input 1, asymmetric coordinates, floor; `upsample`: an Upsample node,
 * the opset-10 form with 'bilinear' meaning linear) and returns the taps of every
 * axis from x to y (the output view's shape: shape inference applied sizes / scales).
 */
export function resizeTaps(c: Checker, x: TensorView, y: TensorView, upsample = false): AxisTaps[] {
  // Upsample (opset 7–9) is the opset-10 form, its scales from input 1 or (opset 7) the attribute.
  const opset10 = upsample || c.ctx.inputs.length === 2;
  const attrScales = upsample && c.ctx.inputs[1] === undefined ? c.floats('scales') : undefined;
  const scalesIn = attrScales ? { data: Float32Array.from(attrScales) } : c.optionalInput(opset10 ? 1 : 2, ['float32']);
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
  return x.shape.map((inLen, a) => {
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
}
