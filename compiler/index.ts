// Programmatic compiler API (`spc/compiler`).

export { compileFile, provenanceOptions } from './compile.js';
export type { CompileOptions, CompileResult } from './compile.js';
export { SpcError, UsageError } from './errors.js';
export { loadProfile, parseProfile, getDefaultProfile, makeProfile, TARGET_ORDER } from './analysis/profile.js';
export type { KernelProfile, ProfileEntry } from './analysis/profile.js';
export { runTune } from './tune/tune.js';
export { summarizeArtifact, formatLayerTable } from './emit/layer-table.js';
export type { ArtifactSummary, LayerRow } from './emit/layer-table.js';
export { parseNpy, formatNpy } from './io/npy.js';
