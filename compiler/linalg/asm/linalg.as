// Compile-time dense linear algebra of calibrated pruning (SparseGPT), f64x2: XᵀX and the re-fit
// target accumulation, the Cholesky factor and triangular inverse, the re-fit and the OBS sweep's
// lazy column update. Built by scripts/build-wasm.mjs into ../linalg.wasm.ts; never embedded by apps.
// All pointers are byte offsets into the imported memory; every array is f64 row-major unless named.
// Float64 throughout: products of float32 activations are exact in float64, and the factorization
// of a rank-deficient XᵀX held up by a 1% dampening fails in float32 (docs/performance.md).

@inline function ld(p: usize): v128 { return v128.load(p); }
@inline function fma(a: v128, b: v128, c: v128): v128 { return f64x2.add(f64x2.mul(a, b), c); }
@inline function hsum(v: v128): f64 { return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1); }

/**
 * h[i][j] += Σ_r a[i][r]·b[j][r] in 2×4 tiles (two rows per pass: six loads feed eight f64x2
 * multiply-adds), each entry's sum in `dot`'s order; a and b are cols × ldb (column c's chunk of n
 * rows contiguous). With `upper` (a = b: XᵀX) for j ≥ i only, where a 2×4 tile may touch the entry
 * below the diagonal, which the caller overwrites by symmetry; else for every j.
 */
@inline function productAcc(h: usize, a: usize, b: usize, cols: i32, n: i32, ldb: i32, upper: bool): void {
  const sb = <usize>ldb << 3, sh = <usize>cols << 3, nn = n & ~1;
  let i = 0;
  for (; i + 1 < cols; i += 2) {
    const b0 = a + <usize>i * sb, b1 = b0 + sb;
    const h0 = h + <usize>i * sh, h1 = h0 + sh;
    let j = upper ? i : 0;
    for (; j + 3 < cols; j += 4) {
      const c0 = b + <usize>j * sb, c1 = c0 + sb, c2 = c1 + sb, c3 = c2 + sb;
      let s00 = f64x2.splat(0), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (let r = 0; r < nn; r += 2) {
        const o = <usize>r << 3;
        const x0 = ld(b0 + o), x1 = ld(b1 + o);
        const y0 = ld(c0 + o), y1 = ld(c1 + o), y2 = ld(c2 + o), y3 = ld(c3 + o);
        s00 = fma(x0, y0, s00); s01 = fma(x0, y1, s01); s02 = fma(x0, y2, s02); s03 = fma(x0, y3, s03);
        s10 = fma(x1, y0, s10); s11 = fma(x1, y1, s11); s12 = fma(x1, y2, s12); s13 = fma(x1, y3, s13);
      }
      let t00 = hsum(s00), t01 = hsum(s01), t02 = hsum(s02), t03 = hsum(s03);
      let t10 = hsum(s10), t11 = hsum(s11), t12 = hsum(s12), t13 = hsum(s13);
      if (nn < n) {
        const o = <usize>nn << 3;
        const x0 = load<f64>(b0 + o), x1 = load<f64>(b1 + o);
        const y0 = load<f64>(c0 + o), y1 = load<f64>(c1 + o), y2 = load<f64>(c2 + o), y3 = load<f64>(c3 + o);
        t00 += x0 * y0; t01 += x0 * y1; t02 += x0 * y2; t03 += x0 * y3;
        t10 += x1 * y0; t11 += x1 * y1; t12 += x1 * y2; t13 += x1 * y3;
      }
      const p0 = h0 + (<usize>j << 3), p1 = h1 + (<usize>j << 3);
      store<f64>(p0, load<f64>(p0) + t00); store<f64>(p0, load<f64>(p0, 8) + t01, 8);
      store<f64>(p0, load<f64>(p0, 16) + t02, 16); store<f64>(p0, load<f64>(p0, 24) + t03, 24);
      store<f64>(p1, load<f64>(p1) + t10); store<f64>(p1, load<f64>(p1, 8) + t11, 8);
      store<f64>(p1, load<f64>(p1, 16) + t12, 16); store<f64>(p1, load<f64>(p1, 24) + t13, 24);
    }
    for (; j < cols; j++) {
      const c0 = b + <usize>j * sb;
      const p0 = h0 + (<usize>j << 3), p1 = h1 + (<usize>j << 3);
      store<f64>(p0, load<f64>(p0) + dot(b0, c0, n));
      store<f64>(p1, load<f64>(p1) + dot(b1, c0, n));
    }
  }
  if (i < cols) {
    const b0 = a + <usize>i * sb, h0 = h + <usize>i * sh;
    for (let j = upper ? i : 0; j < cols; j++) {
      const p0 = h0 + (<usize>j << 3);
      store<f64>(p0, load<f64>(p0) + dot(b0, b + <usize>j * sb, n));
    }
  }
}

/** h[i][j] += Σ_r bt[i][r]·bt[j][r] for j ≥ i (XᵀX's upper triangle, productAcc's tiles); bt is cols × ldb. */
export function xtxAcc(h: usize, bt: usize, cols: i32, n: i32, ldb: i32): void {
  productAcc(h, bt, bt, cols, n, ldb, true);
}

/** Σ_k a[k]·b[k] over n entries. */
@inline function dot(a: usize, b: usize, n: i32): f64 {
  let s = f64x2.splat(0);
  const nn = n & ~1;
  for (let k = 0; k < nn; k += 2) { const o = <usize>k << 3; s = fma(ld(a + o), ld(b + o), s); }
  let t = hsum(s);
  if (nn < n) t += load<f64>(a + (<usize>nn << 3)) * load<f64>(b + (<usize>nn << 3));
  return t;
}

/**
 * The re-fit target's chunk: y = W·D (W rows × cols f32, D = dt cols × ldb, its first n rows),
 * then p[o][j] += Σ_r y[o][r]·bt[j][r]. y is scratch rows × ldb, pk scratch of cols × 32 f64.
 */
