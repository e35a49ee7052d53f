// The Lambda API over the real FunctionRuntime (handlers in worker threads), through @aws-sdk/client-lambda:
// what the handler sees, errors, the log tail, the async path with retries and an onFailure function.
import { InvokeCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsyncQueueEvent } from '../../../../runtime/lambda/async/queue.ts';
import { fnConfig, startRuntimeApi, waitFor, type RuntimeApi } from './helpers.ts';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

let server: RuntimeApi;
const queueEvents: AsyncQueueEvent[] = [];

const decode = (p: Uint8Array | undefined): string => Buffer.from(p ?? new Uint8Array()).toString('utf8');

beforeAll(async () => {
  server = await startRuntimeApi([
    fnConfig('echo', { handler: 'handlers.echo' }),
    fnConfig('fail', { handler: 'handlers.fail' }),
    fnConfig('chatty', { handler: 'handlers.chatty' }),
    fnConfig('big', { handler: 'handlers.big' }),
    fnConfig('record', { handler: 'handlers.record' }),
    fnConfig('flaky', { handler: 'handlers.flaky', destinations: { onFailure: `${ARN}:svc-dev-record` } }),
    fnConfig('off', { handler: 'handlers.noop', reservedConcurrency: 0 }),
  ]);
  server.lambda.queue.onEvent((e) => queueEvents.push(e));
});

afterAll(async () => {
  await server?.close();
});

