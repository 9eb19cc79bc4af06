// wasmsimd sparse Conv, NCHW, 1-D and 2-D, group 1, any window, pads, strides, dilations, fused
// bias + relu/clip, per image n (asm/sparse.as):
//
//   csr  f32-convcsr-24x1-wasmsimd:  W in CSR, staged as (value, byte offset) entries + row counts.
//        1×1 / stride 1 / no pads:   spmm24x1 over X itself, offset(col) = col·P·4.
//        otherwise:                  convCsrIm2col: PT output pixels at a time, im2col tile
//                                    col[Cin·KH·KW][PT] (row r = ci·taps + t) in scratch, then
//                                    spmm over the tile; W's column t·Cin + ci (packed order,
//                                    layout.ts) is staged as offset r·PT·4.
//
//   scratch = entries[nnz] (8 bytes) | counts[Cout] u32 | col[K][PT] f32 (k×k only)

import type { Kernel, NodeShapes } from '../kernel.js';
import { EPILOGUES, epilogueId } from '../common/epilogue.js';
import type { WindowGeometry } from '../common/geometry.js';
import { CONV_SPARSE_JS_KERNELS } from '../js/conv-sparse.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import type { Spmm24x1 } from './common.js';
import { f32Bytes, nodeShapesOf, stageCsr, stagedCsrBytes, pointer, wasmKernel } from './common.js';
import { pointwiseConv } from './conv.js';

const NEEDS = 'a float32 1-D or 2-D Conv with group 1 and a CSR weight';

/** Float32 X and Y of rank 3 or 4, group 1, a CSR (or not yet packed) weight of matching channels. */
export function csrConv(node: NodeShapes): boolean {
  const [x, w] = node.inputs;
  const y = node.outputs[0];
  if (!x || !w || !y || x.dtype !== 'float32' || w.dtype !== 'float32') return false;
  if (w.packed !== undefined && w.packed.format !== 'csr') return false;
  const r = x.shape.length;
  if ((r !== 3 && r !== 4) || w.shape.length !== r || y.shape.length !== r) return false;
  if ((node.attrs['group'] ?? 1) !== 1 || w.shape[1] !== x.shape[1]) return false;
  return y.shape[0] === x.shape[0] && y.shape[1] === w.shape[0];
}

/**
 * Output pixels per im2col tile: a multiple of 24 (spmm24x1's block), col[K][PT] about 128 KiB
 * so that it stays in L2 while spmm reads it back, no more than the image needs.
 */
export function csrTile(k: number, p: number): number {
  const fit = Math.max(24, Math.floor(32768 / Math.max(k, 1) / 24) * 24);
  return Math.min(fit, Math.ceil(p / 4) * 4);
}

const spatial = (shape: readonly number[]): number => shape.slice(2).reduce((a, d) => a * d, 1);
const taps = (wShape: readonly number[]): number => wShape.slice(2).reduce((a, d) => a * d, 1);

type ConvCsrIm2col = (x: number, w: number, nnz: number, y: number, b: number, col: number, n: number, cin: number, h: number, wd: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number, pt: number, lo: number, hi: number) => void;

/** Geometry as 2-D (1-D runs as H = 1). */
function geometry2d(g: WindowGeometry) {
  const two = g.inSpatial.length === 2;
  const at = (a: readonly number[], i: number, def: number): number => (two ? a[i]! : i === 0 ? def : a[0]!);
  return {
    H: at(g.inSpatial, 0, 1), W: at(g.inSpatial, 1, 1), OH: at(g.outSpatial, 0, 1), OW: at(g.outSpatial, 1, 1),
    KH: at(g.kernel, 0, 1), KW: at(g.kernel, 1, 1), sh: at(g.strides, 0, 1), sw: at(g.strides, 1, 1),
    dh: at(g.dilations, 0, 1), dw: at(g.dilations, 1, 1), ph: at(g.padBegin, 0, 0), pw: at(g.padBegin, 1, 0),
  };
}

function convCsrWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    id: epilogueId('f32', 'convcsr', epilogue, '24x1', 'wasmsimd'), op: 'Conv', epilogue, format: 'csr', needs: NEEDS,
    js: CONV_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'csr')!,
    supports: csrConv,
    scratchBytes(node) {
      const p = node.inputs[1]?.packed;
      const w = node.inputs[1]!.shape, cout = w[0]!, k = w[1]! * taps(w);
      const staged = p ? stagedCsrBytes(p.values.length, cout) : 0;
      return staged + (pointwiseConv(node) ? 0 : f32Bytes(k * csrTile(k, spatial(node.outputs[0]!.shape))));
    },
    prepare(c, env) {
      const plan = planSparseConv(c, 'csr', epilogue);
      const { x, y, bias, packed, batch, cin, cout, inSize, outSize: P, lo, hi } = plan;
      const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
      const b = c.ctx.inputs[2];
      const bp = bias === undefined || b === undefined ? 0 : pointer(c, env, b, 'bias');
      const xStep = cin * inSize * 4, yStep = cout * P * 4;
      const t = plan.taps;
      if (pointwiseConv(nodeShapesOf(c.ctx))) {
        const { entries, counts } = stageCsr(c, env, packed, cout, (col) => col * P * 4);
        const spmm = env.exports['spmm24x1'] as Spmm24x1;
        return () => {
          for (let n = 0; n < batch; n++) spmm(entries, counts, xp + n * xStep, yp + n * yStep, bp, cout, P, P * 4, lo, hi);
        };
      }
      const k = cin * t, pt = csrTile(k, P);
      // Packed column t·Cin + ci is im2col row ci·taps + t.
      const { entries, counts } = stageCsr(c, env, packed, cout, (col) => ((col % cin) * t + Math.floor(col / cin)) * pt * 4);
      const colBuf = env.scratch(k * pt * 4);
      const { H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geometry2d(plan.g);
      const conv = env.exports['convCsrIm2col'] as ConvCsrIm2col;
      return () => {
        for (let n = 0; n < batch; n++) {
          conv(xp + n * xStep, entries, counts, yp + n * yStep, bp, colBuf, cout, cin, H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw, pt, lo, hi);
        }
      };
    },
  });
}

export const CONV_CSR_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(convCsrWasm);