export function targetAcc(p: usize, w: usize, dt: usize, bt: usize, y: usize, rows: i32, cols: i32, n: i32, ldb: i32, pk: usize): void {
  weightTimes(y, w, dt, rows, cols, n, ldb, pk);
  const sb = <usize>ldb << 3, nn = n & ~1;
  const sp = <usize>cols << 3;
  let o = 0;
  // 4 rows × 2 columns per tile (bt read once per four rows), each entry summed in the same order
  // as the 2×4 tiles below: bit-identical.
  for (; o + 3 < rows; o += 4) {
    const y0 = y + <usize>o * sb, y1 = y0 + sb, y2 = y1 + sb, y3 = y2 + sb;
    const p0 = p + <usize>o * sp;
    let j = 0;
    for (; j + 1 < cols; j += 2) {
      const c0 = bt + <usize>j * sb, c1 = c0 + sb;
      let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
      for (let r = 0; r < nn; r += 2) {
        const q = <usize>r << 3, u = ld(c0 + q), v = ld(c1 + q);
        const x0 = ld(y0 + q), x1 = ld(y1 + q), x2 = ld(y2 + q), x3 = ld(y3 + q);
        a0 = fma(x0, u, a0); a1 = fma(x1, u, a1); a2 = fma(x2, u, a2); a3 = fma(x3, u, a3);
        b0 = fma(x0, v, b0); b1 = fma(x1, v, b1); b2 = fma(x2, v, b2); b3 = fma(x3, v, b3);
      }
      let ta0 = hsum(a0), ta1 = hsum(a1), ta2 = hsum(a2), ta3 = hsum(a3);
      let tb0 = hsum(b0), tb1 = hsum(b1), tb2 = hsum(b2), tb3 = hsum(b3);
      if (nn < n) {
        const q = <usize>nn << 3, u = load<f64>(c0 + q), v = load<f64>(c1 + q);
        const x0 = load<f64>(y0 + q), x1 = load<f64>(y1 + q), x2 = load<f64>(y2 + q), x3 = load<f64>(y3 + q);
        ta0 += x0 * u; ta1 += x1 * u; ta2 += x2 * u; ta3 += x3 * u;
        tb0 += x0 * v; tb1 += x1 * v; tb2 += x2 * v; tb3 += x3 * v;
      }
      const a = p0 + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + ta0); store<f64>(a + 8, load<f64>(a + 8) + tb0);
      store<f64>(a + sp, load<f64>(a + sp) + ta1); store<f64>(a + sp + 8, load<f64>(a + sp + 8) + tb1);
      store<f64>(a + 2 * sp, load<f64>(a + 2 * sp) + ta2); store<f64>(a + 2 * sp + 8, load<f64>(a + 2 * sp + 8) + tb2);
      store<f64>(a + 3 * sp, load<f64>(a + 3 * sp) + ta3); store<f64>(a + 3 * sp + 8, load<f64>(a + 3 * sp + 8) + tb3);
    }
    for (; j < cols; j++) {
      const c0 = bt + <usize>j * sb, a = p0 + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + dot(y0, c0, n));
      store<f64>(a + sp, load<f64>(a + sp) + dot(y1, c0, n));
      store<f64>(a + 2 * sp, load<f64>(a + 2 * sp) + dot(y2, c0, n));
      store<f64>(a + 3 * sp, load<f64>(a + 3 * sp) + dot(y3, c0, n));
    }
  }
  for (; o + 1 < rows; o += 2) {
    const y0 = y + <usize>o * sb, y1 = y0 + sb, p0 = p + <usize>o * sp, p1 = p0 + sp;
    let j = 0;
    for (; j + 3 < cols; j += 4) {
      const c0 = bt + <usize>j * sb, c1 = c0 + sb, c2 = c1 + sb, c3 = c2 + sb;
      let s00 = f64x2.splat(0), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (let r = 0; r < nn; r += 2) {
        const q = <usize>r << 3;
        const x0 = ld(y0 + q), x1 = ld(y1 + q);
        const b0 = ld(c0 + q), b1 = ld(c1 + q), b2 = ld(c2 + q), b3 = ld(c3 + q);
        s00 = fma(x0, b0, s00); s01 = fma(x0, b1, s01); s02 = fma(x0, b2, s02); s03 = fma(x0, b3, s03);
        s10 = fma(x1, b0, s10); s11 = fma(x1, b1, s11); s12 = fma(x1, b2, s12); s13 = fma(x1, b3, s13);
      }
      let t00 = hsum(s00), t01 = hsum(s01), t02 = hsum(s02), t03 = hsum(s03);
      let t10 = hsum(s10), t11 = hsum(s11), t12 = hsum(s12), t13 = hsum(s13);
      if (nn < n) {
        const q = <usize>nn << 3;
        const x0 = load<f64>(y0 + q), x1 = load<f64>(y1 + q);
        const b0 = load<f64>(c0 + q), b1 = load<f64>(c1 + q), b2 = load<f64>(c2 + q), b3 = load<f64>(c3 + q);
        t00 += x0 * b0; t01 += x0 * b1; t02 += x0 * b2; t03 += x0 * b3;
        t10 += x1 * b0; t11 += x1 * b1; t12 += x1 * b2; t13 += x1 * b3;
      }
      const a0 = p0 + (<usize>j << 3), a1 = p1 + (<usize>j << 3);
      store<f64>(a0, load<f64>(a0) + t00); store<f64>(a0, load<f64>(a0, 8) + t01, 8);
      store<f64>(a0, load<f64>(a0, 16) + t02, 16); store<f64>(a0, load<f64>(a0, 24) + t03, 24);
      store<f64>(a1, load<f64>(a1) + t10); store<f64>(a1, load<f64>(a1, 8) + t11, 8);
      store<f64>(a1, load<f64>(a1, 16) + t12, 16); store<f64>(a1, load<f64>(a1, 24) + t13, 24);
    }
    for (; j < cols; j++) {
      const c0 = bt + <usize>j * sb;
      const a0 = p0 + (<usize>j << 3), a1 = p1 + (<usize>j << 3);
      store<f64>(a0, load<f64>(a0) + dot(y0, c0, n));
      store<f64>(a1, load<f64>(a1) + dot(y1, c0, n));
    }
  }
  if (o < rows) {
    const y0 = y + <usize>o * sb, p0 = p + <usize>o * sp;
    for (let j = 0; j < cols; j++) {
      const a0 = p0 + (<usize>j << 3);
      store<f64>(a0, load<f64>(a0) + dot(y0, bt + <usize>j * sb, n));
    }
  }
}

/**
 * y = W·D for W rows × cols (f32) and D cols × n (row c at dt + c·ldb, f64); y rows × n with the
 * same row stride. pk is scratch of cols × 32 f64.
 */
function weightTimes(y: usize, w: usize, dt: usize, rows: i32, cols: i32, n: i32, ldb: i32, pk: usize): void {
  const sb = <usize>ldb << 3, nn = n & ~1;
  // y's rows four at a time against panels of D: 32 of its columns at a time are packed (cols × 4
  // per group of four, contiguous), then each group's 4 × 4 block of y is summed in registers over
  // the whole reduction (two loads of the panel and four weights feed eight multiply-adds; D is
  // read once per 32 columns, not once per four rows). Each y[o][r] is Σ_c w[o][c]·d[c][r] in c
  // order from 0, as in the one-row loop below (which skips zero weights: adding their ±0
  // products changes no finite sum): bit-identical.
  const rows4 = rows & ~3;
  if (rows4 > 0) {
    for (let r0 = 0; r0 < nn; r0 += 32) {
      const bw = min(32, nn - r0), g4 = bw >> 2, two = (bw & 3) != 0;
      for (let c = 0; c < cols; c++) {
        const dc = dt + <usize>c * sb + (<usize>r0 << 3);
        for (let g = 0; g < g4; g++) {
          const to = pk + (<usize>g * <usize>cols << 5) + (<usize>c << 5), from = dc + (<usize>g << 5);
          v128.store(to, ld(from)); v128.store(to, ld(from + 16), 16);
        }
        if (two) v128.store(pk + (<usize>g4 * <usize>cols << 5) + (<usize>c << 4), ld(dc + (<usize>g4 << 5)));
      }
      for (let o4 = 0; o4 < rows4; o4 += 4) {
        const wa = w + (<usize>o4 * <usize>cols << 2), wb = wa + (<usize>cols << 2), wc = wb + (<usize>cols << 2), wd = wc + (<usize>cols << 2);
        const y0 = y + <usize>o4 * sb + (<usize>r0 << 3), y1 = y0 + sb, y2 = y1 + sb, y3 = y2 + sb;
        for (let g = 0; g < g4; g++) {
          const pg = pk + (<usize>g * <usize>cols << 5), q = <usize>g << 5;
          let a0 = f64x2.splat(0), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
          for (let c = 0; c < cols; c++) {
            const cq = <usize>c << 2, pc = pg + (<usize>c << 5);
            const d0 = ld(pc), d1 = ld(pc + 16);
            const s0 = f64x2.splat(<f64>load<f32>(wa + cq)), s1 = f64x2.splat(<f64>load<f32>(wb + cq));
            const s2 = f64x2.splat(<f64>load<f32>(wc + cq)), s3 = f64x2.splat(<f64>load<f32>(wd + cq));
            a0 = fma(s0, d0, a0); a1 = fma(s0, d1, a1); b0 = fma(s1, d0, b0); b1 = fma(s1, d1, b1);
            c0 = fma(s2, d0, c0); c1 = fma(s2, d1, c1); e0 = fma(s3, d0, e0); e1 = fma(s3, d1, e1);
          }
          v128.store(y0 + q, a0); v128.store(y0 + q, a1, 16); v128.store(y1 + q, b0); v128.store(y1 + q, b1, 16);
          v128.store(y2 + q, c0); v128.store(y2 + q, c1, 16); v128.store(y3 + q, e0); v128.store(y3 + q, e1, 16);
        }
        if (two) {
          const pg = pk + (<usize>g4 * <usize>cols << 5), q = <usize>g4 << 5;
          let a0 = f64x2.splat(0), b0 = a0, c0 = a0, e0 = a0;
          for (let c = 0; c < cols; c++) {
            const cq = <usize>c << 2, d0 = ld(pg + (<usize>c << 4));
            a0 = fma(f64x2.splat(<f64>load<f32>(wa + cq)), d0, a0); b0 = fma(f64x2.splat(<f64>load<f32>(wb + cq)), d0, b0);
            c0 = fma(f64x2.splat(<f64>load<f32>(wc + cq)), d0, c0); e0 = fma(f64x2.splat(<f64>load<f32>(wd + cq)), d0, e0);
          }
          v128.store(y0 + q, a0); v128.store(y1 + q, b0); v128.store(y2 + q, c0); v128.store(y3 + q, e0);
        }
      }
    }
    if (nn < n) {
      const q = <usize>nn << 3;
      for (let o4 = 0; o4 < rows4; o4 += 4) {
        const wa = w + (<usize>o4 * <usize>cols << 2), wb = wa + (<usize>cols << 2), wc = wb + (<usize>cols << 2), wd = wc + (<usize>cols << 2);
        let t0: f64 = 0, t1: f64 = 0, t2: f64 = 0, t3: f64 = 0;
        for (let c = 0; c < cols; c++) {
          const cq = <usize>c << 2, dv = load<f64>(dt + <usize>c * sb + q);
          t0 += <f64>load<f32>(wa + cq) * dv; t1 += <f64>load<f32>(wb + cq) * dv;
          t2 += <f64>load<f32>(wc + cq) * dv; t3 += <f64>load<f32>(wd + cq) * dv;
        }
        const y0 = y + <usize>o4 * sb + q;
        store<f64>(y0, t0); store<f64>(y0 + sb, t1); store<f64>(y0 + 2 * sb, t2); store<f64>(y0 + 3 * sb, t3);
      }
    }
  }
  const o4 = rows4;
  for (let o = o4; o < rows; o++) {
    const yo = y + <usize>o * sb, wo = w + (<usize>o * <usize>cols << 2);
    memory.fill(yo, 0, <usize>n << 3);
    for (let c = 0; c < cols; c++) {
      const wv = <f64>load<f32>(wo + (<usize>c << 2));
      if (wv == 0) continue;
      const ws = f64x2.splat(wv), dc = dt + <usize>c * sb;
      let r = 0;
      for (; r < nn; r += 2) { const q = <usize>r << 3; v128.store(yo + q, fma(ws, ld(dc + q), ld(yo + q))); }
      if (nn < n) { const q = <usize>nn << 3; store<f64>(yo + q, load<f64>(yo + q) + wv * load<f64>(dc + q)); }
    }
  }
}

