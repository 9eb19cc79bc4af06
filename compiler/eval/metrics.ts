// Scores on classifier outputs, in float64: top-1 index, softmax KL divergence between two
// logit rows, and their sums over rows (what `spc eval` and the sensitivity allocation report).

/** Index of the largest value of `row` (the first one on ties). */
export function argmax(row: ArrayLike<number>, from = 0, length = row.length - from): number {
  let best = 0;
  for (let c = 1; c < length; c++) if (row[from + c]! > row[from + best]!) best = c;
  return best;
}

/** log Σ exp(x) over the row, shifted by the maximum so it neither overflows nor underflows. */
function logSumExp(x: ArrayLike<number>, from: number, length: number): number {
  let max = -Infinity;
  for (let c = 0; c < length; c++) max = Math.max(max, x[from + c]!);
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let s = 0;
  for (let c = 0; c < length; c++) s += Math.exp(x[from + c]! - max);
  return max + Math.log(s);
}

/**
 * KL(softmax(p) ‖ softmax(q)) for one row of logits: Σ_c P_c · (log P_c − log Q_c), in nats.
 * Zero when the rows are equal up to a constant shift; Infinity when q's softmax underflows
 * where p's does not.
 */
export function softmaxKl(p: ArrayLike<number>, q: ArrayLike<number>, from = 0, length = p.length - from): number {
  const lp = logSumExp(p, from, length);
  const lq = logSumExp(q, from, length);
  let kl = 0;
  for (let c = 0; c < length; c++) {
    const logP = p[from + c]! - lp;
    const P = Math.exp(logP);
    if (P === 0) continue;
    kl += P * (logP - (q[from + c]! - lq));
  }
  return Math.max(0, kl);
}

/** Running sums over rows of logits: top-1 hits against labels, agreement and KL against a reference. */
export class ScoreAccumulator {
  rows = 0;
  correct = 0;
  agree = 0;
  klSum = 0;

  /**
   * Scores `rows` rows of `classes` logits each. `labels` (from `labelOffset`) and `reference`
   * (the dense model's logits, same layout) are optional.
   */
  add(logits: ArrayLike<number>, rows: number, classes: number, labels?: ArrayLike<number>, labelOffset = 0, reference?: ArrayLike<number>): void {
    for (let r = 0; r < rows; r++) {
      const at = r * classes;
      const top = argmax(logits, at, classes);
      if (labels && top === labels[labelOffset + r]) this.correct++;
      if (reference) {
        if (argmax(reference, at, classes) === top) this.agree++;
        this.klSum += softmaxKl(reference, logits, at, classes);
      }
    }
    this.rows += rows;
  }

  get top1(): number { return this.rows === 0 ? 0 : this.correct / this.rows; }
  get agreement(): number { return this.rows === 0 ? 0 : this.agree / this.rows; }
  /** Mean KL(dense ‖ pruned) per row. */
  get kl(): number { return this.rows === 0 ? 0 : this.klSum / this.rows; }
}
