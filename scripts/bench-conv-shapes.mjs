// Dev tool: min-of-N CPU time of the selected wasmsimd Conv kernel on the corpus CNNs' k×k/stem shapes.
//   node scripts/bench-conv-shapes.mjs [filter]
import { join } from 'node:path';
const dist = new URL('../dist/', import.meta.url).pathname;
const { createWasmSpace } = await import(join(dist, 'runtime/kernels/wasm/env.js'));
const { WASMSIMD_KERNELS } = await import(join(dist, 'runtime/kernels/index.js'));
const { nodeShapesOf } = await import(join(dist, 'runtime/kernels/wasm/common.js'));
const SHAPES = [
  // name, Cin, H, W, Cout, k, s, p, group
  ['resnet stem 7x7s2', 3, 224, 224, 32, 7, 2, 3, 1],
  ['resnet 3x3 32 56', 32, 56, 56, 32, 3, 1, 1, 1],
  ['resnet 3x3s2 32>64 56', 32, 56, 56, 64, 3, 2, 1, 1],
  ['resnet 3x3 64 28', 64, 28, 28, 64, 3, 1, 1, 1],
  ['resnet 3x3s2 64>128 28', 64, 28, 28, 128, 3, 2, 1, 1],
  ['resnet 3x3 128 14', 128, 14, 14, 128, 3, 1, 1, 1],
  ['resnet 3x3s2 128>256 14', 128, 14, 14, 256, 3, 2, 1, 1],
  ['resnet 3x3 256 7', 256, 7, 7, 256, 3, 1, 1, 1],
  ['squeeze stem 3x3s2', 3, 224, 224, 64, 3, 2, 0, 1],
  ['squeeze 3x3 16>64 55', 16, 55, 55, 64, 3, 1, 1, 1],
  ['squeeze 3x3 32>128 27', 32, 27, 27, 128, 3, 1, 1, 1],
  ['squeeze 3x3 48>192 13', 48, 13, 13, 192, 3, 1, 1, 1],
  ['squeeze 3x3 64>256 13', 64, 13, 13, 256, 3, 1, 1, 1],
  ['squeeze 1x1 512>1000 13', 512, 13, 13, 1000, 1, 1, 0, 1],
  ['mobilenet 1x1 8>48 112', 8, 112, 112, 48, 1, 1, 0, 1],
  ['mobilenet 1x1 16>96 56', 16, 56, 56, 96, 1, 1, 0, 1],
  ['mobilenet 1x1 160>1280 7', 160, 7, 7, 1280, 1, 1, 0, 1],
  ['mobilenet 1x1 48>288 14', 48, 14, 14, 288, 1, 1, 0, 1],
  ['mobilenet stem 3x3s2', 3, 224, 224, 16, 3, 2, 1, 1],
  ['mobilenet dw 3x3 48 112 s2', 48, 112, 112, 48, 3, 2, 1, 48],
  ['mobilenet dw 3x3 96 56', 96, 56, 56, 96, 3, 1, 1, 96],
];
const filter = process.argv[2];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let total = 0;
for (const [name, cin, h, w, cout, k, s, p, g] of SHAPES) {
  if (filter && !name.includes(filter)) continue;
  const oh = Math.floor((h + 2 * p - k) / s) + 1, ow = Math.floor((w + 2 * p - k) / s) + 1;
  const attrs = { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], group: g, spc_activation: 'relu' };
  const xs = [1, cin, h, w], ws = [cout, cin / g, k, k], ys = [1, cout, oh, ow];
  const sz = (a) => a.reduce((x, y) => x * y, 1);
  const probe = { inputs: [{ dtype: 'float32', shape: xs }, { dtype: 'float32', shape: ws }, { dtype: 'float32', shape: [cout] }], outputs: [{ dtype: 'float32', shape: ys }], attrs };
  const kern = WASMSIMD_KERNELS.find((kk) => kk.op === 'Conv' && kk.epilogue === 'relu' && (kk.format ?? 'dense') === 'dense' && kk.supports(probe));
  const space = await createWasmSpace((sz(xs) + sz(ws) + cout + sz(ys)) * 4 + 256, kern.scratchBytes(probe) + 256);
  const view = (shape) => { const n = sz(shape); const d = new Float32Array(space.memory.buffer, space.alloc(n * 4), n); for (let i = 0; i < n; i++) d[i] = Math.random() - 0.5; return { dtype: 'float32', shape, data: d }; };
  const run = kern.prepare({ node: name, inputs: [view(xs), view(ws), view([cout])], outputs: [view(ys)], attrs, wasm: space });
  for (let i = 0; i < 5; i++) run();
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t0 = cpu(); let n = 0;
    do { run(); n++; } while (cpu() - t0 < 30);
    best = Math.min(best, (cpu() - t0) / n);
  }
  const macs = cout * oh * ow * (cin / g) * k * k;
  total += best;
  console.log(`${name.padEnd(28)} ${kern.id.padEnd(28)} ${best.toFixed(3).padStart(7)} ms  ${(macs / best / 1e6).toFixed(1).padStart(5)} GMAC/s`);
}
console.log(`total ${total.toFixed(3)} ms`);
