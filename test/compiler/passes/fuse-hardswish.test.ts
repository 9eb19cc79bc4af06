// fuse-hardswish: x·HardSigmoid(x) (PyTorch before opset 14) and x·Clip(x+3, 0, 6)/6 or ·(1/6)
// (TensorFlow/Keras) become one HardSwish; spc's compiled model (wasmsimd HardSwish) matches
// onnxruntime-node running the unfused ONNX, on inputs over [−5, 5] (both clip corners);
// near misses (another alpha, another tensor, other constants, an intermediate read outside,
// opset 11) are left alone; mobilenet_v3_small_w075 fuses its 19 and still matches onnxruntime.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Graph } from '../../../compiler/ir/graph.js';
import { compileBytes, compileFile } from '../../../compiler/compile.js';
import { emitOnnx } from '../../../compiler/emit/onnx.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { canonicalizePipeline } from '../../../compiler/passes/pipelines.js';
import { fuseHardswish } from '../../../compiler/passes/fuse-hardswish.js';
import { loadModel } from '../../../runtime/index.js';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';
import { assertClose } from '../../helpers/compare.js';
import type { GraphSpec } from './build.js';
import { assertEquivalent, build, countOps, f32, float } from './build.js';

type NodeSpec = GraphSpec['nodes'][number];
const X = [1, 3, 5, 7];

interface Variant {
  readonly form: 'hardsigmoid' | 'div' | 'mul';
  readonly swap?: boolean;
  readonly alpha?: number;
  readonly three?: number;
  readonly six?: number;
  readonly clipMax?: number;
  /** HardSigmoid reads another tensor (a squeeze-excitation gate, not HardSwish). */
  readonly otherTensor?: boolean;
  readonly extraOutputs?: readonly string[];
  readonly opset?: number;
}

/** x → (a Conv-free) HardSwish as the exporter writes it → y; `z` = x + 1 is a second tensor. */
function decomposed(v: Variant): Graph {
  const nodes: NodeSpec[] = [['Add', ['x', 'one'], ['z']]];
  const consts: Record<string, ReturnType<typeof f32>> = { one: f32([], [1]) };
  const pair = (a: string, b: string): string[] => (v.swap ? [b, a] : [a, b]);
  if (v.form === 'hardsigmoid') {
    nodes.push(['HardSigmoid', [v.otherTensor ? 'z' : 'x'], ['h'], { alpha: float(v.alpha ?? Math.fround(1 / 6)) }]);
    nodes.push(['Mul', pair('x', 'h'), ['y']]);
  } else {
    consts['three'] = f32([], [v.three ?? 3]);
    consts['lo'] = f32([], [0]);
    consts['hi'] = f32([], [v.clipMax ?? 6]);
    consts['k'] = f32([], [v.form === 'div' ? v.six ?? 6 : Math.fround(1 / (v.six ?? 6))]);
    nodes.push(['Add', pair('x', 'three'), ['a']]);
    nodes.push(['Clip', ['a', 'lo', 'hi'], ['c']]);
    nodes.push(['Mul', pair(v.otherTensor ? 'z' : 'x', 'c'), ['m']]);
    nodes.push([v.form === 'div' ? 'Div' : 'Mul', v.form === 'div' ? ['m', 'k'] : pair('m', 'k'), ['y']]);
  }
  return build({ opset: v.opset, inputs: { x: ['float32', X] }, consts, nodes, outputs: ['y', 'z', ...(v.extraOutputs ?? [])] });
}

const fuse = (g: Graph): Graph => runPipeline(g, [fuseHardswish], makePassContext(), { verify: true });

/** x over [−5, 5] in steps that hit ±3 and 0 exactly. */
const feedX = (): Float32Array => Float32Array.from({ length: 105 }, (_, i) => -5 + i / 10.4);

