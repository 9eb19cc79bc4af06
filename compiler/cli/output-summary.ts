// What `spc run` says about each output: shape and value range, and for an output that looks
// like a classifier's scores, the top-k classes with probabilities (CLASSIFIER_RULE says when).

import type { TensorView } from '../../runtime/index.js';

/** The rule, as --help states it. */
export const CLASSIFIER_RULE = 'a float output of shape [C] or [B, C] (leading 1s aside) with 2 ≤ C ≤ 100000 reads as class scores: '
  + 'probabilities when every row already sums to 1 within 1e-3 with values in [0, 1], else logits (softmax applied)';

const MAX_CLASSES = 100_000;
const MAX_ROWS_SHOWN = 8;

export interface ClassScore { readonly class: number; readonly probability: number }

export interface OutputSummary {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Smallest, largest and mean value (numbers only; NaN when the tensor is empty or not numeric). */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Set when the output reads as class scores: how they were read, and the top-k classes of each row. */
  readonly classifier?: { readonly scores: 'probabilities' | 'logits'; readonly top: readonly (readonly ClassScore[])[] };
}

export function summarizeOutput(name: string, t: TensorView, topK: number): OutputSummary {
  const values = numeric(t);
  let min = Infinity, max = -Infinity, sum = 0;
  for (const v of values ?? []) { min = Math.min(min, v); max = Math.max(max, v); sum += v; }
  const n = values?.length ?? 0;
  const stats = n === 0 ? { min: NaN, max: NaN, mean: NaN } : { min, max, mean: sum / n };
  const classes = classCount(t);
  if (values === undefined || classes === undefined) return { name, dtype: t.dtype, shape: t.shape, ...stats };
  const rows = n / classes;
  const probabilities = isDistribution(values, classes);
  const top: ClassScore[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = values.subarray(r * classes, (r + 1) * classes);
    top.push(topClasses(probabilities ? row : softmax(row), topK));
  }
  return { name, dtype: t.dtype, shape: t.shape, ...stats, classifier: { scores: probabilities ? 'probabilities' : 'logits', top } };
}

/** The terminal lines for one output. */
export function formatSummary(s: OutputSummary): string[] {
  const head = `${s.name} ${s.dtype}[${s.shape.join(',')}]`;
  if (!s.classifier) return [`${head}: min ${fmt(s.min)}, max ${fmt(s.max)}, mean ${fmt(s.mean)}`];
  const { top, scores } = s.classifier;
  const lines: string[] = [];
  const rows = top.slice(0, MAX_ROWS_SHOWN);
  rows.forEach((row, r) => {
    const best = row[0]!;
    const label = top.length > 1 ? `${head} row ${r}` : head;
    lines.push(`${label}: class ${best.class} (p=${best.probability.toFixed(4)}${scores === 'logits' ? ', softmax of the logits' : ''})`);
    lines.push(`  top ${row.length}: ${row.map((c) => `${c.class} ${(100 * c.probability).toFixed(1)}%`).join(', ')}`);
  });
  if (top.length > rows.length) lines.push(`  … ${top.length - rows.length} more rows (--json has all)`);
  return lines;
}

/** Classes per row when the output reads as class scores, else undefined. */
function classCount(t: TensorView): number | undefined {
  if (t.dtype !== 'float32' && t.dtype !== 'float64' && t.dtype !== 'float16') return undefined;
  const dims = t.shape.slice(t.shape.findIndex((d) => d !== 1));
  if (t.shape.every((d) => d === 1)) return undefined;
  if (dims.length > 2) return undefined;
  const c = dims[dims.length - 1]!;
  return c >= 2 && c <= MAX_CLASSES ? c : undefined;
}

/** The values as float64, or undefined for integer, bool and float16 data (float16 is stored as raw bits). */
function numeric(t: TensorView): Float64Array | undefined {
  if (t.data instanceof Float32Array || t.data instanceof Float64Array) return Float64Array.from(t.data);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) return undefined;
  if (t.dtype === 'float16' || t.dtype === 'bool') return undefined;
  return Float64Array.from(t.data as ArrayLike<number>);
}

function isDistribution(values: Float64Array, classes: number): boolean {
  for (let r = 0; r < values.length; r += classes) {
    let s = 0;
    for (let c = 0; c < classes; c++) {
      const v = values[r + c]!;
      if (!(v >= 0 && v <= 1)) return false;
      s += v;
    }
    if (Math.abs(s - 1) > 1e-3) return false;
  }
  return true;
}

/** softmax, shifted by the maximum so it neither overflows nor underflows. */
function softmax(row: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const out = row.map((v) => Math.exp(v - max));
  const s = out.reduce((a, b) => a + b, 0);
  return out.map((v) => v / s);
}

/** The k most probable classes, most probable first (the lower index first on ties). */
function topClasses(p: Float64Array, k: number): ClassScore[] {
  const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]! || a - b);
  return order.slice(0, Math.min(k, p.length)).map((c) => ({ class: c, probability: p[c]! }));
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'n/a' : Number(v.toPrecision(6)).toString();
}
