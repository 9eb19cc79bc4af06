// The `--pattern` grammar: unstructured, N:M (keep N of every M), block:RxC and channel.
// One parser, so the CLI, the config file and the pass agree on what a pattern means; the
// canonical text and the limits are runtime/sparse/pattern.ts's (the loader checks artifacts by them).

import { SpcError } from '../../errors.js';
import { MAX_M, patternText, patternViolation } from '../../../runtime/sparse/pattern.js';
export type Pattern =
  | { readonly kind: 'unstructured'; readonly text: 'unstructured' }
  | { readonly kind: 'nm'; readonly text: string; readonly n: number; readonly m: number }
  | { readonly kind: 'block'; readonly text: string; readonly br: number; readonly bc: number }
  | { readonly kind: 'channel'; readonly text: 'channel' };

export const PATTERN_HELP =
  "accepted patterns: 'unstructured', 'N:M' (keep N of every M consecutive input-channel weights; " +
  `integers with 1 ≤ N < M ≤ ${MAX_M}, e.g. '2:4' keeps 2 of every 4), 'block:RxC' (R output rows × C input columns, e.g. 'block:4x1'), 'channel'`;

export class PatternError extends SpcError {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

const INT = /^[0-9]+$/;

function fail(text: string, why: string): never {
  throw new PatternError(`invalid pattern '${text}': ${why}; ${PATTERN_HELP}`);
}

/** Parses a pattern string; throws PatternError with a message saying what is accepted. */
export function parsePattern(input: string): Pattern {
  const text = input.trim();
  const lower = text.toLowerCase();
  if (lower === 'unstructured') return { kind: 'unstructured', text: 'unstructured' };
  if (lower === 'channel') return { kind: 'channel', text: 'channel' };
  if (lower.startsWith('block:')) {
    const body = lower.slice('block:'.length);
    const parts = body.split('x');
    if (parts.length !== 2 || !INT.test(parts[0]!) || !INT.test(parts[1]!)) fail(text, "a block is written 'block:RxC' with positive integers R and C");
    const br = Number(parts[0]);
    const bc = Number(parts[1]);
    const why = patternViolation({ kind: 'block', br, bc });
    if (why !== undefined) fail(text, why);
    return { kind: 'block', text: patternText({ kind: 'block', br, bc }), br, bc };
  }
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length !== 2) fail(text, 'N:M takes exactly two integers');
    const [a, b] = parts as [string, string];
    if (!INT.test(a) || !INT.test(b)) fail(text, 'N and M must be plain integers');
    const n = Number(a);
    const m = Number(b);
    const why = patternViolation({ kind: 'nm', n, m });
    // Other tools write the pruned count first: suggest the swap.
    if (why !== undefined) fail(text, n >= m && n > 0 ? `${why} (did you mean '${b}:${a}'? other tools count pruned weights)` : why);
    return { kind: 'nm', text: patternText({ kind: 'nm', n, m }), n, m };
  }
  if (text.endsWith('%')) fail(text, "a percentage is a sparsity: use '--pattern unstructured --sparsity 0.5'");
  if (text.includes('/')) fail(text, "'N/M' is ambiguous; write 'N:M' meaning keep N of every M");
  fail(text, 'unknown pattern');
}

/** Fraction of zeros an N:M pattern gives on full groups. */
export function nmSparsity(n: number, m: number): number {
  return (m - n) / m;
}
