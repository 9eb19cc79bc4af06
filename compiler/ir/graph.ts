// spc's own graph IR: values with dtype and static shape, nodes with typed attributes.
// Independent of protobuf types. Graphs are treated as immutable: passes build new ones.

import type { DType, TypedArray } from '../../runtime/tensor.js';
import type { PackedWeight, WeightFormat } from '../../runtime/sparse/packed.js';

export type { DType, TypedArray };
// A tensor attribute's one element, as a number (float16 decoded), for kernels.
import { reader } from '../../runtime/kernels/common/numeric-cells.js';

/** A dimension: a number once pinned, a symbolic name (or '?') while dynamic. */
export type Dim = number | string;

export type Attr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: Constant };

/** Constant data (an initializer or a folded value). */
export interface Constant {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
  /** Computed by fold-constants (its bytes count against the folding budget), not read from the model. */
  readonly folded?: true;
}

/** Set by pruning on a constant weight whose zeros follow a pattern (its data holds the zeros). */
export interface Sparsity {
  readonly kind: 'unstructured' | 'nm' | 'block';
  /** The pattern's canonical text (runtime/sparse/pattern.ts patternText): 'unstructured', '2:4', 'block:4x1'. */
  readonly pattern: string;
  readonly n?: number;
  readonly m?: number;
  /** N:M only: the mask is shared by blocks of this many consecutive output rows. */
  readonly shareRows?: number;
  readonly br?: number;
  readonly bc?: number;
  /** Fraction of zeros requested and achieved. */
  readonly requested: number;
  readonly achieved: number;
}

/**
 * Set by quantization (--quantize) on a layer weight: the grid its constant's data now lies on.
 * The data holds the dequantized float32 values, so every later pass computes with what runs;
 * lowering stores the codes (runtime/quant/stored.ts).
 */
export interface WeightQuantization {
  readonly kind: 'int8' | 'float16';
  /** int8: the weight's output-channel axis, along which the scales run; float16: -1. */
  readonly axis: number;
  /** int8: one float32 scale per index along `axis`. */
  readonly scales?: Float32Array;
  /** Rounded to nearest, or reached jointly with SparseGPT's reconstruction (GPTQ). */
  readonly method: 'round' | 'gptq';
  /** Signal-to-quantization-noise ratio, in dB, of the stored weights against the float ones they replaced. */
  readonly sqnrDb: number;
}

export interface Value {
  readonly name: string;
  readonly dtype: DType;
  /** Static shape; `undefined` until shape inference has run. */
  readonly shape?: readonly Dim[];
  /** Present for initializers and folded constants. */
  readonly constant?: Constant;
  /** Present on pruned weights: the pattern their zeros follow. */
  readonly sparsity?: Sparsity;
  /** Present on weights stored quantized: their grid. */
  readonly quantization?: WeightQuantization;
  /**
   * Present on int8 codes a pass made of a quantized float weight (a QLinearConv's or
   * QLinearMatMul's weight input): that weight's grid, which the codes are on already (lowering
   * stores them as they are). What the report's SQNR column reads for such a layer.
   */
  readonly codesOf?: WeightQuantization;
}

/** A pruned weight stored packed: the arrays the artifact stores, and the layout the node's kernel reads. */
export interface WeightStorage {
  /** The pruned weight packed in its pattern's format; lowering stores these arrays as they are. */
  readonly packed: PackedWeight;
  /** `packed.format` (a sparse kernel reads it), or 'dense': the runtime expands it at load (the storage codec). */
  readonly kernelReads: WeightFormat;
}

export interface Node {
  readonly name: string;
  readonly op: string;
  /** Value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, Attr>>;
  /** Chosen kernel id, set by kernel selection. */
  readonly kernel?: string;
  /** Why that kernel was chosen. */
  readonly kernelReason?: string;
  /** Its estimated ns per call, where the kernel profile priced the choice (the report's estimates read it). */
  readonly kernelNs?: number;
  /**
   * How the pruned weight (input 1) is stored and read, decided once by kernel selection
   * (analysis/kernel-choice.ts); lowering stores it as recorded and the reports read it. Absent:
   * stored dense (not pruned, or its packing is no smaller) and read dense.
   */
  readonly weightStorage?: WeightStorage;
  /**
   * Set on a node that came from an If's branch: the branches enclosing it, outermost first, each
   * `<If node name>:then` or `:else`. Only that branch's run needs it (passes/schedule-branches.ts).
   */
  readonly branch?: readonly string[];
}

