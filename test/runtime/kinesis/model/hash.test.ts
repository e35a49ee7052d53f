import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_HASH_KEY,
  coversHashSpace,
  createTimeLayout,
  hashPartitionKey,
  parseExplicitHashKey,
  routingTable,
  hashKeyWords,
  partitionKeyWords,
  shardForHash,
  shardForWords,
} from '../../../../runtime/kinesis/model/hash.ts';

describe('hashPartitionKey', () => {
  it('is MD5 of the UTF-8 key as an unsigned 128-bit integer (reference worked examples)', () => {
    expect(hashPartitionKey('pk')).toBe(38317986088707300215492326132921849533n);
    expect(hashPartitionKey('1')).toBe(261578874264819908609102035485573088411n);
  });

  it('matches BigInt(md5 hex) for any key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 256 }), (pk) => {
        const expected = BigInt('0x' + createHash('md5').update(pk, 'utf8').digest('hex'));
        expect(hashPartitionKey(pk)).toBe(expected);
      }),
    );
  });
});

describe('createTimeLayout', () => {
  it('reproduces the AWS-recorded layouts of the reference table', () => {
    expect(createTimeLayout(1)).toEqual([
      { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' },
    ]);
    expect(createTimeLayout(2)).toEqual([
      { startingHashKey: '0', endingHashKey: '170141183460469231731687303715884105727' },
      { startingHashKey: '170141183460469231731687303715884105728', endingHashKey: '340282366920938463463374607431768211455' },
    ]);
    expect(createTimeLayout(3)).toEqual([
      { startingHashKey: '0', endingHashKey: '113427455640312821154458202477256070484' },
      { startingHashKey: '113427455640312821154458202477256070485', endingHashKey: '226854911280625642308916404954512140969' },
      { startingHashKey: '226854911280625642308916404954512140970', endingHashKey: '340282366920938463463374607431768211455' },
    ]);
    expect(createTimeLayout(4)).toEqual([
      { startingHashKey: '0', endingHashKey: '85070591730234615865843651857942052863' },
      { startingHashKey: '85070591730234615865843651857942052864', endingHashKey: '170141183460469231731687303715884105727' },
      { startingHashKey: '170141183460469231731687303715884105728', endingHashKey: '255211775190703847597530955573826158591' },
      { startingHashKey: '255211775190703847597530955573826158592', endingHashKey: '340282366920938463463374607431768211455' },
    ]);
  });

  it('covers the hash space exactly once for any shard count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), (n) => {
        const layout = createTimeLayout(n);
        expect(layout).toHaveLength(n);
        expect(coversHashSpace(layout)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a non-positive count', () => {
    expect(() => createTimeLayout(0)).toThrow(RangeError);
  });
});

describe('shardForHash', () => {
  it('routes a key to the shard whose range holds its MD5, as a linear scan would', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.string({ minLength: 1, maxLength: 256 }),
        (n, pk) => {
          const layout = createTimeLayout(n).map((r, i) => ({ ...r, id: i }));
          const hash = hashPartitionKey(pk);
          const expected = layout.find((r) => BigInt(r.startingHashKey) <= hash && hash <= BigInt(r.endingHashKey));
          expect(expected).toBeDefined();
          expect(shardForHash(routingTable(layout), hash)).toBe(expected);
        },
      ),
    );
  });

  it('routes the reference examples: "pk" to shard 0 of 4 and "1" to shard 3 of 4', () => {
    const table = routingTable(createTimeLayout(4).map((r, i) => ({ ...r, id: i })));
    expect(shardForHash(table, hashPartitionKey('pk'))?.id).toBe(0);
    expect(shardForHash(table, hashPartitionKey('1'))?.id).toBe(3);
    expect(shardForHash(table, 0n)?.id).toBe(0);
    expect(shardForHash(table, MAX_HASH_KEY)?.id).toBe(3);
  });

  it('routes every boundary key to the right shard', () => {
    const layout = createTimeLayout(7).map((r, i) => ({ ...r, id: i }));
    const table = routingTable(layout);
    for (const r of layout) {
      expect(shardForHash(table, BigInt(r.startingHashKey))?.id).toBe(r.id);
      expect(shardForHash(table, BigInt(r.endingHashKey))?.id).toBe(r.id);
    }
  });
});

describe('parseExplicitHashKey', () => {
  it('accepts 0 … 2^128-1', () => {
    expect(parseExplicitHashKey('0')).toEqual({ ok: true, value: 0n });
    expect(parseExplicitHashKey(MAX_HASH_KEY.toString())).toEqual({ ok: true, value: MAX_HASH_KEY });
  });

  it("rejects out-of-range values with AWS's message", () => {
    for (const v of [(MAX_HASH_KEY + 1n).toString(), '-1', '9'.repeat(39), 'x1']) {
      expect(parseExplicitHashKey(v)).toEqual({
        ok: false,
        message: `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${v}`,
      });
    }
  });
});

describe('word routing', () => {
  const wordsOf = (pk: string): bigint => {
    const w = partitionKeyWords(pk, new Uint32Array(4));
    return (BigInt(w[0]!) << 96n) | (BigInt(w[1]!) << 64n) | (BigInt(w[2]!) << 32n) | BigInt(w[3]!);
  };

  it('partitionKeyWords is hashPartitionKey, for keys hashed in JS (short ASCII) and by node:crypto alike', () => {
    expect(wordsOf('pk')).toBe(38317986088707300215492326132921849533n);
    for (const pk of ['', 'a', 'x'.repeat(55), 'x'.repeat(56), '\u007f', '\u0080', 'é', '日本語', '😀', 'y'.repeat(256)]) {
      expect(wordsOf(pk)).toBe(hashPartitionKey(pk));
    }
    for (const unit of ['binary-ascii', 'grapheme'] as const) {
      fc.assert(
        fc.property(fc.string({ unit, maxLength: 70 }), (pk) => {
          expect(wordsOf(pk)).toBe(hashPartitionKey(pk));
        }),
      );
    }
  });

  it('shardForWords agrees with a linear scan on the BigInt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.bigInt({ min: 0n, max: MAX_HASH_KEY }), (n, h) => {
        const layout = createTimeLayout(n).map((r, i) => ({ ...r, id: i }));
        const expected = layout.find((r) => BigInt(r.startingHashKey) <= h && h <= BigInt(r.endingHashKey));
        expect(expected).toBeDefined();
        expect(shardForWords(routingTable(layout), hashKeyWords(h))).toBe(expected);
      }),
    );
  });
});
