// The stream store on its own: documents, lifecycle timers, lookups and the routing cache.
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { KinesisApiError } from '../../../../runtime/kinesis/errors.ts';
import { StreamStore, STREAM_DOCUMENTS } from '../../../../runtime/kinesis/model/streams.ts';
import type { StreamMeta } from '../../../../runtime/kinesis/model/types.ts';
import type { KinesisEvent } from '../../../../runtime/kinesis/types.ts';
import { MemoryLogRoot } from '../../../../runtime/log/memory-root.ts';

const stores: StreamStore[] = [];
async function open(
  root = new MemoryLogRoot(),
  clock = new VirtualClock(),
  events: KinesisEvent[] = [],
  resumeUpdate?: Parameters<typeof StreamStore.open>[0]['resumeUpdate'],
): Promise<StreamStore> {
  const store = await StreamStore.open({
    root,
    clock,
    region: 'us-east-1',
    accountId: '000000000000',
    statusDelayMs: 100,
    emit: (e) => events.push(e),
    ...(resumeUpdate ? { resumeUpdate } : {}),
  });
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function thrown(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof KinesisApiError) return { type: err.type, message: err.message };
    throw err;
  }
  throw new Error('expected a throw');
}

describe('StreamStore', () => {
  it('saves a document per stream on create and on every status change', async () => {
    const root = new MemoryLogRoot();
    const clock = new VirtualClock();
    const events: KinesisEvent[] = [];
    const store = await open(root, clock, events);
    await store.create({ name: 'a', shardCount: 2, mode: 'PROVISIONED', tags: { t: '1' } });
    let doc = (await root.loadDocuments(STREAM_DOCUMENTS)).get('a') as StreamMeta;
    expect(doc).toMatchObject({
      name: 'a',
      arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/a',
      status: 'CREATING',
      statusUntilMs: clock.now() + 100,
      mode: 'PROVISIONED',
      retentionPeriodHours: 24,
      encryptionType: 'NONE',
      maxRecordSizeInKiB: 1024,
      tags: { t: '1' },
      consumers: [],
      nextShardOrdinal: 2,
      storageKey: `a-${clock.now()}`,
    });
    expect(doc.shards.map((s) => s.shardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    clock.advance(100);
    await expect.poll(async () => ((await root.loadDocuments(STREAM_DOCUMENTS)).get('a') as StreamMeta).status).toBe('ACTIVE');
    doc = (await root.loadDocuments(STREAM_DOCUMENTS)).get('a') as StreamMeta;
    expect(doc.statusUntilMs).toBeUndefined();
    expect(events).toEqual([{ type: 'streamCreated', streamName: 'a' }]);
  });

  it('joins saves requested while one waits, and the last state wins', async () => {
    const root = new MemoryLogRoot();
    const store = await open(root);
    const stream = await store.create({ name: 'b', shardCount: 1, mode: 'PROVISIONED' });
    let writes = 0;
    const original = root.saveDocument.bind(root);
    root.saveDocument = async (kind, key, doc) => {
      writes++;
      await new Promise((r) => setTimeout(r, 5));
      return original(kind, key, doc);
    };
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) {
      stream.meta.tags['n'] = String(i);
      saves.push(store.save(stream));
    }
    await Promise.all(saves);
    expect(writes).toBeLessThanOrEqual(2);
    expect(((await root.loadDocuments(STREAM_DOCUMENTS)).get('b') as StreamMeta).tags).toEqual({ n: '9' });
  });

  it('keeps a deleted name taken until its document is gone; a stream re-created then keeps its document', async () => {
    const root = new MemoryLogRoot();
    const clock = new VirtualClock();
    const events: KinesisEvent[] = [];
    const store = await open(root, clock, events);
    const first = await store.create({ name: 'c', shardCount: 1, mode: 'PROVISIONED' });
    clock.advance(100);
    await expect.poll(() => first.meta.status).toBe('ACTIVE');
    let gate!: () => void;
    const original = root.deleteDocument.bind(root);
    root.deleteDocument = async (kind, key) => {
      await new Promise<void>((r) => (gate = r));
      return original(kind, key);
    };
    await store.delete(first);
    clock.advance(100);
    await expect.poll(() => typeof gate).toBe('function');
    await expect(store.create({ name: 'c', shardCount: 1, mode: 'PROVISIONED' })).rejects.toMatchObject({ type: 'ResourceInUseException' });
    // A late save of the deleted stream changes nothing.
    first.meta.tags['late'] = 'x';
    await store.save(first);
    gate();
    await expect.poll(() => store.get('c')).toBeUndefined();
    root.deleteDocument = original;
    const second = await store.create({ name: 'c', shardCount: 3, mode: 'PROVISIONED' });
    expect(second).not.toBe(first);
    const doc = (await root.loadDocuments(STREAM_DOCUMENTS)).get('c') as StreamMeta;
    expect(doc.shards).toHaveLength(3);
    expect(doc.tags).toEqual({});
    expect(events.map((e) => e.type)).toEqual(['streamCreated', 'streamDeleted', 'streamCreated']);
  });

  it('resolves names and ARNs, with AWS’s not-found message', async () => {
    const store = await open();
    const stream = await store.create({ name: 'd', shardCount: 1, mode: 'PROVISIONED' });
    expect(store.resolve({ StreamName: 'd' })).toBe(stream);
    expect(store.resolve({ StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/d' })).toBe(stream);
    expect(thrown(() => store.resolve({ StreamName: 'x' }))).toEqual({
      type: 'ResourceNotFoundException',
      message: 'Stream x under account 000000000000 not found.',
    });
    expect(thrown(() => store.resolve({ StreamARN: 'arn:aws-cn:kinesis:cn-north-1:000000000000:stream/d' }))).toEqual({
      type: 'ResourceNotFoundException',
      message: 'Stream d under account 000000000000 not found.',
    });
    expect(thrown(() => store.requireActive(stream))).toEqual({
      type: 'ResourceInUseException',
      message: 'Stream d under account 000000000000 not ACTIVE, instead in state CREATING',
    });
  });

  it('rebuilds the routing table only when the shard list is replaced', async () => {
    const clock = new VirtualClock();
    const store = await open(new MemoryLogRoot(), clock);
    const stream = await store.create({ name: 'e', shardCount: 2, mode: 'PROVISIONED' });
    const table = store.routing(stream);
    expect(table.map((r) => r.shard.shardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(store.routing(stream)).toBe(table);
    const [a, b] = stream.meta.shards;
    await store.setShards(stream, [
      { ...a!, closedAtMs: clock.now(), closedAtIndex: '0' },
      b!,
      { shardId: 'shardId-000000000002', ordinal: 2, startingHashKey: a!.startingHashKey, endingHashKey: a!.endingHashKey, parentShardId: a!.shardId, createdAtMs: clock.now() },
    ]);
    const next = store.routing(stream);
    expect(next).not.toBe(table);
    expect(next.map((r) => r.shard.shardId)).toEqual(['shardId-000000000002', 'shardId-000000000001']);
    expect(stream.logs.has('shardId-000000000002')).toBe(true);
  });

  it('applies a pending update saved with an UPDATING stream after a restart in the middle of it', async () => {
    const root = new MemoryLogRoot();
    const clock = new VirtualClock();
    const first = await open(root, clock);
    const stream = await first.create({ name: 'u', shardCount: 1, mode: 'PROVISIONED' });
    clock.advance(100);
    await expect.poll(() => stream.meta.status).toBe('ACTIVE');
    let appliedBeforeStop = false;
    await first.beginUpdate(stream, () => void (appliedBeforeStop = true), { operation: 'Test', data: { tag: 'v' } });
    expect(((await root.loadDocuments(STREAM_DOCUMENTS)).get('u') as StreamMeta).pendingUpdate).toEqual({ operation: 'Test', data: { tag: 'v' } });
    await first.close();
    clock.advance(50);
    const resumed: unknown[] = [];
    const second = await open(root, clock, [], (s, pending, store) => () => {
      resumed.push(pending);
      s.meta.tags['applied'] = String((pending.data as { tag: string }).tag);
      return store.save(s);
    });
    clock.advance(49);
    expect(second.get('u')!.meta.status).toBe('UPDATING');
    clock.advance(1);
    await expect.poll(() => second.get('u')!.meta.status).toBe('ACTIVE');
    expect(appliedBeforeStop).toBe(false);
    expect(resumed).toEqual([{ operation: 'Test', data: { tag: 'v' } }]);
    await expect.poll(async () => (await root.loadDocuments(STREAM_DOCUMENTS)).get('u')).toMatchObject({ status: 'ACTIVE', tags: { applied: 'v' } });
    expect(((await root.loadDocuments(STREAM_DOCUMENTS)).get('u') as StreamMeta).pendingUpdate).toBeUndefined();
  });
});
