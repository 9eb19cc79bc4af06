// The IR verifier: a well-formed graph passes; each kind of violation is reported by name.

import { strict as assert } from 'node:assert';
import type { Graph, Node, Value } from '../../../compiler/ir/graph.js';
import { makeGraph, withGraph } from '../../../compiler/ir/graph.js';
import { graphViolations, verifyGraph } from '../../../compiler/ir/verify.js';

const w: Value = { name: 'w', dtype: 'float32', shape: [2], constant: { dtype: 'float32', shape: [2], data: new Float32Array(2) } };

function good(): Graph {
  return makeGraph({
    name: 'g', opset: 13, inputs: ['x'], outputs: ['z'],
    values: [
      { name: 'x', dtype: 'float32', shape: [2] }, w,
      { name: 'y', dtype: 'float32', shape: [2] }, { name: 'z', dtype: 'float32', shape: [2] },
    ],
    nodes: [
      { name: 'a', op: 'Add', inputs: ['x', 'w'], outputs: ['y'], attrs: {} },
      { name: 'r', op: 'Relu', inputs: ['y'], outputs: ['z'], attrs: {} },
    ],
  });
}

function expectViolation(g: Graph, pattern: RegExp): void {
  const bad = graphViolations(g);
  assert.ok(bad.some((m) => pattern.test(m)), `expected a violation matching ${pattern}, got:\n${bad.join('\n')}`);
  assert.throws(() => verifyGraph(g), pattern);
}

describe('ir/verify', () => {
  it('accepts a well-formed graph', () => {
    assert.deepEqual(graphViolations(good()), []);
    verifyGraph(good(), { requireShapes: true });
  });

  it('detects nodes out of topological order', () => {
    const g = good();
    expectViolation(withGraph(g, { nodes: [g.nodes[1]!, g.nodes[0]!] }), /topological order.*'r'.*%y/);
  });

  it('detects an undefined input', () => {
    const g = good();
    const n: Node = { ...g.nodes[1]!, inputs: ['nowhere'] };
    expectViolation(withGraph(g, { nodes: [g.nodes[0]!, n] }), /%nowhere is not defined/);
  });

  it('detects a value produced twice', () => {
    const g = good();
    const n: Node = { ...g.nodes[1]!, outputs: ['y'] };
    expectViolation(withGraph(g, { nodes: [g.nodes[0]!, n], outputs: ['y'] }), /%y is produced twice/);
  });

  it('detects a graph input that is a constant', () => {
    const g = good();
    expectViolation(withGraph(g, { inputs: ['x', 'w'] }), /graph input %w is a constant/);
  });

  it('detects an undefined graph output', () => {
    expectViolation(withGraph(good(), { outputs: ['z', 'ghost'] }), /graph output %ghost is not defined/);
  });

  it('detects a referenced value with no entry, and one with no dtype', () => {
    const g = good();
    expectViolation(withGraph(g, { values: [...g.values.values()].filter((v) => v.name !== 'y') }), /%y is referenced but has no value entry/);
    const noDtype = [...g.values.values()].map((v) => (v.name === 'y' ? ({ name: 'y' } as unknown as Value) : v));
    expectViolation(withGraph(g, { values: noDtype }), /%y has no valid dtype/);
  });

  it('detects constants whose data disagrees with their shape', () => {
    const g = good();
    const bad: Value = { ...w, constant: { ...w.constant!, data: new Float32Array(3) } };
    expectViolation(withGraph(g, { values: [...g.values.values()].map((v) => (v.name === 'w' ? bad : v)) }), /constant %w holds 3 elements/);
  });

  it('requires static shapes only when asked', () => {
    const g = good();
    const dyn = withGraph(g, { values: [...g.values.values()].map((v) => (v.name === 'y' ? { name: 'y', dtype: 'float32' as const, shape: ['N', 2] } : v)) });
    assert.deepEqual(graphViolations(dyn), []);
    assert.throws(() => verifyGraph(dyn, { requireShapes: true }), /%y has no static shape \(\[N,2\]\)/);
  });

  it('lists every violation at once', () => {
    const g = good();
    const broken = withGraph(g, { nodes: [g.nodes[1]!, g.nodes[0]!], outputs: ['z', 'ghost'] });
    // Out of order, output undefined, and 'ghost' has no value entry.
    assert.equal(graphViolations(broken).length, 3);
    assert.throws(() => verifyGraph(broken), /3 violations/);
  });
});
