// Runs pipelines: passes in order, fixpoint groups repeated until stable, the IR verifier and
// each pass's postcondition checked after every pass when verification is on.

import type { Graph } from '../ir/graph.js';
import { graphViolations } from '../ir/verify.js';
import { SpcError } from '../errors.js';
import type { Pass, PassContext } from './pass.js';

/** Passes repeated, in order, until a whole round leaves the graph unchanged (bounded). */
export interface FixpointGroup {
  readonly kind: 'fixpoint';
  readonly name: string;
  readonly passes: readonly Pass[];
  readonly maxRounds: number;
}

export type PipelineStep = Pass | FixpointGroup;

export function fixpoint(name: string, passes: readonly Pass[], maxRounds = 10): FixpointGroup {
  return { kind: 'fixpoint', name, passes, maxRounds };
}

export interface RunOptions {
  /** Run the IR verifier and the pass's postcondition after every pass (tests, `--verify`). */
  readonly verify?: boolean;
  /** Called before/after each pass (drives `--print-ir-after` and `--timing`). */
  readonly beforePass?: (pass: Pass, graph: Graph) => void;
  readonly afterPass?: (pass: Pass, graph: Graph, changed: boolean) => void;
}

/** A pass threw or broke the IR; the message names the pass. Bad user input stays an SpcError. */
export class PassFailure extends Error {
  constructor(readonly pass: string, message: string, options?: { cause?: unknown }) {
    super(`pass '${pass}': ${message}`, options);
    this.name = 'PassFailure';
  }
}

function runOne(pass: Pass, g: Graph, ctx: PassContext, opts: RunOptions): Graph {
  opts.beforePass?.(pass, g);
  let next: Graph;
  try {
    next = pass.run(g, ctx);
  } catch (e) {
    if (e instanceof SpcError) throw new SpcError(`pass '${pass.name}': ${e.message}`);
    throw new PassFailure(pass.name, e instanceof Error ? e.message : String(e), { cause: e });
  }
  if (opts.verify) {
    const bad = [...graphViolations(next), ...(pass.postcondition?.(next) ?? [])];
    if (bad.length > 0) throw new PassFailure(pass.name, `left a malformed graph (${bad.length} violation${bad.length === 1 ? '' : 's'}):\n  ${bad.join('\n  ')}`);
  }
  opts.afterPass?.(pass, next, next !== g);
  return next;
}

/**
 * Runs `steps` over `graph`. A fixpoint group stops after the first round in which every pass
 * returned its input unchanged; reaching `maxRounds` is logged, not an error (the graph is
 * still valid, just possibly not fully simplified).
 */
export function runPipeline(graph: Graph, steps: readonly PipelineStep[], ctx: PassContext, opts: RunOptions = {}): Graph {
  let g = graph;
  for (const step of steps) {
    if (!('kind' in step)) { g = runOne(step, g, ctx, opts); continue; }
    let stable = false;
    for (let round = 0; round < step.maxRounds && !stable; round++) {
      stable = true;
      for (const p of step.passes) {
        const next = runOne(p, g, ctx, opts);
        if (next !== g) stable = false;
        g = next;
      }
    }
    if (!stable) ctx.log({ pass: step.name, message: `no fixpoint after ${step.maxRounds} rounds` });
  }
  return g;
}
