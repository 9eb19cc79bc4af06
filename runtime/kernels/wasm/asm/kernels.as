// spc wasmsimd kernels, AssemblyScript (compiled by scripts/build-wasm.mjs into
// ../kernels.wasm.ts; the `.as` extension keeps tsc away from it, asc reads it as kernels.ts).
// All pointers are byte offsets into the one imported memory; every array is f32 unless named.
//
// gemm4x8: Y[N][P] = B[N] + W[N][K] · X[K][P], clamped to [lo, hi]; b = 0 means no bias.
//
//        k →                 p → (8 pixels = 2 v128)           register tile: 4 rows × 8 pixels
//   W  ┌────────┐      X  ┌──┬──┬───┐                          acc[r][0..1] += splat(W[n+r][k]) · X[k][p..p+7]
//  n.. │w w w w │ ×    k  │xx│  │   │      = Y[n..n+3][p..p+7]  tails: 4 pixels (1 v128), then 1 pixel;
//  n+3 │w w w w │         └──┴──┴───┘                          rows N mod 4 one at a time
//
// spmm16x1: the same product with W in CSR (XNNPACK's MR×1 SpMM), 16 pixels per tile:
//
//   vals[e]  f32  non-zero values, rows in order        for each 16-pixel block p, for each row n:
//   offs[e]  u32  byte offset of its X row (col·P·4)       acc[0..3] = splat(B[n])
//   nnz[n]   u32  entries in row n (may be 0)              for e in row n: acc += splat(vals[e]) · X[offs[e] + p..p+15]
//                                                         tails: 8, 4, then 1 pixel

@inline function clamp4(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.min(f32x4.max(v, lo), hi);
}

@inline function clamp1(v: f32, lo: f32, hi: f32): f32 {
  return Mathf.min(Mathf.max(v, lo), hi);
}

@inline function bias(b: usize, n: i32): f32 {
  return b != 0 ? load<f32>(b + (<usize>n << 2)) : <f32>0;
}

/** Four rows n..n+3 of W (row stride K) times X, all P pixels. */
@inline function rows4(w0: usize, x: usize, y0: usize, b0: f32, b1: f32, b2: f32, b3: f32, K: i32, P: i32, p0: i32, p1: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2, rowX = <usize>P << 2;
  const w1 = w0 + rowW, w2 = w1 + rowW, w3 = w2 + rowW;
  const y1 = y0 + rowX, y2 = y1 + rowX, y3 = y2 + rowX;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = p0;
  for (; p + 8 <= p1; p += 8) {
    let a00 = f32x4.splat(b0), a01 = a00;
    let a10 = f32x4.splat(b1), a11 = a10;
    let a20 = f32x4.splat(b2), a21 = a20;
    let a30 = f32x4.splat(b3), a31 = a30;
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0, kEnd = rowW; kk < kEnd; kk += 4) {
      const x0 = v128.load(xp), x1 = v128.load(xp, 16);
      const s0 = v128.load32_splat(w0 + kk);
      const s1 = v128.load32_splat(w1 + kk);
      const s2 = v128.load32_splat(w2 + kk);
      const s3 = v128.load32_splat(w3 + kk);
      a00 = f32x4.add(a00, f32x4.mul(s0, x0)); a01 = f32x4.add(a01, f32x4.mul(s0, x1));
      a10 = f32x4.add(a10, f32x4.mul(s1, x0)); a11 = f32x4.add(a11, f32x4.mul(s1, x1));
      a20 = f32x4.add(a20, f32x4.mul(s2, x0)); a21 = f32x4.add(a21, f32x4.mul(s2, x1));
      a30 = f32x4.add(a30, f32x4.mul(s3, x0)); a31 = f32x4.add(a31, f32x4.mul(s3, x1));
      xp += rowX;
    }
    const o = <usize>p << 2;
    v128.store(y0 + o, clamp4(a00, vlo, vhi)); v128.store(y0 + o, clamp4(a01, vlo, vhi), 16);
    v128.store(y1 + o, clamp4(a10, vlo, vhi)); v128.store(y1 + o, clamp4(a11, vlo, vhi), 16);
    v128.store(y2 + o, clamp4(a20, vlo, vhi)); v128.store(y2 + o, clamp4(a21, vlo, vhi), 16);
    v128.store(y3 + o, clamp4(a30, vlo, vhi)); v128.store(y3 + o, clamp4(a31, vlo, vhi), 16);
  }
  for (; p + 4 <= p1; p += 4) {
    let a0 = f32x4.splat(b0), a1 = f32x4.splat(b1), a2 = f32x4.splat(b2), a3 = f32x4.splat(b3);
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0; kk < rowW; kk += 4) {
      const x0 = v128.load(xp);
      a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(w0 + kk)), x0));
      a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(load<f32>(w1 + kk)), x0));
      a2 = f32x4.add(a2, f32x4.mul(f32x4.splat(load<f32>(w2 + kk)), x0));
      a3 = f32x4.add(a3, f32x4.mul(f32x4.splat(load<f32>(w3 + kk)), x0));
      xp += rowX;
    }
    const o = <usize>p << 2;
    v128.store(y0 + o, clamp4(a0, vlo, vhi)); v128.store(y1 + o, clamp4(a1, vlo, vhi));
    v128.store(y2 + o, clamp4(a2, vlo, vhi)); v128.store(y3 + o, clamp4(a3, vlo, vhi));
  }
  for (; p < p1; p++) {
    let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0; kk < rowW; kk += 4) {
      const x0 = load<f32>(xp);
      a0 += load<f32>(w0 + kk) * x0; a1 += load<f32>(w1 + kk) * x0;
      a2 += load<f32>(w2 + kk) * x0; a3 += load<f32>(w3 + kk) * x0;
      xp += rowX;
    }
    const o = <usize>p << 2;
    store<f32>(y0 + o, clamp1(a0, lo, hi)); store<f32>(y1 + o, clamp1(a1, lo, hi));
    store<f32>(y2 + o, clamp1(a2, lo, hi)); store<f32>(y3 + o, clamp1(a3, lo, hi));
  }
}

