// One fuzz case run in-process: a (mutated) model file through `compileFile` and the dispatch
// generator, classified as compiled, rejected (an SpcError: the contract for bad input) or
// crashed (anything else escaping is a bug). Shared by `npm run fuzz` and the tests.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import type { CompileOptions } from '../../compiler/compile.js';
import { SpcError } from '../../compiler/errors.js';

/** Compile options a case runs with: dense, N:M and unstructured pruning (the pruning passes see hostile graphs too). */
export const OPTION_PRESETS: readonly (CompileOptions & { readonly args: readonly string[] })[] = [
  { args: [] },
  { pattern: '2:4', args: ['--pattern', '2:4'] },
  { pattern: 'unstructured', sparsity: 0.5, minParams: 0, args: ['--pattern', 'unstructured', '--sparsity', '0.5', '--min-params', '0'] },
];

export type Outcome = 'compiled' | 'rejected' | 'crashed';

export interface CaseResult {
  readonly outcome: Outcome;
  /** The SpcError's message, or the crash's stack. */
  readonly message?: string;
  /** The artifact, when compiled. */
  readonly artifact?: Uint8Array;
}

/** Writes `bytes` to `<dir>/<name>.onnx` and compiles it with preset `preset`. */
export function compileCase(bytes: Uint8Array, preset: number, dir: string, name = 'fuzzed'): CaseResult {
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, bytes);
  try {
    const { args: _args, ...options } = OPTION_PRESETS[preset % OPTION_PRESETS.length]!;
    const result = compileFile(path, options);
    void result.dispatch;
    return { outcome: 'compiled', artifact: result.artifact };
  } catch (e) {
    if (e instanceof SpcError) return { outcome: 'rejected', message: e.message };
    return { outcome: 'crashed', message: e instanceof Error ? e.stack ?? e.message : String(e) };
  }
}

export interface SeedModel {
  /** Corpus-relative name, e.g. models/mlp3.onnx or onnx-node-tests/test_add/model.onnx. */
  readonly name: string;
  readonly path: string;
  /** How often it is picked relative to the others. */
  readonly weight: number;
}

/**
 * The fuzz seeds: every corpus model (the small ones picked more often, a compile of a
 * 224×224 CNN costs ~0.5 s), and every ONNX backend node test model (one op each, all the
 * op-specific shape rules).
 */
export function seedModels(corpus: string): SeedModel[] {
  const seeds: SeedModel[] = [];
  for (const folder of ['digits', 'models']) {
    for (const f of readdirSync(join(corpus, folder)).filter((x) => x.endsWith('.onnx')).sort()) {
      const path = join(corpus, folder, f);
      seeds.push({ name: `${folder}/${f}`, path, weight: readFileSync(path).length > 2_000_000 ? 4 : 12 });
    }
  }
  const index = JSON.parse(readFileSync(join(corpus, 'onnx-node-tests', 'index.json'), 'utf8')) as { tests: { path: string }[] };
  for (const t of index.tests) {
    seeds.push({ name: `onnx-node-tests/${t.path}/model.onnx`, path: join(corpus, 'onnx-node-tests', t.path, 'model.onnx'), weight: 1 });
  }
  return seeds;
}

/** The seed at `pick` (a natural) of the weighted list. */
export function pickSeed(seeds: readonly SeedModel[], pick: number): SeedModel {
  const total = seeds.reduce((s, m) => s + m.weight, 0);
  let at = pick % total;
  for (const s of seeds) {
    if (at < s.weight) return s;
    at -= s.weight;
  }
  return seeds[seeds.length - 1]!;
}
