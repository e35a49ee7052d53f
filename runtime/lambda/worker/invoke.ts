// Inside the worker: one invocation of the handler, with the RIC's completion rules. A returned promise
// settles it (on nodejs22.x and older through context.succeed/fail); otherwise callback /
// context.done|succeed|fail (first call wins), the callback waiting for the invocation's timers to drain
// while callbackWaitsForEmptyEventLoop is true; a plain handler that takes no callback and returns no
// promise answers null once they have drained (the RIC's beforeExit).
import type { InvokeTask } from '../messages.ts';
import { buildContext } from './context.ts';
import type { Handler } from './loader.ts';
import { whenTimersIdle } from './timers.ts';

export type HandlerResult = { ok: true; value: unknown } | { ok: false; error: unknown };

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Runs the handler once; never rejects. `legacy` = nodejs22.x and older (callbacks allowed). */
export function runHandler(handler: Handler, event: unknown, task: InvokeTask, deadlineMs: number, legacy: boolean): Promise<HandlerResult> {
  return new Promise<HandlerResult>((resolve) => {
    let finished = false;
    let calledBack = false;
    const finish = (r: HandlerResult) => {
      if (!finished) {
        finished = true;
        resolve(r);
      }
    };
    const done = (err: unknown, result: unknown) => {
      if (calledBack || finished) return;
      calledBack = true;
      finish(err !== undefined && err !== null ? { ok: false, error: err } : { ok: true, value: result });
    };
    const { context, waitsForEmptyEventLoop } = buildContext(task, deadlineMs, legacy, {
      done,
      callback: (err, result) => done(err, result),
    });
    const callback = (err: unknown, result: unknown) => {
      if (calledBack || finished) return;
      calledBack = true;
      if (err !== undefined && err !== null) finish({ ok: false, error: err });
      else if (!waitsForEmptyEventLoop()) finish({ ok: true, value: result });
      else void whenTimersIdle().then(() => finish({ ok: true, value: result }));
    };
    let returned: unknown;
    try {
      returned = legacy ? handler(event, context, callback) : handler(event, context);
    } catch (err) {
      // The nodejs22.x RIC hands a synchronous throw to the callback, so `throw null` is a success there.
      if (legacy) callback(err, undefined);
      else finish({ ok: false, error: err });
      return;
    }
    if (isPromiseLike(returned)) {
      if (!legacy) {
        // nodejs24.x: `await handler()`; whatever it rejects with is the error (null too).
        returned.then(
          (value) => finish({ ok: true, value }),
          (error: unknown) => finish({ ok: false, error }),
        );
      } else {
        // nodejs22.x and older: `result.then(context.succeed, context.fail)`, so the callback or
        // context.done called first wins, and a rejection with null or undefined is fail(): 'handled'.
        returned.then(
          (value) => done(null, value),
          (error: unknown) => done(error ?? 'handled', null),
        );
      }
    } else if (!legacy) {
      finish({ ok: true, value: returned });
    } else if (handler.length < 3) {
      // A handler that takes no callback and returns no promise: the RIC answers null once the event
      // loop drains. eddy can only see the invocation's timers; a callback handler waits for its callback.
      void whenTimersIdle().then(() => {
        if (!calledBack) finish({ ok: true, value: null });
      });
    }
  });
}
