// `npm run bench -- --layers`: the convolutions that 0.9 unstructured prunes by default in
// mobilenet_v2_w050 (its 1×1 convs) and resnet10_w32 (its 3×3 convs and strided 1×1 shortcuts),
// each timed with the dense wasmsimd kernel and with every wasmsimd sparse kernel (from
// ALL_KERNELS, by format: csr, nm, bsr) that supports it, on the layer's weights pruned and
// packed per variant. Identical layers (shape, attributes, epilogue) are timed once.

import { loadavg } from 'node:os';
import { compileFile } from '../../compiler/compile.js';
import { maskBlock, maskNm, maskNmShared, maskUnstructured } from '../../compiler/sparse/prune/masks.js';
import { packBsr, packCsr, packNm } from '../../compiler/sparse/pack/pack.js';
import { ALL_KERNELS } from '../../runtime/kernels/index.js';
import type { Kernel, NodeShapes } from '../../runtime/kernels/kernel.js';
import { toWeightMatrix } from '../../runtime/sparse/layout.js';
import type { PackedWeight, SparseFormat } from '../../runtime/sparse/packed.js';
import type { TensorView } from '../../runtime/tensor.js';
import { sizeOf } from '../../runtime/tensor.js';
import { corpusEntry, inputShapes as corpusShapes, modelFile } from './corpus.js';
import { measure } from './timing.js';
import type { BenchPlan } from './timing.js';
import { wasmContext } from '../../compiler/tune/wasm-context.js';
import { relaxedSimdAvailable } from '../../runtime/kernels/wasm/env.js';

export const LAYER_MODELS: readonly string[] = ['mobilenet_v2_w050', 'resnet10_w32'];
export const SPARSITIES: readonly number[] = [0.5, 0.75, 0.9, 0.95];

/** A pruning of a layer's weight matrix and its packing (a string: not expressible here, why). */
interface Variant {
  readonly name: string;
  readonly format: SparseFormat;
  readonly pack: (rows: number, cols: number, w: Float32Array) => PackedWeight | string;
}

function variants(sparsities: readonly number[]): Variant[] {
  const nm = (name: string, share: number): Variant => ({
    name, format: 'nm', pack: (rows, cols, w) => {
      if (cols % 4 !== 0) return `${cols} columns are not a multiple of 4`;
      if (rows % share !== 0) return `${rows} rows are not a multiple of ${share}`;
      return packNm(rows, cols, share === 1 ? maskNm(w, rows, cols, 2, 4) : maskNmShared(w, rows, cols, 2, 4, share), 2, 4);
    },
  });
  return [
    ...sparsities.map((s): Variant => ({ name: `csr ${s}`, format: 'csr', pack: (rows, cols, w) => packCsr(rows, cols, maskUnstructured(w, Math.round(s * w.length))) })),
    ...sparsities.map((s): Variant => ({
      name: `bsr 4x1 ${s}`, format: 'bsr', pack: (rows, cols, w) => rows % 4 !== 0 ? `${rows} rows are not a multiple of 4`
        : packBsr(rows, cols, maskBlock(w, rows, cols, 4, 1, Math.round((s * rows * cols) / 4)), 4, 1),
    })),
    nm('2:4', 1),
    nm('2:4 shared-rows 4', 4),
  ];
}

/** One distinct layer: its node (inputs in wasm-independent views) and how often it occurs. */
interface LayerCase {
  readonly model: string;
  readonly label: string;
  count: number;
  readonly epilogue: Kernel['epilogue'];
  readonly node: string;
  readonly attrs: Record<string, unknown>;
  readonly wShape: readonly number[];
  readonly weight: Float32Array;
  readonly x: TensorView;
  readonly bias: TensorView | undefined;
  readonly y: TensorView;
}

export interface LayerResult {
  readonly model: string;
  readonly layer: string;
  readonly count: number;
  readonly epilogue: string;
  /** Dense wasmsimd median CPU ms, or why it did not run. */
  readonly denseMs: number | string;
  /** `<kernel tile> <variant>` → median CPU ms (or why not run). */
  readonly sparse: Record<string, number | string>;
}

function randomData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = s / 2 ** 31 - 1; }
  return d;
}

/**
 * The group-1 convs of `model` that `pattern: 'unstructured', sparsity: 0.9` packs with the
 * default targets and skips (the layers a pruned artifact runs sparse), with their dense weights.
 */
