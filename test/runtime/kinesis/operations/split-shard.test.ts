import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { openDiskRoot } from '../../../../runtime/log/disk-root.ts';
import { awsError, kinesisTransports, startKinesis, waitFor, type KinesisHarness } from '../../../helpers/kinesis.ts';

const T0 = Date.UTC(2026, 0, 1, 12);
const MAX = '340282366920938463463374607431768211455';
const MID = '170141183460469231731687303715884105728';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (d: Uint8Array | undefined): string => new TextDecoder().decode(d);

describe.each(kinesisTransports())('SplitShard over %s', (transport) => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  let client: KinesisClient;

  const status = async (): Promise<string | undefined> =>
    (await client.send(new DescribeStreamSummaryCommand({ StreamName: 's' }))).StreamDescriptionSummary?.StreamStatus;
  /** Ends the UPDATING period on the virtual clock and waits for the new shard map. */
  async function finishUpdate(): Promise<void> {
    clock.advance(1000);
    await waitFor(async () => (await status()) === 'ACTIVE');
  }
  const put = async (d: string, hashKey?: string) =>
    client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: d, Data: enc(d), ...(hashKey ? { ExplicitHashKey: hashKey } : {}) }));

  beforeEach(async () => {
    clock = new VirtualClock(T0);
    k = await startKinesis({ clock, statusDelayMs: 1000 });
    client = k.client(transport);
    await k.service.call('CreateStream', { StreamName: 's', ShardCount: 1 });
    clock.advance(1000);
  });
  afterEach(async () => {
    await k.close();
  });

  it('closes the parent after UPDATING and routes to two children; reads go parent first, ChildShards at its end', async () => {
    await put('a');
    await put('b');
    expect(await client.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: MID }))).toBeDefined();
    expect(await status()).toBe('UPDATING');
    // Writes and reads keep working while UPDATING; the split takes effect at its end.
    expect((await put('c', MAX)).ShardId).toBe('shardId-000000000000');
    expect(await awsError(client.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: MID })))).toEqual({
      name: 'ResourceInUseException',
      message: 'Stream s under account 000000000000 not ACTIVE, instead in state UPDATING',
      status: 400,
    });
    await finishUpdate();

    const shards = (await client.send(new ListShardsCommand({ StreamName: 's' }))).Shards!;
    expect(shards.map((s) => [s.ShardId, s.ParentShardId, s.HashKeyRange])).toEqual([
      ['shardId-000000000000', undefined, { StartingHashKey: '0', EndingHashKey: MAX }],
      ['shardId-000000000001', 'shardId-000000000000', { StartingHashKey: '0', EndingHashKey: '170141183460469231731687303715884105727' }],
      ['shardId-000000000002', 'shardId-000000000000', { StartingHashKey: MID, EndingHashKey: MAX }],
    ]);
    const ending = shards[0]!.SequenceNumberRange!.EndingSequenceNumber!;
    expect(ending).toMatch(/^\d{56}$/);
    expect(shards[1]!.SequenceNumberRange!.EndingSequenceNumber).toBeUndefined();
    expect((await put('d', '0')).ShardId).toBe('shardId-000000000001');
    expect((await put('e', MAX)).ShardId).toBe('shardId-000000000002');

    // The parent, a record at a time: no ChildShards until its end, then no NextShardIterator.
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    const parentData: string[] = [];
    let last;
    for (;;) {
      last = await client.send(new GetRecordsCommand({ ShardIterator: it!, Limit: 1 }));
      parentData.push(...last.Records!.map((r) => text(r.Data)));
      if (!last.NextShardIterator) break;
      expect(last.ChildShards).toBeUndefined();
      it = last.NextShardIterator;
    }
    expect(parentData).toEqual(['a', 'b', 'c']);
    expect(last.ChildShards).toEqual([
      { ShardId: 'shardId-000000000001', ParentShards: ['shardId-000000000000'], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '170141183460469231731687303715884105727' } },
      { ShardId: 'shardId-000000000002', ParentShards: ['shardId-000000000000'], HashKeyRange: { StartingHashKey: MID, EndingHashKey: MAX } },
    ]);
    expect(last.MillisBehindLatest).toBe(0);
    // The parent's last record is at its EndingSequenceNumber; LATEST on it gives an iterator at its end.
    const atEnd = await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-0', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: ending }));
    expect((await client.send(new GetRecordsCommand({ ShardIterator: atEnd.ShardIterator! }))).Records!.map((r) => text(r.Data))).toEqual(['c']);
    const latest = await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-0', ShardIteratorType: 'LATEST' }));
    const end = await client.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator! }));
    expect(end.Records).toEqual([]);
    expect(end.NextShardIterator).toBeUndefined();
    expect(end.ChildShards).toHaveLength(2);
    // Then the children.
    for (const [id, want] of [['shardId-000000000001', ['d']], ['shardId-000000000002', ['e']]] as const) {
      const cit = await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }));
      const got = await client.send(new GetRecordsCommand({ ShardIterator: cit.ShardIterator! }));
      expect(got.Records!.map((r) => text(r.Data))).toEqual(want);
      expect(got.NextShardIterator).toEqual(expect.any(String));
    }
  });

  it('refuses keys outside the shard, unknown and closed shards, and on-demand streams with AWS’s messages', async () => {
    expect(await awsError(client.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-0', NewStartingHashKey: '1' })))).toEqual({
      name: 'InvalidArgumentException',
      message:
        "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream s under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey " +
        `${MAX}.`,
      status: 400,
    });
    expect(await awsError(client.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-000000000005', NewStartingHashKey: MID })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Could not find shard shardId-000000000005 in stream s under account 000000000000.',
      status: 400,
    });
    expect(await awsError(client.send(new SplitShardCommand({ StreamName: 'nope', ShardToSplit: 'shardId-0', NewStartingHashKey: MID })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Stream nope under account 000000000000 not found.',
    });
    await client.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-0', NewStartingHashKey: MID }));
    await finishUpdate();
    expect(await awsError(client.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-0', NewStartingHashKey: '5' })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Shard shardId-000000000000 in stream s under account 000000000000 has already been merged or split, and thus is not eligible for splitting.',
    });
    await client.send(new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    clock.advance(1000);
    expect(await awsError(client.send(new SplitShardCommand({ StreamName: 'od', ShardToSplit: 'shardId-0', NewStartingHashKey: '5' })))).toEqual({
      name: 'ValidationException',
      message:
        'SplitShard is not supported for stream od under account 000000000000 because it is in ON_DEMAND capacity mode. This API is only supported for streams in PROVISIONED mode.',
      status: 400,
    });
  });
});

