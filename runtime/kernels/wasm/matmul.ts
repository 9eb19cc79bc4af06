// wasmsimd MatMul with a 2-D B (the weight of a Linear layer), A of rank ≥ 2 whose leading axes
// are flattened into rows, fused relu/clip:
//
//   dense  f32-matmul-4x8-wasmsimd:     Y[R][N] = A[R][K] · B[K][N]          gemm4x8 in place, no copies; a B of 1 MiB or
//                                                                             more (BERT's 768×3072) with R ≥ 8: gemmPanels
//                                                                             (asm/panel.as) over B packed into 8-column
//                                                                             panels in scratch: once at prepare when B is a
//                                                                             weight (ctx.constants), else on every run
//   (csr: matmul-csr.ts; N:M and row blocks: matmul-nm.ts, matmul-rowblock.ts; shapes and panels: matmul-shape.ts)
//
// (R = rows of A over all leading axes.)
// The dense kernel also takes a batched B of A's rank with the same batch axes (attention's
// Q·Kᵀ and P·V): gemm4x8 once per batch. Broadcasting batch axes are refused by `supports`, so
// selection keeps the js kernel for them.

import type { Kernel, NodeShapes, RunFn } from '../kernel.js';
import { EPILOGUES, epilogueClamp } from '../common/epilogue.js';
import { MATMUL_JS_KERNELS } from '../js/matmul.js';
import type { Gemm4x8 } from './common.js';
import { pointer, wasmKernel } from './common.js';
import type { GemmPanels, PackPanels8 } from './matmul-shape.js';
import { dims, panelBytes, usesPanels } from './matmul-shape.js';
import { WASM_DENSE } from './modules/dense.wasm.js';

const NEEDS = 'a float32 MatMul of A (rank ≥ 2) by a 2-D B, or by a B with the same batch axes as A';

/** Batch T, rows R, K and N when A = [...T, R, K], B = [...T, K, N] (same batch axes, no broadcast) and Y = [...T, R, N]. */
function batchedDims(node: NodeShapes): { t: number; r: number; k: number; n: number } | undefined {
  const [a, b] = node.inputs;
  const y = node.outputs[0];
  if (!a || !b || !y || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const rank = a.shape.length;
  if (rank < 3 || b.shape.length !== rank || y.shape.length !== rank) return undefined;
  const batch = a.shape.slice(0, -2);
  if (batch.some((d, i) => d !== b.shape[i] || d !== y.shape[i])) return undefined;
  const r = a.shape[rank - 2]!, k = a.shape[rank - 1]!, n = b.shape[rank - 1]!;
  if (b.shape[rank - 2] !== k || y.shape[rank - 2] !== r || y.shape[rank - 1] !== n) return undefined;
  return { t: batch.reduce((p, d) => p * d, 1), r, k, n };
}

function matmulWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_DENSE],
    tile: '4x8', op: 'MatMul', epilogue, needs: NEEDS,
    js: MATMUL_JS_KERNELS.find((k) => k.epilogue === epilogue)!,
    supports: (node) => dims(node) !== undefined || batchedDims(node) !== undefined,
    scratchBytes(node) {
      const d = node.inputs[1]?.shape.length === 2 ? dims(node) : undefined;
      return d && usesPanels(d) ? panelBytes(d.k, d.n) : 0;
    },
    prepare(c, env): RunFn {
      const a = c.input(0, ['float32']), b = c.input(1, ['float32']), y = c.output(0, ['float32']);
      const { lo, hi } = epilogueClamp(c, epilogue);
      const node = { inputs: [a, b], outputs: [y], attrs: c.ctx.attrs };
      const ap = pointer(c, env, a, 'input A'), bp = pointer(c, env, b, 'input B'), yp = pointer(c, env, y, 'output');
      const gemm = env.exports['gemm4x8'] as Gemm4x8;
      const batched = b.shape.length > 2 ? batchedDims(node) : undefined;
      if (batched) {
        const { t, r, k, n } = batched;
        const aStep = r * k * 4, bStep = k * n * 4, yStep = r * n * 4;
        return () => {
          for (let i = 0; i < t; i++) gemm(ap + i * aStep, bp + i * bStep, yp + i * yStep, 0, r, k, n, lo, hi);
        };
      }
      const { r, k, n } = dims(node) ?? c.fail(`unsupported node: the kernel needs ${NEEDS}`);
      if (!usesPanels({ r, k, n })) return () => gemm(ap, bp, yp, 0, r, k, n, lo, hi);
      const panels = env.scratch(panelBytes(k, n));
      const pack = env.exports['packPanels8'] as PackPanels8, product = env.exports['gemmPanels'] as GemmPanels;
      if (c.isConstant(1)) {
        pack(bp, panels, k, n);
        return () => product(ap, panels, yp, r, k, n, lo, hi);
      }
      return () => {
        pack(bp, panels, k, n);
        product(ap, panels, yp, r, k, n, lo, hi);
      };
    },
  });
}

export const MATMUL_WASM_KERNELS: readonly Kernel[] = EPILOGUES.map(matmulWasm);
