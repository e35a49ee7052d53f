// Where a batch ends (reference §4.2): at BatchSize records, at the 6 MB synchronous payload limit, and,
// with tumbling windows, at the end of the head record's window. Pure functions over the lane's queue.
import { payloadBytes, type ReadRecord } from './event.ts';

/** Tumbling-window state above this ends the window early (reference §4.6). */
export const WINDOW_STATE_LIMIT = 1_048_576;

export interface CutLimits {
  batchSize: number;
  /** Payload bytes available to the records (the limit minus window fields and state). */
  maxBytes: number;
  /** Tumbling window length in ms (0 = off): a batch never spans two windows. */
  windowMs: number;
}

/** [start, end) of the tumbling window holding a record that arrived at arrivalMs. */
export function windowOf(arrivalMs: number, windowMs: number): { startMs: number; endMs: number } {
  const startMs = Math.floor(arrivalMs / windowMs) * windowMs;
  return { startMs, endMs: startMs + windowMs };
}

/**
 * How many records from queue[from] on make the next batch: at most batchSize, the payload within maxBytes
 * (but always at least one record: an oversized record goes alone, its invoke fails, and the lane handles
 * that as a failed invocation), and all of the same tumbling window as the first.
 */
export function cutBatch(queue: readonly ReadRecord[], from: number, limits: CutLimits): number {
  const available = queue.length - from;
  if (available <= 0) return 0;
  const first = queue[from]!;
  const windowEnd = limits.windowMs > 0 ? windowOf(first.arrivalMs, limits.windowMs).endMs : Infinity;
  let n = 0;
  let bytes = 0;
  while (n < available && n < limits.batchSize) {
    const rec = queue[from + n]!;
    if (rec.arrivalMs >= windowEnd) break;
    if (n > 0 && payloadBytes(n + 1, bytes + rec.bytes) > limits.maxBytes) break;
    bytes += rec.bytes;
    n++;
  }
  return n;
}

/** True when the records waiting in the queue would already fill a batch (no reason to wait for the window). */
export function batchIsFull(queue: readonly ReadRecord[], from: number, limits: CutLimits): boolean {
  const n = cutBatch(queue, from, limits);
  return n >= limits.batchSize || n < queue.length - from;
}
