// One ordered lane of a shard (a shard has ParallelizationFactor lanes): cuts batches from its queue,
// invokes the function synchronously, one batch at a time, and applies AWS's outcome rules — retry the
// whole batch and block the lane, bisect, partial-batch checkpoints, discard to the on-failure
// destination once retries or record age run out, and tumbling windows with state. Reference §4.2-§4.6.
import { Buffer } from 'node:buffer';
import { SYNC_PAYLOAD_LIMIT } from '../lambda/api/errors.ts';
import type { InvokeResult, LambdaServiceError } from '../lambda/types.ts';
import { WINDOW_STATE_LIMIT, cutBatch, windowOf, type CutLimits } from './batch.ts';
import { pause, Signal, type MappingContext } from './context.ts';
import { batchPayload, destinationRecord, payloadBytes, windowPayload, type DiscardCondition, type ReadRecord } from './event.ts';
import { interpretResponse, type BatchOutcome } from './response.ts';
import { FUNCTION_CALL_FAILED, OK } from './types.ts';

/** What a lane needs of its shard. */
export interface LaneHost {
  readonly shardId: string;
  readonly stopping: boolean;
  /** The shard was read to its end (closed shard): flush now, close windows. */
  readonly ended: boolean;
  /** The last GetRecords returned nothing. */
  readonly caughtUp: boolean;
  /**
   * An empty GetRecords was sent at or after clock time `ms`: every record that arrived before `ms` has been
   * read (a record's arrival time is stamped when it is appended). Closes a tumbling window.
   */
  caughtUpSince(ms: number): boolean;
  /** Asks the reader for a GetRecords now (a window ended and needs proof that nothing of it is unread). */
  readSoon(): void;
  readonly stats: {
    invocations: number;
    errors: number;
    retries: number;
    recordsProcessed: number;
    recordsDiscarded: number;
    lastProcessingResult: string;
    iteratorAgeMs: number;
  };
  /** Marks records done and resolves once the checkpoint covering them is written. */
  complete(records: readonly ReadRecord[]): Promise<void>;
  /** The lane took records off its queue (the reader may read more). */
  progressed(): void;
}

interface Batch {
  records: ReadRecord[];
  /** Retries used (bisected halves keep their parent's count). */
  retries: number;
  /** Invocations of these records so far. */
  invokes: number;
  lastInvoke: { requestId: string; functionError: string | undefined } | undefined;
  /** A tumbling window's final invocation (maybe with no records). */
  final: boolean;
}

interface OpenWindow {
  startMs: number;
  endMs: number;
  state: unknown;
  /** Records invoked in this window, checkpointed only after the final invocation. */
  held: ReadRecord[];
  terminatedEarly: boolean;
  /**
   * UTF-8 bytes the window fields and the current state add to a payload (the records excepted): a batch of
   * this window is cut so that records and state fit the 6 MB limit together.
   */
  extraBytes: number;
}

/** Retries wait 10 ms, 20 ms, ... up to this (real time): a failing function is not hammered. */
const MAX_BACKOFF_MS = 1_000;

export class Lane {
  readonly #ctx: MappingContext;
  readonly #host: LaneHost;
  readonly #limits: CutLimits;
  readonly #windowMs: number;
  readonly #batchWindowMs: number;
  #queue: ReadRecord[] = [];
  #head = 0;
  #retry: Batch[] = [];
  #inFlight = false;
  #window: OpenWindow | undefined;
  /** Clock time the oldest queued record was queued (batching window start). */
  #queuedAtMs: number | undefined;
  #cancelTimer: (() => void) | undefined;
  #timerAt = 0;
  readonly #signal = new Signal();
  /** Notified once when the shard stops: cuts retry back-offs short. */
  readonly #stop = new Signal();
  #running: Promise<void> | undefined;

  constructor(ctx: MappingContext, host: LaneHost) {
    this.#ctx = ctx;
    this.#host = host;
    this.#windowMs = ctx.spec.tumblingWindowInSeconds * 1000;
    this.#batchWindowMs = ctx.spec.batchWindow * 1000;
    this.#limits = {
      batchSize: ctx.spec.batchSize,
      // A tumbling window's batches leave room for its fields and state: see #windowExtraBytes.
      maxBytes: SYNC_PAYLOAD_LIMIT,
      windowMs: this.#windowMs,
    };
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  get inFlight(): boolean {
    return this.#inFlight;
  }

  /** Nothing queued, nothing to retry, nothing running (an open tumbling window may still hold records). */
  get idle(): boolean {
    return !this.#inFlight && this.queued === 0 && this.#retry.length === 0 && !(this.#window?.terminatedEarly ?? false);
  }

