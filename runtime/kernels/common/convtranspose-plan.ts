// ConvTranspose's attributes, shapes and scatter table, shared by the ref kernel (the readable
// spec) and the js kernel: the output's spatial size comes from its view (shape inference
// applied output_shape / output_padding / auto_pad); the leading pads are the `pads` attribute,
// or, with output_shape or SAME auto_pad, derived from the total padding as ONNX's reference does.

import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';

export interface ConvTransposePlan {
  readonly x: TensorView; readonly w: TensorView; readonly b?: TensorView; readonly y: TensorView;
  readonly batch: number; readonly cin: number; readonly cout: number; readonly group: number; readonly coutPerGroup: number;
  /** Input pixels, kernel taps and output pixels per channel. */
  readonly inSize: number; readonly taps: number; readonly outSize: number;
  /** Output offset of (input pixel p, tap t) at p·taps + t, or −1 outside the output. */
  readonly table: Int32Array;
}

export function planConvTranspose(c: Checker): ConvTransposePlan {
    const x = c.input(0, ['float32']);
    const w = c.input(1, ['float32']);
    const b = c.optionalInput(2, ['float32']);
    const y = c.output(0, ['float32']);
    const rank = x.shape.length;
    const n = rank - 2;
    if (n < 1 || w.shape.length !== rank || y.shape.length !== rank) c.fail(`input ${JSON.stringify(x.shape)}, weight ${JSON.stringify(w.shape)} and output ${JSON.stringify(y.shape)} must have the same rank ≥ 3`);
    const group = c.int('group', 1);
    const [batch, cin] = x.shape as [number, number];
    const coutPerGroup = w.shape[1]!;
    const cout = coutPerGroup * group;
    if (w.shape[0] !== cin || cin % group !== 0) c.fail(`weight ${JSON.stringify(w.shape)} does not match ${cin} input channels in ${group} groups`);
    if (y.shape[0] !== batch || y.shape[1] !== cout) c.fail(`output ${JSON.stringify(y.shape)} should be [${batch},${cout},…]`);
    if (b && b.shape.reduce((p, d) => p * d, 1) !== cout) c.fail(`bias has ${b.data.length} values, expected ${cout}`);
    const inDims = x.shape.slice(2), kDims = w.shape.slice(2), outDims = y.shape.slice(2);
    const strides = c.ints('strides') ?? new Array<number>(n).fill(1);
    const dil = c.ints('dilations') ?? new Array<number>(n).fill(1);
    const outPad = c.ints('output_padding') ?? new Array<number>(n).fill(0);
    const autoPad = c.string('auto_pad', 'NOTSET');
    const pads = c.ints('pads');
    if (strides.length !== n || dil.length !== n || outPad.length !== n) c.fail(`strides, dilations and output_padding must have ${n} entries`);
    if (strides.some((v) => v < 1) || dil.some((v) => v < 1)) c.fail('strides and dilations must be >= 1');
    if (outPad.some((v) => v < 0) || kDims.some((v) => v < 1)) c.fail('output_padding must be >= 0 and kernel sizes >= 1');
    if (pads !== undefined && (pads.length !== 2 * n || pads.some((v) => v < 0))) c.fail(`pads must be ${2 * n} entries >= 0`);
    const derive = c.ints('output_shape') !== undefined || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' || pads === undefined;
    const begin = inDims.map((d, i) => {
      if (autoPad === 'VALID') return 0;
      if (!derive) return pads![i]!;
      const total = strides[i]! * (d - 1) + outPad[i]! + (kDims[i]! - 1) * dil[i]! + 1 - outDims[i]!;
      return autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
    });
    const inSize = inDims.reduce((p, d) => p * d, 1);
    const taps = kDims.reduce((p, d) => p * d, 1);
    const outSize = outDims.reduce((p, d) => p * d, 1);
    // Output offset of (input pixel p, tap t), or -1 outside the output.
    const table = new Int32Array(inSize * taps);
    const ip = new Array<number>(n).fill(0);
    for (let p = 0; p < inSize; p++) {
      let rest = p;
      for (let i = n - 1; i >= 0; i--) { ip[i] = rest % inDims[i]!; rest = Math.floor(rest / inDims[i]!); }
      for (let t = 0; t < taps; t++) {
        let tr = t, off = 0, stride = 1, ok = true;
        for (let i = n - 1; i >= 0; i--) {
          const k = tr % kDims[i]!;
          tr = Math.floor(tr / kDims[i]!);
          const o = ip[i]! * strides[i]! + k * dil[i]! - begin[i]!;
          if (o < 0 || o >= outDims[i]!) ok = false;
          off += o * stride;
          stride *= outDims[i]!;
        }
        table[p * taps + t] = ok ? off : -1;
      }
    }
  return { x, w, b, y, batch, cin, cout, group, coutPerGroup, inSize, taps, outSize, table };
}
