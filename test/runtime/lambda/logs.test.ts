// Lambda's log format: console lines, INIT_START/START/END/REPORT, Init Duration on cold starts only, JSON format,
// AWS_LAMBDA_LOG_LEVEL, the 4 KB Tail, invocation reports, and the terminal and file sinks.
import { readFile, readdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { billedDuration, fileSink, instanceIdOf, InvocationLog, PlatformLines, runtimeVersionOf, terminalSink } from '../../../runtime/lambda/logs.ts';
import { FunctionRuntime } from '../../../runtime/lambda/runtime.ts';
import type { InvocationReport } from '../../../runtime/lambda/types.ts';
import { fnConfig, harness, invokeJson, serviceConfig, type Harness } from './helpers.ts';

const TS = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
const NUM = '\\d+\\.\\d\\d';
/** INIT_START of a nodejs20.x function in us-east-1 (the harness's region); a tab between the two fields, none after. */
const INIT_START = '^INIT_START Runtime Version: nodejs:20\\.v\\d+\\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('text format', () => {
  test('console lines, START, END and REPORT exactly as Lambda prints them', async () => {
    h = await harness([fnConfig('logs', 'faults.logs')]);
    const { result } = await invokeJson(h, 'logs');
    const id = result.requestId;
    const lines = h.sink.of('logs');
    const expected = [
      INIT_START,
      `^START RequestId: ${id} Version: \\$LATEST$`,
      `^${TS}\\t${id}\\tINFO\\thello \\{ a: 1 \\}$`,
      `^${TS}\\t${id}\\tINFO\\tmulti\\rline$`,
      `^${TS}\\t${id}\\tWARN\\tcareful$`,
      `^${TS}\\t${id}\\tERROR\\tbad$`,
      `^${TS}\\t${id}\\tDEBUG\\tdetails$`,
      `^${TS}\\t${id}\\tTRACE\\tvery$`,
      `^raw write$`,
      `^END RequestId: ${id}$`,
      `^REPORT RequestId: ${id}\\tDuration: ${NUM} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: ${NUM} ms\\t$`,
    ];
    expect(lines.length).toBe(expected.length);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(expected[i]!)));
  });

  test('Init Duration only on a cold start; INIT_START, then INIT logs with an undefined request id, then START', async () => {
    h = await harness([fnConfig('init', 'init-log.handler')]);
    const cold = await invokeJson(h, 'init');
    const warm = await invokeJson(h, 'init');
    const lines = h.sink.of('init');
    expect(lines[0]).toMatch(new RegExp(INIT_START));
    expect(lines[1]).toMatch(new RegExp(`^${TS}\\tundefined\\tINFO\\tinitialising$`));
    expect(lines[2]).toBe(`START RequestId: ${cold.result.requestId} Version: $LATEST`);
    expect(lines[3]).toMatch(new RegExp(`^${TS}\\t${cold.result.requestId}\\tINFO\\tinvoked$`));
    // A warm start has no INIT_START.
    expect(lines.filter((l) => l.startsWith('INIT_START'))).toHaveLength(1);
    const reports = lines.filter((l) => l.startsWith('REPORT'));
    expect(reports[0]).toMatch(new RegExp(`^REPORT RequestId: ${cold.result.requestId}\\t.*\\tInit Duration: ${NUM} ms\\t$`));
    expect(reports[1]).toMatch(new RegExp(`^REPORT RequestId: ${warm.result.requestId}\\tDuration: ${NUM} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\t$`));
  });

  test('AWS_LAMBDA_LOG_LEVEL drops the lower levels', async () => {
    h = await harness([fnConfig('logs', 'faults.logs', { applicationLogLevel: 'WARN' })]);
    await invokeJson(h, 'logs');
    const levels = h.sink.of('logs').flatMap((l) => /^\S+Z\t\S+\t([A-Z]+)\t/.exec(l)?.[1] ?? []);
    expect(levels).toEqual(['WARN', 'ERROR']);
  });

  test('on nodejs24.x an init failure is logged as Init Error, as its runtime client does', async () => {
    h = await harness([fnConfig('initThrow', 'init-throw.handler', { runtime: 'nodejs24.x' })]);
    await invokeJson(h, 'initThrow');
    expect(h.sink.of('initThrow')[0]).toMatch(/^INIT_START Runtime Version: nodejs:24\.v\d+\t/);
    expect(h.sink.of('initThrow')[1]).toMatch(new RegExp(`^${TS}\\tundefined\\tERROR\\tInit Error \\t\\{"errorType":"Error","errorMessage":"init failed"`));
  });

  test('an init failure logs INIT_START, Uncaught Exception and INIT_REPORT', async () => {
    h = await harness([fnConfig('initThrow', 'init-throw.handler')]);
    const { result, body } = await invokeJson(h, 'initThrow');
    expect(body['errorType']).toBe('Error');
    expect(body['errorMessage']).toBe('init failed');
    const lines = h.sink.of('initThrow');
    expect(lines[0]).toMatch(new RegExp(INIT_START));
    expect(lines[1]).toMatch(new RegExp(`^${TS}\\tundefined\\tERROR\\tUncaught Exception \\t\\{"errorType":"Error","errorMessage":"init failed"`));
    expect(lines[2]).toMatch(new RegExp(`^INIT_REPORT Init Duration: ${NUM} ms\\tPhase: init\\tStatus: error\\tError Type: Error$`));
    expect(lines[3]).toBe(`START RequestId: ${result.requestId} Version: $LATEST`);
    expect(lines.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${result.requestId}\\t.*\\tStatus: error\\tError Type: Error\\t$`));
  });
});

describe('INIT_START', () => {
  const ARN_ID = (line: string): string => /:runtime:([0-9a-f]{64})$/.exec(line)![1]!;

  test('the exact text and JSON shapes, from the fields given', () => {
    const id = 'ab'.repeat(32);
    const fields = {
      runtimeVersion: 'nodejs:20.v48',
      runtimeVersionArn: `arn:aws:lambda:us-east-1::runtime:${id}`,
      functionName: 'svc-dev-f',
      instanceId: `2026/12/06/svc-dev-f[$LATEST]${'0'.repeat(32)}`,
      memorySizeMb: 256,
    };
    expect(new PlatformLines('Text').initStart(fields)).toBe(`INIT_START Runtime Version: nodejs:20.v48\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:${id}`);
    // Field order and instanceMaxMemory in bytes, as in real records.
    expect(new PlatformLines('JSON').initStart(fields)).toMatch(
      new RegExp(
        `^\\{"time":"${TS}","type":"platform\\.initStart","record":\\{"initializationType":"on-demand","phase":"init",` +
          `"runtimeVersion":"nodejs:20\\.v48","runtimeVersionArn":"arn:aws:lambda:us-east-1::runtime:${id}","functionName":"svc-dev-f",` +
          `"functionVersion":"\\$LATEST","instanceId":"2026/12/06/svc-dev-f\\[\\$LATEST\\]0{32}","instanceMaxMemory":268435456\\}\\}$`,
      ),
    );
    expect(instanceIdOf(`2026/12/06/[$LATEST]${'f'.repeat(32)}`, 'svc-dev-f')).toBe(`2026/12/06/svc-dev-f[$LATEST]${'f'.repeat(32)}`);
  });

  test('the runtime version follows the runtime, its ARN the region; the ARN id is stable per runtime version', async () => {
    h = await harness([fnConfig('a', 'faults.counter'), fnConfig('b', 'faults.counter', { runtime: 'nodejs22.x' })], { service: { region: 'eu-central-1' } });
    await invokeJson(h, 'a');
    await invokeJson(h, 'b');
    const a = h.sink.of('a')[0]!;
    const b = h.sink.of('b')[0]!;
    expect(a).toMatch(/^INIT_START Runtime Version: nodejs:20\.v\d+\tRuntime Version ARN: arn:aws:lambda:eu-central-1::runtime:[0-9a-f]{64}$/);
    expect(b).toMatch(/^INIT_START Runtime Version: nodejs:22\.v\d+\tRuntime Version ARN: arn:aws:lambda:eu-central-1::runtime:[0-9a-f]{64}$/);
    const v20 = runtimeVersionOf('nodejs20.x', 'eu-central-1');
    expect(a).toBe(`INIT_START Runtime Version: ${v20.runtimeVersion}\tRuntime Version ARN: ${v20.runtimeVersionArn}`);
    expect(ARN_ID(a)).not.toBe(ARN_ID(b));
    // The same runtime in another region: the same id.
    expect(ARN_ID(runtimeVersionOf('nodejs20.x', 'us-east-1').runtimeVersionArn)).toBe(ARN_ID(a));
  });

  test('JSON format: platform.initStart first, with the environment of the cold start; none on a warm start', async () => {
    h = await harness([fnConfig('ctx', 'faults.context', { logFormat: 'JSON', memorySize: 512 })]);
    const cold = await invokeJson(h, 'ctx');
    await invokeJson(h, 'ctx');
    const events = h.sink.of('ctx').map((l) => JSON.parse(l) as { type?: string; record?: Record<string, unknown> });
    expect(events[0]!.type).toBe('platform.initStart');
    expect(events[1]!.type).toBe('platform.start');
    expect(Object.keys(events[0]!.record!)).toEqual([
      'initializationType',
      'phase',
      'runtimeVersion',
      'runtimeVersionArn',
      'functionName',
      'functionVersion',
      'instanceId',
      'instanceMaxMemory',
    ]);
    expect(events[0]!.record).toEqual({
      initializationType: 'on-demand',
      phase: 'init',
      ...runtimeVersionOf('nodejs20.x', 'us-east-1'),
      functionName: 'svc-dev-ctx',
      functionVersion: '$LATEST',
      // The environment's log stream, with the function's name before the version.
      instanceId: instanceIdOf(cold.body['logStreamName'] as string, 'svc-dev-ctx'),
      instanceMaxMemory: 512 * 1024 * 1024,
    });
    expect(events[0]!.record!['instanceId']).toMatch(/^\d{4}\/\d\d\/\d\d\/svc-dev-ctx\[\$LATEST\][0-9a-f]{32}$/);
    expect(events.filter((e) => e.type === 'platform.initStart')).toHaveLength(1);
  });

  test('JSON format: INIT logs come after platform.initStart and before platform.start', async () => {
    h = await harness([fnConfig('init', 'init-log.handler', { logFormat: 'JSON' })]);
    await invokeJson(h, 'init');
    const events = h.sink.of('init').map((l) => JSON.parse(l) as { type?: string; message?: unknown });
    expect(events.slice(0, 3).map((e) => e.type ?? e.message)).toEqual(['platform.initStart', 'initialising', 'platform.start']);
  });

  test('JSON format: a failed INIT logs platform.initStart, the error and platform.initReport; each retry is a new environment', async () => {
    h = await harness([fnConfig('initThrow', 'init-throw.handler', { logFormat: 'JSON' })]);
    await invokeJson(h, 'initThrow');
    await invokeJson(h, 'initThrow');
    const events = h.sink.of('initThrow').map((l) => JSON.parse(l) as { type?: string; level?: string; record?: Record<string, unknown> });
    const kinds = events.map((e) => e.type ?? e.level);
    const one = ['platform.initStart', 'ERROR', 'platform.initReport', 'platform.start', 'platform.runtimeDone', 'platform.report'];
    expect(kinds).toEqual([...one, ...one]);
    const starts = events.filter((e) => e.type === 'platform.initStart');
    expect(starts[0]!.record!['instanceId']).not.toBe(starts[1]!.record!['instanceId']);
  });

  test('an INIT eddy fails before any worker runs (a handler module that is not there) starts with INIT_START too', async () => {
    h = await harness([fnConfig('f', 'missing.handler')]);
    const { result } = await invokeJson(h, 'f');
    const lines = h.sink.of('f');
    expect(lines[0]).toMatch(new RegExp(INIT_START));
    expect(lines[1]).toMatch(new RegExp(`^${TS}\\tundefined\\tERROR\\tUncaught Exception \\t\\{"errorType":"Runtime\\.ImportModuleError"`));
    expect(lines[2]).toMatch(new RegExp(`^INIT_REPORT Init Duration: ${NUM} ms\\tPhase: init\\tStatus: error\\tError Type: Runtime\\.ImportModuleError$`));
    expect(lines[3]).toBe(`START RequestId: ${result.requestId} Version: $LATEST`);
    await invokeJson(h, 'f');
    expect(h.sink.of('f').filter((l) => l.startsWith('INIT_START'))).toHaveLength(2);
  });

  test('Tail: a cold start\'s begins with INIT_START', async () => {
    h = await harness([fnConfig('counter', 'faults.counter')]);
    const { result } = await invokeJson(h, 'counter', {}, { logType: 'Tail' });
    const text = Buffer.from(result.logResult!, 'base64').toString();
    expect(text.split('\n')[0]).toMatch(new RegExp(INIT_START));
    const warm = await invokeJson(h, 'counter', {}, { logType: 'Tail' });
    expect(Buffer.from(warm.result.logResult!, 'base64').toString()).toMatch(/^START RequestId: /);
  });
});

describe('JSON format', () => {
  test('application lines and platform events as JSON', async () => {
    h = await harness([fnConfig('logs', 'faults.logs', { logFormat: 'JSON' })]);
    const { result } = await invokeJson(h, 'logs');
    const id = result.requestId;
    const lines = h.sink.of('logs');
    expect(JSON.parse(lines[0]!).type).toBe('platform.initStart');
    const start = JSON.parse(lines[1]!);
    expect(start).toEqual({ time: expect.stringMatching(new RegExp(`^${TS}$`)), type: 'platform.start', record: { requestId: id, version: '$LATEST' } });
    const hello = JSON.parse(lines[2]!);
    expect(hello).toEqual({ timestamp: expect.stringMatching(new RegExp(`^${TS}$`)), level: 'INFO', requestId: id, message: 'hello { a: 1 }' });
    expect(JSON.parse(lines[3]!).message).toBe('multi\nline');
    // No applicationLogLevel: INFO, as on Lambda, so console.debug and console.trace print nothing.
    const levels = lines.flatMap((l) => (l.startsWith('{') ? ((JSON.parse(l) as { level?: string }).level ?? []) : []));
    expect(levels).toEqual(['INFO', 'INFO', 'WARN', 'ERROR']);
    const report = JSON.parse(lines.at(-1)!);
    expect(report.type).toBe('platform.report');
    expect(report.record).toMatchObject({ requestId: id, status: 'success', metrics: { memorySizeMB: 256 } });
    expect(typeof report.record.metrics.initDurationMs).toBe('number');
  });

  test('applicationLogLevel drops the lower levels', async () => {
    h = await harness([fnConfig('logs', 'faults.logs', { logFormat: 'JSON', applicationLogLevel: 'DEBUG' })]);
    await invokeJson(h, 'logs');
    const levels = h.sink.of('logs').flatMap((l) => (l.startsWith('{') ? ((JSON.parse(l) as { level?: string }).level ?? []) : []));
    expect(levels).toEqual(['INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG']);
  });

  test('a timeout shows on platform.runtimeDone and platform.report', async () => {
    h = await harness([fnConfig('spin', 'faults.spin', { logFormat: 'JSON', timeout: 1 })]);
    const { result } = await invokeJson(h, 'spin', { fault: true });
    const events = h.sink
      .of('spin')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type?: string; record?: Record<string, unknown> });
    const done = events.find((e) => e.type === 'platform.runtimeDone');
    expect(done?.record).toEqual({ requestId: result.requestId, status: 'timeout' });
    expect(events.find((e) => e.type === 'platform.report')?.record).toMatchObject({ status: 'timeout' });
  });
});

describe('system log level', () => {
  test('JSON format with systemLogLevel WARN drops the platform events', async () => {
    h = await harness([fnConfig('logs', 'faults.logs', { logFormat: 'JSON', systemLogLevel: 'WARN' })]);
    await invokeJson(h, 'logs');
    const lines = h.sink.of('logs');
    // The four console lines at INFO or above and the raw stdout write; no platform.initStart / start / runtimeDone / report.
    expect(lines.length).toBe(5);
    expect(lines.filter((l) => l.includes('"type":"platform.'))).toEqual([]);
  });

  test('with systemLogLevel WARN a failed INIT keeps its error and platform.initReport, without platform.initStart', async () => {
    h = await harness([fnConfig('initThrow', 'init-throw.handler', { logFormat: 'JSON', systemLogLevel: 'WARN' })]);
    await invokeJson(h, 'initThrow');
    const kinds = h.sink.of('initThrow').map((l) => ((e: { type?: string; level?: string }) => e.type ?? e.level)(JSON.parse(l)));
    expect(kinds).toEqual(['ERROR', 'platform.initReport']);
  });
});

describe('Tail', () => {
  test('the last 4 KB of the invocation, base64', async () => {
    h = await harness([fnConfig('bigLog', 'faults.bigLog')]);
    const small = await invokeJson(h, 'bigLog', { lines: 1 }, { logType: 'Tail' });
    const text = Buffer.from(small.result.logResult!, 'base64').toString();
    // A cold start: the Tail begins with INIT_START, as the sink does.
    expect(text).toMatch(new RegExp(`^INIT_START [^\\n]*\\nSTART RequestId: ${small.result.requestId} Version: \\$LATEST\\n`));
    expect(text).toMatch(new RegExp(`\\nREPORT RequestId: ${small.result.requestId}\\t[^\\n]*\\t\\n$`));
    const big = await invokeJson(h, 'bigLog', { lines: 100 }, { logType: 'Tail' });
    const tail = Buffer.from(big.result.logResult!, 'base64');
    expect(tail.length).toBe(4096);
    expect(tail.toString().endsWith('\t\n')).toBe(true);
    const none = await invokeJson(h, 'bigLog', { lines: 1 });
    expect(none.result.logResult).toBeUndefined();
  });

  test('InvocationLog keeps exactly the last 4096 bytes', () => {
    const log = new InvocationLog();
    for (let i = 0; i < 500; i++) log.push(`${i} ${'y'.repeat(i % 50)}`);
    const all = Array.from({ length: 500 }, (_, i) => `${i} ${'y'.repeat(i % 50)}\n`).join('');
    expect(Buffer.from(log.tail(), 'base64').toString()).toBe(all.slice(all.length - 4096));
  });
});

describe('reports', () => {
  test('every invocation is reported, Init Duration on the cold one only', async () => {
    h = await harness([fnConfig('counter', 'faults.counter', { memorySize: 512, architecture: 'arm64' }), fnConfig('boom', 'faults.throwError')]);
    const reports: InvocationReport[] = [];
    const off = h.runtime.onReport((r) => reports.push(r));
    const a = await invokeJson(h, 'counter', {}, { source: 'cli' });
    const b = await invokeJson(h, 'svc-dev-counter');
    const c = await invokeJson(h, 'boom', { fault: true });
    off();
    await invokeJson(h, 'counter');
    expect(reports.map((r) => r.requestId)).toEqual([a.result.requestId, b.result.requestId, c.result.requestId]);
    expect(reports[0]).toMatchObject({
      functionKey: 'counter',
      functionName: 'svc-dev-counter',
      source: 'cli',
      memorySizeMb: 512,
      architecture: 'arm64',
      errorType: undefined,
    });
    expect(typeof reports[0]!.initDurationMs).toBe('number');
    expect(reports[0]!.billedDurationMs).toBe(billedDuration(reports[0]!.durationMs, reports[0]!.initDurationMs));
    expect(reports[1]!.initDurationMs).toBeUndefined();
    expect(reports[1]!.source).toBe('api');
    expect(reports[1]!.maxMemoryUsedMb).toBeGreaterThan(0);
    expect(reports[2]!.errorType).toBe('Error');
  });

  test('Max Memory Used is measured', async () => {
    h = await harness([fnConfig('grow', 'faults.grow', { memorySize: 512 })]);
    const reports: InvocationReport[] = [];
    h.runtime.onReport((r) => reports.push(r));
    await invokeJson(h, 'grow', { mb: 1 });
    await invokeJson(h, 'grow', { mb: 64 });
    expect(reports[0]!.maxMemoryUsedMb).toBeLessThan(64);
    expect(reports[1]!.maxMemoryUsedMb).toBeGreaterThanOrEqual(65);
    expect(h.sink.of('grow').at(-1)).toMatch(new RegExp(`\\tMax Memory Used: ${reports[1]!.maxMemoryUsedMb} MB\\t$`));
  });

  test('billed duration rounds up to the millisecond, INIT included', () => {
    expect(billedDuration(0.01, undefined)).toBe(1);
    expect(billedDuration(1.2, undefined)).toBe(2);
    expect(billedDuration(10, 5.5)).toBe(16);
  });
});

describe('sinks', () => {
  test('by default each function logs to <dataDir>/logs/<key>.log', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    try {
      const runtime = await FunctionRuntime.create({ config: serviceConfig([fnConfig('counter', 'faults.counter')]), dataDir, endpoint: 'http://127.0.0.1:1' });
      const r = await runtime.invoke({ functionName: 'counter', payload: Buffer.from('{}') });
      await runtime.close();
      const text = await readFile(path.join(dataDir, 'logs', 'counter.log'), 'utf8');
      expect(text).toMatch(
        new RegExp(`^INIT_START [^\\n]*\\nSTART RequestId: ${r.requestId} Version: \\$LATEST\\nEND RequestId: ${r.requestId}\\nREPORT RequestId: ${r.requestId}\\t.*\\n$`),
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('files are rotated past their cap', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    try {
      const sink = fileSink({ dir, maxBytes: 100 });
      const fn = { key: 'f', name: 'svc-dev-f' };
      sink.write(fn, 'a'.repeat(150));
      await sink.close();
      sink.write(fn, 'second');
      await sink.close();
      expect((await readdir(dir)).sort()).toEqual(['f.log', 'f.log.1']);
      expect(await readFile(path.join(dir, 'f.log'), 'utf8')).toBe('second\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the terminal prefixes the function name, coloured only when asked', () => {
    const plain = new PassThrough();
    terminalSink({ stream: plain, color: false }).write({ key: 'ingest', name: 'svc-dev-ingest' }, 'one\rtwo');
    expect(plain.read().toString()).toBe('ingest | one\n       | two\n');
    const coloured = new PassThrough();
    terminalSink({ stream: coloured, color: true }).write({ key: 'ingest', name: 'svc-dev-ingest' }, 'line');
    expect(coloured.read().toString()).toBe('\x1b[36mingest\x1b[0m | line\n');
    // Not a TTY: plain by default.
    const auto = new PassThrough();
    terminalSink({ stream: auto }).write({ key: 'k', name: 'n' }, 'x');
    expect(auto.read().toString()).toBe('k | x\n');
  });
});