  /** Records this lane still has to finish: its window's held records count until the window closes. */
  get holding(): boolean {
    return !this.idle || (this.#window !== undefined && this.#window.held.length > 0);
  }

  enqueue(record: ReadRecord): void {
    if (this.queued === 0) this.#queuedAtMs = this.#ctx.clock.now();
    this.#queue.push(record);
  }

  notify(): void {
    this.#signal.notify();
  }

  /** The shard is stopping: wake the lane out of any wait so it can finish. */
  stop(): void {
    this.#signal.notify();
    this.#stop.notify();
  }

  start(): Promise<void> {
    this.#running ??= this.#run();
    return this.#running;
  }

  async #run(): Promise<void> {
    try {
      while (!this.#host.stopping) {
        const batch = this.#next();
        if (!batch) {
          await this.#signal.wait();
          continue;
        }
        this.#host.progressed();
        try {
          await this.#process(batch);
        } catch (err) {
          // A defect, not a function error: report it and retry the batch rather than losing it.
          this.#ctx.warn(`lane of ${this.#host.shardId} failed unexpectedly`, err);
          this.#retry.unshift(batch);
          await pause(MAX_BACKOFF_MS, this.#stop);
        }
      }
    } finally {
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
    }
  }

  /** Wakes the lane at clock time atMs (batching window or tumbling window end). */
  #armTimer(atMs: number): void {
    // A moment already past needs no timer: the reader's signals (caught up, shard end) wake the lane.
    if (atMs <= this.#ctx.clock.now()) return;
    if (this.#cancelTimer && this.#timerAt <= atMs) return;
    this.#cancelTimer?.();
    this.#timerAt = atMs;
    this.#cancelTimer = this.#ctx.clock.setTimer(() => {
      this.#cancelTimer = undefined;
      this.#signal.notify();
    }, atMs - this.#ctx.clock.now());
  }

  #take(n: number): ReadRecord[] {
    const records = this.#queue.slice(this.#head, this.#head + n);
    this.#head += n;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#queuedAtMs = this.queued > 0 ? this.#ctx.clock.now() : undefined;
    return records;
  }

