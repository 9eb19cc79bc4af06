// js Conv for 1-D and 2-D NCHW (1-D runs as H = 1), fused relu/clip. Three paths, chosen at prepare:
//   pointwise (1×1, stride 1, no pads): Y_g[oc, pixel] = W_g[oc, ic] · X_g[ic, pixel], a GEMM whose
//       inner loop runs over contiguous pixels (sgemmAccumulate, 4 output channels per step);
//   depthwise (one input channel per group): per channel and tap, an axpy over the output
//       rows/columns whose input lies inside the image (ranges precomputed per tap);
//   general: im2col into a scratch [Cin/g·KH·KW, OH·OW] built in prepare, then the same GEMM.
// 3-D and higher convolutions delegate to the ref kernel.
//
//   im2col row r = (ic, kh, kw):  col[r, oh·OW + ow] = X[ic, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw] or 0

import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES, epilogueClamp } from '../common/epilogue.js';
import { windowGeometry } from '../common/geometry.js';
import { CONV_REF_KERNELS } from '../ref/conv.js';
import { clampRange, sgemmAccumulate } from './sgemm-core.js';

/** For each kernel offset t along one axis: the output range [lo, hi) reading inside [0, size). */
function validOutputRange(out: number, size: number, kernel: number, stride: number, dilation: number, pad: number): Int32Array {
  const r = new Int32Array(2 * kernel);
  for (let t = 0; t < kernel; t++) {
    const shift = t * dilation - pad; // input = o·stride + shift
    const lo = Math.max(0, Math.ceil(-shift / stride));
    const hi = Math.min(out, Math.floor((size - 1 - shift) / stride) + 1);
    r[2 * t] = lo;
    r[2 * t + 1] = Math.max(lo, hi);
  }
  return r;
}

