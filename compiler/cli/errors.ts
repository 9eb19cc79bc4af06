// How the CLI reports an error, one format for all: `spc: error: <message>` on stderr (a usage
// error adds one `spc: hint:` line), the exit code DESIGN.md sets, and under --json the same as
// {"error": {...}} on stdout, so a script reading stdout sees why it got nothing else.

import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { SpcError, UsageError } from '../errors.js';
import { BudgetError } from './compile-checks.js';
import { printErr, printErrLine, printOut } from './print.js';

/** The runtime's refusals of an artifact: bad input, like an SpcError. */
const REFUSALS = new Set(['ArtifactError', 'RunError', 'KernelError']);

export type ErrorKind = 'usage' | 'bad-input' | 'budget' | 'internal';

export interface ReportedError {
  readonly kind: ErrorKind;
  readonly exitCode: number;
  readonly message: string;
  readonly hint?: string;
}

/** The subcommand `argv` names, if any (for the hint). */
function subcommandOf(argv: readonly string[], program: Command): string | undefined {
  return program.commands.find((c) => argv.includes(c.name()))?.name();
}

/** commander's message ("error: unknown option '--x'\n(Did you mean --y?)") as one line in spc's words. */
function commanderMessage(e: CommanderError): string {
  const [first, ...rest] = e.message.replace(/^error: /, '').split('\n').filter((l) => l.trim() !== '');
  const suggestion = rest.join(' ').replace(/^\((.*)\)$/, '$1');
  return suggestion ? `${first} (${suggestion.charAt(0).toLowerCase()}${suggestion.slice(1)})` : first!;
}

/** What an error thrown by a command is: kind, exit code, message and, for usage errors, a hint. */
export function classifyError(e: unknown, argv: readonly string[], program: Command): ReportedError {
  const sub = subcommandOf(argv, program);
  const hint = `spc ${sub ?? ''}${sub ? ' ' : ''}--help lists the ${sub ? 'options' : 'commands'}`;
  if (e instanceof CommanderError) return { kind: 'usage', exitCode: 2, message: commanderMessage(e), hint };
  const err = e as Error;
  if (err instanceof UsageError) return { kind: 'usage', exitCode: 2, message: err.message, hint };
  if (err instanceof BudgetError) return { kind: 'budget', exitCode: 1, message: err.message };
  if (err instanceof SpcError || REFUSALS.has(err.name)) return { kind: 'bad-input', exitCode: 1, message: err.message };
  return { kind: 'internal', exitCode: 70, message: `internal error (a bug in spc: please report it with this stack): ${err.stack ?? err.message}` };
}

/** Prints `e` in the one format (and as JSON on stdout under --json) and returns the exit code. */
export function reportError(e: unknown, argv: readonly string[], program: Command): number {
  // `spc` alone: commander has printed the help (the list of commands) on stderr.
  if (e instanceof CommanderError && e.code === 'commander.help') return 2;
  const r = classifyError(e, argv, program);
  // One line, whatever names it quotes; a failed budget lists one budget a line and an internal
  // error its stack (each escaped where it is built or by printErr).
  if (r.kind === 'budget' || r.kind === 'internal') printErr(`spc: error: ${r.message}\n`);
  else printErrLine(`spc: error: ${r.message}`);
  if (r.hint !== undefined) printErrLine(`spc: hint: ${r.hint}`);
  // A failed budget's command has printed its JSON document (budgets with ok: false) already.
  if (argv.includes('--json') && r.kind !== 'budget') {
    printOut(JSON.stringify({ error: { kind: r.kind, exitCode: r.exitCode, message: r.message, ...(r.hint ? { hint: r.hint } : {}) } }, null, 2) + '\n');
  }
  return r.exitCode;
}
