// Locates the repository root and the shared corpus (../shared/corpus beside the clone),
// whichever output directory the compiled tests run from.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'spc') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no spc package.json above ${start}`);
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const CORPUS = resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const MODELS_DIR = join(CORPUS, 'models');
export const DIGITS_DIR = join(CORPUS, 'digits');
export const NODE_TESTS_DIR = join(CORPUS, 'onnx-node-tests');

/** ../shared/corpus/real: trained models from npm packages, their inputs and onnxruntime outputs. */
export const REAL_DIR = join(CORPUS, 'real');

export interface RealEntry {
  readonly name: string;
  readonly file: string;
  readonly inputs: readonly { readonly name: string; readonly npy: string }[];
  readonly outputs: readonly { readonly name: string; readonly npy: string }[];
  /** `name=dims` pins for dynamic dimensions ('input=1x512'). */
  readonly input_shape: readonly string[];
  readonly tolerance: number;
}

/** The real corpus's index.json (empty when the corpus is absent). */
export const REAL_MODELS: readonly RealEntry[] = existsSync(join(REAL_DIR, 'index.json'))
  ? JSON.parse(readFileSync(join(REAL_DIR, 'index.json'), 'utf8')) as RealEntry[] : [];

/** An entry's pins as CompileOptions.inputShapes. */
export function realPins(e: RealEntry): Record<string, number[]> {
  return Object.fromEntries(e.input_shape.map((p) => {
    const [name, dims] = p.split('=') as [string, string];
    return [name, dims.split('x').map(Number)];
  }));
}
