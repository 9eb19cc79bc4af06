// One benchmark cell in its own process: `node worker.js --model M --config KEY [--quick]`.
// Loads only what the configuration needs (spc, onnxruntime-web or onnxruntime-node: two of
// them in one process distort each other), warms up, times, and prints one JSON line
// (a CellResult) on stdout. Progress and errors go to stderr.

import { CONFIGS } from './configs.js';
import { SpcError } from '../../compiler/errors.js';
import type { BenchConfig, CellResult, ReorderCheck } from './configs.js';
import type { CompileOptions, CompileResult } from '../../compiler/compile.js';
import { join } from 'node:path';
import type { RowReorder } from '../../compiler/passes/reorder-rows.js';
import { FULL_PLAN, QUICK_PLAN, measure } from './timing.js';
import type { BenchPlan } from './timing.js';
import { corpusEntry, inputShapes as corpusShapes, modelFile, readNpy } from './corpus.js';
import type { CorpusEntry } from './corpus.js';
import type { TypedArray } from '../../runtime/tensor.js';

function maxAbsDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Number.POSITIVE_INFINITY;
  let d = 0;
  for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i]! - want[i]!));
  return d;
}

/** Max |got − reference| over every output of the entry (a missing output counts as infinite). */
function outputsDiff(entry: CorpusEntry, out: Record<string, { data: unknown } | undefined>): number {
  let d = 0;
  for (const o of entry.outputs) {
    const got = out[o.name]?.data as Float32Array | undefined;
    d = Math.max(d, got === undefined ? Number.POSITIVE_INFINITY : maxAbsDiff(got, readNpy(o.npy, entry.dir).data as Float32Array));
  }
  return d;
}

/** The compile options of spc configuration `cfg` for `entry`: its own, the entry's input shapes, and its calibration input. */
function compileOptions(entry: CorpusEntry, cfg: BenchConfig): CompileOptions {
  const calib = cfg.calibOnInput ? { calib: join(entry.dir, entry.inputs[0]!.npy) } : {};
  return { ...cfg.compile, inputShapes: corpusShapes(entry), ...calib };
}

async function runSpc(model: string, cfg: BenchConfig, plan: BenchPlan): Promise<CellResult> {
  const { compileFile } = await import('../../compiler/compile.js');
  const { loadModel } = await import('../../runtime/index.js');
  const entry = corpusEntry(model);
  const inputShapes = corpusShapes(entry);
  let compiled;
  try {
    compiled = compileFile(modelFile(entry), compileOptions(entry, cfg));
  } catch (e) {
    // A target the compiler does not know yet, or a model it refuses with a clear reason (an
    // operator it does not support yet: the cell runs once it does), makes the cell n/a; any
    // other compile failure is an error.
    const status = cfg.requireTarget !== undefined || e instanceof SpcError ? 'n/a' : 'error';
    return { model, config: cfg.key, status, reason: `compile failed: ${(e as Error).message.split('\n')[0]}` };
  }
  const kernels: Record<string, number> = {};
  for (const n of compiled.contents.nodes) {
    const target = n.kernel.slice(n.kernel.lastIndexOf('-') + 1);
    kernels[target] = (kernels[target] ?? 0) + 1;
  }
  const { tensors, nodes } = compiled.contents;
  // Layers whose kernel reads a packed weight (a weight stored packed but expanded at load runs dense).
  const readPacked = (t: (typeof tensors)[number]): boolean => t.packed !== undefined && t.kernelLayout !== 'dense';
  const packedLayers = tensors.filter(readPacked).length;
  const packedKernels = [...new Set(nodes.filter((n) => n.inputs.some((i) => i >= 0 && readPacked(tensors[i]!))).map((n) => n.kernel))].sort();
  if (cfg.requireTarget !== undefined && !kernels[cfg.requireTarget]) {
    return { model, config: cfg.key, status: 'n/a', reason: `no ${cfg.requireTarget} kernel selected (${Object.entries(kernels).map(([t, c]) => `${c} ${t}`).join(', ')})`, kernels };
  }
  const m = await loadModel(compiled.artifact, { relaxedSimd: cfg.relaxedSimd === true });
  // Model.wasmsimd (when the runtime has it): false means the wasmsimd kernels run their js fallback.
  const inWasm = (m as { wasmsimd?: boolean }).wasmsimd;
  if (cfg.requireTarget === 'wasmsimd' && inWasm === false) {
    m.dispose();
    return { model, config: cfg.key, status: 'n/a', reason: 'wasmsimd kernels selected but running as their js fallback (no SIMD128 here?)', kernels };
  }
  if (cfg.relaxedSimd && !(m as { relaxedSimd?: boolean }).relaxedSimd) {
    m.dispose();
    return { model, config: cfg.key, status: 'n/a', reason: 'no wasmsimd kernel runs the relaxed-SIMD module (no relaxed SIMD in this engine, or no wasmsimd kernel)', kernels };
  }
  const feeds: Record<string, { data: TypedArray; shape: readonly number[] }> = {};
  for (const i of entry.inputs) feeds[i.name] = readNpy(i.npy, entry.dir);
  const out = await m.run(feeds);
  const dense = cfg.compile?.pattern === undefined;
  const diff = dense ? outputsDiff(entry, out) : undefined;
  const reorder = dense ? undefined : await reorderCheck(compiled, out, () => compileFile(modelFile(entry), { ...cfg.compile, inputShapes, permute: false }), feeds);
  const stats = await measure(() => m.run(feeds), plan);
  m.dispose();
  return { model, config: cfg.key, status: 'ok', ...stats, kernels, packedLayers, packedKernels, maxAbsDiff: diff, reorder };
}

