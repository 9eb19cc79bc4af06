// wasmsimd Gemm with one output row (M = 1: a classifier head, an MLP at batch 1) from a standard
// N:M weight with m dividing 4 (2:4, 1:4, 3:4, 1:2): f32-gemmnm-1x4-wasmsimd (and -relu, -clip),
// and a MatMul of one row of A by a 2-D B (f32-matmulnm-1x4-wasmsimd), asm/gemvnm.as gemvNm4, four output features at a time, their kept weights interleaved into
// vector loads and the x values picked by a swizzle from a two-byte code per step. The weight
// stream is 0.56× gemv1's at 2:4, which is what a gemv is bound by (the 24x1 N:M kernel runs M = 1
// one broadcast weight per lane-wasting step and loses to dense there).
//
//   scratch = codes[⌈N/4⌉·(K/4)·T] u16 | vals[⌈N/4⌉·(K/4)·T][4] f32 | swizzle table[256][16],  T = 4n/m

import type { Kernel, NodeShapes, RunFn, WasmEnv } from '../kernel.js';
import type { Checker } from '../common/define.js';
import type { PackedWeight } from '../../sparse/packed.js';
import { EPILOGUES } from '../common/epilogue.js';
import { GEMM_SPARSE_JS_KERNELS } from '../js/gemm-sparse.js';
import { MATMUL_SPARSE_JS_KERNELS } from '../js/matmul-sparse.js';
import { planSparseGemm } from '../ref/gemm-sparse.js';
import { planSparseMatMul } from '../ref/matmul-sparse.js';
import { rowEntries } from '../ref/weight-sparse.js';
import { nodeShapesOf, pointer, wasmKernel } from './common.js';
import { dims, outputPass } from './gemm-shape.js';
import { dims as matmulDims } from './matmul-shape.js';
import { WASM_NM } from './modules/nm.wasm.js';

const NEEDS = 'one output row and an N:M weight with m dividing 4 and K a multiple of 4';

/** Steps per 4-float quad of x: the kept slots of the m | 4 groups one quad holds. */
const stepsPerQuad = (p: { n: number; m: number }): number => (4 / p.m) * p.n;

/** Bytes of the staged weight: two code bytes and 16 value bytes per step per block of 4 rows, the table. */
function stagedBytes(rows: number, cols: number, p: { n: number; m: number }): number {
  const steps = Math.ceil(rows / 4) * (cols / 4) * stepsPerQuad(p);
  return Math.ceil(steps / 8) * 16 + steps * 16 + 256 * 16;
}

/** An nm weight [n][k] whose groups tile the quads of x exactly. */
const quadNm = (node: NodeShapes, k: number, n: number): boolean => {
  const p = node.inputs[1]?.packed;
  return p?.format === 'nm' && 4 % p.m === 0 && k % 4 === 0 && p.rows === n && p.cols === k;
};

/** Gemm with M = 1 (either transA) and such a weight. */
export function supportsGemvNm(node: NodeShapes): boolean {
  const d = dims(node);
  return d !== undefined && d.m === 1 && quadNm(node, d.k, d.n);
}

/** MatMul of A [..., K] holding one row by a 2-D B, such a weight. */
export function supportsMatMulGemvNm(node: NodeShapes): boolean {
  const d = matmulDims(node);
  return d !== undefined && d.r === 1 && quadNm(node, d.k, d.n);
}

type GemvNm4 = (codes: number, vals: number, table: number, x: number, y: number, b: number, n: number, q: number, t: number, lo: number, hi: number) => void;

