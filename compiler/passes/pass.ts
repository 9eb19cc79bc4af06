// The pass contract (a pass is a value: name, summary, run), the context options reach passes
// through, and the rewrite-rule helper local rewrites are written with (rules indexed by op type).

import type { Graph, Node, Value } from '../ir/graph.js';
import { makeGraph } from '../ir/graph.js';
import type { KernelRegistry } from '../../runtime/kernels/kernel.js';
import type { PassSettings } from '../options/settings.js';
import { passSettings } from '../options/settings.js';

/**
 * What passes read of the compile's settings: the options, typed and checked once from the option
 * table (options/settings.ts), with the calibration data loaded; and fold-constants' pass knob.
 */
export type PassContextSettings = PassSettings & FoldKnobs;

/** fold-constants' limit, set by tests and tools that run the pass alone; not a compile option (--max-tensor-elements bounds it). */
export interface FoldKnobs {
  /** fold-constants leaves a node alone when an output would hold more elements than this (default 16M). */
  readonly foldMaxElements?: number;
}

/** A reportable fact a pass wants the user to see (a rewrite it skipped and why, a fold it made). */
export interface PassNote {
  readonly pass: string;
  readonly node?: string;
  readonly message: string;
}

export interface PassContext {
  /** Command-line flags reach passes only through these settings. */
  readonly settings: PassContextSettings;
  /** Kernels used to evaluate nodes at compile time (fold-constants); the default ref set if absent. */
  readonly registry?: KernelRegistry;
  /** Records a reportable fact. */
  log(note: PassNote): void;
  /**
   * What a pass found besides its graph (permute-channels' search per group, reorder-rows' block
   * fill), by pass name, for the caller to read after the pipeline; each pass module reads its own
   * entry back with a typed accessor. Absent: nobody asked.
   */
  readonly results?: Map<string, unknown>;
}

/** A context whose notes are kept in an array and whose passes' side results are kept, for the CLI report and for tests. */
export function makePassContext(settings: PassContextSettings = passSettings(), registry?: KernelRegistry): PassContext & { readonly notes: PassNote[]; readonly results: Map<string, unknown> } {
  const notes: PassNote[] = [];
  // A pass in a fixpoint group repeats its notes every round; keep each fact once.
  const seen = new Set<string>();
  return {
    settings, registry, notes, results: new Map(),
    log: (n) => {
      const key = `${n.pass}\u0000${n.node ?? ''}\u0000${n.message}`;
      if (!seen.has(key)) { seen.add(key); notes.push(n); }
    },
  };
}

/**
 * A graph-to-graph transformation. `run` must not mutate its input nor keep state between
 * calls, and returns `graph` itself (the same object) when it changed nothing.
 */
export interface Pass {
  /** kebab-case, equal to the file name. */
  readonly name: string;
  /** One line, shown by `--list-passes`. */
  readonly summary: string;
  /** Analyses (by name) the pass expects to be current in the IR, e.g. 'shapes'. */
  readonly requires?: readonly string[];
  /** Analyses the pass keeps valid; all others are stale after it runs. */
  readonly preserves?: readonly string[];
  run(graph: Graph, ctx: PassContext): Graph;
  /** Checks the pass's postconditions on its output; returns violations (the manager runs it under verify). */
  postcondition?(graph: Graph): readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Rewrite rules

/**
 * A local rewrite. `match` is pure and cheap (do the most selective checks first) and returns
 * whatever `rewrite` needs, or undefined; `rewrite` edits the graph through the editor.
 */
export interface RewriteRule<M = unknown> {
  readonly name: string;
  /** Op types this rule looks at. */
  readonly ops: readonly string[];
  match(node: Node, ed: GraphEditor, ctx: PassContext): M | undefined;
  rewrite(node: Node, m: M, ed: GraphEditor, ctx: PassContext): void;
}

/**
 * Runs a table of rules over the graph in one sweep, in node order; a node removed or
 * replaced by an earlier rule is seen in its new form. Returns `g` when no rule fired.
 */
export function applyRules(g: Graph, rules: readonly RewriteRule<any>[], ctx: PassContext): Graph {
  const byOp = new Map<string, RewriteRule<any>[]>();
  for (const r of rules) for (const op of r.ops) {
    const list = byOp.get(op) ?? [];
    list.push(r);
    byOp.set(op, list);
  }
  if (!g.nodes.some((n) => byOp.has(n.op))) return g;
  const ed = new GraphEditor(g);
  for (let i = 0; i < g.nodes.length; i++) {
    for (const rule of byOp.get(g.nodes[i]!.op) ?? []) {
      const node = ed.nodeAt(i);
      if (node === undefined || node.op !== g.nodes[i]!.op) break;
      const m = rule.match(node, ed, ctx);
      if (m !== undefined) rule.rewrite(node, m, ed, ctx);
    }
  }
  return ed.finish();
}

/**
 * A mutable working copy of a graph, with producer/consumer indexes, for passes to edit.
 * Node positions are fixed at construction: a removed node leaves a hole, and a replacement
 * keeps its slot, so topological order holds as long as a node only takes inputs from slots
 * before it.
 */
export class GraphEditor {
  private readonly nodes: (Node | undefined)[];
  private readonly values: Map<string, Value>;
  private outputs: string[];
  private readonly producerOf = new Map<string, number>();
  private readonly consumersOf = new Map<string, Set<number>>();
  private changed = false;

