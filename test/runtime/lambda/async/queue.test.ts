// The async (Event) queue: retries on a virtual clock, event age, destinations, the outbox, durability.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { createOutbox, type Outbox } from '../../../../runtime/lambda/async/outbox.ts';
import { AsyncQueue, QUEUE_KIND, type AsyncQueueEvent } from '../../../../runtime/lambda/async/queue.ts';
import { MemoryLogRoot } from '../../../../runtime/log/memory-root.ts';
import { openDiskRoot } from '../../../../runtime/log/disk-root.ts';
import type { LogRoot } from '../../../../runtime/log/types.ts';
import { fnConfig, InProcessHost, waitFor } from '../api/helpers.ts';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

let clock: VirtualClock;
let root: LogRoot;
let host: InProcessHost;
let outbox: Outbox;
let queue: AsyncQueue;
let events: AsyncQueueEvent[];
let tmp: string | undefined;

async function openQueue(retryDelaysMs?: number[]): Promise<AsyncQueue> {
  queue = await AsyncQueue.open({
    root,
    clock,
    host,
    outbox,
    region: 'us-east-1',
    accountId: '000000000000',
    ...(retryDelaysMs ? { retryDelaysMs } : {}),
  });
  queue.onEvent((e) => events.push(e));
  return queue;
}

const received: unknown[] = [];

beforeEach(() => {
  clock = new VirtualClock(Date.UTC(2026, 0, 1));
  root = new MemoryLogRoot();
  outbox = createOutbox({ root, clock });
  events = [];
  received.length = 0;
  host = new InProcessHost()
    .add(fnConfig('sink'), (event) => {
      received.push(event);
      return null;
    })
    .add(fnConfig('fails', { destinations: { onFailure: `${ARN}:svc-dev-sink` } }), () => {
      throw new Error('always');
    })
    .add(fnConfig('works', { destinations: { onSuccess: 'sink' } }), (event) => ({ got: event }))
    .add(fnConfig('once', { maximumRetryAttempts: 0, destinations: { onFailure: 'arn:aws:sqs:us-east-1:000000000000:dlq' } }), () => {
      throw new RangeError('no retries');
    })
    .add(fnConfig('young', { maximumEventAge: 60, destinations: { onFailure: 'arn:aws:sns:us-east-1:000000000000:alerts' } }), () => {
      throw new Error('too slow');
    });
});

afterEach(async () => {
  await queue?.close();
  await root.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  tmp = undefined;
});

const attemptsOf = (id: string): number => events.filter((e) => e.type === 'attempt' && e.requestId === id).length;

