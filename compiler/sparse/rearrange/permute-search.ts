// Pure search algorithms for layer rearrangement (issue 6): the channel permutation that
// maximizes what N:M pruning keeps (NVIDIA ASP's stripe-group search), and the row order that
// makes blocks of rows share few columns. No graph here: callers pass score matrices and masks.

import { mulberry32 } from './prng.js';
import type { Arena } from '../../linalg/linalg.js';
import { arena, arenaKept } from '../../linalg/linalg.js';

/**
 * A consumer pruned N:M along the permuted channels: `scores` is rows × C row-major (≥ 0). After
 * permutation the channels form cells of `cell` consecutive positions and each row keeps its top
 * `n` scores per cell. Only `m === cell` is supported; other terms are ignored.
 */
export interface ColumnTerm { readonly scores: Float64Array; readonly rows: number; readonly n: number; readonly m: number }
/**
 * A producer whose output rows are the channels (`scores` is C × cols, ≥ 0) and whose N:M masks
 * (n of m along its own cols, consecutive groups) are shared by `share` consecutive rows. A cell's
 * value is, over its column groups, the best n columns by summed score over the cell's rows.
 * Only `share === cell` (and cols % m === 0) is supported; other terms are ignored.
 */
export interface RowTerm { readonly scores: Float64Array; readonly cols: number; readonly n: number; readonly m: number; readonly share: number }
/**
 * `budget`: deterministic work cap, in cell-pair evaluations (the default scales with the cost of
 * one evaluation). `timeMs`: opt-in wall-clock cap measured with `now` (default performance.now);
 * without it no clock is read, so the result depends on the input alone.
 */
export interface SearchOptions { readonly budget?: number; readonly timeMs?: number; readonly now?: () => number }

/** Whether the wall-clock cap of `options` has passed: never true (and no clock read) without `timeMs`. */
export function wallClockCap(options: Pick<SearchOptions, 'timeMs' | 'now'>): () => boolean {
  if (options.timeMs === undefined) return () => false;
  const now = options.now ?? (() => performance.now());
  const deadline = now() + options.timeMs;
  return () => now() > deadline;
}
export interface SearchResult {
  /** perm[newPosition] = old channel. */
  readonly perm: Int32Array;
  /** Objective with the identity order and with `perm`; after ≥ before. */
  readonly before: number;
  readonly after: number;
  readonly timedOut: boolean;
}
export interface RowOrderResult {
  /** order[newRow] = oldRow. */
  readonly order: Int32Array;
  readonly fillBefore: number;
  readonly fillAfter: number;
}

/** Σ rows Σ consecutive m-groups of the top-n scores, in the identity order (cols % m must be 0). */
export function keptNm(scores: Float64Array, rows: number, cols: number, n: number, m: number): number {
  if (scores.length !== rows * cols) throw new Error(`keptNm: ${scores.length} scores for a ${rows}×${cols} matrix`);
  if (cols % m !== 0) throw new Error(`keptNm: ${cols} columns are not a multiple of M=${m}`);
  const g = new Float64Array(m);
  let total = 0;
  for (let base = 0; base < scores.length; base += m) {
    for (let j = 0; j < m; j++) g[j] = scores[base + j]!;
    total += topNSum(g, m, n);
  }
  return total;
}

/** Sum of the n largest of v[0..k). */
function topNSum(v: Float64Array, k: number, n: number): number {
  if (n >= k) { let s = 0; for (let i = 0; i < k; i++) s += v[i]!; return s; }
  if (n === 1) { let b = v[0]!; for (let i = 1; i < k; i++) if (v[i]! > b) b = v[i]!; return b; }
  if (n === 2) {
    let a = -Infinity, b = -Infinity; // a ≥ b
    for (let i = 0; i < k; i++) {
      const x = v[i]!;
      if (x > a) { b = a; a = x; } else if (x > b) b = x;
    }
    return a + b;
  }
  // Small k: selection by repeated max over a scratch copy.
  const t = Float64Array.from(v.subarray(0, k));
  let s = 0;
  for (let r = 0; r < n; r++) {
    let bi = 0;
    for (let i = 1; i < k; i++) if (t[i]! > t[bi]!) bi = i;
    s += t[bi]!;
    t[bi] = -Infinity;
  }
  return s;
}

/** Scores must be finite and ≥ 0 (a NaN would make every comparison false and the search meaningless). */
function checkScores(s: Float64Array, what: string): void {
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (!(v >= 0 && v < Infinity)) throw new Error(`searchPermutation: ${what} has score ${v} at index ${i}; scores must be finite and ≥ 0`);
  }
}

/** Deterministic PRNG: the search must give the same permutation every run. */
const prng = mulberry32;

// ---------------------------------------------------------------------------------------------
// Channel permutation.

interface ColT { readonly s: Float64Array; readonly rows: number; readonly n: number }
interface RowT { readonly s: Float64Array; readonly cols: number; readonly n: number; readonly m: number }

/**
 * The ways one pair of cells (2·cell channels, indexed 0..2cell) may be re-split. `subsets` lists
 * the candidate contents of a cell as bitmasks over the 2·cell channels; `splits[k]` pairs subset
 * `first[k]` (the new first cell) with its complement `second[k]`. Split 0 is the current one.
 * Up to cell 5 every distinct split is listed (ASP's exhaustive stripe-group search, 35 for
 * cell 4); above, only single-channel swaps (cell² of them).
 */
