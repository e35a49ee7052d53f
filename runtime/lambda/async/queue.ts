// The durable queue behind `Event` invocations: each event is saved in the data dir (document kind
// `async-invocations`) before the 202, run with waitForCapacity, retried on function errors up to the
// function's maximumRetryAttempts, discarded once older than maximumEventAge, and its outcome sent to the
// onSuccess / onFailure destination as AWS's invocation record.
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { FunctionConfig } from '../../config/types.ts';
import type { LogRoot } from '../../log/types.ts';
import { functionArn } from '../api/errors.ts';
import type { FunctionHost } from '../invoker.ts';
import type { InvokeResult, LambdaServiceError } from '../types.ts';
import { destinationService, type Outbox } from './outbox.ts';

export const QUEUE_KIND = 'async-invocations';

/**
 * AWS waits about 1 minute before the first retry and 2 minutes before the second. Locally the default
 * is 1 s then 2 s so a failing function shows its retries while you watch; pass AWS_RETRY_DELAYS_MS for
 * AWS's timing. The last value repeats for further retries.
 */
export const LOCAL_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000];
export const AWS_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];

/** Throttles and service errors are retried (without counting as attempts) with backoff 1 s … 5 min, as AWS. */
const THROTTLE_BACKOFF_MIN_MS = 1_000;
const THROTTLE_BACKOFF_MAX_MS = 300_000;

export type DestinationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** The invocation record AWS sends to a destination. */
export interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DestinationCondition;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

/** One queued event as stored in the data dir. */
interface QueuedEvent {
  requestId: string;
  functionKey: string;
  /** Deployed name at enqueue time (for the record's functionArn if the function has since gone). */
  functionName: string;
  /** The event as JSON text ('' = `{}`). */
  payload: string;
  enqueuedAtMs: number;
  /** Function invocations made so far. */
  attempts: number;
  /** Throttle / service-error retries so far (do not count as attempts). */
  throttles: number;
  nextAttemptAtMs: number;
  /** The last failed attempt's answer. */
  last?: { functionError: string; payload: string; executedVersion: string };
}

export type AsyncQueueEvent =
  | { type: 'enqueued'; requestId: string; functionKey: string }
  | { type: 'attempt'; requestId: string; functionKey: string; attempt: number }
  | { type: 'succeeded'; requestId: string; functionKey: string; attempts: number }
  | { type: 'retryScheduled'; requestId: string; functionKey: string; attempt: number; atMs: number; reason: 'functionError' | 'throttled' }
  | { type: 'discarded'; requestId: string; functionKey: string; condition: 'RetriesExhausted' | 'EventAgeExceeded'; attempts: number }
  | { type: 'dropped'; requestId: string; functionKey: string; reason: string }
  | { type: 'delivered'; requestId: string; destination: string; condition: DestinationCondition; via: 'function' | 'outbox' };

export interface AsyncQueueOptions {
  root: LogRoot;
  clock: Clock;
  host: FunctionHost;
  outbox: Outbox;
  region: string;
  accountId: string;
  /** Delay before retry n (1-based) is `retryDelaysMs[n-1]` (last value repeats). Default LOCAL_RETRY_DELAYS_MS. */
  retryDelaysMs?: readonly number[];
  /** Events being invoked at once (more wait in the queue). Default 256. */
  maxInFlight?: number;
}

const textDecoder = new TextDecoder('utf-8');

