// The generated per-model dispatch module: `spc compile` writes `<name>.dispatch.ts` beside the
// .spm. It imports the runtime's loader and binding step (`spc/runtime/dispatch`) and ONLY the
// kernel modules its model uses, checks that the artifact it is given has the layout it was
// generated for (kernel per node, in order, and runtime/executor/bind.ts layoutFingerprint),
// binds it exactly as the interpreter does, and runs the prepared closures unrolled: one
// statement per node, inputs and outputs at their static arena offsets. So its outputs equal
// the interpreter's bit for bit (test/compiler/emit/dispatch.test.ts).
//
// The source is built with ts-morph (the only place the compiler uses it; loaded on first use
// so that compiling without asking for the dispatch source does not pay for it): it builds and
// formats the skeleton, and its CodeBlockWriter writes the per-node lines spliced into it (so a
// 100k-node graph costs about a second, not a 100k-statement syntax tree). Deterministic: no
// timestamps, no absolute paths.

import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import type { Kernel } from '../../runtime/kernels/kernel.js';
import type { LoadedArtifact, LoadedTensor } from '../../runtime/loader/model.js';
import type { DType } from '../../runtime/tensor.js';
import { layoutFingerprint } from '../../runtime/executor/bind.js';
import { tsCommentText, tsStringLiteral as str } from '../escape.js';
import * as jsAdd from '../../runtime/kernels/js/add.js';
import * as jsAveragepool from '../../runtime/kernels/js/averagepool.js';
import * as jsConcat from '../../runtime/kernels/js/concat.js';
import * as jsBinary from '../../runtime/kernels/js/binary.js';
import * as jsConv from '../../runtime/kernels/js/conv.js';
import * as jsConvSparse from '../../runtime/kernels/js/conv-sparse.js';
import * as jsGemm from '../../runtime/kernels/js/gemm.js';
import * as jsGemmSparse from '../../runtime/kernels/js/gemm-sparse.js';
import * as jsGlobalaveragepool from '../../runtime/kernels/js/globalaveragepool.js';
import * as jsLayernormalization from '../../runtime/kernels/js/layernormalization.js';
import * as jsMatmul from '../../runtime/kernels/js/matmul.js';
import * as jsMatmulSparse from '../../runtime/kernels/js/matmul-sparse.js';
import * as jsMaxpool from '../../runtime/kernels/js/maxpool.js';
import * as jsRelu from '../../runtime/kernels/js/relu.js';
import * as jsReducemean from '../../runtime/kernels/js/reducemean.js';
import * as jsSlice from '../../runtime/kernels/js/slice.js';
import * as jsSoftmax from '../../runtime/kernels/js/softmax.js';
import * as jsTranspose from '../../runtime/kernels/js/transpose.js';
import * as refAdd from '../../runtime/kernels/ref/add.js';
import * as refAveragepool from '../../runtime/kernels/ref/averagepool.js';
import * as refBatchnormalization from '../../runtime/kernels/ref/batchnormalization.js';
import * as refCast from '../../runtime/kernels/ref/cast.js';
import * as refClip from '../../runtime/kernels/ref/clip.js';
import * as refConcat from '../../runtime/kernels/ref/concat.js';
import * as refConv from '../../runtime/kernels/ref/conv.js';
import * as refConvSparse from '../../runtime/kernels/ref/conv-sparse.js';
import * as refDiv from '../../runtime/kernels/ref/div.js';
import * as refEqual from '../../runtime/kernels/ref/equal.js';
import * as refErf from '../../runtime/kernels/ref/erf.js';
import * as refExp from '../../runtime/kernels/ref/exp.js';
import * as refExpand from '../../runtime/kernels/ref/expand.js';
import * as refFlatten from '../../runtime/kernels/ref/flatten.js';
import * as refGather from '../../runtime/kernels/ref/gather.js';
import * as refGelu from '../../runtime/kernels/ref/gelu.js';
import * as refGemm from '../../runtime/kernels/ref/gemm.js';
import * as refGemmSparse from '../../runtime/kernels/ref/gemm-sparse.js';
import * as refGlobalaveragepool from '../../runtime/kernels/ref/globalaveragepool.js';
import * as refGlobalmaxpool from '../../runtime/kernels/ref/globalmaxpool.js';
import * as refHardsigmoid from '../../runtime/kernels/ref/hardsigmoid.js';
import * as refHardswish from '../../runtime/kernels/ref/hardswish.js';
import * as refIdentity from '../../runtime/kernels/ref/identity.js';
import * as refLayernormalization from '../../runtime/kernels/ref/layernormalization.js';
import * as refLeakyrelu from '../../runtime/kernels/ref/leakyrelu.js';
import * as refMatmul from '../../runtime/kernels/ref/matmul.js';
import * as refMatmulSparse from '../../runtime/kernels/ref/matmul-sparse.js';
import * as refMaxpool from '../../runtime/kernels/ref/maxpool.js';
import * as refMul from '../../runtime/kernels/ref/mul.js';
import * as refPad from '../../runtime/kernels/ref/pad.js';
import * as refPow from '../../runtime/kernels/ref/pow.js';
import * as refReducemean from '../../runtime/kernels/ref/reducemean.js';
import * as refRelu from '../../runtime/kernels/ref/relu.js';
import * as refReshape from '../../runtime/kernels/ref/reshape.js';
import * as refShape from '../../runtime/kernels/ref/shape.js';
import * as refSigmoid from '../../runtime/kernels/ref/sigmoid.js';
import * as refSlice from '../../runtime/kernels/ref/slice.js';
import * as refSoftmax from '../../runtime/kernels/ref/softmax.js';
import * as refSplit from '../../runtime/kernels/ref/split.js';
import * as refSqrt from '../../runtime/kernels/ref/sqrt.js';
import * as refSqueeze from '../../runtime/kernels/ref/squeeze.js';
import * as refSub from '../../runtime/kernels/ref/sub.js';
import * as refTanh from '../../runtime/kernels/ref/tanh.js';
import * as refTranspose from '../../runtime/kernels/ref/transpose.js';
import * as refUnsqueeze from '../../runtime/kernels/ref/unsqueeze.js';
import * as refWhere from '../../runtime/kernels/ref/where.js';
import * as refConvTranspose from '../../runtime/kernels/ref/convtranspose.js';
import * as refResize from '../../runtime/kernels/ref/resize.js';
import * as wasmConv from '../../runtime/kernels/wasm/conv.js';
import * as wasmConvCsr from '../../runtime/kernels/wasm/conv-csr.js';
import * as wasmEltwise from '../../runtime/kernels/wasm/eltwise.js';
import * as wasmGemm from '../../runtime/kernels/wasm/gemm.js';
import * as wasmMatmul from '../../runtime/kernels/wasm/matmul.js';
import * as wasmConvRowblock from '../../runtime/kernels/wasm/conv-rowblock.js';
import * as wasmGemmRowblock from '../../runtime/kernels/wasm/gemm-rowblock.js';
import * as wasmMatmulRowblock from '../../runtime/kernels/wasm/matmul-rowblock.js';
import * as wasmMaxpool from '../../runtime/kernels/wasm/maxpool.js';

