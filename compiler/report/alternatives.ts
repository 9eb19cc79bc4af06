// What would make a pruned layer gain: other patterns, sparsities and --share-rows for that one
// layer, each magnitude-pruned as the prune pass prunes (passes/prune.ts magnitudePrunedWeight)
// and priced by kernel selection itself (analysis/kernel-choice.ts), never by a second cost model.

import type { Graph, Node, Sparsity } from '../ir/graph.js';
import type { KernelRegistry } from '../../runtime/kernels/kernel.js';
import type { Target } from '../analysis/kernel-choice.js';
import { chooseKernel } from '../analysis/kernel-choice.js';
import { ROW_BLOCK } from '../analysis/cost.js';
import type { KernelProfile } from '../analysis/profile.js';
import { packedBytes } from '../sparse/pack/pack.js';
import { parsePattern } from '../sparse/settings/pattern.js';
import { nmSparsity } from '../sparse/settings/pattern.js';
import { magnitudePrunedWeight } from '../passes/prune.js';

/** A pattern for one layer that kernel selection says gains: a packed kernel estimated faster than dense, a packed weight smaller than dense. */
export interface Alternative {
  /** The pattern's canonical text ('unstructured', '2:4', 'block:4x1'). */
  readonly pattern: string;
  /** The sparsity asked of it (N:M: (M−N)/M). */
  readonly sparsity: number;
  /** N:M only: rows sharing one mask (1: per row). */
  readonly shareRows: number;
  /** The compile flags that ask for it, as a change from this compile's ('--share-rows 4', '--pattern unstructured --sparsity 0.75'). */
  readonly flags: string;
  /** The kernel selection would run, its estimated ns and the packed weight's bytes. */
  readonly kernel: string;
  readonly ns: number;
  readonly bytes: number;
}

/** What the pricing reads of the compile: its kernel candidates and profile. */
export interface Pricing {
  readonly registry: KernelRegistry;
  readonly targets: readonly Target[];
  readonly profile: KernelProfile;
}

/** The layer as it is, what gaining means for it: below its dense estimate and its dense bytes. */
export interface LayerNow {
  readonly sparsity: Sparsity;
  readonly denseNs?: number;
  readonly denseBytes: number;
}

/** Sparsities tried above the layer's own, for unstructured and block patterns. */
export const HIGHER_SPARSITIES: readonly number[] = [0.75, 0.9];

/** At most this many alternatives are named per layer (the first that gain, in the order tried). */
export const MAX_ALTERNATIVES = 2;

interface Trial { readonly text: string; readonly sparsity: number; readonly shareRows: number }

/**
 * The alternatives tried for a layer pruned as `s`, cheapest in accuracy first: the same sparsity
 * with a kernel-friendlier layout (the N:M mask shared by ROW_BLOCK rows, the row-block kernels'
 * tile; unstructured; ROW_BLOCK×1 blocks), then fewer kept per N:M group, then higher sparsities.
 */
function trials(s: Sparsity): Trial[] {
  const out: Trial[] = [];
  const same = s.requested;
  const block = `block:${ROW_BLOCK}x1`;
  if (s.kind === 'nm') {
    const [n, m, r] = [s.n!, s.m!, s.shareRows ?? 1];
    if (r < ROW_BLOCK) out.push({ text: s.pattern, sparsity: same, shareRows: ROW_BLOCK });
    out.push({ text: 'unstructured', sparsity: same, shareRows: 1 }, { text: block, sparsity: same, shareRows: 1 });
    if (n > 1) {
      const fewer = `${n - 1}:${m}`;
      out.push({ text: fewer, sparsity: nmSparsity(n - 1, m), shareRows: r });
      if (r < ROW_BLOCK) out.push({ text: fewer, sparsity: nmSparsity(n - 1, m), shareRows: ROW_BLOCK });
    }
  } else {
    out.push({ text: s.kind === 'block' ? 'unstructured' : block, sparsity: same, shareRows: 1 });
  }
  for (const level of HIGHER_SPARSITIES.filter((l) => l > same + 1e-9)) {
    if (s.kind !== 'nm') out.push({ text: s.pattern, sparsity: level, shareRows: 1 });
    out.push({ text: s.kind === 'unstructured' ? block : 'unstructured', sparsity: level, shareRows: 1 });
  }
  // Each once, and never the layer's own pattern.
  const seen = new Set<string>([`${s.pattern} ${same} ${s.shareRows ?? 1}`]);
  const unique: Trial[] = [];
  for (const t of out) {
    const key = `${t.text} ${t.sparsity} ${t.shareRows}`;
    if (!seen.has(key)) { seen.add(key); unique.push(t); }
  }
  return unique;
}

/** The flags that turn this compile's layer (`s`) into `t`. */
function flagsFor(s: Sparsity, t: Trial): string {
  const share = t.shareRows > 1 ? ` --share-rows ${t.shareRows}` : '';
  if (t.text === s.pattern && t.sparsity === s.requested) return share.trim();
  const kind = parsePattern(t.text).kind;
  return `--pattern ${t.text}${kind === 'nm' ? '' : ` --sparsity ${t.sparsity}`}${kind === 'nm' ? share : ''}`;
}

/**
 * The alternatives for `node` of `dense` (the canonical graph: the weights before pruning) that
 * kernel selection, preferring speed, runs on a packed kernel (estimated at least SPARSE_MARGIN
 * below dense) estimated faster than `now.denseNs` and stored in fewer than `now.denseBytes`:
 * the first MAX_ALTERNATIVES, in the order `trials` gives. Empty: none of those tried gains.
 */
export function whatWouldGain(dense: Graph, node: Node, now: LayerNow, pricing: Pricing): Alternative[] {
  const out: Alternative[] = [];
  for (const t of trials(now.sparsity)) {
    if (out.length >= MAX_ALTERNATIVES) break;
    const pattern = parsePattern(t.text);
    if (pattern.kind === 'channel') continue;
    const weight = magnitudePrunedWeight(dense, node, pattern, t.sparsity, t.shareRows);
    if (!weight) continue;
    const g: Graph = { ...dense, values: new Map(dense.values).set(weight.name, weight) };
    const choice = chooseKernel(g, node, pricing.registry, pricing.targets, pricing.profile, 'speed');
    // Gaining speed needs a kernel that reads the packed weight (expanded for a dense one, it runs at dense speed).
    const read = choice?.storage?.kernelReads !== 'dense' ? choice?.storage?.packed : undefined;
    if (!read || choice?.ns === undefined) continue;
    const bytes = packedBytes(read);
    if (bytes >= now.denseBytes || (now.denseNs !== undefined && choice.ns >= now.denseNs)) continue;
    out.push({ pattern: t.text, sparsity: t.sparsity, shareRows: t.shareRows, flags: flagsFor(now.sparsity, t), kernel: choice.kernel.id, ns: choice.ns, bytes });
  }
  return out;
}
