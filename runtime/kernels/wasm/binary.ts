// wasmsimd broadcasting float32 Add/Sub/Mul/Div (asm/binary.as) over js/binary.ts's row plan:
// the broadcast collapsed at prepare time into `rows` runs of `len` outputs whose operands are
// contiguous (stride 1) or one value (stride 0: scalar, per-channel [C,1,1] on [N,C,H,W]); the
// row offsets live in scratch, the loop over rows runs in WebAssembly. IEEE ops: bit-identical
// to the ref kernels. Without a WasmEnv each runs the js kernel of its op.
//
//   rowA ─▶ [ a row (len) or a[rowA[r]] splat ] ∘ [ b row or b[rowB[r]] splat ] ─▶ y[r·len .. +len)

import type { Kernel, NodeShapes } from '../kernel.js';
import { broadcastShape } from '../common/broadcast.js';
import { BINARY_JS_KERNELS, planRows } from '../js/binary.js';
import { f32Bytes, pointer, wasmKernel } from './common.js';
import { WASM_ACTIVATION } from './modules/activation.wasm.js';

type Rows = (y: number, a: number, b: number, rows: number, len: number, sa: number, sb: number, rowA: number, rowB: number) => void;

function supports(node: NodeShapes): boolean {
  const [a, b] = node.inputs;
  return a?.dtype === 'float32' && b?.dtype === 'float32' && broadcastShape([a.shape, b.shape]) !== undefined;
}

function binaryWasm(op: string, exportName: string): Kernel {
  const js = BINARY_JS_KERNELS.find((k) => k.op === op)!;
  return wasmKernel({
    modules: [WASM_ACTIVATION],
    tile: 'bcast', op, epilogue: '', needs: `a float32 ${op} of two inputs that broadcast`, js, supports,
    // Two i32 row-offset tables.
    scratchBytes: (node) => { const p = planRows(node.inputs[0]!.shape, node.inputs[1]!.shape); return p ? 2 * f32Bytes(p.plan.rows) : 0; },
    prepare(c, env) {
      const a = c.input(0, ['float32']), b = c.input(1, ['float32']), y = c.output(0, ['float32']);
      const planned = planRows(a.shape, b.shape);
      if (planned === undefined) c.fail(`shapes [${a.shape.join(',')}] and [${b.shape.join(',')}] do not broadcast`);
      c.shapeIs(y, planned!.shape, 'output');
      const { rows, len, sa, sb, rowA, rowB } = planned!.plan;
      const ap = pointer(c, env, a, 'input 0'), bp = pointer(c, env, b, 'input 1'), yp = pointer(c, env, y, 'output');
      const ra = env.scratch(f32Bytes(rows)), rb = env.scratch(f32Bytes(rows));
      new Int32Array(env.memory.buffer, ra, rows).set(rowA);
      new Int32Array(env.memory.buffer, rb, rows).set(rowB);
      const fn = env.exports[exportName] as Rows;
      return () => fn(yp, ap, bp, rows, len, sa, sb, ra, rb);
    },
  });
}

export const BINARY_WASM_KERNELS: readonly Kernel[] = [
  binaryWasm('Add', 'addRowsF32'), binaryWasm('Sub', 'subRowsF32'), binaryWasm('Mul', 'mulRowsF32'), binaryWasm('Div', 'divRowsF32'),
];