function prunedLayers(model: string): LayerCase[] {
  const entry = corpusEntry(model);
  const file = modelFile(entry);
  const inputShapes = corpusShapes(entry);
  const pruned = compileFile(file, { pattern: 'unstructured', sparsity: 0.9, inputShapes }).contents;
  // Read packed by their kernel: a weight stored packed but expanded at load runs dense.
  const packedNodes = new Set(pruned.nodes.filter((n) => { const t = pruned.tensors[n.inputs[1] ?? -1]; return t?.packed !== undefined && t.kernelLayout !== 'dense'; }).map((n) => n.name));
  const { contents } = compileFile(file, { targets: ['wasmsimd', 'js', 'ref'], inputShapes });
  const byKey = new Map<string, LayerCase>();
  for (const n of contents.nodes) {
    if (n.op !== 'Conv' || !packedNodes.has(n.name)) continue;
    const w = contents.tensors[n.inputs[1]!]!;
    if (w.data === undefined) continue;
    const x = contents.tensors[n.inputs[0]!]!, y = contents.tensors[n.outputs[0]!]!;
    const kernel = ALL_KERNELS.find((k) => k.id === n.kernel);
    if (!kernel) throw new Error(`kernel ${n.kernel} of ${n.name} is not in ALL_KERNELS`);
    const s = (n.attrs['strides'] as number[] | undefined) ?? [1];
    const label = `${w.shape[0]}×${w.shape[1]} ${w.shape.slice(2).join('×')}${s.some((d) => d !== 1) ? ` s${s[0]}` : ''}, ${y.shape.slice(2).join('×')}`;
    const key = `${label} ${JSON.stringify(n.attrs)} ${kernel.epilogue}`;
    const seen = byKey.get(key);
    if (seen) { seen.count++; continue; }
    const b = n.inputs[2] !== undefined && n.inputs[2] >= 0 ? contents.tensors[n.inputs[2]]! : undefined;
    byKey.set(key, {
      model, label, count: 1, epilogue: kernel.epilogue, node: n.name, attrs: { ...n.attrs }, wShape: w.shape, weight: Float32Array.from(w.data as Float32Array),
      x: { dtype: 'float32', shape: x.shape, data: randomData(sizeOf(x.shape), 7) },
      bias: b ? { dtype: 'float32', shape: b.shape, data: b.data as Float32Array } : undefined,
      y: { dtype: 'float32', shape: y.shape, data: new Float32Array(sizeOf(y.shape)) },
    });
  }
  return [...byKey.values()];
}

const shapesOf = (c: LayerCase, weight: TensorView): NodeShapes => ({
  inputs: [c.x, weight, c.bias].map((v) => v && { dtype: v.dtype, shape: v.shape, ...(v.packed ? { packed: v.packed } : {}) }),
  outputs: [{ dtype: 'float32', shape: c.y.shape }], attrs: c.attrs as never,
});

/**
 * Times a wasmsimd kernel the way the interpreter runs it: activations, dense weight and bias
 * copied into one WebAssembly.Memory, the packed weight (if any) left in the JS heap.
 */
async function timeWasm(k: Kernel, c: LayerCase, weight: TensorView, plan: BenchPlan): Promise<number | string> {
  const ctx = await wasmContext(k, c.node, c.attrs as never, c.x, weight, c.bias, c.y);
  if (!ctx) return 'no WebAssembly SIMD here';
  const fn = k.prepare(ctx);
  return (await measure(fn, plan)).cpuMedian;
}

/** The wasmsimd Conv kernels of a format (undefined: dense) for an epilogue, in ALL_KERNELS order. */
const wasmConvKernels = (format: SparseFormat | undefined, epilogue: Kernel['epilogue']): Kernel[] =>
  ALL_KERNELS.filter((k) => k.op === 'Conv' && k.target === 'wasmsimd' && (k.format ?? 'dense') === (format ?? 'dense') && k.epilogue === epilogue);

/** A sparse column's name: the kernel's tile (and epilogue-free id part) with the variant. */
const columnOf = (k: Kernel, v: Variant): string => `${k.id.replace(/^f32-conv/, '').replace(/-(relu|clip)-/, '-').replace(/-wasmsimd$/, '')} ${v.name.replace(/^(csr|bsr 4x1) /, '')}`;

/**
 * V8 runs a wasm function first as baseline code and tiers it up on a background thread (whose
 * CPU time process.cpuUsage counts): every kernel runs on one layer and the tier-up settles
 * before anything is timed.
 */
async function warmUp(c: LayerCase, vs: readonly Variant[]): Promise<void> {
  const plan: BenchPlan = { warmRuns: 30, warmMs: 0, minRuns: 1, minMs: 0, maxRuns: 1 };
  const mat = toWeightMatrix('Conv', c.wShape, false, c.weight);
  for (const k of ALL_KERNELS.filter((x) => x.op === 'Conv' && x.target === 'wasmsimd' && x.epilogue === c.epilogue)) {
    const v = vs.find((x) => x.format === k.format);
    const packed = v?.pack(c.wShape[0]!, mat.length / c.wShape[0]!, mat);
    if (typeof packed === 'string') continue;
    const weight: TensorView = { dtype: 'float32', shape: c.wShape, data: packed ? new Float32Array(0) : c.weight, ...(packed ? { packed } : {}) };
    if (!k.supports || k.supports(shapesOf(c, weight))) await timeWasm(k, c, weight, plan);
  }
  await new Promise((r) => setTimeout(r, 300));
}

