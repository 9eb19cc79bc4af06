// parseArtifact: .spm bytes in, a fully validated LoadedArtifact out. Artifacts are untrusted
// (a browser may fetch one from anywhere), so the header, checksum, FlatBuffer structure and
// every index, offset, length and shape are checked before anything is returned; any
// failure is an ArtifactError saying what is wrong and where.

import { ByteBuffer } from 'flatbuffers';
import { Model } from '../../schemas/gen/spc/schema/model.js';
import { Tensor } from '../../schemas/gen/spc/schema/tensor.js';
import { Node } from '../../schemas/gen/spc/schema/node.js';
import { Attribute } from '../../schemas/gen/spc/schema/attribute.js';
import { AttributeKind } from '../../schemas/gen/spc/schema/attribute-kind.js';
import { SparseWeight } from '../../schemas/gen/spc/schema/sparse-weight.js';
import type { Provenance as FbProvenance } from '../../schemas/gen/spc/schema/provenance.js';
import { IndexType } from '../../schemas/gen/spc/schema/index-type.js';
import { KernelLayout } from '../../schemas/gen/spc/schema/kernel-layout.js';
import { WeightQuantization } from '../../schemas/gen/spc/schema/weight-quantization.js';
import { dequantizeDense, dequantizePacked, QUANT_DTYPE_BYTES, scaleCount, type StoredQuantization } from '../quant/stored.js';
import { DTYPE_BYTES, viewArray } from '../tensor.js';
import { nmIndexBits, nmValidGroups, readNmGroup, readNmSlot, type PackedWeight, type SparsityDescriptor } from '../sparse/packed.js';
import { decodeNmRanks } from '../sparse/nm-rank.js';
import { weightAxes, weightInputOf, weightMatrixShape } from '../sparse/layout.js';
import type { AttrValue } from '../kernels/kernel.js';
import type { LayerRecipe, LoadedArtifact, LoadedNode, LoadedTensor, Provenance, ShapeBuckets, ShapePlan } from './model.js';
import { crc32 } from './crc32.js';
import {
  BUCKETS_FEATURE, CONTAINER_VERSION, CRC_START, DTYPE_FEATURES, EXPAND_FEATURE, INT8_PACKED_FEATURE, NM_RANK_FEATURE, FB_TO_DTYPE, FB_TO_KIND, FB_TO_QUANT_DTYPE, FB_TO_SPARSE_FORMAT, FILE_IDENTIFIER, FORMAT_VERSION, HEADER_BYTES,
  HEADER_FIELDS as H, MAGIC, MAX_ELEMENTS, MAX_RANK, MAX_SHAPE_PLANS, MIN_FORMAT_VERSION, SPARSE_FEATURES,
  QUANT_FEATURES, SPARSE_FORMAT_VERSION, SUPPORTED_FEATURES, WEIGHT_ALIGNMENT, alignUp,
} from './format.js';
import { verifyModelBuffer } from './verify-flatbuffer.js';
import { arenaOverlap } from './check-plan.js';
import { readCanonicalPattern } from '../sparse/pattern.js';
import { branchRegions } from './check-branches.js';
import { bucketLayout } from './check-buckets.js';
import { overLimit, resolveLimits, weightBytesOf } from './limits.js';
import type { Limits } from './limits.js';

export class ArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactError';
  }
}

/**
 * Validates an .spm artifact and returns its graph, with weights as zero-copy typed-array
 * views into `bytes` (into a private aligned copy when `bytes` does not start on a 64-byte
 * boundary of a plain ArrayBuffer). The caller must not modify `bytes` afterwards.
 */
export function parseArtifact(bytes: Uint8Array, options: { readonly limits?: Partial<Limits> } = {}): LoadedArtifact {
  const limits = resolveLimits(options.limits, (m) => new ArtifactError(m));
  if (!(bytes instanceof Uint8Array)) throw new ArtifactError('artifact must be a Uint8Array');
  if (!littleEndianHost()) throw new ArtifactError('this runtime needs a little-endian host');
  const file = alignedCopy(bytes);
  const header = readHeader(file);
  if (header.weightLength > limits.maxWeightBytes) throw new ArtifactError(overLimit('weight section of', `${header.weightLength} bytes`, limits, 'maxWeightBytes', 'load'));
  const fb = file.subarray(header.flatbufferOffset, header.flatbufferOffset + header.flatbufferLength);
  const model = openModel(fb);
  try {
    return readModel(model, file, header, limits);
  } catch (e) {
    if (e instanceof ArtifactError) throw e;
    // The verifier makes this unreachable; keep the promise that only ArtifactError escapes.
    throw new ArtifactError(`malformed artifact: ${e instanceof Error ? e.message : String(e)}`);
  }
}

