// Timing one prepared kernel for `spc tune`: warm-up (first calls run unoptimized), then samples
// of a batch of calls long enough for the CPU clock, each sample the process CPU time per call;
// the median is kept (the machine may be shared: CPU time tracks unloaded latency better).

export interface TimingPlan {
  /** Warm-up calls (at least) and ms (at least). */
  readonly warmCalls: number;
  readonly warmMs: number;
  /** A sample runs as many calls as take at least this many ms. */
  readonly batchMs: number;
  readonly samples: number;
}

export const FULL_TIMING: TimingPlan = { warmCalls: 5, warmMs: 30, batchMs: 4, samples: 9 };
export const QUICK_TIMING: TimingPlan = { warmCalls: 3, warmMs: 10, batchMs: 0.5, samples: 3 };

const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Median process CPU ns per call of `run`. */
export function timeCall(run: () => void, plan: TimingPlan): number {
  const w0 = performance.now();
  for (let i = 0; i < plan.warmCalls || performance.now() - w0 < plan.warmMs; i++) run();
  // Calls per batch: double until a batch takes batchMs of wall time.
  let reps = 1;
  for (;;) {
    const a = performance.now();
    for (let i = 0; i < reps; i++) run();
    if (performance.now() - a >= plan.batchMs || reps >= 1 << 20) break;
    reps *= 2;
  }
  const perCall: number[] = [];
  for (let s = 0; s < plan.samples; s++) {
    const c0 = cpuMs();
    for (let i = 0; i < reps; i++) run();
    perCall.push(((cpuMs() - c0) * 1e6) / reps);
  }
  perCall.sort((x, y) => x - y);
  return perCall[Math.floor(perCall.length / 2)]!;
}
