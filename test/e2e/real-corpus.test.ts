// End to end on ../shared/corpus/real (trained models from npm packages): every model compiles
// dense with its index.json pins and matches its stored onnxruntime outputs within its tolerance
// (max|got − ref| ≤ tol·max|ref|); silero VAD also streams 5 chunks against onnxruntime-node.
// Silero also folds its If when sr is fixed at compile time (--input-value).

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { compileFile } from '../../compiler/compile.js';
import type { CompileOptions, CompileResult } from '../../compiler/compile.js';
import { loadModel } from '../../runtime/index.js';
import type { TypedArray } from '../../runtime/tensor.js';
import { REAL_DIR, REAL_MODELS, realPins as pins } from '../helpers/corpus.js';
import type { RealEntry } from '../helpers/corpus.js';
import { readNpy } from '../helpers/files.js';
import { readWavPcm16 } from '../../scripts/accuracy/wav.js';


const MODELS = REAL_MODELS;
/** Compiles with the IR verifier on after every pass. */
const compile = (file: string, options: CompileOptions): CompileResult => compileFile(file, { ...options, verify: true });

/** max|got − want| ≤ tol·max|want|, the README's criterion. */
function assertWithin(got: TypedArray, want: TypedArray, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} elements, want ${want.length}`);
  let maxRef = 0, maxDiff = 0, at = 0;
  for (let i = 0; i < want.length; i++) {
    const w = Number(want[i]), d = Math.abs(Number(got[i]) - w);
    maxRef = Math.max(maxRef, Math.abs(w));
    if (!(d <= maxDiff)) { maxDiff = d; at = i; }
  }
  assert.ok(maxDiff <= tol * maxRef, `${what}: max|got − ref| = ${maxDiff.toExponential(3)} at ${at} (got ${got[at]}, ref ${want[at]}) exceeds ${tol}·${maxRef.toExponential(3)}`);
}

function feedsOf(e: RealEntry): Record<string, { data: TypedArray; shape: number[] }> {
  return Object.fromEntries(e.inputs.map((i) => {
    const a = readNpy(join(REAL_DIR, i.npy));
    return [i.name, { data: a.data, shape: [...a.shape] }];
  }));
}

describe('e2e: real models (../shared/corpus/real) match onnxruntime', function () {
  this.timeout(300_000);
  for (const e of MODELS) {
    it(`${e.name}: dense, within ${e.tolerance}·max|ref| of onnxruntime`, async function () {
      const r = compile(join(REAL_DIR, e.file), { inputShapes: pins(e) });
      const model = await loadModel(r.artifact);
      const out = await model.run(feedsOf(e));
      for (const o of e.outputs) {
        const want = readNpy(join(REAL_DIR, o.npy));
        assert.deepEqual([...out[o.name]!.shape], [...want.shape], `${e.name}: output '${o.name}' shape`);
        assertWithin(out[o.name]!.data, want.data, e.tolerance, `${e.name} output '${o.name}'`);
      }
      model.dispose();
    });
  }
});

describe('e2e: silero VAD', function () {
  this.timeout(300_000);
  const entry = MODELS.find((m) => m.name === 'silero_vad')!;
  const file = join(REAL_DIR, entry.file);
  const N = 512;

  /** vad_sentence.wav's int16 samples / 32768 (the corpus's tools/make_inputs.mjs). */
  const audio = (): Float32Array => readWavPcm16(new Uint8Array(readFileSync(join(REAL_DIR, 'media', 'vad_sentence.wav'))), 'vad_sentence.wav');

  it('state carried across 5 consecutive chunks matches onnxruntime-node doing the same', async function () {
    const r = compile(file, { inputShapes: pins(entry) });
    const stored = feedsOf(entry);
    const samples = audio();
    // The stored chunk is chunk 99 with the state after chunks 0..98 (README): start there.
    const first = 99;
    assert.deepEqual([...samples.subarray(first * N, (first + 1) * N)], [...stored['input']!.data], 'chunk 99 of the clip is the stored input');
    const model = await loadModel(r.artifact);
    const session = await ort.InferenceSession.create(file);
    const sr = BigInt64Array.of(16000n);
    let h = stored['h']!.data as Float32Array, c = stored['c']!.data as Float32Array;
    let hRef = h, cRef = c;
    for (let k = first; k < first + 5; k++) {
      const x = samples.slice(k * N, (k + 1) * N);
      const got = await model.run({ input: { data: x, shape: [1, N] }, sr: { data: sr, shape: [] }, h: { data: h, shape: [2, 1, 64] }, c: { data: c, shape: [2, 1, 64] } });
      const want = await session.run({
        input: new ort.Tensor('float32', x, [1, N]), sr: new ort.Tensor('int64', sr, []),
        h: new ort.Tensor('float32', hRef, [2, 1, 64]), c: new ort.Tensor('float32', cRef, [2, 1, 64]),
      });
      for (const o of ['output', 'hn', 'cn']) assertWithin(got[o]!.data, want[o]!.data as Float32Array, entry.tolerance, `chunk ${k} '${o}'`);
      h = got['hn']!.data as Float32Array; c = got['cn']!.data as Float32Array;
      hRef = want['hn']!.data as Float32Array; cRef = want['cn']!.data as Float32Array;
    }
    model.dispose();
  });

  for (const rate of [16000, 8000]) {
    it(`--input-value sr=${rate} folds the If: compiles to an artifact without If or sr input that matches onnxruntime`, async function () {
      const r = compile(file, { inputShapes: pins(entry), inputValues: { sr: { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(rate)) } } });
      const model = await loadModel(r.artifact);
      assert.ok(!model.inputs.some((i) => i.name === 'sr'), 'sr is no longer an input');
      assert.deepEqual(r.contents.nodes.filter((n) => n.op === 'If').map((n) => n.name), [], 'no If is left');
      const feeds = feedsOf(entry);
      const got = await model.run({ input: feeds['input']!, h: feeds['h']!, c: feeds['c']! });
      const session = await ort.InferenceSession.create(file);
      const want = await session.run({
        input: new ort.Tensor('float32', feeds['input']!.data as Float32Array, [1, N]), sr: new ort.Tensor('int64', BigInt64Array.of(BigInt(rate)), []),
        h: new ort.Tensor('float32', feeds['h']!.data as Float32Array, [2, 1, 64]), c: new ort.Tensor('float32', feeds['c']!.data as Float32Array, [2, 1, 64]),
      });
      for (const o of ['output', 'hn', 'cn']) assertWithin(got[o]!.data, want[o]!.data as Float32Array, entry.tolerance, `sr=${rate} '${o}'`);
      model.dispose();
    });
  }
});
