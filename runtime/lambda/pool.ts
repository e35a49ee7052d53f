// The execution environments of one function (one bundle): a piscina pool whose every worker thread is
// one environment (spawned from runtime/lambda/worker/main.ts, see messages.ts for the protocol).
// One invocation at a time per worker; a worker past its timeout is aborted, which makes piscina
// terminate it, so it is never handed out again. Whatever the worker does, run() answers in AWS's shape.
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import type { FunctionConfig } from '../config/types.ts';
import { EddyError } from '../errors.ts';
import type { BuiltBundle } from './bundle.ts';
import { runtimeMajor } from './bundle.ts';
import { isWorkerEvent, type EnvironmentSetup, type ErrorPayload, type InvokeOutcome, type InvokeTask, type WorkerEvent } from './messages.ts';

export interface PoolOptions {
  fn: FunctionConfig;
  bundle: BuiltBundle;
  env: Record<string, string>;
  /** The bundled worker entry (worker-entry.ts). */
  workerFile: string;
  maxThreads: number;
  initTimeoutMs: number;
  /** How long an idle environment stays warm. */
  idleTimeoutMs: number;
  /** Log lines of no current invocation (written by a dying worker after its answer, say). */
  orphanLine: (line: string) => void;
}

/** What the pool tells the caller while an invocation runs, in order. */
export interface RunHooks {
  /** INIT begins in the environment whose log stream is `logStreamName` (before any of INIT's lines). */
  initStart(logStreamName: string): void;
  initDone(initDurationMs: number): void;
  line(line: string): void;
}

export interface RunResult {
  /** The handler's JSON result, or undefined when it failed. */
  payload: string | undefined;
  error: ErrorPayload | undefined;
  durationMs: number;
  maxMemoryUsedMb: number;
  initDurationMs: number | undefined;
  /** Set when the environment failed (timeout, crash, out of memory): REPORT shows `Status:`. */
  platform: { status: 'timeout' | 'error'; errorType: string | undefined } | undefined;
  /** Set when INIT failed or timed out: logged as INIT_REPORT. */
  initFailure: { status: 'timeout' | 'error'; errorType: string | undefined; durationMs: number } | undefined;
  /** Lines the platform logs for this failure (the timeout line, `Runtime exited ...`). */
  platformLines: readonly string[];
}

/**
 * A one-shot abort signal in the EventEmitter shape piscina accepts: far cheaper per invocation than an
 * AbortController (an EventTarget), and aborting the running task makes piscina terminate its worker.
 */
class TaskAbort {
  aborted = false;
  #listener: (() => void) | undefined;
  once(_name: 'abort', listener: () => void): void {
    this.#listener = listener;
  }
  off(_name: 'abort', listener: () => void): void {
    if (this.#listener === listener) this.#listener = undefined;
  }
  removeListener(name: 'abort', listener: () => void): void {
    this.off(name, listener);
  }
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}

/** The host's state of one running invocation: its timer, abort signal and the events seen so far. */
class Active {
  readonly hooks: RunHooks;
  readonly abort = new TaskAbort();
  received = 0;
  /** Resolves the wait for the last log lines once `received` reaches `expected`. */
  expected = 0;
  drained: (() => void) | undefined;
  initStartedAt: number | undefined;
  initDurationMs: number | undefined;
  fatal: Extract<WorkerEvent, { type: 'fatal' }> | undefined;
  timedOut: 'invoke' | 'init' | undefined;
  invokeStartedAt = performance.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(hooks: RunHooks) {
    this.hooks = hooks;
  }

  /** (Re)starts the deadline of the current phase; past it the task is aborted and its worker terminated. */
  arm(ms: number, phase: 'invoke' | 'init'): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(Active.#expire, ms, this, phase);
  }

  disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  static #expire(this: void, active: Active, phase: 'invoke' | 'init'): void {
    active.timedOut = phase;
    active.abort.abort();
  }
}

const NO_LINES: readonly string[] = [];

export class EnvironmentPool {
  readonly fn: FunctionConfig;
  readonly bundle: BuiltBundle;
  readonly #piscina: Piscina<InvokeTask, InvokeOutcome>;
  readonly #active = new Map<string, Active>();
  readonly #initTimeoutMs: number;
  readonly #timeoutMs: number;
  /** The highest Max Memory Used any environment of this pool reported: what a REPORT shows when one dies without saying. */
  #peakMemoryMb = 0;
  #closing = false;
  /** Resolves a close() waiting for the last in-flight invocation. */
  #idle: (() => void) | undefined;

