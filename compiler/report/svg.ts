// Horizontal grouped bar charts as inline SVG: one row per layer, one bar per series, values
// written on the bars' data attributes so a test can read them back. No fonts, scripts or
// external references; the same data gives the same bytes.

import { escapeHtml } from '../escape.js';

export interface Series {
  readonly name: string;
  /** A CSS colour (inline: the page loads nothing). */
  readonly color: string;
  /** One value per category; undefined draws no bar. */
  readonly values: readonly (number | undefined)[];
}

export interface BarChart {
  /** Names the figure (data-figure) and prefixes ids. */
  readonly id: string;
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  /** How a value is written beside its bar. */
  readonly format: (v: number) => string;
  /** Axis maximum (default: the largest value). */
  readonly max?: number;
}

const LABEL_W = 240;
const PLOT_W = 430;
const VALUE_W = 100;
const BAR_H = 12;
const ROW_GAP = 8;
const LEGEND_H = 22;

/** Long node names keep their end (where exported layer names differ) and a row number. */
const clip = (s: string, n: number): string => (s.length <= n ? s : `…${s.slice(s.length - (n - 1))}`);

export function renderBarChart(c: BarChart): string {
  const all = c.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const max = c.max ?? Math.max(0, ...all);
  const rowH = c.series.length * BAR_H + ROW_GAP;
  const height = LEGEND_H + c.categories.length * rowH + 4;
  const width = LABEL_W + PLOT_W + VALUE_W;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${c.id}-title" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  parts.push(`<title id="${c.id}-title">${escapeHtml(c.title)}</title>`);
  c.series.forEach((s, i) => {
    const x = LABEL_W + i * 150;
    parts.push(`<rect x="${x}" y="5" width="10" height="10" fill="${s.color}"/><text x="${x + 14}" y="14" class="legend">${escapeHtml(s.name)}</text>`);
  });
  parts.push(`<line x1="${LABEL_W}" y1="${LEGEND_H - 2}" x2="${LABEL_W}" y2="${height}" class="axis"/>`);
  c.categories.forEach((cat, r) => {
    const y0 = LEGEND_H + r * rowH;
    parts.push(`<text x="${LABEL_W - 6}" y="${y0 + (c.series.length * BAR_H) / 2 + 4}" text-anchor="end" class="label"><title>${escapeHtml(cat)}</title>${r + 1} ${escapeHtml(clip(cat, 36))}</text>`);
    c.series.forEach((s, i) => {
      const v = s.values[r];
      if (v === undefined || !Number.isFinite(v)) return;
      const w = max > 0 ? Math.max(0, (v / max) * PLOT_W) : 0;
      const y = y0 + i * BAR_H;
      parts.push(`<rect class="bar" data-layer="${escapeHtml(cat)}" data-series="${escapeHtml(s.name)}" data-value="${v}" x="${LABEL_W}" y="${y}" width="${w.toFixed(2)}" height="${BAR_H - 2}" fill="${s.color}"><title>${escapeHtml(`${cat} · ${s.name}: ${c.format(v)}`)}</title></rect>`);
      parts.push(`<text x="${(LABEL_W + w + 4).toFixed(2)}" y="${y + BAR_H - 3}" class="value">${escapeHtml(c.format(v))}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
