// The kernel naming scheme holds for every entry of ALL_KERNELS, ids are unique and each id is
// the one kernelId writes from the kernel's declared fields (dtype, op, format, epilogue, tile,
// target), read here field by field against the scheme.

import { strict as assert } from 'node:assert';
import { ALL_KERNELS, defaultRegistry } from '../../../runtime/kernels/index.js';
import { KERNEL_ID_PATTERN, kernelId } from '../../../runtime/kernels/kernel.js';

describe('kernel ids', () => {
  it('match KERNEL_ID_PATTERN', () => {
    const bad = ALL_KERNELS.filter((k) => !KERNEL_ID_PATTERN.test(k.id)).map((k) => k.id);
    assert.deepEqual(bad, []);
  });

  it('are unique and the registry holds them all', () => {
    const ids = ALL_KERNELS.map((k) => k.id);
    assert.equal(new Set(ids).size, ids.length, `duplicates: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
    assert.equal(defaultRegistry().size, ids.length);
  });

  it('are written from the declared fields: <dtype>-<op><format>[-<epilogue>]-<tile>-<target>', () => {
    for (const k of ALL_KERNELS) {
      assert.equal(k.id, kernelId(k), `${k.id}: not the id of its fields`);
      const parts = k.id.split('-');
      assert.equal(parts[0], k.dtype, `${k.id}: dtype ${k.dtype}`);
      assert.equal(parts[parts.length - 2], k.tile, `${k.id}: tile ${k.tile}`);
      assert.equal(parts[1], k.op.toLowerCase() + (k.format && k.format !== 'dense' ? k.format : ''), `${k.id}: op ${k.op} format ${k.format ?? 'dense'}`);
      assert.equal(parts[parts.length - 1], k.target, `${k.id}: target ${k.target}`);
      assert.equal(parts.length === 5 ? parts[2] : '', k.epilogue, `${k.id}: epilogue '${k.epilogue}'`);
      if (k.target === 'ref') assert.equal(parts[parts.length - 2], '1x1', `${k.id}: ref kernels use tile 1x1`);
      if (k.rowBlock !== undefined) assert.ok(k.format === 'nm' || k.format === 'bsr', `${k.id}: a row-block tile reads nm or bsr`);
      // i8: the int8 kernels of the QOperator ops, which take int8 or uint8 operands alike.
      const only: Record<string, readonly string[]> = { f32: ['float32'], f64: ['float64'], i64: ['int64'], i32: ['int32'], i8: ['int8', 'uint8'], u8: ['uint8'], b8: ['bool'] };
      if (parts[0] !== 'any') assert.deepEqual(k.dtypes, only[parts[0]!], `${k.id}: ${parts[0]} kernels take ${only[parts[0]!]?.join(' or ')} only`);
      else assert.ok(k.dtypes === 'any' || k.dtypes.length > 1, `${k.id}: 'any' kernels are dtype-generic`);
    }
  });

  it('every js kernel has a ref kernel of the same op and epilogue', () => {
    for (const k of ALL_KERNELS.filter((x) => x.target !== 'ref')) {
      assert.ok(ALL_KERNELS.some((r) => r.target === 'ref' && r.op === k.op && r.epilogue === k.epilogue && (r.format ?? 'dense') === (k.format ?? 'dense')), k.id);
    }
  });
});
