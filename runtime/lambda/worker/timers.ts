// Inside the worker: tracks the timers an invocation creates, so the leftovers can be cleared when it
// ends (AWS freezes them with the environment; eddy clears them, so nothing of invocation N runs during
// N+1), and so callback handlers can wait for "an empty event loop" as the RIC does. Covered: the global
// and node:timers functions, node:timers/promises (setTimeout, setImmediate, setInterval, scheduler.wait
// and scheduler.yield, so util.promisify(setTimeout) too) and AbortSignal.timeout. Timers created at
// INIT are module scope: they are left alone.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { promisify } from 'node:util';

/** `promise`: a node:timers/promises timer, torn down through the invocation's AbortSignal. */
type Kind = 'timeout' | 'interval' | 'immediate' | 'promise';

const original = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
  clearImmediate: globalThis.clearImmediate,
};

const requireBuiltin = createRequire(import.meta.url);
const timersPromises = requireBuiltin('node:timers/promises') as typeof import('node:timers/promises');
const originalPromises = {
  setTimeout: timersPromises.setTimeout,
  setImmediate: timersPromises.setImmediate,
  setInterval: timersPromises.setInterval,
};
const originalSignalTimeout = AbortSignal.timeout;

/** The timers that keep the invocation's event loop busy (an unref'd promise timer does not). */
const pending = new Map<object, Kind>();
/** The timers behind the invocation's AbortSignal.timeout signals (unref'd, as Node's: not in `pending`). */
const signalTimers = new Set<NodeJS.Timeout>();
/** Aborted when the invocation ends; made on the first promise timer of the invocation. */
let invocationAbort: AbortController | undefined;
/** The abort reason of that signal: a rejection carrying it is the teardown, never shown to the handler. */
const TORN_DOWN = Object.freeze({ reason: 'the invocation ended' });
let tracking = false;
let idleWaiters: Array<() => void> = [];

function settle(handle: object): void {
  if (pending.delete(handle) && pending.size === 0 && idleWaiters.length > 0) {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }
}

function find(id: unknown): object | undefined {
  if (typeof id === 'object' && id !== null) return id;
  if (typeof id !== 'number' && typeof id !== 'string') return undefined;
  for (const handle of pending.keys()) if (Number(handle) === Number(id)) return handle;
  return undefined;
}

type AnyFn = (...args: unknown[]) => unknown;

function wrapSchedule(kind: Kind, schedule: AnyFn): AnyFn {
  return function (this: unknown, callback: unknown, ...rest: unknown[]): unknown {
    if (!tracking || typeof callback !== 'function') return schedule.call(this, callback, ...rest);
    let handle: object;
    const run = function (this: unknown, ...args: unknown[]): unknown {
      if (kind !== 'interval') settle(handle);
      return (callback as AnyFn).apply(this, args);
    };
    handle = schedule.call(this, run, ...rest) as object;
    pending.set(handle, kind);
    return handle;
  };
}

function wrapClear(clear: AnyFn): AnyFn {
  return function (this: unknown, id: unknown): unknown {
    const handle = find(id);
    if (handle !== undefined) settle(handle);
    return clear.call(this, id);
  };
}

type TimerOptions = { signal?: unknown; ref?: unknown };

/**
 * The caller's options with the invocation's signal added (combined with the caller's own signal), or
 * undefined when the options are invalid: Node then rejects them with its own error.
 */
function withInvocationSignal(options: unknown): TimerOptions | undefined {
  const own = (invocationAbort ??= new AbortController()).signal;
  if (options === undefined) return { signal: own };
  if (typeof options !== 'object' || options === null) return undefined;
  const given = { ...(options as TimerOptions) };
  if (given.signal === undefined) return { ...given, signal: own };
  if (!(given.signal instanceof AbortSignal)) return undefined;
  return { ...given, signal: AbortSignal.any([given.signal, own]) };
}

function tornDown(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { cause?: unknown }).cause === TORN_DOWN;
}

/** Settles as `timer` does, except that its teardown leaves it pending forever (the timer is gone). */
function tracked<T>(timer: Promise<T>, options: TimerOptions): Promise<T> {
  const key = {};
  if (options.ref !== false) pending.set(key, 'promise');
  return new Promise<T>((resolve, reject) => {
    timer.then(
      (value) => {
        settle(key);
        resolve(value);
      },
      (err: unknown) => {
        settle(key);
        if (!tornDown(err)) reject(err);
      },
    );
  });
}

type PromiseTimer = (delay?: unknown, value?: unknown, options?: unknown) => Promise<unknown>;

