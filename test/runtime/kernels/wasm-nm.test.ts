// The standard N:M wasmsimd Conv kernel (f32-convnm-24x1-wasmsimd: per-row masks, one broadcast
// weight × 24 pixels, asm/nm.as), run in WebAssembly memory against the dense ref Conv kernel on
// the same weights pruned with maskNm (magnitude, per row, as ASP does) and packed with packNm:
// every pruned conv shape of resnet10_w32 and mobilenet_v2_w050, and odd shapes (pixel counts
// around the 24/16/8/4 blocks, K below and across the 128-column reduction chunks, 1:4, 4:8, 1:2,
// groups keeping fewer than n, strides, pads, dilation, 1-D, batch 2). Not bit-exact (the ref
// sums in float64, the kernel in float32 in the same order): |wasm − ref| ≤ 1e-5 · Σ|w·x| + 1e-6,
// Σ|w·x| from the same ref on |W|, |X|, |B|. run() must not allocate; a second run agrees.
// The Gemm sibling (f32-gemmnm-24x1-wasmsimd) the same way against the dense ref Gemm: M around
// the blocks, transA/transB, C as bias, full and scalar, alpha/beta, K in chunks, 1:4 and 4:8.
// End to end: resnet10_w32 and squeezenet1_1 compiled with `pattern: '2:4'` (default options)
// run every pruned conv on it, and the wasm outputs match the js fallback's.

import { strict as assert } from 'node:assert';
import { assertModulesAgree, assertWeightRefusals, corruptIndices, epilogueAttrs, packedView, plain, prepareInWasm, rng, withoutAllocation } from './wasm-harness.js';
import type { Attrs, Kernel } from '../../../runtime/kernels/kernel.js';
import { ALL_KERNELS } from '../../../runtime/kernels/index.js';
import { relaxedSimdAvailable, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import { nodeShapesOf } from '../../../runtime/kernels/wasm/common.js';
import { nmChunkSlots } from '../../../runtime/kernels/wasm/nm-stage.js';
import { sizeOf } from '../../../runtime/tensor.js';
import { maskNm } from '../../../compiler/sparse/prune/masks.js';
import { packCsr, packNm } from '../../../compiler/sparse/pack/pack.js';
import { fromWeightMatrix, toWeightMatrix } from '../../../runtime/sparse/layout.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { loadModel } from '../../../runtime/index.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import type { TypedArray } from '../../../runtime/tensor.js';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { assertClose } from '../../helpers/compare.js';
import { readNpy } from '../../helpers/files.js';

interface ConvCase {
  readonly name: string;
  readonly n?: number; readonly c: number; readonly o: number; readonly h: number; readonly w: number;
  readonly k: [number, number]; readonly s?: [number, number]; readonly p?: [number, number, number, number]; readonly d?: [number, number];
  readonly nm?: [number, number]; readonly bias?: boolean; readonly oneD?: boolean;
  /** Every `sparseGroups`-th group of each row keeps one weight fewer (a zero-padded slot). */
  readonly sparseGroups?: number;
}

/** resnet10_w32's pruned 3×3 and strided 1×1 convs, mobilenet_v2_w050's pruned 1×1 convs (2:4). */
const CORPUS: readonly ConvCase[] = [
  ...([[192, 32, 14], [32, 192, 14], [48, 192, 14], [288, 48, 14], [48, 288, 14], [80, 288, 7], [480, 80, 7], [80, 480, 7], [160, 480, 7], [1280, 160, 7]] as const)
    .map(([o, c, h]): ConvCase => ({ name: `mobilenet 1×1 ${o}×${c}, ${h}×${h}`, c, o, h, w: h, k: [1, 1], bias: true })),
  ...([[32, 32, 56, 1], [64, 32, 56, 2], [64, 64, 28, 1], [128, 64, 28, 2], [128, 128, 14, 1], [256, 128, 14, 2], [256, 256, 7, 1]] as const)
    .map(([o, c, h, s]): ConvCase => ({ name: `resnet10 3×3 ${o}×${c} s${s}, ${h}×${h} in`, c, o, h, w: h, k: [3, 3], s: [s, s], p: [1, 1, 1, 1], bias: true })),
  { name: 'resnet10 1×1 s2 128×64, 28×28 in', c: 64, o: 128, h: 28, w: 28, k: [1, 1], s: [2, 2], bias: true },
  { name: 'resnet10 1×1 s2 256×128, 14×14 in', c: 128, o: 256, h: 14, w: 14, k: [1, 1], s: [2, 2], bias: true },
];

const ODD: readonly ConvCase[] = [
  // pixel counts around the blocks (24, the last 25–28 as one 28-pixel block, then 16/8/4/1 or one overlapping block), K = 8 and 12
  ...[1, 3, 4, 5, 7, 8, 9, 17, 23, 24, 25, 47, 49, 61, 28, 52, 76].map((px, i): ConvCase => ({ name: `1×1 P=${px}`, c: i % 2 ? 12 : 8, o: 1 + (i % 5), h: 1, w: px, k: [1, 1], bias: i % 3 !== 0 })),
  // K across reduction chunks: 1040 columns = 9 chunks of 116 columns (2:4: 8 × 58 slots + 56)
  { name: '1×1 K=1040 (9 chunks) P=49', c: 1040, o: 5, h: 7, w: 7, k: [1, 1], bias: true },
  { name: '1×1 K=1040 (9 chunks) P=1', c: 1040, o: 3, h: 1, w: 1, k: [1, 1], bias: true },
  { name: '1×1 K=768 (6 chunks of 128 columns) P=30', c: 768, o: 4, h: 5, w: 6, k: [1, 1] },
  { name: '1×1 K=340 (one chunk, the largest unchunked) P=26', c: 340, o: 3, h: 2, w: 13, k: [1, 1], bias: true },
  { name: '3×3 p1 K=1152 (chunks) 5×5, P virtual 33 → 36', c: 128, o: 6, h: 5, w: 5, k: [3, 3], p: [1, 1, 1, 1], bias: true },
  { name: '3×3 s2 p1 K=576 9×9', c: 64, o: 5, h: 9, w: 9, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], bias: true },
  // other N:M
  { name: '1:4 1×1 P=50', c: 16, o: 7, h: 5, w: 10, k: [1, 1], nm: [1, 4], bias: true },
  { name: '1:4 3×3 p1, S = 9 per row (odd)', c: 4, o: 3, h: 6, w: 7, k: [3, 3], p: [1, 1, 1, 1], nm: [1, 4] },
  { name: '4:8 3×3 p1', c: 16, o: 9, h: 8, w: 8, k: [3, 3], p: [1, 1, 1, 1], nm: [4, 8], bias: true },
  { name: '4:8 1×1 K=1024 (8 chunks of 128 columns)', c: 1024, o: 2, h: 4, w: 7, k: [1, 1], nm: [4, 8] },
  { name: '1:2 1×1', c: 10, o: 4, h: 3, w: 9, k: [1, 1], nm: [1, 2], bias: true },
  { name: '2:4 with every third group keeping one (zero slots)', c: 32, o: 5, h: 6, w: 6, k: [3, 3], p: [1, 1, 1, 1], sparseGroups: 3, bias: true },
  // windows, strides, pads
  { name: '3×3 dilation 2', c: 8, o: 4, h: 9, w: 10, k: [3, 3], d: [2, 2], bias: true },
  { name: '7×7 s2 p3', c: 8, o: 5, h: 15, w: 14, k: [7, 7], s: [2, 2], p: [3, 3, 3, 3], bias: true },
  { name: '4×4 s3 asymmetric pads', c: 8, o: 3, h: 13, w: 14, k: [4, 4], s: [3, 3], p: [1, 0, 0, 1] },
  { name: '5×3 s1,2 asymmetric pads', c: 8, o: 4, h: 6, w: 9, k: [5, 3], s: [1, 2], p: [0, 1, 2, 3], bias: true },
  { name: 'batch 2, 3×3 s2,1', n: 2, c: 8, o: 5, h: 4, w: 9, k: [3, 3], s: [2, 1], p: [1, 1, 1, 1], bias: true },
  { name: 'batch 2, 1×1', n: 2, c: 8, o: 3, h: 5, w: 7, k: [1, 1], bias: true },
  { name: '1-D k3 s2 p1', c: 8, o: 5, h: 1, w: 29, k: [1, 3], s: [1, 2], p: [0, 1, 0, 1], bias: true, oneD: true },
  { name: '1-D 1×1', c: 8, o: 2, h: 1, w: 31, k: [1, 1], oneD: true },
];

