// Kernel microbenchmark for 1×1 convolutions, Y[N][P] = W[N][K]·X[K][P] (NCHW, batch 1):
// GFLOP/s (2·N·K·P dense flops per run) of the js and wasmsimd dense kernels, and the CSR
// kernels at a given sparsity (default 0.9; their GFLOP/s counts the dense flops they replace,
// so the ratio to dense is the speedup). Run after `npm run build`:
//
//   node scripts/bench-kernels.mjs [--sparsity 0.9] [--ms 300]
//
// Medians of 7 batches of process CPU time, each at least --ms/7 long after a warm-up. No
// assertions: prints a table.

import { WASMSIMD_KERNELS, ALL_KERNELS } from '../dist/runtime/kernels/index.js';
import { createWasmSpace } from '../dist/runtime/kernels/wasm/env.js';
import { packCsr } from '../dist/compiler/sparse/pack.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const SPARSITY = arg('--sparsity', 0.9);
const MS = arg('--ms', 300);

const SHAPES = [
  { n: 96, k: 32, p: 56 * 56 },
  { n: 64, k: 64, p: 28 * 28 },
  { n: 160, k: 96, p: 14 * 14 },
  { n: 320, k: 160, p: 7 * 7 },
  { n: 1280, k: 320, p: 7 * 7 },
];

let seed = 12345;
const rand = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 31 - 1; };
const fill = (a) => { for (let i = 0; i < a.length; i++) a[i] = rand(); return a; };

/** Process CPU milliseconds (user + system): on a shared machine it tracks unloaded single-thread time better than the wall clock. */
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Median over 7 batches of CPU ms per run. */
function time(run) {
  const batch = MS / 7;
  for (const t0 = cpuMs(); cpuMs() - t0 < Math.min(100, MS);) run();
  const per = [];
  for (let b = 0; b < 7; b++) {
    let reps = 0;
    const t0 = cpuMs();
    let t = t0;
    while (t - t0 < batch) { run(); reps++; t = cpuMs(); }
    per.push((t - t0) / reps);
  }
  return per.sort((a, b) => a - b)[3];
}

const byId = (id) => ALL_KERNELS.find((k) => k.id === id);
const jsDense = byId('f32-conv-4x1-js'), jsCsr = byId('f32-convcsr-8x1-js');
const wDense = WASMSIMD_KERNELS.find((k) => k.id === 'f32-conv-4x8-wasmsimd');
const wCsr = WASMSIMD_KERNELS.find((k) => k.id === 'f32-convcsr-16x1-wasmsimd');

const rows = [];
for (const { n, k, p } of SHAPES) {
  const flops = 2 * n * k * p;
  const xs = [1, k, 1, p], ws = [n, k, 1, 1], ys = [1, n, 1, p];
  const x = fill(new Float32Array(k * p)), w = fill(new Float32Array(n * k)), b = fill(new Float32Array(n));
  const sw = w.map((v) => ((rand() + 1) / 2 < SPARSITY ? 0 : v));
  const packed = packCsr(n, k, sw);
  const view = (shape, data) => ({ dtype: 'float32', shape, data });
  const ctx = (kernel, extra) => ({ node: kernel.id, attrs: {}, ...extra });

  const jsY = new Float32Array(n * p);
  const tJs = time(jsDense.prepare(ctx(jsDense, { inputs: [view(xs, x), view(ws, w), view([n], b)], outputs: [view(ys, jsY)] })));
  const tJsCsr = time(jsCsr.prepare(ctx(jsCsr, { inputs: [view(xs, x), { ...view(ws, new Float32Array(0)), packed }, view([n], b)], outputs: [view(ys, jsY)] })));

  const space = await createWasmSpace((k * p + n * k + n + n * p) * 4 + 256, wCsr.scratchBytes({ inputs: [undefined, { packed }], outputs: [], attrs: {} }) + 256);
  const inMem = (shape, data) => { const v = new Float32Array(space.memory.buffer, space.alloc(data.length * 4), data.length); v.set(data); return view(shape, v); };
  const X = inMem(xs, x), W = inMem(ws, w), B = inMem([n], b), Y = inMem(ys, new Float32Array(n * p));
  const tW = time(wDense.prepare(ctx(wDense, { inputs: [X, W, B], outputs: [Y], wasm: space })));
  const tWCsr = time(wCsr.prepare(ctx(wCsr, { inputs: [X, { ...view(ws, new Float32Array(0)), packed }, B], outputs: [Y], wasm: space })));
  const g = (t) => (flops / t / 1e6).toFixed(1);
  rows.push([`N=${n} K=${k} P=${p}`, g(tJs), g(tW), (tJs / tW).toFixed(1) + '×', g(tJsCsr), g(tWCsr), (tW / tWCsr).toFixed(2) + '×', (packed.values.length / (n * k) * 100).toFixed(0) + '%']);
}

const head = ['1×1 conv shape', 'js dense', 'wasm dense', 'wasm/js', `js csr`, `wasm csr`, 'csr/dense (wasm)', 'density'];
console.log(`GFLOP/s (dense-equivalent flops), process-CPU medians of 7 batches; CSR at ${(SPARSITY * 100).toFixed(0)}% sparsity`);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));
