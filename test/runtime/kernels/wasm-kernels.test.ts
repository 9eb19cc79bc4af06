// Every wasmsimd kernel in WASMSIMD_KERNELS, run in WebAssembly memory (a real WasmEnv), against
// the dense ref kernel of its op and epilogue on edge shapes from its tile: pixels P = 1, 7, 8,
// 9, 2·8+1, 33 (and 15–17, 23–25, 31–33, 2·24+1 for the 24-pixel CSR block), output channels
// N = 1, 3, 4, 5, 9 (Gemm/MatMul: rows and columns from the same sets, batched MatMul A flattened
// into rows; one-row Gemms with K = 15–64 around the gemv's 16-float step), K not a multiple of 4; CSR at 50–95% sparsity, with empty rows and an all-zero weight.
// k×k convs (f32-conv-4x8: im2col tiles; f32-convcsr-24x1: phase-split planes, several R-row
// tiles; up to 4 input channels: convPadded, the padded image and a tap offset table, and convWinograd's
// F(3×3, 4×4) for the RGB 7×7 and 8×8 stride-2 stems) and depthwise convs (f32-conv-1x8; 3×3 through the padded plane): output widths 1, 7, 8,
// 9, 17, pads 0/1/3 and asymmetric, strides 1/2, dilation 2, 3×3, 5×5 and the 7×7 s2 stem,
// channel counts not multiples of 4, several im2col tiles per image, 1-D, batch 2. MaxPool:
// output widths 1, 7, 8, 9, 17, strides 1/2/3, pads, dilation, ceil_mode, windows of 1–5 rows,
// 1-D, batch 2; Add and
// Relu: sizes around the 4-float vector.
// Tolerance |wasm − ref| <= 1e-4·|ref| + 1e-5 (+ 2⁻¹⁶·Σ|w·x| for the dense conv's Winograd path); a failure names the case, index and tile. run()
// must not allocate (array constructors trapped) nor grow the memory; scratch starts as NaN.

import { strict as assert } from 'node:assert';
import { absoluteSums, assertModulesAgree, epilogueAttrs, plain, reductionLength, rng, wasmView, withoutAllocation } from './wasm-harness.js';
import { elementwiseEdgeCases } from './edge-cases-elementwise.js';
import type { Attrs, Kernel, RunFn } from '../../../runtime/kernels/kernel.js';
import { KernelError } from '../../../runtime/kernels/kernel.js';
import { ALL_KERNELS, WASMSIMD_KERNELS } from '../../../runtime/kernels/index.js';
import { createWasmSpace, relaxedSimdAvailable, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import { nodeShapesOf } from '../../../runtime/kernels/wasm/common.js';
import { im2colTile, paddedDirect, winogradStem } from '../../../runtime/kernels/wasm/conv.js';
import { blockedDw3x3, directDw3x3, DW_BLOCKED_MAX_OW, DW_BLOCKED_MIN_OW, DW_DIRECT_MIN_W, DW_FLAT_MAX_W, DW_STRIP_MIN_W, flatDw3x3, stripDw3x3 } from '../../../runtime/kernels/wasm/dwconv.js';
import { phasedDims } from '../../../runtime/kernels/wasm/conv-shape.js';
import type { TensorView } from '../../../runtime/tensor.js';
import { sizeOf } from '../../../runtime/tensor.js';
import { packCsr } from '../../../compiler/sparse/pack/pack.js';
import { fromWeightMatrix, weightMatrixShape } from '../../../runtime/sparse/layout.js';
import { WASM_MODULES } from '../../../runtime/kernels/wasm/modules/index.js';


interface Case {
  readonly name: string;
  readonly inputs: readonly (readonly number[] | undefined)[];
  readonly output: readonly number[];
  readonly attrs: Attrs;
  /** CSR cases: fraction of zeros, rows forced empty, or every weight zero. */
  readonly sparsity?: number;
  readonly emptyRows?: readonly number[];
  readonly allZero?: boolean;
}

const P_DENSE = [1, 7, 8, 9, 17, 33];
const P_CSR = [1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 28, 31, 32, 33, 49, 100];
const N_ALL = [1, 3, 4, 5, 9];
const K_ALL = [1, 3, 6];

/** [h, w] with h·w = p (P = 33 as 3×11, 49 as 7×7, others as 1×p). */
const hw = (p: number): [number, number] => (p === 33 ? [3, 11] : p === 49 ? [7, 7] : [1, p]);

function convCases(csr: boolean): Case[] {
  const out: Case[] = [];
  for (const p of csr ? P_CSR : P_DENSE) {
    for (const n of N_ALL) {
      for (const k of K_ALL) {
        const [h, w] = hw(p);
        const bias = (n + k) % 2 === 0;
        out.push({ name: `conv N=${n} K=${k} P=${p}${bias ? ' bias' : ''}`, inputs: [[1, k, h, w], [n, k, 1, 1], bias ? [n] : undefined], output: [1, n, h, w], attrs: {} });
      }
    }
  }
  out.push({ name: 'conv batch 2, N=5 K=7 P=9, 1-D', inputs: [[2, 7, 9], [5, 7, 1], [5]], output: [2, 5, 9], attrs: { strides: [1], pads: [0, 0] } });
  out.push({ name: 'conv N=9 K=13 P=33, explicit 1×1 attrs', inputs: [[1, 13, 3, 11], [9, 13, 1, 1], [9]], output: [1, 9, 3, 11], attrs: { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], group: 1 } });
  if (!csr) {
    // X over 64 KiB: gemm4x8p's pixel blocks (48 pixels a block and a last one of 1; 16 a block, the
    // floor, and a last one of 13: its 8-, 4- and 1-pixel tails)
    out.push({ name: 'conv N=9 K=40 P=433, pixel blocks', inputs: [[1, 40, 1, 433], [9, 40, 1, 1], [9]], output: [1, 9, 1, 433], attrs: {} });
    out.push({ name: 'conv N=6 K=300 P=61, pixel blocks of the minimum width', inputs: [[1, 300, 1, 61], [6, 300, 1, 1], undefined], output: [1, 6, 1, 61], attrs: {} });
    return out;
  }
  return out.flatMap((c, i) => [
    { ...c, name: `${c.name}, 50%`, sparsity: 0.5 },
    { ...c, name: `${c.name}, 90%, empty rows`, sparsity: 0.9, emptyRows: [0, 2] },
    ...(i % 4 === 0 ? [{ ...c, name: `${c.name}, 95%`, sparsity: 0.95 }, { ...c, name: `${c.name}, all zero`, allZero: true }] : []),
  ]);
}

interface Win { n?: number; c: number; m: number; h: number; w: number; k: [number, number]; s?: [number, number]; p?: [number, number, number, number]; d?: [number, number]; bias?: boolean; group?: number; oneD?: boolean }

