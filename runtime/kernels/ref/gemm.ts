// Reference Gemm: Y = alpha * op(A) * op(B) + beta * C, C unidirectionally broadcast to
// [M, N]; optional fused relu/clip epilogue.

import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { broadcastStrides } from '../common/broadcast.js';
import { EPILOGUES, epilogueClamp, epilogueId } from '../common/epilogue.js';

function gemmRef(epilogue: Kernel['epilogue']): Kernel {
  const id = epilogueId('f32', 'gemm', epilogue, '1x1', 'ref');
  return defineKernel({
    id, op: 'Gemm', target: 'ref', epilogue, dtypes: ['float32'],
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
      const [aI, aK] = transA ? [1, m] : [k, 1];
      const [bK, bJ] = transB ? [1, k] : [n, 1];
      return () => {
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let acc = 0;
            for (let p = 0; p < k; p++) acc += ad[i * aI + p * aK]! * bd[p * bK + j * bJ]!;
            let v = alpha * acc;
            if (cd !== undefined) v += beta * cd[i * cRow + j * cCol]!;
            yd[i * n + j] = Math.min(hi, Math.max(lo, v));
          }
        }
      };
    },
  });
}

export const GEMM_REF_KERNELS: readonly Kernel[] = EPILOGUES.map(gemmRef);
