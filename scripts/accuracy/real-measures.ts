// The task measures of the real-corpus accuracy section: thresholded decisions (wake word fired,
// speech in a chunk) against the dense model's, the sliding windows a wake-word head sees, and
// M-LSD's line segments (its reference post-processing) matched against the dense model's.

/** A pruned model's decisions and scores against the dense model's on the same inputs. */
export interface DecisionAgreement {
  readonly count: number;
  /** Inputs scored above the threshold by the dense / the pruned model. */
  readonly densePositive: number;
  readonly prunedPositive: number;
  /** Inputs where the two decisions differ. */
  readonly flips: number;
  /** |pruned − dense| score, mean and max over the inputs. */
  readonly meanAbsError: number;
  readonly maxAbsError: number;
}

/** Decision = score > threshold (openWakeWord's and Silero's rule), per input, pruned against dense. */
export function compareDecisions(dense: ArrayLike<number>, pruned: ArrayLike<number>, threshold: number): DecisionAgreement {
  if (dense.length !== pruned.length) throw new Error(`compareDecisions: ${dense.length} dense scores against ${pruned.length} pruned ones`);
  let densePositive = 0, prunedPositive = 0, flips = 0, sum = 0, max = 0;
  for (let i = 0; i < dense.length; i++) {
    const d = dense[i]! > threshold, p = pruned[i]! > threshold;
    if (d) densePositive++;
    if (p) prunedPositive++;
    if (d !== p) flips++;
    const e = Math.abs(pruned[i]! - dense[i]!);
    sum += e;
    max = Math.max(max, e);
  }
  return { count: dense.length, densePositive, prunedPositive, flips, meanAbsError: dense.length === 0 ? 0 : sum / dense.length, maxAbsError: max };
}

/**
 * Every window of `length` consecutive frames of a [frames, width] sequence (row-major), in
 * order: what a streaming head of that length scores, one window per new frame.
 */
export function slidingWindows(sequence: Float32Array, width: number, length: number): Float32Array[] {
  const frames = sequence.length / width;
  if (!Number.isInteger(frames)) throw new Error(`slidingWindows: ${sequence.length} values is not a whole number of ${width}-wide frames`);
  const out: Float32Array[] = [];
  for (let start = 0; start + length <= frames; start++) out.push(sequence.slice(start * width, (start + length) * width));
  return out;
}

/** A line segment in output-grid pixels (M-LSD's output is half the input's resolution). */
export interface Segment {
  readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number;
  readonly score: number;
}

export interface SegmentThresholds {
  /** Centre score above this (M-LSD's pred_lines: 0.1). */
  readonly score: number;
  /** Length above this, in output-grid pixels (pred_lines: 20). */
  readonly length: number;
}

/** M-LSD's reference thresholds (pred_lines in the M-LSD repository). */
export const MLSD_THRESHOLDS: SegmentThresholds = { score: 0.1, length: 20 };

/**
 * M-LSD's post-processing on its two heads, NHWC: `scores` [h, w] (already non-maximum
 * suppressed in the graph) and `offsets` [h, w, 4] (start dx, dy, end dx, dy per centre pixel).
 * A segment per centre above the score threshold whose endpoints lie farther apart than the
 * length threshold, in row-major pixel order.
 */
export function mlsdSegments(scores: ArrayLike<number>, offsets: ArrayLike<number>, h: number, w: number, t: SegmentThresholds = MLSD_THRESHOLDS): Segment[] {
  if (scores.length !== h * w || offsets.length !== 4 * h * w) throw new Error(`mlsdSegments: want ${h * w} scores and ${4 * h * w} offsets, got ${scores.length} and ${offsets.length}`);
  const out: Segment[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const score = scores[y * w + x]!;
      if (!(score > t.score)) continue;
      const o = 4 * (y * w + x);
      const s: Segment = { x0: x + offsets[o]!, y0: y + offsets[o + 1]!, x1: x + offsets[o + 2]!, y1: y + offsets[o + 3]!, score };
      if (Math.hypot(s.x1 - s.x0, s.y1 - s.y0) > t.length) out.push(s);
    }
  }
  return out;
}

/** The farther endpoint distance of two segments, in whichever endpoint order pairs them better. */
export function segmentDistance(a: Segment, b: Segment): number {
  const same = Math.max(Math.hypot(a.x0 - b.x0, a.y0 - b.y0), Math.hypot(a.x1 - b.x1, a.y1 - b.y1));
  const swapped = Math.max(Math.hypot(a.x0 - b.x1, a.y0 - b.y1), Math.hypot(a.x1 - b.x0, a.y1 - b.y0));
  return Math.min(same, swapped);
}

/**
 * How many of `reference`'s segments `found` reproduces: greedily, reference segments by
 * descending score (ties in list order) each take the nearest unmatched segment of `found`
 * (first in list order on a tie) if both its endpoints lie within `tolerance` pixels.
 */
export function matchSegments(reference: readonly Segment[], found: readonly Segment[], tolerance: number): number {
  const order = reference.map((_, i) => i).sort((i, j) => reference[j]!.score - reference[i]!.score || i - j);
  const taken = new Uint8Array(found.length);
  let matched = 0;
  for (const i of order) {
    let best = -1, bestDistance = Infinity;
    for (let j = 0; j < found.length; j++) {
      if (taken[j]) continue;
      const d = segmentDistance(reference[i]!, found[j]!);
      if (d <= tolerance && d < bestDistance) { best = j; bestDistance = d; }
    }
    if (best >= 0) { taken[best] = 1; matched++; }
  }
  return matched;
}