const promiseTimers = {
  setTimeout(delay?: unknown, value?: unknown, options?: unknown): Promise<unknown> {
    const schedule = originalPromises.setTimeout as PromiseTimer;
    const opts = tracking ? withInvocationSignal(options) : undefined;
    return opts ? tracked(schedule(delay, value, opts), opts) : schedule(delay, value, options);
  },
  setImmediate(value?: unknown, options?: unknown): Promise<unknown> {
    const schedule = originalPromises.setImmediate as (value?: unknown, options?: unknown) => Promise<unknown>;
    const opts = tracking ? withInvocationSignal(options) : undefined;
    return opts ? tracked(schedule(value, opts), opts) : schedule(value, options);
  },
  setInterval(delay?: unknown, value?: unknown, options?: unknown): AsyncIterableIterator<unknown> {
    const schedule = originalPromises.setInterval as (delay?: unknown, value?: unknown, options?: unknown) => AsyncGenerator<unknown>;
    const opts = tracking ? withInvocationSignal(options) : undefined;
    if (!opts) return schedule(delay, value, options);
    const iterator = schedule(delay, value, opts);
    // Node starts the interval on the first next(); it holds the event loop until the iteration ends.
    const key = {};
    let started = false;
    const step = (result: Promise<IteratorResult<unknown>>) => {
      if (!started && opts.ref !== false) pending.set(key, 'promise');
      started = true;
      return new Promise<IteratorResult<unknown>>((resolve, reject) => {
        result.then(
          (r) => {
            if (r.done === true) settle(key);
            resolve(r);
          },
          (err: unknown) => {
            settle(key);
            if (!tornDown(err)) reject(err);
          },
        );
      });
    };
    return {
      next: () => step(iterator.next()),
      return: (v?: unknown) => step(iterator.return(v)),
      throw: (e?: unknown) => step(iterator.throw(e)),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  },
};

/** AbortSignal.timeout during an invocation: the same signal, on a timer the invocation's end clears. */
function signalTimeout(this: unknown, delay: number): AbortSignal {
  // Node's own validation (and errors) for anything but a uint32.
  if (!tracking || !Number.isInteger(delay) || delay < 0 || delay > 0xffff_ffff) return originalSignalTimeout.call(AbortSignal, delay);
  const controller = new AbortController();
  const timer = original.setTimeout(() => {
    signalTimers.delete(timer);
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, delay);
  timer.unref();
  signalTimers.add(timer);
  return controller.signal;
}

/** Replaces the timer functions listed in the header with tracking ones. Call once, at boot. */
export function installTimerTracking(): void {
  const patched = {
    setTimeout: wrapSchedule('timeout', original.setTimeout as AnyFn),
    setInterval: wrapSchedule('interval', original.setInterval as AnyFn),
    setImmediate: wrapSchedule('immediate', original.setImmediate as AnyFn),
    clearTimeout: wrapClear(original.clearTimeout as AnyFn),
    clearInterval: wrapClear(original.clearInterval as AnyFn),
    clearImmediate: wrapClear(original.clearImmediate as AnyFn),
  };
  // util.promisify(setTimeout) and util.promisify(setImmediate) are the node:timers/promises ones.
  Object.defineProperty(patched.setTimeout, promisify.custom, { value: promiseTimers.setTimeout });
  Object.defineProperty(patched.setImmediate, promisify.custom, { value: promiseTimers.setImmediate });
  Object.assign(globalThis, patched);
  Object.assign(requireBuiltin('node:timers') as Record<string, unknown>, patched);
  Object.assign(timersPromises, promiseTimers);
  // scheduler.wait and scheduler.yield call Node's internal functions, not the module's exports.
  Object.assign(timersPromises.scheduler, {
    wait: (delay: number, options?: { signal?: AbortSignal }) => promiseTimers.setTimeout(delay, undefined, { signal: options?.signal }),
    yield: () => promiseTimers.setImmediate(),
  });
  AbortSignal.timeout = signalTimeout;
  syncBuiltinESMExports();
}

/** Starts recording the timers of an invocation. */
export function beginInvocationTimers(): void {
  tracking = true;
}

/** Resolves once every timer of the invocation has fired or been cleared (never, with a live interval). */
export function whenTimersIdle(): Promise<void> {
  if (pending.size === 0) return Promise.resolve();
  return new Promise((resolve) => idleWaiters.push(resolve));
}

/** Stops recording and clears what the invocation left behind; returns how many were cleared. */
export function endInvocationTimers(): number {
  tracking = false;
  const left = pending.size;
  for (const [handle, kind] of pending) {
    if (kind === 'immediate') original.clearImmediate(handle as NodeJS.Immediate);
    else if (kind !== 'promise') original.clearTimeout(handle as NodeJS.Timeout);
  }
  pending.clear();
  // Rejects the pending promise timers with TORN_DOWN: their promises stay pending for good.
  invocationAbort?.abort(TORN_DOWN);
  invocationAbort = undefined;
  for (const timer of signalTimers) original.clearTimeout(timer);
  signalTimers.clear();
  idleWaiters = [];
  return left;
}

/** The untracked originals, for the runtime's own use. */
export const realTimers = original;
