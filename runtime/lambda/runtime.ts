// The function runtime's facade: resolves names, counts concurrency, builds each function lazily, runs
// invocations on its execution environments, writes Lambda's log lines and reports every invocation.
// Hot reload swaps a function's pool: in-flight invocations finish on the old one, new ones get the new code.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock, type Clock } from '../clock.ts';
import type { CodeInfo } from './api/configuration.ts';
import { SYNC_PAYLOAD_LIMIT, requestTooLarge } from './api/errors.ts';
import type { FunctionConfig, ServiceConfig } from '../config/types.ts';
import { EddyError } from '../errors.ts';
import { FunctionBundler, runtimeMajor, type BuiltBundle, type FailedBundle } from './bundle.ts';
import { ConcurrencyLimiter, hostConcurrencyCap, type Release } from './concurrency.ts';
import { functionEnvironment } from './environment.ts';
import { billedDuration, fileSink, instanceIdOf, InvocationLog, PlatformLines, runtimeVersionOf, silentSink, type LogSink } from './logs.ts';
import { payloadByteLength, payloadText } from './payload.ts';
import { initErrorLabel, newLogStreamName } from './messages.ts';
import { EnvironmentPool, type RunResult } from './pool.ts';
import type { InvocationReport, InvokeRequest, InvokeResult, Invoker, LambdaServiceError } from './types.ts';
import { workerEntryFile } from './worker-entry.ts';

export const ACCOUNT_ID = '000000000000';
const RESPONSE_LIMIT = 6291556;
const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

export interface FunctionRuntimeOptions {
  config: ServiceConfig;
  /** Bundles, logs and each function's TMPDIR go here; omitted = a temp dir removed by close(). */
  dataDir?: string;
  /** eddy's endpoint, given to handlers as AWS_ENDPOINT_URL. */
  endpoint: string;
  /** Account concurrency limit (default 1000), further capped by hostConcurrencyCap(). */
  accountConcurrency?: number;
  clock?: Clock;
  /** Where log lines go (default: `<dataDir>/logs/<functionKey>.log` when dataDir is set, else nowhere). */
  logSink?: LogSink;
  /** Build every function now instead of on its first invocation. */
  eager?: boolean;
  /** INIT limit (default 10 s, as Lambda). */
  initTimeoutMs?: number;
  /** How long an idle environment stays warm (default 10 minutes). */
  idleTimeoutMs?: number;
}

type Deployment = { kind: 'pool'; pool: EnvironmentPool; deployedAtMs: number } | { kind: 'failed'; failure: FailedBundle };

interface Slot {
  fn: FunctionConfig;
  bundler: FunctionBundler;
  deployment: Promise<Deployment> | undefined;
  /** The settled value of `deployment` (saves an await per invocation). */
  ready: Deployment | undefined;
  tmpDir: string;
}

export interface ReloadResult {
  /** Functions whose new code could not be built; each keeps serving its previous code if it had any. */
  failures: Array<{ functionKey: string; error: EddyError }>;
}

function serviceError(name: string, statusCode: number, message: string, fields?: Record<string, string>): LambdaServiceError {
  return fields ? { name, statusCode, message, fields } : { name, statusCode, message };
}

export class FunctionRuntime implements Invoker {
  readonly #endpoint: string;
  readonly #clock: Clock;
  readonly #sink: LogSink;
  readonly #limiter: ConcurrencyLimiter;
  readonly #root: string;
  readonly #ownsRoot: boolean;
  readonly #workerFile: string;
  readonly #initTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #listeners = new Set<(report: InvocationReport) => void>();
  readonly #retiring = new Set<Promise<void>>();
  readonly #warnedRuntimes = new Set<string>();
  #config: ServiceConfig;
  #slots = new Map<string, Slot>();
  #closed = false;

