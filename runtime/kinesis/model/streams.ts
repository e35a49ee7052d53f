// The stream store: every LiveStream of one account and region, their metadata documents (kind 'streams',
// one per stream, replaced atomically on every change), the status lifecycle on the clock
// (CREATING -> ACTIVE, UPDATING -> ACTIVE, DELETING -> gone, consumers CREATING -> ACTIVE) and retention
// trimming. Operations look streams up here by StreamName or StreamARN.
import type { Clock } from '../../clock.ts';
import type { LogRoot, ShardLog } from '../../log/types.ts';
import { invalidArgument, limitExceeded, streamExists, streamNotActive, streamNotFound } from '../errors.ts';
import type { KinesisEvent } from '../types.ts';
import { createTimeLayout, routingTable, type RoutableShard } from './hash.ts';
import { isExpired } from './resharding.ts';
import { shardIdOf } from './sequence.ts';
import type { ConsumerMeta, LiveStream, ShardMeta, StreamMeta, StreamMode, StreamStatus } from './types.ts';

export const STREAM_DOCUMENTS = 'streams';
/** AWS: at most 5 streams CREATING at once per account. */
export const MAX_CREATING_STREAMS = 5;
/** AWS's default on-demand stream quota per account. */
export const ON_DEMAND_STREAM_LIMIT = 50;
/** Shards an on-demand stream starts with (4 MB/s write = 4 shards). */
export const ON_DEMAND_INITIAL_SHARDS = 4;
export const DEFAULT_RETENTION_HOURS = 24;
export const DEFAULT_MAX_RECORD_SIZE_KIB = 1024;
/** How often (clock time) expired records are trimmed. */
export const TRIM_INTERVAL_MS = 60_000;

/** AWS's default provisioned shard quota: 20,000 in the three largest regions, lower elsewhere (reference §2). */
export function shardLimitFor(region: string): number {
  return ['us-east-1', 'us-west-2', 'eu-west-1'].includes(region) ? 20_000 : 6_000;
}

export interface StreamStoreOptions {
  root: LogRoot;
  clock: Clock;
  region: string;
  accountId: string;
  statusDelayMs: number;
  emit(event: KinesisEvent): void;
  /** Rebuilds what a persisted pendingUpdate applies when its UPDATING period ends (see Operation.resume). */
  resumeUpdate?(
    stream: LiveStream,
    pending: { operation: string; data: unknown },
    store: StreamStore,
  ): (() => void | Promise<void>) | undefined;
}

export interface CreateStreamSpec {
  name: string;
  shardCount: number;
  mode: StreamMode;
  tags?: Record<string, string>;
  maxRecordSizeInKiB?: number;
}

/** What operations pass to find a stream: either or both, as AWS accepts them. */
export interface StreamRef {
  StreamName?: string | undefined;
  StreamARN?: string | undefined;
}

const STREAM_ARN = /^arn:aws[^:]*:kinesis:([^:]*):(\d{12}):stream\/(.+)$/;

export class StreamStore {
  readonly root: LogRoot;
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly statusDelayMs: number;
  readonly shardLimit: number;
  readonly #emit: (event: KinesisEvent) => void;
  readonly #streams = new Map<string, LiveStream>();
  readonly #timers = new Set<() => void>();
  /** Streams whose DELETING period has ended and whose document is being removed. */
  readonly #finalizing = new WeakSet<LiveStream>();
  readonly #saves = new Map<string, { tail: Promise<void>; queued: Promise<void> | undefined }>();
  readonly #routing = new WeakMap<LiveStream, { shards: ShardMeta[]; table: RoutableShard<ShardMeta>[] }>();
  #closed = false;
  #trimming: Promise<void> | undefined;

  private constructor(options: StreamStoreOptions) {
    this.root = options.root;
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
    this.statusDelayMs = options.statusDelayMs;
    this.shardLimit = shardLimitFor(options.region);
    this.#emit = options.emit;
  }

  /** Loads every stream document, opens every shard log and resumes pending status changes. */
  static async open(options: StreamStoreOptions): Promise<StreamStore> {
    const store = new StreamStore(options);
    const docs = await options.root.loadDocuments(STREAM_DOCUMENTS);
    for (const doc of docs.values()) {
      const meta = doc as StreamMeta;
      const logs = new Map<string, ShardLog>();
      for (const shard of meta.shards) logs.set(shard.shardId, await options.root.openShard(meta.storageKey, shard.shardId));
      const stream: LiveStream = { meta, logs };
      store.#streams.set(meta.name, stream);
      let then: (() => void | Promise<void>) | undefined;
      if (meta.status === 'UPDATING' && meta.pendingUpdate) then = options.resumeUpdate?.(stream, meta.pendingUpdate, store);
      store.#resume(stream, then);
    }
    store.#armTrim();
    return store;
  }

