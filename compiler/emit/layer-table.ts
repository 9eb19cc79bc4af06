// The per-layer view of an artifact that `spc inspect` prints and `--json` serializes:
// op, shapes, parameter count, storage format, weight bytes, the kernel that runs it and,
// from the provenance's per-layer recipe, requested and achieved sparsity and why a layer
// stayed dense.

import type { LayerRecipe, LoadedArtifact } from '../../runtime/loader/model.js';
import { DTYPE_BYTES, sizeOf } from '../../runtime/tensor.js';
import { terminalLine } from '../escape.js';
import { pct } from '../format.js';
import { storedPackedBytes } from '../sparse/pack/pack.js';

export interface LayerRow {
  readonly node: string;
  readonly op: string;
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShapes: readonly (readonly number[])[];
  /** Elements of the node's weight inputs. */
  readonly params: number;
  /**
   * How the weights are stored: 'dense', or the packed format and pattern ('nm 2:4', 'csr
   * unstructured'), with '→dense' where the runtime expands it at load for a dense kernel ('nm 2:4→dense'),
   * and the stored element type of a quantized weight ('dense int8', 'nm 2:4→dense int8').
   */
  readonly storage: string;
  /** Fraction of zero weights in the packed weight (0 for dense storage). */
  readonly sparsity: number;
  /** Bytes of the node's weights in the artifact. */
  readonly weightBytes: number;
  /** Bytes the same weights take stored dense. */
  readonly denseBytes: number;
  readonly kernel: string;
  readonly kernelReason: string;
  /** What the compiler did to this layer (provenance recipe), when the artifact records it. */
  readonly recipe?: Omit<LayerRecipe, 'node'>;
}

export interface ArtifactSummary {
  readonly name: string;
  readonly formatVersion: number;
  readonly inputs: readonly { name: string; dtype: string; shape: readonly number[] }[];
  readonly outputs: readonly { name: string; dtype: string; shape: readonly number[] }[];
  readonly arenaBytes: number;
  readonly weightBytes: number;
  readonly params: number;
  /** The provenance without its recipe, which each layer row carries instead. */
  readonly provenance: Omit<LoadedArtifact['provenance'], 'layers'>;
  readonly layers: readonly LayerRow[];
  /** Packed weights the runtime expands at load for dense kernels, and the dense bytes they then take (absent: none). */
  readonly expanded?: { readonly weights: number; readonly bytes: number };
}

export function summarizeArtifact(a: LoadedArtifact): ArtifactSummary {
  const recipes = new Map(a.provenance.layers.map(({ node, ...rest }) => [node, rest]));
  const layers = a.nodes.map((n): LayerRow => {
    const weights = n.inputs.filter((i) => i >= 0 && a.tensors[i].kind === 'weight').map((i) => a.tensors[i]);
    return {
      node: n.name,
      op: n.op,
      inputShapes: n.inputs.filter((i) => i >= 0 && a.tensors[i].kind !== 'weight').map((i) => a.tensors[i].shape),
      outputShapes: n.outputs.filter((o) => o >= 0).map((o) => a.tensors[o].shape),
      params: weights.reduce((s, t) => s + sizeOf(t.shape), 0),
      storage: weights.length === 0 ? '-' : weights.map((t) => (t.packed ? `${t.packed.format} ${t.descriptor?.pattern ?? ''}`.trim() + (t.kernelLayout === 'dense' ? '→dense' : '') : 'dense') + quantSuffix(t))
        .find((x) => x !== 'dense') ?? 'dense',
      sparsity: weights.map((t) => t.descriptor?.sparsity ?? 0).reduce((a, b) => Math.max(a, b), 0),
      weightBytes: weights.reduce((s, t) => s + storedBytes(t), 0),
      denseBytes: weights.reduce((s, t) => s + sizeOf(t.shape) * DTYPE_BYTES[t.dtype], 0),
      kernel: n.kernel,
      kernelReason: n.kernelReason,
      ...(recipes.has(n.name) ? { recipe: recipes.get(n.name) } : {}),
    };
  });
  const { layers: _recipe, ...provenance } = a.provenance;
  const allWeights = a.tensors.filter((t) => t.kind === 'weight');
  const io = (i: number) => ({ name: a.tensors[i].name, dtype: a.tensors[i].dtype, shape: a.tensors[i].shape });
  const expanded = allWeights.filter((t) => t.kernelLayout === 'dense');
  return {
    name: a.name,
    formatVersion: a.formatVersion,
    inputs: a.inputs.map(io),
    outputs: a.outputs.map(io),
    arenaBytes: a.arenaBytes,
    weightBytes: allWeights.reduce((s, t) => s + storedBytes(t), 0),
    params: allWeights.reduce((s, t) => s + sizeOf(t.shape), 0),
    provenance,
    layers,
    ...(expanded.length > 0 ? { expanded: { weights: expanded.length, bytes: expanded.reduce((n, t) => n + sizeOf(t.shape) * DTYPE_BYTES[t.dtype], 0) } } : {}),
  };
}

