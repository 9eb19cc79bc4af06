// `npm run bench -- --layers`: the 1×1 convolutions of mobilenet_v2_w050 (shapes, weights,
// attributes and dense kernel from the compiled artifact), each timed with the dense js kernel
// and with the sparse js kernels (csr, bsr 4×1, N:M) on the same weights magnitude-pruned to
// 0.5, 0.75, 0.9 and 0.95. Kernels come from ALL_KERNELS and are prepared on TensorViews, as
// the interpreter does. Identical layer shapes (and epilogues) are timed once.

import { loadavg } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import { packBsr, packCsr, packNm } from '../../compiler/sparse/pack.js';
import { ALL_KERNELS } from '../../runtime/kernels/index.js';
import type { Kernel } from '../../runtime/kernels/kernel.js';
import { toWeightMatrix } from '../../runtime/sparse/layout.js';
import { createWasmSpace } from '../../runtime/kernels/wasm/env.js';
import type { PackedWeight } from '../../runtime/sparse/packed.js';
import type { TensorView } from '../../runtime/tensor.js';
import { sizeOf } from '../../runtime/tensor.js';
import { CORPUS_MODELS, corpusEntry } from './corpus.js';
import { measure } from './timing.js';
import type { TimingPlan } from './timing.js';

export const LAYER_MODEL = 'mobilenet_v2_w050';
export const SPARSITIES: readonly number[] = [0.5, 0.75, 0.9, 0.95];

/** A sparse variant: format, and how a matrix is pruned and packed at sparsity s (undefined: not expressible). */
interface Variant {
  readonly name: string;
  readonly format: 'csr' | 'bsr' | 'nm';
  readonly prepare: (rows: number, cols: number, w: Float32Array, s: number) => PackedWeight | string;
}

/** Zeroes the fraction `s` of scores (smallest first); returns the keep mask. */
function keepLargest(scores: Float32Array, s: number): Uint8Array {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a]! - scores[b]!);
  const keep = new Uint8Array(scores.length).fill(1);
  const drop = Math.round(s * scores.length);
  for (let i = 0; i < drop; i++) keep[order[i]!] = 0;
  return keep;
}

/** The N:M (M ≤ 16, what packNm takes) whose sparsity (M−N)/M is exactly s. */
function nmFor(s: number): readonly [number, number] | undefined {
  return ([[2, 4], [1, 4], [1, 8], [1, 10], [1, 16]] as const).find(([n, m]) => Math.abs((m - n) / m - s) < 1e-9);
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'csr', format: 'csr', prepare: (rows, cols, w, s) => {
      const keep = keepLargest(w.map(Math.abs), s);
      return packCsr(rows, cols, w.map((v, i) => (keep[i] ? v : 0)));
    },
  },
  {
    name: 'bsr 4x1', format: 'bsr', prepare: (rows, cols, w, s) => {
      if (rows % 4 !== 0) return `O = ${rows} is not a multiple of 4`;
      const scores = new Float32Array((rows / 4) * cols);
      for (let R = 0; R < rows / 4; R++) for (let c = 0; c < cols; c++) for (let r = 0; r < 4; r++) scores[R * cols + c]! += Math.abs(w[(4 * R + r) * cols + c]!);
      const keep = keepLargest(scores, s);
      return packBsr(rows, cols, w.map((v, i) => (keep[Math.floor(i / cols / 4) * cols + (i % cols)] ? v : 0)), 4, 1);
    },
  },
  {
    name: 'nm', format: 'nm', prepare: (rows, cols, w, s) => {
      // Only sparsities that are exactly (M−N)/M, with M dividing the reduction.
      const nm = nmFor(s);
      if (!nm) return `no N:M with M ≤ 16 gives ${s}`;
      const [n, m] = nm;
      if (cols % m !== 0) return `C = ${cols} is not a multiple of ${m}`;
      const out = Float32Array.from(w);
      for (let r = 0; r < rows; r++) {
        for (let g = 0; g < cols; g += m) {
          const base = r * cols + g;
          const order = Array.from({ length: m }, (_, k) => k).sort((a, b) => Math.abs(w[base + b]!) - Math.abs(w[base + a]!));
          for (let k = n; k < m; k++) out[base + order[k]!] = 0;
        }
      }
      return packNm(rows, cols, out, n, m);
    },
  },
];

