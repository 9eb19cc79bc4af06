// Latency measured side by side (`spc bench`): the models run in alternating rounds, each round
// one batch of calls per model (in rotating order), so drift in the machine's load or clock
// reaches every model alike. A batch lasts a few milliseconds so the per-call figures do not
// rest on the clock's or the CPU accounting's resolution.

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export interface MeasurePlan {
  /** Untimed calls per model first (the first calls run unoptimized code), cut short past WARMUP_SHARE of `timeMs`. */
  readonly warmup: number;
  /**
   * Wall-clock ms the whole measurement may take, warm-up included: rounds stop at this
   * deadline, so it ends within one round (one batch per model) after it.
   */
  readonly timeMs: number;
  /** Target length of one batch, in ms (default 5). */
  readonly batchMs?: number;
  /** Clocks, for tests: wall ms and process CPU ms (user + system). */
  readonly now?: () => number;
  readonly cpuNow?: () => number;
}

export interface Latency {
  /** Calls timed, and batches (one per round). */
  readonly runs: number;
  readonly batches: number;
  /** Wall-clock ms per call over the batches: median and quartiles. */
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  /** Process CPU ms per call (user + system), median over the batches. */
  readonly cpuMedian: number;
}

const defaultCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The share of the time budget warm-up and batch sizing may take, all models together. */
const WARMUP_SHARE = 0.2;

/**
 * Times each of `fns` (one call = one inference) per `plan`, side by side: warm-up, a batch size
 * per model from its warm-up speed, then rounds of one batch per model until `plan.timeMs` of
 * wall clock has passed since the start (at least one round). A slow
 * model or a loaded machine gets fewer runs, never more time. Returns one Latency per fn.
 */
export async function measureSideBySide(fns: readonly (() => unknown)[], plan: MeasurePlan): Promise<Latency[]> {
  const now = plan.now ?? (() => performance.now());
  const cpuNow = plan.cpuNow ?? defaultCpu;
  const batchMs = plan.batchMs ?? 5;
  const batch: number[] = [];
  const start = now();
  for (const [k, fn] of fns.entries()) {
    const warmDeadline = start + (plan.timeMs * WARMUP_SHARE * (k + 1)) / fns.length;
    for (let i = 0; i < plan.warmup && now() < warmDeadline; i++) await fn();
    // Calls for about a millisecond (at least one) size the batch.
    let n = 0;
    const t1 = now();
    do { await fn(); n++; } while (now() - t1 < 1 && n < 1000);
    const one = (now() - t1) / n;
    batch.push(Math.max(1, Math.min(1e6, Math.round(batchMs / Math.max(one, 1e-6)))));
  }
  const wall: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  const deadline = start + plan.timeMs;
  for (let round = 0; round === 0 || now() < deadline; round++) {
    for (let k = 0; k < fns.length; k++) {
      const i = (k + round) % fns.length;
      const fn = fns[i]!, b = batch[i]!;
      const c0 = cpuNow(), w0 = now();
      for (let j = 0; j < b; j++) await fn();
      const w = now() - w0, c = cpuNow() - c0;
      wall[i]!.push(w / b);
      cpu[i]!.push(c / b);
    }
  }
  return fns.map((_, i) => {
    const w = [...wall[i]!].sort((a, b) => a - b);
    const c = [...cpu[i]!].sort((a, b) => a - b);
    return { runs: w.length * batch[i]!, batches: w.length, median: quantile(w, 0.5), p25: quantile(w, 0.25), p75: quantile(w, 0.75), cpuMedian: quantile(c, 0.5) };
  });
}
