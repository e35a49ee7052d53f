import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  endingSequenceNumber,
  indexForSequence,
  isFromShard,
  parseSequenceNumber,
  parseShardId,
  sequenceBase,
  sequenceNumberAt,
  sequenceNumbersFrom,
  SequenceCounter,
  SEQUENCE_STEP,
  shardIdOf,
  startingSequenceNumber,
} from '../../../../runtime/kinesis/model/sequence.ts';

const shardArb = fc.record({
  ordinal: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  createdAtMs: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
});

describe('sequence numbers', () => {
  it('are 56 decimal digits and round-trip to (shard, index, write time)', () => {
    fc.assert(
      fc.property(shardArb, fc.bigInt({ min: 0n, max: 2n ** 62n }), fc.integer({ min: 0, max: 10 ** 10 }), (shard, index, dt) => {
        const writeMs = shard.createdAtMs + dt;
        const seq = sequenceNumberAt(sequenceBase(shard), index, writeMs);
        expect(seq).toMatch(/^[1-9]\d{55}$/);
        const parsed = parseSequenceNumber(seq);
        expect(parsed).toEqual({
          shardOrdinal: shard.ordinal,
          shardCreatedSecs: Math.floor(shard.createdAtMs / 1000),
          position: index + 1n,
          writeSecs: Math.floor(writeMs / 1000),
        });
        expect(isFromShard(parsed!, shard)).toBe(true);
        expect(indexForSequence(parsed!, 'AT')).toBe(index);
        expect(indexForSequence(parsed!, 'AFTER')).toBe(index + 1n);
      }),
    );
  });

  it('rise strictly within a shard, above its StartingSequenceNumber and up to its EndingSequenceNumber', () => {
    fc.assert(
      fc.property(
        shardArb,
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 10_000 }),
        (shard, gaps, closeDelay) => {
          // Arrival times never go down within a shard (the log guarantees it); gaps are ms between writes.
          const base = sequenceBase(shard);
          let t = shard.createdAtMs;
          const seqs = gaps.map((gap, i) => sequenceNumberAt(base, BigInt(i), (t += gap)));
          const start = startingSequenceNumber(shard);
          const end = endingSequenceNumber(shard, BigInt(seqs.length), t + closeDelay);
          const all = [start, ...seqs];
          for (let i = 1; i < all.length; i++) {
            expect(BigInt(all[i]!)).toBeGreaterThan(BigInt(all[i - 1]!));
            expect(all[i]! > all[i - 1]!).toBe(true); // same width, so strings sort like numbers
          }
          expect(BigInt(end)).toBeGreaterThanOrEqual(BigInt(seqs.at(-1)!));
          expect(indexForSequence(parseSequenceNumber(end)!, 'AT')).toBe(BigInt(seqs.length - 1));
          expect(indexForSequence(parseSequenceNumber(end)!, 'AFTER')).toBe(BigInt(seqs.length));
          expect(indexForSequence(parseSequenceNumber(start)!, 'AT')).toBe(0n);
          expect(indexForSequence(parseSequenceNumber(start)!, 'AFTER')).toBe(0n);
        },
      ),
    );
  });

  it('sequenceNumbersFrom equals numbering each record on its own', () => {
    fc.assert(
      fc.property(shardArb, fc.bigInt({ min: 0n, max: 2n ** 40n }), fc.integer({ min: 0, max: 600 }), (shard, first, count) => {
        const base = sequenceBase(shard);
        const t = shard.createdAtMs + 1234;
        const batch = sequenceNumbersFrom(base, first, count, t);
        expect(batch).toEqual(Array.from({ length: count }, (_, i) => sequenceNumberAt(base, first + BigInt(i), t)));
      }),
      { numRuns: 50 },
    );
  });

  it('SequenceCounter counts in steps of SEQUENCE_STEP exactly as BigInt does, carries included', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 63n - 1n - 40n * SEQUENCE_STEP }), fc.integer({ min: 1, max: 40 }), (start, steps) => {
        const counter = new SequenceCounter();
        counter.set(start);
        const buf = new Uint8Array(70);
        for (let i = 0, n = start; i < steps; i++, n += SEQUENCE_STEP) {
          expect(counter.toString()).toBe(n.toString());
          expect(Buffer.from(buf.subarray(3, counter.writeTo(buf, 3))).toString('latin1')).toBe(n.toString());
          counter.step();
        }
      }),
    );
    for (const start of [0n, 9_999_999n, 10n ** 56n - SEQUENCE_STEP]) {
      const counter = new SequenceCounter();
      counter.set(start);
      counter.step();
      expect(counter.toString()).toBe((start + SEQUENCE_STEP).toString());
    }
    expect(() => new SequenceCounter().set(10n ** 63n)).toThrow(RangeError);
  });

  it('tells which shard a number came from', () => {
    const a = { ordinal: 5, createdAtMs: Date.UTC(2026, 0, 1) };
    const b = { ordinal: 0, createdAtMs: Date.UTC(2026, 0, 1) };
    const parsed = parseSequenceNumber(sequenceNumberAt(sequenceBase(a), 3n, a.createdAtMs))!;
    expect(shardIdOf(parsed.shardOrdinal)).toBe('shardId-000000000005');
    expect(isFromShard(parsed, b)).toBe(false);
    // Same ordinal, but a re-created stream's shard (another creation second): not from this shard.
    expect(isFromShard(parsed, { ordinal: 5, createdAtMs: a.createdAtMs + 1000 })).toBe(false);
  });

  it('rejects numbers eddy did not issue', () => {
    for (const v of ['0', '1', '12345', '9'.repeat(56), '4'.repeat(56), '1'.repeat(129), 'abc']) {
      expect(parseSequenceNumber(v)).toBeUndefined();
    }
  });
});

describe('shard ids', () => {
  it('pads the ordinal to 12 digits', () => {
    expect(shardIdOf(0)).toBe('shardId-000000000000');
    expect(shardIdOf(123)).toBe('shardId-000000000123');
  });

  it('accepts the short forms AWS accepts', () => {
    expect(parseShardId('shardId-000000000007')).toBe(7);
    expect(parseShardId('shardId-7')).toBe(7);
    expect(parseShardId('7')).toBe(7);
    expect(parseShardId('abc-2147483647')).toBe(2147483647);
    expect(parseShardId('shardId-2147483648')).toBeUndefined();
    expect(parseShardId('shardId-')).toBeUndefined();
    expect(parseShardId('shardId-x')).toBeUndefined();
  });
});
