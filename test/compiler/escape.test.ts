// compiler/escape.ts on the hostile-name corpus: a TS string literal evaluates back to exactly the
// name and is one line of printable text; comment text cannot end its comment; HTML text decodes
// back to the name and holds no markup; terminal text holds no control character but \n and \t,
// keeps JSON valid with the same values, and leaves ordinary Unicode names as they are; a terminal
// line is that on one line.

import { strict as assert } from 'node:assert';
import ts from 'typescript';
import { escapeHtml, terminalLine, terminalText, tsCommentText, tsStringLiteral } from '../../compiler/escape.js';
import { HOSTILE_NAMES } from '../helpers/hostile-names.js';

/** Every name of the corpus, and a few ordinary ones. */
const NAMES = [...HOSTILE_NAMES.map((h) => h.name), 'conv1/weight:0', 'onnx::Gemm_12', 'größe_入力_🙂', ''];
const ORDINARY = ['conv1/weight:0', 'onnx::Gemm_12', 'größe_入力_🙂', 'layer.0.attention/MatMul'];

/** Code units that are not printable on one line of source or a terminal (the corpus's attack set). */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]/u;

/** The tokens of `source` (comments skipped). */
function tokens(source: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, source);
  const out: string[] = [];
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) out.push(scanner.getTokenText());
  return out;
}

const decodeHtml = (s: string): string => s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);

describe('escape: one escaping function per target, on the hostile-name corpus', () => {
  it('tsStringLiteral: one printable line that evaluates to exactly the name, lone surrogates included', () => {
    for (const name of NAMES) {
      const lit = tsStringLiteral(name);
      assert.doesNotMatch(lit, UNPRINTABLE, JSON.stringify(name));
      assert.deepEqual(tokens(`const a = ${lit};`), ['const', 'a', '=', lit, ';'], JSON.stringify(name));
      assert.equal((0, eval)(lit), name, `${JSON.stringify(name)}: the literal's value`);
    }
    assert.equal(tsStringLiteral('conv1/weight:0'), "'conv1/weight:0'");
  });

  it('tsCommentText: a // or /* */ comment holding it ends where it should', () => {
    for (const name of NAMES) {
      const text = tsCommentText(name);
      assert.doesNotMatch(text, UNPRINTABLE, JSON.stringify(name));
      assert.deepEqual(tokens(`// ${text}\nconst a = 1;`), ['const', 'a', '=', '1', ';'], `${JSON.stringify(name)} in a line comment`);
      assert.deepEqual(tokens(`/* ${text} */ const a = 1;`), ['const', 'a', '=', '1', ';'], `${JSON.stringify(name)} in a block comment`);
    }
    for (const name of ORDINARY) assert.equal(tsCommentText(name), name, 'ordinary names read unchanged');
  });

  it('escapeHtml: no markup character left, and it decodes back to the name', () => {
    for (const name of NAMES) {
      const html = escapeHtml(name);
      assert.doesNotMatch(html, /[<>"']/, JSON.stringify(name));
      assert.equal(decodeHtml(html), name);
    }
  });

  it('terminalText: no control character but \\n and \\t; JSON stays valid with the exact values; idempotent', () => {
    for (const name of NAMES) {
      const text = terminalText(name);
      assert.doesNotMatch(text.replace(/[\n\t]/g, ''), UNPRINTABLE, JSON.stringify(name));
      assert.equal(terminalText(text), text, 'idempotent');
      // JSON.stringify leaves C1 controls, U+2028/9 and bidi controls raw; the escaped document parses to the same value.
      const doc = JSON.stringify({ name, list: [name] }, null, 2);
      assert.deepEqual(JSON.parse(terminalText(doc)), { name, list: [name] }, JSON.stringify(name));
    }
    assert.equal(terminalText('esc \u001b[31m bel \u0007 cr \r csi \u009b'), 'esc \\u001b[31m bel \\u0007 cr \\u000d csi \\u009b');
    assert.equal(terminalText('a\tb\nc'), 'a\tb\nc');
    for (const name of ORDINARY) assert.equal(terminalText(name), name, 'ordinary names read unchanged');
  });

  it('terminalLine: one line (\\n and \\t escaped too), otherwise terminalText', () => {
    for (const name of NAMES) {
      const line = terminalLine(name);
      assert.doesNotMatch(line, UNPRINTABLE, JSON.stringify(name));
      assert.equal(terminalLine(line), line, 'idempotent');
      assert.equal(line, terminalText(name).replace(/\n/g, '\\u000a').replace(/\t/g, '\\u0009'));
    }
    for (const name of ORDINARY) assert.equal(terminalLine(name), name, 'ordinary names read unchanged');
  });
});
