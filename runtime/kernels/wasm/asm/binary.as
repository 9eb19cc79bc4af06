// wasmsimd broadcasting Add/Sub/Mul/Div over a row plan (js/binary.ts planRows): `rows` runs of
// `len` outputs, y[r·len + j] = a[rowA[r] + j·sa] ∘ b[rowB[r] + j·sb] with sa, sb ∈ {0, 1};
// rowA and rowB are i32 element offsets in memory. A stride-0 operand is splat once per row
// (scalar, per-channel), so every case runs 4 lanes per step. IEEE ops: bit-identical to ref.

@inline function op4(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  if (op == 2) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

@inline function op1(op: i32, a: f32, b: f32): f32 {
  if (op == 0) return a + b;
  if (op == 1) return a - b;
  if (op == 2) return a * b;
  return a / b;
}

@inline function rowsOf(op: i32, y: usize, a: usize, b: usize, rows: i32, len: i32, sa: i32, sb: i32, rowA: usize, rowB: usize): void {
  const end = <usize>len << 2;
  for (let r = 0; r < rows; r++) {
    const pa = a + (<usize>load<i32>(rowA + (<usize>r << 2)) << 2);
    const pb = b + (<usize>load<i32>(rowB + (<usize>r << 2)) << 2);
    const py = y + (<usize>r * end);
    let i: usize = 0;
    if (sa == 1 && sb == 1) {
      for (; i + 16 <= end; i += 16) v128.store(py + i, op4(op, v128.load(pa + i), v128.load(pb + i)));
      for (; i < end; i += 4) store<f32>(py + i, op1(op, load<f32>(pa + i), load<f32>(pb + i)));
    } else if (sa == 1) {
      const s = load<f32>(pb), vs = f32x4.splat(s);
      for (; i + 16 <= end; i += 16) v128.store(py + i, op4(op, v128.load(pa + i), vs));
      for (; i < end; i += 4) store<f32>(py + i, op1(op, load<f32>(pa + i), s));
    } else if (sb == 1) {
      const s = load<f32>(pa), vs = f32x4.splat(s);
      for (; i + 16 <= end; i += 16) v128.store(py + i, op4(op, vs, v128.load(pb + i)));
      for (; i < end; i += 4) store<f32>(py + i, op1(op, s, load<f32>(pb + i)));
    } else {
      const v = op1(op, load<f32>(pa), load<f32>(pb)), vv = f32x4.splat(v);
      for (; i + 16 <= end; i += 16) v128.store(py + i, vv);
      for (; i < end; i += 4) store<f32>(py + i, v);
    }
  }
}

export function addRowsF32(y: usize, a: usize, b: usize, rows: i32, len: i32, sa: i32, sb: i32, rowA: usize, rowB: usize): void { rowsOf(0, y, a, b, rows, len, sa, sb, rowA, rowB); }
export function subRowsF32(y: usize, a: usize, b: usize, rows: i32, len: i32, sa: i32, sb: i32, rowA: usize, rowB: usize): void { rowsOf(1, y, a, b, rows, len, sa, sb, rowA, rowB); }
export function mulRowsF32(y: usize, a: usize, b: usize, rows: i32, len: i32, sa: i32, sb: i32, rowA: usize, rowB: usize): void { rowsOf(2, y, a, b, rows, len, sa, sb, rowA, rowB); }
export function divRowsF32(y: usize, a: usize, b: usize, rows: i32, len: i32, sa: i32, sb: i32, rowA: usize, rowB: usize): void { rowsOf(3, y, a, b, rows, len, sa, sb, rowA, rowB); }