function convJs(epilogue: Kernel['epilogue']): Kernel {
  const ref = CONV_REF_KERNELS.find((k) => k.epilogue === epilogue)!;
  return defineKernel({
    dtype: 'f32', tile: '4x1', op: 'Conv', target: 'js', epilogue, dtypes: ['float32'],
    prepare(c) {
      const x = c.input(0, ['float32']);
      const w = c.input(1, ['float32']);
      const b = c.optionalInput(2, ['float32']);
      const y = c.output(0, ['float32']);
      const rank = x.shape.length;
      if (rank > 4) return ref.prepare(c.ctx);
      if (rank < 3) c.fail(`input rank ${rank} < 3`);
      const { lo, hi } = epilogueClamp(c, epilogue);
      if (w.shape.length !== rank || y.shape.length !== rank) c.fail('input, weight and output ranks differ');
      const [batch, cin] = x.shape as [number, number];
      const [cout, cinG] = w.shape as [number, number];
      const group = c.int('group', 1);
      if (group < 1 || cin % group !== 0 || cout % group !== 0) c.fail(`group ${group} does not divide channels ${cin}/${cout}`);
      if (cinG * group !== cin) c.fail(`weight has ${cinG} input channels per group, expected ${cin / group}`);
      if (y.shape[0] !== batch || y.shape[1] !== cout) c.fail(`output shape [${y.shape.join(',')}] disagrees with batch ${batch} and ${cout} channels`);
      if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== cout)) c.fail(`bias must have shape [${cout}]`);
      const g = windowGeometry(c, x.shape.slice(2), w.shape.slice(2), y.shape.slice(2), false);
      // View 1-D as 2-D with a unit height axis.
      const two = rank === 4;
      const [H, W] = two ? [g.inSpatial[0]!, g.inSpatial[1]!] : [1, g.inSpatial[0]!];
      const [OH, OW] = two ? [g.outSpatial[0]!, g.outSpatial[1]!] : [1, g.outSpatial[0]!];
      const [KH, KW] = two ? [g.kernel[0]!, g.kernel[1]!] : [1, g.kernel[0]!];
      const [sh, sw] = two ? [g.strides[0]!, g.strides[1]!] : [1, g.strides[0]!];
      const [dh, dw] = two ? [g.dilations[0]!, g.dilations[1]!] : [1, g.dilations[0]!];
      const [ph, pw] = two ? [g.padBegin[0]!, g.padBegin[1]!] : [0, g.padBegin[0]!];
      const rowsH = validOutputRange(OH, H, KH, sh, dh, ph);
      const colsW = validOutputRange(OW, W, KW, sw, dw, pw);
      const inPlane = H * W, outPlane = OH * OW, taps = KH * KW;
      const coutG = cout / group, kDim = cinG * taps;
      const xd = x.data as Float32Array, wd = w.data as Float32Array, yd = y.data as Float32Array;
      const bd = b?.data as Float32Array | undefined;

      const initBias = (yOff: number, oc: number): void => { yd.fill(bd === undefined ? 0 : bd[oc]!, yOff, yOff + outPlane); };

      const pointwise = taps === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0
        && g.padEnd.every((p) => p === 0) && OH === H && OW === W;
      if (pointwise) {
        return () => {
          for (let n = 0; n < batch; n++) {
            for (let gi = 0; gi < group; gi++) {
              const yOff = (n * cout + gi * coutG) * outPlane;
              for (let oc = 0; oc < coutG; oc++) initBias(yOff + oc * outPlane, gi * coutG + oc);
              sgemmAccumulate(coutG, outPlane, cinG, wd, gi * coutG * cinG, cinG, 1, xd, (n * cin + gi * cinG) * inPlane, yd, yOff);
            }
          }
          clampRange(yd, 0, batch * cout * outPlane, lo, hi);
        };
      }

      if (cinG === 1) {
        return () => {
          for (let n = 0; n < batch; n++) {
            for (let oc = 0; oc < cout; oc++) {
              const yOff = (n * cout + oc) * outPlane;
              const xOff = (n * cin + Math.floor(oc / coutG)) * inPlane;
              initBias(yOff, oc);
              for (let kh = 0; kh < KH; kh++) {
                const ohLo = rowsH[2 * kh]!, ohHi = rowsH[2 * kh + 1]!;
                for (let kw = 0; kw < KW; kw++) {
                  const wv = wd[oc * taps + kh * KW + kw]!;
                  const owLo = colsW[2 * kw]!, owHi = colsW[2 * kw + 1]!;
                  for (let oh = ohLo; oh < ohHi; oh++) {
                    const xRow = xOff + (oh * sh - ph + kh * dh) * W - pw + kw * dw;
                    const yRow = yOff + oh * OW;
                    for (let ow = owLo; ow < owHi; ow++) yd[yRow + ow] += wv * xd[xRow + ow * sw]!;
                  }
                }
              }
              clampRange(yd, yOff, outPlane, lo, hi);
            }
          }
        };
      }

      const col = new Float32Array(kDim * outPlane);
      const im2col = (xOff: number): void => {
        for (let ic = 0; ic < cinG; ic++) {
          for (let kh = 0; kh < KH; kh++) {
            const ohLo = rowsH[2 * kh]!, ohHi = rowsH[2 * kh + 1]!;
            for (let kw = 0; kw < KW; kw++) {
              const r = ((ic * KH + kh) * KW + kw) * outPlane;
              const owLo = colsW[2 * kw]!, owHi = colsW[2 * kw + 1]!;
              col.fill(0, r, r + ohLo * OW);
              for (let oh = ohLo; oh < ohHi; oh++) {
                const dst = r + oh * OW;
                const src = xOff + ic * inPlane + (oh * sh - ph + kh * dh) * W - pw + kw * dw;
                col.fill(0, dst, dst + owLo);
                for (let ow = owLo; ow < owHi; ow++) col[dst + ow] = xd[src + ow * sw]!;
                col.fill(0, dst + owHi, dst + OW);
              }
              col.fill(0, r + ohHi * OW, r + outPlane);
            }
          }
        }
      };
      return () => {
        for (let n = 0; n < batch; n++) {
          for (let gi = 0; gi < group; gi++) {
            im2col((n * cin + gi * cinG) * inPlane);
            const yOff = (n * cout + gi * coutG) * outPlane;
            for (let oc = 0; oc < coutG; oc++) initBias(yOff + oc * outPlane, gi * coutG + oc);
            sgemmAccumulate(coutG, outPlane, kDim, wd, gi * coutG * kDim, kDim, 1, col, 0, yd, yOff);
          }
        }
        clampRange(yd, 0, batch * cout * outPlane, lo, hi);
      };
    },
  });
}

export const CONV_JS_KERNELS: readonly Kernel[] = EPILOGUES.map(convJs);