  private constructor(o: {
    config: ServiceConfig;
    endpoint: string;
    clock: Clock;
    sink: LogSink;
    limiter: ConcurrencyLimiter;
    root: string;
    ownsRoot: boolean;
    workerFile: string;
    initTimeoutMs: number;
    idleTimeoutMs: number;
  }) {
    this.#config = o.config;
    this.#endpoint = o.endpoint;
    this.#clock = o.clock;
    this.#sink = o.sink;
    this.#limiter = o.limiter;
    this.#root = o.root;
    this.#ownsRoot = o.ownsRoot;
    this.#workerFile = o.workerFile;
    this.#initTimeoutMs = o.initTimeoutMs;
    this.#idleTimeoutMs = o.idleTimeoutMs;
  }

  static async create(options: FunctionRuntimeOptions): Promise<FunctionRuntime> {
    const ownsRoot = options.dataDir === undefined;
    const root = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'eddy-runtime-')));
    const sink = options.logSink ?? (options.dataDir !== undefined ? fileSink({ dir: path.join(root, 'logs') }) : silentSink);
    const accountLimit = Math.min(options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY, hostConcurrencyCap());
    const runtime = new FunctionRuntime({
      config: options.config,
      endpoint: options.endpoint,
      clock: options.clock ?? systemClock,
      sink,
      limiter: new ConcurrencyLimiter(accountLimit),
      root,
      ownsRoot,
      workerFile: await workerEntryFile(),
      initTimeoutMs: options.initTimeoutMs ?? 10_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
    });
    await runtime.#install(options.config);
    if (new Date().getTimezoneOffset() !== 0) {
      sink.notice('Functions see the host time zone in Date (worker threads share it); run eddy with TZ=UTC to match Lambda.');
    }
    if (options.eager) await Promise.all([...runtime.#slots.values()].map((slot) => runtime.#deploy(slot)));
    return runtime;
  }

  /** The account limit in force (the requested one, capped by what the host can hold). */
  get accountConcurrency(): number {
    return this.#limiter.accountLimit;
  }

  functions(): FunctionConfig[] {
    return [...this.#slots.values()].map((s) => s.fn);
  }

  /** `arn:aws:lambda:<region>:000000000000:function:<name>`. */
  arnOf(fn: FunctionConfig): string {
    return `arn:aws:lambda:${this.#config.region}:${ACCOUNT_ID}:function:${fn.name}`;
  }

  /**
   * Finds a function by key, deployed name, `name:qualifier`, full or partial ARN. Throws AWS's 404
   * ResourceNotFoundException (a LambdaServiceError) when there is none. eddy only has `$LATEST`.
   */
  resolve(functionName: string, qualifier?: string): FunctionConfig {
    return this.#resolve(functionName, qualifier).slot.fn;
  }

  #resolve(functionName: string, qualifier: string | undefined): { slot: Slot; qualifier: string | undefined } {
    const byKey = qualifier === undefined ? this.#slots.get(functionName) : undefined;
    if (byKey) return { slot: byKey, qualifier: undefined };
    const region = this.#config.region;
    let name = functionName;
    let fromName: string | undefined;
    let arnRegion = region;
    const full = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::(.+))?$/.exec(functionName);
    const partial = /^(\d{12}):function:([^:]+)(?::(.+))?$/.exec(functionName);
    if (full) {
      arnRegion = full[1]!;
      name = full[3]!;
      fromName = full[4];
    } else if (partial) {
      name = partial[2]!;
      fromName = partial[3];
    } else if (functionName.includes(':')) {
      const i = functionName.indexOf(':');
      name = functionName.slice(0, i);
      fromName = functionName.slice(i + 1);
    }
    if (fromName !== undefined && qualifier !== undefined && fromName !== qualifier) {
      throw serviceError(
        'InvalidParameterValueException',
        400,
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    const q = fromName ?? qualifier;
    const slot = arnRegion === region ? (this.#slots.get(name) ?? [...this.#slots.values()].find((s) => s.fn.name === name)) : undefined;
    if (!slot || (q !== undefined && q !== '$LATEST')) {
      const arn = `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${slot?.fn.name ?? name}${q !== undefined ? `:${q}` : ''}`;
      throw serviceError('ResourceNotFoundException', 404, `Function not found: ${arn}`);
    }
    return { slot, qualifier: q };
  }

  onReport(listener: (report: InvocationReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The current bundle's size, hash and file URL; undefined until the function's code is first built. */
  codeInfo(functionKey: string): CodeInfo | undefined {
    const d = this.#slots.get(functionKey)?.ready;
    if (d?.kind !== 'pool') return undefined;
    const { bundle } = d.pool;
    return { codeSize: bundle.size, codeSha256: bundle.sha256, lastModifiedMs: d.deployedAtMs, location: pathToFileURL(bundle.bundlePath).href };
  }

  /** The files the function's current bundle was built from (empty before its first build). */
  async inputs(functionKey: string): Promise<string[]> {
    const slot = this.#slots.get(functionKey);
    if (!slot?.deployment) return [];
    const d = await slot.deployment;
    return d.kind === 'pool' ? d.pool.bundle.inputs : d.failure.inputs;
  }

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    if (this.#closed) throw new EddyError('EDDY_ERR_STOPPED');
    const resolved = this.#resolve(request.functionName, request.qualifier);
    const qualifier = resolved.qualifier;
    const requestId = request.requestId ?? randomUUID();
    const type = request.invocationType ?? 'RequestResponse';
    if (type === 'DryRun') {
      return { statusCode: 204, payload: new Uint8Array(0), functionError: undefined, logResult: undefined, executedVersion: '$LATEST', requestId };
    }
    if (type === 'Event') {
      // Async invocations are queued by the Invoke API (runtime/lambda/async), which calls back with RequestResponse.
      throw serviceError('InvalidParameterValueException', 400, 'The function runtime only runs RequestResponse and DryRun invocations.');
    }
    if (payloadByteLength(request.payload) > SYNC_PAYLOAD_LIMIT) throw requestTooLarge();
    const payload = payloadText(request.payload);
    if (payload !== '' && !request.jsonByEddy) {
      try {
        JSON.parse(payload);
      } catch (err) {
        throw serviceError(
          'InvalidRequestContentException',
          400,
          `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`,
        );
      }
    }
    const clientContext = parseClientContext(request.clientContext);
    let release: Release;
    let slot = resolved.slot;
    if (request.waitForCapacity) {
      release = await this.#limiter.acquire(slot.fn.key);
      // A reload may have swapped the function's code while this invocation waited.
      slot = this.#slots.get(slot.fn.key) ?? slot;
    } else {
      const got = this.#limiter.tryAcquire(slot.fn.key);
      if (typeof got !== 'function') throw got;
      release = got;
    }
    try {
      const deployment = slot.ready ?? (await this.#deploy(slot));
      const fn = deployment.kind === 'pool' ? deployment.pool.fn : slot.fn;
      const invokedFunctionArn = this.arnOf(fn) + (qualifier !== undefined ? `:${qualifier}` : '');
      return await this.#run(fn, deployment, {
        requestId,
        payload,
        invokedFunctionArn,
        clientContext,
        tail: request.logType === 'Tail',
        source: request.source ?? 'api',
      });
    } finally {
      release();
    }
  }

  async #run(
    fn: FunctionConfig,
    deployment: Deployment,
    req: { requestId: string; payload: string; invokedFunctionArn: string; clientContext: unknown; tail: boolean; source: string },
  ): Promise<InvokeResult> {
    const { requestId } = req;
    const startedAtMs = this.#clock.now();
    const out = new InvocationWriter(this.#sink, fn, this.#config.region, requestId, req.tail);
    let result: RunResult;
    if (deployment.kind === 'failed') {
      const error = deployment.failure.error;
      // Each invocation is another INIT attempt, in a new environment (so a new log stream), as on Lambda.
      out.initStart(newLogStreamName());
      out.write(out.lines.initError(error, initErrorLabel(runtimeMajor(fn.runtime) ?? 20)));
      result = {
        payload: undefined,
        error,
        durationMs: 0,
        maxMemoryUsedMb: 0,
        initDurationMs: undefined,
        platform: { status: 'error', errorType: error.errorType },
        initFailure: { status: 'error', errorType: error.errorType, durationMs: 0 },
        platformLines: [],
      };
    } else {
      result = await deployment.pool.run(
        { requestId, payload: req.payload, invokedFunctionArn: req.invokedFunctionArn, clientContext: req.clientContext, identity: undefined },
        out,
      );
    }
    const lines = out.lines;
    if (result.initFailure) out.write(lines.initReport(result.initFailure.durationMs, result.initFailure.status, result.initFailure.errorType));
    out.start();
    for (const line of result.platformLines) out.write(line);
    let payload = result.payload;
    let error = result.error;
    if (payload !== undefined && Buffer.byteLength(payload) > RESPONSE_LIMIT) {
      payload = undefined;
      error = {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size exceeded maximum allowed payload size (${RESPONSE_LIMIT} bytes).`,
      };
    }
    const billedDurationMs = billedDuration(result.durationMs, result.initDurationMs);
    out.platform(lines.end(requestId, result.platform));
    out.platform(
      lines.report({
        requestId,
        durationMs: result.durationMs,
        billedDurationMs,
        memorySizeMb: fn.memorySize,
        maxMemoryUsedMb: result.maxMemoryUsedMb,
        initDurationMs: result.initDurationMs,
        status: result.platform,
      }),
    );
    this.#emit({
      functionKey: fn.key,
      functionName: fn.name,
      requestId,
      source: req.source,
      startedAtMs,
      durationMs: result.durationMs,
      billedDurationMs,
      initDurationMs: result.initDurationMs,
      memorySizeMb: fn.memorySize,
      maxMemoryUsedMb: result.maxMemoryUsedMb,
      architecture: fn.architecture,
      errorType: error?.errorType,
    });
    return {
      statusCode: 200,
      payload: Buffer.from(error ? JSON.stringify(error) : (payload ?? 'null'), 'utf8'),
      functionError: error ? 'Unhandled' : undefined,
      logResult: out.tail(),
      executedVersion: '$LATEST',
      requestId,
    };
  }

  #emit(report: InvocationReport): void {
    for (const listener of this.#listeners) {
      try {
        listener(report);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  /** The function's deployment, building it on first use. */
  #deploy(slot: Slot): Promise<Deployment> {
    slot.deployment ??= this.#build(slot).then(
      (d) => {
        if (slot.deployment === pending) slot.ready = d;
        return d;
      },
      (err: unknown) => {
        if (slot.deployment === pending) slot.deployment = undefined;
        throw err;
      },
    );
    const pending = slot.deployment;
    return pending;
  }

  async #build(slot: Slot): Promise<Deployment> {
    const built = await slot.bundler.build();
    if (!built.ok) {
      this.#sink.notice(`${slot.fn.key}: ${built.buildError?.message ?? built.error.errorMessage}`);
      return { kind: 'failed', failure: built };
    }
    return this.#start(slot, built);
  }

  async #start(slot: Slot, built: BuiltBundle): Promise<Deployment> {
    await mkdir(slot.tmpDir, { recursive: true });
    const pool = new EnvironmentPool({
      fn: slot.fn,
      bundle: built,
      env: functionEnvironment({ fn: slot.fn, region: this.#config.region, serviceDir: this.#config.dir, endpoint: this.#endpoint, tmpDir: slot.tmpDir }),
      workerFile: this.#workerFile,
      maxThreads: this.#limiter.capOf(slot.fn.key),
      initTimeoutMs: this.#initTimeoutMs,
      idleTimeoutMs: this.#idleTimeoutMs,
      orphanLine: (line) => this.#sink.write({ key: slot.fn.key, name: slot.fn.name }, line),
    });
    return { kind: 'pool', pool, deployedAtMs: this.#clock.now() };
  }

  #newSlot(fn: FunctionConfig, config: ServiceConfig): Slot {
    const safe = fn.key.replace(/[^A-Za-z0-9_.-]/g, '_');
    return {
      fn,
      bundler: new FunctionBundler({ fn, serviceDir: config.dir, esbuildOptions: config.esbuild, outRoot: path.join(this.#root, 'build') }),
      deployment: undefined,
      ready: undefined,
      tmpDir: path.join(this.#root, 'tmp', safe),
    };
  }

  async #install(config: ServiceConfig): Promise<void> {
    for (const fn of Object.values(config.functions)) {
      this.#slots.set(fn.key, this.#newSlot(fn, config));
      this.#warnRuntime(fn);
    }
    this.#limiter.configure(new Map(Object.values(config.functions).map((fn) => [fn.key, fn.reservedConcurrency])));
  }

  #warnRuntime(fn: FunctionConfig): void {
    const major = runtimeMajor(fn.runtime);
    const host = Number(process.versions.node.split('.')[0]);
    if (major === undefined || major === host || this.#warnedRuntimes.has(fn.runtime)) return;
    this.#warnedRuntimes.add(fn.runtime);
    this.#sink.notice(`Functions declare ${fn.runtime} but eddy runs them on Node ${process.versions.node}.`);
  }

  /**
   * Rebuilds one function from its files (hot reload); `changed` is false when the new bundle is the one
   * already serving. On a build error the old code keeps serving and this rejects with EDDY_ERR_BUILD_FAILED.
   */
  async rebuild(functionKey: string): Promise<{ inputs: string[]; changed: boolean }> {
    const slot = this.#slots.get(functionKey);
    if (!slot) throw new EddyError('EDDY_ERR_FUNCTION_NOT_FOUND', `No function has the key ${functionKey}.`);
    return this.#replace(slot, slot);
  }

  /** Swaps `next` in for `prev` once next's code is built; keeps prev serving when it cannot be. */
  async #replace(prev: Slot, next: Slot): Promise<{ inputs: string[]; changed: boolean }> {
    const old = prev.deployment ? await prev.deployment.catch(() => undefined) : undefined;
    const built = await next.bundler.build();
    if (!built.ok) {
      const error = built.buildError ?? new EddyError('EDDY_ERR_BUILD_FAILED', `${next.fn.handler}: ${built.error.errorMessage}`);
      this.#sink.notice(`${next.fn.key}: ${error.message}`);
      if (old?.kind !== 'pool') {
        const failed: Deployment = { kind: 'failed', failure: built };
        next.deployment = Promise.resolve(failed);
        next.ready = failed;
      }
      throw error;
    }
    if (old?.kind === 'pool' && prev === next && old.pool.bundle.hash === built.hash) return { inputs: built.inputs, changed: false };
    const fresh = await this.#start(next, built);
    next.deployment = Promise.resolve(fresh);
    next.ready = fresh;
    this.#slots.set(next.fn.key, next);
    if (prev !== next) await prev.bundler.dispose();
    if (old?.kind === 'pool') this.#retire(old.pool);
    return { inputs: fresh.kind === 'pool' ? fresh.pool.bundle.inputs : built.inputs, changed: true };
  }

  #retire(pool: EnvironmentPool): void {
    const closing = pool.close().catch(() => {});
    this.#retiring.add(closing);
    void closing.finally(() => this.#retiring.delete(closing));
  }

  /** Applies a new configuration: changed functions are rebuilt and swapped, removed ones stopped. */
  async reload(config: ServiceConfig): Promise<ReloadResult> {
    const prevConfig = this.#config;
    this.#config = config;
    const serviceChanged =
      prevConfig.dir !== config.dir || prevConfig.region !== config.region || JSON.stringify(prevConfig.esbuild) !== JSON.stringify(config.esbuild);
    const failures: ReloadResult['failures'] = [];
    const work: Promise<void>[] = [];
    for (const [key, slot] of this.#slots) {
      if (config.functions[key]) continue;
      this.#slots.delete(key);
      void slot.bundler.dispose();
      if (slot.deployment) void slot.deployment.then((d) => d.kind === 'pool' && this.#retire(d.pool), () => {});
    }
    this.#limiter.configure(new Map(Object.values(config.functions).map((fn) => [fn.key, fn.reservedConcurrency])));
    for (const fn of Object.values(config.functions)) {
      const prev = this.#slots.get(fn.key);
      this.#warnRuntime(fn);
      if (prev && !serviceChanged && JSON.stringify(prev.fn) === JSON.stringify(fn)) continue;
      const next = this.#newSlot(fn, config);
      if (!prev || !prev.deployment) {
        this.#slots.set(fn.key, next);
        if (prev) void prev.bundler.dispose();
        continue;
      }
      work.push(
        this.#replace(prev, next).then(
          () => {},
          (err: unknown) => {
            void next.bundler.dispose();
            failures.push({ functionKey: fn.key, error: err instanceof EddyError ? err : new EddyError('EDDY_ERR_BUILD_FAILED', String(err)) });
          },
        ),
      );
    }
    await Promise.all(work);
    return { failures };
  }

  /** Stops every environment (in-flight invocations fail with EDDY_ERR_STOPPED) and flushes the logs. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#limiter.close(new EddyError('EDDY_ERR_STOPPED'));
    const slots = [...this.#slots.values()];
    await Promise.all(
      slots.map(async (slot) => {
        const d = slot.deployment ? await slot.deployment.catch(() => undefined) : undefined;
        if (d?.kind === 'pool') await d.pool.destroy();
        await slot.bundler.dispose();
      }),
    );
    await Promise.all(this.#retiring);
    await this.#sink.close();
    if (this.#ownsRoot) await rm(this.#root, { recursive: true, force: true });
  }
}

const TEXT_LINES = new PlatformLines('Text');
const JSON_LINES = new PlatformLines('JSON');

/** One invocation's log: to the sink, and kept for Tail; INIT_START, INIT's own lines, then START. */
class InvocationWriter {
  readonly lines: PlatformLines;
  readonly #sink: LogSink;
  readonly #fn: FunctionConfig;
  readonly #region: string;
  readonly #ref: { key: string; name: string };
  readonly #requestId: string;
  readonly #tail: InvocationLog | undefined;
  #started = false;
  #initializing = false;
  /** JSON format with systemLogLevel WARN or above: the INFO platform events (initStart, start, end, report) are dropped. */
  readonly #quiet: boolean;

  constructor(sink: LogSink, fn: FunctionConfig, region: string, requestId: string, tail: boolean) {
    this.lines = fn.logFormat === 'JSON' ? JSON_LINES : TEXT_LINES;
    this.#quiet = fn.logFormat === 'JSON' && ['WARN', 'ERROR', 'FATAL'].includes(fn.systemLogLevel?.toUpperCase() ?? '');
    this.#sink = sink;
    this.#fn = fn;
    this.#region = region;
    this.#ref = { key: fn.key, name: fn.name };
    this.#requestId = requestId;
    this.#tail = tail ? new InvocationLog() : undefined;
  }

  write(line: string): void {
    this.#sink.write(this.#ref, line);
    this.#tail?.push(line);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (!this.#quiet) this.write(this.lines.start(this.#requestId));
  }

  /** An INFO-level platform event (INIT_START, END, REPORT). */
  platform(line: string): void {
    if (!this.#quiet) this.write(line);
  }

  tail(): string | undefined {
    return this.#tail?.tail();
  }

  // RunHooks
  initStart(logStreamName: string): void {
    this.#initializing = true;
    const fn = this.#fn;
    this.platform(
      this.lines.initStart({
        ...runtimeVersionOf(fn.runtime, this.#region),
        functionName: fn.name,
        instanceId: instanceIdOf(logStreamName, fn.name),
        memorySizeMb: fn.memorySize,
      }),
    );
  }

  initDone(): void {
    this.#initializing = false;
    this.start();
  }

  line(line: string): void {
    if (!this.#initializing) this.start();
    this.write(line);
  }
}

function parseClientContext(value: string | undefined): unknown {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    throw serviceError('InvalidRequestContentException', 400, 'Client context must be a valid Base64-encoded JSON object.');
  }
}