  /** The next batch to invoke, or undefined to wait. */
  #next(): Batch | undefined {
    const retry = this.#retry.shift();
    if (retry) return retry;
    if (this.#windowMs > 0) return this.#nextInWindow();
    const available = this.queued;
    if (available === 0) return undefined;
    const n = cutBatch(this.#queue, this.#head, this.#limits);
    if (!this.#mayInvoke(n, available)) return undefined;
    return this.#batch(this.#take(n), false);
  }

  /** With a batching window, wait until it elapses unless the batch is full or the shard ended. */
  #mayInvoke(n: number, available: number): boolean {
    if (this.#batchWindowMs === 0 || this.#host.ended) return true;
    if (n >= this.#limits.batchSize || n < available) return true;
    const due = (this.#queuedAtMs ?? this.#ctx.clock.now()) + this.#batchWindowMs;
    if (this.#ctx.clock.now() >= due) return true;
    this.#armTimer(due);
    return false;
  }

  #batch(records: ReadRecord[], final: boolean): Batch {
    return { records, retries: 0, invokes: 0, lastInvoke: undefined, final };
  }

  #nextInWindow(): Batch | undefined {
    const now = this.#ctx.clock.now();
    const head = this.queued > 0 ? this.#queue[this.#head]! : undefined;
    let w = this.#window;
    if (w?.terminatedEarly) return this.#batch([], true);
    if (!w) {
      if (!head) return undefined;
      const bounds = windowOf(head.arrivalMs, this.#windowMs);
      w = { ...bounds, state: {}, held: [], terminatedEarly: false, extraBytes: 0 };
      w.extraBytes = this.#windowExtraBytes(w, 2);
      this.#window = w;
    }
    // No later record of this window can still come: one arrived after its end, or a read sent after the
    // window's end found the tip. (A read from before the end proves nothing: records may have come since.)
    const readPastEnd = this.#host.caughtUpSince(w.endMs);
    const complete = this.#host.ended || readPastEnd || (head !== undefined && head.arrivalMs >= w.endMs);
    if (!complete && now >= w.endMs) this.#host.readSoon();
    if (head && head.arrivalMs < w.endMs) {
      const n = cutBatch(this.#queue, this.#head, { ...this.#limits, maxBytes: SYNC_PAYLOAD_LIMIT - w.extraBytes });
      const after = this.#queue[this.#head + n];
      const last = complete && (after === undefined ? readPastEnd || this.#host.ended : after.arrivalMs >= w.endMs);
      if (!last && !this.#mayInvoke(n, this.queued)) {
        this.#armTimer(w.endMs);
        return undefined;
      }
      return this.#batch(this.#take(n), last);
    }
    if (complete) return this.#batch([], true);
    this.#armTimer(w.endMs);
    return undefined;
  }

  /**
   * What a window's payload holds beyond `{"Records":[...]}`: its fields, and its state of stateBytes (as
   * JSON), counted with isFinalInvokeForWindow false (the longer of the two values).
   */
  #windowExtraBytes(w: OpenWindow, stateBytes: number): number {
    const fields = windowPayload([], this.#ctx.eventContext(this.#host.shardId), {
      startMs: w.startMs,
      endMs: w.endMs,
      state: {},
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: w.terminatedEarly,
    });
    // `{"Records":[]` + `,` + the fields' JSON without its `{`, with `{}` as the state.
    return Buffer.byteLength(fields) - payloadBytes(0, 0) - 2 + stateBytes;
  }

  #payload(batch: Batch): string {
    if (this.#windowMs === 0) return batchPayload(batch.records);
    const w = this.#window!;
    return windowPayload(batch.records, this.#ctx.eventContext(this.#host.shardId), {
      startMs: w.startMs,
      endMs: w.endMs,
      state: w.state,
      isFinalInvokeForWindow: batch.final,
      isWindowTerminatedEarly: w.terminatedEarly,
    });
  }

  /** Records past MaximumRecordAgeInSeconds or the stream's retention: discarded before any invocation. */
  #expired(batch: Batch): ReadRecord[] {
    const spec = this.#ctx.spec;
    const limits: number[] = [];
    if (spec.maximumRecordAgeInSeconds !== -1) limits.push(spec.maximumRecordAgeInSeconds * 1000);
    if (this.#ctx.retentionMs !== undefined) limits.push(this.#ctx.retentionMs);
    if (limits.length === 0) return [];
    const oldest = this.#ctx.clock.now() - Math.min(...limits);
    return batch.records.filter((r) => r.arrivalMs < oldest);
  }

  /** The stream's retention, not MaximumRecordAgeInSeconds, decides when records expire. */
  #retentionBinds(): boolean {
    const retentionMs = this.#ctx.retentionMs;
    const age = this.#ctx.spec.maximumRecordAgeInSeconds;
    return retentionMs !== undefined && (age === -1 || age * 1000 > retentionMs);
  }

  async #process(batch: Batch): Promise<void> {
    this.#inFlight = true;
    try {
      await this.#attempt(batch);
    } finally {
      this.#inFlight = false;
      this.#host.progressed();
    }
  }

  async #attempt(batch: Batch): Promise<void> {
    const spec = this.#ctx.spec;
    let serviceBackoff = 10;
    for (;;) {
      if (this.#host.stopping) return; // not checkpointed: read again after a restart
      let expired = this.#expired(batch);
      if (expired.length > 0 && this.#retentionBinds()) {
        // Before discarding at retention expiry, read the retention again: it may have been increased since
        // (a rare path: one DescribeStreamSummary per expiry).
        try {
          await this.#ctx.readRetention();
        } catch (err) {
          this.#ctx.warn(`could not read the retention of ${this.#ctx.streamName}`, err);
        }
        expired = this.#expired(batch);
      }
      if (expired.length > 0) {
        await this.#discard({ ...batch, records: expired }, 'RecordAgeExceeded');
        batch = { ...batch, records: batch.records.filter((r) => !expired.includes(r)) };
        if (batch.records.length === 0 && !batch.final) return;
      }
      const sequenceNumbers = batch.records.map((r) => r.sequenceNumber);
      // Text, not bytes: the runtime hands the worker a string (and still counts its UTF-8 bytes against the
      // limit, which a record too large to fit alone exceeds: see cutBatch).
      const payload = this.#payload(batch);
      batch.invokes++;
      this.#host.stats.invocations++;
      const lastRecord = batch.records[batch.records.length - 1];
      if (lastRecord) this.#host.stats.iteratorAgeMs = Math.max(0, this.#ctx.clock.now() - lastRecord.arrivalMs);
      let result: InvokeResult | undefined;
      try {
        result = await this.#ctx.invoker.invoke({
          functionName: spec.functionName,
          payload,
          jsonByEddy: true,
          waitForCapacity: true,
          source: `mapping:${spec.uuid}`,
        });
      } catch (err) {
        const e = err as Partial<LambdaServiceError>;
        this.#host.stats.invocations--;
        if (e.name === 'RequestEntityTooLargeException') {
          // A payload over 6 MB (a record too large to fit alone, or a retried window remainder whose state
          // grew) would fail the same way forever, so it is not a service error to wait out: eddy treats it
          // as a failed invocation of the batch. It uses a retry attempt, bisect splits it, and once
          // MaximumRetryAttempts or MaximumRecordAgeInSeconds run out it goes to the on-failure destination
          // like a poisoned batch, so the shard moves on. What AWS does here is undocumented: this is eddy's
          // choice (UNVERIFIED), mimicking AWS's handling of a function error. The destination record has no
          // responseContext, as the function never ran (as for records discarded without an invocation).
          this.#ctx.warn(`invoking ${spec.functionName} failed: ${e.name}: ${e.message ?? ''} (a batch of ${batch.records.length} record(s)); handled as a function error`);
          batch.lastInvoke = undefined;
        } else {
          // Throttles and service errors happen before the function runs: retried (with backoff) until the
          // records expire, without using a retry attempt (reference §4.3).
          batch.invokes--;
          this.#ctx.warn(`invoking ${spec.functionName} failed before the function ran: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
          this.#setResult(`PROBLEM: ${e.name ?? 'Error'}`);
          await pause(serviceBackoff, this.#stop);
          serviceBackoff = Math.min(MAX_BACKOFF_MS, serviceBackoff * 2);
          continue;
        }
      }
      let outcome: BatchOutcome;
      if (result) {
        batch.lastInvoke = { requestId: result.requestId, functionError: result.functionError };
        outcome = interpretResponse(result.payload, result.functionError, sequenceNumbers, {
          reportBatchItemFailures: spec.reportBatchItemFailures,
          tumbling: this.#windowMs > 0,
        });
      } else {
        outcome = { kind: 'failure', reason: 'payloadTooLarge' };
      }
      if (outcome.kind === 'success') {
        this.#setResult(OK);
        await this.#succeeded(batch, batch.records, outcome.state);
        return;
      }
      this.#host.stats.errors++;
      this.#setResult(FUNCTION_CALL_FAILED);
      if (outcome.kind === 'partial') {
        // Records before the lowest failed sequence number are done; retry from it (a retry attempt).
        const ok = batch.records.slice(0, outcome.failedAt);
        if (ok.length > 0) await this.#succeeded({ ...batch, final: false }, ok, outcome.state);
        batch = { ...batch, records: batch.records.slice(outcome.failedAt) };
      } else if (spec.bisectBatchOnFunctionError && batch.records.length > 1) {
        // Halves keep the retry count: splitting does not use an attempt (reference §4.3).
        const mid = Math.ceil(batch.records.length / 2);
        this.#retry.unshift(
          { ...batch, records: batch.records.slice(0, mid), final: false },
          { ...batch, records: batch.records.slice(mid) },
        );
        return;
      }
      batch.retries++;
      if (spec.maximumRetryAttempts !== -1 && batch.retries > spec.maximumRetryAttempts) {
        await this.#discard(batch, 'RetryAttemptsExhausted');
        return;
      }
      this.#host.stats.retries++;
      await pause(Math.min(MAX_BACKOFF_MS, 10 * 2 ** Math.min(batch.retries - 1, 10)), this.#stop);
    }
  }

