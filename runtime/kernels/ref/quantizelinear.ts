// Reference QuantizeLinear and DequantizeLinear (opsets 10–21): y = saturate(roundHalfEven(x / scale)
// + zero_point) and y = (x − zero_point) · scale in float32, the scale and zero point per tensor,
// per axis (opset 13+) or per block along the axis (opset 21 block_size); int8/uint8/int16/uint16.

import { defineKernel, idDType } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { linearParams, QUANT_RANGE, QUANT_TYPES, quantizeValue } from '../common/quant.js';

export const quantizeLinearRef = defineKernel({
  dtype: idDType(['float32']), tile: '1x1', op: 'QuantizeLinear', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']), scale = c.input(1, ['float32']), zp = c.optionalInput(2, QUANT_TYPES);
    const y = c.output(0, QUANT_TYPES);
    if (zp !== undefined) c.sameDType(zp, y, 'output');
    const [lo, hi] = QUANT_RANGE[y.dtype]!;
    const { n, at } = linearParams(c, x, y, scale, zp);
    const xd = x.data as Float32Array, sd = scale.data as Float32Array, zd = zp?.data as Cells | undefined, yd = y.data as Cells;
    return () => {
      for (let i = 0; i < n; i++) {
        const p = at(i);
        // numpy and onnxruntime divide in float32 before rounding: the quotient is rounded to float32 first.
        yd[i] = quantizeValue(Math.fround(xd[i]! / sd[p]!), zd === undefined ? 0 : (zd[p] as number), lo, hi);
      }
    };
  },
});

const DEQUANT_TYPES = [...QUANT_TYPES, 'int32'] as const;

export const dequantizeLinearRef = defineKernel({
  dtype: idDType([...DEQUANT_TYPES]), tile: '1x1', op: 'DequantizeLinear', target: 'ref', dtypes: DEQUANT_TYPES,
  prepare(c) {
    const x = c.input(0, DEQUANT_TYPES), scale = c.input(1, ['float32']), zp = c.optionalInput(2, DEQUANT_TYPES);
    const y = c.output(0, ['float32']);
    if (zp !== undefined) c.sameDType(x, zp, 'zero point');
    const { n, at } = linearParams(c, x, y, scale, zp);
    const xd = x.data as Cells, sd = scale.data as Float32Array, zd = zp?.data as Cells | undefined, yd = y.data as Float32Array;
    return () => {
      for (let i = 0; i < n; i++) {
        const p = at(i);
        const diff = Math.fround(Math.fround(xd[i] as number) - Math.fround(zd === undefined ? 0 : (zd[p] as number)));
        yd[i] = diff * sd[p]!;
      }
    };
  },
});
