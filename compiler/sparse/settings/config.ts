// The `--config spc.json` file: per-layer overrides chosen by node-name glob and/or op type.
// Entries apply in file order and a later entry wins for every field it sets.

import { SpcError } from '../../errors.js';
import type { Pattern } from './pattern.js';
import { parsePattern, PatternError } from './pattern.js';

export interface LayerRule {
  /** Glob on the node name (* any run, ? one character); absent matches every node. */
  readonly match?: string;
  /** Op type (Conv, Gemm, MatMul); absent matches every op. */
  readonly op?: string;
  readonly pattern?: Pattern;
  readonly sparsity?: number;
  /** Keep the layer dense. */
  readonly skip?: boolean;
  /** Prune the layer even if a default skip (sparse/settings/skips.ts: stem, depthwise, small, classifier above 50%) would keep it dense. */
  readonly force?: boolean;
}

export interface PruneConfig {
  readonly file: string;
  readonly layers: readonly LayerRule[];
}

/** What the rules say about one layer, merged; `rules` lists the indices of the entries that matched. */
export interface LayerOverride {
  readonly pattern?: Pattern;
  readonly sparsity?: number;
  readonly skip?: boolean;
  readonly force?: boolean;
  readonly rules: readonly number[];
}

export class ConfigError extends SpcError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const KEYS = new Set(['match', 'op', 'pattern', 'sparsity', 'skip', 'force']);

function validateRule(raw: unknown, file: string, i: number): LayerRule {
  const where = `${file}: layers[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${where}: must be an object`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KEYS.has(k)) throw new ConfigError(`${where}: unknown key '${k}' (known: ${[...KEYS].join(', ')})`);
  }
  const str = (k: string): string | undefined => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== 'string' || o[k] === '') throw new ConfigError(`${where}: '${k}' must be a non-empty string`);
    return o[k] as string;
  };
  const bool = (k: string): boolean | undefined => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== 'boolean') throw new ConfigError(`${where}: '${k}' must be true or false`);
    return o[k] as boolean;
  };
  const match = str('match');
  if (match !== undefined && [...match].length > MAX_GLOB_LENGTH) {
    throw new ConfigError(`${where}: 'match' is ${[...match].length} characters long, at most ${MAX_GLOB_LENGTH}`);
  }
  const op = str('op');
  const patternText = str('pattern');
  let pattern: Pattern | undefined;
  if (patternText !== undefined) {
    try {
      pattern = parsePattern(patternText);
    } catch (e) {
      if (e instanceof PatternError) throw new ConfigError(`${where}: ${e.message}`);
      throw e;
    }
  }
  let sparsity: number | undefined;
  if (o['sparsity'] !== undefined) {
    const s = o['sparsity'];
    if (typeof s !== 'number' || !(s >= 0 && s < 1)) throw new ConfigError(`${where}: 'sparsity' must be a number in [0, 1), got ${JSON.stringify(s)}`);
    sparsity = s;
  }
  const skip = bool('skip');
  const force = bool('force');
  if (skip && force) throw new ConfigError(`${where}: 'skip' and 'force' contradict each other`);
  if (match === undefined && op === undefined) throw new ConfigError(`${where}: needs 'match' (a node-name glob) or 'op'`);
  return { match, op, pattern, sparsity, skip, force };
}

/** Validates a parsed JSON value; errors name the file and the entry. */
export function validateConfig(raw: unknown, file: string): PruneConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${file}: the top level must be an object with a 'layers' array`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'layers') throw new ConfigError(`${file}: unknown top-level key '${k}' (only 'layers')`);
  if (!Array.isArray(o['layers'])) throw new ConfigError(`${file}: 'layers' must be an array`);
  return { file, layers: o['layers'].map((r, i) => validateRule(r, file, i)) };
}

/** Parses the text of a config file. */
export function parseConfig(text: string, file: string): PruneConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return validateConfig(raw, file);
}

/** The longest 'match' glob a config may give: the matcher's work per name character grows with it. */
export const MAX_GLOB_LENGTH = 256;

/**
 * A tiny glob: `*` matches any run (also empty), `?` one character; everything else literally.
 * Run as a bit-parallel NFA (one bit per glob position, a set of positions live at once), so a
 * name is read once, left to right, with ⌈glob length / 32⌉ word operations per character:
 * no backtracking, whatever the glob and name (the backtracking matcher took O(name · glob)).
 */
export function globMatch(glob: string, name: string): boolean {
  return compileGlob(glob)(name);
}

// A config's globs are matched against every node: each is compiled once (a bounded cache).
const compiled = new Map<string, (name: string) => boolean>();

/** The matcher of `glob`, built once per glob. */
export function compileGlob(glob: string): (name: string) => boolean {
  const hit = compiled.get(glob);
  if (hit) return hit;
  // Runs of stars are one star; position i is "glob[0..i) matched", position m is the end.
  const g = [...glob.replace(/\*+/g, '*')];
  const m = g.length, words = (m >> 5) + 1;
  const star = new Uint32Array(words), any = new Uint32Array(words);
  const literal = new Map<string, Uint32Array>();
  g.forEach((ch, i) => {
    const bit = 1 << (i & 31), w = i >> 5;
    if (ch === '*') star[w]! |= bit;
    else if (ch === '?') any[w]! |= bit;
    else {
      let mask = literal.get(ch);
      if (!mask) literal.set(ch, (mask = new Uint32Array(words)));
      mask[w]! |= bit;
    }
  });
  const none = new Uint32Array(words);
  const closeStars = (s: Uint32Array): void => {
    // A live star also lets the glob go on past it (stars never follow stars, so one step).
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const moved = ((s[w]! & star[w]!) << 1) | carry;
      carry = (s[w]! & star[w]!) >>> 31;
      s[w]! |= moved;
    }
  };
  const match = (name: string): boolean => {
    let s = new Uint32Array(words), next = new Uint32Array(words);
    s[0] = 1;
    closeStars(s);
    for (const ch of name) {
      const lit = literal.get(ch) ?? none;
      let carry = 0, live = 0;
      for (let w = 0; w < words; w++) {
        const step = s[w]! & (lit[w]! | any[w]!);
        next[w] = (s[w]! & star[w]!) | (step << 1) | carry;
        carry = step >>> 31;
        live |= next[w]!;
      }
      if (live === 0) return false;
      [s, next] = [next, s];
      closeStars(s);
    }
    return (s[m >> 5]! & (1 << (m & 31))) !== 0;
  };
  if (compiled.size >= 1024) compiled.clear();
  compiled.set(glob, match);
  return match;
}

/** Merges the rules that match a node, in file order (later wins per field). */
export function overrideFor(config: PruneConfig | undefined, node: string, op: string): LayerOverride {
  const out: { pattern?: Pattern; sparsity?: number; skip?: boolean; force?: boolean; rules: number[] } = { rules: [] };
  if (!config) return out;
  config.layers.forEach((r, i) => {
    if (r.op !== undefined && r.op !== op) return;
    if (r.match !== undefined && !globMatch(r.match, node)) return;
    out.rules.push(i);
    if (r.pattern !== undefined) out.pattern = r.pattern;
    if (r.sparsity !== undefined) out.sparsity = r.sparsity;
    // skip and force exclude each other: the later one that is set decides.
    if (r.skip !== undefined) { out.skip = r.skip; if (r.skip) out.force = false; }
    if (r.force !== undefined) { out.force = r.force; if (r.force) out.skip = false; }
  });
  return out;
}
