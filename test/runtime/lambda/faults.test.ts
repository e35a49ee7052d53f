// Every fault of the "Done when": after each, the runtime still serves, the answer has AWS's
// shape, and the next invocation of that same function succeeds.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fnConfig, harness, invokeJson, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness([
    fnConfig('throwError', 'faults.throwError'),
    fnConfig('reject', 'faults.reject'),
    fnConfig('throwString', 'faults.throwString'),
    fnConfig('spin', 'faults.spin', { timeout: 1 }),
    fnConfig('exit', 'faults.exit'),
    fnConfig('exitZero', 'faults.exitZero'),
    // A long timeout: on a loaded machine filling 128 MB (and V8's last-ditch GCs) can outlast the default 6 s.
    fnConfig('oom', 'faults.oom', { memorySize: 128, timeout: 60 }),
    fnConfig('unhandled', 'faults.unhandled'),
    fnConfig('uncaught', 'faults.uncaught'),
    fnConfig('leaveInterval', 'faults.leaveInterval'),
    fnConfig('circular', 'faults.circular'),
    fnConfig('addListener', 'faults.addListener'),
    fnConfig('leavePromiseTimers', 'faults.leavePromiseTimers'),
    fnConfig('rejectNull', 'faults.rejectNull'),
    fnConfig('rejectUndefined', 'faults.rejectUndefined'),
    fnConfig('throwNull', 'faults.throwNull'),
    fnConfig('throwUndefined', 'faults.throwUndefined'),
    fnConfig('rejectNull24', 'faults.rejectNull', { runtime: 'nodejs24.x' }),
    fnConfig('rejectUndefined24', 'faults.rejectUndefined', { runtime: 'nodejs24.x' }),
    fnConfig('throwNull24', 'faults.throwNull', { runtime: 'nodejs24.x' }),
  ]);
});
afterAll(async () => {
  await h.close();
});

/** Invokes the fault, checks the answer, then proves the same function answers normally again. */
async function faultThenRecover(key: string, check: (body: Record<string, unknown>, requestId: string) => void) {
  const fault = await invokeJson(h, key, { fault: true });
  expect(fault.result.statusCode).toBe(200);
  expect(fault.result.functionError).toBe('Unhandled');
  check(fault.body, fault.result.requestId);
  const recover = await invokeJson(h, key, {});
  expect(recover.result.functionError).toBeUndefined();
  expect(recover.body).toEqual({ recovered: true });
  return { fault, recover };
}

describe('function errors', () => {
  test('a thrown Error is {errorType, errorMessage, trace}', async () => {
    const { fault } = await faultThenRecover('throwError', (body) => {
      expect(Object.keys(body)).toEqual(['errorType', 'errorMessage', 'trace']);
      expect(body['errorType']).toBe('Error');
      expect(body['errorMessage']).toBe('boom');
      expect((body['trace'] as string[])[0]).toBe('Error: boom');
      expect((body['trace'] as string[])[1]).toMatch(/^    at .*\/fixtures\/functions\/service\/faults\.mjs:6:\d+\)$/);
    });
    expect(fault.result.statusCode).toBe(200);
    const lines = h.sink.of('throwError');
    expect(lines.some((l) => new RegExp(`^\\S+Z\\t${fault.result.requestId}\\tERROR\\tInvoke Error \\t\\{"errorType":"Error","errorMessage":"boom","stack":\\[`).test(l))).toBe(true);
  });

  test('a rejected promise carries the error name', async () => {
    await faultThenRecover('reject', (body) => {
      expect(body['errorType']).toBe('TypeError');
      expect(body['errorMessage']).toBe('rejected');
    });
  });

  test('a thrown non-Error is serialised as the RIC does', async () => {
    const { fault } = await faultThenRecover('throwString', (body) => {
      expect(body).toEqual({ errorType: 'string', errorMessage: 'just a string', trace: [] });
    });
    // The RIC logs intoError(value): new Error(value), with its stack.
    expect(h.sink.of('throwString')).toContainEqual(
      expect.stringMatching(new RegExp(`^\\S+Z\\t${fault.result.requestId}\\tERROR\\tInvoke Error \\t\\{"errorType":"Error","errorMessage":"just a string","stack":\\["Error: just a string",`)),
    );
  });

  test('nodejs22.x and older: a rejection with null or undefined is fail(), answered as "handled"', async () => {
    for (const key of ['rejectNull', 'rejectUndefined']) {
      const { fault } = await faultThenRecover(key, (body) => {
        expect(body).toEqual({ errorType: 'string', errorMessage: 'handled', trace: [] });
      });
      expect(h.sink.of(key)).toContainEqual(
        expect.stringMatching(new RegExp(`\\t${fault.result.requestId}\\tERROR\\tInvoke Error \\t\\{"errorType":"Error","errorMessage":"handled","stack":\\[`)),
      );
    }
  });

  test('nodejs22.x and older: a synchronous throw of null or undefined goes to callback(null), a success', async () => {
    for (const key of ['throwNull', 'throwUndefined']) {
      const { result } = await invokeJson(h, key, { fault: true });
      expect(result.functionError).toBeUndefined();
      expect(Buffer.from(result.payload).toString()).toBe('null');
      expect(h.sink.of(key).some((l) => l.includes('Invoke Error'))).toBe(false);
    }
  });

  test('nodejs24.x: null and undefined, thrown or rejected, are typeof / String(value)', async () => {
    await faultThenRecover('rejectNull24', (body) => {
      expect(body).toEqual({ errorType: 'object', errorMessage: 'null', trace: [] });
    });
    await faultThenRecover('throwNull24', (body) => {
      expect(body).toEqual({ errorType: 'object', errorMessage: 'null', trace: [] });
    });
    await faultThenRecover('rejectUndefined24', (body) => {
      expect(body).toEqual({ errorType: 'undefined', errorMessage: 'undefined', trace: [] });
    });
  });

  test('a result JSON cannot hold is Runtime.JSONStringifyError', async () => {
    await faultThenRecover('circular', (body) => {
      expect(body['errorType']).toBe('Runtime.JSONStringifyError');
      expect(body['errorMessage']).toBe('Unable to stringify response body');
    });
  });
});