/**
 * Every kernel module, by path under runtime/kernels/ (without extension): the files
 * runtime/kernels/index.ts enumerates (a test checks the two lists agree).
 */
export const KERNEL_MODULES: readonly (readonly [string, Readonly<Record<string, unknown>>])[] = [
  ['js/add', jsAdd],
  ['js/averagepool', jsAveragepool],
  ['js/concat', jsConcat],
  ['js/binary', jsBinary],
  ['js/conv', jsConv],
  ['js/conv-sparse', jsConvSparse],
  ['js/gemm', jsGemm],
  ['js/gemm-sparse', jsGemmSparse],
  ['js/globalaveragepool', jsGlobalaveragepool],
  ['js/layernormalization', jsLayernormalization],
  ['js/matmul', jsMatmul],
  ['js/matmul-sparse', jsMatmulSparse],
  ['js/maxpool', jsMaxpool],
  ['js/relu', jsRelu],
  ['js/reducemean', jsReducemean],
  ['js/slice', jsSlice],
  ['js/softmax', jsSoftmax],
  ['js/transpose', jsTranspose],
  ['ref/add', refAdd],
  ['ref/averagepool', refAveragepool],
  ['ref/batchnormalization', refBatchnormalization],
  ['ref/cast', refCast],
  ['ref/clip', refClip],
  ['ref/concat', refConcat],
  ['ref/conv', refConv],
  ['ref/conv-sparse', refConvSparse],
  ['ref/div', refDiv],
  ['ref/equal', refEqual],
  ['ref/erf', refErf],
  ['ref/exp', refExp],
  ['ref/expand', refExpand],
  ['ref/flatten', refFlatten],
  ['ref/gather', refGather],
  ['ref/gelu', refGelu],
  ['ref/gemm', refGemm],
  ['ref/gemm-sparse', refGemmSparse],
  ['ref/globalaveragepool', refGlobalaveragepool],
  ['ref/globalmaxpool', refGlobalmaxpool],
  ['ref/hardsigmoid', refHardsigmoid],
  ['ref/hardswish', refHardswish],
  ['ref/identity', refIdentity],
  ['ref/layernormalization', refLayernormalization],
  ['ref/leakyrelu', refLeakyrelu],
  ['ref/matmul', refMatmul],
  ['ref/matmul-sparse', refMatmulSparse],
  ['ref/maxpool', refMaxpool],
  ['ref/mul', refMul],
  ['ref/pad', refPad],
  ['ref/pow', refPow],
  ['ref/reducemean', refReducemean],
  ['ref/relu', refRelu],
  ['ref/reshape', refReshape],
  ['ref/shape', refShape],
  ['ref/sigmoid', refSigmoid],
  ['ref/slice', refSlice],
  ['ref/softmax', refSoftmax],
  ['ref/split', refSplit],
  ['ref/sqrt', refSqrt],
  ['ref/squeeze', refSqueeze],
  ['ref/sub', refSub],
  ['ref/tanh', refTanh],
  ['ref/transpose', refTranspose],
  ['ref/unsqueeze', refUnsqueeze],
  ['ref/where', refWhere],
  ['ref/convtranspose', refConvTranspose],
  ['ref/resize', refResize],
  ['wasm/conv', wasmConv],
  ['wasm/conv-csr', wasmConvCsr],
  ['wasm/conv-rowblock', wasmConvRowblock],
  ['wasm/eltwise', wasmEltwise],
  ['wasm/gemm', wasmGemm],
  ['wasm/gemm-rowblock', wasmGemmRowblock],
  ['wasm/matmul', wasmMatmul],
  ['wasm/matmul-rowblock', wasmMatmulRowblock],
  ['wasm/maxpool', wasmMaxpool],
];

