// Chooses a kernel for one node from a registry: the op, the fused epilogue and the input
// dtype must match; among matches the first target in the preference order wins.

import type { Graph, Node } from '../ir/graph.js';
import type { Kernel, KernelRegistry } from '../../runtime/kernels/kernel.js';

export type Target = Kernel['target'];

export const DEFAULT_TARGETS: readonly Target[] = ['js', 'ref'];

const TARGET_REASON: Record<Target, string> = {
  wasmsimd: 'WebAssembly SIMD kernel',
  js: 'optimized TypeScript kernel',
  ref: 'reference kernel',
};

export interface KernelChoice {
  readonly kernel: Kernel;
  readonly reason: string;
}

function epilogueOf(n: Node): string {
  const a = n.attrs['spc_activation'];
  return a && a.kind === 'string' ? a.value : '';
}

/** The dtype that decides the kernel: the first present input's (outputs for input-less ops). */
function decidingDtype(g: Graph, n: Node): string | undefined {
  const name = n.inputs.find((i) => i !== '') ?? n.outputs[0];
  return g.values.get(name)?.dtype;
}

export function chooseKernel(g: Graph, n: Node, registry: KernelRegistry, targets: readonly Target[] = DEFAULT_TARGETS): KernelChoice | undefined {
  const epilogue = epilogueOf(n);
  const dtype = decidingDtype(g, n);
  const candidates = [...registry.values()].filter((k) =>
    k.op === n.op && k.epilogue === epilogue && (k.dtypes === 'any' || (dtype !== undefined && k.dtypes.includes(dtype))));
  for (const target of targets) {
    const k = candidates.filter((c) => c.target === target).sort((a, b) => (a.id < b.id ? -1 : 1))[0];
    if (!k) continue;
    const skipped = targets.slice(0, targets.indexOf(target));
    const reason = skipped.length === 0
      ? `${TARGET_REASON[target]} (preferred target)`
      : `${TARGET_REASON[target]}: no ${skipped.join('/')} kernel for ${n.op}${epilogue ? '+' + epilogue : ''} on ${dtype}`;
    return { kernel: k, reason };
  }
  return undefined;
}