export interface LayerResult {
  readonly shape: string;
  readonly epilogue: string;
  readonly layers: number;
  readonly denseKernel: string;
  readonly denseMs: number;
  /** variant name → sparsity → median ms, or a reason it was not run. */
  readonly sparse: Record<string, Record<string, number | string>>;
  /** The wasmsimd dense kernel's median ms (or why it did not run), and its CSR kernel's per sparsity. */
  readonly wasmDenseMs: number | string;
  readonly wasmCsr: Record<string, number | string>;
}

interface LayerCase { shape: string; count: number; kernel: Kernel; inputs: (TensorView | undefined)[]; output: TensorView; attrs: Record<string, unknown>; weight: Float32Array; wShape: readonly number[]; node: string }

function randomData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = s / 2 ** 31 - 1; }
  return d;
}

/** The distinct 1×1, group-1 convolutions of the model, with their artifact weights. */
function pointwiseLayers(): LayerCase[] {
  const entry = corpusEntry(LAYER_MODEL);
  const { contents } = compileFile(join(CORPUS_MODELS, entry.file), { targets: ['js', 'ref'], inputShapes: Object.fromEntries(entry.inputs.map((i) => [i.name, i.shape])) });
  const byKey = new Map<string, LayerCase>();
  for (const n of contents.nodes) {
    if (n.op !== 'Conv') continue;
    const w = contents.tensors[n.inputs[1]!]!;
    const group = (n.attrs['group'] as number | undefined) ?? 1;
    if (w.shape.length !== 4 || w.shape[2] !== 1 || w.shape[3] !== 1 || group !== 1 || w.data === undefined) continue;
    const x = contents.tensors[n.inputs[0]!]!, y = contents.tensors[n.outputs[0]!]!;
    const kernel = ALL_KERNELS.find((k) => k.id === n.kernel);
    if (!kernel) throw new Error(`kernel ${n.kernel} of ${n.name} is not in ALL_KERNELS`);
    const key = `${w.shape[0]}x${w.shape[1]} P=${sizeOf(y.shape.slice(2))} ${kernel.epilogue}`;
    const seen = byKey.get(key);
    if (seen) { seen.count++; continue; }
    const b = n.inputs[2] !== undefined && n.inputs[2] >= 0 ? contents.tensors[n.inputs[2]]! : undefined;
    byKey.set(key, {
      shape: `${w.shape[0]}×${w.shape[1]}, ${y.shape.slice(2).join('×')}`,
      count: 1, kernel, node: n.name, attrs: { ...n.attrs }, wShape: w.shape, weight: Float32Array.from(w.data as Float32Array),
      inputs: [
        { dtype: 'float32', shape: x.shape, data: randomData(sizeOf(x.shape), 7) },
        { dtype: 'float32', shape: w.shape, data: w.data },
        b ? { dtype: 'float32', shape: b.shape, data: b.data as Float32Array } : undefined,
      ],
      output: { dtype: 'float32', shape: y.shape, data: new Float32Array(sizeOf(y.shape)) },
    });
  }
  return [...byKey.values()];
}

async function time(k: Kernel, c: LayerCase, weight: TensorView, plan: TimingPlan): Promise<number> {
  const fn = k.prepare({ node: c.node, inputs: [c.inputs[0], weight, c.inputs[2]], outputs: [c.output], attrs: c.attrs as never });
  return (await measure(fn, plan)).cpuMedian;
}

/**
 * Times a wasmsimd kernel the way the interpreter runs it: activations, dense weight and bias
 * copied into one WebAssembly.Memory, the packed weight (if any) left in the JS heap.
 */