interface Header {
  readonly flatbufferOffset: number;
  readonly flatbufferLength: number;
  readonly weightOffset: number;
  readonly weightLength: number;
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Returns `bytes` itself when weight views over it would be aligned and stable, else a copy. */
function alignedCopy(bytes: Uint8Array): Uint8Array {
  const buffer = bytes.buffer as ArrayBuffer & { readonly resizable?: boolean };
  // A SharedArrayBuffer could change under us after validation; a resizable one could shrink.
  const plain = buffer instanceof ArrayBuffer && buffer.resizable !== true;
  if (plain && bytes.byteOffset % WEIGHT_ALIGNMENT === 0) return bytes;
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

function u32(b: Uint8Array, pos: number): number {
  return (b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) | (b[pos + 3]! << 24)) >>> 0;
}

function readHeader(file: Uint8Array): Header {
  if (file.length < HEADER_BYTES) {
    throw new ArtifactError(`artifact truncated: ${file.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  }
  if (MAGIC.some((m, i) => file[i] !== m)) throw new ArtifactError('not an .spm artifact: bad magic');
  const version = u32(file, H.containerVersion);
  if (version !== CONTAINER_VERSION) {
    throw new ArtifactError(`unsupported container version ${version} (this runtime reads ${CONTAINER_VERSION})`);
  }
  const h: Header = {
    flatbufferOffset: u32(file, H.flatbufferOffset),
    flatbufferLength: u32(file, H.flatbufferLength),
    weightOffset: u32(file, H.weightOffset),
    weightLength: u32(file, H.weightLength),
  };
  const total = h.weightOffset + h.weightLength;
  // Length first, so that a cut-off download says so rather than "checksum mismatch".
  if (total > file.length) throw new ArtifactError(`artifact truncated: header says ${total} bytes, got ${file.length}`);
  if (total < file.length) throw new ArtifactError(`trailing bytes: header says ${total} bytes, got ${file.length}`);
  const expected = u32(file, H.crc);
  const actual = crc32(file, CRC_START, file.length);
  if (expected !== actual) {
    throw new ArtifactError(`checksum mismatch: header says ${hex(expected)}, contents give ${hex(actual)}`);
  }
  if (u32(file, H.reserved) !== 0) throw new ArtifactError('bad header: reserved field is not 0');
  if (h.flatbufferOffset !== HEADER_BYTES) {
    throw new ArtifactError(`bad header: flatbuffer offset ${h.flatbufferOffset} (expected ${HEADER_BYTES})`);
  }
  const fbEnd = h.flatbufferOffset + h.flatbufferLength;
  if (h.weightOffset !== alignUp(fbEnd, WEIGHT_ALIGNMENT)) {
    throw new ArtifactError(`bad header: weight section at ${h.weightOffset}, expected ${alignUp(fbEnd, WEIGHT_ALIGNMENT)} ` +
      `(flatbuffer ends at ${fbEnd}, section aligned to ${WEIGHT_ALIGNMENT})`);
  }
  for (let i = fbEnd; i < h.weightOffset; i++) {
    if (file[i] !== 0) throw new ArtifactError(`bad padding: byte ${i} before the weight section is not 0`);
  }
  return h;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function openModel(fb: Uint8Array): Model {
  if (fb.length < 8) throw new ArtifactError(`flatbuffer truncated: ${fb.length} bytes`);
  const id = String.fromCharCode(...fb.subarray(4, 8));
  if (id !== FILE_IDENTIFIER) throw new ArtifactError(`bad file identifier '${printable(id)}' (expected '${FILE_IDENTIFIER}')`);
  const problem = verifyModelBuffer(fb);
  if (problem !== undefined) throw new ArtifactError(`malformed ${problem}`);
  return Model.getRootAsModel(new ByteBuffer(fb));
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A name quoted for an error message, cut short so a hostile name cannot flood the log. */
function q(name: string): string {
  const short = name.length > 80 ? `${name.slice(0, 77)}...` : name;
  return `'${printable(short)}'`;
}

/** Reads a bigint field that must fit in a safe integer range [0, limit]. */
function small(v: bigint, limit: number): number | undefined {
  return v >= 0n && v <= BigInt(limit) ? Number(v) : undefined;
}

function readModel(m: Model, file: Uint8Array, header: Header, limits: Limits): LoadedArtifact {
  const formatVersion = m.formatVersion();
  if (formatVersion < MIN_FORMAT_VERSION || formatVersion > FORMAT_VERSION) {
    throw new ArtifactError(`unsupported format version ${formatVersion} (this runtime reads ${MIN_FORMAT_VERSION} to ${FORMAT_VERSION})`);
  }
  // Before anything else: an artifact using a newer encoding must be refused by name, not
  // fail some later check that the encoding happens to break.
  const requiredFeatures: string[] = [];
  for (let i = 0; i < m.requiredFeaturesLength(); i++) {
    const feature = m.requiredFeatures(i);
    if (!SUPPORTED_FEATURES.includes(feature)) throw new ArtifactError(`requires feature ${q(feature)} this runtime lacks`);
    requiredFeatures.push(feature);
  }
  const name = m.name();
  if (name === null) throw new ArtifactError('model has no name');

  const { tensors, nodes, inputs, outputs, arenaBytes } = readGraph(m, file, header, formatVersion, requiredFeatures, limits);
  const shapeBuckets = readShapeBuckets(m, { tensors, nodes, inputs, outputs, arenaBytes }, file, header, formatVersion, requiredFeatures, limits);
  const provenance = readProvenance(m, nodes);
  return { formatVersion, requiredFeatures, name, tensors, nodes, inputs, outputs, arenaBytes, provenance, ...(shapeBuckets ? { shapeBuckets } : {}) };
}

/** What a graph is read from: the Model itself, or one ShapePlan of its buckets (the same fields). */
type GraphTable = Pick<Model, 'memoryPlan' | 'tensors' | 'tensorsLength' | 'nodes' | 'nodesLength' | 'inputs' | 'inputsLength' | 'outputs' | 'outputsLength'>;

/** Memory plan, tensors, nodes and graph ends of one graph, each checked alone. */
function readGraph(m: GraphTable, file: Uint8Array, header: Header, formatVersion: number, requiredFeatures: readonly string[], limits: Limits): ShapePlan {
  const plan = m.memoryPlan();
  if (plan === null) throw new ArtifactError('model has no memory plan');
  const arenaBytes = small(plan.arenaBytes(), limits.maxArenaBytes);
  if (arenaBytes === undefined) throw new ArtifactError(`memory plan: ${overLimit('arena of', `${plan.arenaBytes()} bytes`, limits, 'maxArenaBytes', 'load')}`);
  const alignment = plan.alignment();
  if (alignment < 8 || alignment > 4096 || (alignment & (alignment - 1)) !== 0) {
    throw new ArtifactError(`memory plan: alignment ${alignment} is not a power of two in [8, 4096]`);
  }

  if (m.nodesLength() > limits.maxNodes) throw new ArtifactError(overLimit('graph of', `${m.nodesLength()} nodes`, limits, 'maxNodes', 'load'));
  if (m.tensorsLength() > limits.maxValues) throw new ArtifactError(overLimit('graph of', `${m.tensorsLength()} tensors`, limits, 'maxValues', 'load'));
  const tensors = readTensors(m, file, header, arenaBytes, formatVersion, requiredFeatures, limits);
  const nodes = readNodes(m, tensors);
  checkPackedUses(tensors, nodes);
  const inputs = readGraphEnds(m, tensors, nodes, 'input');
  const outputs = readGraphEnds(m, tensors, nodes, 'output');
  const overlap = arenaOverlap(tensors, nodes, inputs, outputs, (t) => q(tensors[t]!.name));
  if (overlap !== undefined) throw new ArtifactError(overlap);
  branchRegions(nodes, (message) => new ArtifactError(message));
  return { tensors, nodes, inputs, outputs, arenaBytes };
}

/**
 * Model.shape_buckets: only with the required feature, each plan read as the Model's own graph is
 * (errors name the plan), then checked against the others (check-buckets.ts).
 */
function readShapeBuckets(m: Model, primary: ShapePlan, file: Uint8Array, header: Header, formatVersion: number,
  requiredFeatures: readonly string[], limits: Limits): ShapeBuckets | undefined {
  const table = m.shapeBuckets();
  const listed = requiredFeatures.includes(BUCKETS_FEATURE);
  if (table === null) {
    if (listed) throw new ArtifactError(`shape buckets: required feature '${BUCKETS_FEATURE}' listed but the model has no shape_buckets`);
    return undefined;
  }
  if (!listed) throw new ArtifactError(`shape buckets: the model has shape_buckets but does not list required feature '${BUCKETS_FEATURE}'`);
  const count = table.plansLength();
  if (count === 0) throw new ArtifactError('shape buckets: no plans (the model\'s own graph is the smallest bucket; plans hold the larger ones)');
  if (count + 1 > MAX_SHAPE_PLANS) throw new ArtifactError(`shape buckets: ${count + 1} buckets exceed ${MAX_SHAPE_PLANS}`);
  const plans: ShapePlan[] = [];
  for (let k = 0; k < count; k++) {
    try {
      plans.push(readGraph(table.plans(k)!, file, header, formatVersion, requiredFeatures, limits));
    } catch (e) {
      if (e instanceof ArtifactError) throw new ArtifactError(`shape plan ${k + 1}: ${e.message}`);
      throw e;
    }
  }
  const buckets: ShapeBuckets = { plans, maskInput: table.maskInput() ?? '' };
  const layout = bucketLayout(primary, buckets);
  if (typeof layout === 'string') throw new ArtifactError(layout);
  return buckets;
}

function readTensors(m: GraphTable, file: Uint8Array, header: Header, arenaBytes: number, formatVersion: number,
  features: readonly string[], limits: Limits): LoadedTensor[] {
  const tensors: LoadedTensor[] = [];
  const names = new Set<string>();
  // Weights the section stores once may back several tensors, and binding copies each dense one
  // (into WebAssembly memory): the budget counts every tensor's bytes, not the section's.
  let weightBytes = 0;
  const chargeWeight = (where: string, bytes: number): void => {
    weightBytes += bytes;
    if (weightBytes > limits.maxWeightBytes) {
      throw new ArtifactError(`${where}: ${overLimit('brings the weights to', `${weightBytes} bytes, which`, limits, 'maxWeightBytes', 'load')}`);
    }
  };
  const t = new Tensor();
  const sw = new SparseWeight();
  const wq = new WeightQuantization();
  for (let i = 0; i < m.tensorsLength(); i++) {
    m.tensors(i, t);
    const name = t.name() ?? '';
    const where = `tensor ${i} ${q(name)}`;
    if (name === '') throw new ArtifactError(`tensor ${i}: empty name`);
    if (names.has(name)) throw new ArtifactError(`${where}: duplicate name`);
    names.add(name);
    const dtype = FB_TO_DTYPE.get(t.dtype());
    if (dtype === undefined) throw new ArtifactError(`${where}: unknown dtype ${t.dtype()}`);
    const dtypeFeature = DTYPE_FEATURES[dtype];
    if (dtypeFeature !== undefined && !features.includes(dtypeFeature)) {
      throw new ArtifactError(`${where}: dtype ${dtype} but the artifact does not list required feature '${dtypeFeature}'`);
    }
    const kind = FB_TO_KIND.get(t.kind());
    if (kind === undefined) throw new ArtifactError(`${where}: unknown kind ${t.kind()}`);

    const rank = t.shapeLength();
    if (rank > MAX_RANK) throw new ArtifactError(`${where}: rank ${rank} exceeds ${MAX_RANK}`);
    const shape: number[] = [];
    let elements = 1;
    for (let d = 0; d < rank; d++) {
      const dim = t.shape(d)!;
      if (dim < 0n) throw new ArtifactError(`${where}: negative dimension ${dim} in shape`);
      const n = small(dim, limits.maxTensorElements);
      if (n === undefined) throw new ArtifactError(`${where}: ${overLimit('dimension', `${dim}`, limits, 'maxTensorElements', 'load')}`);
      shape.push(n);
      elements *= n;
      // elements stays exact: both factors are at most 2^31, checked at every step.
      if (elements > limits.maxTensorElements) {
        throw new ArtifactError(`${where}: ${overLimit(`shape [${shapeSoFar(t, rank)}] has`, `${shapeElements(t, rank)} elements, which`, limits, 'maxTensorElements', 'load')}`);
      }
    }
    const byteLength = elements * DTYPE_BYTES[dtype];
    const dataOffset = t.dataOffset();
    const dataLength = t.dataLength();
    const arenaOffset = t.arenaOffset();

    const quantTable = t.quant(wq);
    const quant = quantTable === null ? undefined : readQuantization(quantTable, where, dtype, kind, shape, file, header, features);
    // The stored elements of a quantized weight are narrower than its logical float32 ones.
    const storedBytes = quant === undefined ? DTYPE_BYTES[dtype] : QUANT_DTYPE_BYTES[quant.dtype];

    const sparse = t.sparse(sw);
    if (sparse !== null) {
      if (kind !== 'weight') throw new ArtifactError(`${where}: ${kind} tensor is packed (only weights may be)`);
      if (arenaOffset !== 0n) throw new ArtifactError(`${where}: a weight has an arena offset`);
      if (dataOffset !== 0n || dataLength !== 0n) {
        throw new ArtifactError(`${where}: packed weight also has dense data (${dataOffset}+${dataLength})`);
      }
      const read = readSparse(sparse, where, dtype, shape, elements, file, header, formatVersion, features, storedBytes);
      const { descriptor } = read;
      let packed = read.packed;
      const expanded = readKernelLayout(sparse, where, features);
      let stored: StoredQuantization | undefined;
      if (quant !== undefined) {
        // Scales of a packing run along its rows (the consumers' output axis, checked per node in checkPackedUses).
        if (quant.axis !== -1 && !(shape[quant.axis] === packed.rows && (quant.axis === 0 || (shape.length === 2 && quant.axis === 1)))) {
          throw new ArtifactError(`${where}: ${quant.dtype} quantization axis ${quant.axis} is not the ${packed.format} rows' axis (${packed.rows} rows)`);
        }
        // The values component holds the quantized elements: view them, then dequantize (the storage codec).
        stored = { ...quant, values: storedView(quant.dtype, file, header, sparse.valuesOffset(), packed.values.length) };
        chargeWeight(where, packed.values.length * 4);
        packed = { ...packed, values: dequantizePacked(stored, packed) };
      } else if (dtype === 'int8') {
        // An int8 weight's values component holds its own codes; widened once to float32 (exact), the
        // element type every packed-format reader takes (expansion writes them back as int8).
        chargeWeight(where, packed.values.length * 4);
        packed = { ...packed, values: Float32Array.from(new Int8Array(file.buffer, file.byteOffset + header.weightOffset + Number(sparse.valuesOffset()), packed.values.length)) };
      }
      // An expanded weight is resident twice: its packed bytes in the artifact, its dense ones in memory.
      chargeWeight(where, weightBytesOf({ name, dtype, shape, kind, packed, ...(expanded ? { kernelLayout: 'dense' as const } : {}) }));
      tensors.push({ name, dtype, shape, kind, data: new Float32Array(0), packed, ...(expanded ? { kernelLayout: 'dense' as const } : {}),
        ...(stored ? { quant: stored } : {}), descriptor });
      continue;
    }
    if (kind === 'weight') {
      if (arenaOffset !== 0n) throw new ArtifactError(`${where}: a weight has an arena offset`);
      const storedLength = elements * storedBytes;
      if (dataLength !== BigInt(storedLength)) {
        throw new ArtifactError(`${where}: data length ${dataLength} but ${quant ? `${quant.dtype} (quantized) ` : `${dtype}`}[${shape.join(',')}] needs ${storedLength} bytes`);
      }
      chargeWeight(where, byteLength + (quant === undefined ? 0 : storedLength + quant.scales.byteLength + (quant.zeroPoints?.byteLength ?? 0)));
      if (dataOffset + dataLength > BigInt(header.weightLength)) {
        throw new ArtifactError(`${where}: data range ${dataOffset}+${dataLength} outside weight section (${header.weightLength} bytes)`);
      }
      if (dataOffset % BigInt(WEIGHT_ALIGNMENT) !== 0n) {
        throw new ArtifactError(`${where}: data offset ${dataOffset} not aligned to ${WEIGHT_ALIGNMENT}`);
      }
      if (quant !== undefined) {
        const stored = { ...quant, values: storedView(quant.dtype, file, header, dataOffset, elements) };
        tensors.push({ name, dtype, shape, kind, data: dequantizeDense(stored, shape), quant: stored });
        continue;
      }
      const data = viewArray(dtype, file.buffer, file.byteOffset + header.weightOffset + Number(dataOffset), elements);
      tensors.push({ name, dtype, shape, kind, data });
    } else {
      if (dataOffset !== 0n || dataLength !== 0n) throw new ArtifactError(`${where}: ${kind} tensor has weight data`);
      if (arenaOffset + BigInt(byteLength) > BigInt(arenaBytes)) {
        throw new ArtifactError(`${where}: arena range ${arenaOffset}+${byteLength} outside arena (${arenaBytes} bytes)`);
      }
      if (arenaOffset % BigInt(DTYPE_BYTES[dtype]) !== 0n) {
        throw new ArtifactError(`${where}: arena offset ${arenaOffset} not aligned to ${dtype} (${DTYPE_BYTES[dtype]} bytes)`);
      }
      tensors.push({ name, dtype, shape, kind, arenaOffset: Number(arenaOffset) });
    }
  }
  return tensors;
}

