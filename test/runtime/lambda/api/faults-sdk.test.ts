// Every fault of issue 4's "Done when", driven through @aws-sdk/client-lambda against a whole eddy (the
// Emulator on port 0, functions from test/fixtures/sdk-faults/serverless.yml): after each, the answer has
// AWS's shape, eddy still serves, and the next invocation of that function succeeds. And the 429 of a
// function whose reservedConcurrency slots are all held.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '../../../../runtime/index.ts';
import { rejection, waitFor } from './helpers.ts';

const fixture = path.resolve(import.meta.dirname, '../../../fixtures/sdk-faults');

let emu: Emulator;
let lambda: LambdaClient;
/** OUT_DIR of the functions: where `hold` marks that it runs and waits for `release`. */
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'eddy-sdk-faults-'));
  process.env['EDDY_TEST_SDK_FAULTS_DIR'] = out;
  emu = await Emulator.start({ dir: fixture, inMemory: true, port: 0 });
  // The endpoint, plus what the SDK needs without an AWS profile; one attempt, so a 429 is not retried.
  lambda = new LambdaClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  lambda?.destroy();
  await emu?.stop();
  await rm(out, { recursive: true, force: true });
});

async function invoke(key: string, event: unknown = {}): Promise<{ res: InvokeCommandOutput; body: unknown }> {
  const res = await lambda.send(new InvokeCommand({ FunctionName: `faults-dev-${key}`, Payload: Buffer.from(JSON.stringify(event)) }));
  return { res, body: JSON.parse(Buffer.from(res.Payload!).toString('utf8')) };
}

/** Invokes the fault and checks AWS's answer, then that the same function and eddy serve normally again. */
async function faultThenRecover(key: string, expected: (requestId: string) => Record<string, unknown>): Promise<string[]> {
  const fault = await invoke(key, { fault: true });
  expect(fault.res.StatusCode).toBe(200);
  expect(fault.res.FunctionError).toBe('Unhandled');
  expect(fault.res.ExecutedVersion).toBe('$LATEST');
  const want = expected(fault.res.$metadata.requestId!);
  expect(fault.body).toEqual(want);
  expect(Object.keys(fault.body as object)).toEqual(Object.keys(want));

  const next = await invoke(key);
  expect(next.res.StatusCode).toBe(200);
  expect(next.res.FunctionError).toBeUndefined();
  expect(next.body).toEqual({ recovered: true });
  expect((await invoke('ok')).body).toBe('ok');
  return (fault.body as { trace?: string[] }).trace ?? [];
}

describe('faults through the SDK', () => {
  it('throw: the error object, its trace the stack (with the .ts source lines)', async () => {
    const trace = await faultThenRecover('throwError', () => ({ errorType: 'Error', errorMessage: 'boom', trace: expect.any(Array) }));
    expect(trace[0]).toBe('Error: boom');
    expect(trace[1]).toMatch(/^ {4}at .*handlers\/faults\.ts:\d+:\d+\)?$/);
  });

  it('reject: the rejection reason, with its name', async () => {
    await faultThenRecover('reject', () => ({ errorType: 'TypeError', errorMessage: 'rejected', trace: expect.arrayContaining(['TypeError: rejected']) }));
  });

  it('non-Error throw: typeof and String of the value; a rejection with null is "handled"', async () => {
    await faultThenRecover('throwString', () => ({ errorType: 'string', errorMessage: 'just a string', trace: [] }));
    await faultThenRecover('rejectNull', () => ({ errorType: 'string', errorMessage: 'handled', trace: [] }));
  });

  it('while(true){} past the timeout: Sandbox.Timedout', async () => {
    await faultThenRecover('spin', (id) => ({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after 1.00 seconds` }));
  });

  it('process.exit: Runtime.ExitError', async () => {
    await faultThenRecover('exit', (id) => ({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited with error: exit status 3` }));
  });

  it('running out of memory: Runtime.OutOfMemory', async () => {
    await faultThenRecover('oom', (id) => ({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `RequestId: ${id} Error: Runtime exited with error: signal: killed`,
    }));
  }, 90_000);

  it('unhandled rejection: Runtime.UnhandledPromiseRejection', async () => {
    await faultThenRecover('unhandled', () => ({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: nobody caught me',
      trace: expect.arrayContaining(['Runtime.UnhandledPromiseRejection: Error: nobody caught me']),
    }));
  });

  it('a setInterval left running: it does not tick during the next invocation, which succeeds', async () => {
    const first = await invoke('leaveInterval', { start: true });
    expect(first.res.FunctionError).toBeUndefined();
    expect((first.body as { ticks: number }).ticks).toBeGreaterThan(0);
    const next = await invoke('leaveInterval');
    expect(next.res.StatusCode).toBe(200);
    expect(next.res.FunctionError).toBeUndefined();
    const { before, after } = next.body as { before: number; after: number };
    expect(after).toBe(before);
    expect((await invoke('ok')).body).toBe('ok');
  });
});

describe('reservedConcurrency through the SDK', () => {
  it('with every slot held a synchronous Invoke is a 429 TooManyRequestsException; the next one succeeds', async () => {
    const held = [invoke('hold'), invoke('hold')];
    await waitFor(() => readdirSync(out).filter((f) => f.endsWith('.held')).length === 2, 'both slots of hold to be held');

    const err = await rejection(lambda.send(new InvokeCommand({ FunctionName: 'faults-dev-hold' })));
    expect(err.name).toBe('TooManyRequestsException');
    expect(err.$metadata.httpStatusCode).toBe(429);
    expect(err.message).toBe('Rate Exceeded.');
    expect(err['Reason']).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');

    await writeFile(path.join(out, 'release'), '');
    for (const { res, body } of await Promise.all(held)) {
      expect(res.FunctionError).toBeUndefined();
      expect(body).toBe('released');
    }
    const next = await invoke('hold');
    expect(next.res.FunctionError).toBeUndefined();
    expect(next.body).toBe('released');
  });
});
