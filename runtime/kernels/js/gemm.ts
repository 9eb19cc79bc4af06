// js Gemm: Y = alpha·op(A)·op(B) + beta·C with fused relu/clip. transB = 0 runs the 4-row
// accumulate micro-kernel (contiguous over N), transB = 1 (PyTorch Linear weights) the
// 4-column dot micro-kernel (contiguous over K); see sgemm-core.ts for the loop sketches.

import type { Kernel } from '../kernel.js';
import { broadcastStrides } from '../common/broadcast.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES, epilogueClamp, epilogueId } from '../common/epilogue.js';
import { clampRange, sgemmAccumulate, sgemmDot } from './sgemm-core.js';

function gemmJs(epilogue: Kernel['epilogue']): Kernel {
  const id = epilogueId('f32', 'gemm', epilogue, '4x4', 'js');
  return defineKernel({
    id, op: 'Gemm', target: 'js', epilogue, dtypes: ['float32'],
    prepare(c) {
      const a = c.input(0, ['float32']);
      const b = c.input(1, ['float32']);
      const cIn = c.optionalInput(2, ['float32']);
      const y = c.output(0, ['float32']);
      const { lo, hi } = epilogueClamp(c, epilogue);
      const alpha = c.float('alpha', 1), beta = c.float('beta', 1);
      const transA = c.int('transA', 0) !== 0, transB = c.int('transB', 0) !== 0;
      if (a.shape.length !== 2 || b.shape.length !== 2) c.fail('A and B must be 2-D');
      const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
      const [kb, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
      if (k !== kb) c.fail(`inner dimensions differ: ${k} vs ${kb}`);
      c.shapeIs(y, [m, n], 'output');
      let cRow = 0, cCol = 0;
      if (cIn !== undefined) {
        const s = broadcastStrides(cIn.shape, [m, n]);
        if (s === undefined) c.fail(`C shape [${cIn.shape.join(',')}] does not broadcast to [${m},${n}]`);
        [cRow, cCol] = s as [number, number];
      }
      const ad = a.data as Float32Array, bd = b.data as Float32Array, yd = y.data as Float32Array;
      const cd = cIn?.data as Float32Array | undefined;
      const [aRow, aCol] = transA ? [1, m] : [k, 1];
      const size = m * n;
      return () => {
        if (transB) sgemmDot(m, n, k, ad, 0, aRow, aCol, bd, 0, yd, 0);
        else {
          yd.fill(0, 0, size);
          sgemmAccumulate(m, n, k, ad, 0, aRow, aCol, bd, 0, yd, 0);
        }
        if (alpha !== 1) for (let i = 0; i < size; i++) yd[i] = alpha * yd[i]!;
        if (cd !== undefined && beta !== 0) {
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) yd[i * n + j] += beta * cd[i * cRow + j * cCol]!;
        }
        clampRange(yd, 0, size, lo, hi);
      };
    },
  });
}

export const GEMM_JS_KERNELS: readonly Kernel[] = EPILOGUES.map(gemmJs);