  async #succeeded(batch: Batch, records: ReadRecord[], state: unknown): Promise<void> {
    this.#host.stats.recordsProcessed += records.length;
    const w = this.#window;
    if (this.#windowMs === 0 || !w) {
      await this.#host.complete(records);
      return;
    }
    if (batch.final) {
      this.#window = undefined;
      await this.#host.complete([...w.held, ...records]);
      return;
    }
    w.held.push(...records);
    w.state = state;
    const stateBytes = Buffer.byteLength(JSON.stringify(state ?? {}));
    // State over 1 MB ends the window early: one final invocation, then a fresh window (reference §4.6).
    if (stateBytes > WINDOW_STATE_LIMIT) w.terminatedEarly = true;
    w.extraBytes = this.#windowExtraBytes(w, stateBytes);
  }

  async #discard(batch: Batch, condition: DiscardCondition): Promise<void> {
    let records = batch.records;
    if (batch.final && this.#window) {
      // A window whose final invocation gave up: its held records go with it.
      records = [...this.#window.held, ...records];
      this.#window = undefined;
    }
    if (records.length === 0) return;
    this.#host.stats.recordsDiscarded += records.length;
    const spec = this.#ctx.spec;
    if (spec.onFailure !== undefined) {
      const record = destinationRecord({
        condition,
        functionArn: spec.functionArn,
        streamArn: spec.eventSourceArn,
        shardId: this.#host.shardId,
        records,
        approximateInvokeCount: batch.invokes,
        lastInvoke: batch.lastInvoke,
        nowMs: this.#ctx.clock.now(),
      });
      // An S3 destination also gets the invocation payload (the records); SQS and SNS only the batch info.
      if (spec.onFailure.split(':')[2] === 's3') record['payload'] = JSON.parse(batchPayload(records));
      try {
        await this.#ctx.sendToDestination(record);
      } catch (err) {
        this.#ctx.warn(`could not send the on-failure record to ${spec.onFailure}`, err);
      }
    }
    await this.#host.complete(records);
  }

  #setResult(result: string): void {
    this.#host.stats.lastProcessingResult = result;
    this.#ctx.setLastResult(result);
  }
}
