// Everything the command line prints goes through here. Names, doc strings and file names come
// from untrusted models, so every control character but \n and \t reaches the terminal escaped
// (compiler/escape.ts terminalText): an ESC sequence in a node name cannot drive the terminal.
// Messages are one line each (printErrLine); only a BudgetError lists several, one budget a line.

import { terminalLine, terminalText } from '../escape.js';

/** Writes `text` to stdout, control characters escaped. */
export function printOut(text: string): void {
  process.stdout.write(terminalText(text));
}

/**
 * Writes a one-line message (an error, a warning, a note) to stderr: its \n and \t are escaped
 * too (terminalLine), so a model string quoted in it cannot start a forged line.
 */
export function printErrLine(message: string): void {
  process.stderr.write(`${terminalLine(message)}\n`);
}

/** Writes `text` to stderr, control characters escaped. */
export function printErr(text: string): void {
  process.stderr.write(terminalText(text));
}
