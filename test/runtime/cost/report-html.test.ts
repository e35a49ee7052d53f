// Opens the HTML report in headless Chromium: no console errors, and every chart drawn.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderHtml } from '../../../runtime/cost/report/index.ts';
import { sampleReport } from './sample-report.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`report-html.test.ts: SKIPPED, ${CHROMIUM} is missing (install it: apt-get update && apt-get install -y chromium)`);
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface ChartInfo {
  caption: string;
  width: number;
  height: number;
  paths: number;
  drawnPaths: number;
  rects: number;
  drawnRects: number;
  noData: boolean;
}

async function open(html: string): Promise<{ problems: string[]; requests: string[]; charts: ChartInfo[]; title: string }> {
  const file = path.join(dir, 'report.html');
  await writeFile(file, html);
  const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const charts = await page.$$eval('figure', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg')!;
        const box = svg.getBoundingClientRect();
        const paths = [...svg.querySelectorAll('path')];
        const rects = [...svg.querySelectorAll('rect')];
        const drawn = (e: unknown) => {
          const b = (e as { getBBox(): { width: number; height: number } }).getBBox();
          return b.width > 0 || b.height > 0;
        };
        return {
          caption: f.querySelector('figcaption')?.textContent ?? '',
          width: box.width,
          height: box.height,
          paths: paths.length,
          drawnPaths: paths.filter((p) => (p.getAttribute('d') ?? '').length > 10 && drawn(p)).length,
          rects: rects.length,
          drawnRects: rects.filter(drawn).length,
          noData: (svg.textContent ?? '').includes('no data'),
        };
      }),
    );
    return { problems, requests, charts, title: await page.title() };
  } finally {
    await context.close();
  }
}

describe.skipIf(!haveChromium)('HTML report in headless Chromium', () => {
  it('opens without console errors or network, and draws all four charts', async () => {
    const { problems, requests, charts, title } = await open(renderHtml(sampleReport()));
    expect(problems).toEqual([]);
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    expect(title).toBe('eddy cost <report> & "test"');
    expect(charts.map((c) => c.caption)).toEqual(['Throughput over time', 'Iterator age over time', 'Monthly cost breakdown', 'Cost against memory']);
    for (const c of charts) {
      expect(c.noData, c.caption).toBe(false);
      expect(c.width, c.caption).toBeGreaterThan(100);
      expect(c.height, c.caption).toBeGreaterThan(100);
    }
    const [throughput, age, breakdown, memory] = charts as [ChartInfo, ChartInfo, ChartInfo, ChartInfo];
    expect(throughput.drawnPaths).toBe(2);
    expect(age.drawnPaths).toBe(1);
    expect(breakdown.drawnRects).toBe(4);
    expect(memory.drawnPaths).toBe(3);
  }, 60_000);

  it('says "no data" rather than drawing an empty chart', async () => {
    const report = sampleReport();
    delete report.simulation;
    delete report.sweep;
    const { problems, charts } = await open(renderHtml({ ...report, timeline: { bucketMs: 1000, buckets: [] } }));
    expect(problems).toEqual([]);
    expect(charts.map((c) => [c.caption, c.noData])).toEqual([
      ['Throughput over time', true],
      ['Monthly cost breakdown', false],
    ]);
  }, 60_000);
});
