// LSTM, GRU and RNN against onnxruntime-node on small random models: every attribute the node
// tests leave out (bidirectional, initial state, sequence_lens, peepholes, clip, input_forget,
// linear_before_reset, every activation with alpha/beta, omitted outputs, opsets 7/14/22), each
// compiled for the ref, the js and the default targets (the wasmsimd kernel). layout = 1, which
// onnxruntime refuses, is checked against onnxruntime on the layout-0 model with transposed
// inputs and outputs. Bad nodes fail at compile naming the node; a tampered node is refused at
// prepare; a sequence length outside [0, seq] fails the run naming the node.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { compileBytes } from '../../../compiler/compile.js';
import { SpcError } from '../../../compiler/errors.js';
import { loadModel } from '../../../runtime/index.js';
import type { TypedArray } from '../../../runtime/tensor.js';
import { KernelError } from '../../../runtime/kernels/kernel.js';
import { lstmJs } from '../../../runtime/kernels/js/lstm.js';
import { gruJs } from '../../../runtime/kernels/js/gru.js';
import { rnnJs } from '../../../runtime/kernels/js/rnn.js';
import { gruRef } from '../../../runtime/kernels/ref/gru.js';
import { lstmRef } from '../../../runtime/kernels/ref/lstm.js';
import { rnnRef } from '../../../runtime/kernels/ref/rnn.js';
import { wasmView, withoutAllocation } from './wasm-harness.js';
import { gruWasm, lstmWasm, rnnWasm } from '../../../runtime/kernels/wasm/recurrent.js';
import { createWasmSpace } from '../../../runtime/kernels/wasm/env.js';
import { nodeShapesOf } from '../../../runtime/kernels/wasm/common.js';
import { mulberry32 } from '../../../compiler/sparse/rearrange/prng.js';
import { assertClose } from '../../helpers/compare.js';
import { CORPUS } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';

const { onnx } = onnxProto;
type Op = 'LSTM' | 'GRU' | 'RNN';
type AttrSpec = number | string | readonly number[] | readonly string[];

interface Case {
  readonly op: Op;
  readonly opset?: number;
  readonly seq: number; readonly batch: number; readonly input: number; readonly hidden: number;
  readonly attrs?: Readonly<Record<string, AttrSpec>>;
  /** Optional inputs given (W, R are always there, as initializers; B and P too when given). */
  readonly b?: boolean; readonly seqLens?: readonly number[]; readonly h0?: boolean; readonly c0?: boolean; readonly p?: boolean;
  /** Output names by position ('' = omitted); default all. */
  readonly outputs?: readonly string[];
  readonly dtype?: 'float32' | 'float64';
}

const GATES: Record<Op, number> = { LSTM: 4, GRU: 3, RNN: 1 };

function random(n: number, seed: number, scale = 1): number[] {
  const r = mulberry32(seed);
  // float32-exact, so a float64 model holds the very values of its float32 twin.
  return Array.from({ length: n }, () => Math.fround((2 * r() - 1) * scale));
}

const dirsOf = (c: Case): number => (c.attrs?.['direction'] === 'bidirectional' ? 2 : 1);

function attrProto(name: string, v: AttrSpec) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) && name !== 'clip' ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (v.length > 0 && typeof v[0] === 'string') return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
  return { name, type: T.FLOATS, floats: v as number[] };
}

interface Built { readonly bytes: Uint8Array; readonly feeds: Record<string, { data: TypedArray; dims: number[] }>; readonly outputs: readonly string[] }

