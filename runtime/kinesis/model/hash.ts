// The hash-key space of a stream: MD5 routing of partition keys, ExplicitHashKey, and AWS's create-time layout.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html (PartitionKey, ExplicitHashKey)
import { hash } from 'node:crypto';
import { md5Words } from './md5.ts';

/** 2^128 - 1, the last hash key. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;
export const MAX_HASH_KEY_STRING = MAX_HASH_KEY.toString();

/** MD5 of the partition key's UTF-8 bytes, as an unsigned 128-bit integer. */
export function hashPartitionKey(partitionKey: string): bigint {
  return BigInt('0x' + hash('md5', partitionKey, 'hex'));
}

/**
 * A hash key as four unsigned 32-bit words, most significant first: the form the put path routes with
 * (word compares instead of BigInt), written into out.
 */
export function hashKeyWords(value: bigint, out: Uint32Array = new Uint32Array(4)): Uint32Array {
  out[0] = Number((value >> 96n) & 0xffffffffn);
  out[1] = Number((value >> 64n) & 0xffffffffn);
  out[2] = Number((value >> 32n) & 0xffffffffn);
  out[3] = Number(value & 0xffffffffn);
  return out;
}

/** hashPartitionKey in the form of hashKeyWords. */
export function partitionKeyWords(partitionKey: string, out: Uint32Array): Uint32Array {
  md5Words(partitionKey, out);
  return out;
}

export type ParsedHashKey = { ok: true; value: bigint } | { ok: false; message: string };

/**
 * Parses an ExplicitHashKey. The model's pattern (0|[1-9]\d{0,38}) is checked by the validation table;
 * here only the range, with AWS's message.
 */
export function parseExplicitHashKey(value: string): ParsedHashKey {
  let n: bigint | undefined;
  if (/^-?\d+$/.test(value)) n = BigInt(value);
  if (n === undefined || n < 0n || n > MAX_HASH_KEY) {
    return {
      ok: false,
      message: `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${value}`,
    };
  }
  return { ok: true, value: n };
}

export interface HashRange {
  startingHashKey: string;
  endingHashKey: string;
}

/**
 * The ranges AWS gives a new stream of n shards: w = floor(2^128 / n), shard i = [w*i, w*(i+1) - 1],
 * the last one ending at 2^128 - 1 (aws-semantics §1.1, recorded from AWS by kinesalite's tests).
 */
export function createTimeLayout(n: number): HashRange[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`shard count must be a positive integer, got ${n}`);
  const w = (1n << 128n) / BigInt(n);
  const out: HashRange[] = [];
  for (let i = 0; i < n; i++) {
    const start = w * BigInt(i);
    const end = i === n - 1 ? MAX_HASH_KEY : w * BigInt(i + 1) - 1n;
    out.push({ startingHashKey: start.toString(), endingHashKey: end.toString() });
  }
  return out;
}

/** A shard's range, parsed once, for routing without re-parsing strings per record. */
export interface RoutableShard<T> {
  start: bigint;
  end: bigint;
  startWords: Uint32Array;
  endWords: Uint32Array;
  shard: T;
}

/** Sorts the shards by range so shardForHash can binary-search them. */
export function routingTable<T extends HashRange>(shards: readonly T[]): RoutableShard<T>[] {
  return shards
    .map((shard) => {
      const start = BigInt(shard.startingHashKey);
      const end = BigInt(shard.endingHashKey);
      return { start, end, startWords: hashKeyWords(start), endWords: hashKeyWords(end), shard };
    })
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** The shard whose inclusive range holds the hash key (undefined only if the table has a gap). */
export function shardForHash<T>(table: readonly RoutableShard<T>[], hash: bigint): T | undefined {
  return shardForWords(table, hashKeyWords(hash));
}

/** shardForHash for a key given as hashKeyWords. */
export function shardForWords<T>(table: readonly RoutableShard<T>[], key: Uint32Array): T | undefined {
  let lo = 0;
  let hi = table.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = table[mid]!;
    if (compareWords(key, r.startWords) < 0) hi = mid - 1;
    else if (compareWords(key, r.endWords) > 0) lo = mid + 1;
    else return r.shard;
  }
  return undefined;
}

function compareWords(a: Uint32Array, b: Uint32Array): number {
  for (let i = 0; i < 4; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

/** True when the ranges cover [0, 2^128 - 1] exactly once, contiguously. */
export function coversHashSpace(ranges: readonly HashRange[]): boolean {
  const sorted = routingTable(ranges);
  let next = 0n;
  for (const r of sorted) {
    if (r.start !== next || r.end < r.start) return false;
    next = r.end + 1n;
  }
  return next === MAX_HASH_KEY + 1n;
}
