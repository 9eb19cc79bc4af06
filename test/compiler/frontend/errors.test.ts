// Bad input to the frontend: files that are not ONNX, truncated files, unsupported operators,
// missing files, dynamic dims, cycles and external data (good, missing, escaping, out of range).

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { SpcError } from '../../../compiler/errors.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { MODELS_DIR } from '../../helpers/corpus.js';

const { onnx } = onnxProto;

const FLOAT = 1;

function tensorType(dims: (number | string)[]): OnnxTypes.ITypeProto {
  return { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } };
}

/** A small model: x[dims] → nodes → y, with optional initializers. */
function modelBytes(parts: {
  nodes: OnnxTypes.INodeProto[]; initializers?: OnnxTypes.ITensorProto[]; inputDims?: (number | string)[];
  output?: string; irVersion?: number;
}): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: parts.irVersion ?? 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny',
      node: parts.nodes,
      initializer: parts.initializers ?? [],
      input: [{ name: 'x', type: tensorType(parts.inputDims ?? [1, 4]) }],
      output: [{ name: parts.output ?? 'y', type: tensorType([1, 4]) }],
    },
  }).finish();
}

function isSpcError(pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof SpcError, `expected SpcError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  };
}

describe('frontend: bad input', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'spc-frontend-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  const write = (name: string, bytes: Uint8Array | string): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('rejects a missing file, naming it', () => {
    const p = join(dir, 'nope.onnx');
    assert.throws(() => loadOnnx(p, {}), isSpcError(/nope\.onnx.*no such file/));
  });

  it('rejects text and random bytes as not ONNX', () => {
    const text = write('readme.onnx', 'This is not a model, just some text.\n'.repeat(20));
    assert.throws(() => loadOnnx(text, {}), isSpcError(/readme\.onnx: (not an ONNX model|the ONNX file is truncated)/));
    let seed = 12345;
    for (let trial = 0; trial < 20; trial++) {
      const bytes = new Uint8Array(2000).map(() => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24; });
      const p = write(`random${trial}.onnx`, bytes);
      assert.throws(() => loadOnnx(p, {}), isSpcError(new RegExp(`random${trial}\\.onnx: (not an ONNX model|the ONNX file is truncated)`)));
    }
    const empty = write('empty.onnx', new Uint8Array());
    assert.throws(() => loadOnnx(empty, {}), isSpcError(/empty\.onnx: not an ONNX model \(no graph\)/));
  });

  it('reports a truncated model as truncated', () => {
    const head = readFileSync(join(MODELS_DIR, 'mlp3.onnx')).subarray(0, 1000);
    const p = write('mlp3-head.onnx', head);
    assert.throws(() => loadOnnx(p, {}), isSpcError(/mlp3-head\.onnx: the ONNX file is truncated or corrupt/));
  });

  it('rejects an unsupported ir_version', () => {
    const p = write('old.onnx', modelBytes({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }], irVersion: 99 }));
    assert.throws(() => loadOnnx(p, {}), isSpcError(/old\.onnx: unsupported ONNX ir_version 99/));
  });

  it('lists every unsupported operator with its nodes in one error', () => {
    const p = write('ops.onnx', modelBytes({
      nodes: [
        { name: 'a', opType: 'Foo', input: ['x'], output: ['t1'] },
        { opType: 'Relu', input: ['t1'], output: ['t2'] },
        { name: 'b', opType: 'Foo', input: ['t2'], output: ['t3'] },
        { name: 'c', opType: 'Bar', input: ['t3'], output: ['t4'] },
        { name: 'd', opType: 'FusedConv', domain: 'com.microsoft', input: ['t4'], output: ['y'] },
      ],
    }));
    assert.throws(() => loadOnnx(p, {}), isSpcError(
      /ops\.onnx: unsupported operators: Foo \(nodes a, b\), Bar \(node c\), com\.microsoft\.FusedConv \(node d\)$/));
  });

  it('names unnamed nodes <op>_<index> and sorts nodes topologically', () => {
    const p = write('unsorted.onnx', modelBytes({
      nodes: [
        { opType: 'Relu', input: ['t'], output: ['y'] },
        { opType: 'Sigmoid', input: ['x'], output: ['t'] },
      ],
    }));
    const { graph } = loadOnnx(p, {});
    assert.deepEqual(graph.nodes.map((n) => n.name), ['Sigmoid_1', 'Relu_0']);
    assert.deepEqual(graph.values.get('y')!.shape, [1, 4]);
  });

  it('rejects cycles and undefined inputs, naming the nodes', () => {
    const cyc = write('cycle.onnx', modelBytes({
      nodes: [
        { name: 'p', opType: 'Add', input: ['x', 'q_out'], output: ['p_out'] },
        { name: 'q', opType: 'Relu', input: ['p_out'], output: ['q_out'] },
        { name: 'r', opType: 'Relu', input: ['q_out'], output: ['y'] },
      ],
    }));
    assert.throws(() => loadOnnx(cyc, {}), isSpcError(/cycle\.onnx: the graph has a cycle through nodes p, q, r/));
    const dangling = write('dangling.onnx', modelBytes({ nodes: [{ name: 'k', opType: 'Relu', input: ['ghost'], output: ['y'] }] }));
    assert.throws(() => loadOnnx(dangling, {}), isSpcError(/node 'k' \(Relu\): input 'ghost'/));
  });

  it('turns Constant nodes into constants and asks for --input-shape on non-batch dynamic dims', () => {
    const p = write('const.onnx', modelBytes({
      inputDims: ['N', 'W'],
      nodes: [
        { opType: 'Constant', output: ['k'], attribute: [{ name: 'value_floats', type: 6, floats: [1, 2, 3, 4] }] },
        { opType: 'Add', input: ['x', 'k'], output: ['y'] },
      ],
    }));
    assert.throws(() => loadOnnx(p, {}), isSpcError(/input 'x' dimension 1 \('W'\) is dynamic; pass --input-shape x=/));
    const { graph, warnings } = loadOnnx(p, { inputShapes: { x: [2, 4] } });
    assert.deepEqual(warnings, []);
    assert.deepEqual([...graph.values.get('k')!.constant!.data], [1, 2, 3, 4]);
    assert.deepEqual(graph.nodes.map((n) => n.op), ['Add']);
    assert.deepEqual(graph.values.get('y')!.shape, [2, 4]);
  });

  it('reports inconsistent shapes with the file and node', () => {
    const w = { name: 'w', dims: [3, 5], dataType: FLOAT, floatData: new Array<number>(15).fill(0) };
    const p = write('gemm.onnx', modelBytes({ nodes: [{ name: 'fc', opType: 'Gemm', input: ['x', 'w'], output: ['y'] }], initializers: [w] }));
    assert.throws(() => loadOnnx(p, {}), isSpcError(/gemm\.onnx: node 'fc' \(Gemm\): inner dimensions differ/));
  });

  describe('external data', () => {
    const values = Float32Array.from([1.5, -2, 3.25, 4]);
    const external = (location: string, offset = 16, length = 16): OnnxTypes.ITensorProto => ({
      name: 'w', dims: [4], dataType: FLOAT, dataLocation: 1,
      externalData: [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }],
    });
    const writeModel = (location: string, offset?: number, length?: number): string => {
      mkdirSync(join(dir, 'weights'), { recursive: true });
      const blob = new Uint8Array(32);
      blob.set(new Uint8Array(values.buffer), 16);
      writeFileSync(join(dir, 'weights', 'w.bin'), blob);
      return write('ext.onnx', modelBytes({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], initializers: [external(location, offset, length)] }));
    };

    it('loads an initializer stored in an external file', () => {
      const { graph } = loadOnnx(writeModel('weights/w.bin'), {});
      const w = graph.values.get('w')!;
      assert.deepEqual(w.shape, [4]);
      assert.ok(w.constant!.data instanceof Float32Array);
      assert.deepEqual([...w.constant!.data], [...values]);
      assert.deepEqual(graph.inputs, ['x']);
    });

    it('rejects missing, absolute, escaping and out-of-range external data, naming the initializer', () => {
      assert.throws(() => loadOnnx(writeModel('weights/missing.bin'), {}), isSpcError(/initializer 'w'.*cannot read external data file 'weights\/missing\.bin'/));
      assert.throws(() => loadOnnx(writeModel('/etc/passwd'), {}), isSpcError(/initializer 'w'.*must be relative/));
      assert.throws(() => loadOnnx(writeModel('../outside.bin'), {}), isSpcError(/initializer 'w'.*escapes the model's directory/));
      assert.throws(() => loadOnnx(writeModel('weights/../../x.bin'), {}), isSpcError(/escapes/));
      assert.throws(() => loadOnnx(writeModel('weights/w.bin', 24, 16), {}), isSpcError(/initializer 'w'.*outside 'weights\/w\.bin' \(32 bytes\)/));
      assert.throws(() => loadOnnx(writeModel('weights/w.bin', 16, 8), {}), isSpcError(/length 8 does not match/));
    });
  });
});
