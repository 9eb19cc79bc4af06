// The blocked factorizations behind SparseGPT against the definitions (LLᵀ = A, UᵀU(H + dI) = I),
// on sizes that exercise whole panels, a partial last panel, and a matrix smaller than one panel.

import { strict as assert } from 'node:assert';
import { choleskyLower, upperCholeskyOfInverse } from '../../../../compiler/sparse/prune/cholesky.js';

/** A symmetric positive definite n×n matrix XᵀX + I/10 from 2n seeded rows. */
function spd(n: number, seed: number): Float64Array {
  let s = seed;
  const rnd = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
  const h = new Float64Array(n * n);
  for (let t = 0; t < 2 * n; t++) {
    const x = Array.from({ length: n }, rnd);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h[i * n + j] += x[i]! * x[j]!;
  }
  for (let i = 0; i < n; i++) h[i * n + i] += 0.1;
  return h;
}

describe('sparse/cholesky: blocked factorizations', () => {
  for (const n of [1, 3, 4, 13, 32]) {
    it(`n = ${n}: LLᵀ = A with L lower, and UᵀU·(H + dI) = I with U upper`, () => {
      const h = spd(n, n);
      const l = Float64Array.from(h);
      assert.ok(choleskyLower(l, n));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        if (j > i) assert.equal(l[i * n + j], 0, `L[${i},${j}] above the diagonal`);
        let s = 0;
        for (let k = 0; k < n; k++) s += l[i * n + k]! * l[j * n + k]!;
        assert.ok(Math.abs(s - h[i * n + j]!) <= 1e-9 * Math.abs(h[i * n + i]!), `(LLᵀ)[${i},${j}] = ${s}, A = ${h[i * n + j]}`);
      }
      const d = 0.25;
      const u = upperCholeskyOfInverse(h, n, d)!;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        if (j < i) assert.equal(u[i * n + j], 0, `U[${i},${j}] below the diagonal`);
        // (UᵀU)(H + dI) row i, column j.
        let s = 0;
        for (let k = 0; k < n; k++) {
          let g = 0;
          for (let q = 0; q < n; q++) g += u[q * n + i]! * u[q * n + k]!;
          s += g * (h[k * n + j]! + (k === j ? d : 0));
        }
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-9, `(UᵀU(H + dI))[${i},${j}] = ${s}`);
      }
    });
  }

  it('refuses a matrix that is not positive definite (a negative pivot in the second panel)', () => {
    const n = 6;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = i === 5 ? -1 : 1;
    assert.equal(choleskyLower(Float64Array.from(a), n), false);
    assert.equal(upperCholeskyOfInverse(a, n), undefined);
    // The dampening lifts it: -1 + 2 > 0.
    assert.ok(upperCholeskyOfInverse(a, n, 2));
  });
});
