// The cores of `eddy cost` and `eddy simulate` against a real Kinesis endpoint (kinesalite, over the real SDK).
import type { AddressInfo } from 'node:net';
import { CreateStreamCommand, KinesisClient, ListShardsCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.ts';
import { costReport, render, simulate, type StartedTarget } from '../../../runtime/cost/commands.ts';
import { CostMeter } from '../../../runtime/cost/meter.ts';
import { loadPrices } from '../../../runtime/cost/prices.ts';
import { ScaledClock, sdkPutRecords } from '../../../runtime/cost/simulate/driver.ts';
import { validateWorkload } from '../../../runtime/cost/simulate/workload.ts';

const prices = loadPrices();

async function kinesaliteTarget(clock: ScaledClock): Promise<StartedTarget> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new KinesisClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
  await client.send(new CreateStreamCommand({ StreamName: 'events', ShardCount: 2 }));
  await waitUntilStreamExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { StreamName: 'events' });
  return {
    clock,
    region: 'us-east-1',
    putRecords: sdkPutRecords(client),
    onReport: () => () => undefined,
    onKinesisEvent: () => () => undefined,
    streams: async () => [
      {
        name: 'events',
        mode: 'PROVISIONED',
        retentionPeriodHours: 24,
        shards: ((await client.send(new ListShardsCommand({ StreamName: 'events' }))).Shards ?? []).map((s) => ({ shardId: s.ShardId!, createdAtMs: 0 })),
        consumers: [],
      },
    ],
    drain: async () => undefined,
    stop: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('simulate()', () => {
  const workload = validateWorkload({ name: 'tiny', duration: '2s', producers: [{ stream: 'events', rate: 50 }] }, 'w', '/');

  it('runs once per memory size, reports the sweep, and gates the budget on both sides of the projection', async () => {
    const started: (number | undefined)[] = [];
    const base = {
      workload,
      prices,
      freeTier: true,
      speed: 10,
      durationScale: 1,
      clock: (speed: number) => new ScaledClock(speed),
      start: async ({ clock, memorySizeMb }: { clock: unknown; memorySizeMb: number | undefined }) => {
        started.push(memorySizeMb);
        return kinesaliteTarget(clock as ScaledClock);
      },
    };
    const swept = await simulate({ ...base, memory: [128, 512], budget: 1000 });
    expect(started).toEqual([128, 512]);
    expect(swept.runs.map((r) => r.memorySizeMb)).toEqual([128, 512]);
    expect(swept.report.sweep!.map((p) => p.memorySizeMb)).toEqual([128, 512]);
    expect(swept.report.title).toBe('eddy simulate: tiny');
    // Two shards all month: 1,440 shard-hours = $21.60 (kinesalite reports no appends, so no PUT units).
    const projected = swept.report.bill.totals.total;
    expect(projected).toBeCloseTo(21.6, 6);
    expect(swept.overBudget).toBe(false);

    const under = await simulate({ ...base, budget: projected + 0.5 });
    expect(under.overBudget).toBe(false);
    expect(under.report.budget).toMatchObject({ over: false });
    const over = await simulate({ ...base, budget: projected - 0.5 });
    expect(over.overBudget).toBe(true);
    expect(over.budgetMessage).toMatch(/^The projected monthly cost \$2\d\.\d\d is over the budget of \$2\d\.\d\d\.$/);
    expect(render(over.report, 'markdown', { color: false })).toContain('### :x: Budget');
  }, 30_000);
});

describe('costReport()', () => {
  it('projects the metered window and renders every format', () => {
    const clock = new VirtualClock();
    const meter = new CostMeter({ clock, region: 'eu-west-1' });
    meter.observeStream({ name: 's', mode: 'PROVISIONED', retentionPeriodHours: 24, shards: [{ shardId: 'shardId-000000000000', createdAtMs: clock.now() }], consumers: [] });
    clock.advance(3_600_000);
    const report = costReport(meter.snapshot(), prices, { freeTier: true, now: () => new Date(0) });
    expect(report.bill.lines.find((l) => l.item === 'kinesis.shardHours')!.quantity).toBeCloseTo(720, 9);
    expect(report.bill.pricedAs).toBe('us-east-1');
    expect(report.generatedAt).toBe('1970-01-01T00:00:00.000Z');
    expect(render(report, 'table', { color: false })).toContain('Kinesis shard-hours (provisioned)');
    expect(JSON.parse(render(report, 'json', { color: false })).bill.totals.total).toBeCloseTo(10.8, 9);
    expect(render(report, 'html', { color: false })).toMatch(/^<!doctype html>/);
  });
});

describe('costReport() and INIT', () => {
  it('counts cold starts once under a day of metering, and at the observed rate from a day on', () => {
    const clock = new VirtualClock();
    const meter = new CostMeter({ clock, region: 'us-east-1' });
    meter.recordInvocation({
      functionKey: 'f', functionName: 'svc-f', requestId: 'r', source: 'api', startedAtMs: clock.now(), durationMs: 1, billedDurationMs: 101,
      initDurationMs: 100, memorySizeMb: 1024, maxMemoryUsedMb: 1, architecture: 'x86_64', errorType: undefined,
    });
    clock.advance(3_600_000);
    const gbs = (r: ReturnType<typeof costReport>) => r.bill.lines.find((l) => l.item === 'lambda.duration.x86_64.tier1')!.usage;
    // 1 ms invoke × 720 + 100 ms INIT once.
    expect(gbs(costReport(meter.snapshot(), prices, { freeTier: false }))).toBeCloseTo(0.001 * 720 + 0.1, 9);
    clock.advance(23 * 3_600_000);
    // A day: both × 30.
    expect(gbs(costReport(meter.snapshot(), prices, { freeTier: false }))).toBeCloseTo((0.001 + 0.1) * 30, 9);
  });
});
