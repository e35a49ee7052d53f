// The FunctionRuntime facade: name resolution, DryRun, request validation, INIT errors from bundling,
// hot reload (rebuild and reload swap the pool; a build error keeps the old code), and close.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { hasErrorCode } from '../../../runtime/errors.ts';
import { FunctionRuntime } from '../../../runtime/lambda/runtime.ts';
import type { LambdaServiceError } from '../../../runtime/lambda/types.ts';
import { fnConfig, harness, invokeJson, json, MemorySink, request, SERVICE_DIR, serviceConfig, type Harness } from './helpers.ts';

let h: Harness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<LambdaServiceError> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as LambdaServiceError,
  );
}

describe('resolve', () => {
  test('key, deployed name, name:qualifier, full and partial ARN', async () => {
    h = await harness([fnConfig('ingest', 'faults.ok')]);
    for (const name of [
      'ingest',
      'svc-dev-ingest',
      'svc-dev-ingest:$LATEST',
      'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-ingest',
      'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-ingest:$LATEST',
      '000000000000:function:svc-dev-ingest',
    ]) {
      expect(h.runtime.resolve(name).key).toBe('ingest');
    }
    expect(h.runtime.functions().map((f) => f.name)).toEqual(['svc-dev-ingest']);
  });

  test("unknown names get AWS's 404", async () => {
    h = await harness([fnConfig('ingest', 'faults.ok')]);
    const notFound = (arn: string) => ({ name: 'ResourceNotFoundException', statusCode: 404, message: `Function not found: ${arn}` });
    expect(() => h!.runtime.resolve('nope')).toThrow();
    expect(await rejection(h.runtime.invoke(request('nope')))).toEqual(notFound('arn:aws:lambda:us-east-1:000000000000:function:nope'));
    expect(await rejection(h.runtime.invoke(request('ingest:7')))).toEqual(notFound('arn:aws:lambda:us-east-1:000000000000:function:svc-dev-ingest:7'));
    expect(await rejection(h.runtime.invoke(request('arn:aws:lambda:eu-west-1:000000000000:function:svc-dev-ingest')))).toEqual(
      notFound('arn:aws:lambda:us-east-1:000000000000:function:svc-dev-ingest'),
    );
    expect(await rejection(h.runtime.invoke(request('ingest:$LATEST', {}, { qualifier: '1' })))).toMatchObject({
      name: 'InvalidParameterValueException',
      statusCode: 400,
    });
  });
});

