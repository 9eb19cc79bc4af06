// The one place that says which WebAssembly module each kernel source (runtime/kernels/wasm/asm/
// *.as) is compiled into. scripts/build-wasm.mjs builds one module per family, so an app embeds
// only the families its kernels import (runtime/kernels/wasm/modules/<family>.wasm.ts).
//
// Adding an asm file: list it under the family of the kernels that call it (or a new family: one
// line here, then `npm run build:wasm` writes modules/<family>.wasm.ts for the kernel files to
// import). A family is what apps use together: a family too small costs a module header and a
// separate gzip stream, one too large ships kernels an app never runs.

/** Family → its asm files (names without `.as`). common.as is compiled into every module that imports it. */
export const WASM_FAMILIES = {
  /** Dense Conv/Gemm/MatMul (gemm4x8, im2col, the padded and Winograd stems, gemv1, packed panels): nearly every model. */
  dense: ['dense', 'convpadded', 'winograd', 'panel'],
  /** Depthwise Conv (direct, flat, channel-blocked and padded-plane 3×3, any window up to 7×7): the mobile CNNs only. */
  depthwise: ['dwconv', 'dwplane'],
  /** CSR (unstructured) sparse products, spmm24x1 and the phased convolutions. */
  csr: ['sparse'],
  /** N:M sparse products, the row-stationary spmmNm and the gemv classifier kernel. */
  nm: ['nm', 'gemvnm'],
  /** Row-block (bsr) sparse products and the transpose they stage through. */
  rowblock: ['rowblock'],
  /** A CNN's glue: Add, Relu and Clip (clampF32), MaxPool, GlobalAveragePool. */
  eltwise: ['eltwise', 'pool', 'globalpool'],
  /** Activations beyond Relu/Clip (sigmoid, tanh, hard-swish, Gelu), broadcasting binary ops, Softmax and LayerNorm. */
  activation: ['activation', 'binary', 'rownorm'],
  /** QLinearConv (grouped and depthwise too, and on an N:M weight), ConvInteger, QLinearMatMul, MatMulInteger, Quantize/DequantizeLinear. */
  int8: ['int8', 'int8grouped', 'int8nm', 'int8gemv'],
};

/** Sources that belong to no family: helpers compiled into the modules that import them. */
export const SHARED_SOURCES = ['common', 'int8common'];

/**
 * Checks `sources` (every `*.as` name in the asm folder, without extension) against the table:
 * returns the problems, each naming the file, so that a file added without a family (or a family
 * naming a missing file) fails the build instead of silently shipping no kernels.
 */
export function familyProblems(sources) {
  const problems = [];
  const owner = new Map();
  for (const [family, files] of Object.entries(WASM_FAMILIES)) {
    for (const f of files) {
      if (owner.has(f)) problems.push(`asm/${f}.as is listed in two families, ${owner.get(f)} and ${family}`);
      owner.set(f, family);
      if (!sources.includes(f)) problems.push(`family ${family} lists asm/${f}.as, which does not exist`);
    }
  }
  for (const s of sources) {
    if (!owner.has(s) && !SHARED_SOURCES.includes(s)) {
      problems.push(`asm/${s}.as has no family: add it to WASM_FAMILIES in scripts/wasm-families.mjs`);
    }
  }
  return problems;
}