  constructor(readonly original: Graph) {
    this.nodes = [...original.nodes];
    this.values = new Map(original.values);
    this.outputs = [...original.outputs];
    original.nodes.forEach((n, i) => this.index(n, i));
  }

  get graphInputs(): readonly string[] { return this.original.inputs; }
  get graphOutputs(): readonly string[] { return this.outputs; }
  get opset(): number { return this.original.opset; }

  nodeAt(i: number): Node | undefined { return this.nodes[i]; }
  value(name: string): Value | undefined { return this.values.get(name); }
  /** The constant data of `name`, if it is a constant value. */
  constant(name: string): Value['constant'] { return name === '' ? undefined : this.values.get(name)?.constant; }
  isGraphInput(name: string): boolean { return this.original.inputs.includes(name); }
  isGraphOutput(name: string): boolean { return this.outputs.includes(name); }

  producer(name: string): Node | undefined {
    const i = this.producerOf.get(name);
    return i === undefined ? undefined : this.nodes[i];
  }

  consumers(name: string): Node[] {
    const out: Node[] = [];
    for (const i of this.consumersOf.get(name) ?? []) out.push(this.nodes[i]!);
    return out;
  }

  /** True when `name` is read by exactly one node, once, and is not a graph output. */
  hasSingleUse(name: string): boolean {
    if (this.isGraphOutput(name)) return false;
    const cs = this.consumers(name);
    return cs.length === 1 && cs[0]!.inputs.filter((x) => x === name).length === 1;
  }

  /** True when nothing reads `name` (no node, not a graph output). */
  isUnused(name: string): boolean {
    return name === '' || (!this.isGraphOutput(name) && (this.consumersOf.get(name)?.size ?? 0) === 0);
  }

  /** A value name not yet used in the graph, derived from `base`. */
  freshName(base: string): string {
    if (!this.values.has(base)) return base;
    for (let k = 1; ; k++) if (!this.values.has(`${base}_${k}`)) return `${base}_${k}`;
  }

  setValue(v: Value): void {
    this.values.set(v.name, v);
    this.changed = true;
  }

  removeValue(name: string): void {
    if (this.values.delete(name)) this.changed = true;
  }

  /** Replaces `old` (which must be in the graph) with `replacement` in the same slot. */
  replaceNode(old: Node, replacement: Node): void {
    const i = this.slotOf(old);
    this.unindex(old, i);
    this.nodes[i] = replacement;
    this.index(replacement, i);
    this.changed = true;
  }

  removeNode(node: Node): void {
    const i = this.slotOf(node);
    this.unindex(node, i);
    this.nodes[i] = undefined;
    this.changed = true;
  }

  /** Makes every node that reads `from` read `to` instead (graph outputs are not touched). */
  replaceUses(from: string, to: string): void {
    for (const i of [...(this.consumersOf.get(from) ?? [])]) {
      const n = this.nodes[i]!;
      this.replaceNode(n, { ...n, inputs: n.inputs.map((x) => (x === from ? to : x)) });
    }
  }

  /**
   * Folds `consumer` into `producer`: the consumer (and its secondary outputs) disappears, the
   * producer takes over the consumer's first output name with `change` applied, and the
   * producer's old output value is dropped. For fusions like BN folding and activation epilogues.
   */
  absorb(producer: Node, consumer: Node, change: Partial<Pick<Node, 'inputs' | 'attrs'>>): void {
    const oldOut = producer.outputs[0]!;
    this.removeNode(consumer);
    for (const o of consumer.outputs.slice(1)) if (o !== '') this.removeValue(o);
    this.replaceNode(producer, { ...producer, ...change, outputs: [consumer.outputs[0]!, ...producer.outputs.slice(1)] });
    this.removeValue(oldOut);
  }

  /** Renames a value everywhere: its producer, its consumers, the graph outputs. */
  renameValue(from: string, to: string): void {
    const v = this.values.get(from);
    const p = this.producer(from);
    if (p) this.replaceNode(p, { ...p, outputs: p.outputs.map((x) => (x === from ? to : x)) });
    this.replaceUses(from, to);
    this.outputs = this.outputs.map((x) => (x === from ? to : x));
    if (v) {
      this.values.delete(from);
      this.values.set(to, { ...v, name: to });
    }
    this.changed = true;
  }

  /** The edited graph, or the original object when nothing was edited. */
  finish(): Graph {
    if (!this.changed) return this.original;
    return makeGraph({
      name: this.original.name,
      opset: this.original.opset,
      inputs: this.original.inputs,
      outputs: this.outputs,
      values: this.values.values(),
      nodes: this.nodes.filter((n): n is Node => n !== undefined),
    });
  }

  private slotOf(node: Node): number {
    const i = this.nodes.indexOf(node);
    if (i < 0) throw new Error(`graph editor: node '${node.name}' (${node.op}) is not in the graph`);
    return i;
  }

  private index(n: Node, i: number): void {
    for (const o of n.outputs) if (o !== '') this.producerOf.set(o, i);
    for (const x of n.inputs) {
      if (x === '') continue;
      let s = this.consumersOf.get(x);
      if (!s) this.consumersOf.set(x, (s = new Set()));
      s.add(i);
    }
  }

  private unindex(n: Node, i: number): void {
    for (const o of n.outputs) if (this.producerOf.get(o) === i) this.producerOf.delete(o);
    for (const x of n.inputs) this.consumersOf.get(x)?.delete(i);
  }
}