interface Built { readonly inputs: (readonly number[] | undefined)[]; readonly output: number[]; readonly attrs: Attrs }

function build(c: ConvCase): Built {
  const [kh, kw] = c.k, [sh, sw] = c.s ?? [1, 1], [pt, pl, pb, pr] = c.p ?? [0, 0, 0, 0], [dh, dw] = c.d ?? [1, 1];
  const oh = Math.floor((c.h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1, ow = Math.floor((c.w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  const n = c.n ?? 1, b = c.bias ? [c.o] : undefined;
  return c.oneD
    ? { inputs: [[n, c.c, c.w], [c.o, c.c, kw], b], output: [n, c.o, ow], attrs: { strides: [sw], pads: [pl, pr], dilations: [dw], kernel_shape: [kw] } }
    : { inputs: [[n, c.c, c.h, c.w], [c.o, c.c, kh, kw], b], output: [n, c.o, oh, ow], attrs: { strides: [sh, sw], pads: [pt, pl, pb, pr], dilations: [dh, dw], kernel_shape: [kh, kw] } };
}

const simd = wasmSimdAvailable();
// Under --experimental-wasm-relaxed-simd (wasm-relaxed.test.ts runs this file so): each case also
// on the SIMD128 module, within assertModulesAgree's bound of the relaxed one.
const relaxed = relaxedSimdAvailable();
const NM = ALL_KERNELS.filter((k) => k.id.startsWith('f32-convnm') && k.tile === '24x1' && k.target === 'wasmsimd');
const refOf = (k: Kernel): Kernel => ALL_KERNELS.find((r) => r.target === 'ref' && r.op === 'Conv' && r.epilogue === k.epilogue && (r.format ?? 'dense') === 'dense')!;

/** Runs case `c` on kernel k and on the dense ref; fails naming the case, output index, channel and pixel. */
async function check(k: Kernel, c: ConvCase, seed: number): Promise<void> {
  const { inputs, output, attrs: a } = build(c);
  const attrs = { ...a, ...epilogueAttrs(k) };
  const next = rng(seed);
  const data = inputs.map((s) => s && Float32Array.from({ length: sizeOf(s) }, next));
  const wShape = inputs[1]!, rows = wShape[0]!, cols = sizeOf(wShape) / rows;
  const [nk, mk] = c.nm ?? [2, 4];
  const mat = maskNm(toWeightMatrix('Conv', wShape, false, data[1]!), rows, cols, nk, mk);
  if (c.sparseGroups) {
    for (let r = 0; r < rows; r++) {
      for (let g = r % c.sparseGroups; g < cols / mk; g += c.sparseGroups) {
        const k0 = mat.subarray(r * cols + g * mk, r * cols + (g + 1) * mk).findIndex((v) => v !== 0);
        mat[r * cols + g * mk + k0] = 0;
      }
    }
  }
  data[1] = fromWeightMatrix('Conv', wShape, false, mat) as Float32Array<ArrayBuffer>;
  const packed = packNm(rows, cols, mat, nk, mk);
  const weight = packedView(wShape, packed);

  const ref = refOf(k);
  const want = new Float32Array(sizeOf(output));
  ref.prepare({ node: 'ref', inputs: inputs.map((s, i) => s && plain(s, data[i]!)), outputs: [plain(output, want)], attrs })();
  const scale = new Float32Array(sizeOf(output)); // Σ|w·x| + |b|, the dense ref on absolute values, no epilogue
  refOf({ ...k, epilogue: '' } as Kernel).prepare({ node: 'abs', inputs: inputs.map((s, i) => s && plain(s, data[i]!.map(Math.abs))), outputs: [plain(output, scale)], attrs: a })();

  const shapes = nodeShapesOf({ node: 'probe', inputs: inputs.map((s, i) => s && (i === 1 ? weight : plain(s, data[i]!))), outputs: [plain(output, want)], attrs });
  assert.ok(k.supports!(shapes), `${k.id} should support '${c.name}'`);
  const views = inputs.map((s, i) => s && (i === 1 ? weight : plain(s, data[i]!)));
  const prepareOn = (relaxedSimd: boolean) => prepareInWasm(k, shapes, views, output, attrs, relaxedSimd);
  const { run, got } = await prepareOn(true);
  const P = sizeOf(output.slice(2));
  for (const pass of ['first run', 'second run']) {
    if (pass === 'first run') withoutAllocation(run); else run();
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i]! - want[i]!) <= 1e-5 * scale[i]! + 1e-6)) {
        assert.fail(`${k.id}, '${c.name}' (${nk}:${mk}), ${pass}: output[${i}] = ${got[i]}, ref ${want[i]} (Σ|w·x| ${scale[i]}); channel ${Math.floor(i / P) % output[1]!}, pixel ${i % P} (24-pixel block ${Math.floor((i % P) / 24)})`);
      }
    }
  }
  if (relaxed) {
    const simd128 = await prepareOn(false);
    simd128.run();
    assertModulesAgree(k, `${c.name} (${nk}:${mk})`, got, simd128.got, { K: cols, absolute: scale });
  }
}

