// Pruned models end to end: spc's runtime on the packed artifact against onnxruntime on the
// `--emit-onnx` model (with the js packed kernels and with the wasmsimd ones), packed sizes against
// dense, and channel pruning shrinking the model.
// `npm test` runs a representative subset; `npm run verify:grid` (SPC_FULL_GRID=1) all of it.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { compileFile } from '../../compiler/compile.js';
import type { CompileOptions } from '../../compiler/compile.js';
import { emitOnnx } from '../../compiler/emit/onnx.js';
import { TARGET_ORDER } from '../../compiler/analysis/profile.js';
import { summarizeArtifact } from '../../compiler/emit/layer-table.js';
import type { ArtifactSummary } from '../../compiler/emit/layer-table.js';
import { loadModel } from '../../runtime/index.js';
import type { LoadedArtifact } from '../../runtime/loader/model.js';
import { DIGITS_DIR, MODELS_DIR } from '../helpers/corpus.js';
import { assertClose } from '../helpers/compare.js';
import { readNpy } from '../helpers/files.js';

/**
 * js kernels chosen by target order (no timings): every pruned weight then runs, and is stored
 * in, its packed format, which these tests exercise. (Timed selection would run many of them
 * dense on wasm; kernel-choice.test.ts covers that.)
 */
const PACKED: Pick<CompileOptions, 'targets' | 'profile'> = { targets: ['js', 'ref'], profile: TARGET_ORDER };
/** The same with wasmsimd first: the wasm csr / row-block nm and bsr kernels wherever they support the layer. */
const PACKED_WASM: Pick<CompileOptions, 'targets' | 'profile'> = { targets: ['wasmsimd', 'js', 'ref'], profile: TARGET_ORDER };

interface Case { model: string; path: string; inputs: Record<string, { data: Float32Array | BigInt64Array; shape: readonly number[] }>; shapes?: Record<string, number[]> }

function corpusCases(): Case[] {
  const index = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as { name: string; file: string; inputs: { name: string; npy: string }[] }[];
  const cases: Case[] = index.map((m) => ({
    model: m.name,
    path: join(MODELS_DIR, m.file),
    inputs: Object.fromEntries(m.inputs.map((i) => {
      const a = readNpy(join(MODELS_DIR, i.npy));
      return [i.name, { data: a.data as Float32Array, shape: a.shape }];
    })),
  }));
  const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy')).data as Float32Array;
  const batch = x.subarray(0, 16 * 64);
  cases.push({ model: 'digits_mlp', path: join(DIGITS_DIR, 'digits_mlp.onnx'), inputs: { input: { data: batch, shape: [16, 64] } }, shapes: { input: [16, 64] } });
  cases.push({ model: 'digits_cnn', path: join(DIGITS_DIR, 'digits_cnn.onnx'), inputs: { input: { data: batch, shape: [16, 1, 8, 8] } }, shapes: { input: [16, 1, 8, 8] } });
  return cases;
}

const PATTERNS: { name: string; opts: CompileOptions }[] = [
  { name: '2:4', opts: { pattern: '2:4' } },
  { name: '2:4 shared-rows 4', opts: { pattern: '2:4', shareRows: 4 } },
  { name: '4:8', opts: { pattern: '4:8' } },
  { name: '1:4', opts: { pattern: '1:4' } },
  { name: 'unstructured 0.5', opts: { pattern: 'unstructured', sparsity: 0.5 } },
  { name: 'unstructured 0.9', opts: { pattern: 'unstructured', sparsity: 0.9 } },
  { name: 'block:4x1 0.75', opts: { pattern: 'block:4x1', sparsity: 0.75 } },
  { name: 'channel 0.25', opts: { pattern: 'channel', sparsity: 0.25 } },
];

const FULL = process.env.SPC_FULL_GRID === '1';
/** The subset `npm test` runs: every pattern once, spread over the models. */
const SUBSET = new Set(['mlp3|2:4', 'digits_cnn|4:8', 'resnet10_w32|2:4', 'mobilenet_v2_w050|unstructured 0.9', 'digits_mlp|1:4',
  'squeezenet1_1|block:4x1 0.75', 'digits_cnn|channel 0.25', 'transformer_enc2|unstructured 0.5', 'mobilenet_v3_small_w075|2:4',
  'resnet10_w32|channel 0.25', 'mobilenet_v2_w050|2:4 shared-rows 4']);

