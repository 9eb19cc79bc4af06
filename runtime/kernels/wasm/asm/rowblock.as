// Row-block sparse wasmsimd kernels: W staged as groups of 4 output rows that share one list of
// kept columns (shared-rows N:M, BSR with br % 4 == 0; any nm/bsr weight through the union of
// its 4 rows' columns), multiplied with the dense 4 rows × 8 pixels register tile of gemm4x8.
//
//   staged W (scratch, see ../rowblock.ts):           register tile, per kept column e of group g:
//   cnt[g]   u32      kept columns of group g            x0, x1 = X[offs[e] + p .. p+7]   (2 v128)
//   offs[e]  u32      byte offset of its X row           s_r    = splat(wts[e][r]), r < 4
//   wts[e]   f32 × 4  the 4 rows' weights (0 where       acc[r][0..1] += s_r · x0, s_r · x1
//                     a row lacks the column)          tails: 4 pixels (1 v128), then 1 pixel (the
//   groups in row order; the last one zero-padded      4 weights as one v128 times splat(X))
//   when N mod 4 != 0 (only its real rows stored)
//
// Measured on mobilenet_v2_w050's 2:4 shared-rows layers (vs dense gemm4x8 1.75×): 4 load32_splat
// beat one v128.load + 4 shuffles (1.72×); unrolling 2 columns per step spilled registers (1.36×).
//
// spmm4x8:           Y[N][P] = B + W · X[·][P] (1×1 conv, Gemm/MatMul as Yᵀ = W · Xᵀ)
// convRowblockWide:  any other group-1 conv of one image, on phase planes of the padded input
//                    (no im2col: each kept column is one contiguous row of them; see below)

import { clamp4, bias, madd } from './common';

/** Stores lane r of the 4-row tile only when row r exists (nr = real rows of the group). */
@inline function store4(y0: usize, rowY: usize, o: usize, nr: i32, a0: v128, a1: v128, a2: v128, a3: v128, vlo: v128, vhi: v128): void {
  v128.store(y0 + o, clamp4(a0, vlo, vhi));
  if (nr > 1) v128.store(y0 + rowY + o, clamp4(a1, vlo, vhi));
  if (nr > 2) v128.store(y0 + 2 * rowY + o, clamp4(a2, vlo, vhi));
  if (nr > 3) v128.store(y0 + 3 * rowY + o, clamp4(a3, vlo, vhi));
}

/**
 * One group of 4 rows (nr real) over pixels [p0, p1): entries [wts, offs) × cnt, X row base x
 * (pixel p at x + p·4 + offs[e]), Y rows from y0 with stride rowY bytes.
 */
@inline function group4(wts: usize, offs: usize, cnt: i32, x: usize, y0: usize, rowY: usize, nr: i32,
  b0: f32, b1: f32, b2: f32, b3: f32, p0: i32, p1: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = p0;
  for (; p + 8 <= p1; p += 8) {
    let a00 = f32x4.splat(b0), a01 = a00;
    let a10 = f32x4.splat(b1), a11 = a10;
    let a20 = f32x4.splat(b2), a21 = a20;
    let a30 = f32x4.splat(b3), a31 = a30;
    const xp = x + (<usize>p << 2);
    let w = wts, o = offs;
    for (let c = cnt; c > 0; c--) {
      const xa = xp + <usize>load<u32>(o);
      const x0 = v128.load(xa), x1 = v128.load(xa, 16);
      const s0 = v128.load32_splat(w), s1 = v128.load32_splat(w, 4);
      const s2 = v128.load32_splat(w, 8), s3 = v128.load32_splat(w, 12);
      a00 = madd(s0, x0, a00); a01 = madd(s0, x1, a01);
      a10 = madd(s1, x0, a10); a11 = madd(s1, x1, a11);
      a20 = madd(s2, x0, a20); a21 = madd(s2, x1, a21);
      a30 = madd(s3, x0, a30); a31 = madd(s3, x1, a31);
      w += 16; o += 4;
    }
    const q = <usize>p << 2;
    store4(y0, rowY, q, nr, a00, a10, a20, a30, vlo, vhi);
    store4(y0, rowY, q + 16, nr, a01, a11, a21, a31, vlo, vhi);
  }
  for (; p + 4 <= p1; p += 4) {
    let a0 = f32x4.splat(b0), a1 = f32x4.splat(b1), a2 = f32x4.splat(b2), a3 = f32x4.splat(b3);
    const xp = x + (<usize>p << 2);
    let w = wts, o = offs;
    for (let c = cnt; c > 0; c--) {
      const x0 = v128.load(xp + <usize>load<u32>(o));
      a0 = madd(v128.load32_splat(w), x0, a0);
      a1 = madd(v128.load32_splat(w, 4), x0, a1);
      a2 = madd(v128.load32_splat(w, 8), x0, a2);
      a3 = madd(v128.load32_splat(w, 12), x0, a3);
      w += 16; o += 4;
    }
    store4(y0, rowY, <usize>p << 2, nr, a0, a1, a2, a3, vlo, vhi);
  }
  // One pixel: the 4 rows in the lanes of one accumulator.
  const vb = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(b0), 1, b1), 2, b2), 3, b3);
  for (; p < p1; p++) {
    let a = vb;
    const xp = x + (<usize>p << 2);
    let w = wts, o = offs;
    for (let c = cnt; c > 0; c--) {
      a = madd(v128.load(w), v128.load32_splat(xp + <usize>load<u32>(o)), a);
      w += 16; o += 4;
    }
    a = clamp4(a, vlo, vhi);
    const q = y0 + (<usize>p << 2);
    store<f32>(q, f32x4.extract_lane(a, 0));
    if (nr > 1) store<f32>(q + rowY, f32x4.extract_lane(a, 1));
    if (nr > 2) store<f32>(q + 2 * rowY, f32x4.extract_lane(a, 2));
    if (nr > 3) store<f32>(q + 3 * rowY, f32x4.extract_lane(a, 3));
  }
}