/** The model (W, R, B, P as initializers) and its runtime inputs, for layout 0 or 1 (attrs.layout). */
function buildModel(c: Case, seed: number): Built {
  const D = dirsOf(c), G = GATES[c.op], H = c.hidden, layout = c.attrs?.['layout'] === 1 ? 1 : 0;
  const f64 = c.dtype === 'float64';
  const elem = f64 ? onnx.TensorProto.DataType.DOUBLE : onnx.TensorProto.DataType.FLOAT;
  const arr = (v: number[]): TypedArray => (f64 ? Float64Array.from(v) : Float32Array.from(v));
  const init = (name: string, dims: number[], s: number, scale = 0.5) => {
    const data = random(dims.reduce((a, d) => a * d, 1), s, scale);
    return f64 ? { name, dims, dataType: elem, doubleData: data } : { name, dims, dataType: elem, floatData: data };
  };
  const inits = [init('W', [D, G * H, c.input], seed + 1), init('R', [D, G * H, H], seed + 2)];
  const names = ['X', 'W', 'R'];
  const feeds: Built['feeds'] = {};
  const vi = (name: string, type: number, dims: number[]) => ({ name, type: { tensorType: { elemType: type, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const graphInputs = [];
  const xDims = layout === 0 ? [c.seq, c.batch, c.input] : [c.batch, c.seq, c.input];
  feeds['X'] = { data: arr(random(c.seq * c.batch * c.input, seed + 3)), dims: xDims };
  graphInputs.push(vi('X', elem, xDims));
  const state = layout === 0 ? [D, c.batch, H] : [c.batch, D, H];
  if (c.b) { inits.push(init('B', [D, 2 * G * H], seed + 4)); names.push('B'); } else names.push('');
  if (c.seqLens) {
    names.push('sequence_lens');
    feeds['sequence_lens'] = { data: Int32Array.from(c.seqLens), dims: [c.batch] };
    graphInputs.push(vi('sequence_lens', onnx.TensorProto.DataType.INT32, [c.batch]));
  } else names.push('');
  for (const [flag, name, s] of [[c.h0, 'initial_h', 5], [c.c0, 'initial_c', 6]] as const) {
    if (name === 'initial_c' && c.op !== 'LSTM') continue;
    if (!flag) { names.push(''); continue; }
    names.push(name);
    feeds[name] = { data: arr(random(D * c.batch * H, seed + s)), dims: state };
    graphInputs.push(vi(name, elem, state));
  }
  if (c.op === 'LSTM' && c.p) { inits.push(init('P', [D, 3 * H], seed + 7)); names.push('P'); }
  while (names[names.length - 1] === '') names.pop();
  const all = c.op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  const outputs = c.outputs ?? all;
  const outDims = [layout === 0 ? [c.seq, D, c.batch, H] : [c.batch, c.seq, D, H], state, state];
  // hidden 0 leaves hidden_size out (a hostile R of no rows).
  const attrs = Object.entries({ ...(H > 0 ? { hidden_size: H } : {}), ...(c.attrs ?? {}) }).map(([k, v]) => attrProto(k, v));
  const opset = c.opset ?? 14;
  const model = onnx.ModelProto.create({
    irVersion: opset >= 21 ? 10 : 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'rnn', input: graphInputs, initializer: inits,
      output: outputs.flatMap((o, i) => (o === '' ? [] : [vi(o, elem, outDims[i]!)])),
      node: [{ name: 'cell', opType: c.op, input: names, output: [...outputs], attribute: attrs }],
    },
  });
  return { bytes: onnx.ModelProto.encode(model).finish(), feeds, outputs: outputs.filter((o) => o !== '') };
}

async function runOrt(b: Built): Promise<Record<string, TypedArray>> {
  const session = await ort.InferenceSession.create(b.bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(b.feeds)) feeds[k] = new ort.Tensor(v.data as Float32Array, v.dims);
  const out = await session.run(feeds);
  const res: Record<string, TypedArray> = {};
  for (const o of b.outputs) res[o] = out[o]!.data as TypedArray;
  await session.release();
  return res;
}

async function runSpc(b: Built, targets?: readonly ('ref' | 'js' | 'wasmsimd')[]): Promise<{ out: Record<string, TypedArray>; kernels: string[] }> {
  const r = compileBytes(b.bytes, { name: 'rnn', ...(targets ? { targets } : {}) });
  const m = await loadModel(r.artifact);
  const feeds: Record<string, { data: TypedArray; shape: number[] }> = {};
  for (const [k, v] of Object.entries(b.feeds)) feeds[k] = { data: v.data, shape: v.dims };
  const out = await m.run(feeds);
  m.dispose();
  const res: Record<string, TypedArray> = {};
  for (const o of b.outputs) res[o] = out[o]!.data;
  return { out: res, kernels: r.contents.nodes.map((n) => n.kernel) };
}

const REL = 1e-4, ABS = 1e-5;

/** Compiles `c` for ref and for the default targets and compares both with onnxruntime. */
async function checkAgainstOrt(c: Case, seed = 11): Promise<void> {
  const b = buildModel(c, seed);
  // onnxruntime has no float64 LSTM: the oracle is its float32 run on the same (float32-exact) values.
  const want = await runOrt(c.dtype === 'float64' ? buildModel({ ...c, dtype: 'float32' }, seed) : b);
  const what = JSON.stringify({ ...c, seed });
  for (const targets of [['ref'], ['js', 'ref'], undefined] as const) {
    const { out, kernels } = await runSpc(b, targets);
    const op = c.op.toLowerCase();
    const kernel = kernels.find((k) => k.includes(`-${op}-`));
    const expected = c.dtype === 'float64' || targets?.[0] === 'ref' ? `any-${op}-1x1-ref` : targets === undefined ? `f32-${op}-1x4-wasmsimd` : `f32-${op}-1x1-js`;
    assert.equal(kernel, expected, what);
    for (const o of b.outputs) assertClose(out[o]!, want[o]!, REL, ABS, `${o} (${kernel}) ${what}`);
  }
}

describe('kernels: LSTM / GRU / RNN against onnxruntime', function () {
  this.timeout(120_000);

  it('LSTM bidirectional with initial state, sequence_lens, peepholes and clip, opsets 7, 14 and 22', async () => {
    for (const opset of [7, 14, 22]) {
      await checkAgainstOrt({
        op: 'LSTM', opset, seq: 5, batch: 3, input: 4, hidden: 6, b: true, p: true, h0: true, c0: true, seqLens: [5, 2, 4],
        attrs: { direction: 'bidirectional', clip: 0.7 },
      });
    }
  });

  it('LSTM reverse with input_forget, Y omitted (only Y_h, Y_c), no bias, and forward with only Y', async () => {
    await checkAgainstOrt({ op: 'LSTM', seq: 4, batch: 2, input: 3, hidden: 5, h0: true, c0: true, seqLens: [3, 4], attrs: { direction: 'reverse', input_forget: 1 }, outputs: ['', 'Y_h', 'Y_c'] });
    await checkAgainstOrt({ op: 'LSTM', seq: 4, batch: 2, input: 3, hidden: 5, b: true, outputs: ['Y'] });
    await checkAgainstOrt({ op: 'LSTM', seq: 3, batch: 1, input: 2, hidden: 4, b: true, outputs: ['', 'Y_h', ''] });
  });

  it('LSTM with non-default activations and their alpha/beta, per direction', async () => {
    await checkAgainstOrt({
      op: 'LSTM', seq: 4, batch: 2, input: 3, hidden: 4, b: true, h0: true, c0: true,
      attrs: {
        direction: 'bidirectional',
        activations: ['HardSigmoid', 'LeakyRelu', 'Softsign', 'Sigmoid', 'ScaledTanh', 'Elu'],
        activation_alpha: [0.3, 0.05, 0.8, 1.5], activation_beta: [0.45, 0.6],
      },
    });
    await checkAgainstOrt({ op: 'LSTM', seq: 3, batch: 2, input: 3, hidden: 4, b: true, attrs: { activations: ['Sigmoid', 'Softplus', 'Relu'] } });
  });

  it('GRU with linear_before_reset 0 and 1, bidirectional, initial state, sequence_lens, clip', async () => {
    for (const lbr of [0, 1]) {
      await checkAgainstOrt({
        op: 'GRU', opset: 22, seq: 5, batch: 3, input: 4, hidden: 5, b: true, h0: true, seqLens: [1, 5, 3],
        attrs: { direction: 'bidirectional', linear_before_reset: lbr, clip: 1.2 },
      });
      await checkAgainstOrt({ op: 'GRU', opset: 7, seq: 3, batch: 2, input: 2, hidden: 3, attrs: { direction: 'reverse', linear_before_reset: lbr }, outputs: ['', 'Y_h'] });
    }
  });

  it('GRU and RNN with every other activation (Affine, ThresholdedRelu, HardSigmoid, Tanh, Relu) and explicit alpha/beta', async () => {
    await checkAgainstOrt({ op: 'GRU', seq: 3, batch: 2, input: 3, hidden: 4, b: true, h0: true, attrs: { activations: ['HardSigmoid', 'Affine'], activation_alpha: [0.25, 0.7], activation_beta: [0.4, 0.1] } });
    for (const [act, alpha, beta] of [['Relu'], ['Tanh'], ['Sigmoid'], ['Affine', 0.8, 0.2], ['LeakyRelu', 0.2], ['ThresholdedRelu', 0.1],
      ['ScaledTanh', 1.3, 0.7], ['HardSigmoid', 0.3, 0.4], ['Elu', 0.9], ['Softsign'], ['Softplus']] as [string, number?, number?][]) {
      await checkAgainstOrt({
        op: 'RNN', seq: 4, batch: 2, input: 3, hidden: 4, b: true, h0: true, seqLens: [4, 2],
        attrs: { direction: 'bidirectional', activations: [act, act], ...(alpha === undefined ? {} : { activation_alpha: [alpha, alpha] }), ...(beta === undefined ? {} : { activation_beta: [beta, beta] }) },
      });
    }
  });

  it('RNN reverse with clip and no bias, opset 7', async () => {
    await checkAgainstOrt({ op: 'RNN', opset: 7, seq: 6, batch: 2, input: 3, hidden: 4, h0: true, attrs: { direction: 'reverse', clip: 0.5 } });
  });

  it('layout 1 (batch first) equals onnxruntime on the layout-0 model with transposed inputs and outputs', async () => {
    for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
      const base: Case = { op, opset: 22, seq: 4, batch: 3, input: 3, hidden: 5, b: true, h0: true, c0: true, p: true, seqLens: [4, 1, 3], attrs: { direction: 'bidirectional' } };
      const batchFirst = buildModel({ ...base, attrs: { ...base.attrs, layout: 1 } }, 21);
      const seqFirst = buildModel(base, 21);
      const D = 2, H = base.hidden, S = base.seq, B = base.batch, I = base.input;
      // The same random values, re-laid out: X [S,B,I] from [B,S,I], states [D,B,H] from [B,D,H].
      const x1 = batchFirst.feeds['X']!.data;
      const x0 = new Float32Array(S * B * I);
      for (let s = 0; s < S; s++) for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) x0[(s * B + b) * I + i] = x1[(b * S + s) * I + i] as number;
      const toSeqFirst = (v: TypedArray): Float32Array => {
        const o = new Float32Array(D * B * H);
        for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) for (let j = 0; j < H; j++) o[(d * B + b) * H + j] = v[(b * D + d) * H + j] as number;
        return o;
      };
      seqFirst.feeds['X']!.data = x0;
      for (const s of ['initial_h', 'initial_c']) if (seqFirst.feeds[s]) seqFirst.feeds[s]!.data = toSeqFirst(batchFirst.feeds[s]!.data);
      const want = await runOrt(seqFirst);
      for (const targets of [['ref'], ['js', 'ref'], undefined] as const) {
        const { out } = await runSpc(batchFirst, targets);
        const y = new Float32Array(S * D * B * H);
        for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) for (let d = 0; d < D; d++) for (let j = 0; j < H; j++) {
          y[((s * D + d) * B + b) * H + j] = out['Y']![((b * S + s) * D + d) * H + j] as number;
        }
        assertClose(y, want['Y']!, REL, ABS, `${op} layout 1 Y (${targets ?? 'default'})`);
        assertClose(toSeqFirst(out['Y_h']!), want['Y_h']!, REL, ABS, `${op} layout 1 Y_h`);
        if (op === 'LSTM') assertClose(toSeqFirst(out['Y_c']!), want['Y_c']!, REL, ABS, `${op} layout 1 Y_c`);
      }
    }
  });

  it('float64 (ref kernel) matches onnxruntime float32 on the same values', async () => {
    await checkAgainstOrt({ op: 'LSTM', dtype: 'float64', seq: 3, batch: 2, input: 3, hidden: 4, b: true, h0: true, c0: true, attrs: { direction: 'bidirectional' } });
  });
});

