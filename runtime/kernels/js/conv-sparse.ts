// js Conv from a packed sparse weight (csr, nm, bsr), NCHW, fused relu/clip. Two paths:
//
//   pointwise (1×1, stride 1, no pads), XNNPACK's SpMM over contiguous pixels P:
//     csr/nm: for oc, for 8 pixels p..p+7 in registers:
//               acc[0..7] = b[oc];  for e in row oc: acc[q] += values[e] · X[xch[e] + p + q]
//             (xch[e] = input-channel offset of column col[e] in oc's group; 1..7 tail pixels)
//     bsr:    for block row R: Y[R·br + r, :] = b;  for block b, r < br, c < bc:
//               Y[R·br + r, :] += V[b, r, c] · X[C·bc + c, :]      (axpy over P)
//   general (any window): direct loop, per entry precomputed tap and channel offset,
//     Y[oc, p] = b[oc] + Σ_e w_e · X[ch_e, tapTable[p, tap_e]]   (skipped in the padding)

import type { SparseFormat } from '../../sparse/packed.js';
import type { Kernel, RunFn } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import { windowTapTable } from '../common/geometry.js';
import { planSparseConv } from '../ref/conv-sparse.js';
import { rowEntries, SPARSE_FORMATS } from '../ref/weight-sparse.js';

function convSparseJs(format: SparseFormat, epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '8x1', op: 'Conv', target: 'js', epilogue, format, dtypes: ['float32'],
    prepare(c): RunFn {
      const pl = planSparseConv(c, format, epilogue);
      const { batch, cin, cout, cinPerGroup, taps, inSize, outSize: P, lo, hi, g, packed } = pl;
      const xd = pl.x.data as Float32Array, yd = pl.y.data as Float32Array, bd = pl.bias;
      const coutPerGroup = cout / pl.group;
      const pointwise = taps === 1 && g.strides.every((s) => s === 1)
        && g.padBegin.every((v) => v === 0) && g.padEnd.every((v) => v === 0);
      const clampRows = (from: number, to: number): void => {
        for (let i = from; i < to; i++) { const v = yd[i]!; yd[i] = v < lo ? lo : v > hi ? hi : v; }
      };

      if (pointwise && packed.format === 'bsr' && coutPerGroup % packed.br === 0) {
        const { br, bc, rowPtr, values } = packed;
        const colIdx = Int32Array.from(packed.colIdx);
        const blockRows = cout / br;
        return () => {
          for (let n = 0; n < batch; n++) {
            const xn = n * cin * P, yn = n * cout * P;
            for (let R = 0; R < blockRows; R++) {
              const row0 = R * br;
              const xg = xn + Math.floor(row0 / coutPerGroup) * cinPerGroup * P; // br divides O/g: a block row stays in one group
              for (let r = 0; r < br; r++) yd.fill(bd === undefined ? 0 : bd[row0 + r]!, yn + (row0 + r) * P, yn + (row0 + r + 1) * P);
              for (let b = rowPtr[R]!; b < rowPtr[R + 1]!; b++) {
                const xc = xg + colIdx[b]! * bc * P;
                let v = b * br * bc;
                for (let r = 0; r < br; r++) {
                  const yr = yn + (row0 + r) * P;
                  for (let cc = 0; cc < bc; cc++, v++) {
                    const w = values[v]!;
                    const xr = xc + cc * P;
                    for (let p = 0; p < P; p++) yd[yr + p] += w * xd[xr + p]!;
                  }
                }
              }
              clampRows(yn + row0 * P, yn + (row0 + br) * P);
            }
          }
        };
      }

      const { rowStart, col, val, values } = rowEntries(c, packed);
      // Per entry: the input channel offset (within one image) and, for the general path, the tap.
      const xch = new Int32Array(col.length), tap = new Int32Array(col.length);
      for (let oc = 0; oc < cout; oc++) {
        const firstIc = Math.floor(oc / coutPerGroup) * cinPerGroup;
        for (let e = rowStart[oc]!; e < rowStart[oc + 1]!; e++) {
          tap[e] = Math.floor(col[e]! / cinPerGroup);
          xch[e] = (firstIc + (col[e]! % cinPerGroup)) * inSize;
        }
      }

      if (pointwise && packed.format !== 'bsr') {
        // csr and nm keep their values in entry order (val[e] = e).
        const P8 = P - (P % 8);
        return () => {
          for (let n = 0; n < batch; n++) {
            const xn = n * cin * P;
            for (let oc = 0; oc < cout; oc++) {
              const bias = bd === undefined ? 0 : bd[oc]!;
              const e0 = rowStart[oc]!, e1 = rowStart[oc + 1]!;
              const yr = (n * cout + oc) * P;
              for (let p = 0; p < P8; p += 8) {
                let a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias;
                for (let e = e0; e < e1; e++) {
                  const w = values[e]!, xb = xn + xch[e]! + p;
                  a0 += w * xd[xb]!; a1 += w * xd[xb + 1]!; a2 += w * xd[xb + 2]!; a3 += w * xd[xb + 3]!;
                  a4 += w * xd[xb + 4]!; a5 += w * xd[xb + 5]!; a6 += w * xd[xb + 6]!; a7 += w * xd[xb + 7]!;
                }
                const yb = yr + p;
                yd[yb] = a0 < lo ? lo : a0 > hi ? hi : a0; yd[yb + 1] = a1 < lo ? lo : a1 > hi ? hi : a1;
                yd[yb + 2] = a2 < lo ? lo : a2 > hi ? hi : a2; yd[yb + 3] = a3 < lo ? lo : a3 > hi ? hi : a3;
                yd[yb + 4] = a4 < lo ? lo : a4 > hi ? hi : a4; yd[yb + 5] = a5 < lo ? lo : a5 > hi ? hi : a5;
                yd[yb + 6] = a6 < lo ? lo : a6 > hi ? hi : a6; yd[yb + 7] = a7 < lo ? lo : a7 > hi ? hi : a7;
              }
              for (let p = P8; p < P; p++) {
                let acc = bias;
                for (let e = e0; e < e1; e++) acc += values[e]! * xd[xn + xch[e]! + p]!;
                yd[yr + p] = acc < lo ? lo : acc > hi ? hi : acc;
              }
            }
          }
        };
      }

      const table = windowTapTable(g, c);
      return () => {
        for (let n = 0; n < batch; n++) {
          const xn = n * cin * inSize;
          for (let oc = 0; oc < cout; oc++) {
            const bias = bd === undefined ? 0 : bd[oc]!;
            const e0 = rowStart[oc]!, e1 = rowStart[oc + 1]!;
            const yr = (n * cout + oc) * P;
            for (let p = 0; p < P; p++) {
              let acc = bias;
              const t0 = p * taps;
              for (let e = e0; e < e1; e++) {
                const off = table[t0 + tap[e]!]!;
                if (off >= 0) acc += values[val[e]!]! * xd[xn + xch[e]! + off]!;
              }
              yd[yr + p] = acc < lo ? lo : acc > hi ? hi : acc;
            }
          }
        }
      };
    },
  });
}

export const CONV_SPARSE_JS_KERNELS: readonly Kernel[] =
  SPARSE_FORMATS.flatMap((f) => EPILOGUES.map((e) => convSparseJs(f, e)));
