// The event-source mapping engine: one engine behind serverless.yml and Lambda API mappings. It keeps
// the mappings (API-created ones persist as `mappings` documents), runs a MappingRunner per enabled
// mapping, reports per-shard status, and can wait until every mapping has caught up (drain).
import type { Clock } from '../clock.ts';
import { EddyError } from '../errors.ts';
import { createOutbox, destinationService, type Outbox } from '../lambda/async/outbox.ts';
import type { WireExchange } from '../kinesis/in-process-handler.ts';
import type { Invoker } from '../lambda/types.ts';
import type { LogRoot } from '../log/types.ts';
import { CHECKPOINTS_KIND, CheckpointStore } from './checkpoints.ts';
import type { MappingContext } from './context.ts';
import { compileFilters } from './filter.ts';
import { MappingRunner } from './runner.ts';
import { KinesisSource, regionOf, streamNameOf } from './source.ts';
import { NO_RECORDS, type MappingSpec, type MappingState, type MappingStatus } from './types.ts';

export const MAPPINGS_KIND = 'mappings';

export interface MappingEngineOptions {
  root: LogRoot;
  invoker: Invoker;
  clock: Clock;
  region: string;
  accountId: string;
  /** The Kinesis endpoint the pollers read (eddy's own, or AWS / LocalStack / kinesalite); undefined = AWS. */
  kinesisEndpoint: string | undefined;
  /**
   * eddy's own Kinesis service, when kinesisEndpoint is its endpoint in this process: the pollers' SDK client
   * then hands it each request without a socket (same wire exchange; see kinesis/in-process-handler.ts).
   */
  localKinesis?: WireExchange;
  /** undefined = the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * True when the caller wakes pollers on appends (`wake()`, eddy's own log): idle pollers then wait for a
   * wake instead of polling every second.
   */
  wake?: boolean;
  /** Idle poll interval in ms (AWS polls about once a second); default 1000, or wake-driven with `wake`. */
  pollIntervalMs?: number;
  /** Where on-failure records for SQS / SNS (and unknown functions) go; default: a `destinations` outbox in root. */
  outbox?: Outbox;
  /** Told about problems that do not stop a mapping; default: process.emitWarning. */
  onWarning?: (message: string, err?: unknown) => void;
}

interface Entry {
  spec: MappingSpec;
  state: MappingState;
  lastResult: string;
  runner: MappingRunner | undefined;
  checkpoints: CheckpointStore;
  /** Serialises start/stop/update of this mapping. */
  op: Promise<void>;
}

const OPTION_KEYS = new Set([
  'root',
  'invoker',
  'clock',
  'region',
  'accountId',
  'kinesisEndpoint',
  'localKinesis',
  'credentials',
  'wake',
  'pollIntervalMs',
  'outbox',
  'onWarning',
]);

function checkOptions(options: MappingEngineOptions): void {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new EddyError('EDDY_ERR_OPTION_INVALID', `Invalid option in MappingEngine.create(): "${key}"`);
  }
  const poll = options.pollIntervalMs;
  if (poll !== undefined && !(Number.isFinite(poll) && poll > 0)) {
    throw new EddyError('EDDY_ERR_OPTION_INVALID', 'MappingEngine.create(): "pollIntervalMs" must be a positive number of milliseconds');
  }
}

/** True when two specs differ only in lastModifiedMs. */
function sameSettings(a: MappingSpec, b: MappingSpec): boolean {
  return JSON.stringify({ ...a, lastModifiedMs: 0 }) === JSON.stringify({ ...b, lastModifiedMs: 0 });
}

export class MappingEngine {
  readonly #o: MappingEngineOptions;
  /** One Kinesis client per region (a stream ARN in another region is read there, on real AWS). */
  readonly #sources = new Map<string, KinesisSource>();
  readonly #outbox: Outbox;
  readonly #entries = new Map<string, Entry>();
  readonly #savedCheckpoints: Map<string, unknown>;
  #drainEpoch = 0;
  #closed = false;
  readonly #warned = new Map<string, number>();

