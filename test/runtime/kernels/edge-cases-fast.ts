// Edge shapes for the fast kernels of issue 16 (js Resize, Pad, ConvTranspose): every axis kept
// or resized, up- and down-sampling, one-pixel planes, each mode and coordinate transform; strided,
// padded, grouped, dilated and 1-D transposed convolutions, several pixel tiles.

import type { EdgeCase } from './edge-cases.js';

function resizeCases(): EdgeCase[] {
  const out: EdgeCase[] = [];
  const r = (x: number[], y: number[], attrs: Record<string, string>): void => {
    // sizes as input 3 (int64); roi and scales omitted, so the scale is out / in per axis.
    out.push({ name: `resize [${x}] → [${y}] ${JSON.stringify(attrs)}`, inputs: [x, undefined, undefined, [y.length]], int64Inputs: { 3: y }, attrs, output: y });
  };
  const modes: Record<string, string>[] = [
    { mode: 'linear', coordinate_transformation_mode: 'half_pixel' },
    { mode: 'linear', coordinate_transformation_mode: 'align_corners' },
    { mode: 'linear', coordinate_transformation_mode: 'asymmetric' },
    { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' },
    { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
    { mode: 'nearest', coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_floor' },
    { mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' },
  ];
  for (const m of modes) {
    r([1, 3, 4, 5], [1, 3, 8, 10], m);     // ×2 up
    r([2, 2, 5, 7], [2, 2, 3, 3], m);      // down, odd
    r([1, 2, 1, 1], [1, 2, 3, 4], m);      // one-pixel planes
    r([1, 1, 3, 4], [1, 1, 7, 4], m);      // H only
  }
  r([1, 3, 4, 5], [1, 6, 4, 5], modes[0]!);  // a leading axis resized: the ref kernel runs
  r([6, 9], [12, 4], modes[0]!);             // rank 2
  r([5], [11], modes[4]!);                   // rank 1: the ref kernel runs
  return out;
}

function padCases(): EdgeCase[] {
  const out: EdgeCase[] = [];
  const p = (x: number[], pads: number[], mode: string, withValue = false): void => {
    const rank = x.length;
    const y = x.map((d, i) => d + pads[i]! + pads[i + rank]!);
    out.push({
      name: `pad [${x}] pads ${pads} ${mode}${withValue ? ' value' : ''}`,
      inputs: [x, [pads.length], ...(withValue ? [[]] : [])], int64Inputs: { 1: pads }, attrs: { mode }, output: y,
    });
  };
  for (const mode of ['constant', 'reflect', 'edge', 'wrap']) {
    p([1, 3, 5, 6], [0, 0, 1, 1, 0, 0, 1, 1], mode);     // mlsd's bottom/right pad, and symmetric
    p([1, 2, 4, 4], [0, 0, 2, 3, 0, 0, 1, 2], mode);
    p([2, 3, 7], [0, 1, 2, 1, 0, 3], mode);
    p([5], [2, 3], mode);
  }
  p([1, 3, 5, 6], [0, 0, 1, 1, 0, 0, 1, 1], 'constant', true);
  p([2, 4, 5], [0, -1, -2, 0, 1, 2], 'constant');        // negative pads crop
  p([3, 4], [0, -2, 0, -2], 'constant');                  // the whole row cropped
  p([2, 3], [1, 0, 0, 0], 'constant', true);              // whole constant rows
  return out;
}

function convTransposeCases(): EdgeCase[] {
  const out: EdgeCase[] = [];
  const ct = (x: number[], w: number[], attrs: Record<string, number[] | number | string>, y: number[], bias = true): void => {
    out.push({ name: `convtranspose x[${x}] w[${w}] ${JSON.stringify(attrs)}${bias ? ' bias' : ''}`, inputs: [x, w, ...(bias ? [[y[1]!]] : [])], attrs, output: y });
  };
  ct([1, 3, 4, 5], [3, 2, 2, 2], { strides: [2, 2] }, [1, 2, 8, 10]);                       // DBNet's 2×2 s2 upsampling
  ct([1, 4, 3, 3], [4, 5, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, [1, 5, 6, 6], false);
  ct([2, 2, 5, 3], [2, 3, 3, 3], {}, [2, 3, 7, 5]);                                          // stride 1, batch 2
  ct([1, 4, 3, 4], [4, 1, 3, 3], { group: 2, strides: [1, 2], pads: [0, 1, 2, 0] }, [1, 2, 3, 8]);
  ct([1, 3, 7], [3, 4, 3], { strides: [3], dilations: [2] }, [1, 4, 23]);                   // 1-D, dilation
  ct([1, 6, 17, 17], [6, 3, 4, 4], { strides: [2, 2], pads: [1, 1, 1, 1] }, [1, 3, 34, 34]); // more than one 256-pixel tile
  return out;
}

/** Split with one output (the generic harness runs one output; js-split.test.ts runs several). */
function splitCases(): EdgeCase[] {
  return [[[4, 3], 0], [[2, 5, 3], 1], [[2, 3, 7], -1], [[0, 3], 1]].map(([x, axis]) => ({
    name: `split x[${x}] axis ${axis} into one`, inputs: [x as number[]], attrs: { axis: axis as number }, output: x as number[],
  }));
}

/** Cases for Resize, Pad, ConvTranspose and Split, or undefined for other ops. */
export function fastEdgeCases(op: string): EdgeCase[] | undefined {
  switch (op) {
    case 'Resize': return resizeCases();
    case 'Pad': return padCases();
    case 'ConvTranspose': return convTransposeCases();
    case 'Split': return splitCases();
    default: return undefined;
  }
}