/**
 * Silero VAD's LSTM decoder as a model of its own: the then-branch of If_177 inside If_25's
 * then-branch (the path sr = 16000 takes), i.e. Slice h/c → LSTM → Squeeze → LSTM → Concat state,
 * with its trained weights; the value it reads from the enclosing graph (the encoder output,
 * '284', [seq, 1, 64]) and the state inputs h, c become graph inputs.
 */
function sileroDecoder(seq: number): { bytes: Uint8Array; outputs: string[] } {
  const m = onnx.ModelProto.decode(readFileSync(join(CORPUS, 'real', 'silero_vad.onnx')));
  const branch = (g: onnxProto.onnx.IGraphProto, node: string, which: string): onnxProto.onnx.IGraphProto =>
    g.node!.find((n) => n.name === node)!.attribute!.find((a) => a.name === which)!.g!;
  const g = branch(branch(m.graph!, 'If_25', 'then_branch'), 'If_177', 'then_branch');
  assert.deepEqual(g.node!.filter((n) => n.opType === 'LSTM').map((n) => n.name), ['LSTM_245', 'LSTM_315']);
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const outputs = g.output!.map((o) => o.name!);
  const model = onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 16 }],
    graph: {
      name: 'silero_decoder', initializer: g.initializer, node: g.node,
      input: [vi('284', [seq, 1, 64]), vi('h', [2, 1, 64]), vi('c', [2, 1, 64])],
      output: outputs.map((o) => ({ name: o, type: { tensorType: { elemType: 1 } } })),
    },
  });
  return { bytes: onnx.ModelProto.encode(model).finish(), outputs };
}

