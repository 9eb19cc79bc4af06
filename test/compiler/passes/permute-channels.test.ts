// permute-channels + channel-groups: a seeded random permutation of every permutable channel
// group leaves every corpus model's outputs unchanged (spc's runtime on the compiled artifact,
// and onnxruntime on the emitted ONNX), and small hand-made graphs get the groups they should.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import type { Graph, Node, Value } from '../../../compiler/ir/graph.js';
import { makeGraph } from '../../../compiler/ir/graph.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { canonicalizePipeline, selectPipeline } from '../../../compiler/passes/pipelines.js';
import { channelGroups } from '../../../compiler/analysis/channel-groups.js';
import { permuteChannels, seededPermutation } from '../../../compiler/passes/permute-channels.js';
import { planArena } from '../../../compiler/analysis/memory-plan.js';
import { lowerGraph } from '../../../compiler/emit/lower.js';
import { writeArtifact } from '../../../compiler/emit/artifact.js';
import { emitOnnx } from '../../../compiler/emit/onnx.js';
import { evaluateGraph } from '../../../compiler/analysis/interpret.js';
import { defaultRegistry } from '../../../runtime/kernels/index.js';
import { loadModel } from '../../../runtime/index.js';
import type { DType, TypedArray } from '../../../runtime/tensor.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';
import * as ort from 'onnxruntime-node';
import { passSettings } from '../../../compiler/options/settings.js';

interface ModelEntry { name: string; file: string; inputs: { name: string; npy: string }[]; outputs: { name: string; npy: string }[] }
const MODELS = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as ModelEntry[];

type Feeds = Record<string, { dtype?: DType; data: TypedArray; shape: readonly number[] }>;

/** Compiles `g` (kernel selection, memory plan, lowering, the writer) and runs the artifact in spc's runtime. */
async function runSpc(g: Graph, feeds: Feeds): Promise<Record<string, TypedArray>> {
  const registry = defaultRegistry();
  const selected = runPipeline(g, selectPipeline, makePassContext(passSettings({}), registry));
  const lowered = lowerGraph(selected, planArena(selected), { spcVersion: 'test', sourceSha256: '', options: [] }, registry);
  const model = await loadModel(writeArtifact(lowered));
  try {
    const out = await model.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { dtype: v.dtype ?? 'float32', data: v.data, shape: v.shape }])) as never);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data]));
  } finally {
    model.dispose();
  }
}

function maxAbs(a: TypedArray): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i])));
  return m;
}

function assertSame(got: TypedArray, want: TypedArray, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const tol = 1e-5 * maxAbs(want);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(Number(got[i]) - Number(want[i])));
  assert.ok(worst <= tol, `${what}: max deviation ${worst} > ${tol}`);
}

/** Runs ONNX bytes in onnxruntime (one thread). */
async function runOrt(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, { data: TypedArray }>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor((v.dtype ?? 'float32') as 'float32', v.data as Float32Array, [...v.shape])])));
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array }]));
  } finally {
    await session.release();
  }
}

/** Every permutable group of `g` permuted by a seeded random permutation. */
function permuteAll(g: Graph, seed: number): { graph: Graph; permuted: number } {
  const groups = channelGroups(g);
  const perms = new Map<number, Int32Array>();
  for (const grp of groups) if (grp.excluded === undefined) perms.set(grp.id, seededPermutation(grp.channels, seed + grp.id));
  return { graph: permuteChannels(g, groups, perms), permuted: perms.size };
}

function canonical(path: string, inputShapes?: Record<string, number[]>): Graph {
  return runPipeline(loadOnnx(path, { inputShapes }).graph, canonicalizePipeline, makePassContext());
}