/** One row of W times X, all P pixels (the N mod 4 remainder). */
@inline function rows1(w0: usize, x: usize, y0: usize, b0: f32, K: i32, P: i32, p0: i32, p1: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2, rowX = <usize>P << 2;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = p0;
  for (; p + 8 <= p1; p += 8) {
    let a0 = f32x4.splat(b0), a1 = a0;
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0; kk < rowW; kk += 4) {
      const s = f32x4.splat(load<f32>(w0 + kk));
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(xp)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(xp, 16)));
      xp += rowX;
    }
    const o = <usize>p << 2;
    v128.store(y0 + o, clamp4(a0, vlo, vhi)); v128.store(y0 + o, clamp4(a1, vlo, vhi), 16);
  }
  for (; p < p1; p++) {
    let a = b0;
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0; kk < rowW; kk += 4) { a += load<f32>(w0 + kk) * load<f32>(xp); xp += rowX; }
    store<f32>(y0 + (<usize>p << 2), clamp1(a, lo, hi));
  }
}

/**
 * When X is larger than 64 KiB, pixel blocks of PB columns (a multiple of 8, K·PB·4 bytes of X
 * ≈ 32 KiB) go outermost, so one block of X stays in cache while every row block of W passes
 * over it; otherwise one block (W streams once).
 */
export function gemm4x8(w: usize, x: usize, y: usize, b: usize, N: i32, K: i32, P: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2, rowX = <usize>P << 2;
  const PB = <i64>K * <i64>P * 4 <= 65536 ? P : max<i32>(8, ((8192 / max<i32>(K, 1)) >> 3) << 3);
  for (let p0 = 0; p0 < P; p0 += PB) {
    const p1 = min<i32>(P, p0 + PB);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      rows4(w + <usize>n * rowW, x, y + <usize>n * rowX, bias(b, n), bias(b, n + 1), bias(b, n + 2), bias(b, n + 3), K, P, p0, p1, lo, hi);
    }
    for (; n < N; n++) rows1(w + <usize>n * rowW, x, y + <usize>n * rowX, bias(b, n), K, P, p0, p1, lo, hi);
  }
}

export function spmm16x1(vals: usize, offs: usize, nnz: usize, x: usize, y: usize, b: usize, N: i32, P: i32, lo: f32, hi: f32): void {
  const rowY = <usize>P << 2;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = 0;
  for (; p + 16 <= P; p += 16) {
    const xp = x + (<usize>p << 2);
    let v = vals, o = offs, yp = y + (<usize>p << 2);
    for (let n = 0; n < N; n++) {
      let a0 = f32x4.splat(bias(b, n)), a1 = a0, a2 = a0, a3 = a0;
      for (let c = load<u32>(nnz + (<usize>n << 2)); c > 0; c--) {
        const s = f32x4.splat(load<f32>(v));
        const xa = xp + <usize>load<u32>(o);
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(xa)));
        a1 = f32x4.add(a1, f32x4.mul(s, v128.load(xa, 16)));
        a2 = f32x4.add(a2, f32x4.mul(s, v128.load(xa, 32)));
        a3 = f32x4.add(a3, f32x4.mul(s, v128.load(xa, 48)));
        v += 4; o += 4;
      }
      v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
      v128.store(yp, clamp4(a2, vlo, vhi), 32); v128.store(yp, clamp4(a3, vlo, vhi), 48);
      yp += rowY;
    }
  }
  if (p + 8 <= P) {
    const xp = x + (<usize>p << 2);
    let v = vals, o = offs, yp = y + (<usize>p << 2);
    for (let n = 0; n < N; n++) {
      let a0 = f32x4.splat(bias(b, n)), a1 = a0;
      for (let c = load<u32>(nnz + (<usize>n << 2)); c > 0; c--) {
        const s = f32x4.splat(load<f32>(v));
        const xa = xp + <usize>load<u32>(o);
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(xa)));
        a1 = f32x4.add(a1, f32x4.mul(s, v128.load(xa, 16)));
        v += 4; o += 4;
      }
      v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
      yp += rowY;
    }
    p += 8;
  }
  if (p + 4 <= P) {
    const xp = x + (<usize>p << 2);
    let v = vals, o = offs, yp = y + (<usize>p << 2);
    for (let n = 0; n < N; n++) {
      let a0 = f32x4.splat(bias(b, n));
      for (let c = load<u32>(nnz + (<usize>n << 2)); c > 0; c--) {
        a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(v)), v128.load(xp + <usize>load<u32>(o))));
        v += 4; o += 4;
      }
      v128.store(yp, clamp4(a0, vlo, vhi));
      yp += rowY;
    }
    p += 4;
  }
  for (; p < P; p++) {
    const xp = x + (<usize>p << 2);
    let v = vals, o = offs, yp = y + (<usize>p << 2);
    for (let n = 0; n < N; n++) {
      let a = bias(b, n);
      for (let c = load<u32>(nnz + (<usize>n << 2)); c > 0; c--) {
        a += load<f32>(v) * load<f32>(xp + <usize>load<u32>(o));
        v += 4; o += 4;
      }
      store<f32>(yp, clamp1(a, lo, hi));
      yp += rowY;
    }
  }
}
