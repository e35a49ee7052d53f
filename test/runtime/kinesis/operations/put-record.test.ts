import { GetRecordsCommand, GetShardIteratorCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { parseSequenceNumber } from '../../../../runtime/kinesis/model/sequence.ts';
import { awsError, createActiveStream, kinesisTransports, startKinesis, type KinesisHarness } from '../../../helpers/kinesis.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe.each(kinesisTransports())('PutRecord over %s', (transport) => {
  let k: KinesisHarness;
  beforeEach(async () => {
    k = await startKinesis();
  });
  afterEach(async () => {
    await k.close();
  });

  it('routes by the MD5 of the partition key (reference examples) and answers AWS’s shape', async () => {
    await createActiveStream(k, 's', 4);
    const client = k.client(transport);
    const a = await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'pk', Data: bytes('hello') }));
    expect(a.ShardId).toBe('shardId-000000000000');
    expect(a.SequenceNumber).toMatch(/^\d{56}$/);
    expect(a.EncryptionType).toBe('NONE');
    const b = await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: '1', Data: bytes('x') }));
    expect(b.ShardId).toBe('shardId-000000000003');
    // StreamARN names the stream as well as StreamName.
    const c = await client.send(
      new PutRecordCommand({ StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s', PartitionKey: 'pk', Data: bytes('y') }),
    );
    expect(c.ShardId).toBe('shardId-000000000000');
    expect(BigInt(c.SequenceNumber!)).toBeGreaterThan(BigInt(a.SequenceNumber!));
    expect(parseSequenceNumber(c.SequenceNumber!)).toMatchObject({ shardOrdinal: 0, position: 2n });
  });

  it('lets ExplicitHashKey override the partition key and refuses one out of range', async () => {
    await createActiveStream(k, 's', 4);
    const client = k.client(transport);
    const out = await client.send(
      new PutRecordCommand({ StreamName: 's', PartitionKey: 'pk', ExplicitHashKey: '340282366920938463463374607431768211455', Data: bytes('z') }),
    );
    expect(out.ShardId).toBe('shardId-000000000003');
    expect(await awsError(client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'pk', ExplicitHashKey: '340282366920938463463374607431768211456', Data: bytes('z') })))).toEqual({
      name: 'InvalidArgumentException',
      message: 'Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456',
      status: 400,
    });
  });

  it('keeps sequence numbers strictly rising and SequenceNumberForOrdering checked', async () => {
    await createActiveStream(k, 's', 1);
    const client = k.client(transport);
    let prev = 0n;
    let last = '';
    for (let i = 0; i < 5; i++) {
      const out = await client.send(
        new PutRecordCommand({ StreamName: 's', PartitionKey: `k${i}`, Data: bytes(String(i)), ...(last ? { SequenceNumberForOrdering: last } : {}) }),
      );
      expect(BigInt(out.SequenceNumber!)).toBeGreaterThan(prev);
      prev = BigInt(out.SequenceNumber!);
      last = out.SequenceNumber!;
    }
    expect(await awsError(client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: bytes('x'), SequenceNumberForOrdering: '12345' })))).toEqual({
      name: 'InvalidArgumentException',
      message: 'ExclusiveMinimumSequenceNumber 12345 used in PutRecord on stream s under account 000000000000 is invalid.',
      status: 400,
    });
  });

  it('refuses records over the stream’s MaxRecordSizeInKiB, counting the partition key', async () => {
    await createActiveStream(k, 's', 1);
    const client = k.client(transport);
    const big = new Uint8Array(1024 * 1024 + 1);
    expect(await awsError(client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: big })))).toEqual({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
      status: 400,
    });
    const exact = new Uint8Array(1024 * 1024);
    expect(await awsError(client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: exact })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Record size 1048577 bytes (data blob plus partition key) exceeds the maximum record size of 1024 KiB for stream s.',
    });
    const fits = await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: exact.subarray(1) }));
    expect(fits.ShardId).toBe('shardId-000000000000');
    // Read back byte-identical.
    const it0 = await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-0', ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await client.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator! }));
    expect(got.Records!.map((r) => r.Data!.length)).toEqual([1024 * 1024 - 1]);
  });

  it('refuses an unknown stream and a null partition key with AWS’s messages', async () => {
    const client = k.client(transport);
    expect(await awsError(client.send(new PutRecordCommand({ StreamName: 'nope', PartitionKey: 'k', Data: bytes('x') })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Stream nope under account 000000000000 not found.',
      status: 400,
    });
    expect(await awsError(client.send(new PutRecordCommand({ StreamName: 'nope', PartitionKey: undefined as unknown as string, Data: bytes('x') })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must not be null",
    });
  });
});

describe('PutRecord with limits enforced', () => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  beforeEach(async () => {
    clock = new VirtualClock();
    k = await startKinesis({ clock, enforceLimits: true });
    await k.service.call('CreateStream', { StreamName: 's', ShardCount: 1 });
    clock.advance(0);
  });
  afterEach(async () => {
    await k.close();
  });

  it('throws ProvisionedThroughputExceededException past 1 MiB/s of one shard', async () => {
    const client = k.client('h2');
    const half = new Uint8Array(512 * 1024 - 1);
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: half }));
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: half }));
    expect(await awsError(client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: half })))).toEqual({
      name: 'ProvisionedThroughputExceededException',
      message: 'Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.',
      status: 400,
    });
    clock.advance(500);
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: half }));
  });
});
