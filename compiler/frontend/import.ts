// onnx.ModelProto → spc IR. Owns the mapping of ONNX types, tensors (inline and external),
// attributes and Constant nodes to IR values, node naming and topological order.
// Node outputs get their Values from shape inference (analysis/shapes.ts), not here.

import { closeSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ONNX_DTYPES } from '../analysis/shapes.js';
import { SpcError } from '../errors.js';
import type { Attr, Constant, Dim, DType, Graph, Node, Value } from '../ir/graph.js';
import { makeGraph } from '../ir/graph.js';
import { allocArray, DTYPE_BYTES, viewArray } from '../../runtime/tensor.js';
import { WeightBudget } from '../limits.js';
import { openInside } from '../io/open-inside.js';
import type { TypedArray } from '../../runtime/tensor.js';
import { int64ToNumber } from './decode.js';
import type { ModelProto } from './decode.js';
import type { WireAttribute, WireGraph, WireNode, WireTensor } from './wire.js';
import { MAX_SUBGRAPH_DEPTH } from './wire.js';
import { echoList } from '../echo.js';
import { explicitOpsetForm } from './opset-forms.js';

type Int64 = number | { toNumber(): number; toString(): string };

const ONNX_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'undefined', 8: 'string', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

const DATA_LOCATION_EXTERNAL = 1;

const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, GRAPHS: 10 } as const;

const utf8 = new TextDecoder('utf-8');

export function dtypeOf(code: number, where: string): DType {
  const dt = ONNX_DTYPES[code];
  if (!dt) throw new SpcError(`${where}: unsupported element type ${ONNX_TYPE_NAMES[code] ?? code}`);
  return dt;
}

/**
 * Where external data is read from: a folder (the model's), and whether a file with several hard
 * links is read (io/open-inside.ts). A bare string is a folder with the default (refuse them).
 */
export type ExternalDataScope = string | { readonly dir: string; readonly allowHardlinks?: boolean };

/**
 * Imports a decoded model; `file` is the model's path (names errors, anchors external data).
 * Every tensor is charged to `budget` (its limits) before its data is decoded.
 */
export function importModel(model: ModelProto, file: string, budget: WeightBudget = new WeightBudget(), options: { readonly allowExternalHardlinks?: boolean } = {}): Graph {
  const graph = model.graph!;
  const opset = defaultOpset(model, file);
  const values: Value[] = [];
  const known = new Set<string>();
  const add = (v: Value, where: string): void => {
    if (known.has(v.name)) throw new SpcError(`${file}: value '${v.name}' is defined twice (${where})`);
    known.add(v.name);
    values.push(v);
  };

  const scope: ExternalDataScope = { dir: dirname(resolve(file)), allowHardlinks: options.allowExternalHardlinks };
  const initNames = new Set<string>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) throw new SpcError(`${file}: an initializer has no name`);
    initNames.add(name);
    const constant = decodeTensor(t, `${file}: initializer '${name}'`, scope, budget);
    add({ name, dtype: constant.dtype, shape: constant.shape, constant }, 'initializer');
  }
  if (graph.sparseInitializer && graph.sparseInitializer.length > 0) {
    throw new SpcError(`${file}: sparse initializers are not supported`);
  }

  const inputs: string[] = [];
  for (const vi of graph.input ?? []) {
    const name = vi.name ?? '';
    if (initNames.has(name)) continue;
    const tt = vi.type?.tensorType;
    if (!tt) throw new SpcError(`${file}: graph input '${name}' is not a tensor`);
    const dtype = dtypeOf(tt.elemType ?? 0, `${file}: graph input '${name}'`);
    if (!name) throw new SpcError(`${file}: a graph input has no name`);
    // Some exporters write dim_value -1 for a dynamic dimension; other negatives are nonsense.
    const shape: Dim[] | undefined = tt.shape
      ? (tt.shape.dim ?? []).map((d): Dim => {
        const value = d.dimValue !== null && d.dimValue !== undefined ? int64ToNumber(d.dimValue as Int64, `${file}: graph input '${name}' dim`) : -1;
        return value !== -1 ? value : d.dimParam ? d.dimParam : '?';
      })
      : undefined;
    const negative = shape?.find((d) => typeof d === 'number' && d < 0);
    if (negative !== undefined) throw new SpcError(`${file}: graph input '${name}': negative dimension ${negative} in ${echoList(shape!)}`);
    add(shape ? { name, dtype, shape } : { name, dtype }, 'graph input');
    inputs.push(name);
  }

  // Every name the top graph defines, before any branch is flattened: a branch-local name that
  // collides with one of them (or with another branch's) is renamed (see importNodes).
  const taken = new Set(known);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o !== '') taken.add(o);
  const top: Scope = { local: undefined, topNames: new Set(taken), branch: [], depth: 0 };
  const ctx: ImportContext = { file, opset, scope, budget, add, taken, usedNames: new Set<string>(), nodes: [] };
  importNodes(graph.node ?? [], top, ctx);
  const nodes = ctx.nodes;

  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  if (outputs.length === 0) throw new SpcError(`${file}: the graph has no outputs`);
  const seenOutputs = new Set<string>();
  for (const o of outputs) {
    if (o === '') throw new SpcError(`${file}: a graph output has no name`);
    if (seenOutputs.has(o)) throw new SpcError(`${file}: graph output '${o}' is listed twice`);
    seenOutputs.add(o);
  }
  const ordered = topoSort(nodes, new Set(known), file);
  const produced = new Set([...known, ...ordered.flatMap((n) => n.outputs)]);
  for (const o of outputs) {
    if (!produced.has(o)) throw new SpcError(`${file}: graph output '${o}' is not produced by any node, input or initializer`);
  }
  return makeGraph({ name: graph.name || 'main', opset, inputs, outputs, values, nodes: ordered });
}

