// The generated dispatch module of large graphs (issue 14 item 10: ts-morph formats a small
// skeleton and the per-node lines are spliced in as text). A 20k-node chain: one step per node
// in node order, the kernel list and bindings complete, and the module's outputs equal the
// interpreter's and the hand-computed value. On smaller chain and wide (Concat) graphs: ts-morph's
// formatter, run over the whole module, changes nothing (the spliced lines are in its layout, so
// the module is what formatting one statement per node gave). And a fan-in of 8000 branches,
// past the memory planner's best-fit budget: its step-order plan loads and runs right.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IndentationText, NewLineKind, Project, QuoteKind } from 'ts-morph';
import onnxProto from 'onnx-proto';
import { compileFile } from '../../../compiler/compile.js';
import { generateDispatch } from '../../../compiler/emit/dispatch.js';
import { planArena } from '../../../compiler/analysis/memory-plan.js';
import { loadModel } from '../../../runtime/index.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { importDispatch, removeGeneratedDir } from '../../runtime/executor/load-generated.js';

const { onnx } = onnxProto;
const WIDTH = 4;
const vi = (name: string, d: number) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: d }] } } } });

/**
 * `shape` 'chain': x → Add(v, v) → Mul(·, 0.5) → Relu → … (`n` nodes; every step exact in
 * float32, so y = relu(x) after the first Relu). 'wide': `n` branches of Add → Mul → Relu
 * from x, joined by one Concat (y = relu(x) repeated `n` times).
 */
function writeModel(dir: string, shape: 'chain' | 'wide', n: number): string {
  const node: object[] = [];
  const step = (i: number, prev: string, out: string, tag: string): void => {
    const op = ['Add', 'Mul', 'Relu'][i % 3]!;
    const input = op === 'Add' ? [prev, prev] : op === 'Mul' ? [prev, 'half'] : [prev];
    node.push({ name: `${tag}${i}`, opType: op, input, output: [out] });
  };
  let outDim = WIDTH;
  if (shape === 'chain') {
    let prev = 'x';
    for (let i = 0; i < n; i++) { const out = i === n - 1 ? 'y' : `v${i}`; step(i, prev, out, 'n'); prev = out; }
  } else {
    const ends: string[] = [];
    for (let b = 0; b < n; b++) {
      let prev = 'x';
      for (let i = 0; i < 3; i++) { const out = `b${b}_${i}`; step(i, prev, out, `b${b}_`); prev = out; }
      ends.push(prev);
    }
    node.push({ name: 'join', opType: 'Concat', input: ends, output: ['y'], attribute: [{ name: 'axis', type: 2, i: 1 }] });
    outDim = WIDTH * n;
  }
  const model = onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: `${shape}${n}`, input: [vi('x', WIDTH)], output: [vi('y', outDim)], node,
      initializer: [{ name: 'half', dims: [1], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [0.5] }],
    },
  });
  const file = join(dir, `${shape}${n}.onnx`);
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

/** The module as ts-morph's formatter leaves it, with the settings compiler/emit/dispatch.ts uses. */
function formatted(source: string): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { quoteKind: QuoteKind.Single, indentationText: IndentationText.TwoSpaces, newLineKind: NewLineKind.LineFeed },
  });
  const sf = project.createSourceFile('m.ts', source);
  sf.formatText({ indentSize: 2, convertTabsToSpaces: true });
  return sf.getFullText();
}

const X = new Float32Array([-1.5, 0, 2.25, 3]);
const RELU_X = [0, 0, 2.25, 3];

describe('generated dispatch module of large graphs', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'spc-dispatch-large-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); removeGeneratedDir(); });

  it('a 20,000-node chain: one step per node in order, every kernel and binding listed; runs as the interpreter and gives relu(x)', async () => {
    const n = 20_000;
    const r = compileFile(writeModel(dir, 'chain', n), { targets: ['js', 'ref'] });
    assert.equal(r.contents.nodes.length, n, 'no node is folded away');
    const source = r.dispatch;
    const steps = [...source.matchAll(/^ {6}s(\d+)\(\); \/\/ (\S+): (\S+)/gm)];
    assert.equal(steps.length, n, 'one step statement per node');
    steps.forEach((m, i) => {
      assert.equal(Number(m[1]), i, `step ${i} in node order`);
      assert.equal(m[2], r.contents.nodes[i]!.name, `step ${i} names its node`);
      assert.equal(m[3], r.contents.nodes[i]!.kernel, `step ${i} names its kernel`);
    });
    const bindings = [...source.matchAll(/^ {2}const s(\d+) = b\.steps\[(\d+)\]!;$/gm)];
    assert.deepEqual(bindings.map((m) => [Number(m[1]), Number(m[2])]), r.contents.nodes.map((_, i) => [i, i]));
    const list = /^const NODE_KERNELS = \[\n((?: {2}'[^'\n]*',\n)*)\];$/m.exec(source);
    assert.ok(list, 'NODE_KERNELS is one array literal');
    assert.deepEqual(list[1]!.trimEnd().split('\n').map((l) => l.trim().slice(1, -2)), r.contents.nodes.map((nd) => nd.kernel));
    assert.ok(!/__spc_/.test(source), 'no placeholder left');
    assert.equal(generateDispatch(parseArtifact(r.artifact)), source, 'the source from the loaded artifact is the same');

    const mod = await importDispatch(source, 'chain20000');
    const interp = await loadModel(r.artifact);
    const dispatch = await mod.load(r.artifact);
    const want = await interp.run({ x: X });
    const got = await dispatch.run({ x: X });
    assert.deepEqual([...got.y!.data], RELU_X, 'dispatch: relu(x)');
    assert.deepEqual([...want.y!.data], RELU_X, 'interpreter: relu(x)');
    interp.dispose();
    dispatch.dispose();
  });

  for (const [shape, n] of [['chain', 1500], ['wide', 500]] as const) {
    it(`a ${n}-${shape === 'chain' ? 'node chain' : 'branch wide graph with one Concat'}: formatting the whole module with ts-morph changes nothing`, async () => {
      const r = compileFile(writeModel(dir, shape, n), { targets: ['js', 'ref'] });
      const source = r.dispatch;
      assert.equal(formatted(source), source);
      const mod = await importDispatch(source, `${shape}${n}`);
      const got = await (await mod.load(r.artifact)).run({ x: X });
      assert.deepEqual([...got.y!.data], shape === 'chain' ? RELU_X : Array.from({ length: n }, () => RELU_X).flat());
    });
  }

  it('an 8000-branch fan-in (24k nodes live until one Concat, past the best-fit budget): the step-order plan; the module and the interpreter give relu(x) per branch', async () => {
    const n = 8000;
    const r = compileFile(writeModel(dir, 'wide', n), { targets: ['js', 'ref'] });
    assert.equal(r.contents.arenaBytes, planArena(r.graph, 0).arenaBytes, 'the fallback plan');
    const want = Array.from({ length: n }, () => RELU_X).flat();
    const interp = await loadModel(r.artifact);
    assert.deepEqual([...(await interp.run({ x: X })).y!.data], want, 'interpreter');
    interp.dispose();
    const mod = await importDispatch(r.dispatch, `wide${n}`);
    assert.deepEqual([...(await (await mod.load(r.artifact)).run({ x: X })).y!.data], want, 'dispatch');
  });
});
