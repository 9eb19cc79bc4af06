// Contiguous runs copied from one tensor view into another with the engine's memmove instead of
// an element loop: the dtype-generic loops of Slice and Transpose read through every typed-array
// type, so their element access is megamorphic (~3.5 ns per float on transformer_enc2's slices).

import type { TensorView } from '../../tensor.js';

type Typed = Float32Array & { constructor: new (b: ArrayBufferLike) => Float32Array };

/** copy(src, dst, len): x's elements [src, src + len) into y's [dst, dst + len); x and y of one dtype. */
export type RunCopy = (src: number, dst: number, len: number) => void;

export function runCopier(x: TensorView, y: TensorView): RunCopy {
  const xd = x.data as Typed, yd = y.data as Typed;
  if (!ArrayBuffer.isView(xd) || !ArrayBuffer.isView(yd)) {
    return (src, dst, len) => { for (let j = 0; j < len; j++) (yd as unknown as unknown[])[dst + j] = (xd as unknown as unknown[])[src + j]; };
  }
  if (xd.buffer === yd.buffer && xd.BYTES_PER_ELEMENT === yd.BYTES_PER_ELEMENT) {
    // One view over the shared buffer (the model's arena or WebAssembly memory): copyWithin moves
    // the bytes without allocating. The buffer does not change after prepare (views would detach).
    const whole = new xd.constructor(xd.buffer);
    const xo = xd.byteOffset / xd.BYTES_PER_ELEMENT, yo = yd.byteOffset / yd.BYTES_PER_ELEMENT;
    return (src, dst, len) => { whole.copyWithin(yo + dst, xo + src, xo + src + len); };
  }
  return (src, dst, len) => { yd.set(xd.subarray(src, src + len), dst); };
}

/** Runs shorter than this stay element loops (a call costs more than a few elements). */
export const MIN_RUN = 8;
