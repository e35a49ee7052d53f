// A report with every section filled, for the renderer tests.
import { VirtualClock } from '../../../runtime/clock.ts';
import { projectMonthlyBill } from '../../../runtime/cost/bill.ts';
import { CostMeter } from '../../../runtime/cost/meter.ts';
import { loadPrices } from '../../../runtime/cost/prices.ts';
import type { CostReport } from '../../../runtime/cost/report/index.ts';

export function sampleReport(over: Partial<CostReport> = {}): CostReport {
  const clock = new VirtualClock();
  const meter = new CostMeter({ clock, region: 'us-east-1' });
  meter.observeStream({
    name: 'events',
    mode: 'PROVISIONED',
    retentionPeriodHours: 24,
    shards: [0, 1].map((i) => ({ shardId: `shardId-00000000000${i}`, createdAtMs: clock.now() })),
    consumers: [],
  });
  for (let s = 0; s < 30; s++) {
    meter.recordKinesis({ type: 'appended', streamName: 'events', shardId: 'shardId-000000000000', records: 500, bytes: 500_000, payloadUnits: 500 });
    meter.recordKinesis({ type: 'read', streamName: 'events', shardId: 'shardId-000000000000', records: 450, bytes: 450_000 });
    for (let i = 0; i < 5; i++) {
      meter.recordInvocation({
        functionKey: 'ingest',
        functionName: 'svc-dev-ingest',
        requestId: `r${s}-${i}`,
        source: 'mapping:1',
        startedAtMs: clock.now(),
        durationMs: 20 + i,
        billedDurationMs: 21 + i,
        initDurationMs: s === 0 && i === 0 ? 150 : undefined,
        memorySizeMb: 256,
        maxMemoryUsedMb: 70,
        architecture: 'x86_64',
        errorType: undefined,
      });
    }
    clock.advance(1000);
  }
  const snap = meter.snapshot();
  const bill = projectMonthlyBill(snap, loadPrices(), { freeTier: false });
  return {
    title: 'eddy cost <report> & "test"',
    generatedAt: '2026-11-26T08:00:00.000Z',
    bill,
    timeline: snap.timeline,
    simulation: {
      workload: 'workload.yml',
      speed: 1,
      durationScale: 1,
      durationMs: 30_000,
      elapsedMs: 30_500,
      offeredRecords: 15_100,
      acceptedRecords: 15_000,
      throttledEntries: 100,
      droppedRecords: 0,
      avgRecordsPerSec: 500,
      avgBytesPerSec: 500_000,
      maxIteratorAgeMs: 1200,
      streams: [
        {
          streamName: 'events',
          shards: 2,
          peakRecordsPerSec: 1100,
          peakBytesPerSec: 1_100_000,
          hottestShardRecordsPerSec: 1100,
          hottestShardBytesPerSec: 1_100_000,
          throttledEntries: 100,
          recommendedShards: 3,
          recommendation: '3 shards keep every shard under 1 MiB/s and 1,000 records/s.',
        },
      ],
      functions: [{ functionKey: 'ingest', memorySizeMb: 256, invocations: 150, errors: 0, coldStarts: 1, p50Ms: 22, p90Ms: 24, p99Ms: 24, maxMs: 24, maxConcurrency: 2 }],
      samples: Array.from({ length: 30 }, (_, i) => ({ atMs: i * 1000, recordsPerSec: 500 + (i % 5) * 20, bytesPerSec: 500_000, throttledPerSec: i === 10 ? 100 : 0, iteratorAgeMs: i * 40 })),
    },
    sweep: [
      { memorySizeMb: 128, avgDurationMs: 44, p90DurationMs: 48, lambdaMonthly: 4.1, totalMonthly: 60.2 },
      { memorySizeMb: 256, avgDurationMs: 22, p90DurationMs: 24, lambdaMonthly: 4.0, totalMonthly: 60.1 },
      { memorySizeMb: 512, avgDurationMs: 12, p90DurationMs: 13, lambdaMonthly: 4.4, totalMonthly: 60.5 },
    ],
    budget: { limit: 30, projected: bill.totals.total, over: bill.totals.total > 30 },
    ...over,
  };
}
