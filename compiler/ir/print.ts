// A stable textual form of the IR, for golden tests and `--print-ir`. One line per node;
// constants are summarized by dtype and shape (tiny ones, such as folded shapes, show their data).

import type { Attr, Constant, Dim, DType, Graph, Node, Value } from './graph.js';

const SHORT: Readonly<Record<DType, string>> = {
  float32: 'f32', float64: 'f64', int64: 'i64', int32: 'i32', int16: 'i16', int8: 'i8', uint8: 'u8', uint16: 'u16', bool: 'bool',
  float16: 'f16', uint32: 'u32', uint64: 'u64',
};

/** Constants with at most this many elements print their data. */
const INLINE_ELEMENTS = 8;

export function typeString(dtype: DType, shape: readonly Dim[] | undefined): string {
  return `${SHORT[dtype] ?? dtype}${shape ? `[${shape.join(',')}]` : ''}`;
}

function valueType(v: Value | undefined): string {
  return v ? typeString(v.dtype, v.shape ?? v.constant?.shape) : '<undefined>';
}

function formatFloat(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const s = String(Number(x.toPrecision(7)));
  return /[.e]/.test(s) || s.includes('Infinity') ? s : `${s}.0`;
}

function formatConstantData(c: Constant): string {
  const xs: string[] = [];
  for (let i = 0; i < c.data.length; i++) {
    const x = c.data[i]!;
    xs.push(typeof x === 'bigint' ? x.toString() : c.dtype === 'float32' || c.dtype === 'float64' ? formatFloat(x) : String(x));
  }
  return `[${xs.join(',')}]`;
}

function formatAttr(a: Attr): string {
  switch (a.kind) {
    case 'int': return String(a.value);
    case 'float': return formatFloat(a.value);
    case 'string': return JSON.stringify(a.value);
    case 'ints': return `[${a.value.join(',')}]`;
    case 'floats': return `[${a.value.map(formatFloat).join(',')}]`;
    case 'strings': return `[${a.value.map((s) => JSON.stringify(s)).join(',')}]`;
    case 'tensor': return `<tensor ${typeString(a.value.dtype, a.value.shape)}>`;
  }
}

export function printNode(g: Graph, n: Node): string {
  const outs = n.outputs.map((o) => (o === '' ? '_' : `%${o}:${valueType(g.values.get(o))}`)).join(', ');
  const ins = n.inputs.map((x) => (x === '' ? '_' : `%${x}`)).join(', ');
  const keys = Object.keys(n.attrs).sort();
  const attrs = keys.length ? ` {${keys.map((k) => `${k}=${formatAttr(n.attrs[k]!)}`).join(', ')}}` : '';
  const kernel = n.kernel ? `  # kernel ${n.kernel}` : '';
  return `${outs} = ${n.op}(${ins})${attrs}${kernel}`;
}

/** The whole graph as text: header, inputs, constants, nodes, outputs. */
export function printGraph(g: Graph): string {
  const lines = [`graph ${g.name} (opset ${g.opset})`];
  for (const x of g.inputs) lines.push(`  input %${x}:${valueType(g.values.get(x))}`);
  for (const v of g.values.values()) {
    if (!v.constant) continue;
    const data = v.constant.data.length <= INLINE_ELEMENTS ? ` = ${formatConstantData(v.constant)}` : '';
    lines.push(`  const %${v.name}:${valueType(v)}${data}`);
  }
  for (const n of g.nodes) lines.push(`  ${printNode(g, n)}`);
  lines.push(`  return ${g.outputs.map((o) => `%${o}`).join(', ')}`);
  return lines.join('\n') + '\n';
}
