// Accuracy of a compiled artifact against the dense model on labelled samples, both run by
// spc's runtime (compiler/eval): what `spc compile --eval-data/--eval-labels` reports and
// `--max-accuracy-drop` checks.

import type { CalibrationSet } from '../calibrate/data.js';
import { evaluateArtifact } from '../eval/evaluate.js';

export interface AccuracyResult {
  /** The samples' source (base name and count, no directories). */
  readonly data: string;
  readonly rows: number;
  readonly dense: { readonly top1: number; readonly correct: number };
  readonly compiled: { readonly top1: number; readonly correct: number };
  /** Top-1 agreement with the dense model and mean KL(dense ‖ compiled), in nats. */
  readonly agreement: number;
  readonly kl: number;
  /** dense − compiled top-1, in percentage points (negative when the compiled model scores higher). */
  readonly dropPoints: number;
}

export async function measureAccuracy(compiled: Uint8Array, dense: Uint8Array, samples: CalibrationSet, labels: ArrayLike<number>): Promise<AccuracyResult> {
  const d = await evaluateArtifact(dense, samples, labels);
  const c = await evaluateArtifact(compiled, samples, labels, dense);
  return {
    data: samples.source,
    rows: c.rows,
    dense: { top1: d.top1!, correct: d.correct! },
    compiled: { top1: c.top1!, correct: c.correct! },
    agreement: c.agreement!,
    kl: c.kl!,
    // From the counts, so 490 vs 488 of 500 is exactly 0.4 points.
    dropPoints: (100 * (d.correct! - c.correct!)) / c.rows,
  };
}
