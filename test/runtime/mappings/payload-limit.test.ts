// The 6 MB synchronous payload limit on eddy's own log: a record too large to fit a payload alone (possible
// on a stream with MaxRecordSizeInKiB > 1024) fails its batch like a function error instead of blocking the
// shard, and a tumbling window's batches are cut so that records and state fit the limit together.
import { CreateStreamCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, VirtualClock, type Clock } from '../../../runtime/clock.ts';
import { requestTooLarge, SYNC_PAYLOAD_LIMIT } from '../../../runtime/lambda/api/errors.ts';
import type { Invoker } from '../../../runtime/lambda/types.ts';
import { createStream, linesOf, put, spec, startOwnLog, waitFor, type OwnLog, type Seen } from './helpers.ts';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:too-large';

let eddy: OwnLog | undefined;

async function setup(
  clock: Clock,
  functions: Record<string, string | { handler: string; env: Record<string, string> }>,
  warnings: string[] = [],
  invoker?: (real: Invoker) => Invoker,
): Promise<OwnLog> {
  eddy = await startOwnLog(clock, functions, { inProcess: true, onWarning: (m) => warnings.push(m), ...(invoker && { invoker }) });
  return eddy;
}

afterEach(async () => {
  await eddy?.close();
  eddy = undefined;
});