describe('standard N:M wasmsimd Conv kernel (convnm 24x1) vs the dense ref kernel, in WebAssembly memory', function () {
  this.timeout(300_000);
  it('is registered for every epilogue, format nm, no row block', () => {
    assert.deepEqual(NM.map((k) => k.id).sort(), ['f32-convnm-24x1-wasmsimd', 'f32-convnm-clip-24x1-wasmsimd', 'f32-convnm-relu-24x1-wasmsimd']);
    for (const k of NM) assert.ok(k.format === 'nm' && k.rowBlock === undefined && k.op === 'Conv', k.id);
  });
  for (const k of NM) {
    // every case with no epilogue; relu and clip on the corpus shapes and every fourth odd one
    const cases = k.epilogue === '' ? [...CORPUS, ...ODD] : [...CORPUS, ...ODD.filter((_, i) => i % 4 === 0)];
    it(`${k.id} matches ${refOf(k).id} on ${cases.length} cases (corpus layers, odd sizes, 1:4, 4:8, 1:2)${relaxed ? ' (relaxed SIMD), and the SIMD128 module within the madd bound' : ''}`, async function () {
      if (!simd) this.skip();
      for (const [i, c] of cases.entries()) await check(k, c, 9100 + i);
    });
  }
  it('the K = 1040 cases run 9 reduction chunks (2:4: 520 slots per row, chunks of nmChunkSlots)', () => {
    const p24 = packNm(1, 1040, new Float32Array(1040).map((_, i) => (i % 4 < 2 ? 1 : 0)), 2, 4);
    assert.equal(nmChunkSlots(p24), 58);
    assert.equal(Math.ceil(520 / nmChunkSlots(p24)), 9);
    assert.equal(nmChunkSlots(packNm(1, 340, new Float32Array(340), 2, 4)), 170, '340 columns (24-pixel rows fit L1): one chunk');
    assert.equal(nmChunkSlots(packNm(1, 576, new Float32Array(576), 2, 4)), 58, '576 columns: chunks of 116');
    assert.equal(nmChunkSlots(packNm(1, 768, new Float32Array(768), 2, 4)), 64, '768 columns: 6 chunks of 128');
  });
});

