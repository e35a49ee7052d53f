// Properties of the log storage (fast-check): contiguous indexes, byte-identical reads and slices,
// before and after a restart, and the disk root behaving exactly as the memory root.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDiskRoot } from '../../../runtime/log/disk-root.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { NewRecord, ShardLog, StoredRecord } from '../../../runtime/log/types.ts';
import { makeTempDir, plain, removeTempDir } from './helpers.ts';

const keyArb = fc.oneof(
  { weight: 9, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  // Lone surrogates: UTF-8 storage gives them back as U+FFFD.
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', '\ud800', '\udc00', '😀'), maxLength: 6 }) },
);
const wellFormed = (key: string) => Buffer.from(key).toString();
const recordArb: fc.Arbitrary<NewRecord> = fc.record({
  partitionKey: keyArb,
  data: fc.uint8Array({ maxLength: 300 }),
  arrivalMs: fc.integer({ min: 0, max: 60 }),
  encrypted: fc.boolean(),
});
const batchArb = fc.record({ records: fc.array(recordArb, { maxLength: 12 }), awaited: fc.boolean() });
const fileOptionsArb = fc.record({
  segmentBytes: fc.integer({ min: 1, max: 4096 }),
  indexEveryBytes: fc.integer({ min: 1, max: 1024 }),
  maxOpenFiles: fc.integer({ min: 1, max: 4 }),
});

/** The model of a slice: index >= from, at most limit, about maxBytes of data but at least one record. */
function slice(all: StoredRecord[], from: bigint, limit: number, maxBytes: number): StoredRecord[] {
  const out: StoredRecord[] = [];
  let bytes = 0;
  for (const r of all) {
    if (r.index < from) continue;
    if (out.length >= limit || (out.length > 0 && bytes + r.data.length > maxBytes)) break;
    bytes += r.data.length;
    out.push(r);
  }
  return out;
}

describe('log storage properties', () => {
  let dirs: string[] = [];

  beforeEach(() => {
    dirs = [];
  });

  afterEach(async () => {
    await Promise.all(dirs.map(removeTempDir));
  });

  async function freshDir(): Promise<string> {
    const dir = await makeTempDir();
    dirs.push(dir);
    return dir;
  }

  async function appendBatches(shard: ShardLog, batches: { records: NewRecord[]; awaited: boolean }[]): Promise<StoredRecord[]> {
    const expected: StoredRecord[] = [];
    const writes: Promise<void>[] = [];
    let next = 0n;
    let last = 0;
    for (const { records, awaited } of batches) {
      const { firstIndex, written } = shard.append(records);
      expect(firstIndex).toBe(next);
      for (const r of records) {
        last = Math.max(last, r.arrivalMs);
        expected.push({ index: next++, partitionKey: wellFormed(r.partitionKey), data: r.data, arrivalMs: last, encrypted: r.encrypted ?? false });
      }
      expect(shard.nextIndex).toBe(next);
      if (awaited) await written;
      else writes.push(written);
    }
    await Promise.all(writes);
    return expected;
  }

  it('indexes rise contiguously from 0 and reads return exactly what was appended, also after a restart', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchArb, { maxLength: 15 }),
        fileOptionsArb,
        fc.array(fc.tuple(fc.bigInt({ min: -2n, max: 200n }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 2000 })), {
          maxLength: 6,
        }),
        async (batches, fileOptions, slices) => {
          const dir = await freshDir();
          let root = await openDiskRoot(dir, { fsync: false, ...fileOptions });
          try {
            let shard = await root.openShard('s', 'shardId-000000000000');
            const expected = await appendBatches(shard, batches);
            const check = async () => {
              expect((await shard.read(0n, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).map(plain)).toEqual(expected.map(plain));
              for (const [from, limit, maxBytes] of slices) {
                expect((await shard.read(from, limit, maxBytes)).map(plain)).toEqual(slice(expected, from, limit, maxBytes).map(plain));
              }
            };
            await check();
            await root.close();
            root = await openDiskRoot(dir, { fsync: false, ...fileOptions });
            shard = await root.openShard('s', 'shardId-000000000000');
            expect(shard.nextIndex).toBe(BigInt(expected.length));
            await check();
          } finally {
            await root.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  type Op =
    | { op: 'append'; records: NewRecord[]; awaited: boolean }
    | { op: 'trim'; ms: number }
    | { op: 'read'; from: bigint; limit: number; maxBytes: number }
    | { op: 'time'; ms: number }
    | { op: 'restart' };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: batchArb.map((b) => ({ op: 'append' as const, ...b })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 70 }).map((ms) => ({ op: 'trim' as const, ms })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.bigInt({ min: 0n, max: 150n }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3000 }))
        .map(([from, limit, maxBytes]) => ({ op: 'read' as const, from, limit, maxBytes })),
    },
    { weight: 1, arbitrary: fc.integer({ min: -1, max: 70 }).map((ms) => ({ op: 'time' as const, ms })) },
    { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  );

  it('the disk root answers as the memory root does, through trims and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), fileOptionsArb, async (ops, fileOptions) => {
        const dir = await freshDir();
        const model = await new MemoryLogRoot().openShard('s', 'shardId-000000000000');
        let root = await openDiskRoot(dir, { fsync: false, ...fileOptions });
        try {
          let disk = await root.openShard('s', 'shardId-000000000000');
          for (const op of ops) {
            switch (op.op) {
              case 'append': {
                const a = model.append(op.records);
                const b = disk.append(op.records);
                expect(b.firstIndex).toBe(a.firstIndex);
                if (op.awaited) await b.written;
                break;
              }
              case 'trim':
                await Promise.all([model.trimBefore(op.ms), disk.trimBefore(op.ms)]);
                break;
              case 'read':
                expect((await disk.read(op.from, op.limit, op.maxBytes)).map(plain)).toEqual(
                  (await model.read(op.from, op.limit, op.maxBytes)).map(plain),
                );
                break;
              case 'time':
                expect(await disk.indexAtTime(op.ms)).toBe(await model.indexAtTime(op.ms));
                break;
              case 'restart':
                await root.close();
                root = await openDiskRoot(dir, { fsync: false, ...fileOptions });
                disk = await root.openShard('s', 'shardId-000000000000');
                break;
            }
            expect([disk.firstIndex, disk.nextIndex, disk.lastArrivalMs]).toEqual([model.firstIndex, model.nextIndex, model.lastArrivalMs]);
          }
          expect((await disk.read(0n, 1e9, 1e12)).map(plain)).toEqual((await model.read(0n, 1e9, 1e12)).map(plain));
        } finally {
          await root.close();
        }
      }),
      { numRuns: 200 },
    );
  });
});