  private constructor(options: MappingEngineOptions, savedCheckpoints: Map<string, unknown>) {
    this.#o = options;
    this.#savedCheckpoints = savedCheckpoints;
    this.#outbox = options.outbox ?? createOutbox({ root: options.root, clock: options.clock });
  }

  /** Opens the engine and starts every API-created mapping saved in root. */
  static async create(options: MappingEngineOptions): Promise<MappingEngine> {
    checkOptions(options);
    const [mappings, checkpoints] = await Promise.all([
      options.root.loadDocuments(MAPPINGS_KIND),
      options.root.loadDocuments(CHECKPOINTS_KIND),
    ]);
    const engine = new MappingEngine(options, checkpoints);
    for (const doc of mappings.values()) {
      const spec = Object.freeze({ ...(doc as MappingSpec) });
      engine.#register(spec, spec.enabled ? 'Enabled' : 'Disabled');
    }
    for (const entry of engine.#entries.values()) {
      if (entry.spec.enabled) entry.op = engine.#start(entry);
    }
    await Promise.all([...engine.#entries.values()].map((e) => e.op));
    return engine;
  }

  #register(spec: MappingSpec, state: MappingState): Entry {
    compileFilters(spec.filterPatterns); // throws InvalidFilterPatternError
    const entry: Entry = {
      spec,
      state,
      lastResult: NO_RECORDS,
      runner: undefined,
      checkpoints: new CheckpointStore(this.#o.root, spec.uuid, this.#savedCheckpoints.get(spec.uuid)),
      op: Promise.resolve(),
    };
    this.#entries.set(spec.uuid, entry);
    return entry;
  }

  #context(entry: Entry): MappingContext {
    const spec = entry.spec;
    const o = this.#o;
    const eventContexts = new Map<string, ReturnType<MappingContext['eventContext']>>();
    const awsRegion = regionOf(spec.eventSourceArn) ?? o.region;
    const ctx: MappingContext = {
      spec,
      streamName: streamNameOf(spec.eventSourceArn),
      awsRegion,
      filter: compileFilters(spec.filterPatterns),
      invoker: o.invoker,
      clock: o.clock,
      source: this.#sourceFor(awsRegion),
      checkpoints: entry.checkpoints,
      pollIntervalMs: o.pollIntervalMs ?? (o.wake ? undefined : 1_000),
      retentionMs: undefined,
      readRetention: async () => {
        ctx.retentionMs = await ctx.source.retentionMs(ctx.streamName);
      },
      drainEpoch: () => this.#drainEpoch,
      sendToDestination: (record) => this.#sendToDestination(spec, record),
      setLastResult: (result) => {
        entry.lastResult = result;
      },
      warn: (message, err) => this.#warn(`mapping ${spec.uuid}: ${message}`, err),
      eventContext: (shardId) => {
        let c = eventContexts.get(shardId);
        if (!c) {
          c = { shardId, eventSourceArn: spec.eventSourceArn, awsRegion, invokeIdentityArn: spec.roleArn };
          eventContexts.set(shardId, c);
        }
        return c;
      },
    };
    return ctx;
  }

  #sourceFor(region: string): KinesisSource {
    let source = this.#sources.get(region);
    if (!source) {
      source = new KinesisSource({
        endpoint: this.#o.kinesisEndpoint,
        region,
        credentials: this.#o.credentials,
        local: this.#o.localKinesis,
      });
      this.#sources.set(region, source);
    }
    return source;
  }