/**
 * The re-fit target from the cross statistics: p = W·C (W rows × cols f32, C = Σ_t d_t x_tᵀ cols ×
 * cols from crossAcc, p rows × cols), weightTimes' arithmetic. pk is scratch of cols × 32 f64.
 */
export function crossTarget(p: usize, w: usize, c: usize, rows: i32, cols: i32, pk: usize): void {
  weightTimes(p, w, c, rows, cols, cols, cols, pk);
}

/**
 * c[i][j] += Σ_r dt[i][r]·bt[j][r] for all i, j (cols × cols, not symmetric): the cross statistics
 * Σ_t d_t x_tᵀ of the dense network's inputs d and the pruned network's x, each given column-major
 * (cols × ldb, column c's chunk of n rows contiguous), in productAcc's tiles.
 */
export function crossAcc(c: usize, dt: usize, bt: usize, cols: i32, n: i32, ldb: i32): void {
  productAcc(c, dt, bt, cols, n, ldb, false);
}

/**
 * In-place lower Cholesky of the n×n `a` (lower triangle read, upper zeroed); 0 when not positive
 * definite. Left-looking by panels of four columns: every row's dot products with the panel's rows
 * over the columns left of the panel (two rows per pass: six loads feed eight f64x2 multiply-adds),
 * then the panel's own columns. `s` is scratch of n·4.
 */
export function choleskyLower(a: usize, n: i32, s: usize): i32 {
  const sa = <usize>n << 3;
  for (let j0 = 0; j0 < n; j0 += 4) {
    const jb = min(4, n - j0);
    const kk = j0; // columns left of the panel (a multiple of 4: even)
    const r0 = a + <usize>j0 * sa;
    const r1 = jb > 1 ? r0 + sa : r0, r2 = jb > 2 ? r0 + 2 * sa : r0, r3 = jb > 3 ? r0 + 3 * sa : r0;
    let i = j0;
    for (; i + 1 < n; i += 2) {
      const x = a + <usize>i * sa, y = x + sa;
      let s00 = f64x2.splat(0), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (let k = 0; k < kk; k += 2) {
        const o = <usize>k << 3;
        const x0 = ld(x + o), x1 = ld(y + o);
        const q0 = ld(r0 + o), q1 = ld(r1 + o), q2 = ld(r2 + o), q3 = ld(r3 + o);
        s00 = fma(x0, q0, s00); s01 = fma(x0, q1, s01); s02 = fma(x0, q2, s02); s03 = fma(x0, q3, s03);
        s10 = fma(x1, q0, s10); s11 = fma(x1, q1, s11); s12 = fma(x1, q2, s12); s13 = fma(x1, q3, s13);
      }
      const at = s + (<usize>i << 5);
      store<f64>(at, hsum(s00)); store<f64>(at, hsum(s01), 8); store<f64>(at, hsum(s02), 16); store<f64>(at, hsum(s03), 24);
      store<f64>(at, hsum(s10), 32); store<f64>(at, hsum(s11), 40); store<f64>(at, hsum(s12), 48); store<f64>(at, hsum(s13), 56);
    }
    if (i < n) {
      const x = a + <usize>i * sa;
      let s00 = f64x2.splat(0), s01 = s00, s02 = s00, s03 = s00;
      for (let k = 0; k < kk; k += 2) {
        const o = <usize>k << 3;
        const x0 = ld(x + o);
        s00 = fma(x0, ld(r0 + o), s00); s01 = fma(x0, ld(r1 + o), s01); s02 = fma(x0, ld(r2 + o), s02); s03 = fma(x0, ld(r3 + o), s03);
      }
      const at = s + (<usize>i << 5);
      store<f64>(at, hsum(s00)); store<f64>(at, hsum(s01), 8); store<f64>(at, hsum(s02), 16); store<f64>(at, hsum(s03), 24);
    }
    for (let t = 0; t < jb; t++) {
      const j = j0 + t, rj = a + <usize>j * sa;
      let d2 = load<f64>(rj + (<usize>j << 3)) - load<f64>(s + (<usize>j << 5) + (<usize>t << 3));
      for (let k = j0; k < j; k++) { const v = load<f64>(rj + (<usize>k << 3)); d2 -= v * v; }
      if (!(d2 > 0)) return 0;
      const d = Math.sqrt(d2);
      store<f64>(rj + (<usize>j << 3), d);
      for (let i2 = j + 1; i2 < n; i2++) {
        const ri = a + <usize>i2 * sa;
        let v = load<f64>(ri + (<usize>j << 3)) - load<f64>(s + (<usize>i2 << 5) + (<usize>t << 3));
        for (let k = j0; k < j; k++) v -= load<f64>(ri + (<usize>k << 3)) * load<f64>(rj + (<usize>k << 3));
        store<f64>(ri + (<usize>j << 3), v / d);
      }
    }
  }
  for (let i = 0; i < n; i++) memory.fill(a + <usize>i * sa + (<usize>(i + 1) << 3), 0, <usize>(n - 1 - i) << 3);
  return 1;
}

/**
 * U = P·L⁻¹·P for the lower factor `r` (n×n; P the reversal), written into `u` (zeroed by the
 * caller): L⁻¹ by forward substitution a panel of eight columns at a time, t[k][c] ((n + 1) × 8
 * scratch; its last row holds a row's sums) holding the panel's column c of L⁻¹, four f64x2 lanes
 * per row of the panel. Each entry's sum runs over k in order from the panel's first column, the
 * terms above the diagonal exactly 0: the same values as panels of four (the scalar loop's).
 */
export function inverseToUpper(r: usize, u: usize, t: usize, n: i32): void {
  const sa = <usize>n << 3, sums = t + (<usize>n << 6);
  for (let c0 = 0; c0 < n; c0 += 8) {
    const cb = min(8, n - c0);
    memory.fill(t + (<usize>c0 << 6), 0, <usize>(n - c0) << 6);
    let i = c0;
    // Two rows per pass over the panel's finished rows (four loads and two splats feed eight
    // multiply-adds); the second row then takes the first's new row of t.
    for (; i + 1 < n; i += 2) {
      const ri = r + <usize>i * sa, rj = ri + sa;
      let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
      for (let k = c0; k < i; k++) {
        const at = t + (<usize>k << 6), x0 = ld(at), x1 = ld(at + 16), x2 = ld(at + 32), x3 = ld(at + 48);
        const l = f64x2.splat(load<f64>(ri + (<usize>k << 3))), l1 = f64x2.splat(load<f64>(rj + (<usize>k << 3)));
        a0 = fma(l, x0, a0); a1 = fma(l, x1, a1); a2 = fma(l, x2, a2); a3 = fma(l, x3, a3);
        b0 = fma(l1, x0, b0); b1 = fma(l1, x1, b1); b2 = fma(l1, x2, b2); b3 = fma(l1, x3, b3);
      }
      v128.store(sums, a0); v128.store(sums, a1, 16); v128.store(sums, a2, 32); v128.store(sums, a3, 48);
      finishRow(r, u, t, n, i, c0, cb, sums);
      const at = t + (<usize>i << 6), l1 = f64x2.splat(load<f64>(rj + (<usize>i << 3)));
      v128.store(sums, fma(l1, ld(at), b0)); v128.store(sums, fma(l1, ld(at + 16), b1), 16);
      v128.store(sums, fma(l1, ld(at + 32), b2), 32); v128.store(sums, fma(l1, ld(at + 48), b3), 48);
      finishRow(r, u, t, n, i + 1, c0, cb, sums);
    }
    if (i < n) {
      const ri = r + <usize>i * sa;
      let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (let k = c0; k < i; k++) {
        const l = f64x2.splat(load<f64>(ri + (<usize>k << 3))), at = t + (<usize>k << 6);
        a0 = fma(l, ld(at), a0); a1 = fma(l, ld(at + 16), a1); a2 = fma(l, ld(at + 32), a2); a3 = fma(l, ld(at + 48), a3);
      }
      v128.store(sums, a0); v128.store(sums, a1, 16); v128.store(sums, a2, 32); v128.store(sums, a3, 48);
      finishRow(r, u, t, n, i, c0, cb, sums);
    }
  }
}

