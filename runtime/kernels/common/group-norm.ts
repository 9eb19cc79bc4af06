// Group statistics shared by InstanceNormalization (one group per channel) and
// GroupNormalization: mean and biased variance in float64 over each group of each batch item,
// then the per-group or per-channel affine (told by the scale's length).

import type { TensorView } from '../../tensor.js';
import type { RunFn } from '../kernel.js';

export function normalizeGroups(x: TensorView, y: TensorView, groups: number, scale: TensorView, bias: TensorView, eps: number): RunFn {
  const [n, ch] = x.shape as [number, number];
  const spatial = x.shape.slice(2).reduce((p, d) => p * d, 1);
  const perGroup = (ch / groups) * spatial;
  const perChannel = scale.data.length === ch;
  const xd = x.data as Float32Array | Float64Array, yd = y.data as Float32Array | Float64Array;
  const sd = scale.data as Float32Array | Float64Array, bd = bias.data as Float32Array | Float64Array;
  return () => {
    for (let b = 0; b < n; b++) {
      for (let g = 0; g < groups; g++) {
        const base = (b * groups + g) * perGroup;
        let sum = 0;
        for (let i = 0; i < perGroup; i++) sum += xd[base + i]!;
        const mean = perGroup > 0 ? sum / perGroup : 0;
        let sq = 0;
        for (let i = 0; i < perGroup; i++) { const d = xd[base + i]! - mean; sq += d * d; }
        const inv = 1 / Math.sqrt((perGroup > 0 ? sq / perGroup : 0) + eps);
        for (let i = 0; i < perGroup; i++) {
          const p = perChannel ? g * (ch / groups) + Math.floor(i / spatial) : g;
          yd[base + i] = (xd[base + i]! - mean) * inv * sd[p]! + bd[p]!;
        }
      }
    }
  };
}
