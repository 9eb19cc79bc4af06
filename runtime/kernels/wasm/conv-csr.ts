// wasmsimd sparse Conv, NCHW, 1-D and 2-D, group 1, any window, pads, strides, dilations, fused
// bias + relu/clip, per image n (asm/sparse.as):
//
//   csr  f32-convcsr-24x1-wasmsimd:  W in CSR, staged as (value, byte offset) entries + row counts.
//        1×1 / stride 1 / no pads:   spmm24x1 over X itself, offset(col) = col·P·4 (Y never overlaps X).
//        otherwise:                  convCsrPhased: X zero-padded and split by stride phase into
//                                    planes xq[Cin·sh·sw][Hq][Wq], each entry (ci, kh, kw) one offset
//                                    into them, spmm over virtual pixels oh·Wq + ow, R output rows
//                                    at a time into the tile t[Cout][R·Wq], valid columns copied to Y.
//                                    Copies Cin·sh·sw·Hq·Wq + Cout·P floats per image where im2col
//                                    copies Cin·KH·KW·P; computes (Wq − OW)/Wq extra columns.
//
//   scratch = entries[nnz] (8 bytes) | counts[Cout] u32 | xq | t (k×k only)

import type { Kernel } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { CONV_SPARSE_JS_KERNELS } from '../js/conv-sparse.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import type { Spmm24x1 } from './common.js';
import { f32Bytes, nodeShapesOf, stageCsr, stagedCsrBytes, pointer, wasmKernel } from './common.js';
import { packedConv, phasedDims, pointwiseConv, window2d } from './conv-shape.js';
import { WASM_CSR } from './modules/csr.wasm.js';

const NEEDS = 'a float32 1-D or 2-D Conv with group 1 and a CSR weight';

type ConvCsrPhased = (x: number, w: number, nnz: number, y: number, b: number, xq: number, t: number, n: number, cin: number, h: number, wd: number,
  oh: number, ow: number, sh: number, sw: number, ph: number, pw: number, hq: number, wq: number, r: number, used: number, lo: number, hi: number) => void;

function convCsrWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_CSR],
    tile: '24x1', op: 'Conv', epilogue, format: 'csr', needs: NEEDS,
    js: CONV_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'csr')!,
    supports: packedConv('csr'),
    scratchBytes(node) {
      const p = node.inputs[1]?.packed;
      const staged = p ? stagedCsrBytes(p.values.length, node.inputs[1]!.shape[0]!) : 0;
      if (pointwiseConv(node)) return staged;
      const d = phasedDims(node);
      return staged + f32Bytes(d.xqFloats) + f32Bytes(d.tFloats);
    },
    prepare(c, env) {
      const plan = planSparseConv(c, 'csr', epilogue);
      const { x, y, bias, packed, batch, cin, cout, inSize, outSize: P, lo, hi } = plan;
      const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
      const b = c.ctx.inputs[2];
      const bp = bias === undefined || b === undefined ? 0 : pointer(c, env, b, 'bias');
      const xStep = cin * inSize * 4, yStep = cout * P * 4;
      if (pointwiseConv(nodeShapesOf(c.ctx))) {
        const { entries, counts } = stageCsr(c, env, packed, cout, (col) => col * P * 4);
        const spmm = env.exports['spmm24x1'] as Spmm24x1;
        return () => {
          for (let n = 0; n < batch; n++) spmm(entries, counts, xp + n * xStep, yp + n * yStep, bp, cout, P, P * 4, lo, hi);
        };
      }
      const { KH, KW, OH, OW, sh, sw, dh, dw } = window2d(nodeShapesOf(c.ctx));
      const { Hq, Wq, R, xqFloats, tFloats } = phasedDims(nodeShapesOf(c.ctx));
      const g = plan.g, two = g.kernel.length === 2;
      const [H, W, ph, pw] = two ? [g.inSpatial[0]!, g.inSpatial[1]!, g.padBegin[0]!, g.padBegin[1]!] : [1, g.inSpatial[0]!, 0, g.padBegin[0]!];
      // Packed column t·Cin + ci, tap t = (kh, kw): plane (ci, kh·dh mod sh, kw·dw mod sw), row ⌊kh·dh/sh⌋, column ⌊kw·dw/sw⌋.
      const { entries, counts } = stageCsr(c, env, packed, cout, (col) => {
        const ci = col % cin, tap = Math.floor(col / cin), kh = Math.floor(tap / KW), kw = tap % KW;
        const plane = (ci * sh + ((kh * dh) % sh)) * sw + ((kw * dw) % sw);
        return (plane * Hq * Wq + Math.floor((kh * dh) / sh) * Wq + Math.floor((kw * dw) / sw)) * 4;
      });
      // The stride phases some tap reads (bit a·sw + b; all when there are more than 31).
      let used = sh * sw > 31 ? -1 : 0;
      for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) if (used !== -1) used |= 1 << (((kh * dh) % sh) * sw + ((kw * dw) % sw));
      const xq = env.scratch(xqFloats * 4), tile = env.scratch(tFloats * 4);
      const conv = env.exports['convCsrPhased'] as ConvCsrPhased;
      return () => {
        for (let n = 0; n < batch; n++) {
          conv(xp + n * xStep, entries, counts, yp + n * yStep, bp, xq, tile, cout, cin, H, W, OH, OW, sh, sw, ph, pw, Hq, Wq, R, used, lo, hi);
        }
      };
    },
  });
}

export const CONV_CSR_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(convCsrWasm);
