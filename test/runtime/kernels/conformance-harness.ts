// Test-only harness for the ONNX backend node tests in the shared corpus: decodes a test's
// model.onnx and its TensorProto inputs/outputs, runs one kernel on the single node, and
// compares with the stored outputs (|got-exp| <= 1e-4*|exp| + 1e-6 for floats, exact for ints).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { DType, TensorView, TypedArray } from '../../../runtime/tensor.js';
import { allocArray, sizeOf } from '../../../runtime/tensor.js';
import type { AttrValue, Attrs, Kernel } from '../../../runtime/kernels/kernel.js';
import { NODE_TESTS_DIR } from '../../helpers/corpus.js';
import { compareTensor } from '../../../scripts/conformance/run.js';

const { onnx } = onnxProto;

const DTYPES: Readonly<Record<number, DType>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64',
};

export interface NodeTestEntry {
  readonly test: string;
  readonly path: string;
  readonly op_type: string;
  readonly nodes: number;
  readonly opset: number;
}

export function listNodeTests(): NodeTestEntry[] {
  const index = join(NODE_TESTS_DIR, 'index.json');
  if (!existsSync(index)) return [];
  return (JSON.parse(readFileSync(index, 'utf8')) as { tests: NodeTestEntry[] }).tests;
}

export function decodeTensor(bytes: Uint8Array): TensorView {
  return tensorFromProto(onnx.TensorProto.decode(bytes));
}

export function tensorFromProto(t: InstanceType<typeof onnx.TensorProto>): TensorView {
  const dtype = DTYPES[t.dataType];
  if (dtype === undefined) throw new Error(`unsupported TensorProto data_type ${t.dataType}`);
  const shape = t.dims.map((d) => Number(d));
  const n = sizeOf(shape);
  const data = allocArray(dtype, n);
  if (t.rawData && t.rawData.length > 0) {
    const raw = new Uint8Array(t.rawData);
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(raw.subarray(0, data.byteLength));
  } else {
    const src: ArrayLike<unknown> =
      dtype === 'float32' ? t.floatData
      : dtype === 'float64' ? t.doubleData
      : dtype === 'int64' ? t.int64Data
      : t.int32Data;
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if (dtype === 'int64') (data as BigInt64Array)[i] = BigInt(String(v));
      else (data as Float32Array)[i] = Number(v);
    }
  }
  return { dtype, shape, data };
}

function attrValue(a: InstanceType<typeof onnx.AttributeProto>): AttrValue | undefined {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f;
    case T.INT: return Number(a.i);
    case T.STRING: return new TextDecoder().decode(a.s);
    case T.FLOATS: return [...a.floats];
    case T.INTS: return a.ints.map((v) => Number(v));
    case T.STRINGS: return a.strings.map((s) => new TextDecoder().decode(s));
    case T.TENSOR: {
      // As compiler/ir/graph.ts kernelAttrs: a one-element tensor (ConstantOfShape's value) reaches kernels as its number.
      const t = a.t ? tensorFromProto(a.t as InstanceType<typeof onnx.TensorProto>) : undefined;
      return t && t.data.length === 1 ? Number(t.data[0]) : undefined;
    }
    default: return undefined;
  }
}

export interface LoadedNodeTest {
  readonly op: string;
  readonly attrs: Attrs;
  readonly inputs: (TensorView | undefined)[];
  readonly expected: TensorView[];
  /** Why the test cannot run as a single kernel call, if it cannot. */
  readonly skip?: string;
}

