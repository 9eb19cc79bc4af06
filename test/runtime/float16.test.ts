// runtime/float16.ts against hand-computed binary16 patterns (ties to even, subnormals, the
// overflow boundary, NaN, signed zero), an exhaustive widen-then-narrow round trip, and
// onnxruntime-node's own float → float16 Cast on the same values plus random float32s.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { fromFloat16Bits, toFloat16Bits } from '../../runtime/float16.js';

const { onnx } = onnxProto;

// [value, expected bits], each worked out by hand from the binary16 layout (1·5·10 bits).
const HAND: readonly [number, number][] = [
  [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
  [1 + 2 ** -10, 0x3c01], // the next float16 after 1
  [1 + 2 ** -11, 0x3c00], // halfway between 1 and 1+2^-10: ties to even (1)
  [1 + 3 * 2 ** -11, 0x3c02], // halfway between 1+2^-10 and 1+2^-9: ties to even (…02)
  [1 + 2 ** -11 + 2 ** -30, 0x3c01], // just above halfway: up
  [65519.99, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00], [-1e6, 0xfc00], [Infinity, 0x7c00], [-Infinity, 0xfc00],
  [2 ** -14, 0x0400], // smallest normal
  [2 ** -24, 0x0001], // smallest subnormal
  [2 ** -25, 0x0000], // half the smallest subnormal: ties to even (0)
  [2 ** -25 + 2 ** -40, 0x0001],
  [3 * 2 ** -25, 0x0002], // 1.5 subnormal steps: ties to even (2)
  [-(2 ** -14 - 2 ** -25), 0x8400], // rounds up across the subnormal/normal boundary
  [1023 * 2 ** -24, 0x03ff], // largest subnormal
  [0.1, 0x2e66], [Math.PI, 0x4248], [1 / 3, 0x3555],
];

describe('float16 conversion', () => {
  it('narrows hand-computed values to the expected bit patterns', () => {
    for (const [x, bits] of HAND) assert.equal(toFloat16Bits(x), bits, `toFloat16Bits(${x})`);
    assert.equal(toFloat16Bits(NaN), 0x7e00);
  });

  it('widens every pattern exactly and narrows it back to itself (NaNs to a NaN)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const x = fromFloat16Bits(h);
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN) { assert.ok(Number.isNaN(x), `pattern ${h.toString(16)}`); continue; }
      assert.equal(Math.fround(x), x, `pattern ${h.toString(16)} is a float32`);
      assert.equal(toFloat16Bits(x), h, `pattern ${h.toString(16)} → ${x}`);
    }
    assert.equal(fromFloat16Bits(0x7bff), 65504);
    assert.equal(fromFloat16Bits(0x0001), 2 ** -24);
    assert.ok(Object.is(fromFloat16Bits(0x8000), -0));
  });

  it('rounds float32 values as onnxruntime-node Cast(to=FLOAT16) does', async () => {
    // Hand values as float32 (those exactly representable keep their tie), then seeded random
    // bit patterns across the whole float32 range, then the neighbourhood of every tie.
    const xs: number[] = HAND.map(([x]) => Math.fround(x));
    let seed = 12345;
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    for (let i = 0; i < 4000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      bits[0] = seed;
      if (!Number.isNaN(asFloat[0]!)) xs.push(asFloat[0]!);
      // Values in float16's range (exponents −26 … 16) where rounding matters most.
      bits[0] = (seed & 0x807fffff) | ((101 + (seed % 43)) << 23);
      xs.push(asFloat[0]!);
    }
    for (let h = 0; h < 0x7c00; h += 37) {
      const mid = (fromFloat16Bits(h) + fromFloat16Bits(h + 1)) / 2;
      xs.push(Math.fround(mid), Math.fround(-mid));
    }
    const input = Float32Array.from(xs);
    const model = onnx.ModelProto.encode(onnx.ModelProto.create({
      irVersion: 8, opsetImport: [{ domain: '', version: 19 }],
      graph: {
        name: 'cast16',
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: input.length }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 10 } } }],
        node: [{ opType: 'Cast', input: ['x'], output: ['y'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: 10 }] }],
      },
    })).finish();
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
    try {
      const y = (await session.run({ x: new ort.Tensor('float32', input, [input.length]) }))['y']!.data as Uint16Array;
      for (let i = 0; i < input.length; i++) {
        assert.equal(toFloat16Bits(input[i]!), y[i], `toFloat16Bits(${input[i]}) vs onnxruntime at ${i}`);
      }
    } finally {
      await session.release();
    }
  });
});