interface SplitTable { readonly subsets: Int32Array; readonly members: Int32Array[]; readonly first: Int32Array; readonly second: Int32Array }

function splitTable(cell: number): SplitTable {
  const k2 = 2 * cell;
  const subs: number[] = [];
  const index = new Map<number, number>();
  const add = (mask: number) => {
    let i = index.get(mask);
    if (i === undefined) { i = subs.length; subs.push(mask); index.set(mask, i); }
    return i;
  };
  const full = (1 << k2) - 1;
  const current = (1 << cell) - 1;
  const first: number[] = [add(current)];
  const second: number[] = [add(full ^ current)];
  if (binomial(k2, cell) <= 252) {
    // Every subset of size `cell` containing channel 0 (the complement holds the rest).
    for (let mask = 1; mask <= full; mask += 2) {
      if (popcount(mask) !== cell || mask === current) continue;
      first.push(add(mask));
      second.push(add(full ^ mask));
    }
  } else {
    for (let i = 0; i < cell; i++) {
      for (let j = cell; j < k2; j++) {
        const mask = (current & ~(1 << i)) | (1 << j);
        first.push(add(mask));
        second.push(add(full ^ mask));
      }
    }
  }
  const members = subs.map((mask) => {
    const out: number[] = [];
    for (let i = 0; i < k2; i++) if (mask & (1 << i)) out.push(i);
    return Int32Array.from(out);
  });
  return { subsets: Int32Array.from(subs), members, first: Int32Array.from(first), second: Int32Array.from(second) };
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}
function popcount(x: number): number {
  let c = 0;
  while (x) { x &= x - 1; c++; }
  return c;
}

/**
 * Column terms with the same n, stacked channel-major: t[c·rows + r] is row r's score of channel
 * c, so the rows of one channel are contiguous whatever C is.
 */
interface ColumnStack { readonly n: number; readonly rows: number; readonly t: Float64Array }

function stackColumns(C: number, cols: readonly ColT[]): ColumnStack[] {
  const byN = new Map<number, ColT[]>();
  for (const c of cols) byN.set(c.n, [...(byN.get(c.n) ?? []), c]);
  return [...byN.entries()].sort((a, b) => a[0] - b[0]).map(([n, terms]) => {
    const rows = terms.reduce((acc, x) => acc + x.rows, 0);
    const t = new Float64Array(C * rows);
    let r0 = 0;
    for (const term of terms) {
      for (let r = 0; r < term.rows; r++) for (let c = 0; c < C; c++) t[c * rows + r0 + r] = term.s[r * C + c]!;
      r0 += term.rows;
    }
    return { n, rows, t };
  });
}

/** CellEvaluator's operands in the linalg module: per column stack its scores and packed kept ranks (byte offsets). */
interface Placement {
  readonly a: Arena;
  readonly stacks: readonly { readonly t: number; readonly kept: number; readonly w: number }[];
  /** The pair's score offsets (ub[i] = u[i]·rows), written before each call. */
  readonly ub: Int32Array;
  /** Operand index of ub; then the splits' masks, out, scratch. */
  readonly base: number;
}

/** Evaluates cells and pairs of cells for one problem; all scratch is allocated once. */
class CellEvaluator {
  private readonly stacks: ColumnStack[];
  private readonly x: Float64Array;
  private readonly order: Int32Array;
  private readonly ordBit: Int32Array;
  private readonly ordVal: Float64Array;
  private readonly colSum: Float64Array;
  private readonly g: Float64Array;
  /** Per subset of the 2·cell channels, the value of a cell holding it (generic path). */
  private readonly vals: Float64Array;
  /** Per split of the table, the value of the two cells it makes. */
  readonly splitVals: Float64Array;
  /** Rough cost of one pair evaluation in inner-loop steps, for the default budget. */
  readonly pairCost: number;

  constructor(
    C: number,
    private readonly cell: number,
    cols: readonly ColT[],
    private readonly rowTerms: readonly RowT[],
    readonly table: SplitTable,
  ) {
    const k2 = 2 * cell;
    this.stacks = stackColumns(C, cols);
    this.x = new Float64Array(k2);
    this.order = new Int32Array(k2);
    this.ordBit = new Int32Array(k2);
    this.ordVal = new Float64Array(k2);
    let maxM = 1;
    for (const t of rowTerms) maxM = Math.max(maxM, t.m);
    this.colSum = new Float64Array(maxM * k2);
    this.g = new Float64Array(Math.max(maxM, cell));
    this.vals = new Float64Array(table.subsets.length);
    this.rank = new Int32Array(k2);
    this.rankBit = new Int32Array(k2);
    this.byRank = new Float64Array(k2);
    this.ub = new Int32Array(k2);
    this.splitFirst = new Int32Array(table.first.length * cell);
    for (let k = 0; k < table.first.length; k++) this.splitFirst.set(table.members[table.first[k]!]!, k * cell);
    this.splitVals = new Float64Array(table.first.length);
    let cost = 0;
    for (const st of this.stacks) {
      cost += st.rows * (k2 * k2 + table.subsets.length * 2 * st.n);
    }
    for (const t of rowTerms) cost += (t.cols / t.m) * table.subsets.length * (cell * t.m + t.m * t.n);
    this.pairCost = Math.max(1, cost);
  }

