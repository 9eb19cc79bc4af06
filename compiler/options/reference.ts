// The options of the dense reference of a compile: the same model without pruning, with
// everything that makes it the same model as the artifact (pinned shapes, fixed input values,
// limits, kernel targets and profile). Read by the compile's dense artifact and by the CLI's references.

import type { CompileSettings, OptionValues } from './settings.js';
import { OPTION_ENTRIES } from './table.js';

/**
 * The reference's compile options from the compile's settings: those of the option table's
 * 'model' and 'kernels' groups that were given (pinned input shapes, fixed input values, limits,
 * external-data permissions, kernel targets and profile); nothing that prunes. The input values
 * matter most: an input that sets a shape (a Reshape's) leaves the reference without static
 * shapes unless fixed.
 */
export function referenceOptions(s: CompileSettings): OptionValues {
  const values = s as unknown as Readonly<Record<string, unknown>>;
  return Object.fromEntries(OPTION_ENTRIES
    .filter(([name, spec]) => (spec.group === 'model' || spec.group === 'kernels') && s.given.has(name))
    .map(([name]) => [name, values[name]]));
}
