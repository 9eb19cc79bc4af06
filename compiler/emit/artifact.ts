// The .spm writer: a LoadedArtifact (weights carrying `data`, or `packed` + `descriptor`) in,
// artifact bytes out, laid out
// as schemas/README.md describes. Deterministic: same input, same bytes. planArtifact and
// encodeArtifact are separate so tests can falsify a layout and check the loader refuses it.

import { Builder } from 'flatbuffers';
import { Attribute } from '../../schemas/gen/spc/schema/attribute.js';
import { AttributeKind } from '../../schemas/gen/spc/schema/attribute-kind.js';
import { KeyValue } from '../../schemas/gen/spc/schema/key-value.js';
import { LayerRecipe } from '../../schemas/gen/spc/schema/layer-recipe.js';
import { MemoryPlan } from '../../schemas/gen/spc/schema/memory-plan.js';
import { Model } from '../../schemas/gen/spc/schema/model.js';
import { Node } from '../../schemas/gen/spc/schema/node.js';
import { Provenance } from '../../schemas/gen/spc/schema/provenance.js';
import { Tensor } from '../../schemas/gen/spc/schema/tensor.js';
import { ShapeBuckets as ShapeBucketsTable } from '../../schemas/gen/spc/schema/shape-buckets.js';
import { ShapePlan as ShapePlanTable } from '../../schemas/gen/spc/schema/shape-plan.js';
import { SparseWeight } from '../../schemas/gen/spc/schema/sparse-weight.js';
import { IndexType } from '../../schemas/gen/spc/schema/index-type.js';
import { KernelLayout } from '../../schemas/gen/spc/schema/kernel-layout.js';
import { WeightQuantization } from '../../schemas/gen/spc/schema/weight-quantization.js';
import type { StoredQuantization } from '../../runtime/quant/stored.js';
import type { PackedWeight, SparsityDescriptor } from '../../runtime/sparse/packed.js';
import type { AttrValue } from '../../runtime/kernels/kernel.js';
import { patternText } from '../../runtime/sparse/pattern.js';
import { encodeNmRanks } from '../../runtime/sparse/nm-rank.js';
import { nmRankCoded, type StoredAs } from '../sparse/pack/pack.js';
import type { TypedArray } from '../../runtime/tensor.js';
import type { LayerRecipe as LayerRecipeEntry, LoadedArtifact, LoadedNode, LoadedTensor, ShapeBuckets } from '../../runtime/loader/model.js';
import { crc32 } from '../../runtime/loader/crc32.js';
import {
  ARENA_ALIGNMENT, BUCKETS_FEATURE, CONTAINER_VERSION, CRC_START, DTYPE_FEATURES, EXPAND_FEATURE, DTYPE_TO_FB, HEADER_BYTES, HEADER_FIELDS as H, KIND_TO_FB,
  INT8_PACKED_FEATURE, MAGIC, NM_RANK_FEATURE, QUANT_DTYPE_TO_FB, QUANT_FEATURES, SPARSE_FEATURES, SPARSE_FORMAT_TO_FB, SPARSE_FORMAT_VERSION, WEIGHT_ALIGNMENT, alignUp,
} from '../../runtime/loader/format.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import { LIMIT_CEILINGS } from '../../runtime/loader/limits.js';
import type { KernelRegistry } from '../../runtime/kernels/kernel.js';
import { bindArtifactSync, RunError } from '../../runtime/executor/bind.js';
import { planArtifactOf } from '../../runtime/executor/buckets.js';
import { SpcError } from '../errors.js';

/** Byte ranges of a packed weight's components in the weight section (0, 0 when unused). */
export interface SparsePlacement {
  valuesOffset: bigint;
  valuesLength: bigint;
  indicesOffset: bigint;
  indicesLength: bigint;
  rowPtrOffset: bigint;
  rowPtrLength: bigint;
}

