// spc IR → ordinary ONNX (ModelProto bytes) that onnxruntime runs: for `--emit-onnx`, so a
// pruned model can be checked against, or deployed with, any ONNX runtime.
//
// Every constant becomes an initializer (raw_data, little-endian; a weight stored quantized, its
// codes and a DequantizeLinear: a QDQ model); fused epilogues
// (`spc_activation` on Conv/Gemm/MatMul) are expanded back into a Relu or Clip node; every
// attribute whose name starts with `spc_` is dropped. The bytes depend only on the graph: no
// version, timestamp or path is written.

import onnxProto from 'onnx-proto';
import { ONNX_DTYPES } from '../analysis/shapes.js';
import type { Attr, Constant, Dim, DType, Graph, Value } from '../ir/graph.js';
import { attrFloat, attrString } from '../ir/graph.js';
import { DTYPE_BYTES } from '../../runtime/tensor.js';
import { toFloat16Bits } from '../../runtime/float16.js';
import { quantizeDense } from '../../runtime/quant/stored.js';

const { onnx } = onnxProto;

/** float32's largest finite value: a fused Clip bound at ±this stands for "no bound". */
const FLOAT32_MAX = 3.4028234663852886e38;

const IR_VERSION = 8;

const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const ELEM_TYPE: Readonly<Record<DType, number>> = Object.fromEntries(
  Object.entries(ONNX_DTYPES).map(([code, dt]) => [dt, Number(code)]),
) as Record<DType, number>;

const utf8 = new TextEncoder();

/**
 * An If as spc flattens it (inputs [cond, then outputs…, else outputs…], both branches' nodes
 * already in the graph) is, in ONNX, a Where per output on the condition made a scalar: the same
 * values, with both branches computed, as the flattened graph says.
 */
function emitIf(n: Graph['nodes'][number], names: UniqueNames, initializers: onnxProto.onnx.ITensorProto[], nodes: onnxProto.onnx.INodeProto[]): void {
  const k = n.outputs.length;
  const scalar = names.value(`${n.name}_scalar_shape`);
  initializers.push(tensorProto(scalar, { dtype: 'int64', shape: [0], data: new BigInt64Array(0) }));
  const cond = names.value(`${n.name}_cond`);
  nodes.push(nodeProto(names.node(`${n.name}_cond`), '', 'Reshape', [n.inputs[0]!, scalar], [cond], {}));
  n.outputs.forEach((o, i) => {
    nodes.push(nodeProto(i === 0 ? n.name : names.node(`${n.name}_${i}`), '', 'Where', [cond, n.inputs[1 + i]!, n.inputs[1 + k + i]!], [o], {}));
  });
}

/** Gelu's first ONNX opset; fuse-gelu fuses it into graphs of any opset. */
const GELU_OPSET = 20;

/**
 * A Gelu in a graph below opset 20 (fused by fuse-gelu) is written back as the chain it was
 * fused from, so that the emitted model stays valid ONNX at its opset: x·(1 + Erf(x/√2))·0.5, or
 * x·(1 + Tanh(√(2/π)·(x + 0.044715·x³)))·0.5 for approximate 'tanh'.
 */
function emitGelu(n: Graph['nodes'][number], names: UniqueNames, initializers: onnxProto.onnx.ITensorProto[], nodes: onnxProto.onnx.INodeProto[]): void {
  const x = n.inputs[0]!, y = n.outputs[0]!;
  const k = (v: number, base: string): string => {
    const name = names.value(`${n.name}_${base}`);
    initializers.push(tensorProto(name, { dtype: 'float32', shape: [], data: Float32Array.of(v) }));
    return name;
  };
  const step = (op: string, inputs: string[], base: string): string => {
    const out = names.value(`${n.name}_${base}`);
    nodes.push(nodeProto(names.node(`${n.name}_${base}`), '', op, inputs, [out], {}));
    return out;
  };
  let f: string;
  if (attrString(n, 'approximate', 'none') === 'tanh') {
    const cube = step('Mul', [x, step('Mul', [x, x], 'sq')], 'cube');
    const inner = step('Add', [x, step('Mul', [cube, k(0.044715, 'c')], 'term')], 'inner');
    f = step('Tanh', [step('Mul', [inner, k(Math.sqrt(2 / Math.PI), 'k')], 'u')], 'tanh');
  } else {
    f = step('Erf', [step('Div', [x, k(Math.SQRT2, 'sqrt2')], 'z')], 'erf');
  }
  const xq = step('Mul', [x, step('Add', [f, k(1, 'one')], 'q')], 'xq');
  nodes.push(nodeProto(n.name, '', 'Mul', [xq, k(0.5, 'half')], [y], {}));
}

