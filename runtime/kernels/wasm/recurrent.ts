// wasmsimd LSTM, GRU and RNN (float32): the js cells (js/lstm.ts, gru.ts, rnn.ts) over
// WebAssembly scratch, with every projection run by asm/dense.as gemv1, one row of A at a time:
//
//   xw[r, :]  = W[d] · X[r, :]      r over the seq·batch rows of X       (once per direction)
//   hr[b, :]  = R[d] · h[b, :]      b over the batch                      (every step)
//
// W and R are row-major [gates·hidden, K], the layout gemv1 streams row by row,
// vectorized over K. Without a WasmEnv each prepares its js kernel.

import type { NodeShapes, WasmEnv } from '../kernel.js';
import type { RnnOp } from '../common/rnn.js';
import { planRnn } from '../common/rnn-plan.js';
import type { RnnCell, RnnCore, RnnMemory } from '../js/rnn-core.js';
import { makeRnnCore, rnnBuffers, runRnn } from '../js/rnn-core.js';
import { lstmCell, lstmJs } from '../js/lstm.js';
import { gruCell, gruJs } from '../js/gru.js';
import { rnnCell, rnnJs } from '../js/rnn.js';
import type { Kernel } from '../kernel.js';
import { f32Bytes, pointer, scratchF32, wasmKernel } from './common.js';
import { WASM_DENSE } from './modules/dense.wasm.js';

type Gemv1 = (w: number, x: number, y: number, b: number, n: number, k: number, lo: number, hi: number) => void;

/** seq, batch, hidden of a float32 node with rank-3 X and R, or undefined. */
function dimsOf(node: NodeShapes): { seq: number; batch: number; hidden: number } | undefined {
  const x = node.inputs[0], r = node.inputs[2];
  if (!x || !r || x.dtype !== 'float32' || x.shape.length !== 3 || r.shape.length !== 3) return undefined;
  const batchFirst = node.attrs['layout'] === 1;
  return { seq: x.shape[batchFirst ? 1 : 0]!, batch: x.shape[batchFirst ? 0 : 1]!, hidden: r.shape[2]! };
}

function wasmMemory(env: WasmEnv): RnnMemory {
  const gemv = env.exports['gemv1'] as Gemv1;
  return {
    alloc: (n) => scratchF32(env, n),
    dot(m, n, k, a, aOff, b, bOff, c, cOff) {
      const ap = a.byteOffset + aOff * 4, bp = b.byteOffset + bOff * 4, cp = c.byteOffset + cOff * 4;
      for (let i = 0; i < m; i++) gemv(bp, ap + i * k * 4, cp + i * n * 4, 0, n, k, -Infinity, Infinity);
    },
  };
}

function recurrentWasm(op: RnnOp, js: Kernel, cell: (core: RnnCore) => RnnCell): Kernel {
  return wasmKernel({
    modules: [WASM_DENSE],
    tile: '1x4', op, epilogue: '', needs: `a float32 ${op} with rank-3 X and R`, js,
    supports: (node) => dimsOf(node) !== undefined,
    scratchBytes(node) {
      const d = dimsOf(node)!;
      return rnnBuffers(op, d.seq, d.batch, d.hidden).reduce((sum, n) => sum + f32Bytes(n), 0);
    },
    prepare(c, env) {
      const p = planRnn(c, op, ['float32']);
      // The GEMMs read X, W and R where they are: each must be in the model's memory.
      pointer(c, env, p.x, 'X');
      pointer(c, env, p.w, 'W');
      pointer(c, env, p.r, 'R');
      const core = makeRnnCore(p, wasmMemory(env));
      return runRnn(core, cell(core));
    },
  });
}

export const lstmWasm = recurrentWasm('LSTM', lstmJs, lstmCell);
export const gruWasm = recurrentWasm('GRU', gruJs, gruCell);
export const rnnWasm = recurrentWasm('RNN', rnnJs, rnnCell);
