// The float32 recurrence shared by the js and wasmsimd LSTM, GRU and RNN kernels: the input
// projection of every time step is one GEMM per direction, the recurrent projection one GEMM per
// step over the whole batch (W and R are row-major [gates·hidden, K], i.e. Bᵀ: sgemm-core's dot
// kernel in js, asm/dense.as gemv1 per row in wasm), and the op's cell turns both into the next
// state. Buffers a GEMM touches come from RnnMemory (plain arrays, or WebAssembly scratch).
//
//   xw   [seq·batch rows in X's order, G·H]  = X · W[d]ᵀ                 (once per direction)
//   state h [batch, H] (c for LSTM)          → op.step(d, xRow)          (per time step)
//   xRow[b] = xw row of entry b's time step this step, −1 once b's sequence has ended
//
// sequence_lens lets entries end early, and a reverse direction starts each entry at its own
// last step, so the step index s maps to a different t per entry.

import type { RnnPlan } from '../common/rnn-plan.js';
import { isReverse, zeroPadding } from '../common/rnn-plan.js';
import type { RnnOp } from '../common/rnn.js';
import { RNN_GATES } from '../common/rnn.js';
import { sgemmDot } from './sgemm-core.js';

/** Where the GEMMs run and their buffers live. */
export interface RnnMemory {
  /** A buffer of `n` floats for the life of the prepared node (read only what a run wrote: wasm scratch is not zeroed). */
  alloc(n: number): Float32Array;
  /** C[m×n] = A[m×k]·Bᵀ: A's rows contiguous (stride k) from aOff, B row-major [n×k] from bOff, C's rows stride n from cOff. */
  dot(m: number, n: number, k: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number): void;
}

export const JS_MEMORY: RnnMemory = {
  alloc: (n) => new Float32Array(n),
  dot: (m, n, k, a, aOff, b, bOff, c, cOff) => sgemmDot(m, n, k, a, aOff, k, 1, b, bOff, c, cOff),
};

/**
 * The floats every RnnMemory.alloc of a node asks for, in order: the core's xw, h, c, then the
 * cell's (LSTM hr; GRU hr, rh, hh; RNN hr). The wasmsimd kernels size their scratch from it.
 */
export function rnnBuffers(op: RnnOp, seq: number, batch: number, hidden: number): number[] {
  const gh = RNN_GATES[op] * hidden, bh = batch * hidden;
  const cell = op === 'GRU' ? [batch * gh, bh, bh] : [batch * gh];
  return [seq * batch * gh, bh, bh, ...cell];
}

/** The op-specific part: one step of every active batch entry, updating `core.h` (and `core.c`). */
export interface RnnCell {
  step(d: number, xRow: Int32Array): void;
}

/** Buffers and weights a cell reads, allocated once at prepare. */
export interface RnnCore {
  readonly p: RnnPlan;
  readonly mem: RnnMemory;
  readonly gh: number;
  readonly xw: Float32Array;
  readonly h: Float32Array;
  readonly c: Float32Array;
  readonly wd: Float32Array;
  readonly rd: Float32Array;
  /** Per direction, Wb + Rb for each of the G·H gate rows (zeros without B); summed at the start of every run, since B may be a runtime input. */
  readonly bias: Float32Array;
  /** Clamps to ±clip (identity without the attribute). */
  readonly clip: (v: number) => number;
}

export function makeRnnCore(p: RnnPlan, mem: RnnMemory): RnnCore {
  const G = RNN_GATES[p.attrs.op], gh = G * p.hidden, D = p.attrs.dirs;
  const bias = new Float32Array(D * gh);
  const lim = p.attrs.clip;
  return {
    p, mem, gh, bias,
    xw: mem.alloc(p.seq * p.batch * gh),
    h: mem.alloc(p.batch * p.hidden),
    c: mem.alloc(p.batch * p.hidden),
    wd: p.w.data as Float32Array, rd: p.r.data as Float32Array,
    clip: lim === Infinity ? (v) => v : (v) => (v < -lim ? -lim : v > lim ? lim : v),
  };
}

/** The run function: per direction, the input GEMM, then the steps, then Y padding and Y_h / Y_c. */
export function runRnn(core: RnnCore, cell: RnnCell): () => void {
  const { p, gh, xw, h, c } = core;
  const { hidden: H, batch, seq, input: I, attrs } = p;
  const xd = p.x.data as Float32Array;
  const yd = p.y?.data as Float32Array | undefined;
  const xRow = new Int32Array(batch), lens = new Int32Array(batch);
  const loadState = (v: RnnPlan['h0'], into: Float32Array, d: number): void => {
    if (v === undefined) { into.fill(0); return; }
    const src = v.data as Float32Array;
    for (let b = 0; b < batch; b++) copyRow(src, p.stateAt(d, b), into, b * H, H);
  };
  const storeState = (v: RnnPlan['yh'], from: Float32Array, d: number): void => {
    if (v === undefined) return;
    const dst = v.data as Float32Array;
    for (let b = 0; b < batch; b++) copyRow(from, b * H, dst, p.stateAt(d, b), H);
  };
  const bd = p.b?.data as Float32Array | undefined, D = attrs.dirs;
  return () => {
    if (bd !== undefined) for (let d = 0; d < D; d++) for (let j = 0; j < gh; j++) core.bias[d * gh + j] = bd[d * 2 * gh + j]! + bd[d * 2 * gh + gh + j]!;
    let longest = 0;
    for (let b = 0; b < batch; b++) { lens[b] = p.lengthOf(b); longest = Math.max(longest, lens[b]!); }
    for (let d = 0; d < attrs.dirs; d++) {
      // X's rows are contiguous in both layouts ([seq, batch] or [batch, seq] rows of I).
      core.mem.dot(seq * batch, gh, I, xd, 0, core.wd, d * gh * I, xw, 0);
      loadState(p.h0, h, d);
      loadState(p.c0, c, d);
      const reverse = isReverse(attrs, d);
      for (let s = 0; s < longest; s++) {
        for (let b = 0; b < batch; b++) {
          const len = lens[b]!;
          xRow[b] = s < len ? p.rowAt(reverse ? len - 1 - s : s, b) : -1;
        }
        cell.step(d, xRow);
        if (yd === undefined) continue;
        for (let b = 0; b < batch; b++) {
          if (xRow[b]! < 0) continue;
          const len = lens[b]!;
          copyRow(h, b * H, yd, p.yAt(reverse ? len - 1 - s : s, d, b), H);
        }
      }
      for (let b = 0; b < batch; b++) zeroPadding(p, d, b, lens[b]!);
      storeState(p.yh, h, d);
      storeState(p.yc, c, d);
    }
  };
}

/** dst[dstOff..+n) = src[srcOff..+n), without the subarray views a run must not allocate. */
function copyRow(src: Float32Array, srcOff: number, dst: Float32Array, dstOff: number, n: number): void {
  for (let j = 0; j < n; j++) dst[dstOff + j] = src[srcOff + j]!;
}
