// wasmsimd Conv from an nm or bsr weight, NCHW, group 1, fused bias + relu/clip, per image n,
// with the row-block tile of asm/rowblock.as (4 output channels × 8 pixels, kept columns only):
//
//   f32-convnm-4x8-wasmsimd, f32-convbsr-4x8-wasmsimd (and -relu, -clip):
//     1×1 / stride 1 / no pads:  spmm4x8 over X_n[Cin][P], column ci at byte ci·P·4
//     stride 1, any window:      convRowblockWide: X into a zero-bordered Xp[Cin][Hp][Wp], column
//                                (kh, kw, ci) at byte (ci·Hp·Wp + kh·dh·Wp + kw·dw)·4, the product
//                                on the wide grid oh·Wp + ow into Yw, its OW real columns copied out
//     any other window:          convRowblock: im2col tiles col[Cin·KH·KW][PT] (common.as), column
//                                (kh, kw, ci) = tap t, channel ci at im2col row ci·taps + t
//   scratch = the staged weight (rowblock.ts) | Xp and Yw (stride 1) or the col tile (strided)

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

/** Padded input and wide output sizes of the stride-1 path, from the output shape and the dilated window. */
function wideGrid(node: NodeShapes): { hp: number; wp: number; p1: number } | undefined {
  const s = node.attrs['strides'];
  if (Array.isArray(s) && s.some((d) => d !== 1)) return undefined;
  const y = node.outputs[0]!.shape, w = node.inputs[1]!.shape, d = node.attrs['dilations'];
  const two = y.length === 4;
  const [oh, ow] = two ? [y[2]!, y[3]!] : [1, y[2]!];
  const [kh, kw] = two ? [w[2]!, w[3]!] : [1, w[2]!];
  const [dh, dw] = Array.isArray(d) ? (two ? [d[0] as number, d[1] as number] : [1, d[0] as number]) : [1, 1];
  const hp = oh + (kh - 1) * dh, wp = ow + (kw - 1) * dw;
  return { hp, wp, p1: (oh - 1) * wp + ow };
}

/** Wide pixels per block: C·KH input rows of PB floats about 128 KiB, a multiple of 8. */
const widePixelBlock = (c: number, kh: number, p1: number): number => Math.min(Math.ceil(p1 / 8) * 8, Math.max(8, Math.floor(32768 / (c * kh) / 8) * 8));

type ConvRowblockWide = (x: number, xp: number, wts: number, offs: number, cnt: number, y: number, yw: number, b: number, n: number, c: number, h: number, w: number,
  pt: number, pl: number, hp: number, wp: number, oh: number, ow: number, pb: number, lo: number, hi: number) => void;

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
      const wide = wideGrid(node);
      if (wide) return staged + f32Bytes(node.inputs[0]!.shape[1]! * wide.hp * wide.wp) + f32Bytes(node.outputs[0]!.shape[1]! * wide.p1);
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
      if (sh === 1 && sw === 1) {
        const Hp = OH + (KH - 1) * dh, Wp = OW + (KW - 1) * dw, P1 = (OH - 1) * Wp + OW;
        const { wts, offs, cnt } = stageRowBlocks(env, rb, (col) => {
          const t = Math.floor(col / cin), ci = col % cin;
          return (ci * Hp * Wp + Math.floor(t / KW) * dh * Wp + (t % KW) * dw) * 4;
        });
        const xpad = env.scratch(cin * Hp * Wp * 4), yw = env.scratch(cout * P1 * 4);
        new Float32Array(env.memory.buffer, xpad, cin * Hp * Wp).fill(0); // the border stays zero: only the interior is rewritten
        const pb = widePixelBlock(cin, KH, P1);
        const conv = env.exports['convRowblockWide'] as ConvRowblockWide;
        return () => {
          for (let n = 0; n < batch; n++) conv(xp + n * xStep, xpad, wts, offs, cnt, yp + n * yStep, yw, bp, cout, cin, H, W, ph, pw, Hp, Wp, OH, OW, pb, lo, hi);
        };
      }
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
