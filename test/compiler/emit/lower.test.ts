// Lowering stores the packing kernel selection recorded on the node (node.weightStorage), never a
// packing of its own: the weight is packed once, when its kernel is chosen. Oracles: the
// recorded arrays themselves (the same objects, or values altered after selection), and the
// registry's declared format of each chosen kernel.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { Graph, Node } from '../../../compiler/ir/graph.js';
import { withGraph } from '../../../compiler/ir/graph.js';
import { lowerGraph } from '../../../compiler/emit/lower.js';
import { planArena } from '../../../compiler/analysis/memory-plan.js';
import { defaultRegistry } from '../../../runtime/kernels/index.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
const PROVENANCE = { spcVersion: 'test', sourceSha256: '', options: [] };

function lower(g: Graph) {
  return lowerGraph(g, planArena(g), PROVENANCE, defaultRegistry());
}

describe('lower: the recorded packing', function () {
  this.timeout(120_000);
  const registry = defaultRegistry();
  let result: ReturnType<typeof compileFile>;
  let packedNodes: Node[];
  before(() => {
    // --prefer size: digits_cnn's two 2:4 layers run nm kernels, the others dense.
    result = compileFile(CNN, { pattern: '2:4', prefer: 'size' });
    packedNodes = result.graph.nodes.filter((n) => n.weightStorage !== undefined);
  });

  it('select-kernels keeps the packing of the chosen packed kernels only, in the format each reads', () => {
    assert.deepEqual(packedNodes.map((n) => n.name), ['/conv2/Conv', '/fc1/Gemm']);
    for (const n of result.graph.nodes) {
      const format = registry.get(n.kernel!)?.format ?? 'dense';
      assert.equal(n.weightStorage?.kernelReads ?? 'dense', format, `${n.name} runs ${n.kernel}`);
      if (n.weightStorage) assert.equal(n.weightStorage.packed.format, format, n.name);
    }
  });

  it('the artifact stores the recorded arrays themselves, not a second packing', () => {
    const tensorOf = new Map(result.contents.tensors.map((t) => [t.name, t]));
    assert.equal(packedNodes.length, 2);
    for (const n of packedNodes) assert.equal(tensorOf.get(n.inputs[1]!)?.packed, n.weightStorage!.packed, n.name);
  });

  it('a packing altered after selection is what lowering stores (packing the weight again would undo it)', () => {
    const doubled = (n: Node): Node => {
      const { packed: p, kernelReads } = n.weightStorage!;
      return { ...n, weightStorage: { kernelReads, packed: { ...p, values: p.values.map((v) => 2 * v) } } };
    };
    assert.equal(packedNodes.length, 2);
    const g = withGraph(result.graph, { nodes: result.graph.nodes.map((n) => (n.weightStorage ? doubled(n) : n)) });
    const tensorOf = new Map(lower(g).tensors.map((t) => [t.name, t]));
    for (const n of packedNodes) {
      const stored = tensorOf.get(n.inputs[1]!)!.packed!;
      assert.deepEqual(Array.from(stored.values), Array.from(n.weightStorage!.packed.values).map((v) => 2 * v), n.name);
    }
  });

  it('a packed kernel without a recorded packing is an internal error naming the node, not a silent packing', () => {
    const g = withGraph(result.graph, { nodes: result.graph.nodes.map((n) => (n.name === '/fc1/Gemm' ? { ...n, weightStorage: undefined } : n)) });
    assert.throws(() => lower(g), /lower: node '\/fc1\/Gemm' runs f32-gemmnm-relu-1x4-wasmsimd, which reads nm, but its recorded weight layout is dense/);
  });
});