function defaultOpset(model: ModelProto, file: string): number {
  for (const o of model.opsetImport) {
    if (!o.domain || o.domain === 'ai.onnx') return int64ToNumber(o.version as Int64, `${file}: opset_import version`);
  }
  throw new SpcError(`${file}: no opset_import for the default ONNX domain`);
}

/** Kahn's algorithm, taking ready nodes in file order so an already-sorted graph is unchanged. */
function topoSort(nodes: readonly Node[], available: Set<string>, file: string): Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (producer.has(o) || available.has(o)) throw new SpcError(`${file}: node '${n.name}': output '${o}' is already defined`);
      producer.set(o, i);
    }
  });
  const missing = new Map<number, number>();
  const consumers = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    let count = 0;
    for (const input of new Set(n.inputs)) {
      if (input === '' || available.has(input)) continue;
      if (!producer.has(input)) throw new SpcError(`${file}: node '${n.name}' (${n.op}): input '${input}' is not produced by any node, input or initializer`);
      count++;
      const list = consumers.get(input) ?? [];
      list.push(i);
      consumers.set(input, list);
    }
    missing.set(i, count);
  });
  const done = new Array<boolean>(nodes.length).fill(false);
  const out: Node[] = [];
  // The lowest ready index first, from a binary min-heap: sorting the ready list at every step
  // was quadratic on wide graphs (19 s for 10k branches of 10 nodes).
  const ready = new IndexHeap(nodes.length);
  nodes.forEach((_, i) => { if (missing.get(i) === 0) ready.push(i); });
  while (ready.size > 0) {
    const i = ready.pop();
    done[i] = true;
    out.push(nodes[i]!);
    for (const o of nodes[i]!.outputs) {
      for (const c of consumers.get(o) ?? []) {
        const m = missing.get(c)! - 1;
        missing.set(c, m);
        if (m === 0) ready.push(c);
      }
    }
  }
  if (out.length !== nodes.length) {
    const stuck = nodes.filter((_, i) => !done[i]).map((n) => n.name);
    throw new SpcError(`${file}: the graph has a cycle through nodes ${stuck.slice(0, 10).join(', ')}${stuck.length > 10 ? ', …' : ''}`);
  }
  return out;
}