/** Where a kernel object is exported: its module (path under runtime/kernels/) and export name. */
export interface KernelSource {
  readonly module: string;
  /** The export: the kernel itself, or a list of kernels holding it. */
  readonly name: string;
  /** True when the export is a list (the module then picks the kernel by id). */
  readonly list: boolean;
}

const TARGET_DIR: Readonly<Record<Kernel['target'], string>> = { ref: 'ref/', js: 'js/', wasmsimd: 'wasm/' };

function isKernel(v: unknown): v is Kernel {
  return typeof v === 'object' && v !== null && typeof (v as Kernel).id === 'string' && typeof (v as Kernel).prepare === 'function';
}

let sources: Map<string, KernelSource> | undefined;

/**
 * Kernel id → where it is exported. A kernel exported from several modules (a wasm kernel's
 * file imports its js fallback's list, but does not re-export it) is taken from the folder of
 * its target, else the first module in path order; a single-kernel export wins over a list.
 */
export function kernelSources(): ReadonlyMap<string, KernelSource> {
  if (sources) return sources;
  const found = new Map<string, KernelSource>();
  const rank = (k: Kernel, s: KernelSource): number => (s.module.startsWith(TARGET_DIR[k.target]) ? 0 : 2) + (s.list ? 1 : 0);
  const offer = (k: Kernel, s: KernelSource): void => {
    const had = found.get(k.id);
    if (!had || rank(k, s) < rank(k, had)) found.set(k.id, s);
  };
  for (const [module, ns] of KERNEL_MODULES) {
    for (const name of Object.keys(ns).sort()) {
      const v = ns[name];
      if (isKernel(v)) offer(v, { module, name, list: false });
      else if (Array.isArray(v) && v.length > 0 && v.every(isKernel)) for (const k of v as Kernel[]) offer(k, { module, name, list: true });
    }
  }
  sources = found;
  return found;
}

