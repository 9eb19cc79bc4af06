// Reference GroupNormalization (opset 18: scale and bias per group; 21: per channel; float32/64):
// the channels of each batch item split into num_groups groups, each normalised by its own mean
// and (biased) variance. Which form a node has is told by the scale's length.

import { defineKernel, FLOAT_TYPES } from '../common/define.js';
import { normalizeGroups } from '../common/group-norm.js';

export const groupNormalizationRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'GroupNormalization', target: 'ref', dtypes: FLOAT_TYPES,
  prepare(c) {
    const x = c.input(0, FLOAT_TYPES);
    const scale = c.input(1, [x.dtype]), bias = c.input(2, [x.dtype]);
    const y = c.output(0, [x.dtype]);
    c.shapeIs(y, x.shape, 'output');
    if (x.shape.length < 3) c.fail(`input must have rank >= 3, got [${x.shape.join(',')}]`);
    const ch = x.shape[1]!;
    const groups = c.int('num_groups', 0);
    if (groups < 1 || ch % groups !== 0) c.fail(`num_groups ${groups} does not divide the ${ch} channels`);
    const len = scale.shape.reduce((p, d) => p * d, 1);
    if (scale.shape.length !== 1 || (len !== groups && len !== ch)) c.fail(`scale [${scale.shape.join(',')}] is neither [${groups}] nor [${ch}]`);
    c.shapeIs(bias, scale.shape, 'bias');
    return normalizeGroups(x, y, groups, scale, bias, c.float('epsilon', 1e-5));
  },
});
