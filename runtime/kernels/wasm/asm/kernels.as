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

export * from './dense';
export * from './sparse';
export * from './pool';
export * from './eltwise';
