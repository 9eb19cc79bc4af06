// The browser sample's page logic: loads digits_cnn.spm with its generated dispatch module
// (bundled by build.ts; `spc-sample-model` is that module), turns a drawing or a test image into
// the model's 8×8 input, and shows the prediction, its latency and the kernels that ran.
// `window.spcSample` exposes the same predict() to the end-to-end test.

import { load } from 'spc-sample-model';
import { parseArtifact } from 'spc-runtime';
import type { Model } from 'spc-runtime';
import { downsample } from './downsample.js';

interface TestImage { readonly index: number; readonly label: number; readonly pixels: readonly number[] }
export interface Prediction { readonly digit: number; readonly logits: number[]; readonly ms: number }

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function showInput(input: Float32Array): void {
  const ctx = $<HTMLCanvasElement>('preview').getContext('2d')!;
  const img = ctx.createImageData(8, 8);
  input.forEach((v, i) => {
    const g = 255 - Math.round(v * 255);
    img.data.set([g, g, g, 255], i * 4);
  });
  ctx.putImageData(img, 0, 0);
}

function showPrediction(p: Prediction, label?: number): void {
  const digit = $('digit');
  digit.textContent = String(p.digit);
  digit.dataset.state = 'done';
  digit.dataset.logits = JSON.stringify(p.logits);
  $('latency').textContent = `${p.ms.toFixed(2)} ms per run${label === undefined ? '' : ` · label ${label}`}`;
  const max = Math.max(...p.logits);
  const exp = p.logits.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  $('probs').replaceChildren(...exp.map((e, d) => {
    const row = document.createElement('div');
    row.className = 'bar';
    const pct = (100 * e) / sum;
    row.innerHTML = `<span>${d}</span><i style="width:${(pct * 1.5).toFixed(1)}px"></i><span>${pct.toFixed(1)}%</span>`;
    return row;
  }));
}

async function main(): Promise<void> {
  const [bytes, tests] = await Promise.all([fetchBytes('digits_cnn.spm'), fetch('test-images.json').then((r) => r.json() as Promise<{ images: TestImage[] }>)]);
  const t0 = performance.now();
  const model: Model = await load(bytes);
  const loadMs = performance.now() - t0;
  const inputName = model.inputs[0].name, outputName = model.outputs[0].name;
  const logits = new Float32Array(10);

  async function predict(input: Float32Array): Promise<Prediction> {
    // A few runs, the median shown: one run is below the timer's resolution in some browsers.
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      await model.run({ [inputName]: input }, { outputs: { [outputName]: logits } });
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const out = Array.from(logits);
    return { digit: out.indexOf(Math.max(...out)), logits: out, ms: times[2] };
  }

  // Which kernels ran: the artifact's, each wasmsimd one in WebAssembly or as its js fallback.
  const artifact = parseArtifact(bytes);
  const nodes = artifact.nodes;
  const recipe = new Map(artifact.provenance.layers.map((l) => [l.node, l]));
  $('kernels').querySelector('tbody')!.replaceChildren(...nodes.map((n) => {
    const tr = document.createElement('tr');
    const l = recipe.get(n.name);
    const weights = !l ? '' : l.pattern === 'dense' ? 'dense' : `${l.pattern}, ${(100 * l.achieved).toFixed(0)}% zeros`;
    const where = n.kernel.endsWith('-wasmsimd') ? (model.wasmsimd ? (model.relaxedSimd ? 'WebAssembly relaxed SIMD' : 'WebAssembly SIMD') : 'js fallback (no SIMD)') : n.kernel.endsWith('-js') ? 'JavaScript' : 'JavaScript (reference)';
    for (const text of [n.name, n.op, weights, n.kernel, where]) tr.appendChild(document.createElement('td')).textContent = text;
    return tr;
  }));

  // Test images.
  const testsBox = $('tests');
  for (const im of tests.images) {
    const button = document.createElement('button');
    button.type = 'button';
    button.title = `test image ${im.index}, label ${im.label}`;
    button.dataset.index = String(im.index);
    const c = button.appendChild(document.createElement('canvas'));
    c.width = c.height = 8;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(8, 8);
    im.pixels.forEach((v, i) => { const g = 255 - Math.round((v / 16) * 255); img.data.set([g, g, g, 255], i * 4); });
    ctx.putImageData(img, 0, 0);
    button.addEventListener('click', async () => {
      const input = Float32Array.from(im.pixels, (v) => v / 16);
      showInput(input);
      showPrediction(await predict(input), im.label);
    });
    testsBox.appendChild(button);
  }

  // Drawing.
  const pad = $<HTMLCanvasElement>('pad');
  const pctx = pad.getContext('2d', { willReadFrequently: true })!;
  const clear = () => { pctx.fillStyle = '#fff'; pctx.fillRect(0, 0, pad.width, pad.height); };
  clear();
  pctx.lineCap = pctx.lineJoin = 'round';
  pctx.lineWidth = 18;
  pctx.strokeStyle = '#000';
  let drawing = false;
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    pad.setPointerCapture(e.pointerId);
    pctx.beginPath();
    pctx.moveTo(...at(e));
    pctx.lineTo(...at(e));
    pctx.stroke();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    pctx.lineTo(...at(e));
    pctx.stroke();
  });
  pad.addEventListener('pointerup', async () => {
    drawing = false;
    const rgba = pctx.getImageData(0, 0, pad.width, pad.height).data;
    const ink = new Uint8Array(pad.width * pad.height);
    for (let i = 0; i < ink.length; i++) ink[i] = 255 - rgba[i * 4];
    const { input } = downsample(ink, pad.width, pad.height);
    showInput(input);
    showPrediction(await predict(input));
  });
  $('clear').addEventListener('click', () => {
    clear();
    showInput(new Float32Array(64));
    $('digit').textContent = '–';
    $('digit').dataset.state = 'idle';
  });

  const simd = model.wasmsimd ? `WebAssembly SIMD on${model.relaxedSimd ? ' (relaxed SIMD: fused multiply-add)' : ''}` : 'WebAssembly SIMD unavailable: js kernels';
  $('status').textContent = `${model.name}.spm: ${bytes.length} bytes, loaded in ${loadMs.toFixed(1)} ms; ${nodes.length} nodes; ${simd}.`;
  (window as unknown as { spcSample: unknown }).spcSample = {
    predict: (pixels: readonly number[]) => predict(Float32Array.from(pixels)),
    kernels: nodes.map((n) => n.kernel),
    wasmsimd: model.wasmsimd,
    relaxedSimd: model.relaxedSimd,
  };
  document.body.dataset.ready = 'true';
}

main().catch((e: unknown) => {
  $('status').textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.ready = 'error';
});
