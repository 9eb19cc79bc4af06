// Measures the row-block wasmsimd kernels (wasm/conv-rowblock.ts) on a corpus model's pruned
// Conv layers, side by side with the dense wasmsimd kernel on the same layers (the packed weight
// unpacked to dense): every pruned layer, as compileFile prunes and packs it, timed in its own
// WebAssembly memory (activations, dense weight, bias in it; the packed weight staged from the
// JS heap), process CPU time, medians; the sum over layers is the pruned-layer total.
//
//   node dist/scripts/bench/rowblock.js [--models a,b] [--variants '2:4 shared,block'] [--quick] [--repeat n] [--e2e]
//
// --e2e: whole models instead, compiled with targets wasmsimd, js, ref (dense and each variant),
// loaded in this process and run in turn (order alternating per repeat), CPU ms per inference.

import { compileFile } from '../../compiler/compile.js';
import type { CompileOptions } from '../../compiler/compile.js';
import { unpackWeight } from '../../compiler/sparse/pack/pack.js';
import { ALL_KERNELS } from '../../runtime/kernels/index.js';
import type { Kernel } from '../../runtime/kernels/kernel.js';
import { fromWeightMatrix } from '../../runtime/sparse/layout.js';
import type { TensorView } from '../../runtime/tensor.js';
import { sizeOf } from '../../runtime/tensor.js';
import { corpusEntry, inputShapes as corpusShapes, modelFile } from './corpus.js';
import { FULL_PLAN, QUICK_PLAN, measure } from './timing.js';
import type { BenchPlan } from './timing.js';
import { wasmContext } from '../../compiler/tune/wasm-context.js';

const VARIANTS: readonly { readonly name: string; readonly options: CompileOptions }[] = [
  { name: '2:4 shared-rows 4', options: { pattern: '2:4', shareRows: 4 } },
  { name: '2:4 per row', options: { pattern: '2:4' } },
  { name: 'block:4x1 0.9', options: { pattern: 'block:4x1', sparsity: 0.9 } },
];

interface Layer { name: string; kernelEpilogue: Kernel['epilogue']; x: TensorView; w: TensorView; dense: TensorView; b: TensorView | undefined; y: TensorView; attrs: Record<string, unknown> }

function randomData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = s / 2 ** 31 - 1; }
  return d;
}

/** The Conv nodes whose weight the compiler stored packed. */
function prunedConvs(model: string, options: CompileOptions): Layer[] {
  const entry = corpusEntry(model);
  const { contents } = compileFile(modelFile(entry), { ...options, targets: ['wasmsimd', 'js', 'ref'], inputShapes: corpusShapes(entry) });
  const out: Layer[] = [];
  for (const n of contents.nodes) {
    const wt = contents.tensors[n.inputs[1] ?? -1];
    if (n.op !== 'Conv' || !wt?.packed) continue;
    const xt = contents.tensors[n.inputs[0]!]!, yt = contents.tensors[n.outputs[0]!]!;
    const bt = n.inputs[2] !== undefined && n.inputs[2] >= 0 ? contents.tensors[n.inputs[2]] : undefined;
    const a = n.attrs['spc_activation'];
    out.push({
      name: n.name, kernelEpilogue: (a === 'relu' || a === 'clip' ? a : '') as Kernel['epilogue'], attrs: { ...n.attrs },
      x: { dtype: 'float32', shape: xt.shape, data: randomData(sizeOf(xt.shape), 7) },
      w: { dtype: 'float32', shape: wt.shape, data: new Float32Array(0), packed: wt.packed },
      dense: { dtype: 'float32', shape: wt.shape, data: fromWeightMatrix('Conv', wt.shape, false, unpackWeight(wt.packed)) },
      b: bt ? { dtype: 'float32', shape: bt.shape, data: bt.data as Float32Array } : undefined,
      y: { dtype: 'float32', shape: yt.shape, data: new Float32Array(sizeOf(yt.shape)) },
    });
  }
  return out;
}

/** CPU ms per call of `k` on the layer, everything but a packed weight in one WebAssembly memory. */
async function timeWasm(k: Kernel, l: Layer, weight: TensorView, plan: BenchPlan): Promise<number> {
  const shapes = { inputs: [l.x, weight, l.b], outputs: [l.y], attrs: l.attrs as never };
  if (k.supports && !k.supports(shapes)) throw new Error(`${k.id} does not support ${l.name}`);
  const ctx = await wasmContext(k, l.name, l.attrs as never, l.x, weight, l.b, l.y);
  if (!ctx) throw new Error('no WebAssembly SIMD here');
  const fn = k.prepare(ctx);
  return (await measure(fn, plan)).cpuMedian;
}

