// Programmatic compiler API (`spc/compiler`). Node only (it reads files, hashes with
// node:crypto); apps that only run models import `spc-runtime`, which pulls in none of this.

import { compileBytes } from './compile.js';
import type { CompileOptions, CompileResult } from './compile.js';

export { compileFile, compileBytes } from './compile.js';
export { provenanceOptions } from './options/provenance.js';
export type { CompileInput, CompileOptions, CompileResult } from './compile.js';
export type { CompileSettings } from './options/settings.js';
export { resolveOptions } from './options/settings.js';
export type { CompileLayerReport } from './emit/compile-report.js';
export type { LayerEstimate, SpeedupEstimate } from './report/estimates.js';
export { generateDispatch, PACKAGE_IMPORTS } from './emit/dispatch.js';
export type { DispatchImports, DispatchOptions } from './emit/dispatch.js';
export { SPC_VERSION } from './version.js';

export interface CompileBytesOptions extends CompileOptions {
  /** The model's name: the artifact's, the dispatch module's (`<name>.dispatch.ts`); default 'model'. */
  readonly name?: string;
}

/**
 * Compiles an ONNX model given as bytes. Returns the `.spm` artifact bytes (for loadModel of
 * `spc-runtime`), the generated dispatch module's TypeScript source (`dispatch`, importing
 * `spc-runtime/dispatch` and only the kernels the model uses; generated on first read) and the
 * per-layer report, plus the artifact's decoded contents, the IR and warnings. Throws SpcError
 * (naming the model, node and field) on a model it cannot compile.
 */
export function compile(bytes: Uint8Array, options: CompileBytesOptions = {}): CompileResult {
  return compileBytes(bytes, options);
}
export { SpcError, UsageError } from './errors.js';
export { loadProfile, parseProfile, getDefaultProfile, makeProfile, TARGET_ORDER } from './analysis/profile.js';
export type { KernelProfile, ProfileEntry } from './analysis/profile.js';
export { runTune } from './tune/tune.js';
export { summarizeArtifact, formatLayerTable } from './emit/layer-table.js';
export type { ArtifactSummary, LayerRow } from './emit/layer-table.js';
export { parseNpy, formatNpy } from './io/npy.js';