interface GemmCase { readonly m: number; readonly k: number; readonly n: number; readonly transA?: boolean; readonly transB?: boolean; readonly c?: 'bias' | 'full' | 'scalar'; readonly alphaBeta?: boolean; readonly nm?: [number, number] }

const GEMM: readonly GemmCase[] = [
  ...[1, 3, 4, 5, 17, 23, 24, 25, 49, 64].map((m, i): GemmCase => ({ m, k: 8 + 4 * (i % 3), n: 1 + (i % 6), transB: i % 2 === 0, transA: i % 4 === 1, c: i % 3 === 0 ? 'bias' : undefined })),
  { m: 25, k: 1040, n: 7, transB: true, c: 'bias' }, // 9 reduction chunks, 25 rows: 24-block then a 1-row tail
  { m: 1, k: 1040, n: 5, c: 'bias' },
  { m: 30, k: 64, n: 9, transB: true, c: 'full', alphaBeta: true },
  { m: 6, k: 16, n: 4, c: 'scalar' },
  { m: 33, k: 32, n: 6, transB: true, nm: [1, 4], c: 'bias' },
  { m: 9, k: 64, n: 5, nm: [4, 8] },
];

/** A Gemm case on kernel k against the dense ref Gemm, same bound as the convs. */
async function checkGemm(k: Kernel, g: GemmCase, seed: number): Promise<void> {
  const next = rng(seed);
  const aShape = g.transA ? [g.k, g.m] : [g.m, g.k], bShape = g.transB ? [g.n, g.k] : [g.k, g.n];
  const cShape = g.c === 'bias' ? [g.n] : g.c === 'full' ? [g.m, g.n] : g.c === 'scalar' ? [1] : undefined;
  const shapes = [aShape, bShape, cShape];
  const data = shapes.map((s) => s && Float32Array.from({ length: sizeOf(s) }, next));
  const [nk, mk] = g.nm ?? [2, 4];
  const mat = maskNm(toWeightMatrix('Gemm', bShape, !!g.transB, data[1]!), g.n, g.k, nk, mk);
  data[1] = fromWeightMatrix('Gemm', bShape, !!g.transB, mat) as Float32Array<ArrayBuffer>;
  const weight = packedView(bShape, packNm(g.n, g.k, mat, nk, mk));
  const a = { transA: g.transA ? 1 : 0, transB: g.transB ? 1 : 0, ...(g.alphaBeta ? { alpha: 0.5, beta: 2 } : {}) };
  const attrs = { ...a, ...epilogueAttrs(k) };
  const ref = ALL_KERNELS.find((r) => r.target === 'ref' && r.op === 'Gemm' && r.epilogue === k.epilogue && (r.format ?? 'dense') === 'dense')!;
  const absRef = ALL_KERNELS.find((r) => r.target === 'ref' && r.op === 'Gemm' && r.epilogue === '' && (r.format ?? 'dense') === 'dense')!;
  const want = new Float32Array(g.m * g.n), scale = new Float32Array(g.m * g.n);
  ref.prepare({ node: 'ref', inputs: shapes.map((s, i) => s && plain(s, data[i]!)), outputs: [plain([g.m, g.n], want)], attrs })();
  absRef.prepare({ node: 'abs', inputs: shapes.map((s, i) => s && plain(s, data[i]!.map(Math.abs))), outputs: [plain([g.m, g.n], scale)], attrs: { ...a, alpha: Math.abs(g.alphaBeta ? 0.5 : 1), beta: 2 } })();
  const probe = nodeShapesOf({ node: 'probe', inputs: shapes.map((s, i) => s && (i === 1 ? weight : plain(s, data[i]!))), outputs: [plain([g.m, g.n], want)], attrs });
  const name = `gemm M=${g.m} K=${g.k} N=${g.n} transA=${g.transA ? 1 : 0} transB=${g.transB ? 1 : 0} C=${g.c ?? 'none'}${g.alphaBeta ? ' alpha 0.5 beta 2' : ''} ${nk}:${mk}`;
  assert.ok(k.supports!(probe), `${k.id} should support ${name}`);
  const views = shapes.map((s, i) => s && (i === 1 ? weight : plain(s, data[i]!)));
  const prepareOn = (relaxedSimd: boolean) => prepareInWasm(k, probe, views, [g.m, g.n], attrs, relaxedSimd);
  const { run, got } = await prepareOn(true);
  withoutAllocation(run);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= 1e-5 * scale[i]! + 1e-6)) assert.fail(`${k.id}, ${name}: output[${i}] (row ${Math.floor(i / g.n)}, column ${i % g.n}) = ${got[i]}, ref ${want[i]}`);
  }
  if (relaxed) {
    const simd128 = await prepareOn(false);
    simd128.run();
    assertModulesAgree(k, name, got, simd128.got, { K: g.k, absolute: scale });
  }
}

