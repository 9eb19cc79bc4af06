// fuse-gelu: the Erf chain x·(1 + Erf(x/√2))·0.5 (PyTorch's nn.GELU, TensorFlow's gelu) and the tanh
// chain (approximate='tanh', x³ as Pow or two Muls) become one Gelu, in every grouping exporters
// write, at opsets 13 and 17; spc's compiled model (wasmsimd Gelu) matches onnxruntime-node on the
// unfused ONNX; the emitted ONNX of the fused graph is valid at its opset and matches too; near
// misses (other constants, Erf of another tensor, an intermediate read outside) are left alone.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import type { Graph } from '../../../compiler/ir/graph.js';
import { compileBytes } from '../../../compiler/compile.js';
import { emitOnnx } from '../../../compiler/emit/onnx.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { fuseGelu } from '../../../compiler/passes/fuse-gelu.js';
import { loadModel } from '../../../runtime/index.js';
import { assertClose } from '../../helpers/compare.js';
import type { GraphSpec } from './build.js';
import { assertEquivalent, build, f32 } from './build.js';

type NodeSpec = GraphSpec['nodes'][number];
const X = [1, 5, 7];

interface Variant {
  readonly form: 'erf' | 'tanh';
  /** How the three factors x, 1 + f and 0.5 are grouped: (x·a)·½ (PyTorch), (x·½)·a (TensorFlow), x·(a·½). */
  readonly group?: 'xa' | 'xh' | 'ah';
  readonly swap?: boolean;
  /** erf: x/√2 written as Mul by 1/√2. */
  readonly mulByInvSqrt2?: boolean;
  /** tanh: x³ as Pow(x, 3) (else Mul(x, Mul(x, x)), PyTorch's). */
  readonly pow?: boolean;
  readonly half?: number;
  readonly sqrt2?: number;
  readonly coef?: number;
  readonly erfOfOther?: boolean;
  readonly extraOutputs?: readonly string[];
  readonly opset?: number;
}

/** x → GELU as the exporter writes it → y; z = x + 1 is a second tensor. */
function decomposed(v: Variant): Graph {
  const pair = (a: string, b: string): string[] => (v.swap ? [b, a] : [a, b]);
  const consts: Record<string, ReturnType<typeof f32>> = { one: f32([], [1]), half: f32([], [v.half ?? 0.5]) };
  const nodes: NodeSpec[] = [['Add', ['x', 'one'], ['z']]];
  const src = v.erfOfOther ? 'z' : 'x';
  if (v.form === 'erf') {
    if (v.mulByInvSqrt2) {
      consts['k'] = f32([], [Math.fround(1 / (v.sqrt2 ?? Math.SQRT2))]);
      nodes.push(['Mul', pair(src, 'k'), ['s']]);
    } else {
      consts['k'] = f32([], [v.sqrt2 ?? Math.SQRT2]);
      nodes.push(['Div', [src, 'k'], ['s']]);
    }
    nodes.push(['Erf', ['s'], ['f']]);
  } else {
    consts['c'] = f32([], [v.coef ?? 0.044715]);
    consts['k'] = f32([], [Math.sqrt(2 / Math.PI)]);
    if (v.pow) {
      consts['three'] = f32([], [3]);
      nodes.push(['Pow', [src, 'three'], ['cube']]);
    } else {
      nodes.push(['Mul', [src, src], ['sq']], ['Mul', pair(src, 'sq'), ['cube']]);
    }
    nodes.push(['Mul', pair('c', 'cube'), ['t']], ['Add', pair(src, 't'), ['inner']], ['Mul', pair('k', 'inner'), ['s']], ['Tanh', ['s'], ['f']]);
  }
  nodes.push(['Add', pair('f', 'one'), ['a']]);
  const g = v.group ?? 'xa';
  if (g === 'xa') nodes.push(['Mul', pair('x', 'a'), ['m']], ['Mul', pair('m', 'half'), ['y']]);
  else if (g === 'xh') nodes.push(['Mul', pair('half', 'x'), ['m']], ['Mul', pair('m', 'a'), ['y']]);
  else nodes.push(['Mul', pair('a', 'half'), ['m']], ['Mul', pair('x', 'm'), ['y']]);
  return build({ opset: v.opset, inputs: { x: ['float32', X] }, consts, nodes, outputs: ['y', 'z', ...(v.extraOutputs ?? [])] });
}

const fuse = (g: Graph): Graph => runPipeline(g, [fuseGelu], makePassContext(), { verify: true });

/** x over [−6, 6] (both tails of GELU and its bend near 0). */
const feedX = (): Float32Array => Float32Array.from({ length: 35 }, (_, i) => -6 + i * (12 / 34));