describe('requests', () => {
  test('DryRun answers 204 without running anything', async () => {
    h = await harness([fnConfig('ingest', 'faults.ok')]);
    const r = await h.runtime.invoke(request('ingest', {}, { invocationType: 'DryRun' }));
    expect(r).toMatchObject({ statusCode: 204, functionError: undefined, logResult: undefined, executedVersion: '$LATEST' });
    expect(r.payload.byteLength).toBe(0);
    expect(h.sink.of('ingest')).toEqual([]);
  });

  test('RequestResponse answers 200 with the result and $LATEST', async () => {
    h = await harness([fnConfig('ingest', 'faults.ok')]);
    const r = await h.runtime.invoke({ functionName: 'ingest', payload: new Uint8Array(0) });
    expect(r.statusCode).toBe(200);
    expect(r.executedVersion).toBe('$LATEST');
    expect(json(r)).toEqual({ ok: true, event: {} });
  });

  test('a payload that is not JSON is a 400, a too large one a 413', async () => {
    h = await harness([fnConfig('ingest', 'faults.ok')]);
    expect(await rejection(h.runtime.invoke({ functionName: 'ingest', payload: Buffer.from('{nope') }))).toMatchObject({
      name: 'InvalidRequestContentException',
      statusCode: 400,
      message: expect.stringMatching(/^Could not parse request body into json: Could not parse payload into json: /),
    });
    expect(await rejection(h.runtime.invoke({ functionName: 'ingest', payload: Buffer.alloc(6 * 1024 * 1024 + 1, 0x20) }))).toEqual({
      name: 'RequestEntityTooLargeException',
      statusCode: 413,
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
  });

  test('a payload given as text is the same event as its bytes, its UTF-8 size checked against the limit', async () => {
    h = await harness([fnConfig('ingest', 'faults.ok')]);
    const event = { key: 'ключ', n: 1 };
    const r = await h.runtime.invoke({ functionName: 'ingest', payload: JSON.stringify(event) });
    expect(json(r)).toEqual({ ok: true, event });
    expect(await rejection(h.runtime.invoke({ functionName: 'ingest', payload: '{nope' }))).toMatchObject({ name: 'InvalidRequestContentException' });
    // 3 146 000 characters of two UTF-8 bytes each: under the limit in characters, over it in bytes.
    const big = `"${'é'.repeat(3_146_000)}"`;
    expect(await rejection(h.runtime.invoke({ functionName: 'ingest', payload: big }))).toMatchObject({ name: 'RequestEntityTooLargeException', statusCode: 413 });
  });

  test('a response over 6 MB is Function.ResponseSizeTooLarge', async () => {
    h = await harness([fnConfig('big', 'faults.big')]);
    const ok = await invokeJson(h, 'big', { size: 1000 });
    expect(ok.body).toBe('x'.repeat(1000));
    const { result, body } = await invokeJson(h, 'big', { size: 6291556 });
    expect(result.functionError).toBe('Unhandled');
    expect(body).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  });

  test('Event invocations are not the runtime’s (the async queue calls back with RequestResponse)', async () => {
    h = await harness([fnConfig('ingest', 'faults.ok')]);
    expect(await rejection(h.runtime.invoke(request('ingest', {}, { invocationType: 'Event' })))).toMatchObject({
      name: 'InvalidParameterValueException',
      statusCode: 400,
    });
  });
});

describe('INIT errors', () => {
  test.each([
    ['../escape.handler', 'Runtime.MalformedHandlerName', "'../escape.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names."],
    ['missing.handler', 'Runtime.ImportModuleError', "Error: Cannot find module 'missing'\nRequire stack:\n- /var/runtime/index.mjs"],
    ['faults.nope', 'Runtime.HandlerNotFound', 'faults.nope is undefined or not exported'],
    ['faults.notAFunction', 'Runtime.HandlerNotFound', 'faults.notAFunction is not a function'],
  ])('%s gives %s', async (handler, errorType, errorMessage) => {
    h = await harness([fnConfig('f', handler)]);
    for (let i = 0; i < 2; i++) {
      const { result, body } = await invokeJson(h, 'f');
      expect(result.functionError).toBe('Unhandled');
      expect(body['errorType']).toBe(errorType);
      expect(body['errorMessage']).toBe(errorMessage);
      expect((body['trace'] as string[])[0]).toBe(`${errorType}: ${errorMessage.split('\n')[0]}`);
    }
    expect(h.sink.of('f')).toContainEqual(expect.stringMatching(new RegExp(`^INIT_REPORT Init Duration: [\\d.]+ ms\\tPhase: init\\tStatus: error\\tError Type: ${errorType.replace('.', '\\.')}$`)));
  });

  test('process.exit during INIT is Runtime.ExitError and an INIT_REPORT', async () => {
    h = await harness([fnConfig('f', 'init-exit.handler')]);
    const { result, body } = await invokeJson(h, 'f');
    expect(body).toEqual({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 7` });
    expect(h.sink.of('f')[0]).toMatch(/^INIT_START Runtime Version: /);
    expect(h.sink.of('f')[1]).toMatch(/^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.ExitError$/);
  });

  test('a syntax error is Runtime.UserCodeSyntaxError naming file:line', async () => {
    h = await harness([fnConfig('f', 'broken/syntax.handler')]);
    const { body } = await invokeJson(h, 'f');
    expect(body['errorType']).toBe('Runtime.UserCodeSyntaxError');
    expect(body['errorMessage']).toMatch(/^SyntaxError: Expected "}" but found ";"$/);
    expect((body['trace'] as string[])[1]).toMatch(/^    at .*\/broken\/syntax\.mjs:2:\d+$/);
    expect(h.sink.notices.some((n) => /^f: .*\/broken\/syntax\.mjs:2:\d+: ERROR: Expected "}" but found ";"$/.test(n))).toBe(true);
  });

  // The RIC wraps only CommonJS's MODULE_NOT_FOUND as Runtime.ImportModuleError; an ES module's
  // failure is Node's own Error (aws/aws-lambda-base-images#80). What counts is the importing file's format.
  test('an import that cannot be resolved from an ES module is Node\'s Error, as the RIC rethrows it', async () => {
    h = await harness([fnConfig('f', 'broken/missing-dep.handler')]);
    const { result, body } = await invokeJson(h, 'f');
    const message = `Cannot find package 'not-installed-anywhere' imported from ${path.join(SERVICE_DIR, 'broken/missing-dep.mjs')}`;
    expect(result.functionError).toBe('Unhandled');
    expect(body).toEqual({ errorType: 'Error', errorMessage: message, trace: [`Error [ERR_MODULE_NOT_FOUND]: ${message}`] });
  });

  test.each([
    ['.js under "type": "module"', '{"type":"module"}', 'h.js', "import x from 'not-installed-anywhere/sub';\nexport const handler = async () => x;\n", 'esm'],
    ['.ts under "type": "module"', '{"type":"module"}', 'h.ts', "import x from 'not-installed-anywhere/sub';\nexport const handler = async () => x;\n", 'esm'],
    ['.ts compiled to CommonJS', '{}', 'h.ts', "import x from 'not-installed-anywhere/sub';\nexport const handler = async () => x;\n", 'cjs'],
    ['.js CommonJS', '{}', 'h.js', "const x = require('not-installed-anywhere/sub');\nexports.handler = async () => x;\n", 'cjs'],
    ['.cjs', '{"type":"module"}', 'h.cjs', "const x = require('not-installed-anywhere/sub');\nexports.handler = async () => x;\n", 'cjs'],
  ])('an import that cannot be resolved from a %s file', async (_kind, pkg, file, text, format) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'package.json'), pkg);
    await writeFile(path.join(dir, file), text);
    h = await harness([fnConfig('f', 'h.handler')], { service: { dir } });
    const { body } = await invokeJson(h, 'f');
    const importer = path.join(dir, file);
    expect(body).toEqual(
      format === 'esm'
        ? { errorType: 'Error', errorMessage: `Cannot find package 'not-installed-anywhere' imported from ${importer}`, trace: [expect.stringMatching(/^Error \[ERR_MODULE_NOT_FOUND\]: /)] }
        : {
            errorType: 'Runtime.ImportModuleError',
            errorMessage: `Error: Cannot find module 'not-installed-anywhere/sub'\nRequire stack:\n- ${importer}\n- /var/runtime/index.mjs`,
            trace: expect.any(Array),
          },
    );
  });

  test('the importing file decides: a CommonJS file imported by an ES module handler gets the CommonJS error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'h.mjs'), "import lib from './lib.cjs';\nexport const handler = async () => lib;\n");
    await writeFile(path.join(dir, 'lib.cjs'), "module.exports = require('not-installed-anywhere');\n");
    h = await harness([fnConfig('f', 'h.handler')], { service: { dir } });
    const { body } = await invokeJson(h, 'f');
    expect(body['errorType']).toBe('Runtime.ImportModuleError');
    expect(body['errorMessage']).toBe(`Error: Cannot find module 'not-installed-anywhere'\nRequire stack:\n- ${path.join(dir, 'lib.cjs')}\n- /var/runtime/index.mjs`);
  });

  test.each([
    ['an ES module', 'h.mjs', "import x from 'not-installed-anywhere';\nexport const handler = async () => x;\n", 'Error', /^Cannot find package 'not-installed-anywhere' imported from .*\/index\.mjs$/],
    ['a CommonJS module', 'h.cjs', "const x = require('not-installed-anywhere');\nexports.handler = async () => x;\n", 'Runtime.ImportModuleError', /^Error: Cannot find module 'not-installed-anywhere'\nRequire stack:\n/],
  ])('a package left out of the bundle (exclude) and not installed fails loading %s as on AWS', async (_kind, file, text, errorType, message) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    dirs.push(dir);
    await writeFile(path.join(dir, file), text);
    h = await harness([fnConfig('f', 'h.handler')], { service: { dir, esbuild: { exclude: ['not-installed-anywhere'] } } });
    const { result, body } = await invokeJson(h, 'f');
    expect(result.functionError).toBe('Unhandled');
    expect(body['errorType']).toBe(errorType);
    expect(body['errorMessage']).toMatch(message);
  });

  test('build.esbuild options are honoured', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'defined.mjs'), 'export const handler = async () => BUILD_FLAVOUR;\n');
    h = await harness([fnConfig('f', 'defined.handler')], { service: { dir, esbuild: { define: { BUILD_FLAVOUR: '"local"' }, exclude: ['@aws-sdk/*'] } } });
    expect((await invokeJson(h, 'f')).body).toBe('local');
  });
});

/** Writes a file the way editors and watch tests should: whole, by rename. */
async function atomicWrite(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

describe('hot reload', () => {
  test('rebuild swaps the code; in-flight invocations finish on the old pool', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    dirs.push(dir);
    const file = path.join(dir, 'handler.ts');
    const version = (v: number) =>
      `export const handler = async (event: { ms?: number }) => {\n  await new Promise((r) => setTimeout(r, event.ms ?? 0));\n  return ${v};\n};\n`;
    await atomicWrite(file, version(1));
    h = await harness([fnConfig('f', 'handler.handler')], { service: { dir } });
    expect((await invokeJson(h, 'f')).body).toBe(1);
    const inFlight = invokeJson(h, 'f', { ms: 300 });
    await atomicWrite(file, version(2));
    const rebuilt = await h.runtime.rebuild('f');
    expect(rebuilt.inputs).toEqual([file]);
    expect((await invokeJson(h, 'f')).body).toBe(2);
    expect((await inFlight).body).toBe(1);
    // Same code again: the warm pool is kept.
    await h.runtime.rebuild('f');
    const seen = h.sink.of('f').length;
    await invokeJson(h, 'f');
    const report = h.sink.of('f').slice(seen).at(-1);
    expect(report).toMatch(/^REPORT RequestId: /);
    expect(report).not.toMatch(/Init Duration/);
  });

  test('a build error keeps the old code serving and names file:line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    dirs.push(dir);
    const file = path.join(dir, 'handler.mjs');
    await atomicWrite(file, 'export const handler = async () => "good";\n');
    h = await harness([fnConfig('f', 'handler.handler')], { service: { dir } });
    expect((await invokeJson(h, 'f')).body).toBe('good');
    await atomicWrite(file, 'export const handler = async () => {\n  return "bad"\n');
    const err = await h.runtime.rebuild('f').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(hasErrorCode(err, 'EDDY_ERR_BUILD_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: ERROR: `));
    expect((await invokeJson(h, 'f')).body).toBe('good');
  });

  test('reload applies changed config and drops removed functions', async () => {
    h = await harness([fnConfig('env', 'faults.env', { environment: { V: '1' } }), fnConfig('gone', 'faults.ok')]);
    expect((await invokeJson(h, 'env')).body['V']).toBe('1');
    expect((await invokeJson(h, 'gone')).result.functionError).toBeUndefined();
    const result = await h.runtime.reload(serviceConfig([fnConfig('env', 'faults.env', { environment: { V: '2' } }), fnConfig('new', 'faults.ok')]));
    expect(result.failures).toEqual([]);
    expect((await invokeJson(h, 'env')).body['V']).toBe('2');
    expect((await invokeJson(h, 'new')).result.functionError).toBeUndefined();
    expect(await rejection(h.runtime.invoke(request('gone')))).toMatchObject({ name: 'ResourceNotFoundException', statusCode: 404 });
  });
});

describe('close', () => {
  test('in-flight invocations fail with EDDY_ERR_STOPPED, and later ones too', async () => {
    const sink = new MemorySink();
    const runtime = await FunctionRuntime.create({ config: serviceConfig([fnConfig('sleep', 'faults.sleep')]), endpoint: 'http://127.0.0.1:1', logSink: sink });
    await runtime.invoke(request('sleep', { ms: 1 }));
    const inFlight = runtime.invoke(request('sleep', { ms: 5000 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 50));
    await runtime.close();
    expect(hasErrorCode(await inFlight, 'EDDY_ERR_STOPPED')).toBe(true);
    expect(hasErrorCode(await runtime.invoke(request('sleep')).catch((e: unknown) => e), 'EDDY_ERR_STOPPED')).toBe(true);
  });
});
