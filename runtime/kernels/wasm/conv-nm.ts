// wasmsimd Conv from a standard (per-row) N:M weight, NCHW, 1-D and 2-D, group 1, any window,
// pads, strides, dilations, fused bias + relu/clip, per image n (asm/nm.as):
//
//   f32-convnm-24x1-wasmsimd (and -relu, -clip): the N:M bit stream decoded once at bind into
//   S = (K/m)·n (value, byte offset) slots per row, chunk-major in chunks of Sc slots per row
//   (nmChunkSlots); one broadcast weight × 24 pixels per step.
//     1×1 / stride 1 / no pads:  spmmNm over X itself, column ci at byte ci·P·4
//     any other window/stride:   convNmPhased: X split by stride phase into zero-padded planes
//                                xq[Cin·sh·sw][Hq][Wq] (conv-shape.ts phasedDims), virtual pixels
//                                oh·Wq + ow, R rows per tile t[Cout][rowT], valid columns to Y
//
//   scratch = slots[rows·S] (8 bytes) | xq | t (k×k only)

import type { Kernel, NodeShapes } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { CONV_SPARSE_JS_KERNELS } from '../js/conv-sparse.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import { f32Bytes, nodeShapesOf, pointer, wasmKernel } from './common.js';
import { geometry2d, packedConv, phasedDims, pointwiseConv } from './conv-shape.js';
import { WASM_NM } from './modules/nm.wasm.js';
import type { SpmmNm } from './nm-stage.js';
import { stageNm, stagedNmBytes } from './nm-stage.js';

const NEEDS = 'a float32 1-D or 2-D Conv with group 1 and an N:M weight';

/** The phase-plane layout of convCsrPhased with the tile rows rounded up to 4 floats (convNmPhased rounds the virtual pixels). */
function nmPhasedDims(node: NodeShapes): { Hq: number; Wq: number; R: number; xqFloats: number; tFloats: number } {
  const d = phasedDims(node);
  return { ...d, tFloats: node.outputs[0]!.shape[1]! * Math.ceil((d.R * d.Wq) / 4) * 4 };
}

type ConvNmPhased = (x: number, w: number, S: number, sc: number, y: number, b: number, xq: number, t: number, n: number, cin: number, h: number, wd: number,
  oh: number, ow: number, sh: number, sw: number, ph: number, pw: number, hq: number, wq: number, r: number, used: number, lo: number, hi: number) => void;

function convNmWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_NM],
    tile: '24x1', op: 'Conv', epilogue, format: 'nm', needs: NEEDS,
    js: CONV_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'nm')!,
    supports: packedConv('nm'),
    scratchBytes(node) {
      const staged = stagedNmBytes(node.inputs[1]?.packed);
      if (pointwiseConv(node)) return staged;
      const d = nmPhasedDims(node);
      return staged + f32Bytes(d.xqFloats) + f32Bytes(d.tFloats);
    },
    prepare(c, env) {
      const plan = planSparseConv(c, 'nm', epilogue);
      const { x, y, bias, packed, batch, cin, cout, inSize, outSize: P, lo, hi } = plan;
      const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
      const b = c.ctx.inputs[2];
      const bp = bias === undefined || b === undefined ? 0 : pointer(c, env, b, 'bias');
      const xStep = cin * inSize * 4, yStep = cout * P * 4;
      const node = nodeShapesOf(c.ctx);
      if (pointwiseConv(node)) {
        const { slots, S, Sc } = stageNm(c, env, packed, (col) => col * P * 4);
        const spmm = env.exports['spmmNm'] as SpmmNm;
        return () => {
          for (let n = 0; n < batch; n++) spmm(slots, S, Sc, xp + n * xStep, yp + n * yStep, bp, cout, P, P * 4, lo, hi);
        };
      }
      const { H, W, OH, OW, KW, KH, sh, sw, dh, dw, ph, pw } = geometry2d(plan);
      const { Hq, Wq, R, xqFloats, tFloats } = nmPhasedDims(node);
      // packed column t·Cin + ci, tap t = (kh, kw): plane (ci, kh·dh mod sh, kw·dw mod sw), row ⌊kh·dh/sh⌋, column ⌊kw·dw/sw⌋
      const { slots, S, Sc } = stageNm(c, env, packed, (col) => {
        const ci = col % cin, tap = Math.floor(col / cin), kh = Math.floor(tap / KW), kw = tap % KW;
        const plane = (ci * sh + ((kh * dh) % sh)) * sw + ((kw * dw) % sw);
        return (plane * Hq * Wq + Math.floor((kh * dh) / sh) * Wq + Math.floor((kw * dw) / sw)) * 4;
      });
      // the stride phases some tap reads (bit a·sw + b; all when there are more than 31)
      let used = sh * sw > 31 ? -1 : 0;
      for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) if (used !== -1) used |= 1 << (((kh * dh) % sh) * sw + ((kw * dw) % sw));
      const xq = env.scratch(xqFloats * 4), tile = env.scratch(tFloats * 4);
      const conv = env.exports['convNmPhased'] as ConvNmPhased;
      return () => {
        for (let n = 0; n < batch; n++) {
          conv(xp + n * xStep, slots, S, Sc, yp + n * yStep, bp, xq, tile, cout, cin, H, W, OH, OW, sh, sw, ph, pw, Hq, Wq, R, used, lo, hi);
        }
      };
    },
  });
}

export const CONV_NM_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(convNmWasm);
