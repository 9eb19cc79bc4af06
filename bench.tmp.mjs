import { lstmJs } from './dist/runtime/kernels/js/lstm.js';
import { lstmRef } from './dist/runtime/kernels/ref/lstm.js';
import { gruJs } from './dist/runtime/kernels/js/gru.js';
import { gruRef } from './dist/runtime/kernels/ref/gru.js';
const f = (shape) => { const n = shape.reduce((a, d) => a * d, 1); const data = new Float32Array(n); for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37) * 0.3; return { dtype: 'float32', shape, data }; };
function time(k, S, B, I, H, G, op) {
  const inputs = [f([S, B, I]), f([1, G * H, I]), f([1, G * H, H]), f([1, 2 * G * H]), undefined, f([1, B, H])];
  if (op === 'LSTM') inputs.push(f([1, B, H]));
  const outputs = [f([S, 1, B, H]), f([1, B, H]), ...(op === 'LSTM' ? [f([1, B, H])] : [])];
  const run = k.prepare({ node: 'n', inputs, outputs, attrs: { hidden_size: H } });
  for (let i = 0; i < 20; i++) run();
  let n = 0; const t0 = performance.now();
  while (performance.now() - t0 < 500) { run(); n++; }
  return (performance.now() - t0) / n * 1000;
}
for (const [S, B, I, H] of [[4, 1, 64, 64], [32, 1, 128, 128], [16, 8, 64, 64]]) {
  console.log(`LSTM S${S} B${B} I${I} H${H}: ref ${time(lstmRef, S, B, I, H, 4, 'LSTM').toFixed(1)} us, js ${time(lstmJs, S, B, I, H, 4, 'LSTM').toFixed(1)} us`);
  console.log(`GRU  S${S} B${B} I${I} H${H}: ref ${time(gruRef, S, B, I, H, 3, 'GRU').toFixed(1)} us, js ${time(gruJs, S, B, I, H, 3, 'GRU').toFixed(1)} us`);
}
