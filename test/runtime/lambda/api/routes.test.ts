// The Lambda API's routes, headers, validation and errors, through the real @aws-sdk/client-lambda,
// over the real FunctionRuntime (fixture handlers in test/fixtures/functions/api).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  DeleteFunctionCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeAsyncCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EddyError } from '../../../../runtime/errors.ts';
import { fnConfig, rejection, startRuntimeApi, waitFor, type RuntimeApi } from './helpers.ts';

let server: RuntimeApi;

const decode = (p: Uint8Array | undefined): string => Buffer.from(p ?? new Uint8Array()).toString('utf8');
const body = (p: Uint8Array | undefined): { event: unknown; requestId: string; clientContext: unknown } => JSON.parse(decode(p));

beforeAll(async () => {
  server = await startRuntimeApi(
    [
      fnConfig('echo', { handler: 'handlers.echo' }),
      fnConfig('fail', { handler: 'handlers.fail' }),
      fnConfig('big', { handler: 'handlers.big' }),
      fnConfig('length', { handler: 'handlers.length' }),
      fnConfig('record', { handler: 'handlers.record' }),
      fnConfig('reserved', {
        handler: 'handlers.noop',
        reservedConcurrency: 5,
        environment: { A: '1' },
        logFormat: 'JSON',
        architecture: 'arm64',
        memorySize: 256,
        timeout: 30,
        description: 'keeps five',
        ephemeralStorageSize: 1024,
      }),
    ],
    { startedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678) },
  );
});

afterAll(async () => {
  await server?.close();
});

