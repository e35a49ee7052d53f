// Per-shard throughput limits (only with enforceLimits): what AWS allows a provisioned shard per second.
// https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
//   in:  1 MiB/s (data + partition key) and 1,000 records/s, as token buckets holding one second's worth;
//   out: 5 GetRecords calls per second, and 2 MiB/s: a call that returns B bytes keeps the shard's reads
//        closed for B / 2 MiB seconds, so after a 10 MiB GetRecords the next 5 s throw, as AWS documents.
import type { ShardLog } from '../../log/types.ts';

export const WRITE_BYTES_PER_SEC = 1024 * 1024;
export const WRITE_RECORDS_PER_SEC = 1000;
export const READ_BYTES_PER_SEC = 2 * 1024 * 1024;
export const READ_CALLS_PER_SEC = 5;

/** ProvisionedThroughputExceededException's message, for PutRecord(s) and GetRecords alike. */
export function rateExceededMessage(shardId: string, streamName: string, accountId: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${streamName} under account ${accountId}.`;
}

/** The calls of the last second, admitted up to a rate. */
export class CallWindow {
  #times: number[] = [];

  /** Counts one call at nowMs; false = over perSecond in the last second (the call is not counted). */
  admit(perSecond: number, nowMs: number): boolean {
    const times = this.#times.filter((t) => t > nowMs - 1000);
    this.#times = times;
    if (times.length >= perSecond) return false;
    times.push(nowMs);
    return true;
  }
}

export class ShardThroughput {
  #bytes = WRITE_BYTES_PER_SEC;
  #records = WRITE_RECORDS_PER_SEC;
  #refilledAt: number;
  #readsClosedUntil = -Infinity;
  readonly #readCalls = new CallWindow();

  constructor(nowMs: number) {
    this.#refilledAt = nowMs;
  }

  #refill(nowMs: number): void {
    const dt = Math.max(0, nowMs - this.#refilledAt) / 1000;
    this.#refilledAt = Math.max(this.#refilledAt, nowMs);
    this.#bytes = Math.min(WRITE_BYTES_PER_SEC, this.#bytes + dt * WRITE_BYTES_PER_SEC);
    this.#records = Math.min(WRITE_RECORDS_PER_SEC, this.#records + dt * WRITE_RECORDS_PER_SEC);
  }

  /** Takes capacity for one record of the given size (data + partition key); false = throttled, nothing taken. */
  admitWrite(bytes: number, nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#records < 1 || this.#bytes < bytes) return false;
    this.#records -= 1;
    this.#bytes -= bytes;
    return true;
  }

  /** Counts one GetRecords call; false = throttled (the call must return no data). */
  admitRead(nowMs: number): boolean {
    if (nowMs < this.#readsClosedUntil) return false;
    return this.#readCalls.admit(READ_CALLS_PER_SEC, nowMs);
  }

  /** Charges the bytes an admitted GetRecords returned. */
  chargeRead(bytes: number, nowMs: number): void {
    if (bytes > 0) this.#readsClosedUntil = Math.max(this.#readsClosedUntil, nowMs) + (bytes * 1000) / READ_BYTES_PER_SEC;
  }
}

// One limiter per shard log: the log object lives exactly as long as the shard is open in this process.
const limiters = new WeakMap<ShardLog, ShardThroughput>();

export function throughputOf(log: ShardLog, nowMs: number): ShardThroughput {
  let t = limiters.get(log);
  if (!t) limiters.set(log, (t = new ShardThroughput(nowMs)));
  return t;
}