  private readonly keptTables = new Map<number, Int8Array | undefined>();
  private readonly rank: Int32Array;
  private readonly rankBit: Int32Array;
  private readonly byRank: Float64Array;
  private readonly ub: Int32Array;
  /** splitFirst[k·cell + i]: the i-th of the 2·cell positions in split k's first cell. */
  private readonly splitFirst: Int32Array;

  /**
   * For cells up to 4 (tables of 2^(2·cell) entries): for every set of ranks (bit k = the k-th
   * largest of the 2·cell scores) the first cell may hold, the 2n ranks a split keeps, the n
   * smallest set and the n smallest clear bits. Undefined above, where the generic path runs.
   */
  private keptRanks(n: number): Int8Array | undefined {
    if (this.cell > 4) return undefined;
    if (this.keptTables.has(n)) return this.keptTables.get(n);
    const k2 = 2 * this.cell, w = 2 * n;
    const table = new Int8Array((1 << k2) * w);
    for (let rm = 0; rm < 1 << k2; rm++) {
      let a = 0, b = 0, j = 0;
      for (let k = 0; k < k2; k++) {
        if (rm & (1 << k)) { if (a < n) { table[rm * w + j++] = k; a++; } }
        else if (b < n) { table[rm * w + j++] = k; b++; }
      }
      // Ranks of a set larger than 2n (not a real split) repeat rank 0; never read.
    }
    this.keptTables.set(n, table);
    return table;
  }

  /** Value of one cell holding channels ch[0..cell). */
  cellValue(ch: ArrayLike<number>): number {
    const { cell, g } = this;
    let total = 0;
    for (const st of this.stacks) {
      for (let r = 0; r < st.rows; r++) {
        for (let i = 0; i < cell; i++) g[i] = st.t[ch[i]! * st.rows + r]!;
        total += topNSum(g, cell, st.n);
      }
    }
    for (const t of this.rowTerms) {
      for (let c0 = 0; c0 < t.cols; c0 += t.m) {
        for (let j = 0; j < t.m; j++) {
          let s = 0;
          for (let i = 0; i < cell; i++) s += t.s[ch[i]! * t.cols + c0 + j]!;
          g[j] = s;
        }
        total += topNSum(g, t.m, t.n);
      }
    }
    return total;
  }

  /** The column stacks' scores and tables in the linalg module (pairSplitsNm); null: not there. */
  private placed?: Placement | null;

  /**
   * The kept-rank path's operands in the linalg module, placed once per search (the scores are
   * its largest data) and again only when another arena call moved them; undefined where the
   * module is off or the generic path runs (cells above 4).
   */
  private placement(): Placement | undefined {
    if (this.placed === null) return undefined;
    if (this.placed && arenaKept(this.placed.a.generation)) return this.placed;
    const kepts = this.stacks.map((st) => this.keptRanks(st.n));
    if (this.stacks.length === 0 || kepts.some((k) => !k)) { this.placed = null; return undefined; }
    const k2 = 2 * this.cell, nsplit = this.table.first.length;
    // Operands: per stack its scores (f64) and packed kept ranks (i32); then ub and the splits'
    // position masks (i32), out (f64) and the module's scratch.
    const sizes: number[] = [], kinds: ('f64' | 'u8')[] = [];
    for (const st of this.stacks) { sizes.push(st.t.length, 4 << k2); kinds.push('f64', 'u8'); }
    sizes.push(4 * k2, 4 * nsplit, nsplit, 64 + 64 + 64 + 64);
    kinds.push('u8', 'u8', 'f64', 'u8');
    const a = arena(sizes, kinds);
    if (!a) { this.placed = null; return undefined; }
    const i32 = (k: number, n: number): Int32Array => new Int32Array(a.u8[k]!.buffer, a.u8[k]!.byteOffset, n);
    const stacks = this.stacks.map((st, i) => {
      a.f64[2 * i]!.set(st.t);
      const w = 2 * st.n, kept = kepts[i]!, packed = i32(2 * i + 1, 1 << k2);
      for (let rm = 0; rm < 1 << k2; rm++) {
        let p = 0;
        for (let j = 0; j < w; j++) p |= kept[rm * w + j]! << (3 * j);
        packed[rm] = p;
      }
      return { t: a.at[2 * i]!, kept: a.at[2 * i + 1]!, w };
    });
    const base = 2 * this.stacks.length;
    const masks = i32(base + 1, nsplit);
    for (let k = 0; k < nsplit; k++) masks[k] = this.table.subsets[this.table.first[k]!]!;
    this.placed = { a, stacks, ub: i32(base, k2), base };
    return this.placed;
  }

  /** pairSplits' column stacks on the linalg module (same arithmetic and order); false when it is not there. */
  private pairSplitsWasm(u: ArrayLike<number>): boolean {
    const p = this.placement();
    if (!p) return false;
    const { a, ub, base } = p;
    const k2 = 2 * this.cell, nsplit = this.table.first.length;
    const out = a.f64[base + 2]!;
    out.fill(0);
    for (const [i, st] of this.stacks.entries()) {
      for (let j = 0; j < k2; j++) ub[j] = u[j]! * st.rows;
      const s = p.stacks[i]!;
      a.exports.pairSplitsNm(s.t, st.rows, a.at[base]!, k2, a.at[base + 1]!, nsplit, s.kept, s.w, a.at[base + 2]!, a.at[base + 3]!);
    }
    this.splitVals.set(out);
    return true;
  }