function parseJsonOr(text: string, fallback: unknown): unknown {
  if (text === '') return fallback;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class AsyncQueue {
  readonly #root: LogRoot;
  readonly #clock: Clock;
  readonly #host: FunctionHost;
  readonly #outbox: Outbox;
  readonly #region: string;
  readonly #accountId: string;
  readonly #retryDelaysMs: readonly number[];
  readonly #maxInFlight: number;
  readonly #events = new Map<string, QueuedEvent>();
  readonly #timers = new Map<string, () => void>();
  /** Due events by function, each in FIFO order. */
  readonly #ready = new Map<string, string[]>();
  readonly #writes = new Map<string, Promise<void>>();
  readonly #listeners = new Set<(event: AsyncQueueEvent) => void>();
  /** Events being invoked, in all and per function (a function never holds more than its reserved concurrency). */
  #inFlight = 0;
  readonly #fnInFlight = new Map<string, number>();
  readonly #fnCap = new Map<string, number>();
  #closed = false;

  private constructor(options: AsyncQueueOptions) {
    this.#root = options.root;
    this.#clock = options.clock;
    this.#host = options.host;
    this.#outbox = options.outbox;
    this.#region = options.region;
    this.#accountId = options.accountId;
    this.#retryDelaysMs = options.retryDelaysMs ?? LOCAL_RETRY_DELAYS_MS;
    this.#maxInFlight = options.maxInFlight ?? 256;
  }

  /** Opens the queue and resumes every event left in the data dir by an earlier run. */
  static async open(options: AsyncQueueOptions): Promise<AsyncQueue> {
    const queue = new AsyncQueue(options);
    const docs = await options.root.loadDocuments(QUEUE_KIND);
    const pending = ([...docs.values()] as QueuedEvent[]).sort((a, b) => a.enqueuedAtMs - b.enqueuedAtMs);
    for (const event of pending) {
      queue.#events.set(event.requestId, event);
      queue.#schedule(event);
    }
    return queue;
  }

  /** Events waiting or running. */
  get size(): number {
    return this.#events.size;
  }

  onEvent(listener: (event: AsyncQueueEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Saves the event durably and schedules its first attempt; resolves with its request id. */
  async enqueue(config: FunctionConfig, payload: Uint8Array, requestId: string = randomUUID()): Promise<string> {
    if (this.#closed) throw { name: 'ServiceException', statusCode: 500, message: 'The emulator is stopping.' } satisfies LambdaServiceError;
    const now = this.#clock.now();
    const event: QueuedEvent = {
      requestId,
      functionKey: config.key,
      functionName: config.name,
      payload: textDecoder.decode(payload),
      enqueuedAtMs: now,
      attempts: 0,
      throttles: 0,
      nextAttemptAtMs: now,
    };
    this.#events.set(requestId, event);
    this.#noteCap(config);
    try {
      await this.#save(event);
    } catch (err) {
      this.#events.delete(requestId);
      throw err;
    }
    this.#emit({ type: 'enqueued', requestId, functionKey: config.key });
    this.#schedule(event);
    return requestId;
  }

  /** Stops scheduling; waits for pending writes. Events not finished stay in the data dir for the next run. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    this.#ready.clear();
    await Promise.all([...this.#writes.values()]);
  }

  #emit(event: AsyncQueueEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a listener's fault is not the queue's
      }
    }
  }

  /** Writes for one event are chained, so a save never lands after its delete. */
  #write(id: string, op: () => Promise<void>): Promise<void> {
    const prev = this.#writes.get(id) ?? Promise.resolve();
    const next = prev.then(op, op);
    this.#writes.set(id, next);
    void next.finally(() => {
      if (this.#writes.get(id) === next) this.#writes.delete(id);
    });
    return next;
  }

  #save(event: QueuedEvent): Promise<void> {
    const snapshot = { ...event };
    return this.#write(event.requestId, () => this.#root.saveDocument(QUEUE_KIND, event.requestId, snapshot));
  }

  #forget(event: QueuedEvent): Promise<void> {
    this.#events.delete(event.requestId);
    return this.#write(event.requestId, () => this.#root.deleteDocument(QUEUE_KIND, event.requestId));
  }

  #schedule(event: QueuedEvent): void {
    if (this.#closed) return;
    const delay = event.nextAttemptAtMs - this.#clock.now();
    if (delay <= 0) {
      // Due now: not through the clock, so a virtual clock need not be advanced for first attempts.
      this.#makeReady(event);
      queueMicrotask(() => this.#drain());
      return;
    }
    const cancel = this.#clock.setTimer(() => {
      this.#timers.delete(event.requestId);
      this.#makeReady(event);
      this.#drain();
    }, delay);
    this.#timers.set(event.requestId, cancel);
  }

  #makeReady(event: QueuedEvent): void {
    let q = this.#ready.get(event.functionKey);
    if (!q) this.#ready.set(event.functionKey, (q = []));
    q.push(event.requestId);
  }

  /**
   * Starts due events while there is room, round-robin over functions, never more of one function at
   * once than its reserved concurrency, so one throttled function cannot hold every slot.
   */
  #drain(): void {
    let progressed = true;
    while (progressed && !this.#closed && this.#inFlight < this.#maxInFlight) {
      progressed = false;
      for (const [key, q] of this.#ready) {
        if (this.#inFlight >= this.#maxInFlight) break;
        while (q.length > 0 && !this.#events.has(q[0]!)) q.shift();
        if (q.length === 0) {
          this.#ready.delete(key);
          continue;
        }
        const running = this.#fnInFlight.get(key) ?? 0;
        if (running >= (this.#fnCap.get(key) ?? Infinity)) continue;
        const event = this.#events.get(q.shift()!)!;
        if (q.length === 0) this.#ready.delete(key);
        progressed = true;
        this.#inFlight++;
        this.#fnInFlight.set(key, running + 1);
        void this.#attempt(event)
          .catch(() => {})
          .finally(() => {
            this.#inFlight--;
            this.#fnInFlight.set(key, (this.#fnInFlight.get(key) ?? 1) - 1);
            this.#drain();
          });
      }
    }
  }

  #noteCap(config: FunctionConfig): void {
    // Reserved 0 still gets one slot: the attempt sees it and backs off as a throttle (AWS keeps retrying
    // throttled events until maximumEventAge).
    if (config.reservedConcurrency === undefined) this.#fnCap.delete(config.key);
    else this.#fnCap.set(config.key, Math.max(1, config.reservedConcurrency));
  }

  async #throttled(event: QueuedEvent): Promise<void> {
    event.throttles++;
    const backoff = Math.min(THROTTLE_BACKOFF_MAX_MS, THROTTLE_BACKOFF_MIN_MS * 2 ** (event.throttles - 1));
    event.nextAttemptAtMs = this.#clock.now() + backoff;
    await this.#save(event);
    this.#emit({ type: 'retryScheduled', requestId: event.requestId, functionKey: event.functionKey, attempt: event.attempts + 1, atMs: event.nextAttemptAtMs, reason: 'throttled' });
    this.#schedule(event);
  }

  async #attempt(event: QueuedEvent): Promise<void> {
    let config: FunctionConfig;
    try {
      config = await this.#host.resolve(event.functionKey);
    } catch {
      if (this.#closed) return;
      this.#emit({ type: 'dropped', requestId: event.requestId, functionKey: event.functionKey, reason: 'function not found' });
      await this.#forget(event);
      return;
    }
    if (this.#closed) return;
    this.#noteCap(config);
    if (this.#clock.now() - event.enqueuedAtMs >= config.maximumEventAge * 1000) {
      await this.#discard(event, config, 'EventAgeExceeded');
      return;
    }
    if (config.reservedConcurrency === 0) {
      await this.#throttled(event);
      return;
    }

    event.attempts++;
    this.#emit({ type: 'attempt', requestId: event.requestId, functionKey: event.functionKey, attempt: event.attempts });
    let result: InvokeResult;
    try {
      result = await this.#host.invoke({
        functionName: config.key,
        payload: Buffer.from(event.payload, 'utf8'),
        invocationType: 'RequestResponse',
        waitForCapacity: true,
        source: 'async',
        requestId: event.requestId,
      });
    } catch (err) {
      if (this.#closed) return;
      event.attempts--; // a throttle or service error is not an invocation of the function
      const status = (err as LambdaServiceError | undefined)?.statusCode;
      if (status === 404) {
        this.#emit({ type: 'dropped', requestId: event.requestId, functionKey: event.functionKey, reason: 'function not found' });
        await this.#forget(event);
        return;
      }
      await this.#throttled(event);
      return;
    }
    if (this.#closed) return;

    const payloadText = textDecoder.decode(result.payload);
    if (result.functionError === undefined) {
      this.#emit({ type: 'succeeded', requestId: event.requestId, functionKey: event.functionKey, attempts: event.attempts });
      if (config.destinations.onSuccess) {
        await this.#deliver(config.destinations.onSuccess, this.#record(event, config, 'Success', {
          responseContext: { statusCode: 200, executedVersion: result.executedVersion },
          responsePayload: parseJsonOr(payloadText, null),
        }));
      }
      await this.#forget(event);
      return;
    }

    event.last = { functionError: result.functionError, payload: payloadText, executedVersion: result.executedVersion };
    if (event.attempts > config.maximumRetryAttempts) {
      await this.#discard(event, config, 'RetriesExhausted');
      return;
    }
    const delays = this.#retryDelaysMs;
    const delay = delays.length === 0 ? 0 : delays[Math.min(event.attempts, delays.length) - 1]!;
    event.nextAttemptAtMs = this.#clock.now() + delay;
    await this.#save(event);
    this.#emit({ type: 'retryScheduled', requestId: event.requestId, functionKey: event.functionKey, attempt: event.attempts + 1, atMs: event.nextAttemptAtMs, reason: 'functionError' });
    this.#schedule(event);
  }

  async #discard(event: QueuedEvent, config: FunctionConfig, condition: 'RetriesExhausted' | 'EventAgeExceeded'): Promise<void> {
    this.#emit({ type: 'discarded', requestId: event.requestId, functionKey: event.functionKey, condition, attempts: event.attempts });
    if (config.destinations.onFailure) {
      const response = event.last
        ? {
            responseContext: { statusCode: 200, executedVersion: event.last.executedVersion, functionError: event.last.functionError },
            responsePayload: parseJsonOr(event.last.payload, null),
          }
        : {};
      await this.#deliver(config.destinations.onFailure, this.#record(event, config, condition, response));
    }
    await this.#forget(event);
  }

  #record(
    event: QueuedEvent,
    config: FunctionConfig,
    condition: DestinationCondition,
    response: Pick<InvocationRecord, 'responseContext' | 'responsePayload'>,
  ): InvocationRecord {
    return {
      version: '1.0',
      timestamp: new Date(this.#clock.now()).toISOString(),
      requestContext: {
        requestId: event.requestId,
        functionArn: functionArn(this.#region, this.#accountId, config.name, '$LATEST'),
        condition,
        approximateInvokeCount: event.attempts,
      },
      requestPayload: parseJsonOr(event.payload, {}),
      ...response,
    };
  }

  /**
   * A function destination (ARN, or a plain name as Serverless allows) gets the record as an async
   * invocation of its own; anything else, or a function not deployed here, goes to the outbox.
   */
  async #deliver(destination: string, record: InvocationRecord): Promise<void> {
    const service = destination.startsWith('arn:') ? destinationService(destination) : 'lambda';
    if (service === 'lambda') {
      const name = destination.startsWith('arn:') ? destination.split(':')[6] ?? '' : destination;
      let target: FunctionConfig | undefined;
      try {
        target = await this.#host.resolve(name);
      } catch {
        target = undefined;
      }
      if (target) {
        await this.enqueue(target, Buffer.from(JSON.stringify(record)));
        this.#emit({ type: 'delivered', requestId: record.requestContext.requestId, destination, condition: record.requestContext.condition, via: 'function' });
        return;
      }
    }
    await this.#outbox.appendToOutbox(destination, record);
    this.#emit({ type: 'delivered', requestId: record.requestContext.requestId, destination, condition: record.requestContext.condition, via: 'outbox' });
  }
}
