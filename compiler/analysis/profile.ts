// Kernel profiles: per `<kernel id without epilogue>@<shape class>`, the fitted cost
// nsPerCall + nsPerUnit·work (compiler/analysis/cost.ts). The JSON file format, its validating
// loader (errors name the file and the entry), its writer, and the default profile shipped.
//
//   { "format": "spc-kernel-profile", "version": 1, "generated": "...",
//     "entries": [ { "key": "f32-conv-4x8-wasmsimd@pointwise", "nsPerCall": 812, "nsPerUnit": 0.052, "points": 9 }, ... ] }
//
// Entries sorted by key; no timestamps, paths or host names, so a profile diffs cleanly.

import { READ_CAPS, readBounded } from '../io/read.js';
import { basename } from 'node:path';
import { SpcError } from '../errors.js';
import DEFAULT_PROFILE_JSON from './profiles/default.json' with { type: 'json' };

/**
 * The layer shapes a profile prices separately (its keys' suffix); cost.ts classifies a layer.
 * gemv: a Gemm or MatMul with one output row (P = 1: a classifier head, an MLP on one sample), its
 *   weight read from memory (the rest of the model pushed it out of cache since the last run).
 * gemv-cached: the same in a model whose weights all stay cached between runs (cost.ts
 *   CACHED_MODEL_BYTES); priced from the gemv entry when a profile has none.
 * elements: every other node, priced per element it reads and writes (cost.ts elementWork).
 */
export type ShapeClass = 'pointwise' | 'kxk' | 'depthwise' | 'gemm' | 'matmul' | 'gemv' | 'gemv-cached' | 'elements';
export const SHAPE_CLASSES: readonly ShapeClass[] = ['pointwise', 'kxk', 'depthwise', 'gemm', 'matmul', 'gemv', 'gemv-cached', 'elements'];

export const PROFILE_FORMAT = 'spc-kernel-profile';
export const PROFILE_VERSION = 1;

export interface ProfileEntry {
  readonly key: string;
  /** Fixed cost per call (ns). */
  readonly nsPerCall: number;
  /** Cost per unit of work (ns per multiply-add as cost.ts counts them). */
  readonly nsPerUnit: number;
  /** Measurements the fit used. */
  readonly points: number;
}

export interface KernelProfile {
  /** Where it came from, as provenance records it: 'default' or the file's base name. */
  readonly source: string;
  readonly entries: ReadonlyMap<string, ProfileEntry>;
}

const KEY_PATTERN = new RegExp(`^[a-z0-9]+-[a-z0-9]+-(\\d+x\\d+|bcast)-(ref|js|wasmsimd)@(${SHAPE_CLASSES.join('|')})$`);
const TOP_FIELDS = ['format', 'version', 'generated', 'entries'];
const ENTRY_FIELDS = ['key', 'nsPerCall', 'nsPerUnit', 'points'];

/** Validates a parsed profile; every error names `file` and, for an entry, its index and key. */
export function parseProfile(json: unknown, file: string, source = basename(file)): KernelProfile {
  const fail = (msg: string): never => { throw new SpcError(`${file}: ${msg}`); };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('a kernel profile is a JSON object');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!TOP_FIELDS.includes(k)) fail(`unknown field '${k}' (expected ${TOP_FIELDS.join(', ')})`);
  if (o['format'] !== PROFILE_FORMAT) fail(`"format" must be "${PROFILE_FORMAT}", got ${JSON.stringify(o['format'])}`);
  if (o['version'] !== PROFILE_VERSION) fail(`"version" ${JSON.stringify(o['version'])} is not supported (this spc reads version ${PROFILE_VERSION})`);
  if (o['generated'] !== undefined && typeof o['generated'] !== 'string') fail('"generated" must be a string');
  if (!Array.isArray(o['entries'])) fail('"entries" must be an array');
  const entries = new Map<string, ProfileEntry>();
  (o['entries'] as unknown[]).forEach((e, i) => {
    const key = typeof e === 'object' && e !== null && typeof (e as Record<string, unknown>)['key'] === 'string' ? (e as Record<string, string>)['key'] : undefined;
    const bad = (msg: string): never => fail(`entry ${i}${key ? ` (${key})` : ''}: ${msg}`);
    if (typeof e !== 'object' || e === null || Array.isArray(e)) bad('must be an object');
    const r = e as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!ENTRY_FIELDS.includes(k)) bad(`unknown field '${k}' (expected ${ENTRY_FIELDS.join(', ')})`);
    if (key === undefined) bad('"key" must be a string');
    if (!KEY_PATTERN.test(key!)) bad(`"key" must read <kernel id without epilogue>@<${SHAPE_CLASSES.join('|')}>, e.g. f32-conv-4x8-wasmsimd@pointwise`);
    if (entries.has(key!)) bad('duplicate key');
    for (const f of ['nsPerCall', 'nsPerUnit'] as const) {
      const v = r[f];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(`"${f}" must be a finite number ≥ 0, got ${JSON.stringify(v)}`);
    }
    if (typeof r['points'] !== 'number' || !Number.isInteger(r['points']) || (r['points'] as number) < 1) bad(`"points" must be a whole number ≥ 1, got ${JSON.stringify(r['points'])}`);
    entries.set(key!, { key: key!, nsPerCall: r['nsPerCall'] as number, nsPerUnit: r['nsPerUnit'] as number, points: r['points'] as number });
  });
  return { source, entries };
}

/** Reads and validates a profile file. */
export function loadProfile(file: string): KernelProfile {
  const text = new TextDecoder().decode(readBounded(file, READ_CAPS.json));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SpcError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseProfile(json, file);
}

let defaultProfile: KernelProfile | undefined;

/** The profile shipped with spc (compiler/analysis/profiles/default.json, written by `npm run tune:default`). */
export function getDefaultProfile(): KernelProfile {
  defaultProfile ??= parseProfile(DEFAULT_PROFILE_JSON, 'compiler/analysis/profiles/default.json', 'default');
  return defaultProfile;
}

/** A profile from entries (tests, `spc tune`). */
export function makeProfile(entries: readonly ProfileEntry[], source = 'custom'): KernelProfile {
  return { source, entries: new Map(entries.map((e) => [e.key, e])) };
}

/**
 * A profile with no entries: every op is then chosen by target order alone (the first allowed
 * target with a kernel for the weight's format; see kernel-choice.ts). Tests use it to pin
 * packed kernels whatever the timings say.
 */
export const TARGET_ORDER: KernelProfile = makeProfile([], 'target-order');

/** Four significant digits: enough for selection, stable across re-runs' noise in the last places. */
const round4 = (x: number): number => (x === 0 ? 0 : Number(x.toPrecision(4)));

/** The JSON text of a profile: entries sorted by key, figures rounded, a trailing newline. */
export function formatProfile(entries: readonly ProfileEntry[], generated: string): string {
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const lines = sorted.map((e) => `    ${JSON.stringify({ key: e.key, nsPerCall: round4(e.nsPerCall), nsPerUnit: round4(e.nsPerUnit), points: e.points })}`);
  return `{\n  "format": "${PROFILE_FORMAT}",\n  "version": ${PROFILE_VERSION},\n  "generated": ${JSON.stringify(generated)},\n  "entries": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