  #warn(message: string, err?: unknown): void {
    // A poller that keeps failing (a deleted stream, an endpoint down) says so once per 10 s, not per retry.
    const now = Date.now();
    const last = this.#warned.get(message);
    if (last !== undefined && now - last < 10_000) return;
    if (this.#warned.size > 1000) this.#warned.clear();
    this.#warned.set(message, now);
    if (this.#o.onWarning) this.#o.onWarning(message, err);
    else process.emitWarning(err instanceof Error ? `${message}: ${err.message}` : message, 'EddyMappingWarning');
  }

  async #sendToDestination(spec: MappingSpec, record: Record<string, unknown>): Promise<void> {
    const arn = spec.onFailure!;
    if (destinationService(arn) === 'lambda') {
      try {
        await this.#o.invoker.invoke({
          functionName: arn,
          payload: Buffer.from(JSON.stringify(record)),
          invocationType: 'Event',
          source: `mapping:${spec.uuid}`,
        });
        return;
      } catch (err) {
        this.#warn(`mapping ${spec.uuid}: on-failure function ${arn} could not be invoked; kept in the outbox`, err);
      }
    }
    await this.#outbox.appendToOutbox(arn, record);
  }

  async #start(entry: Entry): Promise<void> {
    if (this.#closed) return;
    const runner = new MappingRunner(this.#context(entry));
    entry.runner = runner;
    runner.start();
    await runner.refresh();
  }

  async #stop(entry: Entry): Promise<void> {
    const runner = entry.runner;
    entry.runner = undefined;
    await runner?.stop();
  }

  /** Runs op after the mapping's previous operation, then moves it to its resting state. */
  #chain(entry: Entry, op: () => Promise<void>): Promise<void> {
    entry.op = entry.op.then(op).catch((err: unknown) => this.#warn(`mapping ${entry.spec.uuid}: ${String(err)}`, err));
    return entry.op;
  }

  /**
   * Adds a mapping and starts it when enabled. Resolves once it is running; its state reads `Creating`
   * until then. An existing mapping with the same UUID (a serverless.yml mapping at restart) is replaced.
   */
  async add(spec: MappingSpec): Promise<MappingSpec> {
    if (this.#closed) throw new Error('The mapping engine is closed.');
    const frozen = Object.freeze({ ...spec, filterPatterns: Object.freeze([...spec.filterPatterns]) });
    const existing = this.#entries.get(spec.uuid);
    if (existing) {
      await this.update(spec.uuid, frozen);
      return frozen;
    }
    const entry = this.#register(frozen, 'Creating');
    if (frozen.origin === 'api') await this.#o.root.saveDocument(MAPPINGS_KIND, frozen.uuid, frozen);
    await this.#chain(entry, async () => {
      if (frozen.enabled) await this.#start(entry);
      entry.state = frozen.enabled ? 'Enabled' : 'Disabled';
    });
    return frozen;
  }

  /**
   * Changes a mapping: stops it (letting an in-flight batch finish and checkpoint), then starts it again
   * with the new settings from its checkpoint. Disabling stops it; enabling resumes from the checkpoint.
   */
  async update(uuid: string, changes: Partial<Omit<MappingSpec, 'uuid'>>): Promise<MappingSpec> {
    const entry = this.#entries.get(uuid);
    if (!entry) throw new Error(`No mapping ${uuid}`);
    const before = entry.spec;
    const spec: MappingSpec = Object.freeze({ ...before, ...changes, uuid, lastModifiedMs: this.#o.clock.now() });
    compileFilters(spec.filterPatterns);
    entry.spec = spec;
    entry.state = before.enabled === spec.enabled ? 'Updating' : spec.enabled ? 'Enabling' : 'Disabling';
    if (spec.origin === 'api') await this.#o.root.saveDocument(MAPPINGS_KIND, uuid, spec);
    await this.#chain(entry, async () => {
      await this.#stop(entry);
      if (spec.enabled) await this.#start(entry);
      entry.state = spec.enabled ? 'Enabled' : 'Disabled';
    });
    return spec;
  }

  /**
   * Makes the serverless.yml mappings exactly `specs` (at start, and when serverless.yml changes): adds new
   * ones, updates changed ones (each resumes from its checkpoint), and deletes config mappings no longer
   * declared. API-created mappings are left alone.
   */
  async syncConfigMappings(specs: readonly MappingSpec[]): Promise<void> {
    const wanted = new Set(specs.map((s) => s.uuid));
    const gone = [...this.#entries.values()].filter((e) => e.spec.origin === 'config' && !wanted.has(e.spec.uuid));
    await Promise.all(gone.map((e) => this.remove(e.spec.uuid)));
    await Promise.all(
      specs.map(async (spec) => {
        const existing = this.#entries.get(spec.uuid)?.spec;
        if (existing && sameSettings(existing, spec)) return;
        await this.add(spec);
      }),
    );
  }

  /** Deletes a mapping and its checkpoints. */
  async remove(uuid: string): Promise<MappingSpec> {
    const entry = this.#entries.get(uuid);
    if (!entry) throw new Error(`No mapping ${uuid}`);
    entry.state = 'Deleting';
    await this.#chain(entry, async () => {
      await this.#stop(entry);
      await entry.checkpoints.delete();
      if (entry.spec.origin === 'api') await this.#o.root.deleteDocument(MAPPINGS_KIND, uuid);
    });
    this.#entries.delete(uuid);
    return entry.spec;
  }

  get(uuid: string): { spec: MappingSpec; state: MappingState; lastProcessingResult: string } | undefined {
    const e = this.#entries.get(uuid);
    return e && { spec: e.spec, state: e.state, lastProcessingResult: e.lastResult };
  }

  list(): Array<{ spec: MappingSpec; state: MappingState; lastProcessingResult: string }> {
    return [...this.#entries.values()].map((e) => ({ spec: e.spec, state: e.state, lastProcessingResult: e.lastResult }));
  }

  /** Per mapping and shard: iterator age, last result, invocations, errors, retries, filtered records. */
  status(): MappingStatus[] {
    return [...this.#entries.values()].map((e) => ({
      uuid: e.spec.uuid,
      functionName: e.spec.functionName,
      eventSourceArn: e.spec.eventSourceArn,
      state: e.state,
      lastProcessingResult: e.lastResult,
      shards: e.runner?.shardStatus() ?? [],
    }));
  }

  /**
   * Wakes the pollers of a stream: one shard on every append (`appended` events), or every shard plus a
   * new ListShards when the stream's shards changed (`shardsChanged`, `streamCreated`).
   */
  wake(streamName: string, shardId?: string): void {
    for (const e of this.#entries.values()) {
      if (e.runner && e.runner.ctx.streamName === streamName) e.runner.wake(shardId);
    }
  }

  /**
   * Resolves once every enabled mapping has read every shard to its tip (as of some moment after this call)
   * and no batch is queued or in flight. Records held by an open tumbling window do not count; a batching
   * window still waiting for its time does. Rejects after timeoutMs (real time) when given.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    const epoch = ++this.#drainEpoch;
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const runners = (): MappingRunner[] =>
      [...this.#entries.values()].filter((e) => e.spec.enabled).flatMap((e) => (e.runner ? [e.runner] : []));
    await Promise.all([...this.#entries.values()].map((e) => e.op));
    for (const r of runners()) {
      r.wake();
      void r.refresh();
    }
    for (let delay = 1; ; delay = Math.min(20, delay * 2)) {
      const pending = [...this.#entries.values()].some((e) => e.spec.enabled && (!e.runner || e.state !== 'Enabled'));
      if (!pending && runners().every((r) => r.drained(epoch))) return;
      if (Date.now() > deadline) throw new EddyError('EDDY_ERR_DRAIN_TIMEOUT', `drain: mappings not caught up after ${options.timeoutMs} ms`);
      // A poller that was mid-read when drain began may since have gone back to sleep (poll interval): wake it again.
      for (const r of runners()) if (!r.drained(epoch)) r.wake();
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Stops every mapping (in-flight batches finish and checkpoint first). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      [...this.#entries.values()].map(async (e) => {
        await e.op.catch(() => {});
        await this.#stop(e);
        await e.checkpoints.flush();
      }),
    );
    for (const source of this.#sources.values()) source.close();
  }
}
