// SparseGPT's joint int8 quantization (GPTQ): the kept weights land on their rows' int8 grid, the
// mask is the one pruning alone chooses' shape (2 of every 4), and the layer's output error on the
// calibration data is below that of rounding SparseGPT's float result to the same grid afterwards.

import { strict as assert } from 'node:assert';
import { pruneSparseGpt } from '../../../../compiler/sparse/prune/sparsegpt.js';
import { int8RowScales, onInt8Grid } from '../../../../compiler/quantize/grid.js';

/** xorshift32 in [-1, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 31 - 1; };
}

/** Σ_t ‖(W − Ŵ) x_t‖² over the samples: the output error SparseGPT minimizes. */
function outputError(w: Float32Array, w2: Float32Array, rows: number, cols: number, x: Float64Array, count: number): number {
  let e = 0;
  for (let t = 0; t < count; t++) {
    for (let r = 0; r < rows; r++) {
      let d = 0;
      for (let c = 0; c < cols; c++) d += (w[r * cols + c]! - w2[r * cols + c]!) * x[t * cols + c]!;
      e += d * d;
    }
  }
  return e;
}

describe('sparsegpt: joint int8 quantization (GPTQ)', () => {
  const rows = 16, cols = 64, count = 256;
  const rnd = random(7);
  const w = Float32Array.from({ length: rows * cols }, () => rnd());
  // Correlated inputs (a shared component), where compensation matters.
  const x = new Float64Array(count * cols);
  for (let t = 0; t < count; t++) {
    const common = rnd();
    for (let c = 0; c < cols; c++) x[t * cols + c] = 0.7 * common + 0.3 * rnd();
  }
  const xtx = new Float64Array(cols * cols);
  for (let t = 0; t < count; t++) for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) xtx[i * cols + j] += x[t * cols + i]! * x[t * cols + j]!;
  const rule = { kind: 'nm', n: 2, m: 4, shareRows: 1 } as const;

  it('puts every kept weight on its row\'s grid, keeps 2 of every 4, and beats rounding afterwards on the output error', () => {
    const scales = int8RowScales(w, rows, cols);
    const noise = { signal: 0, noise: 0 };
    const joint = pruneSparseGpt(w, rows, cols, xtx, count, rule, { quantize: { scales, noise } });
    const float = pruneSparseGpt(w, rows, cols, xtx, count, rule);
    const rounded = float.map((v, i) => onInt8Grid(v, scales[Math.floor(i / cols)]!));
    for (let i = 0; i < joint.length; i++) assert.equal(joint[i], onInt8Grid(joint[i]!, scales[Math.floor(i / cols)]!), `weight ${i} off its grid`);
    for (let g = 0; g < joint.length / 4; g++) {
      assert.ok(joint.subarray(g * 4, g * 4 + 4).filter((v) => v !== 0).length <= 2, `group ${g}`);
    }
    assert.ok(noise.signal > 0 && noise.noise > 0, 'the sweep summed its rounding noise');
    const eJoint = outputError(w, joint, rows, cols, x, count);
    const eRounded = outputError(w, rounded, rows, cols, x, count);
    assert.ok(eJoint < eRounded, `joint ${eJoint} vs rounded afterwards ${eRounded}`);
  });

  it('an absent quantize option is the float sweep (grid-identity checks the bytes against the code before it)', () => {
    const a = pruneSparseGpt(w, rows, cols, xtx, count, rule);
    const b = pruneSparseGpt(w, rows, cols, xtx, count, rule, {});
    assert.deepEqual(a, b);
  });
});