export function loadNodeTest(entry: NodeTestEntry): LoadedNodeTest {
  const dir = join(NODE_TESTS_DIR, entry.path);
  const model = onnx.ModelProto.decode(readFileSync(join(dir, 'model.onnx')));
  // Decoded messages are class instances whose repeated fields are always present.
  const graph = model.graph as InstanceType<typeof onnx.GraphProto>;
  const node = graph.node[0] as InstanceType<typeof onnx.NodeProto>;
  const attrs: Record<string, AttrValue> = {};
  for (const a of node.attribute as InstanceType<typeof onnx.AttributeProto>[]) {
    const v = attrValue(a);
    if (v !== undefined) attrs[a.name] = v;
  }
  const base = { op: node.opType, attrs, inputs: [], expected: [] };
  if (graph.node.length !== 1) return { ...base, skip: `${graph.node.length} nodes` };
  // An If's kernel reads its branches' outputs, which the compiler flattens into the graph: the
  // compiled node tests (npm run conformance) run it, one kernel alone cannot.
  if ((node.attribute as InstanceType<typeof onnx.AttributeProto>[]).some((a) => a.type === 5 || a.type === 10)) return { ...base, skip: 'subgraph attributes (run by the compiled conformance tests)' };
  // Initializers (the weights of the opset-6 pytorch-converted tests) are fed like inputs.
  const initializers = new Map(graph.initializer.map((t) => [t.name as string, tensorFromProto(t as InstanceType<typeof onnx.TensorProto>)]));
  const data = join(dir, 'test_data_set_0');
  try {
    return loadData(node, graph, data, base, initializers);
  } catch (e) {
    return { ...base, skip: (e as Error).message };
  }
}

function loadData(
  node: InstanceType<typeof onnx.NodeProto>, graph: InstanceType<typeof onnx.GraphProto>, data: string,
  base: LoadedNodeTest, initializers: Map<string, TensorView>,
): LoadedNodeTest {
  const graphInputs = graph.input.map((i) => i.name as string).filter((n) => !initializers.has(n));
  const fed = new Map(graphInputs.map((name, i) => [name, decodeTensor(readFileSync(join(data, `input_${i}.pb`)))]));
  for (const [name, t] of initializers) fed.set(name, t);
  const inputs = (node.input as string[]).map((name) => (name === '' ? undefined : fed.get(name)));
  if ((node.input as string[]).some((name, i) => name !== '' && inputs[i] === undefined)) return { ...base, skip: 'node input is not a graph input' };
  // Outputs are matched by position: an omitted one before a used one (LSTM's Y with only Y_h
  // read) has no expected shape to allocate; the compiled path gives it a value (materialize-outputs).
  const outs = node.output as string[];
  if (outs.some((o, i) => o === '' && outs.slice(i + 1).some((later) => later !== ''))) return { ...base, skip: 'an omitted output precedes a used one (run through the compiler in the e2e conformance test)' };
  const expected = graph.output.map((_, i) => decodeTensor(readFileSync(join(data, `output_${i}.pb`))));
  return { op: base.op, attrs: base.attrs, inputs, expected };
}

/** First mismatch as a message (index, values, shape), or undefined when all match (the runner's comparison). */
export function compareTensors(got: TensorView, exp: TensorView, what: string): string | undefined {
  return compareTensor(got, { ...exp, name: '' }, what);
}

/** Prepares and runs `kernel` with outputs shaped like the expected ones; returns the outputs. */
export function runKernel(kernel: Kernel, node: string, inputs: (TensorView | undefined)[], attrs: Attrs, outputs: readonly { dtype: DType; shape: readonly number[] }[]): TensorView[] {
  const views: TensorView[] = outputs.map((o) => ({ dtype: o.dtype, shape: o.shape, data: allocArray(o.dtype, sizeOf(o.shape)) as TypedArray }));
  kernel.prepare({ node, inputs, outputs: views, attrs })();
  return views;
}

/** The ref kernel without epilogue for `op` that accepts `dtype`. */
export function findRef(kernels: readonly Kernel[], op: string, dtype: DType | undefined): Kernel | undefined {
  return kernels.find((k) => k.op === op && k.target === 'ref' && k.epilogue === ''
    && (k.dtypes === 'any' || (dtype !== undefined && k.dtypes.includes(dtype))));
}
