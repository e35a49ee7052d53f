// The driver against a real Kinesis endpoint (kinesalite, over the real SDK): records land, samples and usage add up.
import type { AddressInfo } from 'node:net';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StreamShape } from '../../../../runtime/cost/meter.ts';
import { ScaledClock, runWorkload, sdkPutRecords, type SimulationTarget } from '../../../../runtime/cost/simulate/driver.ts';
import { validateWorkload } from '../../../../runtime/cost/simulate/workload.ts';
import { analyse } from '../../../../runtime/cost/simulate/analysis.ts';
import { loadPrices } from '../../../../runtime/cost/prices.ts';
import { VirtualClock, type Clock } from '../../../../runtime/clock.ts';

let server: ReturnType<typeof kinesalite>;
let client: KinesisClient;

beforeEach(async () => {
  server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new KinesisClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
  await client.send(new CreateStreamCommand({ StreamName: 'events', ShardCount: 2 }));
  await waitUntilStreamExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { StreamName: 'events' });
});

afterEach(async () => {
  client.destroy();
  server.closeAllConnections?.();
  await new Promise((r) => server.close(r));
});

async function shapes(): Promise<StreamShape[]> {
  const out = await client.send(new ListShardsCommand({ StreamName: 'events' }));
  return [
    {
      name: 'events',
      mode: 'PROVISIONED',
      retentionPeriodHours: 24,
      shards: (out.Shards ?? []).map((s) => ({ shardId: s.ShardId!, createdAtMs: 0 })),
      consumers: [],
    },
  ];
}

function target(clock: Clock, putRecords: SimulationTarget['putRecords'] = sdkPutRecords(client)): SimulationTarget {
  return {
    clock,
    region: 'us-east-1',
    putRecords,
    onReport: () => () => undefined,
    onKinesisEvent: () => () => undefined,
    streams: shapes,
    drain: async () => undefined,
  };
}

async function countRecords(): Promise<number> {
  let total = 0;
  for (const shard of (await shapes())[0]!.shards) {
    const it = await client.send(new GetShardIteratorCommand({ StreamName: 'events', ShardId: shard.shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 10000 }));
    total += got.Records?.length ?? 0;
  }
  return total;
}

describe('runWorkload', () => {
  it('puts every record of the workload, compressed by --speed, and samples the timeline', async () => {
    const workload = validateWorkload(
      { duration: '4s', seed: 3, producers: [{ stream: 'events', rate: [{ constant: 100, for: '2s' }, { constant: 300 }], recordSize: 200, batchSize: 50 }] },
      'w',
      '/',
    );
    const progress: number[] = [];
    const run = await runWorkload(workload, target(new ScaledClock(8)), { onProgress: (p) => progress.push(p.simulatedMs) });
    expect(run.speed).toBe(8);
    expect(run.streams).toHaveLength(1);
    expect(run.streams[0]).toMatchObject({ streamName: 'events', offered: 800, accepted: 800, throttledEntries: 0, dropped: 0, openShards: 2, bytesAccepted: 800 * 200 });
    expect(await countRecords()).toBe(800);
    expect(run.samples.map((s) => s.atMs)).toEqual([0, 1000, 2000, 3000]);
    expect(run.samples.map((s) => s.recordsPerSec)).toEqual([100, 100, 300, 300]);
    expect(progress).toEqual([1000, 2000, 3000, 4000]);
    expect(run.usage.windowMs).toBe(4000);
    expect(run.usage.streams[0]!.provisionedShardHours).toBeCloseTo((2 * 4) / 3600, 9);
    const report = analyse(run, loadPrices(), { freeTier: true, budget: 100 });
    expect(report.simulation!.streams[0]).toMatchObject({ streamName: 'events', shards: 2, peakRecordsPerSec: 300, recommendedShards: 1 });
    expect(report.simulation!.acceptedRecords).toBe(800);
    expect(report.budget!.over).toBe(false);
  });

  it('retries throttled entries on the next tick and drops them after maxAttempts', async () => {
    // A put path that refuses every entry for the key "hot" and passes the rest to kinesalite.
    const real = sdkPutRecords(client);
    const putRecords: SimulationTarget['putRecords'] = async (stream, records) => {
      const pass = records.filter((r) => r.partitionKey !== 'hot');
      const results = await real(stream, pass);
      let j = 0;
      return records.map((r) => (r.partitionKey === 'hot' ? { errorCode: 'ProvisionedThroughputExceededException' } : results[j++]!));
    };
    const workload = validateWorkload(
      { duration: '1s', producers: [{ stream: 'events', rate: 100, partitionKeys: { distribution: 'hot', hotKey: 'hot', share: 0.2 } }] },
      'w',
      '/',
    );
    const run = await runWorkload(workload, target(new ScaledClock(10), putRecords), { maxAttempts: 2 });
    const s = run.streams[0]!;
    const hot = s.offered - s.accepted;
    expect(s.offered).toBe(100);
    expect(hot).toBeGreaterThan(5);
    expect(await countRecords()).toBe(s.accepted);
    // Each hot record is tried twice, unless the run ends while it waits for its retry (dropped too).
    expect(s.dropped).toBe(hot);
    expect(s.throttledEntries).toBeGreaterThanOrEqual(hot);
    expect(s.throttledEntries).toBeLessThanOrEqual(2 * hot);
    expect(run.samples[0]!.throttledPerSec).toBe(s.throttledEntries);
  });

  it('runs on a virtual clock when the test advances it', async () => {
    const clock = new VirtualClock();
    const workload = validateWorkload({ duration: '2s', producers: [{ stream: 'events', rate: 10 }] }, 'w', '/');
    const done = runWorkload(workload, target(clock));
    let finished = false;
    void done.then(() => (finished = true));
    const deadline = Date.now() + 10_000;
    while (!finished && Date.now() < deadline) {
      clock.advance(100);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 1));
    }
    const run = await done;
    expect(run.streams[0]!.accepted).toBe(20);
  });
});

describe('runWorkload errors', () => {
  it('names a stream the target does not have', async () => {
    const workload = validateWorkload({ name: 'w', duration: '1s', producers: [{ stream: 'nope', rate: 10 }] }, 'w', '/');
    const err = await runWorkload(workload, target(new ScaledClock(10))).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('EDDY_ERR_WORKLOAD_INVALID');
    expect((err as Error).message).toMatch(/^workload w: stream nope does not exist \(/);
  });
});
