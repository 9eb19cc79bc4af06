// fold-constants (with infer-shapes in a fixpoint): shape arithmetic chains and constant
// subexpressions become constants; huge outputs and non-constant inputs are left alone.

import { strict as assert } from 'node:assert';
import { printGraph } from '../../../compiler/ir/print.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { fixpoint, runPipeline } from '../../../compiler/passes/manager.js';
import { foldConstants } from '../../../compiler/passes/fold-constants.js';
import { inferShapesPass } from '../../../compiler/passes/infer-shapes.js';
import { eliminateDeadCode } from '../../../compiler/passes/eliminate-dead-code.js';
import { SpcError } from '../../../compiler/errors.js';
import { assertEquivalent, build, countOps, f32, i64, int, randomF32 } from './build.js';
import { passSettings } from '../../../compiler/options/settings.js';

const fold = [fixpoint('fold', [inferShapesPass, foldConstants]), eliminateDeadCode];

describe('passes/fold-constants', () => {
  it('folds a Shape → Gather → Unsqueeze → Concat chain into a Reshape target', () => {
    const g = build({
      inputs: { x: ['float32', [2, 3, 4]] },
      consts: { zero: i64([0], []), axes: i64([0]), minus1: i64([-1]) },
      nodes: [
        ['Shape', ['x'], ['s']],
        ['Gather', ['s', 'zero'], ['n'], { axis: int(0) }],
        ['Unsqueeze', ['n', 'axes'], ['n1']],
        ['Concat', ['n1', 'minus1'], ['target'], { axis: int(0) }],
        ['Reshape', ['x', 'target'], ['y']],
      ],
      outputs: ['y'],
    });
    const out = runPipeline(g, fold, makePassContext(), { verify: true });
    assert.equal(printGraph(out), [
      'graph test (opset 13)',
      '  input %x:f32[2,3,4]',
      '  const %target:i64[2] = [2,-1]',
      '  %y:f32[2,12] = Reshape(%x, %target)',
      '  return %y',
      '',
    ].join('\n'));
    assertEquivalent(g, out);
  });

  it('folds arithmetic on constants, keeping the graph output name', () => {
    const g = build({
      inputs: { x: ['float32', [2, 2]] },
      consts: { a: f32([2, 2], [1, 2, 3, 4]), b: f32([2], [10, 20]) },
      nodes: [['Add', ['a', 'b'], ['c']], ['Mul', ['x', 'c'], ['y']], ['Relu', ['c'], ['k']]],
      outputs: ['y', 'k'],
    });
    const out = runPipeline(g, fold, makePassContext(), { verify: true });
    assert.equal(countOps(out, 'Add') + countOps(out, 'Relu'), 0);
    assert.deepEqual([...(out.values.get('c')!.constant!.data as Float32Array)], [11, 22, 13, 24]);
    assert.deepEqual([...(out.values.get('k')!.constant!.data as Float32Array)], [11, 22, 13, 24]);
    assertEquivalent(g, out);
  });

  it('leaves nodes with a non-constant input, and returns the same graph object', () => {
    const g = build({
      inputs: { x: ['float32', [4]] },
      consts: { a: f32([4], [1, 2, 3, 4]) },
      nodes: [['Add', ['x', 'a'], ['y']]],
      outputs: ['y'],
    });
    assert.equal(foldConstants.run(g, makePassContext()), g);
  });

  it('does not fold an output above the element limit, and says so', () => {
    const g = build({
      inputs: { x: ['float32', [64]] },
      consts: { a: randomF32([64], 1), b: randomF32([64], 2) },
      nodes: [['Add', ['a', 'b'], ['c']], ['Add', ['x', 'c'], ['y']]],
      outputs: ['y'],
    });
    const ctx = makePassContext({ ...passSettings(), foldMaxElements: 32 });
    assert.equal(foldConstants.run(g, ctx), g);
    assert.ok(ctx.notes.some((n) => n.node === 'n0' && /64 elements exceeds 32/.test(n.message)), JSON.stringify(ctx.notes));
    const folded = foldConstants.run(g, makePassContext());
    assert.equal(countOps(folded, 'Add'), 1);
    assertEquivalent(g, folded);
  });

  // c0 = a + a, c1 = c0 + a, c2 = c1 + a (64 floats = 256 bytes each), each also added to x.
  const chain = () => build({
    inputs: { x: ['float32', [64]] },
    consts: { a: randomF32([64], 3) },
    nodes: [
      ['Add', ['a', 'a'], ['c0']], ['Add', ['c0', 'a'], ['c1']], ['Add', ['c1', 'a'], ['c2']],
      ['Add', ['x', 'c0'], ['y0']], ['Add', ['y0', 'c1'], ['y1']], ['Add', ['y1', 'c2'], ['y']],
    ],
    outputs: ['y'],
  });

  it('stops folding at the folding budget, counting what earlier rounds folded: the rest runs at run time, and says so', () => {
    const g = chain();
    const ctx = makePassContext(passSettings({ foldMaxBytes: 600 }));
    const out = runPipeline(g, fold, ctx, { verify: true });
    // Two 256-byte folds fit in 600 bytes, the third would bring the folded constants to 768.
    assert.deepEqual(out.nodes.map((n) => `${n.op}(${n.inputs.join(',')})`), ['Add(c1,a)', 'Add(x,c0)', 'Add(y0,c1)', 'Add(y1,c2)']);
    assert.ok(out.values.get('c1')!.constant?.folded);
    assert.deepEqual(ctx.notes.filter((n) => n.pass === 'fold-constants').map((n) => `${n.node}: ${n.message}`),
      ['n2: not folded: its output (256 bytes) would bring the folded constants to 768 bytes, over the 600-byte folding budget']);
    assertEquivalent(g, out);
    // The default budget (128 MiB, or the model's own constants) folds all three.
    assert.equal(countOps(runPipeline(g, fold, makePassContext(), { verify: true }), 'Add'), 3);
  });

  it('charges every fold, with the constants the graph holds, to maxWeightBytes before allocating it: over it, an SpcError naming the node and the flag', () => {
    // a (256 bytes) + c0 + c1 = 768 bytes fit; c2 would bring them to 1024.
    const ctx = makePassContext(passSettings({ limits: { maxTensorElements: 2 ** 28, maxWeightBytes: 1000, maxArenaBytes: 2 ** 30, maxNodes: 100, maxValues: 100 } }));
    assert.throws(() => runPipeline(chain(), fold, ctx), (e: Error) => e instanceof SpcError && e.message ===
      "pass 'fold-constants': node 'n2' (Add): folding its output brings the constants to 1024 bytes, which exceeds the limit of 1000 bytes " +
      '(maxWeightBytes; raise it with --max-weight-bytes (compileFile option limits.maxWeightBytes))');
  });

  it('decodes a QDQ weight (DequantizeLinear of a constant int8, per axis) past the folding budget and element limit, as the model\'s own weight', () => {
    // W [4, 16] int8 per output row → 256 bytes of float32; a fold budget of 8 bytes and a fold limit of 8 elements.
    const q = Int8Array.from({ length: 64 }, (_, i) => ((i * 37) % 255) - 127);
    const g = build({
      inputs: { x: ['float32', [2, 16]] },
      consts: {
        wq: { dtype: 'int8', shape: [4, 16], data: q }, ws: f32([4], [0.5, 0.25, 0.125, 1]),
        wz: { dtype: 'int8', shape: [4], data: Int8Array.from([0, 1, -1, 3]) }, a: randomF32([4], 4),
      },
      nodes: [
        ['DequantizeLinear', ['wq', 'ws', 'wz'], ['w'], { axis: int(0) }],
        ['Transpose', ['w'], ['wt']], ['MatMul', ['x', 'wt'], ['h']],
        ['Add', ['a', 'a'], ['b']], ['Add', ['h', 'b'], ['y']],
      ],
      outputs: ['y'],
    });
    const out = runPipeline(g, fold, makePassContext({ ...passSettings({ foldMaxBytes: 8 }), foldMaxElements: 8 }), { verify: true });
    // Only the decoded weight folded: Transpose (256 bytes) and a + a (16 bytes) stay over the 8-byte budget.
    assert.deepEqual(out.nodes.map((n) => n.op), ['Transpose', 'MatMul', 'Add', 'Add']);
    const w = out.values.get('w')!.constant!;
    assert.equal(w.dtype, 'float32');
    assert.equal(w.folded, undefined);
    // Row r of W is (q − zp[r]) · scale[r] (hand-computed for two elements).
    const wd = w.data as Float32Array;
    assert.equal(wd[0], (q[0]! - 0) * 0.5);
    assert.equal(wd[17], (q[17]! - 1) * 0.25);
    assertEquivalent(g, out);
  });

  it('checks each fold against maxTensorElements too, leaving a larger output to run time', () => {
    const ctx = makePassContext(passSettings({ limits: { maxTensorElements: 63, maxWeightBytes: 2 ** 31, maxArenaBytes: 2 ** 30, maxNodes: 100, maxValues: 100 } }));
    const g = chain();
    assert.equal(foldConstants.run(g, ctx), g);
    assert.ok(ctx.notes.some((n) => n.node === 'n0' && n.message === 'not folded: output of 64 elements exceeds 63'), JSON.stringify(ctx.notes));
  });
});
