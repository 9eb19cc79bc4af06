// The ONNX protobuf decoder: bytes → the part of ModelProto / TensorProto that spc imports, with
// the limits applied while decoding, so a hostile file is refused before it is materialized. A
// graph's nodes and values are counted on the wire before any is decoded; every other list is
// charged before it is allocated; tensor data goes straight into a typed array of the size the
// dims declare. Subgraphs (an If's branches) are decoded like the main graph, their nodes and values
// counted with it, nested at most MAX_SUBGRAPH_DEPTH deep. Fields spc never reads (docs,
// value_info, functions, a GRAPHS attribute's bodies) are skipped.

import { SpcError } from '../errors.js';
import { echoList } from '../echo.js';
import { checkGraphSize, tensorElements } from '../limits.js';
import type { Limits } from '../limits.js';
import { boundedElements, overLimit } from '../../runtime/loader/limits.js';

/** An int64 field: a number when it is a safe integer, else an exact wrapper (what int64ToNumber reads). */
export type WireInt64 = number | { toNumber(): number; toString(): string };

export interface WireTensor {
  name?: string;
  dims?: WireInt64[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: ArrayLike<number>;
  int32Data?: ArrayLike<number>;
  int64Data?: ArrayLike<WireInt64 | bigint>;
  doubleData?: ArrayLike<number>;
  /** uint32 and uint64 values (TensorProto.uint64_data). */
  uint64Data?: ArrayLike<WireInt64 | bigint>;
  externalData?: { key?: string | null; value?: string | null }[];
  dataLocation?: number;
}

export interface WireAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: WireInt64;
  s?: Uint8Array;
  t?: WireTensor;
  /** A GRAPH attribute's body (an If's then_branch / else_branch). */
  g?: WireGraph;
  /** A GRAPHS attribute is not decoded (spc refuses it): only its presence is kept. */
  graphs?: object;
  floats?: number[];
  ints?: WireInt64[];
  strings?: Uint8Array[];
}

export interface WireNode {
  name?: string;
  opType?: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: WireAttribute[];
}

export interface WireDim { dimValue?: WireInt64; dimParam?: string }
export interface WireValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim: WireDim[] } } };
}

export interface WireGraph {
  name?: string;
  node: WireNode[];
  initializer: WireTensor[];
  /** Sparse initializers are not decoded (spc refuses them): one placeholder each. */
  sparseInitializer: object[];
  input: WireValueInfo[];
  output: WireValueInfo[];
}

export interface WireModel {
  irVersion?: WireInt64;
  opsetImport: { domain?: string; version?: WireInt64 }[];
  graph?: WireGraph;
}

/** Converts a protobuf int64 (number or Long) to a number, failing outside the safe range. */
export function int64ToNumber(v: number | { toNumber(): number; toString(): string } | null | undefined, what: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  if (!Number.isSafeInteger(n)) throw new SpcError(`${what}: value ${v.toString()} is outside the safe integer range`);
  return n;
}

/** A malformed protobuf (truncated, bad wire type): decodeModel turns it into an SpcError naming the file. */
export class WireError extends Error {}

const utf8 = new TextDecoder('utf-8');
const TWO32 = 2 ** 32;
const VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

/** A cursor over one message's bytes [pos, end). */
class Cursor {
  constructor(readonly buf: Uint8Array, public pos: number, readonly end: number) {}

  get done(): boolean { return this.pos >= this.end; }

  byte(): number {
    if (this.pos >= this.end) throw new WireError('index out of range (truncated message)');
    return this.buf[this.pos++]!;
  }

