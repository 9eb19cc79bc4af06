// Per-node CPU profile of a corpus model under the dense wasmsimd targets (dev tool, not part of bench):
//   node scripts/profile-layers.mjs resnet10_w32 [runs]
import { join } from 'node:path';
const dist = new URL('../dist/', import.meta.url).pathname;
const { compileFile } = await import(join(dist, 'compiler/compile.js'));
const { parseArtifact } = await import(join(dist, 'runtime/loader/load.js'));
const { Interpreter } = await import(join(dist, 'runtime/executor/interpreter.js'));
const { defaultRegistry } = await import(join(dist, 'runtime/kernels/index.js'));
const { corpusEntry, readNpy, CORPUS_MODELS } = await import(join(dist, 'scripts/bench/corpus.js'));
const model = process.argv[2] ?? 'resnet10_w32', runs = Number(process.argv[3] ?? 30);
const targets = (process.argv[4] ?? 'wasmsimd,js,ref').split(',');
const entry = corpusEntry(model);
const inputShapes = Object.fromEntries(entry.inputs.map((i) => [i.name, i.shape]));
const compiled = compileFile(join(CORPUS_MODELS, entry.file), { targets, inputShapes });
const a = parseArtifact(compiled.artifact);
const interp = await Interpreter.create(a, defaultRegistry());
const feeds = {};
for (const i of entry.inputs) feeds[i.name] = readNpy(i.npy);
for (let i = 0; i < 10; i++) interp.run(feeds);
const steps = interp.steps;
const times = steps.map(() => []);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const totals = [];
for (let r = 0; r < runs; r++) {
  const t0 = cpu();
  for (let i = 0; i < steps.length; i++) {
    const s = performance.now(); steps[i](); times[i].push(performance.now() - s);
  }
  totals.push(cpu() - t0);
}
const med = (v) => { const s = [...v].sort((x, y) => x - y); return s[s.length >> 1]; };
let sum = 0;
const rows = a.nodes.map((n, i) => {
  const t = med(times[i]); sum += t;
  const ins = n.inputs.map((ti) => ti >= 0 ? a.tensors[ti].shape.join('x') : '-');
  const out = a.tensors[n.outputs[0]].shape.join('x');
  const at = n.attrs ?? {};
  const geo = n.op === 'Conv' ? ` k${JSON.stringify(at.kernel_shape ?? '')} s${JSON.stringify(at.strides ?? '')} p${JSON.stringify(at.pads ?? '')} g${at.group ?? 1}` : '';
  return { i, t, s: `${n.op.padEnd(18)} ${n.kernel.padEnd(34)} ${ins.slice(0, 2).join(' ')} -> ${out}${geo}` };
});
for (const r of rows) console.log(`${r.t.toFixed(3).padStart(7)} ms ${(100 * r.t / sum).toFixed(1).padStart(5)}%  ${r.s}`);
const byOp = {};
for (const r of rows) { const k = a.nodes[r.i].kernel; byOp[k] = (byOp[k] ?? 0) + r.t; }
console.log('--- by kernel');
for (const [k, t] of Object.entries(byOp).sort((x, y) => y[1] - x[1])) console.log(`${t.toFixed(3).padStart(7)} ms ${(100 * t / sum).toFixed(1).padStart(5)}%  ${k}`);
console.log(`sum of medians ${sum.toFixed(2)} ms; median run CPU ${med(totals).toFixed(2)} ms`);
