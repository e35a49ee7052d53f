// The segment record format: encode/probe/decode round trips, checksums equal to zlib's, damage caught.
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CORRUPT,
  INCOMPLETE,
  RECORD_OVERHEAD,
  crc32Of,
  decodeRecord,
  encodeRecord,
  probeRecord,
  recordBytes,
  wantedBytes,
} from '../../../runtime/log/record-codec.ts';

describe('record codec', () => {
  it('computes the same CRC-32 as zlib over any range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        expect(crc32Of(buf, start, end)).toBe(crc32(buf.subarray(start, end)));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips records and catches every single flipped byte', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.uint8Array({ maxLength: 600 }),
        fc.double({ min: 0, max: 4e12, noNaN: true }),
        fc.boolean(),
        fc.nat(),
        (key, data, arrivalMs, encrypted, flipAt) => {
          const keyBytes = Buffer.byteLength(key);
          const size = recordBytes(keyBytes, data.length);
          expect(size).toBe(RECORD_OVERHEAD + keyBytes + data.length);
          const buf = Buffer.alloc(size + 3);
          expect(encodeRecord(buf, 3, arrivalMs, encrypted ? 1 : 0, key, keyBytes, data)).toBe(size + 3);
          expect(probeRecord(buf, 3, buf.length)).toBe(size);
          const r = decodeRecord(buf, 3, size, 7n);
          expect({ ...r, data: [...r.data] }).toEqual({ index: 7n, partitionKey: key, data: [...data], arrivalMs, encrypted });
          // Short of its last byte it is incomplete, and says how much it wants.
          expect(probeRecord(buf, 3, buf.length - 4)).toBe(INCOMPLETE);
          expect(wantedBytes(buf, 3, buf.length - 4)).toBe(size);
          const flipped = Buffer.from(buf);
          const at = 3 + (flipAt % size);
          flipped[at] = flipped[at]! ^ 0x01;
          expect([CORRUPT, INCOMPLETE]).toContain(probeRecord(flipped, 3, flipped.length));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a length prefix no record can have', () => {
    const zeros = Buffer.alloc(64);
    expect(probeRecord(zeros, 0, zeros.length)).toBe(CORRUPT);
    const huge = Buffer.alloc(64);
    huge.writeUInt32LE(0xffffffff, 4);
    expect(probeRecord(huge, 0, huge.length)).toBe(CORRUPT);
    expect(probeRecord(huge, 0, 5)).toBe(INCOMPLETE);
  });
});
