// The float32 GEMM micro-kernels shared by the js Conv, Gemm and MatMul kernels.
//
//   accumulate (C += A·B, B row-major [K,N]):      dot (C[i,j] = A[i,:]·Bᵀ[j,:]):
//     for 4 rows i..i+3 of A/C                       for each row i
//       for p in 0..K: a0..a3 = A[i..i+3, p]           for 4 columns j..j+3 of C
//         for j in 0..N (contiguous):                    for p in 0..K (contiguous in A and Bᵀ)
//           C[i+r, j] += a_r * B[p, j]                     s_r += A[i,p] * Bᵀ[j+r,p]
//
// Remainder rows/columns (M or N not a multiple of 4) run one at a time.

/** C[m×n] (row-major at cOff, row stride n) += A[m×k]·B[k×n]; A element (i,p) at aOff + i*aRow + p*aCol. */
export function sgemmAccumulate(
  m: number, n: number, k: number,
  a: Float32Array, aOff: number, aRow: number, aCol: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    for (let p = 0; p < k; p++) {
      const ap = aOff + i * aRow + p * aCol;
      const a0 = a[ap]!, a1 = a[ap + aRow]!, a2 = a[ap + 2 * aRow]!, a3 = a[ap + 3 * aRow]!;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[bp + j]!;
        c[c0 + j] += a0 * bv;
        c[c1 + j] += a1 * bv;
        c[c2 + j] += a2 * bv;
        c[c3 + j] += a3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const c0 = cOff + i * n;
    for (let p = 0; p < k; p++) {
      const a0 = a[aOff + i * aRow + p * aCol]!;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[c0 + j] += a0 * b[bp + j]!;
    }
  }
}

/** C[m×n] = A[m×k]·Bᵀ where Bᵀ is row-major [n×k] at bOff; A element (i,p) at aOff + i*aRow + p*aCol. */
export function sgemmDot(
  m: number, n: number, k: number,
  a: Float32Array, aOff: number, aRow: number, aCol: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * aRow, ci = cOff + i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bOff + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = a[ai + p * aCol]!;
        s0 += av * b[b0 + p]!;
        s1 += av * b[b1 + p]!;
        s2 += av * b[b2 + p]!;
        s3 += av * b[b3 + p]!;
      }
      c[ci + j] = s0; c[ci + j + 1] = s1; c[ci + j + 2] = s2; c[ci + j + 3] = s3;
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * aCol]! * b[b0 + p]!;
      c[ci + j] = s;
    }
  }
}

/** Clamps `len` elements at `off` to [lo, hi] (the fused epilogue); no-op for an unbounded clamp. */
export function clampRange(c: Float32Array, off: number, len: number, lo: number, hi: number): void {
  if (lo === -Infinity && hi === Infinity) return;
  for (let i = off; i < off + len; i++) {
    const v = c[i]!;
    c[i] = v < lo ? lo : v > hi ? hi : v;
  }
}
