import { describe, expect, it } from 'vitest';
import { projectMonthlyBill, splitTiers, toCents, type MonthlyBill } from '../../../runtime/cost/bill.ts';
import type { CostSnapshot, FunctionUsage, StreamUsage } from '../../../runtime/cost/meter.ts';
import { loadPrices } from '../../../runtime/cost/prices.ts';

const prices = loadPrices();
const MONTH_MS = 720 * 3_600_000;

function fn(over: Partial<FunctionUsage> & Pick<FunctionUsage, 'requests' | 'gbSeconds'>): FunctionUsage {
  return {
    functionKey: 'ingest',
    functionName: 'svc-dev-ingest',
    architecture: 'x86_64',
    memorySizeMb: 128,
    errors: 0,
    coldStarts: 0,
    durationMs: 0,
    maxDurationMs: 0,
    billedMs: 0,
    initBilledMs: 0,
    initGbSeconds: 0,
    bySource: {},
    ...over,
  };
}

function stream(over: Partial<StreamUsage>): StreamUsage {
  return {
    streamName: 'events',
    mode: 'PROVISIONED',
    retentionPeriodHours: 24,
    provisionedShardHours: 0,
    onDemandStreamHours: 0,
    extendedRetentionShardHours: 0,
    longTermRetentionHourHours: 0,
    efoConsumerShardHours: 0,
    maxOpenShards: 0,
    recordsIn: 0,
    bytesIn: 0,
    payloadUnits: 0,
    onDemandBilledBytesIn: 0,
    recordsOut: 0,
    bytesOut: 0,
    throttledPuts: 0,
    throttledReads: 0,
    shards: [],
    ...over,
  };
}

function snapshot(functions: FunctionUsage[], streams: StreamUsage[], windowMs = MONTH_MS): CostSnapshot {
  return { version: 1, region: 'us-east-1', startedAtMs: 0, endedAtMs: windowMs, windowMs, durationScale: 1, functions, streams, timeline: { bucketMs: 1000, buckets: [] } };
}

function amountOf(bill: MonthlyBill, item: string): number {
  const l = bill.lines.find((x) => x.item === item);
  if (!l) throw new Error(`no line ${item} in ${bill.lines.map((x) => x.item).join(', ')}`);
  return l.amount;
}

/** Reference §7.3: 1,000 records/s over 4 shards, batch 100, 128 MB, 50 ms per batch, 30 days, records ≤ 1 KB. */
function workedExample(architecture: 'x86_64' | 'arm64'): CostSnapshot {
  const records = 1000 * 2_592_000;
  const invocations = records / 100;
  return snapshot(
    [fn({ architecture, requests: invocations, billedMs: invocations * 50, durationMs: invocations * 50, gbSeconds: invocations * 0.05 * 0.125 })],
    [stream({ provisionedShardHours: 4 * 720, recordsIn: records, bytesIn: records * 1024, payloadUnits: records, maxOpenShards: 4 })],
  );
}

