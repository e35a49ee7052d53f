// The public facade: one Emulator wires the log, the Kinesis API, the functions, the Lambda API, the
// mappings and the cost meter behind one port, and tears them down in reverse order.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from './clock.ts';
import { loadServiceConfig } from './config/load.ts';
import type { ServiceConfig } from './config/types.ts';
import { CostMeter, writeSnapshotFile } from './cost/meter.ts';
import { EddyError, hasErrorCode } from './errors.ts';
import { KinesisService } from './kinesis/service.ts';
import type { KinesisEvent } from './kinesis/types.ts';
import { openLambdaService, type LambdaService } from './lambda/api/service.ts';
import { fileSink, teeSink, terminalSink, silentSink, type LogSink } from './lambda/logs.ts';
import { FunctionRuntime } from './lambda/runtime.ts';
import type { InvocationReport, InvokeRequest, InvokeResult } from './lambda/types.ts';
import { acquireDataDirLock } from './log/data-dir-lock.ts';
import { writeFileAtomic } from './log/atomic-file.ts';
import { openDiskRoot } from './log/disk-root.ts';
import { MemoryLogRoot } from './log/memory-root.ts';
import type { LogRoot } from './log/types.ts';
import { createMappingsApi, type MappingsApi } from './mappings/api/index.ts';
import { MappingEngine } from './mappings/engine.ts';
import { consumerKey, mappingSpecsFromConfig } from './mappings/spec.ts';
import type { MappingStatus } from './mappings/types.ts';
import { sendJson } from './server/http.ts';
import { listen, type HttpRequest, type HttpResponse, type Listener } from './server/listener.ts';
import { Watcher, type WatchTarget } from './watch.ts';

export const ACCOUNT_ID = '000000000000';

export interface EmulatorOptions {
  /** Folder holding serverless.yml (default: the current directory). Without one, eddy serves no functions. */
  dir?: string;
  /** Port to listen on; 0 picks a free one (default 4566). */
  port?: number;
  host?: string;
  /** Where streams, checkpoints and logs live (default `<dir>/.eddy`). */
  dataDir?: string;
  /** Keep nothing on disk. */
  inMemory?: boolean;
  /** Acknowledge puts only after fsync. */
  fsync?: boolean;
  /** Enforce Kinesis per-shard throughput limits. */
  enforceLimits?: boolean;
  /** Rebuild functions when their files change (default false from code, true from `eddy start`). */
  watch?: boolean;
  stage?: string;
  region?: string;
  /** Account concurrency limit (default 1000). */
  concurrency?: number;
  /**
   * Read mappings from this Kinesis endpoint instead of eddy's own log (beats custom.eddy.kinesisEndpoint);
   * null: eddy's own log whatever serverless.yml says (`eddy simulate`).
   */
  kinesisEndpoint?: string | null;
  /** How long CREATING / UPDATING / DELETING last (default 50 ms; 0 when a clock is passed). */
  statusDelayMs?: number;
  /** Print function logs on the terminal (default false from code, true from `eddy start`). */
  printLogs?: boolean;
  /** Overrides every function's memorySize (`eddy simulate --memory`). */
  memorySize?: number;
  clock?: Clock;
}

/** What a running eddy writes into its data dir so other commands can find it. */
export interface RunningFile {
  pid: number;
  endpoint: string;
  startedAt: string;
}

const RUNNING_FILE = 'eddy.json';
/** The last run's cost meter snapshot, read by `eddy cost` when no eddy is running. */
export const COST_SNAPSHOT_FILE = 'cost-last-run.json';
/** Credentials eddy's own clients use against eddy (any are accepted, but requests must be signed). */
const LOCAL_CREDENTIALS = { accessKeyId: 'eddy', secretAccessKey: 'eddy' };

/** What `GET /_eddy/status` answers (`eddy status`). */
export interface EddyStatus {
  pid: number;
  endpoint: string;
  service: string;
  stage: string;
  functions: Array<{ key: string; name: string; memorySize: number }>;
  mappings: MappingStatus[];
}

interface Parts {
  listener: Listener;
  root: LogRoot;
  kinesis: KinesisService;
  runtime: FunctionRuntime;
  lambda: LambdaService;
  meter: CostMeter;
  mappings: MappingEngine;
  mappingsApi: MappingsApi;
  config: ServiceConfig;
  clock: Clock;
  options: EmulatorOptions;
  sink: LogSink;
  dataDir: string | undefined;
  releaseLock: (() => Promise<void>) | undefined;
}

