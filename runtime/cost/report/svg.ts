// Small inline-SVG charts for the HTML report: no script, no network, drawn when the file is opened.

export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function tick(v: number): string {
  if (Math.abs(v) >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e3) return `${+(v / 1e3).toFixed(2)}k`;
  return `${+v.toFixed(2)}`;
}

const W = 640;
const H = 240;
const M = { l: 56, r: 56, t: 28, b: 36 };

function frame(title: string, body: string, label: string): string {
  return `<svg class="chart" role="img" aria-label="${esc(label)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${body}</svg>`;
}

function empty(title: string): string {
  return frame(title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="muted">no data</text>`, `${title}: no data`);
}

/** A line chart of one or two y-axes (series marked right go against the right axis). */
export function lineChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  right?: { label: string; series: readonly Series[] };
  xFormat?: (x: number) => string;
  markers?: boolean;
}): string {
  const all = [...options.series, ...(options.right?.series ?? [])];
  const pts = all.flatMap((s) => s.points);
  if (pts.length === 0) return empty(options.title);
  const xMin = Math.min(...pts.map((p) => p[0]));
  const xMax = Math.max(...pts.map((p) => p[0]));
  const xSpan = xMax > xMin ? xMax - xMin : 1;
  const yMaxL = niceMax(Math.max(0, ...options.series.flatMap((s) => s.points.map((p) => p[1]))));
  const yMaxR = niceMax(Math.max(0, ...(options.right?.series ?? []).flatMap((s) => s.points.map((p) => p[1]))));
  const iw = W - M.l - M.r;
  const ih = H - M.t - M.b;
  const sx = (x: number) => M.l + ((x - xMin) / xSpan) * iw;
  const sy = (y: number, max: number) => M.t + ih - (y / max) * ih;
  const fx = options.xFormat ?? tick;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = M.t + (ih * i) / 4;
    parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${M.l - 6}" y="${y + 4}" text-anchor="end" class="tick">${esc(tick(yMaxL * (1 - i / 4)))}</text>`);
    if (options.right) parts.push(`<text x="${W - M.r + 6}" y="${y + 4}" class="tick">${esc(tick(yMaxR * (1 - i / 4)))}</text>`);
    const xv = xMin + (xSpan * i) / 4;
    parts.push(`<text x="${sx(xv)}" y="${H - M.b + 16}" text-anchor="middle" class="tick">${esc(fx(xv))}</text>`);
  }
  parts.push(`<text x="${W / 2}" y="${H - 4}" text-anchor="middle" class="axis">${esc(options.xLabel)}</text>`);
  parts.push(`<text x="12" y="${M.t + ih / 2}" text-anchor="middle" transform="rotate(-90 12 ${M.t + ih / 2})" class="axis">${esc(options.yLabel)}</text>`);
  if (options.right) {
    parts.push(`<text x="${W - 10}" y="${M.t + ih / 2}" text-anchor="middle" transform="rotate(90 ${W - 10} ${M.t + ih / 2})" class="axis">${esc(options.right.label)}</text>`);
  }
  const draw = (s: Series, max: number) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1], max).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}><title>${esc(s.name)}</title></path>`);
    if (options.markers || s.points.length === 1) {
      for (const p of s.points) {
        parts.push(`<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1], max).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: ${fx(p[0])} → ${tick(p[1])}`)}</title></circle>`);
      }
    }
  };
  for (const s of options.series) draw(s, yMaxL);
  for (const s of options.right?.series ?? []) draw(s, yMaxR);
  all.forEach((s, i) => {
    const x = M.l + i * 170;
    parts.push(`<rect x="${x}" y="6" width="12" height="12" fill="${s.color}"/><text x="${x + 16}" y="16" class="legend">${esc(s.name)}</text>`);
  });
  return frame(options.title, parts.join(''), options.title);
}

/** Horizontal bars, one per labelled amount. */
export function barChart(options: { title: string; bars: readonly { label: string; value: number; text: string; color: string }[] }): string {
  const bars = options.bars.filter((b) => b.value > 0);
  if (bars.length === 0) return empty(options.title);
  const rowH = 26;
  const height = Math.max(80, M.t + bars.length * rowH + 12);
  const labelW = 250;
  const iw = W - labelW - 90;
  const max = Math.max(...bars.map((b) => b.value));
  const parts = bars.map((b, i) => {
    const y = M.t + i * rowH;
    const w = Math.max(1, (b.value / max) * iw);
    return (
      `<text x="${labelW - 8}" y="${y + 16}" text-anchor="end" class="tick">${esc(b.label)}</text>` +
      `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${b.color}"><title>${esc(`${b.label}: ${b.text}`)}</title></rect>` +
      `<text x="${labelW + w + 6}" y="${y + 16}" class="tick">${esc(b.text)}</text>`
    );
  });
  return `<svg class="chart" role="img" aria-label="${esc(options.title)}" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${esc(options.title)}</title>${parts.join('')}</svg>`;
}