/** Import specifiers of the generated module. */
export interface DispatchImports {
  /** The runtime's dispatch API (runtime/executor/dispatch.ts). */
  readonly api: string;
  /** The kernels folder: a kernel module is imported as `<kernels>/<path under runtime/kernels><extension>`. */
  readonly kernels: string;
  /** '' for package specifiers (the package exports add `.js`), '.js' for relative ones. */
  readonly extension: '' | '.js';
}

/** Package-relative specifiers: `spc/runtime/dispatch` and `spc/runtime/kernels/*` (package.json exports). */
export const PACKAGE_IMPORTS: DispatchImports = { api: 'spc/runtime/dispatch', kernels: 'spc/runtime/kernels', extension: '' };

export interface DispatchOptions {
  readonly imports?: DispatchImports;
}

/** The first line of every generated module (STYLE.md "Generated code"); `model` is escaped here. */
export function dispatchHeader(model: string): string {
  return `// @generated by spc (compiler/emit/dispatch.ts) from ${tsCommentText(model)}.spm — do not edit; regenerate with spc compile`;
}

const ARRAY_OF: Readonly<Record<DType, string>> = {
  float32: 'Float32Array', float64: 'Float64Array', int64: 'BigInt64Array', int32: 'Int32Array',
  int16: 'Int16Array', int8: 'Int8Array', uint8: 'Uint8Array', bool: 'Uint8Array', uint16: 'Uint16Array',
};


let morph: typeof TsMorph | undefined;
function tsMorph(): typeof TsMorph {
  morph ??= createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
  return morph;
}