/**
 * A weight stored quantized (--quantize), as ONNX stores it: int8 codes with a DequantizeLinear
 * (per axis from opset 13; before it, where DequantizeLinear has no axis, Cast then Mul by the
 * scales shaped to broadcast along the axis: the same one rounding of (q − 0)·s), or float16 with
 * a Cast to float. Either gives back exactly the float32 weight spc computed with.
 */
function emitDequantized(v: Value, opset: number, names: UniqueNames, initializers: onnxProto.onnx.ITensorProto[], nodes: onnxProto.onnx.INodeProto[]): void {
  const q = v.quantization!;
  const c = v.constant!;
  const data = c.data as Float32Array;
  if (q.kind === 'float16') {
    const stored = names.value(`${v.name}_float16`);
    initializers.push(tensorProto(stored, { dtype: 'float16', shape: c.shape, data: Uint16Array.from(data, toFloat16Bits) }));
    nodes.push(nodeProto(names.node(`${v.name}_dequantize`), '', 'Cast', [stored], [v.name], { to: { kind: 'int', value: ELEM_TYPE.float32 } }));
    return;
  }
  const spec = { dtype: 'int8' as const, axis: q.axis, scales: q.scales! };
  const codes = quantizeDense(spec, c.shape, data).values as Int8Array;
  const stored = names.value(`${v.name}_quantized`);
  const scale = names.value(`${v.name}_scale`);
  const name = names.node(`${v.name}_dequantize`);
  initializers.push(tensorProto(stored, { dtype: 'int8', shape: c.shape, data: codes }));
  if (opset >= 13) {
    const zero = names.value(`${v.name}_zero_point`);
    initializers.push(tensorProto(scale, { dtype: 'float32', shape: [q.scales!.length], data: q.scales! }));
    initializers.push(tensorProto(zero, { dtype: 'int8', shape: [q.scales!.length], data: new Int8Array(q.scales!.length) }));
    nodes.push(nodeProto(name, '', 'DequantizeLinear', [stored, scale, zero], [v.name], { axis: { kind: 'int', value: q.axis } }));
    return;
  }
  const widened = names.value(`${v.name}_widened`);
  const along = c.shape.map((d, i) => (i === q.axis ? d : 1));
  initializers.push(tensorProto(scale, { dtype: 'float32', shape: along, data: q.scales! }));
  nodes.push(nodeProto(names.node(`${v.name}_widen`), '', 'Cast', [stored], [widened], { to: { kind: 'int', value: ELEM_TYPE.float32 } }));
  nodes.push(nodeProto(name, '', 'Mul', [widened, scale], [v.name], {}));
}