export interface Graph {
  readonly name: string;
  /** Default-domain opset version of the source model. */
  readonly opset: number;
  /** Graph input value names (never initializers). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Every value by name, in a deterministic insertion order. */
  readonly values: ReadonlyMap<string, Value>;
  /** Nodes in topological order. */
  readonly nodes: readonly Node[];
}

/** Each value's readers: the nodes with it among their inputs, in graph order, each node once per value ('' skipped). */
export function readersOf(g: Pick<Graph, 'nodes'>): Map<string, Node[]> {
  const readers = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const x of new Set(n.inputs)) {
      if (x === '') continue;
      const list = readers.get(x);
      if (list) list.push(n);
      else readers.set(x, [n]);
    }
  }
  return readers;
}

export function isStatic(shape: readonly Dim[] | undefined): shape is readonly number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

export function valueOf(g: Graph, name: string): Value {
  const v = g.values.get(name);
  if (!v) throw new Error(`graph '${g.name}': no value named '${name}'`);
  return v;
}

export function attrInt(n: Node, name: string, dflt: number): number;
export function attrInt(n: Node, name: string): number | undefined;
export function attrInt(n: Node, name: string, dflt?: number): number | undefined {
  const a = n.attrs[name];
  if (!a) return dflt;
  if (a.kind !== 'int') throw new Error(`node '${n.name}' (${n.op}): attribute '${name}' must be an int, got ${a.kind}`);
  return a.value;
}

export function attrFloat(n: Node, name: string, dflt: number): number {
  const a = n.attrs[name];
  if (!a) return dflt;
  if (a.kind !== 'float' && a.kind !== 'int') throw new Error(`node '${n.name}' (${n.op}): attribute '${name}' must be a float, got ${a.kind}`);
  return a.value;
}

export function attrInts(n: Node, name: string): readonly number[] | undefined {
  const a = n.attrs[name];
  if (!a) return undefined;
  if (a.kind !== 'ints') throw new Error(`node '${n.name}' (${n.op}): attribute '${name}' must be ints, got ${a.kind}`);
  return a.value;
}

export function attrString(n: Node, name: string, dflt: string): string {
  const a = n.attrs[name];
  if (!a) return dflt;
  if (a.kind !== 'string') throw new Error(`node '${n.name}' (${n.op}): attribute '${name}' must be a string, got ${a.kind}`);
  return a.value;
}

/** Builds a graph from parts, keeping value order deterministic. */
export function makeGraph(parts: {
  name: string; opset: number; inputs: readonly string[]; outputs: readonly string[];
  values: Iterable<Value>; nodes: readonly Node[];
}): Graph {
  const values = new Map<string, Value>();
  for (const v of parts.values) values.set(v.name, v);
  return { name: parts.name, opset: parts.opset, inputs: parts.inputs, outputs: parts.outputs, values, nodes: parts.nodes };
}

/** Returns a copy of `g` with some fields replaced. */
export function withGraph(g: Graph, change: Partial<Omit<Graph, 'values'>> & { values?: Iterable<Value> }): Graph {
  return makeGraph({
    name: change.name ?? g.name,
    opset: change.opset ?? g.opset,
    inputs: change.inputs ?? g.inputs,
    outputs: change.outputs ?? g.outputs,
    values: change.values ?? g.values.values(),
    nodes: change.nodes ?? g.nodes,
  });
}

/** Converts IR attributes to the plain form kernels receive. Tensor attributes of more than one element are dropped. */
export function kernelAttrs(n: Node): Record<string, number | string | readonly number[] | readonly string[]> {
  const out: Record<string, number | string | readonly number[] | readonly string[]> = {};
  for (const [k, a] of Object.entries(n.attrs)) {
    // A one-element tensor attribute (ConstantOfShape's value) reaches kernels as its number; larger ones stay compile-time only.
    if (a.kind !== 'tensor') out[k] = a.value;
    else if (a.value.data.length === 1) out[k] = reader(a.value)(0);
  }
  return out;
}
