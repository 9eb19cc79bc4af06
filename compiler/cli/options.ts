// Parsing of option values shared by the commands (shapes, input bindings).

import { UsageError } from '../errors.js';
import type { FileTensor } from './tensor-file.js';
import { readTensorFile } from './tensor-file.js';

/** `name=1x3x224x224` → [name, [1,3,224,224]]. */
export function parseInputShape(text: string): [string, number[]] {
  const m = /^(.+)=(\d+(?:x\d+)*)$/.exec(text);
  if (!m) throw new UsageError(`--input-shape '${text}': expected name=DIMS with DIMS like 1x3x224x224`);
  return [m[1], m[2].split('x').map(Number)];
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `name=path` or a bare `path` (allowed when the model has one input). */
export function parseInputBinding(text: string): { name?: string; path: string } {
  const eq = text.indexOf('=');
  // A path may contain '=' only when a name is given; a lone 'x=y' is read as name=path.
  if (eq > 0) return { name: text.slice(0, eq), path: text.slice(eq + 1) };
  return { path: text };
}

/** Repeated `--input-value name=file` (compile, eval, bench): input name → the tensor read from the file. */
export function parseInputValues(texts: readonly string[] = []): Record<string, FileTensor> {
  return Object.fromEntries(texts.map((text) => {
    const b = parseInputBinding(text);
    if (b.name === undefined) throw new UsageError(`--input-value '${text}': expected name=file`);
    return [b.name, readTensorFile(b.path)];
  }));
}
