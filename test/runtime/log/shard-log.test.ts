// The ShardLog / LogRoot contract, run the same against the memory root and the disk root.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogRoot, ShardLog } from '../../../runtime/log/types.ts';
import { makeTempDir, plain, rec, removeTempDir, rootKinds } from './helpers.ts';

describe.each(rootKinds())('$name root', (kind) => {
  let dir: string;
  let root: LogRoot;
  let shard: ShardLog;

  beforeEach(async () => {
    dir = await makeTempDir();
    root = await kind.open(dir);
    shard = await root.openShard('orders', 'shardId-000000000000');
  });

  afterEach(async () => {
    await root.close();
    await removeTempDir(dir);
  });

  async function appendAll(records: ReturnType<typeof rec>[]): Promise<bigint> {
    const { firstIndex, written } = shard.append(records);
    await written;
    return firstIndex;
  }

  it('starts empty', async () => {
    expect(root.inMemory).toBe(kind.name === 'memory');
    expect(shard.nextIndex).toBe(0n);
    expect(shard.firstIndex).toBe(0n);
    expect(shard.lastArrivalMs).toBeUndefined();
    expect(await shard.read(0n, 100, 1_000_000)).toEqual([]);
    expect(await shard.indexAtTime(0)).toBe(0n);
  });

  it('assigns contiguous indexes at once, whole batches in call order', async () => {
    const a = shard.append([rec('a', 'a0', 10), rec('a', 'a1', 10), rec('a', 'a2', 10)]);
    const b = shard.append([rec('b', 'b0', 11), rec('b', 'b1', 11)]);
    const empty = shard.append([]);
    expect(a.firstIndex).toBe(0n);
    expect(b.firstIndex).toBe(3n);
    expect(empty.firstIndex).toBe(5n);
    expect(shard.nextIndex).toBe(5n);
    expect(shard.lastArrivalMs).toBe(11);
    await Promise.all([a.written, b.written, empty.written]);
    const all = await shard.read(0n, 100, 1_000_000);
    expect(all.map((r) => [r.index, r.partitionKey, Buffer.from(r.data).toString()])).toEqual([
      [0n, 'a', 'a0'],
      [1n, 'a', 'a1'],
      [2n, 'a', 'a2'],
      [3n, 'b', 'b0'],
      [4n, 'b', 'b1'],
    ]);
  });

  it('reads what was appended before written resolved', async () => {
    shard.append([rec('k', 'early', 1)]);
    expect((await shard.read(0n, 10, 1000)).map((r) => Buffer.from(r.data).toString())).toEqual(['early']);
  });

  it('keeps data, partition key and the encrypted flag byte for byte', async () => {
    const binary = new Uint8Array(256).map((_, i) => i);
    await appendAll([
      rec('ключ-🔑', binary, 5, true),
      rec('', new Uint8Array(0), 6),
      rec('k'.repeat(256), 'x', 7, false),
      rec('lone \ud800 surrogate', 'y', 8),
    ]);
    expect((await shard.read(0n, 10, 1_000_000)).map(plain)).toEqual([
      { index: 0n, partitionKey: 'ключ-🔑', data: [...binary], arrivalMs: 5, encrypted: true },
      { index: 1n, partitionKey: '', data: [], arrivalMs: 6, encrypted: false },
      { index: 2n, partitionKey: 'k'.repeat(256), data: [120], arrivalMs: 7, encrypted: false },
      // Stored as UTF-8, which cannot hold a lone surrogate: it comes back as U+FFFD on both roots.
      { index: 3n, partitionKey: 'lone \ufffd surrogate', data: [121], arrivalMs: 8, encrypted: false },
    ]);
  });

  // A Buffer too: Buffer#slice is a view, not a copy, unlike Uint8Array#slice.
  it.each([
    ['Uint8Array', new Uint8Array([1, 2, 3])],
    ['Buffer', Buffer.from([1, 2, 3])],
  ])('stores its own copy of the data (%s)', async (_, data) => {
    const { written } = shard.append([rec('k', data, 1), rec('k', data.subarray(1), 1)]);
    data[1] = 9;
    await written;
    expect((await shard.read(0n, 2, 100)).map((r) => [...r.data])).toEqual([[1, 2, 3], [2, 3]]);
  });

  it('refuses a whole batch holding a record too large to store', async () => {
    await appendAll([rec('k', 'a', 1)]);
    expect(() => shard.append([rec('k', 'ok', 2), rec('x'.repeat(70_000), 'b', 2)])).toThrow(RangeError);
    expect(() => shard.append([rec('k', new Uint8Array(64 * 1024 * 1024), 2)])).toThrow(RangeError);
    expect(shard.nextIndex).toBe(1n);
    expect(shard.lastArrivalMs).toBe(1);
    expect(await appendAll([rec('k', 'c', 3)])).toBe(1n);
    expect((await shard.read(0n, 10, 1000)).map((r) => Buffer.from(r.data).toString())).toEqual(['a', 'c']);
  });

  it('keeps arrival times non-decreasing', async () => {
    await appendAll([rec('k', 'a', 100), rec('k', 'b', 50), rec('k', 'c', 200), rec('k', 'd', Number.NaN)]);
    await appendAll([rec('k', 'e', 150)]);
    expect((await shard.read(0n, 10, 1000)).map((r) => r.arrivalMs)).toEqual([100, 100, 200, 200, 200]);
    expect(shard.lastArrivalMs).toBe(200);
  });

  it('reads slices by index and limit', async () => {
    await appendAll(Array.from({ length: 40 }, (_, i) => rec(`k${i}`, `record ${i}`, 1000 + i)));
    expect((await shard.read(10n, 5, 1_000_000)).map((r) => r.index)).toEqual([10n, 11n, 12n, 13n, 14n]);
    expect((await shard.read(38n, 5, 1_000_000)).map((r) => r.index)).toEqual([38n, 39n]);
    expect(await shard.read(40n, 5, 1_000_000)).toEqual([]);
    expect(await shard.read(1000n, 5, 1_000_000)).toEqual([]);
    expect(await shard.read(0n, 0, 1_000_000)).toEqual([]);
    expect((await shard.read(-5n, 2, 1_000_000)).map((r) => r.index)).toEqual([0n, 1n]);
  });

  it('stops at maxBytes of data but returns at least one record', async () => {
    await appendAll(Array.from({ length: 6 }, (_, i) => rec('k', 'x'.repeat(10), i)));
    expect((await shard.read(0n, 100, 25)).map((r) => r.index)).toEqual([0n, 1n]);
    expect((await shard.read(0n, 100, 30)).map((r) => r.index)).toEqual([0n, 1n, 2n]);
    expect((await shard.read(2n, 100, 5)).map((r) => r.index)).toEqual([2n]);
    expect((await shard.read(0n, 100, 0)).map((r) => r.index)).toEqual([0n]);
  });

  it('finds the first record at or after a time', async () => {
    const times = [10, 10, 20, 30, 30, 40];
    await appendAll(times.map((t, i) => rec('k', `r${i}`, t)));
    const at = async (ms: number) => shard.indexAtTime(ms);
    expect(await at(5)).toBe(0n);
    expect(await at(10)).toBe(0n);
    expect(await at(11)).toBe(2n);
    expect(await at(30)).toBe(3n);
    expect(await at(40)).toBe(5n);
    expect(await at(41)).toBe(6n);
  });

  it('finds times across many segments and index entries', async () => {
    const records = Array.from({ length: 300 }, (_, i) => rec(`k${i}`, 'y'.repeat(i % 50), 1000 + Math.floor(i / 3)));
    for (let i = 0; i < records.length; i += 37) await appendAll(records.slice(i, i + 37));
    for (const ms of [999, 1000, 1001, 1050, 1099, 1100]) {
      const expected = Math.min(300, Math.max(0, (ms - 1000) * 3));
      expect(await shard.indexAtTime(ms)).toBe(BigInt(expected));
    }
  });

  it('trims records that arrived before a time, keeping indexes', async () => {
    await appendAll([10, 10, 20, 30, 30, 40].map((t, i) => rec('k', `r${i}`, t)));
    await shard.trimBefore(30);
    expect(shard.firstIndex).toBe(3n);
    expect(shard.nextIndex).toBe(6n);
    expect((await shard.read(0n, 100, 1000)).map((r) => r.index)).toEqual([3n, 4n, 5n]);
    expect(await shard.indexAtTime(0)).toBe(3n);
    await shard.trimBefore(20); // never moves back
    expect(shard.firstIndex).toBe(3n);
    await shard.trimBefore(1000);
    expect(shard.firstIndex).toBe(6n);
    expect(shard.lastArrivalMs).toBeUndefined();
    expect(await shard.read(0n, 100, 1000)).toEqual([]);
    expect(await shard.indexAtTime(0)).toBe(6n);
    // Indexes are never reused and arrival times stay non-decreasing after the shard emptied.
    expect(await appendAll([rec('k', 'after', 5)])).toBe(6n);
    expect((await shard.read(0n, 100, 1000)).map((r) => [r.index, r.arrivalMs])).toEqual([[6n, 40]]);
  });

  it('trims across segments and keeps reading the rest', async () => {
    for (let b = 0; b < 20; b++) await appendAll(Array.from({ length: 10 }, (_, i) => rec(`k${i}`, 'z'.repeat(30), b)));
    await shard.trimBefore(7);
    expect(shard.firstIndex).toBe(70n);
    const rest = await shard.read(0n, 1000, 1_000_000);
    expect(rest.map((r) => r.index)).toEqual(Array.from({ length: 130 }, (_, i) => BigInt(70 + i)));
  });

  it('coalesces many concurrent appends', async () => {
    const calls = Array.from({ length: 60 }, (_, b) => shard.append(Array.from({ length: 7 }, (_, i) => rec(`p${b}`, `${b}:${i}`, b))));
    expect(calls.map((c) => c.firstIndex)).toEqual(calls.map((_, b) => BigInt(b * 7)));
    await Promise.all(calls.map((c) => c.written));
    const all = await shard.read(0n, 10_000, 10_000_000);
    expect(all.map((r) => Buffer.from(r.data).toString())).toEqual(
      calls.flatMap((_, b) => Array.from({ length: 7 }, (_, i) => `${b}:${i}`)),
    );
  });

  it('opens one log per shard and drops a stream whole', async () => {
    expect(await root.openShard('orders', 'shardId-000000000000')).toBe(shard);
    const other = await root.openShard('orders', 'shardId-000000000001');
    const elsewhere = await root.openShard('payments', 'shardId-000000000000');
    await Promise.all([shard.append([rec('k', 'a', 1)]).written, other.append([rec('k', 'b', 1), rec('k', 'c', 1)]).written]);
    await elsewhere.append([rec('k', 'd', 1)]).written;
    expect(other.nextIndex).toBe(2n);
    await root.dropStream('orders');
    const again = await root.openShard('orders', 'shardId-000000000000');
    expect(again.nextIndex).toBe(0n);
    expect(await again.read(0n, 10, 1000)).toEqual([]);
    expect((await elsewhere.read(0n, 10, 1000)).map((r) => Buffer.from(r.data).toString())).toEqual(['d']);
  });

  it.runIf(kind.durable)('reopens byte-identical and appends on at the right index', async () => {
    const records = Array.from({ length: 120 }, (_, i) =>
      rec(`key-${i % 7}`, new Uint8Array(i % 40).map((_, j) => (i * 31 + j) & 0xff), 500 + i, i % 5 === 0),
    );
    for (let i = 0; i < records.length; i += 25) await appendAll(records.slice(i, i + 25));
    await shard.trimBefore(510);
    const before = (await shard.read(0n, 1000, 1_000_000)).map(plain);
    await root.close();
    root = await kind.open(dir);
    shard = await root.openShard('orders', 'shardId-000000000000');
    expect(shard.nextIndex).toBe(120n);
    expect(shard.firstIndex).toBe(10n);
    expect(shard.lastArrivalMs).toBe(619);
    expect((await shard.read(0n, 1000, 1_000_000)).map(plain)).toEqual(before);
    expect(await appendAll([rec('k', 'next', 1)])).toBe(120n);
    expect((await shard.read(120n, 10, 1000)).map(plain)).toEqual([
      { index: 120n, partitionKey: 'k', data: [...Buffer.from('next')], arrivalMs: 619, encrypted: false },
    ]);
  });

  it.runIf(kind.durable)('keeps indexes of a wholly trimmed shard across a restart', async () => {
    for (let b = 0; b < 5; b++) await appendAll(Array.from({ length: 20 }, () => rec('k', 'q'.repeat(50), b)));
    await shard.trimBefore(100);
    expect(shard.firstIndex).toBe(100n);
    await root.close();
    root = await kind.open(dir);
    shard = await root.openShard('orders', 'shardId-000000000000');
    expect(shard.firstIndex).toBe(100n);
    expect(shard.nextIndex).toBe(100n);
    expect(await appendAll([rec('k', 'on', 7)])).toBe(100n);
    expect((await shard.read(0n, 10, 1000)).map((r) => r.index)).toEqual([100n]);
  });

  it.runIf(kind.durable)('writes pending appends on close', async () => {
    const calls = Array.from({ length: 10 }, (_, b) => shard.append([rec('k', `unawaited ${b}`, b)]));
    await root.close();
    await Promise.all(calls.map((c) => c.written));
    root = await kind.open(dir);
    shard = await root.openShard('orders', 'shardId-000000000000');
    expect((await shard.read(0n, 100, 100_000)).map((r) => Buffer.from(r.data).toString())).toEqual(
      calls.map((_, b) => `unawaited ${b}`),
    );
  });
});
