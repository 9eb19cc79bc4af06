// The option table's flags on a commander command (so `--help` and docs/cli.md show them), and
// the flags commander parsed back into compile options, read and checked by options/settings.ts.

import type { Command } from 'commander';
import type { OptionName } from '../options/table.js';
import { OPTION_ENTRIES } from '../options/table.js';
import type { OptionValues } from '../options/settings.js';
import { collect } from './options.js';

/** commander's attribute name of a flag: '--input-shape <name=dims>' → inputShape, '--no-permute' → permute. */
function attributeOf(flag: string): string {
  const long = /--(?:no-)?([a-z0-9-]+)/.exec(flag)![1]!;
  return long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Adds the flags of the table's options `names` (all by default) to `cmd`, in table order. */
export function addOptionFlags(cmd: Command, names?: readonly OptionName[]): Command {
  for (const [name, spec] of OPTION_ENTRIES) {
    if (names !== undefined && !names.includes(name)) continue;
    for (const f of spec.flags ?? []) {
      if (f.repeatable) cmd.option(f.flag, f.help, collect);
      else if (f.default !== undefined) cmd.option(f.flag, f.help, f.default);
      else cmd.option(f.flag, f.help);
    }
  }
  return cmd;
}

/**
 * The compile options commander's parsed `flags` give, as text (the table's readers check them);
 * with `typed`, only the flags it accepts (by commander's attribute name: those typed on the
 * command line, or only the defaults).
 */
export function optionsFromFlags(flags: Readonly<Record<string, unknown>>, names?: readonly OptionName[], typed: (attribute: string) => boolean = () => true): OptionValues {
  const out: Record<string, unknown> = {};
  const value = (flag: string): unknown => (typed(attributeOf(flag)) ? flags[attributeOf(flag)] : undefined);
  for (const [name, spec] of OPTION_ENTRIES) {
    if (names !== undefined && !names.includes(name)) continue;
    const fs = spec.flags ?? [];
    if (fs.length === 0) continue;
    if (fs[0]!.field !== undefined) {
      // An option spread over several flags (limits): an object of the fields given.
      const fields = Object.fromEntries(fs.map((f) => [f.field!, value(f.flag)]).filter(([, v]) => v !== undefined));
      if (Object.keys(fields).length > 0) out[name] = fields;
    } else if (value(fs[0]!.flag) !== undefined) {
      out[name] = value(fs[0]!.flag);
    }
  }
  return out as OptionValues;
}

/** The long flag of option `name` (`--calib`), for messages. */
export function longFlagOf(name: OptionName): string {
  const f = OPTION_ENTRIES.find(([n]) => n === name)![1].flags?.[0]?.flag;
  return f === undefined ? name : /--[a-z0-9-]+/.exec(f)![0];
}