async function timeWasm(k: Kernel, c: LayerCase, weight: TensorView, plan: TimingPlan): Promise<number | string> {
  const shapes = { inputs: [c.inputs[0], weight, c.inputs[2]], outputs: [c.output], attrs: c.attrs as never };
  if (k.supports && !k.supports(shapes)) return `${k.id} does not support this node`;
  const views = [c.inputs[0]!, weight.packed ? undefined : weight, c.inputs[2], c.output];
  const fixed = views.reduce((n, v) => n + (v ? v.data.byteLength + 16 : 0), 0);
  const space = await createWasmSpace(fixed, (k.scratchBytes?.(shapes) ?? 0) + 256);
  if (!space) return 'no WebAssembly SIMD here';
  const inMem = (v: TensorView | undefined): TensorView | undefined => {
    if (!v) return undefined;
    const data = new Float32Array(space.memory.buffer, space.alloc(v.data.byteLength), v.data.length);
    data.set(v.data as Float32Array);
    return { ...v, data };
  };
  const [x, w, b, y] = views.map(inMem);
  const fn = k.prepare({ node: c.node, inputs: [x, w ?? weight, b], outputs: [y!], attrs: c.attrs as never, wasm: space });
  return (await measure(fn, plan)).cpuMedian;
}

export async function measureLayers(plan: TimingPlan, sparsities = SPARSITIES): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  for (const c of pointwiseLayers()) {
    const denseMs = await time(c.kernel, c, c.inputs[1]!, plan);
    const { rows, cols } = { rows: c.wShape[0]!, cols: c.wShape[1]! };
    const mat = toWeightMatrix('Conv', c.wShape, false, c.weight);
    const sparse: Record<string, Record<string, number | string>> = {};
    for (const v of VARIANTS) {
      const k = ALL_KERNELS.find((x) => x.op === 'Conv' && x.target === 'js' && x.format === v.format && x.epilogue === c.kernel.epilogue);
      sparse[v.name] = {};
      for (const s of sparsities) {
        const packed = k ? v.prepare(rows, cols, mat, s) : `no js Conv ${v.format} kernel`;
        sparse[v.name]![String(s)] = typeof packed === 'string' ? packed
          : await time(k!, c, { dtype: 'float32', shape: c.wShape, data: new Float32Array(0), packed }, plan);
      }
    }
    const wasm = (format: 'dense' | 'csr'): Kernel | undefined =>
      ALL_KERNELS.find((x) => x.op === 'Conv' && x.target === 'wasmsimd' && (x.format ?? 'dense') === format && x.epilogue === c.kernel.epilogue);
    const wd = wasm('dense'), wc = wasm('csr');
    const wasmDenseMs = wd ? await timeWasm(wd, c, c.inputs[1]!, plan) : 'no wasmsimd dense Conv kernel';
    const wasmCsr: Record<string, number | string> = {};
    for (const s of sparsities) {
      const packed = VARIANTS[0]!.prepare(rows, cols, mat, s) as PackedWeight;
      wasmCsr[String(s)] = wc ? await timeWasm(wc, c, { dtype: 'float32', shape: c.wShape, data: new Float32Array(0), packed }, plan) : 'no wasmsimd csr Conv kernel';
    }
    results.push({ shape: c.shape, epilogue: c.kernel.epilogue || 'none', layers: c.count, denseKernel: c.kernel.id, denseMs, sparse, wasmDenseMs, wasmCsr });
    process.stderr.write(`${c.shape} (${c.count}×): dense ${denseMs.toFixed(3)} ms\n`);
  }
  return results;
}