describe('Invoke over the FunctionRuntime', () => {
  it('runs the handler with the deployed name in its context, by key, name and ARN', async () => {
    for (const name of ['echo', 'svc-dev-echo', `${ARN}:svc-dev-echo`]) {
      const res = await server.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"k":"v"}') }));
      expect(res.StatusCode).toBe(200);
      expect(res.ExecutedVersion).toBe('$LATEST');
      const body = JSON.parse(decode(res.Payload));
      expect(body).toMatchObject({ event: { k: 'v' }, functionName: 'svc-dev-echo', clientContext: null });
      expect(body.requestId).toBe(res.$metadata.requestId);
    }
  });

  it('context.invokedFunctionArn carries the qualifier when the caller gave one', async () => {
    const plain = await server.client.send(new InvokeCommand({ FunctionName: 'echo' }));
    expect(JSON.parse(decode(plain.Payload)).invokedFunctionArn).toBe(`${ARN}:svc-dev-echo`);
    for (const input of [{ FunctionName: 'echo', Qualifier: '$LATEST' }, { FunctionName: 'svc-dev-echo:$LATEST' }]) {
      const res = await server.client.send(new InvokeCommand(input));
      expect(JSON.parse(decode(res.Payload)).invokedFunctionArn).toBe(`${ARN}:svc-dev-echo:$LATEST`);
    }
  });

  it('passes the client context to the handler', async () => {
    const cc = { client: { installation_id: 'i-1' }, custom: { tenant: 't' }, env: { platform: 'test' } };
    const res = await server.client.send(
      new InvokeCommand({ FunctionName: 'echo', ClientContext: Buffer.from(JSON.stringify(cc)).toString('base64') }),
    );
    expect(JSON.parse(decode(res.Payload)).clientContext).toMatchObject({ custom: { tenant: 't' } });
  });

  it('returns a function error as 200 + X-Amz-Function-Error with {errorType, errorMessage, trace}', async () => {
    const res = await server.client.send(new InvokeCommand({ FunctionName: 'fail' }));
    expect(res.StatusCode).toBe(200);
    expect(res.FunctionError).toBe('Unhandled');
    const body = JSON.parse(decode(res.Payload));
    expect(body.errorType).toBe('TypeError');
    expect(body.errorMessage).toBe('boom');
    expect(body.trace[0]).toBe('TypeError: boom');
  });

  it('LogType Tail: the last 4 KB of the log, base64, ending with the REPORT line', async () => {
    const res = await server.client.send(new InvokeCommand({ FunctionName: 'chatty', LogType: 'Tail', Payload: Buffer.from('{"lines":200}') }));
    const tail = Buffer.from(res.LogResult!, 'base64');
    expect(tail.byteLength).toBeLessThanOrEqual(4096);
    expect(tail.byteLength).toBeGreaterThan(3000);
    const text = tail.toString('utf8');
    expect(text).toContain('line 199');
    expect(text).not.toContain('\tline 0 ');
    expect(text).toMatch(new RegExp(`REPORT RequestId: ${res.$metadata.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms`));
    const none = await server.client.send(new InvokeCommand({ FunctionName: 'chatty', Payload: Buffer.from('{"lines":1}') }));
    expect(none.LogResult).toBeUndefined();
  });

  it('a response over 6 MB is Function.ResponseSizeTooLarge', async () => {
    const res = await server.client.send(new InvokeCommand({ FunctionName: 'big', Payload: Buffer.from('{"n":6300000}') }));
    expect(res.FunctionError).toBe('Unhandled');
    expect(JSON.parse(decode(res.Payload))).toEqual({
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
  });

  it('DryRun answers 204', async () => {
    const res = await server.client.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'DryRun', Payload: Buffer.from('{"dry":1}') }));
    expect(res.StatusCode).toBe(204);
    expect(await server.recorded('svc-dev-record')).toEqual([]);
  });

  it('Event answers 202, then the event runs', async () => {
    const res = await server.client.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'Event', Payload: Buffer.from('{"async":1}') }));
    expect(res.StatusCode).toBe(202);
    const got = await waitFor(async () => (await server.recorded('svc-dev-record')).find((l) => (l.event as { async?: number }).async === 1), 'the event');
    expect(got.event).toEqual({ async: 1 });
    expect(got.requestId).toBe(res.$metadata.requestId);
  });

  it('a failing Event is tried 3 times, then its onFailure function gets the invocation record', async () => {
    const res = await server.client.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: Buffer.from('{"order":42}') }));
    expect(res.StatusCode).toBe(202);
    const id = res.$metadata.requestId!;
    const retries = (): number => queueEvents.filter((e) => e.type === 'retryScheduled' && e.requestId === id).length;
    await waitFor(() => retries() === 1, 'the first failure');
    server.clock.advance(1000);
    await waitFor(() => retries() === 2, 'the second failure');
    server.clock.advance(2000);
    const [rec] = await waitFor(async () => {
      const lines = await server.recorded('svc-dev-record');
      const r = lines.filter((l) => (l.event as { requestContext?: unknown }).requestContext !== undefined);
      return r.length > 0 ? r : undefined;
    }, 'the destination record');
    const attempts = await server.recorded('svc-dev-flaky');
    expect(attempts.map((l) => l.event)).toEqual([{ order: 42 }, { order: 42 }, { order: 42 }]);
    // Every attempt ran as the request id the 202 answered with, as on AWS.
    expect(attempts.map((l) => l.requestId)).toEqual([id, id, id]);
    const record = rec!.event as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['version', 'timestamp', 'requestContext', 'requestPayload', 'responseContext', 'responsePayload']);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { requestId: id, functionArn: `${ARN}:svc-dev-flaky:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { order: 42 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'attempt failed for 42' },
    });
  });

  it('a throttled sync invoke is a 429 TooManyRequestsException with Reason and Retry-After', async () => {
    const err = (await server.client.send(new InvokeCommand({ FunctionName: 'off' })).then(
      () => undefined,
      (e: unknown) => e,
    )) as { name: string; message: string; Reason: string; retryAfterSeconds: string; $metadata: { httpStatusCode: number } };
    expect(err.name).toBe('TooManyRequestsException');
    expect(err.$metadata.httpStatusCode).toBe(429);
    expect(err.message).toBe('Rate Exceeded.');
    expect(err.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(err.retryAfterSeconds).toBe('1');
  });

  it('ListFunctions lists the runtime functions', async () => {
    const res = await server.client.send(new ListFunctionsCommand({}));
    expect(res.Functions!.map((f) => f.FunctionName)).toEqual([
      'svc-dev-big',
      'svc-dev-chatty',
      'svc-dev-echo',
      'svc-dev-fail',
      'svc-dev-flaky',
      'svc-dev-off',
      'svc-dev-record',
    ]);
  });
});
