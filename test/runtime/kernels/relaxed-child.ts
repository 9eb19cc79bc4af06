// Run by wasm-relaxed.test.ts in a child node (with or without --experimental-wasm-relaxed-simd,
// which this process cannot toggle): loads mobilenet_v2_w050 compiled for wasmsimd by default
// and with relaxedSimd: false, runs the corpus input, prints one JSON line of what each load ran.
// Not a test file itself (no .test.ts): mocha's spec glob leaves it alone.

import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { loadModel } from '../../../runtime/index.js';
import { relaxedSimdAvailable, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';

const { artifact } = compileFile(join(MODELS_DIR, 'mobilenet_v2_w050.onnx'), { targets: ['wasmsimd', 'js', 'ref'] });
const x = readNpy(join(MODELS_DIR, 'mobilenet_v2_w050.input.npy'));
const loads = [];
for (const options of [{}, { relaxedSimd: false }]) {
  const model = await loadModel(artifact, options);
  const out = await model.run({ [model.inputs[0]!.name]: { data: x.data, shape: x.shape } });
  const y = out[model.outputs[0]!.name]!.data as Float32Array;
  loads.push({ options, wasmsimd: model.wasmsimd, relaxedSimd: model.relaxedSimd, output: Buffer.from(y.buffer, y.byteOffset, y.byteLength).toString('base64') });
  model.dispose();
}
process.stdout.write(`${JSON.stringify({ simd: wasmSimdAvailable(), relaxed: relaxedSimdAvailable(), loads })}\n`);
