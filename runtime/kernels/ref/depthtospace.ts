// Reference DepthToSpace (any dtype, modes DCR and CRD) and SpaceToDepth: both are one
// 6-D transpose, written here as the index map of the ONNX spec's reshape/transpose/reshape.

import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const depthToSpaceRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'DepthToSpace', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const y = c.output(0, [x.dtype]);
    const b = c.int('blocksize', 0);
    if (b < 1) c.fail(`blocksize ${b} must be >= 1`);
    const mode = c.string('mode', 'DCR');
    if (mode !== 'DCR' && mode !== 'CRD') c.fail(`mode '${mode}' is neither DCR nor CRD`);
    if (x.shape.length !== 4) c.fail(`input must be 4-D, got [${x.shape.join(',')}]`);
    const [n, ch, h, w] = x.shape as [number, number, number, number];
    if (ch % (b * b) !== 0) c.fail(`channels ${ch} are not a multiple of blocksize² ${b * b}`);
    const oc = ch / (b * b);
    c.shapeIs(y, [n, oc, h * b, w * b], 'output');
    const xd = x.data as Cells, yd = y.data as Cells;
    return () => {
      let o = 0;
      for (let ni = 0; ni < n; ni++) for (let ci = 0; ci < oc; ci++) for (let hh = 0; hh < h * b; hh++) for (let ww = 0; ww < w * b; ww++) {
        const hi = Math.floor(hh / b), bh = hh % b, wi = Math.floor(ww / b), bw = ww % b;
        // DCR: channel = (bh·b + bw)·oc + c; CRD: channel = c·b² + bh·b + bw.
        const src = mode === 'DCR' ? (bh * b + bw) * oc + ci : ci * b * b + bh * b + bw;
        yd[o++] = xd[((ni * ch + src) * h + hi) * w + wi];
      }
    };
  },
});

export const spaceToDepthRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'SpaceToDepth', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const y = c.output(0, [x.dtype]);
    const b = c.int('blocksize', 0);
    if (b < 1) c.fail(`blocksize ${b} must be >= 1`);
    if (x.shape.length !== 4) c.fail(`input must be 4-D, got [${x.shape.join(',')}]`);
    const [n, ch, h, w] = x.shape as [number, number, number, number];
    if (h % b !== 0 || w % b !== 0) c.fail(`spatial dims ${h}x${w} are not multiples of blocksize ${b}`);
    const oh = h / b, ow = w / b;
    c.shapeIs(y, [n, ch * b * b, oh, ow], 'output');
    const xd = x.data as Cells, yd = y.data as Cells;
    return () => {
      let o = 0;
      // Output channel = (bh·b + bw)·C + c, the inverse of DepthToSpace's DCR.
      for (let ni = 0; ni < n; ni++) for (let bh = 0; bh < b; bh++) for (let bw = 0; bw < b; bw++) for (let ci = 0; ci < ch; ci++) {
        for (let hi = 0; hi < oh; hi++) for (let wi = 0; wi < ow; wi++) yd[o++] = xd[((ni * ch + ci) * h + hi * b + bh) * w + wi * b + bw];
      }
    };
  },
});
