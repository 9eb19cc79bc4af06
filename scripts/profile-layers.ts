// `npm run profile:layers -- <model> [--runs n] [--targets list] [--sparsity s]`: where a corpus model's time
// goes, node by node (a model of ../shared/corpus/models or ../shared/corpus/real). Compiles the model (dense, or
// pruned unstructured at --sparsity s with the default skips, as the bench's spc-0.9-unstructured; the corpus input shapes), binds it as the
// interpreter does (executor/bind.ts) and times each node's step on the corpus input: median
// wall ms per node and its share, then the sums by kernel, and the median CPU time of a whole run.
// A development tool for kernel work (`npm run bench` measures models, `spc tune` prices kernels).

import { performance } from 'node:perf_hooks';
import { compileFile } from '../compiler/compile.js';
import type { Target } from '../compiler/analysis/kernel-choice.js';
import { quantile } from '../compiler/bench/measure.js';
import { bindArtifact, copyFeeds } from '../runtime/executor/bind.js';
import { defaultRegistry } from '../runtime/kernels/index.js';
import { createWasmSpace } from '../runtime/kernels/wasm/env.js';
import { parseArtifact } from '../runtime/loader/load.js';
import { corpusEntry, inputShapes as corpusShapes, modelFile, readNpy } from './bench/corpus.js';

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const median = (v: readonly number[]): number => quantile([...v].sort((a, b) => a - b), 0.5);

async function main(argv: readonly string[]): Promise<void> {
  const model = argv.find((a, i) => !a.startsWith('--') && (i === 0 || !argv[i - 1]!.startsWith('--'))) ?? 'resnet10_w32';
  const runs = Number(option(argv, '--runs') ?? 30);
  const targets = (option(argv, '--targets') ?? 'wasmsimd,js,ref').split(',') as Target[];
  const sparsity = option(argv, '--sparsity');
  const prune = sparsity === undefined ? {} : { pattern: 'unstructured', sparsity: Number(sparsity) };
  const entry = corpusEntry(model);
  const a = parseArtifact(compileFile(modelFile(entry), { targets, inputShapes: corpusShapes(entry), ...prune }).artifact);
  const b = await bindArtifact(a, defaultRegistry(), createWasmSpace);
  copyFeeds(b.inputs, a.inputs.map((ti) => b.views[ti]!.data), Object.fromEntries(entry.inputs.map((i) => [i.name, readNpy(i.npy, entry.dir)])));
  for (let i = 0; i < 10; i++) for (const step of b.steps) step();
  const times: number[][] = b.steps.map(() => []);
  const totals: number[] = [];
  const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  for (let r = 0; r < runs; r++) {
    const t0 = cpuMs();
    b.steps.forEach((step, i) => { const s = performance.now(); step(); times[i]!.push(performance.now() - s); });
    totals.push(cpuMs() - t0);
  }
  const rows = a.nodes.map((n, i) => {
    const ins = n.inputs.slice(0, 2).map((ti) => (ti >= 0 ? a.tensors[ti]!.shape.join('x') : '-'));
    const attr = (k: string): string => JSON.stringify(n.attrs[k] ?? '');
    const geometry = n.op === 'Conv' ? ` k${attr('kernel_shape')} s${attr('strides')} p${attr('pads')} g${n.attrs['group'] ?? 1}` : '';
    return { kernel: n.kernel, ms: median(times[i]!), text: `${n.op.padEnd(18)} ${n.kernel.padEnd(34)} ${ins.join(' ')} -> ${a.tensors[n.outputs[0]!]!.shape.join('x')}${geometry}` };
  });
  const sum = rows.reduce((s, r) => s + r.ms, 0);
  const line = (ms: number, what: string): string => `${ms.toFixed(3).padStart(7)} ms ${((100 * ms) / sum).toFixed(1).padStart(5)}%  ${what}`;
  const byKernel = new Map<string, number>();
  for (const r of rows) byKernel.set(r.kernel, (byKernel.get(r.kernel) ?? 0) + r.ms);
  process.stdout.write([
    `${model}${sparsity === undefined ? '' : ` unstructured ${sparsity}`}: ${runs} runs, targets ${targets.join(',')}, median wall ms per node`,
    ...rows.map((r) => line(r.ms, r.text)),
    '--- by kernel',
    ...[...byKernel].sort((x, y) => y[1] - x[1]).map(([k, ms]) => line(ms, k)),
    `sum of medians ${sum.toFixed(2)} ms; median run CPU ${median(totals).toFixed(2)} ms`,
  ].join('\n') + '\n');
}

await main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`profile-layers: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
