import { GetShardIteratorCommand, ListShardsCommand, SplitShardCommand, type KinesisClient, type ShardFilter } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { awsError, kinesisTransports, startKinesis, waitFor, type KinesisHarness } from '../../../helpers/kinesis.ts';

const T0 = Date.UTC(2026, 0, 1, 12);
const HOUR = 3_600_000;

describe.each(kinesisTransports())('ListShards over %s', (transport) => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  let client: KinesisClient;

  const ids = async (input: Omit<ConstructorParameters<typeof ListShardsCommand>[0], never>): Promise<string[]> =>
    ((await client.send(new ListShardsCommand(input))).Shards ?? []).map((s) => s.ShardId!);

  beforeEach(async () => {
    clock = new VirtualClock(T0);
    k = await startKinesis({ clock });
    client = k.client(transport);
    await k.service.call('CreateStream', { StreamName: 's', ShardCount: 5 });
    clock.advance(0);
  });
  afterEach(async () => {
    await k.close();
  });

  it('lists shards in AWS’s shape and pages with MaxResults, NextToken and ExclusiveStartShardId', async () => {
    const all = await client.send(new ListShardsCommand({ StreamName: 's' }));
    expect(all.NextToken).toBeUndefined();
    expect(all.Shards![0]).toEqual({
      ShardId: 'shardId-000000000000',
      HashKeyRange: { StartingHashKey: '0', EndingHashKey: '68056473384187692692674921486353642290' },
      SequenceNumberRange: { StartingSequenceNumber: expect.stringMatching(/^\d{56}$/) },
    });
    const first = await client.send(new ListShardsCommand({ StreamName: 's', MaxResults: 2 }));
    expect(first.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    const second = await client.send(new ListShardsCommand({ NextToken: first.NextToken!, MaxResults: 2 }));
    expect(second.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000002', 'shardId-000000000003']);
    const third = await client.send(new ListShardsCommand({ NextToken: second.NextToken! }));
    expect(third.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000004']);
    expect(third.NextToken).toBeUndefined();
    expect(await ids({ StreamName: 's', ExclusiveStartShardId: 'shardId-000000000002' })).toEqual(['shardId-000000000003', 'shardId-000000000004']);
    expect(await ids({ StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s', MaxResults: 1 })).toEqual(['shardId-000000000000']);
  });

  it('expires NextToken after 300 s and refuses mutually exclusive parameters', async () => {
    const first = await client.send(new ListShardsCommand({ StreamName: 's', MaxResults: 1 }));
    clock.advance(300_001);
    expect(await awsError(client.send(new ListShardsCommand({ NextToken: first.NextToken! })))).toMatchObject({
      name: 'ExpiredNextTokenException',
      status: 400,
    });
    expect(await awsError(client.send(new ListShardsCommand({ StreamName: 's', NextToken: first.NextToken! })))).toEqual({
      name: 'InvalidArgumentException',
      message: 'NextToken and StreamName cannot be provided together.',
      status: 400,
    });
    expect(await awsError(client.send(new ListShardsCommand({})))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Either NextToken or StreamName should be provided.',
    });
    expect(await awsError(client.send(new ListShardsCommand({ StreamName: 'nope' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Stream nope under account 000000000000 not found.',
    });
  });

  it('filters by ShardFilter and hides shards expired after a split', async () => {
    clock.advance(60_000);
    const beforeSplit = clock.now();
    clock.advance(60_000);
    await client.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '1000' }));
    clock.advance(0);
    await waitFor(() => k.service.store.get('s')?.meta.shards.length === 7 && k.service.store.get('s')?.meta.status === 'ACTIVE');
    clock.advance(60_000);
    const byFilter = (f: ShardFilter) => ids({ StreamName: 's', ShardFilter: f });
    const rest = ['shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003', 'shardId-000000000004'];
    expect(await byFilter({ Type: 'FROM_TRIM_HORIZON' })).toEqual(['shardId-000000000000', ...rest, 'shardId-000000000005', 'shardId-000000000006']);
    expect(await byFilter({ Type: 'AT_TRIM_HORIZON' })).toEqual(['shardId-000000000000', ...rest]);
    expect(await byFilter({ Type: 'AT_LATEST' })).toEqual([...rest, 'shardId-000000000005', 'shardId-000000000006']);
    expect(await byFilter({ Type: 'AT_TIMESTAMP', Timestamp: new Date(beforeSplit) })).toEqual(['shardId-000000000000', ...rest]);
    expect(await byFilter({ Type: 'AT_TIMESTAMP', Timestamp: new Date(clock.now()) })).toEqual([...rest, 'shardId-000000000005', 'shardId-000000000006']);
    expect(await byFilter({ Type: 'FROM_TIMESTAMP', Timestamp: new Date(beforeSplit) })).toEqual(['shardId-000000000000', ...rest, 'shardId-000000000005', 'shardId-000000000006']);
    expect(await byFilter({ Type: 'AFTER_SHARD_ID', ShardId: 'shardId-000000000004' })).toEqual(['shardId-000000000005', 'shardId-000000000006']);
    expect(await awsError(client.send(new ListShardsCommand({ StreamName: 's', ShardFilter: { Type: 'AFTER_SHARD_ID' } })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'ShardId must be specified in the ShardFilter when the Type is AFTER_SHARD_ID.',
    });
    // 24 h after it closed, the parent's records have all expired: it is hidden and gone for readers.
    clock.advance(24 * HOUR);
    expect(await ids({ StreamName: 's' })).toEqual([...rest, 'shardId-000000000005', 'shardId-000000000006']);
    expect(await awsError(client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-0', ShardIteratorType: 'TRIM_HORIZON' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Shard shardId-000000000000 in stream s under account 000000000000 does not exist',
    });
  });
});
