// wasmsimd MaxPool, f32-maxpool-1x4-wasmsimd: 1-D and 2-D float32 NCHW without the Indices
// output, any kernel, pads, strides, dilations, ceil_mode (the output shape decides), all planes
// (batch × channels) in one call to maxpool1x4 (asm/pool.as): 4 output columns per v128 in each
// row's interior (column stride 1 or 2), borders and other column strides scalar.

import type { NodeShapes } from '../kernel.js';
import { planPool } from '../common/pool-plan.js';
import { maxPoolJs } from '../js/maxpool.js';
import { pointer, wasmKernel } from './common.js';

const NEEDS = 'a float32 1-D or 2-D MaxPool without the Indices output';

function supportsMaxPool(node: NodeShapes): boolean {
  const x = node.inputs[0], y = node.outputs[0];
  if (!x || !y || x.dtype !== 'float32' || node.outputs.length > 1) return false;
  return (x.shape.length === 3 || x.shape.length === 4) && y.shape.length === x.shape.length;
}

type MaxPool1x4 = (x: number, y: number, planes: number, h: number, w: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ph: number, pw: number) => void;

export const maxPoolWasm = wasmKernel({
  tile: '1x4', op: 'MaxPool', epilogue: '', needs: NEEDS, js: maxPoolJs,
  supports: supportsMaxPool,
  scratchBytes: () => 0,
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
    return () => pool(xp, yp, planes, H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw);
  },
});
