// What `spc compile` measures beyond compiling: accuracy against the dense model on
// --eval-data/--eval-labels, the estimated speedup, the CI budgets and the HTML report. All of
// it runs before anything is written, so a failed budget leaves no artifact behind.

import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { CompileResult } from '../compile.js';
import type { CompileSettings } from '../options/settings.js';
import { readSamples } from '../calibrate/data.js';
import { artifactInputGraph } from '../eval/evaluate.js';
import { readLabels } from '../eval/labels.js';
import { SpcError, UsageError } from '../errors.js';
import type { AccuracyResult } from '../report/accuracy.js';
import { measureAccuracy } from '../report/accuracy.js';
import type { BudgetFlags, BudgetResult } from '../report/budgets.js';
import { checkBudgets, parseBudgets } from '../report/budgets.js';
import type { SpeedupEstimate } from '../report/estimates.js';
import { renderReport } from '../report/html.js';

export interface CheckFlags extends BudgetFlags { evalData?: string; evalLabels?: string; report?: string }

export interface Checks {
  readonly estimates: SpeedupEstimate;
  readonly accuracy?: AccuracyResult;
  readonly budgets: readonly BudgetResult[];
  /** The report page, when --report was given. */
  readonly html?: string;
}

/** A failed budget: exit 1, after the JSON summary (if asked) is printed. */
export class BudgetError extends SpcError {}

/** Usage checks that need no compile: run first so a bad flag costs nothing. */
export function validateCheckFlags(flags: CheckFlags): void {
  parseBudgets(flags);
  if ((flags.evalData === undefined) !== (flags.evalLabels === undefined)) {
    throw new UsageError('--eval-data and --eval-labels go together: samples (x.npy or a folder) and one integer class per sample (y.npy)');
  }
  if (flags.maxAccuracyDrop !== undefined && flags.evalData === undefined) {
    throw new UsageError('--max-accuracy-drop needs labelled samples: --eval-data x.npy --eval-labels y.npy (the test set; accuracy is compared with the dense model)');
  }
}

async function accuracyOf(result: CompileResult, settings: CompileSettings, flags: CheckFlags): Promise<AccuracyResult> {
  const inputs = artifactInputGraph(result.artifact);
  const samples = readSamples(flags.evalData!, inputs, { flag: '--eval-data' });
  const batch = Number(inputs.values.get(inputs.inputs[0]!)?.shape?.[0] ?? 1);
  const labels = readLabels(flags.evalLabels!, '--eval-labels');
  const need = samples.samples.length * batch;
  if (labels.length !== need) {
    throw new SpcError(`--eval-labels ${flags.evalLabels} holds ${labels.length} labels but --eval-data ${flags.evalData} gives ${samples.samples.length} samples${batch > 1 ? ` of batch ${batch} (${need} rows)` : ''}`);
  }
  // The reference is the same ONNX compiled without pruning (options/reference.ts: same shapes, input values, targets, profile).
  const denseBytes = settings.pattern !== undefined || settings.quantize !== undefined ? result.denseArtifact : result.artifact;
  return measureAccuracy(result.artifact, denseBytes, samples, labels);
}

/** `settings` are the compile's (what made `result`); when they prune or quantize, the dense reference is another compile. */
export async function runChecks(model: string, result: CompileResult, settings: CompileSettings, flags: CheckFlags): Promise<Checks> {
  const budgets = parseBudgets(flags);
  const estimates = result.estimate;
  const accuracy = flags.evalData !== undefined ? await accuracyOf(result, settings, flags) : undefined;
  const checked = checkBudgets(budgets, { artifactBytes: result.artifact.length, accuracy, speedup: estimates });
  const html = flags.report === undefined ? undefined : renderReport({
    model: basename(model, extname(model)),
    artifactBytes: result.artifact.length,
    artifactSha256: createHash('sha256').update(result.artifact).digest('hex'),
    formatVersion: result.contents.formatVersion,
    spcVersion: result.contents.provenance.spcVersion,
    sourceSha256: result.contents.provenance.sourceSha256,
    options: result.contents.provenance.options,
    layers: result.report,
    kernelReasons: new Map(result.graph.nodes.map((n) => [n.name, n.kernelReason ?? ''])),
    estimates, bought: result.bought, accuracy, budgets: checked,
  });
  return { estimates, accuracy, budgets: checked, html };
}
