// `eddy simulate` on the demo pipeline, as CI would run it: the projection as JSON, and the budget gate's exit code.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runEddy } from '../helpers/eddy-process.ts';

it('simulates the demo pipeline and exits 3 when the projection is over --budget', async () => {
  const out = await runEddy(['simulate', '--workload', 'workload.yml', '--speed', '4', '--budget', '1', '--json'], {
    timeoutMs: 60_000,
  });
  expect(out.code).toBe(3);
  expect(out.stderr).toMatch(/The projected monthly cost \$[\d.,]+ is over the budget of \$1\.00\. \(EDDY_ERR_BUDGET_EXCEEDED\)/);
  const report = JSON.parse(out.stdout) as {
    bill: { totals: { total: number }; lines: Array<{ item: string; amount: number }> };
    simulation: { acceptedRecords: number; functions: Array<{ functionKey: string; invocations: number }> };
    budget: { limit: number; projected: number; over: boolean };
  };
  expect(report.budget).toMatchObject({ limit: 1, over: true });
  expect(report.budget.projected).toBeCloseTo(report.bill.totals.total, 6);
  expect(report.simulation.acceptedRecords).toBeGreaterThan(0);
  // Every stage of the pipeline ran on the simulated records.
  const invoked = new Set(report.simulation.functions.filter((f) => f.invocations > 0).map((f) => f.functionKey));
  expect([...invoked]).toEqual(expect.arrayContaining(['validate', 'enrich', 'aggregate']));
  expect(report.bill.lines.map((l) => l.item)).toEqual(expect.arrayContaining(['lambda.requests', 'kinesis.shardHours']));
}, 90_000);

it('exits 2 on an invalid workload file, naming each bad key', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-workload-'));
  try {
    await writeFile(path.join(dir, 'workload.yml'), 'duration: x\n');
    const run = await runEddy(['simulate', '--workload', path.join(dir, 'workload.yml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('duration: must be a duration');
    expect(run.stderr).toContain('producers: must be a non-empty list');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