/** A typed-array view of `count` stored quantized elements at `offset` of the weight section (range checked by the caller). */
function storedView(dtype: StoredQuantization['dtype'], file: Uint8Array, header: Header, offset: bigint, count: number): Int8Array | Uint8Array | Uint16Array {
  const at = file.byteOffset + header.weightOffset + Number(offset);
  return dtype === 'int8' ? new Int8Array(file.buffer, at, count) : dtype === 'uint8' ? new Uint8Array(file.buffer, at, count) : new Uint16Array(file.buffer, at, count);
}

/**
 * Reads and checks Tensor.quant (a weight stored quantized): on a float32 weight only, in a file
 * listing the element type's feature; axis -1 or an axis of the shape (float16: -1, no scales);
 * scales float32, finite, one per index along the axis; zero points absent or one per scale.
 * Returns everything but the stored values, which the caller views where the tensor keeps them.
 */
function readQuantization(wq: WeightQuantization, where: string, dtype: string, kind: string, shape: readonly number[],
  file: Uint8Array, header: Header, features: readonly string[]): Omit<StoredQuantization, 'values'> {
  const qdtype = FB_TO_QUANT_DTYPE.get(wq.dtype());
  if (qdtype === undefined) throw new ArtifactError(`${where}: quantized to unknown element type ${wq.dtype()} (int8, uint8 or float16)`);
  const feature = QUANT_FEATURES[qdtype];
  if (!features.includes(feature)) throw new ArtifactError(`${where}: stored as ${qdtype} but required features do not list '${feature}'`);
  if (kind !== 'weight') throw new ArtifactError(`${where}: ${kind} tensor is quantized (only weights may be)`);
  if (dtype !== 'float32') throw new ArtifactError(`${where}: quantized weight of dtype ${dtype} (must be float32)`);
  const axis = wq.axis();
  if (qdtype === 'float16' ? axis !== -1 : !(axis >= -1 && axis < shape.length)) {
    throw new ArtifactError(`${where}: ${qdtype} quantization axis ${axis} ${qdtype === 'float16' ? '(must be -1)' : `outside [-1, ${shape.length})`}`);
  }
  const count = scaleCount(qdtype, axis, shape);
  const weights = file.byteOffset + header.weightOffset;
  const range = (component: string, offset: bigint, length: bigint, bytes: number): number => {
    if (length !== BigInt(count * bytes) && !(component === 'zero points' && offset === 0n && length === 0n)) {
      throw new ArtifactError(`${where}: ${qdtype} ${component} of ${length} bytes, ${count} channel${count === 1 ? '' : 's'} need ${count * bytes}`);
    }
    if (offset + length > BigInt(header.weightLength)) {
      throw new ArtifactError(`${where}: ${qdtype} ${component} range ${offset}+${length} outside weight section (${header.weightLength} bytes)`);
    }
    if (offset % BigInt(WEIGHT_ALIGNMENT) !== 0n) throw new ArtifactError(`${where}: ${qdtype} ${component} offset ${offset} not aligned to ${WEIGHT_ALIGNMENT}`);
    return Number(length) / bytes;
  };
  range('scales', wq.scalesOffset(), wq.scalesLength(), 4);
  const scales = new Float32Array(file.buffer, weights + Number(wq.scalesOffset()), count);
  for (let c = 0; c < count; c++) {
    if (!Number.isFinite(scales[c]!)) throw new ArtifactError(`${where}: ${qdtype} scale ${c} is ${scales[c]} (must be finite)`);
  }
  const nZero = range('zero points', wq.zeroPointsOffset(), wq.zeroPointsLength(), 1);
  if (nZero === 0) return { dtype: qdtype, axis, scales };
  const at = weights + Number(wq.zeroPointsOffset());
  return { dtype: qdtype, axis, scales, zeroPoints: qdtype === 'int8' ? new Int8Array(file.buffer, at, count) : new Uint8Array(file.buffer, at, count) };
}

