// `--input-shape` values: one shape (`1x3x224x224`) or shape buckets (`1x{16,32,64}`: one braced
// dimension listing the sizes, in increasing order), parsed, printed back for the provenance, and
// split into one shape record per bucket for the compile.

import { SpcError, UsageError } from '../errors.js';

/** One input's pinned shape, or its buckets (one shape per bucket, differing in one dimension). */
export type InputShape = readonly number[] | readonly (readonly number[])[];
export type InputShapes = Readonly<Record<string, InputShape>>;

/** Most buckets one artifact may hold (the loader's MAX_SHAPE_PLANS allows more; each bucket is a compile). */
export const MAX_BUCKETS = 16;

export function isBuckets(s: InputShape): s is readonly (readonly number[])[] {
  return s.length > 0 && Array.isArray(s[0]);
}

/** `name=1x{16,32}x8` or `name=1x3x224x224` → [name, shape or buckets]. Bucket mistakes are bad input (exit 1), naming the option. */
export function parseInputShape(text: string): [string, InputShape] {
  const eq = text.lastIndexOf('=');
  const [name, dims] = eq > 0 ? [text.slice(0, eq), text.slice(eq + 1)] : ['', ''];
  if (!dims.includes('{') && !dims.includes('}')) {
    if (name === '' || !/^\d+(?:x\d+)*$/.test(dims)) throw new UsageError(`--input-shape '${text}': expected name=DIMS with DIMS like 1x3x224x224`);
    return [name, dims.split('x').map(Number)];
  }
  const m = /^((?:\d+x)*)\{([^{}]*)\}((?:x\d+)*)$/.exec(dims);
  const bad = (why: string): SpcError => new SpcError(`--input-shape '${text}': ${why}; expected name=DIMS with one braced dimension listing the bucket sizes in increasing order, like ids=1x{16,32,64,128}`);
  if (name === '' || !m) throw bad('malformed shape buckets');
  const sizes = m[2]!.split(',').map((t) => t.trim());
  if (sizes.some((t) => !/^\d+$/.test(t))) throw bad(`bucket sizes '${m[2]}' are not whole numbers separated by commas`);
  const values = sizes.map(Number);
  return [name, checkedBuckets(`--input-shape '${text}'`, values.map((v) => [
    ...(m[1] === '' ? [] : m[1]!.slice(0, -1).split('x').map(Number)), v, ...(m[3] === '' ? [] : m[3]!.slice(1).split('x').map(Number)),
  ]))];
}

/** Buckets given through the API or a recipe: at least two shapes of one rank, differing in one axis, in increasing order. */
export function checkedBuckets(where: string, shapes: readonly (readonly number[])[]): readonly (readonly number[])[] {
  const bad = (why: string): SpcError => new SpcError(`${where}: ${why}`);
  if (shapes.length < 2) throw bad(`${shapes.length} bucket size(s); buckets need at least two (a single shape is written without braces)`);
  if (shapes.length > MAX_BUCKETS) throw bad(`${shapes.length} buckets exceed ${MAX_BUCKETS}`);
  const rank = shapes[0]!.length;
  if (shapes.some((s) => s.length !== rank)) throw bad('the bucket shapes differ in rank');
  const axes = [...Array(rank).keys()].filter((d) => shapes.some((s) => s[d] !== shapes[0]![d]));
  if (axes.length > 1) throw bad(`the bucket shapes differ in dimensions ${axes.join(' and ')}; buckets lengthen one axis`);
  const axis = axes[0] ?? -1;
  for (let k = 1; k < shapes.length; k++) {
    if (axis < 0 || !(shapes[k]![axis]! > shapes[k - 1]![axis]!)) {
      throw bad(`bucket sizes ${shapes.map((s) => (axis < 0 ? s[0] : s[axis])).join(', ')} are not strictly increasing`);
    }
  }
  if (shapes[0]![axis]! < 1) throw bad('a bucket size is 0');
  return shapes;
}

/** How the provenance records a shape: `1x3x224x224`, or `1x{16,32,64}` for buckets (what parseInputShape reads back). */
export function inputShapeText(s: InputShape): string {
  if (!isBuckets(s)) return s.join('x');
  const axis = s[0]!.findIndex((_, d) => s.some((b) => b[d] !== s[0]![d]));
  return s[0]!.map((d, i) => (i === axis ? `{${s.map((b) => b[i]).join(',')}}` : String(d))).join('x');
}

/**
 * One shape record per bucket (a single record when nothing is bucketed): the i-th bucket pins
 * every bucketed input to its i-th shape and the others to their one shape. Bucketed inputs must
 * list the same number of buckets.
 */
export function bucketShapes(shapes: InputShapes): Record<string, number[]>[] {
  const bucketed = Object.entries(shapes).filter(([, s]) => isBuckets(s)) as [string, readonly (readonly number[])[]][];
  const counts = new Set(bucketed.map(([, s]) => s.length));
  if (counts.size > 1) {
    throw new SpcError(`--input-shape: the bucketed inputs list different numbers of buckets (${bucketed.map(([n, s]) => `${n}: ${s.length}`).join(', ')}); each bucket needs a size for every bucketed input`);
  }
  const count = bucketed[0]?.[1].length ?? 1;
  return [...Array(count).keys()].map((k) => Object.fromEntries(Object.entries(shapes).map(([name, s]) => [name, [...(isBuckets(s) ? s[k]! : s)]])));
}
