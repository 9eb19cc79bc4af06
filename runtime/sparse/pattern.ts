// The sparsity-pattern grammar's canonical form ('unstructured', '2:4', 'block:4x1', 'channel')
// and its limits: the one definition the compiler's `--pattern` parser (compiler/sparse/settings/
// pattern.ts, lenient, with help) and the artifact loader (strict: canonical text only) share.

/** The largest M an N:M pattern may use (indices are packed in at most 4 bits). */
export const MAX_M = 16;
/** The largest block side accepted. */
export const MAX_BLOCK = 64;

/** A pattern's parts, however they are carried (a parsed Pattern, the IR's Sparsity, a packing). */
export type PatternParts =
  | { readonly kind: 'unstructured' | 'channel' }
  | { readonly kind: 'nm'; readonly n: number; readonly m: number }
  | { readonly kind: 'block'; readonly br: number; readonly bc: number };

/** The canonical text of a pattern: '2:4', 'block:4x1'. */
export function patternText(p: PatternParts): string {
  switch (p.kind) {
    case 'nm': return `${p.n}:${p.m}`;
    case 'block': return `block:${p.br}x${p.bc}`;
    default: return p.kind;
  }
}

/** Why parts break the grammar's rules (N < M ≤ MAX_M, block sides in 1..MAX_BLOCK, not 1×1), or undefined. */
export function patternViolation(p: PatternParts): string | undefined {
  if (p.kind === 'nm') {
    if (!(p.n >= 1)) return 'N is the number of weights kept per group and must be at least 1';
    if (p.n >= p.m) return 'N:M means keep N of every M, so N must be smaller than M';
    if (p.m > MAX_M) return `M must be at most ${MAX_M}`;
  }
  if (p.kind === 'block') {
    if (p.br < 1 || p.bc < 1 || p.br > MAX_BLOCK || p.bc > MAX_BLOCK) return `block sides must be between 1 and ${MAX_BLOCK}`;
    if (p.br === 1 && p.bc === 1) return "a 1x1 block is unstructured pruning; write 'unstructured'";
  }
  return undefined;
}

/** The parts of a pattern written in canonical form within the limits (what an artifact records); undefined otherwise. */
export function readCanonicalPattern(text: string): PatternParts | undefined {
  let parts: PatternParts | undefined;
  const nm = /^([1-9][0-9]?):([1-9][0-9]?)$/.exec(text);
  const block = /^block:([1-9][0-9]?)x([1-9][0-9]?)$/.exec(text);
  if (text === 'unstructured' || text === 'channel') parts = { kind: text };
  else if (nm) parts = { kind: 'nm', n: Number(nm[1]), m: Number(nm[2]) };
  else if (block) parts = { kind: 'block', br: Number(block[1]), bc: Number(block[2]) };
  return parts !== undefined && patternViolation(parts) === undefined ? parts : undefined;
}
