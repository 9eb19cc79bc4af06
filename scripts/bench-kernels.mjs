// Kernel microbenchmark, three tables (run after `npm run build`):
//
//   1×1 convs, Y[N][P] = W[N][K]·X[K][P] (NCHW, batch 1): GFLOP/s (2·N·K·P dense flops per run)
//     of the js and wasmsimd dense kernels, and the CSR kernels at a given sparsity (default 0.9;
//     their GFLOP/s counts the dense flops they replace, so the ratio to dense is the speedup);
//   k×k and depthwise convs (resnet10_w32's stem and 3×3 shapes, mobilenet_v2_w050's stem and
//     depthwise shapes): GFLOP/s (2·Cout·Cin/group·KH·KW·OH·OW) of f32-conv-4x1-js and the
//     wasmsimd kernel selection picks (f32-conv-4x8 im2col, f32-conv-1x8 depthwise);
//   whole models, dense: CPU ms per run() of resnet10_w32 and mobilenet_v2_w050 compiled with
//     targets js,ref and wasmsimd,js,ref (compileFile + loadModel, the corpus input).
//
//   node scripts/bench-kernels.mjs [--sparsity 0.9] [--ms 300] [--only 1x1|kxk|models]
//
// Medians of 7 batches of process CPU time, each at least --ms/7 long after a warm-up. No
// assertions: prints a table.

import { WASMSIMD_KERNELS, ALL_KERNELS } from '../dist/runtime/kernels/index.js';
import { createWasmSpace } from '../dist/runtime/kernels/wasm/env.js';
import { packCsr } from '../dist/compiler/sparse/pack.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const SPARSITY = arg('--sparsity', 0.9);
const MS = arg('--ms', 300);
const onlyIdx = process.argv.indexOf('--only');
const ONLY = onlyIdx > 0 ? process.argv[onlyIdx + 1] : undefined;
const want = (t) => ONLY === undefined || ONLY === t;

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
const wCsr = WASMSIMD_KERNELS.find((k) => k.id === 'f32-convcsr-24x1-wasmsimd');

function table(title, head, rows) {
  console.log(title);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log('');
}

