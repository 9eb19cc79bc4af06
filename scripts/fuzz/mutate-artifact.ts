// Structure-aware mutations of valid .spm artifacts for fuzzing the loader and the runtime: the
// artifact is decoded (parseArtifact), one field of its contents or layout is changed (shapes,
// dtypes, tensor kinds, attributes, ops, kernel ids, node edges and order, memory-plan offsets,
// weight offsets/lengths, packed rows/cols/N/M/indices) and it is re-encoded by the writer's own
// planArtifact/encodeArtifact, so the checksum and the FlatBuffer are valid and only the loader's
// semantic checks stand between the field and the kernels. Mutations are plain JSON (reproducible).

import fc from 'fast-check';
import { encodeArtifact, planArtifact } from '../../compiler/emit/artifact.js';
import type { ArtifactLayout, TensorPlacement } from '../../compiler/emit/artifact.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import type { LoadedArtifact, LoadedNode, LoadedTensor, TensorKind } from '../../runtime/loader/model.js';
import type { AttrValue } from '../../runtime/kernels/kernel.js';
import type { PackedWeight } from '../../runtime/sparse/packed.js';
import { DTYPE_TO_FB, KIND_TO_FB } from '../../runtime/loader/format.js';
import type { DType } from '../../runtime/tensor.js';
import { allocArray } from '../../runtime/tensor.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';
import { INTERESTING_INTS } from './mutate-onnx.js';

/** Picks are naturals taken modulo what the artifact has, so one arbitrary fits every artifact. */
export type ArtifactMutation =
  | { readonly kind: 'shape'; readonly pick: number; readonly dim: number; readonly value: number; readonly how: 'set' | 'drop' | 'add' }
  | { readonly kind: 'dtype'; readonly pick: number; readonly code: number }
  | { readonly kind: 'tensorKind'; readonly pick: number; readonly code: number }
  | { readonly kind: 'attr'; readonly pick: number; readonly attr: number; readonly value: number; readonly how: AttrEdit }
  | { readonly kind: 'op'; readonly pick: number; readonly other: number }
  | { readonly kind: 'kernel'; readonly pick: number; readonly other: number; readonly how: 'node' | 'registry' | 'garbage' }
  | { readonly kind: 'edge'; readonly pick: number; readonly slot: number; readonly value: number; readonly where: 'input' | 'output'; readonly how: 'set' | 'drop' | 'dup' }
  | { readonly kind: 'nodes'; readonly pick: number; readonly other: number; readonly how: 'swap' | 'drop' | 'dup' }
  | { readonly kind: 'io'; readonly pick: number; readonly value: number; readonly where: 'input' | 'output'; readonly how: 'set' | 'drop' | 'dup' }
  | { readonly kind: 'arena'; readonly pick: number; readonly other: number; readonly value: number; readonly how: 'set' | 'alias' | 'shift' }
  | { readonly kind: 'arenaBytes'; readonly value: number }
  | { readonly kind: 'arenaAlignment'; readonly value: number }
  | { readonly kind: 'weightPlace'; readonly pick: number; readonly field: number; readonly value: number; readonly how: 'set' | 'shift' | 'other' }
  | { readonly kind: 'packedField'; readonly pick: number; readonly field: 'rows' | 'cols' | 'n' | 'm' | 'br' | 'bc'; readonly value: number }
  | { readonly kind: 'packedData'; readonly pick: number; readonly part: 'values' | 'indices' | 'rowPtr'; readonly at: number; readonly value: number; readonly how: 'set' | 'resize' }
  | { readonly kind: 'weightValue'; readonly pick: number; readonly at: number; readonly value: number }
  | { readonly kind: 'kernelLayout'; readonly pick: number }
  | { readonly kind: 'features'; readonly how: 'unknown' | 'drop' | 'version'; readonly value: number };

export type AttrEdit = 'number' | 'list-item' | 'list-length' | 'string' | 'drop' | 'add';

