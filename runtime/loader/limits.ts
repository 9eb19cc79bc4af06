// Resource limits on untrusted models and artifacts, checked before anything is allocated:
// tensor elements, total weight bytes, graph size. The compiler (spc compile --max-…) and the
// runtime loader (loadModel's `limits` option) share these names, defaults and ceilings.

/** What a model or artifact may ask for. */
export interface Limits {
  /** Elements of any one tensor (weights, inputs, activations). */
  readonly maxTensorElements: number;
  /** Bytes of all weights together. */
  readonly maxWeightBytes: number;
  /** Nodes of the graph. */
  readonly maxNodes: number;
  /** Values (tensors) of the graph: inputs, weights and every node output. */
  readonly maxValues: number;
}

/** Defaults: 1 GiB of float32 per tensor, 2 GiB of weights, graphs far larger than any edge model. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxTensorElements: 2 ** 28,
  maxWeightBytes: 2 ** 31,
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
  maxNodes: 10_000_000,
  maxValues: 100_000_000,
};

/** The `spc compile` flag that sets each limit. */
export const LIMIT_FLAGS: Readonly<Record<keyof Limits, string>> = {
  maxTensorElements: '--max-tensor-elements',
  maxWeightBytes: '--max-weight-bytes',
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
  return `${what} ${amount} exceeds the limit of ${limits[key]} ${key === 'maxWeightBytes' ? 'bytes ' : ''}(${key}; ${hint})`;
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
