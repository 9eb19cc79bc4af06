// js ConvTranspose (float32, any spatial rank, groups): per group and tile of PT input pixels,
// one GEMM gives every (output channel, tap) row of contributions, then col2im adds each into
// the output through the scatter table (common/convtranspose-plan.ts), bias first:
//
//   cols[(m,t)][p] = Σ_ic W[ic][m][t] · X[ic][p]      (sgemmAccumulate: A = Wᵀ, aRow 1, aCol M·T)
//   Y[m][table[p][t]] += cols[(m,t)][p]                (table transposed to [t][p]: rows read contiguously)
//
// The ref kernel sums in another order (input channel outermost): results agree to float rounding.

import { defineKernel } from '../common/define.js';
import { planConvTranspose } from '../common/convtranspose-plan.js';
import { sgemmAccumulate } from './sgemm-core.js';

/** Input pixels per tile: bounds the scratch to (C_in/group + C_out/group·taps)·PT floats. */
const PT = 256;

export const convTransposeJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'ConvTranspose', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const { x, w, b, y, batch, cin, cout, coutPerGroup, group, inSize, taps, outSize, table } = planConvTranspose(c);
    const cinG = cin / group, rows = coutPerGroup * taps, pt = Math.max(1, Math.min(PT, inSize));
    const tableT = new Int32Array(inSize * taps);
    for (let p = 0; p < inSize; p++) for (let t = 0; t < taps; t++) tableT[t * inSize + p] = table[p * taps + t]!;
    const xd = x.data as Float32Array, wd = w.data as Float32Array, yd = y.data as Float32Array;
    const bd = b?.data as Float32Array | undefined;
    const xTile = new Float32Array(cinG * pt), cols = new Float32Array(rows * pt);
    return () => {
      for (let nb = 0; nb < batch; nb++) {
        for (let oc = 0; oc < cout; oc++) {
          const base = (nb * cout + oc) * outSize;
          yd.fill(bd ? bd[oc]! : 0, base, base + outSize);
        }
        for (let g = 0; g < group; g++) {
          const xBase = (nb * cin + g * cinG) * inSize, wBase = g * cinG * rows;
          for (let p0 = 0; p0 < inSize; p0 += pt) {
            const n = Math.min(pt, inSize - p0);
            for (let ic = 0; ic < cinG; ic++) xTile.set(xd.subarray(xBase + ic * inSize + p0, xBase + ic * inSize + p0 + n), ic * n);
            cols.fill(0, 0, rows * n);
            sgemmAccumulate(rows, n, cinG, wd, wBase, 1, rows, xTile, 0, cols, 0);
            for (let m = 0; m < coutPerGroup; m++) {
              const yBase = (nb * cout + g * coutPerGroup + m) * outSize;
              for (let t = 0; t < taps; t++) {
                const r = (m * taps + t) * n, tb = t * inSize + p0;
                for (let j = 0; j < n; j++) {
                  const off = tableT[tb + j]!;
                  if (off >= 0) yd[yBase + off] += cols[r + j]!;
                }
              }
            }
          }
        }
      }
    };
  },
});
