// Before any kernel code runs on an artifact (scratchBytes, prepare): every node's kernel exists
// and was a legal choice for it, under the conditions kernel selection chose it by
// (compiler/analysis/kernel-choice.ts): same op and fused epilogue, the node's dtype, and the
// kernel's own `supports` on the node's shapes. Kernels may then rely on what `supports` promised.

import type { LoadedArtifact, LoadedNode } from '../loader/model.js';
import type { Kernel, KernelRegistry, NodeShapes } from '../kernels/kernel.js';
import { RunError } from './run-error.js';

/**
 * A node's shapes before any view exists (what `supports` and `scratchBytes` see): a weight stored
 * packed that binding expands for a dense kernel is seen dense, as its kernel reads it.
 */
export function nodeShapes(a: LoadedArtifact, n: LoadedNode): NodeShapes {
  const info = (i: number) => {
    const t = a.tensors[i]!;
    return { dtype: t.dtype, shape: t.shape, ...(t.packed && t.kernelLayout !== 'dense' ? { packed: t.packed } : {}) };
  };
  return { inputs: n.inputs.map((i) => (i < 0 ? undefined : info(i))), outputs: n.outputs.filter((o) => o >= 0).map(info), attrs: n.attrs };
}

function describe(s: NodeShapes): string {
  const one = (v: NodeShapes['inputs'][number]): string => (v === undefined ? '-' : `${v.dtype}[${v.shape.join(',')}]${v.packed ? ` ${v.packed.format}` : ''}`);
  return `inputs ${s.inputs.map(one).join(', ') || 'none'}; outputs ${s.outputs.map(one).join(', ') || 'none'}`;
}

/** The kernel of every node, each checked against its node; throws a RunError naming the first node that fails. */
export function checkNodeKernels(a: LoadedArtifact, registry: KernelRegistry): Kernel[] {
  return a.nodes.map((n, i) => {
    const where = `node ${i} '${n.name}' (${n.op})`;
    const kernel = registry.get(n.kernel);
    if (!kernel) throw new RunError(`${where} needs kernel '${n.kernel}', which this runtime does not have`);
    if (kernel.op !== n.op) throw new RunError(`${where}: kernel '${kernel.id}' implements ${kernel.op}, not ${n.op}`);
    const activation = n.attrs['spc_activation'] ?? '';
    if (kernel.epilogue !== activation) {
      throw new RunError(`${where}: kernel '${kernel.id}' fuses ${kernel.epilogue === '' ? 'no activation' : `'${kernel.epilogue}'`}, ` +
        `the node asks for ${activation === '' ? 'none' : `'${String(activation)}'`}`);
    }
    const shapes = nodeShapes(a, n);
    const deciding = shapes.inputs.find((v) => v !== undefined) ?? shapes.outputs[0];
    if (kernel.dtypes !== 'any' && (deciding === undefined || !kernel.dtypes.includes(deciding.dtype))) {
      throw new RunError(`${where}: kernel '${kernel.id}' takes ${kernel.dtypes.join('|')}, the node has ${describe(shapes)}`);
    }
    let supported: boolean;
    try {
      supported = kernel.supports === undefined || kernel.supports(shapes);
    } catch {
      // A predicate that cannot even read the node does not support it.
      supported = false;
    }
    if (!supported) throw new RunError(`${where}: kernel '${kernel.id}' does not support this node (${describe(shapes)})`);
    return kernel;
  });
}