/** A 2-D (or 1-D, with h = 1 and kh = 1) Conv case from its window; the output shape is computed. */
function winCase(name: string, c: Win): Case {
  const [kh, kw] = c.k, [sh, sw] = c.s ?? [1, 1], [pt, pl, pb, pr] = c.p ?? [0, 0, 0, 0], [dh, dw] = c.d ?? [1, 1];
  const oh = Math.floor((c.h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1;
  const ow = Math.floor((c.w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  const n = c.n ?? 1, g = c.group ?? 1;
  const full = `${name}: N=${c.m} C=${c.c} ${c.h}×${c.w} k${kh}×${kw} s${sh},${sw} p${[pt, pl, pb, pr]} d${dh},${dw}${g > 1 ? ` group ${g}` : ''} → ${oh}×${ow}${c.bias ? ' bias' : ''}${n > 1 ? ` batch ${n}` : ''}`;
  const attrs: Attrs = c.oneD
    ? { strides: [sw], pads: [pl, pr], dilations: [dw], ...(g > 1 ? { group: g } : {}) }
    : { strides: [sh, sw], pads: [pt, pl, pb, pr], dilations: [dh, dw], kernel_shape: [kh, kw], ...(g > 1 ? { group: g } : {}) };
  return c.oneD
    ? { name: full, inputs: [[n, c.c, c.w], [c.m, c.c / g, kw], c.bias ? [c.m] : undefined], output: [n, c.m, ow], attrs }
    : { name: full, inputs: [[n, c.c, c.h, c.w], [c.m, c.c / g, kh, kw], c.bias ? [c.m] : undefined], output: [n, c.m, oh, ow], attrs };
}

const OW_EDGE = [1, 7, 8, 9, 17];

/** Group-1 convs that are not pointwise (the im2col path of f32-conv-4x8-wasmsimd). */
function kxkCases(): Case[] {
  const out: Case[] = [];
  for (const [i, ow] of OW_EDGE.entries()) {
    const bias = i % 2 === 0;
    out.push(winCase('3×3 s1 p1', { c: 3, m: 5, h: 3, w: ow, k: [3, 3], p: [1, 1, 1, 1], bias }));
    out.push(winCase('3×3 s2 p1', { c: 5, m: 9, h: 5, w: 2 * ow - (i % 2), k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], bias: !bias }));
    out.push(winCase('3×3 s1 p0 dilation 2', { c: 2, m: 4, h: 6, w: ow + 4, k: [3, 3], d: [2, 2], bias }));
    out.push(winCase('7×7 s2 p3 stem', { c: 3, m: 6, h: 7, w: 2 * ow, k: [7, 7], s: [2, 2], p: [3, 3, 3, 3], bias: true }));
    out.push(winCase('3×3 s1 p3', { c: 1, m: 3, h: 2, w: Math.max(1, ow - 4), k: [3, 3], p: [3, 3, 3, 3], bias }));
    // convPadded (≤ 4 input channels, column stride 1 or 2): odd and even begin pads, N mod 4 rows,
    // dilations whose taps land in both halves of a deinterleaved row
    out.push(winCase('7×7 s2 stem, pads 3,2,1,3, odd width', { c: 3, m: 9, h: 9, w: 2 * ow + 3, k: [7, 7], s: [2, 2], p: [3, 2, 1, 3], bias }));
    out.push(winCase('5×5 s1 dilation 2, 1 channel', { c: 1, m: 4, h: 7, w: ow + 8, k: [5, 5], d: [2, 2], p: [4, 4, 4, 4], bias: !bias }));
    out.push(winCase('3×3 s2 dilations 2,3, 4 channels', { c: 4, m: 7, h: 8, w: 2 * ow + 5, k: [3, 3], s: [2, 2], d: [2, 3], p: [2, 1, 0, 2], bias }));
    out.push(winCase('3×5 strides 2,1, 2 channels', { c: 2, m: 5, h: 6, w: ow + 2, k: [3, 5], s: [2, 1], p: [1, 2, 0, 1], bias }));
  }
  // im2col tiles of PT = im2colTile(K, P) pixels, ending mid-row, the last one partial.
  out.push(winCase('2 im2col tiles (448 + 81 pixels)', { c: 16, m: 7, h: 23, w: 23, k: [3, 3], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('2 im2col tiles, s2 (248 + 172 pixels)', { c: 29, m: 5, h: 41, w: 39, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1] }));
  out.push(winCase('1×1 stride 2', { c: 6, m: 5, h: 5, w: 9, k: [1, 1], s: [2, 2], bias: true }));
  out.push(winCase('1×1 with pads', { c: 3, m: 4, h: 2, w: 3, k: [1, 1], p: [1, 0, 0, 2] }));
  out.push(winCase('asymmetric pads, 5×3', { c: 4, m: 5, h: 6, w: 9, k: [5, 3], s: [1, 2], p: [0, 1, 2, 3], bias: true }));
  out.push(winCase('batch 2', { n: 2, c: 3, m: 5, h: 4, w: 9, k: [3, 3], s: [2, 1], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('1-D', { c: 5, m: 6, h: 1, w: 17, k: [1, 3], s: [1, 2], p: [0, 1, 0, 1], bias: true, oneD: true }));
  out.push(winCase('1-D, 2 channels (convPadded)', { c: 2, m: 5, h: 1, w: 19, k: [1, 5], s: [1, 2], p: [0, 2, 0, 1], bias: true, oneD: true }));
  out.push(winCase('3 channels, column stride 3 (im2col)', { c: 3, m: 4, h: 9, w: 20, k: [3, 3], s: [2, 3], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('7×7 s2 stem, 3×64×64 (several 4×8 tiles)', { c: 3, m: 16, h: 64, w: 64, k: [7, 7], s: [2, 2], p: [3, 3, 3, 3], bias: true }));
  // convWinograd (3–4 channels, windows 4×4 per stride-2 phase, outputs ≥ 24 wide and 3 tall): output
  // widths around the 12-column store of 4 tiles and the 8-tile product block (24–27, 35–37, 49),
  // heights not a multiple of the 3-row tile, N not a multiple of 4, odd image widths and asymmetric
  // pads (the deinterleaved halves), 8×8, batch 2.
  for (const [i, ow] of [24, 25, 26, 27, 35, 36, 37, 49].entries()) {
    const oh = 3 + (i % 4);
    out.push(winCase('Winograd 7×7 s2 p3', { c: 3 + (i % 2), m: 1 + 4 * (i % 3) + (i % 2), h: 2 * oh, w: 2 * ow - (i % 2), k: [7, 7], s: [2, 2], p: [3, 3, 3, 3], bias: i % 2 === 0 }));
    out.push(winCase('Winograd 7×7 s2 pads 3,2,1,3', { c: 3, m: 5, h: 2 * oh + 1, w: 2 * ow + 1, k: [7, 7], s: [2, 2], p: [3, 2, 1, 3], bias: i % 2 === 1 }));
  }
  out.push(winCase('Winograd 8×8 s2 p3,4', { c: 4, m: 7, h: 13, w: 57, k: [8, 8], s: [2, 2], p: [3, 4, 4, 3], bias: true }));
  out.push(winCase('4×4 s1 p1,2 (convPadded)', { c: 4, m: 6, h: 10, w: 21, k: [4, 4], p: [1, 2, 2, 1], bias: true }));
  out.push(winCase('Winograd 7×7 s2 no pads, batch 2', { n: 2, c: 3, m: 4, h: 19, w: 55, k: [7, 7], s: [2, 2] }));
  return out;
}

/**
 * k×k convs for the CSR kernel (convCsrPhased): the dense k×k cases, plus images of several
 * R-row tiles (R = phasedDims(…).R < OH), each at 50% and 90% (empty rows), some at 95% and all zero.
 */
function kxkCsrCases(): Case[] {
  const out = [
    ...kxkCases(),
    winCase('phased tiles of 3 rows', { c: 4, m: 130, h: 8, w: 64, k: [3, 3], p: [1, 1, 1, 1], bias: true }),
    winCase('phased tiles of 3 rows, s2', { c: 3, m: 130, h: 15, w: 127, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1] }),
  ];
  return out.flatMap((c, i) => [
    { ...c, name: `${c.name}, 50%`, sparsity: 0.5 },
    { ...c, name: `${c.name}, 90%, empty rows`, sparsity: 0.9, emptyRows: [0, 2] },
    ...(i % 3 === 0 ? [{ ...c, name: `${c.name}, 95%`, sparsity: 0.95 }, { ...c, name: `${c.name}, all zero`, allZero: true }] : []),
  ]);
}

/** Depthwise convs (group = C_in = C_out) for f32-conv-1x8-wasmsimd. */
function dwCases(): Case[] {
  const out: Case[] = [];
  for (const [i, ow] of OW_EDGE.entries()) {
    const bias = i % 2 === 0;
    for (const c of [3, 5]) {
      out.push(winCase('dw 3×3 s1 p1', { c, m: c, group: c, h: 4, w: ow, k: [3, 3], p: [1, 1, 1, 1], bias }));
      out.push(winCase('dw 3×3 s2 p1', { c, m: c, group: c, h: 5, w: 2 * ow - (i % 2), k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], bias: !bias }));
    }
    out.push(winCase('dw 3×3 s2 p1, odd +1', { c: 2, m: 2, group: 2, h: 3, w: 2 * ow + 1, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], bias }));
    out.push(winCase('dw 3×3 s1 p0', { c: 3, m: 3, group: 3, h: 3, w: ow + 2, k: [3, 3], bias }));
    out.push(winCase('dw 3×3 s1 p3', { c: 3, m: 3, group: 3, h: 2, w: Math.max(1, ow - 4), k: [3, 3], p: [3, 3, 3, 3], bias }));
    out.push(winCase('dw 3×3 dilation 2 p2', { c: 2, m: 2, group: 2, h: 5, w: ow, k: [3, 3], d: [2, 2], p: [2, 2, 2, 2], bias }));
    out.push(winCase('dw 5×5 s2 p2', { c: 3, m: 3, group: 3, h: 6, w: 2 * ow, k: [5, 5], s: [2, 2], p: [2, 2, 2, 2], bias: true }));
    // dwconvKxKp (column stride 1 or 2, windows other than 3×3 up to 7×7)
    out.push(winCase('dw 5×5 s1 p2', { c: 5, m: 5, group: 5, h: 3, w: ow, k: [5, 5], p: [2, 2, 2, 2], bias }));
    out.push(winCase('dw 7×7 s1 p3', { c: 3, m: 3, group: 3, h: 2, w: ow, k: [7, 7], p: [3, 3, 3, 3], bias: !bias }));
    out.push(winCase('dw 5×3 strides 2,1, pads 1,0,2,2', { c: 4, m: 4, group: 4, h: 7, w: ow + 2, k: [5, 3], s: [2, 1], p: [1, 0, 2, 2], bias }));
    out.push(winCase('dw 1×1', { c: 6, m: 6, group: 6, h: 2, w: ow, k: [1, 1], bias }));
    out.push(winCase('dw 5×5 s2 p2, odd +1', { c: 3, m: 3, group: 3, h: 7, w: 2 * ow + 1, k: [5, 5], s: [2, 2], p: [2, 2, 2, 2], bias }));
    out.push(winCase('dw 7×7 s2 p3 pads 3,2,1,3', { c: 2, m: 2, group: 2, h: 9, w: 2 * ow + 3, k: [7, 7], s: [2, 2], p: [3, 2, 1, 3], bias: !bias }));
    out.push(winCase('dw 3×5 strides 1,2, pads 0,1,1,0', { c: 4, m: 4, group: 4, h: 4, w: 2 * ow, k: [3, 5], s: [1, 2], p: [0, 1, 1, 0], bias }));
  }
  out.push(winCase('dw asymmetric pads, row stride 3', { c: 7, m: 7, group: 7, h: 10, w: 19, k: [3, 3], s: [3, 1], p: [0, 1, 2, 0], bias: true }));
  // dwconv3x3p (3×3, dilation 1): 1×1 and 1×2 output planes (a row's vector runs over several later planes), row stride 2 with column stride 1
  out.push(winCase('dw 3×3 1×1 output, 9 channels', { c: 9, m: 9, group: 9, h: 3, w: 3, k: [3, 3], bias: true }));
  out.push(winCase('dw 3×3 s2 p1, 1×2 output, 6 channels', { c: 6, m: 6, group: 6, h: 2, w: 3, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1] }));
  // column stride 2 (rows stored deinterleaved): even and odd begin pads, rows of 8+ columns and odd widths
  out.push(winCase('dw 3×3 s2 p0, odd width', { c: 3, m: 3, group: 3, h: 7, w: 19, k: [3, 3], s: [2, 2], bias: true }));
  out.push(winCase('dw 3×3 s2 pads 2,2,0,1', { c: 4, m: 4, group: 4, h: 8, w: 20, k: [3, 3], s: [2, 2], p: [2, 2, 0, 1] }));
  out.push(winCase('dw 3×3 strides 1,2, pads 0,1,1,0', { c: 3, m: 3, group: 3, h: 6, w: 33, k: [3, 3], s: [1, 2], p: [0, 1, 1, 0], bias: true }));
  out.push(winCase('dw 3×3 strides 2,1, pads 2,0,1,3', { c: 5, m: 5, group: 5, h: 9, w: 13, k: [3, 3], s: [2, 1], p: [2, 0, 1, 3], bias: true }));
  out.push(winCase('dw batch 2', { n: 2, c: 6, m: 6, group: 6, h: 5, w: 18, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('dw 5×5 batch 2, 432 channels of 7×7 (MobileNetV3)', { n: 2, c: 432, m: 432, group: 432, h: 7, w: 7, k: [5, 5], p: [2, 2, 2, 2], bias: true }));
  out.push(winCase('dw 1-D', { c: 5, m: 5, group: 5, h: 1, w: 20, k: [1, 3], s: [1, 2], p: [0, 1, 0, 1], bias: true, oneD: true }));
  // dwconv3x3d (left pad 1, right pad ≤ 1; column stride 2, or 1 on rows of DW_DIRECT_MIN_W+ columns):
  // rows of 24–41 columns (interior vectors in pairs, one, none; the last vector 1–4 lanes), right
  // pad 0, top pads 0 and 2 (zero rows above and below), row stride 2 at column stride 1, channel
  // counts not a multiple of 4, column stride 2 on rows of 2–17 columns (every vector an edge)
  for (const [i, w] of [24, 25, 26, 27, 28, 31, 33, 41].entries()) {
    out.push(winCase(`dw 3×3 s1 direct, pads 1,1,1,0, ${w} columns`, { c: 3 + (i % 3), m: 3 + (i % 3), group: 3 + (i % 3), h: 3 + (i % 4), w, k: [3, 3], p: [1, 1, 1, 0], bias: i % 2 === 0 }));
  }
  out.push(winCase('dw 3×3 s1 direct, pads 0,1,2,0', { c: 5, m: 5, group: 5, h: 6, w: 30, k: [3, 3], p: [0, 1, 2, 0], bias: true }));
  out.push(winCase('dw 3×3 strides 2,1 direct, pads 2,1,1,1', { c: 3, m: 3, group: 3, h: 9, w: 29, k: [3, 3], s: [2, 1], p: [2, 1, 1, 1] }));
  for (const w of [2, 3, 5, 6, 7, 8, 9, 10, 15, 16, 17]) {
    out.push(winCase(`dw 3×3 s2 direct, pads ${w % 2 ? 2 : 0},1,1,1, ${w} columns`, { c: 5, m: 5, group: 5, h: 4 + (w % 3), w, k: [3, 3], s: [2, 2], p: [w % 2 ? 2 : 0, 1, 1, 1], bias: w % 2 === 0 }));
  }
  out.push(winCase('dw 3×3 s2 direct, pads 0,1,0,0', { c: 6, m: 6, group: 6, h: 8, w: 18, k: [3, 3], s: [2, 2], p: [0, 1, 0, 0], bias: true }));
  // dwconv3x3s2 (strides 2, top and left pads 1, bottom and right 0 or 1, column strips): rows of
  // 1–33 columns (one strip reaching the row's end, first + inner + last strips, last strips of
  // 1–4 outputs), odd and even heights (the bottom pad read or not), one or two rows, batch 2
  for (const [i, w] of [1, 2, 3, 5, 6, 7, 8, 9, 10, 15, 16, 17, 23, 24, 33].entries()) {
    const p: [number, number, number, number] = [1, 1, i % 2, (i >> 1) % 2];
    out.push(winCase(`dw 3×3 s2 strips, pads ${p}, ${w} columns`, { c: 2 + (i % 4), m: 2 + (i % 4), group: 2 + (i % 4), h: 1 + (i % 6), w, k: [3, 3], s: [2, 2], p, bias: i % 3 !== 0 }));
  }
  out.push(winCase('dw 3×3 s2 strips, batch 2, 5 channels of 13×21', { n: 2, c: 5, m: 5, group: 5, h: 13, w: 21, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], bias: true }));
  // dwconv3x3f (strides 1, pads 1, rows under DW_FLAT_MAX_W columns): planes of fewer than 4
  // outputs (a vector spans several planes), one row, one column, plane sizes not a multiple of 4
  for (const [h, w] of [[1, 2], [1, 1], [3, 1], [2, 3], [5, 4], [4, 4], [7, 3], [1, DW_FLAT_MAX_W - 1]] as const) {
    out.push(winCase(`dw 3×3 s1 p1 flat, ${h}×${w}`, { c: 5, m: 5, group: 5, h, w, k: [3, 3], p: [1, 1, 1, 1], bias: (h + w) % 2 === 0 }));
  }
  // dwconv3x3s (strides 1, pads 1, rows of DW_STRIP_MIN_W+ columns, column strips): one strip
  // reaching the row's end (5–7 columns), first + last strips, interior strips, last strips of
  // 1–4 columns, one to three rows (the pad rows both ends of one strip), channel counts 2–6
  for (const [i, [h, w]] of ([[1, DW_STRIP_MIN_W], [2, 6], [3, 7], [1, 8], [4, 9], [5, 10], [2, 11], [6, 12], [3, 13],
    [7, 16], [2, 17], [5, 23], [3, 24], [4, 30], [9, 41]] as const).entries()) {
    out.push(winCase(`dw 3×3 s1 p1 strips, ${h}×${w}`, { c: 2 + (i % 5), m: 2 + (i % 5), group: 2 + (i % 5), h, w, k: [3, 3], p: [1, 1, 1, 1], bias: i % 2 === 0 }));
  }
  out.push(winCase('dw 3×3 s1 p1 strips, batch 2, 7 channels of 20×19', { n: 2, c: 7, m: 7, group: 7, h: 20, w: 19, k: [3, 3], p: [1, 1, 1, 1], bias: true }));
  // dwconv3x3c (output rows of DW_BLOCKED_MIN_OW..DW_BLOCKED_MAX_OW columns, 4 channels a block):
  // channel counts 2–9 (a last block of 1–3), rows whose last pass overlaps (odd OW), planes not a
  // multiple of 4 pixels, strides 2 and mixed, asymmetric and zero pads, row stride 3, rows under
  // 4 columns (copied in one pixel at a time) inside wide pads, batch 2
  for (const [i, [c, h, w, s, p]] of ([
    [2, 3, DW_BLOCKED_MIN_OW, [1, 1], [1, 1, 0, 1]], [3, 5, 9, [1, 1], [1, 1, 0, 1]], [5, 4, DW_BLOCKED_MAX_OW, [1, 1], [0, 1, 1, 1]],
    [6, 9, 13, [1, 1], [0, 2, 1, 0]], [7, 7, 2 * DW_BLOCKED_MIN_OW, [2, 2], [1, 0, 1, 1]], [9, 8, 2 * DW_BLOCKED_MAX_OW - 1, [2, 2], [1, 0, 1, 1]],
    [4, 11, 22, [2, 2], [0, 0, 0, 1]], [2, 10, 19, [3, 2], [2, 1, 0, 0]], [8, 6, 11, [2, 1], [1, 2, 1, 0]],
    [3, 2, 2, [1, 1], [4, 4, 4, 4]], [5, 3, 3, [1, 1], [2, 3, 2, 4]],
  ] as const).entries()) {
    out.push(winCase(`dw 3×3 blocked, ${c} channels of ${h}×${w}, strides ${s}, pads ${p}`, { c, m: c, group: c, h, w, k: [3, 3], s: [...s], p: [...p], bias: i % 2 === 0 }));
  }
  out.push(winCase('dw 3×3 blocked, batch 2, 6 channels of 14×14, pads 1,1,1,0', { n: 2, c: 6, m: 6, group: 6, h: 14, w: 14, k: [3, 3], p: [1, 1, 1, 0], bias: true }));
  out.push(winCase('dw 3×3 strips, 192 channels of 14×14 (MobileNetV2)', { c: 192, m: 192, group: 192, h: 14, w: 14, k: [3, 3], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('dw 3×3 strips, 16 channels of 112×112 (MobileNetV2)', { c: 16, m: 16, group: 16, h: 112, w: 112, k: [3, 3], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('dw 3×3 s2 strips, batch 2, 144 channels of 28×28 (MobileNetV2)', { n: 2, c: 144, m: 144, group: 144, h: 28, w: 28, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('dw 3×3 s1 p1 strips, batch 2, 480 channels of 7×7 (MobileNetV2)', { n: 2, c: 480, m: 480, group: 480, h: 7, w: 7, k: [3, 3], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('dw 3×3 s1 p1 strips, batch 2, 96 channels of 28×28 (MobileNetV2)', { n: 2, c: 96, m: 96, group: 96, h: 28, w: 28, k: [3, 3], p: [1, 1, 1, 1], bias: true }));
  out.push(winCase('dw 3×3 s2 strips, 48 channels of 112×112 (MobileNetV2)', { c: 48, m: 48, group: 48, h: 112, w: 112, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], bias: true }));
  return out;
}

/** MaxPool (f32-maxpool-1x4-wasmsimd): output widths 1, 7, 8, 9, 17, strides 1/2/3, pads, dilation, ceil_mode, 1-D, batch 2. */
function maxPoolCases(): Case[] {
  const out: Case[] = [];
  const pool = (name: string, x: number[], k: number[], attrs: Attrs, y: number[]): void => {
    out.push({ name: `maxpool ${name}: [${x}] k${k.join('×')} → [${y}]`, inputs: [x], output: y, attrs: { kernel_shape: k, ...attrs } });
  };
  for (const ow of OW_EDGE) {
    pool('3×3 s2', [1, 3, 5, 2 * ow + 1], [3, 3], { strides: [2, 2] }, [1, 3, 2, ow]);
    pool('3×3 s2 p1', [1, 2, 6, 2 * ow], [3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }, [1, 2, 3, ow]);
    pool('3×3 s1 p1', [1, 5, 3, ow], [3, 3], { pads: [1, 1, 1, 1] }, [1, 5, 3, ow]);
    pool('2×2 s2', [1, 3, 4, 2 * ow], [2, 2], { strides: [2, 2] }, [1, 3, 2, ow]);
    pool('3×3 s3', [1, 2, 3, 3 * ow], [3, 3], { strides: [3, 3] }, [1, 2, 1, ow]);
    pool('3×3 s2 ceil_mode', [1, 2, 6, 2 * ow], [3, 3], { strides: [2, 2], ceil_mode: 1 }, [1, 2, 3, ow]);
  }
  pool('3×3 s2, squeezenet 111→55 rows', [1, 3, 7, 111], [3, 3], { strides: [2, 2] }, [1, 3, 3, 55]);
  pool('3×3 dilation 2 p2', [1, 2, 5, 17], [3, 3], { dilations: [2, 2], pads: [2, 2, 2, 2] }, [1, 2, 5, 17]);
  pool('asymmetric pads, 3×2, strides 2,1', [1, 3, 7, 9], [3, 2], { strides: [2, 1], pads: [0, 1, 2, 0] }, [1, 3, 4, 9]);
  pool('batch 2', [2, 3, 6, 19], [3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }, [2, 3, 3, 10]);
  pool('1-D s2 p1', [1, 4, 21], [3], { strides: [2], pads: [1, 1] }, [1, 4, 11]);
  pool('window wider than the row, p2', [1, 2, 2, 1], [5, 5], { pads: [2, 2, 2, 2] }, [1, 2, 2, 1]);
  // the row-buffer paths of maxpool1x4: windows of 1, 2, 3 and 5 rows (unrolled and looped), row
  // widths not a multiple of 4, column stride 2 with a dilated or 2-wide window (not the 3-wide
  // shuffles), column stride 3 (scalar), ceil_mode windows ending in the padding
  for (const ow of [1, 3, 6, 9]) {
    pool('1×3 s1 p0,1', [1, 3, 2, ow + 1], [1, 3], { pads: [0, 1, 0, 1] }, [1, 3, 2, ow + 1]);
    pool('5×5 s2 p2', [1, 2, 9, 2 * ow + 1], [5, 5], { strides: [2, 2], pads: [2, 2, 2, 2] }, [1, 2, 5, ow + 1]);
    pool('3×3 s2, column dilation 2', [1, 2, 5, 2 * ow + 4], [3, 3], { strides: [2, 2], dilations: [1, 2] }, [1, 2, 2, ow]);
    pool('2×2 s2 end pads 1 ceil_mode, odd width', [1, 3, 5, 2 * ow + 1], [2, 2], { strides: [2, 2], pads: [0, 0, 1, 1], ceil_mode: 1 }, [1, 3, 3, ow + 1]);
    pool('3×3 s3 p1 ceil_mode', [1, 2, 7, 3 * ow + 2], [3, 3], { strides: [3, 3], pads: [1, 1, 1, 1], ceil_mode: 1 }, [1, 2, 3, ow + 1]);
  }
  pool('3×3 s2 p1, resnet 112→56 rows', [1, 2, 4, 112], [3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }, [1, 2, 2, 56]);
  return out;
}

/** Add (same shapes) and Relu (f32-add-1x4, f32-relu-1x4): sizes 1, 3, 4, 5, 9, 33 around the 4-float vector, batch 2. */
function eltwiseCases(op: string): Case[] {
  return [[1], [3], [4], [5], [1, 9], [3, 11], [2, 3, 5, 7]].map((s) => ({
    name: `${op} [${s}]`, inputs: op === 'Add' ? [s, s] : [s], output: s, attrs: {},
  }));
}

/**
 * The activations, broadcasting binaries and global pool of wasm/activation.ts, wasm/binary.ts
 * and wasm/globalpool.ts: sizes
 * around the 4-float vector; Clip by attributes and by one bound input; every broadcast form of
 * the js binary kernels' edge cases (scalar, per-channel, per-row, outer product, empty).
 */
function fastCases(k: Kernel): Case[] | undefined {
  if (k.tile === 'bcast') return elementwiseEdgeCases(k.op)!.map((c) => ({ name: c.name, inputs: c.inputs, output: c.output, attrs: c.attrs }));
  if (k.op === 'GlobalAveragePool') {
    // planes of 1, 3, 4, 7, 8, 9, 33 floats (around the 8-lane step), rank 3 and 5, batch 2
    return [[1, 3, 1, 1], [2, 5, 1, 3], [1, 4, 2, 2], [1, 2, 7], [1, 6, 2, 4], [2, 3, 3, 3], [1, 5, 3, 11], [1, 2, 2, 3, 5], [1, 96, 7, 7]]
      .map((s) => ({ name: `gap [${s}]`, inputs: [s], output: s.map((d, i) => (i < 2 ? d : 1)), attrs: {} }));
  }
  // Row ops (wasm/rownorm.ts): rows of 1, 3, 4, 5, 7, 9, 33 floats (vector body and scalar tail), LayerNormalization with and without bias.
  const rowShapes = [[1], [3, 4], [2, 5], [3, 7], [2, 3, 9], [4, 33], [2, 17, 31]];
  if (k.op === 'Softmax') return rowShapes.map((s) => ({ name: `softmax [${s}]`, inputs: [s], output: s, attrs: {} }));
  if (k.op === 'LayerNormalization') {
    return rowShapes.map((s, i) => {
      const len = s[s.length - 1]!;
      return { name: `layernorm [${s}]${i % 2 ? ' no bias' : ''}`, inputs: i % 2 ? [s, [len]] : [s, [len], [len]], output: s, attrs: { epsilon: 1e-5 } };
    });
  }
  if (k.op === 'Gelu') {
    const shapes = [[1], [3], [4], [5], [1, 9], [3, 11], [2, 3, 5, 7]];
    return [...shapes.map((s) => ({ name: `gelu [${s}]`, inputs: [s], output: s, attrs: {} })),
      ...shapes.map((s) => ({ name: `gelu tanh [${s}]`, inputs: [s], output: s, attrs: { approximate: 'tanh' } }))];
  }
  const unary = ['Exp', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Clip'];
  if (!unary.includes(k.op)) return undefined;
  const sizes = [[1], [3], [4], [5], [1, 9], [3, 11], [2, 3, 5, 7]];
  const attrs: Attrs = k.op === 'HardSigmoid' ? { alpha: 0.3, beta: 0.4 } : k.op === 'Clip' ? { min: -0.25, max: 0.5 } : {};
  const out = sizes.map((s) => ({ name: `${k.op} [${s}]`, inputs: [s], output: s, attrs }));
  if (k.op === 'Clip') out.push({ name: 'Clip, min as input 1', inputs: [[3, 5], []], output: [3, 5], attrs: {} }, { name: 'Clip, max as input 2', inputs: [[3, 5], undefined, []], output: [3, 5], attrs: {} } as never);
  return out;
}

function gemmCases(csr: boolean): Case[] {
  const out: Case[] = [];
  // CSR: M is the pixel count of spmm24x1 (Yᵀ = W·op(A)ᵀ), so also 24 − 1, 24, 24 + 1 and 2·24 + 1.
  for (const m of csr ? [1, 3, 8, 17, 23, 24, 25, 49] : [1, 3, 8, 17]) {
    for (const n of [1, 4, 5, 9, 33]) {
      for (const k of [3, 5, 9]) {
        for (const [ta, tb] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
          const v = (m + n + k + ta + 2 * tb) % 4; // vary C and alpha/beta across the grid
          const cShape = v === 0 ? undefined : v === 1 ? [n] : v === 2 ? [m, n] : [1];
          const attrs: Attrs = { transA: ta, transB: tb, ...(v === 3 ? { alpha: 0.5, beta: 2 } : {}) };
          out.push({
            name: `gemm M=${m} N=${n} K=${k} transA=${ta} transB=${tb} C=${cShape ? `[${cShape}]` : 'none'}${v === 3 ? ' alpha 0.5 beta 2' : ''}`,
            inputs: [ta ? [k, m] : [m, k], tb ? [n, k] : [k, n], cShape], output: [m, n], attrs,
          });
        }
      }
    }
  }
  // one row of A with transB (gemv1, 16 floats per step): K around its step, its vector tail and its scalar tail
  for (const k of [15, 16, 17, 20, 33, 47, 64]) {
    for (const n of [1, 5]) {
      const cShape = k % 2 === 0 ? [n] : undefined;
      out.push({ name: `gemv M=1 N=${n} K=${k} transB=1 C=${cShape ? `[${cShape}]` : 'none'}`, inputs: [[1, k], [n, k], cShape], output: [1, n], attrs: { transB: 1 } });
    }
  }
  if (!csr) return out;
  return out.flatMap((c, i) => [
    { ...c, name: `${c.name}, 50%`, sparsity: 0.5 },
    { ...c, name: `${c.name}, 90%, empty rows`, sparsity: 0.9, emptyRows: [0] },
    ...(i % 8 === 0 ? [{ ...c, name: `${c.name}, all zero`, allZero: true }] : []),
  ]);
}

function matmulCases(csr: boolean): Case[] {
  const out: Case[] = [];
  for (const a of [[1, 5], [3, 6], [2, 4, 3], [17, 7], [2, 1, 9, 5], ...(csr ? [[23, 3], [24, 5], [5, 5, 7], [49, 6]] : [])]) {
    for (const n of [1, 4, 5, 9, 33]) {
      const k = a[a.length - 1]!;
      out.push({ name: `matmul A=[${a}] N=${n}`, inputs: [a, [k, n]], output: [...a.slice(0, -1), n], attrs: {} });
    }
  }
  if (!csr) {
    // Batched B with A's batch axes (attention): one product per batch.
    for (const [t, r, k, n] of [[2, 1, 3, 5], [4, 9, 6, 8], [3, 17, 5, 33], [2, 4, 7, 9]] as const) {
      out.push({ name: `matmul batched A=[${t},${r},${k}] B=[${t},${k},${n}]`, inputs: [[t, r, k], [t, k, n]], output: [t, r, n], attrs: {} });
    }
    out.push({ name: 'matmul batched rank 4', inputs: [[2, 3, 5, 4], [2, 3, 4, 9]], output: [2, 3, 5, 9], attrs: {} });
    // B of 1 MiB or more: packed 8-column panels (asm/panel.as), 9 rows (4-row tiles + 1), 513 columns (64 panels + 1).
    out.push({ name: 'matmul A=[9,515] N=513 (packed panels)', inputs: [[9, 515], [515, 513]], output: [9, 513], attrs: {} });
    out.push({ name: 'matmul A=[2,5,600] N=450 (packed panels)', inputs: [[2, 5, 600], [600, 450]], output: [2, 5, 450], attrs: {} });
    return out;
  }
  return out.flatMap((c, i) => [
    { ...c, name: `${c.name}, 50%`, sparsity: 0.5 },
    { ...c, name: `${c.name}, 90%, empty rows`, sparsity: 0.9, emptyRows: [0] },
    ...(i % 5 === 0 ? [{ ...c, name: `${c.name}, all zero`, allZero: true }] : []),
  ]);
}




interface Prepared { readonly want: Float32Array; readonly got: Float32Array; readonly run: RunFn; readonly data: readonly (Float32Array | undefined)[] }

/** Runs ref on plain views and prepares the wasm kernel on copies in WebAssembly memory (the relaxed-SIMD module where there is one, unless `relaxedSimd` is false). */
async function prepareCase(k: Kernel, ref: Kernel, c: Case, seed: number, relaxedSimd = true): Promise<Prepared> {
  const next = rng(seed);
  const data = c.inputs.map((s) => {
    if (s === undefined) return undefined;
    const d = new Float32Array(sizeOf(s));
    for (let i = 0; i < d.length; i++) d[i] = next();
    return d;
  });
  const attrs = { ...c.attrs, ...epilogueAttrs(k) };
  let weight: TensorView | undefined;
  if (k.format === 'csr') {
    const wShape = c.inputs[1]!;
    const transB = c.attrs['transB'] === 1;
    const op = k.op as 'Conv' | 'Gemm' | 'MatMul';
    const { rows, cols } = weightMatrixShape(op, wShape, transB);
    const mat = new Float32Array(rows * cols);
    for (let i = 0; i < mat.length; i++) {
      const r = Math.floor(i / cols);
      const keep = !c.allZero && !(c.emptyRows ?? []).includes(r) && (next() + 1) / 2 >= (c.sparsity ?? 0);
      mat[i] = keep ? next() : 0;
    }
    data[1] = fromWeightMatrix(op, wShape, transB, mat) as Float32Array<ArrayBuffer>;
    weight = { dtype: 'float32', shape: wShape, data: new Float32Array(0), packed: packCsr(rows, cols, mat) };
  }
  const want = new Float32Array(sizeOf(c.output)).fill(Number.NaN);
  ref.prepare({ node: 'ref', inputs: c.inputs.map((s, i) => s && plain(s, data[i]!)), outputs: [plain(c.output, want)], attrs })();

  const probe = { inputs: c.inputs.map((s, i) => s && (i === 1 && weight ? weight : plain(s, data[i]!))), outputs: [plain(c.output, want)], attrs };
  const shapes = nodeShapesOf({ node: 'probe', ...probe });
  assert.ok(k.supports?.(shapes), `${k.id} should support ${c.name}`);
  const fixed = data.reduce((a, d) => a + (d ? d.length * 4 + 16 : 0), 0) + sizeOf(c.output) * 4 + 16;
  const space = await createWasmSpace(fixed, k.scratchBytes!(shapes) + 64, k.wasmModules!, relaxedSimd);
  assert.ok(space, 'WebAssembly SIMD is available');
  assert.equal(space.relaxed, relaxedSimd && relaxedSimdAvailable(), 'the module asked for');
  const inputs = c.inputs.map((s, i) => s && (i === 1 && weight ? weight : wasmView(space, s, data[i]!)));
  const y = wasmView(space, c.output, new Float32Array(sizeOf(c.output)).fill(Number.NaN));
  // Scratch starts as NaN, not zeros: a kernel may read only scratch it wrote.
  const free = space.alloc(0);
  new Float32Array(space.memory.buffer, free, (space.memory.buffer.byteLength - free) / 4).fill(Number.NaN);
  const run = k.prepare({ node: `test-${k.id}`, inputs, outputs: [y], attrs, wasm: space });
  return { want, got: y.data as Float32Array, run, data };
}

/** "row n (tile rows 4·⌊n/4⌋…), pixel p (tile ⌊p/T⌋)" for the kernel's layout. */
function tileOf(k: Kernel, c: Case, i: number): string {
  const conv = k.op === 'Conv';
  // Gemm/MatMul: element i = (row of A, column j of Y); the kernel's rows are j (Yᵀ = W·Aᵀ) or A's rows (Y = A·B).
  const P = conv ? sizeOf(c.output.slice(2)) : 0;
  const nOut = c.output[c.output.length - 1]!;
  const rowsAre = conv ? 'channel' : 'output column';
  const [row, p] = conv ? [Math.floor(i / P) % c.output[1]!, i % P] : [i % nOut, Math.floor(i / nOut)];
  const tile = k.id.includes('24x1') ? 24 : 8;
  return `${rowsAre} ${row} (row tile ${Math.floor(row / 4)}), pixel ${p} (pixel tile ${Math.floor(p / tile)} of ${tile})`;
}

const simd = wasmSimdAvailable();
// Under --experimental-wasm-relaxed-simd (wasm-relaxed.test.ts runs this file so) the kernels
// run the relaxed-SIMD module, and each case also runs on the SIMD128 one: the two must agree
// within assertModulesAgree's bound.
const relaxed = relaxedSimdAvailable();

describe('wasmsimd kernels vs ref kernels, in WebAssembly memory', function () {
  this.timeout(120_000);
  it('WebAssembly SIMD128 is available here (Node 20)', () => assert.ok(simd));
  it('there are dense and csr wasmsimd kernels for Conv and Gemm, and depthwise Conv kernels, every epilogue', () => {
    for (const e of ['', 'relu', 'clip']) assert.ok(WASMSIMD_KERNELS.some((k) => k.op === 'Conv' && k.id.includes('-1x8-') && k.epilogue === e), `depthwise '${e}'`);
    for (const op of ['Conv', 'Gemm', 'MatMul']) {
      for (const f of ['dense', 'csr']) {
        for (const e of ['', 'relu', 'clip']) assert.ok(WASMSIMD_KERNELS.some((k) => k.op === op && (k.format ?? 'dense') === f && k.epilogue === e), `${op} ${f} '${e}'`);
      }
    }
    for (const k of WASMSIMD_KERNELS) assert.ok(ALL_KERNELS.includes(k), `${k.id} is registered`);
  });

  // nm and bsr (row-block) kernels: wasm-rowblock.test.ts; LSTM/GRU/RNN (several outputs, integer sequence_lens): recurrent.test.ts;
  // the int8 kernels and QuantizeLinear (integer operands, bit-exact): wasm-int8.test.ts.
  for (const k of WASMSIMD_KERNELS.filter((x) => x.format !== 'nm' && x.format !== 'bsr' && !['LSTM', 'GRU', 'RNN'].includes(x.op) && x.dtype !== 'i8' && x.op !== 'QuantizeLinear')) {
    const ref = ALL_KERNELS.find((r) => r.target === 'ref' && r.op === k.op && r.epilogue === k.epilogue && (r.format ?? 'dense') === 'dense')!;
    const csr = k.format === 'csr';
    const cases = fastCases(k) ?? (k.op === 'MaxPool' ? maxPoolCases() : k.op === 'Add' || k.op === 'Relu' ? eltwiseCases(k.op) : k.op !== 'Conv' ? (k.op === 'Gemm' ? gemmCases(csr) : matmulCases(csr))
      : k.id.includes('-1x8-') ? dwCases() : csr ? [...convCases(true), ...kxkCsrCases()] : [...convCases(false), ...kxkCases()]);
    const ref0 = ALL_KERNELS.find((r) => r.target === 'ref' && r.op === k.op && r.epilogue === '' && (r.format ?? 'dense') === 'dense')!;
    const denseConv = k.op === 'Conv' && k.id.includes('-4x8-') && (k.format ?? 'dense') === 'dense';
    it(`${k.id} matches ${ref.id} on ${cases.length} edge cases${relaxed ? ' (relaxed SIMD), and the SIMD128 module within the madd bound' : ''}`, async function () {
      if (!simd) this.skip();
      for (const [ci, c] of cases.entries()) {
        const { want, got, run, data } = await prepareCase(k, ref, c, 4242 + ci);
        withoutAllocation(run);
        // the dense conv's Winograd path (convWinograd) rounds relative to the terms' magnitudes, not the
        // output's: 2⁻¹⁶ · Σ|w·x| more where outputs cancel (the path measures about 2⁻¹⁹ on a 7×7 stem)
        const sums = denseConv ? absoluteSums(ref0, c.inputs, data, c.output, c.attrs) : undefined;
        const tol = (i: number, e: number): number => 1e-4 * Math.abs(e) + 1e-5 + (sums ? sums[i]! * 2 ** -16 : 0);
        for (let i = 0; i < want.length; i++) {
          const e = want[i]!, g = got[i]!;
          if (!(Math.abs(g - e) <= tol(i, e))) {
            assert.fail(`${k.id}, case '${c.name}': output[${i}] of shape [${c.output}] = ${g}, ref ${e}; ${tileOf(k, c, i)}`);
          }
        }
        run(); // a second run over the same views gives the same numbers (no state between runs)
        for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i]! - want[i]!) <= tol(i, want[i]!))) assert.fail(`${k.id}, case '${c.name}', second run: output[${i}]`);
        if (relaxed) {
          const simd128 = await prepareCase(k, ref, c, 4242 + ci, false);
          simd128.run();
          const K = reductionLength(k.op, c.inputs, c.attrs);
          assertModulesAgree(k, c.name, got, simd128.got, { K, x: data[0], absolute: K === undefined ? undefined : absoluteSums(ref0, c.inputs, data, c.output, c.attrs) });
        }
      }
    });
  }
});

describe('wasmsimd kernel preconditions', function () {
  const conv = WASMSIMD_KERNELS.find((k) => k.id === 'f32-conv-4x8-wasmsimd')!;
  const shapes = (w: number[], attrs: Attrs, y = [1, 4, 5, 5]) => ({
    inputs: [{ dtype: 'float32', shape: [1, 3, 5, 5] }, { dtype: 'float32', shape: w }], outputs: [{ dtype: 'float32', shape: y }], attrs,
  });

  const dw = WASMSIMD_KERNELS.find((k) => k.id === 'f32-conv-1x8-wasmsimd')!;

  it('im2col tiles: the multi-tile test cases above really span several tiles', () => {
    assert.equal(im2colTile(16 * 9, 23 * 23), 448);
    assert.equal(im2colTile(29 * 9, 21 * 20), 248);
    assert.equal(im2colTile(3 * 49, 1), 8);
  });

  it('dwconv3x3f takes 3×3 depthwise convs with strides 1 and pads 1 on rows under DW_FLAT_MAX_W columns only', () => {
    assert.equal(flatDw3x3(3, 3, 1, 1, [1, 1, 1, 1], DW_FLAT_MAX_W - 1), true);
    assert.equal(flatDw3x3(3, 3, 1, 1, [1, 1, 1, 1], DW_FLAT_MAX_W), false, 'longer rows: dwconv3x3s');
    assert.equal(flatDw3x3(3, 3, 1, 1, [1, 1, 1, 0], 7), false, 'right pad 0');
    assert.equal(flatDw3x3(3, 3, 1, 1, undefined, 7), false, 'auto_pad');
    assert.equal(flatDw3x3(3, 3, 2, 1, [1, 1, 1, 1], 7), false, 'row stride 2');
    assert.equal(flatDw3x3(3, 3, 1, 2, [1, 1, 1, 1], 7), false, 'column stride 2');
    assert.equal(flatDw3x3(5, 5, 1, 1, [1, 1, 1, 1], 7), false, '5×5');
  });
  it('dwconv3x3s takes 3×3 depthwise convs with strides 1 and pads 1 on rows of DW_STRIP_MIN_W+ columns, dwconv3x3s2 strides 2 with top and left pads 1, and dwconv3x3f the shorter stride-1 rows', () => {
    assert.deepEqual([DW_STRIP_MIN_W - 1, DW_STRIP_MIN_W, 14, 112].map((w) => stripDw3x3(3, 3, 1, 1, [1, 1, 1, 1], w)), [false, true, true, true]);
    assert.equal(DW_FLAT_MAX_W, DW_STRIP_MIN_W, 'the flat path takes exactly the rows the strips do not');
    assert.equal(stripDw3x3(3, 3, 1, 1, [1, 1, 1, 0], 14), false, 'right pad 0');
    assert.equal(stripDw3x3(3, 3, 1, 1, undefined, 14), false, 'auto_pad');
    assert.equal(stripDw3x3(3, 3, 2, 1, [1, 1, 1, 1], 14), false, 'row stride 2');
    assert.equal(stripDw3x3(3, 3, 1, 2, [1, 1, 1, 1], 14), false, 'strides 1,2');
    assert.equal(stripDw3x3(3, 3, 2, 2, [1, 1, 1, 1], 1), true, 'strides 2, any width');
    assert.equal(stripDw3x3(3, 3, 2, 2, [1, 1, 0, 0], 14), true, 'strides 2, bottom and right pads 0');
    assert.equal(stripDw3x3(3, 3, 2, 2, [0, 1, 1, 1], 14), false, 'strides 2, top pad 0');
    assert.equal(stripDw3x3(3, 3, 2, 2, [1, 1, 2, 1], 14), false, 'strides 2, bottom pad 2');
    assert.equal(stripDw3x3(5, 5, 1, 1, [1, 1, 1, 1], 14), false, '5×5');
  });
  it('dwconv3x3c takes 3×3 depthwise convs with column stride 1 or 2 and output rows of DW_BLOCKED_MIN_OW..DW_BLOCKED_MAX_OW columns only', () => {
    assert.deepEqual([DW_BLOCKED_MIN_OW - 1, DW_BLOCKED_MIN_OW, DW_BLOCKED_MAX_OW, DW_BLOCKED_MAX_OW + 1].map((ow) => blockedDw3x3(3, 3, 1, ow)), [false, true, true, false]);
    assert.equal(blockedDw3x3(3, 3, 2, DW_BLOCKED_MAX_OW), true, 'column stride 2');
    assert.equal(blockedDw3x3(3, 3, 3, DW_BLOCKED_MAX_OW), false, 'column stride 3');
    assert.equal(blockedDw3x3(5, 5, 1, DW_BLOCKED_MAX_OW), false, '5×5');
  });
  it('dwconv3x3d takes the "direct" depthwise cases above (and those only among their neighbours), dwconv3x3p the rest', () => {
    assert.equal(directDw3x3(3, 3, 1, true, 1, DW_DIRECT_MIN_W, DW_DIRECT_MIN_W), true);
    assert.equal(directDw3x3(3, 3, 1, true, 1, 30, 29), true, 'right pad 0');
    assert.equal(directDw3x3(3, 3, 2, true, 1, 2, 1), true, 'stride 2 on a row of 2');
    assert.equal(directDw3x3(3, 3, 2, true, 1, 18, 9), true, 'stride 2, right pad 0');
    assert.equal(directDw3x3(3, 3, 1, true, 1, 17, 17), false, 'stride 1 on a short row');
    assert.equal(directDw3x3(3, 3, 1, true, 1, 30, 31), false, 'right pad 2');
    assert.equal(directDw3x3(3, 3, 1, true, 0, 30, 28), false, 'left pad 0');
    assert.equal(directDw3x3(3, 3, 2, false, 1, 112, 56), false, 'auto_pad');
    assert.equal(directDw3x3(5, 5, 2, true, 1, 112, 56), false, '5×5');
    assert.equal(directDw3x3(3, 3, 3, true, 1, 112, 38), false, 'column stride 3');
  });

  it('convWinograd takes the stems above with 3–4 channels, windows 4×4 per stride-2 phase, no dilation, outputs ≥ 24 × 3', () => {
    const g = (cin: number, K: number, s: number, OH: number, OW: number, d = 1) => ({ cin, KH: K, KW: K, sh: s, sw: s, dh: d, dw: d, OH, OW });
    assert.deepEqual([g(3, 7, 2, 112, 112), g(4, 8, 2, 3, 24)].map(winogradStem), [true, true]);
    assert.equal(winogradStem(g(2, 7, 2, 112, 112)), false, '2 channels');
    assert.equal(winogradStem(g(5, 7, 2, 112, 112)), false, '5 channels');
    assert.equal(winogradStem(g(3, 5, 2, 112, 112)), false, '5×5 s2: 3×3 per phase');
    assert.equal(winogradStem(g(3, 4, 1, 112, 112)), false, '4×4 s1');
    assert.equal(winogradStem(g(3, 7, 2, 112, 112, 2)), false, 'dilation 2');
    assert.equal(winogradStem(g(3, 7, 2, 112, 23)), false, 'output 23 wide');
    assert.equal(winogradStem(g(3, 7, 2, 2, 112)), false, 'output 2 tall');
    assert.equal(winogradStem({ ...g(3, 7, 2, 112, 112), sh: 1 }), false, 'strides 1,2');
  });

  it('convPadded takes the stems above (up to 4 input channels, column stride 1 or 2), im2col the rest', () => {
    assert.deepEqual([1, 3, 4].map((c) => paddedDirect(c, 2)), [true, true, true]);
    assert.equal(paddedDirect(3, 1), true);
    assert.equal(paddedDirect(5, 1), false);
    assert.equal(paddedDirect(3, 3), false);
  });

  it('phased CSR conv tiles: the "phased tiles" cases above really span several R-row tiles', () => {
    const dims = (c: number, h: number, w: number, s: number, oh: number, ow: number) => phasedDims({
      inputs: [{ dtype: 'float32', shape: [1, c, h, w] }, { dtype: 'float32', shape: [130, c, 3, 3] }], outputs: [{ dtype: 'float32', shape: [1, 130, oh, ow] }],
      attrs: { strides: [s, s], pads: [1, 1, 1, 1] },
    });
    assert.deepEqual([dims(4, 8, 64, 1, 8, 64).R, dims(4, 8, 64, 1, 8, 64).Wq, dims(4, 8, 64, 1, 8, 64).Hq], [3, 66, 10]);
    assert.deepEqual([dims(3, 15, 127, 2, 8, 64).R, dims(3, 15, 127, 2, 8, 64).Wq, dims(3, 15, 127, 2, 8, 64).Hq], [3, 65, 9]);
  });

  it('supports(): f32-conv-4x8 takes any group-1 conv, f32-conv-1x8 depthwise ones with column stride 1 or 2; neither takes other groups', () => {
    assert.equal(conv.supports!(shapes([4, 3, 1, 1], {})), true);
    assert.equal(conv.supports!(shapes([4, 3, 3, 3], { pads: [1, 1, 1, 1] })), true);
    assert.equal(conv.supports!(shapes([4, 3, 1, 1], { strides: [2, 2] }, [1, 4, 3, 3])), true);
    assert.equal(conv.supports!(shapes([3, 1, 1, 1], { group: 3 }, [1, 3, 5, 5])), false);
    const dwShapes = (c: number, w: number[], attrs: Attrs, y: number[]) => ({
      inputs: [{ dtype: 'float32', shape: [1, c, 5, 5] }, { dtype: 'float32', shape: w }], outputs: [{ dtype: 'float32', shape: y }], attrs,
    });
    assert.equal(dw.supports!(dwShapes(3, [3, 1, 3, 3], { group: 3, pads: [1, 1, 1, 1] }, [1, 3, 5, 5])), true);
    assert.equal(dw.supports!(dwShapes(3, [3, 1, 3, 3], { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] }, [1, 3, 3, 3])), true);
    assert.equal(dw.supports!(dwShapes(3, [3, 1, 3, 3], { group: 3, strides: [3, 3] }, [1, 3, 1, 1])), false);
    assert.equal(dw.supports!(dwShapes(3, [3, 3, 3, 3], { pads: [1, 1, 1, 1] }, [1, 3, 5, 5])), false);
    assert.equal(dw.supports!(dwShapes(4, [4, 2, 3, 3], { group: 2, pads: [1, 1, 1, 1] }, [1, 4, 5, 5])), false);
    assert.equal(conv.supports!(dwShapes(4, [4, 2, 3, 3], { group: 2, pads: [1, 1, 1, 1] }, [1, 4, 5, 5])), false);
  });

  it('f32-matmul-4x8 on packed panels: a B marked constant (a weight) is packed once at prepare, a computed B at every run', async function () {
    if (!simd) this.skip();
    const mm = WASMSIMD_KERNELS.find((k) => k.id === 'f32-matmul-4x8-wasmsimd')!;
    const ref = ALL_KERNELS.find((k) => k.op === 'MatMul' && k.target === 'ref' && k.epilogue === '' && (k.format ?? 'dense') === 'dense')!;
    // B of [515×513] floats (> 1 MiB) with 9 rows of A: the panel path (the 'packed panels' case above).
    const [r, k, n] = [9, 515, 513];
    const next = rng(77);
    const a = Float32Array.from({ length: r * k }, next), b = Float32Array.from({ length: k * n }, next);
    const want = new Float32Array(r * n);
    ref.prepare({ node: 'ref', inputs: [plain([r, k], a), plain([k, n], b)], outputs: [plain([r, n], want)], attrs: {} })();
    const shapes = { inputs: [{ dtype: 'float32', shape: [r, k] }, { dtype: 'float32', shape: [k, n] }], outputs: [{ dtype: 'float32', shape: [r, n] }], attrs: {} };
    for (const constant of [true, false]) {
      const space = (await createWasmSpace((r * k + k * n + r * n) * 4 + 64, mm.scratchBytes!(shapes) + 64, mm.wasmModules!))!;
      const bv = wasmView(space, [k, n], b), y = wasmView(space, [r, n], new Float32Array(r * n).fill(Number.NaN));
      const run = mm.prepare({ node: 'mm', inputs: [wasmView(space, [r, k], a), bv], outputs: [y], attrs: {}, ...(constant ? { constants: [false, true] } : {}), wasm: space });
      // B overwritten after prepare: a weight's packing stays (the product of the B prepared on); a computed B is read again (Y = 0).
      (bv.data as Float32Array).fill(0);
      withoutAllocation(run);
      const yd = y.data as Float32Array;
      for (let i = 0; i < want.length; i++) {
        const e = constant ? want[i]! : 0;
        if (!(Math.abs(yd[i]! - e) <= 1e-4 * Math.abs(e) + 1e-5)) assert.fail(`B ${constant ? 'constant' : 'computed'}: output[${i}] = ${yd[i]}, want ${e}`);
      }
    }
  });

  it('f32-gemm-4x8 with transB: a B marked constant (a weight) is laid out as Bᵀ once at prepare (panels when large); same values as the per-run form, within 1e-4 of ref, and B overwritten after prepare is not read', async function () {
    if (!simd) this.skip();
    const ref = ALL_KERNELS.find((k) => k.op === 'Gemm' && k.target === 'ref' && (k.format ?? 'dense') === 'dense' && k.epilogue === 'relu')!;
    const gemm = WASMSIMD_KERNELS.find((k) => k.id === 'f32-gemm-relu-4x8-wasmsimd')!;
    // [m, k, n, C]: 9 rows (two 4-row tiles + 1), N = 13 (an 8-column tile + 5); B of 1 MiB or more (panels), C as a bias and as [m, n]
    for (const [m, k, n, cShape, alpha] of [[9, 37, 13, [13], 1], [2, 12, 8, undefined, 1], [9, 515, 513, [513], 1], [5, 600, 450, [5, 450], 0.5]] as const) {
      const next = rng(m * 1000 + n);
      const a = Float32Array.from({ length: m * k }, next), b = Float32Array.from({ length: n * k }, next);
      const cd = cShape ? Float32Array.from({ length: sizeOf(cShape) }, next) : undefined;
      const attrs = { transB: 1, alpha, beta: 1, ...epilogueAttrs(gemm) };
      const inputs = (f: (s: readonly number[], d: Float32Array) => TensorView) => [f([m, k], a), f([n, k], b), ...(cd ? [f(cShape!, cd)] : [])];
      const want = new Float32Array(m * n);
      ref.prepare({ node: 'ref', inputs: inputs(plain), outputs: [plain([m, n], want)], attrs })();
      const shapes = { inputs: inputs(plain).map((v) => ({ dtype: v.dtype, shape: v.shape })), outputs: [{ dtype: 'float32', shape: [m, n] }], attrs };
      const got: Float32Array[] = [];
      // SIMD128 for both forms: the relaxed module fuses multiply-adds, which the two forms order differently (the relaxed path is checked against ref above)
      for (const constant of [true, false]) {
        const space = (await createWasmSpace((m * k + n * k + m * n + (cd?.length ?? 0)) * 4 + 256, gemm.scratchBytes!(shapes) + 64, gemm.wasmModules!, false))!;
        const free = space.alloc(0);
        new Float32Array(space.memory.buffer, free, (space.memory.buffer.byteLength - free) / 4).fill(Number.NaN);
        const y = wasmView(space, [m, n], new Float32Array(m * n));
        const views = inputs((s, d) => wasmView(space, s, d));
        const run = gemm.prepare({ node: 'g', inputs: views, outputs: [y], attrs, ...(constant ? { constants: [false, true, true] } : {}), wasm: space });
        // A weight's layout is taken at prepare: B overwritten afterwards changes nothing (a per-run form would read zeros).
        if (constant) (views[1]!.data as Float32Array).fill(0);
        withoutAllocation(run);
        got.push(y.data as Float32Array);
      }
      for (let i = 0; i < want.length; i++) {
        if (!(Math.abs(got[0]![i]! - want[i]!) <= 1e-4 * Math.abs(want[i]!) + 1e-5)) assert.fail(`[${m}×${k}]·[${n}×${k}]ᵀ, B constant: output[${i}] = ${got[0]![i]}, ref ${want[i]}`);
        if (!Object.is(got[0]![i], got[1]![i])) assert.fail(`[${m}×${k}]·[${n}×${k}]ᵀ: output[${i}] = ${got[0]![i]} with B constant, ${got[1]![i]} computed`);
      }
    }
  });

  it('f32-maxpool-1x4 skips NaN taps like the ref kernel (a window of NaN and padding only gives −∞)', async function () {
    if (!simd) this.skip();
    const pool = WASMSIMD_KERNELS.find((k) => k.op === 'MaxPool')!;
    const ref = ALL_KERNELS.find((k) => k.op === 'MaxPool' && k.target === 'ref')!;
    // 2 rows × 9 columns, 3×3 stride 2 pad 1: NaN in every window, column 0 all NaN (output 0 sees it and padding … and column 1)
    const x = new Float32Array([NaN, 1, NaN, -2, 5, NaN, 0.5, -1, 3, NaN, -4, 2, NaN, -3, NaN, 7, NaN, -5]);
    const attrs: Attrs = { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] };
    const want = new Float32Array(5);
    ref.prepare({ node: 'ref', inputs: [plain([1, 1, 2, 9], x)], outputs: [plain([1, 1, 1, 5], want)], attrs })();
    assert.deepEqual(Array.from(want), [1, 2, 5, 7, 3]);
    const xnan = new Float32Array([NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
    const space = (await createWasmSpace(4096, pool.scratchBytes!({ inputs: [{ dtype: 'float32', shape: [1, 1, 2, 9] }], outputs: [{ dtype: 'float32', shape: [1, 1, 1, 5] }], attrs }) * 2 + 64, pool.wasmModules!))!;
    const y = wasmView(space, [1, 1, 1, 5], new Float32Array(5));
    const run = pool.prepare({ node: 'p', inputs: [wasmView(space, [1, 1, 2, 9], x)], outputs: [y], attrs, wasm: space });
    run();
    assert.deepEqual(Array.from(y.data as Float32Array), [1, 2, 5, 7, 3]);
    const yn = wasmView(space, [1, 1, 1, 5], new Float32Array(5));
    pool.prepare({ node: 'p', inputs: [wasmView(space, [1, 1, 2, 9], xnan)], outputs: [yn], attrs, wasm: space })();
    assert.deepEqual(Array.from(yn.data as Float32Array), new Array(5).fill(-Infinity));
  });

  it('with a WasmEnv, an unsupported node and a view outside the memory are KernelErrors naming node and kernel', async function () {
    if (!simd) this.skip();
    const space = (await createWasmSpace(4096, 0, WASM_MODULES))!;
    const x = wasmView(space, [1, 4, 5, 5], new Float32Array(100));
    const y = wasmView(space, [1, 4, 3, 3], new Float32Array(36));
    const wg = wasmView(space, [4, 2, 3, 3], new Float32Array(72));
    assert.throws(() => conv.prepare({ node: 'c3', inputs: [x, wg], outputs: [y], attrs: { group: 2 }, wasm: space }),
      (e: unknown) => e instanceof KernelError && /c3/.test(e.message) && e.message.includes(conv.id) && /group 1/.test(e.message));
    const w1 = plain([4, 4, 1, 1], new Float32Array(16));
    const y5 = wasmView(space, [1, 4, 5, 5], new Float32Array(100));
    assert.throws(() => conv.prepare({ node: 'c1', inputs: [x, w1], outputs: [y5], attrs: {}, wasm: space }),
      (e: unknown) => e instanceof KernelError && /not in the model's WebAssembly memory/.test(e.message));
  });

  it('without a WasmEnv a wasmsimd kernel runs its js equivalent (any conv), errors naming both ids', () => {
    const x = plain([1, 3, 5, 5], new Float32Array(75).fill(1));
    const w = plain([4, 3, 3, 3], new Float32Array(108).fill(1));
    const y = plain([1, 4, 3, 3], new Float32Array(36));
    conv.prepare({ node: 'c', inputs: [x, w], outputs: [y], attrs: {} })();
    assert.deepEqual(Array.from(y.data as Float32Array), new Array(36).fill(27));
    assert.throws(() => conv.prepare({ node: 'c', inputs: [x, w], outputs: [plain([1, 4, 2, 2], new Float32Array(16))], attrs: {} }),
      (e: unknown) => e instanceof KernelError && e.message.includes(`${conv.id} as f32-conv-4x1-js`));
  });
});