describe('the 6 MB invocation payload limit', () => {
  it('sends a record too large for any payload to the on-failure destination and delivers the record after it', async () => {
    const warnings: string[] = [];
    const { k, fns, engine } = await setup(systemClock, { big: 'record' }, warnings);
    await k.client.send(new CreateStreamCommand({ StreamName: 'big-records', ShardCount: 1, MaxRecordSizeInKiB: 10240 }));
    await waitFor(() => k.service.store.find('big-records')?.meta.status === 'ACTIVE', 'stream ACTIVE');
    const seqs: string[] = [];
    // 5 MiB of data is about 7 MB once base64-encoded in the event: over the limit on its own.
    const data = [Buffer.from('{"i":0}'), Buffer.alloc(5 * 1024 * 1024, 0x61), Buffer.from('{"i":2}')];
    for (const d of data) {
      const out = await k.client.send(new PutRecordCommand({ StreamName: 'big-records', PartitionKey: 'k', Data: d }));
      seqs.push(out.SequenceNumber!);
    }
    const mapping = spec('big', 'big-records', { batchSize: 10, maximumRetryAttempts: 0, onFailure: QUEUE });
    await engine.add(mapping);
    await waitFor(async () => (await linesOf<Seen>(fns.out, 'big')).flatMap((l) => l.records).some((r) => r.seq === seqs[2]), 'the record after the large one');
    await engine.drain({ timeoutMs: 20_000 });

    const delivered = (await linesOf<Seen>(fns.out, 'big')).flatMap((l) => l.records.map((r) => r.seq));
    expect(delivered).toEqual([seqs[0], seqs[2]]);
    const outbox = await fns.lambda.outbox.listOutbox(QUEUE);
    expect(outbox).toHaveLength(1);
    const record = outbox[0]!.record as Record<string, any>;
    // The function never ran: no responseContext.
    expect(Object.keys(record)).toEqual(['requestContext', 'version', 'timestamp', 'KinesisBatchInfo']);
    expect(record['requestContext']).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 });
    expect(record['KinesisBatchInfo']).toMatchObject({ startSequenceNumber: seqs[1], endSequenceNumber: seqs[1], batchSize: 1 });
    const shard = engine.status().find((s) => s.uuid === mapping.uuid)!.shards[0]!;
    expect(shard.checkpoint).toBe(seqs[2]);
    expect(warnings.some((w) => w.includes('RequestEntityTooLargeException'))).toBe(true);
  });

  it('bisects a batch refused as too large (the halves keep its retry count) until the record at fault is alone, then discards it', async () => {
    // A batch over 6 MB holding several records happens only when a window's retried remainder meets a state
    // that grew; here an invoker in front of the real one refuses any payload with the marked record as too large.
    const calls: number[] = [];
    const refuseMarked = (real: Invoker): Invoker => ({
      onReport: (l) => real.onReport(l),
      invoke: async (request) => {
        const text = String(request.payload);
        calls.push((text.match(/"sequenceNumber"/g) ?? []).length);
        if (text.includes(Buffer.from('{"big":true}').toString('base64'))) throw requestTooLarge();
        return real.invoke(request);
      },
    });
    const { k, fns, engine } = await setup(systemClock, { halves: 'record' }, [], refuseMarked);
    await createStream(k, 'halves', 1);
    const data = Array.from({ length: 8 }, (_, i) => (i === 5 ? { big: true } : { i }));
    const put1 = await put(k, 'halves', data.map((d) => ({ pk: 'k', data: d })));
    await engine.add(spec('halves', 'halves', { batchSize: 8, bisectBatchOnFunctionError: true, maximumRetryAttempts: 0, onFailure: QUEUE }));
    await engine.drain({ timeoutMs: 20_000 });
    // Records 0-7 refused; 0-3 delivered; 4-7 refused; 4-5 refused; 4 delivered; 5 refused alone (discarded,
    // no retry left); then 6-7 delivered.
    expect(calls).toEqual([8, 4, 4, 2, 1, 1, 2]);
    const delivered = (await linesOf<Seen>(fns.out, 'halves')).flatMap((l) => l.records.map((r) => r.seq));
    expect(delivered).toEqual(put1.filter((_, i) => i !== 5).map((r) => r.seq));
    const outbox = await fns.lambda.outbox.listOutbox(QUEUE);
    expect(outbox.map((e) => (e.record as Record<string, any>)['KinesisBatchInfo'])).toEqual([
      expect.objectContaining({ startSequenceNumber: put1[5]!.seq, endSequenceNumber: put1[5]!.seq, batchSize: 1 }),
    ]);
    expect((outbox[0]!.record as Record<string, any>)['requestContext']).toMatchObject({ condition: 'RetryAttemptsExhausted' });
  });

  it("cuts a tumbling window's batches so that records and state fit the limit together", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const warnings: string[] = [];
    const { k, fns, engine } = await setup(clock, { heavy: { handler: 'heavyState', env: { STATE_CHARS: '1000000' } } }, warnings);
    await createStream(k, 'heavy-window', 1, clock);
    // 200 records of 40 KB: 100 of them (about 5.3 MB in the event) fit a payload with an empty state, not with
    // the 1,000,000-character state the handler returns.
    const blob = 'y'.repeat(40 * 1024 - 20);
    const records = Array.from({ length: 200 }, (_, i) => ({ pk: 'k', data: { i, blob } }));
    for (let i = 0; i < records.length; i += 25) await put(k, 'heavy-window', records.slice(i, i + 25));
    await engine.add(spec('heavy', 'heavy-window', { batchSize: 100, tumblingWindowInSeconds: 60 }));
    await waitFor(async () => (await linesOf<{ records: number }>(fns.out, 'heavy')).reduce((n, l) => n + l.records, 0) === 200, 'all 200 records');
    clock.advance(60_000);
    const lines = await waitFor(async () => {
      const l = await linesOf<{ bytes: number; records: number; stateChars: number; isFinalInvokeForWindow: boolean }>(fns.out, 'heavy');
      return l.some((x) => x.isFinalInvokeForWindow) && l;
    }, 'the final invocation');
    expect(lines[0]).toMatchObject({ records: 100, stateChars: 0 });
    // With the state, fewer records fit than BatchSize allows: the batch is cut below 100.
    expect(lines[1]!.stateChars).toBe(1_000_000);
    expect(lines[1]!.records).toBeLessThan(100);
    expect(lines[1]!.records).toBeGreaterThan(80);
    for (const l of lines) expect(l.bytes).toBeLessThanOrEqual(SYNC_PAYLOAD_LIMIT);
    expect(lines.reduce((n, l) => n + l.records, 0)).toBe(200);
    expect(warnings.filter((w) => w.includes('RequestEntityTooLarge'))).toEqual([]);
  });
});