describe('kernels: silero VAD LSTM decoder (trained weights) against onnxruntime', function () {
  this.timeout(120_000);

  it('two stacked LSTMs with initial state and all three outputs, the carried state of the corpus input', async () => {
    const seq = 4;
    const { bytes, outputs } = sileroDecoder(seq);
    const h = readNpy(join(CORPUS, 'real', 'silero_vad.input2.npy')), c = readNpy(join(CORPUS, 'real', 'silero_vad.input3.npy'));
    assert.deepEqual([h.shape, c.shape], [[2, 1, 64], [2, 1, 64]]);
    assert.equal(outputs.length, 3);
    // The encoder output ends in a Relu: non-negative features.
    const x = Float32Array.from(random(seq * 64, 41), (v) => Math.abs(v) * 2);
    const feeds = { '284': { data: x, dims: [seq, 1, 64] }, h: { data: h.data, dims: [2, 1, 64] }, c: { data: c.data, dims: [2, 1, 64] } };
    const built: Built = { bytes, feeds, outputs };
    const want = await runOrt(built);
    for (const [targets, kernel] of [[['ref'], 'any-lstm-1x1-ref'], [['js', 'ref'], 'f32-lstm-1x1-js'], [undefined, 'f32-lstm-1x4-wasmsimd']] as const) {
      const { out, kernels } = await runSpc(built, targets);
      assert.equal(kernels.filter((k) => k === kernel).length, 2, kernels.join(' '));
      for (const o of outputs) assertClose(out[o]!, want[o]!, REL, ABS, `silero decoder ${o} (${targets ?? 'default'})`);
    }
  });
});

