// Chooses a kernel for one node from a registry: the op, the fused epilogue and the input
// dtype must match; among matches the first target in the preference order wins.

import type { Graph, Node, Sparsity, Value } from '../ir/graph.js';
import type { AttrValue, Kernel, KernelRegistry, NodeShapes } from '../../runtime/kernels/kernel.js';
import { isStatic } from '../ir/graph.js';

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

export type WeightFormat = NonNullable<Kernel['format']>;

const FORMAT_OF_KIND: Record<Sparsity['kind'], WeightFormat> = { unstructured: 'csr', nm: 'nm', block: 'bsr' };

/** The pruned weight a node reads (input 1 of Conv/Gemm/MatMul), if any. */
export function sparseWeightOf(g: Graph, n: Node): Value | undefined {
  if (n.op !== 'Conv' && n.op !== 'Gemm' && n.op !== 'MatMul') return undefined;
  const v = g.values.get(n.inputs[1] ?? '');
  return v?.constant && v.sparsity ? v : undefined;
}

/** The packed format a node's pruned weight calls for ('dense' when it has none). */
export function wantedFormat(g: Graph, n: Node): WeightFormat {
  const w = sparseWeightOf(g, n);
  return w?.sparsity ? FORMAT_OF_KIND[w.sparsity.kind] : 'dense';
}

/** What a kernel's `supports` sees of a node: static shapes, dtypes and plain attribute values. */
function nodeShapes(g: Graph, n: Node): NodeShapes {
  const info = (name: string): { dtype: string; shape: readonly number[] } | undefined => {
    const v = g.values.get(name);
    return v && isStatic(v.shape) ? { dtype: v.dtype, shape: v.shape } : undefined;
  };
  const attrs: Record<string, AttrValue> = {};
  for (const [k, a] of Object.entries(n.attrs)) if (a.kind !== 'tensor') attrs[k] = a.value;
  return {
    inputs: n.inputs.map((i) => (i === '' ? undefined : info(i))),
    outputs: n.outputs.map((o) => info(o) ?? { dtype: '', shape: [] }),
    attrs,
  };
}

export function chooseKernel(g: Graph, n: Node, registry: KernelRegistry, targets: readonly Target[] = DEFAULT_TARGETS): KernelChoice | undefined {
  const epilogue = epilogueOf(n);
  const dtype = decidingDtype(g, n);
  const format = wantedFormat(g, n);
  const shapes = nodeShapes(g, n);
  const matching = [...registry.values()].filter((k) =>
    k.op === n.op && k.epilogue === epilogue && (k.dtypes === 'any' || (dtype !== undefined && k.dtypes.includes(dtype))));
  const refusing = matching.filter((k) => k.supports !== undefined && !k.supports(shapes));
  const candidates = matching.filter((k) => !refusing.includes(k));
  const pick = (fmt: WeightFormat): KernelChoice | undefined => {
    const ofFormat = candidates.filter((c) => (c.format ?? 'dense') === fmt);
    for (const target of targets) {
      const k = ofFormat.filter((c) => c.target === target).sort((a, b) => (a.id < b.id ? -1 : 1))[0];
      if (!k) continue;
      const skipped = targets.slice(0, targets.indexOf(target));
      const what = fmt === 'dense' ? TARGET_REASON[target] : `${fmt} sparse ${TARGET_REASON[target]}`;
      const refused = skipped.filter((t) => refusing.some((r) => r.target === t && (r.format ?? 'dense') === fmt));
      const reason = skipped.length === 0
        ? `${what} (preferred target)`
        : refused.length > 0
          ? `${what}: the ${refused.join('/')} kernel does not support this ${n.op} (${refusing.filter((r) => refused.includes(r.target) && (r.format ?? 'dense') === fmt).map((r) => r.id).join(', ')})`
          : `${what}: no ${skipped.join('/')} kernel for ${n.op}${epilogue ? '+' + epilogue : ''}${fmt === 'dense' ? '' : ' ' + fmt} on ${dtype}`;
      return { kernel: k, reason };
    }
    return undefined;
  };
  if (format !== 'dense') {
    const sparse = pick(format);
    const dense = pick('dense');
    // A sparse kernel only on a slower target loses to a dense one on a faster target (a js CSR
    // conv runs ~15× below a wasmsimd dense one): targets are listed fastest first.
    if (sparse && dense && targets.indexOf(dense.kernel.target) < targets.indexOf(sparse.kernel.target)) {
      return { kernel: dense.kernel, reason: `DENSIFIED: the ${format} kernel for ${n.op} is ${sparse.kernel.target} only (${sparse.kernel.id}), the dense ${dense.kernel.target} kernel is faster; ${dense.reason}` };
    }
    if (sparse) return sparse;
    return dense && { kernel: dense.kernel, reason: `DENSIFIED: no kernel reads ${format} for ${n.op}; ${dense.reason}` };
  }
  return pick('dense');
}