/** Every option, so a misspelt one is refused by name (the Record makes tsc list a new option here). */
const OPTION_KEYS: Record<keyof EmulatorOptions, true> = {
  dir: true,
  port: true,
  host: true,
  dataDir: true,
  inMemory: true,
  fsync: true,
  enforceLimits: true,
  watch: true,
  stage: true,
  region: true,
  concurrency: true,
  kinesisEndpoint: true,
  statusDelayMs: true,
  printLogs: true,
  memorySize: true,
  clock: true,
};

export class Emulator {
  #parts: Parts;
  readonly #cleanups: Array<() => void> = [];
  #watcher: Watcher | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(parts: Parts) {
    this.#parts = parts;
  }

  static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    for (const key of Object.keys(options)) {
      if (!(key in OPTION_KEYS)) throw new EddyError('EDDY_ERR_OPTION_INVALID', `Invalid option in Emulator.start(): "${key}"`);
    }
    if (options.inMemory && (options.fsync || options.dataDir !== undefined)) {
      throw new EddyError('EDDY_ERR_OPTION_INVALID', `inMemory keeps nothing on disk: it cannot go with ${options.fsync ? 'fsync' : 'dataDir'}`);
    }
    const dir = path.resolve(options.dir ?? '.');
    const clock = options.clock ?? systemClock;
    const config = await loadConfigOrEmpty(dir, options);
    const region = config.region;
    const dataDir = options.inMemory ? undefined : path.resolve(options.dataDir ?? path.join(dir, '.eddy'));
    const releaseLock = dataDir ? await acquireDataDirLock(dataDir) : undefined;
    const undo: Array<() => Promise<unknown>> = [];
    if (releaseLock) undo.push(releaseLock);
    try {
      const root: LogRoot = dataDir ? await openDiskRoot(dataDir, { fsync: options.fsync ?? false }) : new MemoryLogRoot();
      undo.push(() => root.close());
      const kinesis = await KinesisService.open({
        root,
        clock,
        region,
        accountId: ACCOUNT_ID,
        enforceLimits: options.enforceLimits ?? false,
        // On a virtual clock nobody advances time while start() waits for its streams to turn ACTIVE.
        statusDelayMs: options.statusDelayMs ?? (options.clock ? 0 : 50),
      });
      undo.push(() => kinesis.close());
      // The listener starts before the functions so handlers can be given eddy's real endpoint.
      let route: (req: HttpRequest, res: HttpResponse) => void = (req, res) => kinesis.handle(req, res);
      const listener = await listen({
        port: options.port ?? 4566,
        host: options.host ?? '127.0.0.1',
        handler: (req, res) => route(req, res),
      });
      undo.push(() => listener.close());
      const endpoint = endpointOf(listener);
      const sinks = [
        ...(dataDir ? [fileSink({ dir: path.join(dataDir, 'logs') })] : []),
        ...(options.printLogs ? [terminalSink()] : []),
      ];
      const sink = sinks.length === 0 ? silentSink : sinks.length === 1 ? sinks[0]! : teeSink(...sinks);
      const runtime = await FunctionRuntime.create({
        config,
        endpoint,
        clock,
        logSink: sink,
        ...(dataDir !== undefined && { dataDir }),
        ...(options.concurrency !== undefined && { accountConcurrency: options.concurrency }),
      });
      undo.push(() => runtime.close());
      for (const notice of config.notices) sink.notice(notice);
      const lambda = await openLambdaService({ root, clock, runtime, region, accountId: ACCOUNT_ID });
      undo.push(() => lambda.close());
      const meter = new CostMeter({ clock, region });
      // The flag beats the file, as --stage and --region do.
      const foreignKinesis = options.kinesisEndpoint === null ? undefined : (options.kinesisEndpoint ?? config.eddy.kinesisEndpoint);
      const mappings = await MappingEngine.create({
        root,
        invoker: lambda.invoker,
        clock,
        region,
        accountId: ACCOUNT_ID,
        kinesisEndpoint: foreignKinesis ?? endpoint,
        // A foreign endpoint (real AWS) gets the SDK's usual credential chain; eddy's own log is read in-process.
        ...(foreignKinesis === undefined && { credentials: LOCAL_CREDENTIALS, wake: true, localKinesis: kinesis }),
        ...(config.eddy.pollInterval !== undefined && { pollIntervalMs: config.eddy.pollInterval }),
        outbox: lambda.outbox,
        onWarning: (message) => sink.notice(message),
      });
      undo.push(() => mappings.close());
      const mappingsApi = createMappingsApi({
        engine: mappings,
        functions: lambda.invoker.resolver,
        region,
        accountId: ACCOUNT_ID,
        clock,
      });
      const emulator = new Emulator({
        listener,
        root,
        kinesis,
        runtime,
        lambda,
        meter,
        mappings,
        mappingsApi,
        config,
        clock,
        options,
        sink,
        dataDir,
        releaseLock,
      });
      emulator.#cleanups.push(
        runtime.onReport((report) => meter.recordInvocation(report)),
        kinesis.onEvent((event) => {
          meter.recordKinesis(event);
          if (event.type === 'appended' && foreignKinesis === undefined) mappings.wake(event.streamName, event.shardId);
          if (event.type === 'streamCreated' || event.type === 'shardsChanged' || event.type === 'streamDeleted') {
            emulator.#observeStream(event.streamName);
            // New child shards are found on the next shard listing; wake the pollers instead of waiting for it.
            if (foreignKinesis === undefined && event.type !== 'streamDeleted') mappings.wake(event.streamName);
          }
        }),
      );
      route = (req, res) => emulator.#route(req, res);
      await emulator.#createStreams();
      for (const name of kinesis.store.names()) emulator.#observeStream(name);
      await emulator.#applyMappings(config);
      if (options.watch) emulator.#watcher = await Watcher.start(emulator.#watchTarget(dir));
      if (dataDir) {
        const running: RunningFile = { pid: process.pid, endpoint, startedAt: new Date(clock.now()).toISOString() };
        // Atomic: a CLI command reading it while eddy starts sees the whole file or none.
        await writeFileAtomic(path.join(dataDir, RUNNING_FILE), `${JSON.stringify(running, null, 2)}\n`, false);
      }
      return emulator;
    } catch (err) {
      for (const step of undo.reverse()) await step().catch(() => {});
      throw err;
    }
  }

  /** `http://host:port`, for the SDK clients' `endpoint`. */
  get endpoint(): string {
    return endpointOf(this.#parts.listener);
  }

  get port(): number {
    return this.#parts.listener.port;
  }

  /** The resolved serverless.yml this emulator runs. */
  get config(): ServiceConfig {
    return this.#parts.config;
  }

  /** Invokes a function in-process (same path as the Lambda API, without HTTP). */
  invoke(request: InvokeRequest): Promise<InvokeResult> {
    // A caller's bytes are always checked, as the Lambda API checks them (jsonByEddy is for eddy's own batches).
    return this.#parts.lambda.invoker.invoke({ ...request, jsonByEddy: false });
  }

  /** Hears of every finished invocation (duration, billed duration, memory, errors). */
  onReport(listener: (report: InvocationReport) => void): () => void {
    return this.#parts.runtime.onReport(listener);
  }

  /** Listens to what the Kinesis service does (appends, reads, throttles, reshards). */
  onKinesisEvent(listener: (event: KinesisEvent) => void): () => void {
    return this.#parts.kinesis.onEvent(listener);
  }

  /** The cost meter of this run. */
  get meter(): CostMeter {
    return this.#parts.meter;
  }

  /** Resolves once every enabled mapping has caught up with its shards and no batch is in flight. */
  drain(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#parts.mappings.drain(options);
  }

  /** Resolves once every asynchronous (Event) invocation has finished: succeeded, or retried and discarded. */
  async asyncSettled(): Promise<void> {
    const { queue } = this.#parts.lambda;
    while (queue.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 50);
        const off = queue.onEvent(done);
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  /** The event-source mappings engine (status, API-created mappings). */
  get mappings(): MappingEngine {
    return this.#parts.mappings;
  }

  /** Resolves once the watcher has applied every file change seen so far. */
  async settled(): Promise<void> {
    await this.#watcher?.settled();
  }

  /** File changes the watcher has seen and applied (0/0 without --watch). */
  get watchCounts(): { seen: number; applied: number } {
    return this.#watcher?.counts ?? { seen: 0, applied: 0 };
  }

  status(): EddyStatus {
    const { runtime, config, mappings } = this.#parts;
    return {
      pid: process.pid,
      endpoint: this.endpoint,
      service: config.service,
      stage: config.stage,
      functions: [...runtime.functions()].map((f) => ({ key: f.key, name: f.name, memorySize: f.memorySize })),
      mappings: mappings.status(),
    };
  }

  #observeStream(streamName: string): void {
    const stream = this.#parts.kinesis.store.find(streamName);
    if (stream) this.#parts.meter.observeStream(stream.meta);
  }

  /** Makes the mappings declared in serverless.yml match `config` (added, changed, removed). */
  async #applyMappings(config: ServiceConfig): Promise<void> {
    const { mappings, clock } = this.#parts;
    const consumers = await this.#registerConsumers(config);
    await mappings.syncConfigMappings(
      mappingSpecsFromConfig(config, { region: config.region, accountId: ACCOUNT_ID, nowMs: clock.now(), consumers }),
    );
  }

  /**
   * Registers the stream consumers that `consumer: true` events declare, as Serverless's
   * AWS::Kinesis::StreamConsumer does on deploy: through eddy's own Kinesis API, when absent, on the stream in
   * eddy's log (where the streams of `resources` are created). Returns their ARNs by consumerKey. A consumer
   * that cannot be registered (its stream is not in eddy's log) is reported and its mapping reads the stream.
   */
  async #registerConsumers(config: ServiceConfig): Promise<Map<string, string>> {
    const { sink } = this.#parts;
    const arns = new Map<string, string>();
    for (const fn of Object.values(config.functions)) {
      for (const event of fn.events) {
        if (event.consumerName === undefined) continue;
        const key = consumerKey(event.arn, event.consumerName);
        if (arns.has(key)) continue;
        try {
          arns.set(key, await this.#ensureConsumer(event.arn, event.consumerName));
        } catch (err) {
          const e = err as { type?: string; message?: string };
          sink.notice(
            `${fn.key}: could not register the stream consumer ${event.consumerName} on ${event.streamName} (${e.type ?? 'Error'}: ${e.message ?? String(err)}); the mapping reads the stream`,
          );
        }
      }
    }
    return arns;
  }

  /**
   * The ARN of the stream's consumer of that name, registered first when absent. Its ARN is known at once, so
   * nothing waits for ACTIVE (on a virtual clock with a status delay that would wait for the test's clock).
   */
  async #ensureConsumer(streamArn: string, consumerName: string): Promise<string> {
    const { kinesis } = this.#parts;
    const names = { StreamARN: streamArn, ConsumerName: consumerName };
    try {
      const out = await kinesis.call<{ ConsumerDescription: { ConsumerARN: string } }>('DescribeStreamConsumer', names);
      return out.ConsumerDescription.ConsumerARN;
    } catch (err) {
      // No such consumer (or no such stream: then registering says so).
      if ((err as { type?: string }).type !== 'ResourceNotFoundException') throw err;
    }
    const out = await kinesis.call<{ Consumer: { ConsumerARN: string } }>('RegisterStreamConsumer', names);
    return out.Consumer.ConsumerARN;
  }

  /** Re-reads serverless.yml and applies it: functions, streams and mappings; data and checkpoints are kept. */
  async reloadConfig(): Promise<void> {
    const next = await loadConfigOrEmpty(this.#parts.config.dir, this.#parts.options);
    const result = await this.#parts.runtime.reload(next);
    this.#parts.config = next;
    await this.#createStreams();
    await this.#applyMappings(next);
    for (const failure of result.failures) this.#parts.sink.notice(`${failure.functionKey}: ${failure.error.message}`);
  }

  #watchTarget(dir: string): WatchTarget {
    const { runtime, sink } = this.#parts;
    return {
      dir,
      functionKeys: () => Object.keys(this.#parts.config.functions),
      inputs: (key) => runtime.inputs(key),
      rebuild: (key) => runtime.rebuild(key),
      reloadConfig: () => this.reloadConfig(),
      notice: (message) => sink.notice(message),
    };
  }

  /** Creates the `AWS::Kinesis::Stream` resources of serverless.yml that do not exist yet. */
  async #createStreams(): Promise<void> {
    const { kinesis, config } = this.#parts;
    for (const stream of config.streams) {
      try {
        await kinesis.call('CreateStream', {
          StreamName: stream.name,
          ...(stream.mode === 'ON_DEMAND'
            ? { StreamModeDetails: { StreamMode: 'ON_DEMAND' } }
            : { ShardCount: stream.shardCount }),
          MaxRecordSizeInKiB: stream.maxRecordSizeInKiB,
        });
      } catch (err) {
        if ((err as { type?: string }).type === 'ResourceInUseException') continue; // kept from an earlier run
        throw err;
      }
      if (stream.retentionPeriodHours > 24) {
        await this.#whenActive(stream.name);
        await kinesis.call('IncreaseStreamRetentionPeriod', {
          StreamName: stream.name,
          RetentionPeriodHours: stream.retentionPeriodHours,
        });
      }
      if (stream.encryptionKeyId !== undefined) {
        await this.#whenActive(stream.name);
        await kinesis.call('StartStreamEncryption', { StreamName: stream.name, EncryptionType: 'KMS', KeyId: stream.encryptionKeyId });
      }
    }
    for (const stream of config.streams) await this.#whenActive(stream.name);
  }

  async #whenActive(streamName: string): Promise<void> {
    for (;;) {
      const out = (await this.#parts.kinesis.call('DescribeStreamSummary', { StreamName: streamName })) as {
        StreamDescriptionSummary: { StreamStatus: string };
      };
      if (out.StreamDescriptionSummary.StreamStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  #route(req: HttpRequest, res: HttpResponse): void {
    const { lambda, mappingsApi, kinesis } = this.#parts;
    if (lambda.api.matches(req)) return lambda.api.handle(req, res);
    if (mappingsApi.matches(req)) return mappingsApi.handle(req, res);
    if (req.url?.startsWith('/_eddy/') && req.method === 'GET' && !req.headers['x-amz-target']) {
      return this.#serveInternal(req, res);
    }
    kinesis.handle(req, res);
  }

  /** eddy's own read-only routes for the CLI (`eddy status`, `eddy cost`, `eddy destinations`). */
  #serveInternal(req: HttpRequest, res: HttpResponse): void {
    req.resume();
    const { meter, lambda } = this.#parts;
    switch (req.url) {
      case '/_eddy/status':
        return sendJson(res, 200, this.status());
      case '/_eddy/cost':
        return sendJson(res, 200, meter.snapshot());
      case '/_eddy/destinations':
        return void lambda.outbox.listOutbox().then(
          (entries) => sendJson(res, 200, entries),
          (err: unknown) => sendJson(res, 500, { message: (err as Error).message }),
        );
      default:
        return sendJson(res, 404, { message: `No eddy route ${req.url}` });
    }
  }

  async stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const { listener, lambda, runtime, kinesis, mappings, meter, root, sink, dataDir, releaseLock } = this.#parts;
    for (const off of this.#cleanups) off();
    await this.#watcher?.close();
    // Mappings and the async queue finish their in-flight invocations first: those handlers may still be
    // calling eddy's own Kinesis and Lambda APIs through the listener.
    await mappings.close();
    await lambda.close();
    await listener.close();
    await runtime.close();
    await kinesis.close();
    await root.close();
    await sink.close();
    if (dataDir) {
      await writeSnapshotFile(path.join(dataDir, COST_SNAPSHOT_FILE), meter.snapshot());
      await rm(path.join(dataDir, RUNNING_FILE), { force: true });
    }
    await releaseLock?.();
  }
}

