import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, MergeShardsCommand, PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { createTimeLayout } from '../../../../runtime/kinesis/model/hash.ts';
import { awsError, kinesisTransports, startKinesis, waitFor, type KinesisHarness } from '../../../helpers/kinesis.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (d: Uint8Array | undefined): string => new TextDecoder().decode(d);
const L3 = createTimeLayout(3);

describe.each(kinesisTransports())('MergeShards over %s', (transport) => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  let client: KinesisClient;

  async function readShard(id: string) {
    const it = await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }));
    return client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
  }

  beforeEach(async () => {
    clock = new VirtualClock();
    k = await startKinesis({ clock });
    client = k.client(transport);
    await k.service.call('CreateStream', { StreamName: 's', ShardCount: 3 });
    clock.advance(0);
  });
  afterEach(async () => {
    await k.close();
  });

  it('merges two adjacent shards into one child; each parent ends with ChildShards naming both parents', async () => {
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'x', Data: enc('p1'), ExplicitHashKey: L3[1]!.startingHashKey }));
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'x', Data: enc('p2'), ExplicitHashKey: L3[2]!.startingHashKey }));
    // Given in either order: the pair only has to be adjacent.
    await client.send(new MergeShardsCommand({ StreamName: 's', ShardToMerge: 'shardId-000000000002', AdjacentShardToMerge: 'shardId-000000000001' }));
    clock.advance(0);
    await waitFor(() => k.service.store.get('s')?.meta.status === 'ACTIVE');
    const shards = (await client.send(new ListShardsCommand({ StreamName: 's' }))).Shards!;
    expect(shards.at(-1)).toMatchObject({
      ShardId: 'shardId-000000000003',
      ParentShardId: 'shardId-000000000002',
      AdjacentParentShardId: 'shardId-000000000001',
      HashKeyRange: { StartingHashKey: L3[1]!.startingHashKey, EndingHashKey: L3[2]!.endingHashKey },
    });
    const child = {
      ShardId: 'shardId-000000000003',
      ParentShards: ['shardId-000000000002', 'shardId-000000000001'],
      HashKeyRange: { StartingHashKey: L3[1]!.startingHashKey, EndingHashKey: L3[2]!.endingHashKey },
    };
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'x', Data: enc('c'), ExplicitHashKey: L3[2]!.startingHashKey }));
    for (const [id, data] of [['shardId-000000000001', 'p1'], ['shardId-000000000002', 'p2']] as const) {
      const out = await readShard(id);
      expect(out.Records!.map((r) => text(r.Data))).toEqual([data]);
      expect(out.NextShardIterator).toBeUndefined();
      expect(out.ChildShards).toEqual([child]);
    }
    const merged = await readShard('shardId-000000000003');
    expect(merged.Records!.map((r) => text(r.Data))).toEqual(['c']);
    expect(merged.NextShardIterator).toEqual(expect.any(String));
  });

  it('refuses shards that are not adjacent, unknown or closed with AWS’s messages', async () => {
    expect(await awsError(client.send(new MergeShardsCommand({ StreamName: 's', ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000002' })))).toEqual({
      name: 'InvalidArgumentException',
      message: 'Shards shardId-000000000000 and shardId-000000000002 in stream s under account 000000000000 are not an adjacent pair of shards eligible for merging',
      status: 400,
    });
    expect(await awsError(client.send(new MergeShardsCommand({ StreamName: 's', ShardToMerge: 'shardId-0', AdjacentShardToMerge: 'shardId-9' })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Could not find shard shardId-000000000009 in stream s under account 000000000000.',
      status: 400,
    });
    await client.send(new MergeShardsCommand({ StreamName: 's', ShardToMerge: 'shardId-0', AdjacentShardToMerge: 'shardId-1' }));
    clock.advance(0);
    await waitFor(() => k.service.store.get('s')?.meta.status === 'ACTIVE');
    expect(await awsError(client.send(new MergeShardsCommand({ StreamName: 's', ShardToMerge: 'shardId-1', AdjacentShardToMerge: 'shardId-2' })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Shard shardId-000000000001 in stream s under account 000000000000 has already been merged or split, and thus is not eligible for merging.',
    });
  });
});
