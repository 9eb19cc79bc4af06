// wasmsimd activations on float32 in WebAssembly memory (asm/activation.as), 4 floats per v128:
// Exp, Sigmoid, Tanh, Gelu (vectorized approximations), HardSigmoid, HardSwish, and Clip standalone
// (the clamp of asm/eltwise.as with the node's bounds, read on every run as the ref does).
// Error bounds against the ref kernels (test/runtime/kernels/wasm-activation.test.ts):
//   Exp ≤ 3 ulp for results ≥ 2^−126 (denormal results within 2^−149 absolute), +inf above ln(FLT_MAX);
//   Sigmoid ≤ 3 ulp; Tanh ≤ 3 ulp (odd polynomial below |x| = 0.625); HardSigmoid/HardSwish ≤ 2 ulp
//   Gelu: erf form ≤ 4 ulp or 2^−22·max(1, |x|) absolute (A&S 7.1.26's 1.5e−7 on erf, relative where
//   1 + erf cancels, x < 0), tanh form ≤ 4 ulp or 2^−23·max(1, |x|) absolute (the ref's float64
//   1 + tanh rounds to 0 below x ≈ −6.5, where x/(1 + e^(−2u)) is ~1e−16·x);
//   HardSigmoid/HardSwish ≤ 2 ulp or 2^−23·max(1, |x|) absolute (float32 arithmetic where the ref rounds once from float64:
//   alpha·x + beta cancels near x = −3). NaN stays NaN.
// Without a WasmEnv each runs its ref kernel (there is no separate js kernel for these ops).

import type { Kernel } from '../kernel.js';
import type { Checker } from '../common/define.js';
import { sizeOf } from '../../tensor.js';
import { expRef } from '../ref/exp.js';
import { sigmoidRef } from '../ref/sigmoid.js';
import { tanhRef } from '../ref/tanh.js';
import { hardSigmoidRef } from '../ref/hardsigmoid.js';
import { hardSwishRef } from '../ref/hardswish.js';
import { clipRef } from '../ref/clip.js';
import { geluRef } from '../ref/gelu.js';
import { pointer, wasmKernel } from './common.js';
import { WASM_ACTIVATION } from './modules/activation.wasm.js';
import { WASM_ELTWISE } from './modules/eltwise.wasm.js';

type Unary = (x: number, y: number, n: number, alpha: number, beta: number) => void;
type ClampF32 = (x: number, y: number, n: number, lo: number, hi: number) => void;

/** x and y of one shape in memory; `fn` from the module and its two parameters. */
function prepareUnary(c: Checker, exportName: string, alpha = 0, beta = 0): () => void {
  const x = c.input(0, ['float32']), y = c.output(0, ['float32']);
  c.shapeIs(y, x.shape, 'output');
  const env = c.ctx.wasm!;
  const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
  const fn = env.exports[exportName] as Unary, n = sizeOf(y.shape);
  return () => fn(xp, yp, n, alpha, beta);
}

function unaryWasm(op: string, js: Kernel, exportName: string): Kernel {
  return wasmKernel({
    modules: [WASM_ACTIVATION],
    tile: '1x4', op, epilogue: '', needs: `a float32 ${op}`, js,
    supports: (node) => node.inputs[0]?.dtype === 'float32',
    scratchBytes: () => 0,
    prepare: (c) => prepareUnary(c, exportName),
  });
}

export const expWasm = unaryWasm('Exp', expRef, 'expF32');
export const sigmoidWasm = unaryWasm('Sigmoid', sigmoidRef, 'sigmoidF32');
export const tanhWasm = unaryWasm('Tanh', tanhRef, 'tanhF32');
export const hardSwishWasm = unaryWasm('HardSwish', hardSwishRef, 'hardSwishF32');

export const hardSigmoidWasm = wasmKernel({
  modules: [WASM_ACTIVATION],
  tile: '1x4', op: 'HardSigmoid', epilogue: '', needs: 'a float32 HardSigmoid', js: hardSigmoidRef,
  supports: (node) => node.inputs[0]?.dtype === 'float32',
  scratchBytes: () => 0,
  prepare: (c) => prepareUnary(c, 'hardSigmoidF32', c.float('alpha', 0.2), c.float('beta', 0.5)),
});

/** Gelu (opset 20, or fused by fuse-gelu from the chains exporters write): erf or tanh form by its attribute. */
export const geluWasm = wasmKernel({
  modules: [WASM_ACTIVATION],
  tile: '1x4', op: 'Gelu', epilogue: '', needs: "a float32 Gelu, approximate 'none' or 'tanh'", js: geluRef,
  supports: (node) => node.inputs[0]?.dtype === 'float32' && ['none', 'tanh', undefined].includes(node.attrs['approximate'] as string | undefined),
  scratchBytes: () => 0,
  prepare: (c) => prepareUnary(c, c.string('approximate', 'none') === 'tanh' ? 'geluTanhF32' : 'geluErfF32'),
});

/** Clip's optional bounds (inputs 1 and 2, opset 11+) must be float32 scalars. */
const scalarBound = (b: { dtype: string; shape: readonly number[] } | undefined): boolean => b === undefined || (b.dtype === 'float32' && sizeOf(b.shape) === 1);

export const clipWasm = wasmKernel({
  modules: [WASM_ELTWISE],
  tile: '1x4', op: 'Clip', epilogue: '', needs: 'a float32 Clip with scalar float32 bounds', js: clipRef,
  supports: (node) => node.inputs[0]?.dtype === 'float32' && scalarBound(node.inputs[1]) && scalarBound(node.inputs[2]),
  scratchBytes: () => 0,
  prepare(c, env) {
    const x = c.input(0, ['float32']), y = c.output(0, ['float32']);
    const lo = c.optionalInput(1, ['float32']), hi = c.optionalInput(2, ['float32']);
    c.shapeIs(y, x.shape, 'output');
    const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
    const attrLo = c.float('min', -Infinity), attrHi = c.float('max', Infinity);
    const clamp = env.exports['clampF32'] as ClampF32, n = sizeOf(y.shape);
    const ld = lo?.data as Float32Array | undefined, hd = hi?.data as Float32Array | undefined;
    return () => clamp(xp, yp, n, ld ? ld[0]! : attrLo, hd ? hd[0]! : attrHi);
  },
});

export const ACTIVATION_WASM_KERNELS: readonly Kernel[] = [expWasm, sigmoidWasm, tanhWasm, hardSigmoidWasm, hardSwishWasm, geluWasm, clipWasm];
