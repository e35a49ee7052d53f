import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.ts';
import { projectMonthlyBill, toCents } from '../../../runtime/cost/bill.ts';
import { CostMeter, loadSnapshot, readSnapshotFile, saveSnapshot, writeSnapshotFile, type StreamShape } from '../../../runtime/cost/meter.ts';
import { loadPrices } from '../../../runtime/cost/prices.ts';
import { hasErrorCode } from '../../../runtime/errors.ts';
import type { InvocationReport } from '../../../runtime/lambda/types.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function report(over: Partial<InvocationReport>): InvocationReport {
  return {
    functionKey: 'ingest',
    functionName: 'svc-dev-ingest',
    requestId: 'r',
    source: 'api',
    startedAtMs: 0,
    durationMs: 50,
    billedDurationMs: 50,
    initDurationMs: undefined,
    memorySizeMb: 128,
    maxMemoryUsedMb: 60,
    architecture: 'x86_64',
    errorType: undefined,
    ...over,
  };
}

function shape(start: number, over: Partial<StreamShape> = {}): StreamShape {
  return {
    name: 'events',
    mode: 'PROVISIONED',
    retentionPeriodHours: 24,
    shards: [0, 1, 2, 3].map((i) => ({ shardId: `shardId-00000000000${i}`, createdAtMs: start })),
    consumers: [],
    ...over,
  };
}