/** Row i of the panel's columns of L⁻¹ from its sums (eight f64 at `sums`), into t and U. */
@inline function finishRow(r: usize, u: usize, t: usize, n: i32, i: i32, c0: i32, cb: i32, sums: usize): void {
  const sa = <usize>n << 3;
  const d = load<f64>(r + <usize>i * sa + (<usize>i << 3)), at = t + (<usize>i << 6);
  for (let c = 0; c < cb; c++) {
    const col = c0 + c;
    if (i < col) break;
    const x = ((i == col ? 1.0 : 0.0) - load<f64>(sums + (<usize>c << 3))) / d;
    store<f64>(at + (<usize>c << 3), x);
    store<f64>(u + <usize>(n - 1 - i) * sa + (<usize>(n - 1 - col) << 3), x);
  }
}

/**
 * m = target − W·H for W rows × n and the symmetric n×n H (row j of H is its column j): dot products
 * of W's rows with H's. `part` is scratch of (rows − rows mod 4) × n × 2 f64.
 */
export function residual(m: usize, w: usize, h: usize, target: usize, rows: i32, n: i32, part: usize): void {
  const sa = <usize>n << 3;
  const nn = n & ~1;
  const rows4 = rows & ~3;
  // Rows four at a time × H's rows two at a time, blocked over H (64 of its rows × 256 columns at
  // a time, so a block is read from memory once rather than once per four rows of W): each entry's
  // two f64x2 lane sums are kept in `part` (rows4 × n × 2 f64) between blocks, so every lane still
  // adds its products in k order and is summed (hsum) once at the end, as the two-row loop below
  // does: bit-identical.
  for (let k0 = 0; k0 < nn; k0 += 256) {
    const k1 = min(nn, k0 + 256);
    for (let j0 = 0; j0 < n; j0 += 64) {
      const j1 = min(n, j0 + 64), jp = j1 & ~1;
      for (let r = 0; r < rows4; r += 4) {
        const w0 = w + <usize>r * sa, w1 = w0 + sa, w2 = w1 + sa, w3 = w2 + sa;
        for (let j = j0; j < jp; j += 2) {
          const ha = h + <usize>j * sa, hb = ha + sa;
          // part: per row t and column j, lanes at part + ((r + t)·n + j)·16.
          const pa = part + ((<usize>r * <usize>n + <usize>j) << 4), pn = <usize>n << 4;
          let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
          if (k0 > 0) {
            a0 = ld(pa); b0 = ld(pa + 16); a1 = ld(pa + pn); b1 = ld(pa + pn + 16);
            a2 = ld(pa + 2 * pn); b2 = ld(pa + 2 * pn + 16); a3 = ld(pa + 3 * pn); b3 = ld(pa + 3 * pn + 16);
          }
          for (let k = k0; k < k1; k += 2) {
            const q = <usize>k << 3, hu = ld(ha + q), hv = ld(hb + q);
            const x0 = ld(w0 + q), x1 = ld(w1 + q), x2 = ld(w2 + q), x3 = ld(w3 + q);
            a0 = fma(x0, hu, a0); a1 = fma(x1, hu, a1); a2 = fma(x2, hu, a2); a3 = fma(x3, hu, a3);
            b0 = fma(x0, hv, b0); b1 = fma(x1, hv, b1); b2 = fma(x2, hv, b2); b3 = fma(x3, hv, b3);
          }
          v128.store(pa, a0); v128.store(pa + 16, b0); v128.store(pa + pn, a1); v128.store(pa + pn + 16, b1);
          v128.store(pa + 2 * pn, a2); v128.store(pa + 2 * pn + 16, b2); v128.store(pa + 3 * pn, a3); v128.store(pa + 3 * pn + 16, b3);
        }
      }
    }
  }
  for (let r = 0; r < rows4; r += 4) {
    const w0 = w + <usize>r * sa, w1 = w0 + sa, w2 = w1 + sa, w3 = w2 + sa;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const ha = h + <usize>j * sa, hb = ha + sa;
      const pa = part + ((<usize>r * <usize>n + <usize>j) << 4), pn = <usize>n << 4;
      let ta0: f64 = 0, ta1: f64 = 0, ta2: f64 = 0, ta3: f64 = 0, tb0: f64 = 0, tb1: f64 = 0, tb2: f64 = 0, tb3: f64 = 0;
      if (nn > 0) {
        ta0 = hsum(ld(pa)); tb0 = hsum(ld(pa + 16)); ta1 = hsum(ld(pa + pn)); tb1 = hsum(ld(pa + pn + 16));
        ta2 = hsum(ld(pa + 2 * pn)); tb2 = hsum(ld(pa + 2 * pn + 16)); ta3 = hsum(ld(pa + 3 * pn)); tb3 = hsum(ld(pa + 3 * pn + 16));
      }
      if (nn < n) {
        const q = <usize>nn << 3, hu = load<f64>(ha + q), hv = load<f64>(hb + q);
        const x0 = load<f64>(w0 + q), x1 = load<f64>(w1 + q), x2 = load<f64>(w2 + q), x3 = load<f64>(w3 + q);
        ta0 += x0 * hu; ta1 += x1 * hu; ta2 += x2 * hu; ta3 += x3 * hu;
        tb0 += x0 * hv; tb1 += x1 * hv; tb2 += x2 * hv; tb3 += x3 * hv;
      }
      const o = <usize>r * sa + (<usize>j << 3);
      store<f64>(m + o, load<f64>(target + o) - ta0); store<f64>(m + o + 8, load<f64>(target + o + 8) - tb0);
      store<f64>(m + o + sa, load<f64>(target + o + sa) - ta1); store<f64>(m + o + sa + 8, load<f64>(target + o + sa + 8) - tb1);
      store<f64>(m + o + 2 * sa, load<f64>(target + o + 2 * sa) - ta2); store<f64>(m + o + 2 * sa + 8, load<f64>(target + o + 2 * sa + 8) - tb2);
      store<f64>(m + o + 3 * sa, load<f64>(target + o + 3 * sa) - ta3); store<f64>(m + o + 3 * sa + 8, load<f64>(target + o + 3 * sa + 8) - tb3);
    }
    for (; j < n; j++) {
      const hj = h + <usize>j * sa, o = <usize>r * sa + (<usize>j << 3);
      store<f64>(m + o, load<f64>(target + o) - dot(w0, hj, n));
      store<f64>(m + o + sa, load<f64>(target + o + sa) - dot(w1, hj, n));
      store<f64>(m + o + 2 * sa, load<f64>(target + o + 2 * sa) - dot(w2, hj, n));
      store<f64>(m + o + 3 * sa, load<f64>(target + o + 3 * sa) - dot(w3, hj, n));
    }
  }
  let r = rows4;
  for (; r + 1 < rows; r += 2) {
    const w0 = w + <usize>r * sa, w1 = w0 + sa;
    for (let j = 0; j < n; j++) {
      const hj = h + <usize>j * sa;
      const o0 = <usize>r * sa + (<usize>j << 3), o1 = o0 + sa;
      let s0 = f64x2.splat(0), s1 = s0;
      const nn = n & ~1;
      for (let k = 0; k < nn; k += 2) {
        const q = <usize>k << 3, hv = ld(hj + q);
        s0 = fma(ld(w0 + q), hv, s0); s1 = fma(ld(w1 + q), hv, s1);
      }
      let t0 = hsum(s0), t1 = hsum(s1);
      if (nn < n) { const q = <usize>nn << 3, hv = load<f64>(hj + q); t0 += load<f64>(w0 + q) * hv; t1 += load<f64>(w1 + q) * hv; }
      store<f64>(m + o0, load<f64>(target + o0) - t0);
      store<f64>(m + o1, load<f64>(target + o1) - t1);
    }
  }
  if (r < rows) {
    const w0 = w + <usize>r * sa;
    for (let j = 0; j < n; j++) {
      const o0 = <usize>r * sa + (<usize>j << 3);
      store<f64>(m + o0, load<f64>(target + o0) - dot(w0, h + <usize>j * sa, n));
    }
  }
}

