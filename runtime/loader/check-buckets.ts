// Shape buckets (Model.shape_buckets), checked at load and described for the executor: which
// input and output axis each bucket lengthens, the bucket lengths in order, and that the plans
// share every weight they name alike. One home for what a bucketed artifact means.

import type { LoadedTensor, ShapeBuckets, ShapePlan } from './model.js';
import type { TypedArray } from '../tensor.js';

/** What the executor needs to choose a bucket, pad the inputs and slice the outputs back. */
export interface BucketLayout {
  /** The graph of each bucket, smallest first (the model's own graph, then its plans). */
  readonly plans: readonly ShapePlan[];
  /** The sequence length of each bucket, strictly increasing. */
  readonly lengths: readonly number[];
  /** Per graph input (in order): the axis the buckets lengthen, or -1 for an input fixed across buckets. */
  readonly inputAxes: readonly number[];
  /** Per graph output (in order): the axis the buckets lengthen, or -1. */
  readonly outputAxes: readonly number[];
  /** Index of the attention-mask input padded with zeros; -1: only the bucket lengths run. */
  readonly maskInput: number;
}

const quote = (s: string): string => `'${s}'`;
const dims = (shape: readonly number[]): string => `[${shape.join(',')}]`;

/** The layout of a bucketed artifact, or the first problem found, naming the plan and field. */
export function bucketLayout(primary: ShapePlan, buckets: ShapeBuckets): BucketLayout | string {
  const plans = [primary, ...buckets.plans];
  for (const end of ['input', 'output'] as const) {
    const first = graphEnds(primary, end);
    for (let k = 1; k < plans.length; k++) {
      const these = graphEnds(plans[k]!, end);
      if (these.length !== first.length) return `shape plan ${k}: ${these.length} graph ${end}s, the model's graph has ${first.length}`;
      for (let i = 0; i < these.length; i++) {
        const [a, b] = [first[i]!, these[i]!];
        if (a.name !== b.name || a.dtype !== b.dtype || a.shape.length !== b.shape.length) {
          return `shape plan ${k}: graph ${end} ${i} is ${quote(b.name)} (${b.dtype}${dims(b.shape)}), the model's graph has ${quote(a.name)} (${a.dtype}${dims(a.shape)})`;
        }
      }
    }
  }
  const inputs = lengthenedAxes(plans, 'input');
  if (typeof inputs === 'string') return inputs;
  const outputs = lengthenedAxes(plans, 'output');
  if (typeof outputs === 'string') return outputs;
  // One sequence length per bucket: every lengthened input axis has it.
  const lengthOf = (k: number): number | undefined => {
    const i = inputs.findIndex((axis) => axis >= 0);
    return i < 0 ? undefined : graphEnds(plans[k]!, 'input')[i]!.shape[inputs[i]!];
  };
  if (lengthOf(0) === undefined) return 'shape buckets: no graph input changes shape between buckets';
  const lengths: number[] = [];
  for (let k = 0; k < plans.length; k++) {
    const length = lengthOf(k)!;
    const ends = graphEnds(plans[k]!, 'input');
    for (let i = 0; i < ends.length; i++) {
      if (inputs[i]! >= 0 && ends[i]!.shape[inputs[i]!] !== length) {
        return `${k === 0 ? 'shape buckets: the model\'s graph' : `shape plan ${k}`}: input ${quote(ends[i]!.name)} dimension ${inputs[i]} is ${ends[i]!.shape[inputs[i]!]}, other inputs have the bucket length ${length}`;
      }
    }
    if (k > 0 && !(length > lengths[k - 1]!)) {
      return `shape plan ${k}: bucket length ${length} is not above the previous bucket's ${lengths[k - 1]} (buckets must be in increasing order)`;
    }
    lengths.push(length);
  }
  const sharing = sharedWeights(plans);
  if (sharing !== undefined) return sharing;
  let maskInput = -1;
  if (buckets.maskInput !== '') {
    maskInput = graphEnds(primary, 'input').findIndex((t) => t.name === buckets.maskInput);
    if (maskInput < 0) return `shape buckets: mask_input ${quote(buckets.maskInput)} is not a graph input`;
    if (inputs[maskInput]! < 0) return `shape buckets: mask_input ${quote(buckets.maskInput)} has no axis the buckets lengthen`;
    // Padding is sliced back from the outputs: each must carry the sequence axis.
    const outs = graphEnds(primary, 'output');
    for (let o = 0; o < outs.length; o++) {
      const axis = outputs[o]!;
      if (axis < 0 || plans.some((p, k) => graphEnds(p, 'output')[o]!.shape[axis] !== lengths[k])) {
        return `shape buckets: mask_input ${quote(buckets.maskInput)} but output ${quote(outs[o]!.name)} has no axis of the bucket lengths to slice the padding from`;
      }
    }
  }
  return { plans, lengths, inputAxes: inputs, outputAxes: outputs, maskInput };
}

function graphEnds(p: ShapePlan, end: 'input' | 'output'): LoadedTensor[] {
  return (end === 'input' ? p.inputs : p.outputs).map((t) => p.tensors[t]!);
}

/** Per graph input or output: the one axis whose size changes between buckets, or -1. */
function lengthenedAxes(plans: readonly ShapePlan[], end: 'input' | 'output'): number[] | string {
  const first = graphEnds(plans[0]!, end);
  return first.map((t, i) => {
    let axis = -1;
    for (let d = 0; d < t.shape.length; d++) {
      if (plans.some((p) => graphEnds(p, end)[i]!.shape[d] !== t.shape[d])) {
        if (axis >= 0) return `shape buckets: graph ${end} ${quote(t.name)} changes in dimensions ${axis} and ${d}; a bucket lengthens one axis`;
        axis = d;
      }
    }
    return axis;
  }).reduce<number[] | string>((acc, a) => (typeof acc === 'string' ? acc : typeof a === 'string' ? a : [...acc, a]), []);
}

/** Where a weight's bytes are (offsets into the artifact's buffer), with its dtype and shape. */
function storageOf(t: LoadedTensor): string {
  const at = (a: TypedArray | undefined): string => (a === undefined ? '-' : `${a.byteOffset}+${a.byteLength}`);
  const p = t.packed;
  const bytes = t.quant !== undefined ? `${t.quant.dtype} ${at(t.quant.values)}`
    : p === undefined ? at(t.data)
      : `${p.format} ${at(p.values)} ${at(p.format === 'nm' ? p.indices : p.colIdx)} ${at(p.format === 'nm' ? undefined : p.rowPtr)}`;
  return `${t.dtype}${dims(t.shape)} at ${bytes}${t.kernelLayout === 'dense' ? ' (expanded)' : ''}`;
}

/** A weight a plan names like one of the model's graph must be that weight: same dtype, shape and bytes. */
function sharedWeights(plans: readonly ShapePlan[]): string | undefined {
  const primary = new Map(plans[0]!.tensors.filter((t) => t.kind === 'weight').map((t) => [t.name, storageOf(t)]));
  for (let k = 1; k < plans.length; k++) {
    const tensors = plans[k]!.tensors;
    for (let i = 0; i < tensors.length; i++) {
      const t = tensors[i]!;
      const theirs = t.kind === 'weight' ? primary.get(t.name) : undefined;
      if (theirs !== undefined && theirs !== storageOf(t)) {
        return `shape plan ${k}: tensor ${i} ${quote(t.name)} disagrees with the model's weight of that name (${storageOf(t)}, the model's ${theirs})`;
      }
    }
  }
  return undefined;
}
