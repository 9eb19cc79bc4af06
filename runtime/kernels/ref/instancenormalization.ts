// Reference InstanceNormalization (opset 6+, float32/64): each (batch, channel) plane is
// normalised by its own mean and variance (biased), then scaled and shifted per channel.

import { defineKernel, FLOAT_TYPES } from '../common/define.js';
import { normalizeGroups } from '../common/group-norm.js';

export const instanceNormalizationRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'InstanceNormalization', target: 'ref', dtypes: FLOAT_TYPES,
  prepare(c) {
    const x = c.input(0, FLOAT_TYPES);
    const scale = c.input(1, [x.dtype]), bias = c.input(2, [x.dtype]);
    const y = c.output(0, [x.dtype]);
    c.shapeIs(y, x.shape, 'output');
    if (x.shape.length < 3) c.fail(`input must have rank >= 3, got [${x.shape.join(',')}]`);
    const ch = x.shape[1]!;
    c.shapeIs(scale, [ch], 'scale'); c.shapeIs(bias, [ch], 'B');
    return normalizeGroups(x, y, ch, scale, bias, c.float('epsilon', 1e-5));
  },
});
