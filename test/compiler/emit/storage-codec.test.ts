// The storage codec end to end: a pruned layer is stored in its packed form whichever kernel runs
// it, and where that kernel reads dense the runtime expands the packing at load. Oracles: the
// compile's own pruned dense weights (the final IR), and the old densified artifact, lowered from
// the same graph with the dense-read weights stored dense (same kernels): outputs bit for bit.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { withGraph } from '../../../compiler/ir/graph.js';
import { lowerGraph } from '../../../compiler/emit/lower.js';
import { writeArtifact } from '../../../compiler/emit/artifact.js';
import { reportTotals } from '../../../compiler/emit/compile-report.js';
import { planArena } from '../../../compiler/analysis/memory-plan.js';
import { defaultRegistry } from '../../../runtime/kernels/index.js';
import { bindArtifactSync } from '../../../runtime/executor/bind.js';
import { loadModel } from '../../../runtime/index.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { sizeOf } from '../../../runtime/tensor.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';
import { NO_NM, shippedProfileWithout } from '../../helpers/profiles.js';

const PROVENANCE = { spcVersion: 'test', sourceSha256: '', options: [] };

/** The artifact spc wrote before the codec: weights read dense stored dense, everything else (kernels included) the same. */
function densifiedArtifact(g: Graph): Uint8Array {
  const nodes = g.nodes.map((n) => {
    if (n.weightStorage?.kernelReads !== 'dense') return n;
    const { weightStorage: _, ...rest } = n;
    return rest;
  });
  const plain = withGraph(g, { nodes });
  return writeArtifact(lowerGraph(plain, planArena(plain), PROVENANCE, defaultRegistry()));
}

/** A deterministic input per model input (values in [-1, 1)). */
function feeds(inputs: readonly { name: string; shape: readonly number[] }[]): Record<string, Float32Array> {
  return Object.fromEntries(inputs.map((x, k) => [x.name, Float32Array.from({ length: sizeOf(x.shape) }, (_, i) => ((i * 2654435761 + k) % 1000) / 500 - 1)]));
}

for (const [label, file] of [['digits_cnn', join(DIGITS_DIR, 'digits_cnn.onnx')], ['resnet10_w32', join(MODELS_DIR, 'resnet10_w32.onnx')]] as const) {
  describe(`storage codec: ${label} --pattern 2:4, N:M kernels unpriced (dense kernels over nm storage)`, function () {
    this.timeout(300_000);
    let r: ReturnType<typeof compileFile>;
    // The shipped profile runs every plain 2:4 layer of these models on an N:M kernel (kernel-choice.test.ts);
    // without the N:M entries they run dense kernels, which is where the codec must expand.
    before(() => { r = compileFile(file, { pattern: '2:4', profile: shippedProfileWithout(NO_NM, 'no-nm') }); });

    it('stores every pruned layer nm (expanded for its dense kernel), at ≤ 0.57× the dense bytes', () => {
      const pruned = r.report.filter((l) => l.pattern === '2:4');
      assert.ok(pruned.length >= 2, `${pruned.length} pruned layers`);
      for (const l of pruned) {
        // Dense kernels (DENSIFIED) or a surviving packed one: the storage is the nm packing regardless.
        assert.match(l.storage, /^nm(→dense)?$/, l.node);
        assert.equal(l.bytesAfter, (l.paramsBefore / 2) * 4 + l.paramsBefore / 2 / 4, `${l.node}: 2:4 packs 4.25 bytes per 2 weights`);
      }
      assert.ok(pruned.some((l) => l.storage === 'nm→dense'), 'some layer runs dense from nm storage');
      const t = reportTotals(r.report);
      assert.ok(t.prunedBytesAfter <= 0.57 * t.prunedBytesBefore, `${t.prunedBytesAfter} of ${t.prunedBytesBefore}`);
      assert.ok(parseArtifact(r.artifact).requiredFeatures.includes('sparse-expand'));
    });

    it('binding expands each stored packing to the pruned dense weight, bit for bit', () => {
      const b = bindArtifactSync(r.contents, defaultRegistry());
      let expanded = 0;
      r.contents.tensors.forEach((t, i) => {
        if (t.kernelLayout !== 'dense') return;
        expanded++;
        const pruned = r.graph.values.get(t.name)!.constant!.data as Float32Array;
        const got = b.views[i]!.data as Float32Array;
        assert.equal(got.length, pruned.length, t.name);
        assert.deepStrictEqual(new Uint32Array(got.buffer, got.byteOffset, got.length), new Uint32Array(pruned.buffer, pruned.byteOffset, pruned.length), t.name);
      });
      assert.ok(expanded > 0);
      assert.equal(b.expanded.weights, expanded);
    });

    it('computes exactly what the old densified artifact computes (same kernels), and reports the expansion at load', async () => {
      const old = densifiedArtifact(r.graph);
      assert.ok(r.artifact.length < old.length, `${r.artifact.length} vs ${old.length}`);
      const [ours, theirs] = await Promise.all([loadModel(r.artifact), loadModel(old)]);
      try {
        const x = feeds(ours.inputs);
        const [a, b] = [await ours.run(x), await theirs.run(x)];
        for (const o of ours.outputs) {
          const [p, q] = [a[o.name]!.data as Float32Array, b[o.name]!.data as Float32Array];
          assert.deepStrictEqual(new Uint32Array(p.buffer, p.byteOffset, p.length), new Uint32Array(q.buffer, q.byteOffset, q.length), o.name);
        }
        const dense = r.contents.tensors.filter((t) => t.kernelLayout === 'dense');
        assert.equal(ours.expanded?.weights, dense.length);
        assert.equal(ours.expanded?.bytes, dense.reduce((s, t) => s + sizeOf(t.shape) * 4, 0));
        assert.ok(ours.expanded!.ms! >= 0, 'loadModel times the expansion');
        assert.deepEqual(theirs.expanded, { weights: 0, bytes: 0, ms: 0 });
      } finally {
        ours.dispose();
        theirs.dispose();
      }
    });
  });
}

describe('storage codec: where packing is not smaller, the weight stays dense', function () {
  this.timeout(120_000);

  it('unstructured 30% on digits_cnn: CSR (4 + 2 bytes per kept weight) is bigger than dense, so a layer its dense kernel reads stays dense', () => {
    const r = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: 'unstructured', sparsity: 0.3 });
    const registry = defaultRegistry();
    const kernelOf = new Map(r.contents.nodes.map((n) => [n.name, n.kernel]));
    const pruned = r.report.filter((l) => l.pattern === 'unstructured');
    const denseRead = pruned.filter((l) => (registry.get(kernelOf.get(l.node)!)!.format ?? 'dense') === 'dense');
    assert.ok(denseRead.length >= 1);
    for (const l of pruned) assert.ok(l.paramsAfter * 6 > l.bytesBefore, `${l.node}: CSR ${l.paramsAfter * 6}+ bytes vs dense ${l.bytesBefore}`);
    for (const l of denseRead) {
      assert.equal(l.storage, 'dense', l.node);
      assert.equal(l.bytesAfter, l.bytesBefore, l.node);
    }
    assert.ok(!r.contents.tensors.some((t) => t.kernelLayout === 'dense'));
    assert.ok(!parseArtifact(r.artifact).requiredFeatures.includes('sparse-expand'));
  });
});
