// Readers of single option values, shared by the table's entries: each takes the value as the
// API gives it (typed) or as the CLI gives it (text), checks it alone and returns it typed, or
// throws a UsageError naming the flag and saying what is accepted.

import { UsageError } from '../errors.js';
import type { FileTensor } from '../io/tensor-file.js';
import { readTensorFile } from '../io/tensor-file.js';
import { checkedBuckets, parseInputShape, type InputShapes } from './shape-buckets.js';

/** A number from a number or its text; `ok` says which are accepted, `expected` what to say otherwise. */
export function readNumber(flag: string, raw: unknown, ok: (x: number) => boolean, expected: string): number {
  const x = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!ok(x)) throw new UsageError(`${flag} '${String(raw)}': expected ${expected}`);
  return x;
}

/** One of `choices`. */
export function readChoice<T extends string>(flag: string, raw: unknown, choices: readonly T[], sep = ', '): T {
  if (!(choices as readonly unknown[]).includes(raw)) throw new UsageError(`${flag} '${String(raw)}': choose ${choices.join(sep)}`);
  return raw as T;
}

export function readBoolean(flag: string, raw: unknown): boolean {
  if (raw !== true && raw !== false) throw new UsageError(`${flag} must be true or false, got ${String(raw)}`);
  return raw;
}

/** A path (a non-empty string), or the already loaded thing `isLoaded` recognizes. */
export function readPathOr<T>(flag: string, raw: unknown, isLoaded: (x: unknown) => x is T, what: string): string | T {
  if (typeof raw === 'string' && raw !== '') return raw;
  if (isLoaded(raw)) return raw;
  throw new UsageError(`${flag}: expected a file path or ${what}, got ${typeof raw}`);
}

/** Pinned input shapes: name → dims (or a list of shapes: buckets), or the CLI's repeated `name=DIMS` texts (options/shape-buckets.ts). */
export function readInputShapes(raw: unknown): InputShapes {
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((t) => parseInputShape(String(t))));
  if (typeof raw !== 'object' || raw === null) throw new UsageError(`--input-shape: expected name → dims, got ${typeof raw}`);
  const whole = (dims: unknown): dims is number[] => Array.isArray(dims) && dims.every((d) => Number.isSafeInteger(d) && d >= 0);
  return Object.fromEntries(Object.entries(raw).map(([name, dims]) => {
    if (Array.isArray(dims) && dims.length > 0 && dims.every(whole)) return [name, checkedBuckets(`--input-shape ${name}`, dims)];
    if (!whole(dims)) throw new UsageError(`--input-shape ${name}: expected an array of whole numbers, e.g. [1, 3, 224, 224], or a list of such shapes (buckets)`);
    return [name, dims];
  }));
}

export type InputValue = Pick<FileTensor, 'dtype' | 'shape' | 'data'>;

/** Fixed input values: name → tensor, or the CLI's repeated `name=file` texts (each file read: .npy or TensorProto .pb). */
export function readInputValues(raw: unknown): Readonly<Record<string, InputValue>> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map((text: string) => {
      const eq = text.indexOf('=');
      if (eq <= 0) throw new UsageError(`--input-value '${text}': expected name=file`);
      return [text.slice(0, eq), readTensorFile(text.slice(eq + 1))];
    }));
  }
  if (typeof raw !== 'object' || raw === null) throw new UsageError(`--input-value: expected name → tensor, got ${typeof raw}`);
  // A recipe names each input's file.
  return Object.fromEntries(Object.entries(raw).map(([name, v]) => [name, typeof v === 'string' ? readTensorFile(v) : v as InputValue]));
}

/** Kernel targets: an array or comma-separated text, each one of `choices`. */
export function readTargets<T extends string>(flag: string, raw: unknown, choices: readonly T[]): readonly T[] {
  const items = typeof raw === 'string' ? raw.split(',').map((t) => t.trim()) : Array.isArray(raw) ? raw.map(String) : undefined;
  if (items === undefined) throw new UsageError(`${flag}: expected a list from ${choices.join(', ')}, got ${typeof raw}`);
  const bad = items.filter((t) => !(choices as readonly string[]).includes(t));
  if (bad.length > 0) throw new UsageError(`${flag}: unknown target(s) ${bad.join(', ')}; choose from ${choices.join(', ')}`);
  return items as T[];
}
