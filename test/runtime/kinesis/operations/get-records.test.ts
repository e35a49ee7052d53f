import {
  DeleteStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  PutRecordsCommand,
  StartStreamEncryptionCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { awsError, kinesisTransports, startKinesis, waitFor, type KinesisHarness } from '../../../helpers/kinesis.ts';

const T0 = Date.UTC(2026, 0, 1, 12);
const text = (d: Uint8Array | undefined): string => new TextDecoder().decode(d);

describe.each(kinesisTransports())('GetRecords over %s', (transport) => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  let client: KinesisClient;

  async function iterator(type: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON', shardId = 'shardId-000000000000'): Promise<string> {
    return (await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: shardId, ShardIteratorType: type }))).ShardIterator!;
  }

  beforeEach(async () => {
    clock = new VirtualClock(T0);
    k = await startKinesis({ clock });
    client = k.client(transport);
    await k.service.call('CreateStream', { StreamName: 's', ShardCount: 1 });
    clock.advance(0);
  });
  afterEach(async () => {
    await k.close();
  });

  it('returns records in AWS’s shape, pages with Limit and reports MillisBehindLatest', async () => {
    const put = await client.send(
      new PutRecordsCommand({ StreamName: 's', Records: ['a', 'b', 'c'].map((d) => ({ PartitionKey: `k-${d}`, Data: new TextEncoder().encode(d) })) }),
    );
    clock.advance(5000);
    const first = await client.send(new GetRecordsCommand({ ShardIterator: await iterator(), Limit: 2 }));
    expect(first.Records).toEqual([
      { SequenceNumber: put.Records![0]!.SequenceNumber, ApproximateArrivalTimestamp: new Date(T0), Data: new TextEncoder().encode('a'), PartitionKey: 'k-a' },
      { SequenceNumber: put.Records![1]!.SequenceNumber, ApproximateArrivalTimestamp: new Date(T0), Data: new TextEncoder().encode('b'), PartitionKey: 'k-b' },
    ]);
    // One record left, the newest returned arrived 5 s ago.
    expect(first.MillisBehindLatest).toBe(5000);
    expect(first.ChildShards).toBeUndefined();
    const second = await client.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator! }));
    expect(second.Records!.map((r) => text(r.Data))).toEqual(['c']);
    expect(second.MillisBehindLatest).toBe(0);
    const third = await client.send(new GetRecordsCommand({ ShardIterator: second.NextShardIterator! }));
    expect(third.Records).toEqual([]);
    expect(third.NextShardIterator).toEqual(expect.any(String));
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: new TextEncoder().encode('d') }));
    const fourth = await client.send(new GetRecordsCommand({ ShardIterator: third.NextShardIterator! }));
    expect(fourth.Records!.map((r) => text(r.Data))).toEqual(['d']);
  });

  it('expires iterators after 300 000 ms of the clock with AWS’s message', async () => {
    const it = await iterator();
    clock.advance(300_000);
    await client.send(new GetRecordsCommand({ ShardIterator: it }));
    clock.advance(1);
    expect(await awsError(client.send(new GetRecordsCommand({ ShardIterator: it })))).toEqual({
      name: 'ExpiredIteratorException',
      message:
        'Iterator expired. The iterator was created at time Thu Jan 01 12:00:00 UTC 2026 while right now it is ' +
        'Thu Jan 01 12:05:00 UTC 2026 which is further in the future than the tolerated delay of 300000 milliseconds.',
      status: 400,
    });
  });

  it('refuses garbage iterators, a Limit over 10000 and iterators of a deleted stream', async () => {
    expect(await awsError(client.send(new GetRecordsCommand({ ShardIterator: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })))).toEqual({
      name: 'InvalidArgumentException',
      message: 'Invalid ShardIterator.',
      status: 400,
    });
    const it = await iterator();
    const tampered = (it[10] === 'A' ? 'B' : 'A');
    expect(await awsError(client.send(new GetRecordsCommand({ ShardIterator: it.slice(0, 10) + tampered + it.slice(11) })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Invalid ShardIterator.',
    });
    expect(await awsError(client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 100000 })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value '100000' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
    });
    await client.send(new DeleteStreamCommand({ StreamName: 's' }));
    clock.advance(0);
    expect(await awsError(client.send(new GetRecordsCommand({ ShardIterator: it })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Shard shardId-000000000000 in stream s under account 000000000000 does not exist',
      status: 400,
    });
  });

  it('skips records older than the retention period', async () => {
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: new TextEncoder().encode('old') }));
    clock.advance(24 * 3_600_000 - 1000);
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: new TextEncoder().encode('new') }));
    const it = await iterator();
    expect((await client.send(new GetRecordsCommand({ ShardIterator: it }))).Records!.map((r) => text(r.Data))).toEqual(['old', 'new']);
    clock.advance(1001); // 'old' is now more than 24 h old
    const out = await client.send(new GetRecordsCommand({ ShardIterator: it }));
    expect(out.Records!.map((r) => text(r.Data))).toEqual(['new']);
    expect((await client.send(new GetRecordsCommand({ ShardIterator: await iterator() }))).Records!.map((r) => text(r.Data))).toEqual(['new']);
  });

  it('marks records written while the stream is encrypted', async () => {
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: new TextEncoder().encode('plain') }));
    await client.send(new StartStreamEncryptionCommand({ StreamName: 's', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    clock.advance(0);
    const put = await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: new TextEncoder().encode('secret') }));
    expect(put.EncryptionType).toBe('KMS');
    const out = await client.send(new GetRecordsCommand({ ShardIterator: await iterator() }));
    expect(out.Records!.map((r) => [text(r.Data), r.EncryptionType])).toEqual([
      ['plain', undefined],
      ['secret', 'KMS'],
    ]);
  });
});