/** The dispatch module of `a` (the artifact as the loader returns it, or a compile's contents). */
export function generateDispatch(a: LoadedArtifact, options: DispatchOptions = {}): string {
  const imports = options.imports ?? PACKAGE_IMPORTS;
  const { Project, QuoteKind, IndentationText, NewLineKind, VariableDeclarationKind } = tsMorph();
  const table = kernelSources();

  // Distinct kernels in first-use order, each with the local it is bound to.
  const kernelIds: string[] = [];
  for (const n of a.nodes) if (!kernelIds.includes(n.kernel)) kernelIds.push(n.kernel);
  const byModule = new Map<string, Set<string>>();
  const kernelLocal = new Map<string, { local: string; init: string }>();
  kernelIds.forEach((id, i) => {
    const src = table.get(id);
    if (!src) throw new Error(`dispatch: kernel '${id}' (node '${a.nodes.find((n) => n.kernel === id)!.name}') is exported by no kernel module`);
    let names = byModule.get(src.module);
    if (!names) byModule.set(src.module, (names = new Set()));
    names.add(src.name);
    // kernelById also for a single-kernel export: it checks the id at import time.
    kernelLocal.set(id, { local: `k${i}`, init: `kernelById(${src.name}, ${str(id)})` });
  });
  const usesWasm = kernelIds.some((id) => id.endsWith('-wasmsimd'));

  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { quoteKind: QuoteKind.Single, indentationText: IndentationText.TwoSpaces, newLineKind: NewLineKind.LineFeed },
  });
  const sf = project.createSourceFile('model.dispatch.ts', '', { overwrite: true });
  const header = [
    dispatchHeader(a.name),
    `// Runs ${tsCommentText(a.name)}.spm: ${a.nodes.length} nodes, ${kernelIds.length} distinct kernels, arena ${a.arenaBytes} bytes.`,
    '// load(bytes) checks the artifact has the layout this module was generated for, binds it as',
    '// the interpreter does (spc/runtime/dispatch) and runs the prepared kernels in node order.',
  ].join('\n');
  sf.addImportDeclaration({
    moduleSpecifier: imports.api,
    namedImports: ['bindArtifact', 'checkArtifact', 'copyFeeds', 'kernelById', 'makeRegistry', 'parseArtifact', 'readOutputs', 'RunError'],
  });
  sf.addImportDeclaration({
    moduleSpecifier: imports.api, isTypeOnly: true,
    namedImports: ['DispatchLoadOptions', 'Feed', 'Model', 'RunOptions', 'TensorView'],
  });
  for (const module of [...byModule.keys()].sort()) {
    sf.addImportDeclaration({ moduleSpecifier: `${imports.kernels}/${module}${imports.extension}`, namedImports: [...byModule.get(module)!].sort() });
  }
  if (usesWasm) sf.addImportDeclaration({ moduleSpecifier: `${imports.kernels}/wasm/env${imports.extension}`, namedImports: ['createWasmSpace'] });

  const constant = (name: string, initializer: string, doc?: string) => sf.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const, declarations: [{ name, initializer }],
    ...(doc ? { docs: [doc] } : {}),
  });
  constant('MODEL', str(a.name));
  constant('FINGERPRINT', str(layoutFingerprint(a)), 'runtime/executor/bind.ts layoutFingerprint of the artifact this module was generated from.');
  constant('NODE_KERNELS', KERNEL_LIST, 'The kernel of every node, in node order.');
  for (const id of kernelIds) constant(kernelLocal.get(id)!.local, kernelLocal.get(id)!.init);
  constant('REGISTRY', `makeRegistry([${kernelIds.map((id) => kernelLocal.get(id)!.local).join(', ')}])`);

  const viewOf = (ti: number, what: string): string => {
    const t: LoadedTensor = a.tensors[ti];
    if (t.kind === 'weight' || t.arenaOffset === undefined) return `b.views[${ti}]!.data; // ${what} ${tsCommentText(t.name)}: not in the arena`;
    let n = 1;
    for (const d of t.shape) n *= d;
    return `new ${ARRAY_OF[t.dtype]}(b.arena, b.base + ${t.arenaOffset}, ${n}); // ${what} ${str(t.name)} ${t.dtype}[${t.shape.join(',')}]`;
  };

  /** ' → arena @offset [shape], ...' for a node's outputs (what the binding gave its views). */
  const whereOutputs = (outs: readonly number[]): string => {
    const parts = outs.filter((o) => o >= 0).map((o) => {
      const t = a.tensors[o];
      return t.arenaOffset === undefined ? `${t.kind} [${t.shape.join(',')}]` : `arena @${t.arenaOffset} [${t.shape.join(',')}]`;
    });
    return parts.length > 0 ? ` → ${parts.join(', ')}` : '';
  };

  sf.addFunction({
    isExported: true, isAsync: true, name: 'load',
    docs: ['Loads the artifact this module was generated for; the same semantics as loadModel from spc/runtime.'],
    parameters: [
      { name: 'bytes', type: 'Uint8Array | ArrayBuffer' },
      { name: 'options', type: 'DispatchLoadOptions', initializer: '{}' },
    ],
    returnType: 'Promise<Model>',
    statements: (w) => {
      w.writeLine('const artifact = parseArtifact(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));');
      w.writeLine('checkArtifact(artifact, MODEL, NODE_KERNELS, FINGERPRINT);');
      if (usesWasm) w.writeLine('const b = await bindArtifact(artifact, REGISTRY, options.wasm === false ? undefined : createWasmSpace);');
      else {
        w.writeLine('void options; // no wasmsimd kernel: nothing to choose');
        w.writeLine('const b = await bindArtifact(artifact, REGISTRY);');
      }
      w.writeLine(`${BINDINGS};`);
      w.writeLine(`const inputViews = [${a.inputs.map((_, k) => `x${k}`).join(', ')}];`);
      w.writeLine(`const outputViews = [${a.outputs.map((_, k) => `y${k}`).join(', ')}];`);
      w.writeLine('let live = true;');
      w.write('return ').inlineBlock(() => {
        w.writeLine('name: artifact.name,');
        w.writeLine('inputs: b.inputs,');
        w.writeLine('outputs: b.outputs,');
        w.writeLine('provenance: artifact.provenance,');
        w.writeLine('wasmsimd: b.wasmsimd,');
        w.write('async run(feeds: Readonly<Record<string, Feed>>, runOptions?: RunOptions): Promise<Record<string, TensorView>> ').inlineBlock(() => {
          w.writeLine(`if (!live) throw new RunError('model was disposed');`);
          w.writeLine('copyFeeds(b.inputs, inputViews, feeds);');
          w.writeLine(`${STEPS};`);
          w.writeLine('return readOutputs(b.outputs, outputViews, runOptions?.outputs);');
        });
        w.write(',').newLine();
        w.write('dispose(): void ').inlineBlock(() => {
          w.writeLine('live = false;');
          w.writeLine('b.views.length = 0;');
          w.writeLine('b.steps.length = 0;');
        });
        w.write(',').newLine();
      });
      w.write(';');
    },
  });
  sf.formatText({ indentSize: 2, convertTabsToSpaces: true });

  // The per-node parts, written with ts-morph's CodeBlockWriter at the indentation the formatted
  // skeleton gives their placeholder (one line per node, already in the formatter's layout).
  const { CodeBlockWriter } = tsMorph();
  const lines = (write: (w: TsMorph.CodeBlockWriter) => void) => (indent: string): string => {
    const w = new CodeBlockWriter({ newLine: '\n', indentNumberOfSpaces: 2, useSingleQuote: true });
    write(w);
    const text = w.toString();
    return indent === '' ? text : text.replace(/^(?=.)/gm, indent);
  };
  const parts = new Map<string, (indent: string) => string>([
    [KERNEL_LIST, lines((w) => {
      w.write('[').newLine();
      for (const n of a.nodes) w.writeLine(`  ${str(n.kernel)},`);
      w.write(']');
    })],
    [BINDINGS, lines((w) => {
      a.nodes.forEach((_, i) => w.writeLine(`const s${i} = b.steps[${i}]!;`));
      a.inputs.forEach((ti, k) => w.writeLine(`const x${k} = ${viewOf(ti, 'input')}`));
      a.outputs.forEach((ti, k) => w.writeLine(`const y${k} = ${viewOf(ti, 'output')}`));
    })],
    [STEPS, lines((w) => {
      a.nodes.forEach((n, i) => w.writeLine(`s${i}(); // ${tsCommentText(n.name)}: ${tsCommentText(n.kernel)}${whereOutputs(n.outputs)}`));
    })],
  ]);
  return `${header}\n\n${fillPlaceholders(sf.getFullText(), parts)}`;
}

