// The on-disk record format of a shard's segment files, and its encoder and decoder.
//
// A record is [crc32 u32 LE][bodyLength u32 LE][body], the CRC covering bodyLength and body, so a torn
// length prefix is caught as surely as a torn body. The body is
// [arrivalMs f64 LE][flags u8][partitionKeyLength u16 LE][partitionKey utf8][data].
import { crc32 } from 'node:zlib';
import type { StoredRecord } from './types.ts';

export const HEADER_BYTES = 8;
/** arrivalMs + flags + partition key length. */
export const BODY_FIXED_BYTES = 11;
export const RECORD_OVERHEAD = HEADER_BYTES + BODY_FIXED_BYTES;
export const FLAG_ENCRYPTED = 1;
const KNOWN_FLAGS = FLAG_ENCRYPTED;
/**
 * The largest body the decoder accepts (Kinesis allows 10 MiB records at most). A larger length prefix
 * can only be a torn or corrupt one, so it is never allocated.
 */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
export const MAX_PARTITION_KEY_BYTES = 0xffff;

// CRC-32 (the zlib polynomial) by slicing-by-8 in JS, for short ranges: a native zlib.crc32 call plus
// the view it needs cost more than the table lookups up to a few hundred bytes (100-byte records are
// the common case). Longer ranges go to zlib.
const CRC_TABLE = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let k = 1; k < 8; k++) {
    const prev = CRC_TABLE[(k - 1) * 256 + n]!;
    CRC_TABLE[k * 256 + n] = (prev >>> 8) ^ CRC_TABLE[prev & 0xff]!;
  }
}
const JS_CRC_MAX = 320;

/** CRC-32 of buf[start..end), the same value zlib.crc32 gives. */
export function crc32Of(buf: Buffer, start: number, end: number): number {
  if (end - start > JS_CRC_MAX) return crc32(buf.subarray(start, end));
  const t = CRC_TABLE;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Bytes a record takes on disk. */
export function recordBytes(partitionKeyBytes: number, dataBytes: number): number {
  return RECORD_OVERHEAD + partitionKeyBytes + dataBytes;
}

/**
 * Writes one record at buf[at..] (the caller sized buf with recordBytes) and returns where it ends.
 * partitionKeyBytes must be Buffer.byteLength(partitionKey).
 */
export function encodeRecord(
  buf: Buffer,
  at: number,
  arrivalMs: number,
  flags: number,
  partitionKey: string,
  partitionKeyBytes: number,
  data: Uint8Array,
): number {
  const bodyLength = BODY_FIXED_BYTES + partitionKeyBytes + data.length;
  if (bodyLength > MAX_BODY_BYTES) throw new RangeError(`A record body of ${bodyLength} bytes is over the ${MAX_BODY_BYTES} byte limit.`);
  if (partitionKeyBytes > MAX_PARTITION_KEY_BYTES) throw new RangeError(`A partition key of ${partitionKeyBytes} bytes is too long.`);
  buf.writeUInt32LE(bodyLength, at + 4);
  buf.writeDoubleLE(arrivalMs, at + 8);
  buf[at + 16] = flags;
  buf.writeUInt16LE(partitionKeyBytes, at + 17);
  const keyAt = at + HEADER_BYTES + BODY_FIXED_BYTES;
  if (partitionKeyBytes === partitionKey.length && partitionKeyBytes <= 64) {
    // ASCII (UTF-8 length equals UTF-16 length only then), and short: cheaper than a native write.
    for (let i = 0; i < partitionKeyBytes; i++) buf[keyAt + i] = partitionKey.charCodeAt(i);
  } else {
    buf.write(partitionKey, keyAt, partitionKeyBytes, 'utf8');
  }
  buf.set(data, keyAt + partitionKeyBytes);
  const end = keyAt + partitionKeyBytes + data.length;
  buf.writeUInt32LE(crc32Of(buf, at + 4, end), at);
  return end;
}

/** probeRecord's answer when fewer bytes than the record's length prefix promises are at hand. */
export const INCOMPLETE = -1;
/** probeRecord's answer when the bytes at hand cannot be a record (bad length, flags or CRC). */
export const CORRUPT = -2;

/**
 * Checks the record starting at buf[at] with the bytes up to end available: its total length when it is
 * whole and valid, INCOMPLETE when more bytes are needed (see wantedBytes), CORRUPT otherwise.
 */
export function probeRecord(buf: Buffer, at: number, end: number): number {
  if (end - at < HEADER_BYTES) return INCOMPLETE;
  const bodyLength = buf.readUInt32LE(at + 4);
  if (bodyLength < BODY_FIXED_BYTES || bodyLength > MAX_BODY_BYTES) return CORRUPT;
  const total = HEADER_BYTES + bodyLength;
  if (end - at < total) return INCOMPLETE;
  if (crc32Of(buf, at + 4, at + total) !== buf.readUInt32LE(at)) return CORRUPT;
  const flags = buf[at + 16]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) return CORRUPT;
  if (BODY_FIXED_BYTES + buf.readUInt16LE(at + 17) > bodyLength) return CORRUPT;
  if (!Number.isFinite(buf.readDoubleLE(at + 8))) return CORRUPT;
  return total;
}

/**
 * How many bytes the record at buf[at] needs in all, once at least HEADER_BYTES are at hand
 * (undefined while even the length prefix is missing).
 */
export function wantedBytes(buf: Buffer, at: number, end: number): number | undefined {
  if (end - at < HEADER_BYTES) return undefined;
  return HEADER_BYTES + buf.readUInt32LE(at + 4);
}

/** Arrival time of the (probed) record at buf[at]. */
export function arrivalOf(buf: Buffer, at: number): number {
  return buf.readDoubleLE(at + 8);
}

/** The (probed) record at buf[at] as storage hands it out; its data is a view into buf, not a copy. */
export function decodeRecord(buf: Buffer, at: number, total: number, index: bigint): StoredRecord {
  const keyAt = at + HEADER_BYTES + BODY_FIXED_BYTES;
  const dataAt = keyAt + buf.readUInt16LE(at + 17);
  return {
    index,
    partitionKey: buf.toString('utf8', keyAt, dataAt),
    data: buf.subarray(dataAt, at + total),
    arrivalMs: buf.readDoubleLE(at + 8),
    encrypted: (buf[at + 16]! & FLAG_ENCRYPTED) !== 0,
  };
}

/** Data length of the (probed) record at buf[at]. */
export function dataLengthOf(buf: Buffer, at: number, total: number): number {
  return total - RECORD_OVERHEAD - buf.readUInt16LE(at + 17);
}
