// The contract per invocation: context object, environment variables, module scope, handler styles,
// TypeScript with local and npm imports, layers and the AWS SDK left external.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../../helpers/kinesis.ts';
import { fnConfig, harness, invokeJson, SERVICE_DIR, type Harness } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let h: Harness;
/** Stands in for eddy's endpoint: records what the handlers' SDK clients send. */
let server: http.Server;
const seen: Array<{ url: string | undefined; authorization: string | undefined }> = [];
let endpoint = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"Functions":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  h = await harness(
    [
      fnConfig('context', 'faults.context', { memorySize: 512, timeout: 7 }),
      fnConfig('env', 'faults.env', { environment: { GREETING: 'hi', AWS_REGION: 'eu-west-9' } }),
      fnConfig('otherEnv', 'faults.env', { environment: { ONLY_HERE: 'yes' } }),
      fnConfig('tmp', 'faults.tmp'),
      fnConfig('counter', 'faults.counter'),
      fnConfig('counter24', 'faults.counter', { runtime: 'nodejs24.x' }),
      fnConfig('frozen', 'frozen.handler'),
      fnConfig('nested', 'faults.nested.deeper.handler'),
      fnConfig('undef', 'faults.undef'),
      fnConfig('typed', 'src/typed.handler'),
      fnConfig('callback', 'callback.handler'),
      fnConfig('callbackFails', 'callback.fails'),
      fnConfig('succeed', 'callback.succeed'),
      fnConfig('waits', 'callback.waits'),
      fnConfig('noWait', 'callback.noWait'),
      fnConfig('plain', 'callback.plain'),
      fnConfig('waitsForPromiseTimer', 'callback.waitsForPromiseTimer', { timeout: 3 }),
      fnConfig('promiseTimersWork', 'faults.promiseTimersWork'),
      fnConfig('callbackThenSucceed', 'callback.callbackThenSucceed'),
      fnConfig('callbackThenThrow', 'callback.callbackThenThrow'),
      fnConfig('asyncCallsBack', 'callback.asyncCallsBack'),
      fnConfig('callback24', 'callback.handler', { runtime: 'nodejs24.x' }),
      fnConfig('asyncThree24', 'callback.asyncThree', { runtime: 'nodejs24.x' }),
      fnConfig('context24', 'faults.context', { runtime: 'nodejs24.x' }),
      fnConfig('layered', 'layered.handler', {
        layers: [path.join(SERVICE_DIR, 'layers/one'), path.join(SERVICE_DIR, 'layers/two')],
      }),
      fnConfig('layeredDynamic', 'layered-dynamic.handler', {
        layers: [path.join(SERVICE_DIR, 'layers/one'), path.join(SERVICE_DIR, 'layers/two')],
      }),
      fnConfig('sdk', 'sdk.handler'),
    ],
    { endpoint, service: { region: 'eu-central-1' } },
  );
});
afterAll(async () => {
  await h.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('context', () => {
  test('a fresh context with Lambda members', async () => {
    const { result, body } = await invokeJson(h, 'context', {}, { clientContext: Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString('base64') });
    expect(body['awsRequestId']).toBe(result.requestId);
    expect(body['awsRequestId']).toMatch(UUID);
    expect(body['functionName']).toBe('svc-dev-context');
    expect(body['functionVersion']).toBe('$LATEST');
    expect(body['memoryLimitInMB']).toBe('512');
    expect(body['invokedFunctionArn']).toBe('arn:aws:lambda:eu-central-1:000000000000:function:svc-dev-context');
    expect(body['logGroupName']).toBe('/aws/lambda/svc-dev-context');
    expect(body['logStreamName']).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(body['callbackWaitsForEmptyEventLoop']).toBe(true);
    expect(body['clientContext']).toEqual({ custom: { a: 1 } });
    expect(body['hasDone']).toBe(true);
    const remaining = body['remaining'] as number;
    expect(remaining).toBeGreaterThan(5_000);
    expect(remaining).toBeLessThanOrEqual(7_000);
  });

  test('a qualifier shows in invokedFunctionArn; each invocation gets its own request id', async () => {
    const a = await invokeJson(h, 'svc-dev-context:$LATEST');
    const b = await invokeJson(h, 'context', {}, { qualifier: '$LATEST' });
    expect(a.body['invokedFunctionArn']).toBe('arn:aws:lambda:eu-central-1:000000000000:function:svc-dev-context:$LATEST');
    expect(b.body['invokedFunctionArn']).toBe('arn:aws:lambda:eu-central-1:000000000000:function:svc-dev-context:$LATEST');
    expect(a.body['awsRequestId']).not.toBe(b.body['awsRequestId']);
    // Same environment (warm), same log stream.
    expect(a.body['logStreamName']).toBe(b.body['logStreamName']);
  });

  test('nodejs24.x has no done/succeed/fail', async () => {
    const { body } = await invokeJson(h, 'context24');
    expect(body['hasDone']).toBe(false);
    expect(body['functionName']).toBe('svc-dev-context24');
  });
});

describe('environment', () => {
  test('reserved variables, user variables, endpoint, TZ and TMPDIR', async () => {
    const { body } = await invokeJson(h, 'env');
    expect(body).toMatchObject({
      GREETING: 'hi',
      AWS_REGION: 'eu-central-1',
      AWS_DEFAULT_REGION: 'eu-central-1',
      AWS_LAMBDA_FUNCTION_NAME: 'svc-dev-env',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/svc-dev-env',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      _HANDLER: 'faults.env',
      LAMBDA_TASK_ROOT: SERVICE_DIR,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SESSION_TOKEN: 'test',
      TZ: 'UTC',
    });
    expect(body['AWS_LAMBDA_LOG_STREAM_NAME']).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(body['TMPDIR']).toBe(path.join(h.dataDir, 'tmp', 'env'));
    expect(body['ONLY_HERE']).toBeUndefined();
  });

  test("one function's variables never reach another's", async () => {
    const { body } = await invokeJson(h, 'otherEnv');
    expect(body['ONLY_HERE']).toBe('yes');
    expect(body['GREETING']).toBeUndefined();
    expect(body['AWS_LAMBDA_FUNCTION_NAME']).toBe('svc-dev-otherEnv');
    expect(process.env['ONLY_HERE']).toBeUndefined();
    expect(process.env['AWS_LAMBDA_FUNCTION_NAME']).toBeUndefined();
  });

  test('the tmp dir is writable', async () => {
    const { body } = await invokeJson(h, 'tmp');
    expect(body).toEqual({ dir: path.join(h.dataDir, 'tmp', 'tmp'), read: 'hi' });
  });
});

describe('environments', () => {
  test('module scope persists on a warm worker', async () => {
    const first = await invokeJson(h, 'counter');
    const second = await invokeJson(h, 'counter');
    expect(second.body).toBe((first.body as unknown as number) + 1);
  });

  test('but not across environments (two functions, or two at once)', async () => {
    const other = await invokeJson(h, 'counter24');
    expect(other.body).toBe(1);
    // Two concurrent invocations need two environments; the new one starts from a fresh module scope.
    const [a, b] = await Promise.all([invokeJson(h, 'counter24'), invokeJson(h, 'counter24')]);
    expect([a.body, b.body].sort()).toEqual([1, 2]);
  });

  test('an idle environment is frozen: a timer set at INIT does not run between invocations', async () => {
    const before = (await invokeJson(h, 'frozen')).body as unknown as number;
    const since = performance.now();
    await waitFor(() => performance.now() - since >= 50);
    const after = (await invokeJson(h, 'frozen')).body as unknown as number;
    // Its 1 ms interval would tick dozens of times in that wait; only an invocation's own turns of the
    // event loop (the one after the first answer) can run it.
    expect(after - before).toBeLessThanOrEqual(2);
  });
});

describe('handlers', () => {
  test('a nested export path', async () => {
    expect((await invokeJson(h, 'nested')).body).toBe('nested');
  });

  test('undefined answers null', async () => {
    const { result } = await invokeJson(h, 'undef');
    expect(Buffer.from(result.payload).toString()).toBe('null');
  });

  test('a TypeScript handler with a local module and an npm dependency', async () => {
    const { result, body } = await invokeJson(h, 'typed', { name: 'eddy' });
    expect(result.functionError).toBeUndefined();
    expect(body).toEqual({ greeting: 'HELLO EDDY!', requestId: result.requestId });
  });

  test('its error stack names the .ts files and lines', async () => {
    const { result, body } = await invokeJson(h, 'typed', { fail: true });
    expect(result.functionError).toBe('Unhandled');
    expect(body['errorMessage']).toBe('exploded in greet.ts');
    const trace = body['trace'] as string[];
    expect(trace[1]).toBe(`    at explode (${path.join(SERVICE_DIR, 'src/lib/greet.ts')}:9:9)`);
    expect(trace[2]).toBe(`    at handler (${path.join(SERVICE_DIR, 'src/typed.ts')}:11:19)`);
  });

  test('callback handlers on nodejs20.x', async () => {
    expect((await invokeJson(h, 'callback', { n: 1 })).body).toEqual({ via: 'callback', event: { n: 1 } });
    const failed = await invokeJson(h, 'callbackFails');
    expect(failed.result.functionError).toBe('Unhandled');
    expect(failed.body['errorMessage']).toBe('callback error');
    expect((await invokeJson(h, 'succeed')).body).toEqual({ via: 'succeed' });
    expect((await invokeJson(h, 'waits')).body).toBe('answered');
    expect((await invokeJson(h, 'noWait')).body).toBe('did not wait');
    // A handler that neither returns a promise nor calls back answers null, as the RIC does.
    expect(Buffer.from((await invokeJson(h, 'plain')).result.payload).toString()).toBe('null');
  });

  test('the first of callback, context.succeed, a throw and the returned promise wins, as in the RIC', async () => {
    for (const key of ['callbackThenSucceed', 'callbackThenThrow', 'asyncCallsBack']) {
      const { result, body } = await invokeJson(h, key);
      expect(result.functionError).toBeUndefined();
      expect(body).toBe('callback first');
    }
  });

  test('the callback waits for node:timers/promises timers too, not for unref\'d ones', async () => {
    const { result, body } = await invokeJson(h, 'waitsForPromiseTimer');
    expect(result.functionError).toBeUndefined();
    expect(body).toEqual({ timerRan: true });
  });

  test('node:timers/promises and AbortSignal.timeout work as in Node within an invocation', async () => {
    for (let i = 0; i < 2; i++) {
      const { result, body } = await invokeJson(h, 'promiseTimersWork');
      expect(result.functionError).toBeUndefined();
      expect(body).toEqual({
        setTimeout: 'timeout value',
        setImmediate: 'immediate value',
        promisified: 'promisified value',
        wait: 'waited',
        yield: 'yielded',
        interval: ['tick', 'tick', 'tick'],
        ownAbort: ['AbortError', 'ABORT_ERR', 'my reason'],
        preAborted: ['AbortError', 'early'],
        badOptions: 'ERR_INVALID_ARG_TYPE',
        badSignal: 'ERR_INVALID_ARG_TYPE',
        signalTimeout: [true, 'TimeoutError', 'The operation was aborted due to timeout', true],
        badDelay: 'ERR_OUT_OF_RANGE',
      });
    }
  });

  test('callback handlers are refused on nodejs24.x, as AWS does', async () => {
    for (const key of ['callback24', 'asyncThree24']) {
      const { result, body } = await invokeJson(h, key);
      expect(result.functionError).toBe('Unhandled');
      expect(body['errorType']).toBe('Runtime.CallbackHandlerDeprecated');
      expect(body['errorMessage']).toBe(
        'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
      );
    }
    expect(h.sink.of('callback24')).toContainEqual(expect.stringMatching(/^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.CallbackHandlerDeprecated$/));
  });

  test('a Node version mismatch is noticed once per runtime', async () => {
    const host = Number(process.versions.node.split('.')[0]);
    const mismatches = h.sink.notices.filter((n) => n.startsWith('Functions declare nodejs24.x'));
    expect(mismatches.length).toBe(host === 24 ? 0 : 1);
  });
});

describe('dependencies', () => {
  test('layers are on the module path, later layers first', async () => {
    expect((await invokeJson(h, 'layered')).body).toEqual({ layer: 'two', only: 'one' });
    // At run time too (NODE_PATH), for modules the bundle could not see.
    expect((await invokeJson(h, 'layeredDynamic', { name: 'layer-pkg' })).body).toEqual({ from: 'two' });
    expect((await invokeJson(h, 'layeredDynamic', { name: 'only-one' })).body).toEqual({ only: 'one' });
  });

  test("@aws-sdk stays external and the handler's client reaches eddy's endpoint", async () => {
    const { result, body } = await invokeJson(h, 'sdk');
    expect(result.functionError).toBeUndefined();
    expect(body).toEqual({ functions: [], region: 'eu-central-1' });
    expect(seen.at(-1)?.url).toBe('/2015-03-31/functions');
    expect(seen.at(-1)?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-central-1\/lambda\/aws4_request/);
    const built = await h.runtime.inputs('sdk');
    expect(built.some((f) => f.includes('@aws-sdk'))).toBe(false);
    expect(built).toContain(path.join(SERVICE_DIR, 'sdk.mjs'));
  });
});
