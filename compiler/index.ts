// Programmatic compiler API (`spc/compiler`).

export { compileFile, provenanceOptions } from './compile.js';
export type { CompileOptions, CompileResult } from './compile.js';
export { SpcError, UsageError } from './errors.js';
export { summarizeArtifact, formatLayerTable } from './emit/layer-table.js';
export type { ArtifactSummary, LayerRow } from './emit/layer-table.js';
export { parseNpy, formatNpy } from './io/npy.js';
