// profileSteps (`spc bench --profile`) on an artifact with If branches: with a fake clock that
// advances 1 ms per reading, a step that runs takes exactly 1 ms and one the run skips 0, so the
// nodes of the branches not taken must show 0 ms, as run() skips them.

import { strict as assert } from 'node:assert';
import { compileBytes } from '../../../compiler/compile.js';
import { profileSteps } from '../../../compiler/bench/profile-steps.js';
import { NESTED_IF } from '../../helpers/if-models.js';

describe('bench: profileSteps follows the branch each If takes', () => {
  const r = compileBytes(NESTED_IF, { name: 'nested' });
  const x = Float32Array.from([-1.5, -0.25, 0, 0.5, 1, 2.5]);
  const profile = async (c1: number, c2: number): Promise<Record<string, number>> => {
    let clock = 0, cpu = 0;
    const p = await profileSteps(r.contents, { x, c1: Uint8Array.of(c1), c2: Uint8Array.of(c2) }, {
      minRuns: 3, timeMs: 0, now: () => ++clock, cpuNow: () => (cpu += 10),
    });
    return Object.fromEntries(p.nodes.map((n) => [n.node, n.ms]));
  };

  it('c1 false, c2 false: the outer else and inner else run; then_add and then_mul show 0', async () => {
    const ms = await profile(0, 0);
    assert.equal(ms['then_add'], 0);
    assert.equal(ms['then_mul'], 0);
    for (const n of ['sig', 'else_relu', 'inner', 'outer', 'out_add']) assert.ok(ms[n]! > 0, `${n} ran: ${ms[n]}`);
    // Five steps of 1 ms each, scaled to the run's CPU time: equal shares.
    assert.equal(new Set(['sig', 'else_relu', 'inner', 'outer', 'out_add'].map((n) => ms[n]!.toPrecision(9))).size, 1);
  });

  it('c1 true: only then_add of the branches runs; the inner If and both of its branches show 0', async () => {
    const ms = await profile(1, 0);
    for (const n of ['then_mul', 'else_relu', 'inner']) assert.equal(ms[n], 0, n);
    for (const n of ['sig', 'then_add', 'outer', 'out_add']) assert.ok(ms[n]! > 0, n);
  });
});