describe('Invoke', () => {
  it('RequestResponse returns 200, the payload and $LATEST', async () => {
    const out = await server.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":[1,2]}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(out.LogResult).toBeUndefined();
    expect(body(out.Payload).event).toEqual({ a: [1, 2] });
    expect(out.$metadata.requestId).toBe(body(out.Payload).requestId);
  });

  it('an empty payload reaches the function as {}', async () => {
    const out = await server.client.send(new InvokeCommand({ FunctionName: 'echo' }));
    expect(body(out.Payload).event).toEqual({});
  });

  it('answers to the key, the deployed name, full and partial ARNs, and $LATEST', async () => {
    const names = [
      'echo',
      'svc-dev-echo',
      'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-echo',
      'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-echo:$LATEST',
      '000000000000:function:svc-dev-echo',
      'svc-dev-echo:$LATEST',
    ];
    for (const name of names) {
      const out = await server.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('1') }));
      expect(body(out.Payload).event, name).toBe(1);
    }
    const q = await server.client.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '$LATEST', Payload: Buffer.from('2') }));
    expect(body(q.Payload).event).toBe(2);
  });

  it('an unknown function is a 404 ResourceNotFoundException with AWS message', async () => {
    const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'nope' })));
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(err.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope');
    expect(err.Type).toBe('User');
  });

  it('a version that does not exist locally is a 404 naming the qualified ARN', async () => {
    const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'svc-dev-echo', Qualifier: '3' })));
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:svc-dev-echo:3');
    const other = await rejection(
      server.client.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:svc-dev-echo' })),
    );
    expect(other.name).toBe('ResourceNotFoundException');
  });

  it('a qualifier in the name that differs from Qualifier is refused', async () => {
    const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'echo:prod', Qualifier: '$LATEST' })));
    expect(err.name).toBe('InvalidParameterValueException');
    expect(err.message).toBe('The derived qualifier from the function name does not match the specified qualifier.');
  });

  it('a malformed function name is a ValidationException', async () => {
    const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'bad name!' })));
    expect(err.name).toBe('ValidationException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(
      /^1 validation error detected: Value 'bad name!' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: \(arn:/,
    );
  });

  it('a function error is 200 with X-Amz-Function-Error and the error object', async () => {
    const out = await server.client.send(new InvokeCommand({ FunctionName: 'fail' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const error = JSON.parse(decode(out.Payload));
    expect(error).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
    expect(error.trace[0]).toBe('TypeError: boom');
  });

  it('LogType Tail returns the base64 log tail for sync invokes only', async () => {
    const out = await server.client.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'Tail' }));
    const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    expect(log).toContain(`START RequestId: ${out.$metadata.requestId} Version: $LATEST`);
    const ev = await server.client.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'Tail', InvocationType: 'Event' }));
    expect(ev.LogResult).toBeUndefined();
  });

  it('passes X-Amz-Client-Context to sync invocations, and refuses one that is not base64 JSON', async () => {
    const cc = Buffer.from(JSON.stringify({ custom: { k: 'v' } })).toString('base64');
    const out = await server.client.send(new InvokeCommand({ FunctionName: 'echo', ClientContext: cc }));
    expect(body(out.Payload).clientContext).toMatchObject({ custom: { k: 'v' } });
    const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'echo', ClientContext: 'not json' })));
    expect(err.name).toBe('InvalidRequestContentException');
    expect(err.message).toBe('Client context must be a valid Base64-encoded JSON object.');
  });

  it('DryRun answers 204 without running the function', async () => {
    const out = await server.client.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'DryRun', Payload: Buffer.from('{"dry":1}') }));
    expect(out.StatusCode).toBe(204);
    expect(decode(out.Payload)).toBe('');
    // A sync invoke after it is the first thing the function ever recorded.
    await server.client.send(new InvokeCommand({ FunctionName: 'record', Payload: Buffer.from('{"wet":1}') }));
    expect((await server.recorded('svc-dev-record')).map((r) => r.event)).toEqual([{ wet: 1 }]);
    const missing = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'nope', InvocationType: 'DryRun' })));
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  it('Event answers 202 at once, then the event runs under the 202\'s request id', async () => {
    const out = await server.client.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'Event', Payload: Buffer.from('{"e":1}') }));
    expect(out.StatusCode).toBe(202);
    expect(decode(out.Payload)).toBe('');
    expect(out.ExecutedVersion).toBeUndefined();
    const ran = await waitFor(
      async () => (await server.recorded('svc-dev-record')).find((r) => (r.event as { e?: number }).e === 1),
      'the event to run',
    );
    expect(ran.requestId).toBe(out.$metadata.requestId);
  });

  it('an Event for an unknown function is a 404, and nothing is queued', async () => {
    const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'nope', InvocationType: 'Event' })));
    expect(err.name).toBe('ResourceNotFoundException');
    expect(server.lambda.queue.size).toBe(0);
  });

  it('an unknown invocation type or log type is a ValidationException', async () => {
    const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Later' as never })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      "1 validation error detected: Value 'Later' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
    );
    const log = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'All' as never })));
    expect(log.message).toBe(
      "1 validation error detected: Value 'All' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]",
    );
  });

  it('a payload that is not JSON is an InvalidRequestContentException', async () => {
    const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":') })));
    expect(err.name).toBe('InvalidRequestContentException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(/^Could not parse request body into json: Could not parse payload into json: /);
    const tok = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('hello') })));
    expect(tok.message).toBe(
      "Could not parse request body into json: Could not parse payload into json: Unrecognized token 'hello': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    );
  });
});

