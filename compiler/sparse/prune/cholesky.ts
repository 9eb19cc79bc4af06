// The dense factorizations behind SparseGPT: a lower Cholesky factor and the upper Cholesky
// factor of an inverse. Both are n³/6 multiply-adds that dominate calibrated compiles of wide
// layers (4608 columns in a ResNet-50 3×3 conv), so each streams a matrix row once per panel of
// PANEL columns instead of once per column (4× less memory traffic; the panel stays in cache).
// upperCholeskyOfInverse runs the same algorithm in f64x2 (compiler/linalg) where SIMD128 is on;
// these scalar loops are its fallback and its tests' reference.

import { arena } from '../../linalg/linalg.js';

/** Columns per panel: four accumulators per streamed row. */
const PANEL = 4;

/**
 * In-place lower Cholesky of the n×n row-major `a` (its lower triangle is read, the upper one
 * zeroed); false when `a` is not positive definite. Left-looking by panels: the dot products of
 * every row with the panel's rows over the columns left of the panel first (one pass per row),
 * then the panel's own columns.
 */
export function choleskyLower(a: Float64Array, n: number): boolean {
  const s = new Float64Array(n * PANEL);
  for (let j0 = 0; j0 < n; j0 += PANEL) {
    const jb = Math.min(PANEL, n - j0);
    if (jb === PANEL) {
      const r0 = j0 * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      for (let i = j0; i < n; i++) {
        const ri = i * n;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < j0; k++) {
          const x = a[ri + k]!;
          s0 += x * a[r0 + k]!; s1 += x * a[r1 + k]!; s2 += x * a[r2 + k]!; s3 += x * a[r3 + k]!;
        }
        const at = i * PANEL;
        s[at] = s0; s[at + 1] = s1; s[at + 2] = s2; s[at + 3] = s3;
      }
    } else {
      for (let i = j0; i < n; i++) {
        const ri = i * n;
        for (let t = 0; t < jb; t++) {
          const rj = (j0 + t) * n;
          let v = 0;
          for (let k = 0; k < j0; k++) v += a[ri + k]! * a[rj + k]!;
          s[i * PANEL + t] = v;
        }
      }
    }
    for (let t = 0; t < jb; t++) {
      const j = j0 + t, rj = j * n;
      let d2 = a[rj + j]! - s[j * PANEL + t]!;
      for (let k = j0; k < j; k++) d2 -= a[rj + k]! * a[rj + k]!;
      if (!(d2 > 0)) return false;
      const d = Math.sqrt(d2);
      a[rj + j] = d;
      for (let i = j + 1; i < n; i++) {
        const ri = i * n;
        let v = a[ri + j]! - s[i * PANEL + t]!;
        for (let k = j0; k < j; k++) v -= a[ri + k]! * a[rj + k]!;
        a[ri + j] = v / d;
      }
    }
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return true;
}

/**
 * The upper Cholesky factor U of (H + damp·I)⁻¹ (= UᵀU), or undefined when H + damp·I is not
 * positive definite. With P the reversal permutation and P(H + damp·I)P = LLᵀ:
 * (H + damp·I)⁻¹ = (P L⁻¹ P)ᵀ(P L⁻¹ P), so U = P L⁻¹ P: one Cholesky and one triangular inverse.
 * L⁻¹ is solved a panel of columns at a time (forward substitution, each row of L streamed once
 * per panel) and written straight into U.
 */
export function upperCholeskyOfInverse(h: Float64Array, n: number, damp = 0): Float64Array | undefined {
  // Scratch: the Cholesky's n × 4 sums, the inverse's (n + 1) × 8 panel rows.
  const a = arena([n * n, n * n, n * 4, (n + 1) * 8]);
  if (!a) return upperCholeskyOfInverseScalar(h, n, damp);
  const [r, u] = a.f64 as [Float64Array, Float64Array];
  reversed(h, n, damp, r);
  if (!a.exports.choleskyLower(a.at[0]!, n, a.at[2]!)) return undefined;
  u.fill(0);
  a.exports.inverseToUpper(a.at[0]!, a.at[1]!, a.at[3]!, n);
  return u.slice();
}

/** P(H + damp·I)P's lower triangle (P the reversal) into `r`; its upper triangle is left as is. */
function reversed(h: Float64Array, n: number, damp: number, r: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const src = (n - 1 - i) * n + (n - 1);
    for (let j = 0; j <= i; j++) r[i * n + j] = h[src - j]!;
    r[i * n + i] += damp;
  }
}

/** upperCholeskyOfInverse in scalar TypeScript (no SIMD128, and the reference of its tests). */
export function upperCholeskyOfInverseScalar(h: Float64Array, n: number, damp = 0): Float64Array | undefined {
  const r = new Float64Array(n * n);
  reversed(h, n, damp, r);
  if (!choleskyLower(r, n)) return undefined;
  const u = new Float64Array(n * n);
  // t[k·PANEL + c] = X[k][c0 + c] for the panel's columns c0.., X = L⁻¹ (zero above the diagonal).
  const t = new Float64Array(n * PANEL);
  for (let c0 = 0; c0 < n; c0 += PANEL) {
    const cb = Math.min(PANEL, n - c0);
    t.fill(0, c0 * PANEL, n * PANEL);
    for (let i = c0; i < n; i++) {
      const ri = i * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = c0; k < i; k++) {
        const l = r[ri + k]!, at = k * PANEL;
        s0 += l * t[at]!; s1 += l * t[at + 1]!; s2 += l * t[at + 2]!; s3 += l * t[at + 3]!;
      }
      const d = r[ri + i]!, at = i * PANEL;
      for (let c = 0; c < cb; c++) {
        const col = c0 + c;
        if (i < col) break;
        const sum = c === 0 ? s0 : c === 1 ? s1 : c === 2 ? s2 : s3;
        const x = ((i === col ? 1 : 0) - sum) / d;
        t[at + c] = x;
        // U[n−1−i][n−1−col] = X[i][col].
        u[(n - 1 - i) * n + (n - 1 - col)] = x;
      }
    }
  }
  return u;
}