describe('standard N:M wasmsimd Gemm kernel (gemmnm 24x1) vs the dense ref kernel, in WebAssembly memory', function () {
  this.timeout(300_000);
  const GEMM_NM = ALL_KERNELS.filter((k) => k.op === 'Gemm' && k.format === 'nm' && k.tile === '24x1' && k.target === 'wasmsimd');
  it('is registered for every epilogue', () => {
    assert.deepEqual(GEMM_NM.map((k) => k.id).sort(), ['f32-gemmnm-24x1-wasmsimd', 'f32-gemmnm-clip-24x1-wasmsimd', 'f32-gemmnm-relu-24x1-wasmsimd']);
  });
  for (const k of GEMM_NM) {
    const cases = k.epilogue === '' ? GEMM : GEMM.filter((_, i) => i % 3 === 0);
    it(`${k.id} matches the dense ref Gemm on ${cases.length} cases (M around the blocks, transA/transB, C, alpha/beta, K in chunks, 1:4, 4:8)${relaxed ? ' (relaxed SIMD), and the SIMD128 module within the madd bound' : ''}`, async function () {
      if (!simd) this.skip();
      for (const [i, g] of cases.entries()) await checkGemm(k, g, 9500 + i);
    });
  }
});

// The gemv sibling (f32-gemmnm-1x4-wasmsimd, M = 1 only, m | 4, and its MatMul twin): the classifier heads of the
// corpus (mobilenet_v2_w050 1280→1000, resnet10_w32 512→1000), N around the 4-row blocks, K = 4·odd
// and an odd number of quads, transA/transB, every C form (none, bias [N] in the kernel, [1, N],
// scalar [1], alpha/beta in the output pass), 1:4, 3:4, 1:2; 4:8 and M > 1 are refused.
const GEMV: readonly GemmCase[] = [
  { m: 1, k: 1280, n: 1000, transB: true, c: 'bias' },
  { m: 1, k: 512, n: 1000, transB: true, c: 'bias' },
  ...[1, 2, 3, 4, 5, 7, 9, 13].map((n, i): GemmCase => ({ m: 1, k: [4, 12, 36, 20][i % 4]!, n, transB: i % 2 === 0, transA: i % 3 === 1, c: (['bias', undefined, 'full', 'scalar'] as const)[i % 4] })),
  { m: 1, k: 1284, n: 77, transB: true, c: 'full', alphaBeta: true },
  { m: 1, k: 96, n: 6, c: 'bias', alphaBeta: true },
  { m: 1, k: 44, n: 11, transB: true, nm: [1, 4], c: 'bias' },
  { m: 1, k: 40, n: 10, nm: [3, 4], c: 'bias' },
  { m: 1, k: 28, n: 5, transB: true, nm: [1, 2] },
  { m: 1, k: 16, n: 9, transA: true, transB: true, nm: [1, 2], c: 'bias' },
];

describe('standard N:M wasmsimd gemv kernel (gemmnm 1x4, M = 1) vs the dense ref kernel, in WebAssembly memory', function () {
  this.timeout(300_000);
  const GEMV_NM = ALL_KERNELS.filter((k) => k.op === 'Gemm' && k.format === 'nm' && k.tile === '1x4' && k.target === 'wasmsimd');
  it('is registered for every epilogue', () => {
    assert.deepEqual(GEMV_NM.map((k) => k.id).sort(), ['f32-gemmnm-1x4-wasmsimd', 'f32-gemmnm-clip-1x4-wasmsimd', 'f32-gemmnm-relu-1x4-wasmsimd']);
  });
  for (const k of GEMV_NM) {
    const cases = k.epilogue === '' ? GEMV : GEMV.filter((_, i) => i % 3 === 0);
    it(`${k.id} matches the dense ref Gemm on ${cases.length} cases (classifier heads, N around 4-row blocks, K = 4·odd, transA/transB, C forms, alpha/beta, 1:4, 3:4, 1:2)${relaxed ? ' (relaxed SIMD), and the SIMD128 module within the madd bound' : ''}`, async function () {
      if (!simd) this.skip();
      for (const [i, g] of cases.entries()) await checkGemm(k, g, 9700 + i);
    });
  }
  it('supports() only M = 1, an nm weight with m dividing 4 and K a multiple of 4', () => {
    const k = GEMV_NM[0]!;
    const probe = (m: number, kk: number, n: number, nm: [number, number] | undefined) => ({
      inputs: [{ dtype: 'float32', shape: [m, kk] }, { dtype: 'float32', shape: [n, kk], ...(nm ? { packed: packNm(n, kk, maskNm(new Float32Array(n * kk).fill(1), n, kk, nm[0], nm[1]), nm[0], nm[1]) } : {}) }],
      outputs: [{ dtype: 'float32', shape: [m, n] }], attrs: { transB: 1 },
    });
    assert.equal(k.supports!(probe(1, 16, 5, [2, 4])), true);
    assert.equal(k.supports!(probe(2, 16, 5, [2, 4])), false, 'two output rows');
    assert.equal(k.supports!(probe(1, 16, 5, [4, 8])), false, '4:8: groups span two quads');
    assert.equal(k.supports!(probe(1, 6, 5, [1, 2])), false, 'K not a multiple of 4');
    assert.equal(k.supports!(probe(1, 16, 5, undefined)), false, 'dense weight');
  });
});

