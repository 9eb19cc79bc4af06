// `npm run accuracy` (or `-- --transformer` alone): the trained digits transformer
// (samples/digits/digits_transformer.onnx, scripts/digits-transformer.py) pruned on its linear
// layers by magnitude, wanda and sparsegpt at 2:4, 4:8, 50% and 75%; test accuracy and artifact
// size per cell. Rewrites the `transformer` section of docs/accuracy.md.

import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import type { CompileOptions, CompileResult } from '../../compiler/compile.js';
import { readSamples } from '../../compiler/calibrate/data.js';
import { artifactInputGraph } from '../../compiler/eval/evaluate.js';
import { readLabels } from '../../compiler/eval/labels.js';
import { pct } from '../../compiler/format.js';
import { ROOT } from '../bench/corpus.js';
import { writeSection } from '../bench/doc.js';
import { CALIB, TEST_X, TEST_Y, onnxruntimeCorrect, score } from './digits-score.js';

export const TRANSFORMER = join(ROOT, 'samples', 'digits', 'digits_transformer.onnx');
const DOC = join(ROOT, 'docs', 'accuracy.md');
const PATTERNS: readonly { readonly name: string; readonly opts: CompileOptions }[] = [
  { name: '2:4', opts: { pattern: '2:4' } },
  { name: '4:8', opts: { pattern: '4:8' } },
  { name: '50%', opts: { pattern: 'unstructured', sparsity: 0.5 } },
  { name: '75%', opts: { pattern: 'unstructured', sparsity: 0.75 } },
];
const METHODS = ['magnitude', 'wanda', 'sparsegpt'] as const;

/** The pruned layers and how many of them the artifact stores packed (the rest the runtime runs dense, zeros kept). */
function prunedLayers(r: CompileResult): string {
  const pruned = r.report.filter((l) => l.pattern !== 'dense');
  const packed = pruned.filter((l) => l.storage !== 'dense').length;
  return `${pruned.length} (${packed} packed)`;
}

export async function transformerSection(): Promise<void> {
  const wall = performance.now(), cpu = process.cpuUsage(), load = loadavg()[0]!;
  const timed = (opts: CompileOptions): { result: CompileResult; cpuMs: number } => {
    const t0 = process.cpuUsage();
    const result = compileFile(TRANSFORMER, opts);
    const t = process.cpuUsage(t0);
    return { result, cpuMs: (t.user + t.system) / 1000 };
  };
  const dense = timed({});
  const denseScore = await score('digits_transformer', dense.result, dense.result.artifact, 'dense');
  // The oracle: onnxruntime on the original model file (score() already checks spc against it on the emitted ONNX).
  const data = readSamples(TEST_X, artifactInputGraph(dense.result.artifact), { flag: '--data' });
  const tensors = data.samples.map((s) => Object.values(s)[0]!);
  const ortCorrect = await onnxruntimeCorrect(TRANSFORMER, tensors.map((t) => t.data as Float32Array), tensors[0]!.shape, readLabels(TEST_Y));
  const weighted = dense.result.report.length;
  const size = (r: CompileResult): string => `${(r.artifact.length / 1024).toFixed(1)} kB (${(r.artifact.length / dense.result.artifact.length).toFixed(3)}×)`;
  const rows = [`| dense | - | ${pct(denseScore.top1)} | - | - | ${size(dense.result)} | ${dense.cpuMs.toFixed(0)} ms |`];
  for (const p of PATTERNS) {
    for (const method of METHODS) {
      const c = timed({ ...p.opts, ...(method === 'magnitude' ? {} : { method, calib: CALIB }) });
      const s = await score('digits_transformer', c.result, dense.result.artifact, `${p.name} ${method}`);
      rows.push(`| ${p.name} | ${method} | ${pct(s.top1)} | ${pct(s.agreement)} | ${prunedLayers(c.result)} | ${size(c.result)} | ${c.cpuMs.toFixed(0)} ms |`);
      process.stderr.write(`digits_transformer ${p.name} ${method}: ${pct(s.top1)}, ${size(c.result)} (${c.cpuMs.toFixed(0)} ms)\n`);
    }
  }
  const used = process.cpuUsage(cpu);
  writeSection('transformer', [
    `samples/digits/digits_transformer.onnx: ${weighted} weighted layers (MatMul/Gemm), test accuracy ${pct(denseScore.top1)} dense in spc (${denseScore.correct} of 500) and ${pct(ortCorrect / 500)} in onnxruntime-node on the original model. Calibration (wanda, sparsegpt): digits-calib-x.npy (128 training images). Default settings: \`--permute\` on for 2:4 and 4:8, default skips. Every cell's count of right images is also checked against onnxruntime on the pruned model's \`--emit-onnx\` form.`,
    '',
    '| pattern | method | test accuracy | agreement with dense | layers pruned (stored packed) | size (× dense) | compile CPU |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `This run: ${((performance.now() - wall) / 60e3).toFixed(1)} min wall, ${((used.user + used.system) / 60e6).toFixed(1)} min CPU; 1-minute load average ${load.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end, on ${availableParallelism()} logical cores.`,
  ].join('\n'), DOC);
}
