// One artifact from the compiles of several shape buckets: the smallest bucket's artifact with
// the others as its ShapePlans (schemas/README.md, *Shape buckets*). Weights the plans share are
// the same weight, stored once; a shape-dependent constant folded differently per bucket is the
// plan's own weight, renamed so that a name still means one weight.

import type { LoadedArtifact, LoadedTensor, ShapePlan } from '../../runtime/loader/model.js';
import type { TypedArray } from '../../runtime/tensor.js';

/** `buckets` in increasing order, the first the artifact's own graph; `maskInput` '' when padding is not exact. */
export function withShapeBuckets(buckets: readonly LoadedArtifact[], maskInput: string): LoadedArtifact {
  const [primary, ...rest] = buckets;
  const weights = new Map(primary!.tensors.filter((t) => t.kind === 'weight').map((t) => [t.name, t]));
  const plans: ShapePlan[] = rest.map((a, k) => {
    const names = new Set(a.tensors.map((t) => t.name));
    const tensors = a.tensors.map((t) => {
      const theirs = t.kind === 'weight' ? weights.get(t.name) : undefined;
      if (theirs === undefined || sameWeight(t, theirs)) return t;
      let name = `${t.name}#bucket${k + 1}`;
      while (names.has(name)) name += '_';
      names.add(name);
      return { ...t, name };
    });
    return { tensors, nodes: a.nodes, inputs: a.inputs, outputs: a.outputs, arenaBytes: a.arenaBytes };
  });
  return { ...primary!, shapeBuckets: { plans, maskInput } };
}

function bytesOf(a: TypedArray | undefined): Uint8Array {
  return a === undefined ? new Uint8Array(0) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function sameBytes(a: TypedArray | undefined, b: TypedArray | undefined): boolean {
  const [x, y] = [bytesOf(a), bytesOf(b)];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Same dtype, shape, storage and bytes: what the writer stores once and the loader sees as one weight. */
function sameWeight(a: LoadedTensor, b: LoadedTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join() || a.kernelLayout !== b.kernelLayout) return false;
  if ((a.quant === undefined) !== (b.quant === undefined) || (a.packed === undefined) !== (b.packed === undefined)) return false;
  if (a.quant && b.quant && (a.quant.dtype !== b.quant.dtype || a.quant.axis !== b.quant.axis || !sameBytes(a.quant.values, b.quant.values)
    || !sameBytes(a.quant.scales, b.quant.scales) || !sameBytes(a.quant.zeroPoints, b.quant.zeroPoints))) return false;
  const [p, q] = [a.packed, b.packed];
  if (p && q) {
    if (p.format !== q.format || p.rows !== q.rows || p.cols !== q.cols || !sameBytes(p.values, q.values)) return false;
    if (p.format === 'nm' && q.format === 'nm') return p.n === q.n && p.m === q.m && sameBytes(p.indices, q.indices);
    if (p.format !== 'nm' && q.format !== 'nm') return sameBytes(p.colIdx, q.colIdx) && sameBytes(p.rowPtr, q.rowPtr)
      && (p.format !== 'bsr' || q.format !== 'bsr' || (p.br === q.br && p.bc === q.bc));
    return false;
  }
  return a.quant !== undefined || sameBytes(a.data, b.data);
}
