// Loading the wasmsimd kernel module and the memory model it runs in.
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

import type { WasmEnv } from '../kernel.js';
import { KERNELS_WASM_BASE64 } from './kernels.wasm.js';

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

let simd: boolean | undefined;

/** True when this engine runs WebAssembly SIMD128 (checked once). */
export function wasmSimdAvailable(): boolean {
  if (simd === undefined) {
    try {
      simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE) && WebAssembly.validate(kernelBytes());
    } catch {
      simd = false;
    }
  }
  return simd;
}

let bytes: Uint8Array<ArrayBuffer> | undefined;

function kernelBytes(): Uint8Array<ArrayBuffer> {
  if (!bytes) {
    const bin = atob(KERNELS_WASM_BASE64);
    bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  }
  return bytes;
}

export const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** A WasmEnv whose memory holds `fixedBytes` (from RESERVED_BYTES) and then `scratchBytes` of scratch. */
export interface WasmSpace extends WasmEnv {
  /** Bump allocator over the fixed region (arena, weights), 16-aligned; throws when full. */
  alloc(bytes: number): number;
}

/**
 * Creates the memory and instantiates the kernel module over it; resolves to undefined when
 * SIMD is unavailable or instantiation fails (the caller then runs the js kernels).
 */
export async function createWasmSpace(fixedBytes: number, scratchBytes: number): Promise<WasmSpace | undefined> {
  if (!wasmSimdAvailable()) return undefined;
  const fixedEnd = RESERVED_BYTES + align16(fixedBytes);
  const total = fixedEnd + align16(scratchBytes);
  const pages = Math.max(1, Math.ceil(total / PAGE));
  let memory: WebAssembly.Memory, exports: WebAssembly.Exports;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const { instance } = await WebAssembly.instantiate(kernelBytes(), { env: { memory } });
    exports = instance.exports;
  } catch {
    return undefined;
  }
  let fixed = RESERVED_BYTES, scratch = fixedEnd;
  return {
    memory, exports,
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