function endpointOf(listener: Listener): string {
  const host = listener.host.includes(':') ? `[${listener.host}]` : listener.host;
  return `http://${host}:${listener.port}`;
}

async function loadConfigOrEmpty(dir: string, options: EmulatorOptions): Promise<ServiceConfig> {
  try {
    const config = await loadServiceConfig(dir, { stage: options.stage, region: options.region });
    return options.memorySize === undefined ? config : withMemorySize(config, options.memorySize);
  } catch (err) {
    if (!hasErrorCode(err, 'EDDY_ERR_CONFIG_NOT_FOUND')) throw err;
    // No serverless.yml: serve the Kinesis and Lambda APIs with no functions.
    return Object.freeze({
      dir,
      service: 'eddy',
      stage: options.stage ?? 'dev',
      region: options.region ?? 'us-east-1',
      functions: Object.freeze({}),
      streams: Object.freeze([]),
      esbuild: Object.freeze({}),
      eddy: Object.freeze({ kinesisEndpoint: undefined, layers: Object.freeze({}), pollInterval: undefined }),
      notices: Object.freeze([]),
    });
  }
}

/** The same configuration with every function at one memory size (a `--memory` sweep). */
function withMemorySize(config: ServiceConfig, memorySize: number): ServiceConfig {
  const functions = Object.fromEntries(
    Object.entries(config.functions).map(([key, fn]) => [key, Object.freeze({ ...fn, memorySize })]),
  );
  return Object.freeze({ ...config, functions: Object.freeze(functions) });
}
