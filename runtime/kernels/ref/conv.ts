// Reference Conv (ONNX opset 11+ semantics, any spatial rank): the readable specification
// the js kernels are tested against. Optional fused relu/clip epilogue.

import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import { EPILOGUES, epilogueClamp, epilogueId } from '../common/epilogue.js';
import { windowGeometry, windowTapTable } from '../common/geometry.js';

function convRef(epilogue: Kernel['epilogue']): Kernel {
  const id = epilogueId('f32', 'conv', epilogue, '1x1', 'ref');
  return defineKernel({
    id, op: 'Conv', target: 'ref', epilogue, dtypes: ['float32'],
    prepare(c) {
      const x = c.input(0, ['float32']);
      const w = c.input(1, ['float32']);
      const b = c.optionalInput(2, ['float32']);
      const y = c.output(0, ['float32']);
      const clamp = epilogueClamp(c, epilogue);
      const rank = x.shape.length;
      if (rank < 3) c.fail(`input rank ${rank} < 3`);
      if (w.shape.length !== rank || y.shape.length !== rank) c.fail('input, weight and output ranks differ');
      const [batch, cin] = x.shape as [number, number];
      const [cout, cinPerGroup] = w.shape as [number, number];
      const group = c.int('group', 1);
      if (group < 1 || cin % group !== 0 || cout % group !== 0) c.fail(`group ${group} does not divide channels ${cin}/${cout}`);
      if (cinPerGroup * group !== cin) c.fail(`weight has ${cinPerGroup} input channels per group, expected ${cin / group}`);
      if (y.shape[0] !== batch || y.shape[1] !== cout) c.fail(`output shape [${y.shape.join(',')}] disagrees with batch ${batch} and ${cout} channels`);
      if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== cout)) c.fail(`bias must have shape [${cout}]`);
      const g = windowGeometry(c, x.shape.slice(2), w.shape.slice(2), y.shape.slice(2), false);
      const table = windowTapTable(g);
      const inSize = g.inSpatial.reduce((a, d) => a * d, 1);
      const outSize = g.outSpatial.reduce((a, d) => a * d, 1);
      const taps = g.kernel.reduce((a, d) => a * d, 1);
      const coutPerGroup = cout / group;
      const xd = x.data as Float32Array, wd = w.data as Float32Array, yd = y.data as Float32Array;
      const bd = b?.data as Float32Array | undefined;
      const { lo, hi } = clamp;
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
