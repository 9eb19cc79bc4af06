// Timing one cell of the benchmark: warm-up runs (first calls run unoptimized), then timed
// runs until both a minimum count and a minimum time are reached, capped by a maximum count.

import { quantile } from '../../compiler/bench/measure.js';

/** How long a benchmark cell runs (counted in whole runs; spc tune's TimingPlan times one kernel in batches instead). */
export interface BenchPlan {
  /** Warm-up: at least this many runs and at least this many ms. */
  readonly warmRuns: number;
  readonly warmMs: number;
  /** Timed: at least this many runs and at least this many ms, at most maxRuns. */
  readonly minRuns: number;
  readonly minMs: number;
  readonly maxRuns: number;
}

export const FULL_PLAN: BenchPlan = { warmRuns: 10, warmMs: 1000, minRuns: 10, minMs: 1500, maxRuns: 3000 };
export const QUICK_PLAN: BenchPlan = { warmRuns: 2, warmMs: 0, minRuns: 3, minMs: 0, maxRuns: 3 };

export interface Stats {
  readonly runs: number;
  /** Wall-clock ms per call. */
  readonly median: number;
  readonly min: number;
  readonly p25: number;
  readonly p75: number;
  readonly max: number;
  /**
   * Process CPU ms per call (user + system, all threads): on a machine shared with other work
   * this tracks the unloaded latency of single-threaded code far better than the wall clock.
   */
  readonly cpuMedian: number;
  readonly cpuP25: number;
  readonly cpuP75: number;
}

export function summarize(wall: readonly number[], cpu: readonly number[]): Stats {
  const s = [...wall].sort((a, b) => a - b);
  const c = [...cpu].sort((a, b) => a - b);
  return {
    runs: s.length, median: quantile(s, 0.5), min: s[0]!, p25: quantile(s, 0.25), p75: quantile(s, 0.75), max: s[s.length - 1]!,
    cpuMedian: quantile(c, 0.5), cpuP25: quantile(c, 0.25), cpuP75: quantile(c, 0.75),
  };
}

/** Warms `fn` up, then times it per `plan`; milliseconds per call. */
export async function measure(fn: () => unknown, plan: BenchPlan): Promise<Stats> {
  const w0 = performance.now();
  for (let i = 0; i < plan.warmRuns || performance.now() - w0 < plan.warmMs; i++) await fn();
  const samples: number[] = [], cpu: number[] = [];
  const t0 = performance.now();
  while (samples.length < plan.maxRuns && (samples.length < plan.minRuns || performance.now() - t0 < plan.minMs)) {
    const c = process.cpuUsage();
    const a = performance.now();
    await fn();
    samples.push(performance.now() - a);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return summarize(samples, cpu);
}
