// The pass manager: order, fixpoint groups, verification after each pass, failures named.

import { strict as assert } from 'node:assert';
import type { Graph } from '../../../compiler/ir/graph.js';
import { withGraph } from '../../../compiler/ir/graph.js';
import { SpcError } from '../../../compiler/errors.js';
import type { Pass } from '../../../compiler/passes/pass.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { fixpoint, PassFailure, runPipeline } from '../../../compiler/passes/manager.js';
import { build } from './build.js';

const tiny = (): Graph => build({ inputs: { x: ['float32', [2]] }, nodes: [['Relu', ['x'], ['y']]], outputs: ['y'] });

describe('passes/manager', () => {
  it('runs passes in order and calls the hooks', () => {
    const seen: string[] = [];
    const mk = (name: string): Pass => ({ name, summary: name, run: (g) => { seen.push(name); return g; } });
    const g = tiny();
    const out = runPipeline(g, [mk('a'), mk('b')], makePassContext(), { afterPass: (p, _g, changed) => seen.push(`after ${p.name} ${changed}`) });
    assert.equal(out, g);
    assert.deepEqual(seen, ['a', 'after a false', 'b', 'after b false']);
  });

  it('repeats a fixpoint group until a round changes nothing, and bounds it', () => {
    let budget = 3;
    const shrink: Pass = { name: 'shrink', summary: '', run: (g) => (budget-- > 0 ? withGraph(g, {}) : g) };
    const ctx = makePassContext();
    runPipeline(tiny(), [fixpoint('grp', [shrink])], ctx);
    assert.equal(budget, -1); // 3 changing rounds + 1 stable round
    const always: Pass = { name: 'always', summary: '', run: (g) => withGraph(g, {}) };
    runPipeline(tiny(), [fixpoint('grp', [always], 4)], ctx);
    assert.ok(ctx.notes.some((n) => n.pass === 'grp' && /no fixpoint after 4 rounds/.test(n.message)));
  });

  it('verifies after each pass and names the pass that broke the IR', () => {
    const breaker: Pass = { name: 'breaker', summary: '', run: (g) => withGraph(g, { outputs: ['ghost'] }) };
    assert.throws(() => runPipeline(tiny(), [breaker], makePassContext(), { verify: true }),
      (e: unknown) => e instanceof PassFailure && e.pass === 'breaker' && /graph output %ghost is not defined/.test(e.message));
    assert.doesNotThrow(() => runPipeline(tiny(), [breaker], makePassContext(), { verify: false }));
  });

  it('checks pass postconditions under verify', () => {
    const liar: Pass = { name: 'liar', summary: '', run: (g) => g, postcondition: () => ['still here'] };
    assert.throws(() => runPipeline(tiny(), [liar], makePassContext(), { verify: true }), /pass 'liar'.*\n.*still here/);
  });

  it('wraps a throwing pass, keeping SpcError for bad input', () => {
    const bug: Pass = { name: 'bug', summary: '', run: () => { throw new TypeError('oops'); } };
    assert.throws(() => runPipeline(tiny(), [bug], makePassContext()), (e: unknown) => e instanceof PassFailure && /pass 'bug': oops/.test((e as Error).message));
    const bad: Pass = { name: 'bad', summary: '', run: () => { throw new SpcError('node n0: bad attribute'); } };
    assert.throws(() => runPipeline(tiny(), [bad], makePassContext()), (e: unknown) => e instanceof SpcError && /pass 'bad': node n0/.test((e as Error).message));
  });
});