/**
 * Bytes a weight occupies in the artifact: its packed arrays, or its dense data; for one stored
 * quantized, the stored elements in place of the float32 ones, plus its scales and zero points
 * (and an N:M weight's indices rank coded, as the writer stores them).
 */
export function storedBytes(t: Pick<LoadedArtifact['tensors'][number], 'dtype' | 'shape' | 'quant' | 'packed'>): number {
  const q = t.quant;
  const extra = q === undefined ? 0 : q.scales.byteLength + (q.zeroPoints?.byteLength ?? 0);
  if (t.packed) {
    return storedPackedBytes(t.packed, t) + extra;
  }
  return (q === undefined ? sizeOf(t.shape) * DTYPE_BYTES[t.dtype] : q.values.byteLength) + extra;
}

/** ' int8', ' uint8' or ' float16' after the storage of a weight stored quantized, else ''. */
export function quantSuffix(t: LoadedArtifact['tensors'][number] | undefined): string {
  return t?.quant ? ` ${t.quant.dtype}` : '';
}

const shapeText = (shapes: readonly (readonly number[])[]): string => shapes.map((s) => s.join('x')).join(', ');

/** A layer's requested sparsity, undefined where nothing was asked of its weights (dense) or it is per channel. */
export function requestedSparsity(r: { readonly pattern: string; readonly requested: number } | undefined): number | undefined {
  return r === undefined || r.pattern === 'dense' || r.pattern === 'channel' ? undefined : r.requested;
}

/** Requested sparsity as every table shows it: a percentage, or '-' where none was asked. */
export function requestedText(r: { readonly pattern: string; readonly requested: number } | undefined): string {
  const s = requestedSparsity(r);
  return s === undefined ? '-' : pct(s);
}

/**
 * Why each weighted layer runs the kernel it does (estimated times, DENSIFIED when a pruned
 * weight runs dense), under the table: the reasons are too long for a column.
 */
function kernelChoices(s: ArtifactSummary): string[] {
  const lines = s.layers.flatMap((l, i) => (l.params > 0 && l.kernelReason ? [`  ${i} ${l.node}: ${l.kernel}: ${l.kernelReason}`] : []));
  return lines.length === 0 ? [] : ['', 'kernel choices:', ...lines];
}

/** Renders the summary as an aligned plain-text table. */
export function formatLayerTable(s: ArtifactSummary): string {
  const head = ['#', 'node', 'op', 'input', 'output', 'params', 'storage', 'sparsity', 'requested', 'achieved', 'bytes',
    'dense bytes', 'kernel', 'note'];
  // Cells hold model strings (node names, notes quoting tensors): escaped before the widths are taken.
  const rows = s.layers.map((l, i) => [String(i), l.node, l.op, shapeText(l.inputShapes), shapeText(l.outputShapes),
    l.params ? String(l.params) : '-', l.storage, l.sparsity ? l.sparsity.toFixed(3) : '-',
    requestedText(l.recipe), l.recipe ? pct(l.recipe.achieved) : '-',
    l.weightBytes ? String(l.weightBytes) : '-', l.denseBytes ? String(l.denseBytes) : '-', l.kernel, l.recipe?.note ?? ''].map(terminalLine));
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = new Set([0, 5, 7, 8, 9, 10, 11]);
  const line = (r: string[]): string => r.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const io = (t: { name: string; dtype: string; shape: readonly number[] }) => `${t.name} ${t.dtype}[${t.shape.join(',')}]`;
  return [
    ...[
      `model ${s.name} (format v${s.formatVersion}, spc ${s.provenance.spcVersion})`,
      `inputs: ${s.inputs.map(io).join(', ')}`,
      `outputs: ${s.outputs.map(io).join(', ')}`,
      `${s.layers.length} layers, ${s.params} parameters, ${s.weightBytes} weight bytes, arena ${s.arenaBytes} bytes`,
      ...(s.expanded ? [`${s.expanded.weights} packed weights expanded at load for dense kernels (storage →dense): ${s.expanded.bytes} dense bytes resident`] : []),
    ].map(terminalLine),
    '',
    line(head),
    ...rows.map(line),
    ...kernelChoices(s).map(terminalLine),
  ].join('\n');
}
