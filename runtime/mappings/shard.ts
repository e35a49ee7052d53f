// One shard of one mapping: reads it with GetRecords from its checkpoint, drops filtered records, hands
// the rest to its lanes (ParallelizationFactor lanes keyed by partition key), and checkpoints the
// longest prefix of done records. The shard checkpoint is therefore the minimum over its lanes: a record
// is only checkpointed once it and every record before it in the shard is done, so a restart replays
// at most what was not finished, in order.
import { pause, Signal, type MappingContext } from './context.ts';
import { eventRecordJson, type ReadRecord } from './event.ts';
import { decodeForFilter } from './filter.ts';
import { Lane, type LaneHost } from './lane.ts';
import { laneOf } from './lanes.ts';
import { ShardProgress } from './progress.ts';
import { errorName, type FetchedRecord, type Position } from './source.ts';
import { NO_RECORDS, type ShardStatus } from './types.ts';

/** Fallback idle poll when woken by appends (in case a wake is missed), ms of real time. */
const WAKE_FALLBACK_MS = 1_000;
const ERROR_BACKOFF_MS = 250;
/**
 * Woken by appends, how long a reader that has just read records up to the tip waits before the empty
 * GetRecords that proves it caught up (drain, tumbling windows): the next append usually wakes it first,
 * and its records are then read without the empty call in between. ms of real time.
 */
const TIP_LINGER_MS = 100;
/** Fewest records a GetRecords asks for once the read-ahead has filled (the read-ahead holds at least 1000). */
const MIN_FETCH = 500;

export class ShardProcessor implements LaneHost {
  readonly shardId: string;
  readonly #ctx: MappingContext;
  readonly #lanes: Lane[];
  readonly #position: Position;
  readonly #progressState: ShardProgress;
  #queued = 0;
  #lastRead: string | undefined;
  #ended = false;
  /**
   * Clock time the last GetRecords was sent when it came back empty (Infinity once a closed shard was read
   * to its end); undefined while the last one returned records.
   */
  #caughtUpAsOfMs: number | undefined;
  #stopping = false;
  #finished = false;
  /** Drain epoch at the start of the last GetRecords that came back empty. */
  #emptyReadEpoch = -1;
  readonly #wake = new Signal();
  /** A wake came while no pause was waiting for it (during a GetRecords): the next pause is skipped. */
  #woken = false;
  readonly #progress = new Signal();
  #running: Promise<void> | undefined;
  readonly #maxQueued: number;
  readonly stats: ShardStatus;
  /** Whether the first record seen must be saved as the resume point (LATEST / AT_TIMESTAMP starts). */
  #pinFirst: boolean;

  constructor(ctx: MappingContext, shardId: string, position: Position, onFinished: (shardId: string) => void) {
    this.#ctx = ctx;
    this.shardId = shardId;
    this.#position = position;
    this.#onFinished = onFinished;
    this.#pinFirst = position.type === 'LATEST' || position.type === 'AT_TIMESTAMP';
    const pf = ctx.spec.parallelizationFactor;
    this.#lanes = Array.from({ length: pf }, () => new Lane(ctx, this));
    this.#progressState = new ShardProgress(pf, ctx.checkpoints.shard(shardId));
    this.#maxQueued = Math.max(1000, ctx.spec.batchSize * ctx.spec.parallelizationFactor * 2);
    this.stats = {
      shardId,
      state: 'reading',
      millisBehindLatest: 0,
      iteratorAgeMs: 0,
      lastProcessingResult: NO_RECORDS,
      invocations: 0,
      errors: 0,
      retries: 0,
      recordsFiltered: 0,
      recordsProcessed: 0,
      recordsDiscarded: 0,
      recordsPending: 0,
      checkpoint: ctx.checkpoints.shard(shardId)?.after,
      batchesInFlight: 0,
    };
  }

  readonly #onFinished: (shardId: string) => void;

  get stopping(): boolean {
    return this.#stopping;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get caughtUp(): boolean {
    return this.#caughtUpAsOfMs !== undefined;
  }

  caughtUpSince(ms: number): boolean {
    return this.#caughtUpAsOfMs !== undefined && this.#caughtUpAsOfMs >= ms;
  }

  readSoon(): void {
    this.#rouse();
  }