interface MatMulCase { readonly a: number[]; readonly n: number; readonly nm?: [number, number] }

/** A MatMul of A (any rows) by an N:M B [K, N] on kernel k against the dense ref MatMul, same bound. */
async function checkMatMul(k: Kernel, g: MatMulCase, seed: number): Promise<void> {
  const next = rng(seed);
  const K = g.a[g.a.length - 1]!, bShape = [K, g.n], yShape = [...g.a.slice(0, -1), g.n];
  const shapes = [g.a, bShape];
  const data = shapes.map((s) => Float32Array.from({ length: sizeOf(s) }, next));
  const [nk, mk] = g.nm ?? [2, 4];
  const mat = maskNm(toWeightMatrix('MatMul', bShape, false, data[1]!), g.n, K, nk, mk);
  data[1] = fromWeightMatrix('MatMul', bShape, false, mat) as Float32Array<ArrayBuffer>;
  const weight = packedView(bShape, packNm(g.n, K, mat, nk, mk));
  const attrs = epilogueAttrs(k);
  const refOf = (e: string): Kernel => ALL_KERNELS.find((r) => r.target === 'ref' && r.op === 'MatMul' && r.epilogue === e && (r.format ?? 'dense') === 'dense')!;
  const want = new Float32Array(sizeOf(yShape)), scale = new Float32Array(sizeOf(yShape));
  refOf(k.epilogue).prepare({ node: 'ref', inputs: shapes.map((s, i) => plain(s, data[i]!)), outputs: [plain(yShape, want)], attrs })();
  refOf('').prepare({ node: 'abs', inputs: shapes.map((s, i) => plain(s, data[i]!.map(Math.abs))), outputs: [plain(yShape, scale)], attrs: {} })();
  const probe = nodeShapesOf({ node: 'probe', inputs: [plain(g.a, data[0]!), weight], outputs: [plain(yShape, want)], attrs });
  const name = `matmul A [${g.a.join(',')}] N=${g.n} ${nk}:${mk}`;
  assert.ok(k.supports!(probe), `${k.id} should support ${name}`);
  const prepareOn = (relaxedSimd: boolean) => prepareInWasm(k, probe, [plain(g.a, data[0]!), weight], yShape, attrs, relaxedSimd);
  const { run, got } = await prepareOn(true);
  withoutAllocation(run);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= 1e-5 * scale[i]! + 1e-6)) {
      assert.fail(`${k.id}, ${name}: output[${i}] (row ${Math.floor(i / g.n)}, row tile ${Math.floor(i / g.n / 8)}; column ${i % g.n}, block ${Math.floor((i % g.n) / 4)}) = ${got[i]}, ref ${want[i]}`);
    }
  }
  if (relaxed) {
    const simd128 = await prepareOn(false);
    simd128.run();
    assertModulesAgree(k, name, got, simd128.got, { K, absolute: scale });
  }
}

const MATMUL_GEMV: readonly MatMulCase[] = [
  { a: [1, 1280], n: 1000 }, { a: [1, 12], n: 5 }, { a: [1, 1, 36], n: 7 }, { a: [1, 20], n: 4, nm: [1, 4] }, { a: [1, 1, 1, 8], n: 3, nm: [1, 2] }, { a: [1, 44], n: 9, nm: [3, 4] },
];

describe('standard N:M wasmsimd gemv kernel for MatMul (matmulnm 1x4, one row of A) vs the dense ref kernel, in WebAssembly memory', function () {
  this.timeout(300_000);
  const MM = ALL_KERNELS.filter((k) => k.op === 'MatMul' && k.format === 'nm' && k.tile === '1x4' && k.target === 'wasmsimd');
  it('is registered for every epilogue', () => {
    assert.deepEqual(MM.map((k) => k.id).sort(), ['f32-matmulnm-1x4-wasmsimd', 'f32-matmulnm-clip-1x4-wasmsimd', 'f32-matmulnm-relu-1x4-wasmsimd']);
  });
  for (const k of MM) {
    it(`${k.id} matches the dense ref MatMul on ${MATMUL_GEMV.length} cases (1280→1000, A of rank 2–4, odd N, 1:4, 1:2, 3:4)${relaxed ? ' (relaxed SIMD), and the SIMD128 module within the madd bound' : ''}`, async function () {
      if (!simd) this.skip();
      for (const [i, g] of MATMUL_GEMV.entries()) await checkMatMul(k, g, 9800 + i);
    });
  }
  it('supports() only one row of A and a 2-D N:M B with m dividing 4', () => {
    const k = MM[0]!;
    const probe = (a: number[], n: number, nm: [number, number]) => ({
      inputs: [{ dtype: 'float32', shape: a }, { dtype: 'float32', shape: [a[a.length - 1]!, n], packed: packNm(n, a[a.length - 1]!, maskNm(new Float32Array(n * a[a.length - 1]!).fill(1), n, a[a.length - 1]!, nm[0], nm[1]), nm[0], nm[1]) }],
      outputs: [{ dtype: 'float32', shape: [...a.slice(0, -1), n] }], attrs: {},
    });
    assert.equal(k.supports!(probe([1, 16], 5, [2, 4])), true);
    assert.equal(k.supports!(probe([2, 16], 5, [2, 4])), false, 'two rows');
    assert.equal(k.supports!(probe([2, 1, 16], 5, [2, 4])), false, 'two batches of one row');
    assert.equal(k.supports!(probe([1, 16], 5, [4, 8])), false, '4:8');
  });
});

