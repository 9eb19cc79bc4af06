// `spc inspect model.onnx`: an ONNX model before compiling: its Conv/Gemm/MatMul layers, which the
// prune pass would prune under the pruning flags given (default --pattern 2:4) and why the others
// stay dense (the pass's own selection, passes/prune.ts), and its channel groups.

import { loadOnnx } from '../frontend/load.js';
import { bucketShapes } from '../options/shape-buckets.js';
import { runPipeline } from '../passes/manager.js';
import { makePassContext } from '../passes/pass.js';
import { canonicalizePipeline } from '../passes/pipelines.js';
import type { PruneDecision } from '../passes/prune.js';
import { pruneDecisions } from '../passes/prune.js';
import type { ChannelGroup } from '../analysis/channel-groups.js';
import { channelGroups, formatChannelGroups } from '../analysis/channel-groups.js';
import type { OptionValues } from '../options/settings.js';
import { passSettings } from '../options/settings.js';
import { terminalLine } from '../escape.js';

/** The pruning flags `spc inspect` takes, from the option table: what decides which layers are pruned. */
export const INSPECT_PRUNE_OPTIONS = ['pattern', 'sparsity', 'config', 'minParams', 'shareRows', 'inputShapes'] as const;

/** The pattern assumed when none is given. */
const DEFAULT_PATTERN = '2:4';

export interface OnnxInspection {
  readonly pattern: string;
  readonly layers: readonly PruneDecision[];
  readonly groups: readonly Omit<ChannelGroup, 'edits'>[];
}

/** Loads `path`, canonicalizes it as the compile does, and reads the prune pass's decisions and the channel groups. */
export function inspectOnnx(path: string, options: OptionValues): OnnxInspection {
  const values = { ...options, pattern: options.pattern ?? DEFAULT_PATTERN };
  const settings = passSettings(values);
  const { graph } = loadOnnx(path, { inputShapes: bucketShapes(settings.inputShapes)[0], limits: settings.limits });
  const canonical = runPipeline(graph, canonicalizePipeline, makePassContext(settings));
  const layers = pruneDecisions(canonical, { ...settings, pattern: settings.pattern! });
  const groups = channelGroups(canonical).map(({ edits: _, ...g }) => g);
  return { pattern: settings.pattern!.text, layers, groups };
}

/** The text form: one line per layer (pruned, or kept dense and why), totals, then the channel groups. */
export function formatOnnxInspection(path: string, x: OnnxInspection): string {
  const pruned = x.layers.filter((l) => l.keptDense === undefined);
  const params = (ls: readonly PruneDecision[]): number => ls.reduce((a, l) => a + l.params, 0);
  const width = Math.min(40, Math.max(4, ...x.layers.map((l) => l.node.length)));
  const lines = [
    `${path}: ${x.layers.length} Conv/Gemm/MatMul layers; --pattern ${x.pattern} would prune ${pruned.length} (${params(pruned)} of ${params(x.layers)} weights)`,
    `  ${'node'.padEnd(width)}  ${'op'.padEnd(6)}  ${'weights'.padStart(9)}  decision`,
    ...x.layers.map((l) => `  ${l.node.padEnd(width)}  ${l.op.padEnd(6)}  ${String(l.params).padStart(9)}  ${l.keptDense === undefined ? `pruned ${l.pattern}` : `dense: ${l.keptDense}`}`),
  ];
  return [...lines.map(terminalLine), '', formatChannelGroups(x.groups)].join('\n');
}