describe('AsyncQueue', () => {
  it('retries a failing function twice (1 s, then 2 s of clock time), then sends AWS record to the onFailure function', async () => {
    await openQueue();
    const id = await queue.enqueue(await host.resolve('fails'), Buffer.from('{"order":7}'));
    await waitFor(() => events.some((e) => e.type === 'retryScheduled' && e.requestId === id), 'first failure');
    expect(attemptsOf(id)).toBe(1);
    clock.advance(999);
    await new Promise((r) => setTimeout(r, 20));
    expect(attemptsOf(id)).toBe(1);
    clock.advance(1);
    await waitFor(() => events.filter((e) => e.type === 'retryScheduled' && e.requestId === id).length === 2, 'second failure');
    expect(attemptsOf(id)).toBe(2);
    clock.advance(2000);
    await waitFor(() => received.length === 1, 'the destination to receive the record');
    expect(attemptsOf(id)).toBe(3);
    const record = received[0] as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['version', 'timestamp', 'requestContext', 'requestPayload', 'responseContext', 'responsePayload']);
    expect(record).toMatchObject({
      version: '1.0',
      timestamp: new Date(Date.UTC(2026, 0, 1) + 3000).toISOString(),
      requestContext: { requestId: id, functionArn: `${ARN}:svc-dev-fails:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { order: 7 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'always' },
    });
    // Every attempt kept the request id the 202 answered with, and ran with waitForCapacity.
    const calls = host.calls.filter((c) => c.key === 'fails');
    expect(calls.map((c) => c.requestId)).toEqual([id, id, id]);
    expect(calls.every((c) => c.waitForCapacity && c.source === 'async')).toBe(true);
    await waitFor(() => queue.size === 0, 'the queue to empty');
    expect((await root.loadDocuments(QUEUE_KIND)).size).toBe(0);
  });

  it('sends a Success record with the response to onSuccess (a plain function name)', async () => {
    await openQueue();
    const id = await queue.enqueue(await host.resolve('works'), Buffer.from('[1]'));
    await waitFor(() => received.length === 1, 'the success record');
    expect(received[0]).toMatchObject({
      version: '1.0',
      requestContext: { requestId: id, functionArn: `${ARN}:svc-dev-works:$LATEST`, condition: 'Success', approximateInvokeCount: 1 },
      requestPayload: [1],
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { got: [1] },
    });
    expect((received[0] as { responseContext: object }).responseContext).not.toHaveProperty('functionError');
  });

  it('maximumRetryAttempts 0 gives one attempt; an SQS destination lands in the outbox', async () => {
    await openQueue();
    const id = await queue.enqueue(await host.resolve('once'), Buffer.from('{}'));
    await waitFor(() => events.some((e) => e.type === 'delivered'), 'delivery');
    expect(attemptsOf(id)).toBe(1);
    const entries = await outbox.listOutbox();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      arn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      service: 'sqs',
      record: { requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 1 }, responsePayload: { errorType: 'RangeError' } },
    });
    expect(await outbox.listOutbox('arn:aws:sns:us-east-1:000000000000:other')).toEqual([]);
  });

  it('discards an event older than maximumEventAge with EventAgeExceeded', async () => {
    await openQueue([60_000, 120_000]); // AWS's own delays
    const id = await queue.enqueue(await host.resolve('young'), Buffer.from('{"a":1}'));
    await waitFor(() => events.some((e) => e.type === 'retryScheduled'), 'first failure');
    clock.advance(60_000);
    await waitFor(() => events.some((e) => e.type === 'discarded'), 'the discard');
    expect(events.find((e) => e.type === 'discarded')).toEqual({
      type: 'discarded',
      requestId: id,
      functionKey: 'young',
      condition: 'EventAgeExceeded',
      attempts: 1,
    });
    expect(attemptsOf(id)).toBe(1);
    await waitFor(async () => (await outbox.listOutbox()).length === 1, 'the outbox entry');
    const [entry] = await outbox.listOutbox();
    expect(entry).toMatchObject({
      service: 'sns',
      record: { requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 1 }, requestPayload: { a: 1 } },
    });
  });

  it('retries throttles without counting them as attempts', async () => {
    let throttle = true;
    const real = host.invoke.bind(host);
    host.invoke = async (req) => {
      if (throttle) {
        throttle = false;
        throw { name: 'TooManyRequestsException', statusCode: 429, message: 'Rate Exceeded.' };
      }
      return real(req);
    };
    await openQueue();
    const id = await queue.enqueue(await host.resolve('works'), Buffer.from('{}'));
    await waitFor(() => events.some((e) => e.type === 'retryScheduled' && e.reason === 'throttled'), 'the throttle');
    clock.advance(1000);
    await waitFor(() => received.length === 1, 'the success record');
    expect((received[0] as { requestContext: { approximateInvokeCount: number } }).requestContext.approximateInvokeCount).toBe(1);
    expect(id).toBeTypeOf('string');
  });

  it('a function with reserved concurrency 0 is treated as throttled until maximumEventAge', async () => {
    host.add(fnConfig('off', { reservedConcurrency: 0, maximumEventAge: 60, destinations: { onFailure: 'sink' } }), () => 'never');
    await openQueue();
    const id = await queue.enqueue(await host.resolve('off'), Buffer.from('{"t":1}'));
    // Backoff 1, 2, 4, 8, 16, 32 s: the attempt due at 63 s finds the event older than 60 s.
    for (let i = 0; i < 6; i++) {
      await waitFor(() => events.filter((e) => e.type === 'retryScheduled' && e.requestId === id).length === i + 1, `throttle ${i + 1}`);
      clock.advance(1000 * 2 ** i);
    }
    await waitFor(() => received.length === 1, 'the EventAgeExceeded record');
    expect(host.calls.filter((c) => c.key === 'off')).toEqual([]);
    expect(received[0]).toEqual({
      version: '1.0',
      timestamp: new Date(Date.UTC(2026, 0, 1) + 63_000).toISOString(),
      requestContext: { requestId: id, functionArn: `${ARN}:svc-dev-off:$LATEST`, condition: 'EventAgeExceeded', approximateInvokeCount: 0 },
      requestPayload: { t: 1 },
    });
  });

  it('never has more events of a function in flight than its reserved concurrency', async () => {
    const gates: Array<() => void> = [];
    host.add(fnConfig('narrow', { reservedConcurrency: 1 }), () => new Promise((r) => gates.push(() => r('ok'))));
    await openQueue();
    const narrow = await host.resolve('narrow');
    for (let i = 0; i < 3; i++) await queue.enqueue(narrow, Buffer.from(String(i)));
    await queue.enqueue(await host.resolve('works'), Buffer.from('"other"'));
    // The other function's event is not stuck behind the narrow one.
    await waitFor(() => received.length === 1, 'the other function to run');
    expect(host.calls.filter((c) => c.key === 'narrow').length).toBe(1);
    for (let done = 1; done <= 3; done++) {
      await waitFor(() => gates.length === done, `narrow event ${done} to start`);
      expect(host.calls.filter((c) => c.key === 'narrow').length).toBe(done);
      gates[done - 1]!();
    }
    await waitFor(() => queue.size === 0, 'the queue to empty');
    expect(host.calls.filter((c) => c.key === 'narrow').map((c) => c.payload)).toEqual(['0', '1', '2']);
  });

  it('drains a few thousand events across functions', async () => {
    let n = 0;
    host.add(fnConfig('count', { reservedConcurrency: 3 }), () => ++n);
    await openQueue();
    const count = await host.resolve('count');
    const works = await host.resolve('works');
    await Promise.all(Array.from({ length: 3000 }, (_, i) => queue.enqueue(i % 2 ? count : works, Buffer.from(String(i)))));
    await waitFor(() => queue.size === 0, 'the queue to drain');
    expect(n).toBe(1500);
    await waitFor(() => received.length === 1500, 'the success records');
    await waitFor(() => queue.size === 0, 'the records to drain');
    expect((await root.loadDocuments(QUEUE_KIND)).size).toBe(0);
  });

  it('keeps queued events across a close and reopen of a disk root', async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'eddy-'));
    root = await openDiskRoot(tmp, { fsync: false });
    outbox = createOutbox({ root, clock });
    await openQueue();
    let fail = true;
    host.setHandler('works', (event) => {
      if (fail) throw new Error('not yet');
      return { got: event };
    });
    const id = await queue.enqueue(await host.resolve('works'), Buffer.from('{"keep":true}'));
    await waitFor(() => events.some((e) => e.type === 'retryScheduled'), 'first failure');
    await queue.close();
    await root.close();
    expect(received).toEqual([]);

    // A new run: the same data dir, a fixed function.
    fail = false;
    root = await openDiskRoot(tmp, { fsync: false });
    outbox = createOutbox({ root, clock });
    events = [];
    await openQueue();
    expect(queue.size).toBe(1);
    clock.advance(1000);
    await waitFor(() => received.length === 1, 'the resumed event');
    expect(received[0]).toMatchObject({
      requestContext: { requestId: id, condition: 'Success', approximateInvokeCount: 2 },
      requestPayload: { keep: true },
      responsePayload: { got: { keep: true } },
    });
    await waitFor(async () => (await root.loadDocuments(QUEUE_KIND)).size === 0, 'the queue documents to go');
  });
});
