import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { amzUtcString, decodeIterator, encodeIterator } from '../../../../runtime/kinesis/model/iterators.ts';

const positionArb = fc.record({
  streamName: fc.stringMatching(/^[a-zA-Z0-9_.-]{1,128}$/),
  streamCreatedAtMs: fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
  shardOrdinal: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  index: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
  createdAtMs: fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
});

describe('shard iterators', () => {
  it('round-trip, fit 1-512 chars and are base64', () => {
    fc.assert(
      fc.property(positionArb, (p) => {
        const token = encodeIterator(p);
        expect(token.length).toBeGreaterThanOrEqual(1);
        expect(token.length).toBeLessThanOrEqual(512);
        expect(token).toMatch(/^[A-Za-z0-9+/]+=*$/);
        expect(decodeIterator(token, p.createdAtMs)).toEqual({ ok: true, position: p });
      }),
    );
  });

  it('do not show the stream name', () => {
    const token = encodeIterator({ streamName: 'orders', streamCreatedAtMs: 1, shardOrdinal: 0, index: 0n, createdAtMs: 1 });
    expect(Buffer.from(token, 'base64').includes('orders')).toBe(false);
  });

  it('expire after 300 000 ms of the clock with AWS message', () => {
    const clock = new VirtualClock(Date.UTC(2015, 0, 22, 1, 22, 2));
    const token = encodeIterator({ streamName: 's', streamCreatedAtMs: 0, shardOrdinal: 1, index: 5n, createdAtMs: clock.now() });
    clock.advance(300_000);
    expect(decodeIterator(token, clock.now()).ok).toBe(true);
    clock.advance(1);
    expect(decodeIterator(token, clock.now())).toEqual({
      ok: false,
      type: 'ExpiredIteratorException',
      message:
        'Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 UTC 2015 while right now it is ' +
        'Thu Jan 22 01:27:02 UTC 2015 which is further in the future than the tolerated delay of 300000 milliseconds.',
    });
  });

  it('reject garbage and any edited token as "Invalid ShardIterator."', () => {
    const invalid = { ok: false, type: 'InvalidArgumentException', message: 'Invalid ShardIterator.' };
    for (const junk of ['x', 'AAAA', 'not base64 at all!', 'A'.repeat(512)]) expect(decodeIterator(junk, 0)).toEqual(invalid);
    fc.assert(
      fc.property(positionArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, flip) => {
        const raw = Buffer.from(encodeIterator(p), 'base64');
        const i = at % raw.length;
        raw[i] = raw[i]! ^ flip;
        expect(decodeIterator(raw.toString('base64'), p.createdAtMs)).toEqual(invalid);
        expect(decodeIterator(raw.subarray(0, raw.length - 1).toString('base64'), p.createdAtMs)).toEqual(invalid);
      }),
    );
  });

  it('reject a token issued in the future of the clock', () => {
    const token = encodeIterator({ streamName: 's', streamCreatedAtMs: 0, shardOrdinal: 0, index: 0n, createdAtMs: 10_000 });
    expect(decodeIterator(token, 9_999).ok).toBe(false);
  });

  it('format dates as Java does', () => {
    expect(amzUtcString(Date.UTC(2026, 2, 5, 4, 3, 9))).toBe('Thu Mar 05 04:03:09 UTC 2026');
  });
});
