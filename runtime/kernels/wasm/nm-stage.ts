// Staging of a standard (per-row) N:M weight for asm/nm.as spmmNm, shared by the Conv, Gemm and
// MatMul N:M kernels (conv-nm.ts, gemm-nm.ts, matmul-nm.ts): a file of no kernel, so a model that
// runs one of them does not bundle the others.
//
//   slots[rows·S] (8 bytes each: f32 value, u32 byte offset of its activation row), chunk-major in
//   chunks of Sc slots per row (nmChunkSlots)

import type { WasmEnv } from '../kernel.js';
import type { Checker } from '../common/define.js';
import type { NmWeight, PackedWeight } from '../../sparse/packed.js';
import { nmIndexBits, nmValidGroups, readNmGroup, readNmSlot } from '../../sparse/packed.js';
import { f32Bytes } from './common.js';

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
export const stagedNmBytes = (p: PackedWeight | undefined): number => (p?.format === 'nm' ? f32Bytes(2 * p.rows * nmSlotsPerRow(p)) : 0);

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

export type SpmmNm = (w: number, S: number, sc: number, x: number, y: number, b: number, n: number, p: number, rowY: number, lo: number, hi: number) => void;
