// The row-block wasmsimd kernels (format nm and bsr, tile 4 rows × 8 pixels: conv-rowblock.ts,
// gemm-rowblock.ts, matmul-rowblock.ts), run in WebAssembly memory against the dense ref kernel
// of their op and epilogue, on weights pruned to N:M (2:4, 1:4, 4:8; masks shared by blocks of 4
// rows and per row) or to BSR blocks (4×1, 8×1, 4×2, and 2×2 whose block rows split the 4-row
// groups), with all-zero row groups and empty block rows. Edge shapes from the tile: rows
// N = 1, 3, 4, 5, 8, 9 (bsr: multiples of br), pixels P = 1, 4, 7, 8, 9, 17, 33; k×k convs with
// pads, strides 1/2/3 (phase planes), dilation, several wide pixel blocks, 1-D, batch 2; Gemm transA/transB/alpha/beta/C
// (C as a fused bias and not); batched MatMul. Tolerance |wasm − ref| <= 1e-4·|ref| + 1e-5; a
// failure names the case, pattern and index. run() must not allocate nor grow the memory.
// End to end: corpus models pruned to 2:4 shared-rows 4 and block:4x1 with targets wasmsimd,
// js, ref select these kernels for their pruned layers and match the js fallback.

import { strict as assert } from 'node:assert';
import { absoluteSums, assertModulesAgree, assertWeightRefusals, corruptIndices, epilogueAttrs, packedView, plain, prepareInWasm, reductionLength, rng, withoutAllocation } from './wasm-harness.js';
import type { Attrs, Kernel, RunFn } from '../../../runtime/kernels/kernel.js';
import { ALL_KERNELS, WASMSIMD_KERNELS } from '../../../runtime/kernels/index.js';
import { relaxedSimdAvailable, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import { nodeShapesOf } from '../../../runtime/kernels/wasm/common.js';
import { rowBlockFill, rowBlocks } from '../../../runtime/kernels/wasm/rowblock.js';
import { Checker } from '../../../runtime/kernels/common/define.js';
import type { TypedArray } from '../../../runtime/tensor.js';
import { sizeOf } from '../../../runtime/tensor.js';
import type { PackedWeight } from '../../../runtime/sparse/packed.js';
import { packBsr, packCsr, packNm } from '../../../compiler/sparse/pack/pack.js';
import type { WeightOp } from '../../../runtime/sparse/layout.js';
import { fromWeightMatrix, weightMatrixShape } from '../../../runtime/sparse/layout.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileOptions } from '../../../compiler/compile.js';
import { loadModel } from '../../../runtime/index.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { assertClose } from '../../helpers/compare.js';
import { readNpy } from '../../helpers/files.js';


/** N:M with masks shared by `share` consecutive rows (1 = per row), or BSR br×bc blocks. */
type Pattern =
  | { readonly name: string; readonly format: 'nm'; readonly n: number; readonly m: number; readonly share: number }
  | { readonly name: string; readonly format: 'bsr'; readonly br: number; readonly bc: number };

const PATTERNS: readonly Pattern[] = [
  { name: '2:4 shared-rows 4', format: 'nm', n: 2, m: 4, share: 4 },
  { name: '2:4 per row', format: 'nm', n: 2, m: 4, share: 1 },
  { name: '1:4 shared-rows 4', format: 'nm', n: 1, m: 4, share: 4 },
  { name: '4:8 shared-rows 4', format: 'nm', n: 4, m: 8, share: 4 },
  { name: '4:8 per row', format: 'nm', n: 4, m: 8, share: 1 },
  { name: 'bsr 4×1', format: 'bsr', br: 4, bc: 1 },
  { name: 'bsr 8×1', format: 'bsr', br: 8, bc: 1 },
  { name: 'bsr 4×2', format: 'bsr', br: 4, bc: 2 },
  { name: 'bsr 2×2', format: 'bsr', br: 2, bc: 2 },
];

const colMult = (p: Pattern): number => (p.format === 'nm' ? p.m : p.bc);

/**
 * Prunes W[rows][cols] in place: N:M keeps the n columns of largest |w| summed over each block of
 * `share` rows (every third group keeps one fewer); BSR zeroes ~60% of the blocks. Rows 4..7 (the
 * second 4-row group) become all zero, and so does block row 1.
 */
function prune(p: Pattern, rows: number, cols: number, w: Float32Array, next: () => number): void {
  if (p.format === 'nm') {
    for (let r0 = 0; r0 < rows; r0 += p.share) {
      const r1 = Math.min(rows, r0 + p.share);
      for (let g = 0; g < cols / p.m; g++) {
        const score = (k: number): number => { let s = 0; for (let r = r0; r < r1; r++) s += Math.abs(w[r * cols + g * p.m + k]!); return s; };
        const order = Array.from({ length: p.m }, (_, k) => k).sort((x, y) => score(y) - score(x));
        const keep = (r0 + g) % 3 === 2 ? p.n - 1 : p.n;
        for (let r = r0; r < r1; r++) for (let k = keep; k < p.m; k++) w[r * cols + g * p.m + order[k]!] = 0;
      }
    }
  } else {
    for (let R = 0; R < rows / p.br; R++) {
      for (let C = 0; C < cols / p.bc; C++) {
        if (R !== 1 && next() > -0.2) continue;
        for (let i = 0; i < p.br; i++) for (let j = 0; j < p.bc; j++) w[(R * p.br + i) * cols + C * p.bc + j] = 0;
      }
    }
  }
  if (rows > 4) w.fill(0, 4 * cols, Math.min(rows, 8) * cols);
}

function pack(p: Pattern, rows: number, cols: number, w: Float32Array): PackedWeight {
  return p.format === 'nm' ? packNm(rows, cols, w, p.n, p.m) : packBsr(rows, cols, w, p.br, p.bc);
}

interface Case {
  readonly name: string;
  readonly pattern: Pattern;
  readonly inputs: readonly (readonly number[] | undefined)[];
  readonly output: readonly number[];
  readonly attrs: Attrs;
}

const N_EDGE = [1, 3, 4, 5, 8, 9];
const P_EDGE = [1, 4, 7, 8, 9, 17, 33];
const hw = (p: number): [number, number] => (p === 33 ? [3, 11] : p === 8 ? [2, 4] : [1, p]);

/** Row counts for a pattern: the edge set, or 1–3 block rows (and 5 for br = 2) for BSR. */
const rowsFor = (p: Pattern): number[] => (p.format === 'nm' ? N_EDGE : p.br === 2 ? [2, 6, 10] : [p.br, 2 * p.br, 3 * p.br]);

function pointwiseCases(p: Pattern): Case[] {
  const out: Case[] = [];
  const k = 2 * Math.max(colMult(p), 4);
  for (const n of rowsFor(p)) {
    for (const px of P_EDGE) {
      const [h, w] = hw(px), bias = (n + px) % 2 === 0;
      out.push({ name: `1×1 N=${n} K=${k} P=${px}${bias ? ' bias' : ''}`, pattern: p, inputs: [[1, k, h, w], [n, k, 1, 1], bias ? [n] : undefined], output: [1, n, h, w], attrs: {} });
    }
  }
  const n = rowsFor(p)[1]!;
  out.push({ name: `1×1 batch 2, N=${n}, 1-D`, pattern: p, inputs: [[2, 16, 9], [n, 16, 1], [n]], output: [2, n, 9], attrs: { strides: [1], pads: [0, 0] } });
  out.push({ name: `1×1 N=${n} K=40 P=600 (pixel blocks)`, pattern: p, inputs: [[1, 40, 20, 30], [n, 40, 1, 1], [n]], output: [1, n, 20, 30], attrs: {} });
  return out;
}

interface Win { n?: number; c: number; m: number; h: number; w: number; k: [number, number]; s?: [number, number]; p?: [number, number, number, number]; d?: [number, number]; bias?: boolean; oneD?: boolean }

function winCase(name: string, pattern: Pattern, c: Win): Case {
  const [kh, kw] = c.k, [sh, sw] = c.s ?? [1, 1], [pt, pl, pb, pr] = c.p ?? [0, 0, 0, 0], [dh, dw] = c.d ?? [1, 1];
  const oh = Math.floor((c.h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1;
  const ow = Math.floor((c.w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  const n = c.n ?? 1;
  const full = `${name}: N=${c.m} C=${c.c} ${c.h}×${c.w} k${kh}×${kw} s${sh},${sw} p${[pt, pl, pb, pr]} d${dh},${dw} → ${oh}×${ow}${c.bias ? ' bias' : ''}${n > 1 ? ` batch ${n}` : ''}`;
  return c.oneD
    ? { name: full, pattern, inputs: [[n, c.c, c.w], [c.m, c.c, kw], c.bias ? [c.m] : undefined], output: [n, c.m, ow], attrs: { strides: [sw], pads: [pl, pr], dilations: [dw] } }
    : { name: full, pattern, inputs: [[n, c.c, c.h, c.w], [c.m, c.c, kh, kw], c.bias ? [c.m] : undefined], output: [n, c.m, oh, ow], attrs: { strides: [sh, sw], pads: [pt, pl, pb, pr], dilations: [dh, dw], kernel_shape: [kh, kw] } };
}

/** Group-1 convs that are not pointwise (the phase-plane path); C a multiple of every M and bc. */
function kxkCases(p: Pattern): Case[] {
  const [n1, n2] = [rowsFor(p)[1]!, rowsFor(p)[2]!];
  const out: Case[] = [];
  for (const [i, ow] of [1, 7, 8, 9, 17].entries()) {
    const bias = i % 2 === 0;
    out.push(winCase('3×3 s1 p1', p, { c: 8, m: n1, h: 3, w: ow, k: [3, 3], p: [1, 1, 1, 1], bias }));
    out.push(winCase('3×3 s2 p1', p, { c: 8, m: n2, h: 5, w: 2 * ow - (i % 2), k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], bias: !bias }));
  }
  out.push(winCase('3×3 dilation 2', p, { c: 8, m: n1, h: 6, w: 9, k: [3, 3], d: [2, 2], bias: true }));
  out.push(winCase('7×7 s2 p3 stem', p, { c: 8, m: n2, h: 7, w: 14, k: [7, 7], s: [2, 2], p: [3, 3, 3, 3], bias: true }));
  out.push(winCase('23×23 (one wide pixel block of 573)', p, { c: 16, m: n1, h: 23, w: 23, k: [3, 3], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('s2, 3 wide pixel blocks (168 + 168 + 104)', p, { c: 64, m: n1, h: 41, w: 40, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1] }));
  out.push(winCase('3×3 s2 dilation 2 p2 (phases of a dilated window)', p, { c: 8, m: n2, h: 9, w: 11, k: [3, 3], s: [2, 2], d: [2, 2], p: [2, 2, 2, 2], bias: true }));
  out.push(winCase('4×4 s3 (9 phase planes, the last X row and column beyond every window)', p, { c: 8, m: n1, h: 13, w: 14, k: [4, 4], s: [3, 3], p: [1, 0, 0, 1], bias: true }));
  out.push(winCase('2×2 s2, W = 1 with a right pad (column phase 1 all padding)', p, { c: 8, m: n2, h: 3, w: 1, k: [2, 2], s: [2, 2], p: [0, 0, 1, 1], bias: true }));
  out.push(winCase('2×2 s2 (patchify)', p, { c: 8, m: n2, h: 6, w: 8, k: [2, 2], s: [2, 2] }));
  out.push(winCase('stride 1, 3 wide pixel blocks (168 + 168 + 102)', p, { c: 64, m: n2, h: 20, w: 20, k: [3, 3], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('1×1 stride 2', p, { c: 8, m: n2, h: 5, w: 9, k: [1, 1], s: [2, 2], bias: true }));
  out.push(winCase('asymmetric pads, 5×3', p, { c: 8, m: n1, h: 6, w: 9, k: [5, 3], s: [1, 2], p: [0, 1, 2, 3] }));
  out.push(winCase('batch 2', p, { n: 2, c: 8, m: n2, h: 4, w: 9, k: [3, 3], s: [2, 1], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('1-D', p, { c: 8, m: n1, h: 1, w: 17, k: [1, 3], s: [1, 2], p: [0, 1, 0, 1], bias: true, oneD: true }));
  return out;
}

function gemmCases(p: Pattern): Case[] {
  const out: Case[] = [];
  const k = 16;
  for (const m of [1, 3, 8, 17]) {
    for (const n of rowsFor(p)) {
      for (const [ta, tb] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
        const v = (m + n + ta + 2 * tb) % 5; // C: none, [N] (the fused bias), [M, N], [1], [N] with alpha/beta
        const cShape = v === 0 ? undefined : v === 1 || v === 4 ? [n] : v === 2 ? [m, n] : [1];
        const attrs: Attrs = { transA: ta, transB: tb, ...(v === 4 ? { alpha: 0.5, beta: 2 } : {}) };
        out.push({
          name: `gemm M=${m} N=${n} K=${k} transA=${ta} transB=${tb} C=${cShape ? `[${cShape}]` : 'none'}${v === 4 ? ' alpha 0.5 beta 2' : ''}`,
          pattern: p, inputs: [ta ? [k, m] : [m, k], tb ? [n, k] : [k, n], cShape], output: [m, n], attrs,
        });
      }
    }
  }
  return out;
}

function matmulCases(p: Pattern): Case[] {
  const out: Case[] = [];
  for (const lead of [[1], [3], [2, 4], [17], [2, 1, 9]]) {
    for (const n of rowsFor(p)) {
      const k = 16;
      out.push({ name: `matmul A=[${lead},${k}] N=${n}`, pattern: p, inputs: [[...lead, k], [k, n]], output: [...lead, n], attrs: {} });
    }
  }
  return out;
}




interface Prepared { readonly want: Float32Array; readonly got: Float32Array; readonly run: RunFn; readonly data: readonly (Float32Array | undefined)[] }

/** Prunes and packs the weight, runs the dense ref on plain views, prepares the kernel in wasm memory (the relaxed-SIMD module where there is one, unless `relaxedSimd` is false). */
async function prepareCase(k: Kernel, ref: Kernel, c: Case, seed: number, relaxedSimd = true): Promise<Prepared> {
  const next = rng(seed);
  const data = c.inputs.map((s) => {
    if (s === undefined) return undefined;
    const d = new Float32Array(sizeOf(s));
    for (let i = 0; i < d.length; i++) d[i] = next();
    return d;
  });
  const attrs = { ...c.attrs, ...epilogueAttrs(k) };
  const op = k.op as WeightOp, wShape = c.inputs[1]!, transB = c.attrs['transB'] === 1;
  const { rows, cols } = weightMatrixShape(op, wShape, transB);
  const mat = new Float32Array(rows * cols);
  for (let i = 0; i < mat.length; i++) mat[i] = next();
  prune(c.pattern, rows, cols, mat, next);
  data[1] = fromWeightMatrix(op, wShape, transB, mat) as Float32Array<ArrayBuffer>;
  const weight = packedView(wShape, pack(c.pattern, rows, cols, mat));

  const want = new Float32Array(sizeOf(c.output)).fill(Number.NaN);
  ref.prepare({ node: 'ref', inputs: c.inputs.map((s, i) => s && plain(s, data[i]!)), outputs: [plain(c.output, want)], attrs })();

  const shapes = nodeShapesOf({ node: 'probe', inputs: c.inputs.map((s, i) => s && (i === 1 ? weight : plain(s, data[i]!))), outputs: [plain(c.output, want)], attrs });
  assert.ok(k.supports?.(shapes), `${k.id} should support ${c.name}`);
  const views = c.inputs.map((s, i) => s && (i === 1 ? weight : plain(s, data[i]!)));
  const { run, got } = await prepareInWasm(k, shapes, views, c.output, attrs, relaxedSimd);
  return { want, got, run, data };
}

/** "row n (group ⌊n/4⌋), pixel p (tile ⌊p/8⌋)" in the kernel's Y = W·X layout. */
function tileOf(k: Kernel, c: Case, i: number): string {
  const conv = k.op === 'Conv';
  const P = conv ? sizeOf(c.output.slice(2)) : 0;
  const nOut = c.output[c.output.length - 1]!;
  const [row, p] = conv ? [Math.floor(i / P) % c.output[1]!, i % P] : [i % nOut, Math.floor(i / nOut)];
  return `${conv ? 'channel' : 'output column'} ${row} (row group ${Math.floor(row / 4)}), pixel ${p} (pixel tile ${Math.floor(p / 8)} of 8)`;
}

const simd = wasmSimdAvailable();
// Under --experimental-wasm-relaxed-simd (wasm-relaxed.test.ts runs this file so): each case also
// on the SIMD128 module, within assertModulesAgree's bound of the relaxed one.
const relaxed = relaxedSimdAvailable();
const ROWBLOCK = WASMSIMD_KERNELS.filter((k) => (k.format === 'nm' || k.format === 'bsr') && k.rowBlock !== undefined);

describe('row-block wasmsimd kernels (nm, bsr) vs dense ref kernels, in WebAssembly memory', function () {
  this.timeout(300_000);
  it('there are nm and bsr 4x8 wasmsimd kernels for Conv, Gemm and MatMul, every epilogue, registered', () => {
    for (const op of ['Conv', 'Gemm', 'MatMul']) {
      for (const f of ['nm', 'bsr']) {
        for (const e of ['', 'relu', 'clip']) {
          const id = `f32-${op.toLowerCase()}${f}${e ? `-${e}` : ''}-4x8-wasmsimd`;
          const k = ROWBLOCK.find((x) => x.id === id);
          assert.ok(k && k.op === op && k.format === f && k.epilogue === e && ALL_KERNELS.includes(k), id);
        }
      }
    }
  });

  for (const k of ROWBLOCK) {
    const ref = ALL_KERNELS.find((r) => r.target === 'ref' && r.op === k.op && r.epilogue === k.epilogue && (r.format ?? 'dense') === 'dense')!;
    const patterns = PATTERNS.filter((p) => p.format === k.format);
    // Every pattern on the op's full edge grid for the plain epilogue; relu/clip on the first pattern.
    const used = k.epilogue === '' ? patterns : patterns.slice(0, 1);
    const cases = used.flatMap((p) => (k.op === 'Conv' ? [...pointwiseCases(p), ...kxkCases(p)] : k.op === 'Gemm' ? gemmCases(p) : matmulCases(p)));
    const ref0 = ALL_KERNELS.find((r) => r.target === 'ref' && r.op === k.op && r.epilogue === '' && (r.format ?? 'dense') === 'dense')!;
    it(`${k.id} matches ${ref.id} on ${cases.length} cases (${used.map((p) => p.name).join(', ')})${relaxed ? ' (relaxed SIMD), and the SIMD128 module within the madd bound' : ''}`, async function () {
      if (!simd) this.skip();
      for (const [ci, c] of cases.entries()) {
        const { want, got, run, data } = await prepareCase(k, ref, c, 7001 + ci);
        withoutAllocation(run);
        for (let i = 0; i < want.length; i++) {
          const e = want[i]!, g = got[i]!;
          if (!(Math.abs(g - e) <= 1e-4 * Math.abs(e) + 1e-5)) {
            assert.fail(`${k.id}, ${c.pattern.name}, case '${c.name}': output[${i}] of shape [${c.output}] = ${g}, ref ${e}; ${tileOf(k, c, i)}`);
          }
        }
        run();
        for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i]! - want[i]!) <= 1e-4 * Math.abs(want[i]!) + 1e-5)) assert.fail(`${k.id}, case '${c.name}', second run: output[${i}]`);
        if (relaxed) {
          const simd128 = await prepareCase(k, ref, c, 7001 + ci, false);
          simd128.run();
          assertModulesAgree(k, `${c.pattern.name}, ${c.name}`, got, simd128.got, { K: reductionLength(k.op, c.inputs, c.attrs), absolute: absoluteSums(ref0, c.inputs, data, c.output, c.attrs) });
        }
      }
    });
  }
});

describe('row-block staging and preconditions', function () {
  const quiet = new Checker({ node: 't', inputs: [], outputs: [], attrs: {} }, 't');
  const matrix = (rows: number, cols: number, p: Pattern, seed: number): Float32Array => {
    const next = rng(seed);
    const w = new Float32Array(rows * cols).map(() => next() || 0.5);
    prune(p, rows, cols, w, next);
    return w;
  };

  it('the union is exact for shared-rows N:M and bsr 4×1 (one entry per kept column / block), at most 4× the nonzeros otherwise', () => {
    const shared = PATTERNS[0]!, perRow = PATTERNS[1]!, bsr = PATTERNS[5]!;
    const w = matrix(12, 32, shared, 3);
    const nnz = w.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0);
    const rb = rowBlocks(quiet, packNm(12, 32, w, 2, 4));
    assert.equal(rb.cols.length * 4, nnz);
    assert.equal(rb.counts[1], 0); // rows 4..7 all zero
    const wb = matrix(12, 32, bsr, 4);
    const pb = packBsr(12, 32, wb, 4, 1);
    assert.equal(rowBlocks(quiet, pb).cols.length, pb.colIdx.length);
    const wr = matrix(12, 32, perRow, 5);
    const nnzr = wr.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0);
    const e = rowBlocks(quiet, packNm(12, 32, wr, 2, 4)).cols.length;
    assert.ok(e * 4 >= nnzr && e <= nnzr, `${e} entries for ${nnzr} nonzeros`);
    // fill = entries · 4 / (12 · 32): the nonzeros' share for shared rows, more per row
    assert.equal(rowBlockFill(quiet, packNm(12, 32, w, 2, 4)), nnz / (12 * 32));
    assert.equal(rowBlockFill(quiet, packNm(12, 32, wr, 2, 4)), e / (3 * 32));
  });

  it('with a WasmEnv, a corrupt N:M index stream, another format and a dense weight are KernelErrors naming the node', async function () {
    if (!simd) this.skip();
    for (const id of ['f32-convnm-4x8-wasmsimd', 'f32-gemmnm-4x8-wasmsimd', 'f32-matmulbsr-4x8-wasmsimd']) {
      const k = ROWBLOCK.find((x) => x.id === id)!;
      const w = new Float32Array(8 * 4).map((_, i) => (i % 2 ? 0 : 1 + i));
      const shapes = k.op === 'Conv' ? { x: [1, 4, 2, 2], y: [1, 8, 2, 2], w: [8, 4, 1, 1] } : { x: [2, 4], y: [2, 8], w: [4, 8] };
      const good = k.format === 'nm' ? packNm(8, 4, w, 2, 4) : packBsr(8, 4, w, 4, 1);
      await assertWeightRefusals(k, shapes, good, [[corruptIndices(good), /nm: slot index|bsr: block column/], [packCsr(8, 4, w), /packed as csr/], [undefined, /dense weight/]]);
    }
  });

  it('supports(): group-1 convs of any window; not grouped nor 3-D', () => {
    const k = ROWBLOCK.find((x) => x.id === 'f32-convnm-4x8-wasmsimd')!;
    const shapes = (x: number[], w: number[], y: number[], attrs: Attrs) => ({
      inputs: [{ dtype: 'float32', shape: x }, { dtype: 'float32', shape: w }], outputs: [{ dtype: 'float32', shape: y }], attrs,
    });
    assert.equal(k.supports!(shapes([1, 4, 5, 5], [8, 4, 3, 3], [1, 8, 5, 5], { pads: [1, 1, 1, 1] })), true);
    assert.equal(k.supports!(shapes([1, 4, 5, 5], [8, 2, 3, 3], [1, 8, 5, 5], { group: 2, pads: [1, 1, 1, 1] })), false);
    assert.equal(k.supports!(shapes([1, 4, 2, 2, 2], [8, 4, 1, 1, 1], [1, 8, 2, 2, 2], {})), false);
  });
});

describe('row-block kernels end to end', function () {
  this.timeout(300_000);
  interface ModelEntry { name: string; file: string; inputs: { name: string; npy: string }[]; outputs: { name: string; npy: string }[] }
  const entries = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as ModelEntry[];
  const runs: readonly [string, CompileOptions, RegExp][] = [
    // The classifier (one output row, per-row 2:4: the default) runs the N:M gemv kernel.
    ['mobilenet_v2_w050', { pattern: '2:4', shareRows: 4 }, /^f32-(convnm-(clip-)?4x8|gemmnm-1x4)-wasmsimd$/],
    ['resnet10_w32', { pattern: 'block:4x1', sparsity: 0.9 }, /^f32-convbsr-(relu-)?4x8-wasmsimd$/],
    ['mlp3', { pattern: 'block:4x1', sparsity: 0.9 }, /^f32-gemmbsr-(relu-)?4x8-wasmsimd$/], // one-row Gemms: 2:4 runs dense (gemv)
    ['transformer_enc2', { pattern: 'block:4x1', sparsity: 0.9 }, /^f32-(gemm|matmul)bsr-(relu-)?4x8-wasmsimd$/],
  ];
  for (const [name, options, kernel] of runs) {
    it(`${name} pruned ${options.pattern}${options.shareRows ? ' shared-rows ' + options.shareRows : ''}: packed layers on row-block kernels, wasm output within 1e-4·max + 1e-5 of the js fallback`, async function () {
      if (!simd) this.skip();
      const m = entries.find((e) => e.name === name)!;
      const { artifact } = compileFile(join(MODELS_DIR, m.file), { ...options, targets: ['wasmsimd', 'js', 'ref'] });
      const nodes = parseArtifact(artifact).nodes.filter((n) => /(nm|bsr)-/.test(n.kernel));
      assert.ok(nodes.length > 0 && nodes.every((n) => kernel.test(n.kernel)), nodes.map((n) => n.kernel).join(', ') || 'no packed layer');
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
});
