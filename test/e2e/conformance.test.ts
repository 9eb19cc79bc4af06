// `npm run conformance` as a test: every ONNX backend node test of the corpus through compile → load →
// run → compare (a few seconds here), the acceptance bar, and docs/operators.md up to date.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, NODE_TESTS_DIR } from '../helpers/corpus.js';
import { GATED_SELECTIONS, compareTensor, listTests, passBar, runTest, sampleTests, shapeInputs } from '../../scripts/conformance/run.js';
import type { NodeTest, TestResult } from '../../scripts/conformance/run.js';
import { committedRegistrySection, renderOperatorsDoc, renderRegistrySection } from '../../scripts/conformance/doc.js';
import { OP_SUPPORT } from '../../compiler/frontend/opsets.js';
import { SUPPORTED_OPS } from '../../compiler/analysis/shapes.js';
import { ALL_KERNELS } from '../../runtime/kernels/index.js';

const DOC = join(REPO_ROOT, 'docs', 'operators.md');

describe('operators doc: the registry part', () => {
  it('lists every op the frontend imports, and only those', () => {
    const declared = new Set(Object.keys(OP_SUPPORT));
    for (const op of SUPPORTED_OPS) assert.ok(declared.has(op), `${op} is imported but has no entry in compiler/frontend/opsets.ts`);
    for (const op of declared) assert.ok(SUPPORTED_OPS.has(op) || op === 'Constant', `${op} is in opsets.ts but the frontend does not import it`);
  });

  it('every kernel op is a listed op', () => {
    for (const k of ALL_KERNELS) assert.ok(k.op in OP_SUPPORT, `kernel ${k.id} runs ${k.op}, which docs/operators.md does not list`);
  });

  it('the committed docs/operators.md has the current op table (regenerate: npm run conformance -- --write)', () => {
    assert.equal(committedRegistrySection(DOC), renderRegistrySection().join('\n') + '\n');
  });
});

describe('ONNX backend node tests through compile, load and run', function () {
  this.timeout(300_000);
  let tests: NodeTest[];
  let results: TestResult[];

  before(async () => {
    tests = listTests(NODE_TESTS_DIR);
    results = [];
    for (const t of tests) results.push(await runTest(NODE_TESTS_DIR, t));
  });

  it('runs every test index.json lists, and at least 95% of the gated selections pass', () => {
    const index = JSON.parse(readFileSync(join(NODE_TESTS_DIR, 'index.json'), 'utf8')) as { tests: unknown[] };
    assert.equal(results.length, index.tests.length);
    assert.ok(tests.every((t) => typeof t.selection === 'string'), 'every test names its selection');
    const gated = tests.filter((t) => GATED_SELECTIONS.has(t.selection));
    assert.ok(gated.length > 0, `no test of ${[...GATED_SELECTIONS].join(', ')} in index.json`);
    const bar = passBar(tests, results);
    assert.equal(bar.gated, gated.length);
    const gatedNames = new Set(gated.map((t) => t.test));
    const bad = results.filter((r) => gatedNames.has(r.test) && r.status !== 'pass').map((r) => `${r.test}: ${r.reason}`);
    assert.ok(bar.pass >= bar.needed, `${bar.pass} of ${bar.gated} gated tests pass:\n${bad.join('\n')}`);
  });

  it('nothing fails outright: every test passes or is refused at compile with a reason', () => {
    const failed = results.filter((r) => r.status === 'fail').map((r) => `${r.test}: ${r.reason}`);
    assert.deepEqual(failed, []);
  });

  it('the committed docs/operators.md matches these results (regenerate: npm run conformance -- --write)', () => {
    assert.equal(readFileSync(DOC, 'utf8'), renderOperatorsDoc(tests, results));
    for (const r of results) if (r.status !== 'pass') assert.ok(readFileSync(DOC, 'utf8').includes(`| ${r.test} |`), `${r.test} is not listed`);
  });

  it('the same tests pass with kernels restricted to js,ref and to ref alone', async () => {
    const passing = new Set(results.filter((r) => r.status === 'pass').map((r) => r.test));
    for (const targets of [['js', 'ref'], ['ref']] as const) {
      const bad: string[] = [];
      for (const t of tests) {
        if (!passing.has(t.test)) continue;
        const r = await runTest(NODE_TESTS_DIR, t, { targets });
        if (r.status !== 'pass') bad.push(`${targets.join(',')} ${r.test}: ${r.reason}`);
      }
      assert.deepEqual(bad, []);
    }
  });

  it('every op type in the corpus is covered', () => {
    const ops = new Set(tests.map((t) => t.op_type));
    assert.ok(ops.size >= 45, `only ${ops.size} op types`);
    // The deterministic sample (for slower machines) also covers every op type.
    const sample = sampleTests(tests, 1, 5);
    assert.deepEqual(new Set(sample.map((t) => t.op_type)), ops);
    assert.ok(sample.length >= 60);
  });
});

describe('conformance runner oracle', () => {
  it('a result off by more than the tolerance is reported with its index and values', () => {
    const exp = { name: '', dtype: 'float32' as const, shape: [3], data: new Float32Array([1, 100, -2]) };
    assert.equal(compareTensor({ dtype: 'float32', shape: [3], data: new Float32Array([1, 100.009, -2]) }, exp, 'y'), undefined);
    assert.match(compareTensor({ dtype: 'float32', shape: [3], data: new Float32Array([1, 100.02, -2]) }, exp, 'y') ?? '', /y: element 1 of \[3\] is 100\.0\d+, expected 100/);
    assert.match(compareTensor({ dtype: 'float32', shape: [1, 3], data: new Float32Array([1, 100, -2]) }, exp, 'y') ?? '', /shape \[1,3\], expected \[3\]/);
    const ints = { name: '', dtype: 'int64' as const, shape: [2], data: new BigInt64Array([1n, 2n]) };
    assert.match(compareTensor({ dtype: 'int64', shape: [2], data: new BigInt64Array([1n, 3n]) }, ints, 'y') ?? '', /element 1 of \[2\] is 3, expected 2/);
    assert.match(compareTensor({ dtype: 'int32', shape: [2], data: new Int32Array([1, 2]) }, ints, 'y') ?? '', /dtype int32, expected int64/);
  });

  it('fixes only inputs read as shape parameters', () => {
    assert.deepEqual([...shapeInputs(join(NODE_TESTS_DIR, 'test_reshape_negative_dim', 'model.onnx'))], ['shape']);
    assert.deepEqual([...shapeInputs(join(NODE_TESTS_DIR, 'test_add', 'model.onnx'))], []);
  });
});