/** Rows of W per group of the blocked re-fit, and the rows and columns of U per block it reads. */
const REFIT_ROWS = 64;
const REFIT_IB = 64;
const REFIT_KB = 256;

/** f64 elements of the re-fit's scratch `z` for n columns: a group's z, then its lane sums. */
export function refitScratch(n: i32): i32 {
  return REFIT_ROWS * n + REFIT_ROWS * REFIT_IB * 2;
}

/**
 * W += scale·M·UᵀU (U upper n×n, zero below the diagonal): per row, z = scale·M_r·Uᵀ (z_i = Σ_{j≥i}
 * m_j U_ij, dot products), then W_r += z·U (W_rj += Σ_{i≤j} z_i U_ij, in i order). `z` is scratch of
 * refitScratch(n) f64. Rows in groups of 64 (four at a time), U read by blocks of 64 of its rows ×
 * 256 columns, each block once per group (U is 75 MB at 3072 columns: streaming it once per four
 * rows made the re-fit memory-bound). Every z_i's two f64x2 lane sums are kept between column
 * blocks and every W_rj's additions run over i in order, so each row gets bit for bit what the
 * single-row loop below gives it.
 */
export function refit(w: usize, m: usize, u: usize, z: usize, rows: i32, n: i32, scale: f64): void {
  const sa = <usize>n << 3;
  const rows4 = rows & ~3;
  const part = z + (<usize>REFIT_ROWS * <usize>n << 3);
  for (let g0 = 0; g0 < rows4; g0 += REFIT_ROWS) {
    const count = min(REFIT_ROWS, rows4 - g0);
    refitZ(m + <usize>g0 * sa, u, z, part, count, n, scale);
    refitCombine(w + <usize>g0 * sa, u, z, count, n);
  }
  for (let r = rows4; r < rows; r++) {
    const mr = m + <usize>r * sa, wr = w + <usize>r * sa;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 3;
      store<f64>(z + o, dot(mr + o, u + <usize>i * sa + o, n - i) * scale);
    }
    combineRows(wr, u, z, n, 0, n);
  }
}

/**
 * z[t][i] = scale·dot(m_t + i, u_i + i, n − i) for the `count` rows of m (a multiple of 4), as `dot`
 * sums it: lane sums over the pairs (i + 2p, i + 2p + 1), hsum, then the odd last entry. By blocks
 * of 64 values of i × 256 columns; row i's pairs split at the block edges shifted by i's parity, so
 * no pair straddles two blocks. `part` holds the lane sums: count × 64 × 2 f64.
 */
function refitZ(m: usize, u: usize, z: usize, part: usize, count: i32, n: i32, scale: f64): void {
  const sa = <usize>n << 3, ps = <usize>REFIT_IB << 4;
  for (let i0 = 0; i0 < n; i0 += REFIT_IB) {
    const i1 = min(n, i0 + REFIT_IB);
    memory.fill(part, 0, <usize>count * ps);
    for (let k0 = i0 & ~(REFIT_KB - 1); k0 < n; k0 += REFIT_KB) {
      for (let t = 0; t < count; t += 4) {
        const m0 = m + <usize>t * sa;
        const pt = part + <usize>t * ps;
        // i and i + 2 together (same parity: their pairs share the loads of M), i + 1 and i + 3 next.
        let i = i0;
        for (; i + 3 < i1; i += 4) {
          refitZPair(m0, u, pt + (<usize>(i - i0) << 4), sa, ps, i, n, k0);
          refitZPair(m0, u, pt + (<usize>(i + 1 - i0) << 4), sa, ps, i + 1, n, k0);
        }
        for (; i < i1; i++) {
          const par = i & 1;
          const lo = max(i, k0 + par), hi = min(i + ((n - i) & ~1), k0 + REFIT_KB + par);
          if (lo >= hi) continue;
          const ui = u + <usize>i * sa, p = pt + (<usize>(i - i0) << 4);
          let s0 = ld(p), s1 = ld(p + ps), s2 = ld(p + 2 * ps), s3 = ld(p + 3 * ps);
          for (let k = lo; k < hi; k += 2) {
            const q = <usize>k << 3, uv = ld(ui + q);
            s0 = fma(ld(m0 + q), uv, s0); s1 = fma(ld(m0 + sa + q), uv, s1);
            s2 = fma(ld(m0 + 2 * sa + q), uv, s2); s3 = fma(ld(m0 + 3 * sa + q), uv, s3);
          }
          v128.store(p, s0); v128.store(p + ps, s1); v128.store(p + 2 * ps, s2); v128.store(p + 3 * ps, s3);
        }
      }
    }
    const last = <usize>(n - 1) << 3;
    for (let t = 0; t < count; t++) {
      const mt = m + <usize>t * sa, zt = z + <usize>t * sa, pt = part + <usize>t * ps;
      for (let i = i0; i < i1; i++) {
        let v = hsum(ld(pt + (<usize>(i - i0) << 4)));
        if (((n - i) & 1) != 0) v += load<f64>(mt + last) * load<f64>(u + <usize>i * sa + last);
        store<f64>(zt + (<usize>i << 3), v * scale);
      }
    }
  }
}

/**
 * The lane sums of z_i and z_{i+2} for four rows of M (from m0, row stride sa) over column block
 * k0's pairs (see refitZ), kept at p and p + 32 (row stride ps). i + 2's pairs start two columns
 * later in the diagonal block and end where i's do.
 */
@inline function refitZPair(m0: usize, u: usize, p: usize, sa: usize, ps: usize, i: i32, n: i32, k0: i32): void {
  const par = i & 1;
  const hi = min(i + ((n - i) & ~1), k0 + REFIT_KB + par);
  let k = max(i, k0 + par);
  const lb = max(i + 2, k0 + par);
  if (k >= hi) return;
  const m1 = m0 + sa, m2 = m1 + sa, m3 = m2 + sa;
  const ua = u + <usize>i * sa, ub = ua + 2 * sa, q2 = p + 32;
  let a0 = ld(p), a1 = ld(p + ps), a2 = ld(p + 2 * ps), a3 = ld(p + 3 * ps);
  let b0 = ld(q2), b1 = ld(q2 + ps), b2 = ld(q2 + 2 * ps), b3 = ld(q2 + 3 * ps);
  if (k < lb) {
    const q = <usize>k << 3, uv = ld(ua + q);
    a0 = fma(ld(m0 + q), uv, a0); a1 = fma(ld(m1 + q), uv, a1); a2 = fma(ld(m2 + q), uv, a2); a3 = fma(ld(m3 + q), uv, a3);
    k += 2;
  }
  for (; k < hi; k += 2) {
    const q = <usize>k << 3, uv = ld(ua + q), vv = ld(ub + q);
    const x0 = ld(m0 + q), x1 = ld(m1 + q), x2 = ld(m2 + q), x3 = ld(m3 + q);
    a0 = fma(x0, uv, a0); a1 = fma(x1, uv, a1); a2 = fma(x2, uv, a2); a3 = fma(x3, uv, a3);
    b0 = fma(x0, vv, b0); b1 = fma(x1, vv, b1); b2 = fma(x2, vv, b2); b3 = fma(x3, vv, b3);
  }
  v128.store(p, a0); v128.store(p + ps, a1); v128.store(p + 2 * ps, a2); v128.store(p + 3 * ps, a3);
  v128.store(q2, b0); v128.store(q2 + ps, b1); v128.store(q2 + 2 * ps, b2); v128.store(q2 + 3 * ps, b3);
}

/**
 * W_t += z_t·U for the `count` rows of w and z (a multiple of 4), U upper: combineRows' arithmetic
 * for each row (U's rows four at a time, the first three columns of each four taking only the rows
 * that reach them; the rows past the last four one at a time), four rows of W per pass over U, by
 * blocks of 256 columns × 64 rows of U, every entry's additions over i in order.
 */