describe('CostMeter', () => {
  it('meters 60 s of the §7.3 workload and projects the same month ($84.47)', () => {
    const clock = new VirtualClock();
    const meter = new CostMeter({ clock, region: 'us-east-1' });
    meter.observeStream(shape(clock.now()));
    for (let s = 0; s < 60; s++) {
      for (let shard = 0; shard < 4; shard++) {
        meter.recordKinesis({ type: 'appended', streamName: 'events', shardId: `shardId-00000000000${shard}`, records: 250, bytes: 250 * 1024, payloadUnits: 250 });
      }
      for (let i = 0; i < 10; i++) meter.recordInvocation(report({ startedAtMs: clock.now(), source: 'mapping:abc', durationMs: 49.2 }));
      clock.advance(1000);
    }
    const snap = meter.snapshot();
    expect(snap.windowMs).toBe(60_000);
    expect(snap.functions).toHaveLength(1);
    expect(snap.functions[0]).toMatchObject({ requests: 600, billedMs: 600 * 50, coldStarts: 0 });
    expect(snap.functions[0]!.gbSeconds).toBeCloseTo(600 * 0.05 * 0.125, 9);
    expect(snap.functions[0]!.bySource['mapping:abc']).toMatchObject({ requests: 600, billedMs: 30_000 });
    const s = snap.streams[0]!;
    expect(s.provisionedShardHours).toBeCloseTo(4 / 60, 12);
    expect(s).toMatchObject({ recordsIn: 60_000, payloadUnits: 60_000, maxOpenShards: 4, extendedRetentionShardHours: 0 });
    expect(s.shards.map((x) => x.recordsIn)).toEqual([15_000, 15_000, 15_000, 15_000]);
    expect(snap.timeline.buckets).toHaveLength(60);
    expect(snap.timeline.buckets[0]).toMatchObject({ atMs: 0, recordsIn: 1000, invocations: 10 });
    const bill = projectMonthlyBill(snap, loadPrices(), { freeTier: true });
    expect(toCents(bill.totals.total)).toBe(84.47);
  });

  it('bills INIT with the invocation, the whole rounded up to 1 ms, and applies --duration-scale', () => {
    const clock = new VirtualClock();
    const meter = new CostMeter({ clock, region: 'us-east-1', durationScale: 2 });
    meter.recordInvocation(report({ durationMs: 10.2, initDurationMs: 100.3, memorySizeMb: 1024, errorType: 'Error' }));
    meter.recordInvocation(report({ durationMs: 0.1, memorySizeMb: 1024 }));
    clock.advance(1000);
    const f = meter.snapshot().functions[0]!;
    // (10.2 + 100.3) × 2 = 221 ms billed: 21 invoke + 200 INIT; the 0.1 ms call bills 1 ms.
    expect(f).toMatchObject({ requests: 2, errors: 1, coldStarts: 1, billedMs: 22, initBilledMs: 200 });
    expect(f.gbSeconds).toBeCloseTo(0.022, 12);
    expect(f.initGbSeconds).toBeCloseTo(0.2, 12);
  });

  it('keeps functions apart by memory size and architecture', () => {
    const meter = new CostMeter({ clock: new VirtualClock(), region: 'us-east-1' });
    meter.recordInvocation(report({}));
    meter.recordInvocation(report({ memorySizeMb: 256 }));
    meter.recordInvocation(report({ architecture: 'arm64' }));
    expect(meter.snapshot().functions.map((f) => `${f.architecture}/${f.memorySizeMb}`)).toEqual(['x86_64/128', 'x86_64/256', 'arm64/128']);
  });

  it('counts shard-hours from shard lifetimes across a split, and retention and consumer segments', () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const meter = new CostMeter({ clock, region: 'us-east-1' });
    const one = { shardId: 'shardId-000000000000', createdAtMs: t0 };
    meter.observeStream(shape(t0, { shards: [one] }));
    clock.advance(3_600_000);
    // Split: the parent closes, two children open.
    const t1 = clock.now();
    meter.observeStream(
      shape(t0, {
        retentionPeriodHours: 48,
        consumers: [{ consumerName: 'c1' }],
        shards: [
          { ...one, closedAtMs: t1 },
          { shardId: 'shardId-000000000001', createdAtMs: t1 },
          { shardId: 'shardId-000000000002', createdAtMs: t1 },
        ],
      }),
    );
    clock.advance(3_600_000);
    const s = meter.snapshot().streams[0]!;
    expect(s.provisionedShardHours).toBeCloseTo(3, 9);
    expect(s.extendedRetentionShardHours).toBeCloseTo(2, 9);
    expect(s.efoConsumerShardHours).toBeCloseTo(2, 9);
    expect(s.maxOpenShards).toBe(2);
  });

  it('counts on-demand stream-hours, rounds data in to 1 KB per record, and stops at deletion', () => {
    const clock = new VirtualClock();
    const meter = new CostMeter({ clock, region: 'us-east-1' });
    meter.observeStream(shape(clock.now(), { mode: 'ON_DEMAND', retentionPeriodHours: 168 + 24 }));
    meter.recordKinesis({ type: 'appended', streamName: 'events', shardId: 'shardId-000000000000', records: 10, bytes: 100, payloadUnits: 10 });
    meter.recordKinesis({ type: 'read', streamName: 'events', shardId: 'shardId-000000000000', records: 10, bytes: 100 });
    meter.recordKinesis({ type: 'throttled', streamName: 'events', shardId: 'shardId-000000000000', operation: 'PutRecords' });
    clock.advance(1_800_000);
    meter.recordKinesis({ type: 'streamDeleted', streamName: 'events' });
    clock.advance(1_800_000);
    const s = meter.snapshot().streams[0]!;
    expect(s.onDemandStreamHours).toBeCloseTo(0.5, 12);
    expect(s.provisionedShardHours).toBe(0);
    expect(s.longTermRetentionHourHours).toBeCloseTo(0.5 * 24, 12);
    expect(s).toMatchObject({ onDemandBilledBytesIn: 10 * 1024, bytesOut: 100, recordsOut: 10, throttledPuts: 1 });
    expect(s.shards[0]).toMatchObject({ shardId: 'shardId-000000000000', throttled: 1, recordsIn: 10 });
  });

  it('reset() starts a new window but keeps the streams', () => {
    const clock = new VirtualClock();
    const meter = new CostMeter({ clock, region: 'us-east-1' });
    meter.observeStream(shape(clock.now()));
    meter.recordInvocation(report({}));
    clock.advance(3_600_000);
    meter.reset();
    clock.advance(1_800_000);
    const snap = meter.snapshot();
    expect(snap.functions).toEqual([]);
    expect(snap.windowMs).toBe(1_800_000);
    expect(snap.streams[0]!.provisionedShardHours).toBeCloseTo(2, 12);
  });

  it('keeps the timeline bounded by widening its buckets', () => {
    const clock = new VirtualClock();
    const meter = new CostMeter({ clock, region: 'us-east-1', bucketMs: 1000 });
    for (let i = 0; i < 5000; i++) {
      meter.recordKinesis({ type: 'appended', streamName: 'events', shardId: 's', records: 1, bytes: 1, payloadUnits: 1 });
      clock.advance(1000);
    }
    const { timeline } = meter.snapshot();
    expect(timeline.bucketMs).toBe(4000);
    expect(timeline.buckets.length).toBeLessThanOrEqual(2048);
    expect(timeline.buckets.reduce((a, b) => a + b.recordsIn, 0)).toBe(5000);
  });

  it('saves and loads the last run through the data dir and through a file', async () => {
    const clock = new VirtualClock();
    const meter = new CostMeter({ clock, region: 'us-east-1' });
    meter.recordInvocation(report({}));
    clock.advance(10);
    const snap = meter.snapshot();
    const root = new MemoryLogRoot();
    expect(await loadSnapshot(root)).toBeUndefined();
    await saveSnapshot(root, snap);
    expect(await loadSnapshot(root)).toEqual(snap);
    const file = path.join(dir, 'cost.json');
    await writeSnapshotFile(file, snap);
    expect(await readSnapshotFile(file)).toEqual(snap);
    await writeFile(file, '{"version":2}');
    const err = await readSnapshotFile(file).catch((e: unknown) => e);
    expect(hasErrorCode(err, 'EDDY_ERR_DATA_CORRUPT')).toBe(true);
  });
});
