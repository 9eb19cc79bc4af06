// wasmsimd Conv from an nm or bsr weight, NCHW, group 1, fused bias + relu/clip, per image n,
// with the row-block tile of asm/rowblock.as (4 output channels × 8 pixels, kept columns only):
//
//   f32-convnm-4x8-wasmsimd, f32-convbsr-4x8-wasmsimd (and -relu, -clip):
//     1×1 / stride 1 / no pads:  spmm4x8 over X_n[Cin][P], column ci at byte ci·P·4
//     any other window:          convRowblock: im2col tiles col[Cin·KH·KW][PT] (common.as), column
//                                (kh, kw, ci) = tap t, channel ci at im2col row ci·taps + t
//   scratch = the staged weight (rowblock.ts) | col tile (k×k only)

import type { Kernel, NodeShapes } from '../kernel.js';
import { EPILOGUES, epilogueId } from '../common/epilogue.js';
import type { ConvPlan } from '../common/conv-plan.js';
import { CONV_SPARSE_JS_KERNELS } from '../js/conv-sparse.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import { im2colTile, pointwiseConv } from './conv.js';
import type { Spmm4x8 } from './rowblock.js';
import { rowBlockBytes, rowBlocks, stageRowBlocks } from './rowblock.js';

const NEEDS = 'a float32 1-D or 2-D Conv with group 1';

/** Float32, rank 3 or 4, group 1, consistent shapes (the packed weight's format is prepare's to check, with its own message). */
function rowBlockConv(node: NodeShapes): boolean {
  const [x, w] = node.inputs;
  const y = node.outputs[0];
  if (!x || !w || !y || x.dtype !== 'float32' || w.dtype !== 'float32') return false;
  const r = x.shape.length;
  if ((r !== 3 && r !== 4) || w.shape.length !== r || y.shape.length !== r) return false;
  if ((node.attrs['group'] ?? 1) !== 1 || w.shape[1] !== x.shape[1]) return false;
  return y.shape[0] === x.shape[0] && y.shape[1] === w.shape[0];
}

const isPointwise = (p: ConvPlan): boolean => p.taps === 1 && p.g.strides.every((s) => s === 1)
  && p.g.padBegin.every((d) => d === 0) && p.g.padEnd.every((d) => d === 0) && p.inSize === p.outSize;

/** Geometry as 2-D (1-D runs as H = 1). */
function geometry2d(p: ConvPlan) {
  const g = p.g, two = g.inSpatial.length === 2;
  const at = (a: readonly number[], i: number, def: number): number => (two ? a[i]! : i === 0 ? def : a[0]!);
  return {
    H: at(g.inSpatial, 0, 1), W: at(g.inSpatial, 1, 1), OH: at(g.outSpatial, 0, 1), OW: at(g.outSpatial, 1, 1),
    KH: at(g.kernel, 0, 1), KW: at(g.kernel, 1, 1), sh: at(g.strides, 0, 1), sw: at(g.strides, 1, 1),
    dh: at(g.dilations, 0, 1), dw: at(g.dilations, 1, 1), ph: at(g.padBegin, 0, 0), pw: at(g.padBegin, 1, 0),
  };
}

type ConvRowblock = (x: number, wts: number, offs: number, cnt: number, y: number, b: number, col: number, n: number, cin: number, h: number, wd: number,
  oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number, pt: number, lo: number, hi: number) => void;

function convRowBlockWasm(format: 'nm' | 'bsr', epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    id: epilogueId('f32', `conv${format}`, epilogue, '4x8', 'wasmsimd'), op: 'Conv', epilogue, format, needs: NEEDS,
    js: CONV_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === format)!,
    supports: (node) => rowBlockConv(node),
    scratchBytes(node) {
      const staged = rowBlockBytes(node.inputs[1]?.packed);
      if (pointwiseConv(node)) return staged;
      const k = node.inputs[1]!.shape.slice(1).reduce((a, d) => a * d, 1);
      const p = node.outputs[0]!.shape.slice(2).reduce((a, d) => a * d, 1);
      return staged + f32Bytes(k * im2colTile(k, p));
    },
    prepare(c, env) {
      const p = planSparseConv(c, format, epilogue);
      const { x, y, batch, cin, cout, taps, lo, hi } = p;
      const rb = rowBlocks(c, p.packed);
      const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
      const b = c.ctx.inputs[2];
      const bp = b === undefined ? 0 : pointer(c, env, b, 'bias');
      const xStep = cin * p.inSize * 4, yStep = cout * p.outSize * 4;
      if (isPointwise(p)) {
        const P = p.outSize;
        const { wts, offs, cnt } = stageRowBlocks(env, rb, (k) => k * P * 4);
        const spmm = env.exports['spmm4x8'] as Spmm4x8;
        return () => {
          for (let n = 0; n < batch; n++) spmm(wts, offs, cnt, xp + n * xStep, yp + n * yStep, bp, cout, cin, P, lo, hi);
        };
      }
      const { H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geometry2d(p);
      const k = cin * taps, pt = im2colTile(k, p.outSize);
      // packed column (t, ci) → im2col row ci·taps + t, PT floats per row
      const { wts, offs, cnt } = stageRowBlocks(env, rb, (col) => ((col % cin) * taps + Math.floor(col / cin)) * pt * 4);
      const colBuf = env.scratch(k * pt * 4);
      const conv = env.exports['convRowblock'] as ConvRowblock;
      return () => {
        for (let n = 0; n < batch; n++) {
          conv(xp + n * xStep, wts, offs, cnt, yp + n * yStep, bp, colBuf, cout, cin, H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw, pt, lo, hi);
        }
      };
    },
  });
}

export const CONV_ROWBLOCK_WASM_KERNELS: readonly Kernel[] =
  (['nm', 'bsr'] as const).flatMap((f) => EPILOGUES.map((e) => convRowBlockWasm(f, e)));