async function ortRun(model: Uint8Array, x: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  try {
    return (await session.run({ x: new ort.Tensor('float32', x, X) }))['y']!.data as Float32Array;
  } finally {
    await session.release();
  }
}

async function assertMatchesOrt(g: Graph, what: string): Promise<void> {
  const x = feedX();
  const want = await ortRun(emitOnnx(g), x);
  const compiled = compileBytes(emitOnnx(g), { name: `${what}.onnx` });
  assert.ok(compiled.contents.nodes.some((n) => n.kernel === 'f32-gelu-1x4-wasmsimd'), `${what}: runs the wasmsimd Gelu (${compiled.contents.nodes.map((n) => n.kernel).join(', ')})`);
  const m = await loadModel(compiled.artifact);
  const got = (await m.run({ x: { data: x, shape: X } }))['y']!.data as Float32Array;
  m.dispose();
  assertClose(got, want, 1e-5, 1e-6, `${what}: spc vs onnxruntime-node`);
  // The fused graph written back as ONNX at its own opset (Gelu expanded below 20) still runs in onnxruntime.
  assertClose(await ortRun(emitOnnx(compiled.graph), x), want, 1e-6, 1e-7, `${what}: emitted fused ONNX vs the original`);
}

describe('passes/fuse-gelu', () => {
  it('fuses the Erf chain (Div or Mul by 1/√2, every grouping and operand order, opsets 13 and 17) into Gelu', () => {
    const variants: Variant[] = [];
    for (const group of ['xa', 'xh', 'ah'] as const) for (const swap of [false, true]) variants.push({ form: 'erf', group, swap });
    variants.push({ form: 'erf', mulByInvSqrt2: true }, { form: 'erf', mulByInvSqrt2: true, swap: true, opset: 17 }, { form: 'erf', opset: 17 });
    for (const v of variants) {
      const g = decomposed(v);
      const out = fuse(g);
      assert.deepEqual(out.nodes.map((n) => n.op), ['Add', 'Gelu'], JSON.stringify(v));
      assert.deepEqual(out.nodes[1]!.inputs, ['x']);
      assert.deepEqual(out.nodes[1]!.outputs, ['y']);
      assert.equal(out.nodes[1]!.attrs['approximate'], undefined);
      assert.equal(out.opset, g.opset, 'the opset is kept');
      assertEquivalent(g, out, 1e-6);
    }
  });

  it("fuses the tanh chain (x³ as two Muls or Pow, either order) into Gelu approximate 'tanh'", () => {
    for (const v of [{ form: 'tanh' }, { form: 'tanh', swap: true }, { form: 'tanh', pow: true, opset: 17 }, { form: 'tanh', group: 'xh', pow: true }] as Variant[]) {
      const g = decomposed(v);
      const out = fuse(g);
      assert.deepEqual(out.nodes.map((n) => n.op), ['Add', 'Gelu'], JSON.stringify(v));
      assert.deepEqual(out.nodes[1]!.attrs['approximate'], { kind: 'string', value: 'tanh' });
      assertEquivalent(g, out, 1e-6);
    }
  });

  it('the fused model compiled by spc matches onnxruntime-node on the unfused ONNX (both forms)', async function () {
    this.timeout(60_000);
    await assertMatchesOrt(decomposed({ form: 'erf' }), 'erf chain');
    await assertMatchesOrt(decomposed({ form: 'erf', group: 'xh', mulByInvSqrt2: true, opset: 17 }), 'erf chain, TensorFlow grouping');
    await assertMatchesOrt(decomposed({ form: 'tanh', opset: 17 }), 'tanh chain');
  });

  it('leaves near misses alone: ·0.4, /√3, 0.05·x³, Erf of another tensor, an intermediate read outside', () => {
    const misses: Variant[] = [
      { form: 'erf', half: 0.4 },
      { form: 'erf', sqrt2: Math.sqrt(3) },
      { form: 'erf', mulByInvSqrt2: true, sqrt2: Math.sqrt(3) },
      { form: 'erf', erfOfOther: true },
      { form: 'erf', extraOutputs: ['f'] },
      { form: 'erf', group: 'xh', extraOutputs: ['m'] },
      { form: 'tanh', coef: 0.05 },
      { form: 'tanh', erfOfOther: true },
      { form: 'tanh', pow: true, extraOutputs: ['cube'] },
    ];
    for (const v of misses) {
      const g = decomposed(v);
      assert.equal(fuseGelu.run(g, makePassContext()), g, JSON.stringify(v));
    }
  });
});
