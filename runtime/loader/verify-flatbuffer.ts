// Structural verifier for the .spm FlatBuffer, run before any generated accessor touches it.
// The flatbuffers JS runtime does no bounds checks (an out-of-range read yields 0 or garbage,
// a huge vector length makes a reader loop for ever), so every table, vtable, string and
// vector reachable from the root is checked here against a description of schemas/spc.fbs.

/** What a field holds; `table`/`tables` name the table definition it points to. */
export type FieldType =
  | { readonly t: 'u8' | 'u32' | 'i32' | 'u64' | 'f32' | 'f64' }
  | { readonly t: 'string' | 'strings' | 'i32s' | 'i64s' | 'f64s' }
  | { readonly t: 'table' | 'tables'; readonly table: TableDef };

export interface FieldDef {
  /** Field name in the .fbs (snake_case). */
  readonly name: string;
  readonly type: FieldType;
}

/** Fields in declaration order: index i is field id i, vtable slot 4 + 2i. */
export interface TableDef {
  readonly name: string;
  readonly fields: readonly FieldDef[];
}

const f = (name: string, type: FieldType): FieldDef => ({ name, type });
const U8 = { t: 'u8' } as const;
const U32 = { t: 'u32' } as const;
const I32 = { t: 'i32' } as const;
const U64 = { t: 'u64' } as const;
const F32 = { t: 'f32' } as const;
const F64 = { t: 'f64' } as const;
const STR = { t: 'string' } as const;
const STRS = { t: 'strings' } as const;
const I32S = { t: 'i32s' } as const;
const I64S = { t: 'i64s' } as const;
const F64S = { t: 'f64s' } as const;

// Keep in step with schemas/spc.fbs; test/schemas/verifier-schema.test.ts checks these slots
// against the generated accessors.
export const SPARSE_WEIGHT: TableDef = {
  name: 'SparseWeight',
  fields: [f('format', U8), f('rows', U32), f('cols', U32), f('n', U32), f('m', U32), f('br', U32), f('bc', U32),
    f('pattern', STR), f('sparsity', F32), f('values_offset', U64), f('values_length', U64),
    f('indices_offset', U64), f('indices_length', U64), f('index_type', U8),
    f('row_ptr_offset', U64), f('row_ptr_length', U64), f('kernel_layout', U8)],
};
export const WEIGHT_QUANTIZATION: TableDef = {
  name: 'WeightQuantization',
  fields: [f('dtype', U8), f('axis', I32), f('scales_offset', U64), f('scales_length', U64),
    f('zero_points_offset', U64), f('zero_points_length', U64)],
};
export const TENSOR: TableDef = {
  name: 'Tensor',
  fields: [f('name', STR), f('dtype', U8), f('shape', I64S), f('kind', U8),
    f('data_offset', U64), f('data_length', U64), f('arena_offset', U64),
    f('sparse', { t: 'table', table: SPARSE_WEIGHT }), f('quant', { t: 'table', table: WEIGHT_QUANTIZATION })],
};
export const ATTRIBUTE: TableDef = {
  name: 'Attribute',
  fields: [f('name', STR), f('kind', U8), f('number', F64), f('numbers', F64S), f('string', STR), f('strings', STRS)],
};
export const NODE: TableDef = {
  name: 'Node',
  fields: [f('name', STR), f('op', STR), f('kernel', STR), f('kernel_reason', STR), f('inputs', I32S),
    f('outputs', I32S), f('attributes', { t: 'tables', table: ATTRIBUTE })],
};
export const MEMORY_PLAN: TableDef = { name: 'MemoryPlan', fields: [f('arena_bytes', U64), f('alignment', U32)] };
export const KEY_VALUE: TableDef = { name: 'KeyValue', fields: [f('key', STR), f('value', STR)] };
export const LAYER_RECIPE: TableDef = {
  name: 'LayerRecipe',
  fields: [f('node', STR), f('pattern', STR), f('requested', F32), f('achieved', F32), f('params_before', U64),
    f('params_after', U64), f('criterion', STR), f('note', STR)],
};
export const PROVENANCE: TableDef = {
  name: 'Provenance',
  fields: [f('spc_version', STR), f('source_sha256', STR), f('options', { t: 'tables', table: KEY_VALUE }),
    f('layers', { t: 'tables', table: LAYER_RECIPE })],
};
export const SHAPE_PLAN: TableDef = {
  name: 'ShapePlan',
  fields: [f('tensors', { t: 'tables', table: TENSOR }), f('nodes', { t: 'tables', table: NODE }), f('inputs', I32S),
    f('outputs', I32S), f('memory_plan', { t: 'table', table: MEMORY_PLAN })],
};
export const SHAPE_BUCKETS: TableDef = {
  name: 'ShapeBuckets',
  fields: [f('plans', { t: 'tables', table: SHAPE_PLAN }), f('mask_input', STR)],
};
export const MODEL: TableDef = {
  name: 'Model',
  fields: [f('format_version', U32), f('required_features', STRS), f('name', STR),
    f('tensors', { t: 'tables', table: TENSOR }), f('nodes', { t: 'tables', table: NODE }), f('inputs', I32S),
    f('outputs', I32S), f('memory_plan', { t: 'table', table: MEMORY_PLAN }),
    f('provenance', { t: 'table', table: PROVENANCE }), f('shape_buckets', { t: 'table', table: SHAPE_BUCKETS })],
};

