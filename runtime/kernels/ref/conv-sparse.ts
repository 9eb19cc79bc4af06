// Reference Conv from a packed sparse weight (csr, nm, bsr), NCHW, any spatial rank, groups,
// pads, strides, dilations; bias and the fused relu/clip epilogue after.
//
//   W[O][taps·Cg] (Cg = C/group, columns (kh, kw, ci) with ci fastest):
//     col -> tap t = col / Cg, input channel ci = col % Cg of oc's group
//   Y[n, oc, p] = b[oc] + Σ_{e in row oc} w_e · X[n, g·Cg + ci_e, tapTable[p, t_e]]  (0 in the padding)

import type { SparseFormat } from '../../sparse/packed.js';
import type { Kernel } from '../kernel.js';
import type { ConvPlan } from '../common/conv-plan.js';
import { planConv } from '../common/conv-plan.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES } from '../common/epilogue.js';
import { windowTapTable } from '../common/geometry.js';
import type { Checker } from '../common/define.js';
import { packedInput, rowEntries, SPARSE_FORMATS } from './weight-sparse.js';
import type { PackedWeight } from '../../sparse/packed.js';

export interface SparseConvPlan extends ConvPlan {
  readonly packed: PackedWeight;
}

/** Shared precondition checks of the sparse Conv kernels (ref and js). */
export function planSparseConv(c: Checker, format: SparseFormat, epilogue: Kernel['epilogue']): SparseConvPlan {
  const plan = planConv(c, epilogue, 'packed');
  return { ...plan, packed: packedInput(c, 1, format, plan.cout, plan.taps * plan.cinPerGroup) };
}

function convSparseRef(format: SparseFormat, epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op: 'Conv', target: 'ref', epilogue, format, dtypes: ['float32'],
    prepare(c) {
      const pl = planSparseConv(c, format, epilogue);
      const { batch, cin, cout, cinPerGroup, taps, inSize, outSize, lo, hi } = pl;
      const table = windowTapTable(pl.g, c);
      const { rowStart, col, val, values } = rowEntries(c, pl.packed);
      const coutPerGroup = cout / pl.group;
      const xd = pl.x.data as Float32Array, yd = pl.y.data as Float32Array, bd = pl.bias;
      return () => {
        for (let n = 0; n < batch; n++) {
          for (let oc = 0; oc < cout; oc++) {
            const firstIc = Math.floor(oc / coutPerGroup) * cinPerGroup;
            for (let p = 0; p < outSize; p++) {
              let acc = bd === undefined ? 0 : bd[oc]!;
              for (let e = rowStart[oc]!; e < rowStart[oc + 1]!; e++) {
                const t = Math.floor(col[e]! / cinPerGroup), ci = col[e]! % cinPerGroup;
                const off = table[p * taps + t]!;
                if (off >= 0) acc += values[val[e]!]! * xd[(n * cin + firstIc + ci) * inSize + off]!;
              }
              yd[(n * cout + oc) * outSize + p] = Math.min(hi, Math.max(lo, acc));
            }
          }
        }
      };
    },
  });
}

export const CONV_SPARSE_REF_KERNELS: readonly Kernel[] =
  SPARSE_FORMATS.flatMap((f) => EPILOGUES.map((e) => convSparseRef(f, e)));