  /** Fills `splitVals[k]` = value of the two cells split k makes of the 2·cell channels `u`. */
  pairSplits(u: ArrayLike<number>): void {
    const { cell, x, order, ordBit, ordVal, vals, colSum, g, splitVals } = this;
    const { subsets, members, first, second } = this.table;
    const k2 = 2 * cell;
    const ns = subsets.length;
    vals.fill(0);
    splitVals.fill(0);
    const stacks = this.pairSplitsWasm(u) ? [] : this.stacks;
    for (const st of stacks) {
      const R = st.rows, T = st.t;
      const n = st.n;
      const kept = this.keptRanks(n);
      if (kept) {
        // Branch-free: rank the 2·cell scores of the row, then each split's kept ranks come
        // from a table indexed by the ranks its first cell holds.
        const { rank, rankBit, byRank, splitFirst, ub } = this;
        const nsplit = first.length, w = 2 * n;
        for (let i = 0; i < k2; i++) ub[i] = u[i]! * R;
        for (let r = 0; r < R; r++) {
          for (let i = 0; i < k2; i++) x[i] = T[ub[i]! + r]!;
          for (let i = 0; i < k2; i++) {
            const v = x[i]!;
            let c = 0;
            for (let j = 0; j < i; j++) c += +(x[j]! >= v);
            for (let j = i + 1; j < k2; j++) c += +(x[j]! > v);
            rank[i] = c;
          }
          for (let i = 0; i < k2; i++) { byRank[rank[i]!] = x[i]!; rankBit[i] = 1 << rank[i]!; }
          for (let k = 0; k < nsplit; k++) {
            let rm = 0;
            for (let i = 0; i < cell; i++) rm |= rankBit[splitFirst[k * cell + i]!]!;
            const base = rm * w;
            let sum = 0;
            for (let j = 0; j < w; j++) sum += byRank[kept[base + j]!]!;
            splitVals[k] += sum;
          }
        }
        continue;
      }
      for (let r = 0; r < R; r++) {
        for (let i = 0; i < k2; i++) x[i] = T[u[i]! * R + r]!;
        // Sort the 2·cell positions by descending score once; a subset's top n are then its
        // first n members met along that order.
        for (let i = 0; i < k2; i++) {
          const v = x[i]!;
          let j = i;
          while (j > 0 && x[order[j - 1]!]! < v) { order[j] = order[j - 1]!; j--; }
          order[j] = i;
        }
        for (let i = 0; i < k2; i++) { const p = order[i]!; ordBit[i] = 1 << p; ordVal[i] = x[p]!; }
        for (let s = 0; s < ns; s++) {
          const mask = subsets[s]!;
          let taken = 0, sum = 0;
          for (let i = 0; taken < n; i++) {
            if (mask & ordBit[i]!) { sum += ordVal[i]!; taken++; }
          }
          vals[s] += sum;
        }
      }
    }
    for (const t of this.rowTerms) {
      const m = t.m;
      for (let c0 = 0; c0 < t.cols; c0 += m) {
        for (let i = 0; i < k2; i++) {
          const rowBase = u[i]! * t.cols + c0;
          for (let j = 0; j < m; j++) colSum[i * m + j] = t.s[rowBase + j]!;
        }
        for (let s = 0; s < ns; s++) {
          const mem = members[s]!;
          for (let j = 0; j < m; j++) {
            let sum = 0;
            for (let q = 0; q < mem.length; q++) sum += colSum[mem[q]! * m + j]!;
            g[j] = sum;
          }
          vals[s] += topNSum(g, m, t.n);
        }
      }
    }
    for (let k = 0; k < first.length; k++) splitVals[k] += vals[first[k]!]! + vals[second[k]!]!;
  }
}

/**
 * Channel permutation maximizing Σ kept over the column and row terms (ASP-style). The objective
 * decomposes over cells, so the search moves channels between pairs of cells: start from the
 * better of the identity and a balanced deal of channels by total score; try every re-split of a
 * candidate pair of cells (35 for cell 4, ASP's stripe groups of 2) and apply the best one as soon
 * as it gains, re-evaluating only the pairs that touch changed cells, until none improves. Rounds
 * of a seeded random sample of pairs (6 partners per cell) come first, redrawn while they gain;
 * then, when it fits the budget, every pair, and escapes from that local optimum by random
 * channel swaps (ASP's bounded regressions), keeping the best state seen.
 */
