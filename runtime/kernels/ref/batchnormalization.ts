// Reference BatchNormalization in inference mode: y = (x − mean) / sqrt(var + epsilon) · scale + B
// per channel (axis 1); the per-channel affine is folded at run start.

import { defineKernel } from '../common/define.js';

export const batchNormalizationRef = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'BatchNormalization', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const params = [1, 2, 3, 4].map((i) => c.input(i, ['float32']));
    const y = c.output(0, ['float32']);
    if (c.ctx.outputs.length > 1 || c.int('training_mode', 0) !== 0) c.fail('training mode is not supported');
    c.shapeIs(y, x.shape, 'output');
    if (x.shape.length < 2) c.fail('input rank < 2');
    const channels = x.shape[1]!;
    for (const [i, p] of params.entries()) c.shapeIs(p, [channels], `input ${i + 1}`);
    const eps = c.float('epsilon', 1e-5);
    const batch = x.shape[0]!;
    const inner = x.shape.slice(2).reduce((p, d) => p * d, 1);
    const [scale, bias, mean, variance] = params.map((p) => p.data as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const mul = new Float64Array(channels), add = new Float64Array(channels);
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    return () => {
      for (let ch = 0; ch < channels; ch++) {
        mul[ch] = scale[ch]! / Math.sqrt(variance[ch]! + eps);
        add[ch] = bias[ch]! - mean[ch]! * mul[ch]!;
      }
      for (let n = 0; n < batch; n++) {
        for (let ch = 0; ch < channels; ch++) {
          const base = (n * channels + ch) * inner, m = mul[ch]!, a = add[ch]!;
          for (let i = 0; i < inner; i++) yd[base + i] = xd[base + i]! * m + a;
        }
      }
    };
  },
});
