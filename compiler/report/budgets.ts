// CI budgets for `spc compile`: --max-size (artifact bytes), --max-accuracy-drop (top-1 points
// against the dense model on --eval-data/--eval-labels) and --min-speedup (estimated from the
// kernel profile). A failed budget fails the compile with exit 1 and nothing written.

import { UsageError } from '../errors.js';
import type { AccuracyResult } from './accuracy.js';
import type { SpeedupEstimate } from './estimates.js';
import { estimateBasis } from './estimates.js';
import { pct } from '../format.js';

export interface Budgets {
  /** Largest .spm file allowed, in bytes, and how it was written. */
  readonly maxSize?: { readonly bytes: number; readonly text: string };
  /** Largest top-1 drop allowed, in percentage points. */
  readonly maxAccuracyDrop?: number;
  /** Smallest estimated speedup over the dense model allowed. */
  readonly minSpeedup?: number;
}

export interface BudgetResult {
  readonly budget: '--max-size' | '--max-accuracy-drop' | '--min-speedup';
  readonly limit: number;
  readonly measured: number;
  readonly ok: boolean;
  /** One line naming the budget, the measured value and the limit. */
  readonly message: string;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** '60000', '60KB', '1.5 MB' → bytes (K = 1024). */
export function parseSize(text: string, flag = '--max-size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new UsageError(`${flag} '${text}': expected bytes, or a size with KB or MB (1 KB = 1024 bytes), e.g. 60KB`);
  return Math.floor(Number(m[1]) * unit);
}

function parseNumber(text: string, flag: string, what: string, ok: (x: number) => boolean): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`${flag} '${text}': expected ${what}`);
  return x;
}

export interface BudgetFlags { maxSize?: string; maxAccuracyDrop?: string; minSpeedup?: string }

export function parseBudgets(flags: BudgetFlags): Budgets {
  return {
    ...(flags.maxSize !== undefined ? { maxSize: { bytes: parseSize(flags.maxSize), text: flags.maxSize } } : {}),
    ...(flags.maxAccuracyDrop !== undefined
      ? { maxAccuracyDrop: parseNumber(flags.maxAccuracyDrop, '--max-accuracy-drop', 'percentage points ≥ 0, e.g. 1.5', (x) => x >= 0) }
      : {}),
    ...(flags.minSpeedup !== undefined ? { minSpeedup: parseNumber(flags.minSpeedup, '--min-speedup', 'a factor > 0, e.g. 1.2', (x) => x > 0) } : {}),
  };
}

const ms = (ns: number): string => (ns / 1e6).toPrecision(3);

export interface Measured {
  readonly artifactBytes: number;
  readonly accuracy?: AccuracyResult;
  readonly speedup: SpeedupEstimate;
}

/** Checks each budget given; the accuracy budget needs `accuracy` (the CLI insists on eval data). */
export function checkBudgets(b: Budgets, m: Measured): BudgetResult[] {
  const out: BudgetResult[] = [];
  if (b.maxSize) {
    const ok = m.artifactBytes <= b.maxSize.bytes;
    out.push({
      budget: '--max-size', limit: b.maxSize.bytes, measured: m.artifactBytes, ok,
      message: `--max-size ${b.maxSize.text}: the artifact is ${m.artifactBytes} bytes, ${ok ? 'within' : 'over'} the budget of ${b.maxSize.bytes} bytes`,
    });
  }
  if (b.maxAccuracyDrop !== undefined && m.accuracy) {
    const a = m.accuracy;
    const drop = a.dropPoints;
    const ok = drop <= b.maxAccuracyDrop + 1e-9;
    out.push({
      budget: '--max-accuracy-drop', limit: b.maxAccuracyDrop, measured: drop, ok,
      message: `--max-accuracy-drop ${b.maxAccuracyDrop}: top-1 accuracy dropped ${drop.toFixed(2)} points (dense ${pct(a.dense.top1)} → compiled ${pct(a.compiled.top1)} on ${a.rows} rows of ${a.data}), ${ok ? 'within' : 'more than'} the budget of ${b.maxAccuracyDrop} points`,
    });
  }
  if (b.minSpeedup !== undefined) {
    const s = m.speedup;
    const ok = s.speedup >= b.minSpeedup;
    out.push({
      budget: '--min-speedup', limit: b.minSpeedup, measured: s.speedup, ok,
      message: `--min-speedup ${b.minSpeedup}: estimated speedup ${s.speedup.toFixed(3)}× (${ms(s.denseNs)} ms dense → ${ms(s.ns)} ms; ${estimateBasis(s)}), ${ok ? 'meets' : 'below'} the budget of ${b.minSpeedup}×`,
    });
  }
  return out;
}
