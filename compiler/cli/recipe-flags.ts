// Where `spc compile` takes its options from: the flags alone, a recipe file (--recipe) or an
// artifact's provenance (--recipe-from), flags typed on the command line overriding either; and
// the check that a replay gave the recorded provenance before anything is written.

import type { Command } from 'commander';
import type { LoadedArtifact } from '../../runtime/loader/model.js';
import { SpcError, UsageError } from '../errors.js';
import { provenanceDiff, readRecipe, replayProvenance } from '../options/recipe.js';
import type { OptionValues } from '../options/settings.js';
import { longFlagOf, optionsFromFlags } from './option-flags.js';
import { parseArtifactFile } from './read-file.js';

export interface RecipeFlags {
  recipe?: string;
  recipeFrom?: string;
  writeRecipe?: string;
}

/** What a replay must reproduce: the artifact's provenance. */
export type Replayed = { readonly artifact: string; readonly provenance: LoadedArtifact['provenance'] };

/**
 * The compile options of `cmd`'s parsed `flags`: with --recipe, commander's defaults, then the
 * recipe, then the flags typed (so a recipe behaves as its flags would); with --recipe-from, the
 * replayed provenance, then the flags typed (no defaults: the provenance says what was given).
 */
export function compileOptionsOf(cmd: Command, flags: RecipeFlags & Record<string, unknown>): { values: OptionValues; typed: OptionValues; replayed?: Replayed } {
  const typedHere = (attribute: string): boolean => cmd.getOptionValueSource(attribute) === 'cli';
  const typed = optionsFromFlags(flags, undefined, typedHere);
  if (flags.recipe !== undefined && flags.recipeFrom !== undefined) throw new UsageError('--recipe and --recipe-from: give one (a recipe file, or the artifact whose recipe to replay)');
  if (flags.writeRecipe !== undefined && (flags.recipe !== undefined || flags.recipeFrom !== undefined)) {
    throw new UsageError('--write-recipe writes the recipe of the flags given; with --recipe the recipe file already is one');
  }
  if (flags.recipe !== undefined) {
    const defaults = optionsFromFlags(flags, undefined, (a) => !typedHere(a));
    return { values: { ...defaults, ...readRecipe(flags.recipe), ...typed }, typed };
  }
  if (flags.recipeFrom !== undefined) {
    const path = flags.recipeFrom;
    const provenance = parseArtifactFile(path).provenance;
    const { values, files } = replayProvenance(provenance.options, path);
    // Files are recorded by name and digest only: the same file must be given again (checked after compiling).
    const missing = files.filter((f) => (typed as Record<string, unknown>)[f.option] === undefined);
    if (missing.length > 0) {
      throw new UsageError(`--recipe-from ${path}: compiled with ${missing.map((f) => `${longFlagOf(f.option)} ${f.record}`).join(', ')}; give the same file(s) again: ${[...new Set(missing.map((f) => `${longFlagOf(f.option)} <file>`))].join(' ')}`);
    }
    return { values: { ...values, ...typed }, typed, replayed: { artifact: path, provenance } };
  }
  return { values: optionsFromFlags(flags), typed };
}

/** Refuses (exit 1, nothing written) a replay whose provenance differs from the artifact's: another model, file or spc. */
export function checkReplay(replayed: Replayed, model: string, now: LoadedArtifact['provenance']): void {
  const was = replayed.provenance;
  const diffs = [
    ...(was.sourceSha256 !== now.sourceSha256 ? [`model sha256: ${was.sourceSha256.slice(0, 16)}… → ${now.sourceSha256.slice(0, 16)}… (${model} is not the model it was compiled from)`] : []),
    ...(was.spcVersion !== now.spcVersion ? [`spc version: ${was.spcVersion} → ${now.spcVersion}`] : []),
    ...provenanceDiff(was.options, now.options),
  ];
  if (diffs.length > 0) throw new SpcError(`--recipe-from ${replayed.artifact}: the compile would not reproduce it, nothing written: ${diffs.join('; ')}`);
}