  /** A varint's low 32 bits (unsigned); the high bits are read and dropped. */
  uint32(): number {
    let v = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.byte();
      if (shift < 32) v |= (b & 0x7f) << shift;
      if (b < 0x80) return v >>> 0;
    }
    throw new WireError('invalid varint encoding');
  }

  /** A varint as [low 32 bits, high 32 bits], both unsigned. */
  uint64(): [number, number] {
    let lo = 0, hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.byte(), bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) { lo |= bits << 28; hi |= bits >>> 4; }
      else hi |= bits << (shift - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new WireError('invalid varint encoding');
  }

  int64(): WireInt64 {
    const [lo, hi] = this.uint64();
    const signed = (hi | 0) * TWO32 + lo;
    if (Number.isSafeInteger(signed)) return signed;
    const big = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
    return { toNumber: () => Number(big), toString: () => big.toString() };
  }

  length(): number {
    const n = this.uint32();
    if (n > this.end - this.pos) throw new WireError('index out of range (a field runs past its message)');
    return n;
  }

  /** The next length-delimited field as a sub-cursor; the parent moves past it. */
  sub(): Cursor {
    const n = this.length();
    const c = new Cursor(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return c;
  }

  bytes(): Uint8Array { const c = this.sub(); return this.buf.subarray(c.pos, c.end); }
  string(): string { return utf8.decode(this.bytes()); }

  float(): number {
    if (this.end - this.pos < 4) throw new WireError('index out of range (truncated float)');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    if (this.end - this.pos < 8) throw new WireError('index out of range (truncated double)');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  tag(): [number, number] {
    const t = this.uint32();
    const field = t >>> 3;
    if (field === 0) throw new WireError('invalid field number 0');
    return [field, t & 7];
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT: this.uint64(); return;
      case FIXED64: this.advance(8); return;
      case LEN: this.advance(this.length()); return;
      case FIXED32: this.advance(4); return;
      default: throw new WireError(`invalid wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new WireError('index out of range (truncated field)');
    this.pos += n;
  }
}

/** Number of varints in a packed field (each ends with a byte below 0x80), counted before any is decoded. */
function countVarints(c: Cursor): number {
  let n = 0;
  for (let i = c.pos; i < c.end; i++) if (c.buf[i]! < 0x80) n++;
  return n;
}

/**
 * Entries of the model's lists (node inputs and outputs, attributes and their values, dims)
 * allowed per value of maxValues. Lists describe values: a Conv node, its inputs, output and
 * attributes come to about 10 entries per value it adds, and graphs near maxValues are far below
 * maxNodes; 4 keeps every such graph and bounds an empty-entry flood to a few hundred MB.
 */
export const LIST_ENTRIES_PER_VALUE = 4;

/**
 * What one decode may still allocate: list entries outside tensor data against
 * LIST_ENTRIES_PER_VALUE × maxValues, and tensor data against maxWeightBytes. Both are
 * charged before the allocation they pay for.
 */
class DecodeBudget {
  private entries = 0;
  private dataBytes = 0;
  constructor(readonly limits: Limits, readonly file: string) {}

  entry(n: number, where: string): void {
    this.entries += n;
    if (this.entries > LIST_ENTRIES_PER_VALUE * this.limits.maxValues) {
      const what = `${where} brings the model's lists (node inputs and outputs, attributes and their values, dims) to ${this.entries} entries; at ${LIST_ENTRIES_PER_VALUE} per value, that is`;
      throw new SpcError(`${this.file}: ${overLimit(what, `${Math.ceil(this.entries / LIST_ENTRIES_PER_VALUE)} values, which`, this.limits, 'maxValues', 'compile')}`);
    }
  }

  data(bytes: number, where: string): void {
    this.dataBytes += bytes;
    if (this.dataBytes > this.limits.maxWeightBytes) {
      throw new SpcError(`${where}: ${overLimit('brings the weights to', `${this.dataBytes} bytes, which`, this.limits, 'maxWeightBytes', 'compile')}`);
    }
  }
}

/** Reads a repeated scalar field, packed or not, charging its entries first. */
function repeated<T>(c: Cursor, wireType: number, elementType: number, read: (c: Cursor) => T, into: T[], budget: DecodeBudget, what: string): void {
  if (wireType === LEN && elementType !== LEN) {
    const p = c.sub();
    budget.entry(elementType === VARINT ? countVarints(p) : Math.floor((p.end - p.pos) / (elementType === FIXED32 ? 4 : 8)), what);
    while (!p.done) into.push(read(p));
    return;
  }
  if (wireType !== elementType) throw new WireError(`${what}: wire type ${wireType}, expected ${elementType}`);
  budget.entry(1, what);
  into.push(read(c));
}

/**
 * How deep subgraphs may nest (an If inside an If's branch is depth 2). Exporters nest a few
 * levels; the cap keeps the decoder's and importer's recursion bounded on a hostile file.
 */
export const MAX_SUBGRAPH_DEPTH = 16;

/** Decodes an ONNX ModelProto, refusing (SpcError naming `file`) whatever exceeds `limits` before allocating it. */
export function decodeModelWire(bytes: Uint8Array, file: string, limits: Limits): WireModel {
  const budget = new DecodeBudget(limits, file);
  const c = new Cursor(bytes, 0, bytes.length);
  const model: WireModel = { opsetImport: [] };
  while (!c.done) {
    const [field, wt] = c.tag();
    if (field === 1 && wt === VARINT) model.irVersion = c.int64();
    else if (field === 7 && wt === LEN) model.graph = decodeGraph(c.sub(), budget, 0);
    else if (field === 8 && wt === LEN) {
      budget.entry(1, 'opset_import');
      const s = c.sub(), o: { domain?: string; version?: WireInt64 } = {};
      while (!s.done) {
        const [f, w] = s.tag();
        if (f === 1 && w === LEN) o.domain = s.string();
        else if (f === 2 && w === VARINT) o.version = s.int64();
        else s.skip(w);
      }
      model.opsetImport.push(o);
    } else c.skip(wt);
  }
  return model;
}

/** Decodes a serialized ONNX TensorProto (a .pb input file) under `limits`; errors name `source`. */
export function decodeTensorWire(bytes: Uint8Array, source: string, limits: Limits): WireTensor {
  return decodeTensor(new Cursor(bytes, 0, bytes.length), new DecodeBudget(limits, source), source);
}

/**
 * Counts a graph's nodes and values on the wire, its subgraphs' included (an attribute's
 * `g` / `graphs` fields), refusing subgraphs nested deeper than MAX_SUBGRAPH_DEPTH.
 */
function countGraph(c: Cursor, counts: { nodes: number; values: number }, depth: number, file: string): void {
  while (!c.done) {
    const [field, wt] = c.tag();
    if (wt === LEN && field === 1) {
      counts.nodes++;
      const n = c.sub();
      while (!n.done) {
        const [f, w] = n.tag();
        if (f === 2 && w === LEN) counts.values++;
        if (f === 5 && w === LEN) countAttribute(n.sub(), counts, depth, file);
        else n.skip(w);
      }
    } else {
      if (wt === LEN && (field === 5 || field === 11)) counts.values++;
      c.skip(wt);
    }
  }
}

function countAttribute(a: Cursor, counts: { nodes: number; values: number }, depth: number, file: string): void {
  while (!a.done) {
    const [f, w] = a.tag();
    if ((f === 6 || f === 11) && w === LEN) {
      if (depth + 1 > MAX_SUBGRAPH_DEPTH) {
        throw new SpcError(`${file}: subgraphs (If branches) nest more than ${MAX_SUBGRAPH_DEPTH} levels deep`);
      }
      countGraph(a.sub(), counts, depth + 1, file);
    } else a.skip(w);
  }
}

function decodeGraph(c: Cursor, budget: DecodeBudget, depth: number): WireGraph {
  // Count first, on the wire, subgraphs included: a graph of millions of empty nodes is refused
  // here, as the limits would refuse it after import, without a single node object made. A
  // subgraph was counted with the graph that holds it.
  if (depth === 0) {
    const counts = { nodes: 0, values: 0 };
    const start = c.pos;
    countGraph(c, counts, 0, budget.file);
    checkGraphSize(counts, budget.limits, budget.file);
    c.pos = start;
  }

  const g: WireGraph = { node: [], initializer: [], sparseInitializer: [], input: [], output: [] };
  while (!c.done) {
    const [field, wt] = c.tag();
    if (wt !== LEN) { c.skip(wt); continue; }
    switch (field) {
      case 1: g.node.push(decodeNode(c.sub(), budget, g.node.length, depth)); break;
      case 2: g.name = c.string(); break;
      case 5: g.initializer.push(decodeTensor(c.sub(), budget, 'initializer')); break;
      case 11: g.input.push(decodeValueInfo(c.sub(), budget)); break;
      case 12: budget.entry(1, 'a graph output'); g.output.push(decodeValueInfo(c.sub(), budget)); break;
      case 15: budget.entry(1, 'a sparse initializer'); c.skip(wt); g.sparseInitializer.push({}); break;
      default: c.skip(wt);
    }
  }
  return g;
}

function decodeNode(c: Cursor, budget: DecodeBudget, index: number, depth: number): WireNode {
  const n: WireNode = { input: [], output: [], attribute: [] };
  const attrs: Cursor[] = [];
  while (!c.done) {
    const [field, wt] = c.tag();
    if (wt !== LEN) { c.skip(wt); continue; }
    switch (field) {
      case 1: budget.entry(1, 'a node input'); n.input.push(c.string()); break;
      case 2: budget.entry(1, 'a node output'); n.output.push(c.string()); break;
      case 3: n.name = c.string(); break;
      case 4: n.opType = c.string(); break;
      case 5: budget.entry(1, 'an attribute'); attrs.push(c.sub()); break;
      case 7: n.domain = c.string(); break;
      default: c.skip(wt);
    }
  }
  // Attributes after the node's name is known, so a tensor attribute's errors name the node.
  const where = `node '${n.name || `${n.opType ?? ''}_${index}`}' (${n.opType ?? ''})`;
  for (const a of attrs) n.attribute.push(decodeAttribute(a, budget, where, depth));
  return n;
}

function decodeAttribute(c: Cursor, budget: DecodeBudget, node: string, depth: number): WireAttribute {
  const a: WireAttribute = {};
  const tensors: Cursor[] = [];
  while (!c.done) {
    const [field, wt] = c.tag();
    const what = `${node}: attribute '${a.name ?? ''}'`;
    switch (field) {
      case 1: if (wt === LEN) { a.name = c.string(); continue; } break;
      case 2: if (wt === FIXED32) { a.f = c.float(); continue; } break;
      case 3: if (wt === VARINT) { a.i = c.int64(); continue; } break;
      case 4: if (wt === LEN) { a.s = c.bytes(); continue; } break;
      case 5: if (wt === LEN) { tensors.push(c.sub()); continue; } break;
      // The depth was checked when the whole graph was counted.
      case 6: if (wt === LEN) { a.g = decodeGraph(c.sub(), budget, depth + 1); continue; } break;
      case 11: if (wt === LEN) { c.skip(wt); a.graphs = {}; continue; } break;
      case 7: repeated(c, wt, FIXED32, (p) => p.float(), a.floats ??= [], budget, what); continue;
      case 8: repeated(c, wt, VARINT, (p) => p.int64(), a.ints ??= [], budget, what); continue;
      case 9: repeated(c, wt, LEN, (p) => p.bytes(), a.strings ??= [], budget, what); continue;
      case 20: if (wt === VARINT) { a.type = c.uint32() | 0; continue; } break;
    }
    c.skip(wt);
  }
  for (const t of tensors) a.t = decodeTensor(t, budget, `${node}: attribute '${a.name ?? ''}'`);
  return a;
}

function decodeValueInfo(c: Cursor, budget: DecodeBudget): WireValueInfo {
  const v: WireValueInfo = {};
  while (!c.done) {
    const [field, wt] = c.tag();
    if (field === 1 && wt === LEN) v.name = c.string();
    else if (field === 2 && wt === LEN) {
      const type = c.sub();
      v.type = {};
      while (!type.done) {
        const [f, w] = type.tag();
        if (f !== 1 || w !== LEN) { type.skip(w); continue; }
        const tt = type.sub(), tensorType: { elemType?: number; shape?: { dim: WireDim[] } } = {};
        while (!tt.done) {
          const [f2, w2] = tt.tag();
          if (f2 === 1 && w2 === VARINT) tensorType.elemType = tt.uint32() | 0;
          else if (f2 === 2 && w2 === LEN) tensorType.shape = decodeShape(tt.sub(), budget, v.name ?? '');
          else tt.skip(w2);
        }
        v.type.tensorType = tensorType;
      }
    } else c.skip(wt);
  }
  return v;
}

function decodeShape(c: Cursor, budget: DecodeBudget, name: string): { dim: WireDim[] } {
  const dim: WireDim[] = [];
  while (!c.done) {
    const [field, wt] = c.tag();
    if (field !== 1 || wt !== LEN) { c.skip(wt); continue; }
    budget.entry(1, `value '${name}': a dimension`);
    const d = c.sub(), out: WireDim = {};
    while (!d.done) {
      const [f, w] = d.tag();
      if (f === 1 && w === VARINT) out.dimValue = d.int64();
      else if (f === 2 && w === LEN) out.dimParam = d.string();
      else d.skip(w);
    }
    dim.push(out);
  }
  return { dim };
}

/** Where the data of a tensor lies, found before any of it is decoded. */
interface DataField { field: number; wireType: number; start: number; end: number }

type DataKey = 'floatData' | 'int32Data' | 'int64Data' | 'doubleData' | 'uint64Data';

const DATA_FIELDS: Readonly<Record<number, { name: string; key: DataKey; element: number }>> = {
  4: { name: 'float_data', key: 'floatData', element: FIXED32 },
  5: { name: 'int32_data', key: 'int32Data', element: VARINT },
  7: { name: 'int64_data', key: 'int64Data', element: VARINT },
  10: { name: 'double_data', key: 'doubleData', element: FIXED64 },
  11: { name: 'uint64_data', key: 'uint64Data', element: VARINT },
};

/**
 * A TensorProto in two steps: its dims, type and the extents of its data fields first; then,
 * once the element count is known to be within the limits and to match the data, the data
 * itself, decoded into a typed array of that count.
 */
function decodeTensor(c: Cursor, budget: DecodeBudget, context: string): WireTensor {
  const t: WireTensor = {};
  const data: DataField[] = [];
  const dims: WireInt64[] = [];
  while (!c.done) {
    const [field, wt] = c.tag();
    switch (field) {
      case 1: repeated(c, wt, VARINT, (p) => p.int64(), dims, budget, `the dims of ${context === 'initializer' ? 'an initializer' : context}`); continue;
      case 2: if (wt === VARINT) { t.dataType = c.uint32() | 0; continue; } break;
      case 8: if (wt === LEN) { t.name = c.string(); continue; } break;
      case 9: if (wt === LEN) { t.rawData = c.bytes(); continue; } break;
      case 13: if (wt === LEN) { budget.entry(1, `${context}: external_data`); (t.externalData ??= []).push(decodeEntry(c.sub())); continue; } break;
      case 14: if (wt === VARINT) { t.dataLocation = c.uint32() | 0; continue; } break;
      case 4: case 5: case 7: case 10: case 11: {
        const start = c.pos;
        c.skip(wt);
        data.push({ field, wireType: wt, start, end: c.pos });
        continue;
      }
    }
    c.skip(wt);
  }
  if (dims.length > 0) t.dims = dims;
  const where = `${budget.file}: ${context === 'initializer' ? `initializer '${t.name ?? ''}'` : context}`;
  if (data.length > 0) decodeTensorData(c.buf, t, dims, data, budget, where);
  return t;
}

function decodeEntry(c: Cursor): { key?: string; value?: string } {
  const e: { key?: string; value?: string } = {};
  while (!c.done) {
    const [f, w] = c.tag();
    if (f === 1 && w === LEN) e.key = c.string();
    else if (f === 2 && w === LEN) e.value = c.string();
    else c.skip(w);
  }
  return e;
}

function decodeTensorData(buf: Uint8Array, t: WireTensor, dims: readonly WireInt64[], data: readonly DataField[], budget: DecodeBudget, where: string): void {
  const shape = dims.map((d) => int64ToNumber(d, `${where}: dims`));
  // The count the dims declare, within maxTensorElements: the most any data field may hold.
  if (shape.some((d) => d < 0)) throw new SpcError(`${where}: negative dimension in ${echoList(shape)}`);
  const expected = boundedElements(shape, budget.limits.maxTensorElements) ?? tensorElements(shape, budget.limits, where);
  for (const key of new Set(data.map((d) => d.field))) {
    const spec = DATA_FIELDS[key]!;
    const parts = data.filter((d) => d.field === key);
    let count = 0;
    for (const d of parts) {
      const p = new Cursor(buf, d.start, d.end);
      if (d.wireType === LEN) {
        const body = p.sub();
        count += spec.element === VARINT ? countVarints(body) : Math.floor((body.end - body.pos) / (spec.element === FIXED32 ? 4 : 8));
      } else if (d.wireType === spec.element) count++;
      else throw new WireError(`${spec.name}: wire type ${d.wireType}`);
    }
    if (count !== expected) throw new SpcError(`${where}: ${spec.name} has ${count} values, shape ${echoList(shape)} needs ${expected}`);
    budget.data(count * (key === 4 || key === 5 ? 4 : 8), where);
    (t as Record<string, unknown>)[spec.key] = readData(buf, spec.key, parts, count);
  }
}

/** Decodes a data field's values (from its packed and unpacked parts, in file order) into one typed array. */
function readData(buf: Uint8Array, key: DataKey, parts: readonly DataField[], count: number): Float32Array | Int32Array | BigInt64Array | Float64Array | BigUint64Array {
  const out = key === 'floatData' ? new Float32Array(count) : key === 'int32Data' ? new Int32Array(count)
    : key === 'int64Data' ? new BigInt64Array(count) : key === 'uint64Data' ? new BigUint64Array(count) : new Float64Array(count);
  // 64-bit values land as two 32-bit words of the little-endian integer (no BigInt per value).
  const words = key === 'int64Data' || key === 'uint64Data' ? new Uint32Array(out.buffer) : undefined;
  const width = key === 'floatData' ? 4 : key === 'doubleData' ? 8 : 0;
  let i = 0;
  for (const d of parts) {
    const p = new Cursor(buf, d.start, d.end);
    const body = d.wireType === LEN ? p.sub() : p;
    if (width > 0 && d.wireType === LEN) {
      // Packed little-endian floats: their bytes are the array's bytes.
      const n = Math.min(Math.floor((body.end - body.pos) / width), count - i);
      new Uint8Array(out.buffer).set(buf.subarray(body.pos, body.pos + n * width), i * width);
      i += n;
      continue;
    }
    while (!body.done && i < count) {
      if (key === 'floatData') (out as Float32Array)[i++] = body.float();
      else if (key === 'doubleData') (out as Float64Array)[i++] = body.double();
      else if (key === 'int32Data') (out as Int32Array)[i++] = body.uint32() | 0;
      else { const [lo, hi] = body.uint64(); words![2 * i] = lo; words![2 * i + 1] = hi; i++; }
      if (d.wireType !== LEN) break;
    }
  }
  return out;
}
