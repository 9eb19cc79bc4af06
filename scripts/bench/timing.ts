// Timing one cell of the benchmark: warm-up runs (first calls run unoptimized), then timed
// runs until both a minimum count and a minimum time are reached, capped by a maximum count.

export interface TimingPlan {
  /** Warm-up: at least this many runs and at least this many ms. */
  readonly warmRuns: number;
  readonly warmMs: number;
  /** Timed: at least this many runs and at least this many ms, at most maxRuns. */
  readonly minRuns: number;
  readonly minMs: number;
  readonly maxRuns: number;
}

export const FULL_PLAN: TimingPlan = { warmRuns: 10, warmMs: 1000, minRuns: 10, minMs: 2000, maxRuns: 3000 };
export const QUICK_PLAN: TimingPlan = { warmRuns: 2, warmMs: 0, minRuns: 3, minMs: 0, maxRuns: 3 };

export interface Stats {
  readonly runs: number;
  readonly median: number;
  readonly min: number;
  readonly p25: number;
  readonly p75: number;
  readonly max: number;
}

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function summarize(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return { runs: s.length, median: quantile(s, 0.5), min: s[0]!, p25: quantile(s, 0.25), p75: quantile(s, 0.75), max: s[s.length - 1]! };
}

/** Warms `fn` up, then times it per `plan`; milliseconds per call. */
export async function measure(fn: () => unknown, plan: TimingPlan): Promise<Stats> {
  const w0 = performance.now();
  for (let i = 0; i < plan.warmRuns || performance.now() - w0 < plan.warmMs; i++) await fn();
  const samples: number[] = [];
  const t0 = performance.now();
  while (samples.length < plan.maxRuns && (samples.length < plan.minRuns || performance.now() - t0 < plan.minMs)) {
    const a = performance.now();
    await fn();
    samples.push(performance.now() - a);
  }
  return summarize(samples);
}
