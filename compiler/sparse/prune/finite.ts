// Non-finite values where pruning or calibration reads them: magnitude and saliency orderings
// are undefined on NaN and ±Inf (every comparison with NaN is false), so a weight a pruning
// decision ranks, or an activation calibration measures, must be finite or the compile is refused.
// A dense compile keeps non-finite weights as the model has them (onnxruntime runs them too).

import type { TypedArray } from '../../../runtime/tensor.js';
import type { CalibrationSet } from '../../calibrate/data.js';
import { SpcError } from '../../errors.js';

/** Index of the first NaN or ±Inf in `data`, or -1 when every value is finite (integer data always is). */
export function firstNonFinite(data: TypedArray | ArrayLike<number>): number {
  if (!(data instanceof Float32Array || data instanceof Float64Array || Array.isArray(data))) return -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is NaN exactly for NaN and ±Inf: one test, no call per element.
    if (v - v !== 0) return i;
  }
  return -1;
}

/** "NaN at index 5 of 4608" for the non-finite value of `data` at `at`. */
export function describeNonFinite(data: ArrayLike<number>, at: number): string {
  return `${String(data[at])} at index ${at} of ${data.length}`;
}

/** The weight a pruning decision ranks, and who ranks it. */
export interface RankedWeight {
  readonly weight: string;
  readonly node: string;
  readonly op: string;
  /** What ranks it, e.g. 'N:M pruning (magnitude)'. */
  readonly reader: string;
  /** Whether a --config { skip } entry keeps the layer out (the prune pass reads the config; channel pruning does not). */
  readonly configurable: boolean;
}

/** Refuses (SpcError naming the weight and its node, and the ways out) a weight pruning would rank that holds NaN or ±Inf. */
export function requireFiniteWeight(data: TypedArray | ArrayLike<number>, w: RankedWeight): void {
  const at = firstNonFinite(data);
  if (at < 0) return;
  const ways = w.configurable
    ? `fix the model, keep the layer dense with a --config entry { "match": ${JSON.stringify(w.node)}, "skip": true }, or compile without --pattern`
    : 'fix the model or compile without --pattern';
  throw new SpcError(`weight '${w.weight}' of node '${w.node}' (${w.op}) holds ${describeNonFinite(data as ArrayLike<number>, at)}: ${w.reader} ranks weights ` +
    `by magnitude or saliency, which NaN and ±Inf leave undefined; ${ways}`);
}

/** Refuses calibration data holding NaN or ±Inf (SpcError naming the data, the sample and the input): calibration statistics would be NaN. */
export function requireFiniteSamples(set: CalibrationSet): void {
  set.samples.forEach((feed, s) => {
    for (const [name, t] of Object.entries(feed)) {
      const at = firstNonFinite(t.data);
      if (at >= 0) {
        throw new SpcError(`calibration data ${set.source}: sample ${s}, input '${name}' holds ${describeNonFinite(t.data as ArrayLike<number>, at)}; ` +
          'calibration statistics need finite inputs');
      }
    }
  });
}