/** Every group over pixels [p0, p1); X pixel p at x + p·4, Y rows of stride rowY. */
@inline function groups(wts: usize, offs: usize, cnt: usize, x: usize, y: usize, b: usize, N: i32, rowY: usize, p0: i32, p1: i32, lo: f32, hi: f32): void {
  let w = wts, o = offs;
  for (let n = 0; n < N; n += 4) {
    const c = <i32>load<u32>(cnt + <usize>n); // cnt[n / 4]: u32 per group of 4 rows
    const nr = min<i32>(4, N - n);
    const b0 = bias(b, n), b1 = nr > 1 ? bias(b, n + 1) : <f32>0, b2 = nr > 2 ? bias(b, n + 2) : <f32>0, b3 = nr > 3 ? bias(b, n + 3) : <f32>0;
    group4(w, o, c, x, y + <usize>n * rowY, rowY, nr, b0, b1, b2, b3, p0, p1, lo, hi);
    w += <usize>c << 4; o += <usize>c << 2;
  }
}

/**
 * Y[N][P] = B[N] + W · X, X rows addressed by offs (bytes from x), P pixels contiguous. When X is
 * larger than 64 KiB, pixel blocks of PB (K·PB·4 ≈ 32 KiB, K = X rows) go outermost, as in gemm4x8.
 */
export function spmm4x8(wts: usize, offs: usize, cnt: usize, x: usize, y: usize, b: usize, N: i32, K: i32, P: i32, lo: f32, hi: f32): void {
  const rowY = <usize>P << 2;
  const PB = <i64>K * <i64>P * 4 <= 65536 ? P : max<i32>(8, ((8192 / max<i32>(K, 1)) >> 3) << 3);
  for (let p0 = 0; p0 < P; p0 += PB) groups(wts, offs, cnt, x, y, b, N, rowY, p0, min<i32>(P, p0 + PB), lo, hi);
}