async function checkModel(g: Graph, feeds: Feeds, minGroups: number): Promise<void> {
  const { graph: p, permuted } = permuteAll(g, 7);
  assert.ok(permuted >= minGroups, `${g.name}: ${permuted} permutable groups, expected ≥ ${minGroups}`);
  // The permutation really moved weights: some constant changed.
  assert.ok([...p.values.values()].some((v) => v.constant && g.values.get(v.name)?.constant && v.constant !== g.values.get(v.name)!.constant), 'weights changed');
  const ref = await runSpc(g, feeds);
  const got = await runSpc(p, feeds);
  for (const k of Object.keys(ref)) assertSame(got[k]!, ref[k]!, `${g.name} '${k}' (spc runtime)`);
  const ort = await runOrt(emitOnnx(p), feeds);
  for (const k of Object.keys(ref)) assertSame(ort[k]!.data, ref[k]!, `${g.name} '${k}' (onnxruntime on the emitted ONNX)`);
}

const MIN_GROUPS: Record<string, number> = { mlp3: 2, resnet10_w32: 8, mobilenet_v2_w050: 25, mobilenet_v3_small_w075: 27, squeezenet1_1: 25, transformer_enc2: 2 };

describe('permute-channels: random permutations of every permutable group preserve the outputs', function () {
  this.timeout(300_000);
  for (const m of MODELS) {
    it(`${m.name}`, async () => {
      const g = canonical(join(MODELS_DIR, m.file));
      const feeds = Object.fromEntries(m.inputs.map((i) => [i.name, readNpy(join(MODELS_DIR, i.npy))])) as Feeds;
      await checkModel(g, feeds, MIN_GROUPS[m.name] ?? 1);
    });
  }
  const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
  for (const c of [{ model: 'digits_mlp', shape: [64, 64] }, { model: 'digits_cnn', shape: [64, 1, 8, 8] }]) {
    it(`${c.model}`, async () => {
      const g = canonical(join(DIGITS_DIR, `${c.model}.onnx`), { input: c.shape });
      const n = c.shape.reduce((a, b) => a * b, 1);
      await checkModel(g, { input: { data: (x.data as Float32Array).subarray(0, n), shape: c.shape } }, 2);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-made graphs

let rng = 1;
function rand(): number { rng = (rng * 1103515245 + 12345) % 2147483648; return rng / 2147483648 - 0.5; }
function cst(name: string, shape: number[]): Value {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, dtype: 'float32', shape, constant: { dtype: 'float32', shape, data: Float32Array.from({ length: n }, rand) } };
}
function val(name: string, shape: number[]): Value { return { name, dtype: 'float32', shape }; }
function node(op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node {
  return { name: outputs[0]!, op, inputs, outputs, attrs };
}
const int = (value: number) => ({ kind: 'int' as const, value });

/** Checks the groups' function preservation on `g` with the IR interpreter (ref kernels). */
function preserves(g: Graph): void {
  const inputs = Object.fromEntries(g.inputs.map((name) => {
    const shape = g.values.get(name)!.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    return [name, { dtype: 'float32' as const, shape, data: Float32Array.from({ length: n }, rand) }];
  }));
  const ref = evaluateGraph(g, inputs);
  const { graph: p } = permuteAll(g, 3);
  const got = evaluateGraph(p, inputs);
  for (const k of g.outputs) assertSame(got[k]!.data, ref[k]!.data, k);
}

describe('channel-groups: hand-made graphs', () => {
  it('residual Add ties both streams; a per-channel Mul constant permutes; depthwise passes through', () => {
    const g = makeGraph({
      name: 'res', opset: 13, inputs: ['x'], outputs: ['y'],
      values: [val('x', [1, 3, 5, 5]), cst('w0', [8, 3, 3, 3]), cst('b0', [8]), val('a', [1, 8, 5, 5]), val('r', [1, 8, 5, 5]),
        cst('dw', [8, 1, 3, 3]), cst('db', [8]), val('d', [1, 8, 5, 5]), cst('s', [1, 8, 1, 1]), val('ms', [1, 8, 5, 5]),
        cst('w1', [8, 8, 1, 1]), val('c', [1, 8, 5, 5]), val('sum', [1, 8, 5, 5]), cst('w2', [4, 8, 1, 1]), val('y', [1, 4, 5, 5])],
      nodes: [
        node('Conv', ['x', 'w0', 'b0'], ['a'], { pads: { kind: 'ints', value: [1, 1, 1, 1] } }),
        node('Relu', ['a'], ['r']),
        node('Conv', ['r', 'dw', 'db'], ['d'], { group: int(8), pads: { kind: 'ints', value: [1, 1, 1, 1] } }),
        node('Mul', ['d', 's'], ['ms']),
        node('Conv', ['ms', 'w1'], ['c']),
        node('Add', ['c', 'r'], ['sum']),
        node('Conv', ['sum', 'w2'], ['y']),
      ],
    });
    const groups = channelGroups(g);
    const live = groups.filter((x) => x.excluded === undefined);
    assert.equal(live.length, 1, JSON.stringify(groups.map((x) => [x.producers, x.excluded])));
    assert.deepEqual([...live[0]!.producers].sort(), ['a', 'c']);
    assert.deepEqual(live[0]!.consumers.map((c) => c.node).sort(), ['c', 'y']);
    assert.deepEqual(live[0]!.params.map((p) => p.constant).sort(), ['db', 'dw', 's']);
    assert.match(groups.find((x) => x.producers.includes('y'))!.excluded!, /graph output 'y'/);
    preserves(g);
  });

  it('variadic Sum and Mean tie all their streams and permute a per-channel constant operand (through Mish and PRelu)', () => {
    const g = makeGraph({
      name: 'variadic', opset: 18, inputs: ['x'], outputs: ['y'],
      values: [val('x', [1, 3, 4, 4]), cst('w0', [6, 3, 1, 1]), cst('w1', [6, 3, 1, 1]), cst('w2', [6, 3, 1, 1]), cst('k', [1, 6, 1, 1]),
        cst('slope', [6, 1, 1]), val('a', [1, 6, 4, 4]), val('b', [1, 6, 4, 4]), val('c', [1, 6, 4, 4]), val('m', [1, 6, 4, 4]),
        val('s', [1, 6, 4, 4]), val('p', [1, 6, 4, 4]), val('e', [1, 6, 4, 4]), cst('w3', [2, 6, 1, 1]), val('y', [1, 2, 4, 4])],
      nodes: [
        node('Conv', ['x', 'w0'], ['a']), node('Conv', ['x', 'w1'], ['b']), node('Conv', ['x', 'w2'], ['c']),
        node('Mish', ['a'], ['m']),
        node('Sum', ['m', 'b', 'k'], ['s']),
        node('PRelu', ['s', 'slope'], ['p']),
        node('Mean', ['p', 'c'], ['e']),
        node('Conv', ['e', 'w3'], ['y']),
      ],
    });
    const groups = channelGroups(g);
    const live = groups.filter((x) => x.excluded === undefined);
    assert.equal(live.length, 1, JSON.stringify(groups.map((x) => [x.producers, x.excluded])));
    assert.deepEqual([...live[0]!.producers].sort(), ['a', 'b', 'c']);
    assert.deepEqual(live[0]!.params.map((q) => q.constant).sort(), ['k', 'slope']);
    preserves(g);
  });

  it('Concat gives each input a segment; Flatten gives the Gemm consumer a spatial factor', () => {
    const g = makeGraph({
      name: 'cat', opset: 13, inputs: ['x'], outputs: ['y'],
      values: [val('x', [1, 2, 3, 3]), cst('wa', [4, 2, 1, 1]), cst('wb', [6, 2, 1, 1]), cst('bb', [6]), val('a', [1, 4, 3, 3]), val('b', [1, 6, 3, 3]),
        val('cat', [1, 10, 3, 3]), val('p', [1, 10, 2, 2]), val('f', [1, 40]), cst('wg', [5, 40]), cst('bg', [5]), val('y', [1, 5])],
      nodes: [
        node('Conv', ['x', 'wa'], ['a']),
        node('Conv', ['x', 'wb', 'bb'], ['b']),
        node('Concat', ['a', 'b'], ['cat'], { axis: int(1) }),
        node('MaxPool', ['cat'], ['p'], { kernel_shape: { kind: 'ints', value: [2, 2] } }),
        node('Flatten', ['p'], ['f'], { axis: int(1) }),
        node('Gemm', ['f', 'wg', 'bg'], ['y'], { transB: int(1) }),
      ],
    });
    const groups = channelGroups(g).filter((x) => x.excluded === undefined);
    assert.deepEqual(groups.map((x) => [x.producers, x.consumers]), [
      [['a'], [{ node: 'y', offset: 0, factor: 4 }]],
      [['b'], [{ node: 'y', offset: 4, factor: 4 }]],
    ]);
    preserves(g);
  });

  it('a shared consumer weight is copied, not permuted in place for its other reader', () => {
    const g = makeGraph({
      name: 'shared', opset: 13, inputs: ['x'], outputs: ['y', 'z'],
      values: [val('x', [2, 6]), cst('w0', [6, 4]), val('h', [2, 4]), cst('w1', [4, 4]), val('y', [2, 4]), val('z', [2, 4])],
      nodes: [
        node('MatMul', ['x', 'w0'], ['h']),
        node('MatMul', ['h', 'w1'], ['y']),
        node('MatMul', ['h', 'w1'], ['z']),
      ],
    });
    const groups = channelGroups(g);
    assert.equal(groups.filter((x) => x.excluded === undefined).length, 1);
    const { graph: p } = permuteAll(g, 5);
    assert.equal(p.values.get('w1')!.constant, g.values.get('w1')!.constant, 'original shared constant untouched');
    preserves(g);
  });

  it('graph outputs, graph inputs and unknown ops exclude their spaces, with the reason', () => {
    const g = makeGraph({
      name: 'excl', opset: 13, inputs: ['x', 'r'], outputs: ['y', 'mid'],
      values: [val('x', [2, 4]), val('r', [2, 8]), cst('w0', [8, 4]), val('a', [2, 8]), val('s', [2, 8]), cst('w1', [8, 8]), val('mid', [2, 8]),
        cst('w2', [8, 8]), val('t', [2, 8]), val('sm', [2, 8]), cst('w3', [8, 3]), val('y', [2, 3])],
      nodes: [
        node('Gemm', ['x', 'w0'], ['a'], { transB: int(1) }),
        node('Add', ['a', 'r'], ['s']),
        node('Gemm', ['s', 'w1'], ['mid'], { transB: int(1) }),
        node('MatMul', ['mid', 'w2'], ['t']),
        node('Softmax', ['t'], ['sm'], { axis: int(1) }),
        node('MatMul', ['sm', 'w3'], ['y']),
      ],
    });
    const groups = channelGroups(g);
    const why = (producer: string) => groups.find((x) => x.producers.includes(producer))!.excluded;
    assert.match(why('a')!, /Add 'a'.*outside every space|Add 's'.*outside every space/);
    assert.match(why('mid')!, /graph output 'mid'/);
    assert.match(why('t')!, /Softmax 't'|Softmax 'sm'/);
    assert.equal(groups.filter((x) => x.excluded === undefined).length, 0);
    assert.throws(() => permuteChannels(g, groups, new Map([[0, Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7)]])), /excluded/);
  });

  it('rejects a malformed permutation', () => {
    const g = canonical(join(DIGITS_DIR, 'digits_mlp.onnx'), { input: [1, 64] });
    const groups = channelGroups(g);
    const bad = new Int32Array(groups[0]!.channels); // all zeros
    assert.throws(() => permuteChannels(g, groups, new Map([[0, bad]])), /not a permutation/);
  });
});
