// Loading the wasmsimd kernel modules and the memory model they run in. The kernels come in
// families, one module each (scripts/wasm-families.mjs, modules/<family>.wasm.ts); a load
// instantiates the families its kernels declare (Kernel.wasmModules), all over one memory. Two
// builds of each ship: SIMD128, and relaxed SIMD (asm/common.as madd as f32x4.relaxed_madd); a
// load takes the relaxed ones where the engine validates them, unless told not to.
//
//   one WebAssembly.Memory per loaded model, sized up front, never grown (growth detaches views):
//
//   0        RESERVED    arena (memory plan)    dense weights (16-aligned)    kernel scratch (bump)
//   ├──────────┼────────────────────────────┼──────────────────────────────┼──────────────────┤
//
// Every TensorView is a typed array over memory.buffer, so js and wasm kernels share views and a
// wasm kernel's pointer is `view.data.byteOffset`. Byte offset 0 is never a tensor (it means
// "no bias" to the kernels). Packed sparse weights stay in the JS heap; a wasm kernel copies
// what it reads into scratch at prepare.

import type { WasmEnv, WasmKernelModule } from '../kernel.js';

/** Bytes below the arena, never handed out. */
export const RESERVED_BYTES = 64;
const PAGE = 65536;

/** (module (func (result v128) (v128.const i32x4 0 0 0 0))): validates only where SIMD128 is on. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b,
]);

/**
 * (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0)))):
 * validates only where relaxed SIMD is on (Chrome 114+; Node 20 under --experimental-wasm-relaxed-simd).
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x3d, 0x01, 0x3b, 0x00,
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]), 0xfd, 0x85, 0x02, 0x0b,
]);

let simd: boolean | undefined, relaxed: boolean | undefined;

/** True when this engine runs WebAssembly SIMD128 (checked once; each module is validated again where it loads). */
export function wasmSimdAvailable(): boolean {
  if (simd === undefined) simd = validates(SIMD_PROBE);
  return simd;
}

/** True when this engine also runs relaxed SIMD, so the relaxed kernel modules can load (checked once). */
export function relaxedSimdAvailable(): boolean {
  if (relaxed === undefined) relaxed = wasmSimdAvailable() && validates(RELAXED_PROBE);
  return relaxed;
}

function validates(module: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(module);
  } catch {
    return false;
  }
}

/** Compiled once per family and build: every load of a page or process shares them. */
const compiled = new Map<WasmKernelModule, Map<boolean, Promise<WebAssembly.Module | undefined>>>();

/** A family's SIMD128 module bytes, or its relaxed one's (rebuilt from the delta). */
export function kernelModuleBytes(module: WasmKernelModule, relaxedSimd: boolean): Uint8Array<ArrayBuffer> {
  const base = fromBase64(module.simd);
  return relaxedSimd ? applyDelta(base, fromBase64(module.relaxedDelta)) : base;
}

/** The family compiled for this build; undefined when the engine refuses it. */
function compiledModule(module: WasmKernelModule, relaxedSimd: boolean): Promise<WebAssembly.Module | undefined> {
  let builds = compiled.get(module);
  if (!builds) compiled.set(module, builds = new Map());
  let m = builds.get(relaxedSimd);
  if (!m) {
    const bytes = kernelModuleBytes(module, relaxedSimd);
    m = validates(bytes) ? WebAssembly.compile(bytes).catch(() => undefined) : Promise.resolve(undefined);
    builds.set(relaxedSimd, m);
  }
  return m;
}

function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * The relaxed module from the SIMD128 one and scripts/build-wasm.mjs's delta (varints: the
 * length, then records of literal length, literal bytes, copy length, copy start when > 0).
 * A delta that overruns gives a short or invalid module, which WebAssembly.validate refuses.
 */
function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array<ArrayBuffer> {
  let p = 0;
  const varint = (): number => {
    let v = 0, shift = 0, b: number;
    do { b = delta[p++] ?? 0; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80 && shift < 35);
    return v;
  };
  const out = new Uint8Array(varint());
  let n = 0;
  while (n < out.length && p < delta.length) {
    const lit = Math.min(varint(), out.length - n);
    out.set(delta.subarray(p, p + lit), n);
    p += lit; n += lit;
    const len = Math.min(varint(), out.length - n);
    if (len > 0) { const from = varint(); out.set(base.subarray(from, from + len), n); n += len; }
  }
  return out;
}

