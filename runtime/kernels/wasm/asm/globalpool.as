// globalAvgPoolF32: y[pl] = mean of plane pl (planes contiguous, `size` floats each), two v128
// accumulators (8 partial sums) per plane, then the scalar tail. GlobalAveragePool of CNN heads
// and of squeeze-excitation blocks.

export function globalAvgPoolF32(x: usize, y: usize, planes: i32, size: i32): void {
  const end = <usize>size << 2, inv = <f32>1.0 / <f32>size;
  for (let pl = 0; pl < planes; pl++) {
    const p = x + <usize>pl * end;
    let a = f32x4.splat(0), b = f32x4.splat(0);
    let i: usize = 0;
    for (; i + 32 <= end; i += 32) { a = f32x4.add(a, v128.load(p + i)); b = f32x4.add(b, v128.load(p + i, 16)); }
    for (; i + 16 <= end; i += 16) a = f32x4.add(a, v128.load(p + i));
    const s = f32x4.add(a, b);
    let t = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
    for (; i < end; i += 4) t += load<f32>(p + i);
    store<f32>(y + (<usize>pl << 2), t * inv);
  }
}
