// Reference ConvInteger and QLinearConv (opset 10; int8/uint8, NCHW, any spatial rank): the Conv of
// (x − x_zero_point) and (w − w_zero_point) accumulated in int32, the weight's zero point and scale
// per tensor or per output channel; QLinearConv adds its int32 bias and requantizes to y's.

import type { TensorView } from '../../tensor.js';
import type { Checker } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { windowGeometry, windowTapTable } from '../common/geometry.js';
import { convChannels } from '../common/conv-plan.js';
import { checkParam, INT8_TYPES, int8Operand, paramAt, requantizer } from '../common/quant.js';

interface IntegerConv { readonly cout: number; readonly outSize: number; run(acc: Int32Array): void }

/** Binds x, w (input indices `xi`, `wi`) and their zero points, checks the Conv geometry against `y`, and returns the int32 accumulation. */
function integerConv(c: Checker, xi: number, xZpi: number, wi: number, wZpi: number, y: TensorView, bias?: TensorView): IntegerConv {
  const { x, zp: xZp } = int8Operand(c, xi, xZpi), { x: w, zp: wZp } = int8Operand(c, wi, wZpi);
  const { batch, cin, cout, cinPerGroup, group } = convChannels(c, x, w, y);
  checkParam(c, xZp, `input ${xZpi} (x's zero point)`, {});
  checkParam(c, wZp, `input ${wZpi} (w's zero point)`, { per: { len: cout, what: 'one per output channel' } });
  if (bias !== undefined) c.shapeIs(bias, [cout], 'bias');
  const g = windowGeometry(c, x.shape.slice(2), w.shape.slice(2), y.shape.slice(2), false);
  const table = windowTapTable(g, c);
  const prod = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
  const taps = prod(g.kernel), inSize = prod(g.inSpatial), outSize = prod(g.outSpatial);
  const coutPerGroup = cout / group;
  const xd = x.data as Cells, wd = w.data as Cells, bd = bias?.data as Int32Array | undefined;
  return {
    cout, outSize,
    run(acc) {
      const zx = paramAt(xZp, 0);
      for (let n = 0; n < batch; n++) {
        for (let oc = 0; oc < cout; oc++) {
          const firstIc = Math.floor(oc / coutPerGroup) * cinPerGroup;
          const zw = paramAt(wZp, oc);
          for (let p = 0; p < outSize; p++) {
            let s = bd === undefined ? 0 : bd[oc]!;
            for (let ic = 0; ic < cinPerGroup; ic++) {
              const xBase = (n * cin + firstIc + ic) * inSize, wBase = (oc * cinPerGroup + ic) * taps;
              for (let t = 0; t < taps; t++) {
                // A tap in the padding reads the zero point: (x_zero_point − x_zero_point) adds nothing.
                const off = table[p * taps + t]!;
                if (off >= 0) s += ((xd[xBase + off] as number) - zx) * ((wd[wBase + t] as number) - zw);
              }
            }
            acc[(n * cout + oc) * outSize + p] = s; // int32 accumulation: the store wraps
          }
        }
      }
    },
  };
}

export const convIntegerRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'ConvInteger', target: 'ref', dtypes: INT8_TYPES,
  prepare(c) {
    const y = c.output(0, ['int32']);
    const conv = integerConv(c, 0, 2, 1, 3, y);
    const yd = y.data as Int32Array;
    return () => conv.run(yd);
  },
});

export const qLinearConvRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'QLinearConv', target: 'ref', dtypes: INT8_TYPES,
  prepare(c) {
    const y = c.output(0, INT8_TYPES);
    const bias = c.optionalInput(8, ['int32']);
    const conv = integerConv(c, 0, 2, 3, 5, y, bias);
    const { cout, outSize } = conv;
    const requantize = requantizer(c, y, {
      names: ['x_scale', 'w_scale', 'y_scale', 'y_zero_point'],
      forms: [{}, { per: { len: cout, what: 'one per output channel' } }, {}, {}],
      scaleTypes: ['float32'],
    }, () => 0, (t) => Math.floor(t / outSize) % cout);
    const acc = new Int32Array(y.shape.reduce((p, d) => p * d, 1));
    return () => {
      conv.run(acc);
      requantize(acc);
    };
  },
});
