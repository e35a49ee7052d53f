// The JSON Lambda hands a Kinesis-triggered function (reference §4.8, §4.6) and the on-failure
// destination record (§4.5). Event records are serialised once, when read, so a batch's payload is a
// join of strings and its size is known before it is cut.
import { randomUUID } from 'node:crypto';

/** One record as the mapping holds it between GetRecords and its checkpoint. */
export interface ReadRecord {
  sequenceNumber: string;
  partitionKey: string;
  /** Arrival time, ms since the epoch. */
  arrivalMs: number;
  /** The record's event JSON (one element of `Records`). */
  json: string;
  /** UTF-8 byte length of json. */
  bytes: number;
  lane: number;
  /** Set once the record needs no more work (invoked successfully, filtered out, or discarded). */
  done: boolean;
}

/** What every record of one mapping and shard shares. */
export interface EventContext {
  shardId: string;
  eventSourceArn: string;
  awsRegion: string;
  invokeIdentityArn: string;
}

/** The parts of a record's JSON that every record of one mapping and shard shares (built once). */
interface Tails {
  eventId: string;
  tail: string;
  /** UTF-8 bytes of eventId and tail beyond their length in UTF-16 units (0 unless an ARN is not ASCII). */
  extraBytes: number;
}

const tails = new WeakMap<EventContext, Tails>();

function tailsOf(ctx: EventContext): Tails {
  let t = tails.get(ctx);
  if (!t) {
    // `"eventID":"<shardId>:` without the closing quote: the sequence number follows.
    const eventId = `,"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":${JSON.stringify(`${ctx.shardId}:`).slice(0, -1)}`;
    const tail = `","eventName":"aws:kinesis:record","invokeIdentityArn":${JSON.stringify(ctx.invokeIdentityArn)},"awsRegion":${JSON.stringify(ctx.awsRegion)},"eventSourceARN":${JSON.stringify(ctx.eventSourceArn)}}`;
    t = { eventId, tail, extraBytes: Buffer.byteLength(eventId + tail) - eventId.length - tail.length };
    tails.set(ctx, t);
  }
  return t;
}

/**
 * The `Records[i]` JSON of one Kinesis record, fields in AWS's order, and its UTF-8 byte length. Built by
 * concatenation (the hot path of a mapping): the same text JSON.stringify gives for the object in the
 * test. The length is counted from the parts (only the partition key and the shared parts can be other
 * than ASCII), so the concatenation is not flattened here but once, with its whole batch, when it is sent.
 */
export function eventRecordJson(
  ctx: EventContext,
  rec: { sequenceNumber: string; partitionKey: string; data: Uint8Array; arrivalMs: number },
): { json: string; bytes: number } {
  const { eventId, tail, extraBytes } = tailsOf(ctx);
  const data = Buffer.from(rec.data.buffer, rec.data.byteOffset, rec.data.byteLength).toString('base64');
  const key = JSON.stringify(rec.partitionKey);
  // Sequence numbers are decimal digits: no escaping needed.
  const json =
    `{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":${key},"sequenceNumber":"${rec.sequenceNumber}",` +
    `"data":"${data}","approximateArrivalTimestamp":${JSON.stringify(rec.arrivalMs / 1000)}}` +
    `${eventId}${rec.sequenceNumber}${tail}`;
  return { json, bytes: json.length + extraBytes + Buffer.byteLength(key) - key.length };
}

/** Bytes of `{"Records":[...]}` holding n records whose JSON totals recordBytes. */
export function payloadBytes(n: number, recordBytes: number): number {
  return 14 + recordBytes + Math.max(0, n - 1);
}

export function batchPayload(records: readonly ReadRecord[]): string {
  let out = '{"Records":[';
  for (let i = 0; i < records.length; i++) {
    if (i > 0) out += ',';
    out += records[i]!.json;
  }
  return out + ']}';
}

export interface WindowInfo {
  startMs: number;
  endMs: number;
  state: unknown;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

/** ISO-8601 as the window fields show it (`2020-12-09T07:04:00Z`: no milliseconds when they are zero). */
function windowTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** A tumbling-window invocation: the records plus window, state and the window flags (reference §4.6). */
export function windowPayload(records: readonly ReadRecord[], ctx: EventContext, w: WindowInfo): string {
  const body = batchPayload(records).slice(0, -1);
  const rest = JSON.stringify({
    window: { start: windowTime(w.startMs), end: windowTime(w.endMs) },
    state: w.state ?? {},
    shardId: ctx.shardId,
    eventSourceARN: ctx.eventSourceArn,
    isFinalInvokeForWindow: w.isFinalInvokeForWindow,
    isWindowTerminatedEarly: w.isWindowTerminatedEarly,
  });
  return `${body},${rest.slice(1)}`;
}

/** Why records were discarded. `RecordAgeExceeded` follows LocalStack (AWS's exact string is UNVERIFIED). */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface DiscardInfo {
  condition: DiscardCondition;
  functionArn: string;
  streamArn: string;
  shardId: string;
  records: readonly ReadRecord[];
  /** Invocations of this batch so far. */
  approximateInvokeCount: number;
  /** The last invocation's request id and error, when there was one. */
  lastInvoke: { requestId: string; functionError: string | undefined } | undefined;
  nowMs: number;
}

/** The on-failure destination record, exactly as AWS sends it for a Kinesis mapping (reference §4.5). */
export function destinationRecord(info: DiscardInfo): Record<string, unknown> {
  const first = info.records[0]!;
  const last = info.records[info.records.length - 1]!;
  const record: Record<string, unknown> = {
    requestContext: {
      requestId: info.lastInvoke?.requestId ?? randomUUID(),
      functionArn: info.functionArn,
      condition: info.condition,
      approximateInvokeCount: info.approximateInvokeCount,
    },
  };
  // Discarded without ever being invoked: no response to report (LocalStack's behaviour; UNVERIFIED).
  if (info.lastInvoke) {
    const responseContext: Record<string, unknown> = { statusCode: 200, executedVersion: '$LATEST' };
    if (info.lastInvoke.functionError !== undefined) responseContext['functionError'] = info.lastInvoke.functionError;
    record['responseContext'] = responseContext;
  }
  record['version'] = '1.0';
  record['timestamp'] = new Date(info.nowMs).toISOString();
  record['KinesisBatchInfo'] = {
    shardId: info.shardId,
    startSequenceNumber: first.sequenceNumber,
    endSequenceNumber: last.sequenceNumber,
    approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
    approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
    batchSize: info.records.length,
    streamArn: info.streamArn,
  };
  return record;
}
