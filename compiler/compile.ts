// The compile driver: ONNX file in, artifact bytes out. Frontend, the canonicalize pipeline,
// kernel selection, memory planning, lowering and the writer, in that order.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Graph } from './ir/graph.js';
import { withGraph } from './ir/graph.js';
import { loadOnnx } from './frontend/load.js';
import { makePassContext } from './passes/pass.js';
import type { PassNote } from './passes/pass.js';
import { runPipeline } from './passes/manager.js';
import { compilePipeline } from './passes/pipelines.js';
import { planArena } from './analysis/memory-plan.js';
import { lowerGraph } from './emit/lower.js';
import { writeArtifact } from './emit/artifact.js';
import type { LoadedArtifact } from '../runtime/loader/model.js';
import type { Target } from './analysis/kernel-choice.js';
import { SPC_VERSION } from './version.js';

export interface CompileOptions {
  /** Pins input shapes: name → dims. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Kernel targets in order of preference (default js, then ref). */
  readonly targets?: readonly Target[];
  /** Runs the IR verifier after every pass. */
  readonly verify?: boolean;
}

export interface CompileResult {
  /** The .spm bytes. */
  readonly artifact: Uint8Array;
  /** What the artifact holds (as the runtime loader would return it). */
  readonly contents: LoadedArtifact;
  /** The final IR. */
  readonly graph: Graph;
  /** Things the user should know (pinned dimensions, skipped rewrites). */
  readonly warnings: readonly string[];
  readonly notes: readonly PassNote[];
}

/** Options as recorded in the artifact's provenance: sorted, and only those that shape the output. */
export function provenanceOptions(o: CompileOptions): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, dims] of Object.entries(o.inputShapes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push([`input-shape:${name}`, dims.join('x')]);
  }
  if (o.targets) out.push(['targets', o.targets.join(',')]);
  return out;
}

export function compileFile(modelPath: string, options: CompileOptions = {}): CompileResult {
  const { graph: imported, warnings } = loadOnnx(modelPath, { inputShapes: toMutable(options.inputShapes) });
  const name = basename(modelPath, extname(modelPath));
  const ctx = makePassContext({ targets: options.targets });
  const graph = runPipeline(withGraph(imported, { name }), compilePipeline, ctx, { verify: options.verify ?? false });
  const plan = planArena(graph);
  const sourceSha256 = createHash('sha256').update(readFileSync(modelPath)).digest('hex');
  const contents = lowerGraph(graph, plan, { spcVersion: SPC_VERSION, sourceSha256, options: provenanceOptions(options) });
  const artifact = writeArtifact(contents);
  return { artifact, contents, graph, warnings, notes: ctx.notes };
}

function toMutable(s: CompileOptions['inputShapes']): Record<string, number[]> | undefined {
  if (!s) return undefined;
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, [...v]]));
}
