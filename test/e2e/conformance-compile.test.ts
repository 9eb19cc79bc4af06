// What the conformance run needs from the compiler, checked on its own: an input that sets a
// shape is refused with a message naming the node and the input, unless it is fixed at compile
// time (CompileOptions.inputValues, `spc compile --input-value`); the fixed value is recorded
// in provenance; a graph output that folds to a constant is still written by the artifact.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import { SpcError } from '../../compiler/errors.js';
import { parseTensorProto } from '../../compiler/io/tensor-proto.js';
import { loadModel } from '../../runtime/index.js';
import { NODE_TESTS_DIR } from '../helpers/corpus.js';
import { spc } from '../helpers/cli.js';
import { compareTensor } from '../../scripts/conformance/run.js';

const { onnx } = onnxProto;
const TEST = 'test_reshape_negative_dim';
const file = (test: string, f: string): string => join(NODE_TESTS_DIR, test, 'test_data_set_0', f);
const pb = (test: string, f: string) => parseTensorProto(new Uint8Array(readFileSync(file(test, f))), f);
const model = (test: string): string => join(NODE_TESTS_DIR, test, 'model.onnx');

describe('compiling shape-setting inputs', function () {
  this.timeout(120_000);
  let work: string;
  before(() => { work = mkdtempSync(join(tmpdir(), 'spc-conf-compile-')); });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('a Reshape whose shape is a graph input is refused, naming the node, its output and the input', () => {
    assert.throws(() => compileFile(model(TEST)), (e: Error) => e instanceof SpcError
      && /model\.onnx: node 'Reshape_0' \(Reshape\): output 'reshaped' has no static shape.*depends on the value of 'shape', which is not a constant; spc compiles static shapes only/.test(e.message)
      || assert.fail(e.message));
  });

  it('fixed with inputValues, it compiles, leaves the inputs, and computes the expected output', async () => {
    const r = compileFile(model(TEST), { inputValues: { shape: pb(TEST, 'input_1.pb') } });
    assert.deepEqual(r.contents.inputs.map((i) => r.contents.tensors[i]!.name), ['data']);
    const prov = new Map(r.contents.provenance.options);
    assert.match(prov.get('input-value:shape') ?? '', /^int64\[3\] sha256:[0-9a-f]{16}$/);
    const m = await loadModel(r.artifact);
    const out = await m.run({ data: { data: pb(TEST, 'input_0.pb').data, shape: pb(TEST, 'input_0.pb').shape } });
    assert.equal(compareTensor(out.reshaped!, pb(TEST, 'output_0.pb'), 'reshaped'), undefined);
    m.dispose();
    // Same inputs and options, same bytes; another value, other bytes.
    assert.deepEqual(compileFile(model(TEST), { inputValues: { shape: pb(TEST, 'input_1.pb') } }).artifact, r.artifact);
    const other = { ...pb(TEST, 'input_1.pb'), data: new BigInt64Array([2, 6, 2].map(BigInt)) };
    assert.notDeepEqual(compileFile(model(TEST), { inputValues: { shape: other } }).artifact, r.artifact);
  });

  it('a fixed value that names no input, or has the wrong dtype or shape, is refused', () => {
    const v = pb(TEST, 'input_1.pb');
    assert.throws(() => compileFile(model(TEST), { inputValues: { nope: v } }), /fixed input value names 'nope', which is not a graph input \(inputs: data, shape\)/);
    assert.throws(() => compileFile(model(TEST), { inputValues: { shape: { dtype: 'int32', shape: [3], data: new Int32Array(3) } } }), /input 'shape' is int64, its fixed value is int32/);
    assert.throws(() => compileFile(model(TEST), { inputValues: { shape: { dtype: 'int64', shape: [4], data: new BigInt64Array(4) } } }), /input 'shape' has shape \[3\], its fixed value \[4\]/);
  });

  it('a graph output that folds to a constant (Shape of a static shape) is written by the artifact', async () => {
    const r = compileFile(model('test_shape'));
    const m = await loadModel(r.artifact);
    const out = await m.run({ x: pb('test_shape', 'input_0.pb').data });
    assert.equal(compareTensor(out.y!, pb('test_shape', 'output_0.pb'), 'y'), undefined);
    m.dispose();
  });

  it('Softmax before opset 13 normalizes the input flattened to 2-D at its axis (default 1), from opset 13 one axis', async () => {
    const write = (opset: number, axis: number | undefined): string => {
      const vi = (v: string) => ({ name: v, type: { tensorType: { elemType: 1, shape: { dim: [2, 3, 4].map((d) => ({ dimValue: d })) } } } });
      const m = onnx.ModelProto.create({
        irVersion: 7, opsetImport: [{ domain: '', version: opset }],
        graph: { name: 'g', input: [vi('x')], output: [vi('y')], node: [{ name: 'sm', opType: 'Softmax', input: ['x'], output: ['y'], attribute: axis === undefined ? [] : [{ name: 'axis', type: 2, i: axis }] }] },
      });
      const f = join(work, `softmax-${opset}-${axis}.onnx`);
      writeFileSync(f, onnx.ModelProto.encode(m).finish());
      return f;
    };
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
    /** Sums of `y` over runs of `len` consecutive elements (the rows of the 2-D view). */
    const rowSums = async (file: string, len: number): Promise<number[]> => {
      const m = await loadModel(compileFile(file).artifact);
      const y = (await m.run({ x })).y!.data as Float32Array;
      m.dispose();
      return Array.from({ length: 24 / len }, (_, r) => y.subarray(r * len, (r + 1) * len).reduce((a, b) => a + b, 0));
    };
    const ones = (n: number, got: number[]): void => {
      assert.equal(got.length, n);
      for (const s of got) assert.ok(Math.abs(s - 1) < 1e-6, `row sums ${got.join(', ')}`);
    };
    ones(2, await rowSums(write(11, undefined), 12)); // [2, 3·4]: 2 rows of 12
    ones(1, await rowSums(write(11, 0), 24)); // [1, 2·3·4]: one row of 24
    ones(6, await rowSums(write(11, 2), 4)); // the last axis: both meanings agree
    // Opset 13, axis 1: each of the 8 lanes of 3 (stride 4) sums to 1, so no row of 12 does.
    const sums12 = await rowSums(write(13, 1), 12);
    assert.ok(sums12.every((s) => Math.abs(s - 4) < 1e-5), `opset 13 rows of 12 sum to 4: ${sums12.join(', ')}`);
  });

  it('spc compile --input-value, then spc run on the test\'s .pb files', () => {
    const out = join(work, 'reshape');
    const refused = spc('compile', model(TEST), '-o', out, '-q');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Reshape.*no static shape.*'shape'/);
    const c = spc('compile', model(TEST), '-o', out, '-q', '--input-value', `shape=${file(TEST, 'input_1.pb')}`);
    assert.equal(c.code, 0, c.stderr);
    const y = join(work, 'y.pb');
    const r = spc('run', join(out, 'model.spm'), '--input', file(TEST, 'input_0.pb'), '--output', y);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(compareTensor(parseTensorProto(new Uint8Array(readFileSync(y)), y), pb(TEST, 'output_0.pb'), 'reshaped'), undefined);
    const u = spc('compile', model(TEST), '-o', out, '-q', '--input-value', file(TEST, 'input_1.pb'));
    assert.equal(u.code, 2);
    assert.match(u.stderr, /--input-value .*expected name=file/);
  });
});