/** Byte ranges of a quantized weight's scales and zero points (0, 0 when absent). */
export interface QuantPlacement {
  scalesOffset: bigint;
  scalesLength: bigint;
  zeroPointsOffset: bigint;
  zeroPointsLength: bigint;
}

/** Where each tensor's bytes go; what the writer computes and what tests may falsify. */
export interface TensorPlacement {
  dataOffset: bigint;
  dataLength: bigint;
  arenaOffset: bigint;
  /** Packed weights only. */
  sparse?: SparsePlacement;
  /** Quantized weights only. */
  quant?: QuantPlacement;
}

export interface ArtifactLayout {
  /** One per tensor, in tensor order. */
  readonly placements: TensorPlacement[];
  /** One list per shape plan (LoadedArtifact.shapeBuckets.plans), like `placements`. */
  readonly planPlacements: TensorPlacement[][];
  /** The weight section, zero padded between weights. */
  readonly weights: Uint8Array;
  /** MemoryPlan.alignment. */
  arenaAlignment: number;
}

function bytesOf(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * A packed weight's stored values: the quantized elements when it is stored quantized; an int8
 * weight's (QLinearConv/QLinearMatMul) codes, which `p.values` holds widened; else `p.values`.
 */
export function storedValues(p: PackedWeight, s: StoredAs): TypedArray {
  return s.quant?.values ?? (s.dtype === 'int8' ? Int8Array.from(p.values) : p.values);
}

/**
 * A packed weight's components in storage order: values (as stored, storedValues), indices
 * (colIdx or the N:M bit stream), row pointers.
 */
function components(p: PackedWeight, s: StoredAs): [TypedArray, Uint8Array | Uint16Array | Int32Array, Int32Array | undefined] {
  const values = storedValues(p, s);
  if (p.format !== 'nm') return [values, p.colIdx, p.rowPtr];
  return [values, nmRankCoded(p, s) ? encodeNmRanks(p.indices, p.rows * (p.cols / p.m), p.n, p.m) : p.indices, undefined];
}

/** FNV-1a over bytes: a cheap key for finding identical weights (equality is then checked in full). */
function contentKey(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return `${b.length}:${(h >>> 0).toString(16)}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Lays weights out in tensor order, each at a multiple of WEIGHT_ALIGNMENT; a packed weight
 * places its values, indices and row pointers (in that order), each 64-aligned, except rank-coded
 * N:M indices, placed last. Identical
 * byte strings are stored once and shared (exported models often repeat weights, e.g. copies
 * of one layer or one transposed initializer folded per use).
 */
export function planArtifact(a: LoadedArtifact): ArtifactLayout {
  let end = 0;
  const chunks: [number, Uint8Array][] = [];
  const stored = new Map<string, [number, Uint8Array][]>();
  const place = (data: TypedArray): [bigint, bigint] => {
    const bytes = bytesOf(data);
    const key = contentKey(bytes);
    const same = stored.get(key)?.find(([, b]) => sameBytes(b, bytes));
    if (same) return [BigInt(same[0]), BigInt(bytes.length)];
    const offset = alignUp(end, WEIGHT_ALIGNMENT);
    end = offset + data.byteLength;
    chunks.push([offset, bytes]);
    stored.set(key, [...(stored.get(key) ?? []), [offset, bytes]]);
    return [BigInt(offset), BigInt(data.byteLength)];
  };
  // After the stored elements: a quantized weight's scales, then its zero points.
  const placeQuant = (q: StoredQuantization | undefined): { quant?: QuantPlacement } => {
    if (q === undefined) return {};
    const [scalesOffset, scalesLength] = q.dtype === 'float16' ? [0n, 0n] : place(q.scales);
    const [zeroPointsOffset, zeroPointsLength] = q.zeroPoints === undefined ? [0n, 0n] : place(q.zeroPoints);
    return { quant: { scalesOffset, scalesLength, zeroPointsOffset, zeroPointsLength } };
  };
  // Rank-coded N:M indices go after every other weight byte, in tensor order: they are near
  // their entropy, and one run of them at the end costs brotli less than runs between int8
  // values (resnet10_w32 2:4 int8: 828660 bytes against 830312 interleaved).
  const rankCoded: [SparsePlacement, TypedArray][] = [];
  const placeTensor = (t: LoadedTensor): TensorPlacement => {
    if (t.kind !== 'weight') return { dataOffset: 0n, dataLength: 0n, arenaOffset: BigInt(t.arenaOffset ?? 0) };
    if (t.packed !== undefined) {
      const [values, indices, rowPtr] = components(t.packed, t);
      const [valuesOffset, valuesLength] = place(values);
      const deferred = nmRankCoded(t.packed, t);
      const [indicesOffset, indicesLength] = deferred ? [0n, 0n] : place(indices);
      const [rowPtrOffset, rowPtrLength] = rowPtr === undefined ? [0n, 0n] : place(rowPtr);
      const sparse = { valuesOffset, valuesLength, indicesOffset, indicesLength, rowPtrOffset, rowPtrLength };
      if (deferred) rankCoded.push([sparse, indices]);
      return { dataOffset: 0n, dataLength: 0n, arenaOffset: 0n, sparse, ...placeQuant(t.quant) };
    }
    const data = t.quant?.values ?? t.data;
    if (data === undefined) throw new Error(`writeArtifact: weight '${t.name}' has no data`);
    const [dataOffset, dataLength] = place(data);
    return { dataOffset, dataLength, arenaOffset: 0n, ...placeQuant(t.quant) };
  };
  const placements = a.tensors.map(placeTensor);
  // A shape plan's weights come after: those it shares with the model's graph are found stored.
  const planPlacements = (a.shapeBuckets?.plans ?? []).map((p) => p.tensors.map(placeTensor));
  for (const [sparse, indices] of rankCoded) [sparse.indicesOffset, sparse.indicesLength] = place(indices);
  const weights = new Uint8Array(end);
  // Typed arrays hold host byte order; the loader refuses big-endian hosts, so this is LE.
  for (const [offset, bytes] of chunks) weights.set(bytes, offset);
  return { placements, planPlacements, weights, arenaAlignment: ARENA_ALIGNMENT };
}

/**
 * The required features an artifact records: those given that spc does not derive, then exactly
 * the sparse-* features of the formats its packed weights use (in csr, nm, bsr order), then
 * sparse-expand when a packed weight is read dense (expanded at load), then sparse-nm-rank when an N:M
 * weight's indices are rank coded, then sparse-int8 when an int8 weight (of the int8 ops) is packed, then the dtype-* features of the element types added after v2 that its tensors use (float16, uint32, uint64),
 * then the quant-* features of the element types its weights are stored quantized as (int8, uint8, float16),
 * then shape-buckets when it holds plans for several input shapes.
 */
export function artifactFeatures(a: LoadedArtifact): string[] {
  const sparse = Object.values(SPARSE_FEATURES);
  const dtypes = Object.values(DTYPE_FEATURES);
  const quants = Object.values(QUANT_FEATURES);
  const used = new Set([...a.tensors, ...(a.shapeBuckets?.plans ?? []).flatMap((p) => p.tensors)].flatMap((t) => [
    ...(t.packed === undefined ? [] : [SPARSE_FEATURES[t.packed.format]]),
    ...(t.packed !== undefined && t.kernelLayout === 'dense' ? [EXPAND_FEATURE] : []),
    ...(t.packed !== undefined && nmRankCoded(t.packed, t) ? [NM_RANK_FEATURE] : []),
    ...(t.packed !== undefined && t.dtype === 'int8' ? [INT8_PACKED_FEATURE] : []),
    ...(DTYPE_FEATURES[t.dtype] === undefined ? [] : [DTYPE_FEATURES[t.dtype]!]),
    ...(t.quant === undefined ? [] : [QUANT_FEATURES[t.quant.dtype]]),
  ]));
  if (a.shapeBuckets !== undefined) used.add(BUCKETS_FEATURE);
  const derived = [...sparse, EXPAND_FEATURE, NM_RANK_FEATURE, INT8_PACKED_FEATURE, ...dtypes, ...quants, BUCKETS_FEATURE];
  return [...a.requiredFeatures.filter((f) => !derived.includes(f)), ...derived.filter((f) => used.has(f))];
}

/** The format version recorded: as given, raised to 2 when the artifact holds packed weights. */
export function artifactFormatVersion(a: LoadedArtifact): number {
  const packed = [...a.tensors, ...(a.shapeBuckets?.plans ?? []).flatMap((p) => p.tensors)].some((t) => t.packed !== undefined);
  return packed ? Math.max(a.formatVersion, SPARSE_FORMAT_VERSION) : a.formatVersion;
}

/** The descriptor written for a packed weight: the one given, or one derived from the packing. */
export function defaultDescriptor(p: PackedWeight): SparsityDescriptor {
  const total = p.rows * p.cols;
  let nonzero = 0;
  for (const v of p.values) if (v !== 0) nonzero++;
  const pattern = patternText(p.format === 'nm' ? { kind: 'nm', n: p.n, m: p.m } : p.format === 'bsr' ? { kind: 'block', br: p.br, bc: p.bc } : { kind: 'unstructured' });
  return { pattern, sparsity: total === 0 ? 0 : 1 - nonzero / total };
}

/** Encodes `a` with the given layout, without checking that the result loads. */
export function encodeArtifact(a: LoadedArtifact, layout: ArtifactLayout): Uint8Array {
  const fb = buildFlatbuffer(a, layout);
  const weightOffset = alignUp(HEADER_BYTES + fb.length, WEIGHT_ALIGNMENT);
  const file = new Uint8Array(weightOffset + layout.weights.length);
  const view = new DataView(file.buffer);
  file.set(MAGIC, H.magic);
  view.setUint32(H.containerVersion, CONTAINER_VERSION, true);
  view.setUint32(H.flatbufferOffset, HEADER_BYTES, true);
  view.setUint32(H.flatbufferLength, fb.length, true);
  view.setUint32(H.weightOffset, weightOffset, true);
  view.setUint32(H.weightLength, layout.weights.length, true);
  view.setUint32(H.reserved, 0, true);
  file.set(fb, HEADER_BYTES);
  file.set(layout.weights, weightOffset);
  view.setUint32(H.crc, crc32(file, CRC_START), true);
  return file;
}

/**
 * Decodes `bytes`, lets `edit` change the decoded contents (and `tamper` the layout), and encodes
 * the result with a correct checksum, without the writer's load-back: a structure-aware mutation
 * whose every later check is the loader's (hostile-artifact tests, the fuzzer). Throws the
 * loader's ArtifactError when `bytes` itself does not load.
 */
export function reencodeArtifact(bytes: Uint8Array, edit: (a: LoadedArtifact) => LoadedArtifact,
  tamper: (layout: ArtifactLayout) => void = () => {}): Uint8Array {
  const a = edit(parseArtifact(bytes, { limits: LIMIT_CEILINGS }));
  const layout = planArtifact(a);
  tamper(layout);
  return encodeArtifact(a, layout);
}

/**
 * Writes the artifact and loads it back, so that the compiler never emits a file the runtime
 * would refuse; a failure here is a compiler bug and names the offending tensor or node. With a
 * registry, the load goes as far as loadModel's: every node checked against its kernel and every
 * kernel prepared on a plain arena (no kernel runs; on the largest corpus model, 0.4 s of an 8 s compile).
 */
export function writeArtifact(a: LoadedArtifact, options: { readonly registry?: KernelRegistry } = {}): Uint8Array {
  const bytes = encodeArtifact(a, planArtifact(a));
  let loaded;
  try {
    // A check of structure, not of the user's limits (the compiler checks those itself, before writing).
    loaded = parseArtifact(bytes, { limits: LIMIT_CEILINGS });
  } catch (e) {
    throw new Error(`writeArtifact: the artifact would not load: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (options.registry) {
    try {
      bindArtifactSync(loaded, options.registry);
      for (const plan of loaded.shapeBuckets?.plans ?? []) bindArtifactSync(planArtifactOf(loaded, plan), options.registry);
    } catch (e) {
      // A node the chosen kernel refuses (an attribute value the shape rules let through) is
      // refused by name as the runtime would refuse it, not written for loadModel to refuse later.
      if (e instanceof RunError) throw new SpcError(`the runtime cannot run this model: ${e.message}`);
      throw e;
    }
  }
  return bytes;
}

function buildFlatbuffer(a: LoadedArtifact, layout: ArtifactLayout): Uint8Array {
  const b = new Builder(1024);
  // Write every scalar, defaults included: -0 survives as an attribute value, and the bytes do
  // not depend on which values happen to equal a default.
  b.forceDefaults(true);
  const str = (s: string): number => b.createString(s);

  const features = Model.createRequiredFeaturesVector(b, artifactFeatures(a).map(str));
  const name = str(a.name);
  const tensors = Model.createTensorsVector(b, buildTensors(b, a.tensors, layout.placements));
  const nodes = Model.createNodesVector(b, a.nodes.map((n) => buildNode(b, n)));
  const inputs = Model.createInputsVector(b, [...a.inputs]);
  const outputs = Model.createOutputsVector(b, [...a.outputs]);
  const plan = MemoryPlan.createMemoryPlan(b, BigInt(a.arenaBytes), layout.arenaAlignment);
  const buckets = a.shapeBuckets === undefined ? 0 : buildBuckets(b, a.shapeBuckets, layout);

  const options = [...a.provenance.options].sort(([k1, v1], [k2, v2]) => compare(k1, k2) || compare(v1, v2));
  const optionsVector = Provenance.createOptionsVector(b, options.map(([k, v]) => {
    const key = str(k);
    const value = str(v);
    return KeyValue.createKeyValue(b, key, value);
  }));
  // Written only when there is a recipe, so recipe-less artifacts keep their earlier bytes.
  const recipe = a.provenance.layers ?? [];
  const layersVector = recipe.length === 0 ? 0 : Provenance.createLayersVector(b, recipe.map((r) => buildRecipe(b, r)));
  const spcVersion = str(a.provenance.spcVersion);
  const sha = str(a.provenance.sourceSha256);
  Provenance.startProvenance(b);
  Provenance.addSpcVersion(b, spcVersion);
  Provenance.addSourceSha256(b, sha);
  Provenance.addOptions(b, optionsVector);
  if (layersVector !== 0) Provenance.addLayers(b, layersVector);
  const provenance = Provenance.endProvenance(b);

  Model.startModel(b);
  Model.addFormatVersion(b, artifactFormatVersion(a));
  Model.addRequiredFeatures(b, features);
  Model.addName(b, name);
  Model.addTensors(b, tensors);
  Model.addNodes(b, nodes);
  Model.addInputs(b, inputs);
  Model.addOutputs(b, outputs);
  Model.addMemoryPlan(b, plan);
  Model.addProvenance(b, provenance);
  // Only in a bucketed artifact, so every single-shape file keeps its bytes.
  if (buckets !== 0) Model.addShapeBuckets(b, buckets);
  Model.finishModelBuffer(b, Model.endModel(b));
  return b.asUint8Array().slice();
}

function buildTensors(b: Builder, tensors: readonly LoadedTensor[], placements: readonly TensorPlacement[]): number[] {
  return tensors.map((t, i) => {
    const p = placements[i]!;
    const tname = b.createString(t.name);
    const shape = Tensor.createShapeVector(b, t.shape.map((d) => BigInt(d)));
    const sparse = t.packed === undefined ? 0 : buildSparse(b, t.packed, t.descriptor, p.sparse, t.kernelLayout, t);
    const quant = t.quant === undefined ? 0 : buildQuant(b, t.quant, p.quant);
    Tensor.startTensor(b);
    Tensor.addName(b, tname);
    Tensor.addDtype(b, DTYPE_TO_FB[t.dtype]);
    Tensor.addShape(b, shape);
    Tensor.addKind(b, KIND_TO_FB[t.kind]);
    Tensor.addDataOffset(b, p.dataOffset);
    Tensor.addDataLength(b, p.dataLength);
    Tensor.addArenaOffset(b, p.arenaOffset);
    if (sparse !== 0) Tensor.addSparse(b, sparse);
    if (quant !== 0) Tensor.addQuant(b, quant);
    return Tensor.endTensor(b);
  });
}

/** Model.shape_buckets: each plan's tensors (placed by planArtifact), nodes, graph ends and memory plan. */
function buildBuckets(b: Builder, buckets: ShapeBuckets, layout: ArtifactLayout): number {
  const plans = ShapeBucketsTable.createPlansVector(b, buckets.plans.map((p, k) => {
    const tensors = ShapePlanTable.createTensorsVector(b, buildTensors(b, p.tensors, layout.planPlacements[k] ?? []));
    const nodes = ShapePlanTable.createNodesVector(b, p.nodes.map((n) => buildNode(b, n)));
    const inputs = ShapePlanTable.createInputsVector(b, [...p.inputs]);
    const outputs = ShapePlanTable.createOutputsVector(b, [...p.outputs]);
    const memory = MemoryPlan.createMemoryPlan(b, BigInt(p.arenaBytes), layout.arenaAlignment);
    ShapePlanTable.startShapePlan(b);
    ShapePlanTable.addTensors(b, tensors);
    ShapePlanTable.addNodes(b, nodes);
    ShapePlanTable.addInputs(b, inputs);
    ShapePlanTable.addOutputs(b, outputs);
    ShapePlanTable.addMemoryPlan(b, memory);
    return ShapePlanTable.endShapePlan(b);
  }));
  const mask = b.createString(buckets.maskInput);
  return ShapeBucketsTable.createShapeBuckets(b, plans, mask);
}

function buildSparse(b: Builder, p: PackedWeight, descriptor: SparsityDescriptor | undefined, place: SparsePlacement | undefined,
  kernelLayout: 'dense' | undefined, stored: StoredAs): number {
  const d = descriptor ?? defaultDescriptor(p);
  const where = place ?? { valuesOffset: 0n, valuesLength: 0n, indicesOffset: 0n, indicesLength: 0n, rowPtrOffset: 0n, rowPtrLength: 0n };
  const pattern = b.createString(d.pattern);
  const indexType = p.format === 'nm' ? (nmRankCoded(p, stored) ? IndexType.NM_RANK : IndexType.U8)
    : p.colIdx instanceof Uint16Array ? IndexType.U16 : IndexType.I32;
  SparseWeight.startSparseWeight(b);
  SparseWeight.addFormat(b, SPARSE_FORMAT_TO_FB[p.format]);
  SparseWeight.addRows(b, p.rows);
  SparseWeight.addCols(b, p.cols);
  SparseWeight.addN(b, p.format === 'nm' ? p.n : 0);
  SparseWeight.addM(b, p.format === 'nm' ? p.m : 0);
  SparseWeight.addBr(b, p.format === 'bsr' ? p.br : 0);
  SparseWeight.addBc(b, p.format === 'bsr' ? p.bc : 0);
  SparseWeight.addPattern(b, pattern);
  SparseWeight.addSparsity(b, d.sparsity);
  SparseWeight.addValuesOffset(b, where.valuesOffset);
  SparseWeight.addValuesLength(b, where.valuesLength);
  SparseWeight.addIndicesOffset(b, where.indicesOffset);
  SparseWeight.addIndicesLength(b, where.indicesLength);
  SparseWeight.addIndexType(b, indexType);
  SparseWeight.addRowPtrOffset(b, where.rowPtrOffset);
  SparseWeight.addRowPtrLength(b, where.rowPtrLength);
  // Only when DENSE: a weight its kernel reads packed keeps the bytes it had before the codec.
  if (kernelLayout === 'dense') SparseWeight.addKernelLayout(b, KernelLayout.DENSE);
  return SparseWeight.endSparseWeight(b);
}

function buildQuant(b: Builder, q: StoredQuantization, place: QuantPlacement | undefined): number {
  const where = place ?? { scalesOffset: 0n, scalesLength: 0n, zeroPointsOffset: 0n, zeroPointsLength: 0n };
  return WeightQuantization.createWeightQuantization(b, QUANT_DTYPE_TO_FB[q.dtype], q.axis,
    where.scalesOffset, where.scalesLength, where.zeroPointsOffset, where.zeroPointsLength);
}

/** One recipe entry; in the order given (the compiler gives node order). */
function buildRecipe(b: Builder, r: LayerRecipeEntry): number {
  const node = b.createString(r.node);
  const pattern = b.createString(r.pattern);
  const criterion = b.createString(r.criterion);
  const note = b.createString(r.note);
  return LayerRecipe.createLayerRecipe(b, node, pattern, r.requested, r.achieved, BigInt(r.paramsBefore), BigInt(r.paramsAfter),
    criterion, note);
}

function buildNode(b: Builder, n: LoadedNode): number {
  const name = b.createString(n.name);
  const op = b.createString(n.op);
  const kernel = b.createString(n.kernel);
  const reason = b.createString(n.kernelReason);
  const inputs = Node.createInputsVector(b, [...n.inputs]);
  const outputs = Node.createOutputsVector(b, [...n.outputs]);
  const names = Object.keys(n.attrs).sort(compare);
  const attributes = Node.createAttributesVector(b, names.map((k) => buildAttribute(b, k, n.attrs[k]!)));
  return Node.createNode(b, name, op, kernel, reason, inputs, outputs, attributes);
}

/** Only the field the kind names is written; an empty list is stored as NUMBERS. */
function buildAttribute(b: Builder, name: string, value: AttrValue): number {
  const nameOffset = b.createString(name);
  if (typeof value === 'number') {
    Attribute.startAttribute(b);
    Attribute.addName(b, nameOffset);
    Attribute.addKind(b, AttributeKind.NUMBER);
    Attribute.addNumber(b, value);
    return Attribute.endAttribute(b);
  }
  if (typeof value === 'string') {
    const s = b.createString(value);
    Attribute.startAttribute(b);
    Attribute.addName(b, nameOffset);
    Attribute.addKind(b, AttributeKind.STRING);
    Attribute.addString(b, s);
    return Attribute.endAttribute(b);
  }
  if (value.every((v): v is number => typeof v === 'number')) {
    const numbers = Attribute.createNumbersVector(b, [...value]);
    Attribute.startAttribute(b);
    Attribute.addName(b, nameOffset);
    Attribute.addKind(b, AttributeKind.NUMBERS);
    Attribute.addNumbers(b, numbers);
    return Attribute.endAttribute(b);
  }
  if (!value.every((v): v is string => typeof v === 'string')) {
    throw new Error(`writeArtifact: attribute '${name}' mixes numbers and strings`);
  }
  const strings = Attribute.createStringsVector(b, value.map((s) => b.createString(s)));
  Attribute.startAttribute(b);
  Attribute.addName(b, nameOffset);
  Attribute.addKind(b, AttributeKind.STRINGS);
  Attribute.addStrings(b, strings);
  return Attribute.endAttribute(b);
}

/** Code-unit order, independent of locale. */
function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