// Placeholders in the ts-morph skeleton for the parts that grow with the graph. Parsing and
// formatting one statement per node made ts-morph the largest cost of compiling a big graph
// (15 s of CPU and 10 s of garbage collection at 100k nodes); the skeleton stays small and the
// per-node lines are written as text in the layout the formatter gave them.
const KERNEL_LIST = '__spc_kernel_list__';
const BINDINGS = '__spc_bindings__';
const STEPS = '__spc_steps__';

/**
 * `text` with each placeholder replaced by its part. A placeholder is matched only where the
 * skeleton puts it, as a whole line: a statement (`name;`, its part indented as the line was) or
 * the NODE_KERNELS initializer; model strings reach the skeleton only escaped inside one-line
 * string literals, which never start a line, so they cannot fake one. Each must occur once.
 */
function fillPlaceholders(text: string, parts: ReadonlyMap<string, (indent: string) => string>): string {
  const found = new Set<string>();
  const out = text.replace(/^( *)(const NODE_KERNELS = )?(__spc_[a-z_]+__);\n/gm, (all, indent: string, declaration: string | undefined, name: string) => {
    const part = parts.get(name);
    if (!part || found.has(name)) return all;
    found.add(name);
    return declaration === undefined ? part(indent) : `${indent}${declaration}${part('')};\n`;
  });
  for (const name of parts.keys()) if (!found.has(name)) throw new Error(`dispatch: placeholder '${name}' missing from the generated skeleton`);
  return out;
}
