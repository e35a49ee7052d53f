// What only the disk root has: segment files, their deletion by retention, bounded open files, closing.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDiskRoot } from '../../../runtime/log/disk-root.ts';
import { safeName } from '../../../runtime/log/names.ts';
import { RECORD_OVERHEAD } from '../../../runtime/log/record-codec.ts';
import type { LogRoot, ShardLog } from '../../../runtime/log/types.ts';
import { makeTempDir, rec, removeTempDir } from './helpers.ts';

/**
 * How many of this process's open file descriptors point into `folder`: the root's own files only, so what
 * the test runner opens meanwhile (its workers read modules too) does not count.
 */
async function openFilesIn(folder: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(folder)) n++;
  }
  return n;
}

describe('disk root files', () => {
  let dir: string;
  let root: LogRoot;
  let shard: ShardLog;
  let shardDir: string;

  // 10 records of 100 bytes of data per batch: 1 KiB-ish per batch with a 2-byte key.
  const RECORD = RECORD_OVERHEAD + 2 + 100;
  const batch = (t: number) => Array.from({ length: 10 }, () => rec('pk', 'd'.repeat(100), t));
  const logFiles = async () => (await readdir(shardDir)).filter((n) => n.endsWith('.log')).sort();

  beforeEach(async () => {
    dir = await makeTempDir();
    root = await openDiskRoot(dir, { fsync: false, segmentBytes: 3 * 10 * RECORD, indexEveryBytes: 512 });
    shard = await root.openShard('Orders', 'shardId-000000000001');
    shardDir = join(dir, 'shards', '^orders', 'shard^id-000000000001');
  });

  afterEach(async () => {
    await root.close();
    await removeTempDir(dir);
  });

  it('rolls segments named by their first index at the size threshold', async () => {
    for (let t = 0; t < 7; t++) await shard.append(batch(t)).written;
    expect(await logFiles()).toEqual(['00000000000000000000.log', '00000000000000000030.log', '00000000000000000060.log']);
  });

  it('deletes whole segments before the retention point, keeping the one it falls in', async () => {
    for (let t = 0; t < 7; t++) await shard.append(batch(t)).written;
    await shard.trimBefore(4); // first readable index 40, inside the second segment
    expect(shard.firstIndex).toBe(40n);
    expect(await logFiles()).toEqual(['00000000000000000030.log', '00000000000000000060.log']);
    expect(JSON.parse(await readFile(join(shardDir, 'trim.json'), 'utf8'))).toEqual({ firstIndex: 40, lastArrivalMs: 6 });
    await shard.trimBefore(100); // everything: the idle active segment goes too
    expect(await logFiles()).toEqual([]);
    expect((await shard.append(batch(200)).firstIndex)).toBe(70n);
    await shard.read(0n, 1, 1); // waits for the write
    expect(await logFiles()).toEqual(['00000000000000000070.log']);
  });

  it('commits appends of one tick, and those made while a write is in flight, as one group', async () => {
    const a = shard.append(batch(1));
    const b = shard.append(batch(1));
    expect(b.written).toBe(a.written); // one write, one acknowledgement
    await new Promise((resolve) => setImmediate(resolve)); // the group's write is now in flight
    const c = shard.append(batch(2));
    const d = shard.append(batch(2));
    expect(c.written).not.toBe(a.written);
    expect(d.written).toBe(c.written);
    await Promise.all([a.written, c.written]);
    expect(shard.append(batch(3)).written).not.toBe(c.written);
  });

  it.runIf(existsSync('/proc/self/fd'))('lets reads race retention and close without wrong records or leaked files', async () => {
    await root.close();
    const openFds = () => openFilesIn(dir);
    const before = await openFds();
    root = await openDiskRoot(dir, { fsync: false, segmentBytes: 10 * RECORD, maxOpenFiles: 2 });
    shard = await root.openShard('Orders', 'shardId-000000000001');
    for (let t = 0; t < 20; t++) await shard.append(batch(t)).written;
    // Settled as they are made, so a rejection is never unhandled while the test awaits something else.
    const settle = <T,>(p: Promise<T>) => Promise.allSettled([p]).then(([result]) => result!);
    const reads = Array.from({ length: 40 }, (_, i) => settle(shard.read(BigInt(i * 5), 30, 1_000_000)));
    const trims = [shard.trimBefore(5), shard.trimBefore(12)];
    const moreReads = Array.from({ length: 20 }, (_, i) => settle(shard.read(BigInt(i * 10), 50, 1_000_000)));
    await Promise.all(trims);
    const closing = root.close();
    const lateReads = Array.from({ length: 5 }, (_, i) => settle(shard.read(BigInt(150 + i), 10, 1_000_000)));
    await closing;
    for (const result of await Promise.all([...reads, ...moreReads, ...lateReads])) {
      if (result.status === 'rejected') {
        expect(result.reason).toMatchObject({ code: 'EDDY_ERR_STOPPED' });
        continue;
      }
      const indexes = result.value.map((r) => Number(r.index));
      // Contiguous, and each record is the one its index holds (batch t wrote indexes 10t..10t+9 at time t).
      indexes.forEach((index, k) => expect(index).toBe(indexes[0]! + k));
      for (const r of result.value) expect(r.arrivalMs).toBe(Math.floor(Number(r.index) / 10));
    }
    expect(await openFds()).toBe(before);
    root = await openDiskRoot(dir, { fsync: false });
  });

  it('stops a shard at a failed write: that append and every later one fail, a restart recovers', async () => {
    for (let t = 1; t < 7; t++) await shard.append(batch(t)).written;
    // Make the next segment's file impossible to create: a folder sits where it should go.
    const next = Number(shard.nextIndex);
    await mkdir(join(shardDir, `${String(next).padStart(20, '0')}.log`));
    const failed = shard.append(batch(7)); // rolls: the segment before it is full
    await expect(failed.written).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(shard.append(batch(8)).written).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(shard.read(0n, 1, 1000)).rejects.toMatchObject({ code: 'EISDIR' });
    await root.close();
    await rm(join(shardDir, `${String(next).padStart(20, '0')}.log`), { recursive: true });
    root = await openDiskRoot(dir, { fsync: false, segmentBytes: 3 * 10 * RECORD });
    shard = await root.openShard('Orders', 'shardId-000000000001');
    expect(shard.nextIndex).toBe(BigInt(next));
    const after = shard.append(batch(9));
    await after.written;
    expect(after.firstIndex).toBe(BigInt(next));
    expect((await shard.read(0n, 1000, 1_000_000)).length).toBe(next + 10);
  });

  it('drops a stream by deleting its folder', async () => {
    await shard.append(batch(1)).written;
    await root.dropStream('Orders');
    expect(existsSync(join(dir, 'shards', '^orders'))).toBe(false);
  });

  it('fails calls on a closed root with EDDY_ERR_STOPPED', async () => {
    await shard.append(batch(1)).written;
    await root.close();
    await expect(shard.append(batch(2)).written).rejects.toMatchObject({ code: 'EDDY_ERR_STOPPED' });
    await expect(shard.read(0n, 1, 1)).rejects.toMatchObject({ code: 'EDDY_ERR_STOPPED' });
    await expect(root.openShard('Orders', 'x')).rejects.toMatchObject({ code: 'EDDY_ERR_STOPPED' });
    await expect(root.loadDocuments('streams')).rejects.toMatchObject({ code: 'EDDY_ERR_STOPPED' });
  });

  it.runIf(existsSync('/proc/self/fd'))('keeps at most maxOpenFiles idle files open over all shards, writing ones too', async () => {
    await root.close();
    const openFds = () => openFilesIn(dir);
    const before = await openFds();
    root = await openDiskRoot(dir, { fsync: false, segmentBytes: 10 * RECORD, maxOpenFiles: 1 });
    const shards = await Promise.all(Array.from({ length: 6 }, (_, i) => root.openShard('many', `shard-${i}`)));
    for (let t = 0; t < 5; t++) {
      await Promise.all(shards.map((s) => s.append(batch(t)).written));
      expect(await openFds()).toBeLessThanOrEqual(before + 1);
    }
    for (const s of shards) expect((await s.read(0n, 1000, 1_000_000)).map((r) => r.index)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
    expect(await openFds()).toBeLessThanOrEqual(before + 1);
    await root.close();
    root = await openDiskRoot(dir, { fsync: false, segmentBytes: 10 * RECORD, maxOpenFiles: 1 });
    for (let i = 0; i < 6; i++) {
      const s = await root.openShard('many', `shard-${i}`);
      await s.append(batch(9)).written;
      expect(s.nextIndex).toBe(60n);
    }
    expect(await openFds()).toBeLessThanOrEqual(before + 1);
  });

  it.runIf(existsSync('/proc/self/fd'))('keeps at most maxOpenFiles idle segment files open', async () => {
    await root.close();
    root = await openDiskRoot(dir, { fsync: false, segmentBytes: 10 * RECORD, maxOpenFiles: 2 });
    shard = await root.openShard('Orders', 'shardId-000000000001');
    for (let t = 0; t < 30; t++) await shard.append(batch(t)).written;
    const openFds = () => openFilesIn(dir);
    const before = await openFds();
    for (let from = 0n; from < 300n; from += 10n) expect(await shard.read(from, 10, 1_000_000)).toHaveLength(10);
    expect(await openFds()).toBeLessThanOrEqual(before + 2);
    expect((await shard.read(0n, 1000, 10_000_000)).length).toBe(300);
  });

  it('checks its options, naming an unknown one', async () => {
    await expect(openDiskRoot(dir, { fsync: false, segmentbytes: 1 } as never)).rejects.toMatchObject({
      code: 'EDDY_ERR_OPTION_INVALID',
      message: 'Invalid option in openDiskRoot(): "segmentbytes"',
    });
    await expect(openDiskRoot(dir, { fsync: false, segmentBytes: 0 })).rejects.toMatchObject({
      code: 'EDDY_ERR_OPTION_INVALID',
      message: 'openDiskRoot(): "segmentBytes" must be a positive integer',
    });
    await expect(openDiskRoot(dir, {} as never)).rejects.toMatchObject({ code: 'EDDY_ERR_OPTION_INVALID' });
  });
});

describe('safeName', () => {
  it('keeps plain names readable and keeps the rest apart', () => {
    expect(safeName('orders-2024_v1.x')).toBe('orders-2024_v1.x');
    expect(safeName('shardId-000000000000')).toBe('shard^id-000000000000');
    expect(safeName('Orders')).not.toBe(safeName('orders'));
    expect(safeName('a/b')).toBe('a%2Fb');
    expect(safeName('..')).toBe('%2E.');
    expect(safeName('')).toBe('%');
    const long = safeName('A'.repeat(500));
    expect(long.length).toBeLessThanOrEqual(160);
    expect(long).not.toBe(safeName(`${'A'.repeat(499)}B`));
  });
});