export function searchPermutation(channels: number, cell: number, columns: readonly ColumnTerm[], rows: readonly RowTerm[], options: SearchOptions = {}): SearchResult {
  const C = channels;
  if (!(Number.isInteger(C) && C >= 0)) throw new Error(`searchPermutation: channels must be a non-negative integer, got ${C}`);
  if (!(Number.isInteger(cell) && cell >= 1)) throw new Error(`searchPermutation: cell must be a positive integer, got ${cell}`);
  const identity = Int32Array.from({ length: C }, (_, i) => i);
  const colTerms: ColT[] = [];
  for (const [i, t] of columns.entries()) {
    if (t.scores.length !== t.rows * C) throw new Error(`searchPermutation: column term ${i} has ${t.scores.length} scores for ${t.rows}×${C}`);
    checkScores(t.scores, `column term ${i}`);
    if (t.m === cell && t.n >= 1 && t.n < t.m && t.rows > 0) colTerms.push({ s: t.scores, rows: t.rows, n: t.n });
  }
  const rowTerms: RowT[] = [];
  for (const [i, t] of rows.entries()) {
    if (t.scores.length !== C * t.cols) throw new Error(`searchPermutation: row term ${i} has ${t.scores.length} scores for ${C}×${t.cols}`);
    checkScores(t.scores, `row term ${i}`);
    if (t.share === cell && t.m >= 1 && t.cols % t.m === 0 && t.n >= 1 && t.n < t.m && t.cols > 0) rowTerms.push({ s: t.scores, cols: t.cols, n: t.n, m: t.m });
  }
  const cells = C / cell;
  if (C % cell !== 0 || cells < 2 || cell < 2 || (colTerms.length === 0 && rowTerms.length === 0)) {
    const v = C % cell === 0 && cell >= 1 ? objective(C, cell, colTerms, rowTerms, identity) : 0;
    return { perm: identity, before: v, after: v, timedOut: false };
  }

  const table = splitTable(cell);
  const ev = new CellEvaluator(C, cell, colTerms, rowTerms, table);
  const budget = options.budget ?? defaultBudget(ev.pairCost, cells);
  const capped = wallClockCap(options);
  const random = prng(0x5eed ^ C ^ (cell << 20));

  // State: perm (position → channel) and each cell's value.
  const perm = Int32Array.from(identity);
  const cellVal = new Float64Array(cells);
  const valueOf = (p: Int32Array, k: number) => ev.cellValue(p.subarray(k * cell, (k + 1) * cell));
  let before = 0;
  for (let k = 0; k < cells; k++) before += (cellVal[k] = valueOf(perm, k));
  {
    const dealt = balancedDeal(C, cell, colTerms, rowTerms);
    const dv = new Float64Array(cells);
    let d = 0;
    for (let k = 0; k < cells; k++) d += (dv[k] = valueOf(dealt, k));
    if (d > before) { perm.set(dealt); cellVal.set(dv); }
  }
  const eps = 1e-12 * Math.max(1, Math.abs(before));

  let used = 0;
  let timedOut = false;
  const out = (): boolean => {
    if (used >= budget) return true;
    if (capped()) { timedOut = true; return true; }
    return false;
  };

  // Candidate pairs: pa/pb cell indices, stale = to be (re-)evaluated; byCell lists each cell's pairs.
  const u = new Int32Array(2 * cell);
  let pa = new Int32Array(0), pb = new Int32Array(0), stale = new Uint8Array(0);
  let byCell: number[][] = [];
  const allPairs = (cells * (cells - 1)) / 2;
  /** Partners per cell in a sampled round: few, so that moves start early. */
  const sampleK = Math.min(cells - 1, SAMPLE_PARTNERS);
  let complete = false;

  const buildPairs = (all: boolean) => {
    const A: number[] = [], B: number[] = [];
    if (all) {
      for (let a = 0; a < cells; a++) for (let b = a + 1; b < cells; b++) { A.push(a); B.push(b); }
    } else {
      // Each cell gets sampleK random partners.
      const k = sampleK;
      const seen = new Set<number>();
      for (let a = 0; a < cells; a++) {
        for (let t = 0; t < k; t++) {
          let b = Math.floor(random() * (cells - 1));
          if (b >= a) b++;
          const lo = Math.min(a, b), hi = Math.max(a, b), key = lo * cells + hi;
          if (seen.has(key)) continue;
          seen.add(key); A.push(lo); B.push(hi);
        }
      }
    }
    pa = Int32Array.from(A); pb = Int32Array.from(B);
    stale = new Uint8Array(A.length).fill(1);
    byCell = Array.from({ length: cells }, () => []);
    for (let p = 0; p < A.length; p++) { byCell[A[p]!]!.push(p); byCell[B[p]!]!.push(p); }
  };

  /** The best re-split of pair p (0 = keep the current one) and its gain. */
  let bestSplit = 0, bestGain = 0;
  const evaluate = (p: number) => {
    const a = pa[p]!, b = pb[p]!;
    for (let i = 0; i < cell; i++) { u[i] = perm[a * cell + i]!; u[cell + i] = perm[b * cell + i]!; }
    ev.pairSplits(u);
    const v = ev.splitVals;
    // Split 0 is the current one, evaluated with the same arithmetic as the others.
    const cur = v[0]!;
    bestSplit = 0; bestGain = 0;
    for (let s = 1; s < table.first.length; s++) {
      const g = v[s]! - cur;
      if (g > bestGain) { bestGain = g; bestSplit = s; }
    }
    stale[p] = 0;
    used++;
  };

  const apply = (p: number) => {
    const a = pa[p]!, b = pb[p]!, s = bestSplit;
    for (let i = 0; i < cell; i++) { u[i] = perm[a * cell + i]!; u[cell + i] = perm[b * cell + i]!; }
    const fm = table.members[table.first[s]!]!, sm = table.members[table.second[s]!]!;
    for (let i = 0; i < cell; i++) { perm[a * cell + i] = u[fm[i]!]!; perm[b * cell + i] = u[sm[i]!]!; }
    cellVal[a] = valueOf(perm, a);
    cellVal[b] = valueOf(perm, b);
    markStale(a); markStale(b);
  };
  const markStale = (k: number) => { for (const q of byCell[k]!) stale[q] = 1; };

  /**
   * First-improvement local search over the candidate pairs: a pair's best re-split is applied
   * as soon as it is found (moves start before a sweep ends; on 64×128 this beats applying the
   * best of a full sweep at every budget, 52% vs 49% of the gap at 5000 evaluations); sweeps
   * repeat until no pair is stale. False when the budget ran out.
   */
  const converge = (): boolean => {
    for (let any = true; any;) {
      any = false;
      for (let p = 0; p < pa.length; p++) {
        if (!stale[p]) continue;
        if (out()) return false;
        any = true;
        evaluate(p);
        if (bestGain > eps) apply(p);
      }
    }
    return true;
  };

  const total = () => { let s = 0; for (let k = 0; k < cells; k++) s += cellVal[k]!; return s; };
  // Sampled rounds while they gain (cheap progress on big problems); then, when all pairs fit
  // the remaining budget, the complete table (a true local optimum) and escapes from it.
  let bestPerm = Int32Array.from(perm), bestVal = total();
  let failedEscapes = 0;
  while (!out()) {
    if (!complete) {
      const start = total();
      buildPairs(sampleK >= cells - 1);
      converge();
      if (sampleK >= cells - 1 || (total() <= start + eps && allPairs <= budget - used)) {
        complete = true;
        if (sampleK < cells - 1) { buildPairs(true); converge(); }
      }
    } else {
      if (failedEscapes >= ESCAPE_ATTEMPTS) break;
      // Escape: from the best state, swap a few random channels across cells (a bounded
      // regression), re-converge, keep the result only if it beats the best.
      const swaps = 1 + Math.floor(random() * 3);
      for (let t = 0; t < swaps; t++) {
        const a = Math.floor(random() * cells);
        let b = Math.floor(random() * (cells - 1));
        if (b >= a) b++;
        const i = a * cell + Math.floor(random() * cell), j = b * cell + Math.floor(random() * cell);
        const tmp = perm[i]!; perm[i] = perm[j]!; perm[j] = tmp;
        cellVal[a] = valueOf(perm, a); cellVal[b] = valueOf(perm, b);
        markStale(a); markStale(b);
      }
      converge();
    }
    const v = total();
    if (v > bestVal + eps) { bestVal = v; bestPerm = Int32Array.from(perm); failedEscapes = 0; }
    else if (complete) {
      failedEscapes++;
      // Back to the best state; only the pairs of cells that differ need re-evaluation.
      for (let k = 0; k < cells; k++) {
        let same = true;
        for (let i = k * cell; i < (k + 1) * cell; i++) if (perm[i] !== bestPerm[i]) { same = false; break; }
        if (same) continue;
        perm.set(bestPerm.subarray(k * cell, (k + 1) * cell), k * cell);
        cellVal[k] = valueOf(perm, k);
        markStale(k);
      }
    }
  }

  // Canonical form: channels ascending within a cell (the objective does not see the order).
  for (let k = 0; k < cells; k++) bestPerm.subarray(k * cell, (k + 1) * cell).sort();
  // Recomputed cell by cell from scratch, in the same arithmetic as `before`.
  let after = 0;
  for (let k = 0; k < cells; k++) after += valueOf(bestPerm, k);
  if (!(after > before)) return { perm: identity, before, after: before, timedOut };
  return { perm: bestPerm, before, after, timedOut };
}

