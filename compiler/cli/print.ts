// Everything the command line prints goes through here. Names, doc strings and file names come
// from untrusted models, so every control character but \n and \t reaches the terminal escaped
// (compiler/escape.ts terminalText): an ESC sequence in a node name cannot drive the terminal.

import { terminalText } from '../escape.js';

/** Writes `text` to stdout, control characters escaped. */
export function printOut(text: string): void {
  process.stdout.write(terminalText(text));
}

/** Writes `text` to stderr, control characters escaped. */
export function printErr(text: string): void {
  process.stderr.write(terminalText(text));
}