// Rows around spmmNm's 24/16/8/4/1-row blocks (2, 7, 8, 9, 17, 25, 33, 47), odd N, A of rank 2-4,
// a transformer's [32×128]·[128×384] and [32×256]·[256×128], K across reduction chunks, 1:4, 3:4, 1:2, 4:8.
const MATMUL_ROWS: readonly MatMulCase[] = [
  { a: [2, 12], n: 5 }, { a: [7, 16], n: 4 }, { a: [8, 20], n: 8 }, { a: [9, 36], n: 7 }, { a: [17, 8], n: 13 }, { a: [2, 16, 128], n: 258 },
  { a: [1, 32, 128], n: 384 }, { a: [33, 256], n: 128 }, { a: [25, 1040], n: 6 }, { a: [3, 5, 44], n: 9, nm: [1, 4] }, { a: [10, 40], n: 10, nm: [3, 4] },
  { a: [2, 2, 3, 28], n: 5, nm: [1, 2] }, { a: [47, 64], n: 3, nm: [4, 8] },
];

describe('standard N:M wasmsimd MatMul kernel (matmulnm 24x1, R ≥ 2 rows of A) vs the dense ref kernel, in WebAssembly memory', function () {
  this.timeout(300_000);
  const MM = ALL_KERNELS.filter((k) => k.op === 'MatMul' && k.format === 'nm' && k.tile === '24x1' && k.target === 'wasmsimd');
  it('is registered for every epilogue', () => {
    assert.deepEqual(MM.map((k) => k.id).sort(), ['f32-matmulnm-24x1-wasmsimd', 'f32-matmulnm-clip-24x1-wasmsimd', 'f32-matmulnm-relu-24x1-wasmsimd']);
  });
  for (const k of MM) {
    const cases = k.epilogue === '' ? MATMUL_ROWS : MATMUL_ROWS.filter((_, i) => i % 3 === 0);
    it(`${k.id} matches the dense ref MatMul on ${cases.length} cases (rows around the 24/16/8/4-row blocks, odd N, A of rank 2–4, transformer shapes, K in chunks, 1:4, 3:4, 1:2, 4:8)${relaxed ? ' (relaxed SIMD), and the SIMD128 module within the madd bound' : ''}`, async function () {
      if (!simd) this.skip();
      for (const [i, g] of cases.entries()) await checkMatMul(k, g, 9900 + i);
    });
  }
  it('supports() two or more rows of A and a 2-D N:M B', () => {
    const k = MM[0]!;
    const probe = (a: number[], n: number, nm: [number, number] | undefined) => ({
      inputs: [{ dtype: 'float32', shape: a }, { dtype: 'float32', shape: [a[a.length - 1]!, n], ...(nm ? { packed: packNm(n, a[a.length - 1]!, maskNm(new Float32Array(n * a[a.length - 1]!).fill(1), n, a[a.length - 1]!, nm[0], nm[1]), nm[0], nm[1]) } : {}) }],
      outputs: [{ dtype: 'float32', shape: [...a.slice(0, -1), n] }], attrs: {},
    });
    assert.equal(k.supports!(probe([2, 16], 5, [2, 4])), true);
    assert.equal(k.supports!(probe([2, 1, 16], 5, [2, 4])), true, 'two batches of one row');
    assert.equal(k.supports!(probe([1, 16], 5, [2, 4])), false, 'one row (the 1x4 gemv kernel)');
    assert.equal(k.supports!(probe([4, 16], 5, [4, 8])), true, '4:8');
    assert.equal(k.supports!(probe([4, 16], 5, undefined)), false, 'dense weight');
  });
});

