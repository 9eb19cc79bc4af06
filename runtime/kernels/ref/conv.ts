// Reference Conv (ONNX opset 11+ semantics, any spatial rank): the readable specification
// the js kernels are tested against. Optional fused relu/clip epilogue.

import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { planConv } from '../common/conv-plan.js';
import { EPILOGUES } from '../common/epilogue.js';
import { windowTapTable } from '../common/geometry.js';

function convRef(epilogue: Kernel['epilogue']): Kernel {
  return defineKernel({
    dtype: 'f32', tile: '1x1', op: 'Conv', target: 'ref', epilogue, dtypes: ['float32'],
    prepare(c) {
      const { x, w, y, bias: bd, g, batch, cin, cout, group, cinPerGroup, taps, inSize, outSize, lo, hi } = planConv(c, epilogue, 'dense');
      const table = windowTapTable(g, c);
      const coutPerGroup = cout / group;
      const xd = x.data as Float32Array, wd = w.data as Float32Array, yd = y.data as Float32Array;
      return () => {
        for (let n = 0; n < batch; n++) {
          for (let oc = 0; oc < cout; oc++) {
            const firstIc = Math.floor(oc / coutPerGroup) * cinPerGroup;
            for (let p = 0; p < outSize; p++) {
              let acc = bd === undefined ? 0 : bd[oc]!;
              for (let ic = 0; ic < cinPerGroup; ic++) {
                const xBase = (n * cin + firstIc + ic) * inSize;
                const wBase = (oc * cinPerGroup + ic) * taps;
                for (let t = 0; t < taps; t++) {
                  const off = table[p * taps + t]!;
                  if (off >= 0) acc += xd[xBase + off]! * wd[wBase + t]!;
                }
              }
              yd[(n * cout + oc) * outSize + p] = Math.min(hi, Math.max(lo, acc));
            }
          }
        }
      };
    },
  });
}

export const CONV_REF_KERNELS: readonly Kernel[] = EPILOGUES.map(convRef);
