// wasmsimd Conv from a standard (per-row) N:M weight, NCHW, 1-D and 2-D, group 1, any window,
// pads, strides, dilations, fused bias + relu/clip, per image n (asm/nm.as):
//
//   f32-convnm-24x1-wasmsimd (and -relu, -clip): the N:M bit stream decoded once at bind into
//   S = (K/m)·n (value, byte offset) slots per row, chunk-major in chunks of Sc slots per row
//   (nmChunkSlots); one broadcast weight × 24 pixels per step.
//     1×1 / stride 1 / no pads:  spmmNm over X itself, column ci at byte ci·P·4
//     any other window/stride:   convNmPhased: X split by stride phase into zero-padded planes
//                                xq[Cin·sh·sw][Hq][Wq] (conv-csr.ts phasedDims), virtual pixels
//                                oh·Wq + ow, R rows per tile t[Cout][rowT], valid columns to Y
//
//   scratch = slots[rows·S] (8 bytes) | xq | t (k×k only)

import type { Kernel, NodeShapes, WasmEnv } from '../kernel.js';
import type { Checker } from '../common/define.js';
import type { NmWeight, PackedWeight } from '../../sparse/packed.js';
import { nmIndexBits, nmValidGroups, readNmGroup, readNmSlot } from '../../sparse/packed.js';
import { EPILOGUES } from '../common/epilogue.js';
import { CONV_SPARSE_JS_KERNELS } from '../js/conv-sparse.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import { f32Bytes, nodeShapesOf, pointer, wasmKernel } from './common.js';
import { packedConv, phasedDims } from './conv-csr.js';
import { geometry2d, pointwiseConv } from './conv.js';
import { WASM_NM } from './modules/nm.wasm.js';

const NEEDS = 'a float32 1-D or 2-D Conv with group 1 and an N:M weight';

/**
 * Reduction columns per chunk (spmmNm): the 24-pixel rows of one chunk take 12 KiB of a 32 KiB L1
 * data cache beside the weight stream, and one chunk's weights, N·(128/m)·n·8 bytes, stay in L2.
 * Measured on the corpus layers (per-layer bench, loaded machine): 128 columns 1.40× dense summed,
 * 256 1.23×, unchunked 1.13–1.34×; 64 was slower than 128 on the 14×14 and 7×7 3×3 convs.
 */
const CHUNK_COLUMNS = 128;
/** L1 data cache bytes: a reduction whose 24-pixel activation rows fit is not chunked. */
const L1_BYTES = 32768;

/**
 * Slots per row per chunk: all of them while K·96 bytes fit L1 (K ≤ 341), else whole N:M groups of
 * at most CHUNK_COLUMNS columns, as even as whole groups allow (K = 576 runs 4 chunks of 116 columns and one of 112).
 */
export function nmChunkSlots(p: NmWeight): number {
  const groups = p.cols / p.m, most = Math.max(1, Math.floor(CHUNK_COLUMNS / p.m));
  if (p.cols * 24 * 4 <= L1_BYTES) return groups * p.n; // a block's activation rows fit L1 whole: one chunk, sums stay in registers
  return Math.ceil(groups / Math.ceil(groups / most)) * p.n;
}

/** Slots per row of an N:M weight (every row holds cols/m groups of n). */
export const nmSlotsPerRow = (p: NmWeight): number => (p.cols / p.m) * p.n;

/** Scratch bytes of the staged slots. */
const stagedNmBytes = (p: PackedWeight | undefined): number => (p?.format === 'nm' ? f32Bytes(2 * p.rows * nmSlotsPerRow(p)) : 0);

/**
 * Copies an N:M weight into scratch as spmmNm reads it: chunk by chunk (Sc slots of every row,
 * rows in order), each slot its value (f32) and the byte offset of the activation row it
 * multiplies (u32, `offset(col)`). Decodes the index stream straight into that layout, checking
 * every group (slot < m, strictly increasing) as nmColumnTable does: an encoder layer holds
 * millions of slots, so no per-slot closure call, intermediate column table or float round trip.
 */
export function stageNm(c: Checker, env: WasmEnv, packed: PackedWeight, offset: (col: number) => number): { slots: number; S: number; Sc: number } {
  if (packed.format !== 'nm') c.fail(`input 1 is packed as ${packed.format}, this kernel reads nm`);
  const { rows, cols, n, m, indices } = packed;
  const S = nmSlotsPerRow(packed), Sc = nmChunkSlots(packed), G = cols / m, bits = nmIndexBits(m);
  const at = new Uint32Array(cols); // offset(col) once per reduction column, not once per slot
  for (let k = 0; k < cols; k++) at[k] = offset(k);
  const slots = env.scratch(rows * S * 8);
  const out = new Uint32Array(env.memory.buffer, slots, 2 * rows * S);
  const bitsOf = new Uint32Array(packed.values.buffer, packed.values.byteOffset, packed.values.length); // copies the f32 bits exactly
  const valid = nmValidGroups(n, m), width = n * bits, mask = (1 << bits) - 1;
  let o = 0;
  for (let s0 = 0; s0 < S; s0 += Sc) {
    const g0 = s0 / n, g1 = Math.min(S, s0 + Sc) / n; // chunks hold whole groups
    for (let r = 0; r < rows; r++) {
      for (let g = r * G + g0, base = g0 * m; g < r * G + g1; g++, base += m) { // base: the group's first column
        const code = valid === undefined ? 0 : readNmGroup(indices, g, width);
        if (valid !== undefined && valid[code] === 1) { // the common case: the whole group's slots from one field
          for (let s = 0, k = g * n; s < n; s++, k++, o += 2) { out[o] = bitsOf[k]!; out[o + 1] = at[base + ((code >> (s * bits)) & mask)]!; }
          continue;
        }
        let prev = -1;
        for (let k = g * n; k < g * n + n; k++, o += 2) {
          const slot = bits > 9 ? readWideSlot(indices, k, bits) : readNmSlot(indices, k, bits); // readNmSlot reads two bytes
          if (slot >= m || slot <= prev) c.fail(`nm: slot index ${slot} in group ${g} is out of range or not increasing`);
          prev = slot;
          out[o] = bitsOf[k]!;
          out[o + 1] = at[base + slot]!;
        }
      }
    }
  }
  return { slots, S, Sc };
}

/** A field of more than 9 bits (m > 512), bit by bit. */
function readWideSlot(stream: Uint8Array, k: number, bits: number): number {
  let slot = 0;
  for (let b = 0; b < bits; b++) slot |= ((stream[(k * bits + b) >> 3]! >> ((k * bits + b) & 7)) & 1) << b;
  return slot;
}

/** The phase-plane layout of convCsrPhased with the tile rows rounded up to 4 floats (convNmPhased rounds the virtual pixels). */
function nmPhasedDims(node: NodeShapes): { Hq: number; Wq: number; R: number; xqFloats: number; tFloats: number } {
  const d = phasedDims(node);
  return { ...d, tFloats: node.outputs[0]!.shape[1]! * Math.ceil((d.R * d.Wq) / 4) * 4 };
}

export type SpmmNm = (w: number, S: number, sc: number, x: number, y: number, b: number, n: number, p: number, rowY: number, lo: number, hi: number) => void;
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
