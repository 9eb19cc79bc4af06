// Window geometry shared by Conv and the pools: kernel extents, strides, dilations and begin/end
// pads per spatial axis after resolving auto_pad, checked against the output shape given.

import type { Checker } from './define.js';

export interface WindowGeometry {
  readonly inSpatial: readonly number[];
  readonly outSpatial: readonly number[];
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
}

/**
 * Resolves ONNX window attributes (kernel_shape, strides, dilations, pads, auto_pad,
 * ceil_mode) for spatial input `inSpatial`; `kernel` comes from the weights (Conv) or
 * kernel_shape (pools). Fails when `outSpatial` (the output shape given) disagrees.
 */
export function windowGeometry(
  c: Checker, inSpatial: readonly number[], kernel: readonly number[], outSpatial: readonly number[], ceilMode: boolean,
): WindowGeometry {
  const n = inSpatial.length;
  const ks = c.ints('kernel_shape');
  if (ks !== undefined && (ks.length !== n || ks.some((k, i) => k !== kernel[i]))) {
    c.fail(`kernel_shape [${ks.join(',')}] disagrees with kernel [${kernel.join(',')}]`);
  }
  const strides = c.ints('strides') ?? new Array<number>(n).fill(1);
  const dilations = c.ints('dilations') ?? new Array<number>(n).fill(1);
  if (strides.length !== n || dilations.length !== n) c.fail(`strides/dilations must have ${n} entries`);
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1)) c.fail('strides and dilations must be >= 1');
  // A window of size < 1 has no taps (or a negative count of them): nothing ONNX defines.
  if (kernel.some((k) => !(k >= 1))) c.fail(`kernel sizes [${kernel.join(',')}] must be >= 1`);
  const autoPad = c.string('auto_pad', 'NOTSET');
  const padBegin = new Array<number>(n).fill(0);
  const padEnd = new Array<number>(n).fill(0);
  const expected = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const extent = (kernel[i]! - 1) * dilations[i]! + 1;
    const size = inSpatial[i]!;
    const s = strides[i]!;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const out = Math.ceil(size / s);
      const total = Math.max(0, (out - 1) * s + extent - size);
      const small = Math.floor(total / 2);
      padBegin[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      padEnd[i] = total - padBegin[i]!;
      expected[i] = out;
    } else if (autoPad === 'VALID') {
      expected[i] = Math.floor((size - extent) / s) + 1;
    } else if (autoPad === 'NOTSET') {
      const pads = c.ints('pads');
      if (pads !== undefined) {
        if (pads.length !== 2 * n) c.fail(`pads must have ${2 * n} entries`);
        if (pads.some((p) => p < 0)) c.fail(`pads [${pads.join(',')}] must be >= 0`);
        padBegin[i] = pads[i]!;
        padEnd[i] = pads[i + n]!;
      }
      const span = size + padBegin[i]! + padEnd[i]! - extent;
      let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      // With ceil_mode the last window must still start inside the input or its begin pad.
      if (ceilMode && (out - 1) * s >= size + padBegin[i]!) out--;
      expected[i] = out;
    } else {
      c.fail(`unknown auto_pad '${autoPad}'`);
    }
    if (expected[i]! < 0) c.fail(`window larger than padded input on spatial axis ${i}`);
  }
  if (outSpatial.length !== n || outSpatial.some((d, i) => d !== expected[i])) {
    c.fail(`output spatial shape [${outSpatial.join(',')}] disagrees with the window geometry [${expected.join(',')}]`);
  }
  return { inSpatial, outSpatial, kernel, strides, dilations, padBegin, padEnd };
}

/**
 * Most entries a tap table may hold (256 MiB of int32). Output positions × kernel taps is not
 * bounded by any tensor of the model (a pool's kernel has no weights), so a crafted window would
 * otherwise allocate without limit; kernels that need no table never build one.
 */
export const MAX_TAP_TABLE_ENTRIES = 2 ** 26;

/**
 * For every (output position, kernel tap) pair, the input spatial offset read, or -1 in the
 * padding. Laid out [outPos][tap], positions and taps both row-major over the spatial axes.
 * Refuses (through `c`) a table over MAX_TAP_TABLE_ENTRIES.
 */
export function windowTapTable(g: WindowGeometry, c: Pick<Checker, 'fail'>): Int32Array {
  const n = g.inSpatial.length;
  let outCount = 1, taps = 1;
  for (let i = 0; i < n; i++) { outCount *= g.outSpatial[i]!; taps *= g.kernel[i]!; }
  if (outCount * taps > MAX_TAP_TABLE_ENTRIES) {
    c.fail(`${outCount} output positions × ${taps} kernel taps exceed the ${MAX_TAP_TABLE_ENTRIES} entries of a window table this kernel may build`);
  }
  const table = new Int32Array(outCount * taps);
  const o = new Array<number>(n).fill(0);
  const k = new Array<number>(n).fill(0);
  for (let p = 0; p < outCount; p++) {
    let rem = p;
    for (let i = n - 1; i >= 0; i--) { o[i] = rem % g.outSpatial[i]!; rem = Math.floor(rem / g.outSpatial[i]!); }
    for (let t = 0; t < taps; t++) {
      let remT = t;
      for (let i = n - 1; i >= 0; i--) { k[i] = remT % g.kernel[i]!; remT = Math.floor(remT / g.kernel[i]!); }
      let off = 0;
      for (let i = 0; i < n; i++) {
        const x = o[i]! * g.strides[i]! - g.padBegin[i]! + k[i]! * g.dilations[i]!;
        if (x < 0 || x >= g.inSpatial[i]!) { off = -1; break; }
        off = off * g.inSpatial[i]! + x;
      }
      table[p * taps + t] = off;
    }
  }
  return table;
}
