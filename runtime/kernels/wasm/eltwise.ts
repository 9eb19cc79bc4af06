// wasmsimd elementwise kernels on float32 in WebAssembly memory (asm/eltwise.as), 4 floats per
// v128: f32-add-1x4-wasmsimd (inputs of one shape: the residual adds of CNNs; broadcasting adds
// are refused, so selection keeps js/ref for them) and f32-relu-1x4-wasmsimd.

import type { NodeShapes } from '../kernel.js';
import { addJs } from '../js/add.js';
import { reluJs } from '../js/relu.js';
import { pointer, wasmKernel } from './common.js';
import { WASM_ELTWISE } from './modules/eltwise.wasm.js';

type AddF32 = (a: number, b: number, y: number, n: number, lo: number, hi: number) => void;
type ClampF32 = (x: number, y: number, n: number, lo: number, hi: number) => void;

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

function supportsAdd(node: NodeShapes): boolean {
  const [a, b] = node.inputs, y = node.outputs[0];
  return !!a && !!b && !!y && a.dtype === 'float32' && b.dtype === 'float32' && sameShape(a.shape, b.shape) && sameShape(a.shape, y.shape);
}

export const addWasm = wasmKernel({
  modules: [WASM_ELTWISE],
  tile: '1x4', op: 'Add', epilogue: '', needs: 'a float32 Add of two inputs of one shape', js: addJs,
  supports: supportsAdd,
  scratchBytes: () => 0,
  prepare(c, env) {
    const a = c.input(0, ['float32']), b = c.input(1, ['float32']), y = c.output(0, ['float32']);
    c.shapeIs(y, a.shape, 'output');
    const ap = pointer(c, env, a, 'input 0'), bp = pointer(c, env, b, 'input 1'), yp = pointer(c, env, y, 'output');
    const add = env.exports['addF32'] as AddF32, n = y.data.length;
    return () => add(ap, bp, yp, n, -Infinity, Infinity);
  },
});

export const reluWasm = wasmKernel({
  modules: [WASM_ELTWISE],
  tile: '1x4', op: 'Relu', epilogue: '', needs: 'a float32 Relu', js: reluJs,
  supports: (node) => node.inputs[0]?.dtype === 'float32',
  scratchBytes: () => 0,
  prepare(c, env) {
    const x = c.input(0, ['float32']), y = c.output(0, ['float32']);
    c.shapeIs(y, x.shape, 'output');
    const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
    const clamp = env.exports['clampF32'] as ClampF32, n = y.data.length;
    return () => clamp(xp, yp, n, 0, Infinity);
  },
});
