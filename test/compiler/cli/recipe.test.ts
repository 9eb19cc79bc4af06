// Recipe files (issue 20 item 3, acceptance 4): flags, the recipe --write-recipe writes from them,
// and --recipe-from the artifact give byte-identical artifacts; bad recipes and replays that would
// differ are refused naming the file and key; the published schema is the option table's.

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { DIGITS_DIR, REPO_ROOT } from '../../helpers/corpus.js';
import { spc } from '../../helpers/cli.js';
import { RECIPE_SCHEMA_PATH, recipeJsonSchema, recipeSchemaText } from '../../../compiler/options/recipe-schema.js';
import { OPTION_ENTRIES } from '../../../compiler/options/table.js';

describe('cli: recipe files (--recipe, --write-recipe, --recipe-from)', function () {
  this.timeout(300_000);
  const cnn = join(DIGITS_DIR, 'digits_cnn.onnx');
  const calib = join(DIGITS_DIR, 'digits-calib-x.npy');
  let work: string;
  before(() => { work = mkdtempSync(join(tmpdir(), 'spc-recipe-')); });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('flags, the recipe written from them, and --recipe-from the artifact give three byte-identical artifacts', () => {
    const config = join(work, 'layers.json');
    writeFileSync(config, JSON.stringify({ layers: [{ match: '/conv2/*', sparsity: 0.6 }] }));
    // Options of every kind: a pattern, numbers, a choice, a file read by digest, a --config file, a pinned shape, a list.
    const flags = ['-p', 'unstructured', '-s', '0.8', '--method', 'wanda', '--calib', calib, '--calib-count', '16',
      '--config', config, '--input-shape', 'input=1x1x8x8', '--targets', 'js,ref'];
    const recipe = join(work, 'recipes', 'cnn.json');
    const a = spc('compile', cnn, '-o', join(work, 'a'), ...flags, '--write-recipe', recipe, '-q');
    assert.equal(a.code, 0, a.stderr);
    const written = JSON.parse(readFileSync(recipe, 'utf8')) as Record<string, unknown>;
    // Typed as the schema says, paths relative to the recipe's folder.
    assert.deepEqual(written, {
      $schema: written['$schema'], pattern: 'unstructured', sparsity: 0.8, config: '../layers.json', method: 'wanda',
      calib: relative(join(work, 'recipes'), calib), calibCount: 16,
      inputShapes: { input: [1, 1, 8, 8] }, targets: ['js', 'ref'],
    });
    const b = spc('compile', cnn, '-o', join(work, 'b'), '--recipe', recipe, '-q');
    assert.equal(b.code, 0, b.stderr);
    const c = spc('compile', cnn, '-o', join(work, 'c'), '--recipe-from', join(work, 'a', 'digits_cnn.spm'), '--calib', calib, '--calib-count', '16', '-q');
    assert.equal(c.code, 0, c.stderr);
    const bytes = ['a', 'b', 'c'].map((d) => readFileSync(join(work, d, 'digits_cnn.spm')));
    assert.ok(bytes[0]!.equals(bytes[1]!), '--recipe gives the flags\' artifact');
    assert.ok(bytes[0]!.equals(bytes[2]!), '--recipe-from gives the artifact it replays');
    // A flag typed beside --recipe overrides the recipe's value.
    const d = spc('compile', cnn, '-o', join(work, 'd'), '--recipe', recipe, '--sparsity', '0.5', '-q');
    assert.equal(d.code, 0, d.stderr);
    assert.ok(!readFileSync(join(work, 'd', 'digits_cnn.spm')).equals(bytes[0]!), 'a flag beside --recipe overrides it');
  });

  it('a written recipe\'s "$schema" resolves where the recipe is, as VS Code resolves it: a path starting with "." from its folder to the compiler\'s schema', () => {
    // A recipe outside the repository (the old bare 'schemas/recipe.schema.json' resolved only at its root).
    for (const recipe of [join(work, 'r.json'), join(work, 'elsewhere', 'deep', 'r.json')]) {
      const r = spc('compile', cnn, '-o', join(work, 'schema-ref'), '-p', '2:4', '--write-recipe', recipe, '-q');
      assert.equal(r.code, 0, r.stderr);
      const ref = (JSON.parse(readFileSync(recipe, 'utf8')) as { $schema: string }).$schema;
      assert.match(ref, /^\.\.?\//, `"$schema": ${ref} must start with "." for editors to resolve it against the file`);
      const schema = join(dirname(recipe), ...ref.split('/'));
      assert.ok(existsSync(schema), `"$schema": ${ref} from ${dirname(recipe)} names no file`);
      assert.deepEqual(readFileSync(schema, 'utf8'), readFileSync(join(REPO_ROOT, 'schemas', 'recipe.schema.json'), 'utf8'));
    }
  });

  it('--recipe-from refuses, writing nothing, when the file it names by digest is missing or the result would differ', () => {
    const spm = join(work, 'a', 'digits_cnn.spm');
    const missing = spc('compile', cnn, '-o', join(work, 'e'), '--recipe-from', spm);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^spc: error: --recipe-from .*digits_cnn\.spm: compiled with --calib digits-calib-x\.npy \(16 of 128 samples\) sha256:[0-9a-f]{16}; give the same file\(s\) again: --calib <file>\n/);
    const differs = spc('compile', cnn, '-o', join(work, 'e'), '--recipe-from', spm, '--calib', calib);
    assert.equal(differs.code, 1);
    assert.match(differs.stderr, /the compile would not reproduce it, nothing written: calib: digits-calib-x\.npy \(16 of 128 samples\)[^;]*→ digits-calib-x\.npy \(128 of 128 samples\)/);
    // Another model replaying digits_mlp's recipe: its options apply, its model digest differs.
    assert.equal(spc('compile', join(DIGITS_DIR, 'digits_mlp.onnx'), '-o', join(work, 'mlp'), '-p', '2:4', '-q').code, 0);
    const other = spc('compile', cnn, '-o', join(work, 'e'), '--recipe-from', join(work, 'mlp', 'digits_mlp.spm'));
    assert.equal(other.code, 1);
    assert.match(other.stderr, /model sha256: [0-9a-f]{16}… → [0-9a-f]{16}… \(.*digits_cnn\.onnx is not the model it was compiled from\)/);
    assert.equal(existsSync(join(work, 'e')), false, 'nothing written');
  });

  it('a recipe with an unknown key, a value of the wrong type or a bad config is refused naming the file and key (exit 1)', () => {
    const cases: [object, RegExp][] = [
      [{ sparsty: 0.5 }, /bad\.json: unknown option 'sparsty' \(did you mean 'sparsity'\?\)/],
      [{ pattern: '2:4', shareRows: '4' }, /bad\.json: shareRows: expected integer, got string/],
      [{ inputShapes: { input: 'x' } }, /--input-shape input: expected an array of whole numbers/],
      [{ pattern: '2:4', config: { layers: [{ match: 1 }] } }, /bad\.json: config: layers\[0\]/],
      [{ calib: 5 }, /bad\.json: calib: expected string, got integer/],
    ];
    for (const [recipe, message] of cases) {
      const path = join(work, 'bad.json');
      writeFileSync(path, JSON.stringify(recipe));
      const r = spc('compile', cnn, '-o', join(work, 'f'), '--recipe', path);
      assert.ok(r.code === 1 || r.code === 2, `${JSON.stringify(recipe)}: exit ${r.code} ${r.stderr}`);
      assert.match(r.stderr, message, JSON.stringify(recipe));
      assert.match(r.stderr, /^spc: error: /);
    }
    writeFileSync(join(work, 'bad.json'), '{ not json');
    const r = spc('compile', cnn, '-o', join(work, 'f'), '--recipe', join(work, 'bad.json'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.json: not valid JSON/);
    assert.equal(existsSync(join(work, 'f')), false, 'nothing written');
  });

  it('the published schema is generated from the option table (npm run gen:recipe-schema) and names every option', () => {
    assert.equal(readFileSync(join(REPO_ROOT, RECIPE_SCHEMA_PATH), 'utf8'), recipeSchemaText(), `${RECIPE_SCHEMA_PATH} is stale: run npm run gen:recipe-schema`);
    const props = (recipeJsonSchema() as { properties: Record<string, { description?: string }> }).properties;
    for (const [name] of OPTION_ENTRIES) assert.ok(props[name]?.description || name === 'limits', `${name} described in the schema`);
  });
});
