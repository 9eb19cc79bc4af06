// `spc compile --list-passes`, `--print-ir-after <pass>` and `--timing`: the pipelines as
// pipelines.ts defines them, the IR after each pass (the last one equal to --print-ir's final IR),
// per-pass times on stderr, and an artifact byte-identical to a compile without them.

import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { compilePipeline } from '../../../compiler/passes/pipelines.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
/** Pass names in the order the compile runs them once (a fixpoint group's passes in their order). */
const ORDER = compilePipeline.flatMap((s) => ('kind' in s ? s.passes.map((p) => p.name) : [s.name]));

describe('cli: compile --list-passes, --print-ir-after, --timing', function () {
  this.timeout(120_000);
  const work = tempDir('spc-pass-observers-');
  after(() => rmSync(work, { recursive: true, force: true }));

  it('--list-passes prints every pass once, in pipeline order, without a model', () => {
    const r = spc('compile', '--list-passes');
    assert.equal(r.code, 0, r.stderr);
    const listed = r.stdout.split('\n').map((l) => /^ {2,4}([a-z-]+) {2,}\S/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
    assert.deepEqual(listed, ORDER);
    const none = spc('compile');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /compile: missing the model: spc compile <model\.onnx> \(or --list-passes\)/);
  });

  it('--print-ir-after all and --timing go to stderr; the artifact and dispatch module are unchanged', () => {
    const plain = join(work, 'plain'), observed = join(work, 'observed');
    const p = spc('compile', CNN, '-o', plain, '--pattern', '2:4', '--print-ir', '-q');
    assert.equal(p.code, 0, p.stderr);
    const o = spc('compile', CNN, '-o', observed, '--pattern', '2:4', '--print-ir-after', 'all', '--timing', '-q');
    assert.equal(o.code, 0, o.stderr);
    assert.equal(o.stdout, '');
    for (const f of ['digits_cnn.spm', 'digits_cnn.dispatch.ts']) assert.deepEqual(readFileSync(join(observed, f)), readFileSync(join(plain, f)), f);

    const dumps = o.stderr.split(/^\/\/ ----- IR after /m).slice(1);
    const after = dumps.map((d) => /^([a-z-]+)/.exec(d)![1]);
    // Every pass dumped in run order (a fixpoint group may run its passes more than once, and a
    // pass may sit in two pipelines: fuse-qdq, eliminate-dead-code), timed under its name once.
    const once = [...new Set(ORDER)];
    assert.deepEqual([...new Set(after)], once);
    assert.equal(after.at(-1), 'schedule-branches');
    // The IR after the last pass is the final IR, as --print-ir prints it on stdout.
    const last = dumps.at(-1)!.slice(dumps.at(-1)!.indexOf('\n') + 1).split('\nspc: pass timing')[0]!;
    const finalIr = p.stdout.slice(p.stdout.indexOf('graph digits_cnn'));
    assert.equal(last.trimEnd(), finalIr.trimEnd());

    const timing = o.stderr.slice(o.stderr.indexOf('spc: pass timing'));
    const rows = timing.split('\n').slice(2).map((l) => /^ {2}(\S+) +([\d.]+) +([\d.]+) +(\d+)$/.exec(l)).filter((m) => m !== null);
    assert.deepEqual(rows.map((m) => m![1]), [...once, 'total']);
    const runs = rows.slice(0, -1).reduce((s, m) => s + Number(m![4]), 0);
    assert.equal(Number(rows.at(-1)![4]), runs);
    assert.equal(runs, after.length, 'one timed run per dumped pass run');
  });

  it('--print-ir-after names one pass; an unknown pass is a usage error naming the passes', () => {
    const r = spc('compile', CNN, '-o', join(work, 'one'), '--print-ir-after', 'fuse-activation', '-q');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stderr.match(/^\/\/ ----- IR after .*$/gm), ['// ----- IR after fuse-activation -----']);
    // Fused: the Relu nodes are gone, their convs carry the epilogue.
    assert.doesNotMatch(r.stderr, /= Relu\(/);
    assert.match(r.stderr, /= Conv\(.*spc_activation="relu"/);
    const bad = spc('compile', CNN, '-o', join(work, 'bad'), '--print-ir-after', 'fuse-everything');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--print-ir-after: no pass named 'fuse-everything'; passes: infer-shapes, .*schedule-branches \(or all; spc compile --list-passes\)/);
  });
});
