// `spc compile --report`: the page renders in headless Chromium with no network request, holds
// one table row per layer and one SVG per figure, and its values are the compile JSON's.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { renderReport } from '../../../compiler/report/html.js';
import type { ReportInput } from '../../../compiler/report/html.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

interface PageFacts {
  rows: string[];
  cells: Record<string, string>[];
  figures: { id: string; svgs: number; width: number; height: number }[];
  bars: { figure: string; layer: string; series: string; value: number; width: number }[];
  accuracy: string;
  provenance: string;
}

/** Loads `file` in Chromium, screenshots it into `png`, and reads the facts the tests check; every request URL is returned. */
async function renderInChromium(browser: Browser, file: string, png: string): Promise<{ facts: PageFacts; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.screenshot({ path: png, fullPage: true });
    const facts = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: Document }).document;
      return {
        rows: Array.from(doc.querySelectorAll('#layers tbody tr')).map((tr) => tr.getAttribute('data-node') ?? ''),
        cells: Array.from(doc.querySelectorAll('#layers tbody tr')).map((tr) => {
          const head = Array.from(doc.querySelectorAll('#layers thead th')).map((th) => th.textContent ?? '');
          const tds = Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '');
          return Object.fromEntries(head.map((h, i) => [h, tds[i] ?? '']));
        }),
        figures: Array.from(doc.querySelectorAll('figure[data-figure]')).map((f) => {
          const svg = f.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return { id: f.getAttribute('data-figure') ?? '', svgs: f.querySelectorAll('svg').length, width: box?.width ?? 0, height: box?.height ?? 0 };
        }),
        bars: Array.from(doc.querySelectorAll('figure[data-figure] rect.bar')).map((r) => ({
          figure: r.closest('figure')!.getAttribute('data-figure') ?? '',
          layer: r.getAttribute('data-layer') ?? '',
          series: r.getAttribute('data-series') ?? '',
          value: Number(r.getAttribute('data-value')),
          width: r.getBoundingClientRect().width,
        })),
        accuracy: doc.querySelector('#accuracy')?.textContent ?? '',
        provenance: doc.querySelector('#provenance')?.textContent ?? '',
      };
    });
    return { facts, requests };
  } finally {
    await page.close();
  }
}

function assertPng(path: string): void {
  const png = readFileSync(path);
  assert.ok(png.length > 10_000, `screenshot ${path} is ${png.length} bytes`);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
}

const barValue = (f: PageFacts, figure: string, layer: string, series: string): number | undefined =>
  f.bars.find((b) => b.figure === figure && b.layer === layer && b.series === series)?.value;

