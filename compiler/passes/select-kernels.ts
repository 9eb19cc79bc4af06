// select-kernels: records on every node the kernel that will run it and why (estimated times
// from the kernel profile for Conv/Gemm/MatMul, see analysis/kernel-choice.ts).
// Pre: canonical graph with static shapes. Post: every node has `kernel` and `kernelReason`, and
// `kernelNs` where the profile priced the choice (report/estimates.ts reads the three).
// Settings: `targets` (allowed targets, preference order for ties), `profile` (a KernelProfile;
// the shipped default when absent), `prefer` ('speed' default, or 'size': a pruned layer keeps
// its packed kernel wherever the packed weight is smaller).

import type { Graph, Node } from '../ir/graph.js';
import { withGraph } from '../ir/graph.js';
import type { Pass } from './pass.js';
import { SpcError } from '../errors.js';
import { chooseKernel } from '../analysis/kernel-choice.js';
import { getDefaultProfile } from '../analysis/profile.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';

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
      if (n.kernel === choice.kernel.id && n.kernelReason === choice.reason && n.kernelNs === choice.ns) return n;
      changed = true;
      const { kernelNs: _, ...rest } = n;
      return { ...rest, kernel: choice.kernel.id, kernelReason: choice.reason, ...(choice.ns !== undefined ? { kernelNs: choice.ns } : {}) };
    });
    if (missing.length > 0) throw new SpcError(`no kernel for node(s): ${missing.join(', ')}`);
    return changed ? withGraph(g, { nodes }) : g;
  },
  postcondition(g: Graph) {
    return g.nodes.filter((n) => !n.kernel).map((n) => `node '${n.name}' (${n.op}) has no kernel`);
  },
};
