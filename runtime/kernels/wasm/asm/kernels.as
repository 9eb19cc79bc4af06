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
// spmm24x1: the same product with W in CSR (XNNPACK's MR×1 SpMM), 24 pixels per block; its
// staged layout and convCsrIm2col (k×k convs through im2col tiles) are drawn in sparse.as.

export * from './dense';
export * from './convpadded';
export * from './sparse';
export * from './nm';
export * from './gemvnm';
export * from './rowblock';
export * from './pool';
export * from './eltwise';
export * from './activation';
export * from './rownorm';
export * from './panel';
export * from './binary';
export * from './globalpool';
export * from './int8';
export * from './int8grouped';