  constructor(options: PoolOptions) {
    this.fn = options.fn;
    this.bundle = options.bundle;
    this.#initTimeoutMs = options.initTimeoutMs;
    this.#timeoutMs = options.fn.timeout * 1000;
    const setup: EnvironmentSetup = {
      handler: options.fn.handler,
      exportPath: options.bundle.exportPath,
      bundlePath: options.bundle.bundlePath,
      runtimeMajor: runtimeMajor(options.fn.runtime) ?? 20,
      timeoutMs: options.fn.timeout * 1000,
      logFormat: options.fn.logFormat,
    };
    this.#piscina = new Piscina<InvokeTask, InvokeOutcome>({
      filename: options.workerFile,
      name: 'default',
      minThreads: 0,
      maxThreads: Math.max(1, options.maxThreads),
      concurrentTasksPerWorker: 1,
      // eddy reads none of piscina's run/wait-time histograms: not recording them saves a few clock reads
      // and native calls on both sides of every invocation.
      recordTiming: false,
      idleTimeout: options.idleTimeoutMs,
      env: options.env,
      // Workers must not inherit the host's loaders (tsx, vitest): they run plain bundled JavaScript.
      execArgv: [],
      workerData: setup,
      resourceLimits: {
        // memorySize bounds the environment's JavaScript heap, as it bounds the whole sandbox on AWS.
        maxOldGenerationSizeMb: options.fn.memorySize,
        maxYoungGenerationSizeMb: Math.min(64, Math.max(8, Math.floor(options.fn.memorySize / 16))),
      },
    });
    this.#piscina.on('message', (msg: unknown) => {
      if (!isWorkerEvent(msg)) return;
      const active = this.#active.get(msg.requestId);
      if (!active) {
        if (msg.type === 'log') options.orphanLine(msg.line);
        return;
      }
      this.#onEvent(active, msg);
    });
    // A worker that dies between tasks has nobody to answer; piscina reports it here.
    this.#piscina.on('error', () => {});
  }

  /** Environments alive now (warm or busy). */
  get threads(): number {
    return this.#piscina.threads.length;
  }

  #onEvent(active: Active, event: WorkerEvent): void {
    switch (event.type) {
      case 'log':
        active.hooks.line(event.line);
        active.received++;
        if (active.drained && active.received >= active.expected) active.drained();
        return;
      case 'initStart':
        active.initStartedAt = performance.now();
        active.hooks.initStart(event.logStreamName);
        // INIT has its own limit; the function's timeout starts once INIT is done.
        active.arm(this.#initTimeoutMs, 'init');
        return;
      case 'initDone':
        active.initDurationMs = event.initDurationMs;
        active.hooks.initDone(event.initDurationMs);
        active.invokeStartedAt = performance.now();
        active.arm(this.#timeoutMs, 'invoke');
        return;
      case 'fatal':
        active.fatal = event;
        return;
    }
  }

  /** Runs one invocation on a free environment (the caller has already taken a concurrency slot). */
  async run(task: InvokeTask, hooks: RunHooks): Promise<RunResult> {
    const active = new Active(hooks);
    this.#active.set(task.requestId, active);
    try {
      // piscina posts the task at once when an environment is free: the host arms the deadline while the
      // worker is already waking up for it (events and the answer come back no earlier than the next tick).
      const answer = this.#piscina.run(task, { signal: active.abort });
      active.arm(this.#timeoutMs, 'invoke');
      const outcome = await answer;
      if (active.received < outcome.logCount) await this.#drain(active, outcome.logCount);
      if (outcome.maxMemoryUsedMb > this.#peakMemoryMb) this.#peakMemoryMb = outcome.maxMemoryUsedMb;
      return {
        payload: outcome.kind === 'success' ? outcome.payload : undefined,
        error: outcome.kind === 'error' ? outcome.error : undefined,
        durationMs: outcome.durationMs,
        maxMemoryUsedMb: outcome.maxMemoryUsedMb,
        initDurationMs: outcome.initDurationMs,
        platform: undefined,
        initFailure: undefined,
        platformLines: NO_LINES,
      };
    } catch (err) {
      if (this.#closing) throw new EddyError('EDDY_ERR_STOPPED', undefined, { cause: err });
      if (active.fatal) await this.#drain(active, active.fatal.logCount);
      return this.#failure(task.requestId, active, err, active.timedOut, performance.now() - active.invokeStartedAt);
    } finally {
      active.disarm();
      this.#active.delete(task.requestId);
      if (this.#active.size === 0) this.#idle?.();
    }
  }

  /** Waits (briefly) for log lines still in flight on the other port. */
  async #drain(active: Active, expected: number): Promise<void> {
    if (active.received >= expected) return;
    active.expected = expected;
    let guard: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      active.drained = resolve;
      guard = setTimeout(resolve, 1000);
    });
    clearTimeout(guard);
  }

  #failure(
    requestId: string,
    active: Active,
    err: unknown,
    timedOut: 'invoke' | 'init' | undefined,
    elapsedMs: number,
  ): RunResult {
    const base = {
      payload: undefined,
      durationMs: elapsedMs,
      maxMemoryUsedMb: this.#peakMemoryMb,
      initDurationMs: active.initDurationMs,
      initFailure: undefined as RunResult['initFailure'],
      platformLines: [] as readonly string[],
    };
    if (timedOut !== undefined) {
      const seconds = timedOut === 'init' ? this.#initTimeoutMs / 1000 : this.fn.timeout;
      const error = { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds.toFixed(2)} seconds` };
      const platformLines = [`${new Date().toISOString()} ${requestId} Task timed out after ${seconds.toFixed(2)} seconds`];
      if (timedOut === 'init') {
        const durationMs = performance.now() - (active.initStartedAt ?? performance.now());
        return { ...base, durationMs: 0, error, platform: { status: 'timeout', errorType: undefined }, platformLines, initFailure: { status: 'timeout', errorType: undefined, durationMs } };
      }
      return { ...base, error, platform: { status: 'timeout', errorType: undefined }, platformLines };
    }
    const fatal = active.fatal;
    if (fatal) {
      // The handler's error is the answer; the environment then exits, as the RIC's process does.
      const exit = `RequestId: ${requestId} Error: Runtime exited with error: exit status ${fatal.exitCode}`;
      const result: RunResult = {
        ...base,
        durationMs: fatal.durationMs,
        maxMemoryUsedMb: fatal.maxMemoryUsedMb,
        error: fatal.error,
        platform: { status: 'error', errorType: 'Runtime.ExitError' },
        platformLines: [exit, 'Runtime.ExitError'],
      };
      if (fatal.duringInit) {
        result.initDurationMs = undefined;
        result.durationMs = 0;
        result.platform = { status: 'error', errorType: fatal.error.errorType };
        result.platformLines = [];
        result.initFailure = { status: 'error', errorType: fatal.error.errorType, durationMs: fatal.initDurationMs ?? 0 };
      }
      return result;
    }
    // The environment died without a word: during INIT, that is an INIT failure too.
    const diedInInit = active.initStartedAt !== undefined && active.initDurationMs === undefined;
    const initFailure = (errorType: string): RunResult['initFailure'] =>
      diedInInit ? { status: 'error', errorType, durationMs: performance.now() - active.initStartedAt! } : undefined;
    if (diedInInit) base.durationMs = 0;
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      const message = `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`;
      return {
        ...base,
        maxMemoryUsedMb: this.fn.memorySize,
        error: { errorType: 'Runtime.OutOfMemory', errorMessage: message },
        platform: { status: 'error', errorType: 'Runtime.OutOfMemory' },
        platformLines: [message, 'Runtime.OutOfMemory'],
        initFailure: initFailure('Runtime.OutOfMemory'),
      };
    }
    const exited = /worker exited with code: (-?\d+)/.exec(err instanceof Error ? err.message : String(err));
    const message = exited
      ? exited[1] === '0'
        ? `RequestId: ${requestId} Error: Runtime exited without providing a reason`
        : `RequestId: ${requestId} Error: Runtime exited with error: exit status ${exited[1]}`
      : `RequestId: ${requestId} Error: Runtime exited with error: ${err instanceof Error ? err.message : String(err)}`;
    return {
      ...base,
      error: { errorType: 'Runtime.ExitError', errorMessage: message },
      platform: { status: 'error', errorType: 'Runtime.ExitError' },
      platformLines: [message, 'Runtime.ExitError'],
      initFailure: initFailure('Runtime.ExitError'),
    };
  }

  /** Lets in-flight invocations finish, then ends every environment. */
  async close(): Promise<void> {
    // piscina's own graceful close can end a worker whose task it has not yet counted as running: wait for
    // every invocation this pool handed out to answer first (hot reload swaps pools under live traffic).
    while (this.#active.size > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await this.#piscina.close();
  }

  /** Ends every environment now; in-flight invocations fail with EDDY_ERR_STOPPED. */
  async destroy(): Promise<void> {
    this.#closing = true;
    await this.#piscina.destroy();
  }
}