export async function measureLayers(plan: BenchPlan, sparsities = SPARSITIES, models = LAYER_MODELS): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  const vs = variants(sparsities);
  for (const [i, model] of models.entries()) {
    const cases = prunedLayers(model);
    if (i === 0 && cases[0]) await warmUp(cases[0], vs);
    for (const c of cases) {
      const dense: TensorView = { dtype: 'float32', shape: c.wShape, data: c.weight };
      const dk = wasmConvKernels(undefined, c.epilogue).find((k) => k.supports?.(shapesOf(c, dense)) ?? true);
      const denseMs = dk ? await timeWasm(dk, c, dense, plan) : 'no wasmsimd dense Conv kernel supports it';
      const mat = toWeightMatrix('Conv', c.wShape, false, c.weight);
      const rows = c.wShape[0]!, cols = mat.length / rows;
      const sparse: Record<string, number | string> = {};
      for (const v of vs) {
        const ks = wasmConvKernels(v.format, c.epilogue);
        if (ks.length === 0) continue;
        const packed = v.pack(rows, cols, mat);
        for (const k of ks) {
          const weight: TensorView | undefined = typeof packed === 'string' ? undefined : { dtype: 'float32', shape: c.wShape, data: new Float32Array(0), packed };
          sparse[columnOf(k, v)] = weight === undefined ? packed as string
            : k.supports && !k.supports(shapesOf(c, weight)) ? `${k.id} does not support it` : await timeWasm(k, c, weight, plan);
        }
      }
      results.push({ model, layer: c.label, count: c.count, epilogue: c.epilogue || 'none', denseMs, sparse });
      process.stderr.write(`${model} ${c.label} (${c.count}×): dense wasmsimd ${typeof denseMs === 'number' ? `${denseMs.toFixed(3)} ms` : denseMs}\n`);
    }
  }
  return results;
}

/**
 * Markdown: per distinct layer the dense wasmsimd CPU ms and each sparse column as dense / sparse
 * (> 1× = the sparse kernel is faster); per model and over both, the sum weighted by count.
 */
export function layerTable(results: readonly LayerResult[]): string {
  const cols = [...new Set(results.flatMap((r) => Object.keys(r.sparse)))];
  const header = ['model', 'layer O×C k, H×W', 'count', 'epilogue', 'dense wasmsimd CPU ms', ...cols];
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const ratio = (dense: number | string, v: number | string | undefined): string => (typeof dense === 'number' && typeof v === 'number' ? `${(dense / v).toFixed(2)}×` : 'n/a');
  const ms = (v: number | string): string => (typeof v === 'number' ? v.toFixed(3) : 'n/a');
  const total = (rs: readonly LayerResult[], get: (r: LayerResult) => number | string | undefined): number | string => {
    let t = 0;
    for (const r of rs) { const v = get(r); if (typeof v !== 'number') return 'n/a'; t += v * r.count; }
    return t;
  };
  const sumRow = (name: string, rs: readonly LayerResult[]): string => {
    const d = total(rs, (r) => r.denseMs);
    return line([`**${name}**`, '**all pruned layers (sum)**', String(rs.reduce((s, r) => s + r.count, 0)), '', ms(d), ...cols.map((c) => `**${ratio(d, total(rs, (r) => r.sparse[c]))}**`)]);
  };
  const rows: string[] = [];
  const models = [...new Set(results.map((r) => r.model))];
  for (const m of models) {
    const rs = results.filter((r) => r.model === m);
    for (const r of rs) rows.push(line([m, r.layer, String(r.count), r.epilogue, ms(r.denseMs), ...cols.map((c) => ratio(r.denseMs, r.sparse[c]))]));
    rows.push(sumRow(m, rs));
  }
  if (models.length > 1) rows.push(sumRow('both', results));
  const reasons = [...new Set(results.flatMap((r) => [r.denseMs, ...Object.values(r.sparse)]).filter((v): v is string => typeof v === 'string'))];
  return [line(header), line(header.map(() => '---')), ...rows, ...(reasons.length > 0 ? ['', ...reasons.map((x) => `- n/a: ${x}`)] : [])].join('\n');
}

export async function runLayers(o: { quick: boolean; json: boolean; write: boolean }): Promise<void> {
  const plan: BenchPlan = o.quick
    ? { warmRuns: 2, warmMs: 0, minRuns: 5, minMs: 0, maxRuns: 5 }
    : { warmRuns: 10, warmMs: 100, minRuns: 15, minMs: 200, maxRuns: 1000 };
  const load0 = loadavg()[0]!;
  // wasmContext instantiates the relaxed module wherever the engine has relaxed SIMD (bench.ts
  // --relaxed turns it on for Node 20).
  const module = relaxedSimdAvailable() ? 'relaxed SIMD' : 'SIMD128';
  process.stderr.write(`layers: the ${module} kernel module\n`);
  const results = await measureLayers(plan);
  const load = `- 1-minute load average before and after the run: ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
  const table = layerTable(results);
  process.stdout.write(o.json ? `${JSON.stringify(results, null, 1)}\n` : `${table}\n`);
  if (o.write) {
    const { writeSection, machineFacts } = await import('./doc.js');
    writeSection('layers', [`Measured by \`npm run bench -- --layers${o.quick ? ' --quick' : ''}${module === 'SIMD128' ? '' : ' --relaxed'}\` (the ${module} kernel module) on:`, '', ...machineFacts(), load, '', table].join('\n'));
  }
}
