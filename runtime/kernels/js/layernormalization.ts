// js LayerNormalization: each normalised block [axis, rank) is contiguous; three passes over it
// while it is in cache (mean, centred variance — not E[x²]−mean², which cancels — then the
// scaled write). Scale and bias hold one value per block element (what fuse-layernorm emits).

import type { DType } from '../../tensor.js';
import type { NodeShapes } from '../kernel.js';
import { defineKernel } from '../common/define.js';

const F32: readonly DType[] = ['float32'];

function blockLen(shape: readonly number[], axisAttr: number): number | undefined {
  const rank = shape.length;
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (axis < 0 || axis >= rank) return undefined;
  return shape.slice(axis).reduce((p, d) => p * d, 1);
}

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

export const layerNormalizationJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'LayerNormalization', target: 'js', dtypes: F32,
  supports(node: NodeShapes): boolean {
    const [x, scale, bias] = node.inputs;
    if (!x || !scale || x.dtype !== 'float32') return false;
    const len = blockLen(x.shape, typeof node.attrs['axis'] === 'number' ? node.attrs['axis'] : -1);
    if (node.outputs.length > 1) return false;
    return len !== undefined && size(scale.shape) === len && (bias === undefined || size(bias.shape) === len);
  },
  prepare(c) {
    const x = c.input(0, F32);
    const scale = c.input(1, F32);
    const bias = c.optionalInput(2, F32);
    const y = c.output(0, F32);
    if (c.optionalOutput(1) || c.optionalOutput(2)) c.fail('Mean and InvStdDev outputs are not supported (the ref kernel writes them)');
    c.shapeIs(y, x.shape, 'output');
    const axis = c.axis(c.int('axis', -1), x.shape.length);
    const len = size(x.shape.slice(axis));
    const outer = size(x.shape.slice(0, axis));
    if (size(scale.shape) !== len) c.fail(`scale has ${size(scale.shape)} elements, the normalised block ${len}`);
    if (bias && size(bias.shape) !== len) c.fail(`bias has ${size(bias.shape)} elements, the normalised block ${len}`);
    const eps = c.float('epsilon', 1e-5);
    const xd = x.data as Float32Array, yd = y.data as Float32Array, sd = scale.data as Float32Array;
    const bd = bias?.data as Float32Array | undefined;
    return () => {
      for (let o = 0, base = 0; o < outer; o++, base += len) {
        let mean = 0;
        for (let p = 0; p < len; p++) mean += xd[base + p]!;
        mean /= len;
        let v = 0;
        for (let p = 0; p < len; p++) { const d = xd[base + p]! - mean; v += d * d; }
        const inv = 1 / Math.sqrt(v / len + eps);
        if (bd === undefined) for (let p = 0; p < len; p++) yd[base + p] = (xd[base + p]! - mean) * inv * sd[p]!;
        else for (let p = 0; p < len; p++) yd[base + p] = (xd[base + p]! - mean) * inv * sd[p]! + bd[p]!;
      }
    };
  },
});
