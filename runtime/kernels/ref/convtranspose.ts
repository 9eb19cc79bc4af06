// Reference ConvTranspose (opset 1+ semantics, any spatial rank, float32): every input pixel
// scatters into the output through the kernel window. The output's spatial size comes from its
// view (shape inference applied output_shape / output_padding / auto_pad); the leading pads
// are the `pads` attribute, or, with output_shape or SAME auto_pad, derived from the total
// padding as ONNX's reference does (SAME_UPPER puts the smaller half first).

import { defineKernel } from '../common/define.js';
import { planConvTranspose } from '../common/convtranspose-plan.js';

export const convTransposeRef = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'ConvTranspose', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const { x, w, b, y, batch, cin, cout, coutPerGroup, group, inSize, taps, outSize, table } = planConvTranspose(c);
    const xd = x.data as Float32Array, wd = w.data as Float32Array, yd = y.data as Float32Array;
    const bd = b?.data as Float32Array | undefined;
    const cinPerGroup = cin / group;
    return () => {
      for (let nb = 0; nb < batch; nb++) {
        for (let oc = 0; oc < cout; oc++) {
          const base = (nb * cout + oc) * outSize;
          yd.fill(bd ? bd[oc]! : 0, base, base + outSize);
        }
        for (let ic = 0; ic < cin; ic++) {
          const gi = Math.floor(ic / cinPerGroup);
          const xBase = (nb * cin + ic) * inSize;
          for (let m = 0; m < coutPerGroup; m++) {
            const oc = gi * coutPerGroup + m;
            const yBase = (nb * cout + oc) * outSize;
            const wBase = (ic * coutPerGroup + m) * taps;
            for (let p = 0; p < inSize; p++) {
              const xv = xd[xBase + p]!;
              for (let t = 0; t < taps; t++) {
                const off = table[p * taps + t]!;
                if (off >= 0) yd[yBase + off] += xv * wd[wBase + t]!;
              }
            }
          }
        }
      }
    };
  },
});