/** Serializes `g` as an ONNX model (ir_version 8, default-domain opset `g.opset`). */
export function emitOnnx(g: Graph): Uint8Array {
  const names = new UniqueNames(g);
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const domains = new Set<string>();

  // Constants that something reads (a node or a graph output), in value order; a quantized
  // weight as its stored codes and the node that dequantizes them (QDQ).
  const used = new Set<string>([...g.outputs, ...g.nodes.flatMap((n) => n.inputs)]);
  for (const v of g.values.values()) {
    if (!v.constant || !used.has(v.name)) continue;
    if (v.quantization) emitDequantized(v, g.opset, names, initializers, nodes);
    else initializers.push(tensorProto(v.name, v.constant));
  }

  for (const n of g.nodes) {
    const { domain, opType } = splitOp(n.op);
    if (domain !== '') domains.add(domain);
    if (n.op === 'If') {
      emitIf(n, names, initializers, nodes);
      continue;
    }
    if (n.op === 'Gelu' && g.opset < GELU_OPSET) {
      emitGelu(n, names, initializers, nodes);
      continue;
    }
    const act = n.attrs['spc_activation'];
    if (!act) {
      nodes.push(nodeProto(n.name, domain, opType, n.inputs, n.outputs, n.attrs));
      continue;
    }
    if (act.kind !== 'string' || (act.value !== 'relu' && act.value !== 'clip')) {
      throw new Error(`emitOnnx: node '${n.name}' (${n.op}): unknown spc_activation ${JSON.stringify(act.value)}`);
    }
    const y = n.outputs[0]!;
    const pre = names.value(`${y}_pre_act`);
    nodes.push(nodeProto(n.name, domain, opType, n.inputs, [pre, ...n.outputs.slice(1)], n.attrs));
    const actName = names.node(`${n.name}_act`);
    if (act.value === 'relu') {
      nodes.push(nodeProto(actName, '', 'Relu', [pre], [y], {}));
      continue;
    }
    const lo = attrFloat(n, 'spc_act_min', -FLOAT32_MAX);
    const hi = attrFloat(n, 'spc_act_max', FLOAT32_MAX);
    const hasLo = lo > -FLOAT32_MAX;
    const hasHi = hi < FLOAT32_MAX;
    if (g.opset >= 11) {
      const inputs = [pre];
      const bound = (v: number, base: string): string => {
        const name = names.value(`${n.name}_${base}`);
        initializers.push(tensorProto(name, { dtype: 'float32', shape: [], data: Float32Array.of(v) }));
        return name;
      };
      if (hasLo || hasHi) inputs.push(hasLo ? bound(lo, 'clip_min') : '');
      if (hasHi) inputs.push(bound(hi, 'clip_max'));
      nodes.push(nodeProto(actName, '', 'Clip', inputs, [y], {}));
    } else {
      const attrs: Record<string, Attr> = {};
      if (hasLo) attrs['min'] = { kind: 'float', value: lo };
      if (hasHi) attrs['max'] = { kind: 'float', value: hi };
      nodes.push(nodeProto(actName, '', 'Clip', [pre], [y], attrs));
    }
  }

  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    producerName: 'spc',
    opsetImport: [
      { domain: '', version: g.opset },
      ...[...domains].sort().map((d) => ({ domain: d, version: 1 })),
    ],
    graph: {
      name: g.name,
      node: nodes,
      initializer: initializers,
      input: g.inputs.map((x) => valueInfo(g, x)),
      output: g.outputs.map((x) => valueInfo(g, x)),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** 'com.microsoft.FusedConv' → domain 'com.microsoft', op 'FusedConv' (the importer's naming). */
function splitOp(op: string): { domain: string; opType: string } {
  const i = op.lastIndexOf('.');
  return i < 0 ? { domain: '', opType: op } : { domain: op.slice(0, i), opType: op.slice(i + 1) };
}

/** Fresh value and node names that collide with nothing in the graph or already handed out. */
class UniqueNames {
  private readonly taken = new Set<string>();
  constructor(g: Graph) {
    for (const v of g.values.keys()) this.taken.add(v);
    for (const n of g.nodes) for (const x of [...n.inputs, ...n.outputs, n.name]) this.taken.add(x);
  }
  value(base: string): string { return this.fresh(base); }
  node(base: string): string { return this.fresh(base); }
  private fresh(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }
}

function valueInfo(g: Graph, name: string): onnxProto.onnx.IValueInfoProto {
  const v: Value | undefined = g.values.get(name);
  if (!v) throw new Error(`emitOnnx: graph '${g.name}' has no value '${name}'`);
  const tensorType: onnxProto.onnx.TypeProto.ITensor = { elemType: elemType(v.dtype) };
  if (v.shape) tensorType.shape = { dim: v.shape.map(dimProto) };
  return { name, type: { tensorType } };
}

function dimProto(d: Dim): onnxProto.onnx.TensorShapeProto.IDimension {
  if (typeof d === 'number') return { dimValue: d };
  return d === '?' ? {} : { dimParam: d };
}

function elemType(dt: DType): number {
  const code = ELEM_TYPE[dt];
  if (code === undefined) throw new Error(`emitOnnx: no ONNX element type for ${dt}`);
  return code;
}

function nodeProto(
  name: string, domain: string, opType: string, inputs: readonly string[], outputs: readonly string[],
  attrs: Readonly<Record<string, Attr>>,
): onnxProto.onnx.INodeProto {
  const attribute: onnxProto.onnx.IAttributeProto[] = [];
  for (const [k, a] of Object.entries(attrs)) {
    if (k.startsWith('spc_')) continue;
    attribute.push(attrProto(k, a));
  }
  const node: onnxProto.onnx.INodeProto = { name, opType, input: [...inputs], output: [...outputs], attribute };
  if (domain !== '') node.domain = domain;
  return node;
}

function attrProto(name: string, a: Attr): onnxProto.onnx.IAttributeProto {
  switch (a.kind) {
    case 'int': return { name, type: AttrType.INT, i: a.value };
    case 'float': return { name, type: AttrType.FLOAT, f: a.value };
    case 'string': return { name, type: AttrType.STRING, s: utf8.encode(a.value) };
    case 'ints': return { name, type: AttrType.INTS, ints: [...a.value] };
    case 'floats': return { name, type: AttrType.FLOATS, floats: [...a.value] };
    case 'strings': return { name, type: AttrType.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'tensor': return { name, type: AttrType.TENSOR, t: tensorProto('', a.value) };
  }
}

function tensorProto(name: string, c: Constant): onnxProto.onnx.ITensorProto {
  const t: onnxProto.onnx.ITensorProto = { dims: [...c.shape], dataType: elemType(c.dtype), rawData: rawBytes(c) };
  if (name !== '') t.name = name;
  return t;
}

/** The constant's elements as little-endian bytes, whatever the host's byte order. */
function rawBytes(c: Constant): Uint8Array {
  const n = c.data.length;
  const out = new Uint8Array(n * DTYPE_BYTES[c.dtype]);
  const dv = new DataView(out.buffer);
  const d = c.data;
  switch (c.dtype) {
    case 'float32': for (let i = 0; i < n; i++) dv.setFloat32(i * 4, Number(d[i]), true); break;
    case 'float64': for (let i = 0; i < n; i++) dv.setFloat64(i * 8, Number(d[i]), true); break;
    case 'int64': for (let i = 0; i < n; i++) dv.setBigInt64(i * 8, BigInt(d[i]!), true); break;
    case 'int32': for (let i = 0; i < n; i++) dv.setInt32(i * 4, Number(d[i]), true); break;
    case 'int16': for (let i = 0; i < n; i++) dv.setInt16(i * 2, Number(d[i]), true); break;
    case 'uint16': case 'float16': for (let i = 0; i < n; i++) dv.setUint16(i * 2, Number(d[i]), true); break;
    case 'uint32': for (let i = 0; i < n; i++) dv.setUint32(i * 4, Number(d[i]), true); break;
    case 'uint64': for (let i = 0; i < n; i++) dv.setBigUint64(i * 8, BigInt(d[i]!), true); break;
    case 'int8': for (let i = 0; i < n; i++) dv.setInt8(i, Number(d[i])); break;
    case 'uint8': for (let i = 0; i < n; i++) dv.setUint8(i, Number(d[i])); break;
    case 'bool': for (let i = 0; i < n; i++) dv.setUint8(i, d[i] ? 1 : 0); break;
  }
  return out;
}