describe('kernels: LSTM / GRU / RNN runs allocate nothing', () => {
  it('ref and js, bidirectional with every optional input and output', () => {
    const f = (shape: number[], seed: number) => ({ dtype: 'float32' as const, shape, data: Float32Array.from(random(shape.reduce((a, d) => a * d, 1), seed)) });
    for (const [op, kernels] of [['LSTM', [lstmRef, lstmJs]], ['GRU', [gruRef, gruJs]], ['RNN', [rnnRef, rnnJs]]] as const) {
      const G = GATES[op], S = 3, B = 2, I = 3, H = 4;
      const inputs = [f([S, B, I], 1), f([2, G * H, I], 2), f([2, G * H, H], 3), f([2, 2 * G * H], 4),
        { dtype: 'int32' as const, shape: [B], data: Int32Array.from([3, 1]) }, f([2, B, H], 5)];
      if (op === 'LSTM') inputs.push(f([2, B, H], 6), f([2, 3 * H], 7));
      const outputs = [f([S, 2, B, H], 0), f([2, B, H], 0), ...(op === 'LSTM' ? [f([2, B, H], 0)] : [])];
      for (const k of kernels) {
        const run = k.prepare({ node: 'n', inputs, outputs, attrs: { direction: 'bidirectional' } });
        withoutAllocation(run);
        assert.ok(outputs.every((o) => o.data.every(Number.isFinite)), k.id);
      }
    }
  });

  it('wasmsimd, in WebAssembly memory with scratch sized by scratchBytes and filled with NaN, equals js', async () => {
    for (const [op, k, js] of [['LSTM', lstmWasm, lstmJs], ['GRU', gruWasm, gruJs], ['RNN', rnnWasm, rnnJs]] as const) {
      for (const batchFirst of [false, true]) {
        const direction = batchFirst ? 'reverse' : 'bidirectional';
        const G = GATES[op], S = 3, B = 5, I = 6, H = 7, D = batchFirst ? 1 : 2;
        const shapes = [batchFirst ? [B, S, I] : [S, B, I], [D, G * H, I], [D, G * H, H], [D, 2 * G * H], undefined, batchFirst ? [B, D, H] : [D, B, H]];
        if (op === 'LSTM') shapes.push(batchFirst ? [B, D, H] : [D, B, H], [D, 3 * H]);
        const outShapes = [batchFirst ? [B, S, D, H] : [S, D, B, H], batchFirst ? [B, D, H] : [D, B, H], ...(op === 'LSTM' ? [batchFirst ? [B, D, H] : [D, B, H]] : [])];
        const datas = shapes.map((s, i) => s && Float32Array.from(random(s.reduce((a, d) => a * d, 1), 50 + i)));
        const a: Record<string, string | number> = { direction, ...(batchFirst ? { layout: 1 } : {}), ...(batchFirst && op === 'GRU' ? { linear_before_reset: 1 } : {}) };
        const plainOut = outShapes.map((s) => ({ dtype: 'float32' as const, shape: s, data: new Float32Array(s.reduce((x, d) => x * d, 1)) }));
        js.prepare({ node: 'js', inputs: shapes.map((s, i) => s && { dtype: 'float32' as const, shape: s, data: datas[i]! }), outputs: plainOut, attrs: a })();
        const probe = nodeShapesOf({ node: 'p', inputs: shapes.map((s, i) => s && { dtype: 'float32' as const, shape: s, data: datas[i]! }), outputs: plainOut, attrs: a });
        const fixed = datas.reduce((sum, d) => sum + (d ? d.length * 4 + 16 : 0), 0) + outShapes.reduce((sum, s) => sum + s.reduce((x, d) => x * d, 1) * 4 + 16, 0);
        const space = (await createWasmSpace(fixed, k.scratchBytes!(probe), k.wasmModules!))!;
        const inputs = shapes.map((s, i) => s && wasmView(space, s, datas[i]!));
        const outputs = outShapes.map((s) => wasmView(space, s, new Float32Array(s.reduce((x, d) => x * d, 1)).fill(Number.NaN)));
        const free = space.alloc(0);
        new Float32Array(space.memory.buffer, free, (space.memory.buffer.byteLength - free) / 4).fill(Number.NaN);
        const run = k.prepare({ node: 'w', inputs, outputs, attrs: a, wasm: space });
        withoutAllocation(run);
        outputs.forEach((o, i) => assertClose(o.data, plainOut[i]!.data, 1e-5, 1e-6, `${k.id} ${JSON.stringify(a)} output ${i}`));
      }
    }
  });
});

