// Inside the worker: records the listeners an invocation adds to `process`, so they are removed when it
// ends (the runtime's own, and those added at INIT, stay).
type Listener = (...args: unknown[]) => void;

const added: Array<[string | symbol, Listener]> = [];
let tracking = false;

const METHODS = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'] as const;

/** Wraps process.on and friends. Call once, at boot, after the runtime's own listeners are in place. */
export function installListenerTracking(): void {
  const target = process as unknown as Record<string, (event: string | symbol, listener: Listener) => unknown>;
  for (const method of METHODS) {
    const original = target[method]!;
    target[method] = function (this: unknown, event: string | symbol, listener: Listener) {
      if (tracking) added.push([event, listener]);
      return original.call(this, event, listener);
    };
  }
}

export function beginListenerTracking(): void {
  tracking = true;
}

/** Removes what the invocation added. */
export function endListenerTracking(): void {
  tracking = false;
  for (const [event, listener] of added.splice(0)) process.removeListener(event, listener);
}
