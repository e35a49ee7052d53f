// eddy simulate end to end: a real Emulator (Kinesis with enforced limits, a mapping, a worker-thread function that
// busy-waits 20 ms), driven by the workload driver; the projection is checked against the analytic value.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../runtime/clock.ts';
import { simulate } from '../../../../runtime/cost/commands.ts';
import { loadPrices } from '../../../../runtime/cost/prices.ts';
import { analyse, budgetError, checkBudget } from '../../../../runtime/cost/simulate/analysis.ts';
import { runWorkload } from '../../../../runtime/cost/simulate/driver.ts';
import { emulatorTarget } from '../../../../runtime/cost/simulate/emulator-target.ts';
import { validateWorkload } from '../../../../runtime/cost/simulate/workload.ts';
import { Emulator } from '../../../../runtime/emulator.ts';

const dir = path.join(import.meta.dirname, '../fixtures/busy');
const prices = loadPrices();
const RATE = 20;
const workload = validateWorkload(
  { name: 'busy', duration: '4s', seed: 5, producers: [{ stream: 'costbusy-dev-busy', rate: RATE, recordSize: 100, batchSize: 10 }] },
  'busy.yml',
  dir,
);
// 20 records/s, one invocation per record (batchSize 1), 20 ms rounded up to 21 ms billed, 1024 MB, 30 days.
const ANALYTIC_GB_S = RATE * 2_592_000 * 0.021 * 1;

const started: Emulator[] = [];
afterEach(async () => {
  for (const emu of started.splice(0)) await emu.stop();
});

async function start(): Promise<Emulator> {
  const emu = await Emulator.start({ dir, port: 0, inMemory: true, enforceLimits: true });
  started.push(emu);
  return emu;
}

describe('simulate end to end', () => {
  it('projects the GB-s of a 20 ms handler within 5 % of the analytic value', { timeout: 60_000 }, async () => {
    const emu = await start();
    const target = emulatorTarget(emu, { clock: systemClock, streams: ['costbusy-dev-busy'] });
    try {
      const run = await runWorkload(workload, target);
      const records = RATE * 4;
      expect(run.streams[0]).toMatchObject({ offered: records, accepted: records, throttledEntries: 0, openShards: 2 });
      expect(run.reports).toHaveLength(records);
      const gbsOf = (bill: { lines: { item: string; usage: number }[] }) =>
        bill.lines.filter((l) => l.item.startsWith('lambda.duration.')).reduce((a, l) => a + l.usage, 0);

      // As AWS bills (each invocation at its own duration, rounded up to 1 ms): exactly the extrapolated sum.
      const exact = analyse(run, prices, { freeTier: false });
      const scale = (720 * 3_600_000) / workload.durationMs;
      let invokeGbs = 0;
      let initGbs = 0;
      for (const r of run.reports) {
        const invoke = Math.max(1, Math.ceil(r.durationMs));
        invokeGbs += invoke / 1000;
        initGbs += (Math.max(invoke, Math.ceil(r.durationMs + (r.initDurationMs ?? 0))) - invoke) / 1000;
      }
      expect(gbsOf(exact.bill)).toBeCloseTo(invokeGbs * scale + initGbs, 6);
      const fn = exact.simulation!.functions[0]!;
      expect(fn).toMatchObject({ functionKey: 'busy', memorySizeMb: 1024, invocations: records, errors: 0 });
      expect(fn.p50Ms).toBeGreaterThanOrEqual(20);

      // At the most frequent billed duration (robust to a shared machine pre-empting the workers): within 5 %.
      const robust = analyse(run, prices, { freeTier: false, durationStatistic: 'mode' });
      expect(Math.abs(gbsOf(robust.bill) / ANALYTIC_GB_S - 1)).toBeLessThan(0.05);
      expect(robust.bill.notes[0]).toMatch(/^busy \(1024 MB\): every invocation billed at its most frequent billed duration, 2[0-2] ms \(--duration-statistic mode\)\.$/);
      expect(robust.bill.lines.find((l) => l.item === 'lambda.requests')!.usage).toBeCloseTo(RATE * 2_592_000, -3);
      expect(robust.bill.lines.find((l) => l.item === 'kinesis.shardHours')!.usage).toBeCloseTo(2 * 720, 0);
      expect(robust.bill.lines.find((l) => l.item === 'kinesis.putPayloadUnits')!.usage).toBeCloseTo(RATE * 2_592_000, -3);
    } finally {
      target.close();
    }
  });

  it('--budget passes above the projection and fails below it', async () => {
    // Analytic bill without free tier: requests 51.84M × $0.20/M = $10.37, duration 1,088,640 GB-s ≈ $18.14,
    // shards $21.60, PUT units 51.84M × $0.014/M = $0.73: ≈ $50.84 (±$0.91 for the 5 % duration tolerance).
    const run = (budget: number) =>
      simulate({
        workload,
        prices,
        freeTier: false,
        speed: 1,
        durationScale: 1,
        durationStatistic: 'mode',
        budget,
        clock: () => systemClock,
        start: async ({ clock }) => {
          const emu = await start();
          const target = emulatorTarget(emu, { clock, streams: ['costbusy-dev-busy'] });
          return { ...target, stop: async () => target.close() };
        },
      });
    const pass = await run(55);
    expect(pass.overBudget).toBe(false);
    expect(pass.budgetMessage).toBeUndefined();
    const projected = pass.report.budget!.projected;
    expect(projected).toBeGreaterThan(49);
    expect(projected).toBeLessThan(55);
    // The same projection against a budget below it: over, with the message the CLI prints before exiting 3.
    const below = checkBudget(49, pass.report.bill);
    expect(below).toEqual({ limit: 49, projected, over: true });
    expect(budgetError(below)!.message).toBe(`The projected monthly cost $${projected.toFixed(2)} is over the budget of $49.00.`);
  }, 60_000);
});
