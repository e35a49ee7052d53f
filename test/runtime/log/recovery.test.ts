// Crash recovery of the disk root: torn and corrupt tails are truncated, nothing corrupt is ever read.
import { appendFile, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDiskRoot } from '../../../runtime/log/disk-root.ts';
import { safeName } from '../../../runtime/log/names.ts';
import { RECORD_OVERHEAD } from '../../../runtime/log/record-codec.ts';
import type { LogRoot } from '../../../runtime/log/types.ts';
import { makeTempDir, plain, rec, removeTempDir } from './helpers.ts';

const STREAM = 'orders';
const SHARD = 'shardId-000000000000';

/** Record i: partition key and data derived from i, data 0..69 bytes long. */
function record(i: number) {
  const data = new Uint8Array(i % 70).map((_, j) => (i * 7 + j) & 0xff);
  return rec(`pk-${i}`, data, 1000 + i);
}
const recordBytes = (i: number) => RECORD_OVERHEAD + Buffer.byteLength(`pk-${i}`) + (i % 70);
const expected = (n: number) => Array.from({ length: n }, (_, i) => plain({ ...record(i), index: BigInt(i), encrypted: false }));

describe('disk root recovery', () => {
  let dir: string;
  let shardDir: string;
  let root: LogRoot | undefined;
  let warnings: string[];
  const COUNT = 100;

  const openRoot = async () => {
    root = await openDiskRoot(dir, { fsync: false, segmentBytes: 1024, indexEveryBytes: 128, onWarning: (m) => warnings.push(m) });
    return root;
  };

  async function segments(): Promise<string[]> {
    return (await readdir(shardDir)).filter((n) => n.endsWith('.log')).sort().map((n) => join(shardDir, n));
  }

  beforeEach(async () => {
    dir = await makeTempDir();
    warnings = [];
    const r = await openRoot();
    const shard = await r.openShard(STREAM, SHARD);
    for (let i = 0; i < COUNT; i += 9) {
      await shard.append(Array.from({ length: Math.min(9, COUNT - i) }, (_, j) => record(i + j))).written;
    }
    await r.close();
    root = undefined;
    shardDir = join(dir, 'shards', safeName(STREAM), safeName(SHARD));
    expect((await segments()).length).toBeGreaterThan(3);
  });

  afterEach(async () => {
    await root?.close();
    await removeTempDir(dir);
  });

  /** Reopens, checks the first `survivors` records are intact and nothing else is there, appends on. */
  async function expectRecovered(survivors: number, warned: boolean): Promise<void> {
    const shard = await (await openRoot()).openShard(STREAM, SHARD);
    expect(shard.nextIndex).toBe(BigInt(survivors));
    expect((await shard.read(0n, 10_000, 10_000_000)).map(plain)).toEqual(expected(survivors));
    expect(warnings.length > 0).toBe(warned);
    if (warned) expect(warnings[0]).toMatch(/^eddy: truncated \d+ bytes of a torn tail/);
    const { firstIndex, written } = shard.append([record(survivors), record(survivors + 1)]);
    await written;
    expect(firstIndex).toBe(BigInt(survivors));
    await root!.close();
    warnings = [];
    const again = await (await openRoot()).openShard(STREAM, SHARD);
    expect((await again.read(0n, 10_000, 10_000_000)).map(plain)).toEqual(expected(survivors + 2));
    expect(warnings).toEqual([]);
  }

  it('reopens a clean log without a warning', async () => {
    await expectRecovered(COUNT, false);
  });

  it('truncates garbage appended to the last segment', async () => {
    await appendFile((await segments()).at(-1)!, Buffer.from('not a record at all, just bytes'));
    await expectRecovered(COUNT, true);
  });

  it('truncates a zero-filled tail', async () => {
    await appendFile((await segments()).at(-1)!, Buffer.alloc(4096));
    await expectRecovered(COUNT, true);
  });

  it('drops a last record cut in half', async () => {
    const last = (await segments()).at(-1)!;
    await truncate(last, (await stat(last)).size - Math.floor(recordBytes(COUNT - 1) / 2));
    await expectRecovered(COUNT - 1, true);
  });

  it('drops a last record cut inside its length prefix', async () => {
    const last = (await segments()).at(-1)!;
    await truncate(last, (await stat(last)).size - recordBytes(COUNT - 1) + 3);
    await expectRecovered(COUNT - 1, true);
  });

  for (const [what, fromEnd] of [
    ['its data', 1],
    ['its checksum', recordBytes(COUNT - 1)],
    ['its length prefix', recordBytes(COUNT - 1) - 5],
    ['its arrival time', recordBytes(COUNT - 1) - 9],
  ] as const) {
    it(`drops a last record with a flipped byte in ${what}`, async () => {
      const last = (await segments()).at(-1)!;
      const fh = await open(last, 'r+');
      const at = (await fh.stat()).size - fromEnd;
      const byte = Buffer.alloc(1);
      await fh.read(byte, 0, 1, at);
      byte[0] = byte[0]! ^ 0x5a;
      await fh.write(byte, 0, 1, at);
      await fh.close();
      await expectRecovered(COUNT - 1, true);
    });
  }

  it('recovers a last segment emptied by a crash right after it was created', async () => {
    const files = await segments();
    const lastFirst = Number(files.at(-1)!.slice(-24, -4));
    await truncate(files.at(-1)!, 0);
    await expectRecovered(lastFirst, false);
  });

  it('refuses a shard whose earlier segment is corrupt, naming the file', async () => {
    const files = await segments();
    const fh = await open(files[1]!, 'r+');
    await fh.write(Buffer.from([0xff, 0xff]), 0, 2, 40);
    await fh.close();
    const r = await openRoot();
    await expect(r.openShard(STREAM, SHARD)).rejects.toMatchObject({
      code: 'EDDY_ERR_DATA_CORRUPT',
      message: expect.stringContaining(files[1]!),
    });
    // Other shards of the root still open.
    expect((await r.openShard(STREAM, 'shardId-000000000001')).nextIndex).toBe(0n);
  });

  it('refuses a shard with a segment missing in the middle', async () => {
    const files = await segments();
    await rm(files[2]!);
    const r = await openRoot();
    await expect(r.openShard(STREAM, SHARD)).rejects.toMatchObject({
      code: 'EDDY_ERR_DATA_CORRUPT',
      message: expect.stringMatching(/records are missing/),
    });
  });

  it('refuses a record whose length prefix went bad after it was written, instead of reading on', async () => {
    const shard = await (await openRoot()).openShard(STREAM, SHARD);
    const files = await segments();
    // Record 3 of the first segment starts after records 0, 1 and 2.
    const at = recordBytes(0) + recordBytes(1) + recordBytes(2);
    const fh = await open(files[0]!, 'r+');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(1_000_000);
    await fh.write(length, 0, 4, at + 4);
    await fh.close();
    await expect(shard.read(0n, 10_000, 10_000_000)).rejects.toMatchObject({
      code: 'EDDY_ERR_DATA_CORRUPT',
      message: `The record at byte ${at} of ${files[0]} (index 3) is cut short.`,
    });
    await expect(shard.indexAtTime(1003)).rejects.toMatchObject({ code: 'EDDY_ERR_DATA_CORRUPT' });
  });

  it('never returns a record that went bad on disk after it was written', async () => {
    const shard = await (await openRoot()).openShard(STREAM, SHARD);
    const files = await segments();
    const fh = await open(files[0]!, 'r+');
    await fh.write(Buffer.from([0x00]), 0, 1, (await fh.stat()).size - 1);
    await fh.close();
    const firstSegmentCount = Number(files[1]!.slice(-24, -4));
    await expect(shard.read(0n, 10_000, 10_000_000)).rejects.toMatchObject({
      code: 'EDDY_ERR_DATA_CORRUPT',
      message: expect.stringContaining(`(index ${firstSegmentCount - 1})`),
    });
    // Records before the bad one still read.
    expect((await shard.read(0n, firstSegmentCount - 1, 10_000_000)).map(plain)).toEqual(expected(firstSegmentCount - 1));
  });
});