function refitCombine(w: usize, u: usize, z: usize, count: i32, n: i32): void {
  const sa = <usize>n << 3, n4 = n & ~3;
  for (let j0 = 0; j0 < n; j0 += REFIT_KB) {
    const j1 = min(n, j0 + REFIT_KB);
    for (let ib = 0; ib < j1; ib += REFIT_IB) {
      const ie = min(j1, ib + REFIT_IB);
      for (let t = 0; t < count; t += 4) {
        const wa = w + <usize>t * sa, wb = wa + sa, wc = wb + sa, wd = wc + sa;
        const zt = z + <usize>t * sa;
        let i = ib;
        for (; i < ie && i < n4; i += 4) {
          const io = <usize>i << 3;
          const u0 = u + <usize>i * sa, u1 = u0 + sa, u2 = u1 + sa, u3 = u2 + sa;
          let j = j0;
          if (i >= j0) {
            // Columns i, i + 1, i + 2 (in this block: i + 3 < j1) take the rows of U that reach them.
            for (let s = 0; s < 4; s++) {
              const zs = zt + <usize>s * sa + io, wi = wa + <usize>s * sa + io;
              const z0 = load<f64>(zs), z1 = load<f64>(zs, 8), z2 = load<f64>(zs, 16);
              store<f64>(wi, load<f64>(wi) + z0 * load<f64>(u0 + io));
              store<f64>(wi, load<f64>(wi, 8) + z0 * load<f64>(u0 + io, 8) + z1 * load<f64>(u1 + io, 8), 8);
              store<f64>(wi, load<f64>(wi, 16) + z0 * load<f64>(u0 + io, 16) + z1 * load<f64>(u1 + io, 16) + z2 * load<f64>(u2 + io, 16), 16);
            }
            j = i + 3;
          }
          const za = zt + io, zb = za + sa, zc = zb + sa, zd = zc + sa;
          const a0 = f64x2.splat(load<f64>(za)), a1 = f64x2.splat(load<f64>(za, 8)), a2 = f64x2.splat(load<f64>(za, 16)), a3 = f64x2.splat(load<f64>(za, 24));
          const b0 = f64x2.splat(load<f64>(zb)), b1 = f64x2.splat(load<f64>(zb, 8)), b2 = f64x2.splat(load<f64>(zb, 16)), b3 = f64x2.splat(load<f64>(zb, 24));
          const c0 = f64x2.splat(load<f64>(zc)), c1 = f64x2.splat(load<f64>(zc, 8)), c2 = f64x2.splat(load<f64>(zc, 16)), c3 = f64x2.splat(load<f64>(zc, 24));
          const d0 = f64x2.splat(load<f64>(zd)), d1 = f64x2.splat(load<f64>(zd, 8)), d2 = f64x2.splat(load<f64>(zd, 16)), d3 = f64x2.splat(load<f64>(zd, 24));
          for (; j + 1 < j1; j += 2) {
            const o = <usize>j << 3;
            const v0 = ld(u0 + o), v1 = ld(u1 + o), v2 = ld(u2 + o), v3 = ld(u3 + o);
            v128.store(wa + o, fma(a3, v3, fma(a2, v2, fma(a1, v1, fma(a0, v0, ld(wa + o))))));
            v128.store(wb + o, fma(b3, v3, fma(b2, v2, fma(b1, v1, fma(b0, v0, ld(wb + o))))));
            v128.store(wc + o, fma(c3, v3, fma(c2, v2, fma(c1, v1, fma(c0, v0, ld(wc + o))))));
            v128.store(wd + o, fma(d3, v3, fma(d2, v2, fma(d1, v1, fma(d0, v0, ld(wd + o))))));
          }
          if (j < j1) {
            const o = <usize>j << 3;
            const x0 = load<f64>(u0 + o), x1 = load<f64>(u1 + o), x2 = load<f64>(u2 + o), x3 = load<f64>(u3 + o);
            for (let s = 0; s < 4; s++) {
              const zs = zt + <usize>s * sa + io, ws = wa + <usize>s * sa + o;
              store<f64>(ws, load<f64>(ws) + load<f64>(zs) * x0 + load<f64>(zs, 8) * x1 + load<f64>(zs, 16) * x2 + load<f64>(zs, 24) * x3);
            }
          }
        }
        for (; i < ie; i++) {
          const ui = u + <usize>i * sa;
          for (let s = 0; s < 4; s++) {
            const zi = load<f64>(zt + <usize>s * sa + (<usize>i << 3)), ws = wa + <usize>s * sa;
            for (let j = max(j0, i); j < j1; j++) { const o = <usize>j << 3; store<f64>(ws + o, load<f64>(ws + o) + zi * load<f64>(ui + o)); }
          }
        }
      }
    }
  }
}

/**
 * w[j] += Σ_{i ≤ j} z[i]·u[i][j] for j in [j0, j1): the upper-triangular product of a row with U,
 * rows of U four at a time (the columns i..i+3 take only the rows that reach them, then all four).
 */
@inline function combineRows(w: usize, u: usize, z: usize, n: i32, j0: i32, j1: i32): void {
  const sa = <usize>n << 3;
  let i = j0;
  for (; i + 3 < j1; i += 4) {
    const z0 = load<f64>(z + (<usize>i << 3)), z1 = load<f64>(z + (<usize>i << 3), 8), z2 = load<f64>(z + (<usize>i << 3), 16), z3 = load<f64>(z + (<usize>i << 3), 24);
    const u0 = u + <usize>i * sa, u1 = u0 + sa, u2 = u1 + sa, u3 = u2 + sa;
    const wi = w + (<usize>i << 3);
    store<f64>(wi, load<f64>(wi) + z0 * load<f64>(u0 + (<usize>i << 3)));
    store<f64>(wi, load<f64>(wi, 8) + z0 * load<f64>(u0 + (<usize>i << 3), 8) + z1 * load<f64>(u1 + (<usize>i << 3), 8), 8);
    store<f64>(wi, load<f64>(wi, 16) + z0 * load<f64>(u0 + (<usize>i << 3), 16) + z1 * load<f64>(u1 + (<usize>i << 3), 16) + z2 * load<f64>(u2 + (<usize>i << 3), 16), 16);
    axpy4(w, u0, u1, u2, u3, z0, z1, z2, z3, i + 3, j1);
  }
  for (; i < j1; i++) {
    const zi = load<f64>(z + (<usize>i << 3)), ui = u + <usize>i * sa;
    for (let j = i; j < j1; j++) { const o = <usize>j << 3; store<f64>(w + o, load<f64>(w + o) + zi * load<f64>(ui + o)); }
  }
}

/** w[j] += z0·u0[j] + z1·u1[j] + z2·u2[j] + z3·u3[j] for j in [j0, j1). */
@inline function axpy4(w: usize, u0: usize, u1: usize, u2: usize, u3: usize, z0: f64, z1: f64, z2: f64, z3: f64, j0: i32, j1: i32): void {
  const a0 = f64x2.splat(z0), a1 = f64x2.splat(z1), a2 = f64x2.splat(z2), a3 = f64x2.splat(z3);
  let j = j0;
  for (; j + 1 < j1; j += 2) {
    const o = <usize>j << 3;
    let v = ld(w + o);
    v = fma(a0, ld(u0 + o), v); v = fma(a1, ld(u1 + o), v); v = fma(a2, ld(u2 + o), v); v = fma(a3, ld(u3 + o), v);
    v128.store(w + o, v);
  }
  if (j < j1) {
    const o = <usize>j << 3;
    store<f64>(w + o, load<f64>(w + o) + z0 * load<f64>(u0 + o) + z1 * load<f64>(u1 + o) + z2 * load<f64>(u2 + o) + z3 * load<f64>(u3 + o));
  }
}

/**
 * SparseGPT's lazy update of the columns after a block, for every row: W[r][j] −= Σ_k err[r][k]·U[i1+k][j]
 * for j in [i2, n), k < width (zero errors skipped, four per pass over the row). err is rows × ldE.
 */
export function lazyUpdate(w: usize, u: usize, err: usize, rows: i32, n: i32, i1: i32, width: i32, ldE: i32): void {
  const sa = <usize>n << 3, i2 = i1 + width;
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * sa, er = err + <usize>r * (<usize>ldE << 3);
    let q = 0;
    let e0: f64 = 0, e1: f64 = 0, e2: f64 = 0;
    let k0 = 0, k1 = 0, k2 = 0;
    for (let k = 0; k < width; k++) {
      const e = load<f64>(er + (<usize>k << 3));
      if (e == 0) continue;
      if (q == 0) { e0 = e; k0 = k; q = 1; } else if (q == 1) { e1 = e; k1 = k; q = 2; } else if (q == 2) { e2 = e; k2 = k; q = 3; } else {
        const u0 = u + <usize>(i1 + k0) * sa, u1 = u + <usize>(i1 + k1) * sa, u2 = u + <usize>(i1 + k2) * sa, u3 = u + <usize>(i1 + k) * sa;
        axpy4(wr, u0, u1, u2, u3, -e0, -e1, -e2, -e, i2, n);
        q = 0;
      }
    }
    const z = u + <usize>i1 * sa; // any row: its coefficient is 0
    if (q == 1) axpy4(wr, u + <usize>(i1 + k0) * sa, z, z, z, -e0, 0, 0, 0, i2, n);
    else if (q == 2) axpy4(wr, u + <usize>(i1 + k0) * sa, u + <usize>(i1 + k1) * sa, z, z, -e0, -e1, 0, 0, i2, n);
    else if (q == 3) axpy4(wr, u + <usize>(i1 + k0) * sa, u + <usize>(i1 + k1) * sa, u + <usize>(i1 + k2) * sa, z, -e0, -e1, -e2, 0, i2, n);
  }
}