  get finished(): boolean {
    return this.#finished;
  }

  status(): ShardStatus {
    return { ...this.stats, recordsPending: this.#progressState.pending, batchesInFlight: this.#lanes.filter((l) => l.inFlight).length };
  }

  /** True when, since drain epoch `epoch` began, the shard was read to the tip and no batch is pending. */
  drained(epoch: number): boolean {
    if (this.#finished) return true;
    return this.#emptyReadEpoch >= epoch && this.#lanes.every((l) => l.idle);
  }

  start(): Promise<void> {
    this.#running ??= this.#run();
    return this.#running;
  }

  /**
   * Polls now instead of waiting. With a poll interval set (mimicking AWS's ~1 s polling), appends do not
   * cut the wait short; only `force` (drain, stop, a reshard) does.
   */
  wake(force = false): void {
    if (this.#ctx.pollIntervalMs !== undefined && !force) return;
    this.#rouse();
  }

  /** Ends the reader's pause, or, when it is mid-GetRecords, skips its next one. */
  #rouse(): void {
    this.#woken = true;
    this.#wake.notify();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#rouse();
    this.#progress.notify();
    for (const lane of this.#lanes) lane.stop();
    await this.#running;
  }

  progressed(): void {
    this.#queued = this.#lanes.reduce((n, l) => n + l.queued, 0);
    this.#progress.notify();
  }

  async complete(records: readonly ReadRecord[]): Promise<void> {
    if (this.#progressState.complete(records)) {
      this.#record();
      await this.#save();
    }
    this.#progress.notify();
  }

  /** Copies the progress into the checkpoint document (saved by the caller). */
  #record(): void {
    const p = this.#progressState;
    const patch: { after?: string; lanes?: Record<string, string>; pf?: number } = {};
    if (p.after !== undefined) patch.after = p.after;
    if (this.#lanes.length > 1) {
      patch.lanes = p.lanes();
      patch.pf = this.#lanes.length;
    }
    this.#ctx.checkpoints.update(this.shardId, patch);
    this.stats.checkpoint = p.after;
  }

  async #save(): Promise<void> {
    try {
      await this.#ctx.checkpoints.save();
    } catch (err) {
      this.#ctx.warn(`could not save the checkpoint of ${this.shardId}`, err);
    }
  }

  #resumePosition(): Position {
    return this.#lastRead !== undefined
      ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.#lastRead }
      : this.#position;
  }