const kernel = (format: string, epilogue: string): Kernel =>
  ALL_KERNELS.find((k) => k.op === 'Conv' && k.target === 'wasmsimd' && (k.format ?? 'dense') === format && k.epilogue === epilogue && k.tile === '4x8')!;

/** Whole-model CPU ms per inference, dense wasmsimd and each variant side by side. */
async function endToEnd(models: readonly string[], variants: typeof VARIANTS, plan: BenchPlan, repeat: number): Promise<void> {
  const { loadModel } = await import('../../runtime/index.js');
  const { readNpy } = await import('./corpus.js');
  for (const model of models) {
    const entry = corpusEntry(model);
    const inputShapes = corpusShapes(entry);
    const feeds: Record<string, { data: Float32Array; shape: readonly number[] }> = {};
    for (const i of entry.inputs) feeds[i.name] = readNpy(i.npy, entry.dir) as { data: Float32Array; shape: readonly number[] };
    const configs = [{ name: 'dense', options: {} as CompileOptions }, ...variants];
    const loaded = [];
    for (const c of configs) {
      const { artifact, contents } = compileFile(modelFile(entry), { ...c.options, targets: ['wasmsimd', 'js', 'ref'], inputShapes });
      const packed = contents.nodes.filter((n) => n.inputs.some((i) => i >= 0 && contents.tensors[i]!.packed !== undefined && contents.tensors[i]!.kernelLayout !== 'dense')).map((n) => n.kernel);
      const m = await loadModel(artifact);
      await m.run(feeds);
      loaded.push({ name: c.name, m, packed: [...new Set(packed)].sort().join(', ') || '-' });
    }
    for (let r = 0; r < repeat; r++) {
      const ms = new Map<string, number>();
      for (const l of r % 2 === 0 ? loaded : [...loaded].reverse()) ms.set(l.name, (await measure(() => l.m.run(feeds), plan)).cpuMedian);
      const dense = ms.get('dense')!;
      for (const l of loaded) console.log(`${model} ${l.name.padEnd(18)} ${ms.get(l.name)!.toFixed(2)} ms  ${(dense / ms.get(l.name)!).toFixed(2)}× dense wasmsimd  (packed layers run by: ${l.packed}; run ${r + 1})`);
    }
    for (const l of loaded) l.m.dispose();
  }
}

async function main(): Promise<void> {
  const arg = (name: string): string | undefined => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  const models = (arg('--models') ?? 'mobilenet_v2_w050,resnet10_w32').split(',');
  const plan = process.argv.includes('--quick') ? { ...QUICK_PLAN, warmRuns: 5, minRuns: 15, maxRuns: 15 } : { ...FULL_PLAN, warmMs: 200, minMs: 300 };
  const repeat = Number(arg('--repeat') ?? 1);
  if (process.argv.includes('--e2e')) {
    await endToEnd(models, VARIANTS.filter((x) => !arg('--variants') || arg('--variants')!.split(',').some((w) => x.name.startsWith(w))), plan, repeat);
    return;
  }
  for (const model of models) {
    for (const v of VARIANTS.filter((x) => !arg('--variants') || arg('--variants')!.split(',').some((w) => x.name.startsWith(w)))) {
      const layers = prunedConvs(model, v.options);
      for (let r = 0; r < repeat; r++) {
        let dense = 0, sparse = 0;
        const rows: string[] = [];
        for (const l of layers) {
          const kd = kernel('dense', l.kernelEpilogue), ks = kernel(l.w.packed!.format, l.kernelEpilogue);
          // Alternate the order so drift on a shared machine does not favour one side.
          let dd: number, s: number;
          if (r % 2 === 0) { dd = await timeWasm(kd, l, l.dense, plan); s = await timeWasm(ks, l, l.w, plan); }
          else { s = await timeWasm(ks, l, l.w, plan); dd = await timeWasm(kd, l, l.dense, plan); }
          dense += dd; sparse += s;
          rows.push(`  ${l.name.padEnd(28)} ${l.w.shape.join('×').padEnd(14)} P=${String(sizeOf(l.y.shape.slice(2))).padEnd(5)} dense ${dd.toFixed(3)} ms  ${ks.id} ${s.toFixed(3)} ms  ${(dd / s).toFixed(2)}×`);
        }
        if (r === 0) console.log(rows.join('\n'));
        console.log(`${model}, ${v.name}: ${layers.length} pruned Conv layers, dense wasmsimd ${dense.toFixed(3)} ms, row-block ${sparse.toFixed(3)} ms: ${(dense / sparse).toFixed(2)}× (run ${r + 1})`);
      }
    }
  }
}

await main();