/**
 * Σ_r (w_r·H·w_rᵀ − 2·tScale·w_r·t_r) for W rows × n (f32, mostly zeros after pruning), the
 * symmetric n×n H and t rows × n: the held-out squared output error of the dampening's
 * cross-validation, up to a constant. m = H·w_r as a sum of H's rows over w_r's nonzeros. m is scratch of n.
 */
export function heldOutScore(w: usize, h: usize, t: usize, m: usize, rows: i32, n: i32, tScale: f64): f64 {
  const sa = <usize>n << 3;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const wr = w + (<usize>r * <usize>n << 2), tr = t + <usize>r * sa;
    memory.fill(m, 0, sa);
    let k = 0;
    let q = 0;
    let v0: f64 = 0, v1: f64 = 0, v2: f64 = 0;
    let k0 = 0, k1 = 0, k2 = 0;
    for (; k < n; k++) {
      const v = <f64>load<f32>(wr + (<usize>k << 2));
      if (v == 0) continue;
      if (q == 0) { v0 = v; k0 = k; q = 1; } else if (q == 1) { v1 = v; k1 = k; q = 2; } else if (q == 2) { v2 = v; k2 = k; q = 3; } else {
        axpy4(m, h + <usize>k0 * sa, h + <usize>k1 * sa, h + <usize>k2 * sa, h + <usize>k * sa, v0, v1, v2, v, 0, n);
        q = 0;
      }
    }
    if (q == 1) axpy4(m, h + <usize>k0 * sa, h, h, h, v0, 0, 0, 0, 0, n);
    else if (q == 2) axpy4(m, h + <usize>k0 * sa, h + <usize>k1 * sa, h, h, v0, v1, 0, 0, 0, n);
    else if (q == 3) axpy4(m, h + <usize>k0 * sa, h + <usize>k1 * sa, h + <usize>k2 * sa, h, v0, v1, v2, 0, 0, n);
    let want: f64 = 0;
    for (let j = 0; j < n; j++) {
      const v = <f64>load<f32>(wr + (<usize>j << 2));
      if (v == 0) continue;
      want += v * (load<f64>(m + (<usize>j << 3)) - 2 * tScale * load<f64>(tr + (<usize>j << 3)));
    }
    total += want;
  }
  return total;
}

/**
 * The OBS sweep over columns [c0, c1) of the block [i1, i2): for each column i and each row whose
 * weight there is pruned (mask u8 rows × n, 1 = prune), its error e = W[r][i]/U[i][i] is recorded in
 * err[r][i − i1] and spread over the block's later columns (W[r][j] −= e·U[i][j], j in (i, i2)),
 * and W[r][i] becomes 0. Kept weights are left as they are (their error is 0).
 */
export function sweepColumns(w: usize, u: usize, err: usize, mask: usize, rows: i32, n: i32, c0: i32, c1: i32, i1: i32, i2: i32, ldE: i32): void {
  const sa = <usize>n << 3;
  for (let i = c0; i < c1; i++) {
    const ui = u + <usize>i * sa, d = load<f64>(ui + (<usize>i << 3));
    for (let r = 0; r < rows; r++) {
      if (load<u8>(mask + <usize>r * <usize>n + <usize>i) == 0) continue;
      const wr = w + <usize>r * sa, at = wr + (<usize>i << 3);
      const e = load<f64>(at) / d;
      store<f64>(err + <usize>r * (<usize>ldE << 3) + (<usize>(i - i1) << 3), e);
      if (e == 0) continue;
      const es = f64x2.splat(-e);
      let j = i + 1;
      for (; j + 1 < i2; j += 2) { const o = <usize>j << 3; v128.store(wr + o, fma(es, ld(ui + o), ld(wr + o))); }
      if (j < i2) { const o = <usize>j << 3; store<f64>(wr + o, load<f64>(wr + o) - e * load<f64>(ui + o)); }
      store<f64>(at, 0);
    }
  }
}

/**
 * The channel-permutation search's pair evaluation (sparse/rearrange/permute-search.ts,
 * CellEvaluator.pairSplits, kept-rank path), the same arithmetic in the same order so results are
 * bit-identical to the TypeScript loop. For each of `rows` rows: the k2 = 2·cell ≤ 8 scores
 * x[i] = t[ub[i] + r] (t f64, ub i32 element offsets) and their ranks (ties: the earlier position
 * ranks first); split k's first cell holds the positions of bitmask masks[k] (i32), whose ranks form
 * rm; kept[rm] (i32) packs the w kept ranks, 3 bits each, whose scores, summed in that order, are
 * added to out[k] (f64). `scratch`: 8 f64 and 32 i32, 16-aligned.
 */
