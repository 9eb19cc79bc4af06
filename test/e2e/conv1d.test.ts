// 1-D convolutions (silero VAD's, [N, C, L] run as H = 1 by the js and wasmsimd conv kernels)
// through compile, load and run against onnxruntime-node: stride 2, asymmetric pads, dilation,
// groups, depthwise, a fused Relu, each on the wasmsimd kernel, the js kernel and the wasmsimd
// kernel's js fallback; and no node of these models is left on a ref kernel.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { compileBytes } from '../../compiler/compile.js';
import { loadModel } from '../../runtime/index.js';
import { assertClose } from '../helpers/compare.js';

const { onnx } = onnxProto;

interface Conv1d { noWasm?: boolean; cin: number; cout: number; k: number; len: number; stride?: number; pads?: [number, number]; dilation?: number; group?: number; relu?: boolean }

function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 31 - 1; });
}

function model(c: Conv1d): Uint8Array {
  const group = c.group ?? 1;
  const ints = (name: string, v: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
  const w = values(c.cout * (c.cin / group) * c.k, 7), b = values(c.cout, 8);
  const init = (name: string, dims: number[], data: Float32Array) => ({ name, dims, dataType: 1, rawData: new Uint8Array(data.buffer) });
  const nodes = [{
    name: 'conv', opType: 'Conv', input: ['x', 'w', 'b'], output: [c.relu ? 't' : 'y'],
    attribute: [ints('kernel_shape', [c.k]), ints('strides', [c.stride ?? 1]), ints('pads', c.pads ?? [0, 0]),
      ints('dilations', [c.dilation ?? 1]), { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: group }],
  }];
  if (c.relu) nodes.push({ name: 'relu', opType: 'Relu', input: ['t'], output: ['y'], attribute: [] });
  const vi = (name: string, shape?: number[]) => ({ name, type: { tensorType: { elemType: 1, ...(shape ? { shape: { dim: shape.map((d) => ({ dimValue: d })) } } : {}) } } });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'conv1d', input: [vi('x', [1, c.cin, c.len])], output: [vi('y')], node: nodes,
      initializer: [init('w', [c.cout, c.cin / group, c.k], w), init('b', [c.cout], b)] },
  })).finish();
}

const CASES: Conv1d[] = [
  { cin: 16, cout: 16, k: 3, len: 8, stride: 2, pads: [1, 1], relu: true },     // silero's stride-2 blocks
  { cin: 1, cout: 1, k: 7, len: 14, stride: 1 },                                 // silero's 1→1 channel conv
  { cin: 6, cout: 9, k: 5, len: 37, stride: 2, pads: [2, 3], dilation: 2 },      // asymmetric pads, dilation
  { cin: 8, cout: 12, k: 3, len: 20, pads: [1, 0], group: 4, noWasm: true },      // grouped: no wasmsimd kernel takes it, js does
  { cin: 10, cout: 10, k: 5, len: 33, pads: [2, 2], group: 10, relu: true },     // depthwise
  { cin: 12, cout: 20, k: 1, len: 9 },                                           // pointwise
];

describe('1-D Conv against onnxruntime-node', function () {
  this.timeout(120_000);
  for (const c of CASES) {
    const name = JSON.stringify(c);
    for (const targets of c.noWasm ? [undefined, ['js']] as const : [undefined, ['js'], ['wasmsimd']] as const) {
      for (const wasm of targets?.[0] === 'wasmsimd' ? [true, false] : [true]) {
        it(`${name} targets ${targets?.join(',') ?? 'default'}${wasm ? '' : ' (wasm off: js fallback)'}`, async () => {
          const bytes = model(c);
          const x = values(c.cin * c.len, 3);
          const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
          const want = (await session.run({ x: new ort.Tensor('float32', x, [1, c.cin, c.len]) }))['y']!;
          await session.release();
          const compiled = compileBytes(bytes, { name: 'conv1d', ...(targets ? { targets: [...targets] } : {}) });
          for (const n of compiled.graph.nodes) assert.ok(n.kernel !== undefined && !n.kernel.endsWith('-ref'), `${name}: ${n.name} runs on ${n.kernel}`);
          const m = await loadModel(compiled.artifact, { wasm });
          const got = (await m.run({ x: { data: x, shape: [1, c.cin, c.len] } }))['y']!;
          assert.deepEqual([...got.shape], [...want.dims]);
          assertClose(got.data, want.data as Float32Array, 1e-4, 1e-5, name);
        });
      }
    }
  }
});
