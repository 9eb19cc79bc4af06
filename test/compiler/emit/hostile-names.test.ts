// The hostile-name corpus (test/helpers/hostile-names.ts) through `spc compile`: a tiny Gemm model
// whose input, output, initializer and node names (and, where the file system allows, file name)
// are each corpus entry. Every generated dispatch module type-checks under tsc --strict, has the
// same code as a benignly named model's module (only comments and string-literal values differ),
// and when run executes no injected payload and gives x·W under the exact names; the HTML report
// holds no tag or attribute a benign report does not.

import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { spc } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/files.js';
import { HOSTILE_NAMES, INJECTED, isFileName } from '../../helpers/hostile-names.js';
import type { HostileName } from '../../helpers/hostile-names.js';
import { writeLinearModel } from '../../helpers/onnx-models.js';
import { generatedDir, importDispatch, removeGeneratedDir } from '../../runtime/executor/load-generated.js';

const W = [[1, 2, 3], [4, 5, 6]];
const X = [0.5, -2];
/** x·W by hand. */
const Y = [0.5 * 1 - 2 * 4, 0.5 * 2 - 2 * 5, 0.5 * 3 - 2 * 6];

/** The names of one compiled case. */
const namesOf = (h: string) => ({ input: `i${h}`, output: `o${h}`, weight: `w${h}`, node: `n${h}` });

/**
 * A name as it arrives through the ONNX file: exactly, but for a lone surrogate, which UTF-8
 * cannot hold (protobufjs writes its 3-byte form, which decoding reads as three U+FFFD).
 */
const asStored = (s: string): string => s.replace(/[\ud800-\udfff]/gu, '\ufffd'.repeat(3));

interface Compiled { readonly label: string; readonly h: HostileName | undefined; readonly dispatch: string; readonly spm: string; readonly report: string }

/** Compiles the linear model named by `h` (benign names when undefined) with --report. */
function compileNamed(work: string, label: string, h: HostileName | undefined): Compiled {
  const dir = join(work, label);
  const file = h && isFileName(h.name) ? h.name : label;
  mkdirSync(dir, { recursive: true });
  const model = writeLinearModel(dir, file, W, h ? namesOf(h.name) : {});
  const out = join(dir, 'out');
  const report = join(dir, 'report.html');
  const r = spc('compile', model, '-o', out, '--targets', 'js,ref', '--report', report, '--json');
  assert.equal(r.code, 0, `${label}: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as { artifact: string; dispatch: string };
  assert.equal(json.artifact, join(out, `${file}.spm`), `${label}: --json names the artifact exactly`);
  return { label, h, dispatch: readFileSync(json.dispatch, 'utf8'), spm: json.artifact, report };
}

/** The module's tokens without comments, each string literal's value replaced by a placeholder. */
function codeTokens(source: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, /* skipTrivia */ true, ts.LanguageVariant.Standard, source);
  const out: string[] = [];
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    // A template or regex token would be code built from a name: keep its text so it differs.
    out.push(k === ts.SyntaxKind.StringLiteral ? '<string>' : `${k}:${scanner.getTokenText()}`);
  }
  return out;
}

/** Tag and attribute names of an HTML document (the report is generated, so a regex suffices). */
function markup(html: string): { tags: Set<string>; attributes: Set<string> } {
  const tags = new Set<string>(), attributes = new Set<string>();
  for (const m of html.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)([^>]*)>/g)) {
    tags.add(m[1]!.toLowerCase());
    for (const a of m[2]!.matchAll(/([^\s"'=/<>]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?/g)) attributes.add(a[1]!.toLowerCase());
  }
  return { tags, attributes };
}

describe('hostile names through spc compile: generated dispatch module and HTML report', function () {
  this.timeout(600_000);
  const work = tempDir('spc-hostile-names-');
  let benign: Compiled;
  const cases: Compiled[] = [];

  before(() => {
    benign = compileNamed(work, 'benign', undefined);
    for (const h of HOSTILE_NAMES) cases.push(compileNamed(work, h.label, h));
  });
  after(() => {
    removeGeneratedDir();
    rmSync(work, { recursive: true, force: true });
    delete (globalThis as Record<string, unknown>)[INJECTED];
  });

  it('every generated dispatch module type-checks under tsc --strict', () => {
    const dir = generatedDir();
    const files = [benign, ...cases].map((c) => {
      const file = join(dir, `${c.label}.dispatch.ts`);
      copyFileSync(`${c.spm.slice(0, -'.spm'.length)}.dispatch.ts`, file);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], skipLibCheck: true, types: [],
      noUncheckedIndexedAccess: true, noUnusedLocals: true,
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    assert.deepEqual(diags, []);
  });

  it('every module is the benign module\'s code: only comments and string-literal values differ', () => {
    const want = codeTokens(benign.dispatch).join('\n');
    assert.deepEqual(cases.filter((c) => codeTokens(c.dispatch).join('\n') !== want).map((c) => c.label), [], 'names whose module has code the benign one lacks');
  });

  it('run, every module executes no injected code and gives x·W under the exact names', async () => {
    const injected: string[] = [];
    for (const c of cases) {
      const names = namesOf(c.h!.name);
      const mod = await importDispatch(c.dispatch, c.label);
      const model = await mod.load(readFileSync(c.spm));
      assert.deepEqual(model.inputs.map((i) => i.name), [asStored(names.input)], `${c.label}: input name`);
      const out = await model.run({ [asStored(names.input)]: { data: new Float32Array(X), shape: [1, 2] } });
      assert.deepEqual(Object.keys(out), [asStored(names.output)], `${c.label}: output name`);
      assert.deepEqual([...out[asStored(names.output)]!.data], Y, `${c.label}: outputs`);
      model.dispose();
      const marker = (globalThis as Record<string, unknown>)[INJECTED];
      if (marker !== undefined) injected.push(`${c.label} (${String(marker)})`);
      delete (globalThis as Record<string, unknown>)[INJECTED];
    }
    assert.deepEqual(injected, [], 'modules that ran injected code');
  });

  it('the HTML report holds no tag or attribute that a benign report does not, and shows the names escaped', () => {
    const allowed = markup(readFileSync(benign.report, 'utf8'));
    for (const c of cases) {
      const html = readFileSync(c.report, 'utf8');
      const got = markup(html);
      assert.deepEqual([...got.tags].filter((t) => !allowed.tags.has(t)), [], `${c.label}: tags`);
      assert.deepEqual([...got.attributes].filter((a) => !allowed.attributes.has(a)), [], `${c.label}: attributes`);
      assert.doesNotMatch(html, /<script|<img|<link|@import|url\(/i, `${c.label}: report markup`);
    }
    const html = readFileSync(cases.find((c) => c.label === 'html')!.report, 'utf8');
    assert.ok(html.includes('n&lt;/script&gt;&lt;script&gt;Object.assign(globalThis, { __spcInjected: &quot;html&quot; });'), 'the node name shown, escaped');
  });
});
