// Numpy-style multidirectional broadcasting: strides of each input aligned to the output
// shape (0 along broadcast axes) and a row walker that visits the output one innermost row
// at a time, so per-element work stays a plain loop.

export function rowMajorStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]!; }
  return s;
}

/** The broadcast of `shapes`, or undefined when they are incompatible. */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const d = s[s.length - 1 - i]!;
      const o = rank - 1 - i;
      if (d === out[o] || d === 1) continue;
      if (out[o] !== 1) return undefined;
      out[o] = d;
    }
  }
  return out;
}

/** Strides of `shape` right-aligned to `outShape`, 0 where broadcast; undefined if incompatible. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] | undefined {
  if (shape.length > outShape.length) return undefined;
  const own = rowMajorStrides(shape);
  const lead = outShape.length - shape.length;
  const s = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    const o = outShape[lead + i]!;
    if (d === o) s[lead + i] = d === 1 ? 0 : own[i]!;
    else if (d !== 1) return undefined;
  }
  return s;
}

/**
 * Walks the output row by row (the innermost axis), keeping the matching offsets of up to
 * three inputs. All state is allocated in the constructor.
 */
export class RowWalker {
  /** Length of each row and each input's stride along it. */
  readonly inner: number;
  readonly innerStride0: number;
  readonly innerStride1: number;
  readonly innerStride2: number;
  private readonly rows: number;
  private readonly outer: Int32Array;
  private readonly strides: Int32Array; // [axis * 3 + input]
  private readonly counter: Int32Array;

  constructor(outShape: readonly number[], inStrides: readonly (readonly number[])[]) {
    const rank = outShape.length;
    const pad = (k: number): readonly number[] => inStrides[k] ?? new Array<number>(rank).fill(0);
    this.inner = rank === 0 ? 1 : outShape[rank - 1]!;
    this.innerStride0 = rank === 0 ? 0 : pad(0)[rank - 1]!;
    this.innerStride1 = rank === 0 ? 0 : pad(1)[rank - 1]!;
    this.innerStride2 = rank === 0 ? 0 : pad(2)[rank - 1]!;
    const outerRank = Math.max(0, rank - 1);
    this.outer = Int32Array.from(outShape.slice(0, outerRank));
    this.strides = new Int32Array(outerRank * 3);
    for (let d = 0; d < outerRank; d++) for (let k = 0; k < 3; k++) this.strides[d * 3 + k] = pad(k)[d]!;
    let rows = 1;
    for (let d = 0; d < outerRank; d++) rows *= outShape[d]!;
    this.rows = this.inner === 0 ? 0 : rows;
    this.counter = new Int32Array(outerRank);
  }

  /** Calls `row(outOffset, off0, off1, off2)` for each output row in order. */
  forEachRow(row: (o: number, i0: number, i1: number, i2: number) => void): void {
    const { outer, strides, counter, inner } = this;
    counter.fill(0);
    let i0 = 0, i1 = 0, i2 = 0;
    for (let r = 0; r < this.rows; r++) {
      row(r * inner, i0, i1, i2);
      for (let d = outer.length - 1; d >= 0; d--) {
        const c = ++counter[d]!;
        i0 += strides[d * 3]!; i1 += strides[d * 3 + 1]!; i2 += strides[d * 3 + 2]!;
        if (c < outer[d]!) break;
        counter[d] = 0;
        i0 -= strides[d * 3]! * c; i1 -= strides[d * 3 + 1]! * c; i2 -= strides[d * 3 + 2]! * c;
      }
    }
  }
}