/**
 * Whether the kernels read a packed weight dense (the storage codec: binding expands it), from
 * Tensor.sparse.kernel_layout; DENSE only in a file listing the feature that says so.
 */
function readKernelLayout(s: SparseWeight, where: string, features: readonly string[]): boolean {
  const layout = s.kernelLayout();
  if (layout === KernelLayout.STORED) return false;
  if (layout !== KernelLayout.DENSE) throw new ArtifactError(`${where}: unknown kernel layout ${layout}`);
  if (!features.includes(EXPAND_FEATURE)) {
    throw new ArtifactError(`${where}: kernel layout dense but required features do not list '${EXPAND_FEATURE}'`);
  }
  return true;
}

const INDEX_TYPE_NAME: Readonly<Record<number, string>> = { [IndexType.U8]: 'u8', [IndexType.U16]: 'u16', [IndexType.I32]: 'i32', [IndexType.NM_RANK]: 'nm-rank' };

/**
 * Reads and checks a packed weight (format v2): its descriptor, that its matrix view matches
 * the dense shape, every component's byte range, and every index structure, so a kernel can
 * index with them unchecked. Returns zero-copy views into the weight section.
 */
function readSparse(s: SparseWeight, where: string, dtype: string, shape: readonly number[], elements: number,
  file: Uint8Array, header: Header, formatVersion: number, features: readonly string[], valueBytes: number): { packed: PackedWeight; descriptor: SparsityDescriptor } {
  const format = FB_TO_SPARSE_FORMAT.get(s.format());
  if (format === undefined) throw new ArtifactError(`${where}: unknown sparse format ${s.format()}`);
  if (formatVersion < SPARSE_FORMAT_VERSION) {
    throw new ArtifactError(`${where}: packed weight in a format v${formatVersion} artifact (needs v${SPARSE_FORMAT_VERSION})`);
  }
  const feature = SPARSE_FEATURES[format];
  if (!features.includes(feature)) throw new ArtifactError(`${where}: ${format} weight but required features do not list '${feature}'`);
  if (dtype !== 'float32' && dtype !== 'int8') throw new ArtifactError(`${where}: packed weight of dtype ${dtype} (must be float32 or int8)`);
  if (dtype === 'int8' && !features.includes(INT8_PACKED_FEATURE)) throw new ArtifactError(`${where}: packed int8 weight but required features do not list '${INT8_PACKED_FEATURE}'`);

  const pattern = s.pattern() ?? '';
  // Canonical text within the grammar's limits (runtime/sparse/pattern.ts); channel pruning leaves weights dense.
  if (readCanonicalPattern(pattern) === undefined || pattern === 'channel') throw new ArtifactError(`${where}: bad sparsity pattern ${q(pattern)}`);
  const sparsity = s.sparsity();
  if (!(sparsity >= 0 && sparsity <= 1)) throw new ArtifactError(`${where}: sparsity ${sparsity} outside [0, 1]`);

  const rows = s.rows();
  const cols = s.cols();
  if (BigInt(rows) * BigInt(cols) !== BigInt(elements)) {
    throw new ArtifactError(`${where}: ${format} matrix ${rows}×${cols} does not hold shape [${shape.join(',')}] (${elements} elements)`);
  }
  if (!(shape.length >= 2 && (rows === shape[0] || (shape.length === 2 && rows === shape[1])))) {
    throw new ArtifactError(`${where}: ${format} rows ${rows} match no output dimension of shape [${shape.join(',')}]`);
  }
  const n = s.n(), m = s.m(), br = s.br(), bc = s.bc();
  const unused = (field: string, v: number): void => {
    if (v !== 0) throw new ArtifactError(`${where}: ${format} weight sets ${field} = ${v}`);
  };

  const weights = file.byteOffset + header.weightOffset;
  /** Checks a component's byte range and returns its element count. */
  const range = (component: string, offset: bigint, length: bigint, elemBytes: number): number => {
    if (offset + length > BigInt(header.weightLength)) {
      throw new ArtifactError(`${where}: ${format} ${component} range ${offset}+${length} outside weight section (${header.weightLength} bytes)`);
    }
    if (offset % BigInt(WEIGHT_ALIGNMENT) !== 0n) {
      throw new ArtifactError(`${where}: ${format} ${component} offset ${offset} not aligned to ${WEIGHT_ALIGNMENT}`);
    }
    if (length % BigInt(elemBytes) !== 0n) {
      throw new ArtifactError(`${where}: ${format} ${component} length ${length} not a multiple of ${elemBytes} bytes`);
    }
    return Number(length) / elemBytes;
  };
  // Quantized values (valueBytes < 4) are viewed and dequantized by the caller; here only their count matters.
  const nValues = range('values', s.valuesOffset(), s.valuesLength(), valueBytes);
  const values = valueBytes === 4 ? new Float32Array(file.buffer, weights + Number(s.valuesOffset()), nValues) : new Float32Array(nValues);
  const indexType = s.indexType();

  if (format === 'nm') {
    unused('br', br);
    unused('bc', bc);
    if (s.rowPtrOffset() !== 0n || s.rowPtrLength() !== 0n) throw new ArtifactError(`${where}: nm weight has row pointers`);
    if (!(n > 0 && n < m && m <= 16)) throw new ArtifactError(`${where}: nm needs 0 < n < m ≤ 16, got ${n}:${m}`);
    if (cols % m !== 0) throw new ArtifactError(`${where}: nm cols ${cols} not a multiple of m = ${m}`);
    if (indexType !== IndexType.U8 && indexType !== IndexType.NM_RANK) {
      throw new ArtifactError(`${where}: nm index type ${INDEX_TYPE_NAME[indexType] ?? indexType} (must be u8 or nm-rank)`);
    }
    const groups = cols / m;
    const slots = rows * groups * n;
    if (nValues !== slots) throw new ArtifactError(`${where}: nm has ${nValues} values, ${rows}×${cols} at ${n}:${m} needs ${slots}`);
    const bits = nmIndexBits(m);
    const nIndexBytes = range('indices', s.indicesOffset(), s.indicesLength(), 1);
    const stored = new Uint8Array(file.buffer, weights + Number(s.indicesOffset()), nIndexBytes);
    let indices = stored;
    if (indexType === IndexType.NM_RANK) {
      if (!features.includes(NM_RANK_FEATURE)) throw new ArtifactError(`${where}: nm-rank indices but required features do not list '${NM_RANK_FEATURE}'`);
      // Decoded once here: every consumer (kernels, the storage codec) reads the bit stream.
      const decoded = decodeNmRanks(stored, rows * groups, n, m);
      if (typeof decoded === 'string') throw new ArtifactError(`${where}: nm ${decoded}`);
      indices = decoded;
    } else {
      const expectedBytes = Math.ceil((slots * bits) / 8);
      if (nIndexBytes !== expectedBytes) {
        throw new ArtifactError(`${where}: nm index stream of ${nIndexBytes} bytes, ${slots} slots of ${bits} bits need ${expectedBytes}`);
      }
    }
    const nIndexStreamBytes = indices.length;
    const valid = nmValidGroups(n, m), width = n * bits;
    for (let g = 0; g < rows * groups; g++) {
      if (valid !== undefined && valid[readNmGroup(indices, g, width)] === 1) continue; // one lookup per group; a bad one is named below
      let previous = -1;
      for (let k = 0, slot = g * n; k < n; k++, slot++) {
        const idx = readNmSlot(indices, slot, bits);
        if (idx >= m) throw new ArtifactError(`${where}: nm index of slot ${slot} = ${idx} ≥ m ${m}`);
        if (idx <= previous) {
          throw new ArtifactError(`${where}: nm indices of group ${g} not strictly increasing (slot ${slot} = ${idx} after ${previous})`);
        }
        previous = idx;
      }
    }
    const usedBits = slots * bits;
    if (usedBits % 8 !== 0 && (indices[nIndexStreamBytes - 1]! >> (usedBits % 8)) !== 0) {
      throw new ArtifactError(`${where}: nm index stream has nonzero padding bits`);
    }
    return { packed: { format, rows, cols, n, m, values, indices }, descriptor: { pattern, sparsity } };
  }

  unused('n', n);
  unused('m', m);
  let blockRows = rows, blockCols = cols, blockSize = 1;
  if (format === 'bsr') {
    if (br < 1 || bc < 1) throw new ArtifactError(`${where}: bsr block ${br}×${bc} is empty`);
    if (rows % br !== 0 || cols % bc !== 0) throw new ArtifactError(`${where}: bsr ${rows}×${cols} is not a whole number of ${br}×${bc} blocks`);
    blockRows = rows / br;
    blockCols = cols / bc;
    blockSize = br * bc;
  } else {
    unused('br', br);
    unused('bc', bc);
  }
  const colBound = format === 'bsr' ? 'block cols' : 'cols';
  const nRowPtr = range('rowPtr', s.rowPtrOffset(), s.rowPtrLength(), 4);
  if (nRowPtr !== blockRows + 1) {
    throw new ArtifactError(`${where}: ${format} rowPtr has ${nRowPtr} entries, ${format === 'bsr' ? 'block rows' : 'rows'} ${blockRows} need ${blockRows + 1}`);
  }
  const rowPtr = new Int32Array(file.buffer, weights + Number(s.rowPtrOffset()), nRowPtr);
  let colIdx: Uint16Array | Int32Array;
  if (indexType === IndexType.U16) {
    const count = range('colIdx', s.indicesOffset(), s.indicesLength(), 2);
    colIdx = new Uint16Array(file.buffer, weights + Number(s.indicesOffset()), count);
  } else if (indexType === IndexType.I32) {
    const count = range('colIdx', s.indicesOffset(), s.indicesLength(), 4);
    colIdx = new Int32Array(file.buffer, weights + Number(s.indicesOffset()), count);
  } else {
    throw new ArtifactError(`${where}: ${format} index type ${INDEX_TYPE_NAME[indexType] ?? indexType} (must be u16 or i32)`);
  }
  const nnz = colIdx.length;
  if (rowPtr[0] !== 0) throw new ArtifactError(`${where}: ${format} rowPtr[0] = ${rowPtr[0]} (must be 0)`);
  if (rowPtr[blockRows] !== nnz) {
    throw new ArtifactError(`${where}: ${format} rowPtr[${blockRows}] = ${rowPtr[blockRows]} but colIdx has ${nnz} entries`);
  }
  if (nValues !== nnz * blockSize) {
    throw new ArtifactError(`${where}: ${format} has ${nValues} values, ${nnz} ${format === 'bsr' ? `blocks of ${br}×${bc}` : 'nonzeros'} need ${nnz * blockSize}`);
  }
  // rowPtr[0] = 0, rowPtr[last] = nnz and monotone: every entry lies in [0, nnz].
  for (let r = 0; r < blockRows; r++) {
    if (rowPtr[r + 1]! < rowPtr[r]!) {
      throw new ArtifactError(`${where}: ${format} rowPtr not monotone: rowPtr[${r + 1}] = ${rowPtr[r + 1]} < rowPtr[${r}] = ${rowPtr[r]}`);
    }
  }
  for (let r = 0; r < blockRows; r++) {
    const start = rowPtr[r]!, end = rowPtr[r + 1]!;
    let previous = -1;
    for (let k = start; k < end; k++) {
      const c = colIdx[k]!;
      if (c < 0 || c >= blockCols) throw new ArtifactError(`${where}: ${format} colIdx[${k}] = ${c} ≥ ${colBound} ${blockCols}`);
      if (c <= previous) {
        throw new ArtifactError(`${where}: ${format} colIdx of row ${r} not strictly increasing (colIdx[${k}] = ${c} after ${previous})`);
      }
      previous = c;
    }
  }
  const packed: PackedWeight = format === 'bsr'
    ? { format, rows, cols, br, bc, rowPtr, colIdx, values }
    : { format, rows, cols, rowPtr, colIdx, values };
  return { packed, descriptor: { pattern, sparsity } };
}

