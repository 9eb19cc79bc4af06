// Tiny ONNX models built with the protobuf classes, for tests that need a model whose outputs
// are known by hand.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** y = x · W for x [1, K] and W [K, N] (a Gemm), written to `dir/name.onnx`; returns the path. */
export function writeLinearModel(dir: string, name: string, w: readonly (readonly number[])[]): string {
  const k = w.length, n = w[0]!.length;
  const vi = (v: string, d: number) => ({ name: v, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: d }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name,
      input: [vi('x', k)],
      output: [vi('y', n)],
      initializer: [{ name: 'W', dims: [k, n], dataType: onnx.TensorProto.DataType.FLOAT, floatData: w.flat() }],
      node: [{ name: 'fc', opType: 'Gemm', input: ['x', 'W'], output: ['y'] }],
    },
  });
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  return path;
}
