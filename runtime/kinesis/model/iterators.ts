// Shard iterators: opaque, tamper-evident tokens naming a stream, a shard and the next log index to read.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html (expires after 5 minutes)
//
// A token is base64(iv | GCM tag | AES-256-GCM(payload)). The key is fixed, not per process, so the
// iterators a consumer holds stay valid across an eddy restart, as they do across AWS deployments;
// GCM makes any edit or truncation of a token fail to decode ("Invalid ShardIterator.").
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

/** AWS's tolerated iterator age. */
export const ITERATOR_TTL_MS = 300_000;

const KEY = Buffer.from('6564647920697465726174f2a91c07e3b5d4c81f0a6e3d92b7c5e1f40d8a2b96', 'hex');
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FIXED_BYTES = 1 + 8 + 8 + 8 + 4; // version, createdAtMs, index, streamCreatedAtMs, shard ordinal

export interface IteratorPosition {
  streamName: string;
  /** Tells a re-created stream of the same name from the one the iterator was issued for. */
  streamCreatedAtMs: number;
  shardOrdinal: number;
  /** The next log index GetRecords reads from. */
  index: bigint;
  /** When the iterator was issued (clock ms). */
  createdAtMs: number;
}

export type DecodedIterator =
  | { ok: true; position: IteratorPosition }
  | { ok: false; type: 'InvalidArgumentException' | 'ExpiredIteratorException'; message: string };

export function encodeIterator(p: IteratorPosition): string {
  const name = Buffer.from(p.streamName, 'utf8');
  const plain = Buffer.allocUnsafe(FIXED_BYTES + name.length);
  plain.writeUInt8(VERSION, 0);
  plain.writeBigUInt64BE(BigInt(p.createdAtMs), 1);
  plain.writeBigUInt64BE(p.index, 9);
  plain.writeBigUInt64BE(BigInt(p.streamCreatedAtMs), 17);
  plain.writeUInt32BE(p.shardOrdinal, 25);
  name.copy(plain, FIXED_BYTES);
  const iv = randomFillSync(Buffer.allocUnsafe(IV_BYTES));
  const cipher = createCipheriv('aes-256-gcm', KEY, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

const invalid: DecodedIterator = { ok: false, type: 'InvalidArgumentException', message: 'Invalid ShardIterator.' };

/** Decodes a token and checks its age against nowMs. */
export function decodeIterator(token: string, nowMs: number): DecodedIterator {
  const raw = Buffer.from(token, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES + FIXED_BYTES + 1 || raw.toString('base64') !== token) return invalid;
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', KEY, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return invalid;
  }
  if (plain.readUInt8(0) !== VERSION) return invalid;
  const createdAtMs = Number(plain.readBigUInt64BE(1));
  // An iterator from the future cannot have been issued by this clock.
  if (createdAtMs > nowMs) return invalid;
  if (nowMs - createdAtMs > ITERATOR_TTL_MS) {
    return {
      ok: false,
      type: 'ExpiredIteratorException',
      message:
        `Iterator expired. The iterator was created at time ${amzUtcString(createdAtMs)} while right now it is ` +
        `${amzUtcString(nowMs)} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
    };
  }
  return {
    ok: true,
    position: {
      createdAtMs,
      index: plain.readBigUInt64BE(9),
      streamCreatedAtMs: Number(plain.readBigUInt64BE(17)),
      shardOrdinal: plain.readUInt32BE(25),
      streamName: plain.subarray(FIXED_BYTES).toString('utf8'),
    },
  };
}

/** `Thu Jan 22 01:22:02 UTC 2015`, the Java Date.toString() form AWS's iterator message uses. */
export function amzUtcString(ms: number): string {
  const m = /^(\w+), (\d+) (\w+) (\d+) (\S+) GMT$/.exec(new Date(ms).toUTCString());
  if (!m) return new Date(ms).toISOString();
  return `${m[1]} ${m[3]} ${m[2]} ${m[5]} UTC ${m[4]}`;
}