  async #iterator(): Promise<string | undefined> {
    for (;;) {
      if (this.#stopping) return undefined;
      try {
        return await this.#ctx.source.iterator(this.#ctx.streamName, this.shardId, this.#resumePosition());
      } catch (err) {
        this.#ctx.warn(`GetShardIterator ${this.shardId} failed: ${errorName(err)}`, err);
        await pause(ERROR_BACKOFF_MS, this.#wake);
      }
    }
  }

  async #run(): Promise<void> {
    const lanes = this.#lanes.map((l) => l.start());
    try {
      await this.#read();
    } finally {
      this.#stopping = true;
      for (const lane of this.#lanes) lane.stop();
      await Promise.all(lanes);
    }
  }

  async #read(): Promise<void> {
    let iterator = await this.#iterator();
    while (!this.#stopping && iterator !== undefined) {
      // Behind the tip, read again only once MIN_FETCH records fit: fewer, larger GetRecords.
      if (this.#maxQueued - this.#queued < MIN_FETCH) {
        await this.#progress.wait();
        continue;
      }
      const epoch = this.#ctx.drainEpoch();
      let result;
      const limit = Math.min(10_000, this.#maxQueued - this.#queued);
      const readAtMs = this.#ctx.clock.now();
      this.#woken = false;
      try {
        result = await this.#ctx.source.fetch(iterator, limit);
      } catch (err) {
        const name = errorName(err);
        if (name === 'ExpiredIteratorException') {
          iterator = await this.#iterator();
          continue;
        }
        if (name !== 'ProvisionedThroughputExceededException') this.#ctx.warn(`GetRecords ${this.shardId} failed: ${name}`, err);
        await pause(ERROR_BACKOFF_MS, this.#wake);
        if (name === 'ResourceNotFoundException') iterator = await this.#iterator();
        continue;
      }
      this.stats.millisBehindLatest = result.millisBehindLatest;
      if (result.records.length > 0) await this.#accept(result.records);
      iterator = result.nextIterator;
      if (iterator === undefined) break;
      const caughtUp = result.records.length === 0;
      const asOf = caughtUp ? readAtMs : undefined;
      // Catching up, falling behind, and every empty read that moves "caught up as of" forward (which may
      // close a lane's tumbling window) are news to the lanes.
      if (asOf !== this.#caughtUpAsOfMs) {
        this.#caughtUpAsOfMs = asOf;
        for (const lane of this.#lanes) lane.notify();
      }
      if (caughtUp) {
        this.#emptyReadEpoch = epoch;
        // An append during that GetRecords woke nobody: read again now rather than at the fallback poll.
        if (!this.#woken) await pause(this.#ctx.pollIntervalMs ?? WAKE_FALLBACK_MS, this.#wake);
      } else if (result.millisBehindLatest === 0 && result.records.length < limit) {
        // Mimicking AWS: a poller that has read to the tip waits for its next poll. Woken by appends, it
        // lingers briefly instead of sending an empty GetRecords at once (see TIP_LINGER_MS).
        if (!this.#woken) await pause(this.#ctx.pollIntervalMs ?? TIP_LINGER_MS, this.#wake);
      }
    }
    if (this.#stopping) return;
    // Closed shard read to its end: flush the lanes, close windows, wait for every record to be done.
    this.#ended = true;
    this.#caughtUpAsOfMs = Infinity;
    for (const lane of this.#lanes) lane.notify();
    while (!this.#stopping && (!this.#progressState.settled || this.#lanes.some((l) => l.holding))) {
      await this.#progress.wait();
    }
    if (this.#stopping) return;
    this.#ctx.checkpoints.update(this.shardId, { finished: true });
    await this.#save();
    this.#finished = true;
    this.stats.state = 'finished';
    this.#onFinished(this.shardId);
  }

  async #accept(records: FetchedRecord[]): Promise<void> {
    const ctx = this.#ctx;
    const eventCtx = ctx.eventContext(this.shardId);
    const filter = ctx.filter;
    const pf = ctx.spec.parallelizationFactor;
    if (this.#pinFirst) {
      // A LATEST / AT_TIMESTAMP start is pinned to the first record seen, so a restart before the first
      // checkpoint resumes there instead of re-resolving the position and skipping records.
      this.#pinFirst = false;
      if (ctx.checkpoints.shard(this.shardId)?.after === undefined) {
        ctx.checkpoints.update(this.shardId, { at: records[0]!.sequenceNumber });
        await this.#save();
      }
    }
    let filtered = 0;
    for (const r of records) {
      const { json, bytes } = eventRecordJson(eventCtx, r);
      const rec: ReadRecord = {
        sequenceNumber: r.sequenceNumber,
        partitionKey: r.partitionKey,
        arrivalMs: r.arrivalMs,
        json,
        bytes,
        lane: laneOf(r.partitionKey, pf),
        done: false,
      };
      // Its lane finished it before a restart (ahead of the shard checkpoint): not delivered again.
      if (this.#progressState.read(rec)) continue;
      if (filter.patterns.length > 0) {
        const decoded = filter.readsData ? decodeForFilter(r.data) : { data: undefined, dataIsJson: false };
        const match = filter.matches({
          ...decoded,
          partitionKey: r.partitionKey,
          sequenceNumber: r.sequenceNumber,
          approximateArrivalTimestamp: r.arrivalMs / 1000,
          kinesisSchemaVersion: '1.0',
        });
        if (!match) {
          // Non-matching records are skipped and checkpointed like processed ones (reference §4.7).
          this.#progressState.skip(rec);
          filtered++;
          continue;
        }
      }
      this.#lanes[rec.lane]!.enqueue(rec);
    }
    this.#lastRead = records[records.length - 1]!.sequenceNumber;
    this.stats.recordsFiltered += filtered;
    this.#queued = this.#lanes.reduce((n, l) => n + l.queued, 0);
    if (this.#progressState.advance()) {
      this.#record();
      void this.#save();
    }
    for (const lane of this.#lanes) lane.notify();
  }
}
