// What every wasmsimd kernel shares: the js fallback, view → pointer checks, node shapes from a
// prepare context, and the Gemm output pass (alpha, beta·C, clamp, optional transpose).
//
// Fallback rule: a wasmsimd kernel prepared WITHOUT ctx.wasm (no SIMD here, the module failed
// to instantiate, or a caller handing plain-memory views) prepares its js equivalent, the kernel
// of the same op, epilogue and format; one prepared WITH ctx.wasm checks its preconditions and
// throws a KernelError for nodes it does not support (kernel selection asks `supports` first).

import type { Kernel, KernelContext, NodeShapes, RunFn, WasmEnv, WasmKernelModule } from '../kernel.js';
import { KernelError } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import type { Checker } from '../common/define.js';
import { defineKernel } from '../common/define.js';
import { rowEntries } from '../ref/weight-sparse.js';
import type { PackedWeight } from '../../sparse/packed.js';

export interface WasmKernelSpec {
  readonly op: string;
  readonly epilogue: Kernel['epilogue'];
  readonly format?: Kernel['format'];
  readonly tile: string;
  readonly rowBlock?: number;
  /** The kernel families (modules/<family>.wasm.ts) whose exports prepare calls: a load instantiates exactly these. */
  readonly modules: readonly WasmKernelModule[];
  /** The kernel prepared when there is no WasmEnv. */
  readonly js: Kernel;
  readonly needs: string;
  supports(node: NodeShapes): boolean;
  scratchBytes(node: NodeShapes): number;
  prepare(c: Checker, env: WasmEnv): RunFn;
}

export function wasmKernel(spec: WasmKernelSpec): Kernel {
  const { op, epilogue, format, tile, rowBlock, modules, js, supports, scratchBytes } = spec;
  return defineKernel({
    dtype: 'f32', op, target: 'wasmsimd', epilogue, ...(format ? { format } : {}), tile, ...(rowBlock ? { rowBlock } : {}),
    dtypes: ['float32'], supports, scratchBytes, wasmModules: modules,
    prepare(c) {
      const id = c.kernelId;
      const env = c.ctx.wasm;
      if (!env) {
        try {
          return js.prepare(c.ctx);
        } catch (e) {
          // Errors name this kernel (the artifact's id) as well as the one that ran.
          if (e instanceof KernelError) e.message = e.message.replace(`(kernel ${js.id})`, `(kernel ${id} as ${js.id})`);
          throw e;
        }
      }
      if (!supports(nodeShapesOf(c.ctx))) c.fail(`unsupported node: the kernel needs ${spec.needs}`);
      return spec.prepare(c, env);
    },
  });
}

export function nodeShapesOf(ctx: KernelContext): NodeShapes {
  return {
    inputs: ctx.inputs.map((v) => v && { dtype: v.dtype, shape: v.shape, ...(v.packed ? { packed: v.packed } : {}) }),
    outputs: ctx.outputs.map((v) => ({ dtype: v.dtype, shape: v.shape })),
    attrs: ctx.attrs,
  };
}

/** The byte offset of a view's data in the wasm memory; fails when the view lives elsewhere. */
export function pointer(c: Checker, env: WasmEnv, v: TensorView, what: string): number {
  if (v.data.buffer !== env.memory.buffer) c.fail(`${what} is not in the model's WebAssembly memory`);
  if (v.data.byteOffset % 4 !== 0) c.fail(`${what} is not 4-byte aligned`);
  return v.data.byteOffset;
}

/** A Float32Array of `n` elements of fresh scratch. */
export function scratchF32(env: WasmEnv, n: number): Float32Array {
  return new Float32Array(env.memory.buffer, env.scratch(n * 4), n);
}

export const f32Bytes = (n: number): number => Math.ceil((n * 4) / 16) * 16;

/** A CSR weight staged in WASM scratch as spmm24x1 reads it: (value, offset) entries and row counts. */
export interface StagedCsr { readonly entries: number; readonly counts: number }

/** Scratch bytes stageCsr takes for a packed weight of `nnz` entries and `rows` rows. */
export const stagedCsrBytes = (nnz: number, rows: number): number => f32Bytes(2 * nnz) + f32Bytes(rows);

/**
 * Copies a packed weight's rows into scratch for spmm24x1: per entry, interleaved, its value
 * (f32) and the byte offset of the activation row it multiplies (u32, `offset(col)`); then the
 * count of entries per output row.
 */
export function stageCsr(c: Checker, env: WasmEnv, packed: PackedWeight, rows: number, offset: (col: number) => number): StagedCsr {
  const { rowStart, col, val, values } = rowEntries(c, packed);
  const nnz = rowStart[rows]!;
  const entries = env.scratch(nnz * 8), counts = env.scratch(rows * 4);
  const f = new Float32Array(env.memory.buffer, entries, 2 * nnz), u = new Uint32Array(env.memory.buffer, entries, 2 * nnz);
  for (let e = 0; e < nnz; e++) { f[2 * e] = values[val[e]!]!; u[2 * e + 1] = offset(col[e]!); }
  const cnt = new Uint32Array(env.memory.buffer, counts, rows);
  for (let r = 0; r < rows; r++) cnt[r] = rowStart[r + 1]! - rowStart[r]!;
  return { entries, counts };
}

export type Gemm4x8 = (w: number, x: number, y: number, b: number, n: number, k: number, p: number, lo: number, hi: number) => void;
export type Spmm24x1 = (entries: number, counts: number, x: number, y: number, b: number, n: number, p: number, rowY: number, lo: number, hi: number) => void;

/** Y[i, j] = clamp(alpha·T[i, j] + beta·C[i, j]), T read at t[i·tRow + j·tCol] (may alias Y when tRow = n, tCol = 1). */
export function gemmOutput(
  m: number, n: number, t: Float32Array, tRow: number, tCol: number, yd: Float32Array,
  alpha: number, beta: number, cd: Float32Array | undefined, cRow: number, cCol: number, lo: number, hi: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let v = alpha * t[i * tRow + j * tCol]!;
      if (cd !== undefined) v += beta * cd[i * cRow + j * cCol]!;
      yd[i * n + j] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

/** dst[c·rows + r] = src[r·cols + c]. */
export function transpose(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c]!;
}
