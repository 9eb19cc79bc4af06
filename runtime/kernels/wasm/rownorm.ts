// wasmsimd row normalisations (asm/rownorm.as) over the last axis's contiguous rows: Softmax and
// LayerNormalization, the two row ops a transformer runs per token. They accept what their js
// kernels accept (the same `supports`) and fall back to them without a WasmEnv.
// Both sum a row in float32 over 4 lanes where the js kernels sum in float64 (Softmax: exp ≤ 3 ulp,
// asm/activation.as); test/runtime/kernels/wasm-kernels.test.ts holds them to the ref kernels within
// 1e−4·|y| + 1e−5 on rows of 1 to 33 floats, and the relaxed module to the SIMD128 one.

import type { Kernel } from '../kernel.js';
import { sizeOf } from '../../tensor.js';
import { SOFTMAX_JS_KERNELS, axisOf, isLastAxis } from '../js/softmax.js';
import { layerNormalizationJs } from '../js/layernormalization.js';
import { pointer, wasmKernel } from './common.js';
import { WASM_ACTIVATION } from './modules/activation.wasm.js';

type SoftmaxRows = (x: number, y: number, rows: number, len: number) => void;
type LayerNormRows = (x: number, y: number, rows: number, len: number, scale: number, bias: number, eps: number) => void;

const softmaxJs = SOFTMAX_JS_KERNELS.find((k) => k.op === 'Softmax')!;

export const softmaxWasm = wasmKernel({
  modules: [WASM_ACTIVATION],
  tile: '1x4', op: 'Softmax', epilogue: '', needs: 'a float32 Softmax over the last axis', js: softmaxJs,
  supports: (node) => softmaxJs.supports!(node),
  scratchBytes: () => 0,
  prepare(c, env) {
    const x = c.input(0, ['float32']), y = c.output(0, ['float32']);
    c.shapeIs(y, x.shape, 'output');
    if (!isLastAxis(x.shape.length, axisOf(c.ctx.attrs))) c.fail('only the last axis is supported (the ref kernel takes any)');
    const len = x.shape[x.shape.length - 1]!, rows = len === 0 ? 0 : sizeOf(x.shape) / len;
    const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
    const fn = env.exports['softmaxRowsF32'] as SoftmaxRows;
    return () => fn(xp, yp, rows, len);
  },
});

export const layerNormalizationWasm = wasmKernel({
  modules: [WASM_ACTIVATION],
  tile: '1x4', op: 'LayerNormalization', epilogue: '', needs: 'a float32 LayerNormalization with one output and per-element scale and bias',
  js: layerNormalizationJs,
  supports: (node) => layerNormalizationJs.supports!(node),
  scratchBytes: () => 0,
  prepare(c, env) {
    const x = c.input(0, ['float32']), scale = c.input(1, ['float32']), bias = c.optionalInput(2, ['float32']);
    const y = c.output(0, ['float32']);
    if (c.optionalOutput(1) || c.optionalOutput(2)) c.fail('Mean and InvStdDev outputs are not supported (the ref kernel writes them)');
    c.shapeIs(y, x.shape, 'output');
    const axis = c.axis(c.int('axis', -1), x.shape.length);
    const len = sizeOf(x.shape.slice(axis)), rows = len === 0 ? 0 : sizeOf(x.shape) / len;
    if (sizeOf(scale.shape) !== len) c.fail(`scale has ${sizeOf(scale.shape)} elements, the normalised block ${len}`);
    if (bias && sizeOf(bias.shape) !== len) c.fail(`bias has ${sizeOf(bias.shape)} elements, the normalised block ${len}`);
    const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
    const sp = pointer(c, env, scale, 'scale'), bp = bias ? pointer(c, env, bias, 'bias') : 0;
    const eps = c.float('epsilon', 1e-5);
    const fn = env.exports['layerNormRowsF32'] as LayerNormRows;
    return () => fn(xp, yp, rows, len, sp, bp, eps);
  },
});

export const ROWNORM_WASM_KERNELS: readonly Kernel[] = [softmaxWasm, layerNormalizationWasm];
