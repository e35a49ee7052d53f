// A running (enabled) mapping: lists its stream's shards, starts a ShardProcessor for every shard whose
// parents are finished (parents are read to their end before their children, after a split or a merge),
// and starts children as their parents finish. Shards present when the mapping first ran start at its
// StartingPosition; shards that appear later (children) start at TRIM_HORIZON so nothing is skipped.
import { pause, Signal, type MappingContext } from './context.ts';
import { ShardProcessor } from './shard.ts';
import { errorName, type Position, type ShardInfo } from './source.ts';
import type { ShardStatus } from './types.ts';

const LIST_RETRY_MS = 500;

export class MappingRunner {
  readonly #ctx: MappingContext;
  readonly #processors = new Map<string, ShardProcessor>();
  #shards: ShardInfo[] = [];
  #listedEpoch = -1;
  #stopping = false;
  #refreshing: Promise<void> | undefined;
  #again = false;
  readonly #wake = new Signal();
  #loop: Promise<void> | undefined;

  constructor(ctx: MappingContext) {
    this.#ctx = ctx;
  }

  get ctx(): MappingContext {
    return this.#ctx;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Lists shards until it succeeds (the stream may not exist yet), then re-lists on every wake. */
  async #run(): Promise<void> {
    while (!this.#stopping) {
      await this.refresh();
      await pause(this.#shards.length === 0 ? LIST_RETRY_MS : 10_000, this.#wake);
    }
  }

  /** Re-lists the shards and starts every shard that may now be read. Calls are serialised. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#again = false;
          await this.#refreshOnce();
        } while (this.#again && !this.#stopping);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<void> {
    const epoch = this.#ctx.drainEpoch();
    const ctx = this.#ctx;
    let shards: ShardInfo[];
    try {
      shards = await ctx.source.listShards(ctx.streamName);
      // Read again at every listing, so a retention changed since (Increase/DecreaseStreamRetentionPeriod) is
      // seen; once known, a failed re-read keeps the last value rather than holding up new shards.
      if (ctx.retentionMs === undefined) await ctx.readRetention();
      else {
        await ctx.readRetention().catch((err: unknown) => {
          // Throttled under --enforce-limits (20 a second per account): the last value stands, nothing to say.
          if (errorName(err) !== 'LimitExceededException') ctx.warn(`DescribeStreamSummary ${ctx.streamName} failed: ${errorName(err)}`, err);
        });
      }
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') {
        // No such stream (yet): nothing to read, so nothing to wait for in drain(); listing goes on.
        this.#shards = [];
        this.#listedEpoch = epoch;
        return;
      }
      if (!this.#stopping) ctx.warn(`ListShards ${ctx.streamName} failed: ${errorName(err)}`, err);
      return;
    }
    if (this.#stopping) return;
    const cps = ctx.checkpoints;
    let changed = false;
    for (const s of shards) {
      if (cps.shard(s.shardId) === undefined) {
        cps.update(s.shardId, cps.doc.initialized ? {} : { initial: true });
        changed = true;
      }
    }
    if (!cps.doc.initialized) {
      cps.doc.initialized = true;
      changed = true;
    }
    if (changed) await cps.save().catch((err: unknown) => ctx.warn('could not save checkpoints', err));
    this.#shards = shards;
    const listed = new Set(shards.map((s) => s.shardId));
    for (const s of shards) {
      if (this.#stopping) return;
      const cp = cps.shard(s.shardId)!;
      if (cp.finished || this.#processors.has(s.shardId)) continue;
      const parentsDone = s.parents.every((p) => !listed.has(p) || cps.shard(p)?.finished === true);
      if (!parentsDone) continue;
      const processor = new ShardProcessor(ctx, s.shardId, this.#position(s.shardId), () => {
        void this.refresh();
      });
      this.#processors.set(s.shardId, processor);
      void processor.start();
    }
    this.#listedEpoch = epoch;
  }

  #position(shardId: string): Position {
    const cp = this.#ctx.checkpoints.shard(shardId)!;
    if (cp.after !== undefined) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: cp.after };
    if (cp.at !== undefined) return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: cp.at };
    if (!cp.initial) return { type: 'TRIM_HORIZON' };
    const spec = this.#ctx.spec;
    if (spec.startingPosition === 'AT_TIMESTAMP') {
      return { type: 'AT_TIMESTAMP', timestampMs: (spec.startingPositionTimestamp ?? 0) * 1000 };
    }
    return { type: spec.startingPosition };
  }

  wake(shardId?: string): void {
    if (shardId === undefined) {
      // The stream changed (a reshard), or drain(): poll every shard now, and list the shards again.
      for (const p of this.#processors.values()) p.wake(true);
      this.#wake.notify();
      return;
    }
    const p = this.#processors.get(shardId);
    if (p) p.wake();
    else this.#wake.notify(); // a shard we do not read yet: maybe a new one
  }

  /** Caught up on every shard since drain epoch `epoch` began. */
  drained(epoch: number): boolean {
    if (this.#listedEpoch < epoch) return false;
    const cps = this.#ctx.checkpoints;
    const listed = new Set(this.#shards.map((s) => s.shardId));
    for (const s of this.#shards) {
      const p = this.#processors.get(s.shardId);
      if (p) {
        if (!p.drained(epoch)) return false;
        continue;
      }
      if (cps.shard(s.shardId)?.finished) continue;
      // Not started: only fine while a parent is still being read (that parent is then not drained).
      const parentsDone = s.parents.every((q) => !listed.has(q) || cps.shard(q)?.finished === true);
      if (parentsDone) return false;
    }
    return true;
  }

  shardStatus(): ShardStatus[] {
    const cps = this.#ctx.checkpoints;
    return this.#shards.map((s) => {
      const p = this.#processors.get(s.shardId);
      if (p) return p.status();
      const cp = cps.shard(s.shardId);
      return {
        shardId: s.shardId,
        state: cp?.finished ? 'finished' : 'waiting',
        millisBehindLatest: 0,
        iteratorAgeMs: 0,
        lastProcessingResult: 'No records processed',
        invocations: 0,
        errors: 0,
        retries: 0,
        recordsFiltered: 0,
        recordsProcessed: 0,
        recordsDiscarded: 0,
        recordsPending: 0,
        checkpoint: cp?.after,
        batchesInFlight: 0,
      };
    });
  }

  /** Stops reading; in-flight batches finish (and checkpoint) first. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake.notify();
    await Promise.all([...this.#processors.values()].map((p) => p.stop()));
    await this.#refreshing?.catch(() => {});
    await this.#loop;
    await this.#ctx.checkpoints.flush();
  }
}
