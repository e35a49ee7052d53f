import { GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { createTimeLayout, hashPartitionKey } from '../../../../runtime/kinesis/model/hash.ts';
import type { KinesisEvent } from '../../../../runtime/kinesis/types.ts';
import { awsError, createActiveStream, kinesisTransports, startKinesis, type KinesisHarness } from '../../../helpers/kinesis.ts';

async function readAll(client: KinesisClient, stream: string, shardId: string) {
  let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const out = [];
  for (;;) {
    const r = await client.send(new GetRecordsCommand({ ShardIterator: it! }));
    out.push(...r.Records!);
    if (r.Records!.length === 0) return out;
    it = r.NextShardIterator;
  }
}

describe.each(kinesisTransports())('PutRecords over %s', (transport) => {
  let k: KinesisHarness;
  beforeEach(async () => {
    k = await startKinesis();
  });
  afterEach(async () => {
    await k.close();
  });

  it('answers one result per entry in order, routed by MD5, and stores every record byte-identical', async () => {
    await createActiveStream(k, 's', 4);
    const events: KinesisEvent[] = [];
    k.service.onEvent((e) => events.push(e));
    const client = k.client(transport);
    const entries = Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `key-${i}`, Data: new Uint8Array([i & 0xff, i >> 8, 7]) }));
    const out = await client.send(new PutRecordsCommand({ StreamName: 's', Records: entries }));
    expect(out.FailedRecordCount).toBe(0);
    expect(out.EncryptionType).toBe('NONE');
    expect(out.Records).toHaveLength(500);
    const layout = createTimeLayout(4);
    out.Records!.forEach((r, i) => {
      const h = hashPartitionKey(`key-${i}`);
      const shard = layout.findIndex((x) => BigInt(x.startingHashKey) <= h && h <= BigInt(x.endingHashKey));
      expect(r).toEqual({ ShardId: `shardId-00000000000${shard}`, SequenceNumber: expect.stringMatching(/^\d{56}$/) });
    });
    let total = 0;
    for (let s = 0; s < 4; s++) {
      const shardId = `shardId-00000000000${s}`;
      const mine = out.Records!.map((r, i) => ({ r, i })).filter((x) => x.r.ShardId === shardId);
      const got = await readAll(client, 's', shardId);
      // In request order within the shard, with the sequence numbers PutRecords reported.
      expect(got.map((r) => r.SequenceNumber)).toEqual(mine.map((x) => x.r.SequenceNumber));
      expect(got.map((r) => [r.PartitionKey, [...r.Data!]])).toEqual(mine.map((x) => [`key-${x.i}`, [...entries[x.i]!.Data]]));
      total += got.length;
    }
    expect(total).toBe(500);
    const appended = events.filter((e) => e.type === 'appended');
    expect(appended.reduce((n, e) => n + (e.type === 'appended' ? e.records : 0), 0)).toBe(500);
    expect(appended.reduce((n, e) => n + (e.type === 'appended' ? e.payloadUnits : 0), 0)).toBe(500);
  });

  it('counts a payload unit per started 25 KB of each record', async () => {
    await createActiveStream(k, 's', 1);
    const events: KinesisEvent[] = [];
    k.service.onEvent((e) => events.push(e));
    await k.client(transport).send(
      new PutRecordsCommand({
        StreamName: 's',
        Records: [
          { PartitionKey: 'k', Data: new Uint8Array(25 * 1024 - 1) }, // 25 KB with the key: 1 unit
          { PartitionKey: 'k', Data: new Uint8Array(25 * 1024) }, // one byte over: 2 units
        ],
      }),
    );
    expect(events).toEqual([
      { type: 'appended', streamName: 's', shardId: 'shardId-000000000000', records: 2, bytes: 50 * 1024 + 1, payloadUnits: 3 },
    ]);
  });

  it('refuses more than 500 entries, an unknown stream and a bad ExplicitHashKey with AWS’s messages', async () => {
    await createActiveStream(k, 's', 1);
    const client = k.client(transport);
    const many = Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: new Uint8Array(1) }));
    const member = 'com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310';
    expect(await awsError(client.send(new PutRecordsCommand({ StreamName: 's', Records: many })))).toEqual({
      name: 'ValidationException',
      message:
        `1 validation error detected: Value '[${Array(501).fill(member).join(', ')}]' at 'records' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 500',
      status: 400,
    });
    expect(await awsError(client.send(new PutRecordsCommand({ StreamName: 'nope', Records: [{ PartitionKey: 'k', Data: new Uint8Array(1) }] })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Stream nope under account 000000000000 not found.',
      status: 400,
    });
    expect(
      await awsError(client.send(new PutRecordsCommand({ StreamName: 's', Records: [{ PartitionKey: 'k', ExplicitHashKey: '99999999999999999999999999999999999999999', Data: new Uint8Array(1) }] }))),
    ).toMatchObject({ name: 'ValidationException' }); // 41 digits fail the model pattern first
    expect(
      await awsError(client.send(new PutRecordsCommand({ StreamName: 's', Records: [{ PartitionKey: 'k', ExplicitHashKey: '340282366920938463463374607431768211456', Data: new Uint8Array(1) }] }))),
    ).toEqual({
      name: 'InvalidArgumentException',
      message: 'Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456',
      status: 400,
    });
    expect(
      await awsError(client.send(new PutRecordsCommand({ StreamName: 's', Records: [{ PartitionKey: 'k', Data: new Uint8Array(1) }, { PartitionKey: 'k', Data: new Uint8Array(1024 * 1024 + 1) }] }))),
    ).toEqual({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
      status: 400,
    });
  });
});

describe('PutRecords with limits enforced', () => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  beforeEach(async () => {
    clock = new VirtualClock();
    k = await startKinesis({ clock, enforceLimits: true });
    await k.service.call('CreateStream', { StreamName: 's', ShardCount: 2 });
    clock.advance(0);
  });
  afterEach(async () => {
    await k.close();
  });

  it('fails only the entries over their shard’s 1,000 records/s, each with AWS’s error', async () => {
    const events: KinesisEvent[] = [];
    k.service.onEvent((e) => events.push(e));
    const client = k.client('h2');
    // 400 records to shard 0 (ExplicitHashKey 0) and 100 to shard 1 per call: shard 0 passes 1,000 in the third.
    const batch = [
      ...Array.from({ length: 400 }, () => ({ PartitionKey: 'a', ExplicitHashKey: '0', Data: new Uint8Array(1) })),
      ...Array.from({ length: 100 }, () => ({ PartitionKey: 'b', ExplicitHashKey: '340282366920938463463374607431768211455', Data: new Uint8Array(1) })),
    ];
    expect((await client.send(new PutRecordsCommand({ StreamName: 's', Records: batch }))).FailedRecordCount).toBe(0);
    expect((await client.send(new PutRecordsCommand({ StreamName: 's', Records: batch }))).FailedRecordCount).toBe(0);
    const third = await client.send(new PutRecordsCommand({ StreamName: 's', Records: batch }));
    expect(third.FailedRecordCount).toBe(200);
    expect(third.Records!.slice(0, 200).every((r) => r.ShardId === 'shardId-000000000000' && r.SequenceNumber)).toBe(true);
    for (const r of third.Records!.slice(200, 400)) {
      expect(r).toEqual({
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: 'Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.',
      });
    }
    expect(third.Records!.slice(400).every((r) => r.ShardId === 'shardId-000000000001' && r.SequenceNumber)).toBe(true);
    expect(events.filter((e) => e.type === 'throttled')).toEqual([
      { type: 'throttled', streamName: 's', shardId: 'shardId-000000000000', operation: 'PutRecords' },
    ]);
    clock.advance(1000);
    expect((await client.send(new PutRecordsCommand({ StreamName: 's', Records: batch }))).FailedRecordCount).toBe(0);
  });
});
