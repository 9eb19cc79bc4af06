// Reference DynamicQuantizeLinear (opset 11): uint8 quantization with the scale and zero point
// computed from the input's range widened to include 0, in float32 as the ONNX spec writes it.

import { defineKernel, idDType } from '../common/define.js';
import { roundHalfEven } from './round.js';
import { quantizeValue } from '../common/quant.js';

export const dynamicQuantizeLinearRef = defineKernel({
  dtype: idDType(['float32']), tile: '1x1', op: 'DynamicQuantizeLinear', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['uint8']), scale = c.output(1, ['float32']), zp = c.output(2, ['uint8']);
    c.shapeIs(y, x.shape, 'output 0');
    c.shapeIs(scale, [], 'y_scale'); c.shapeIs(zp, [], 'y_zero_point');
    const xd = x.data as Float32Array, yd = y.data as Uint8Array;
    const n = x.shape.reduce((p, d) => p * d, 1);
    return () => {
      let min = 0, max = 0;
      for (let i = 0; i < n; i++) { const v = xd[i]!; if (v < min) min = v; if (v > max) max = v; }
      // An all-zero input would have scale 0 (the spec divides by it): onnxruntime takes scale 1, zero point 0.
      const s = max === min ? 1 : Math.fround(Math.fround(max - min) / 255);
      const z = Math.min(255, Math.max(0, roundHalfEven(Math.fround(0 - Math.fround(min / s)))));
      for (let i = 0; i < n; i++) yd[i] = quantizeValue(Math.fround(xd[i]! / s), z, 0, 255);
      (scale.data as Float32Array)[0] = s;
      (zp.data as Uint8Array)[0] = z;
    };
  },
});