describe('SplitShard on a disk root', () => {
  it('keeps the new shard map and every record across a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    try {
      const root = await openDiskRoot(dir, { fsync: false });
      const k = await startKinesis({ root });
      const client = k.client('h2');
      await k.service.call('CreateStream', { StreamName: 's', ShardCount: 1 });
      await waitFor(() => k.service.store.get('s')?.meta.status === 'ACTIVE');
      await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'a', Data: enc('a') }));
      await client.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-0', NewStartingHashKey: MID }));
      await waitFor(() => k.service.store.get('s')?.meta.status === 'ACTIVE' && k.service.store.get('s')!.meta.shards.length === 3);
      await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'b', Data: enc('b'), ExplicitHashKey: '0' }));
      await k.close();
      await root.close();

      const root2 = await openDiskRoot(dir, { fsync: false });
      const k2 = await startKinesis({ root: root2 });
      try {
        const c2 = k2.client('h1');
        const shards = (await c2.send(new ListShardsCommand({ StreamName: 's' }))).Shards!;
        expect(shards.map((s) => [s.ShardId, s.SequenceNumberRange!.EndingSequenceNumber !== undefined])).toEqual([
          ['shardId-000000000000', true],
          ['shardId-000000000001', false],
          ['shardId-000000000002', false],
        ]);
        for (const [id, want] of [['shardId-0', ['a']], ['shardId-1', ['b']]] as const) {
          const it = await c2.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }));
          expect((await c2.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }))).Records!.map((r) => text(r.Data))).toEqual(want);
        }
      } finally {
        await k2.close();
        await root2.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('SplitShard under load', () => {
  it('loses and duplicates no acknowledged record, and keeps per-key order, while puts race the switch', async () => {
    const k = await startKinesis({ disk: true, statusDelayMs: 20 });
    try {
      const client = k.client('h2');
      await k.service.call('CreateStream', { StreamName: 's', ShardCount: 1 });
      await waitFor(() => k.service.store.get('s')?.meta.status === 'ACTIVE');
      const acked: Array<{ key: string; n: number; seq: string; shard: string }> = [];
      let stop = false;
      let counter = 0;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        while (!stop) {
          const batch = Array.from({ length: 50 }, () => ({ key: `k${w}-${counter % 7}`, n: counter++ }));
          const out = await client.send(
            new PutRecordsCommand({ StreamName: 's', Records: batch.map((b) => ({ PartitionKey: b.key, Data: enc(String(b.n)) })) }),
          );
          out.Records!.forEach((r, i) => acked.push({ key: batch[i]!.key, n: batch[i]!.n, seq: r.SequenceNumber!, shard: r.ShardId! }));
        }
      });
      await waitFor(() => acked.length > 500);
      await client.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-0', NewStartingHashKey: MID }));
      await waitFor(() => k.service.store.get('s')?.meta.shards.length === 3 && k.service.store.get('s')?.meta.status === 'ACTIVE');
      const afterSwitch = acked.length;
      await waitFor(() => acked.length > afterSwitch + 500);
      stop = true;
      await Promise.all(writers);

      const read = new Map<string, Array<{ n: number; seq: string }>>();
      for (const id of ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']) {
        let it = (await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
        const got: Array<{ n: number; seq: string }> = [];
        for (;;) {
          const out = await client.send(new GetRecordsCommand({ ShardIterator: it! }));
          got.push(...out.Records!.map((r) => ({ n: Number(text(r.Data)), seq: r.SequenceNumber! })));
          if (!out.NextShardIterator || out.Records!.length === 0) break;
          it = out.NextShardIterator;
        }
        read.set(id, got);
      }
      expect(new Set(acked.map((a) => a.shard))).toEqual(new Set(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']));
      // Every acknowledged record is where PutRecords said, with its sequence number, exactly once.
      for (const [id, got] of read) {
        const mine = acked.filter((a) => a.shard === id).sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
        expect(got).toEqual(mine.map((a) => ({ n: a.n, seq: a.seq })));
      }
      // Per key, parent then child preserves the order the writer put them in.
      const byKey = new Map<string, number[]>();
      for (const id of ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']) {
        for (const r of read.get(id)!) {
          const key = acked.find((a) => a.n === r.n)!.key;
          byKey.set(key, [...(byKey.get(key) ?? []), r.n]);
        }
      }
      for (const ns of byKey.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b));
    } finally {
      await k.close();
    }
  });
});

describe('SplitShard across a restart in its UPDATING period', () => {
  it('still applies the split when the period ends after eddy reopens the data dir', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    try {
      const clock = new VirtualClock(T0);
      const root = await openDiskRoot(dir, { fsync: false });
      const k = await startKinesis({ root, clock, statusDelayMs: 60_000 });
      await k.service.call('CreateStream', { StreamName: 's', ShardCount: 1 });
      clock.advance(60_000);
      await waitFor(() => k.service.store.get('s')?.meta.status === 'ACTIVE');
      await k.client('h2').send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-0', NewStartingHashKey: MID }));
      clock.advance(1000);
      await k.close();
      await root.close();

      const root2 = await openDiskRoot(dir, { fsync: false });
      const k2 = await startKinesis({ root: root2, clock, statusDelayMs: 60_000 });
      try {
        const client = k2.client('h1');
        expect(k2.service.store.get('s')!.meta.status).toBe('UPDATING');
        // Writes keep going to the parent until the period ends.
        expect((await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'a', Data: enc('a') }))).ShardId).toBe('shardId-000000000000');
        clock.advance(59_000);
        await waitFor(() => k2.service.store.get('s')?.meta.status === 'ACTIVE');
        const shards = (await client.send(new ListShardsCommand({ StreamName: 's' }))).Shards!;
        expect(shards.map((s) => [s.ShardId, s.ParentShardId])).toEqual([
          ['shardId-000000000000', undefined],
          ['shardId-000000000001', 'shardId-000000000000'],
          ['shardId-000000000002', 'shardId-000000000000'],
        ]);
        expect((await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'b', Data: enc('b'), ExplicitHashKey: '0' }))).ShardId).toBe(
          'shardId-000000000001',
        );
        const it = await client.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-0', ShardIteratorType: 'TRIM_HORIZON' }));
        const parent = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
        expect(parent.Records!.map((r) => text(r.Data))).toEqual(['a']);
        expect(parent.NextShardIterator).toBeUndefined();
      } finally {
        await k2.close();
        await root2.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
