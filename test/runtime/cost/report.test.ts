import { describe, expect, it } from 'vitest';
import { money, rate } from '../../../runtime/cost/report/format.ts';
import { renderJson, renderMarkdown, renderTerminal } from '../../../runtime/cost/report/index.ts';
import { sampleReport } from './sample-report.ts';

describe('terminal table', () => {
  it('is plain text without colour, with every line item and the totals aligned', () => {
    const report = sampleReport();
    const text = renderTerminal(report, { color: false });
    expect(text).not.toContain('\u001b[');
    const lines = text.split('\n');
    const head = lines.find((l) => l.startsWith('Item'))!;
    expect(head).toMatch(/^Item\s+Usage \/ month\s+Free tier\s+Unit price\s+Amount$/);
    for (const l of report.bill.lines) expect(text).toContain(l.description);
    const total = lines.find((l) => l.startsWith('Total per month'))!;
    expect(total.endsWith(money(report.bill.totals.total))).toBe(true);
    expect(total.length).toBe(head.length);
    expect(text).toContain('Lambda requests');
    expect(text).toContain('$0.2 per 1M');
    expect(text).toContain('OVER BUDGET');
    expect(text).toMatch(/events\s+2\s+1,100\s+1\.05 MiB\/s\s+1,100\s+1\.05 MiB\/s\s+100\s+3/);
    expect(text).toContain('Cheapest: 256 MB at $60.10/month.');
  });

  it('colours when asked to', () => {
    expect(renderTerminal(sampleReport(), { color: true })).toContain('\u001b[1m');
    expect(renderTerminal(sampleReport(), { color: false })).not.toContain('\u001b[');
  });
});

describe('Markdown', () => {
  it('renders GitHub tables with right-aligned numbers and a budget verdict', () => {
    const md = renderMarkdown(sampleReport());
    expect(md.startsWith('## eddy cost <report> & "test"\n')).toBe(true);
    expect(md).toContain('### :x: Budget');
    expect(md).toContain('| Item | Usage / month | Free tier | Unit price | Amount |');
    expect(md).toContain('| --- | ---: | ---: | ---: | ---: |');
    expect(md).toMatch(/\| \*\*Total per month\*\* \|  \|  \|  \| \*\*\$[\d,.]+\*\* \|/);
    const within = renderMarkdown(sampleReport({ budget: { limit: 1000, projected: 60, over: false } }));
    expect(within).toContain('### :white_check_mark: Budget');
  });
});

describe('JSON', () => {
  it('is the report model, unrounded', () => {
    const report = sampleReport();
    const parsed = JSON.parse(renderJson(report));
    expect(parsed).toEqual(JSON.parse(JSON.stringify(report)));
    expect(parsed.bill.lines[0]).toHaveProperty('unitPrice');
  });
});

describe('format', () => {
  it('keeps small amounts visible and unit prices whole', () => {
    expect(money(84.472)).toBe('$84.47');
    expect(money(1234.5)).toBe('$1,234.50');
    expect(money(0.0018)).toBe('$0.0018');
    expect(money(0)).toBe('$0.00');
    expect(rate(0.0000166667, 1)).toBe('$0.0000166667');
    expect(rate(0.014, 1e6)).toBe('$0.014 per 1M');
  });
});
