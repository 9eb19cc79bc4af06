// Reference LayerNormalization (opset 17): normalise over axes [axis, rank), then scale and
// optional bias broadcast to the normalised shape; optional Mean and InvStdDev outputs.

import { broadcastStrides } from '../common/broadcast.js';
import { defineKernel } from '../common/define.js';

export const layerNormalizationRef = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'LayerNormalization', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const scale = c.input(1, ['float32']);
    const bias = c.optionalInput(2, ['float32']);
    const y = c.output(0, ['float32']);
    const meanOut = c.optionalOutput(1, ['float32']);
    const invOut = c.optionalOutput(2, ['float32']);
    c.shapeIs(y, x.shape, 'output');
    const rank = x.shape.length;
    const axis = c.axis(c.int('axis', -1), rank);
    const eps = c.float('epsilon', 1e-5);
    const normShape = x.shape.slice(axis);
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const len = normShape.reduce((p, d) => p * d, 1);
    const statShape = x.shape.map((d, i) => (i < axis ? d : 1));
    if (meanOut) c.shapeIs(meanOut, statShape, 'mean output');
    if (invOut) c.shapeIs(invOut, statShape, 'inv_std_dev output');
    // Index of the scale/bias element for each normalised position (they may broadcast).
    const indexTable = (shape: readonly number[], what: string): Int32Array => {
      const s = broadcastStrides(shape, normShape);
      if (s === undefined) c.fail(`${what} shape [${shape.join(',')}] does not broadcast to [${normShape.join(',')}]`);
      const t = new Int32Array(len);
      for (let p = 0; p < len; p++) {
        let rem = p, off = 0;
        for (let d = normShape.length - 1; d >= 0; d--) { off += (rem % normShape[d]!) * s![d]!; rem = Math.floor(rem / normShape[d]!); }
        t[p] = off;
      }
      return t;
    };
    const scaleIdx = indexTable(scale.shape, 'scale');
    const biasIdx = bias ? indexTable(bias.shape, 'bias') : undefined;
    const xd = x.data as Float32Array, yd = y.data as Float32Array, sd = scale.data as Float32Array;
    const bd = bias?.data as Float32Array | undefined;
    const md = meanOut?.data as Float32Array | undefined, id = invOut?.data as Float32Array | undefined;
    return () => {
      for (let o = 0; o < outer; o++) {
        const base = o * len;
        let mean = 0;
        for (let p = 0; p < len; p++) mean += xd[base + p]!;
        mean /= len;
        let v = 0;
        for (let p = 0; p < len; p++) { const d = xd[base + p]! - mean; v += d * d; }
        const inv = 1 / Math.sqrt(v / len + eps);
        for (let p = 0; p < len; p++) {
          let r = (xd[base + p]! - mean) * inv * sd[scaleIdx[p]!]!;
          if (bd !== undefined) r += bd[biasIdx![p]!]!;
          yd[base + p] = r;
        }
        if (md) md[o] = mean;
        if (id) id[o] = inv;
      }
    };
  },
});
