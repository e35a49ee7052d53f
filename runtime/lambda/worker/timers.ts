// Inside the worker: tracks the timers an invocation creates, so the leftovers can be cleared when it
// ends (AWS freezes them with the environment; eddy clears them, so nothing of invocation N runs during
// N+1), and so callback handlers can wait for "an empty event loop" as the RIC does.
import { createRequire, syncBuiltinESMExports } from 'node:module';

type Kind = 'timeout' | 'interval' | 'immediate';

const original = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
  clearImmediate: globalThis.clearImmediate,
};

const pending = new Map<object, Kind>();
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

/** Replaces the global timer functions (and node:timers' exports) with tracking ones. Call once, at boot. */
export function installTimerTracking(): void {
  const patched = {
    setTimeout: wrapSchedule('timeout', original.setTimeout as AnyFn),
    setInterval: wrapSchedule('interval', original.setInterval as AnyFn),
    setImmediate: wrapSchedule('immediate', original.setImmediate as AnyFn),
    clearTimeout: wrapClear(original.clearTimeout as AnyFn),
    clearInterval: wrapClear(original.clearInterval as AnyFn),
    clearImmediate: wrapClear(original.clearImmediate as AnyFn),
  };
  Object.assign(globalThis, patched);
  const timers = createRequire(import.meta.url)('node:timers') as Record<string, unknown>;
  Object.assign(timers, patched);
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
    else original.clearTimeout(handle as NodeJS.Timeout);
  }
  pending.clear();
  idleWaiters = [];
  return left;
}

/** The untracked originals, for the runtime's own use. */
export const realTimers = original;
