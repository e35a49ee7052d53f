// The data plane's shared core: routing and appending records (PutRecord, PutRecords), finding the shard an
// iterator or a GetShardIterator call names, and records as GetRecords returns them.
import type { ShardLog, StoredRecord } from '../../log/types.ts';
import { KinesisApiError, invalidArgument, resourceNotFound, streamNotFound, validationError } from '../errors.ts';
import { jsonBytes, type JsonWriter } from '../json-writer.ts';
import { wireBlob, wireTimestamp, type OperationContext } from '../operation.ts';
import { hashKeyWords, parseExplicitHashKey, partitionKeyWords, shardForWords } from './hash.ts';
import { isExpired } from './resharding.ts';
import { parseShardId, sequenceBase, SequenceCounter, sequenceNumbersFrom, sequenceValueAt, SEQUENCE_DIGITS_MAX } from './sequence.ts';
import { rateExceededMessage, throughputOf } from './throughput.ts';
import type { LiveStream, ShardMeta } from './types.ts';

/** A Kinesis PUT payload unit: every 25 KB (or part) of a record. */
export const PAYLOAD_UNIT_BYTES = 25 * 1024;
/** GetRecords returns at most this much data per call. */
export const GET_RECORDS_MAX_BYTES = 10 * 1024 * 1024;
/** PutRecords: data plus partition keys of one request (AWS's current limit). */
export const PUT_RECORDS_MAX_BYTES = 10 * 1024 * 1024;

/** A record to put, with the request's member names (PutRecords entries are passed as they are). */
export interface PutEntry {
  Data: Buffer;
  PartitionKey: string;
  ExplicitHashKey?: string | undefined;
}

/** Per entry, in request order: its shard and sequence number, or (throttled) the error message. */
export interface PutResults {
  shardIds: string[];
  sequenceNumbers: string[];
  /** Set only when some entry was throttled: ProvisionedThroughputExceededException's message per failed entry. */
  throttled: Array<string | undefined> | undefined;
}

// Resharding switches the shard map synchronously, but its document is written after: puts that land on the
// new shards wait for that write, so an acknowledged record is never in a shard the stream document lacks.
const pendingShardMaps = new WeakMap<LiveStream, Promise<void>>();

export function trackShardMapSave(stream: LiveStream, saved: Promise<void>): void {
  const p = saved.finally(() => {
    if (pendingShardMaps.get(stream) === p) pendingShardMaps.delete(stream);
  });
  // Puts that wait on it see a failed save; with none waiting, it must not be an unhandled rejection.
  p.catch(() => {});
  pendingShardMaps.set(stream, p);
}

/** Scratch space for the hash key of the record being routed (routing is synchronous). */
const hashKey = new Uint32Array(4);

const bases = new WeakMap<ShardMeta, bigint>();
function baseOf(shard: ShardMeta): bigint {
  let b = bases.get(shard);
  if (b === undefined) bases.set(shard, (b = sequenceBase(shard)));
  return b;
}

/** The stream a data-plane call names, if it takes reads and writes (ACTIVE or UPDATING, as kinesalite recorded). */
export function writableStream(ctx: OperationContext, ref: { StreamName?: string; StreamARN?: string }): LiveStream {
  const stream = ctx.store.resolve(ref);
  const { status } = stream.meta;
  if (status !== 'ACTIVE' && status !== 'UPDATING') throw streamNotFound(stream.meta.name, ctx.options.accountId);
  return stream;
}

/**
 * Checks one record against the stream's record size (data + partition key, MaxRecordSizeInKiB).
 * index is the PutRecords entry's (a ValidationException points at 'records.3.member.data'; PutRecord's at 'data').
 */
