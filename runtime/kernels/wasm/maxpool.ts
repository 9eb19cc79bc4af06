// wasmsimd MaxPool, f32-maxpool-1x4-wasmsimd: 1-D and 2-D float32 NCHW without the Indices
// output, any kernel, pads, strides, dilations, ceil_mode (the output shape decides), all planes
// (batch × channels) in one call to maxpool1x4 (asm/pool.as): per output row, the window rows'
// maxima into a −∞-bordered row buffer, then 4 output columns per v128 (column stride 1 or 2;
// other column strides scalar), padding included, so no column is a border case.

import type { NodeShapes } from '../kernel.js';
import { planPool } from '../common/pool-plan.js';
import { maxPoolJs } from '../js/maxpool.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import { WASM_ELTWISE } from './modules/eltwise.wasm.js';

const NEEDS = 'a float32 1-D or 2-D MaxPool without the Indices output';

function supportsMaxPool(node: NodeShapes): boolean {
  const x = node.inputs[0], y = node.outputs[0];
  if (!x || !y || x.dtype !== 'float32' || node.outputs.length > 1) return false;
  return (x.shape.length === 3 || x.shape.length === 4) && y.shape.length === x.shape.length;
}

/**
 * Floats of maxpool1x4's row buffer: the row with its begin pad, and whatever the last whole
 * 4-column vector reads past it (column stride 2 loads 8 floats per tap; 3-wide windows 10).
 */
export function maxPoolBufLen(W: number, OW: number, KW: number, sw: number, dw: number, pw: number): number {
  const ow4 = Math.ceil(OW / 4) * 4;
  return Math.max(pw + W, ow4 * Math.max(sw, 2) + (KW - 1) * dw + 8);
}

/** [W, OW, KW, sw, dw, pw] of the last spatial axis (1-D and 2-D alike). */
function lastAxis(node: NodeShapes): [number, number, number, number, number, number] {
  const x = node.inputs[0]!.shape, y = node.outputs[0]!.shape, a = node.attrs;
  const last = (v: unknown, def: number): number => (Array.isArray(v) && typeof v[v.length - 1] === 'number' ? v[v.length - 1] as number : def);
  const k = a['kernel_shape'], pads = a['pads'];
  const W = x[x.length - 1]!, OW = y[y.length - 1]!, KW = last(k, 1), sw = last(a['strides'], 1), dw = last(a['dilations'], 1);
  // pads [begin…, end…]: the last axis's begin is pads[rank − 1]; auto_pad pads are bounded by the total the output implies
  const pw = Array.isArray(pads) ? pads[pads.length / 2 - 1] as number : Math.max(0, (OW - 1) * sw + (KW - 1) * dw + 1 - W);
  return [W, OW, KW, sw, dw, pw];
}

type MaxPool1x4 = (x: number, y: number, buf: number, planes: number, h: number, w: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number) => void;

export const maxPoolWasm = wasmKernel({
  modules: [WASM_ELTWISE],
  tile: '1x4', op: 'MaxPool', epilogue: '', needs: NEEDS, js: maxPoolJs,
  supports: supportsMaxPool,
  scratchBytes: (node) => f32Bytes(maxPoolBufLen(...lastAxis(node))),
  prepare(c, env) {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['float32']);
    const { geometry: g, planes } = planPool(c, x, y);
    const two = g.inSpatial.length === 2;
    const at = (a: readonly number[], i: number, def: number): number => (two ? a[i]! : i === 0 ? def : a[0]!);
    const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
    const pool = env.exports['maxpool1x4'] as MaxPool1x4;
    const args = [
      at(g.inSpatial, 0, 1), at(g.inSpatial, 1, 1), at(g.outSpatial, 0, 1), at(g.outSpatial, 1, 1),
      at(g.kernel, 0, 1), at(g.kernel, 1, 1), at(g.strides, 0, 1), at(g.strides, 1, 1),
      at(g.dilations, 0, 1), at(g.dilations, 1, 1), at(g.padBegin, 0, 0), at(g.padBegin, 1, 0),
    ] as const;
    const [H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw] = args;
    // the row buffer's borders: −∞ (padding never wins), written once; each row rewrites [pw, pw + W)
    const len = maxPoolBufLen(W, OW, KW, sw, dw, pw);
    const buf = env.scratch(f32Bytes(len));
    new Float32Array(env.memory.buffer, buf, len).fill(-Infinity);
    return () => pool(xp, yp, buf, planes, H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw);
  },
});
