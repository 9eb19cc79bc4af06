// Shape buckets end to end (issue 19 item 2): one artifact compiled with `--input-shape
// name=1x{…}` runs three sequence lengths and matches onnxruntime-node at each; a length between
// buckets runs padded only through an attention mask, else is refused naming the lengths served;
// malformed buckets and artifacts whose plans disagree are refused by name.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { compileFile } from '../../compiler/compile.js';
import { reencodeArtifact } from '../../compiler/emit/artifact.js';
import { ArtifactError, loadModel, parseArtifact, RunError } from '../../runtime/index.js';
import type { LoadedArtifact } from '../../runtime/index.js';
import { assertClose } from '../helpers/compare.js';
import { MODELS_DIR } from '../helpers/corpus.js';
import { tempDir } from '../helpers/files.js';
import { spc } from '../helpers/cli.js';
import { writeMaskedAttention, writeSequenceTransformer } from '../helpers/sequence-models.js';

function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 31 - 1; });
}

describe('shape buckets: one artifact, several sequence lengths', function () {
  this.timeout(300000);
  const dir = tempDir('spc-buckets-');
  const transformer = writeSequenceTransformer(join(MODELS_DIR, 'transformer_enc2.onnx'), dir);
  const attention = writeMaskedAttention(dir, 'masked_attention');
  let enc: ReturnType<typeof compileFile>;
  let single: ReturnType<typeof compileFile>;
  let masked: ReturnType<typeof compileFile>;
  before(() => {
    enc = compileFile(transformer, { inputShapes: { token_ids: [[1, 16], [1, 24], [1, 32]] } });
    single = compileFile(transformer, { inputShapes: { token_ids: [1, 32] } });
    masked = compileFile(attention, { inputShapes: { x: [[1, 8, 16], [1, 16, 16]], mask: [[1, 8], [1, 16]] } });
  });

  it('transformer_enc2 at lengths 16, 24 and 32 from one artifact matches onnxruntime-node at each', async () => {
    const model = await loadModel(enc.artifact);
    assert.deepEqual(model.shapeBuckets, { lengths: [16, 24, 32], padding: false });
    const session = await ort.InferenceSession.create(transformer);
    for (const length of [16, 24, 32]) {
      const ids = BigInt64Array.from({ length }, (_, i) => BigInt((i * 37 + length) % 1000));
      const want = (await session.run({ token_ids: new ort.Tensor('int64', ids, [1, length]) })).output!.data as Float32Array;
      const got = (await model.run({ token_ids: { data: ids, shape: [1, length] } })).output!;
      assert.deepEqual(got.shape, [1, 10]);
      assertClose(got.data, want, 1e-4, 1e-4, `length ${length}`);
    }
    model.dispose();
  });

  it('transformer_enc2 has no attention mask: a length between buckets is refused naming the lengths served', async () => {
    assert.equal(enc.contents.shapeBuckets?.maskInput, '');
    assert.ok(enc.warnings.some((w) => /shape buckets 16, 24, 32: .*only these lengths run/.test(w)), enc.warnings.join('\n'));
    const model = await loadModel(enc.artifact);
    await assert.rejects(model.run({ token_ids: { data: new BigInt64Array(20), shape: [1, 20] } }),
      (e: Error) => e instanceof RunError && /sequence length 20 is not a bucket.*no attention-mask input.*serves lengths 16, 24, 32$/.test(e.message));
    await assert.rejects(model.run({ token_ids: { data: new BigInt64Array(40), shape: [1, 40] } }),
      (e: Error) => e instanceof RunError && /sequence length 40 exceeds the largest bucket/.test(e.message));
  });

  it('stores the weights once: three buckets add only their plans (and the per-length positional slices)', () => {
    const a = parseArtifact(enc.artifact);
    assert.ok(a.requiredFeatures.includes('shape-buckets'));
    const primary = new Map(a.tensors.filter((t) => t.kind === 'weight').map((t) => [t.name, t]));
    // Every plan weight named like one of the model's is the same bytes (the loader checks it too).
    for (const plan of a.shapeBuckets!.plans) {
      for (const t of plan.tensors.filter((x) => x.kind === 'weight' && primary.has(x.name))) {
        assert.equal(t.data!.byteOffset, primary.get(t.name)!.data!.byteOffset, t.name);
      }
    }
    const extra = enc.artifact.length - single.artifact.length;
    // The [1,32,128] positional table sliced for 16 and 24 (20 KB) plus two plans' graphs: far below a second copy of the 1.09 MB of weights.
    assert.ok(extra < 0.1 * single.artifact.length, `buckets added ${extra} bytes to ${single.artifact.length}`);
  });

  it('masked attention at lengths 5, 8 and 13 (two padded) matches onnxruntime-node at each exact length', async () => {
    assert.equal(masked.contents.shapeBuckets?.maskInput, 'mask');
    const model = await loadModel(masked.artifact);
    assert.deepEqual(model.shapeBuckets, { lengths: [8, 16], padding: true });
    const session = await ort.InferenceSession.create(attention);
    for (const length of [5, 8, 13]) {
      const x = values(length * 16, length);
      // The caller's own padding (the last real position masked) must survive the runtime's.
      const mask = Float32Array.from({ length }, (_, i) => (i === length - 1 ? 0 : 1));
      const want = (await session.run({ x: new ort.Tensor('float32', x, [1, length, 16]), mask: new ort.Tensor('float32', mask, [1, length]) })).y!;
      const got = (await model.run({ x: { data: x, shape: [1, length, 16] }, mask: { data: mask, shape: [1, length] } })).y!;
      assert.deepEqual(got.shape, [1, length, 16]);
      assertClose(got.data, want.data as Float32Array, 1e-4, 1e-5, `length ${length}`);
    }
    await assert.rejects(model.run({ x: new Float32Array(17 * 16), mask: new Float32Array(17) }),
      (e: Error) => e instanceof RunError && /sequence length 17 exceeds the largest bucket: this artifact serves lengths 8, 16 \(and any length up to 16, padded\)/.test(e.message));
    await assert.rejects(model.run({ x: new Float32Array(5 * 16), mask: new Float32Array(6) }),
      (e: Error) => e instanceof RunError && /input 'mask': sequence length 6, other inputs have 5/.test(e.message));
  });

  it('records the buckets in the provenance as given, and compiles them again byte for byte', () => {
    const recorded = parseArtifact(masked.artifact).provenance.options.filter(([k]) => k.startsWith('input-shape:'));
    assert.deepEqual(recorded, [['input-shape:mask', '1x{8,16}'], ['input-shape:x', '1x{8,16}x16']]);
    const again = compileFile(attention, { inputShapes: { x: [[1, 8, 16], [1, 16, 16]], mask: [[1, 8], [1, 16]] } });
    assert.deepEqual(again.artifact, masked.artifact);
  });

  it('malformed bucket syntax: exit 1 naming --input-shape', () => {
    for (const [shape, why] of [['x=1x{16,8}x16', /not strictly increasing/], ['x=1x{16,}x16', /not whole numbers/], ['x=1x{16}x16', /at least two/],
      ['x=1x{8,16}x{16,32}', /malformed shape buckets/], ['x=1x{8,16', /malformed shape buckets/], ['x=1x8,16}', /malformed shape buckets/]] as const) {
      const r = spc('compile', attention, '--input-shape', shape, '--input-shape', 'mask=1x{8,16}', '-o', join(dir, 'bad'));
      assert.equal(r.code, 1, `${shape}: ${r.stderr}`);
      assert.match(r.stderr, /--input-shape '.*'/, shape);
      assert.match(r.stderr, why, shape);
    }
    const r = spc('compile', attention, '--input-shape', 'x=1x{8,16,24}x16', '--input-shape', 'mask=1x{8,16}', '-o', join(dir, 'bad'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--input-shape: the bucketed inputs list different numbers of buckets \(x: 3, mask: 2\)/);
  });

  const refusal = (edit: (a: LoadedArtifact) => LoadedArtifact, message: RegExp) => {
    const bytes = reencodeArtifact(masked.artifact, edit);
    assert.throws(() => parseArtifact(bytes), (e: Error) => e instanceof ArtifactError && message.test(e.message));
  };

  it('loader: buckets out of order are refused by field', () => {
    refusal((a) => {
      const plan = a.shapeBuckets!.plans[0]!;
      // The 16 plan as the model's graph, the 8 one as its plan.
      return { ...a, tensors: plan.tensors, nodes: plan.nodes, inputs: plan.inputs, outputs: plan.outputs, arenaBytes: plan.arenaBytes,
        shapeBuckets: { ...a.shapeBuckets!, plans: [{ tensors: a.tensors, nodes: a.nodes, inputs: a.inputs, outputs: a.outputs, arenaBytes: a.arenaBytes }] } };
    }, /^shape plan 1: bucket length 8 is not above the previous bucket's 16 \(buckets must be in increasing order\)$/);
  });

  it('loader: a plan whose weight disagrees with the model\'s weight of that name is refused naming the tensor', () => {
    refusal((a) => {
      const plan = a.shapeBuckets!.plans[0]!;
      const tensors = plan.tensors.map((t) => (t.name === 'Wq' ? { ...t, data: (t.data as Float32Array).map((v) => v + 1) } : t));
      return { ...a, shapeBuckets: { ...a.shapeBuckets!, plans: [{ ...plan, tensors }] } };
    }, /^shape plan 1: tensor \d+ 'Wq' disagrees with the model's weight of that name \(float32\[16,16\] at \d+\+1024, the model's float32\[16,16\] at \d+\+1024\)$/);
  });

  it('loader: a mask input that is not a graph input, and a plan with another input, are refused by field', () => {
    refusal((a) => ({ ...a, shapeBuckets: { ...a.shapeBuckets!, maskInput: 'attention_mask' } }),
      /^shape buckets: mask_input 'attention_mask' is not a graph input$/);
    refusal((a) => {
      const plan = a.shapeBuckets!.plans[0]!;
      return { ...a, shapeBuckets: { ...a.shapeBuckets!, plans: [{ ...plan, inputs: [...plan.inputs].reverse() }] } };
    }, /^shape plan 1: graph input 0 is 'mask' \(float32\[1,16\]\), the model's graph has 'x' \(float32\[1,8,16\]\)$/);
  });
});
