// Hand-made hostile ONNX models, each refused by `compileFile` with an SpcError whose message
// names the problem (and, for limits, the option that raises them) before anything big is
// allocated: absurd dims, overflowing dim products, huge external data, graph size, cycles,
// a node reading its own output, empty graphs, duplicated names, out-of-range indices.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileOptions } from '../../../compiler/compile.js';
import { SpcError } from '../../../compiler/errors.js';

const { onnx } = onnxProto;
const FLOAT = 1;
const INT64 = 7;

type Dims = (number | string | { low: number; high: number })[];

function valueInfo(name: string, dims: Dims, elemType = FLOAT): OnnxTypes.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d as number })) } } } };
}

interface Parts {
  nodes?: OnnxTypes.INodeProto[];
  initializers?: OnnxTypes.ITensorProto[];
  inputs?: OnnxTypes.IValueInfoProto[];
  outputs?: OnnxTypes.IValueInfoProto[];
}

function model(p: Parts): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'hostile',
      node: p.nodes ?? [{ name: 'r', opType: 'Relu', input: ['x'], output: ['y'] }],
      initializer: p.initializers ?? [],
      input: p.inputs ?? [valueInfo('x', [1, 4])],
      output: p.outputs ?? [valueInfo('y', [1, 4])],
    },
  }).finish();
}