describe('GetRecords size limit', () => {
  it('returns at most 10 MiB of data per call (at least one record)', async () => {
    const k = await startKinesis();
    try {
      await k.service.call('CreateStream', { StreamName: 'big', ShardCount: 1, MaxRecordSizeInKiB: 10240 });
      await waitFor(() => k.service.store.get('big')?.meta.status === 'ACTIVE');
      const client = k.client('h2');
      for (const fill of [1, 2, 3]) {
        await client.send(new PutRecordCommand({ StreamName: 'big', PartitionKey: 'k', Data: new Uint8Array(4 * 1024 * 1024).fill(fill) }));
      }
      let it = (await client.send(new GetShardIteratorCommand({ StreamName: 'big', ShardId: 'shardId-0', ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      const sizes: number[][] = [];
      for (let i = 0; i < 2; i++) {
        const out = await client.send(new GetRecordsCommand({ ShardIterator: it! }));
        sizes.push(out.Records!.map((r) => r.Data![0]!));
        it = out.NextShardIterator;
      }
      // 4 + 4 MiB fit in 10 MiB; the third would pass it.
      expect(sizes).toEqual([[1, 2], [3]]);
    } finally {
      await k.close();
    }
  });
});

describe('GetRecords with limits enforced', () => {
  it('throws ProvisionedThroughputExceededException past 5 calls per second per shard', async () => {
    const clock = new VirtualClock(T0);
    const k = await startKinesis({ clock, enforceLimits: true });
    try {
      await k.service.call('CreateStream', { StreamName: 's', ShardCount: 1 });
      clock.advance(0);
      const client = k.client('h2');
      let it = (await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-0', ShardIteratorType: 'LATEST' }))).ShardIterator!;
      for (let i = 0; i < 5; i++) it = (await client.send(new GetRecordsCommand({ ShardIterator: it }))).NextShardIterator!;
      expect(await awsError(client.send(new GetRecordsCommand({ ShardIterator: it })))).toEqual({
        name: 'ProvisionedThroughputExceededException',
        message: 'Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.',
        status: 400,
      });
      clock.advance(1000);
      await client.send(new GetRecordsCommand({ ShardIterator: it }));
    } finally {
      await k.close();
    }
  });
});
