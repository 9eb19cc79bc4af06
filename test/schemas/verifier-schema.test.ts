// The loader's FlatBuffer verifier describes schemas/spc.fbs by hand; check that description
// against the generated accessors (vtable slot 4 + 2·id, and the field's type).

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { MODEL, type TableDef } from '../../runtime/loader/verify-flatbuffer.js';

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function allTables(root: TableDef, seen = new Map<string, TableDef>()): Map<string, TableDef> {
  seen.set(root.name, root);
  for (const f of root.fields) if ('table' in f.type && !seen.has(f.type.table.name)) allTables(f.type.table, seen);
  return seen;
}

/** What the generated accessor's return type says about a field. */
const ACCESSOR_TYPE: Record<string, RegExp> = {
  u8: /\(\):(DType|TensorKind|AttributeKind|SparseFormat|IndexType|KernelLayout|number) \{/,
  u32: /\(\):number \{/,
  i32: /\(\):number \{/,
  u64: /\(\):bigint \{/,
  f32: /\(\):number \{/,
  f64: /\(\):number \{/,
  string: /\(\):string\|null\n/,
  strings: /\(index: number\):string\n/,
  i32s: /\(index: number\):number\|null \{/,
  i64s: /\(index: number\):bigint\|null \{/,
  f64s: /\(index: number\):number\|null \{/,
  table: /\(obj\?:\w+\):\w+\|null \{/,
  tables: /\(index: number, obj\?:\w+\):\w+\|null \{/,
};

describe('FlatBuffer verifier schema', () => {
  const tables = allTables(MODEL);

  it('covers every table in the generated code', () => {
    const generated = readFileSync(join(REPO_ROOT, 'schemas', 'gen', 'spc_generated.ts'), 'utf8');
    const enums = new Set(['DType', 'TensorKind', 'AttributeKind', 'SparseFormat', 'IndexType', 'KernelLayout']);
    const names = [...generated.matchAll(/export \{ (\w+) \}/g)].map((m) => m[1]!).filter((n) => !enums.has(n));
    assert.deepStrictEqual([...tables.keys()].sort(), names.sort());
  });

  for (const table of tables.values()) {
    it(`matches ${table.name}'s slots and types`, () => {
      const src = readFileSync(join(REPO_ROOT, 'schemas', 'gen', 'spc', 'schema', `${kebab(table.name)}.ts`), 'utf8');
      const slots = [...src.matchAll(/\n(\w+)\([^\n]*\n\s*const offset = this\.bb!\.__offset\(this\.bb_pos, (\d+)\);/g)];
      // The value accessor comes first; xLength() and xArray() reuse its slot.
      const bySlot = new Map<number, string>();
      for (const [, name, slot] of slots) if (!bySlot.has(Number(slot))) bySlot.set(Number(slot), name!);
      assert.equal(bySlot.size, table.fields.length, `${table.name}: field count`);
      table.fields.forEach((field, id) => {
        const accessor = camel(field.name);
        assert.equal(bySlot.get(4 + 2 * id), accessor, `${table.name}.${field.name} should be field id ${id}`);
        const signature = new RegExp(`\\n${accessor}${ACCESSOR_TYPE[field.type.t]!.source}`);
        assert.match(src, signature, `${table.name}.${field.name} should be ${field.type.t}`);
      });
    });
  }
});
