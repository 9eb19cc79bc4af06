// --prefer size: kernel selection keeps a pruned layer's packed kernel wherever the packed
// weight is smaller than the dense one, even where the dense kernel is estimated faster. Storage
// does not depend on it: the packed weight is stored either way (expanded at load for a dense kernel).
// Oracles: the packed bytes computed by hand from the pattern (2:4: half the values plus 4-bit
// indices; unstructured 20%: CSR is larger than dense), and onnxruntime on the emitted ONNX.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { compileFile } from '../../../compiler/compile.js';
import { emitOnnx } from '../../../compiler/emit/onnx.js';
import { loadModel } from '../../../runtime/index.js';
import { readFileSync } from 'node:fs';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { readNpy, tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { NO_NM_GEMM, shippedProfileWithout } from '../../helpers/profiles.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
const MLP = join(DIGITS_DIR, 'digits_mlp.onnx');

describe('select-kernels: --prefer size', function () {
  this.timeout(120_000);

  it('digits_cnn 2:4: the pruned layers run packed (fc1 dense by default), stored packed either way; bytes as computed by hand; same pruned weights', () => {
    // The shipped profile runs fc1 on the N:M gemv kernel, the fastest either way. Without that family's entries its
    // N:M kernels are priced by their priors and lose to dense, which is the case the preference is for.
    const profile = shippedProfileWithout(NO_NM_GEMM, 'no-nm-gemm');
    const speed = compileFile(CNN, { pattern: '2:4', profile });
    const size = compileFile(CNN, { pattern: '2:4', prefer: 'size', profile });
    const dense = compileFile(CNN, { profile });
    const pruned = (r: typeof speed) => r.report.filter((l) => l.pattern === '2:4');
    assert.equal(pruned(speed).length, 2);
    // By default conv2 runs the N:M conv kernel (estimated faster); fc1's 2:4 Gemm kernels, unmeasured, are estimated
    // slower than the dense one, so it runs dense from the nm storage. --prefer size runs both packed.
    assert.deepEqual(pruned(speed).map((l) => [l.node, l.storage]), [['/conv2/Conv', 'nm'], ['/fc1/Gemm', 'nm→dense']]);
    for (const l of pruned(size)) assert.equal(l.storage, 'nm', l.node);
    for (const l of [...pruned(speed), ...pruned(size)]) {
      // 2:4 packs half the values (4 bytes each) plus one 2-bit index per kept value: 4.25 bytes per 2 weights.
      assert.equal(l.bytesAfter, (l.paramsBefore / 2) * 4 + (l.paramsBefore / 2) / 4, l.node);
      assert.ok(l.bytesAfter < 0.54 * l.bytesBefore);
    }
    const packedNodes = size.graph.nodes.filter((n) => n.kernel?.includes('nm'));
    assert.equal(packedNodes.length, 2);
    // The reason says whether --prefer speed runs the same packed kernel (also the fastest) or not.
    for (const n of packedNodes) {
      const sameUnderSpeed = speed.graph.nodes.find((m) => m.name === n.name)!.kernel === n.kernel;
      assert.match(n.kernelReason ?? '', sameUnderSpeed ? /^nm sparse \(--prefer size: packed, also the fastest\): est\. / : /^nm sparse \(--prefer size: packed even where slower\): est\. /, n.name);
    }
    for (const r of [speed, size]) assert.ok(r.artifact.length < 0.6 * dense.artifact.length, `${r.artifact.length} vs dense ${dense.artifact.length}`);
    // Selection comes after pruning: the weights are the same.
    const weights = (r: typeof speed) => r.graph.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm').map((n) => Array.from(r.graph.values.get(n.inputs[1]!)!.constant!.data as Float32Array));
    assert.deepEqual(weights(size), weights(speed));
  });

  it('digits_cnn 2:4 --prefer size computes what onnxruntime computes on the emitted ONNX (20 test images)', async () => {
    const r = compileFile(CNN, { pattern: '2:4', prefer: 'size' });
    const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
    const model = await loadModel(r.artifact);
    const session = await ort.InferenceSession.create(emitOnnx(r.graph), { intraOpNumThreads: 1 });
    try {
      for (let s = 0; s < 20; s++) {
        const data = (x.data as Float32Array).slice(s * 64, s * 64 + 64);
        const ours = (await model.run({ input: { data, shape: [1, 1, 8, 8] } }))[model.outputs[0]!.name]!.data as Float32Array;
        const ref = (await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, [1, 1, 8, 8]) }))[session.outputNames[0]!]!.data as Float32Array;
        const scale = Math.max(...Array.from(ref, Math.abs));
        ours.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) <= 1e-4 * scale + 1e-5, `image ${s} logit ${i}: ${v} vs ${ref[i]}`));
      }
    } finally {
      model.dispose();
      await session.release();
    }
  });

  it('unstructured 20%: CSR would be larger than dense (4 + 2 bytes per kept weight, plus row pointers), so the layers stay dense', () => {
    const r = compileFile(MLP, { pattern: 'unstructured', sparsity: 0.2, prefer: 'size' });
    const pruned = r.report.filter((l) => l.pattern === 'unstructured');
    assert.ok(pruned.length >= 1);
    for (const l of pruned) {
      assert.ok(l.paramsAfter * 6 > l.bytesBefore, `${l.node}: CSR would be ${l.paramsAfter * 6}+ bytes vs ${l.bytesBefore}`);
      assert.equal(l.storage, 'dense', l.node);
    }
    for (const n of r.graph.nodes) assert.doesNotMatch(n.kernelReason ?? '', /prefer size/);
  });

  it('size is recorded in the provenance; speed, the default, gives the same bytes as no option; an unknown preference is refused', () => {
    const size = compileFile(CNN, { pattern: '2:4', prefer: 'size' });
    assert.ok(size.contents.provenance.options.some(([k, v]) => k === 'prefer' && v === 'size'));
    assert.deepEqual(compileFile(CNN, { pattern: '2:4', prefer: 'speed' }).artifact, compileFile(CNN, { pattern: '2:4' }).artifact);
    assert.throws(() => compileFile(CNN, { pattern: '2:4', prefer: 'fast' as 'size' }), /--prefer 'fast': choose speed or size/);
  });

  it('spc compile: no --prefer and --prefer speed write the same bytes, with no prefer in the provenance; --prefer size records it', () => {
    const dirs = ['none', 'speed', 'size', 'dense'].map((d) => join(tempDir('spc-prefer-'), d));
    assert.equal(spc('compile', CNN, '-o', dirs[0]!, '-q', '--pattern', '2:4').code, 0);
    assert.equal(spc('compile', CNN, '-o', dirs[1]!, '-q', '--pattern', '2:4', '--prefer', 'speed').code, 0);
    assert.equal(spc('compile', CNN, '-o', dirs[2]!, '-q', '--pattern', '2:4', '--prefer', 'size').code, 0);
    assert.equal(spc('compile', CNN, '-o', dirs[3]!, '-q').code, 0);
    const [none, speed, size, dense] = dirs.map((d) => new Uint8Array(readFileSync(join(d, 'digits_cnn.spm'))));
    assert.deepEqual(speed, none);
    assert.ok(!parseArtifact(none!).provenance.options.some(([k]) => k === 'prefer'));
    assert.ok(parseArtifact(size!).provenance.options.some(([k, v]) => k === 'prefer' && v === 'size'));
    // Both store the pruned layers packed: each well under the dense artifact.
    for (const a of [none!, size!]) assert.ok(a.length < 0.6 * dense!.length, `${a.length} vs dense ${dense!.length}`);
  });
});