/**
 * The objective searchPermutation maximizes (Σ kept over the terms it supports) for a given
 * permutation `perm` (perm[newPosition] = old channel): to score a permutation found otherwise.
 */
export function permutationObjective(channels: number, cell: number, columns: readonly ColumnTerm[], rows: readonly RowTerm[], perm: Int32Array): number {
  if (channels % cell !== 0 || perm.length !== channels) return 0;
  const colTerms: ColT[] = columns.filter((t) => t.m === cell && t.n >= 1 && t.n < t.m && t.rows > 0).map((t) => ({ s: t.scores, rows: t.rows, n: t.n }));
  const rowTerms: RowT[] = rows.filter((t) => t.share === cell && t.m >= 1 && t.cols % t.m === 0 && t.n >= 1 && t.n < t.m && t.cols > 0).map((t) => ({ s: t.scores, cols: t.cols, n: t.n, m: t.m }));
  return objective(channels, cell, colTerms, rowTerms, perm);
}

const SAMPLE_PARTNERS = 6;
/** Consecutive escapes without a new best before the search stops (ASP's escape_attempts). */
const ESCAPE_ATTEMPTS = 100;

/**
 * Default budget in pair evaluations: 100 per cell (3200 for a 64×128 matrix: a few tenths of a
 * second, half the gap to the per-row bound), but at most about 2.5·10⁸ inner steps (under a
 * second of CPU on the largest corpus spaces, whose many rows make each evaluation dear; 4× that
 * budget closes only ~1.5 points more of their gap), and above WIDE_CELLS cells (1024 channels at
 * 2:4) that cap shrinks in proportion: a ResNet-50 has a dozen spaces of 1024–2048 channels read
 * by many layers, where a capped search each was a fixed second or more, and the calibrated check
 * or the saliency order still decides whether its result is applied.
 */
