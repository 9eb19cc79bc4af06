// wasmsimd int8 Conv on an N:M weight: QLinearConv whose int8 weight (input 3) is stored N:M with
// zero point 0, read packed (no expansion), NCHW 1-D and 2-D, group 1 (asm/int8nm.as):
//
//   i8-qlinearconvnm-16x1-wasmsimd: at prepare, each row's kept weights paired within their
//     group into 8-byte slots (wa, wb int16; the byte offset of the Xc row of their two columns),
//     and the pairs that are not a natural k pair (2kk, 2kk+1) listed once as derived rows;
//     per image, PT output pixels at a time: the natural pair rows of x − x_zero_point in the
//     N:M matrix's column order (kh, kw, ci) (i8colNm: x's planes for a 1×1 conv with unit strides
//     and no pads, else im2col rows), the derived rows by one shuffle each (i8pairsNm), then
//     i8gemmNm's 1-row × 16-pixel dot tiles over the slots, bias and requantization fused.
//
//   scratch = slots[rows·S] (8 bytes) | derived table[D] (12 bytes) | Xc[(kpad/2 + D) rows][PT pixels·4 bytes] | tmp | mult | zy
//             | partial sums[rows][16] int32
//
// The int32 sums are the dense kernel's on the expanded weight (integer sums in any order), so
// the outputs are bit for bit those of i8-qlinearconv-4x8-wasmsimd. Without WebAssembly its ref
// kernel (ref/qlinearconv-nm.ts) runs the weight expanded (it also validates the node first, on that expansion).

import type { NodeShapes } from '../kernel.js';
import type { NmWeight } from '../../sparse/packed.js';
import { nmIndexBits, readNmSlot } from '../../sparse/packed.js';
import { qLinearConvNmRef } from '../ref/qlinearconv-nm.js';
import { windowGeometry } from '../common/geometry.js';
import { nodeShapesOf } from './common.js';
import { geometry2d } from './conv-shape.js';
import { CONV_LAYOUT, int8ConvOperands, int8ConvRunStart } from './qlinearconv.js';
import { bytePointer, bytes16, gemmMode, int8Kernel, isInt8, padCols, padK } from './int8-gemm.js';

const NEEDS = 'an int8/uint8 1-D or 2-D QLinearConv with group 1 and an int8 N:M weight of zero point 0';
const AT = CONV_LAYOUT.QLinearConv;

/**
 * Bytes of Xc a pixel tile may take (L2-resident): 2× the dense kernel's 128 KiB, as 2:4 adds up to
 * 4 derived pair rows to every 2 natural ones. Measured on resnet10_w32's and squeezenet's 3×3
 * layers (kernel CPU µs against the dense kernel, load 5–8 on 2 cores): 128 KiB 1.11–1.34×, 256 KiB
 * 1.20–1.39×, 384 KiB 0.91–1.40× (the K = 288 layers over 729–3136 pixels lost).
 */
const TILE_BYTES = 256 * 1024;

type I8ColNm = (x: number, signed: number, zx: number, col: number, rowBytes: number, tmp: number, cin: number, h: number, w: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number, p0: number, pn: number, kpad: number, pointwise: number) => void;
type I8PairsNm = (col: number, rowBytes: number, first: number, table: number, count: number, pt: number) => void;
type I8GemmNm = (w: number, s: number, sc: number, col: number, n: number, p: number, part: number, y: number, rowY: number, mode: number, bias: number,
  mult: number, zy: number, lo: number, hi: number) => void;

/**
 * Reduction columns per chunk (i8gemmNm): at 2:4 a chunk's Xc rows for 16 pixels take 96 bytes per
 * column, 12 KiB for 128 columns, which stay in a 32 KiB L1 data cache while every output row runs.
 */
const CHUNK_COLUMNS = 128;

/** A weight's slots and derived pair rows, row indices into Xc (natural rows first, then the derived ones). */
export interface NmPairPlan {
  /** Slots per output row. */
  readonly S: number;
  /** Slots per output row per chunk (the last chunk holds the rest). */
  readonly Sc: number;
  /** Per slot, chunk-major (chunk c holds every row's slots c·Sc.. in row order): (wa & 0xffff) | (wb << 16), then its Xc row. */
  readonly slots: Uint32Array;
  /** Per derived row, ordered by their columns: the natural rows of its columns a and b, and (a & 1)·2 + (b & 1). */
  readonly derived: Uint32Array;
  readonly D: number;
}

const plans = new WeakMap<NmWeight, NmPairPlan>();
const DERIVED = 0x80000000;

/**
 * Pairs each group's kept weights in slot order ((s0, s1), (s2, s3), …; an odd last one with a
 * zero weight on its natural neighbour a ^ 1): a pair (a, b) of one natural k pair reads that row,
 * any other a derived row, one per distinct (a, b), ordered by column so that a chunk's derived
 * rows are contiguous. Throws on an index stream that is not N:M (slot ≥ m or not increasing).
 */