async function runOrt(onnxBytes: Uint8Array, inputs: Case['inputs']): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(onnxBytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) {
    feeds[name] = new ort.Tensor(t.data instanceof BigInt64Array ? 'int64' : 'float32', t.data, [...t.shape]);
  }
  const out = await session.run(feeds);
  const res: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(out)) res[k] = v.data as Float32Array;
  await session.release();
  return res;
}

describe('e2e: pruned artifacts match onnxruntime on the emitted ONNX', function () {
  this.timeout(600_000);
  for (const c of corpusCases()) {
    for (const p of PATTERNS) {
      if (!FULL && !SUBSET.has(`${c.model}|${p.name}`)) continue;
      for (const [label, packed] of [['js', PACKED], ['wasmsimd', PACKED_WASM]] as const) {
      it(`${c.model} ${p.name} (${label} kernels)`, async () => {
        const result = compileFile(c.path, { ...p.opts, ...packed, inputShapes: c.shapes, verify: true });
        const model = await loadModel(result.artifact);
        const got = await model.run(c.inputs);
        const want = await runOrt(emitOnnx(result.graph), c.inputs);
        for (const [name, w] of Object.entries(want)) assertClose(got[name].data, w, 1e-4, 1e-5, `${c.model} ${p.name} '${name}'`);
        if (p.opts.pattern !== 'channel') {
          const stored = result.contents.tensors.filter((t) => t.packed);
          assert.ok(stored.length > 0, `${c.model} ${p.name}: no weight was stored packed`);
          const onTarget = result.contents.nodes.filter((n) => n.kernel.endsWith(`-${label}`) && result.contents.tensors[n.inputs[1]!]?.packed);
          assert.ok(onTarget.length > 0, `${c.model} ${p.name}: no packed weight runs on a ${label} kernel`);
        }
        model.dispose();
      });
      }
    }
  }
});

/** Packed bytes of the pruned layers over their dense bytes. */
function prunedRatio(s: ArtifactSummary): number {
  const pruned = s.layers.filter((l) => l.storage !== 'dense' && l.storage !== '-');
  assert.ok(pruned.length > 0, 'no pruned layers');
  return pruned.reduce((a, l) => a + l.weightBytes, 0) / pruned.reduce((a, l) => a + l.denseBytes, 0);
}

/** Multiply-accumulates of Conv and Gemm/MatMul layers, from the artifact's shapes. */
function macs(a: LoadedArtifact): number {
  let total = 0;
  for (const n of a.nodes) {
    const w = a.tensors[n.inputs[1]];
    const y = a.tensors[n.outputs[0]];
    if (!w || !y) continue;
    const wElems = w.shape.reduce((p, d) => p * d, 1);
    if (n.op === 'Conv') total += wElems * y.shape.slice(2).reduce((p, d) => p * d, 1) * y.shape[0];
    else if (n.op === 'Gemm' || n.op === 'MatMul') total += wElems * y.shape.slice(0, -1).reduce((p, d) => p * d, 1);
  }
  return total;
}

describe('e2e: packed sizes and channel pruning', function () {
  this.timeout(300_000);
  for (const m of ['resnet10_w32', 'mobilenet_v2_w050']) {
    const path = join(MODELS_DIR, `${m}.onnx`);
    it(`${m}: 2:4 ≤ 0.60× and 0.9 unstructured ≤ 0.22× of the pruned layers' dense bytes`, () => {
      const nm = prunedRatio(summarizeArtifact(compileFile(path, { pattern: '2:4', ...PACKED }).contents));
      const csr = prunedRatio(summarizeArtifact(compileFile(path, { pattern: 'unstructured', sparsity: 0.9, ...PACKED }).contents));
      assert.ok(nm <= 0.6, `2:4 ratio ${nm.toFixed(3)}`);
      assert.ok(csr <= 0.22, `0.9 unstructured ratio ${csr.toFixed(3)}`);
    });
    it(`${m}: channel 0.25 shrinks parameters and multiply-accumulates`, () => {
      const dense = compileFile(path).contents;
      const pruned = compileFile(path, { pattern: 'channel', sparsity: 0.25 }).contents;
      const ps = (a: LoadedArtifact) => summarizeArtifact(a).params;
      assert.ok(ps(pruned) < ps(dense), `params ${ps(pruned)} vs ${ps(dense)}`);
      assert.ok(macs(pruned) < macs(dense), `MACs ${macs(pruned)} vs ${macs(dense)}`);
    });
  }
});