describe('frontend: hostile models', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'spc-hostile-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  /** The SpcError message compiling `bytes` gives; fails on success or on any other error. */
  const refusal = (name: string, bytes: Uint8Array, options: CompileOptions = {}): string => {
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, bytes);
    try {
      compileFile(path, options);
    } catch (e) {
      if (e instanceof SpcError) {
        assert.ok(e.message.startsWith(`${path}: `), `message does not name the file: ${e.message}`);
        return e.message.slice(path.length + 2);
      }
      throw e;
    }
    return assert.fail(`${name} compiled`);
  };
  const LIMIT_HINT = /raise it with --max-tensor-elements \(compileFile option limits\.maxTensorElements\)\)$/;

  describe('absurd sizes, refused before allocation', () => {
    it('an initializer whose dims claim 2^60 floats (a few bytes of file)', () => {
      const w = { name: 'w', dims: [2 ** 20, 2 ** 20, 2 ** 20], dataType: FLOAT, rawData: new Uint8Array(16) };
      const m = refusal('tera-init', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], initializers: [w] }));
      assert.match(m, /^initializer 'w': shape \[1048576,1048576,1048576\] has 1152921504606846976 elements, which exceeds the limit of 268435456 \(maxTensorElements; /);
      assert.match(m, LIMIT_HINT);
    });

    it('dims whose product overflows the safe integers (2^40 · 2^40)', () => {
      const w = { name: 'w', dims: [2 ** 40, 2 ** 40], dataType: FLOAT, floatData: [1] };
      assert.match(refusal('overflow', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], initializers: [w] })),
        /^initializer 'w': shape \[1099511627776,1099511627776\] has 1208925819614629174706176 elements, which exceeds the limit/);
    });

    it('a dim beyond 2^63 (int64 wrapped negative)', () => {
      const w = { name: 'w', dims: [{ low: 0, high: -0x80000000 } as never], dataType: FLOAT, floatData: [1] };
      assert.match(refusal('neg64', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], initializers: [w] })),
        /^initializer 'w': dims: value -9223372036854775808 is outside the safe integer range$/);
    });

    it('a negative input dimension (-1, which some exporters write for a dynamic one, asks for --input-shape)', () => {
      assert.match(refusal('neg-dim', model({ inputs: [valueInfo('x', [1, -7])] })), /^graph input 'x': negative dimension -7 in \[1,-7\]$/);
      assert.match(refusal('dyn-dim', model({ inputs: [valueInfo('x', [1, -1])] })), /^input 'x' dimension 1 \('\?'\) is dynamic; pass --input-shape x=1xN$/);
    });

    it('a graph input of terabytes', () => {
      const m = refusal('tera-input', model({ inputs: [valueInfo('x', [1024, 1024, 1024, 1024])], outputs: [valueInfo('y', [1024, 1024, 1024, 1024])] }));
      assert.match(m, /^value 'x': shape \[1024,1024,1024,1024\] has 1099511627776 elements, which exceeds the limit of 268435456 \(maxTensorElements/);
    });

    it('an activation of terabytes that shape inference derives (Expand to a constant shape)', () => {
      const shape = { name: 's', dims: [3], dataType: INT64, int64Data: [65536, 65536, 65536] };
      const m = refusal('tera-reshape', model({
        inputs: [valueInfo('x', [1])],
        nodes: [{ name: 'grow', opType: 'Expand', input: ['x', 's'], output: ['y'] }],
        initializers: [shape], outputs: [valueInfo('y', [65536, 65536, 65536])],
      }));
      assert.match(m, /^value 'y' \(output of node 'grow' \(Expand\)\): shape \[65536,65536,65536\] has 281474976710656 elements, which exceeds the limit/);
    });

    it('external data claiming 2^40 bytes is refused before the file is opened', () => {
      const w: OnnxTypes.ITensorProto = {
        name: 'w', dims: [2 ** 38], dataType: FLOAT, dataLocation: 1,
        externalData: [{ key: 'location', value: 'no-such-file.bin' }],
      };
      assert.match(refusal('tera-external', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], initializers: [w] })),
        /^initializer 'w': shape \[274877906944\] has 274877906944 elements, which exceeds the limit/);
    });

    it('limits are options: a lower --max-tensor-elements, --max-weight-bytes, --max-nodes, --max-values', () => {
      const w = (name: string): OnnxTypes.ITensorProto => ({ name, dims: [1, 4], dataType: FLOAT, floatData: [1, 2, 3, 4] });
      const bytes = model({
        nodes: [{ opType: 'Add', input: ['x', 'a'], output: ['t'] }, { opType: 'Add', input: ['t', 'b'], output: ['y'] }],
        initializers: [w('a'), w('b')],
      });
      assert.match(refusal('lim-elements', bytes, { limits: { maxTensorElements: 3 } }),
        /^initializer 'a': shape \[1,4\] has 4 elements, which exceeds the limit of 3 \(maxTensorElements; raise it with --max-tensor-elements \(compileFile option limits\.maxTensorElements\)\)$/);
      assert.match(refusal('lim-bytes', bytes, { limits: { maxWeightBytes: 20 } }),
        /^initializer 'b': brings the weights to 32 bytes, which exceeds the limit of 20 bytes \(maxWeightBytes; raise it with --max-weight-bytes \(compileFile option limits\.maxWeightBytes\)\)$/);
      assert.match(refusal('lim-nodes', bytes, { limits: { maxNodes: 1 } }),
        /^the graph has 2 nodes, which exceeds the limit of 1 \(maxNodes; raise it with --max-nodes/);
      assert.match(refusal('lim-values', bytes, { limits: { maxValues: 4 } }),
        /^the graph has 5 values, which exceeds the limit of 4 \(maxValues; raise it with --max-values/);
      const path = join(dir, 'lim-ok.onnx');
      writeFileSync(path, bytes);
      compileFile(path, { limits: { maxTensorElements: 4, maxWeightBytes: 32, maxNodes: 2, maxValues: 5 } });
    });

    it('refuses limits that are not whole numbers or exceed their ceiling', () => {
      const path = join(dir, 'ok.onnx');
      writeFileSync(path, model({}));
      assert.throws(() => compileFile(path, { limits: { maxNodes: 0 } }), (e: unknown) => e instanceof SpcError && /limit maxNodes 0: expected a whole number/.test(e.message));
      assert.throws(() => compileFile(path, { limits: { maxTensorElements: 2 ** 31 } }), (e: unknown) => e instanceof SpcError && /above its ceiling 2147483647/.test(e.message));
    });
  });

  describe('graph structure', () => {
    it('a node consuming its own output', () => {
      assert.match(refusal('self', model({ nodes: [{ name: 'loop', opType: 'Add', input: ['x', 'y'], output: ['y'] }] })),
        /^the graph has a cycle through nodes loop$/);
    });

    it('a cycle of two nodes off the path to the output', () => {
      assert.match(refusal('cycle2', model({
        nodes: [
          { name: 'r', opType: 'Relu', input: ['x'], output: ['y'] },
          { name: 'p', opType: 'Add', input: ['x', 'q_out'], output: ['p_out'] },
          { name: 'q', opType: 'Relu', input: ['p_out'], output: ['q_out'] },
        ],
      })), /^the graph has a cycle through nodes p, q$/);
    });

    it('an empty graph: no nodes, or no outputs, or an input passed straight through', () => {
      assert.match(refusal('no-nodes', model({ nodes: [] })), /^graph output 'y' is not produced by any node, input or initializer$/);
      assert.match(refusal('no-outputs', model({ outputs: [] })), /^the graph has no outputs$/);
      assert.match(refusal('pass-through', model({ nodes: [], outputs: [valueInfo('x', [1, 4])] })),
        /^graph output 'x' is also a graph input; spc cannot pass an input through unchanged$/);
    });

    it('an attribute of the wrong type (found by npm run fuzz: Pad value given as ints)', () => {
      const pads = { name: 'p', dims: [2], dataType: INT64, int64Data: [1, 1] };
      const bytes = model({
        nodes: [{ name: 'pad', opType: 'Pad', input: ['x', 'p'], output: ['y'], attribute: [{ name: 'value', ints: [1, 2], type: 7 }] }],
        inputs: [valueInfo('x', [4])], initializers: [pads], outputs: [valueInfo('y', [6])],
      });
      assert.match(refusal('pad-value', bytes), /^node 'pad' \(Pad\): attribute 'value' must be a number, got ints$/);
    });

    it('an output that is a constant is not hostile: it is computed at compile time and still produced', async () => {
      // ONNX allows an output that depends on no input (the conformance tests have several);
      // materialize-outputs gives it a node, so the artifact writes it on every run.
      const w = { name: 'w', dims: [1, 4], dataType: FLOAT, floatData: [-1, 2, -3, 4] };
      const path = join(dir, 'const-out.onnx');
      writeFileSync(path, model({ nodes: [{ opType: 'Relu', input: ['w'], output: ['y'] }], initializers: [w] }));
      const { loadModel } = await import('../../../runtime/index.js');
      const m = await loadModel(compileFile(path).artifact);
      const y = (await m.run({ x: new Float32Array(4) })).y!;
      assert.deepEqual(Array.from(y.data as Float32Array), [0, 2, 0, 4]);
    });
  });

  describe('duplicated names', () => {
    const w = (name: string): OnnxTypes.ITensorProto => ({ name, dims: [1, 4], dataType: FLOAT, floatData: [1, 2, 3, 4] });
    it('two initializers of one name', () => {
      assert.match(refusal('dup-init', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], initializers: [w('w'), w('w')] })),
        /^value 'w' is defined twice \(initializer\)$/);
    });
    it('two graph inputs of one name', () => {
      assert.match(refusal('dup-input', model({ inputs: [valueInfo('x', [1, 4]), valueInfo('x', [1, 4])] })),
        /^value 'x' is defined twice \(graph input\)$/);
    });
    it('two nodes writing one value, and a node overwriting an input', () => {
      assert.match(refusal('dup-output', model({
        nodes: [{ name: 'a', opType: 'Relu', input: ['x'], output: ['y'] }, { name: 'b', opType: 'Sigmoid', input: ['x'], output: ['y'] }],
      })), /^node 'b': output 'y' is already defined$/);
      assert.match(refusal('overwrite-input', model({ nodes: [{ name: 'a', opType: 'Relu', input: ['x'], output: ['x'] }] })),
        /^node 'a': output 'x' is already defined$/);
    });
    it('a graph output listed twice', () => {
      assert.match(refusal('dup-graph-output', model({ outputs: [valueInfo('y', [1, 4]), valueInfo('y', [1, 4])] })),
        /^graph output 'y' is listed twice$/);
    });
    it('an attribute given twice, and one without a name', () => {
      const attr = (name: string): OnnxTypes.IAttributeProto => ({ name, type: 2, i: 1 });
      assert.match(refusal('dup-attr', model({ nodes: [{ name: 's', opType: 'Softmax', input: ['x'], output: ['y'], attribute: [attr('axis'), attr('axis')] }] })),
        /^node 's' \(Softmax\): attribute 'axis' is given twice$/);
      assert.match(refusal('anon-attr', model({ nodes: [{ name: 's', opType: 'Softmax', input: ['x'], output: ['y'], attribute: [attr('')] }] })),
        /^node 's' \(Softmax\): an attribute has no name$/);
    });
    it('two nodes of one name are told apart (names are optional in ONNX), and __proto__ stays an attribute', () => {
      const path = join(dir, 'dup-node.onnx');
      writeFileSync(path, model({
        nodes: [
          { name: 'n', opType: 'Relu', input: ['x'], output: ['t'], attribute: [{ name: '__proto__', type: 2, i: 5 }] },
          { name: 'n', opType: 'Sigmoid', input: ['t'], output: ['y'] },
        ],
      }));
      const r = compileFile(path);
      assert.deepEqual(r.canonical.nodes.map((n) => n.name), ['n', 'n_1']);
      assert.deepEqual(r.canonical.nodes[0]!.attrs['__proto__'], { kind: 'int', value: 5 });
      assert.equal(Object.getPrototypeOf(r.canonical.nodes[0]!.attrs), Object.prototype);
    });
  });

  describe('indices outside their tensors', () => {
    it('Gather with a constant index past the end of its constant data', () => {
      const data = { name: 'd', dims: [3, 4], dataType: FLOAT, floatData: Array.from({ length: 12 }, (_, i) => i) };
      const idx = { name: 'i', dims: [1], dataType: INT64, int64Data: [7] };
      const m = refusal('gather', model({
        inputs: [valueInfo('x', [1, 4])],
        nodes: [{ name: 'g', opType: 'Gather', input: ['d', 'i'], output: ['t'] }, { name: 'a', opType: 'Add', input: ['x', 't'], output: ['y'] }],
        initializers: [data, idx],
      }));
      assert.match(m, /^node 'g' \(Gather\): index 7 is out of range for dimension 3$/);
    });
  });
});