describe('kernels: LSTM / GRU / RNN refuse bad nodes', () => {
  const compile = (c: Case): unknown => compileBytes(buildModel(c, 3).bytes, { name: 'bad' });
  const base: Case = { op: 'LSTM', seq: 2, batch: 1, input: 2, hidden: 3 };

  it('at compile, with an SpcError naming the node and the field', () => {
    const cases: [Case, RegExp][] = [
      [{ ...base, attrs: { direction: 'sideways' } }, /node 'cell' \(LSTM\): attribute direction 'sideways' must be forward, reverse or bidirectional/],
      [{ ...base, attrs: { activations: ['Sigmoid', 'Gelu', 'Tanh'] } }, /node 'cell' \(LSTM\): activation 'Gelu' is not one of/],
      [{ ...base, attrs: { activations: ['Sigmoid', 'Tanh'] } }, /node 'cell' \(LSTM\): attribute activations has 2 entries, LSTM forward needs 3/],
      [{ ...base, attrs: { direction: 'bidirectional', activations: ['Sigmoid', 'Tanh', 'Tanh'] } }, /node 'cell' \(LSTM\): attribute activations has 3 entries, LSTM bidirectional needs 6/],
      [{ ...base, attrs: { hidden_size: 4 } }, /node 'cell' \(LSTM\): (W has shape|hidden_size 4 differs)/],
      [{ ...base, opset: 7, attrs: { layout: 1 } }, /node 'cell' \(LSTM\): attribute layout is not part of LSTM before opset 14/],
      [{ ...base, attrs: { layout: 2 } }, /node 'cell' \(LSTM\): attribute layout 2 must be 0 or 1/],
      [{ ...base, attrs: { clip: -1 } }, /node 'cell' \(LSTM\): attribute clip must be a positive float/],
      [{ ...base, op: 'GRU', attrs: { linear_before_reset: 3 } }, /node 'cell' \(GRU\): attribute linear_before_reset 3 must be 0 or 1/],
      [{ ...base, hidden: 0 }, /node 'cell' \(LSTM\): R has shape \[1,0,0\]: the hidden size must be at least 1/],
    ];
    for (const [c, re] of cases) {
      assert.throws(() => compile(c), (e: Error) => (e instanceof SpcError && re.test(e.message)) || assert.fail(`${JSON.stringify(c.attrs)}: ${e.message}`));
    }
  });

  it('at prepare (a tampered artifact node), with a KernelError naming the node', () => {
    const f = (shape: number[]) => ({ dtype: 'float32' as const, shape, data: new Float32Array(shape.reduce((a, d) => a * d, 1)) });
    const ctx = (attrs: Record<string, number | string | readonly string[]>, w = [1, 12, 2]) => ({
      node: 'tampered', inputs: [f([2, 1, 2]), f(w), f([1, 12, 3])], outputs: [f([2, 1, 1, 3])], attrs,
    });
    assert.throws(() => lstmJs.prepare(ctx({ direction: 'up' })), (e: Error) => e instanceof KernelError && /node 'tampered'.*direction 'up'/.test(e.message));
    assert.throws(() => lstmJs.prepare(ctx({ activations: ['Tanh'] })), (e: Error) => e instanceof KernelError && /activations has 1 entries/.test(e.message));
    assert.throws(() => lstmJs.prepare(ctx({}, [1, 12, 5])), (e: Error) => e instanceof KernelError && /W has shape \[1,12,5\], expected \[1,12,2\]/.test(e.message));
    assert.throws(() => gruRef.prepare(ctx({})), (e: Error) => e instanceof KernelError && /W has shape \[1,12,2\], expected \[1,9,2\]/.test(e.message));
  });

  it('a sequence length outside [0, seq] fails the run naming the node (no out-of-bounds read)', async () => {
    const b = buildModel({ ...base, seqLens: [1] }, 5);
    for (const targets of [['ref'], ['js'], ['wasmsimd', 'ref']] as const) {
      const m = await loadModel(compileBytes(b.bytes, { name: 'lens', targets }).artifact);
      const feeds = { X: { data: b.feeds['X']!.data, shape: b.feeds['X']!.dims }, sequence_lens: { data: Int32Array.from([3]), shape: [1] } };
      await assert.rejects(m.run(feeds), /node 'cell'.*sequence_lens\[0\] = 3 is outside \[0, 2\]/);
      m.dispose();
    }
  });
});
