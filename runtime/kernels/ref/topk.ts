// Reference TopK (every numeric dtype): the K largest (or smallest, largest = 0) elements along
// `axis` and their int64 indices, sorted, equal values by lower index first. K is the outputs'
// extent along the axis (static shapes); the K input (opset 10+) or `k` attribute (opset 1) is
// re-read on every run and must agree.

import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { NUMERIC_TYPES, reader } from '../common/numeric-cells.js';

export const topKRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'TopK', target: 'ref', dtypes: NUMERIC_TYPES,
  prepare(c) {
    const x = c.input(0, NUMERIC_TYPES);
    const kIn = c.optionalInput(1, INT_INDEX_TYPES);
    const values = c.output(0, [x.dtype]);
    const indices = c.output(1, ['int64']);
    const rank = x.shape.length;
    const axis = c.axis(c.int('axis', -1), rank);
    const largest = c.int('largest', 1) !== 0;
    const len = x.shape[axis]!;
    const k = values.shape[axis] ?? 0;
    if (k > len) c.fail(`k ${k} exceeds axis ${axis}'s extent ${len}`);
    c.shapeIs(values, x.shape.map((d, i) => (i === axis ? k : d)), 'output 0');
    c.shapeIs(indices, values.shape, 'output 1');
    if (kIn !== undefined && kIn.shape.reduce((p, d) => p * d, 1) !== 1) c.fail(`K has shape [${kIn.shape.join(',')}], expected one element`);
    // K is a constant (the outputs' shapes were planned from it): checked now, and again on every run.
    if (kIn !== undefined && readInt(kIn, 0) !== k) c.fail(`K ${readInt(kIn, 0)} disagrees with the outputs' extent ${k}`);
    const kAttr = kIn === undefined ? c.int('k', -1) : undefined;
    if (kAttr !== undefined && kAttr !== k) c.fail(`attribute k ${kAttr} disagrees with the outputs' extent ${k}`);
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const read = reader(x);
    const xd = x.data as Cells, vd = values.data as Cells;
    const id = indices.data as BigInt64Array;
    const order = new Int32Array(len);
    let base = 0;
    // NaN ranks above every number (onnxruntime's order); ties go to the lower index.
    const key = (i: number): number => { const v = read(base + i * inner); return Number.isNaN(v) ? Infinity : v; };
    const before = largest ? (a: number, b: number) => key(b) - key(a) || a - b : (a: number, b: number) => key(a) - key(b) || a - b;
    return () => {
      if (kIn !== undefined && readInt(kIn, 0) !== k) c.fail(`K ${readInt(kIn, 0)} disagrees with the outputs' extent ${k}`);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          base = o * len * inner + i;
          for (let j = 0; j < len; j++) order[j] = j;
          order.sort(before);
          const dst = o * k * inner + i;
          for (let j = 0; j < k; j++) {
            vd[dst + j * inner] = xd[base + order[j]! * inner];
            id[dst + j * inner] = BigInt(order[j]!);
          }
        }
      }
    };
  },
});