const SCALAR_BYTES = { u8: 1, u32: 4, i32: 4, u64: 8, f32: 4, f64: 8 } as const;
const VECTOR_ELEMENT_BYTES = { i32s: 4, i64s: 8, f64s: 8, strings: 4, tables: 4 } as const;

/**
 * Checks that `buf` (exactly the FlatBuffer's bytes) is a well-formed Model. Returns an error
 * message naming the path of the bad object, or undefined when the buffer is sound.
 */
export function verifyModelBuffer(buf: Uint8Array): string | undefined {
  try {
    new Verifier(buf).root();
    return undefined;
  } catch (e) {
    if (e instanceof VerifyError) return e.message;
    throw e;
  }
}

class VerifyError extends Error {}

class Verifier {
  private readonly len: number;
  /** Objects left to visit; a sound buffer has at most one per 4 bytes (no sharing). */
  private budget: number;

  constructor(private readonly buf: Uint8Array) {
    this.len = buf.length;
    this.budget = Math.floor(buf.length / 4);
  }

  root(): void {
    if (this.len < 8) this.fail('flatbuffer', `${this.len} bytes is too short`);
    this.table(this.target(0, 'root'), MODEL, 'Model');
  }

  private fail(path: string, what: string): never {
    throw new VerifyError(`flatbuffer ${path}: ${what}`);
  }

  private need(pos: number, size: number, path: string): void {
    if (pos < 0 || pos + size > this.len) this.fail(path, `bytes ${pos}..${pos + size} outside the buffer (${this.len} bytes)`);
  }

  private aligned(pos: number, alignment: number, path: string): void {
    if (pos % alignment !== 0) this.fail(path, `offset ${pos} not aligned to ${alignment}`);
  }

  private u16(pos: number): number {
    return this.buf[pos]! | (this.buf[pos + 1]! << 8);
  }

  private u32(pos: number): number {
    return (this.buf[pos]! | (this.buf[pos + 1]! << 8) | (this.buf[pos + 2]! << 16) | (this.buf[pos + 3]! << 24)) >>> 0;
  }

  private visit(path: string): void {
    if (--this.budget < 0) this.fail(path, 'more objects than the buffer can hold (shared or looping offsets)');
  }

