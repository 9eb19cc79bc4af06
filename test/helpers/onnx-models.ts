// Tiny ONNX models built with the protobuf classes, for tests that need a model whose outputs
// are known by hand.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** The names a linear model's values and node carry (defaults: x, y, W, fc), and its batch dimension. */
export interface LinearModelNames {
  readonly input?: string;
  readonly output?: string;
  readonly weight?: string;
  readonly node?: string;
  /** A symbolic batch dimension (dim_param) instead of 1: spc pins it to 1 and warns, naming the input. */
  readonly batchParam?: string;
}

/** y = x · W for x [1, K] and W [K, N] (a Gemm), written to `dir/name.onnx`; returns the path. */
export function writeLinearModel(dir: string, name: string, w: readonly (readonly number[])[], names: LinearModelNames = {}): string {
  const k = w.length, n = w[0]!.length;
  const { input = 'x', output = 'y', weight = 'W', node = 'fc' } = names;
  const batch = names.batchParam === undefined ? { dimValue: 1 } : { dimParam: names.batchParam };
  const vi = (v: string, d: number) => ({ name: v, type: { tensorType: { elemType: 1, shape: { dim: [batch, { dimValue: d }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name,
      input: [vi(input, k)],
      output: [vi(output, n)],
      initializer: [{ name: weight, dims: [k, n], dataType: onnx.TensorProto.DataType.FLOAT, floatData: w.flat() }],
      node: [{ name: node, opType: 'Gemm', input: [input, weight], output: [output] }],
    },
  });
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  return path;
}
