// The shared corpora as the benchmark reads them: ../shared/corpus/models and ../shared/corpus/real
// (each an index.json and .npy files beside the models); an entry knows which folder it came from.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNpy } from '../../compiler/io/npy.js';
import type { NpyArray } from '../../compiler/io/npy.js';

/** The repository root (this file runs from dist/scripts/bench/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CORPUS_MODELS = join(ROOT, '..', 'shared', 'corpus', 'models');
/** Trained models from npm packages (its README: licences, tolerances, how the inputs were made). */
export const CORPUS_REAL = join(ROOT, '..', 'shared', 'corpus', 'real');

export interface CorpusTensor { readonly name: string; readonly dtype: string; readonly shape: readonly (number | string)[]; readonly npy: string }
export interface CorpusEntry {
  readonly name: string; readonly file: string; readonly inputs: readonly CorpusTensor[]; readonly outputs: readonly CorpusTensor[];
  /** The corpus folder holding `file` and the .npy files (added on reading). */
  readonly dir: string;
  /** Output tolerance relative to max |reference| (the real corpus states one per model). */
  readonly tolerance?: number;
  /** How the stored input was made (the real corpus: which clip, which embeddings or chunk). */
  readonly input_made?: string;
}

function readIndex(dir: string): CorpusEntry[] {
  return (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Omit<CorpusEntry, 'dir'>[]).map((e) => ({ ...e, dir }));
}

/** Every entry of both corpus indexes (random-weight models, then the real ones). */
export const corpusEntries = (): CorpusEntry[] => [...readIndex(CORPUS_MODELS), ...readIndex(CORPUS_REAL)];

export function corpusEntry(model: string): CorpusEntry {
  const index = corpusEntries();
  const e = index.find((x) => x.name === model);
  if (!e) throw new Error(`model '${model}' is in neither ${CORPUS_MODELS} nor ${CORPUS_REAL} (have ${index.map((x) => x.name).join(', ')})`);
  return e;
}

/** The model file of an entry. */
export const modelFile = (e: CorpusEntry): string => join(e.dir, e.file);

/** An .npy of the corpus: `file` relative to `dir` (the entry's folder; default the models corpus). */
export function readNpy(file: string, dir: string = CORPUS_MODELS): NpyArray {
  return parseNpy(new Uint8Array(readFileSync(join(dir, file))), file);
}

/** The input shapes to compile an entry with: its .npy shapes (the real corpus pins dynamic dimensions there). */
export function inputShapes(e: CorpusEntry): Record<string, readonly number[]> {
  return Object.fromEntries(e.inputs.map((i) => [i.name, i.shape.every((d) => typeof d === 'number') ? i.shape as readonly number[] : readNpy(i.npy, e.dir).shape]));
}
