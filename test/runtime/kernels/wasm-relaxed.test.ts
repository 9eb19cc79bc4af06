// Relaxed SIMD (issue 17), tested in child processes because Node 20 turns it on only with
// --experimental-wasm-relaxed-simd and this suite runs without it:
// - under the flag, every wasmsimd kernel's test file runs on the relaxed-SIMD module against its
//   ref kernel, and each case also on the SIMD128 module within the madd bound
//   (wasm-harness.ts assertModulesAgree: (2K + 4)·u·Σ|w·x| for Conv/Gemm/MatMul, 8u·(|y| + |x|)
//   for the polynomial activations, bit-identical otherwise; LSTM/GRU/RNN against ref only);
// - feature detection: without relaxed SIMD a load falls back to the SIMD128 module, with it the
//   load takes the relaxed one unless `relaxedSimd: false`; the forced SIMD128 output is the
//   same bit for bit on both engines, the relaxed one within 1e-4·max + 1e-5 of onnxruntime.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { WASMSIMD_KERNELS } from '../../../runtime/kernels/index.js';
import { MODELS_DIR, REPO_ROOT } from '../../helpers/corpus.js';
import { assertClose } from '../../helpers/compare.js';
import { readNpy } from '../../helpers/files.js';

const FLAG = '--experimental-wasm-relaxed-simd';
const HERE = join(REPO_ROOT, 'dist/test/runtime/kernels');

interface ChildLoad { options: { relaxedSimd?: boolean }; wasmsimd: boolean; relaxedSimd: boolean; output: string }
interface ChildReport { simd: boolean; relaxed: boolean; loads: ChildLoad[] }

function child(flag: string): ChildReport {
  const out = execFileSync(process.execPath, [flag, join(HERE, 'relaxed-child.js')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildReport;
}

const floats = (b64: string): Float32Array => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

describe('relaxed SIMD', function () {
  this.timeout(600_000);

  it(`under ${FLAG}: every wasmsimd kernel on the relaxed module matches ref, and the SIMD128 module within the madd bound`, () => {
    const files = ['wasm-kernels', 'wasm-rowblock', 'wasm-nm', 'wasm-activation', 'recurrent', 'wasm-int8', 'wasm-int8-nm'].map((f) => join(HERE, `${f}.test.js`));
    const r = spawnSync(process.execPath, [FLAG, join(REPO_ROOT, 'node_modules/mocha/bin/mocha.js'), '--no-config', '--timeout', '300000', '--reporter', 'spec', ...files], { encoding: 'utf8' });
    const log = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, `mocha under ${FLAG} failed:\n${log.slice(-4000)}`);
    // Each kernel with a per-kernel case list reports running both modules.
    const agreed = WASMSIMD_KERNELS.filter((k) => !['LSTM', 'GRU', 'RNN'].includes(k.op));
    const missing = agreed.filter((k) => !new RegExp(`${k.id} matches .*\\(relaxed SIMD\\), and the SIMD128 module within the madd bound`).test(log)).map((k) => k.id);
    assert.deepEqual(missing, [], 'kernels not compared across the two modules');
  });

  it('feature detection: without relaxed SIMD the load runs SIMD128; with it relaxed unless relaxedSimd: false; outputs as stated', () => {
    const without = child('--no-experimental-wasm-relaxed-simd');
    assert.equal(without.simd, true, 'SIMD128 is available (Node 20)');
    assert.equal(without.relaxed, false, 'relaxed SIMD detected as missing');
    assert.deepEqual(without.loads.map((l) => [l.wasmsimd, l.relaxedSimd]), [[true, false], [true, false]], 'both loads fall back to the SIMD128 module');
    const withFlag = child(FLAG);
    assert.equal(withFlag.relaxed, true, `relaxed SIMD detected under ${FLAG}`);
    assert.deepEqual(withFlag.loads.map((l) => [l.wasmsimd, l.relaxedSimd]), [[true, true], [true, false]], 'default load relaxed, relaxedSimd: false forces SIMD128');
    // The SIMD128 module rounds the same wherever it runs.
    assert.equal(withFlag.loads[1]!.output, without.loads[0]!.output, 'forced SIMD128 output is bit-identical to the SIMD128 output of an engine without relaxed SIMD');
    const want = readNpy(join(MODELS_DIR, 'mobilenet_v2_w050.output.npy')).data;
    assertClose(floats(withFlag.loads[0]!.output), want, 1e-4, 1e-5, 'mobilenet_v2_w050 on the relaxed module vs onnxruntime');
  });
});
