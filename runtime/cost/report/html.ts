// The HTML report: one self-contained file (inline CSS and SVG, no script, no network) with the tables and charts.
import { money } from './format.ts';
import type { CostReport } from './model.ts';
import { sections, type Table } from './sections.ts';
import { barChart, esc, lineChart, type Series } from './svg.ts';

const palette = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569'];

const css = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#111827;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
.meta{color:#6b7280;margin:0 0 16px}.total{font-size:28px;font-weight:600;margin:8px 0}
table{border-collapse:collapse;margin:8px 0 12px;font-variant-numeric:tabular-nums}
th,td{padding:4px 10px;border-bottom:1px solid #e5e7eb;text-align:left}td.r,th.r{text-align:right}
tfoot td{font-weight:600;border-bottom:none}tfoot tr:first-child td{border-top:2px solid #9ca3af}
.banner{padding:10px 14px;border-radius:6px;font-weight:600;margin:12px 0}.bad{background:#fee2e2;color:#991b1b}.good{background:#dcfce7;color:#166534}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
figure{margin:0;border:1px solid #e5e7eb;border-radius:6px;padding:8px}figcaption{font-weight:600;margin-bottom:4px}
svg.chart{max-width:100%;height:auto;font-size:11px}
svg .grid{stroke:#e5e7eb}svg .tick{fill:#4b5563}svg .axis{fill:#374151;font-size:12px}svg .legend{fill:#111827}svg .muted{fill:#9ca3af;font-size:14px}
ul.notes{color:#4b5563}
`;

function htmlTable(t: Table): string {
  const cls = (c: number) => (t.align[c] === 'r' ? ' class="r"' : '');
  const row = (r: string[], tag: 'td' | 'th') => `<tr>${r.map((c, i) => `<${tag}${cls(i)}>${esc(c)}</${tag}>`).join('')}</tr>`;
  const foot = t.foot && t.foot.length > 0 ? `<tfoot>${t.foot.map((r) => row(r, 'td')).join('')}</tfoot>` : '';
  return `<table><thead>${row(t.head, 'th')}</thead><tbody>${t.rows.map((r) => row(r, 'td')).join('')}</tbody>${foot}</table>`;
}

function seconds(x: number): string {
  return `${+(x / 1000).toFixed(1)} s`;
}

function charts(report: CostReport): string[] {
  const figures: string[] = [];
  const fig = (caption: string, svg: string) => `<figure><figcaption>${esc(caption)}</figcaption>${svg}</figure>`;
  const sim = report.simulation;
  let throughput: Series[] = [];
  if (sim && sim.samples.length > 0) {
    throughput = [
      { name: 'records/s put', color: palette[0]!, points: sim.samples.map((s) => [s.atMs, s.recordsPerSec]) },
      { name: 'throttled entries/s', color: palette[1]!, points: sim.samples.map((s) => [s.atMs, s.throttledPerSec]) },
    ];
  } else if (report.timeline && report.timeline.buckets.length > 0) {
    const per = report.timeline.bucketMs / 1000;
    throughput = [
      { name: 'records/s in', color: palette[0]!, points: report.timeline.buckets.map((b) => [b.atMs, b.recordsIn / per]) },
      { name: 'records/s read', color: palette[2]!, points: report.timeline.buckets.map((b) => [b.atMs, b.recordsOut / per]) },
      { name: 'throttled/s', color: palette[1]!, points: report.timeline.buckets.map((b) => [b.atMs, b.throttled / per]) },
    ];
  }
  figures.push(fig('Throughput over time', lineChart({ title: 'Throughput over time', xLabel: 'time', yLabel: 'per second', series: throughput, xFormat: seconds })));
  if (sim) {
    figures.push(
      fig(
        'Iterator age over time',
        lineChart({
          title: 'Iterator age over time',
          xLabel: 'time',
          yLabel: 'ms behind',
          series: [{ name: 'iterator age (max over mappings)', color: palette[3]!, points: sim.samples.map((s) => [s.atMs, s.iteratorAgeMs]) }],
          xFormat: seconds,
        }),
      ),
    );
  }
  const bars = report.bill.lines.map((l, i) => {
    const gross = (l.usage / l.pricePer) * l.unitPrice;
    return {
      label: l.description.length > 38 ? `${l.description.slice(0, 37)}…` : l.description,
      value: gross,
      text: l.freeQuantity > 0 ? `${money(l.amount)} (${money(gross)} before free tier)` : money(l.amount),
      color: palette[i % palette.length]!,
    };
  });
  figures.push(fig('Monthly cost breakdown', barChart({ title: 'Monthly cost breakdown', bars })));
  if (report.sweep && report.sweep.length > 0) {
    const pts = [...report.sweep].sort((a, b) => a.memorySizeMb - b.memorySizeMb);
    figures.push(
      fig(
        'Cost against memory',
        lineChart({
          title: 'Cost against memory',
          xLabel: 'memory (MB)',
          yLabel: 'USD per month',
          markers: true,
          series: [
            { name: 'total per month', color: palette[0]!, points: pts.map((p) => [p.memorySizeMb, p.totalMonthly]) },
            { name: 'Lambda per month', color: palette[2]!, points: pts.map((p) => [p.memorySizeMb, p.lambdaMonthly]) },
          ],
          right: { label: 'avg duration (ms)', series: [{ name: 'avg duration', color: palette[3]!, dashed: true, points: pts.map((p) => [p.memorySizeMb, p.avgDurationMs]) }] },
          xFormat: (x) => `${Math.round(x)}`,
        }),
      ),
    );
  }
  return figures;
}

export function renderHtml(report: CostReport): string {
  const body: string[] = [
    `<h1>${esc(report.title)}</h1>`,
    `<p class="meta">Generated ${esc(report.generatedAt)} · prices ${esc(report.bill.priceTable.name)} (${esc(report.bill.priceTable.sourceDate)}) · ${esc(report.bill.currency)}</p>`,
    `<div class="total">${esc(money(report.bill.totals.total))} <span class="meta">per month projected</span></div>`,
  ];
  if (report.budget) {
    const b = report.budget;
    body.push(`<div class="banner ${b.over ? 'bad' : 'good'}">${esc(b.over ? 'Over budget' : 'Within budget')}: ${esc(money(b.projected))} per month against ${esc(money(b.limit))}</div>`);
  }
  body.push(`<h2>Charts</h2><div class="charts">${charts(report).join('')}</div>`);
  for (const s of sections(report)) {
    if (s.title === 'Budget') continue;
    body.push(`<h2>${esc(s.title)}</h2>`);
    for (const t of s.tables) body.push(htmlTable(t));
    if (s.lines.length > 0) body.push(`<ul class="notes">${s.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(report.title)}</title><style>${css}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}
