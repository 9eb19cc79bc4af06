// The hostile-name corpus: strings a crafted model can carry as a tensor, node or file name, each
// aimed at a place spc quotes model strings (generated TypeScript, HTML, the terminal). A payload
// that escapes its string or comment sets globalThis[INJECTED] when the generated module runs.

/** The global an injected payload sets (the test asserts it stays undefined). */
export const INJECTED = '__spcInjected';

// Type-clean under tsc --strict and free of single quotes (which the old literal escaper turned
// into \'), so a payload that escapes its comment compiles and runs, as in issue 14.
const payload = (tag: string): string => `Object.assign(globalThis, { ${INJECTED}: "${tag}" });`;

export interface HostileName {
  /** A short label for messages and file names (printable ASCII). */
  readonly label: string;
  readonly name: string;
}

export const HOSTILE_NAMES: readonly HostileName[] = [
  { label: 'u2028', name: `x\u2028${payload('u2028')}//` },
  { label: 'u2029', name: `x\u2029${payload('u2029')}//` },
  { label: 'lf', name: `x\n${payload('lf')}//` },
  { label: 'cr', name: `x\r${payload('cr')}//` },
  { label: 'crlf', name: `x\r\n${payload('crlf')}//` },
  // Without '/', so it is also the model's file name (the header comment quotes it).
  { label: 'lf-file', name: `x\n${payload('lf-file')}` },
  { label: 'close-block', name: `*/ ${payload('block')} /*` },
  { label: 'open-block', name: '/* x' },
  { label: 'single-quote', name: `x'; ${payload('single')} '` },
  { label: 'double-quote', name: `x"; ${payload('double')} "` },
  { label: 'template', name: `\`\${${payload('template')}}\`` },
  { label: 'backslash', name: 'x\\' },
  { label: 'escaped-u2028-text', name: 'x\\u2028\\n\\\'' },
  { label: 'nul', name: 'nul\u0000byte' },
  { label: 'lone-high', name: 'lone \ud800 high' },
  { label: 'lone-low', name: 'lone \udc00 low' },
  { label: 'controls', name: 'c \u0001\u0007\u0008\u000b\u000c\u007f\u0085\u009b end' },
  { label: 'esc', name: 'esc \u001b[31mred\u001b[0m \u001b]0;title\u0007 \u001b[2J' },
  { label: 'bidi', name: 'bidi \u202eevil\u202c \u2066iso\u2069 \u200f' },
  { label: 'bom', name: '\ufeffbom' },
  { label: 'html', name: `</script><script>${payload('html')}</script><img src=x onerror="${payload('attr')}">` },
  { label: 'long', name: `${'L'.repeat(20_000)}\u2028${payload('long')}//` },
  { label: 'unicode', name: 'größe_入力_🙂' },
];

/** Whether `name` can be a file's base name here (no '/', NUL or lone surrogate; ≤ 200 UTF-8 bytes). */
export function isFileName(name: string): boolean {
  return !/[/\u0000\ud800-\udfff]/u.test(name) && Buffer.byteLength(name) <= 200 && name !== '.' && name !== '..';
}