describe('reference §7.3 worked example, to the cent', () => {
  it('x86_64 with the free tier: $84.47', () => {
    const bill = projectMonthlyBill(workedExample('x86_64'), prices, { freeTier: true });
    expect(toCents(amountOf(bill, 'kinesis.shardHours'))).toBe(43.2);
    expect(bill.lines.find((l) => l.item === 'kinesis.shardHours')!.quantity).toBeCloseTo(2880, 9);
    expect(toCents(amountOf(bill, 'kinesis.putPayloadUnits'))).toBe(36.29);
    expect(toCents(bill.totals.kinesis)).toBe(79.49);
    const req = bill.lines.find((l) => l.item === 'lambda.requests')!;
    expect(req).toMatchObject({ usage: 25_920_000, freeQuantity: 1_000_000, quantity: 24_920_000 });
    expect(toCents(req.amount)).toBe(4.98);
    const dur = bill.lines.find((l) => l.item === 'lambda.duration.x86_64.tier1')!;
    expect(dur.usage).toBeCloseTo(162_000, 6);
    expect(dur.freeQuantity).toBeCloseTo(162_000, 6);
    expect(toCents(dur.amount)).toBe(0);
    expect(toCents(bill.totals.total)).toBe(84.47);
  });

  it('x86_64 without the free tier: $87.37 (requests $5.18, duration $2.70)', () => {
    const bill = projectMonthlyBill(workedExample('x86_64'), prices, { freeTier: false });
    expect(toCents(amountOf(bill, 'lambda.requests'))).toBe(5.18);
    expect(toCents(amountOf(bill, 'lambda.duration.x86_64.tier1'))).toBe(2.7);
    expect(toCents(bill.totals.total)).toBe(87.37);
  });

  it('arm64 without the free tier: $86.83 (duration $2.16)', () => {
    const bill = projectMonthlyBill(workedExample('arm64'), prices, { freeTier: false });
    expect(toCents(amountOf(bill, 'lambda.duration.arm64.tier1'))).toBe(2.16);
    expect(toCents(bill.totals.total)).toBe(86.83);
  });

  it('On-demand Standard comparison: ≈ $325.43 + Lambda', () => {
    const records = 1000 * 2_592_000;
    const usage = snapshot([], [stream({ mode: 'ON_DEMAND', onDemandStreamHours: 720, recordsIn: records, bytesIn: records * 1000, onDemandBilledBytesIn: records * 1024, bytesOut: records * 1024 })]);
    const bill = projectMonthlyBill(usage, prices, { freeTier: true });
    expect(toCents(amountOf(bill, 'kinesis.onDemandStreamHours'))).toBe(28.8);
    expect(bill.lines.find((l) => l.item === 'kinesis.onDemandDataIn')!.quantity).toBeCloseTo(2471.9, 1);
    expect(toCents(amountOf(bill, 'kinesis.onDemandDataIn'))).toBe(197.75);
    expect(toCents(amountOf(bill, 'kinesis.onDemandDataOut'))).toBe(98.88);
    expect(toCents(bill.totals.kinesis)).toBe(325.43);
    expect(bill.lines.some((l) => l.item === 'kinesis.putPayloadUnits')).toBe(false);
  });
});

describe('extrapolation from an observed window', () => {
  it('scales a 60 s window of the worked example to the same month', () => {
    const usage = snapshot(
      [fn({ requests: 600, billedMs: 600 * 50, gbSeconds: 600 * 0.05 * 0.125 })],
      [stream({ provisionedShardHours: (4 * 60) / 3600, payloadUnits: 60_000 })],
      60_000,
    );
    const bill = projectMonthlyBill(usage, prices, { freeTier: true });
    expect(bill.scale).toBe(43_200);
    expect(toCents(bill.totals.total)).toBe(84.47);
  });

  it("counts INIT once with initExtrapolation 'once', at the observed rate otherwise", () => {
    const usage = snapshot([fn({ requests: 10, gbSeconds: 1, initGbSeconds: 2 })], [], 3_600_000);
    const scaled = projectMonthlyBill(usage, prices, { freeTier: false });
    const once = projectMonthlyBill(usage, prices, { freeTier: false, initExtrapolation: 'once' });
    expect(scaled.lines.find((l) => l.item === 'lambda.duration.x86_64.tier1')!.usage).toBeCloseTo(720 * 3, 9);
    expect(once.lines.find((l) => l.item === 'lambda.duration.x86_64.tier1')!.usage).toBeCloseTo(720 + 2, 9);
  });

  it('prices a region without rates at us-east-1 and notes it', () => {
    const bill = projectMonthlyBill({ ...workedExample('x86_64'), region: 'ap-south-2' }, prices, { freeTier: true });
    expect(bill.pricedAs).toBe('us-east-1');
    expect(bill.notes[0]).toBe('No rates for ap-south-2 in the price table: priced at us-east-1 rates.');
    expect(toCents(bill.totals.total)).toBe(84.47);
  });
});