export function pairSplitsNm(t: usize, rows: i32, ub: usize, k2: i32, masks: usize, nsplit: i32, kept: usize, w: i32, out: usize, scratch: usize): void {
  const x = scratch, byRank = x + 64, lo = byRank + 64, hi = lo + 64;
  if (k2 == 8) {
    // Cells of 4 (2:4, 1:4, 3:4): the eight scores and ranks in locals; each pair compared once
    // (x[i] ≥ x[j], i < j, ranks j after i, else i after j), the rank sets built by nibble.
    const u0 = <usize>load<i32>(ub), u1 = <usize>load<i32>(ub, 4), u2 = <usize>load<i32>(ub, 8), u3 = <usize>load<i32>(ub, 12);
    const u4 = <usize>load<i32>(ub, 16), u5 = <usize>load<i32>(ub, 20), u6 = <usize>load<i32>(ub, 24), u7 = <usize>load<i32>(ub, 28);
    store<i32>(lo, 0); store<i32>(hi, 0);
    for (let r = 0; r < rows; r++) {
      const tr = t + (<usize>r << 3);
      const x0 = load<f64>(tr + (u0 << 3));
      const x1 = load<f64>(tr + (u1 << 3));
      const x2 = load<f64>(tr + (u2 << 3));
      const x3 = load<f64>(tr + (u3 << 3));
      const x4 = load<f64>(tr + (u4 << 3));
      const x5 = load<f64>(tr + (u5 << 3));
      const x6 = load<f64>(tr + (u6 << 3));
      const x7 = load<f64>(tr + (u7 << 3));
      let r0 = 0; let r1 = 0; let r2 = 0; let r3 = 0; let r4 = 0; let r5 = 0; let r6 = 0; let r7 = 0;
      { const c = i32(x0 >= x1); r1 += c; r0 += c ^ 1; }
      { const c = i32(x0 >= x2); r2 += c; r0 += c ^ 1; }
      { const c = i32(x0 >= x3); r3 += c; r0 += c ^ 1; }
      { const c = i32(x0 >= x4); r4 += c; r0 += c ^ 1; }
      { const c = i32(x0 >= x5); r5 += c; r0 += c ^ 1; }
      { const c = i32(x0 >= x6); r6 += c; r0 += c ^ 1; }
      { const c = i32(x0 >= x7); r7 += c; r0 += c ^ 1; }
      { const c = i32(x1 >= x2); r2 += c; r1 += c ^ 1; }
      { const c = i32(x1 >= x3); r3 += c; r1 += c ^ 1; }
      { const c = i32(x1 >= x4); r4 += c; r1 += c ^ 1; }
      { const c = i32(x1 >= x5); r5 += c; r1 += c ^ 1; }
      { const c = i32(x1 >= x6); r6 += c; r1 += c ^ 1; }
      { const c = i32(x1 >= x7); r7 += c; r1 += c ^ 1; }
      { const c = i32(x2 >= x3); r3 += c; r2 += c ^ 1; }
      { const c = i32(x2 >= x4); r4 += c; r2 += c ^ 1; }
      { const c = i32(x2 >= x5); r5 += c; r2 += c ^ 1; }
      { const c = i32(x2 >= x6); r6 += c; r2 += c ^ 1; }
      { const c = i32(x2 >= x7); r7 += c; r2 += c ^ 1; }
      { const c = i32(x3 >= x4); r4 += c; r3 += c ^ 1; }
      { const c = i32(x3 >= x5); r5 += c; r3 += c ^ 1; }
      { const c = i32(x3 >= x6); r6 += c; r3 += c ^ 1; }
      { const c = i32(x3 >= x7); r7 += c; r3 += c ^ 1; }
      { const c = i32(x4 >= x5); r5 += c; r4 += c ^ 1; }
      { const c = i32(x4 >= x6); r6 += c; r4 += c ^ 1; }
      { const c = i32(x4 >= x7); r7 += c; r4 += c ^ 1; }
      { const c = i32(x5 >= x6); r6 += c; r5 += c ^ 1; }
      { const c = i32(x5 >= x7); r7 += c; r5 += c ^ 1; }
      { const c = i32(x6 >= x7); r7 += c; r6 += c ^ 1; }
      store<f64>(byRank + (<usize>r0 << 3), x0);
      store<f64>(byRank + (<usize>r1 << 3), x1);
      store<f64>(byRank + (<usize>r2 << 3), x2);
      store<f64>(byRank + (<usize>r3 << 3), x3);
      store<f64>(byRank + (<usize>r4 << 3), x4);
      store<f64>(byRank + (<usize>r5 << 3), x5);
      store<f64>(byRank + (<usize>r6 << 3), x6);
      store<f64>(byRank + (<usize>r7 << 3), x7);
      { const b0 = (1 << r0), b1 = (1 << r1), b2 = (1 << r2), b3 = (1 << r3);
        const t = lo;
        store<i32>(t, b0, 4); store<i32>(t, b1, 8); store<i32>(t, b0 | b1, 12); store<i32>(t, b2, 16); store<i32>(t, b0 | b2, 20);
        store<i32>(t, b1 | b2, 24); store<i32>(t, b0 | b1 | b2, 28); store<i32>(t, b3, 32); store<i32>(t, b0 | b3, 36); store<i32>(t, b1 | b3, 40);
        store<i32>(t, b0 | b1 | b3, 44); store<i32>(t, b2 | b3, 48); store<i32>(t, b0 | b2 | b3, 52); store<i32>(t, b1 | b2 | b3, 56); store<i32>(t, b0 | b1 | b2 | b3, 60);
      }
      { const b0 = (1 << r4), b1 = (1 << r5), b2 = (1 << r6), b3 = (1 << r7);
        const t = hi;
        store<i32>(t, b0, 4); store<i32>(t, b1, 8); store<i32>(t, b0 | b1, 12); store<i32>(t, b2, 16); store<i32>(t, b0 | b2, 20);
        store<i32>(t, b1 | b2, 24); store<i32>(t, b0 | b1 | b2, 28); store<i32>(t, b3, 32); store<i32>(t, b0 | b3, 36); store<i32>(t, b1 | b3, 40);
        store<i32>(t, b0 | b1 | b3, 44); store<i32>(t, b2 | b3, 48); store<i32>(t, b0 | b2 | b3, 52); store<i32>(t, b1 | b2 | b3, 56); store<i32>(t, b0 | b1 | b2 | b3, 60);
      }
      for (let k = 0; k < nsplit; k++) {
        const pm = load<i32>(masks + (<usize>k << 2));
        const rm = load<i32>(lo + (<usize>(pm & 15) << 2)) | load<i32>(hi + (<usize>((pm >> 4) & 15) << 2));
        const packed = load<i32>(kept + (<usize>rm << 2));
        let sum: f64 = 0;
        if (w == 4) {
          sum += load<f64>(byRank + (<usize>(packed & 7) << 3));
          sum += load<f64>(byRank + (<usize>((packed >> 3) & 7) << 3));
          sum += load<f64>(byRank + (<usize>((packed >> 6) & 7) << 3));
          sum += load<f64>(byRank + (<usize>((packed >> 9) & 7) << 3));
        } else {
          for (let j = 0; j < w; j++) sum += load<f64>(byRank + (<usize>((packed >> (3 * j)) & 7) << 3));
        }
        const o = out + (<usize>k << 3);
        store<f64>(o, load<f64>(o) + sum);
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k2; i++) store<f64>(x + (<usize>i << 3), load<f64>(t + ((<usize>load<i32>(ub + (<usize>i << 2)) + <usize>r) << 3)));
    // Rank bits of positions 0..3 and 4..7, then the rank set of every nibble of positions.
    store<i32>(lo, 0); store<i32>(hi, 0);
    for (let i = 0; i < k2; i++) {
      const v = load<f64>(x + (<usize>i << 3));
      let c = 0;
      for (let j = 0; j < i; j++) c += i32(load<f64>(x + (<usize>j << 3)) >= v);
      for (let j = i + 1; j < k2; j++) c += i32(load<f64>(x + (<usize>j << 3)) > v);
      store<f64>(byRank + (<usize>c << 3), v);
      const bit = 1 << c, half = i < 4 ? lo : hi, b = 1 << (i & 3);
      for (let m = b; m < (b << 1); m++) store<i32>(half + (<usize>m << 2), load<i32>(half + (<usize>(m - b) << 2)) | bit);
    }
    for (let k = 0; k < nsplit; k++) {
      const pm = load<i32>(masks + (<usize>k << 2));
      const rm = load<i32>(lo + (<usize>(pm & 15) << 2)) | load<i32>(hi + (<usize>((pm >> 4) & 15) << 2));
      const packed = load<i32>(kept + (<usize>rm << 2));
      let sum: f64 = 0;
      for (let j = 0; j < w; j++) sum += load<f64>(byRank + (<usize>((packed >> (3 * j)) & 7) << 3));
      const o = out + (<usize>k << 3);
      store<f64>(o, load<f64>(o) + sum);
    }
  }
}

/**
 * Σ_r (w_r − p_r)·H·(w_r − p_r)ᵀ for W and P rows × n (f32; p = 0: P is zero) and the symmetric n×n H:
 * the permutation check's output error (sparse/rearrange/permute-objective.ts, outputError), the
 * same arithmetic in the same order so results are bit-identical to the TypeScript loop. Four rows
 * per pass over H, over the columns where any of them differs, H's upper triangle only: each row's
 * sum Σ_{b>a} H_ab·d_b in its own f64x2 lane (rows 0, 1 in one vector, 2, 3 in the other), then
 * d_a·(H_aa·d_a + 2·s) added for the four rows in order. `d` is scratch of 4·n f64 (column c's four
 * differences at d + 32·c), `idx` of n i32.
 */
export function outputError(w: usize, p: usize, rows: i32, n: i32, h: usize, d: usize, idx: usize): f64 {
  const sa = <usize>n << 3;
  let total: f64 = 0;
  for (let r0 = 0; r0 < rows; r0 += 4) {
    const rb = min(4, rows - r0);
    memory.fill(d, 0, <usize>n << 5);
    for (let t = 0; t < rb; t++) {
      const wr = w + (<usize>(r0 + t) * <usize>n << 2), pr = p + (<usize>(r0 + t) * <usize>n << 2);
      for (let c = 0; c < n; c++) {
        const o = <usize>c << 2;
        const v = <f64>load<f32>(wr + o) - (p == 0 ? 0 : <f64>load<f32>(pr + o));
        store<f64>(d + (<usize>c << 5) + (<usize>t << 3), v);
      }
    }
    let k = 0;
    for (let c = 0; c < n; c++) {
      const q = d + (<usize>c << 5);
      if (load<f64>(q) != 0 || load<f64>(q, 8) != 0 || load<f64>(q, 16) != 0 || load<f64>(q, 24) != 0) { store<i32>(idx + (<usize>k << 2), c); k++; }
    }
    for (let a = 0; a < k; a++) {
      const ca = load<i32>(idx + (<usize>a << 2)), ha = h + <usize>ca * sa;
      let s01 = f64x2.splat(0), s23 = s01;
      for (let b = a + 1; b < k; b++) {
        const cb = load<i32>(idx + (<usize>b << 2)), hv = f64x2.splat(load<f64>(ha + (<usize>cb << 3))), q = d + (<usize>cb << 5);
        s01 = fma(hv, ld(q), s01);
        s23 = fma(hv, ld(q + 16), s23);
      }
      const hd = load<f64>(ha + (<usize>ca << 3)), q = d + (<usize>ca << 5);
      const x0 = load<f64>(q), x1 = load<f64>(q, 8), x2 = load<f64>(q, 16), x3 = load<f64>(q, 24);
      total += x0 * (hd * x0 + 2 * f64x2.extract_lane(s01, 0)) + x1 * (hd * x1 + 2 * f64x2.extract_lane(s01, 1))
        + x2 * (hd * x2 + 2 * f64x2.extract_lane(s23, 0)) + x3 * (hd * x3 + 2 * f64x2.extract_lane(s23, 1));
    }
  }
  return total;
}