describe('environment faults', () => {
  test('while(true){} past a 1 s timeout: Sandbox.Timedout, the worker is replaced', async () => {
    const { fault } = await faultThenRecover('spin', (body, id) => {
      expect(body).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after 1.00 seconds` });
    });
    const id = fault.result.requestId;
    const lines = h.sink.of('spin');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z ${id} Task timed out after 1\\.00 seconds$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\t.*\\tStatus: timeout\\t$`)));
    // The spinning worker was terminated: the recovery ran INIT again in a fresh environment.
    expect(lines.at(-1)).toMatch(/\tInit Duration: [\d.]+ ms\t$/);
  });

  test('process.exit(3) is Runtime.ExitError with the exit status', async () => {
    await faultThenRecover('exit', (body, id) => {
      expect(body).toEqual({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited with error: exit status 3` });
    });
    expect(h.sink.of('exit')).toContain('Runtime.ExitError');
  });

  test('process.exit() is Runtime.ExitError without a reason', async () => {
    await faultThenRecover('exitZero', (body, id) => {
      expect(body).toEqual({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited without providing a reason` });
    });
  });

  test('running out of memory is Runtime.OutOfMemory and a fresh environment', async () => {
    const { fault } = await faultThenRecover('oom', (body, id) => {
      expect(body).toEqual({ errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${id} Error: Runtime exited with error: signal: killed` });
    });
    const report = h.sink.of('oom').find((l) => l.startsWith(`REPORT RequestId: ${fault.result.requestId}`));
    expect(report).toMatch(/\tMax Memory Used: 128 MB\tInit Duration: [\d.]+ ms\tStatus: error\tError Type: Runtime\.OutOfMemory\t$/);
    expect(h.sink.of('oom').at(-1)).toMatch(/\tInit Duration: [\d.]+ ms\t$/);
  }, 90_000);

  test('an unhandled rejection is Runtime.UnhandledPromiseRejection', async () => {
    const { fault } = await faultThenRecover('unhandled', (body) => {
      expect(body['errorType']).toBe('Runtime.UnhandledPromiseRejection');
      expect(body['errorMessage']).toBe('Error: nobody caught me');
      expect((body['trace'] as string[])[0]).toBe('Runtime.UnhandledPromiseRejection: Error: nobody caught me');
    });
    const id = fault.result.requestId;
    const lines = h.sink.of('unhandled');
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`\\t${id}\\tERROR\\tUnhandled Promise Rejection \\t\\{"errorType":"Runtime.UnhandledPromiseRejection"`)),
    );
    expect(lines.find((l) => l.startsWith(`REPORT RequestId: ${id}`))).toMatch(/Status: error\tError Type: Runtime\.ExitError\t$/);
  });

  test('an exception thrown from a timer answers with that error', async () => {
    await faultThenRecover('uncaught', (body) => {
      expect(body['errorType']).toBe('Error');
      expect(body['errorMessage']).toBe('thrown from a timer');
    });
    expect(h.sink.of('uncaught')).toContainEqual(
      expect.stringMatching(/\tERROR\tUncaught Exception \t\{"errorType":"Error","errorMessage":"thrown from a timer"/),
    );
  });
});

describe('faults mixed across environments', () => {
  test('each of 30 concurrent invocations gets its own answer and its own log lines', async () => {
    // 'hang' times out without burning a core, so a loaded machine does not push the others past 2 s.
    const mixed = await harness([fnConfig('chaos', 'faults.chaos', { timeout: 2, reservedConcurrency: 4 })]);
    try {
      const actions = ['ok', 'throw', 'exit', 'ok', 'hang', 'unhandled'];
      const runs = await Promise.all(
        Array.from({ length: 30 }, async (_, n) => {
          const action = actions[n % actions.length]!;
          const r = await invokeJson(mixed, 'chaos', { do: action, n }, { waitForCapacity: true, logType: 'Tail' });
          return { action, n, ...r };
        }),
      );
      for (const { action, n, result, body } of runs) {
        const id = result.requestId;
        if (action === 'ok') expect(body).toEqual({ n });
        else expect(result.functionError).toBe('Unhandled');
        if (action === 'throw') expect(body['errorMessage']).toBe(`thrown #${n}`);
        if (action === 'exit') expect(body['errorType']).toBe('Runtime.ExitError');
        if (action === 'hang') expect(body['errorType']).toBe('Sandbox.Timedout');
        if (action === 'unhandled') expect(body['errorMessage']).toBe(`Error: unhandled #${n}`);
        // The Tail holds this invocation's lines only: INIT_START when it was a cold start, then START to REPORT.
        const lines = Buffer.from(result.logResult!, 'base64').toString().trimEnd().split('\n');
        const tail = lines[0]!.startsWith('INIT_START Runtime Version: ') ? lines.slice(1) : lines;
        expect(tail[0]).toBe(`START RequestId: ${id} Version: $LATEST`);
        expect(tail[1]).toMatch(new RegExp(`^\\S+Z\\t${id}\\tINFO\\tdoing ${action} #${n}$`));
        expect(tail.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${id}\\t`));
        expect(tail.filter((l) => l.includes('RequestId: ') && !l.includes(id))).toEqual([]);
        const all = mixed.sink.of('chaos');
        expect(all.filter((l) => l === `START RequestId: ${id} Version: $LATEST`).length).toBe(1);
        expect(all.filter((l) => l.startsWith(`REPORT RequestId: ${id}\t`)).length).toBe(1);
      }
      // And the function still serves.
      expect((await invokeJson(mixed, 'chaos', { do: 'ok', n: 99 })).body).toEqual({ n: 99 });
    } finally {
      await mixed.close();
    }
  }, 30_000);
});

describe('INIT limit', () => {
  test('INIT past its limit is abandoned with INIT_REPORT Status: timeout', async () => {
    const slow = await harness([fnConfig('initSpin', 'init-spin.handler')], { initTimeoutMs: 500 });
    try {
      const { result, body } = await invokeJson(slow, 'initSpin');
      expect(result.functionError).toBe('Unhandled');
      expect(body).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${result.requestId} Error: Task timed out after 0.50 seconds` });
      const lines = slow.sink.of('initSpin');
      expect(lines[0]).toMatch(/^INIT_START Runtime Version: /);
      expect(lines[1]).toMatch(/^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout$/);
      expect(lines.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${result.requestId}\\t.*\\tStatus: timeout\\t$`));
    } finally {
      await slow.close();
    }
  });
});

describe('nothing of invocation N leaks into N+1', () => {
  test('an interval left running is cleared when the invocation ends', async () => {
    const first = await invokeJson(h, 'leaveInterval', { start: true });
    expect((first.body['ticks'] as number) > 0).toBe(true);
    const second = await invokeJson(h, 'leaveInterval', {});
    const third = await invokeJson(h, 'leaveInterval', {});
    // Module scope persists (ticks is still there), but the interval of the first invocation is gone:
    // it may tick once more while the first answer is sent, never during the 30 ms the others wait.
    expect((second.body['ticks'] as number) - (first.body['ticks'] as number)).toBeLessThanOrEqual(1);
    expect(third.body['ticks']).toBe(second.body['ticks']);
  });

  test('process listeners added by an invocation are removed after it', async () => {
    const first = await invokeJson(h, 'addListener');
    const second = await invokeJson(h, 'addListener');
    expect(first.body).toBe(1);
    expect(second.body).toBe(1);
  });

  test('promise timers and AbortSignal.timeout left pending never fire during the next invocation', async () => {
    const first = await invokeJson(h, 'leavePromiseTimers', { start: true });
    expect(first.body).toEqual({ started: true });
    const second = await invokeJson(h, 'leavePromiseTimers', {});
    // The second invocation waited 80 ms: each of those 30 ms timers would have fired in it.
    const ran = second.body['ranDuring'] as Array<{ what: string; during: string }>;
    expect(ran.filter((r) => r.during !== first.result.requestId)).toEqual([]);
    expect(second.result.functionError).toBeUndefined();
  });
});
