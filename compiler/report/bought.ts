// What pruning bought, the facts `spc compile`'s summary, its --json and the HTML report lead
// with: the artifact's size against the dense artifact's, raw and gzip -9 (as a web server sends
// it), the estimated speedup of the whole artifact, and what would make each pruned layer that
// gains nothing gain (report/alternatives.ts).

import { gzipSync } from 'node:zlib';
import type { Graph } from '../ir/graph.js';
import type { CompileLayerReport } from '../emit/compile-report.js';
import type { SpeedupEstimate } from './estimates.js';
import type { PassSettings } from '../options/settings.js';
import type { KernelRegistry } from '../../runtime/kernels/kernel.js';
import { getDefaultProfile } from '../analysis/profile.js';
import type { Alternative } from './alternatives.js';
import { HIGHER_SPARSITIES, whatWouldGain } from './alternatives.js';
import { ROW_BLOCK, formatMs } from '../analysis/cost.js';
import { times } from '../format.js';

export interface SizeBought {
  /** The artifact's bytes and the dense artifact's (the same compile without pruning, CompileResult.denseArtifact). */
  readonly bytes: number;
  readonly denseBytes: number;
  /** bytes / denseBytes. */
  readonly ratio: number;
  /** The same, each gzipped at level 9 (what `gzip -9` and a web server's Content-Encoding: gzip send). */
  readonly gzipBytes: number;
  readonly denseGzipBytes: number;
  readonly gzipRatio: number;
}

/** CompileResult.estimate's totals: an estimate from the kernel profile, not a measurement. */
export interface SpeedBought {
  readonly estimated: true;
  readonly ns: number;
  readonly denseNs: number;
  /** denseNs / ns. */
  readonly speedup: number;
}

/** A pruned layer stored no smaller than dense, or estimated no faster, and what would make it gain. */
export interface IdleLayer {
  readonly node: string;
  readonly pattern: string;
  /** What it does not gain: 'size' (stored in as many bytes as dense, or more), 'speed' (estimated no faster than dense). */
  readonly gainsNothingIn: readonly ('size' | 'speed')[];
  readonly bytes: number;
  readonly denseBytes: number;
  /** Its estimate and the dense model's, where the kernel profile priced both. */
  readonly ns?: number;
  readonly denseNs?: number;
  /** The first alternatives kernel selection says gain, in the order tried (alternatives.ts); empty: none tried does. */
  readonly wouldGain: readonly Alternative[];
}

export interface Bought {
  readonly size: SizeBought;
  readonly speed: SpeedBought;
  /** The pruned layers that gain nothing, in graph order. */
  readonly idleLayers: readonly IdleLayer[];
}

const gzipBytes = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).length;

/** What whatItBought reads of a compile (CompileResult's fields of these names). */
export interface Compiled {
  readonly artifact: Uint8Array;
  readonly denseArtifact: Uint8Array;
  readonly estimate: SpeedupEstimate;
  readonly report: readonly CompileLayerReport[];
  /** The final graph (each pruned weight's mask) and the canonical one (the weights before pruning). */
  readonly graph: Graph;
  readonly canonical: Graph;
}

/** What `result` bought; `settings` and `registry` are its compile's (the kernel candidates alternatives are priced against). */
export function whatItBought(result: Compiled, settings: PassSettings, registry: KernelRegistry): Bought {
  const [bytes, denseBytes] = [result.artifact.length, result.denseArtifact.length];
  const [gz, denseGz] = [gzipBytes(result.artifact), gzipBytes(result.denseArtifact)];
  const e = result.estimate;
  const estimateOf = new Map(e.layers.map((l) => [l.node, l]));
  const finalNode = new Map(result.graph.nodes.map((n) => [n.name, n]));
  const denseNode = new Map(result.canonical.nodes.map((n) => [n.name, n]));
  const pricing = { registry, targets: settings.targets, profile: settings.profile ?? getDefaultProfile() };
  const idleLayers: IdleLayer[] = [];
  for (const row of result.report) {
    const est = estimateOf.get(row.node);
    const gainsNothingIn = [
      ...(row.bytesAfter >= row.bytesBefore ? ['size' as const] : []),
      ...(est && est.ns >= est.denseNs ? ['speed' as const] : []),
    ];
    // Pruned to a pattern (its weight carries the mask): channel-pruned layers have smaller shapes instead.
    const n = finalNode.get(row.node);
    const sparsity = n && result.graph.values.get(n.inputs[1] ?? '')?.sparsity;
    const d = denseNode.get(row.node);
    if (!sparsity || !d || gainsNothingIn.length === 0) continue;
    idleLayers.push({
      node: row.node, pattern: row.pattern, gainsNothingIn, bytes: row.bytesAfter, denseBytes: row.bytesBefore,
      ...(est ? { ns: est.ns, denseNs: est.denseNs } : {}),
      wouldGain: whatWouldGain(result.canonical, d, { sparsity, denseNs: est?.denseNs, denseBytes: row.bytesBefore }, pricing),
    });
  }
  return {
    size: { bytes, denseBytes, ratio: bytes / denseBytes, gzipBytes: gz, denseGzipBytes: denseGz, gzipRatio: gz / denseGz },
    speed: { estimated: true, ns: e.ns, denseNs: e.denseNs, speedup: e.speedup },
    idleLayers,
  };
}

/** The lead facts as lines of text (the terminal summary and the HTML report say them in these words). */
export function boughtFacts(b: Bought, basis: string): { readonly size: string; readonly gzip: string; readonly speed: string } {
  const s = b.size;
  return {
    size: `${times(s.ratio)} the dense artifact (${s.denseBytes} → ${s.bytes} bytes)`,
    gzip: `${times(s.gzipRatio)} the dense artifact gzipped at level 9, as a web server sends it (${s.denseGzipBytes} → ${s.gzipBytes} bytes)`,
    speed: b.speed.ns > 0
      ? `${times(b.speed.speedup)} the dense artifact's speed, estimated (${formatMs(b.speed.denseNs)} ms → ${formatMs(b.speed.ns)} ms; ${basis})`
      : `not estimated: the kernel profile prices none of the artifact's kernels (spc bench measures)`,
  };
}

/** What an idle layer lacks, and the alternatives that would gain or that none tried does, in words (model names left to the caller to escape). */
export function idleText(l: IdleLayer): { readonly lacks: string; readonly wouldGain: string } {
  const lacks = [
    ...(l.gainsNothingIn.includes('size') ? [`stored no smaller than dense (${l.bytes} vs ${l.denseBytes} bytes)`] : []),
    ...(l.gainsNothingIn.includes('speed') ? [`estimated no faster than dense (${formatMs(l.ns!)} ms vs ${formatMs(l.denseNs!)} ms)`] : []),
  ];
  const wouldGain = l.wouldGain.length === 0
    ? `nothing tried gains: no other pattern, --share-rows ${ROW_BLOCK} or sparsity up to ${Math.max(...HIGHER_SPARSITIES)} runs a packed kernel estimated faster than dense`
    : l.wouldGain.map((a) => `${a.flags} (${a.kernel} est. ${formatMs(a.ns)} ms, ${a.bytes} bytes)`).join('; ');
  return { lacks: `${l.pattern}: ${lacks.join(' and ')}`, wouldGain };
}
