// The options as the artifact's provenance records them, from the option table's `record`
// fields: sorted by key, and only those that shape the output.

import type { OptionValues } from './settings.js';
import type { CompileSettings } from './settings.js';
import { resolveOptions } from './settings.js';
import { OPTION_ENTRIES } from './table.js';

/** Options (or resolved settings) as recorded in the artifact's provenance. */
export function provenanceOptions(options: OptionValues | CompileSettings): [string, string][] {
  const s = resolveOptions(options);
  const values = s as unknown as Readonly<Record<string, unknown>>;
  const out: [string, string][] = [];
  for (const [name, spec] of OPTION_ENTRIES) {
    const r = spec.record;
    if (r === undefined) continue;
    const value = values[name];
    if ('entries' in r) {
      for (const [k, v] of r.entries(value, values)) out.push([k, v]);
    } else if (r.when === 'given' ? s.given.has(name) : value !== spec.fallback && value !== undefined) {
      out.push([r.key, r.text(value as never)]);
    }
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
