// Pad's fill value as the output's storage holds it, on the ref and js kernels alike (one reading
// of the form, common/pad-plan.ts): float16 stores bit patterns, uint64 and int64 bigints. The js
// kernel wrote the raw number before (1.5 into a float16 output gave bits 0x0001, a subnormal).

import { strict as assert } from 'node:assert';
import { padJs } from '../../../runtime/kernels/js/pad.js';
import { padRef } from '../../../runtime/kernels/ref/pad.js';
import { toFloat16Bits } from '../../../runtime/float16.js';
import type { TensorView } from '../../../runtime/tensor.js';

describe('Pad fill value in the output dtype (ref and js)', () => {
  const cases: [string, () => TensorView, () => TensorView, unknown][] = [
    ['float16', () => ({ dtype: 'float16', shape: [2], data: Uint16Array.of(toFloat16Bits(1), toFloat16Bits(2)) }),
      () => ({ dtype: 'float16', shape: [4], data: new Uint16Array(4) }), [toFloat16Bits(1.5), toFloat16Bits(1), toFloat16Bits(2), toFloat16Bits(1.5)]],
    ['uint64', () => ({ dtype: 'uint64', shape: [2], data: BigUint64Array.of(7n, 2n ** 63n) }),
      () => ({ dtype: 'uint64', shape: [4], data: new BigUint64Array(4) }), [1n, 7n, 2n ** 63n, 1n]],
    ['int64', () => ({ dtype: 'int64', shape: [2], data: BigInt64Array.of(-3n, 4n) }),
      () => ({ dtype: 'int64', shape: [4], data: new BigInt64Array(4) }), [1n, -3n, 4n, 1n]],
  ];
  for (const [dtype, x, y, want] of cases) {
    for (const k of [padRef, padJs]) {
      it(`${k.id} on ${dtype}: value ${dtype === 'float16' ? 1.5 : 1} written as ${dtype} stores it`, () => {
        const out = y();
        k.prepare({ node: 'pad', inputs: [x()], outputs: [out], attrs: { pads: [1, 1], value: dtype === 'float16' ? 1.5 : 1 } })();
        assert.deepEqual(Array.from(out.data as ArrayLike<unknown>), want);
      });
    }
  }
});
