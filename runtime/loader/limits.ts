// Resource limits on untrusted models and artifacts, checked before anything is allocated:
// tensor elements, total weight bytes, activation arena, graph size. The compiler (spc compile --max-…) and the
// runtime loader (loadModel's `limits` option) share these names, defaults and ceilings.

import { MAX_ARENA_BYTES } from './format.js';
import type { LoadedTensor } from './model.js';
import { DTYPE_BYTES } from '../tensor.js';

/** What a model or artifact may ask for. */
export interface Limits {
  /** Elements of any one tensor (weights, inputs, activations). */
  readonly maxTensorElements: number;
  /** Bytes of all weights together, counted per tensor (weights the artifact stores once but several tensors use count each time). */
  readonly maxWeightBytes: number;
  /** Bytes of the activation arena the memory plan asks for. */
  readonly maxArenaBytes: number;
  /** Nodes of the graph. */
  readonly maxNodes: number;
  /** Values (tensors) of the graph: inputs, weights and every node output. */
  readonly maxValues: number;
}

/** Defaults: 1 GiB of float32 per tensor, 2 GiB of weights, a 1 GiB arena, graphs far larger than any edge model. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxTensorElements: 2 ** 28,
  maxWeightBytes: 2 ** 31,
  maxArenaBytes: 2 ** 30,
  maxNodes: 100_000,
  maxValues: 1_000_000,
};

/**
 * Hard ceilings no option raises: typed-array lengths and offsets stay int32 (2^31 − 1
 * elements), the container's u32 section lengths, and generous bounds on counts.
 */
export const LIMIT_CEILINGS: Readonly<Limits> = {
  maxTensorElements: 2 ** 31 - 1,
  maxWeightBytes: 2 ** 32 - 1,
  maxArenaBytes: MAX_ARENA_BYTES,
  maxNodes: 10_000_000,
  maxValues: 100_000_000,
};

/** The `spc compile` flag that sets each limit. */
export const LIMIT_FLAGS: Readonly<Record<keyof Limits, string>> = {
  maxTensorElements: '--max-tensor-elements',
  maxWeightBytes: '--max-weight-bytes',
  maxArenaBytes: '--max-arena-bytes',
  maxNodes: '--max-nodes',
  maxValues: '--max-values',
};

/** `given` over the defaults, each clamped to its ceiling; throws `fail(message)` on a value that is not a whole number ≥ 1. */
export function resolveLimits(given: Partial<Limits> | undefined, fail: (message: string) => Error = (m) => new RangeError(m)): Limits {
  const out: Record<keyof Limits, number> = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const v = given?.[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 1) throw fail(`limit ${key} ${String(v)}: expected a whole number ≥ 1`);
    if (v > LIMIT_CEILINGS[key]) throw fail(`limit ${key} ${v} is above its ceiling ${LIMIT_CEILINGS[key]}`);
    out[key] = v;
  }
  return out;
}

/**
 * "<what> <amount> exceeds the limit of N (maxX; raise it with …)": the compiler's hint names
 * its flag, the loader's the option of loadModel.
 */
export function overLimit(what: string, amount: number | bigint | string, limits: Limits, key: keyof Limits, via: 'compile' | 'load'): string {
  const hint = limits[key] >= LIMIT_CEILINGS[key]
    ? 'a hard ceiling'
    : via === 'compile' ? `raise it with ${LIMIT_FLAGS[key]} (compileFile option limits.${key})` : `raise it with loadModel's option limits.${key}`;
  return `${what} ${amount} exceeds the limit of ${limits[key]} ${key === 'maxWeightBytes' || key === 'maxArenaBytes' ? 'bytes ' : ''}(${key}; ${hint})`;
}

/**
 * Element count of `shape`, or undefined when a dimension is negative or not an integer or
 * the count exceeds `max`. Checked at every step, so the product never leaves the exact range.
 */
export function boundedElements(shape: readonly number[], max: number): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0 || d > max) return undefined;
    n *= d;
    if (n > max) return undefined;
  }
  return n;
}

/**
 * Bytes a weight tensor takes: its dense data, or its packed components (values, indices, row
 * pointers), plus, for one the runtime expands at load for a dense kernel, the dense weight (float32, or int8),
 * plus, for one stored quantized, its stored elements, scales and zero points.
 */
export function weightBytesOf(t: LoadedTensor): number {
  // A quantized weight is resident twice too: as stored (with its scales) and dequantized to float32.
  const q = t.quant;
  const stored = q === undefined ? 0 : q.values.byteLength + q.scales.byteLength + (q.zeroPoints?.byteLength ?? 0);
  const p = t.packed;
  if (p === undefined) return stored + (t.data?.byteLength ?? 0);
  const packed = p.values.byteLength + (p.format === 'nm' ? p.indices.byteLength : p.colIdx.byteLength + p.rowPtr.byteLength);
  return stored + packed + (t.kernelLayout === 'dense' ? p.rows * p.cols * DTYPE_BYTES[t.dtype] : 0);
}
