// stageNm (conv-nm.ts) stages an N:M weight into scratch at load: checked byte for byte against a
// plain reference of the layout spmmNm reads (chunk-major, rows in order, (f32 value, u32 byte
// offset of the column) per slot, fields decoded bit by bit) on random packed weights, for
// several n:m, widths below and across the reduction chunks, and groups keeping fewer than n.

import { strict as assert } from 'node:assert';
import { rng } from './wasm-harness.js';
import { Checker } from '../../../runtime/kernels/common/define.js';
import type { KernelContext, WasmEnv } from '../../../runtime/kernels/kernel.js';
import { nmChunkSlots, stageNm } from '../../../runtime/kernels/wasm/nm-stage.js';
import type { NmWeight } from '../../../runtime/sparse/packed.js';
import { nmIndexBits, writeNmSlot } from '../../../runtime/sparse/packed.js';

/** A random valid rows×cols n:m weight: each group a random increasing set of n slots, every 5th group's last value 0 (padding). */
function randomNm(rows: number, cols: number, n: number, m: number, seed: number): NmWeight {
  const r = rng(seed), bits = nmIndexBits(m), slots = rows * (cols / m) * n;
  const values = new Float32Array(slots), indices = new Uint8Array(Math.ceil((slots * bits) / 8));
  for (let g = 0; g < slots / n; g++) {
    const all = Array.from({ length: m }, (_, i) => i);
    for (let i = m - 1; i > 0; i--) { const j = Math.floor(((r() + 1) / 2) * (i + 1)) % (i + 1); [all[i], all[j]] = [all[j]!, all[i]!]; }
    const pick = all.slice(0, n).sort((a, b) => a - b);
    for (let s = 0; s < n; s++) {
      writeNmSlot(indices, g * n + s, bits, pick[s]!);
      values[g * n + s] = g % 5 === 0 && s === n - 1 ? 0 : r() * 3;
    }
  }
  return { format: 'nm', rows, cols, n, m, values, indices };
}

/** The staged layout, element by element. */
function referenceStage(p: NmWeight, offset: (col: number) => number): Uint32Array {
  const S = (p.cols / p.m) * p.n, Sc = nmChunkSlots(p), bits = nmIndexBits(p.m);
  const out = new Uint32Array(2 * p.rows * S), f = new Float32Array(out.buffer);
  let o = 0;
  for (let s0 = 0; s0 < S; s0 += Sc) {
    for (let r = 0; r < p.rows; r++) {
      for (let s = s0; s < Math.min(S, s0 + Sc); s++, o += 2) {
        const k = r * S + s;
        let slot = 0;
        for (let b = 0; b < bits; b++) slot |= ((p.indices[(k * bits + b) >> 3]! >> ((k * bits + b) & 7)) & 1) << b;
        f[o] = p.values[k]!;
        out[o + 1] = offset(Math.floor(s / p.n) * p.m + slot);
      }
    }
  }
  return out;
}

function bumpEnv(bytes: number): WasmEnv {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((bytes + 64) / 65536) });
  let top = 16;
  return { memory, exports: {}, scratch: (n) => { const at = top; top += Math.ceil(n / 16) * 16; return at; } };
}

describe('stageNm', () => {
  const checker = new Checker({ node: 'w' } as unknown as KernelContext, 'f32-convnm-24x1-wasmsimd');
  const cases: [rows: number, cols: number, n: number, m: number][] = [
    [7, 16, 2, 4], [33, 768, 2, 4], [5, 576, 1, 4], [9, 96, 3, 4], [4, 1024, 4, 8], [3, 40, 1, 2], [6, 512, 5, 16],
  ];
  for (const [rows, cols, n, m] of cases) {
    it(`${rows}×${cols} at ${n}:${m} stages bit-identically to the per-slot reference`, () => {
      const p = randomNm(rows, cols, n, m, rows * cols + n);
      const offset = (col: number): number => (col % 3) * 4096 + Math.floor(col / 3) * 12 + 4; // not monotone: a lookup, not arithmetic, must hold
      const env = bumpEnv(rows * cols * 8);
      const { slots, S, Sc } = stageNm(checker, env, p, offset);
      assert.equal(S, (cols / m) * n);
      assert.equal(Sc, nmChunkSlots(p));
      assert.deepEqual(new Uint32Array(env.memory.buffer, slots, 2 * rows * S), referenceStage(p, offset));
    });
  }

  for (const [n, m] of [[2, 4], [5, 16]] as const) { // one lookup per group (2:4), slot by slot (5:16: 20-bit groups)
    it(`${n}:${m}: a group whose slots decrease or repeat is a KernelError naming the node, the kernel and the group`, () => {
      const p = randomNm(4, 64, n, m, 7), bits = nmIndexBits(m), g = 9;
      const indices = new Uint8Array(p.indices);
      for (let s = 0; s < n; s++) for (let b = 0; b < bits; b++) indices[((g * n + s) * bits + b) >> 3]! &= ~(1 << (((g * n + s) * bits + b) & 7));
      writeNmSlot(indices, g * n, bits, 1); // slots 1, 0, 0…: not increasing
      assert.throws(() => stageNm(checker, bumpEnv(4 * 64 * 8), { ...p, indices }, (col) => col * 4),
        (e: Error) => e.name === 'KernelError' && /\bw\b/.test(e.message) && /convnm/.test(e.message) && /slot index 0 in group 9 is out of range or not increasing/.test(e.message));
    });
  }
});
