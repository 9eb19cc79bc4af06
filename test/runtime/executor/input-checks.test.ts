// model.run(feeds) input checks: wrong dtype, wrong shape, missing and extra inputs, malformed
// feeds each give a RunError naming the input with the expected and the given dtype/shape;
// the correct feed gives the ONNX backend test's expected output (the oracle).

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { parseTensorProto } from '../../../compiler/io/tensor-proto.js';
import { loadModel, RunError } from '../../../runtime/index.js';
import type { Feed, Model } from '../../../runtime/index.js';
import { NODE_TESTS_DIR } from '../../helpers/corpus.js';
import { compareTensor } from '../../../scripts/conformance/run.js';

const pb = (test: string, f: string) => parseTensorProto(new Uint8Array(readFileSync(join(NODE_TESTS_DIR, test, 'test_data_set_0', f))), f);

describe('model.run input checks', () => {
  let add: Model, where: Model;
  before(async () => {
    add = await loadModel(compileFile(join(NODE_TESTS_DIR, 'test_add', 'model.onnx')).artifact);
    where = await loadModel(compileFile(join(NODE_TESTS_DIR, 'test_where_example', 'model.onnx')).artifact);
  });
  after(() => { add.dispose(); where.dispose(); });

  const x = (): Feed => ({ data: pb('test_add', 'input_0.pb').data, shape: [3, 4, 5] });
  const y = (): Feed => ({ data: pb('test_add', 'input_1.pb').data, shape: [3, 4, 5] });
  const rejects = (m: Model, feeds: Record<string, unknown>, re: RegExp) =>
    assert.rejects(m.run(feeds as Record<string, Feed>), (e: Error) => e instanceof RunError && re.test(e.message) || assert.fail(`${e.name}: ${e.message} does not match ${re}`));

  it('the right feeds give the expected output', async () => {
    const out = await add.run({ x: x(), y: y() });
    assert.equal(compareTensor(out.sum!, pb('test_add', 'output_0.pb'), 'sum'), undefined);
    const w = await where.run({ condition: pb('test_where_example', 'input_0.pb').data, x: pb('test_where_example', 'input_1.pb').data, y: pb('test_where_example', 'input_2.pb').data });
    assert.equal(compareTensor(Object.values(w)[0]!, pb('test_where_example', 'output_0.pb'), 'z'), undefined);
  });

  it('wrong dtype names the input, the expected dtype and shape, and the given dtype', async () => {
    await rejects(add, { x: new Float64Array(60), y: y() }, /^input 'x': expected float32 data of shape \[3,4,5\], got float64$/);
    await rejects(add, { x: x(), y: { data: new Int32Array(60), shape: [3, 4, 5] } }, /^input 'y': expected float32 data of shape \[3,4,5\], got int32$/);
    await rejects(where, { condition: new Float32Array(4), x: new Float32Array(4), y: new Float32Array(4) }, /^input 'condition': expected bool \(as Uint8Array\) data of shape \[2,2\], got float32$/);
    await rejects(add, { x: new Uint32Array(60), y: y() }, /^input 'x': expected float32 data of shape \[3,4,5\], got uint32$/);
    await rejects(add, { x: new Uint8ClampedArray(60), y: y() }, /input 'x': expected float32 .*got Uint8ClampedArray \(not a supported element type\)/);
    await rejects(add, { x: Array(60).fill(0), y: y() }, /input 'x': .*got a plain Array/);
    await rejects(add, { x: { shape: [3, 4, 5] }, y: y() }, /input 'x': .*got undefined/);
    await rejects(add, { x: null, y: y() }, /input 'x': .*got null/);
  });

  it('wrong shape names the input and both shapes', async () => {
    await rejects(add, { x: { data: new Float32Array(60), shape: [5, 4, 3] }, y: y() }, /^input 'x': expected shape \[3,4,5\] \(float32\), got \[5,4,3\]$/);
    await rejects(add, { x: { data: new Float32Array(60), shape: [60] }, y: y() }, /^input 'x': expected shape \[3,4,5\] \(float32\), got \[60\]$/);
    await rejects(add, { x: new Float32Array(59), y: y() }, /^input 'x': expected 60 elements \(float32\[3,4,5\]\), got 59$/);
    await rejects(add, { x: { data: new Float32Array(12), shape: [3, 4, 5] }, y: y() }, /^input 'x': shape \[3,4,5\] needs 60 elements, the data has 12$/);
    await rejects(add, { x: { data: new Float32Array(60), shape: [3, -4, 5] }, y: y() }, /input 'x': shape must be an array of non-negative integers/);
  });

  it('missing and extra inputs are named, with the model\'s inputs', async () => {
    await rejects(add, { x: x() }, /^missing input 'y' \(float32\[3,4,5\]\); given: 'x'$/);
    await rejects(add, {}, /^missing input 'x' \(float32\[3,4,5\]\)$/);
    await rejects(add, { x: x(), y: y(), z: y() }, /^unknown input\(s\) 'z'; the model's inputs are 'x' \(float32\[3,4,5\]\), 'y' \(float32\[3,4,5\]\)$/);
    await rejects(add, null as never, /run\(\) takes an object of feeds by input name, got null/);
  });

  it('a failed run leaves the model usable', async () => {
    await rejects(add, { x: x() }, /missing input/);
    const out = await add.run({ x: x(), y: y() });
    assert.equal(compareTensor(out.sum!, pb('test_add', 'output_0.pb'), 'sum'), undefined);
  });
});