  // ---- lookups -----------------------------------------------------------------------------------------

  arnOf(name: string): string {
    return `arn:aws:kinesis:${this.region}:${this.accountId}:stream/${name}`;
  }

  /** The stream of this name, in any status. */
  get(name: string): LiveStream | undefined {
    return this.#streams.get(name);
  }

  /** Same as get (the Emulator's name for it). */
  find(name: string): LiveStream | undefined {
    return this.#streams.get(name);
  }

  /** Every stream's name, sorted. */
  names(): string[] {
    return this.list().map((s) => s.meta.name);
  }

  /** Every stream, sorted by name. */
  list(): LiveStream[] {
    return [...this.#streams.values()].sort((a, b) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0));
  }

  /**
   * The stream a request names by StreamName and/or StreamARN, or ResourceNotFoundException. An ARN of
   * another region or account names a stream eddy does not have, as on AWS.
   */
  resolve(ref: StreamRef): LiveStream {
    const r = this.parseRef(ref);
    const stream = r.local ? this.#streams.get(r.name) : undefined;
    if (!stream) throw streamNotFound(r.name, r.accountId);
    return stream;
  }

  /**
   * The stream name a request gives by StreamName and/or StreamARN, the account it names, and whether that is
   * this store's account and region.
   * UNVERIFIED: AWS's answers when neither is given or when they disagree; eddy uses InvalidArgumentException.
   */
  parseRef(ref: StreamRef): { name: string; accountId: string; local: boolean } {
    const { StreamName: name, StreamARN: arn } = ref;
    if (arn !== undefined) {
      const m = STREAM_ARN.exec(arn);
      if (!m) throw invalidArgument(`StreamARN ${arn} is not a valid Kinesis stream ARN.`);
      const region = m[1]!;
      const accountId = m[2]!;
      const arnName = m[3]!;
      if (name !== undefined && name !== arnName) {
        throw invalidArgument(`StreamName ${name} and StreamARN ${arn} do not name the same stream.`);
      }
      return { name: arnName, accountId, local: region === this.region && accountId === this.accountId };
    }
    if (name === undefined) throw invalidArgument('Either StreamName or StreamARN must be provided.');
    return { name, accountId: this.accountId, local: true };
  }

  /** ResourceInUseException unless the stream is ACTIVE (control-plane changes need ACTIVE). */
  requireActive(stream: LiveStream): void {
    if (stream.meta.status !== 'ACTIVE') throw streamNotActive(stream.meta.name, this.accountId, stream.meta.status);
  }

  /** Shards AWS still lists: all but closed shards whose records have all expired. */
  visibleShards(stream: LiveStream): ShardMeta[] {
    const now = this.clock.now();
    return stream.meta.shards.filter((s) => !isExpired(s, stream.meta.retentionPeriodHours, now));
  }

  openShards(stream: LiveStream): ShardMeta[] {
    return stream.meta.shards.filter((s) => s.closedAtMs === undefined);
  }

  /** Routing table of the open shards, rebuilt only when stream.meta.shards is replaced. */
  routing(stream: LiveStream): RoutableShard<ShardMeta>[] {
    const cached = this.#routing.get(stream);
    if (cached && cached.shards === stream.meta.shards) return cached.table;
    const table = routingTable(this.openShards(stream));
    this.#routing.set(stream, { shards: stream.meta.shards, table });
    return table;
  }

  /** Open shards over every stream (the account's shard count for limits). */
  openShardCount(): number {
    let n = 0;
    for (const s of this.#streams.values()) n += this.openShards(s).length;
    return n;
  }

  // ---- changes -----------------------------------------------------------------------------------------

  /** Creates a stream in CREATING; it turns ACTIVE after statusDelayMs. */
  async create(spec: CreateStreamSpec): Promise<LiveStream> {
    this.#assertOpen();
    if (this.#streams.has(spec.name)) throw streamExists(spec.name, this.accountId);
    const creating = [...this.#streams.values()].filter((s) => s.meta.status === 'CREATING').length;
    if (creating >= MAX_CREATING_STREAMS) {
      // UNVERIFIED wording; AWS documents the limit, not the text.
      throw limitExceeded(
        `This request would exceed the limit of ${MAX_CREATING_STREAMS} streams in CREATING state for the account ${this.accountId} in ${this.region}.`,
      );
    }
    if (spec.mode === 'ON_DEMAND') {
      const onDemand = [...this.#streams.values()].filter((s) => s.meta.mode === 'ON_DEMAND').length;
      if (onDemand >= ON_DEMAND_STREAM_LIMIT) {
        // UNVERIFIED wording.
        throw limitExceeded(
          `This request would exceed the limit of ${ON_DEMAND_STREAM_LIMIT} on-demand streams for the account ${this.accountId} in ${this.region}.`,
        );
      }
    } else {
      const current = this.openShardCount();
      if (current + spec.shardCount > this.shardLimit) {
        // kinesalite's AWS-recorded text.
        throw limitExceeded(
          `This request would exceed the shard limit for the account ${this.accountId} in ${this.region}. ` +
            `Current shard count for the account: ${current}. Limit: ${this.shardLimit}. ` +
            `Number of additional shards that would have resulted from this request: ${spec.shardCount}. ` +
            'Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) ' +
            'for current limits and how to request higher limits.',
        );
      }
    }
    const now = this.clock.now();
    const shards: ShardMeta[] = createTimeLayout(spec.shardCount).map((range, i) => ({
      shardId: shardIdOf(i),
      ordinal: i,
      startingHashKey: range.startingHashKey,
      endingHashKey: range.endingHashKey,
      createdAtMs: now,
    }));
    const meta: StreamMeta = {
      name: spec.name,
      storageKey: `${spec.name}-${now}`,
      arn: this.arnOf(spec.name),
      createdAtMs: now,
      status: 'CREATING',
      statusUntilMs: now + this.statusDelayMs,
      mode: spec.mode,
      retentionPeriodHours: DEFAULT_RETENTION_HOURS,
      encryptionType: 'NONE',
      maxRecordSizeInKiB: spec.maxRecordSizeInKiB ?? DEFAULT_MAX_RECORD_SIZE_KIB,
      tags: { ...spec.tags },
      consumers: [],
      shards,
      nextShardOrdinal: spec.shardCount,
      scalingHistoryMs: [],
    };
    const stream: LiveStream = { meta, logs: new Map() };
    // In the map before the first await, so a concurrent create of the same name is refused.
    this.#streams.set(spec.name, stream);
    try {
      for (const shard of shards) stream.logs.set(shard.shardId, await this.root.openShard(meta.storageKey, shard.shardId));
      await this.save(stream);
    } catch (err) {
      this.#streams.delete(spec.name);
      throw err;
    }
    this.#resume(stream);
    this.#emit({ type: 'streamCreated', streamName: spec.name });
    return stream;
  }

  /** Puts the stream in DELETING; after statusDelayMs its logs and document are gone. */
  async delete(stream: LiveStream): Promise<void> {
    this.#setStatus(stream, 'DELETING');
    await this.save(stream);
    this.#resume(stream);
  }

  /**
   * Puts the stream in UPDATING for statusDelayMs (resharding, mode and encryption changes), then runs then
   * and makes it ACTIVE. Changes to the shard map take effect through setShards, at once or in then. With
   * pending, what then applies is saved with the stream, so a restart during the period still applies it
   * (the operation named rebuilds then: Operation.resume).
   */
  async beginUpdate(
    stream: LiveStream,
    then?: () => void | Promise<void>,
    pending?: { operation: string; data: unknown },
  ): Promise<void> {
    this.#setStatus(stream, 'UPDATING');
    if (pending) stream.meta.pendingUpdate = pending;
    else delete stream.meta.pendingUpdate;
    await this.save(stream);
    this.#resume(stream, then);
  }

  /** Replaces the shard map (after a split, merge or scaling), opening the logs of new shards. */
  async setShards(stream: LiveStream, shards: ShardMeta[]): Promise<void> {
    for (const shard of shards) {
      if (!stream.logs.has(shard.shardId)) {
        stream.logs.set(shard.shardId, await this.root.openShard(stream.meta.storageKey, shard.shardId));
      }
    }
    stream.meta.shards = shards;
    await this.save(stream);
    this.#emit({ type: 'shardsChanged', streamName: stream.meta.name });
  }

  /** Registers a consumer in CREATING; it turns ACTIVE after statusDelayMs. */
  async addConsumer(stream: LiveStream, consumer: ConsumerMeta): Promise<void> {
    stream.meta.consumers.push(consumer);
    await this.save(stream);
    this.#resumeConsumer(stream, consumer);
  }

  /** Puts a consumer in DELETING; after statusDelayMs it is gone. */
  async removeConsumer(stream: LiveStream, consumer: ConsumerMeta): Promise<void> {
    consumer.status = 'DELETING';
    await this.save(stream);
    this.#resumeConsumer(stream, consumer);
  }

  /**
   * Writes the stream's document. Saves of one stream run one after another, each writing the metadata as it
   * is when it starts; a save requested while another waits joins the waiting one.
   */
  save(stream: LiveStream): Promise<void> {
    const key = stream.meta.name;
    let q = this.#saves.get(key);
    if (q?.queued) return q.queued;
    if (!q) this.#saves.set(key, (q = { tail: Promise.resolve(), queued: undefined }));
    const entry = q;
    const write = (): Promise<void> => this.#writeNow(stream, entry, run);
    const run: Promise<void> = entry.tail.then(write, write);
    entry.queued = run;
    entry.tail = run;
    return run;
  }

  async #writeNow(stream: LiveStream, entry: { queued: Promise<void> | undefined }, self: Promise<void>): Promise<void> {
    if (entry.queued === self) entry.queued = undefined;
    // Deleted (or being deleted) meanwhile: its document must not come back.
    if (this.#streams.get(stream.meta.name) !== stream || this.#finalizing.has(stream)) return;
    await this.root.saveDocument(STREAM_DOCUMENTS, stream.meta.name, stream.meta);
  }

  /** Trims every shard log to the retention period now (also runs every TRIM_INTERVAL_MS of the clock). */
  trim(): Promise<void> {
    if (this.#trimming) return this.#trimming;
    const run = (async () => {
      const now = this.clock.now();
      for (const stream of [...this.#streams.values()]) {
        const before = now - stream.meta.retentionPeriodHours * 3_600_000;
        for (const log of stream.logs.values()) {
          if (this.#closed) return;
          await log.trimBefore(before);
        }
      }
    })().finally(() => {
      this.#trimming = undefined;
    });
    this.#trimming = run;
    return run;
  }

  /** Stops the timers and waits for pending document writes. The root stays open (its owner closes it). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    await Promise.allSettled([...this.#saves.values()].map((q) => q.tail));
    await this.#trimming?.catch(() => {});
  }

  // ---- lifecycle ---------------------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new Error('The Kinesis stream store is closed.');
  }

  #setStatus(stream: LiveStream, status: StreamStatus): void {
    stream.meta.status = status;
    stream.meta.statusUntilMs = this.clock.now() + this.statusDelayMs;
  }

  #after(ms: number, fn: () => void): void {
    if (ms <= 0) {
      // Due already (e.g. a period that ran out while eddy was stopped): no need to wait for the clock to move.
      queueMicrotask(() => {
        if (!this.#closed) fn();
      });
      return;
    }
    const cancel = this.clock.setTimer(() => {
      this.#timers.delete(cancel);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(cancel);
  }

  /** Schedules the end of the stream's current CREATING / UPDATING / DELETING period, and its consumers'. */
  #resume(stream: LiveStream, then?: () => void | Promise<void>): void {
    const { meta } = stream;
    if (meta.status !== 'ACTIVE') {
      const wait = Math.max(0, (meta.statusUntilMs ?? 0) - this.clock.now());
      const status = meta.status;
      this.#after(wait, () => void this.#finish(stream, status, then).catch(() => {}));
    }
    for (const consumer of meta.consumers) this.#resumeConsumer(stream, consumer);
  }

  async #finish(stream: LiveStream, status: StreamStatus, then?: () => void | Promise<void>): Promise<void> {
    if (this.#streams.get(stream.meta.name) !== stream || stream.meta.status !== status) return;
    if (status === 'DELETING') {
      // The name stays taken (CreateStream: ResourceInUseException) until the document is gone, so a stream
      // re-created under it cannot have its new document deleted by this one's late delete.
      const name = stream.meta.name;
      this.#finalizing.add(stream);
      await this.#saves.get(name)?.tail.catch(() => {});
      await this.root.deleteDocument(STREAM_DOCUMENTS, name);
      this.#saves.delete(name);
      this.#streams.delete(name);
      await this.root.dropStream(stream.meta.storageKey);
      this.#emit({ type: 'streamDeleted', streamName: stream.meta.name });
      return;
    }
    await then?.();
    stream.meta.status = 'ACTIVE';
    delete stream.meta.statusUntilMs;
    delete stream.meta.pendingUpdate;
    await this.save(stream);
  }

  #resumeConsumer(stream: LiveStream, consumer: ConsumerMeta): void {
    if (consumer.status === 'ACTIVE') return;
    const status = consumer.status;
    // A consumer's CREATING ends statusDelayMs after its creation; DELETING statusDelayMs after it was asked
    // for (or after start-up, for a DELETING consumer found in a document: its start is not persisted).
    const wait = status === 'CREATING' ? Math.max(0, consumer.createdAtMs + this.statusDelayMs - this.clock.now()) : this.statusDelayMs;
    this.#after(wait, () => {
      if (consumer.status !== status || !stream.meta.consumers.includes(consumer)) return;
      if (status === 'CREATING') consumer.status = 'ACTIVE';
      else stream.meta.consumers = stream.meta.consumers.filter((c) => c !== consumer);
      void this.save(stream).catch(() => {});
    });
  }

  #armTrim(): void {
    this.#after(TRIM_INTERVAL_MS, () => {
      void this.trim().catch(() => {});
      this.#armTrim();
    });
  }
}