const rows = [];
for (const { n, k, p } of want('1x1') ? SHAPES : []) {
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

if (want('1x1')) {
  table(`GFLOP/s (dense-equivalent flops), process-CPU medians of 7 batches; CSR at ${(SPARSITY * 100).toFixed(0)}% sparsity`,
    ['1×1 conv shape', 'js dense', 'wasm dense', 'wasm/js', `js csr`, `wasm csr`, 'csr/dense (wasm)', 'density'], rows);
}

// k×k and depthwise: { what, cin, cout, h, w, k, s, p, group }
const KXK = [
  { what: 'resnet stem 7×7 s2', cin: 3, cout: 32, h: 224, w: 224, k: 7, s: 2, p: 3, group: 1 },
  { what: 'resnet 3×3 s1', cin: 32, cout: 32, h: 56, w: 56, k: 3, s: 1, p: 1, group: 1 },
  { what: 'resnet 3×3 s2', cin: 32, cout: 64, h: 56, w: 56, k: 3, s: 2, p: 1, group: 1 },
  { what: 'resnet 3×3 s1', cin: 64, cout: 64, h: 28, w: 28, k: 3, s: 1, p: 1, group: 1 },
  { what: 'resnet 3×3 s1', cin: 128, cout: 128, h: 14, w: 14, k: 3, s: 1, p: 1, group: 1 },
  { what: 'resnet 3×3 s1', cin: 256, cout: 256, h: 7, w: 7, k: 3, s: 1, p: 1, group: 1 },
  { what: 'mobilenet stem 3×3 s2', cin: 3, cout: 16, h: 224, w: 224, k: 3, s: 2, p: 1, group: 1 },
  { what: 'mobilenet dw 3×3 s1', cin: 16, cout: 16, h: 112, w: 112, k: 3, s: 1, p: 1, group: 16 },
  { what: 'mobilenet dw 3×3 s2', cin: 48, cout: 48, h: 112, w: 112, k: 3, s: 2, p: 1, group: 48 },
  { what: 'mobilenet dw 3×3 s1', cin: 72, cout: 72, h: 56, w: 56, k: 3, s: 1, p: 1, group: 72 },
  { what: 'mobilenet dw 3×3 s2', cin: 72, cout: 72, h: 56, w: 56, k: 3, s: 2, p: 1, group: 72 },
  { what: 'mobilenet dw 3×3 s1', cin: 288, cout: 288, h: 14, w: 14, k: 3, s: 1, p: 1, group: 288 },
];

if (want('kxk')) {
  const krows = [];
  for (const c of KXK) {
    const oh = Math.floor((c.h + 2 * c.p - c.k) / c.s) + 1, ow = Math.floor((c.w + 2 * c.p - c.k) / c.s) + 1;
    const cinG = c.cin / c.group;
    const flops = 2 * c.cout * cinG * c.k * c.k * oh * ow;
    const xs = [1, c.cin, c.h, c.w], ws = [c.cout, cinG, c.k, c.k], ys = [1, c.cout, oh, ow];
    const attrs = { strides: [c.s, c.s], pads: [c.p, c.p, c.p, c.p], kernel_shape: [c.k, c.k], ...(c.group > 1 ? { group: c.group } : {}) };
    const view = (shape, data) => ({ dtype: 'float32', shape, data });
    const x = fill(new Float32Array(c.cin * c.h * c.w)), w = fill(new Float32Array(c.cout * cinG * c.k * c.k)), b = fill(new Float32Array(c.cout));
    const shapes = { inputs: [view(xs, x), view(ws, w), view([c.cout], b)], outputs: [view(ys, new Float32Array(0))], attrs };
    const wk = WASMSIMD_KERNELS.filter((k) => k.op === 'Conv' && k.epilogue === '' && !k.format && k.supports(shapes)).sort((a, b) => (a.id < b.id ? -1 : 1))[0];
    const jsY = new Float32Array(c.cout * oh * ow);
    const tJs = time(jsDense.prepare({ node: 'js', attrs, inputs: [view(xs, x), view(ws, w), view([c.cout], b)], outputs: [view(ys, jsY)] }));
    const space = await createWasmSpace((x.length + w.length + b.length + jsY.length) * 4 + 256, wk.scratchBytes(shapes) + 256);
    const inMem = (shape, data) => { const v = new Float32Array(space.memory.buffer, space.alloc(data.length * 4), data.length); v.set(data); return view(shape, v); };
    const Y = inMem(ys, new Float32Array(jsY.length));
    const tW = time(wk.prepare({ node: wk.id, attrs, inputs: [inMem(xs, x), inMem(ws, w), inMem([c.cout], b)], outputs: [Y], wasm: space }));
    let maxd = 0;
    for (let i = 0; i < jsY.length; i++) maxd = Math.max(maxd, Math.abs(jsY[i] - Y.data[i]) / (Math.abs(jsY[i]) + 1e-3));
    const g = (t) => (flops / t / 1e6).toFixed(1);
    krows.push([`${c.what} ${c.cin}→${c.cout} ${c.h}×${c.w}`, wk.id, g(tJs), g(tW), (tJs / tW).toFixed(1) + '×', tJs.toFixed(3), tW.toFixed(3), maxd.toExponential(0)]);
  }
  table('k×k and depthwise convs: GFLOP/s (2·Cout·Cin/group·KH·KW·OH·OW), process-CPU medians of 7 batches; ms per run',
    ['conv shape', 'wasmsimd kernel', 'js', 'wasm', 'wasm/js', 'js ms', 'wasm ms', 'max rel diff'], krows);
}

if (want('models')) {
  const { compileFile } = await import('../dist/compiler/compile.js');
  const { loadModel } = await import('../dist/runtime/index.js');
  const { readFileSync } = await import('node:fs');
  const { join, dirname, resolve } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const models = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/corpus/models');
  const readNpy = (file) => {
    const buf = readFileSync(file);
    const hlen = buf.readUInt16LE(8), header = buf.subarray(10, 10 + hlen).toString('latin1');
    const shape = header.match(/'shape':\s*\(([^)]*)\)/)[1].split(',').map((d) => d.trim()).filter((d) => d).map(Number);
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset + 10 + hlen, buf.byteOffset + buf.length));
    return { shape, data };
  };
  const mrows = [];
  for (const name of ['resnet10_w32', 'mobilenet_v2_w050']) {
    const x = readNpy(join(models, `${name}.input.npy`));
    const t = {};
    for (const [label, targets] of [['js', ['js', 'ref']], ['wasmsimd', ['wasmsimd', 'js', 'ref']]]) {
      const { artifact } = compileFile(join(models, `${name}.onnx`), { targets });
      const model = await loadModel(artifact);
      const feeds = { [model.inputs[0].name]: { data: x.data, shape: x.shape } };
      const runs = [];
      for (let i = 0; i < 3; i++) await model.run(feeds);
      for (let b = 0; b < 7; b++) {
        const t0 = cpuMs();
        let reps = 0;
        while (cpuMs() - t0 < MS / 7 || reps < 2) { await model.run(feeds); reps++; }
        runs.push((cpuMs() - t0) / reps);
      }
      t[label] = runs.sort((a, c) => a - c)[3];
      model.dispose();
    }
    mrows.push([name, t.js.toFixed(1), t.wasmsimd.toFixed(1), (t.js / t.wasmsimd).toFixed(1) + '×']);
  }
  table('whole models, dense, batch 1: CPU ms per run(), medians of 7 batches', ['model', 'js', 'wasmsimd', 'js/wasmsimd'], mrows);
}