export function nmPairPlan(p: NmWeight): NmPairPlan {
  const known = plans.get(p);
  if (known) return known;
  const { rows, cols, n, m, values, indices } = p;
  const G = cols / m, half = Math.ceil(n / 2), S = G * half, bits = nmIndexBits(m), natural = padK(cols) / 2;
  const Sc = Math.min(G, Math.max(1, Math.floor(CHUNK_COLUMNS / m))) * half;
  const flat = new Uint32Array(rows * S * 2); // row-major first
  const derivedAt = new Map<number, number>();
  const cs = new Int32Array(n), ws = new Int32Array(n);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < G; g++) {
      const first = (r * G + g) * n;
      for (let s = 0; s < n; s++) {
        const slot = readNmSlot(indices, first + s, bits);
        if (slot >= m || (s > 0 && slot <= cs[s - 1]! - g * m)) throw new Error(`nm: slot index ${slot} in group ${r * G + g} is out of range or not increasing`);
        cs[s] = g * m + slot;
        ws[s] = values[first + s]!;
      }
      for (let s = 0; s < n; s += 2) {
        let a = cs[s]!, wa = ws[s]!, b = s + 1 < n ? cs[s + 1]! : a ^ 1, wb = s + 1 < n ? ws[s + 1]! : 0;
        if (b < a) [a, b, wa, wb] = [b, a, wb, wa];
        let row = a >> 1;
        if (a >> 1 !== b >> 1) {
          const key = a * cols + b;
          let d = derivedAt.get(key);
          if (d === undefined) derivedAt.set(key, (d = derivedAt.size));
          row = DERIVED | d;
        }
        flat[o++] = (wa & 0xffff) | (wb << 16);
        flat[o++] = row;
      }
    }
  }
  // Derived rows by column: rank of each key
  const keys = [...derivedAt.keys()].sort((x, y) => x - y);
  const rowOf = new Uint32Array(keys.length), derived = new Uint32Array(keys.length * 3);
  keys.forEach((key, i) => {
    const a = Math.floor(key / cols), b = key % cols;
    rowOf[derivedAt.get(key)!] = natural + i;
    derived[3 * i] = a >> 1; derived[3 * i + 1] = b >> 1; derived[3 * i + 2] = (a & 1) * 2 + (b & 1);
  });
  const slots = new Uint32Array(flat.length);
  o = 0;
  for (let s0 = 0; s0 < S; s0 += Sc) {
    const sc = Math.min(Sc, S - s0);
    for (let r = 0; r < rows; r++) {
      for (let s = s0; s < s0 + sc; s++, o += 2) {
        const at = 2 * (r * S + s), row = flat[at + 1]!;
        slots[o] = flat[at]!;
        slots[o + 1] = row >= DERIVED ? rowOf[row - DERIVED]! : row;
      }
    }
  }
  const plan = { S, Sc, slots, derived, D: keys.length };
  plans.set(p, plan);
  return plan;
}

/** The node's N:M int8 weight, when the kernel can read it: packed nm, zero point absent or all 0. */
function nmWeightOf(node: NodeShapes): NmWeight | undefined {
  const w = node.inputs[AT.w]?.packed;
  return w?.format === 'nm' && node.inputs[AT.w]!.dtype === 'int8' ? w : undefined;
}

const spatial = (shape: readonly number[]): number => shape.slice(2).reduce((a, d) => a * d, 1);

/** Output pixels per tile: Xc within TILE_BYTES, a multiple of 16 (i8gemmNm's step), at least 16, no more than the image needs. */
function pixelTile(rows: number, p: number): number {
  const fit = Math.max(16, Math.floor(TILE_BYTES / (rows * 4) / 16) * 16);
  return Math.min(fit, padCols(p));
}

/** The scratch layout of a node: rows of Xc, the pixel tile and the bytes of each part. */
function layoutOf(node: NodeShapes, w: NmWeight): { plan: NmPairPlan; kpad: number; rows: number; pt: number } {
  const plan = nmPairPlan(w), kpad = padK(w.cols), rows = kpad / 2 + plan.D;
  return { plan, kpad, rows, pt: pixelTile(rows, spatial(node.outputs[0]!.shape)) };
}

function supports(node: NodeShapes): boolean {
  const w = nmWeightOf(node);
  if (!w) return false;
  const unpacked = { ...node, inputs: node.inputs.map((v, i) => (i === AT.w && v ? { dtype: v.dtype, shape: v.shape } : v)) };
  const o = int8ConvOperands('QLinearConv', unpacked);
  if (o === undefined || o.group !== 1 || o.w[1] !== o.x[1]) return false;
  const zp = node.inputs[AT.wZp];
  return zp === undefined || isInt8(zp.dtype);
}