function defaultBudget(pairCost: number, cells: number): number {
  const steps = 2.5e8 * Math.min(1, WIDE_CELLS / cells);
  return Math.max(1, Math.min(100 * cells, Math.floor(steps / pairCost)));
}

/** Cells up to which a search gets the full step cap: every corpus CNN space but mobilenet_v2_w050's 1280-channel head. */
const WIDE_CELLS = 256;

/** Objective of a full permutation, computed cell by cell from scratch. */
function objective(C: number, cell: number, cols: readonly ColT[], rowTerms: readonly RowT[], perm: Int32Array): number {
  if (C === 0) return 0;
  const ev = new CellEvaluator(C, cell, cols, rowTerms, { subsets: new Int32Array(0), members: [], first: new Int32Array(0), second: new Int32Array(0) });
  let s = 0;
  for (let k = 0; k < C / cell; k++) s += ev.cellValue(perm.subarray(k * cell, (k + 1) * cell));
  return s;
}

/**
 * A starting point that spreads strong channels: channels sorted by total score are dealt to the
 * cells in a snake order (0..K-1, K-1..0, ...), so each cell gets one channel of every rank band
 * and the n kept per cell are not wasted on cells full of strong channels.
 */
function balancedDeal(C: number, cell: number, cols: readonly ColT[], rowTerms: readonly RowT[]): Int32Array {
  const weight = new Float64Array(C);
  for (const t of cols) for (let r = 0; r < t.rows; r++) for (let c = 0; c < C; c++) weight[c] += t.s[r * C + c]!;
  for (const t of rowTerms) for (let c = 0; c < C; c++) for (let j = 0; j < t.cols; j++) weight[c] += t.s[c * t.cols + j]!;
  const byWeight = Array.from({ length: C }, (_, i) => i).sort((a, b) => weight[b]! - weight[a]! || a - b);
  const K = C / cell;
  const perm = new Int32Array(C);
  for (let r = 0; r < C; r++) {
    const band = Math.floor(r / K), pos = r % K;
    const k = band % 2 === 0 ? pos : K - 1 - pos;
    perm[k * cell + band] = byWeight[r]!;
  }
  return perm;
}

// ---------------------------------------------------------------------------------------------
// Row reordering.

/**
 * Orders the rows shared by every mask (each rows × cols, row-major, nonzero = kept) so that
 * consecutive blocks of `blockRows` rows have small column unions, i.e. high fill = nnz /
 * Σ blocks |union of the block's columns|·rows of the block, over all masks together. Greedy
 * clustering (seed = first free row in signature order, grow by least union growth), then
 * improving row swaps between blocks, within the budget (row-candidate evaluations) and time cap.
 * Returns the identity when it is not better.
 */
