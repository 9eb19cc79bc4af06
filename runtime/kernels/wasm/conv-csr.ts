// wasmsimd sparse Conv, NCHW, fused bias + relu/clip, per image n:
//
//   csr    f32-convcsr-16x1-wasmsimd:  pointwise only; spmm16x1 (asm/sparse.as),
//                                      scratch = vals[nnz] f32 | offs[nnz] u32 (= col·P·4) | nnz[Cout] u32

import type { Kernel } from '../kernel.js';
import { EPILOGUES, epilogueId } from '../common/epilogue.js';
import { CONV_SPARSE_JS_KERNELS } from '../js/conv-sparse.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import type { Spmm16x1 } from './common.js';
import { f32Bytes, stageCsr, pointer, wasmKernel } from './common.js';
import { pointwiseConv } from './conv.js';

const NEEDS = 'a float32 1×1 Conv with stride 1, no pads and group 1';

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
      const { vals, offs, counts } = stageCsr(c, env, packed, cout, P);
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

export const CONV_CSR_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(convCsrWasm);
