// The outcomes of a poisoned record: the whole batch retried with the shard blocked, MaximumRetryAttempts,
// bisection, MaximumRecordAgeInSeconds, and the on-failure record sent to SQS (outbox) or a function.
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, VirtualClock } from '../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { MappingEngine } from '../../../runtime/mappings/engine.ts';
import {
  createStream,
  engineFor,
  linesOf,
  put,
  spec,
  startFunctions,
  startKinesalite,
  streamArn,
  waitFor,
  type Functions,
  type Kinesis,
  type Seen,
} from './helpers.ts';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:failed';

let k: Kinesis;
let fns: Functions;
let engine: MappingEngine;
const root = new MemoryLogRoot();

beforeAll(async () => {
  k = await startKinesalite();
  fns = await startFunctions(root, systemClock, { retry: 'poison', bisect: 'poison', dlq: 'onFailure' });
  engine = await engineFor(k, root, systemClock, fns);
});

afterAll(async () => {
  await engine?.close();
  await fns?.close();
  await k?.close();
});

const ids = (line: Seen): number[] => line.records.map((r) => r.data['i'] as number);

describe('a poisoned record', () => {
  it('blocks the shard while the whole batch is retried, MaximumRetryAttempts N = N retries, then goes to the SQS destination', async () => {
    await createStream(k, 'poison-retry', 1);
    const placed = await put(k, 'poison-retry', Array.from({ length: 15 }, (_, i) => ({ pk: 'k', data: { i, poison: i === 4 } })));
    const mapping = spec('retry', 'poison-retry', { batchSize: 10, maximumRetryAttempts: 2, onFailure: QUEUE });
    await engine.add(mapping);
    await engine.drain({ timeoutMs: 15_000 });
    const lines = await linesOf<Seen>(fns.out, 'retry');
    // First attempt + 2 retries of the same batch, nothing later delivered meanwhile, then the rest.
    expect(lines.map(ids)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 12, 13, 14],
    ]);
    const outbox = await fns.lambda.outbox.listOutbox(QUEUE);
    expect(outbox).toHaveLength(1);
    const record = outbox[0]!.record as Record<string, any>;
    expect(Object.keys(record)).toEqual(['requestContext', 'responseContext', 'version', 'timestamp', 'KinesisBatchInfo']);
    expect(record['requestContext']).toEqual({
      requestId: lines[2]!.requestId,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-retry',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
    expect(record['responseContext']).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    expect(record['version']).toBe('1.0');
    expect(record['KinesisBatchInfo']).toMatchObject({
      shardId: placed[0]!.shardId,
      startSequenceNumber: placed[0]!.seq,
      endSequenceNumber: placed[9]!.seq,
      batchSize: 10,
      streamArn: streamArn('poison-retry'),
    });
    const shard = engine.status().find((s) => s.uuid === mapping.uuid)!.shards[0]!;
    expect(shard).toMatchObject({ invocations: 4, errors: 3, retries: 2, recordsDiscarded: 10, recordsProcessed: 5, checkpoint: placed[14]!.seq });
  });

  it('bisects a failing batch (halves keep the retry count) until the poisoned record is alone, and sends it to a function destination', async () => {
    await createStream(k, 'poison-bisect', 1);
    const placed = await put(k, 'poison-bisect', Array.from({ length: 8 }, (_, i) => ({ pk: 'k', data: { i, poison: i === 5 } })));
    const mapping = spec('bisect', 'poison-bisect', {
      batchSize: 8,
      maximumRetryAttempts: 1,
      bisectBatchOnFunctionError: true,
      onFailure: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-dlq',
    });
    await engine.add(mapping);
    await engine.drain({ timeoutMs: 15_000 });
    expect((await linesOf<Seen>(fns.out, 'bisect')).map(ids)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [4, 5],
      [4],
      [5],
      [5],
      [6, 7],
    ]);
    const [sent] = await waitFor(async () => {
      const l = await linesOf<Record<string, any>>(fns.out, 'dlq');
      return l.length > 0 && l;
    }, 'the destination function');
    expect(sent!['requestContext']).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 5 });
    expect(sent!['KinesisBatchInfo']).toMatchObject({ startSequenceNumber: placed[5]!.seq, endSequenceNumber: placed[5]!.seq, batchSize: 1 });
  });
});

