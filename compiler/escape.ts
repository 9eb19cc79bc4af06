// The one escaping function per output target for strings that come from a model (tensor and
// node names, doc strings, the model's file name): generated TypeScript (a string literal, a
// comment), HTML, and the terminal. Tested on a hostile-name corpus (test/compiler/escape.test.ts).

/**
 * Code units that must never reach generated code or a terminal raw: C0 and C1 controls and DEL
 * (a terminal obeys ESC, CSI (U+009B), BEL, CR…), the line terminators JS and TS honour
 * (\n, \r, U+2028, U+2029: inside a `//` comment they end it, so what follows runs), bidirectional
 * overrides and isolates (they reorder what a reader sees, "Trojan Source"), the byte-order mark,
 * and surrogates that are not half of a pair (not representable in the UTF-8 a file is written in;
 * with the u flag a surrogate range matches only lone surrogates, never half of a pair).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]/gu;

/** `\uXXXX`: valid in a JS/TS string literal and in JSON, and readable on a terminal. */
const unicodeEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A single-quoted TypeScript string literal whose value is exactly `s`: quotes and backslashes
 * escaped, every unsafe code unit as `\uXXXX`, so the literal is one line of printable text
 * (backticks and `${` are plain characters in a single-quoted literal).
 */
export function tsStringLiteral(s: string): string {
  return `'${s.replace(/[\\']/g, '\\$&').replace(UNSAFE, unicodeEscape)}'`;
}

/**
 * `s` as text safe inside a `//` or a block comment: one line (every unsafe code unit as
 * `\uXXXX`) with no star-slash to close a block comment. Ordinary names read unchanged.
 */
export function tsCommentText(s: string): string {
  return s.replace(UNSAFE, unicodeEscape).replace(/\*\//g, '*\\/');
}

/** Text safe in HTML element content and in single- or double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Text safe to write to a terminal: every control character but \n and \t (and the other unsafe
 * code units above) as `\uXXXX`. Applied to everything the CLI prints (cli/print.ts); a JSON
 * document stays valid JSON with the same values, since `\uXXXX` is JSON's own escape and JSON
 * has no raw control characters outside strings. Idempotent: its output has nothing left to escape.
 */
export function terminalText(s: string): string {
  return s.replace(UNSAFE, (c) => (c === '\n' || c === '\t' ? c : unicodeEscape(c)));
}

/**
 * Text that must stay on one terminal line (a table cell, a line of a listing): as terminalText,
 * and \n and \t escaped too, so a name cannot start a forged line or break a column.
 */
export function terminalLine(s: string): string {
  return s.replace(UNSAFE, unicodeEscape);
}