describe('report: spc compile --report', function () {
  this.timeout(300_000);
  const work = tempDir('spc-report-');
  let browser: Browser;

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  after(async () => { await browser?.close(); });

  it('renders in Chromium offline, with one row per layer and values equal to the compile JSON', async () => {
    const out = join(work, 'mlp');
    const report = join(out, 'report.html');
    const r = spc('compile', join(DIGITS_DIR, 'digits_mlp.onnx'), '-o', out, '--sparsity', '0.9', '--report', report,
      '--eval-data', join(DIGITS_DIR, 'digits-test-x.npy'), '--eval-labels', join(DIGITS_DIR, 'digits-test-y.npy'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const html = readFileSync(report, 'utf8');
    // Self-contained: nothing the page could fetch, and no machine detail.
    assert.doesNotMatch(html, /<script|<link|@import|url\(|src=|href=/i);
    assert.ok(!html.includes(work), 'no absolute path in the report');

    const png = join(work, 'report.png');
    const { facts, requests } = await renderInChromium(browser, report, png);
    assertPng(png);
    assert.deepEqual(requests, [pathToFileURL(report).href], 'the page requests nothing but itself');

    const layers = json.layerReport as { node: string; kernel: string; achieved: number; requested: number; pattern: string; bytesBefore: number; bytesAfter: number }[];
    assert.deepEqual(facts.rows, layers.map((l) => l.node));
    assert.deepEqual(facts.figures.map((f) => f.id), ['sparsity', 'bytes', 'time'], 'no kept-magnitude figure without a permutation search');
    for (const f of facts.figures) {
      assert.equal(f.svgs, 1, `figure ${f.id} has one SVG`);
      assert.ok(f.width > 300 && f.height > 40, `figure ${f.id} is drawn (${f.width}×${f.height})`);
    }
    layers.forEach((l, i) => {
      const row = facts.cells[i]!;
      assert.deepEqual([row['#'], row['node'], row['bytes before'], row['bytes after'], row['kernel'], row['achieved']],
        [String(i + 1), l.node, String(l.bytesBefore), String(l.bytesAfter), l.kernel, `${(100 * l.achieved).toFixed(1)}%`]);
    });
    for (const l of layers) {
      assert.equal(barValue(facts, 'sparsity', l.node, 'achieved'), l.achieved);
      assert.equal(barValue(facts, 'sparsity', l.node, 'requested'), l.pattern === 'dense' ? undefined : l.requested);
      assert.equal(barValue(facts, 'bytes', l.node, 'before'), l.bytesBefore);
      assert.equal(barValue(facts, 'bytes', l.node, 'after'), l.bytesAfter);
    }
    const est = json.estimate as { layers: { node: string; ns: number; denseNs: number }[] };
    assert.equal(est.layers.length, layers.length);
    for (const e of est.layers) {
      assert.equal(barValue(facts, 'time', e.node, 'chosen kernel'), e.ns);
      assert.equal(barValue(facts, 'time', e.node, 'dense'), e.denseNs);
    }
    // Bars are drawn to scale: the largest bytes bar is the widest.
    const bytes = facts.bars.filter((b) => b.figure === 'bytes');
    const widest = bytes.reduce((a, b) => (b.width > a.width ? b : a));
    assert.equal(widest.value, Math.max(...bytes.map((b) => b.value)));
    const pruned = layers.find((l) => l.bytesAfter < l.bytesBefore / 2)!; // fc 256→64 runs CSR at 90%
    assert.ok(pruned, 'a layer stored in half its dense bytes');
    const prunedBytes = bytes.filter((b) => b.layer === pruned.node);
    assert.ok(prunedBytes.find((b) => b.series === 'after')!.width < prunedBytes.find((b) => b.series === 'before')!.width);
    // Accuracy as the JSON has it, and the provenance as the artifact records it.
    const acc = json.accuracy as { dense: { top1: number; correct: number }; compiled: { top1: number; correct: number }; rows: number };
    assert.equal(acc.rows, 500);
    assert.ok(facts.accuracy.includes(`${(100 * acc.dense.top1).toFixed(1)}% (${acc.dense.correct} of 500)`), facts.accuracy);
    assert.ok(facts.accuracy.includes(`${(100 * acc.compiled.top1).toFixed(1)}% (${acc.compiled.correct} of 500)`), facts.accuracy);
    const inspect = JSON.parse(spc('inspect', json.artifact, '--json').stdout);
    assert.ok(facts.provenance.includes(inspect.provenance.spcVersion));
    assert.ok(facts.provenance.includes(inspect.provenance.sourceSha256));
    for (const [k, v] of inspect.provenance.options as [string, string][]) assert.ok(facts.provenance.includes(`option ${k}${v}`), `${k}=${v}`);
  });

  it('is deterministic: the same compile writes the same bytes', () => {
    const a = join(work, 'det-a', 'r.html');
    const b = join(work, 'det-b', 'r.html');
    for (const [dir, rep] of [[join(work, 'det-a'), a], [join(work, 'det-b'), b]]) {
      const r = spc('compile', join(DIGITS_DIR, 'digits_cnn.onnx'), '-o', dir!, '--pattern', '2:4', '--report', rep!, '-q');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
    }
    assert.equal(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'));
  });

  it('draws kept magnitude with and without permutation when the layers carry it', async () => {
    const input: ReportInput = {
      model: 'perm', artifactBytes: 1000, artifactSha256: 'ab'.repeat(32), formatVersion: 1, spcVersion: '0.0.0', sourceSha256: 'cd'.repeat(32),
      options: [['pattern', '2:4']],
      layers: [
        { node: 'fc1', op: 'Gemm', pattern: '2:4', requested: 0.5, achieved: 0.5, paramsBefore: 64, paramsAfter: 32, bytesBefore: 256, bytesAfter: 160, storage: 'nm', kernel: 'k', group: 8, keptBefore: 0.71, keptAfter: 0.78 },
        { node: 'fc2', op: 'Gemm', pattern: 'dense', requested: 0, achieved: 0, paramsBefore: 64, paramsAfter: 64, bytesBefore: 256, bytesAfter: 256, storage: 'dense', kernel: 'k' },
      ],
      kernelReasons: new Map(),
      estimates: { layers: [], others: { nodes: 0, denseNodes: 0, ns: 0, denseNs: 0, fromPriors: 0 }, ns: 0, denseNs: 0, speedup: 1 },
      bought: { size: { bytes: 1000, denseBytes: 1096, ratio: 1000 / 1096, gzipBytes: 900, denseGzipBytes: 990, gzipRatio: 900 / 990 }, speed: { estimated: true, ns: 0, denseNs: 0, speedup: 1 }, idleLayers: [] },
    };
    const file = join(work, 'perm.html');
    writeFileSync(file, renderReport(input));
    const { facts, requests } = await renderInChromium(browser, file, join(work, 'perm.png'));
    assertPng(join(work, 'perm.png'));
    assert.equal(requests.length, 1);
    assert.deepEqual(facts.figures.map((f) => f.id), ['sparsity', 'bytes', 'time', 'kept']);
    assert.equal(barValue(facts, 'kept', 'fc1', 'without permutation'), 0.71);
    assert.equal(barValue(facts, 'kept', 'fc1', 'with permutation'), 0.78);
    assert.equal(barValue(facts, 'kept', 'fc2', 'with permutation'), undefined);
    assert.deepEqual(facts.rows, ['fc1', 'fc2']);
  });
});
