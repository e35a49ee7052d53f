import { GetRecordsCommand, GetShardIteratorCommand, PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { awsError, kinesisTransports, startKinesis, type KinesisHarness } from '../../../helpers/kinesis.ts';

const T0 = Date.UTC(2026, 0, 1, 12);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe.each(kinesisTransports())('GetShardIterator over %s', (transport) => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  let client: KinesisClient;
  const seqs: string[] = [];

  async function read(input: Omit<ConstructorParameters<typeof GetShardIteratorCommand>[0], 'StreamName'>): Promise<string[]> {
    const it = await client.send(new GetShardIteratorCommand({ StreamName: 's', ...input }));
    expect(it.ShardIterator!.length).toBeLessThanOrEqual(512);
    const out = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
    return out.Records!.map((r) => new TextDecoder().decode(r.Data));
  }

  beforeEach(async () => {
    clock = new VirtualClock(T0);
    k = await startKinesis({ clock });
    client = k.client(transport);
    await k.service.call('CreateStream', { StreamName: 's', ShardCount: 2 });
    clock.advance(0);
    seqs.length = 0;
    // a at T0, b at T0 + 1 s, c at T0 + 2 s, all on shard 0.
    for (const d of ['a', 'b', 'c']) {
      seqs.push((await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'pk', Data: bytes(d) }))).SequenceNumber!);
      clock.advance(1000);
    }
  });
  afterEach(async () => {
    await k.close();
  });

  it('starts where each of the five types says', async () => {
    expect(await read({ ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' })).toEqual(['a', 'b', 'c']);
    expect(await read({ ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: seqs[1] })).toEqual(['b', 'c']);
    expect(await read({ ShardId: 'shardId-000000000000', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: seqs[1] })).toEqual(['c']);
    expect(await read({ ShardId: 'shardId-000000000000', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: seqs[2] })).toEqual([]);
    expect(await read({ ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(T0 + 1000) })).toEqual(['b', 'c']);
    expect(await read({ ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(T0 + 1500) })).toEqual(['c']);
    // Before the oldest record: as TRIM_HORIZON.
    expect(await read({ ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(T0 - 3_600_000) })).toEqual(['a', 'b', 'c']);
    const latest = await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'LATEST' }));
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'pk', Data: bytes('d') }));
    const after = await client.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator! }));
    expect(after.Records!.map((r) => new TextDecoder().decode(r.Data))).toEqual(['d']);
  });

  it('accepts short shard ids and the StreamARN', async () => {
    expect(await read({ ShardId: 'shardId-0', ShardIteratorType: 'TRIM_HORIZON' })).toEqual(['a', 'b', 'c']);
    expect(await read({ ShardId: '0', ShardIteratorType: 'TRIM_HORIZON' })).toEqual(['a', 'b', 'c']);
    const it = await client.send(
      new GetShardIteratorCommand({ StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s', ShardId: 'shardId-000000000001', ShardIteratorType: 'TRIM_HORIZON' }),
    );
    expect((await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }))).Records).toEqual([]);
  });

  it('refuses inconsistent arguments with AWS’s messages', async () => {
    const fail = (input: Omit<ConstructorParameters<typeof GetShardIteratorCommand>[0], 'StreamName'>, stream = 's') =>
      awsError(client.send(new GetShardIteratorCommand({ StreamName: stream, ...input })));
    const either =
      'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. ';
    expect(await fail({ ShardId: 'shardId-0', ShardIteratorType: 'AT_SEQUENCE_NUMBER' })).toEqual({
      name: 'InvalidArgumentException',
      message: `${either}Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.`,
      status: 400,
    });
    expect(await fail({ ShardId: 'shardId-0', ShardIteratorType: 'TRIM_HORIZON', StartingSequenceNumber: seqs[0] })).toMatchObject({
      name: 'InvalidArgumentException',
      message: `${either}Request specified TRIM_HORIZON and also a StartingSequenceNumber.`,
    });
    expect(await fail({ ShardId: 'shardId-0', ShardIteratorType: 'AT_TIMESTAMP' })).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.',
    });
    const now = clock.now();
    expect(await fail({ ShardId: 'shardId-0', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(now + 1) })).toMatchObject({
      name: 'InvalidArgumentException',
      message: `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${now + 1}, currentTimestampInMillis: ${now}`,
    });
    expect(await fail({ ShardId: 'shardId-000000000001', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: seqs[0] })).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in a call to a shard with shardId-000000000001',
    });
    expect(await fail({ ShardId: 'shardId-0', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: '12345' })).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'StartingSequenceNumber 12345 used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid.',
    });
    expect(await fail({ ShardId: 'shardId-000000000009', ShardIteratorType: 'LATEST' })).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Shard shardId-000000000009 in stream s under account 000000000000 does not exist',
      status: 400,
    });
    expect(await fail({ ShardId: 'shardId-0', ShardIteratorType: 'LATEST' }, 'nope')).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Shard shardId-000000000000 in stream nope under account 000000000000 does not exist',
    });
    expect(await fail({ ShardId: 'abc', ShardIteratorType: 'LATEST' })).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Could not find shard abc in stream s under account 000000000000.',
    });
    expect(await fail({ ShardId: 'shardId-0', ShardIteratorType: 'NEWEST' as 'LATEST' })).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value 'NEWEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]",
    });
  });
});
