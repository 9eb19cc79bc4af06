// The shared corpus as the benchmark reads it: ../shared/corpus/models/index.json and .npy files.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNpy } from '../../compiler/io/npy.js';
import type { NpyArray } from '../../compiler/io/npy.js';

/** The repository root (this file runs from dist/scripts/bench/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CORPUS_MODELS = join(ROOT, '..', 'shared', 'corpus', 'models');

export interface CorpusTensor { readonly name: string; readonly dtype: string; readonly shape: readonly number[]; readonly npy: string }
export interface CorpusEntry { readonly name: string; readonly file: string; readonly inputs: readonly CorpusTensor[]; readonly outputs: readonly CorpusTensor[] }

export function corpusEntry(model: string): CorpusEntry {
  const index = JSON.parse(readFileSync(join(CORPUS_MODELS, 'index.json'), 'utf8')) as CorpusEntry[];
  const e = index.find((x) => x.name === model);
  if (!e) throw new Error(`model '${model}' is not in ${join(CORPUS_MODELS, 'index.json')} (have ${index.map((x) => x.name).join(', ')})`);
  return e;
}

export function readNpy(file: string): NpyArray {
  return parseNpy(new Uint8Array(readFileSync(join(CORPUS_MODELS, file))), file);
}