describe('payload limits', () => {
  const jsonOfSize = (n: number): Buffer => Buffer.from(`"${'a'.repeat(n - 2)}"`);

  it('sync: 6,291,456 bytes pass, one more is a 413 RequestEntityTooLargeException', async () => {
    const ok = await server.client.send(new InvokeCommand({ FunctionName: 'length', Payload: jsonOfSize(6_291_456) }));
    expect(ok.StatusCode).toBe(200);
    expect(decode(ok.Payload)).toBe(String(6_291_456 - 2));
    const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'length', Payload: jsonOfSize(6_291_457) })));
    expect(err.name).toBe('RequestEntityTooLargeException');
    expect(err.$metadata.httpStatusCode).toBe(413);
    expect(err.message).toBe('Request must be smaller than 6291456 bytes for the InvokeFunction operation');
    // The server still serves after refusing a body.
    const after = await server.client.send(new InvokeCommand({ FunctionName: 'length', Payload: Buffer.from('"abc"') }));
    expect(decode(after.Payload)).toBe('3');
  });

  it('async: 1,048,576 bytes are queued, one more is a 413 naming the Event limit', async () => {
    const ok = await server.client.send(new InvokeCommand({ FunctionName: 'length', InvocationType: 'Event', Payload: jsonOfSize(1_048_576) }));
    expect(ok.StatusCode).toBe(202);
    const err = await rejection(
      server.client.send(new InvokeCommand({ FunctionName: 'length', InvocationType: 'Event', Payload: jsonOfSize(1_048_577) })),
    );
    expect(err.name).toBe('RequestEntityTooLargeException');
    expect(err.$metadata.httpStatusCode).toBe(413);
    expect(err.message).toBe('1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)');
  });

  it('a sync response over 6 MB becomes Function.ResponseSizeTooLarge', async () => {
    const out = await server.client.send(new InvokeCommand({ FunctionName: 'big', Payload: Buffer.from('{"n":6291600}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(decode(out.Payload))).toEqual({
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
    const fits = await server.client.send(new InvokeCommand({ FunctionName: 'big', Payload: Buffer.from('{"n":6291554}') }));
    expect(fits.FunctionError).toBeUndefined();
    expect(fits.Payload!.byteLength).toBe(6_291_556);
  });
});

describe('InvokeAsync (deprecated)', () => {
  it('answers 202 {Status:202} and runs the event', async () => {
    const out = await server.client.send(new InvokeAsyncCommand({ FunctionName: 'record', InvokeArgs: Buffer.from('{"old":true}') }));
    expect(out.Status).toBe(202);
    await waitFor(
      async () => (await server.recorded('svc-dev-record')).find((r) => (r.event as { old?: boolean }).old === true),
      'the InvokeAsync event',
    );
  });

  it('keeps the old 256 KB limit', async () => {
    const err = await rejection(
      server.client.send(new InvokeAsyncCommand({ FunctionName: 'echo', InvokeArgs: Buffer.from(`"${'a'.repeat(262_144 - 1)}"`) })),
    );
    expect(err.name).toBe('RequestEntityTooLargeException');
    expect(err.message).toBe('262145 byte payload is too large for the Event invocation type (limit 262144 bytes)');
  });
});

describe('GetFunctionConfiguration / GetFunction / ListFunctions', () => {
  it('GetFunctionConfiguration has AWS fields', async () => {
    const c = await server.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'reserved' }));
    expect(c).toMatchObject({
      FunctionName: 'svc-dev-reserved',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-reserved',
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::000000000000:role/svc-dev-us-east-1-lambdaRole',
      Handler: 'handlers.noop',
      Description: 'keeps five',
      Timeout: 30,
      MemorySize: 256,
      LastModified: '2026-01-02T03:04:05.678+0000',
      Version: '$LATEST',
      Environment: { Variables: { OUT_DIR: server.out, A: '1' } },
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: ['arm64'],
      EphemeralStorage: { Size: 1024 },
      TracingConfig: { Mode: 'PassThrough' },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO', LogGroup: '/aws/lambda/svc-dev-reserved' },
    });
    expect(typeof c.CodeSize).toBe('number');
    expect(c.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(c.RevisionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const text = await server.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    expect(text.LoggingConfig).toEqual({ LogFormat: 'Text', LogGroup: '/aws/lambda/svc-dev-echo' });
    expect([text.Description, text.EphemeralStorage]).toEqual(['', { Size: 512 }]);
  });

  it("GetFunction's Code.Location, CodeSize and CodeSha256 describe the built bundle", async () => {
    await server.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{}') }));
    const f = await server.client.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(f.Code?.Location).toMatch(/^file:\/\//);
    const bundle = readFileSync(fileURLToPath(f.Code!.Location!));
    expect(f.Configuration?.CodeSize).toBe(bundle.byteLength);
    expect(f.Configuration?.CodeSha256).toBe(createHash('sha256').update(bundle).digest('base64'));
  });

  it('GetFunction has Configuration, Code and Concurrency when reserved', async () => {
    const f = await server.client.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-reserved' }));
    expect(f.Configuration?.FunctionName).toBe('svc-dev-reserved');
    expect(f.Code?.RepositoryType).toBe('S3');
    expect(typeof f.Code?.Location).toBe('string');
    expect(f.Concurrency).toEqual({ ReservedConcurrentExecutions: 5 });
    const e = await server.client.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(e.Concurrency).toBeUndefined();
    const err = await rejection(server.client.send(new GetFunctionCommand({ FunctionName: 'ghost' })));
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost');
  });

  it('ListFunctions pages with Marker / MaxItems in name order', async () => {
    const all = await server.client.send(new ListFunctionsCommand({}));
    expect(all.Functions!.map((f) => f.FunctionName)).toEqual([
      'svc-dev-big',
      'svc-dev-echo',
      'svc-dev-fail',
      'svc-dev-length',
      'svc-dev-record',
      'svc-dev-reserved',
    ]);
    expect(all.NextMarker).toBeUndefined();
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await server.client.send(new ListFunctionsCommand({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      pages++;
      expect(page.Functions!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Functions!.map((f) => f.FunctionName!));
      marker = page.NextMarker;
    } while (marker);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.Functions!.map((f) => f.FunctionName));
    const err = await rejection(server.client.send(new ListFunctionsCommand({ MaxItems: 0 })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });
});

describe('the edges of the API', () => {
  function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.listener.port, method, path, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('a request without Authorization is a 403 MissingAuthenticationTokenException', async () => {
    const r = await raw('POST', '/2015-03-31/functions/echo/invocations');
    expect(r.status).toBe(403);
    expect(r.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(JSON.parse(r.body).message).toBe('Missing Authentication Token');
  });

  it('an operation eddy does not emulate is a 404 UnknownOperationException', async () => {
    const err = await rejection(server.client.send(new DeleteFunctionCommand({ FunctionName: 'echo' })));
    expect(err.name).toBe('UnknownOperationException');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(err.message).toBe('eddy does not emulate DELETE /2015-03-31/functions/echo');
    const acct = await rejection(server.client.send(new GetAccountSettingsCommand({})));
    expect(acct.name).toBe('UnknownOperationException');
    expect(acct.message).toBe('eddy does not emulate GET /2016-08-19/account-settings');
  });

  it('serves the same API over h2c (HTTP/2 prior knowledge) on the same port', async () => {
    const h2 = new LambdaClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: new NodeHttp2Handler(),
      maxAttempts: 1,
    });
    try {
      const out = await h2.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"h2":true}') }));
      expect(body(out.Payload).event).toEqual({ h2: true });
      const err = await rejection(h2.send(new InvokeCommand({ FunctionName: 'nope' })));
      expect(err.name).toBe('ResourceNotFoundException');
    } finally {
      h2.destroy();
    }
  });

  it('a failure that is not an AWS error is a 500 ServiceException', async () => {
    const runtime = server.runtime as unknown as { invoke: (...a: unknown[]) => Promise<unknown> };
    const real = runtime.invoke;
    runtime.invoke = async () => {
      throw new EddyError('EDDY_ERR_STOPPED');
    };
    try {
      const err = await rejection(server.client.send(new InvokeCommand({ FunctionName: 'echo' })));
      expect(err.name).toBe('ServiceException');
      expect(err.$metadata.httpStatusCode).toBe(500);
      expect(err.message).toBe('An internal error occurred.');
    } finally {
      runtime.invoke = real;
    }
  });

  it('matches() claims the Lambda routes but not the event-source mappings', () => {
    const m = (url: string): boolean => server.lambda.api.matches({ url } as never);
    expect(m('/2015-03-31/functions/x/invocations')).toBe(true);
    expect(m('/2015-03-31/functions')).toBe(true);
    expect(m('/2015-03-31/functions/?MaxItems=1')).toBe(true);
    expect(m('/2014-11-13/functions/x/invoke-async/')).toBe(true);
    expect(m('/2015-03-31/event-source-mappings/')).toBe(false);
    expect(m('/')).toBe(false);
    expect(m('/2015-03-31/functionsX')).toBe(false);
    expect(m('/2017-10-31/functions/x/concurrency')).toBe(true);
    expect(m('/2021-11-15/functions/x/response-streaming-invocations')).toBe(true);
    expect(m('/2016-08-19/account-settings/')).toBe(true);
    expect(m('/2015-03-31/event-source-mappings')).toBe(false);
  });
});