describe('duration tiers', () => {
  const x86 = prices.regions['us-east-1']!.lambda.duration.x86_64;
  const gbsBill = (gbSeconds: number, freeTier: boolean, architecture: 'x86_64' | 'arm64' = 'x86_64') =>
    projectMonthlyBill(snapshot([fn({ architecture, requests: 0, gbSeconds })], []), prices, { freeTier });

  it('bills exactly 6B GB-s in the first tier only', () => {
    const bill = gbsBill(6e9, false);
    expect(bill.lines.filter((l) => l.item.startsWith('lambda.duration')).map((l) => l.item)).toEqual(['lambda.duration.x86_64.tier1']);
    expect(toCents(bill.totals.lambda)).toBe(toCents(6e9 * 0.0000166667));
    expect(toCents(bill.totals.lambda)).toBe(100_000.2);
  });

  it('splits usage across the 6B and 15B boundaries', () => {
    const bill = gbsBill(6e9 + 1, false);
    expect(bill.lines.find((l) => l.item === 'lambda.duration.x86_64.tier2')!.quantity).toBeCloseTo(1, 3);
    const big = gbsBill(20e9, false);
    const q = (i: string) => big.lines.find((l) => l.item === i)!.quantity;
    expect([q('lambda.duration.x86_64.tier1'), q('lambda.duration.x86_64.tier2'), q('lambda.duration.x86_64.tier3')]).toEqual([6e9, 9e9, 5e9]);
    expect(toCents(big.totals.lambda)).toBe(toCents(6e9 * 0.0000166667 + 9e9 * 0.000015 + 5e9 * 0.0000133334));
    expect(big.lines.find((l) => l.item === 'lambda.duration.x86_64.tier3')!.description).toBe('Lambda duration x86_64 (over 15B GB-s)');
  });

  it('uses the arm64 boundaries (7.5B, 18.75B)', () => {
    const bill = gbsBill(20e9, false, 'arm64');
    const q = (i: string) => bill.lines.find((l) => l.item === i)!.quantity;
    expect([q('lambda.duration.arm64.tier1'), q('lambda.duration.arm64.tier2'), q('lambda.duration.arm64.tier3')]).toEqual([7.5e9, 11.25e9, 1.25e9]);
  });

  it('takes the free tier off the first tier only, and never below zero', () => {
    const on = gbsBill(6e9 + 1000, true);
    const t1 = on.lines.find((l) => l.item === 'lambda.duration.x86_64.tier1')!;
    expect(t1.freeQuantity).toBe(400_000);
    expect(on.lines.find((l) => l.item === 'lambda.duration.x86_64.tier2')!.freeQuantity).toBe(0);
    const off = gbsBill(6e9 + 1000, false);
    expect(off.totals.lambda - on.totals.lambda).toBeCloseTo(400_000 * 0.0000166667, 6);
    const small = gbsBill(100, true);
    expect(small.totals.lambda).toBe(0);
    expect(splitTiers(x86, 100, 400_000)[0]).toMatchObject({ quantity: 100, free: 100 });
  });

  it('shares one free tier between x86_64 and arm64', () => {
    const usage = snapshot(
      [fn({ requests: 0, gbSeconds: 300_000 }), fn({ functionKey: 'b', architecture: 'arm64', requests: 0, gbSeconds: 300_000 })],
      [],
    );
    const bill = projectMonthlyBill(usage, prices, { freeTier: true });
    expect(bill.lines.find((l) => l.item === 'lambda.duration.x86_64.tier1')!.freeQuantity).toBe(300_000);
    expect(bill.lines.find((l) => l.item === 'lambda.duration.arm64.tier1')!.freeQuantity).toBe(100_000);
    expect(toCents(bill.totals.lambda)).toBe(toCents(200_000 * 0.0000133334));
  });

  it('applies the 1M free requests only with the free tier on', () => {
    const usage = snapshot([fn({ requests: 999_999, gbSeconds: 0 })], []);
    expect(projectMonthlyBill(usage, prices, { freeTier: true }).totals.total).toBe(0);
    expect(toCents(projectMonthlyBill(usage, prices, { freeTier: false }).totals.total)).toBe(0.2);
  });
});

describe('Kinesis extras', () => {
  it('bills extended retention, long-term retention and enhanced fan-out', () => {
    const usage = snapshot(
      [],
      [stream({ provisionedShardHours: 720, extendedRetentionShardHours: 720, longTermRetentionHourHours: 720 * 100, efoConsumerShardHours: 1440, bytesIn: 2 * 1024 ** 3 })],
    );
    const bill = projectMonthlyBill(usage, prices, { freeTier: true });
    expect(toCents(amountOf(bill, 'kinesis.extendedRetention'))).toBe(14.4);
    expect(toCents(amountOf(bill, 'kinesis.efoConsumerShardHours'))).toBe(21.6);
    // 2 GB over 720 h in, each kept 100 h beyond 7 days: 2/720 × 100 GB stored.
    expect(bill.lines.find((l) => l.item === 'kinesis.longTermRetention')!.quantity).toBeCloseTo((2 / 720) * 100, 9);
    // Two consumers each receive the 2 GB.
    expect(bill.lines.find((l) => l.item === 'kinesis.efoData')!.quantity).toBeCloseTo(4, 9);
    expect(bill.streams[0]!.amount).toBeCloseTo(bill.totals.kinesis, 9);
  });
});
