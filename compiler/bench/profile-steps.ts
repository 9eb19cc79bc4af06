// Where an artifact's time goes (`spc bench --profile`): the artifact bound as the runtime binds
// it (executor/bind.ts) and run whole, each step timed by the wall clock inside the run (a step
// cannot be timed alone: the arena reuses its inputs' bytes once later steps ran). The per-node
// medians are then scaled so that they sum to the median process CPU time of a run, which other
// load on the machine inflates far less than the wall clock; then the sums per op type.

import type { Feed } from '../../runtime/executor/bind.js';
import { bindArtifact, copyFeeds } from '../../runtime/executor/bind.js';
import { runProgram } from '../../runtime/executor/branches.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';
import { createWasmSpace } from '../../runtime/kernels/wasm/env.js';
import type { LoadedArtifact } from '../../runtime/loader/model.js';
import { quantile } from './measure.js';
import { terminalLine } from '../escape.js';

export interface NodeTime {
  readonly node: string;
  readonly op: string;
  readonly kernel: string;
  /** Median wall ms of this node's step in a run, scaled so the nodes sum to the run's CPU median. */
  readonly ms: number;
}

export interface StepProfile {
  readonly nodes: readonly NodeTime[];
  /** Median process CPU ms of a whole run (what the nodes' ms sum to). */
  readonly runMs: number;
  /** Per op type: Σ ms and node count, largest first. */
  readonly byOp: readonly { readonly op: string; readonly ms: number; readonly nodes: number }[];
}

export interface ProfilePlan {
  /** Timed runs: at least this many (default 5) … */
  readonly minRuns?: number;
  /** … and until this much wall time has passed (default 1000 ms). */
  readonly timeMs?: number;
  /** Clocks, for tests: wall ms and process CPU ms (user + system). */
  readonly now?: () => number;
  readonly cpuNow?: () => number;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const median = (v: readonly number[]): number => quantile([...v].sort((a, b) => a - b), 0.5);

/** Profiles `artifact` on `feeds` (by input name). */
export async function profileSteps(artifact: LoadedArtifact, feeds: Readonly<Record<string, Feed>>, plan: ProfilePlan = {}): Promise<StepProfile> {
  const minRuns = plan.minRuns ?? 5, timeMs = plan.timeMs ?? 1000;
  const now = plan.now ?? (() => performance.now()), cpuNow = plan.cpuNow ?? cpuMs;
  const b = await bindArtifact(artifact, defaultRegistry(), createWasmSpace);
  const inputViews = artifact.inputs.map((ti) => b.views[ti]!.data);
  const wall: number[][] = b.steps.map(() => []);
  const cpu: number[] = [];
  const times = b.steps.map(() => 0);
  const timed = b.steps.map((step, i) => () => { const t0 = now(); step(); times[i] = now() - t0; });
  const start = now();
  for (let r = -1; r < minRuns || now() - start < timeMs; r++) {
    copyFeeds(b.inputs, inputViews, feeds);
    times.fill(0);
    const c0 = cpuNow();
    // As run() runs them: only the branch each If takes (a step not run counts 0 ms in this run).
    if (b.program) runProgram(b.program, timed, b.conds!);
    else for (const step of timed) step();
    // Run -1 is a warm-up: the first calls run unoptimized code.
    if (r < 0) continue;
    cpu.push(cpuNow() - c0);
    times.forEach((t, i) => wall[i]!.push(t));
  }
  const medians = wall.map(median);
  const wallSum = medians.reduce((s, t) => s + t, 0);
  const runMs = median(cpu);
  const scale = wallSum > 0 ? runMs / wallSum : 0;
  const nodes = artifact.nodes.map((n, i): NodeTime => ({ node: n.name, op: n.op, kernel: n.kernel, ms: medians[i]! * scale }));
  const ops = new Map<string, { ms: number; nodes: number }>();
  for (const t of nodes) {
    const o = ops.get(t.op) ?? { ms: 0, nodes: 0 };
    ops.set(t.op, { ms: o.ms + t.ms, nodes: o.nodes + 1 });
  }
  const byOp = [...ops].map(([op, o]) => ({ op, ...o })).sort((x, y) => y.ms - x.ms || (x.op < y.op ? -1 : 1));
  return { nodes, runMs, byOp };
}

const msText = (x: number): string => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
const share = (x: number, of: number): string => `${of > 0 ? ((100 * x) / of).toFixed(1) : '0.0'}%`;

/** The profile as `spc bench --profile` prints it: per op type, then the `top` slowest nodes. Names go through terminalLine. */
export function formatStepProfile(p: StepProfile, top = 15): string {
  const opWidth = Math.max(7, ...p.byOp.map((o) => o.op.length));
  const slowest = [...p.nodes].sort((a, b) => b.ms - a.ms).slice(0, top);
  return [
    `where the time goes: ${msText(p.runMs)} ms CPU per run (median), split over the nodes by their wall-clock shares of a run`,
    `  ${'op type'.padEnd(opWidth)}  nodes        ms   share`,
    ...p.byOp.map((o) => `  ${terminalLine(o.op).padEnd(opWidth)}  ${String(o.nodes).padStart(5)}  ${msText(o.ms).padStart(8)}  ${share(o.ms, p.runMs).padStart(6)}`),
    `  slowest ${slowest.length} of ${p.nodes.length} nodes:`,
    ...slowest.map((t) => `  ${msText(t.ms).padStart(8)} ms ${share(t.ms, p.runMs).padStart(6)}  ${terminalLine(t.node)} (${terminalLine(t.op)}, ${t.kernel})`),
  ].join('\n');
}
