// Mutations of ONNX model files for fuzzing the compiler: byte-level damage (flips, truncations,
// insertions, deletions) and structured edits of the decoded ModelProto (dims, attributes,
// value names, dtypes, initializer sizes, nodes). A mutation is plain JSON, so a failing case
// is reproduced from its description alone; fast-check generates them (`mutationArb`).

import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

/** Positions and picks are plain naturals taken modulo what the model has, so one arbitrary fits every model. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'dim'; readonly pick: number; readonly value: number; readonly where: 'input' | 'initializer' | 'rank' }
  | { readonly kind: 'attr'; readonly pick: number; readonly value: number; readonly how: 'set' | 'add' | 'retype' | 'drop' }
  | { readonly kind: 'name'; readonly pick: number; readonly other: number; readonly how: NameEdit }
  | { readonly kind: 'dtype'; readonly pick: number; readonly code: number; readonly where: 'input' | 'initializer' }
  | { readonly kind: 'initSize'; readonly pick: number; readonly delta: number }
  | { readonly kind: 'node'; readonly pick: number; readonly other: number; readonly how: NodeEdit };

export type NameEdit = 'self' | 'other-value' | 'missing' | 'empty' | 'output-dup' | 'graph-output' | 'graph-input-dup';
export type NodeEdit = 'drop' | 'duplicate' | 'swap' | 'op' | 'clear-graph' | 'clear-inputs' | 'clear-outputs';

/** Dims and attribute values that break assumptions: zero, negatives, powers of two around int32 and beyond. */
export const INTERESTING_INTS: readonly number[] = [
  0, 1, -1, 2, 3, 4, 7, 16, 1000, 65535, 65536, 2 ** 24, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53 - 1, -(2 ** 31), -(2 ** 53 - 1),
];
const INTERESTING_FLOATS: readonly number[] = [0, -1, 0.5, 1e-30, 1e30, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
const STRINGS: readonly string[] = ['', 'SAME_UPPER', 'SAME_LOWER', 'VALID', 'NOTSET', 'constant', 'reflect', 'garbage', '\u0000'];
const OPS: readonly string[] = [
  'Relu', 'Add', 'Mul', 'Conv', 'Gemm', 'MatMul', 'Reshape', 'Transpose', 'Concat', 'Softmax', 'Gather', 'Slice', 'Flatten',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Identity', 'Squeeze', 'Unsqueeze', 'ReduceMean', 'Shape', 'Expand', 'Tile',
  'ConstantOfShape', 'Pad', 'Split', 'Cast', 'Clip', 'BatchNormalization', 'NoSuchOp', '',
];
const ATTR_NAMES: readonly string[] = ['axis', 'axes', 'perm', 'pads', 'strides', 'group', 'kernel_shape', 'dilations', 'transA', 'transB', 'alpha', 'to', 'keepdims', 'auto_pad', 'value'];

const nat = fc.nat({ max: 2 ** 30 });

/** One mutation; structured kinds are as likely as byte-level ones. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: nat, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: nat }),
  fc.record({ kind: fc.constant('insert' as const), at: nat, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: nat, count: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('dim' as const), pick: nat, value: fc.constantFrom(...INTERESTING_INTS), where: fc.constantFrom('input' as const, 'initializer' as const, 'rank' as const) }),
  fc.record({ kind: fc.constant('attr' as const), pick: nat, value: nat, how: fc.constantFrom('set' as const, 'add' as const, 'retype' as const, 'drop' as const) }),
  fc.record({
    kind: fc.constant('name' as const), pick: nat, other: nat,
    how: fc.constantFrom<NameEdit>('self', 'other-value', 'missing', 'empty', 'output-dup', 'graph-output', 'graph-input-dup'),
  }),
  fc.record({ kind: fc.constant('dtype' as const), pick: nat, code: fc.integer({ min: 0, max: 22 }), where: fc.constantFrom('input' as const, 'initializer' as const) }),
  fc.record({ kind: fc.constant('initSize' as const), pick: nat, delta: fc.integer({ min: -8, max: 8 }).filter((d) => d !== 0) }),
  fc.record({
    kind: fc.constant('node' as const), pick: nat, other: nat,
    how: fc.constantFrom<NodeEdit>('drop', 'duplicate', 'swap', 'op', 'clear-graph', 'clear-inputs', 'clear-outputs'),
  }),
);

/** One to three mutations applied in order. */
export const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(mutationArb, { minLength: 1, maxLength: 3 });

/** Applies `mutations` to a model file's bytes; never throws (an edit with nothing to act on is a no-op). */
export function mutateModel(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = bytes;
  for (const m of mutations) out = applyOne(out, m);
  return out;
}

function applyOne(bytes: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const out = Uint8Array.from(bytes);
      out[m.at % out.length] = m.value;
      return out;
    }
    case 'truncate': return bytes.slice(0, bytes.length === 0 ? 0 : m.at % bytes.length);
    case 'insert': {
      const at = m.at % (bytes.length + 1);
      const out = new Uint8Array(bytes.length + m.bytes.length);
      out.set(bytes.subarray(0, at));
      out.set(m.bytes, at);
      out.set(bytes.subarray(at), at + m.bytes.length);
      return out;
    }
    case 'delete': {
      if (bytes.length === 0) return bytes;
      const at = m.at % bytes.length;
      const out = new Uint8Array(bytes.length - Math.min(m.count, bytes.length - at));
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + m.count), at);
      return out;
    }
    default: {
      // Structured edits need a model that decodes; damaged bytes stay as they are.
      let model: OnnxTypes.ModelProto;
      try {
        model = onnx.ModelProto.decode(bytes);
      } catch {
        return bytes;
      }
      if (!model.graph) return bytes;
      editModel(model.graph, m);
      return onnx.ModelProto.encode(model).finish();
    }
  }
}

