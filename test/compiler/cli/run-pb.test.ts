// `spc run` on ONNX TensorProto .pb files, checked against an ONNX backend test's stored output
// (the independent oracle), and `spc run`'s input errors: exit 1 with a message naming the input.

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spc } from '../../helpers/cli.js';
import { NODE_TESTS_DIR } from '../../helpers/corpus.js';
import { formatTensorProto, parseTensorProto } from '../../../compiler/io/tensor-proto.js';
import { parseNpy } from '../../../compiler/io/npy.js';
import { compareTensor } from '../../../scripts/conformance/run.js';

const readPb = (f: string) => parseTensorProto(new Uint8Array(readFileSync(f)), f);

describe('spc run with TensorProto .pb inputs and outputs', function () {
  this.timeout(120_000);
  let work: string;
  const data = (test: string, f: string): string => join(NODE_TESTS_DIR, test, 'test_data_set_0', f);
  const compiled = (test: string): string => {
    const out = join(work, test);
    const r = spc('compile', join(NODE_TESTS_DIR, test, 'model.onnx'), '-o', out, '-q');
    assert.equal(r.code, 0, r.stderr);
    return join(out, 'model.spm');
  };

  before(() => { work = mkdtempSync(join(tmpdir(), 'spc-run-pb-')); });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('named .pb inputs → .pb output equal to the test\'s expected output', () => {
    const spm = compiled('test_add');
    const y = join(work, 'sum.pb');
    const r = spc('run', spm, '--input', `x=${data('test_add', 'input_0.pb')}`, '--input', `y=${data('test_add', 'input_1.pb')}`, '--output', y);
    assert.equal(r.code, 0, r.stderr);
    const got = readPb(y);
    assert.equal(got.name, 'sum');
    assert.equal(compareTensor(got, readPb(data('test_add', 'output_0.pb')), 'sum'), undefined);
    // A wrong expectation is caught (the comparison can fail).
    assert.notEqual(compareTensor(got, readPb(data('test_add', 'input_0.pb')), 'sum'), undefined);
  });

  it('unnamed .pb inputs bind by the name they carry; .npy output still works', () => {
    const spm = join(work, 'test_add', 'model.spm');
    const y = join(work, 'sum.npy');
    const r = spc('run', spm, '--input', data('test_add', 'input_1.pb'), '--input', data('test_add', 'input_0.pb'), '--output', y);
    assert.equal(r.code, 0, r.stderr);
    const npy = parseNpy(new Uint8Array(readFileSync(y)), y);
    assert.equal(compareTensor({ dtype: npy.dtype, shape: npy.shape, data: npy.data }, readPb(data('test_add', 'output_0.pb')), 'sum'), undefined);
  });

  it('int64 and bool tensors round-trip through .pb (Where: bool condition; Equal: bool output)', () => {
    const spm = compiled('test_equal');
    const dir = join(work, 'eq-out');
    const r = spc('run', spm, '--input', data('test_equal', 'input_0.pb'), '--input', data('test_equal', 'input_1.pb'), '--output-dir', dir, '--format', 'pb');
    assert.equal(r.code, 0, r.stderr);
    const exp = readPb(data('test_equal', 'output_0.pb'));
    assert.equal(exp.dtype, 'bool');
    assert.equal(compareTensor(readPb(join(dir, 'z.pb')), exp, 'z'), undefined);
  });

  it('formatTensorProto writes what parseTensorProto reads, for every dtype', () => {
    for (const [dtype, data] of [['float32', new Float32Array([1.5, -2])], ['int64', new BigInt64Array([-3n, 1n << 40n])], ['bool', new Uint8Array([1, 0])], ['int8', new Int8Array([-1, 7])]] as const) {
      const t = parseTensorProto(formatTensorProto({ dtype, shape: [2, 1], data }, 'v'), 'mem');
      assert.deepEqual([t.dtype, t.shape, t.name, [...t.data]], [dtype, [2, 1], 'v', [...data]]);
    }
  });

  describe('input errors exit 1 naming the input, the expected and the given dtype/shape; nothing written', () => {
    const never = (): string => join(work, 'never.pb');
    const fails = (args: string[], re: RegExp): void => {
      const r = spc('run', join(work, 'test_add', 'model.spm'), ...args, '--output', never());
      assert.equal(r.code, 1, `exit ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.ok(!existsSync(never()), 'an output was written');
    };

    it('wrong dtype', () => {
      const f = join(work, 'x-int32.pb');
      writeFileSync(f, formatTensorProto({ dtype: 'int32', shape: [3, 4, 5], data: new Int32Array(60) }, 'x'));
      fails(['--input', `x=${f}`, '--input', `y=${data('test_add', 'input_1.pb')}`], /x-int32\.pb: input 'x': expected float32 data of shape \[3,4,5\], got int32/);
    });

    it('wrong shape', () => {
      const f = join(work, 'x-shape.pb');
      writeFileSync(f, formatTensorProto({ dtype: 'float32', shape: [4, 3, 5], data: new Float32Array(60) }, 'x'));
      fails(['--input', `x=${f}`, '--input', `y=${data('test_add', 'input_1.pb')}`], /x-shape\.pb: input 'x': expected shape \[3,4,5\] \(float32\), got \[4,3,5\]/);
    });

    it('missing input', () => {
      fails(['--input', `x=${data('test_add', 'input_0.pb')}`], /missing input 'y' \(float32\[3,4,5\]\); given: 'x'/);
    });

    it('extra input', () => {
      fails(['--input', `x=${data('test_add', 'input_0.pb')}`, '--input', `y=${data('test_add', 'input_1.pb')}`, '--input', `w=${data('test_add', 'input_1.pb')}`],
        /unknown input\(s\) 'w'; the model's inputs are 'x' \(float32\[3,4,5\]\), 'y' \(float32\[3,4,5\]\)/);
    });

    it('a file that is not a TensorProto', () => {
      const f = join(work, 'garbage.pb');
      writeFileSync(f, Buffer.from('this is not a protobuf message at all'));
      fails(['--input', `x=${f}`, '--input', `y=${data('test_add', 'input_1.pb')}`], /garbage\.pb: (not an ONNX TensorProto|.*)/);
    });
  });
});