/**
 * What row reordering did in `compiled`, and, when it reordered something and no permutation
 * search ran (so turning `permute` off changes only the order), the outputs of the same compile
 * without reordering (`without()`, run here on `feeds`) against `out`, over every output.
 */
async function reorderCheck(
  compiled: CompileResult, out: Record<string, { data: unknown }>, without: () => CompileResult, feeds: Record<string, { data: TypedArray; shape: readonly number[] }>,
): Promise<ReorderCheck> {
  const applied = compiled.rowOrder.filter((r) => r.applied);
  const mean = (f: (r: RowReorder) => number): number | undefined => (applied.length === 0 ? undefined : applied.reduce((a, r) => a + f(r), 0) / applied.length);
  const base = { considered: compiled.rowOrder.length, applied: applied.length, fillBefore: mean((r) => r.fillBefore), fillAfter: mean((r) => r.fillAfter) };
  if (applied.length === 0 || compiled.groups.length > 0) return base;
  const { loadModel } = await import('../../runtime/index.js');
  const twin = await loadModel(without().artifact);
  const ref = await twin.run(feeds);
  twin.dispose();
  let d = 0, r = 0;
  for (const [name, t] of Object.entries(ref)) {
    const want = t.data as Float32Array, got = out[name]?.data as Float32Array | undefined;
    d = Math.max(d, got === undefined ? Number.POSITIVE_INFINITY : maxAbsDiff(got, want));
    for (const v of want) r = Math.max(r, Math.abs(v));
  }
  return { ...base, maxAbsDiff: d, maxAbsRef: r };
}

/** Both onnxruntime packages share this API shape (onnxruntime-common). */
type Ort = typeof import('onnxruntime-node');

async function runOrt(model: string, cfg: BenchConfig, plan: BenchPlan): Promise<CellResult> {
  const entry = corpusEntry(model);
  let ort: Ort;
  let options: Record<string, unknown>;
  if (cfg.kind === 'ort-web') {
    // The package's "node" export is dist/ort.node.min.mjs; it imports ort-wasm-simd-threaded.mjs
    // from its own folder, which reads ort-wasm-simd-threaded.wasm beside it (no network).
    ort = (await import('onnxruntime-web')) as unknown as Ort;
    ort.env.wasm.numThreads = 1;
    options = { executionProviders: ['wasm'] };
  } else {
    ort = await import('onnxruntime-node');
    options = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 };
  }
  let source: string | Uint8Array = modelFile(entry);
  if (cfg.emittedBy !== undefined) {
    const { compileFile } = await import('../../compiler/compile.js');
    const { emitOnnx } = await import('../../compiler/emit/onnx.js');
    try {
      source = emitOnnx(compileFile(modelFile(entry), compileOptions(entry, CONFIGS.find((c) => c.key === cfg.emittedBy)!)).graph);
    } catch (e) {
      return { model, config: cfg.key, status: e instanceof SpcError ? 'n/a' : 'error', reason: `compile failed: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  const session = await ort.InferenceSession.create(source as Uint8Array, options);
  const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
  for (const i of entry.inputs) {
    const a = readNpy(i.npy, entry.dir);
    feeds[i.name] = new ort.Tensor(a.dtype === 'int64' ? 'int64' : 'float32', a.data as Float32Array, [...a.shape]);
  }
  const out = await session.run(feeds);
  const diff = outputsDiff(entry, out);
  const stats = await measure(() => session.run(feeds), plan);
  await session.release();
  return { model, config: cfg.key, status: 'ok', ...stats, maxAbsDiff: diff };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (flag: string): string | undefined => { const i = args.indexOf(flag); return i >= 0 ? args[i + 1] : undefined; };
  const model = get('--model'), key = get('--config');
  const cfg = CONFIGS.find((c) => c.key === key);
  if (model === undefined || cfg === undefined) throw new Error(`usage: worker.js --model M --config KEY [--quick]; configs: ${CONFIGS.map((c) => c.key).join(', ')}`);
  const plan = args.includes('--quick') ? QUICK_PLAN : FULL_PLAN;
  let result: CellResult;
  if (cfg.kind === 'missing') result = { model, config: cfg.key, status: 'n/a', reason: cfg.reason };
  else if (cfg.kind === 'spc') result = await runSpc(model, cfg, plan);
  else result = await runOrt(model, cfg, plan);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