/** An int64 field value: a number when safe, else a Long-like {low, high} protobufjs encodes. */
function int64(v: number): number | { low: number; high: number; unsigned: boolean } {
  if (Number.isSafeInteger(v)) return v;
  return { low: 0, high: v < 0 ? -0x80000000 : 0x7fffffff, unsigned: false };
}

function pickFrom<T>(list: readonly T[] | null | undefined, i: number): T | undefined {
  return list && list.length > 0 ? list[i % list.length] : undefined;
}

function valueNames(g: OnnxTypes.IGraphProto): string[] {
  const names = new Set<string>();
  for (const t of g.initializer ?? []) if (t.name) names.add(t.name);
  for (const v of g.input ?? []) if (v.name) names.add(v.name);
  for (const n of g.node ?? []) for (const o of n.output ?? []) if (o) names.add(o);
  return [...names];
}

function editModel(g: OnnxTypes.IGraphProto, m: Mutation): void {
  switch (m.kind) {
    case 'dim': {
      if (m.where === 'input') {
        const dims = pickFrom(g.input, m.pick)?.type?.tensorType?.shape?.dim;
        const d = pickFrom(dims, m.pick >> 4);
        if (d) { d.dimValue = int64(m.value) as never; d.dimParam = ''; }
      } else if (m.where === 'initializer') {
        const t = pickFrom(g.initializer, m.pick);
        if (t && t.dims && t.dims.length > 0) t.dims[(m.pick >> 4) % t.dims.length] = int64(m.value) as never;
      } else {
        // Change the rank of a graph input: add or drop a dimension.
        const shape = pickFrom(g.input, m.pick)?.type?.tensorType?.shape;
        if (shape?.dim) {
          if (m.value % 2 === 0 && shape.dim.length > 0) shape.dim.pop();
          else shape.dim.push({ dimValue: int64(Math.abs(m.value) % 8) as never });
        }
      }
      return;
    }
    case 'attr': {
      const withAttrs = (g.node ?? []).filter((n) => (n.attribute ?? []).length > 0);
      if (m.how === 'add') {
        const n = pickFrom(g.node, m.pick);
        if (!n) return;
        const name = ATTR_NAMES[m.value % ATTR_NAMES.length]!;
        const v = INTERESTING_INTS[(m.value >> 4) % INTERESTING_INTS.length]!;
        n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== name), randomAttr(name, m.value, v)];
        return;
      }
      const n = pickFrom(withAttrs, m.pick);
      const a = pickFrom(n?.attribute, m.pick >> 4);
      if (!n || !a) return;
      if (m.how === 'drop') { n.attribute = n.attribute!.filter((x) => x !== a); return; }
      if (m.how === 'retype') { a.type = m.value % 12; return; }
      setAttr(a, m.value);
      return;
    }
    case 'name': return editName(g, m.pick, m.other, m.how);
    case 'dtype': {
      if (m.where === 'input') {
        const tt = pickFrom(g.input, m.pick)?.type?.tensorType;
        if (tt) tt.elemType = m.code;
      } else {
        const t = pickFrom(g.initializer, m.pick);
        if (t) t.dataType = m.code;
      }
      return;
    }
    case 'initSize': {
      const t = pickFrom(g.initializer, m.pick);
      if (!t) return;
      if (t.rawData && t.rawData.length > 0) {
        const n = Math.max(0, t.rawData.length + m.delta);
        const raw = new Uint8Array(n);
        raw.set(t.rawData.subarray(0, Math.min(n, t.rawData.length)));
        t.rawData = raw;
      } else if (t.floatData && t.floatData.length > 0) {
        t.floatData = m.delta < 0 ? t.floatData.slice(0, Math.max(0, t.floatData.length + m.delta)) : [...t.floatData, ...new Array<number>(m.delta).fill(1)];
      } else if (t.int64Data && t.int64Data.length > 0) {
        t.int64Data = m.delta < 0 ? t.int64Data.slice(0, Math.max(0, t.int64Data.length + m.delta)) : [...t.int64Data, ...new Array<number>(m.delta).fill(1)];
      }
      return;
    }
    case 'node': return editNodes(g, m.pick, m.other, m.how);
    default: return;
  }
}