/** A graph body being imported: the top graph, or an If branch flattened into it. */
interface Scope {
  /** The names this branch defines, as written → as named in the IR; undefined at the top (names kept). */
  readonly local: Map<string, string> | undefined;
  /** At the top: every name the top graph defines. */
  readonly topNames?: ReadonlySet<string>;
  readonly parent?: Scope;
  /** The `branch` tag of this scope's nodes (ir/graph.ts Node.branch). */
  readonly branch: readonly string[];
  readonly depth: number;
}

interface ImportContext {
  readonly file: string;
  /** The model's default-domain opset (branches share it). */
  readonly opset: number;
  readonly scope: ExternalDataScope;
  readonly budget: WeightBudget;
  readonly add: (v: Value, where: string) => void;
  /** Every IR name given so far (top-graph names up front, branch names as assigned). */
  readonly taken: Set<string>;
  readonly usedNames: Set<string>;
  readonly nodes: Node[];
}

/** The IR name of `name` as seen from `s` (its own definitions first, then the enclosing graphs'); undefined if none defines it. */
function resolveName(s: Scope, name: string): string | undefined {
  for (let at: Scope | undefined = s; at; at = at.parent) {
    if (!at.local) return at.topNames?.has(name) ? name : undefined;
    const hit = at.local.get(name);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * Imports one graph body's nodes into ctx.nodes. An If's branches are flattened into the same
 * node list: their values renamed where a name is already taken, their nodes tagged with the
 * branch (Node.branch), and the If node reading [cond, then outputs…, else outputs…], so
 * ordering, shape inference and folding see the branches' data flow as any other.
 */
function importNodes(wireNodes: readonly WireNode[], s: Scope, ctx: ImportContext): void {
  const { file } = ctx;
  const ref = (name: string, where: string): string => {
    if (name === '' || !s.local) return name;
    const r = resolveName(s, name);
    if (r === undefined) throw new SpcError(`${where}: input '${name}' is not defined in its branch or an enclosing graph`);
    return r;
  };
  wireNodes.forEach((n, index) => {
    const op = n.opType ?? '';
    const domain = n.domain ?? '';
    const base = n.name || (s.branch.length ? `${s.branch[s.branch.length - 1]}/${op}_${index}` : `${op}_${index}`);
    let name = base;
    // Keep names unique so every message names exactly one node.
    for (let k = 1; ctx.usedNames.has(name); k++) name = `${base}_${k}`;
    ctx.usedNames.add(name);
    const where = `${file}: node '${name}' (${op})`;
    const isDefault = domain === '' || domain === 'ai.onnx';
    const outputs = (n.output ?? []).map((o) => (o === '' || !s.local ? o : s.local.get(o)!));
    if (isDefault && op === 'Constant') {
      if (outputs.length !== 1) throw new SpcError(`${where}: expected one output`);
      const constant = constantNodeValue(n, where, ctx.scope, ctx.budget);
      ctx.add({ name: outputs[0]!, dtype: constant.dtype, shape: constant.shape, constant }, where);
      return;
    }
    const attrs: Record<string, Attr> = {};
    const branches: Record<string, WireGraph> = {};
    for (const a of n.attribute ?? []) {
      if (!a.name) throw new SpcError(`${where}: an attribute has no name`);
      if (Object.prototype.hasOwnProperty.call(attrs, a.name) || Object.prototype.hasOwnProperty.call(branches, a.name)) {
        throw new SpcError(`${where}: attribute '${a.name}' is given twice`);
      }
      if (a.type === AttrType.GRAPH && isDefault && op === 'If' && (a.name === 'then_branch' || a.name === 'else_branch')) {
        if (!a.g) throw new SpcError(`${where}: attribute '${a.name}' has no graph`);
        branches[a.name] = a.g;
        continue;
      }
      const attr = importAttr(a, `${where}: attribute '${a.name}'`, ctx.scope, ctx.budget, op);
      // defineProperty: an attribute named __proto__ stays a plain own property.
      if (attr) Object.defineProperty(attrs, a.name, { value: attr, enumerable: true, writable: true, configurable: true });
    }
    if (isDefault) explicitOpsetForm(op, ctx.opset, attrs);
    const inputs = (n.input ?? []).map((i) => ref(i, where));
    const tag = s.branch.length ? { branch: s.branch } : {};
    if (isDefault && op === 'If') {
      const taken = (['then_branch', 'else_branch'] as const).map((key) => {
        const body = branches[key];
        if (!body) throw new SpcError(`${where}: attribute '${key}' is missing`);
        return importBranch(body, `${name}:${key === 'then_branch' ? 'then' : 'else'}`, `${where}: ${key}`, s, ctx);
      });
      const [thenOuts, elseOuts] = taken as [string[], string[]];
      if (thenOuts.length !== outputs.length || elseOuts.length !== outputs.length) {
        throw new SpcError(`${where}: the node has ${outputs.length} outputs, then_branch ${thenOuts.length}, else_branch ${elseOuts.length}; they must agree`);
      }
      if (inputs.length !== 1) throw new SpcError(`${where}: expected one input (the condition), got ${inputs.length}`);
      ctx.nodes.push({ name, op, inputs: [...inputs, ...thenOuts, ...elseOuts], outputs, attrs, ...tag });
      return;
    }
    // Unsupported ops are reported together by the loader; a foreign domain stays visible in the op name.
    ctx.nodes.push({ name, op: isDefault ? op : `${domain}.${op}`, inputs, outputs, attrs, ...tag });
  });
}

/**
 * Flattens one If branch (`branch`: `<If name>:then|else`) into ctx; returns the IR names of its
 * outputs. A branch takes no inputs; it reads the enclosing graphs' values by name.
 */
function importBranch(body: WireGraph, branch: string, where: string, parent: Scope, ctx: ImportContext): string[] {
  // The decoder capped the nesting (MAX_SUBGRAPH_DEPTH); this guards the recursion on its own.
  if (parent.depth + 1 > MAX_SUBGRAPH_DEPTH) throw new SpcError(`${where}: subgraphs nest more than ${MAX_SUBGRAPH_DEPTH} levels deep`);
  const realInputs = (body.input ?? []).filter((vi) => !(body.initializer ?? []).some((t) => t.name === vi.name));
  if (realInputs.length > 0) throw new SpcError(`${where}: declares inputs (${realInputs.map((v) => `'${v.name ?? ''}'`).join(', ')}); an If branch takes none`);
  if (body.sparseInitializer && body.sparseInitializer.length > 0) throw new SpcError(`${where}: sparse initializers are not supported`);
  const local = new Map<string, string>();
  const define = (name: string): void => {
    if (name === '') return;
    if (local.has(name)) throw new SpcError(`${where}: value '${name}' is defined twice`);
    let ir = name;
    for (let k = 1; ctx.taken.has(ir); k++) ir = `${name}@${branch}${k > 1 ? `_${k}` : ''}`;
    ctx.taken.add(ir);
    local.set(name, ir);
  };
  for (const t of body.initializer ?? []) define(t.name ?? '');
  for (const n of body.node ?? []) for (const o of n.output ?? []) define(o);
  const s: Scope = { local, parent, branch: [...parent.branch, branch], depth: parent.depth + 1 };
  for (const t of body.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) throw new SpcError(`${where}: an initializer has no name`);
    const constant = decodeTensor(t, `${where}: initializer '${name}'`, ctx.scope, ctx.budget);
    ctx.add({ name: local.get(name)!, dtype: constant.dtype, shape: constant.shape, constant }, `${where}: initializer`);
  }
  importNodes(body.node ?? [], s, ctx);
  return (body.output ?? []).map((o) => {
    const name = o.name ?? '';
    const r = name === '' ? undefined : resolveName(s, name);
    if (r === undefined) throw new SpcError(`${where}: output '${name}' is not defined in the branch or an enclosing graph`);
    return r;
  });
}

/** A binary min-heap of distinct node indices (each pushed at most once, so `capacity` suffices). */
class IndexHeap {
  private readonly items: Int32Array;
  size = 0;
  constructor(capacity: number) { this.items = new Int32Array(capacity); }

  push(v: number): void {
    const h = this.items;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= v) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = v;
  }

  pop(): number {
    const h = this.items;
    const top = h[0]!;
    const last = h[--this.size]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.size) break;
      if (c + 1 < this.size && h[c + 1]! < h[c]!) c++;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

function importAttr(a: WireAttribute, where: string, scope: ExternalDataScope, budget: WeightBudget, op: string): Attr | undefined {
  switch (a.type) {
    case AttrType.INT: return { kind: 'int', value: attrInt64(a.i as Int64) };
    case AttrType.FLOAT: return { kind: 'float', value: a.f ?? 0 };
    case AttrType.STRING: return { kind: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case AttrType.INTS: return { kind: 'ints', value: (a.ints ?? []).map((v) => attrInt64(v as Int64)) };
    case AttrType.FLOATS: return { kind: 'floats', value: [...(a.floats ?? [])] };
    case AttrType.STRINGS: return { kind: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case AttrType.TENSOR:
      if (!a.t) throw new SpcError(`${where}: tensor attribute has no tensor`);
      return { kind: 'tensor', value: decodeTensor(a.t, where, scope, budget) };
    case AttrType.GRAPH: case AttrType.GRAPHS:
      // If's branches are imported by importNodes; Loop and Scan bodies are not.
      throw new SpcError(`${where}: subgraph attributes are supported on If (then_branch, else_branch) only, not on ${op}`);
    default:
      throw new SpcError(`${where}: unsupported attribute type ${a.type}`);
  }
}

/**
 * An int attribute as a JS number, saturated to ±(2^53 − 1): exporters write INT64_MAX / INT64_MIN
 * for "to the end" (opset-9 Slice ends, Split), which every op that reads them clamps to a
 * dimension anyway; a value that size anywhere else is refused by the op's own range checks.
 */
function attrInt64(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'number' ? v : v.toNumber();
  return Number.isSafeInteger(n) ? n : n > 0 ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

function constantNodeValue(n: WireNode, where: string, scope: ExternalDataScope, budget: WeightBudget): Constant {
  const a = n.attribute?.[0];
  if (!a || n.attribute!.length !== 1) throw new SpcError(`${where}: expected exactly one value attribute`);
  switch (a.name) {
    case 'value':
      if (!a.t) throw new SpcError(`${where}: attribute 'value' has no tensor`);
      return decodeTensor(a.t, `${where}: attribute 'value'`, scope, budget);
    case 'value_float': return { dtype: 'float32', shape: [], data: Float32Array.of(a.f ?? 0) };
    case 'value_floats': return { dtype: 'float32', shape: [a.floats?.length ?? 0], data: Float32Array.from(a.floats ?? []) };
    case 'value_int': return { dtype: 'int64', shape: [], data: BigInt64Array.of(int64Big(a.i as Int64)) };
    case 'value_ints': {
      const ints = a.ints ?? [];
      return { dtype: 'int64', shape: [ints.length], data: BigInt64Array.from(ints, (v) => int64Big(v as Int64)) };
    }
    default: throw new SpcError(`${where}: unsupported Constant attribute '${a.name}'`);
  }
}

function int64Big(v: Int64 | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  return typeof v === 'number' ? BigInt(v) : BigInt(v.toString());
}

/** Decodes a TensorProto into a fresh, aligned typed array, after charging it to `budget`. */
export function decodeTensor(t: WireTensor, where: string, scope: ExternalDataScope, budget: WeightBudget = new WeightBudget()): Constant {
  const dtype = dtypeOf(t.dataType ?? 0, where);
  const shape = (t.dims ?? []).map((d) => int64ToNumber(d as Int64, `${where}: dims`));
  if (shape.some((d) => d < 0)) throw new SpcError(`${where}: negative dimension in ${echoList(shape)}`);
  // Checked before allocating or reading external data: dims may claim terabytes.
  const count = budget.charge(shape, dtype, where);
  const nbytes = count * DTYPE_BYTES[dtype];
  if (t.dataLocation === DATA_LOCATION_EXTERNAL) {
    return { dtype, shape, data: fromBytes(dtype, readExternal(t, where, scope, nbytes), count) };
  }
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== nbytes) {
      throw new SpcError(`${where}: raw_data has ${t.rawData.length} bytes, shape ${echoList(shape)} of ${dtype} needs ${nbytes}`);
    }
    return { dtype, shape, data: fromBytes(dtype, t.rawData, count) };
  }
  // The typed field each dtype is stored in without raw_data: float16 as its bit patterns in
  // int32_data (as the narrow integers), uint32 and uint64 in uint64_data.
  const [field, src]: [string, ArrayLike<number | bigint | Int64>] =
    dtype === 'float32' ? ['float_data', t.floatData ?? []]
      : dtype === 'float64' ? ['double_data', t.doubleData ?? []]
        : dtype === 'int64' ? ['int64_data', t.int64Data ?? []]
          : dtype === 'uint32' || dtype === 'uint64' ? ['uint64_data', t.uint64Data ?? []]
            : ['int32_data', t.int32Data ?? []];
  // Check before allocating: a corrupt dims field must not become a huge allocation.
  if (src.length !== count) throw new SpcError(`${where}: ${field} has ${src.length} values, shape ${echoList(shape)} needs ${count}`);
  // The wire decoder already gives the data as a typed array of this dtype: keep it, no copy.
  if (src instanceof (allocArray(dtype, 0).constructor as new () => TypedArray)) return { dtype, shape, data: src as TypedArray };
  const data = allocArray(dtype, count);
  if (data instanceof BigInt64Array) for (let i = 0; i < count; i++) data[i] = int64Big(src[i] as Int64);
  else if (data instanceof BigUint64Array) for (let i = 0; i < count; i++) data[i] = BigInt.asUintN(64, int64Big(src[i] as Int64));
  else if (data instanceof Uint32Array) for (let i = 0; i < count; i++) data[i] = Number(BigInt.asUintN(32, int64Big(src[i] as Int64)));
  else (data as unknown as { set(a: ArrayLike<number | bigint | Int64>): void }).set(src);
  return { dtype, shape, data };
}

/** Copies little-endian bytes into a fresh buffer (so the view is aligned) and views them. */
function fromBytes(dtype: DType, bytes: Uint8Array, count: number): TypedArray {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return viewArray(dtype, copy.buffer, 0, count);
}

function readExternal(t: WireTensor, where: string, scope: ExternalDataScope, nbytes: number): Uint8Array {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new SpcError(`${where}: external data has no 'location'`);
  const parseInt64 = (key: string): number | undefined => {
    const s = entries.get(key);
    if (s === undefined) return undefined;
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new SpcError(`${where}: external data ${key} '${s}' is not a valid byte count`);
    return Number(s);
  };
  const offset = parseInt64('offset') ?? 0;
  const declared = parseInt64('length');
  // The length is checked against the tensor's bytes (already charged to the weight budget) before
  // reading: the read is bounded by both the file's size and the limits.
  if (declared !== undefined && declared !== nbytes) throw new SpcError(`${where}: external data length ${declared} does not match the tensor's ${nbytes} bytes`);
  const cannot = (why: string): SpcError => new SpcError(`${where}: cannot read external data file '${location}': ${why}`);
  let file;
  try {
    file = openInside(typeof scope === 'string' ? scope : scope.dir, location, { allowHardlinks: typeof scope !== 'string' && scope.allowHardlinks });
  } catch (e) {
    if (e instanceof SpcError) throw cannot(e.message);
    throw e;
  }
  try {
    const size = file.size;
    const length = declared ?? size - offset;
    if (offset > size || offset + length > size) {
      throw new SpcError(`${where}: external data range offset ${offset} length ${length} is outside '${location}' (${size} bytes)`);
    }
    if (length !== nbytes) throw new SpcError(`${where}: external data length ${length} does not match the tensor's ${nbytes} bytes`);
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      let r: number;
      try {
        r = readSync(file.fd, buf, got, length - got, offset + got);
      } catch (e) {
        throw cannot(`read failed (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
      if (r === 0) throw new SpcError(`${where}: external data file '${location}' ended early`);
      got += r;
    }
    return buf;
  } finally {
    closeSync(file.fd);
  }
}