  /** Follows the uoffset stored at `pos`; the runtime reads it as a signed int32. */
  private target(pos: number, path: string): number {
    this.need(pos, 4, path);
    this.aligned(pos, 4, path);
    const off = this.u32(pos);
    if (off === 0 || off >= 0x80000000) this.fail(path, `bad offset ${off}`);
    const to = pos + off;
    if (to >= this.len) this.fail(path, `offset points past the end (${to} >= ${this.len})`);
    return to;
  }

  private table(pos: number, def: TableDef, path: string): void {
    this.visit(path);
    this.need(pos, 4, path);
    this.aligned(pos, 4, path);
    const soff = this.u32(pos) | 0;
    const vt = pos - soff;
    this.need(vt, 4, `${path} vtable`);
    this.aligned(vt, 2, `${path} vtable`);
    const vtSize = this.u16(vt);
    const tableSize = this.u16(vt + 2);
    // The JS runtime reads vtable entries as int16, so anything >= 0x8000 would read negative.
    if (vtSize < 4 || vtSize % 2 !== 0 || vtSize >= 0x8000) this.fail(`${path} vtable`, `bad size ${vtSize}`);
    this.need(vt, vtSize, `${path} vtable`);
    if (tableSize < 4 || tableSize >= 0x8000) this.fail(path, `bad table size ${tableSize}`);
    this.need(pos, tableSize, path);
    const slots = (vtSize - 4) / 2;
    // Slots beyond the fields we know belong to a newer schema and are ignored.
    for (let id = 0; id < Math.min(slots, def.fields.length); id++) {
      const fo = this.u16(vt + 4 + 2 * id);
      if (fo === 0) continue;
      const field = def.fields[id]!;
      const fpath = `${path}.${field.name}`;
      if (fo >= 0x8000) this.fail(fpath, `bad field offset ${fo}`);
      const type = field.type;
      const size = type.t === 'u8' || type.t === 'u32' || type.t === 'i32' || type.t === 'u64' || type.t === 'f32' || type.t === 'f64'
        ? SCALAR_BYTES[type.t] : 4;
      if (fo < 4 || fo + size > tableSize) this.fail(fpath, `field offset ${fo} outside the table (${tableSize} bytes)`);
      this.aligned(pos + fo, size, fpath);
      this.field(pos + fo, type, fpath);
    }
  }

  private field(pos: number, type: FieldType, path: string): void {
    switch (type.t) {
      case 'u8': case 'u32': case 'i32': case 'u64': case 'f32': case 'f64':
        return;
      case 'string':
        return this.string(this.target(pos, path), path);
      case 'table':
        return this.table(this.target(pos, path), type.table, path);
      case 'i32s': case 'i64s': case 'f64s': case 'strings': case 'tables': {
        const vec = this.target(pos, path);
        this.visit(path);
        this.need(vec, 4, path);
        this.aligned(vec, 4, path);
        const n = this.u32(vec);
        const elem = VECTOR_ELEMENT_BYTES[type.t];
        if (n >= 0x80000000 / elem) this.fail(path, `vector length ${n} too large`);
        this.need(vec + 4, n * elem, path);
        this.aligned(vec + 4, elem, path);
        if (type.t === 'strings') {
          for (let i = 0; i < n; i++) this.string(this.target(vec + 4 + 4 * i, `${path}[${i}]`), `${path}[${i}]`);
        } else if (type.t === 'tables') {
          for (let i = 0; i < n; i++) this.table(this.target(vec + 4 + 4 * i, `${path}[${i}]`), type.table, `${path}[${i}]`);
        }
        return;
      }
    }
  }

  private string(pos: number, path: string): void {
    this.visit(path);
    this.need(pos, 4, path);
    this.aligned(pos, 4, path);
    const n = this.u32(pos);
    if (n >= 0x80000000) this.fail(path, `string length ${n} too large`);
    this.need(pos + 4, n + 1, path);
    if (this.buf[pos + 4 + n] !== 0) this.fail(path, 'string not NUL-terminated');
  }
}
