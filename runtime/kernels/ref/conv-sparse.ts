// Reference Conv from a packed sparse weight (csr, nm, bsr), NCHW, any spatial rank, groups,
// pads, strides, dilations; bias and the fused relu/clip epilogue after.
//
//   W[O][taps·Cg] (Cg = C/group, columns (kh, kw, ci) with ci fastest):
//     col -> tap t = col / Cg, input channel ci = col % Cg of oc's group
//   Y[n, oc, p] = b[oc] + Σ_{e in row oc} w_e · X[n, g·Cg + ci_e, tapTable[p, t_e]]  (0 in the padding)

import type { SparseFormat } from '../../sparse/packed.js';
import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES, epilogueClamp, epilogueId } from '../common/epilogue.js';
import { windowGeometry, windowTapTable } from '../common/geometry.js';
import type { Checker } from '../common/define.js';
import type { TensorView } from '../../tensor.js';
import { packedInput, rowEntries, SPARSE_FORMATS } from './weight-sparse.js';
import type { PackedWeight } from '../../sparse/packed.js';
import type { WindowGeometry } from '../common/geometry.js';

export interface SparseConvPlan {
  readonly x: TensorView;
  readonly y: TensorView;
  readonly bias: Float32Array | undefined;
  readonly packed: PackedWeight;
  readonly g: WindowGeometry;
  readonly batch: number;
  readonly cin: number;
  readonly cout: number;
  readonly group: number;
  readonly cinPerGroup: number;
  readonly taps: number;
  readonly inSize: number;
  readonly outSize: number;
  readonly lo: number;
  readonly hi: number;
}

/** Shared precondition checks of the sparse Conv kernels (ref and js). */
export function planSparseConv(c: Checker, format: SparseFormat, epilogue: Kernel['epilogue']): SparseConvPlan {
  const x = c.input(0, ['float32']);
  const wv = c.ctx.inputs[1];
  if (wv === undefined) c.fail('input 1 (the weight) is required');
  const b = c.optionalInput(2, ['float32']);
  const y = c.output(0, ['float32']);
  const { lo, hi } = epilogueClamp(c, epilogue);
  const rank = x.shape.length;
  if (rank < 3) c.fail(`input rank ${rank} < 3`);
  if (wv.shape.length !== rank || y.shape.length !== rank) c.fail('input, weight and output ranks differ');
  const [batch, cin] = x.shape as [number, number];
  const [cout, cinPerGroup] = wv.shape as [number, number];
  const group = c.int('group', 1);
  if (group < 1 || cin % group !== 0 || cout % group !== 0) c.fail(`group ${group} does not divide channels ${cin}/${cout}`);
  if (cinPerGroup * group !== cin) c.fail(`weight has ${cinPerGroup} input channels per group, expected ${cin / group}`);
  if (y.shape[0] !== batch || y.shape[1] !== cout) c.fail(`output shape [${y.shape.join(',')}] disagrees with batch ${batch} and ${cout} channels`);
  if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== cout)) c.fail(`bias must have shape [${cout}]`);
  const g = windowGeometry(c, x.shape.slice(2), wv.shape.slice(2), y.shape.slice(2), false);
  const taps = g.kernel.reduce((a, d) => a * d, 1);
  const packed = packedInput(c, 1, format, cout, taps * cinPerGroup);
  return {
    x, y, bias: b?.data as Float32Array | undefined, packed, g, batch, cin, cout, group, cinPerGroup, taps,
    inSize: g.inSpatial.reduce((a, d) => a * d, 1), outSize: g.outSpatial.reduce((a, d) => a * d, 1), lo, hi,
  };
}

function convSparseRef(format: SparseFormat, epilogue: Kernel['epilogue']): Kernel {
  const id = epilogueId('f32', `conv${format}`, epilogue, '1x1', 'ref');
  return defineKernel({
    id, op: 'Conv', target: 'ref', epilogue, format, dtypes: ['float32'],
    prepare(c) {
      const pl = planSparseConv(c, format, epilogue);
      const { batch, cin, cout, cinPerGroup, taps, inSize, outSize, lo, hi } = pl;
      const table = windowTapTable(pl.g);
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
