// Recipe files: every compile option in one JSON file (`spc compile --recipe r.json`), keyed and
// typed as the option table declares them; the recipe a compile's flags make (`--write-recipe`);
// and the options an artifact's provenance replays (`--recipe-from model.spm`).

import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SpcError } from '../errors.js';
import { READ_CAPS, readBounded } from '../io/read.js';
import { closest } from '../suggest.js';
import { validateConfig } from '../sparse/settings/config.js';
import type { OptionValues } from './settings.js';
import type { OptionName, RecipeSchema } from './table.js';
import { parseInputShape } from './shape-buckets.js';
import { OPTION_ENTRIES } from './table.js';

/** Where the recipe schema sits in the repository and in the spc-compiler package (for messages). */
export const RECIPE_SCHEMA_REF = 'schemas/recipe.schema.json';

/**
 * This compiler's own copy of the schema: schemas/recipe.schema.json three folders above this
 * module, both in the repository (dist/compiler/options/) and in the installed spc-compiler
 * package (dist/compiler/options/ beside the schemas/ that scripts/stage-packages.mjs ships).
 */
const SCHEMA_FILE = fileURLToPath(new URL(`../../../${RECIPE_SCHEMA_REF}`, import.meta.url));

/**
 * What a recipe written to `recipePath` names in "$schema": the path from its folder to the
 * installed compiler's schema, starting with `.` (VS Code's JSON language service resolves a
 * "$schema" against the file only when it starts with `.`; anything else is taken as a schema
 * id, which is why a bare `schemas/…` resolved only inside the repository). A recipe on another
 * drive than the compiler gets the schema's file URL.
 */
export function recipeSchemaRef(recipePath: string): string {
  const rel = relative(dirname(resolve(recipePath)), SCHEMA_FILE);
  if (isAbsolute(rel)) return pathToFileURL(SCHEMA_FILE).href;
  const posix = rel.split(sep).join('/');
  return posix.startsWith('.') ? posix : `./${posix}`;
}

const NAMES = OPTION_ENTRIES.map(([name]) => name as string);
const SCHEMAS = new Map<string, RecipeSchema>(OPTION_ENTRIES.map(([name, spec]) => [name, spec.schema]));

/** The JSON type of a value, as JSON Schema names it. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Whether `v` has one of the schema's types (an enum's values are checked by the option's reader). */
function typeOk(schema: RecipeSchema, v: unknown): boolean {
  if (schema.type === undefined) return typeof v === 'string';
  const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
  const t = jsonType(v);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

/**
 * The options of recipe file `path`: each key an option's name, each value of its type; paths
 * are relative to the recipe's folder, and an inline config (`{ "layers": [...] }`) is
 * validated as a --config file would be, named by the recipe. Errors name the file and key (exit 1).
 */
export function readRecipe(path: string): OptionValues {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(readBounded(path, READ_CAPS.json)));
  } catch (e) {
    if (e instanceof SpcError) throw e;
    throw new SpcError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SpcError(`${path}: a recipe is a JSON object of compile options`);
  const dir = dirname(path);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === '$schema') continue;
    const schema = SCHEMAS.get(key);
    if (schema === undefined) {
      const near = closest(key, NAMES);
      throw new SpcError(`${path}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; the options are in ${RECIPE_SCHEMA_REF}`);
    }
    if (!typeOk(schema, value)) throw new SpcError(`${path}: ${key}: expected ${[schema.type ?? 'string'].flat().join(' or ')}, got ${jsonType(value)}`);
    if (key === 'config' && typeof value === 'object') out[key] = validateConfig(value, `${path}: config`);
    else if (schema.path === true) out[key] = typeof value === 'string' ? resolve(dir, value) : mapStrings(value, key, path, (p) => resolve(dir, p));
    else out[key] = value;
  }
  return out as OptionValues;
}

function mapStrings(value: unknown, key: string, path: string, f: (s: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(value as object).map(([k, v]) => {
    if (typeof v !== 'string') throw new SpcError(`${path}: ${key}.${k}: expected a file path, got ${jsonType(v)}`);
    return [k, f(v)];
  }));
}

