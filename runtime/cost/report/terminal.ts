// The terminal rendering: aligned tables, coloured when the caller says so (colorAllowed).
import type { CostReport } from './model.ts';
import { sections, type Table } from './sections.ts';

const ansi = { bold: '\u001b[1m', dim: '\u001b[2m', red: '\u001b[31m', green: '\u001b[32m', reset: '\u001b[0m' };

function table(t: Table, paint: (code: keyof typeof ansi, s: string) => string): string[] {
  const all = [t.head, ...t.rows, ...(t.foot ?? [])];
  const widths = t.head.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, c) => (t.align[c] === 'r' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [paint('bold', fmt(t.head)), rule, ...t.rows.map(fmt)];
  if (t.foot && t.foot.length > 0) out.push(rule, ...t.foot.map((r, i) => (i === t.foot!.length - 1 ? paint('bold', fmt(r)) : fmt(r))));
  return out;
}

export function renderTerminal(report: CostReport, options: { color: boolean }): string {
  const paint = (code: keyof typeof ansi, s: string) => (options.color ? `${ansi[code]}${s}${ansi.reset}` : s);
  const out: string[] = [paint('bold', report.title), ''];
  for (const s of sections(report)) {
    const title = s.tone === 'bad' ? paint('red', s.title) : s.tone === 'good' ? paint('green', s.title) : paint('bold', s.title);
    out.push(title);
    for (const t of s.tables) out.push(...table(t, paint), '');
    for (const l of s.lines) out.push(s.title === 'Notes' ? paint('dim', `- ${l}`) : s.tone === 'bad' ? paint('red', l) : l);
    if (s.lines.length > 0) out.push('');
  }
  return out.join('\n');
}
