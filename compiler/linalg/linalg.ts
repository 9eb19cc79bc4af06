// The compiler's linear-algebra module (asm/linalg.as, f64x2) over its own growable memory: an
// arena of float64 operands laid out per call, the JS views over it, and the module's exports.
// Compile-time only (Node): the module is compiled synchronously. Undefined where SIMD128 is missing
// (callers then run their scalar TypeScript loops, which are also the tests' reference).

import { LINALG_WASM_BASE64 } from './linalg.wasm.js';
import { wasmSimdAvailable } from '../../runtime/kernels/wasm/env.js';

export interface LinalgExports {
  xtxAcc(h: number, bt: number, cols: number, n: number, ldb: number): void;
  targetAcc(p: number, w: number, dt: number, bt: number, y: number, rows: number, cols: number, n: number, ldb: number, pk: number): void;
  crossAcc(c: number, dt: number, bt: number, cols: number, n: number, ldb: number): void;
  crossTarget(p: number, w: number, c: number, rows: number, cols: number, pk: number): void;
  choleskyLower(a: number, n: number, s: number): number;
  inverseToUpper(r: number, u: number, t: number, n: number): void;
  residual(m: number, w: number, h: number, target: number, rows: number, n: number, part: number): void;
  refit(w: number, m: number, u: number, z: number, rows: number, n: number, scale: number): void;
  refitScratch(n: number): number;
  lazyUpdate(w: number, u: number, err: number, rows: number, n: number, i1: number, width: number, ldE: number): void;
  heldOutScore(w: number, h: number, t: number, m: number, rows: number, n: number, tScale: number): number;
  sweepColumns(w: number, u: number, err: number, mask: number, rows: number, n: number, c0: number, c1: number, i1: number, i2: number, ldE: number): void;
  outputError(w: number, p: number, rows: number, n: number, h: number, d: number, idx: number): number;
  pairSplitsNm(t: number, rows: number, ub: number, k2: number, masks: number, nsplit: number, kept: number, w: number, out: number, scratch: number): void;
}

const PAGE = 65536;

let instance: { memory: WebAssembly.Memory; exports: LinalgExports } | null | undefined;

function module(): { memory: WebAssembly.Memory; exports: LinalgExports } | null {
  if (instance !== undefined) return instance;
  instance = null;
  if (!wasmSimdAvailable()) return instance;
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
    const mod = new WebAssembly.Module(Buffer.from(LINALG_WASM_BASE64, 'base64'));
    instance = { memory, exports: new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as LinalgExports };
  } catch {
    instance = null;
  }
  return instance;
}

let scalarOnly = false;
/** Arena calls so far: a caller keeping operands in place across its own calls checks it did not move (`arenaKept`). */
let generation = 0;

/** Runs `fn` with the module switched off (every caller on its scalar loops): the tests' reference. */
export function withoutLinalg<T>(fn: () => T): T {
  const was = scalarOnly;
  scalarOnly = true;
  try {
    return fn();
  } finally {
    scalarOnly = was;
  }
}

/** f64 elements of the re-fit's scratch for n columns (`refitScratch` of asm/linalg.as); 0 without the module. */
export function refitScratch(n: number): number {
  const m = scalarOnly ? null : module();
  return m ? m.exports.refitScratch(n) : 0;
}

/** f64 elements of `residual`'s scratch (asm/linalg.as): two lane sums per entry of its rows taken four at a time. */
export function residualScratch(rows: number, n: number): number {
  return 2 * (rows & ~3) * n;
}

/** Operands placed in the module's memory: byte offsets for the exports, views for JS. */
export interface Arena {
  readonly exports: LinalgExports;
  /** Byte offset of operand `k`. */
  readonly at: readonly number[];
  /** Float64 view of operand `k` (f32 operands: see `f32`). */
  readonly f64: readonly Float64Array[];
  readonly f32: readonly Float32Array[];
  readonly u8: readonly Uint8Array[];
  /** This layout's arena call: while `arenaKept(generation)`, no later call moved or overwrote it. */
  readonly generation: number;
}

/** Whether the arena laid out by call `gen` is still in place (no arena call since, module not switched off). */
export function arenaKept(gen: number): boolean {
  return !scalarOnly && gen === generation;
}

/** The last layout's `evict` (see `arena`), run before the next arena call re-lays the memory out. */
let pendingEvict: (() => void) | undefined;

/**
 * Lays out operands of `sizes` elements (float64, or float32 / bytes as `kinds[k]` says) in the
 * module's memory, growing it as needed; undefined without SIMD128 or when 4 GB would not hold
 * them. The views stay valid until the next `arena` call (which may grow, detaching them): copy
 * out what must outlive it, or pass `evict`, which the next arena call runs first (while these
 * views are still valid), so operands can stay in the module's memory across a caller's calls.
 * Memory is zeroed only when freshly grown: callers fill what they read.
 */
export function arena(sizes: readonly number[], kinds: readonly ('f64' | 'f32' | 'u8')[] = [], evict?: () => void): Arena | undefined {
  const pending = pendingEvict;
  pendingEvict = undefined;
  pending?.();
  const m = scalarOnly ? null : module();
  if (!m) return undefined;
  const at: number[] = [];
  let end = 16;
  const bytes = { f64: 8, f32: 4, u8: 1 };
  sizes.forEach((n, k) => { at.push(end); end += Math.ceil((n * bytes[kinds[k] ?? 'f64']) / 16) * 16; });
  generation++;
  const have = m.memory.buffer.byteLength;
  if (end > have) {
    const pages = Math.ceil((end - have) / PAGE);
    if (have / PAGE + pages > 65536) return undefined;
    m.memory.grow(pages);
  }
  const buffer = m.memory.buffer;
  pendingEvict = evict;
  const view = <T>(kind: 'f64' | 'f32' | 'u8', make: (n: number, at: number) => T, none: T): T[] =>
    sizes.map((n, k) => ((kinds[k] ?? 'f64') === kind ? make(n, at[k]!) : none));
  return {
    exports: m.exports, at, generation,
    f64: view('f64', (n, p) => new Float64Array(buffer, p, n), new Float64Array(0)),
    f32: view('f32', (n, p) => new Float32Array(buffer, p, n), new Float32Array(0)),
    u8: view('u8', (n, p) => new Uint8Array(buffer, p, n), new Uint8Array(0)),
  };
}