export function reorderRows(masks: readonly { readonly mask: Uint8Array; readonly cols: number }[], rows: number, blockRows: number, options: SearchOptions = {}): RowOrderResult {
  if (!(Number.isInteger(rows) && rows >= 0)) throw new Error(`reorderRows: rows must be a non-negative integer, got ${rows}`);
  if (!(Number.isInteger(blockRows) && blockRows >= 1)) throw new Error(`reorderRows: blockRows must be a positive integer, got ${blockRows}`);
  for (const [i, m] of masks.entries()) {
    if (m.mask.length !== rows * m.cols) throw new Error(`reorderRows: mask ${i} has ${m.mask.length} entries for ${rows}×${m.cols}`);
  }
  // One bitset per row over the concatenated columns of all masks.
  let totalCols = 0;
  for (const m of masks) totalCols += m.cols;
  const words = Math.max(1, Math.ceil(totalCols / 32));
  const bits = new Uint32Array(rows * words);
  let nnz = 0;
  {
    let off = 0;
    for (const m of masks) {
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < m.cols; c++) {
          if (m.mask[r * m.cols + c]) { const b = off + c; bits[r * words + (b >>> 5)]! |= 1 << (b & 31); nnz++; }
        }
      }
      off += m.cols;
    }
  }
  const identity = Int32Array.from({ length: rows }, (_, i) => i);
  const areaOf = (order: Int32Array) => blockArea(bits, words, order, blockRows);
  const fill = (area: number) => (area === 0 ? 1 : nnz / area);
  const areaBefore = areaOf(identity);
  if (rows <= blockRows || nnz === 0) return { order: identity, fillBefore: fill(areaBefore), fillAfter: fill(areaBefore) };

  const budget = options.budget ?? Math.max(rows * 4, Math.floor(1e8 / words));
  const capped = wallClockCap(options);
  let used = 0;
  const out = () => used >= budget || capped();

  const pop = new Int32Array(rows);
  for (let r = 0; r < rows; r++) pop[r] = popcountRange(bits, r * words, words);
  // Signature order: lexicographic on the bitsets, so identical and nested rows sit together.
  const sig = Array.from({ length: rows }, (_, i) => i).sort((a, b) => {
    for (let w = 0; w < words; w++) {
      const x = bits[a * words + w]!, y = bits[b * words + w]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return a - b;
  });

  // Greedy grouping: a block starts at the first free row in signature order and takes, one by
  // one, the free row that grows its union least (ties: fewer columns, then signature order).
  const free = new Uint8Array(rows).fill(1);
  const order = new Int32Array(rows);
  const union = new Uint32Array(words);
  let filled = 0, cursor = 0;
  while (filled < rows) {
    while (!free[sig[cursor]!]) cursor++;
    const seed = sig[cursor]!;
    free[seed] = 0; order[filled++] = seed;
    union.set(bits.subarray(seed * words, (seed + 1) * words));
    const blockEnd = Math.min(rows, filled - 1 + blockRows);
    while (filled < blockEnd) {
      let best = -1, bestGrow = Infinity, bestPop = Infinity;
      if (!out()) {
        for (let q = cursor; q < rows; q++) {
          const r = sig[q]!;
          if (!free[r]) continue;
          used++;
          let grow = 0;
          for (let w = 0; w < words; w++) grow += popcount32(bits[r * words + w]! & ~union[w]!);
          if (grow < bestGrow || (grow === bestGrow && pop[r]! < bestPop)) { best = r; bestGrow = grow; bestPop = pop[r]!; if (grow === 0 && pop[r] === 0) break; }
        }
      } else {
        for (let q = cursor; q < rows; q++) if (free[sig[q]!]) { best = sig[q]!; break; }
      }
      free[best] = 0; order[filled++] = best;
      for (let w = 0; w < words; w++) union[w]! |= bits[best * words + w]!;
    }
  }

  // Local improvement: swap a row of one block with a row of another when the two unions shrink.
  improveBySwaps(bits, words, order, blockRows, () => { used++; return out(); });

  const areaAfter = areaOf(order);
  if (!(areaAfter < areaBefore)) return { order: identity, fillBefore: fill(areaBefore), fillAfter: fill(areaBefore) };
  return { order, fillBefore: fill(areaBefore), fillAfter: fill(areaAfter) };
}

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
function popcountRange(bits: Uint32Array, start: number, words: number): number {
  let c = 0;
  for (let w = 0; w < words; w++) c += popcount32(bits[start + w]!);
  return c;
}

/** Σ blocks |union of the block's row bitsets| · rows in the block. */
function blockArea(bits: Uint32Array, words: number, order: Int32Array, blockRows: number): number {
  const union = new Uint32Array(words);
  let area = 0;
  for (let b0 = 0; b0 < order.length; b0 += blockRows) {
    const b1 = Math.min(order.length, b0 + blockRows);
    union.fill(0);
    for (let i = b0; i < b1; i++) for (let w = 0; w < words; w++) union[w]! |= bits[order[i]! * words + w]!;
    area += popcountRange(union, 0, words) * (b1 - b0);
  }
  return area;
}

/**
 * First-improvement swaps of two rows between two blocks. Each block keeps the bitsets of the
 * columns its rows cover at least once (`union`) and exactly once (`once`), so a candidate swap is
 * scored in O(words): a block that gives up row i and takes row j gains the columns of j outside
 * its union and loses those only i covered (and j does not). `tick` counts work and says stop.
 */
function improveBySwaps(bits: Uint32Array, words: number, order: Int32Array, blockRows: number, tick: () => boolean): void {
  const rows = order.length;
  const nb = Math.ceil(rows / blockRows);
  if (nb < 2 || blockRows < 2) return;
  const start = (b: number) => b * blockRows, end = (b: number) => Math.min(rows, (b + 1) * blockRows);
  const union = new Uint32Array(nb * words), once = new Uint32Array(nb * words);
  const summarize = (b: number) => {
    const o = b * words;
    for (let w = 0; w < words; w++) {
      let u = 0, twice = 0;
      for (let i = start(b); i < end(b); i++) { const x = bits[order[i]! * words + w]!; twice |= u & x; u |= x; }
      union[o + w] = u; once[o + w] = u & ~twice;
    }
  };
  for (let b = 0; b < nb; b++) summarize(b);
  let improved = true;
  while (improved) {
    improved = false;
    for (let a = 0; a < nb; a++) {
      for (let b = a + 1; b < nb; b++) {
        const na = end(a) - start(a), nbr = end(b) - start(b), oa = a * words, ob = b * words;
        for (let i = start(a); i < end(a); i++) {
          for (let j = start(b); j < end(b); j++) {
            if (tick()) return;
            const ri = order[i]! * words, rj = order[j]! * words;
            let da = 0, db = 0;
            for (let w = 0; w < words; w++) {
              const x = bits[ri + w]!, y = bits[rj + w]!;
              da += popcount32(y & ~union[oa + w]!) - popcount32(x & once[oa + w]! & ~y);
              db += popcount32(x & ~union[ob + w]!) - popcount32(y & once[ob + w]! & ~x);
            }
            if (da * na + db * nbr < 0) {
              const t = order[i]!; order[i] = order[j]!; order[j] = t;
              summarize(a); summarize(b);
              improved = true;
            }
          }
        }
      }
    }
  }
}
