// wasmsimd Conv, pointwise only (1×1, stride 1, no pads, group 1), NCHW, fused bias + relu/clip:
// per image n, Y_n[Cout][P] = W[Cout][Cin] · X_n[Cin][P] + b over the P = H·W contiguous pixels.
//
//   dense  f32-conv-4x8-wasmsimd:      gemm4x8 (asm/kernels.as), W read in place from the weight
//                                      section (row-major [Cout][Cin] is already W[N][K]);
//   csr    f32-convcsr-16x1-wasmsimd:  spmm16x1, scratch = vals[nnz] f32 | offs[nnz] u32 (= col·P·4) | nnz[Cout] u32
//
// Anything else (k×k, strided, padded, grouped, depthwise) is refused by `supports`, so
// selection keeps the js kernel for it.

import type { Kernel, NodeShapes } from '../kernel.js';
import { EPILOGUES, epilogueClamp, epilogueId } from '../common/epilogue.js';
import { CONV_JS_KERNELS } from '../js/conv.js';
import { CONV_SPARSE_JS_KERNELS } from '../js/conv-sparse.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import { rowEntries } from '../ref/weight-sparse.js';
import type { Gemm4x8, Spmm16x1 } from './common.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';

const NEEDS = 'a float32 1×1 Conv with stride 1, no pads and group 1';

const allIs = (v: unknown, x: number): boolean => v === undefined || (Array.isArray(v) && v.every((d) => d === x));

/** 1×1, stride 1, no pads, group 1, float32, output spatial = input spatial. */
export function pointwiseConv(node: NodeShapes): boolean {
  const [x, w] = node.inputs;
  const y = node.outputs[0];
  if (!x || !w || !y || x.dtype !== 'float32' || w.dtype !== 'float32') return false;
  const r = x.shape.length;
  if (r < 3 || w.shape.length !== r || y.shape.length !== r) return false;
  const a = node.attrs;
  if ((a['group'] ?? 1) !== 1) return false;
  if (!allIs(a['strides'], 1) || !allIs(a['pads'], 0) || !allIs(a['kernel_shape'], 1)) return false;
  if (w.shape.slice(2).some((d) => d !== 1) || w.shape[1] !== x.shape[1]) return false;
  return x.shape.slice(2).every((d, i) => d === y.shape[2 + i]) && y.shape[1] === w.shape[0] && y.shape[0] === x.shape[0];
}

const spatial = (shape: readonly number[]): number => shape.slice(2).reduce((a, d) => a * d, 1);

function convWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    id: epilogueId('f32', 'conv', epilogue, '4x8', 'wasmsimd'), op: 'Conv', epilogue, needs: NEEDS,
    js: CONV_JS_KERNELS.find((k) => k.epilogue === epilogue)!,
    supports: pointwiseConv,
    scratchBytes: () => 0,
    prepare(c, env) {
      const x = c.input(0, ['float32']), w = c.input(1, ['float32']), b = c.optionalInput(2, ['float32']);
      const y = c.output(0, ['float32']);
      const { lo, hi } = epilogueClamp(c, epilogue);
      const [batch, cin] = x.shape as [number, number];
      const cout = w.shape[0]!;
      if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== cout)) c.fail(`bias must have shape [${cout}]`);
      const P = spatial(x.shape);
      const xp = pointer(c, env, x, 'input 0'), wp = pointer(c, env, w, 'weight'), yp = pointer(c, env, y, 'output');
      const bp = b === undefined ? 0 : pointer(c, env, b, 'bias');
      const gemm = env.exports['gemm4x8'] as Gemm4x8;
      const xStep = cin * P * 4, yStep = cout * P * 4;
      return () => {
        for (let n = 0; n < batch; n++) gemm(wp, xp + n * xStep, yp + n * yStep, bp, cout, cin, P, lo, hi);
      };
    },
  });
}

function convCsrWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    id: epilogueId('f32', 'convcsr', epilogue, '16x1', 'wasmsimd'), op: 'Conv', epilogue, format: 'csr', needs: NEEDS,
    js: CONV_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'csr')!,
    supports: (node) => node.inputs[1]?.packed?.format !== 'bsr' && node.inputs[1]?.packed?.format !== 'nm' && pointwiseConv(node),
    scratchBytes(node) {
      const p = node.inputs[1]?.packed;
      return p ? 2 * f32Bytes(p.values.length) + f32Bytes(p.rows) : 0;
    },
    prepare(c, env) {
      const { x, y, bias, packed, batch, cin, cout, outSize: P, lo, hi } = planSparseConv(c, 'csr', epilogue);
      const { rowStart, col, values } = rowEntries(c, packed);
      const nnz = values.length;
      const vals = env.scratch(nnz * 4), offs = env.scratch(nnz * 4), counts = env.scratch(cout * 4);
      new Float32Array(env.memory.buffer, vals, nnz).set(values);
      const o = new Uint32Array(env.memory.buffer, offs, nnz);
      for (let e = 0; e < nnz; e++) o[e] = col[e]! * P * 4;
      const cnt = new Uint32Array(env.memory.buffer, counts, cout);
      for (let r = 0; r < cout; r++) cnt[r] = rowStart[r + 1]! - rowStart[r]!;
      const xp = pointer(c, env, x, 'input 0'), yp = pointer(c, env, y, 'output');
      const b = c.ctx.inputs[2];
      const bp = bias === undefined || b === undefined ? 0 : pointer(c, env, b, 'bias');
      const spmm = env.exports['spmm16x1'] as Spmm16x1;
      const xStep = cin * P * 4, yStep = cout * P * 4;
      return () => {
        for (let n = 0; n < batch; n++) spmm(vals, offs, counts, xp + n * xStep, yp + n * yStep, bp, cout, P, lo, hi);
      };
    },
  });
}

export const CONV_WASM_KERNELS: readonly Kernel[] = [...EPILOGUES.map(convWasm), ...EPILOGUES.map(convCsrWasm)];
