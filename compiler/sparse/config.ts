// The `--config spc.json` file: per-layer overrides chosen by node-name glob and/or op type.
// Entries apply in file order and a later entry wins for every field it sets.

import { SpcError } from '../errors.js';
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
  /** Prune the layer even if a default would keep it dense (stem, classifier, small, ...). */
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

/** A tiny glob: `*` matches any run (also empty), `?` one character; everything else literally. */
export function globMatch(glob: string, name: string): boolean {
  // Iterative matcher with backtracking to the last star.
  let g = 0;
  let s = 0;
  let star = -1;
  let mark = 0;
  while (s < name.length) {
    if (g < glob.length && (glob[g] === '?' || glob[g] === name[s]) && glob[g] !== '*') { g++; s++; }
    else if (g < glob.length && glob[g] === '*') { star = g++; mark = s; }
    else if (star >= 0) { g = star + 1; s = ++mark; }
    else return false;
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
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