/** `['a=1x2']` → { a: '1x2' }: the CLI's repeated name=value texts as an object. */
function byName(texts: readonly string[]): Record<string, string> {
  return Object.fromEntries(texts.map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
}

/** One option's CLI text as the recipe's JSON value (its schema's type); paths relative to `dir`. */
function recipeValue(schema: RecipeSchema, text: unknown, dir: string): unknown {
  const rel = (p: string): string => (isAbsolute(p) ? relative(dir, p) : relative(dir, resolve(p))) || '.';
  const type = typeof schema.type === 'string' ? schema.type : schema.type?.[0];
  if (typeof text === 'boolean') return text;
  if (schema.path === true && typeof text === 'string') return rel(text);
  if (type === 'number' || type === 'integer') return Number(text);
  if (type === 'array') return String(text).split(',').map((t) => t.trim());
  if (type === 'object' && Array.isArray(text)) {
    const o = byName(text as string[]);
    const items = schema['additionalProperties'] as RecipeSchema;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, schema.path === true ? rel(v) : items.type === 'array' ? parseInputShape(`${k}=${v}`)[1] : v]));
  }
  // An object of fields (limits), each of its property's type.
  if (type === 'object') return Object.fromEntries(Object.entries(text as object).map(([k, v]) => [k, Number(v)]));
  return text;
}

/**
 * The recipe file of the options the CLI's flags gave (as text, options/flags' form), in table
 * order, paths relative to `recipePath`'s folder: compiling it gives the artifact the flags give.
 */
export function formatRecipe(values: OptionValues, recipePath: string): string {
  const dir = dirname(resolve(recipePath));
  const given = values as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = { $schema: recipeSchemaRef(recipePath) };
  for (const [name, spec] of OPTION_ENTRIES) {
    if (given[name] !== undefined) out[name] = recipeValue(spec.schema, given[name], dir);
  }
  return JSON.stringify(out, null, 2) + '\n';
}

/** An option provenance names by file (a name and a digest): its flag, and what was recorded. */
export interface RecordedFile {
  readonly option: OptionName;
  readonly record: string;
}

/**
 * The options an artifact's provenance records, replayed: every recorded key back to its
 * option's value (the table's `replay`), and the files it names by digest only (calibration
 * data, fixed inputs, a profile), which must be given again. Unknown keys (a newer spc) refuse.
 */
export function replayProvenance(recorded: readonly (readonly [string, string])[], artifact: string): { values: OptionValues; files: RecordedFile[] } {
  const values: Record<string, unknown> = {};
  const files: RecordedFile[] = [];
  const used = new Set<string>();
  for (const [name, spec] of OPTION_ENTRIES) {
    const r = spec.record;
    if (r === undefined) continue;
    if ('entries' in r) {
      const mine = recorded.filter(([k]) => k === r.prefix || (r.prefix.endsWith(':') && k.startsWith(r.prefix)));
      if (mine.length === 0) continue;
      for (const [k] of mine) used.add(k);
      if (r.replay === 'file') files.push(...mine.map(([, record]) => ({ option: name, record })));
      else values[name] = r.replay(mine.map(([k, v]) => [k.slice(r.prefix.length), v] as const));
    } else {
      const entry = recorded.find(([k]) => k === r.key);
      if (entry === undefined) continue;
      used.add(entry[0]);
      if (r.replay === 'file') files.push({ option: name, record: entry[1] });
      else values[name] = r.replay ? r.replay(entry[1]) : entry[1];
    }
  }
  const unknown = recorded.filter(([k]) => !used.has(k)).map(([k]) => k);
  if (unknown.length > 0) throw new SpcError(`--recipe-from ${artifact}: its provenance records option(s) this spc does not know (${unknown.join(', ')}): compiled by another version`);
  return { values: values as OptionValues, files };
}

/** Provenance entries that differ between the artifact replayed and the new compile, one `key: recorded → now` each. */
export function provenanceDiff(recorded: readonly (readonly [string, string])[], now: readonly (readonly [string, string])[]): string[] {
  const a = new Map(recorded), b = new Map(now);
  return [...new Set([...a.keys(), ...b.keys()])].sort()
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => `${k}: ${a.get(k) ?? '(not set)'} → ${b.get(k) ?? '(not set)'}`);
}
