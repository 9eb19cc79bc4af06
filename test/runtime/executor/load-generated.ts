// Test helper: turns a generated dispatch module's source into a loaded ES module. The source is
// transpiled with TypeScript's transpileModule, its package imports (`spc-runtime/dispatch`,
// `spc-runtime/kernels/...`) resolved through runtime/package.json's exports to the same compiled
// runtime modules the tests import (scripts/runtime-exports.ts), and written into a temporary
// folder inside the repository's dist/ tree.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { Model } from '../../../runtime/index.js';
import { REPO_ROOT } from '../../helpers/corpus.js';
import { repoRuntimeFile } from '../../../scripts/runtime-exports.js';

export interface DispatchModule {
  load(bytes: Uint8Array | ArrayBuffer, options?: { wasm?: boolean }): Promise<Model>;
}

let dir: string | undefined;

/** The temporary folder (dist/.dispatch-test-XXXXXX), created on first use. */
export function generatedDir(): string {
  if (!dir) {
    mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true });
    dir = mkdtempSync(join(REPO_ROOT, 'dist', '.dispatch-test-'));
  }
  return dir;
}

let serial = 0;

/** Transpiles `source`, writes it as `<name>-<n>.dispatch.js` and imports it. */
export async function importDispatch(source: string, name: string): Promise<DispatchModule> {
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    reportDiagnostics: false,
  }).outputText.replace(/(from\s*)(['"])([^'"]+)\2/g, (all, lead: string, q: string, spec: string) => {
    const file = repoRuntimeFile(spec);
    return file === undefined ? all : `${lead}${q}${pathToFileURL(file).href}${q}`;
  });
  const file = join(generatedDir(), `${name}-${serial++}.dispatch.js`);
  writeFileSync(file, js);
  return (await import(pathToFileURL(file).href)) as DispatchModule;
}

/** Removes the temporary folder (call from an after hook). */
export function removeGeneratedDir(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}
