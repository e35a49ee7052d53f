// `eddy simulate` cores on real Emulators: the demo pipeline (the repository's serverless.yml and workload.yml)
// and a --memory sweep of the busy-wait fixture.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatOfFile, runSimulateCommand } from '../../../../runtime/cost/simulate/run.ts';

const repo = path.resolve(import.meta.dirname, '../../../..');
let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('runSimulateCommand', () => {
  it('simulates the demo pipeline within the test timeout and writes the HTML report', async () => {
    const drawn: string[] = [];
    const result = await runSimulateCommand({
      dir: repo,
      workload: 'workload.yml',
      speed: 4,
      format: 'markdown',
      out: path.join(tmp, 'report.html'),
      progress: { isTTY: true, write: (s: string) => drawn.push(s) },
    });
    const sim = result.report.simulation!;
    expect(sim.workload).toBe('demo-pipeline');
    expect(sim.acceptedRecords).toBe(sim.offeredRecords);
    expect(sim.offeredRecords).toBeGreaterThan(500);
    expect(sim.functions.map((f) => f.functionKey).sort()).toEqual(['aggregate', 'alert', 'enrich', 'validate']);
    for (const f of sim.functions) expect(f.invocations).toBeGreaterThan(0);
    // Every stream of serverless.yml is billed: 2 + 2 + 2 + 4 + 1 shards all month.
    expect(result.report.bill.lines.find((l) => l.item === 'kinesis.shardHours')!.usage).toBeCloseTo(11 * 720, 0);
    expect(result.report.bill.streams.map((s) => s.streamName).sort()).toEqual([
      'eddy-demo-dev-aggregates',
      'eddy-demo-dev-enriched',
      'eddy-demo-dev-events',
      'eddy-demo-dev-urgent',
      'eddy-demo-dev-valid',
    ]);
    expect(result.output).toMatch(/^## eddy simulate: demo-pipeline\n/);
    expect(result.overBudget).toBe(false);
    expect(drawn.some((s) => s.includes('100%'))).toBe(true);
    const html = await readFile(result.written!, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<figcaption>Iterator age over time</figcaption>');
  }, 60_000);

  it('sweeps --memory, one fresh Emulator per size, and gates the budget on the first size', async () => {
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(
        path.join(tmp, 'busy.yml'),
        'duration: 2s\nproducers:\n  - stream: costbusy-dev-busy\n    rate: 10\n    recordSize: 50\n',
      ),
    );
    const result = await runSimulateCommand({
      dir: path.join(repo, 'test/runtime/cost/fixtures/busy'),
      workload: path.join(tmp, 'busy.yml'),
      memory: [128, 2048],
      durationStatistic: 'mode',
      budget: 1,
      freeTier: false,
      out: path.join(tmp, 'sweep.json'),
    });
    expect(result.runs.map((r) => r.memorySizeMb)).toEqual([128, 2048]);
    expect(result.runs.map((r) => r.report.simulation!.functions[0]!.memorySizeMb)).toEqual([128, 2048]);
    const [small, large] = result.report.sweep!;
    expect(small!.memorySizeMb).toBe(128);
    // The same ~20 ms at 16× the memory: 16× the duration part, the same request part ($5.18 for 25.92M).
    const requests = 25.92 * 0.2;
    expect((large!.lambdaMonthly - requests) / (small!.lambdaMonthly - requests)).toBeCloseTo(16, -1);
    expect(result.report.budget).toMatchObject({ limit: 1, over: true });
    expect(result.report.budget!.projected).toBeCloseTo(result.runs[0]!.report.bill.totals.total, 9);
    expect(result.overBudget).toBe(true);
    expect(existsSync(path.join(tmp, 'sweep.json'))).toBe(true);
    expect(JSON.parse(await readFile(path.join(tmp, 'sweep.json'), 'utf8')).sweep).toHaveLength(2);
    expect(result.output).toContain('Cost against memory');
  }, 60_000);

  it('picks the file format from the extension', () => {
    expect(['r.html', 'r.HTM', 'r.md', 'r.json', 'r.txt'].map(formatOfFile)).toEqual(['html', 'html', 'markdown', 'json', 'table']);
  });
});
