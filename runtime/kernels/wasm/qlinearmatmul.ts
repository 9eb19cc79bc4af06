// wasmsimd int8 MatMul: QLinearMatMul (requantized int8/uint8 output) and MatMulInteger (int32
// output), numpy matmul shapes (batch axes broadcast), zero points per tensor, per row of A or
// per column of B:
//
//   i8-qlinearmatmul-2x4-wasmsimd, i8-matmulinteger-2x4-wasmsimd, per batch, per run:
//     A[M][K] − a_zero_point → int16 rows, Bᵀ[N][K] − b_zero_point → int16 rows (i8pack; one B
//     shared by every batch is kept packed until its bytes change),
//     Y[M][N] = i8gemm's 2×4 dot tiles (rows of A × columns of B), requantized per column of Y.
//
// QLinearMatMul with a_scale per row of A is refused by `supports` (the multiplier would vary
// along both axes of a tile): the ref kernel runs it.

import type { NodeShapes } from '../kernel.js';
import { matMulIntegerRef, qLinearMatMulRef } from '../ref/qlinearmatmul.js';
import { planMatMul } from '../common/matmul-shape.js';
import type { I8Gemm, I8Pack } from './int8-gemm.js';
import { bytePointer, bytes16, fillRequant, gemmMode, int8Kernel, isInt8, padCols, padK } from './int8-gemm.js';

const NEEDS = 'an int8/uint8 MatMul whose a_scale is per tensor';

/** Input indices of A, its zero point, B and its zero point, per op. */
const LAYOUT = {
  QLinearMatMul: { a: 0, aZp: 2, b: 3, bZp: 5 },
  MatMulInteger: { a: 0, aZp: 2, b: 1, bZp: 3 },
} as const;

const count = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** M, K and N as numpy matmul promotes 1-D operands. */
function dims(a: readonly number[], b: readonly number[]): { m: number; k: number; n: number } {
  return { m: a.length === 1 ? 1 : a[a.length - 2]!, k: a[a.length - 1]!, n: b.length === 1 ? 1 : b[b.length - 1]! };
}

function supportsMatMul(op: keyof typeof LAYOUT) {
  const at = LAYOUT[op];
  return (node: NodeShapes): boolean => {
    const a = node.inputs[at.a], b = node.inputs[at.b], y = node.outputs[0];
    if (!a || !b || !y || !isInt8(a.dtype) || !isInt8(b.dtype) || b.packed || a.shape.length === 0 || b.shape.length === 0) return false;
    if (op === 'QLinearMatMul') return isInt8(y.dtype) && count(node.inputs[1]?.shape ?? []) === 1;
    return y.dtype === 'int32';
  };
}

function matMulInt8(op: keyof typeof LAYOUT) {
  const at = LAYOUT[op];
  const supports = supportsMatMul(op);
  return int8Kernel({
    op, ref: op === 'QLinearMatMul' ? qLinearMatMulRef : matMulIntegerRef, needs: NEEDS, supports,
    scratchBytes(node) {
      if (!supports(node)) return 0;
      const { m, k, n } = dims(node.inputs[at.a]!.shape, node.inputs[at.b]!.shape);
      return bytes16(m * padK(k) * 2) + bytes16(padCols(n) * padK(k) * 2) + 2 * bytes16(padCols(n) * 4);
    },
    prepare(c, env) {
      // The ref kernel has checked types, shapes, zero points and scales.
      const a = c.input(at.a), b = c.input(at.b), y = c.output(0);
      const aZp = c.ctx.inputs[at.aZp], bZp = c.ctx.inputs[at.bZp];
      const { m, k, n, aOffsets, bOffsets } = planMatMul(c, a, b, y);
      const kpad = padK(k), cols = padCols(n);
      const { mode, lo, hi } = gemmMode(y.dtype);
      const as = a.dtype === 'int8' ? 1 : 0, bs = b.dtype === 'int8' ? 1 : 0;
      const ap = bytePointer(c, env, a, 'input A'), bp = bytePointer(c, env, b, 'input B'), yp = bytePointer(c, env, y, 'output');
      const azp = aZp === undefined ? 0 : bytePointer(c, env, aZp, "A's zero point");
      const bzp = bZp === undefined ? 0 : bytePointer(c, env, bZp, "B's zero point");
      const azStep = aZp !== undefined && aZp.data.length > 1 ? 1 : 0, bzStep = bZp !== undefined && bZp.data.length > 1 ? 1 : 0;
      const aRows = env.scratch(bytes16(m * kpad * 2)), bRows = env.scratch(bytes16(cols * kpad * 2));
      const multP = env.scratch(bytes16(cols * 4)), zyP = env.scratch(bytes16(cols * 4));
      const mult = new Float32Array(env.memory.buffer, multP, cols), zy = new Int32Array(env.memory.buffer, zyP, cols);
      const pack = env.exports['i8pack'] as I8Pack, gemm = env.exports['i8gemm'] as I8Gemm;
      const eb = mode === 0 ? 4 : 1;
      const [aScale, bScale, yScale, yZp] = [c.ctx.inputs[1], c.ctx.inputs[4], c.ctx.inputs[6], c.ctx.inputs[7]];
      // One B for every batch: packed once at prepare when it and its zero point are weights
      // (ctx.constants), else at every run (a graph-input B); per batch when batches differ.
      const oneB = bOffsets.every((o) => o === bOffsets[0]);
      const packB = (): void => pack(bp + bOffsets[0]!, bs, bzp, bzStep, n, k, 1, n, kpad, bRows);
      const fixedB = oneB && c.isConstant(at.b) && (bZp === undefined || c.isConstant(at.bZp));
      if (fixedB) packB();
      return () => {
        // Scales and zero points are read at every run: any of them may be a graph input.
        if (mode !== 0) fillRequant(mult, zy, n, aScale!, bScale!, yScale!, yZp);
        if (oneB && !fixedB) packB();
        let packedA = -1, packedB = -1;
        for (let t = 0; t < aOffsets.length; t++) {
          const ao = aOffsets[t]!, bo = bOffsets[t]!;
          // A broadcast batch reads the same operand again: pack it once.
          if (ao !== packedA) { pack(ap + ao, as, azp, azStep, m, k, k, 1, kpad, aRows); packedA = ao; }
          if (!oneB && bo !== packedB) { pack(bp + bo, bs, bzp, bzStep, n, k, 1, n, kpad, bRows); packedB = bo; }
          gemm(aRows, bRows, m, n, kpad, yp + t * m * n * eb, n, mode, 0, multP, zyP, 1, lo, hi);
        }
      };
    },
  });
}

export const qLinearMatMulWasm = matMulInt8('QLinearMatMul');
export const matMulIntegerWasm = matMulInt8('MatMulInteger');