/** Stages `packed` into scratch as gemvNm4 reads it (block-major, quad-major, step-minor) and builds the swizzle table. */
function stageGemvNm(c: Checker, env: WasmEnv, packed: PackedWeight): { codes: number; vals: number; table: number; T: number } {
  if (packed.format !== 'nm') c.fail(`input 1 is packed as ${packed.format}, this kernel reads nm`);
  const { col, values } = rowEntries(c, packed);
  const { rows, cols } = packed, T = stepsPerQuad(packed), Q = cols / 4, S = (cols / packed.m) * packed.n;
  const steps = Math.ceil(rows / 4) * Q * T;
  const codes = env.scratch(Math.ceil(steps / 8) * 16), vals = env.scratch(steps * 16), table = env.scratch(256 * 16);
  const cb = new Uint16Array(env.memory.buffer, codes, steps), vf = new Float32Array(env.memory.buffer, vals, steps * 4);
  for (let r = 0; r < rows; r++) {
    const blk = r >> 2, lane = r & 3;
    // slot q·T + t of row r lies in quad q (its groups are whole quads' worth, in column order)
    for (let s = 0; s < S; s++) {
      const step = (blk * Q + Math.floor(s / T)) * T + (s % T);
      cb[step] = cb[step]! | ((col[r * S + s]! & 3) << (2 * lane + 4));
      vf[step * 4 + lane] = values[r * S + s]!;
    }
  }
  const tb = new Uint8Array(env.memory.buffer, table, 256 * 16);
  for (let code = 0; code < 256; code++) {
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) tb[code * 16 + i * 4 + j] = ((code >> (2 * i)) & 3) * 4 + j;
  }
  return { codes, vals, table, T };
}

/** Scratch of either gemv kernel: its packed weight (input 1) staged. */
function packedWeightStagedBytes(node: NodeShapes): number {
  const p = node.inputs[1]!.packed!;
  return stagedBytes(p.rows, p.cols, p as { n: number; m: number });
}

function gemvNmWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_NM],
    tile: '1x4', op: 'Gemm', epilogue, format: 'nm', needs: `a float32 Gemm with ${NEEDS}`,
    js: GEMM_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'nm')!,
    supports: supportsGemvNm,
    scratchBytes: packedWeightStagedBytes,
    prepare(c, env): RunFn {
      const plan = planSparseGemm(c, 'nm', epilogue);
      const d = dims(nodeShapesOf(c.ctx))!;
      const { codes, vals, table, T } = stageGemvNm(c, env, plan.packed);
      const { alpha, beta, cd, cCol, lo, hi } = plan;
      // C as a bias of N contiguous floats runs in the kernel; any other C, or alpha, in the output pass
      const cBias = cd !== undefined && alpha === 1 && beta === 1 && cCol === 1 && cd.length === d.n;
      const inKernel = alpha === 1 && (cd === undefined || cBias);
      const [klo, khi] = inKernel ? [lo, hi] : [-Infinity, Infinity];
      const bp = cBias ? pointer(c, env, c.ctx.inputs[2]!, 'input C') : 0;
      const xp = pointer(c, env, plan.a, 'input A');
      const out = outputPass(c, env, d, inKernel, plan);
      const gemv = env.exports['gemvNm4'] as GemvNm4;
      return () => {
        gemv(codes, vals, table, xp, out.ptr, bp, d.n, d.k / 4, T, klo, khi);
        out.finish();
      };
    },
  });
}

function matmulGemvNmWasm(epilogue: Kernel['epilogue']): Kernel {
  return wasmKernel({
    modules: [WASM_NM],
    tile: '1x4', op: 'MatMul', epilogue, format: 'nm', needs: `a float32 MatMul with ${NEEDS}`,
    js: MATMUL_SPARSE_JS_KERNELS.find((k) => k.epilogue === epilogue && k.format === 'nm')!,
    supports: supportsMatMulGemvNm,
    scratchBytes: packedWeightStagedBytes,
    prepare(c, env): RunFn {
      const { a, y, packed, k, n, lo, hi } = planSparseMatMul(c, 'nm', epilogue);
      const { codes, vals, table, T } = stageGemvNm(c, env, packed);
      const xp = pointer(c, env, a, 'input A'), yp = pointer(c, env, y, 'output');
      const gemv = env.exports['gemvNm4'] as GemvNm4;
      return () => gemv(codes, vals, table, xp, yp, 0, n, k / 4, T, lo, hi);
    },
  });
}

export const GEMV_NM_WASM_KERNELS: readonly Kernel[] = [...EPILOGUES.map(gemvNmWasm), ...EPILOGUES.map(matmulGemvNmWasm)];
