// wasmsimd Conv from an nm or bsr weight, NCHW, group 1, fused bias + relu/clip, per image n,
// with the row-block tile of asm/rowblock.as (4 output channels × 8 pixels, kept columns only):
//
//   f32-convnm-4x8-wasmsimd, f32-convbsr-4x8-wasmsimd (and -relu, -clip):
//     1×1 / stride 1 / no pads:  spmm4x8 over X_n[Cin][P], column ci at byte ci·P·4
//     any other window/stride:   convRowblockWide, no im2col: X into sh·sw zero-bordered phase
//                                planes Q[a][b][Cin][Hq][Wq] of the padded input; column
//                                (kh, kw, ci) = one contiguous row of Q on the wide output grid
//                                oh·Wq + ow (byte offset in `offs`, see wideLayout); the product
//                                goes to Yw[Cout][P1], its OW real columns copied into Y (to Y
//                                directly when Wq = OW, as for 1×1 strided)
//   scratch = the staged weight (rowblock.ts) | Q | Yw  (Q and Yw for the wide path only)
//
// (The im2col tiles the dense kernel uses cost 0.25–0.33 ms per resnet10 3×3 layer, most of a
// sparse layer's time; the phase planes are one copy of the input.)

import type { Kernel, NodeShapes } from '../kernel.js';
import { EPILOGUES } from '../common/epilogue.js';
import { CONV_SPARSE_JS_KERNELS } from '../js/conv-sparse.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import { geometry2d, isPointwise, pointwiseConv } from './conv-shape.js';
import type { Spmm4x8 } from './rowblock.js';
import { rowBlockBytes, rowBlocks, stageRowBlocks } from './rowblock.js';
import { WASM_ROWBLOCK } from './modules/rowblock.wasm.js';

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


/** The wide path's geometry: padded input Hp × Wp, phase planes Hq × Wq, P1 wide output pixels. */
interface WideLayout { readonly hp: number; readonly wp: number; readonly hq: number; readonly wq: number; readonly p1: number }

function wideLayout(oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number): WideLayout {
  const hp = (oh - 1) * sh + (kh - 1) * dh + 1, wp = (ow - 1) * sw + (kw - 1) * dw + 1;
  const hq = Math.ceil(hp / sh), wq = Math.ceil(wp / sw);
  return { hp, wp, hq, wq, p1: (oh - 1) * wq + ow };
}

/** Attribute `name` as 2-D (1-D runs as H = 1): [h, w]. */
function pair(node: NodeShapes, name: string, two: boolean): [number, number] {
  const v = node.attrs[name];
  if (!Array.isArray(v)) return [1, 1];
  return two ? [v[0] as number, v[1] as number] : [1, v[0] as number];
}

/** Scratch floats of the wide path from the node's shapes: the sh·sw phase planes, and Yw. */
function wideFloats(node: NodeShapes): { planes: number; wide: number } {
  const y = node.outputs[0]!.shape, w = node.inputs[1]!.shape, two = y.length === 4;
  const [sh, sw] = pair(node, 'strides', two), [dh, dw] = pair(node, 'dilations', two);
  const l = wideLayout(two ? y[2]! : 1, y[y.length - 1]!, two ? w[2]! : 1, w[w.length - 1]!, sh, sw, dh, dw);
  return { planes: node.inputs[0]!.shape[1]! * sh * sw * l.hq * l.wq, wide: l.wq === y[y.length - 1]! ? 0 : y[1]! * l.p1 };
}

/** Wide pixels per block: C·KH rows of PB floats about 128 KiB, a multiple of 8. */
const widePixelBlock = (c: number, kh: number, p1: number): number => Math.min(Math.ceil(p1 / 8) * 8, Math.max(8, Math.floor(32768 / (c * kh) / 8) * 8));

type ConvRowblockWide = (x: number, q: number, wts: number, offs: number, cnt: number, y: number, yw: number, b: number, n: number, c: number, h: number, w: number,
  sh: number, sw: number, pt: number, pl: number, hp: number, wp: number, hq: number, wq: number, oh: number, ow: number, usedA: number, usedB: number,
  pb: number, lo: number, hi: number) => void;

function convRowBlockWasm(format: 'nm' | 'bsr', epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_ROWBLOCK],
    tile: '4x8', rowBlock: 4, op: 'Conv', epilogue, format, needs: NEEDS,
    js: CONV_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === format)!,
    supports: (node) => rowBlockConv(node),
    scratchBytes(node) {
      const staged = rowBlockBytes(node.inputs[1]?.packed);
      if (pointwiseConv(node)) return staged;
      const { planes, wide } = wideFloats(node);
      return staged + f32Bytes(planes) + f32Bytes(wide);
    },
    prepare(c, env) {
      const p = planSparseConv(c, format, epilogue);
      const { x, y, batch, cin, cout, lo, hi } = p;
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
      const l = wideLayout(OH, OW, KH, KW, sh, sw, dh, dw);
      const plane = cin * l.hq * l.wq;
      // packed column (kh, kw, ci) → Q[kh·dh mod sh][kw·dw mod sw][ci][kh·dh div sh][kw·dw div sw]
      const { wts, offs, cnt } = stageRowBlocks(env, rb, (col) => {
        const t = Math.floor(col / cin), ci = col % cin;
        const r = Math.floor(t / KW) * dh, s = (t % KW) * dw;
        return (((r % sh) * sw + (s % sw)) * plane + (ci * l.hq + Math.floor(r / sh)) * l.wq + Math.floor(s / sw)) * 4;
      });
      const q = env.scratch(sh * sw * plane * 4), yw = l.wq === OW ? 0 : env.scratch(cout * l.p1 * 4); // Wq = OW: straight into Y
      new Float32Array(env.memory.buffer, q, sh * sw * plane).fill(0); // the borders stay zero: run() rewrites only what X fills
      const pb = widePixelBlock(cin, KH, l.p1);
      // row / column phases some tap reads (1×1 stride 2 reads only phase 0 of each)
      let usedA = sh > 30 ? -1 : 0, usedB = sw > 30 ? -1 : 0;
      for (let kh = 0; kh < KH && sh <= 30; kh++) usedA |= 1 << ((kh * dh) % sh);
      for (let kw = 0; kw < KW && sw <= 30; kw++) usedB |= 1 << ((kw * dw) % sw);
      const conv = env.exports['convRowblockWide'] as ConvRowblockWide;
      return () => {
        for (let n = 0; n < batch; n++) {
          conv(xp + n * xStep, q, wts, offs, cnt, yp + n * yStep, yw, bp, cout, cin, H, W, sh, sw, ph, pw, l.hp, l.wp, l.hq, l.wq, OH, OW, usedA, usedB, pb, lo, hi);
        }
      };
    },
  });
}

export const CONV_ROWBLOCK_WASM_KERNELS: readonly Kernel[] =
  (['nm', 'bsr'] as const).flatMap((f) => EPILOGUES.map((e) => convRowBlockWasm(f, e)));
