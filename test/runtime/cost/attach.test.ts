// Stream shapes read through the Kinesis API (kinesalite, real SDK) and a meter wired to its sources.
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  SplitShardCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.ts';
import { attachMeter } from '../../../runtime/cost/attach.ts';
import { CostMeter } from '../../../runtime/cost/meter.ts';
import { ApiStreamShapes, type KinesisCall } from '../../../runtime/cost/shapes.ts';
import type { KinesisEvent } from '../../../runtime/kinesis/types.ts';
import type { InvocationReport } from '../../../runtime/lambda/types.ts';

let server: ReturnType<typeof kinesalite>;
let client: KinesisClient;
let call: KinesisCall;

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
  call = async (operation, input) => {
    switch (operation) {
      case 'ListStreams':
        return client.send(new ListStreamsCommand(input));
      case 'DescribeStreamSummary':
        return client.send(new DescribeStreamSummaryCommand(input as { StreamName: string }));
      case 'ListShards':
        return client.send(new ListShardsCommand(input));
    }
  };
  await client.send(new CreateStreamCommand({ StreamName: 'a', ShardCount: 2 }));
  await waitUntilStreamExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { StreamName: 'a' });
});

afterEach(async () => {
  client.destroy();
  server.closeAllConnections?.();
  await new Promise((r) => server.close(r));
});

function emitter<T>() {
  const listeners = new Set<(v: T) => void>();
  return {
    on: (l: (v: T) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit: (v: T) => listeners.forEach((l) => l(v)),
    size: () => listeners.size,
  };
}

describe('ApiStreamShapes + attachMeter', () => {
  it('meters shard-hours from shapes seen through the API, across a split', async () => {
    const clock = new VirtualClock();
    const shapes = new ApiStreamShapes(call, clock);
    const meter = new CostMeter({ clock, region: 'us-east-1' });
    const reports = emitter<InvocationReport>();
    const events = emitter<KinesisEvent>();
    const attached = await attachMeter(meter, { onReport: reports.on, onKinesisEvent: events.on, shapes: () => shapes.shapes() });
    expect((await shapes.shapes()).map((s) => [s.name, s.mode, s.retentionPeriodHours, s.shards.length])).toEqual([['a', 'PROVISIONED', 24, 2]]);

    clock.advance(3_600_000);
    const shard0 = (await client.send(new ListShardsCommand({ StreamName: 'a' }))).Shards![0]!;
    const mid = ((BigInt(shard0.HashKeyRange!.StartingHashKey!) + BigInt(shard0.HashKeyRange!.EndingHashKey!)) / 2n).toString();
    await client.send(new SplitShardCommand({ StreamName: 'a', ShardToSplit: shard0.ShardId!, NewStartingHashKey: mid }));
    events.emit({ type: 'shardsChanged', streamName: 'a' });
    await attached.refresh();
    clock.advance(3_600_000);
    events.emit({ type: 'appended', streamName: 'a', shardId: 'shardId-000000000001', records: 3, bytes: 30, payloadUnits: 3 });
    reports.emit({
      functionKey: 'f', functionName: 'svc-f', requestId: 'r', source: 'mapping:1', startedAtMs: clock.now(), durationMs: 5, billedDurationMs: 5,
      initDurationMs: undefined, memorySizeMb: 128, maxMemoryUsedMb: 1, architecture: 'x86_64', errorType: undefined,
    });
    const snap = meter.snapshot();
    // Hour 1: 2 shards. Hour 2: shard 0 closed, shard 1 and two children open: 3.
    expect(snap.streams[0]!.provisionedShardHours).toBeCloseTo(5, 9);
    expect(snap.streams[0]!.recordsIn).toBe(3);
    expect(snap.functions[0]!.requests).toBe(1);
    attached.detach();
    expect(reports.size() + events.size()).toBe(0);
  });
});
