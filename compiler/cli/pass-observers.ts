// What `spc compile` shows of its passes: `--list-passes` (the pipelines in order),
// `--print-ir-after <pass>` (the IR after a pass) and `--timing` (CPU and wall time per pass).
// All on stderr, through the pass manager's hooks: nothing here reaches the artifact.

import { performance } from 'node:perf_hooks';
import type { CompileOptions } from '../compile.js';
import { UsageError } from '../errors.js';
import { printGraph } from '../ir/print.js';
import type { PipelineStep } from '../passes/manager.js';
import { ALL_PASSES, canonicalizePipeline, prunePipeline, selectPipeline } from '../passes/pipelines.js';

const PIPELINES: readonly [string, readonly PipelineStep[]][] = [
  ['canonicalize', canonicalizePipeline], ['prune', prunePipeline], ['select', selectPipeline],
];

/** `--list-passes`: each pipeline's passes in the order they run, with their summaries. */
export function listPasses(): string {
  const width = Math.max(...ALL_PASSES.map((p) => p.name.length));
  const lines: string[] = [];
  for (const [name, steps] of PIPELINES) {
    lines.push(`${name}:`);
    for (const step of steps) {
      if ('kind' in step) {
        lines.push(`  ${step.name} (repeated until nothing changes, at most ${step.maxRounds} rounds):`);
        for (const p of step.passes) lines.push(`    ${p.name.padEnd(width)}  ${p.summary}`);
      } else {
        lines.push(`  ${step.name.padEnd(width + 2)}  ${step.summary}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** `--print-ir-after` values: pass names, or 'all'. Unknown names are a usage error naming the known ones. */
export function parsePrintIrAfter(names: readonly string[] = []): ReadonlySet<string> | 'all' {
  if (names.includes('all')) return 'all';
  const known = new Set(ALL_PASSES.map((p) => p.name));
  const bad = names.filter((n) => !known.has(n));
  if (bad.length > 0) throw new UsageError(`--print-ir-after: no pass named ${bad.map((b) => `'${b}'`).join(', ')}; passes: ${[...known].join(', ')} (or all; spc compile --list-passes)`);
  return new Set(names);
}

interface PassTime { runs: number; cpuUs: number; wallMs: number }

/**
 * Hooks for the compile (CompileOptions.passHooks) that write the IR after the chosen passes to
 * `write`, and time every pass; `timing()` formats the times (per pass name, summed over runs).
 */
export function observePasses(printAfter: ReadonlySet<string> | 'all', write: (text: string) => void): {
  readonly hooks: NonNullable<CompileOptions['passHooks']>;
  timing(): string;
} {
  const times = new Map<string, PassTime>();
  let started: { cpu: NodeJS.CpuUsage; wall: number } | undefined;
  return {
    hooks: {
      beforePass() { started = { cpu: process.cpuUsage(), wall: performance.now() }; },
      afterPass(pass, graph, changed) {
        if (started) {
          const cpu = process.cpuUsage(started.cpu);
          const t = times.get(pass.name) ?? { runs: 0, cpuUs: 0, wallMs: 0 };
          times.set(pass.name, { runs: t.runs + 1, cpuUs: t.cpuUs + cpu.user + cpu.system, wallMs: t.wallMs + performance.now() - started.wall });
        }
        if (printAfter === 'all' || printAfter.has(pass.name)) {
          write(`// ----- IR after ${pass.name}${changed ? '' : ' (unchanged)'} -----\n${printGraph(graph)}\n`);
        }
      },
    },
    timing() {
      const width = Math.max(4, ...[...times.keys()].map((k) => k.length));
      const rows = [...times].map(([name, t]) => `  ${name.padEnd(width)}  ${(t.cpuUs / 1000).toFixed(1).padStart(9)}  ${t.wallMs.toFixed(1).padStart(9)}  ${String(t.runs).padStart(4)}`);
      const total = [...times.values()].reduce((a, t) => ({ runs: a.runs + t.runs, cpuUs: a.cpuUs + t.cpuUs, wallMs: a.wallMs + t.wallMs }), { runs: 0, cpuUs: 0, wallMs: 0 });
      return [`spc: pass timing (in run order)`, `  ${'pass'.padEnd(width)}  ${'CPU ms'.padStart(9)}  ${'wall ms'.padStart(9)}  runs`, ...rows,
        `  ${'total'.padEnd(width)}  ${(total.cpuUs / 1000).toFixed(1).padStart(9)}  ${total.wallMs.toFixed(1).padStart(9)}  ${String(total.runs).padStart(4)}`].join('\n') + '\n';
    },
  };
}