export const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** A WasmEnv whose memory holds `fixedBytes` (from RESERVED_BYTES) and then `scratchBytes` of scratch. */
export interface WasmSpace extends WasmEnv {
  /** Bump allocator over the fixed region (arena, weights), 16-aligned; throws when full. */
  alloc(bytes: number): number;
  /** True when the relaxed-SIMD module runs here, false for the SIMD128 one. */
  readonly relaxed: boolean;
}

/** How a load uses WebAssembly (LoadOptions and a generated module's load options extend it). */
export interface WasmChoice {
  /**
   * Run wasmsimd kernels in WebAssembly when the engine has SIMD128 (default true). With false,
   * or without SIMD, every wasmsimd kernel of the artifact runs its js equivalent.
   */
  readonly wasm?: boolean;
  /**
   * Run the relaxed-SIMD build of the kernels (fused multiply-add) where the engine has relaxed
   * SIMD (default true); false runs the SIMD128 build everywhere (outputs then round as on an
   * engine without relaxed SIMD; to compare the two). Model.relaxedSimd says which one runs.
   */
  readonly relaxedSimd?: boolean;
}

/** Makes the memory of a load for the kernel families its wasmsimd kernels call (executor/bind.ts SpaceFactory). */
export type WasmSpaceFactory = (fixedBytes: number, scratchBytes: number, modules: readonly WasmKernelModule[]) => Promise<WasmSpace | undefined>;

/** The memory factory for a load with these options: none with `wasm: false`, else createWasmSpace with the chosen build. */
export function wasmSpaces(choice: WasmChoice): WasmSpaceFactory | undefined {
  if (choice.wasm === false) return undefined;
  const relaxedSimd = choice.relaxedSimd !== false;
  return (fixedBytes, scratchBytes, modules) => createWasmSpace(fixedBytes, scratchBytes, modules, relaxedSimd);
}

/**
 * Creates the memory and instantiates each of `modules` (kernel families) over it, their exports
 * merged into one record: the relaxed-SIMD builds when `relaxedSimd` and the engine runs every one
 * of them, else the SIMD128 ones (one build for the whole load, so Model.relaxedSimd is one
 * answer); resolves to undefined when SIMD is unavailable or instantiation fails (the caller then
 * runs the js kernels). Separate modules cost nothing per call: no kernel calls across families.
 */
export async function createWasmSpace(fixedBytes: number, scratchBytes: number, modules: readonly WasmKernelModule[], relaxedSimd = true): Promise<WasmSpace | undefined> {
  if (!wasmSimdAvailable()) return undefined;
  const unique = [...new Set(modules)];
  let useRelaxed = relaxedSimd && relaxedSimdAvailable();
  let built = await Promise.all(unique.map((m) => compiledModule(m, useRelaxed)));
  if (useRelaxed && built.some((m) => m === undefined)) {
    useRelaxed = false;
    built = await Promise.all(unique.map((m) => compiledModule(m, false)));
  }
  const fixedEnd = RESERVED_BYTES + align16(fixedBytes);
  const total = fixedEnd + align16(scratchBytes);
  const pages = Math.max(1, Math.ceil(total / PAGE));
  let memory: WebAssembly.Memory;
  const exports: Record<string, WebAssembly.ExportValue> = {};
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    for (const m of built) {
      if (!m) return undefined;
      Object.assign(exports, (await WebAssembly.instantiate(m, { env: { memory } })).exports);
    }
  } catch {
    return undefined;
  }
  let fixed = RESERVED_BYTES, scratch = fixedEnd;
  return {
    memory, exports, relaxed: useRelaxed,
    alloc(n: number): number {
      const at = fixed;
      fixed = align16(fixed + n);
      if (fixed > fixedEnd) throw new Error(`wasm memory: fixed region of ${fixedBytes} bytes exhausted`);
      return at;
    },
    scratch(n: number): number {
      const at = scratch;
      scratch = align16(scratch + n);
      if (scratch > total) throw new Error(`wasm memory: kernel scratch of ${scratchBytes} bytes exhausted (a kernel's scratchBytes undercounts)`);
      return at;
    },
  };
}
