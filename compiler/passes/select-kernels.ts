// select-kernels: records on every node the kernel that will run it and why (estimated times
// from the kernel profile for Conv/Gemm/MatMul, see analysis/kernel-choice.ts).
// Pre: canonical graph with static shapes. Post: every node has `kernel` and `kernelReason`,
// `kernelNs` where the profile priced the choice (report/estimates.ts reads them), and
// `weightStorage` where the pruned weight is stored packed (read packed, or expanded to dense at
// load), which lowering stores and the reports read.
// Settings: `targets` (allowed targets, preference order for ties), `profile` (a KernelProfile;
// the shipped default when absent), `prefer` ('speed' default, or 'size': a pruned layer runs
// its packed kernel wherever the packed weight is smaller, even where slower).

import type { Graph, Node, WeightStorage } from '../ir/graph.js';
import { withGraph } from '../ir/graph.js';
import type { Pass } from './pass.js';
import { SpcError } from '../errors.js';
import { chooseKernel } from '../analysis/kernel-choice.js';
import { getDefaultProfile } from '../analysis/profile.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';
import { packedArrays } from '../sparse/pack/pack.js';

/** Whether two storage records agree: same layout read, same packed arrays (a re-run on an unchanged graph packs again, to equal bytes). */
function sameStorage(x: WeightStorage | undefined, y: WeightStorage | undefined): boolean {
  if (x === undefined || y === undefined) return x === y;
  if (x.kernelReads !== y.kernelReads) return false;
  const [a, b] = [x.packed, y.packed];
  const bytes = (x: ArrayBufferView): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const [xs, ys] = [packedArrays(a), packedArrays(b)];
  return a.format === b.format && a.rows === b.rows && a.cols === b.cols
    && xs.every((x, i) => { const [p, q] = [bytes(x), bytes(ys[i]!)]; return p.length === q.length && p.every((v, j) => v === q[j]); });
}

export const selectKernels: Pass = {
  name: 'select-kernels',
  summary: 'choose a kernel for every node (least estimated time from the kernel profile, else target order) and record why',
  requires: ['shapes'],
  preserves: ['shapes'],
  run(g: Graph, ctx) {
    const registry = ctx.registry ?? defaultRegistry();
    const { targets, prefer } = ctx.settings;
    const profile = ctx.settings.profile ?? getDefaultProfile();
    const missing: string[] = [];
    let changed = false;
    const nodes = g.nodes.map((n): Node => {
      const choice = chooseKernel(g, n, registry, targets, profile, prefer);
      if (!choice) {
        missing.push(`${n.name} (${n.op} on ${g.values.get(n.inputs[0] ?? '')?.dtype ?? '?'})`);
        return n;
      }
      if (n.kernel === choice.kernel.id && n.kernelReason === choice.reason && n.kernelNs === choice.ns && sameStorage(n.weightStorage, choice.storage)) return n;
      changed = true;
      const { kernelNs: _, weightStorage: __, ...rest } = n;
      return {
        ...rest, kernel: choice.kernel.id, kernelReason: choice.reason,
        ...(choice.ns !== undefined ? { kernelNs: choice.ns } : {}), ...(choice.storage ? { weightStorage: choice.storage } : {}),
      };
    });
    if (missing.length > 0) throw new SpcError(`no kernel for node(s): ${missing.join(', ')}`);
    return changed ? withGraph(g, { nodes }) : g;
  },
  postcondition(g: Graph) {
    return g.nodes.filter((n) => !n.kernel).map((n) => `node '${n.name}' (${n.op}) has no kernel`);
  },
};
