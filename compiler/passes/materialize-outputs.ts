// materialize-outputs: makes every graph output the output of a node, so the artifact has a
// tensor to write it to. A graph output that folded to a constant (Shape of a static shape, a
// Constant node, a Dropout mask) gets an Identity node copying the constant; an inference-mode
// Dropout that remove-identity had to keep (its output is a graph output aliasing a graph input,
// or its mask is read) becomes an Identity plus, for the mask, a constant of ones. A node's
// omitted output ('') followed by a used one (LSTM's Y when only Y_h is read) gets a value of its
// own, since an artifact node's outputs have no holes; trailing omitted outputs are dropped.

import type { Graph, Node, Value } from '../ir/graph.js';
import { attrInt, makeGraph } from '../ir/graph.js';
import { allocArray } from '../../runtime/tensor.js';
import { inferNode } from '../analysis/shapes.js';
import type { Pass } from './pass.js';

function isStaticShape(s: Value['shape']): s is readonly number[] {
  return s !== undefined && s.every((d) => typeof d === 'number');
}

function inferenceDropout(n: Node, g: Graph): boolean {
  if (g.opset < 7 && attrInt(n, 'is_test', 0) === 0) return false;
  const training = n.inputs[2];
  if (training === undefined || training === '') return true;
  const c = g.values.get(training)?.constant;
  return c !== undefined && c.data.length === 1 && !c.data[0];
}

export const materializeOutputs: Pass = {
  name: 'materialize-outputs',
  summary: 'give every constant graph output an Identity node; kept inference Dropout becomes Identity',
  preserves: ['shapes'],
  run(graph: Graph): Graph {
    const values = new Map(graph.values);
    const taken = (name: string): boolean => values.has(name) || graph.nodes.some((n) => n.name === name);
    const fresh = (base: string): string => {
      if (!taken(base)) return base;
      for (let k = 1; ; k++) if (!taken(`${base}_${k}`)) return `${base}_${k}`;
    };
    let changed = false;
    const nodes: Node[] = [];
    for (const original of graph.nodes) {
      const n = withoutOmittedOutputs(original, graph, values, fresh);
      if (n !== original) changed = true;
      if (n.op !== 'Dropout' || !inferenceDropout(n, graph)) { nodes.push(n); continue; }
      const x = values.get(n.inputs[0]!);
      const mask = n.outputs[1];
      if (mask !== undefined && mask !== '') {
        if (!x || !isStaticShape(x.shape)) { nodes.push(n); continue; }
        const ones = allocArray('bool', x.shape.reduce((a, b) => a * b, 1)).fill(1 as never);
        values.set(mask, { name: mask, dtype: 'bool', shape: x.shape, constant: { dtype: 'bool', shape: x.shape, data: ones } });
      }
      nodes.push({ name: n.name, op: 'Identity', inputs: [n.inputs[0]!], outputs: [n.outputs[0]!], attrs: {} });
      changed = true;
    }
    for (const out of graph.outputs) {
      const v = values.get(out);
      if (!v?.constant) continue;
      const src = fresh(`${out}_constant`);
      values.set(src, { ...v, name: src });
      values.set(out, { name: out, dtype: v.dtype, shape: v.shape });
      nodes.push({ name: fresh(`${out}_materialize`), op: 'Identity', inputs: [src], outputs: [out], attrs: {} });
      changed = true;
    }
    if (!changed) return graph;
    return makeGraph({ name: graph.name, opset: graph.opset, inputs: graph.inputs, outputs: graph.outputs, values: values.values(), nodes });
  },
};

/** `n` with trailing omitted outputs dropped and inner ones given fresh values (typed by the op's shape rule). */
function withoutOmittedOutputs(n: Node, g: Graph, values: Map<string, Value>, fresh: (base: string) => string): Node {
  let last = n.outputs.length;
  while (last > 0 && n.outputs[last - 1] === '') last--;
  if (last === n.outputs.length && !n.outputs.includes('')) return n;
  let outputs = n.outputs.slice(0, last);
  if (outputs.includes('')) {
    const types = inferNode(n, n.inputs.map((i) => (i === '' ? undefined : values.get(i))), g.opset);
    outputs = outputs.map((o, k) => {
      if (o !== '') return o;
      const name = fresh(`${n.name}_output${k}`);
      const t = types[k]!;
      values.set(name, t.shape ? { name, dtype: t.dtype, shape: t.shape } : { name, dtype: t.dtype });
      return name;
    });
  }
  return { ...n, outputs };
}