const DTYPES = Object.keys(DTYPE_TO_FB) as DType[];
const KINDS = Object.keys(KIND_TO_FB) as TensorKind[];
const KERNEL_IDS = [...defaultRegistry().keys()].sort();
const OPS: readonly string[] = ['Conv', 'Gemm', 'MatMul', 'Relu', 'Add', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Flatten', 'Reshape',
  'Transpose', 'Concat', 'Softmax', 'Slice', 'Gather', 'BatchNormalization', 'Clip', 'Cast', 'LayerNormalization', 'NoSuchOp', ''];
const ATTR_NAMES: readonly string[] = ['kernel_shape', 'pads', 'strides', 'dilations', 'group', 'axis', 'axes', 'perm', 'transA', 'transB',
  'alpha', 'beta', 'epsilon', 'keepdims', 'to', 'spc_activation', 'auto_pad', 'ceil_mode', 'count_include_pad'];
const FLOATS: readonly number[] = [0, -0, 0.5, -1, 1e-30, 1e30, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
/** Placement fields, in SparsePlacement order after the dense pair. */
const PLACE_FIELDS = ['dataOffset', 'dataLength', 'valuesOffset', 'valuesLength', 'indicesOffset', 'indicesLength', 'rowPtrOffset', 'rowPtrLength'] as const;

const nat = fc.nat({ max: 2 ** 30 });
const int = fc.constantFrom(...INTERESTING_INTS);

export const artifactMutationArb: fc.Arbitrary<ArtifactMutation> = fc.oneof(
  fc.record({ kind: fc.constant('shape' as const), pick: nat, dim: nat, value: int, how: fc.constantFrom('set' as const, 'set' as const, 'drop' as const, 'add' as const) }),
  fc.record({ kind: fc.constant('dtype' as const), pick: nat, code: nat }),
  fc.record({ kind: fc.constant('tensorKind' as const), pick: nat, code: nat }),
  fc.record({ kind: fc.constant('attr' as const), pick: nat, attr: nat, value: nat, how: fc.constantFrom<AttrEdit>('number', 'number', 'list-item', 'list-length', 'string', 'drop', 'add') }),
  fc.record({ kind: fc.constant('op' as const), pick: nat, other: nat }),
  fc.record({ kind: fc.constant('kernel' as const), pick: nat, other: nat, how: fc.constantFrom('node' as const, 'registry' as const, 'registry' as const, 'garbage' as const) }),
  fc.record({ kind: fc.constant('edge' as const), pick: nat, slot: nat, value: nat, where: fc.constantFrom('input' as const, 'output' as const), how: fc.constantFrom('set' as const, 'set' as const, 'drop' as const, 'dup' as const) }),
  fc.record({ kind: fc.constant('nodes' as const), pick: nat, other: nat, how: fc.constantFrom('swap' as const, 'drop' as const, 'dup' as const) }),
  fc.record({ kind: fc.constant('io' as const), pick: nat, value: nat, where: fc.constantFrom('input' as const, 'output' as const), how: fc.constantFrom('set' as const, 'drop' as const, 'dup' as const) }),
  fc.record({ kind: fc.constant('arena' as const), pick: nat, other: nat, value: int, how: fc.constantFrom('set' as const, 'alias' as const, 'alias' as const, 'shift' as const) }),
  fc.record({ kind: fc.constant('arenaBytes' as const), value: int }),
  fc.record({ kind: fc.constant('arenaAlignment' as const), value: int }),
  fc.record({ kind: fc.constant('weightPlace' as const), pick: nat, field: nat, value: int, how: fc.constantFrom('set' as const, 'shift' as const, 'shift' as const, 'other' as const) }),
  fc.record({ kind: fc.constant('kernelLayout' as const), pick: nat }),
  fc.record({ kind: fc.constant('packedField' as const), pick: nat, field: fc.constantFrom('rows' as const, 'cols' as const, 'n' as const, 'm' as const, 'br' as const, 'bc' as const), value: int }),
  fc.record({ kind: fc.constant('packedData' as const), pick: nat, part: fc.constantFrom('values' as const, 'indices' as const, 'indices' as const, 'rowPtr' as const), at: nat, value: int, how: fc.constantFrom('set' as const, 'set' as const, 'resize' as const) }),
  fc.record({ kind: fc.constant('weightValue' as const), pick: nat, at: nat, value: fc.constantFrom(...FLOATS) }),
  fc.record({ kind: fc.constant('features' as const), how: fc.constantFrom('unknown' as const, 'drop' as const, 'version' as const), value: int }),
);

/** One to three structured mutations. */
export const artifactMutationsArb: fc.Arbitrary<ArtifactMutation[]> = fc.array(artifactMutationArb, { minLength: 1, maxLength: 3 });

/** A mutable copy of the decoded contents: every array the mutations touch is copied (the parsed ones view the original bytes). */
interface Draft {
  formatVersion: number;
  requiredFeatures: string[];
  name: string;
  tensors: (Omit<LoadedTensor, 'shape' | 'dtype' | 'kind' | 'data'> & { shape: number[]; dtype: DType; kind: TensorKind; data?: LoadedTensor['data'] })[];
  nodes: (Omit<LoadedNode, 'inputs' | 'outputs' | 'attrs' | 'op' | 'kernel'> & { op: string; kernel: string; inputs: number[]; outputs: number[]; attrs: Record<string, AttrValue> })[];
  inputs: number[];
  outputs: number[];
  arenaBytes: number;
  provenance: LoadedArtifact['provenance'];
}

function draftOf(a: LoadedArtifact): Draft {
  return {
    ...a,
    requiredFeatures: [...a.requiredFeatures],
    tensors: a.tensors.map((t) => ({ ...t, shape: [...t.shape], packed: t.packed && copyPacked(t.packed) })),
    nodes: a.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    inputs: [...a.inputs],
    outputs: [...a.outputs],
  };
}

function copyPacked(p: PackedWeight): PackedWeight {
  return p.format === 'nm'
    ? { ...p, values: p.values.slice(), indices: p.indices.slice() }
    : { ...p, values: p.values.slice(), rowPtr: p.rowPtr.slice(), colIdx: p.colIdx.slice() };
}

const at = <T>(list: readonly T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);

/**
 * Decodes `bytes` (a valid artifact), applies `mutations` and re-encodes with a correct checksum.
 * Returns undefined when the writer cannot represent the result (counted by the campaign, never
 * a finding: the loader never sees it).
 */
export function mutateArtifactStructure(bytes: Uint8Array, mutations: readonly ArtifactMutation[]): Uint8Array | undefined {
  const draft = draftOf(parseArtifact(bytes));
  const layoutEdits = mutations.filter((m) => m.kind === 'arena' || m.kind === 'arenaAlignment' || m.kind === 'weightPlace');
  for (const m of mutations) editContents(draft, m);
  try {
    const a = draft as unknown as LoadedArtifact;
    const layout = planArtifact(a);
    for (const m of layoutEdits) editLayout(layout, draft, m);
    return encodeArtifact(a, layout);
  } catch {
    return undefined;
  }
}

function editContents(d: Draft, m: ArtifactMutation): void {
  switch (m.kind) {
    case 'shape': {
      const t = at(d.tensors, m.pick);
      if (!t) return;
      const i = t.shape.length === 0 ? 0 : m.dim % t.shape.length;
      if (m.how === 'set' && t.shape.length > 0) t.shape[i] = m.value;
      else if (m.how === 'drop') t.shape.splice(i, 1);
      else t.shape.splice(i, 0, Math.abs(m.value) % 5);
      return;
    }
    case 'dtype': { const t = at(d.tensors, m.pick); if (t) t.dtype = DTYPES[m.code % DTYPES.length]!; return; }
    case 'tensorKind': {
      const t = at(d.tensors, m.pick);
      if (!t) return;
      t.kind = KINDS[m.code % KINDS.length]!;
      // A weight needs bytes to place; give it a few zeros (the shape decides whether they fit).
      if (t.kind === 'weight' && t.data === undefined && t.packed === undefined) t.data = allocArray(t.dtype, m.code % 17);
      return;
    }
    case 'attr': {
      const n = at(d.nodes, m.pick);
      if (!n) return;
      const names = Object.keys(n.attrs).sort();
      const name = m.how === 'add' ? ATTR_NAMES[m.attr % ATTR_NAMES.length]! : at(names, m.attr);
      if (name === undefined) return;
      const old = n.attrs[name];
      const num = INTERESTING_INTS[m.value % INTERESTING_INTS.length]!;
      const value = m.value % 3 === 0 ? FLOATS[m.value % FLOATS.length]! : num;
      if (m.how === 'drop') delete n.attrs[name];
      else if (m.how === 'string') n.attrs[name] = m.value % 2 === 0 ? 'SAME_UPPER' : 'garbage';
      else if (m.how === 'list-item' && Array.isArray(old) && old.length > 0 && typeof old[0] === 'number') {
        const list = [...(old as number[])];
        list[m.value % list.length] = value;
        n.attrs[name] = list;
      } else if (m.how === 'list-length' && Array.isArray(old)) {
        n.attrs[name] = m.value % 2 === 0 ? (old as number[]).slice(0, -1) : [...(old as number[]), num];
      } else if (m.how === 'add') n.attrs[name] = m.value % 2 === 0 ? value : [num, num];
      else n.attrs[name] = value;
      return;
    }
    case 'op': { const n = at(d.nodes, m.pick); if (n) n.op = m.other % 2 === 0 ? OPS[m.other % OPS.length]! : at(d.nodes, m.other)!.op; return; }
    case 'kernel': {
      const n = at(d.nodes, m.pick);
      if (!n) return;
      n.kernel = m.how === 'node' ? at(d.nodes, m.other)!.kernel : m.how === 'registry' ? at(KERNEL_IDS, m.other) ?? '' : ['', 'f32-nosuch-ref', n.kernel.replace('wasmsimd', 'js')][m.other % 3]!;
      return;
    }
    case 'edge': {
      const n = at(d.nodes, m.pick);
      if (!n) return;
      const list = m.where === 'input' ? n.inputs : n.outputs;
      const slot = list.length === 0 ? 0 : m.slot % list.length;
      // Another tensor, an omitted input (-1), one past the end, or far out of range.
      const value = [m.value % Math.max(1, d.tensors.length), -1, d.tensors.length, 2 ** 31 - 1][m.value % 4]!;
      if (m.how === 'set' && list.length > 0) list[slot] = value;
      else if (m.how === 'drop') list.splice(slot, 1);
      else if (list.length > 0) list.push(list[slot]!);
      return;
    }
    case 'nodes': {
      if (d.nodes.length === 0) return;
      const i = m.pick % d.nodes.length, j = m.other % d.nodes.length;
      if (m.how === 'swap') [d.nodes[i], d.nodes[j]] = [d.nodes[j]!, d.nodes[i]!];
      else if (m.how === 'drop') d.nodes.splice(i, 1);
      else d.nodes.splice(j, 0, { ...d.nodes[i]!, inputs: [...d.nodes[i]!.inputs], outputs: [...d.nodes[i]!.outputs], attrs: { ...d.nodes[i]!.attrs } });
      return;
    }
    case 'io': {
      const list = m.where === 'input' ? d.inputs : d.outputs;
      if (list.length === 0) return;
      const i = m.pick % list.length;
      if (m.how === 'set') list[i] = [m.value % Math.max(1, d.tensors.length), -1, d.tensors.length][m.value % 3]!;
      else if (m.how === 'drop') list.splice(i, 1);
      else list.push(list[i]!);
      return;
    }
    case 'arenaBytes': d.arenaBytes = m.value; return;
    case 'kernelLayout': {
      // The storage codec's mark flipped: a packed kernel handed a dense weight, or a dense kernel a packed one.
      const t = at(d.tensors.filter((x) => x.packed), m.pick) as { kernelLayout?: 'dense' } | undefined;
      if (!t) return;
      if (t.kernelLayout === 'dense') delete t.kernelLayout;
      else t.kernelLayout = 'dense';
      return;
    }
    case 'packedField': {
      const p = at(d.tensors.filter((t) => t.packed), m.pick)?.packed as Record<string, unknown> | undefined;
      if (p && m.field in p) p[m.field] = m.value;
      return;
    }
    case 'packedData': {
      const t = at(d.tensors.filter((x) => x.packed), m.pick);
      if (!t) return;
      const p = t.packed as unknown as Record<string, ArrayLike<number> & { slice(a?: number, b?: number): unknown; length: number }>;
      const key = m.part === 'indices' ? (p['indices'] ? 'indices' : 'colIdx') : m.part;
      const arr = p[key];
      if (!arr) return;
      if (m.how === 'set') {
        if (arr.length > 0) (arr as unknown as number[])[m.at % arr.length] = m.value;
      } else {
        // Shorter by a little, or longer by a little (zeros).
        const len = m.value >= 0 ? arr.length + (m.at % 9) : Math.max(0, arr.length - 1 - (m.at % 9));
        const Ctor = (arr as unknown as { constructor: new (n: number) => { set(a: ArrayLike<number>): void } }).constructor;
        const next = new Ctor(len);
        next.set((arr.slice(0, Math.min(len, arr.length)) as ArrayLike<number>));
        p[key] = next as unknown as typeof arr;
      }
      return;
    }
    case 'weightValue': {
      const t = at(d.tensors.filter((x) => x.kind === 'weight' && (x.data?.length ?? 0) > 0 && x.data instanceof Float32Array), m.pick);
      if (!t) return;
      const data = (t.data as Float32Array).slice();
      data[m.at % data.length] = m.value;
      t.data = data;
      return;
    }
    case 'features': {
      if (m.how === 'unknown') d.requiredFeatures.push('no-such-feature');
      else if (m.how === 'drop') d.requiredFeatures.splice(0, 1);
      else d.formatVersion = m.value;
      return;
    }
    default: return; // layout edits: editLayout
  }
}

function editLayout(layout: ArtifactLayout, d: Draft, m: ArtifactMutation): void {
  switch (m.kind) {
    case 'arena': {
      const withArena = layout.placements.map((p, i) => [p, i] as const).filter(([, i]) => d.tensors[i]?.kind !== 'weight');
      const target = at(withArena, m.pick);
      if (!target) return;
      const p = target[0];
      if (m.how === 'set') p.arenaOffset = BigInt(m.value);
      else if (m.how === 'alias') p.arenaOffset = at(withArena, m.other)![0].arenaOffset;
      else p.arenaOffset += BigInt(1 + (m.other % 63));
      return;
    }
    case 'arenaAlignment': layout.arenaAlignment = m.value; return;
    case 'weightPlace': {
      const weights = layout.placements.filter((_, i) => d.tensors[i]?.kind === 'weight');
      const p = at(weights, m.pick);
      if (!p) return;
      const field = PLACE_FIELDS[m.field % PLACE_FIELDS.length]!;
      const holderOf = (q: TensorPlacement): Record<string, bigint> | undefined =>
        (field === 'dataOffset' || field === 'dataLength' ? q : q.sparse) as unknown as Record<string, bigint> | undefined;
      const h = holderOf(p);
      if (!h) return;
      if (m.how === 'set') h[field] = BigInt(m.value);
      else if (m.how === 'shift') h[field] = h[field]! + BigInt(m.value % 2 === 0 ? 16 : -4);
      else h[field] = holderOf(at(weights, m.pick + 1)!)?.[field] ?? h[field]!;
      return;
    }
    default: return;
  }
}