// convRowblockWide: a group-1 conv of one image, any window and stride, without im2col. The
// zero-padded input Xp (Hp × Wp, X at row pt, column pl) is split into sh·sw phase planes
// Q[a][b][C][Hq][Wq], Q[a][b][c][i][j] = Xp[c][i·sh + a][j·sw + b], Hq = ⌈Hp/sh⌉, Wq = ⌈Wp/sw⌉,
// so that output (oh, ow) reads tap (kh, kw) at Q[kh·dh mod sh][kw·dw mod sw][c][oh + kh·dh div sh]
// [ow + kw·dw div sw]: on the wide grid q = oh·Wq + ow every column is one contiguous row of Q
// (offs), the row-block product runs over P1 = (OH−1)·Wq + OW wide pixels into Yw[N][P1], and the
// OW real columns of each wide row are copied into Y. Only the positions X fills are written, so
// the planes' zero borders (cleared at prepare) stay; row and column phases no tap reads (bits of
// usedA, usedB) are not copied. Pixel blocks of PB keep C·KH rows in cache.
export function convRowblockWide(x: usize, q: usize, wts: usize, offs: usize, cnt: usize, y: usize, yw: usize, b: usize, N: i32, C: i32, H: i32, W: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, Hp: i32, Wp: i32, Hq: i32, Wq: i32, OH: i32, OW: i32, usedA: i32, usedB: i32, PB: i32, lo: f32, hi: f32): void {
  const plane = <usize>C * <usize>Hq * <usize>Wq;                  // floats per (a, b) plane
  const h0 = max<i32>(0, -pt), h1 = min<i32>(H, Hp - pt);            // X rows inside Xp
  for (let c = 0; c < C; c++) {
    for (let h = h0; h < h1; h++) {
      const r = pt + h, a = r % sh;
      if (((usedA >> a) & 1) == 0) continue;                          // no tap reads this row phase
      const src = x + ((<usize>(c * H + h) * <usize>W) << 2);
      const rowQ = q + ((<usize>(a * sw) * plane + <usize>c * <usize>Hq * <usize>Wq + <usize>(r / sh) * <usize>Wq) << 2);
      for (let ph = 0; ph < sw; ph++) {
        if (((usedB >> ph) & 1) == 0) continue;
        // plane columns j with X column w = j·sw + ph − pl inside [0, W) and j·sw + ph < Wp
        const lastW = pl + W - 1 - ph, lastP = Wp - 1 - ph;
        if (lastW < 0 || lastP < 0) continue;
        const j0 = pl > ph ? (pl - ph + sw - 1) / sw : 0;
        const j1 = min<i32>(lastW / sw + 1, lastP / sw + 1);
        if (j1 <= j0) continue;
        let d = rowQ + ((<usize>ph * plane + <usize>j0) << 2);
        let sp = src + (<usize>(j0 * sw + ph - pl) << 2);
        if (sw == 1) { memory.copy(d, sp, <usize>(j1 - j0) << 2); continue; }
        const step = <usize>sw << 2;
        for (let n = j1 - j0; n > 0; n--) { store<f32>(d, load<f32>(sp)); d += 4; sp += step; }
      }
    }
  }
  const P1 = (OH - 1) * Wq + OW;
  const direct = Wq == OW; // no padding columns on the wide grid (KW = 1): the product goes to Y itself
  for (let p0 = 0; p0 < P1; p0 += PB) groups(wts, offs, cnt, q, direct ? y : yw, b, N, <usize>P1 << 2, p0, min<i32>(P1, p0 + PB), lo, hi);
  if (direct) return;
  const rowO = <usize>OW << 2;
  for (let n = 0; n < N; n++) {
    const s = yw + ((<usize>n * <usize>P1) << 2), d = y + ((<usize>n * <usize>OH * <usize>OW) << 2);
    for (let oh = 0; oh < OH; oh++) memory.copy(d + <usize>oh * rowO, s + ((<usize>oh * <usize>Wq) << 2), rowO);
  }
}

// transposeF32: dst[c][r] = src[r][c] for a rows × cols f32 matrix (Gemm/MatMul's A → Aᵀ and
// Yᵀ → Y around spmm4x8): 4×4 blocks through 8 shuffles, the edges scalar. (A row-major kernel
// with 8 rows × 4 features per tile, splatting A, measured 1.05–1.3× of dense where spmm4x8 on Aᵀ
// gives 1.9–2.4×: 10 loads per 8 multiply-adds and the 8 row pointers' address arithmetic.)
export function transposeF32(src: usize, dst: usize, rows: i32, cols: i32): void {
  const rowS = <usize>cols << 2, rowD = <usize>rows << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const s0 = src + <usize>r * rowS;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const s = s0 + (<usize>c << 2);
      const r0 = v128.load(s), r1 = v128.load(s + rowS), r2 = v128.load(s + 2 * rowS), r3 = v128.load(s + 3 * rowS);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const d = dst + <usize>c * rowD + (<usize>r << 2);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + rowD, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * rowD, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * rowD, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (; c < cols; c++) {
      for (let i = 0; i < 4; i++) store<f32>(dst + <usize>c * rowD + (<usize>(r + i) << 2), load<f32>(s0 + <usize>i * rowS + (<usize>c << 2)));
    }
  }
  for (; r < rows; r++) {
    const s0 = src + <usize>r * rowS;
    for (let c = 0; c < cols; c++) store<f32>(dst + <usize>c * rowD + (<usize>r << 2), load<f32>(s0 + (<usize>c << 2)));
  }
}