describe('an S3 on-failure destination', () => {
  it('gets the batch info and the invocation payload (the records)', async () => {
    await createStream(k, 'poison-s3', 1);
    const placed = await put(k, 'poison-s3', [{ pk: 'k', data: { i: 0, poison: true } }]);
    const bucket = 'arn:aws:s3:::failed-batches';
    await engine.add(spec('retry', 'poison-s3', { maximumRetryAttempts: 0, onFailure: bucket }));
    await engine.drain({ timeoutMs: 15_000 });
    const [entry] = await fns.lambda.outbox.listOutbox(bucket);
    const record = entry!.record as Record<string, any>;
    expect(record['requestContext']).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 });
    expect(record['payload']['Records']).toHaveLength(1);
    expect(record['payload']['Records'][0]).toMatchObject({
      eventID: `${placed[0]!.shardId}:${placed[0]!.seq}`,
      kinesis: { sequenceNumber: placed[0]!.seq, partitionKey: 'k', data: Buffer.from(JSON.stringify({ i: 0, poison: true })).toString('base64') },
    });
  });
});

describe('MaximumRecordAgeInSeconds', () => {
  /** When kinesalite says a record arrived (its own clock, the real one). */
  async function arrivalOf(stream: string, placed: { shardId: string; seq: string }): Promise<number> {
    const it = await k.client.send(
      new GetShardIteratorCommand({ StreamName: stream, ShardId: placed.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: placed.seq }),
    );
    const out = await k.client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 1 }));
    return out.Records![0]!.ApproximateArrivalTimestamp!.getTime();
  }

  it('discards a batch that keeps failing once its records are too old (on the virtual clock), and records read too late', async () => {
    const clock = new VirtualClock(Date.now() - 1_000);
    const fns2 = await startFunctions(root, clock, { aged: 'poison' });
    const engine2 = await engineFor(k, root, clock, fns2);
    try {
      await createStream(k, 'poison-age', 1);
      const [first] = await put(k, 'poison-age', [{ pk: 'k', data: { i: 0, poison: true } }]);
      const arrival = await arrivalOf('poison-age', first!);
      const queue = 'arn:aws:sqs:us-east-1:000000000000:aged';
      const mapping = spec('aged', 'poison-age', { maximumRecordAgeInSeconds: 60, onFailure: queue });
      await engine2.add(mapping);
      await waitFor(async () => (await linesOf(fns2.out, 'aged')).length >= 3, 'retries');
      // While the batch blocks the shard, the iterator age (age of the records sent) grows.
      clock.advance(arrival + 30_000 - clock.now());
      const age = (): number => engine2.status().find((s) => s.uuid === mapping.uuid)!.shards[0]!.iteratorAgeMs;
      await waitFor(() => age() >= 30_000, 'the iterator age to grow');
      clock.advance(arrival + 60_001 - clock.now());
      const [entry] = await waitFor(async () => {
        const o = await fns2.lambda.outbox.listOutbox(queue);
        return o.length > 0 && o;
      }, 'the age discard');
      const record = entry!.record as Record<string, any>;
      expect(record['requestContext']['condition']).toBe('RecordAgeExceeded');
      expect(record['requestContext']['approximateInvokeCount']).toBeGreaterThanOrEqual(3);
      expect(record['responseContext']).toMatchObject({ functionError: 'Unhandled' });
      expect(record['KinesisBatchInfo']).toMatchObject({ startSequenceNumber: first!.seq, batchSize: 1 });

      // A record already too old when the mapping reads it is discarded without an invocation.
      await engine2.update(mapping.uuid, { enabled: false });
      const attempts = (await linesOf(fns2.out, 'aged')).length;
      const [second] = await put(k, 'poison-age', [{ pk: 'k', data: { i: 1 } }]);
      const arrival2 = await arrivalOf('poison-age', second!);
      clock.advance(Math.max(0, arrival2 + 60_001 - clock.now()));
      await engine2.update(mapping.uuid, { enabled: true });
      await engine2.drain({ timeoutMs: 10_000 });
      const outbox = await fns2.lambda.outbox.listOutbox(queue);
      expect(outbox).toHaveLength(2);
      expect(Object.keys(outbox[1]!.record as object)).toEqual(['requestContext', 'version', 'timestamp', 'KinesisBatchInfo']);
      expect((outbox[1]!.record as Record<string, any>)['requestContext']).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
      expect(await linesOf(fns2.out, 'aged')).toHaveLength(attempts);
    } finally {
      await engine2.close();
      await fns2.close();
    }
  });
});
