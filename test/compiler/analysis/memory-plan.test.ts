// planArena against the placement it must reproduce: the greedy best-fit written the direct
// way (scan every placed buffer), on random DAGs with long- and short-lived values, plus the
// invariant that buffers whose lifetimes overlap never share bytes.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ARENA_ALIGNMENT, computeLifetimes, planArena } from '../../../compiler/analysis/memory-plan.js';
import type { Lifetime, MemoryPlan } from '../../../compiler/analysis/memory-plan.js';
import { makeGraph } from '../../../compiler/ir/graph.js';
import type { Graph, Node, Value } from '../../../compiler/ir/graph.js';

/** The reference: for each buffer, every placed buffer is checked for overlap. */
function scanPlan(g: Graph): Map<string, number> {
  const alignUp = (n: number): number => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;
  const order = [...computeLifetimes(g)].sort((a, b) => b.bytes - a.bytes || a.first - b.first || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const placed: { lt: Lifetime; offset: number; end: number }[] = [];
  const offsets = new Map<string, number>();
  for (const lt of order) {
    const size = alignUp(Math.max(lt.bytes, 1));
    let offset = 0;
    for (const c of placed.filter((p) => p.lt.first <= lt.last && lt.first <= p.lt.last).sort((a, b) => a.offset - b.offset)) {
      if (offset + size <= c.offset) break;
      offset = Math.max(offset, alignUp(c.end));
    }
    placed.push({ lt, offset, end: offset + size });
    offsets.set(lt.name, offset);
  }
  return offsets;
}

/** A DAG: node i reads one or two earlier values (inputs, outputs of earlier nodes) by the picks given. */
function randomGraph(spec: { sizes: number[]; picks: [number, number][] }): Graph {
  const values: Value[] = [{ name: 'x', dtype: 'float32', shape: [1, 16] }];
  const nodes: Node[] = [];
  const available = ['x'];
  spec.picks.forEach(([a, b], i) => {
    const out = `v${i}`;
    const inputs = [available[a % available.length]!, available[b % available.length]!];
    nodes.push({ name: `n${i}`, op: 'Add', inputs, outputs: [out], attrs: {} });
    values.push({ name: out, dtype: 'float32', shape: [1, spec.sizes[i % spec.sizes.length]!] });
    available.push(out);
  });
  const outputs = [available[available.length - 1]!];
  return makeGraph({ name: 'g', opset: 13, inputs: ['x'], outputs, values, nodes });
}

/**
 * A wide DAG: branches of Add chains from x, each `length` nodes of `size` floats, and one node
 * reading every branch's end, so the branch ends stay live together (the planner then counts the
 * alignment units they occupy instead of sorting them).
 */
function wideGraph(branches: readonly { length: number; size: number }[]): Graph {
  const values: Value[] = [{ name: 'x', dtype: 'float32', shape: [1, 16] }];
  const nodes: Node[] = [];
  const ends: string[] = [];
  branches.forEach(({ length, size }, b) => {
    let prev = 'x';
    for (let i = 0; i < length; i++) {
      const out = `b${b}_${i}`;
      nodes.push({ name: `n${b}_${i}`, op: 'Add', inputs: [prev, prev], outputs: [out], attrs: {} });
      values.push({ name: out, dtype: 'float32', shape: [1, size] });
      prev = out;
    }
    ends.push(prev);
  });
  nodes.push({ name: 'join', op: 'Concat', inputs: ends, outputs: ['y'], attrs: {} });
  values.push({ name: 'y', dtype: 'float32', shape: [1, 8] });
  return makeGraph({ name: 'g', opset: 13, inputs: ['x'], outputs: ['y'], values, nodes });
}

/** No two buffers live at the same step share a byte; every buffer lies inside the arena. */
function assertValidPlan(plan: MemoryPlan): void {
  const lts = plan.lifetimes;
  for (const a of lts) {
    const oa = plan.offsets.get(a.name)!;
    assert.equal(oa % ARENA_ALIGNMENT, 0, `${a.name} aligned`);
    assert.ok(oa + a.bytes <= plan.arenaBytes, `${a.name} inside the arena`);
    for (const b of lts) {
      if (a === b || a.first > b.last || b.first > a.last) continue;
      const ob = plan.offsets.get(b.name)!;
      assert.ok(oa + Math.max(a.bytes, 1) <= ob || ob + Math.max(b.bytes, 1) <= oa, `${a.name} and ${b.name} overlap`);
    }
  }
}

describe('analysis/memory-plan', () => {
  it('planArena places every buffer where the scan of all placed buffers does (random DAGs up to 300 nodes)', () => {
    fc.assert(fc.property(
      fc.record({
        sizes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        picks: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 300, size: 'max' }),
      }),
      (spec) => {
        const g = randomGraph(spec);
        const plan = planArena(g);
        assert.deepEqual([...plan.offsets].sort(), [...scanPlan(g)].sort());
        assertValidPlan(plan);
      },
    ), { numRuns: 200, seed: 14 });
  });

  it('planArena places every buffer where the scan does on wide DAGs (40–120 branches live together)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ length: fc.integer({ min: 1, max: 4 }), size: fc.integer({ min: 1, max: 80 }) }), { minLength: 40, maxLength: 120 }),
      (branches) => {
        const g = wideGraph(branches);
        assert.deepEqual([...planArena(g).offsets].sort(), [...scanPlan(g)].sort());
      },
    ), { numRuns: 100, seed: 14 });
  });

  it('past its work budget the plan falls back to step order, still valid (random and wide DAGs, budget 0 and 50)', () => {
    fc.assert(fc.property(
      fc.record({
        sizes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        picks: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 200, size: 'max' }),
        branches: fc.array(fc.record({ length: fc.integer({ min: 1, max: 4 }), size: fc.integer({ min: 1, max: 80 }) }), { minLength: 1, maxLength: 60 }),
        budget: fc.constantFrom(0, 50),
      }),
      (spec) => {
        for (const g of [randomGraph(spec), wideGraph(spec.branches)]) {
          const plan = planArena(g, spec.budget);
          assertValidPlan(plan);
          // Never more than every buffer side by side.
          const total = plan.lifetimes.reduce((s, lt) => s + Math.ceil(Math.max(lt.bytes, 1) / ARENA_ALIGNMENT) * ARENA_ALIGNMENT, 0);
          assert.ok(plan.arenaBytes <= total);
        }
      },
    ), { numRuns: 100, seed: 14 });
  });
});
