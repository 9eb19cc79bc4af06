// How provenance names option values that are files or tensors: by base name and a digest, never
// a path or the data itself, so the artifact's bytes do not depend on where its inputs were.

import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { DType, TypedArray } from '../../runtime/tensor.js';
import type { KernelProfile } from '../analysis/profile.js';
import { formatProfile } from '../analysis/profile.js';
import type { CalibrationSet } from '../calibrate/data.js';
import type { PruneConfig } from '../sparse/settings/config.js';
import { validateConfig } from '../sparse/settings/config.js';

/** Provenance key prefix of a fixed input value: `input-value:<input name>`. */
export const INPUT_VALUE_KEY = 'input-value:';

/** How provenance names a fixed input value: dtype, shape and a digest of its data. */
export function inputValueRecord(t: { readonly dtype: DType; readonly shape: readonly number[]; readonly data: TypedArray }): string {
  const digest = createHash('sha256').update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)).digest('hex').slice(0, 16);
  return `${t.dtype}[${t.shape.join(',')}] sha256:${digest}`;
}

/** How provenance names a config: its rules, and its file by base name (the bytes must not depend on where the file was). */
export function configRecord(config: unknown): string {
  const c = config as { file?: unknown } | null;
  return JSON.stringify(typeof c?.file === 'string' ? { ...c, file: basename(c.file) } : config);
}

/** A config as its record names it (`spc compile --recipe-from`): its rules, validated again, under the recorded file name. */
export function replayConfig(text: string): PruneConfig {
  const c = JSON.parse(text) as { file?: unknown; layers?: unknown };
  return validateConfig({ layers: c.layers }, typeof c.file === 'string' ? c.file : 'config');
}

/** How provenance names a profile: its source (a file's base name) and a digest of its entries. */
export function profileRecord(p: KernelProfile): string {
  const digest = createHash('sha256').update(formatProfile([...p.entries.values()], '')).digest('hex').slice(0, 16);
  return `${p.source} sha256:${digest}`;
}

/** How provenance names calibration data: its source (base name, samples used) and a digest of the samples. */
export function calibRecord(set: CalibrationSet): string {
  const h = createHash('sha256');
  for (const feed of set.samples) {
    for (const [name, t] of Object.entries(feed).sort(([a], [b]) => (a < b ? -1 : 1))) {
      h.update(`${name}:${t.dtype}:${t.shape.join('x')};`);
      h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
  }
  return `${set.source} sha256:${h.digest('hex').slice(0, 16)}`;
}