/**
 * Packed weights are read only by Conv, Gemm and MatMul as input 1 (float32) and by QLinearConv and
 * QLinearMatMul as input 3 (int8, in Conv's and MatMul's views), with a matching matrix view;
 * one the runtime expands to dense by one view (runtime/sparse/expand.ts), the same for every node reading it.
 */
function checkPackedUses(tensors: readonly LoadedTensor[], nodes: readonly LoadedNode[]): void {
  const expandedAs = new Map<number, string>();
  nodes.forEach((node, i) => {
    node.inputs.forEach((t, k) => {
      const tensor = t >= 0 ? tensors[t] : undefined;
      const p = tensor?.packed;
      if (tensor === undefined || p === undefined) return;
      const where = `node ${i} ${q(node.name)}`;
      const reads = weightInputOf(node.op);
      if (reads === undefined || k !== reads.input) {
        throw new ArtifactError(`${where}: reads packed weight ${q(tensor.name)} as input ${k} of ${q(node.op)} ` +
          '(only Conv, Gemm and MatMul read packed weights, as input 1; QLinearConv and QLinearMatMul, as input 3)');
      }
      // The int8 ops read int8 codes, the float ops float32 (stored quantized or not).
      const dtype = reads.input === 3 ? 'int8' : 'float32';
      if (tensor.dtype !== dtype) throw new ArtifactError(`${where}: packed weight ${q(tensor.name)} is ${tensor.dtype}, ${node.op} reads ${dtype}`);
      const op = reads.view;
      const transB = op === 'Gemm' ? node.attrs['transB'] : undefined;
      let expected;
      try {
        expected = weightMatrixShape(op, tensor.shape, typeof transB === 'number' && transB !== 0);
      } catch (e) {
        throw new ArtifactError(`${where}: packed weight ${q(tensor.name)}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (expected.rows !== p.rows || expected.cols !== p.cols) {
        throw new ArtifactError(`${where}: packed weight ${q(tensor.name)} is ${p.rows}×${p.cols}, ` +
          `${op} reads shape [${tensor.shape.join(',')}] as ${expected.rows}×${expected.cols}`);
      }
      const axis = tensor.quant?.axis ?? -1;
      if (axis !== -1 && axis !== weightAxes(op, typeof transB === 'number' && transB !== 0).out) {
        throw new ArtifactError(`${where}: packed weight ${q(tensor.name)} is quantized along axis ${axis}, but ${op} reads its output channels along axis ${weightAxes(op, typeof transB === 'number' && transB !== 0).out}`);
      }
      if (tensor.kernelLayout !== 'dense') return;
      const view = expansionView(op, transB);
      const first = expandedAs.get(t);
      if (first !== undefined && first !== view) {
        throw new ArtifactError(`${where}: expands weight ${q(tensor.name)} as ${view}, another node reads it as ${first}`);
      }
      expandedAs.set(t, view);
    });
  });
  tensors.forEach((tensor, t) => {
    if (tensor.kernelLayout === 'dense' && !expandedAs.has(t)) {
      throw new ArtifactError(`tensor ${t} ${q(tensor.name)}: kernel layout dense, but no Conv, Gemm, MatMul, QLinearConv or QLinearMatMul reads it as its weight`);
    }
  });
}

/** Which dense layout a packed weight expands to for a node (layout.ts): Conv, Gemm transB, or transposed. */
function expansionView(op: string, transB: unknown): string {
  return op === 'Conv' ? 'Conv [O, C/g, k…]' : op === 'Gemm' && typeof transB === 'number' && transB !== 0 ? 'Gemm transB [N, K]' : '[K, N] (Gemm, MatMul)';
}

function shapeElements(t: Tensor, rank: number): bigint {
  let n = 1n;
  for (let d = 0; d < rank; d++) n *= t.shape(d)!;
  return n;
}

function shapeSoFar(t: Tensor, rank: number): string {
  const dims: string[] = [];
  for (let d = 0; d < rank; d++) dims.push(String(t.shape(d)));
  return dims.join(',');
}

function readNodes(m: GraphTable, tensors: readonly LoadedTensor[]): LoadedNode[] {
  const nodes: LoadedNode[] = [];
  // Which node writes each tensor; nodes must come in execution order.
  const producer = new Map<number, number>();
  const n = new Node();
  const a = new Attribute();
  for (let i = 0; i < m.nodesLength(); i++) {
    m.nodes(i, n);
    const name = n.name() ?? '';
    const where = `node ${i} ${q(name)}`;
    if (name === '') throw new ArtifactError(`node ${i}: empty name`);
    const op = n.op() ?? '';
    if (op === '') throw new ArtifactError(`${where}: empty op`);
    const kernel = n.kernel() ?? '';
    if (kernel === '') throw new ArtifactError(`${where}: no kernel`);
    const kernelReason = n.kernelReason() ?? '';

    const inputs: number[] = [];
    for (let k = 0; k < n.inputsLength(); k++) {
      const t = n.inputs(k)!;
      if (t === -1) { inputs.push(t); continue; }
      if (t < 0 || t >= tensors.length) throw new ArtifactError(`${where}: input ${k} refers to tensor ${t}, outside 0..${tensors.length - 1}`);
      const kind = tensors[t]!.kind;
      if ((kind === 'activation' || kind === 'output') && !producer.has(t)) {
        throw new ArtifactError(`${where}: input ${k} reads tensor ${t} ${q(tensors[t]!.name)} before any node writes it`);
      }
      inputs.push(t);
    }
    const outputs: number[] = [];
    for (let k = 0; k < n.outputsLength(); k++) {
      const t = n.outputs(k)!;
      if (t < 0 || t >= tensors.length) throw new ArtifactError(`${where}: output ${k} refers to tensor ${t}, outside 0..${tensors.length - 1}`);
      const kind = tensors[t]!.kind;
      if (kind !== 'activation' && kind !== 'output') {
        throw new ArtifactError(`${where}: output ${k} writes ${kind} tensor ${t} ${q(tensors[t]!.name)}`);
      }
      if (producer.has(t)) {
        throw new ArtifactError(`${where}: output ${k} writes tensor ${t} ${q(tensors[t]!.name)}, already written by node ${producer.get(t)}`);
      }
      producer.set(t, i);
      outputs.push(t);
    }
    const attrs: Record<string, AttrValue> = {};
    let previous: string | undefined;
    for (let k = 0; k < n.attributesLength(); k++) {
      n.attributes(k, a);
      const attrName = a.name() ?? '';
      if (attrName === '') throw new ArtifactError(`${where}: attribute ${k} has an empty name`);
      if (previous !== undefined && !(previous < attrName)) {
        throw new ArtifactError(`${where}: attribute ${q(attrName)} out of order or repeated (names must be sorted and unique)`);
      }
      previous = attrName;
      // defineProperty: an attribute called __proto__ must stay a plain own property.
      Object.defineProperty(attrs, attrName, {
        value: readAttribute(a, `${where}: attribute ${q(attrName)}`),
        enumerable: true, writable: true, configurable: true,
      });
    }
    nodes.push({ name, op, kernel, kernelReason, inputs, outputs, attrs });
  }
  return nodes;
}

/** vtable slots of Attribute's value fields (schemas/spc.fbs field ids 2..5). */
const ATTRIBUTE_SLOTS = { number: 8, numbers: 10, string: 12, strings: 14 } as const;

function readAttribute(a: Attribute, where: string): AttrValue {
  const has = (slot: number): boolean => a.bb!.__offset(a.bb_pos, slot) !== 0;
  const onlyHas = (field: keyof typeof ATTRIBUTE_SLOTS): void => {
    for (const [other, slot] of Object.entries(ATTRIBUTE_SLOTS)) {
      if (other !== field && has(slot)) throw new ArtifactError(`${where}: kind ${AttributeKind[a.kind()]} but ${other} is set`);
    }
  };
  switch (a.kind()) {
    case AttributeKind.NUMBER:
      onlyHas('number');
      return a.number();
    case AttributeKind.NUMBERS: {
      onlyHas('numbers');
      const values: number[] = [];
      for (let i = 0; i < a.numbersLength(); i++) values.push(a.numbers(i)!);
      return values;
    }
    case AttributeKind.STRING: {
      onlyHas('string');
      const s = a.string();
      if (s === null) throw new ArtifactError(`${where}: kind STRING but no string`);
      return s;
    }
    case AttributeKind.STRINGS: {
      onlyHas('strings');
      const values: string[] = [];
      for (let i = 0; i < a.stringsLength(); i++) values.push(a.strings(i));
      return values;
    }
    default:
      throw new ArtifactError(`${where}: unknown kind ${a.kind()}`);
  }
}

function readGraphEnds(m: GraphTable, tensors: readonly LoadedTensor[], nodes: readonly LoadedNode[], kind: 'input' | 'output'): number[] {
  const length = kind === 'input' ? m.inputsLength() : m.outputsLength();
  const list: number[] = [];
  const seen = new Set<number>();
  for (let k = 0; k < length; k++) {
    const t = (kind === 'input' ? m.inputs(k) : m.outputs(k))!;
    if (t < 0 || t >= tensors.length) throw new ArtifactError(`graph ${kind} ${k} refers to tensor ${t}, outside 0..${tensors.length - 1}`);
    const tensor = tensors[t]!;
    if (tensor.kind !== kind) throw new ArtifactError(`graph ${kind} ${k} is tensor ${t} ${q(tensor.name)} of kind ${tensor.kind}`);
    if (seen.has(t)) throw new ArtifactError(`graph ${kind} ${k}: tensor ${t} ${q(tensor.name)} listed twice`);
    seen.add(t);
    list.push(t);
  }
  tensors.forEach((tensor, t) => {
    if (tensor.kind === kind && !seen.has(t)) throw new ArtifactError(`tensor ${t} ${q(tensor.name)} is of kind ${kind} but not a graph ${kind}`);
  });
  if (kind === 'output') {
    const written = new Set(nodes.flatMap((n) => n.outputs));
    for (const t of list) {
      if (!written.has(t)) throw new ArtifactError(`graph output tensor ${t} ${q(tensors[t]!.name)} is written by no node`);
    }
  }
  return list;
}

function readProvenance(m: Model, nodes: readonly LoadedNode[]): Provenance {
  const p = m.provenance();
  if (p === null) throw new ArtifactError('model has no provenance');
  const options: (readonly [string, string])[] = [];
  for (let i = 0; i < p.optionsLength(); i++) {
    const kv = p.options(i)!;
    const key = kv.key() ?? '';
    const value = kv.value() ?? '';
    if (key === '') throw new ArtifactError(`provenance option ${i}: empty key`);
    const prev = options[i - 1];
    if (prev !== undefined && (prev[0] > key || (prev[0] === key && prev[1] > value))) {
      throw new ArtifactError(`provenance option ${i} ${q(key)}: options not sorted`);
    }
    options.push([key, value]);
  }
  return { spcVersion: p.spcVersion() ?? '', sourceSha256: p.sourceSha256() ?? '', options, layers: readRecipe(p, nodes) };
}

/**
 * The per-layer recipe (metadata): each entry names a node of this artifact, once, with a
 * pattern, sparsities in [0, 1] and params_after ≤ params_before (both below MAX_ELEMENTS).
 */
function readRecipe(p: FbProvenance, nodes: readonly LoadedNode[]): LayerRecipe[] {
  const nodeNames = new Set(nodes.map((n) => n.name));
  const seen = new Set<string>();
  const layers: LayerRecipe[] = [];
  for (let i = 0; i < p.layersLength(); i++) {
    const r = p.layers(i)!;
    const node = r.node() ?? '';
    if (node === '') throw new ArtifactError(`provenance layer ${i}: empty node name`);
    const where = `provenance layer ${i} ${q(node)}`;
    if (!nodeNames.has(node)) throw new ArtifactError(`${where}: no node of that name`);
    if (seen.has(node)) throw new ArtifactError(`${where}: node listed twice`);
    seen.add(node);
    const pattern = r.pattern() ?? '';
    if (pattern === '') throw new ArtifactError(`${where}: empty pattern`);
    const requested = r.requested();
    const achieved = r.achieved();
    if (!(requested >= 0 && requested <= 1)) throw new ArtifactError(`${where}: requested sparsity ${requested} outside [0, 1]`);
    if (!(achieved >= 0 && achieved <= 1)) throw new ArtifactError(`${where}: achieved sparsity ${achieved} outside [0, 1]`);
    const paramsBefore = small(r.paramsBefore(), MAX_ELEMENTS);
    if (paramsBefore === undefined) throw new ArtifactError(`${where}: params_before ${r.paramsBefore()} exceeds ${MAX_ELEMENTS}`);
    const paramsAfter = small(r.paramsAfter(), paramsBefore);
    if (paramsAfter === undefined) {
      throw new ArtifactError(`${where}: params_after ${r.paramsAfter()} exceeds params_before ${paramsBefore}`);
    }
    layers.push({ node, pattern, requested, achieved, paramsBefore, paramsAfter, criterion: r.criterion() ?? '', note: r.note() ?? '' });
  }
  return layers;
}
