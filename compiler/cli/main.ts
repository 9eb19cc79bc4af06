// The `spc` command line: subcommands, exit codes (0 ok, 1 bad input, 2 usage) and error
// printing, one format for every error (cli/errors.ts). Each subcommand lives in its own file.

import { Command, CommanderError } from 'commander';
import { SPC_VERSION } from '../version.js';
import { compileCommand } from './compile-command.js';
import { evalCommand } from './eval-command.js';
import { benchCommand } from './bench-command.js';
import { inspectCommand } from './inspect-command.js';
import { runCommand } from './run-command.js';
import { tuneCommand } from './tune-command.js';
import { EXIT_CODES } from './docs.js';
import { printErr, printOut } from './print.js';
import { reportError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command('spc')
    .description('Sparse-model compiler: ONNX in, a packed .spm artifact and a small runtime out')
    .version(SPC_VERSION, '-V, --version')
    .exitOverride();
  program.addCommand(compileCommand());
  program.addCommand(inspectCommand());
  program.addCommand(runCommand());
  program.addCommand(evalCommand());
  program.addCommand(benchCommand());
  program.addCommand(tuneCommand());
  // Usage errors and help echo arguments: they are printed like everything else (print.ts).
  // commander's own error line is not printed: main() reports it in spc's format (cli/errors.ts).
  const output = { writeOut: printOut, writeErr: printErr, outputError: () => {} };
  program.configureOutput(output);
  for (const c of program.commands) c.exitOverride().configureOutput(output);
  program.addHelpText('after', `\nExit codes:\n${EXIT_CODES.map(([code, what]) => `  ${String(code).padStart(3)}  ${what.replace(/`/g, '')}`).join('\n')}\n\nReference (every option): docs/cli.md, in this repository and in the spc-compiler package`);
  return program;
}

let pipesGuarded = false;

/**
 * A reader that goes away early (`spc inspect x.spm | head -3`) closes the pipe: writes then fail
 * with EPIPE, emitted as an 'error' event that would otherwise crash the process with a stack
 * trace. Like other command-line tools, spc then stops printing and keeps its exit code.
 */
function ignoreClosedPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    });
  }
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  ignoreClosedPipes();
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    // --help and --version end through here with exit code 0.
    if (e instanceof CommanderError && e.exitCode === 0) return 0;
    return reportError(e, argv, program);
  }
}