function randomAttr(name: string, seed: number, v: number): OnnxTypes.IAttributeProto {
  switch (seed % 4) {
    case 0: return { name, type: 2, i: int64(v) as never };
    case 1: return { name, type: 7, ints: Array.from({ length: seed % 6 }, (_, k) => int64(INTERESTING_INTS[(seed + k) % INTERESTING_INTS.length]!)) as never };
    case 2: return { name, type: 1, f: INTERESTING_FLOATS[seed % INTERESTING_FLOATS.length]! };
    default: return { name, type: 3, s: new TextEncoder().encode(STRINGS[seed % STRINGS.length]!) };
  }
}

function setAttr(a: OnnxTypes.IAttributeProto, seed: number): void {
  const v = INTERESTING_INTS[seed % INTERESTING_INTS.length]!;
  switch (a.type) {
    case 2: a.i = int64(v) as never; return;
    case 7: {
      const ints = [...(a.ints ?? [])];
      if (seed % 3 === 0) ints.pop();
      else if (seed % 3 === 1) ints.push(int64(v) as never);
      else if (ints.length > 0) ints[(seed >> 5) % ints.length] = int64(v) as never;
      a.ints = ints;
      return;
    }
    case 1: a.f = INTERESTING_FLOATS[seed % INTERESTING_FLOATS.length]!; return;
    case 6: {
      const floats = [...(a.floats ?? [])];
      if (floats.length > 0 && seed % 2 === 0) floats[(seed >> 5) % floats.length] = INTERESTING_FLOATS[seed % INTERESTING_FLOATS.length]!;
      else floats.pop();
      a.floats = floats;
      return;
    }
    case 3: a.s = new TextEncoder().encode(STRINGS[seed % STRINGS.length]!); return;
    case 4: {
      // A tensor attribute (Constant's value): change its dims or its dtype.
      if (!a.t) return;
      if (seed % 2 === 0 && a.t.dims && a.t.dims.length > 0) a.t.dims[0] = int64(v) as never;
      else a.t.dataType = seed % 20;
      return;
    }
    default: return;
  }
}

function editName(g: OnnxTypes.IGraphProto, pick: number, other: number, how: NameEdit): void {
  const nodes = g.node ?? [];
  const names = valueNames(g);
  const n = pickFrom(nodes, pick);
  switch (how) {
    case 'self': {
      // A node consuming its own output.
      if (!n || !n.output?.[0]) return;
      const inputs = [...(n.input ?? [])];
      if (inputs.length === 0) inputs.push(n.output[0]); else inputs[(pick >> 4) % inputs.length] = n.output[0];
      n.input = inputs;
      return;
    }
    case 'other-value': {
      // Any value, which may be produced later (a cycle) or be the wrong kind.
      if (!n || !n.input || n.input.length === 0) return;
      const to = pickFrom(names, other);
      if (to !== undefined) n.input[(pick >> 4) % n.input.length] = to;
      return;
    }
    case 'missing':
      if (n?.input && n.input.length > 0) n.input[(pick >> 4) % n.input.length] = `ghost_${other % 100}`;
      return;
    case 'empty':
      if (n?.input && n.input.length > 0) n.input[(pick >> 4) % n.input.length] = '';
      return;
    case 'output-dup': {
      // Two producers of one name.
      const to = pickFrom(names, other);
      if (n?.output && n.output.length > 0 && to !== undefined) n.output[0] = to;
      return;
    }
    case 'graph-output': {
      const o = pickFrom(g.output, pick);
      if (!o) return;
      if (other % 3 === 0) o.name = `ghost_${other % 100}`;
      else if (other % 3 === 1) g.output = [...g.output!, { ...o }];
      else o.name = pickFrom(names, other) ?? o.name;
      return;
    }
    case 'graph-input-dup': {
      const i = pickFrom(g.input, pick);
      if (!i) return;
      if (other % 2 === 0) g.input = [...g.input!, { ...i }];
      else i.name = pickFrom(names, other) ?? i.name;
      return;
    }
  }
}

function editNodes(g: OnnxTypes.IGraphProto, pick: number, other: number, how: NodeEdit): void {
  const nodes = [...(g.node ?? [])];
  if (how === 'clear-graph') { g.node = []; return; }
  if (how === 'clear-inputs') { g.input = []; return; }
  if (how === 'clear-outputs') { g.output = []; return; }
  if (nodes.length === 0) return;
  const i = pick % nodes.length;
  switch (how) {
    case 'drop': nodes.splice(i, 1); break;
    case 'duplicate': nodes.splice(i, 0, nodes[i]!); break;
    case 'swap': {
      const j = other % nodes.length;
      [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
      break;
    }
    case 'op': nodes[i]!.opType = OPS[other % OPS.length]!; break;
  }
  g.node = nodes;
}
