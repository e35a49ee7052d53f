// Concurrency accounting, as Lambda does it: a function with reservedConcurrency has that many
// environments to itself (0 throttles it); the others share what is left of the account limit.
// Synchronous invokes over the cap are throttled (429); waiting callers queue in FIFO order.
import os from 'node:os';
import type { LambdaServiceError } from './types.ts';

/**
 * What this host can hold: one environment is a worker thread with its own V8 heap (tens of MB even
 * when idle), so eddy allows one per 64 MB of the machine's memory, between 16 and 1000.
 */
export function hostConcurrencyCap(): number {
  return Math.max(16, Math.min(1000, Math.floor(os.totalmem() / (64 * 1024 * 1024))));
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Lane {
  running: number;
  waiters: Waiter[];
}

/** Gives a slot back; calling it twice is harmless. */
export type Release = () => void;

export type ThrottleReason = 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded';

export function throttled(reason: ThrottleReason): LambdaServiceError {
  return {
    name: 'TooManyRequestsException',
    statusCode: 429,
    message: 'Rate Exceeded.',
    fields: { Reason: reason },
    retryAfterSeconds: 1,
  };
}

export class ConcurrencyLimiter {
  readonly accountLimit: number;
  #reserved = new Map<string, number>();
  #reservedTotal = 0;
  /** One lane per function with reserved concurrency, and the shared lane `''` for the rest. */
  #lanes = new Map<string, Lane>();
  #closed = false;

  constructor(accountLimit: number) {
    this.accountLimit = accountLimit;
  }

  /** Sets every function's reservedConcurrency (undefined = unreserved). */
  configure(reserved: ReadonlyMap<string, number | undefined>): void {
    this.#reserved = new Map([...reserved].filter((e): e is [string, number] => e[1] !== undefined));
    this.#reservedTotal = [...this.#reserved.values()].reduce((a, b) => a + b, 0);
    for (const key of this.#lanes.keys()) this.#wake(key);
  }

  /** The most environments a function can have at once. */
  capOf(functionKey: string): number {
    const reserved = this.#reserved.get(functionKey);
    return reserved ?? Math.max(0, this.accountLimit - this.#reservedTotal);
  }

  running(functionKey: string): number {
    return this.#lanes.get(this.#laneKey(functionKey))?.running ?? 0;
  }

  /** Takes a slot now (returns its release function), or returns the throttling error. */
  tryAcquire(functionKey: string): Release | LambdaServiceError {
    const laneKey = this.#laneKey(functionKey);
    const lane = this.#lane(laneKey);
    if (lane.waiters.length === 0 && lane.running < this.#capOfLane(laneKey)) {
      lane.running++;
      return this.#releaser(laneKey);
    }
    return throttled(laneKey === '' ? 'ConcurrentInvocationLimitExceeded' : 'ReservedFunctionConcurrentInvocationLimitExceeded');
  }

  /** Takes a slot, waiting in FIFO order for one to free up. */
  acquire(functionKey: string): Promise<Release> {
    const now = this.tryAcquire(functionKey);
    if (typeof now === 'function') return Promise.resolve(now);
    if (this.#closed) return Promise.reject(new Error('closed'));
    const laneKey = this.#laneKey(functionKey);
    return new Promise<void>((resolve, reject) => this.#lane(laneKey).waiters.push({ resolve, reject })).then(() =>
      this.#releaser(laneKey),
    );
  }

  #releaser(laneKey: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const lane = this.#lane(laneKey);
      lane.running = Math.max(0, lane.running - 1);
      this.#wake(laneKey);
    };
  }

  /** Rejects every waiter (on close). */
  close(err: unknown): void {
    this.#closed = true;
    for (const lane of this.#lanes.values()) for (const w of lane.waiters.splice(0)) w.reject(err);
  }

  #laneKey(functionKey: string): string {
    return this.#reserved.has(functionKey) ? functionKey : '';
  }

  #lane(key: string): Lane {
    let lane = this.#lanes.get(key);
    if (!lane) this.#lanes.set(key, (lane = { running: 0, waiters: [] }));
    return lane;
  }

  #capOfLane(laneKey: string): number {
    return laneKey === '' ? Math.max(0, this.accountLimit - this.#reservedTotal) : (this.#reserved.get(laneKey) ?? 0);
  }

  #wake(laneKey: string): void {
    const lane = this.#lane(laneKey);
    while (lane.waiters.length > 0 && lane.running < this.#capOfLane(laneKey)) {
      lane.running++;
      lane.waiters.shift()!.resolve();
    }
  }
}