async function assertMatchesOrt(g: Graph, what: string): Promise<void> {
  const x = feedX();
  const session = await ort.InferenceSession.create(emitOnnx(g), { intraOpNumThreads: 1 });
  let want: Float32Array;
  try {
    want = (await session.run({ x: new ort.Tensor('float32', x, X) }))['y']!.data as Float32Array;
  } finally {
    await session.release();
  }
  const compiled = compileBytes(emitOnnx(g), { name: `${what}.onnx` });
  assert.ok(compiled.contents.nodes.some((n) => n.kernel === 'f32-hardswish-1x4-wasmsimd'), `${what}: runs the wasmsimd HardSwish (${compiled.contents.nodes.map((n) => n.kernel).join(', ')})`);
  const m = await loadModel(compiled.artifact);
  const got = (await m.run({ x: { data: x, shape: X } }))['y']!.data as Float32Array;
  m.dispose();
  assertClose(got, want, 1e-5, 1e-6, `${what}: spc vs onnxruntime-node`);
}

describe('passes/fuse-hardswish', () => {
  it('fuses x·HardSigmoid(x) (either order) and x·Clip(x+3,0,6)/6, ·(1/6), into one HardSwish, raising opset 13 to 14', () => {
    const variants: Variant[] = [
      { form: 'hardsigmoid' }, { form: 'hardsigmoid', swap: true }, { form: 'div' }, { form: 'div', swap: true }, { form: 'mul' }, { form: 'mul', swap: true },
    ];
    for (const v of variants) {
      const g = decomposed(v);
      const out = fuse(g);
      assert.deepEqual(out.nodes.map((n) => n.op), ['Add', 'HardSwish'], JSON.stringify(v));
      assert.deepEqual(out.nodes[1]!.inputs, ['x']);
      assert.deepEqual(out.nodes[1]!.outputs, ['y']);
      assert.equal(out.opset, 14);
      assertEquivalent(g, out, 1e-6);
    }
  });

  it('the fused model compiled by spc matches onnxruntime-node on the unfused ONNX (both forms)', async function () {
    this.timeout(60_000);
    await assertMatchesOrt(decomposed({ form: 'hardsigmoid' }), 'x·HardSigmoid(x)');
    await assertMatchesOrt(decomposed({ form: 'div', swap: true }), 'x·Clip(x+3,0,6)/6');
  });

  it('leaves near misses alone: alpha 0.2, HardSigmoid of another tensor, +2, /5, Clip to 5, an intermediate read outside, opset 11', () => {
    const misses: Variant[] = [
      { form: 'hardsigmoid', alpha: 0.2 },
      { form: 'hardsigmoid', otherTensor: true },
      { form: 'hardsigmoid', extraOutputs: ['h'] },
      { form: 'div', three: 2 },
      { form: 'div', six: 5 },
      { form: 'mul', six: 5 },
      { form: 'div', clipMax: 5 },
      { form: 'div', otherTensor: true },
      { form: 'div', extraOutputs: ['c'] },
      { form: 'mul', extraOutputs: ['m'] },
      { form: 'hardsigmoid', opset: 11 },
    ];
    for (const v of misses) {
      const g = decomposed(v);
      assert.equal(fuseHardswish.run(g, makePassContext()), g, JSON.stringify(v));
    }
  });

  it('mobilenet_v3_small_w075: 19 HardSwish fused (its 9 squeeze-excitation gates stay HardSigmoid·Mul), output matches onnxruntime', async function () {
    this.timeout(120_000);
    const path = join(MODELS_DIR, 'mobilenet_v3_small_w075.onnx');
    const g = runPipeline(loadOnnx(path).graph, canonicalizePipeline, makePassContext(), { verify: true });
    assert.equal(countOps(g, 'HardSwish'), 19);
    assert.equal(countOps(g, 'HardSigmoid'), 9);
    const feed = readNpy(join(MODELS_DIR, 'mobilenet_v3_small_w075.input.npy'));
    const want = readNpy(join(MODELS_DIR, 'mobilenet_v3_small_w075.output.npy'));
    const m = await loadModel(compileFile(path).artifact);
    const got = (await m.run({ input: { data: feed.data as Float32Array, shape: feed.shape } }))['output']!;
    m.dispose();
    assertClose(got.data, want.data, 1e-4, 1e-5, 'mobilenet_v3_small_w075 compiled with HardSwish fused');
  });
});