export function checkRecordSize(stream: LiveStream, entry: PutEntry, index?: number): number {
  const max = stream.meta.maxRecordSizeInKiB * 1024;
  const dataBytes = entry.Data.length;
  if (dataBytes > max) {
    const path = index === undefined ? 'data' : `records.${index + 1}.member.data`;
    throw validationError(
      `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${dataBytes} cap=${dataBytes}]' at '${path}' ` +
        `failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  const size = dataBytes + Buffer.byteLength(entry.PartitionKey, 'utf8');
  if (size > max) {
    // UNVERIFIED wording: AWS documents that the partition key counts towards the record size, not this text.
    throw invalidArgument(
      `Record size ${size} bytes (data blob plus partition key) exceeds the maximum record size of ` +
        `${stream.meta.maxRecordSizeInKiB} KiB for stream ${stream.meta.name}.`,
    );
  }
  return size;
}

/**
 * Routes entries to the open shards, appends each shard's group in one append call, and resolves once every
 * append is handed to the OS (or fsynced). Sizes are the entries' data + partition key bytes (checked by the
 * caller). With limits on, an entry over its shard's capacity fails alone.
 */
export async function appendEntries(
  ctx: OperationContext,
  stream: LiveStream,
  entries: readonly PutEntry[],
  sizes: readonly number[],
  operation: 'PutRecord' | 'PutRecords',
): Promise<PutResults> {
  const table = ctx.store.routing(stream);
  const n = entries.length;
  const target = new Array<ShardMeta>(n);
  const key = hashKey;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    if (e.ExplicitHashKey !== undefined) {
      const parsed = parseExplicitHashKey(e.ExplicitHashKey);
      if (!parsed.ok) throw invalidArgument(parsed.message);
      hashKeyWords(parsed.value, key);
    } else {
      partitionKeyWords(e.PartitionKey, key);
    }
    const shard = shardForWords(table, key);
    if (!shard) throw new KinesisApiError('InternalFailure', undefined, 500); // open shards always cover the space
    target[i] = shard;
  }

  const now = ctx.clock.now();
  const shardIds = new Array<string>(n);
  const sequenceNumbers = new Array<string>(n);
  let throttledMessages: Array<string | undefined> | undefined;
  const groups = new Map<ShardMeta, number[]>();
  const { name } = stream.meta;
  const { accountId } = ctx.options;
  let throttled: Set<ShardMeta> | undefined;
  for (let i = 0; i < n; i++) {
    const shard = target[i]!;
    if (ctx.options.enforceLimits && !throughputOf(logOf(stream, shard), now).admitWrite(sizes[i]!, now)) {
      (throttledMessages ??= new Array<string | undefined>(n))[i] = rateExceededMessage(shard.shardId, name, accountId);
      (throttled ??= new Set()).add(shard);
      continue;
    }
    let g = groups.get(shard);
    if (!g) groups.set(shard, (g = []));
    g.push(i);
  }
  if (throttled) {
    for (const shard of throttled) ctx.emit({ type: 'throttled', streamName: name, shardId: shard.shardId, operation });
  }

  const encrypted = stream.meta.encryptionType === 'KMS';
  const written: Promise<void>[] = [];
  for (const [shard, idx] of groups) {
    const log = logOf(stream, shard);
    // The log keeps arrival times non-decreasing; the sequence numbers must encode the time it stores.
    const arrivalMs = Math.max(now, log.lastArrivalMs ?? 0);
    const records = new Array(idx.length);
    let bytes = 0;
    let units = 0;
    for (let k = 0; k < idx.length; k++) {
      const e = entries[idx[k]!]!;
      const size = sizes[idx[k]!]!;
      bytes += size;
      units += Math.ceil(size / PAYLOAD_UNIT_BYTES) || 1;
      records[k] = encrypted
        ? { partitionKey: e.PartitionKey, data: e.Data, arrivalMs, encrypted: true }
        : { partitionKey: e.PartitionKey, data: e.Data, arrivalMs };
    }
    const appended = log.append(records);
    written.push(appended.written);
    const seqs = sequenceNumbersFrom(baseOf(shard), appended.firstIndex, idx.length, arrivalMs);
    for (let k = 0; k < idx.length; k++) {
      shardIds[idx[k]!] = shard.shardId;
      sequenceNumbers[idx[k]!] = seqs[k]!;
    }
    ctx.emit({ type: 'appended', streamName: name, shardId: shard.shardId, records: idx.length, bytes, payloadUnits: units });
  }
  await Promise.all(written);
  const pending = pendingShardMaps.get(stream);
  if (pending) await pending;
  return { shardIds, sequenceNumbers, throttled: throttledMessages };
}

function logOf(stream: LiveStream, shard: ShardMeta): ShardLog {
  const log = stream.logs.get(shard.shardId);
  if (!log) throw new KinesisApiError('InternalFailure', undefined, 500);
  return log;
}

/** `Shard shardId-000000000000 in stream s under account 000000000000 does not exist` (AWS, no full stop). */
export function shardNotFound(shardId: string, streamName: string, accountId: string): KinesisApiError {
  return resourceNotFound(`Shard ${shardId} in stream ${streamName} under account ${accountId} does not exist`);
}

/** A listed (not expired) shard of the stream by its ordinal, with its log. */
export function readableShard(
  ctx: OperationContext,
  stream: LiveStream,
  ordinal: number,
): { shard: ShardMeta; log: ShardLog } | undefined {
  const shard = stream.meta.shards.find((s) => s.ordinal === ordinal);
  if (!shard || isExpired(shard, stream.meta.retentionPeriodHours, ctx.clock.now())) return undefined;
  const log = stream.logs.get(shard.shardId);
  return log ? { shard, log } : undefined;
}

/** The ordinal a ShardId names (short forms allowed), or AWS's "Could not find shard" for a malformed one. */
export function shardOrdinal(ctx: OperationContext, shardId: string, streamName: string): number {
  const ordinal = parseShardId(shardId);
  if (ordinal === undefined) {
    throw resourceNotFound(`Could not find shard ${shardId} in stream ${streamName} under account ${ctx.options.accountId}.`);
  }
  return ordinal;
}

/** The index after a shard's last record: closedAtIndex for a closed shard, the log's end for an open one. */
export function endIndex(shard: ShardMeta, log: ShardLog): bigint {
  return shard.closedAtIndex !== undefined ? BigInt(shard.closedAtIndex) : log.nextIndex;
}

/**
 * Visits stored records with their sequence number in counter. Records that follow each other in the log
 * and share a write second differ by one SEQUENCE_STEP (the put path's batches make that the common case).
 */
function forEachNumbered(
  shard: ShardMeta,
  records: readonly StoredRecord[],
  visit: (r: StoredRecord, i: number, counter: SequenceCounter) => void,
): void {
  const base = baseOf(shard);
  const counter = new SequenceCounter();
  let prevIndex = -2n;
  let prevSecs = -1;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const secs = Math.floor(r.arrivalMs / 1000);
    if (secs === prevSecs && r.index === prevIndex + 1n) counter.step();
    else counter.set(sequenceValueAt(base, r.index, r.arrivalMs));
    prevSecs = secs;
    prevIndex = r.index;
    visit(r, i, counter);
  }
}

/** Stored records as GetRecords returns them. */
export function wireRecords(shard: ShardMeta, records: readonly StoredRecord[]): Array<Record<string, unknown>> {
  const out = new Array<Record<string, unknown>>(records.length);
  // Records of one put share an arrival time: they share its (immutable) wire timestamp too.
  let prevMs = Number.NaN;
  let ts = wireTimestamp(0);
  forEachNumbered(shard, records, (r, i, counter) => {
    if (r.arrivalMs !== prevMs) ts = wireTimestamp((prevMs = r.arrivalMs));
    const seq = counter.toString();
    // kinesalite's AWS-recorded records carry no EncryptionType; AWS documents it as optional: eddy sends it
    // only for records written to an encrypted stream.
    out[i] = r.encrypted
      ? { SequenceNumber: seq, ApproximateArrivalTimestamp: ts, Data: wireBlob(r.data), PartitionKey: r.partitionKey, EncryptionType: 'KMS' }
      : { SequenceNumber: seq, ApproximateArrivalTimestamp: ts, Data: wireBlob(r.data), PartitionKey: r.partitionKey };
  });
  return out;
}

/** Writes JSON.stringify(wireRecords(shard, records)) without building the objects. */
export function writeWireRecords(w: JsonWriter, shard: ShardMeta, records: readonly StoredRecord[]): void {
  let prevMs = Number.NaN;
  let ts = '';
  w.raw(LIST_OPEN);
  forEachNumbered(shard, records, (r, i, counter) => {
    if (r.arrivalMs !== prevMs) ts = JSON.stringify(wireTimestamp((prevMs = r.arrivalMs)));
    w.raw(i === 0 ? RECORD_SEQUENCE : RECORD_NEXT_SEQUENCE);
    w.from(counter, SEQUENCE_DIGITS_MAX);
    w.raw(RECORD_TIMESTAMP);
    w.ascii(ts);
    w.raw(RECORD_DATA);
    w.base64(r.data);
    w.raw(RECORD_KEY);
    w.string(r.partitionKey);
    w.raw(r.encrypted ? RECORD_KMS_CLOSE : RECORD_CLOSE);
  });
  w.raw(LIST_CLOSE);
}

const LIST_OPEN = jsonBytes('[');
const LIST_CLOSE = jsonBytes(']');
const RECORD_SEQUENCE = jsonBytes('{"SequenceNumber":"');
const RECORD_NEXT_SEQUENCE = jsonBytes(',{"SequenceNumber":"');
const RECORD_TIMESTAMP = jsonBytes('","ApproximateArrivalTimestamp":');
const RECORD_DATA = jsonBytes(',"Data":');
const RECORD_KEY = jsonBytes(',"PartitionKey":');
const RECORD_CLOSE = jsonBytes('}');
const RECORD_KMS_CLOSE = jsonBytes(',"EncryptionType":"KMS"}');

export function checkThroughputRead(ctx: OperationContext, stream: LiveStream, shard: ShardMeta, log: ShardLog): void {
  if (!ctx.options.enforceLimits) return;
  const now = ctx.clock.now();
  if (!throughputOf(log, now).admitRead(now)) {
    ctx.emit({ type: 'throttled', streamName: stream.meta.name, shardId: shard.shardId, operation: 'GetRecords' });
    throw new KinesisApiError(
      'ProvisionedThroughputExceededException',
      rateExceededMessage(shard.shardId, stream.meta.name, ctx.options.accountId),
    );
  }
}

export function chargeThroughputRead(ctx: OperationContext, log: ShardLog, bytes: number): void {
  if (!ctx.options.enforceLimits) return;
  const now = ctx.clock.now();
  throughputOf(log, now).chargeRead(bytes, now);
}