/** Markdown: per distinct layer, dense CPU ms (median) and the speed of each sparse kernel relative to it. */
export function layerTable(results: readonly LayerResult[], sparsities = SPARSITIES): string {
  const cols = VARIANTS.flatMap((v) => sparsities.map((s) => ({ v: v.name, s: String(s), label: v.format === 'nm' ? `nm ${nmFor(s)?.join(':') ?? s}` : `${v.name} ${s}` })));
  const header = ['layer O×C, H×W', 'count', 'epilogue', 'dense js CPU ms', ...cols.map((c) => c.label)];
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const ratio = (dense: number, v: number | string | undefined): string => (typeof v === 'number' ? `${(dense / v).toFixed(2)}×` : 'n/a');
  const rows = results.map((r) => line([r.shape, String(r.layers), r.epilogue, r.denseMs.toFixed(3), ...cols.map((c) => ratio(r.denseMs, r.sparse[c.v]?.[c.s]))]));
  // Whole-model view of these layers: every layer weighted by how often its shape occurs.
  const total = (get: (r: LayerResult) => number | string | undefined): number | string => {
    let t = 0;
    for (const r of results) { const v = get(r); if (typeof v !== 'number') return 'n/a'; t += v * r.layers; }
    return t;
  };
  const denseTotal = total((r) => r.denseMs) as number;
  rows.push(line(['all 1×1 layers (sum)', String(results.reduce((s, r) => s + r.layers, 0)), '', denseTotal.toFixed(3), ...cols.map((c) => ratio(denseTotal, total((r) => r.sparse[c.v]?.[c.s])))]));
  return [line(header), line(header.map(() => '---')), ...rows].join('\n');
}

/** Markdown: per distinct layer, the wasmsimd dense kernel against dense js, and wasmsimd CSR against wasmsimd dense. */
export function wasmLayerTable(results: readonly LayerResult[], sparsities = SPARSITIES): string {
  const header = ['layer O×C, H×W', 'count', 'dense js CPU ms', 'dense wasmsimd CPU ms', 'wasmsimd / js', ...sparsities.map((s) => `wasm csr ${s}`)];
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const ratio = (base: number | string | undefined, v: number | string | undefined): string => (typeof base === 'number' && typeof v === 'number' ? `${(base / v).toFixed(2)}×` : 'n/a');
  const msText = (v: number | string): string => (typeof v === 'number' ? v.toFixed(3) : 'n/a');
  const rows = results.map((r) => line([r.shape, String(r.layers), r.denseMs.toFixed(3), msText(r.wasmDenseMs), ratio(r.denseMs, r.wasmDenseMs), ...sparsities.map((s) => ratio(r.wasmDenseMs, r.wasmCsr[String(s)]))]));
  const total = (get: (r: LayerResult) => number | string | undefined): number | string => {
    let t = 0;
    for (const r of results) { const v = get(r); if (typeof v !== 'number') return 'n/a'; t += v * r.layers; }
    return t;
  };
  const js = total((r) => r.denseMs), wd = total((r) => r.wasmDenseMs);
  rows.push(line(['all 1×1 layers (sum)', String(results.reduce((s, r) => s + r.layers, 0)), msText(js), msText(wd), ratio(js, wd), ...sparsities.map((s) => ratio(wd, total((r) => r.wasmCsr[String(s)])))]));
  const reasons = [...new Set(results.flatMap((r) => [r.wasmDenseMs, ...Object.values(r.wasmCsr)]).filter((v): v is string => typeof v === 'string'))];
  return [line(header), line(header.map(() => '---')), ...rows, ...(reasons.length > 0 ? ['', ...reasons.map((x) => `- n/a: ${x}`)] : [])].join('\n');
}

export async function runLayers(o: { quick: boolean; json: boolean; write: boolean }): Promise<void> {
  const plan: TimingPlan = o.quick
    ? { warmRuns: 2, warmMs: 0, minRuns: 3, minMs: 0, maxRuns: 3 }
    : { warmRuns: 20, warmMs: 200, minRuns: 15, minMs: 300, maxRuns: 2000 };
  const load0 = loadavg()[0]!;
  const results = await measureLayers(plan);
  const load = `- 1-minute load average before and after the run: ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
  const table = `${layerTable(results)}\n\nThe wasmsimd kernels on the same layers: dense wasmsimd against dense js, and the wasmsimd CSR kernel (same unstructured pruning) against dense wasmsimd.\n\n${wasmLayerTable(results)}`;
  process.stdout.write(o.json ? `${JSON.stringify(results, null, 1)}\n` : `${table}\n`);
  if (o.write) {
    const { writeSection, machineFacts } = await import('./doc.js');
    writeSection('layers', [`Measured by \`npm run bench -- --layers${o.quick ? ' --quick' : ''}\` on:`, '', ...machineFacts(), load, '', table].join('\n'));
  }
}