export const qLinearConvNmWasm = int8Kernel({
  op: 'QLinearConv', ref: qLinearConvNmRef, needs: NEEDS, supports, tile: '16x1', format: 'nm',
  scratchBytes(node) {
    const w = nmWeightOf(node);
    if (!w || !supports(node)) return 0;
    const { plan, rows, pt } = layoutOf(node, w), cout = w.rows;
    return bytes16(plan.slots.byteLength) + bytes16(plan.derived.byteLength) + bytes16(rows * pt * 4)
      + bytes16(4 * (Math.ceil(pt / 8) * 8)) + 2 * bytes16(cout * 4) + cout * 64;
  },
  prepare(c, env) {
    const x = c.input(AT.x), y = c.output(0), wv = c.ctx.inputs[AT.w]!;
    const w = wv.packed as NmWeight;
    const wZp = c.ctx.inputs[AT.wZp], bias = c.ctx.inputs[AT.bias];
    if (wZp !== undefined && Array.from(wZp.data as ArrayLike<number>).some((z) => Number(z) !== 0)) c.fail("w's zero point must be 0 for an N:M weight");
    const [batch, cin] = x.shape as [number, number];
    const cout = w.rows;
    const g = windowGeometry(c, x.shape.slice(2), wv.shape.slice(2), y.shape.slice(2), false);
    const { H, W, OW, KH, KW, sh, sw, dh, dw, ph, pw } = geometry2d({ g });
    const P = spatial(y.shape);
    const layout = ((): ReturnType<typeof layoutOf> => {
      try {
        return layoutOf(nodeShapesOf(c.ctx), w);
      } catch (e) {
        return c.fail(e instanceof Error ? e.message : String(e));
      }
    })();
    const { plan, kpad, rows, pt } = layout;
    const rowBytes = pt * 4;
    const { mode, lo, hi } = gemmMode(y.dtype);
    const xs = x.dtype === 'int8' ? 1 : 0;
    const xp = bytePointer(c, env, x, 'input x'), yp = bytePointer(c, env, y, 'output');
    const bp = bias === undefined ? 0 : bytePointer(c, env, bias, 'bias');
    const slotsP = env.scratch(bytes16(plan.slots.byteLength)), tableP = env.scratch(bytes16(plan.derived.byteLength));
    const col = env.scratch(bytes16(rows * rowBytes)), tmp = env.scratch(bytes16(4 * (Math.ceil(pt / 8) * 8)));
    const multP = env.scratch(bytes16(cout * 4)), zyP = env.scratch(bytes16(cout * 4)), part = env.scratch(cout * 64);
    const mult = new Float32Array(env.memory.buffer, multP, cout), zy = new Int32Array(env.memory.buffer, zyP, cout);
    // The weight is read once, here: slots with their rows' byte offsets, derived rows' sources likewise.
    const slots = new Uint32Array(env.memory.buffer, slotsP, plan.slots.length);
    for (let i = 0; i < plan.slots.length; i += 2) { slots[i] = plan.slots[i]!; slots[i + 1] = plan.slots[i + 1]! * rowBytes; }
    const table = new Uint32Array(env.memory.buffer, tableP, plan.derived.length);
    for (let i = 0; i < plan.derived.length; i += 3) {
      table[i] = plan.derived[i]! * rowBytes; table[i + 1] = plan.derived[i + 1]! * rowBytes; table[i + 2] = plan.derived[i + 2]!;
    }
    const start = int8ConvRunStart(c, 'QLinearConv', () => {}, mode, mult, zy, cout);
    const colNm = env.exports['i8colNm'] as I8ColNm, pairs = env.exports['i8pairsNm'] as I8PairsNm, gemm = env.exports['i8gemmNm'] as I8GemmNm;
    const pointwise = KH === 1 && KW === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0 && OW === W && P === H * W ? 1 : 0;
    const xStep = cin * H * W, yStep = cout * P;
    const S = plan.S, Sc = plan.Sc, D = plan.D, natural = kpad / 2;
    return () => {
      const zx = start();
      for (let n = 0; n < batch; n++) {
        for (let p0 = 0; p0 < P; p0 += pt) {
          const pn = Math.min(pt, P - p0);
          colNm(xp + n * xStep, xs, zx, col, rowBytes, tmp, cin, H, W, OW, KH, KW, sh, sw, dh, dw, ph, pw, p0, pn, kpad, pointwise);
          pairs(col, rowBytes, natural, tableP, D, padCols(pn));
          gemm(slotsP, S, Sc, col, cout, pn, part, yp + n * yStep + p0, P, mode, bp, multP, zyP, lo, hi);
        }
      }
    };
  },
});

