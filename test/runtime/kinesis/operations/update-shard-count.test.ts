import { CreateStreamCommand, ListShardsCommand, PutRecordsCommand, UpdateShardCountCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { createTimeLayout } from '../../../../runtime/kinesis/model/hash.ts';
import { awsError, kinesisTransports, startKinesis, waitFor, type KinesisHarness } from '../../../helpers/kinesis.ts';

describe.each(kinesisTransports())('UpdateShardCount over %s', (transport) => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  let client: KinesisClient;

  async function openRanges(): Promise<Array<{ startingHashKey: string; endingHashKey: string }>> {
    const shards = (await client.send(new ListShardsCommand({ StreamName: 's', ShardFilter: { Type: 'AT_LATEST' } }))).Shards!;
    return shards
      .map((s) => ({ startingHashKey: s.HashKeyRange!.StartingHashKey!, endingHashKey: s.HashKeyRange!.EndingHashKey! }))
      .sort((a, b) => (BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? -1 : 1));
  }
  async function scale(target: number): Promise<void> {
    await client.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' }));
    clock.advance(1000);
    await waitFor(() => k.service.store.get('s')?.meta.status === 'ACTIVE');
  }

  beforeEach(async () => {
    clock = new VirtualClock();
    k = await startKinesis({ clock, statusDelayMs: 1000 });
    client = k.client(transport);
    await k.service.call('CreateStream', { StreamName: 's', ShardCount: 2 });
    clock.advance(1000);
  });
  afterEach(async () => {
    await k.close();
  });

  it('ends with equal ranges of the target count, writes working throughout', async () => {
    const out = await client.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    expect(out).toMatchObject({
      StreamName: 's',
      CurrentShardCount: 2,
      TargetShardCount: 4,
      StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
    });
    expect(k.service.store.get('s')!.meta.status).toBe('UPDATING');
    expect(await awsError(client.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' })))).toEqual({
      name: 'ResourceInUseException',
      message: 'Stream s under account 000000000000 not ACTIVE, instead in state UPDATING',
      status: 400,
    });
    const records = Array.from({ length: 50 }, (_, i) => ({ PartitionKey: `k${i}`, Data: new Uint8Array([i]) }));
    expect((await client.send(new PutRecordsCommand({ StreamName: 's', Records: records }))).FailedRecordCount).toBe(0);
    clock.advance(1000);
    await waitFor(() => k.service.store.get('s')?.meta.status === 'ACTIVE');
    expect(await openRanges()).toEqual(createTimeLayout(4));
    const after = await client.send(new PutRecordsCommand({ StreamName: 's', Records: records }));
    expect(new Set(after.Records!.map((r) => r.ShardId))).toEqual(new Set(['shardId-000000000002', 'shardId-000000000003', 'shardId-000000000004', 'shardId-000000000005']));
    await scale(3); // not a halving: goes through short-lived shards
    expect(await openRanges()).toEqual(createTimeLayout(3));
    await scale(5);
    expect(await openRanges()).toEqual(createTimeLayout(5));
  });

  it('refuses more than double, less than half, an 11th scaling in 24 h and on-demand streams', async () => {
    const counts = 'Current open shard count: 2 Target shard count:';
    expect(await awsError(client.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' })))).toEqual({
      name: 'LimitExceededException',
      message: `UpdateShardCount cannot scale up over double your current open shard count. ${counts} 5`,
      status: 400,
    });
    await scale(4);
    expect(await awsError(client.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: 1, ScalingType: 'UNIFORM_SCALING' })))).toMatchObject({
      name: 'LimitExceededException',
      message: 'UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 4 Target shard count: 1',
    });
    for (let i = 0; i < 9; i++) await scale(i % 2 === 0 ? 2 : 4);
    expect(await awsError(client.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' })))).toMatchObject({
      name: 'LimitExceededException',
      message: 'Exceeded the UpdateShardCount limit of 10 per rolling 24 hour period for stream s under account 000000000000.',
    });
    clock.advance(24 * 3_600_000);
    await scale(4);
    await client.send(new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    clock.advance(1000);
    expect(await awsError(client.send(new UpdateShardCountCommand({ StreamName: 'od', TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' })))).toMatchObject({
      name: 'ValidationException',
    });
    expect(await awsError(client.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: 4, ScalingType: 'DOUBLE' as 'UNIFORM_SCALING' })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value 'DOUBLE' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]",
    });
  });
});
