// The Lambda API over the real FunctionRuntime (handlers in worker threads), through @aws-sdk/client-lambda.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import type { FunctionConfig, ServiceConfig } from '../../../../runtime/config/types.ts';
import { openLambdaService, type LambdaService } from '../../../../runtime/lambda/api/service.ts';
import type { AsyncQueueEvent } from '../../../../runtime/lambda/async/queue.ts';
import { FunctionRuntime } from '../../../../runtime/lambda/runtime.ts';
import { MemoryLogRoot } from '../../../../runtime/log/memory-root.ts';
import { listen, type Listener } from '../../../../runtime/server/listener.ts';
import { fnConfig, waitFor } from './helpers.ts';

const SERVICE_DIR = fileURLToPath(new URL('../../../fixtures/functions/api', import.meta.url));
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

let out: string;
let runtime: FunctionRuntime;
let lambda: LambdaService;
let listener: Listener;
let client: LambdaClient;
const clock = new VirtualClock(Date.UTC(2026, 0, 1));
const queueEvents: AsyncQueueEvent[] = [];

const decode = (p: Uint8Array | undefined): string => Buffer.from(p ?? new Uint8Array()).toString('utf8');

async function linesOf(fnName: string): Promise<Array<{ event: unknown; requestId: string }>> {
  try {
    const text = await fs.readFile(path.join(out, `${fnName}.jsonl`), 'utf8');
    return text.trim().split('\n').map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

beforeAll(async () => {
  out = await fs.mkdtemp(path.join(os.tmpdir(), 'eddy-'));
  const env = { OUT_DIR: out };
  const fns: FunctionConfig[] = [
    fnConfig('echo', { handler: 'handlers.echo' }),
    fnConfig('fail', { handler: 'handlers.fail' }),
    fnConfig('chatty', { handler: 'handlers.chatty' }),
    fnConfig('big', { handler: 'handlers.big' }),
    fnConfig('record', { handler: 'handlers.record', environment: env }),
    fnConfig('flaky', { handler: 'handlers.flaky', environment: env, destinations: { onFailure: `${ARN}:svc-dev-record` } }),
    fnConfig('off', { handler: 'handlers.noop', reservedConcurrency: 0 }),
  ];
  const config: ServiceConfig = {
    dir: SERVICE_DIR,
    service: 'svc',
    stage: 'dev',
    region: 'us-east-1',
    functions: Object.fromEntries(fns.map((f) => [f.key, f])),
    streams: [],
    esbuild: {},
    eddy: { kinesisEndpoint: undefined, layers: {}, pollInterval: undefined },
    notices: [],
  };
  let route: LambdaService['api'] | undefined;
  listener = await listen({
    port: 0,
    host: '127.0.0.1',
    handler: (req, res) => {
      if (route?.matches(req)) route.handle(req, res);
      else {
        res.writeHead(404);
        res.end();
      }
    },
  });
  const endpoint = `http://127.0.0.1:${listener.port}`;
  runtime = await FunctionRuntime.create({ config, endpoint });
  lambda = await openLambdaService({ root: new MemoryLogRoot(), clock, runtime, region: 'us-east-1', accountId: '000000000000' });
  lambda.queue.onEvent((e) => queueEvents.push(e));
  route = lambda.api;
  client = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await listener?.close();
  await lambda?.close();
  await runtime?.close();
  if (out) await fs.rm(out, { recursive: true, force: true });
});

describe('Invoke over the FunctionRuntime', () => {
  it('runs the handler with the deployed name in its context, by key, name and ARN', async () => {
    for (const name of ['echo', 'svc-dev-echo', `${ARN}:svc-dev-echo`]) {
      const res = await client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"k":"v"}') }));
      expect(res.StatusCode).toBe(200);
      expect(res.ExecutedVersion).toBe('$LATEST');
      const body = JSON.parse(decode(res.Payload));
      expect(body).toMatchObject({ event: { k: 'v' }, functionName: 'svc-dev-echo', clientContext: null });
      expect(body.requestId).toBe(res.$metadata.requestId);
    }
  });

  it('context.invokedFunctionArn carries the qualifier when the caller gave one', async () => {
    const plain = await client.send(new InvokeCommand({ FunctionName: 'echo' }));
    expect(JSON.parse(decode(plain.Payload)).invokedFunctionArn).toBe(`${ARN}:svc-dev-echo`);
    for (const input of [{ FunctionName: 'echo', Qualifier: '$LATEST' }, { FunctionName: 'svc-dev-echo:$LATEST' }]) {
      const res = await client.send(new InvokeCommand(input));
      expect(JSON.parse(decode(res.Payload)).invokedFunctionArn).toBe(`${ARN}:svc-dev-echo:$LATEST`);
    }
  });

  it('passes the client context to the handler', async () => {
    const cc = { client: { installation_id: 'i-1' }, custom: { tenant: 't' }, env: { platform: 'test' } };
    const res = await client.send(
      new InvokeCommand({ FunctionName: 'echo', ClientContext: Buffer.from(JSON.stringify(cc)).toString('base64') }),
    );
    expect(JSON.parse(decode(res.Payload)).clientContext).toMatchObject({ custom: { tenant: 't' } });
  });

  it('returns a function error as 200 + X-Amz-Function-Error with {errorType, errorMessage, trace}', async () => {
    const res = await client.send(new InvokeCommand({ FunctionName: 'fail' }));
    expect(res.StatusCode).toBe(200);
    expect(res.FunctionError).toBe('Unhandled');
    const body = JSON.parse(decode(res.Payload));
    expect(body.errorType).toBe('TypeError');
    expect(body.errorMessage).toBe('boom');
    expect(body.trace[0]).toBe('TypeError: boom');
  });

  it('LogType Tail: the last 4 KB of the log, base64, ending with the REPORT line', async () => {
    const res = await client.send(new InvokeCommand({ FunctionName: 'chatty', LogType: 'Tail', Payload: Buffer.from('{"lines":200}') }));
    const tail = Buffer.from(res.LogResult!, 'base64');
    expect(tail.byteLength).toBeLessThanOrEqual(4096);
    expect(tail.byteLength).toBeGreaterThan(3000);
    const text = tail.toString('utf8');
    expect(text).toContain('line 199');
    expect(text).not.toContain('\tline 0 ');
    expect(text).toMatch(new RegExp(`REPORT RequestId: ${res.$metadata.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms`));
    const none = await client.send(new InvokeCommand({ FunctionName: 'chatty', Payload: Buffer.from('{"lines":1}') }));
    expect(none.LogResult).toBeUndefined();
  });

  it('a response over 6 MB is Function.ResponseSizeTooLarge', async () => {
    const res = await client.send(new InvokeCommand({ FunctionName: 'big', Payload: Buffer.from('{"n":6300000}') }));
    expect(res.FunctionError).toBe('Unhandled');
    expect(JSON.parse(decode(res.Payload))).toEqual({
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
  });

  it('DryRun answers 204', async () => {
    const res = await client.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'DryRun', Payload: Buffer.from('{"dry":1}') }));
    expect(res.StatusCode).toBe(204);
    expect(await linesOf('svc-dev-record')).toEqual([]);
  });

  it('Event answers 202, then the event runs', async () => {
    const res = await client.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'Event', Payload: Buffer.from('{"async":1}') }));
    expect(res.StatusCode).toBe(202);
    const got = await waitFor(async () => (await linesOf('svc-dev-record')).find((l) => (l.event as { async?: number }).async === 1), 'the event');
    expect(got.event).toEqual({ async: 1 });
    expect(got.requestId).toBe(res.$metadata.requestId);
  });

  it('a failing Event is tried 3 times, then its onFailure function gets the invocation record', async () => {
    const res = await client.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: Buffer.from('{"order":42}') }));
    expect(res.StatusCode).toBe(202);
    const id = res.$metadata.requestId!;
    const retries = (): number => queueEvents.filter((e) => e.type === 'retryScheduled' && e.requestId === id).length;
    await waitFor(() => retries() === 1, 'the first failure');
    clock.advance(1000);
    await waitFor(() => retries() === 2, 'the second failure');
    clock.advance(2000);
    const [rec] = await waitFor(async () => {
      const lines = await linesOf('svc-dev-record');
      const r = lines.filter((l) => (l.event as { requestContext?: unknown }).requestContext !== undefined);
      return r.length > 0 ? r : undefined;
    }, 'the destination record');
    const attempts = await linesOf('svc-dev-flaky');
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
    const err = (await client.send(new InvokeCommand({ FunctionName: 'off' })).then(
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
    const res = await client.send(new ListFunctionsCommand({}));
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
