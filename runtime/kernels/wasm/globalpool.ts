// wasmsimd GlobalAveragePool (asm/globalpool.as): NCHW float32 of any spatial rank, each
// (batch, channel) plane summed 8 lanes at a time, times 1/size. Without a WasmEnv it runs the
// js kernel. Sums in another order than ref (and 1/size instead of a division): float rounding.

import { planGlobalPool } from '../common/global-pool.js';
import { globalAveragePoolJs } from '../js/globalaveragepool.js';
import { pointer, wasmKernel } from './common.js';
import { WASM_ELTWISE } from './modules/eltwise.wasm.js';

type GlobalAvgPool = (x: number, y: number, planes: number, size: number) => void;

export const globalAveragePoolWasm = wasmKernel({
  modules: [WASM_ELTWISE],
  tile: '1x4', op: 'GlobalAveragePool', epilogue: '', needs: 'a float32 GlobalAveragePool of rank ≥ 3', js: globalAveragePoolJs,
  supports: (node) => node.inputs[0]?.dtype === 'float32' && node.inputs[0].shape.length >= 3,
  scratchBytes: () => 0,
  prepare(c, env) {
    const { planes, size } = planGlobalPool(c);
    const xp = pointer(c, env, c.input(0), 'input 0'), yp = pointer(c, env, c.output(0), 'output');
    const fn = env.exports['globalAvgPoolF32'] as GlobalAvgPool;
    return () => fn(xp, yp, planes, size);
  },
});
