// The generic interpreter: bind (executor/bind.ts: arena or WebAssembly memory, views, weights,
// scratch, every node's kernel prepared once), then run the closures in a loop. After load,
// run() allocates only the output arrays it hands back, and nothing when the caller passes
// arrays for every output (RunOptions.outputs).

import type { LoadedArtifact } from '../loader/model.js';
import type { KernelRegistry, RunFn } from '../kernels/kernel.js';
import type { WasmChoice, WasmSpace } from '../kernels/wasm/env.js';
import { wasmSpaces } from '../kernels/wasm/env.js';
import type { TensorView, TypedArray } from '../tensor.js';
import type { Binding, ExpansionStats, Feed, RunOptions, TensorInfo } from './bind.js';
import { bindArtifact, bindArtifactSync, copyFeeds, readOutputs, RunError } from './bind.js';
import { runProgram } from './branches.js';

/** The clock loadModel's binds time the storage codec with (the one bind clock: bindArtifact reads none of its own). */
const loadClock = (): number => (typeof performance === 'undefined' ? Date.now() : performance.now());

export type { Feed, RunOptions, TensorInfo } from './bind.js';
export { RunError } from './bind.js';

export class Interpreter {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  private readonly steps: RunFn[];
  private readonly inputViews: TypedArray[];
  private readonly outputViews: TypedArray[];
  private binding: Binding | null;
  /** True when wasmsimd kernels run in WebAssembly (false: none used, or they fell back to js). */
  readonly wasmsimd: boolean;
  /** True when they run the relaxed-SIMD kernel module. */
  readonly relaxedSimd: boolean;
  /** The packed weights binding expanded for dense kernels (the storage codec). */
  readonly expanded: ExpansionStats;

  /**
   * Loads with WebAssembly memory when the artifact uses wasmsimd kernels, `choice` allows it and
   * the engine runs SIMD (the relaxed-SIMD module where it can and `choice` allows); otherwise
   * with a plain arena, as the constructor does without a space.
   */
  static async create(a: LoadedArtifact, registry: KernelRegistry, choice: WasmChoice = {}): Promise<Interpreter> {
    return new Interpreter(await bindArtifact(a, registry, wasmSpaces(choice), loadClock));
  }

  /** From a binding, or binds `a` now (into `space` when given). */
  constructor(a: LoadedArtifact | Binding, registry?: KernelRegistry, space?: WasmSpace) {
    const b = isBinding(a) ? a : bindArtifactSync(a, registry ?? new Map(), space);
    this.binding = b;
    this.wasmsimd = b.wasmsimd;
    this.relaxedSimd = b.relaxedSimd;
    this.expanded = b.expanded;
    this.steps = b.steps;
    this.inputs = b.inputs;
    this.outputs = b.outputs;
    this.inputViews = b.artifact.inputs.map((ti) => b.views[ti].data);
    this.outputViews = b.artifact.outputs.map((ti) => b.views[ti].data);
  }

  /** The buffer the arena lives in (the same object for the model's lifetime); null once disposed. */
  get arena(): ArrayBufferLike | null {
    return this.binding?.arena ?? null;
  }

  /** Copies the feeds in, runs every node, returns the outputs (fresh copies, or the arrays in `options.outputs`). */
  run(feeds: Readonly<Record<string, Feed>>, options?: RunOptions): Record<string, TensorView> {
    if (!this.binding) throw new RunError('model was disposed');
    copyFeeds(this.inputs, this.inputViews, feeds);
    const { program, conds } = this.binding;
    if (program) runProgram(program, this.steps, conds!);
    else for (const step of this.steps) step();
    return readOutputs(this.outputs, this.outputViews, options?.outputs);
  }

  dispose(): void {
    if (this.binding) {
      this.binding.views.length = 0;
      this.binding.steps.length = 0;
    }
    this.binding = null;
    this.inputViews.length = 0;
    this.outputViews.length = 0;
  }
}

function isBinding(a: LoadedArtifact | Binding): a is Binding {
  return 'steps' in a && 'artifact' in a;
}