describe('convnm 24x1 preconditions', function () {
  const k = NM.find((x) => x.epilogue === '')!;
  const shapes = (x: number[], w: number[], y: number[], attrs: Attrs, packed?: ReturnType<typeof packCsr>) => ({
    inputs: [{ dtype: 'float32', shape: x }, { dtype: 'float32', shape: w, ...(packed ? { packed } : {}) }], outputs: [{ dtype: 'float32', shape: y }], attrs,
  });
  it('supports(): group-1 1-D/2-D convs of any window with an nm (or unpacked) weight; not grouped, 3-D or csr', () => {
    assert.equal(k.supports!(shapes([1, 4, 5, 5], [8, 4, 3, 3], [1, 8, 5, 5], { pads: [1, 1, 1, 1] })), true);
    assert.equal(k.supports!(shapes([1, 4, 9], [8, 4, 3], [1, 8, 7], {})), true);
    assert.equal(k.supports!(shapes([1, 4, 5, 5], [8, 2, 3, 3], [1, 8, 5, 5], { group: 2, pads: [1, 1, 1, 1] })), false);
    assert.equal(k.supports!(shapes([1, 4, 2, 2, 2], [8, 4, 1, 1, 1], [1, 8, 2, 2, 2], {})), false);
    assert.equal(k.supports!(shapes([1, 4, 2, 2], [8, 4, 1, 1], [1, 8, 2, 2], {}, packCsr(8, 4, new Float32Array(32).fill(1)))), false);
  });
  it('with a WasmEnv, a corrupt N:M index stream, a csr weight (unsupported) and a dense weight are KernelErrors naming the node and kernel', async function () {
    if (!simd) this.skip();
    const w = new Float32Array(32).map((_, i) => (i % 2 ? 0 : 1 + i));
    const good = packNm(8, 4, w, 2, 4);
    await assertWeightRefusals(k, { x: [1, 4, 2, 2], y: [1, 8, 2, 2], w: [8, 4, 1, 1] }, good,
      [[corruptIndices(good), /nm: slot index/], [packCsr(8, 4, w), /needs .* an N:M weight/], [undefined, /dense weight/]]);
  });
});

describe('N:M wasmsimd kernels end to end', function () {
  this.timeout(300_000);
  interface ModelEntry { name: string; file: string; inputs: { name: string; npy: string }[]; outputs: { name: string; npy: string }[] }
  const entries = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as ModelEntry[];
  for (const name of ['resnet10_w32', 'squeezenet1_1']) {
    it(`${name} --pattern 2:4: every packed conv on convnm 24x1 (the classifier on the N:M gemv), wasm output within 1e-4·max + 1e-5 of the js fallback`, async function () {
      if (!simd) this.skip();
      const m = entries.find((e) => e.name === name)!;
      const { artifact } = compileFile(join(MODELS_DIR, m.file), { pattern: '2:4' });
      const nodes = parseArtifact(artifact).nodes.filter((n) => /(nm|csr|bsr)-/.test(n.kernel));
      assert.ok(nodes.length >= 10 && nodes.every((n) => /^f32-(convnm-(relu-|clip-)?24x1|gemmnm-1x4)-wasmsimd$/.test(n.kernel)), nodes.map((n) => n.kernel).join(', ') || 'no packed layer');
      const feeds = Object.fromEntries(m.inputs.map((i) => {
        const a = readNpy(join(MODELS_DIR, i.npy));
        return [i.name, { data: a.data, shape: a.shape }];
      }));
      const outs: TypedArray[][] = [];
      for (const wasm of [true, false]) {
        const model = await loadModel(artifact, { wasm });
        assert.equal(model.wasmsimd, wasm);
        const out = await model.run(feeds);
        outs.push(m.outputs.map((o) => out[o.name]!.data));
        model.dispose();
      }
      m.outputs.forEach((o, i) => assertClose(outs[0]![i]!, outs[1]![i]!, 1e-4, 1e-5, `${name} output '${o.name}', wasm vs js fallback`));
    });
  }
  it('transformer_enc2 --pattern 2:4 (default options): its 6 pruned MatMuls on matmulnm 24x1 (none densified), wasm output within 1e-4·max + 1e-5 of the js fallback', async function () {
    if (!simd) this.skip();
    const m = entries.find((e) => e.name === 'transformer_enc2')!;
    const { artifact } = compileFile(join(MODELS_DIR, m.file), { pattern: '2:4' });
    const matmuls = parseArtifact(artifact).nodes.filter((n) => n.op === 'MatMul' && /linear|self_attn\/MatMul$/.test(n.name));
    assert.deepEqual(matmuls.map((n) => n.kernel), new Array<string>(6).fill('f32-matmulnm-24x1-wasmsimd'), matmuls.map((n) => `${n.name}: ${n.kernel}`).join(', '));
    const feeds = Object.fromEntries(m.inputs.map((i) => {
      const a = readNpy(join(MODELS_DIR, i.npy));
      return [i.name, { data: a.data, shape: a.shape }];
    }));
    const outs: TypedArray[][] = [];
    for (const wasm of [true, false]) {
      const model = await loadModel(artifact, { wasm });
      const out = await model.run(feeds);
      outs.push(m.outputs.map((o) => out[o.name]!.data));
      model.dispose();
    }
    m.outputs.forEach((o, i) => assertClose(outs[0]![i]!, outs[1]![i]!, 1e-4, 1e-5, `transformer_enc2 output '${o.name}', wasm vs js fallback`));
  });
});
