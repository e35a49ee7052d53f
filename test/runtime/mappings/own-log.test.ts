// The mapping against eddy's own Kinesis service (not kinesalite): woken on appends instead of polling,
// order per key with PF 1 and 4, and tumbling windows on one virtual clock shared by the log and the
// mappings, so window boundaries and arrival times are exact. Each over the socket and in-process (the
// pollers' SDK client handing its requests to the service, as the Emulator wires it).
import { IncreaseStreamRetentionPeriodCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, VirtualClock, type Clock } from '../../../runtime/clock.ts';
import { createStream, linesOf, put, spec, startOwnLog, waitFor, type Functions, type OwnLog, type Seen } from './helpers.ts';

let eddy: OwnLog | undefined;

type Transport = 'socket' | 'in-process';

async function setup(transport: Transport, clock: Clock, functions: Record<string, string>, onWarning?: (message: string) => void): Promise<OwnLog> {
  eddy = await startOwnLog(clock, functions, { inProcess: transport === 'in-process', ...(onWarning && { onWarning }) });
  return eddy;
}

afterEach(async () => {
  await eddy?.close();
  eddy = undefined;
});

describe.each<Transport>(['socket', 'in-process'])("on eddy's own log, %s", (transport) => {
  it.each([1, 4])('keeps per-key order with PF %i, woken by appends', async (pf) => {
    const { k, fns, engine } = await setup(transport, systemClock, { own: 'record' });
    await createStream(k, 'own', 3);
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    const records = Array.from({ length: 400 }, (_, i) => ({ pk: keys[i % 12]!, data: { i } }));
    await engine.add(spec('own', 'own', { parallelizationFactor: pf, batchSize: 10 }));
    for (let i = 0; i < records.length; i += 50) await put(k, 'own', records.slice(i, i + 50));
    await engine.drain({ timeoutMs: 20_000 });
    const seen = (await linesOf<Seen>(fns.out, 'own')).flatMap((l) => l.records);
    expect(seen).toHaveLength(400);
    for (const key of keys) {
      expect(seen.filter((r) => r.pk === key).map((r) => r.data['i'])).toEqual(records.map((r, i) => ({ ...r, i })).filter((r) => r.pk === key).map((r) => r.i));
    }
  });

  it("starts on a stream that does not exist yet (the service's ResourceNotFoundException reaches the poller), then reads it", async () => {
    // A ListShards failing with anything but ResourceNotFoundException would be warned about.
    const warnings: string[] = [];
    const { k, fns, engine } = await setup(transport, systemClock, { late: 'record' }, (m) => warnings.push(m));
    await engine.add(spec('late', 'late'));
    await engine.drain({ timeoutMs: 10_000 });
    expect(engine.status()[0]!.shards).toEqual([]);
    await createStream(k, 'late', 1);
    engine.wake('late');
    await put(k, 'late', [1, 2, 3].map((i) => ({ pk: 'k', data: { i } })));
    await waitFor(async () => (await linesOf<Seen>(fns.out, 'late')).flatMap((l) => l.records).length === 3, 'three records');
    const seen = (await linesOf<Seen>(fns.out, 'late')).flatMap((l) => l.records.map((r) => r.data['i']));
    expect(seen).toEqual([1, 2, 3]);
    expect(warnings).toEqual([]);
  });

  it('aggregates several tumbling windows through state, each closed on the virtual clock', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const { k, fns, engine } = await setup(transport, clock, { agg: 'aggregate' });
    await createStream(k, 'own-windows', 1, clock);
    await engine.add(spec('agg', 'own-windows', { batchSize: 2, tumblingWindowInSeconds: 60 }));
    // Window 1 (12:00): 4, 8, 6; window 2 (12:01): 1, 3; window 3 (12:02): 10.
    await put(k, 'own-windows', [4, 8, 6].map((value) => ({ pk: 'k', data: { value } })));
    await engine.drain({ timeoutMs: 10_000 });
    clock.advance(60_000);
    await put(k, 'own-windows', [1, 3].map((value) => ({ pk: 'k', data: { value } })));
    await engine.drain({ timeoutMs: 10_000 });
    clock.advance(60_000);
    await put(k, 'own-windows', [{ pk: 'k', data: { value: 10 } }]);
    await engine.drain({ timeoutMs: 10_000 });
    clock.advance(60_000);
    const lines = await waitFor(async () => {
      const l = await linesOf<Record<string, any>>(fns.out, 'agg');
      return l.filter((x) => x['result']).length === 3 && l;
    }, 'three window results');
    expect(lines.filter((l) => l['result']).map((l) => l['result'])).toEqual([
      { min: 4, max: 8, average: 6, count: 3 },
      { min: 1, max: 3, average: 2, count: 2 },
      { min: 10, max: 10, average: 10, count: 1 },
    ]);
    const windows = lines.filter((l) => l['window']).map((l) => [l['window'].start, l['records'], l['isFinalInvokeForWindow']]);
    expect(windows).toEqual([
      ['2026-01-01T12:00:00Z', 2, false],
      ['2026-01-01T12:00:00Z', 1, false],
      ['2026-01-01T12:00:00Z', 0, true],
      ['2026-01-01T12:01:00Z', 2, false],
      ['2026-01-01T12:01:00Z', 0, true],
      ['2026-01-01T12:02:00Z', 1, false],
      ['2026-01-01T12:02:00Z', 0, true],
    ]);
  });

  it('closes an open window at the end of a shard (a split), before the window ends on the clock', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const { k, fns, engine } = await setup(transport, clock, { agg: 'aggregate' });
    const [parent] = await createStream(k, 'own-split-window', 1, clock);
    await engine.add(spec('agg', 'own-split-window', { batchSize: 10, tumblingWindowInSeconds: 300 }));
    await put(k, 'own-split-window', [2, 4].map((value) => ({ pk: 'k', data: { value } })));
    await engine.drain({ timeoutMs: 10_000 });
    await k.client.send(new SplitShardCommand({ StreamName: 'own-split-window', ShardToSplit: parent, NewStartingHashKey: (2n ** 127n).toString() }));
    clock.advance(0);
    const lines = await waitFor(async () => {
      const l = await linesOf<Record<string, any>>(fns.out, 'agg');
      return l.some((x) => x['result']) && l;
    }, 'the final invocation at the shard end');
    expect(lines.filter((l) => l['window']).map((l) => [l['shardId'], l['records'], l['isFinalInvokeForWindow']])).toEqual([
      [parent, 2, false],
      [parent, 0, true],
    ]);
    expect(lines.find((l) => l['result'])!['result']).toEqual({ min: 2, max: 4, average: 3, count: 2 });
  });
});

describe("retention expiry on eddy's own log (virtual clock)", () => {
  const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:expired';
  const HOUR = 3_600_000;

  /** Advances the clock to `at`, then waits for two more attempts: the second began its age check after `at`. */
  async function stillRetriedAt(clock: VirtualClock, fns: Functions, at: number): Promise<void> {
    const before = (await linesOf(fns.out, 'stuck')).length;
    clock.advance(at - clock.now());
    await waitFor(async () => (await linesOf(fns.out, 'stuck')).length >= before + 2, 'two more attempts');
  }

  async function discarded(fns: Functions): Promise<Record<string, any>> {
    const [entry] = await waitFor(async () => {
      const o = await fns.lambda.outbox.listOutbox(QUEUE);
      return o.length > 0 && o;
    }, 'the on-failure record');
    return entry!.record as Record<string, any>;
  }

  it('ends a shard blocked by a failing record (infinite retries, no age limit) once the record falls out of the 24 h retention', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const { k, fns, engine } = await setup('in-process', clock, { stuck: 'poison' });
    await createStream(k, 'own-retention', 1, clock);
    const t0 = clock.now();
    const [poisoned] = await put(k, 'own-retention', [{ pk: 'k', data: { i: 0, poison: true } }]);
    const mapping = spec('stuck', 'own-retention', { onFailure: QUEUE });
    expect([mapping.maximumRetryAttempts, mapping.maximumRecordAgeInSeconds]).toEqual([-1, -1]);
    await engine.add(mapping);
    await waitFor(async () => (await linesOf(fns.out, 'stuck')).length >= 2, 'retries');
    const shard = (): Record<string, unknown> => engine.status().find((s) => s.uuid === mapping.uuid)!.shards[0]! as never;
    // At the last ms of the retention the record is still retried.
    await stillRetriedAt(clock, fns, t0 + 24 * HOUR);
    expect(await fns.lambda.outbox.listOutbox(QUEUE)).toEqual([]);
    expect(shard()).toMatchObject({ recordsDiscarded: 0, checkpoint: undefined });
    // Past it, the record is discarded with an on-failure record and the shard checkpoints past it.
    clock.advance(t0 + 24 * HOUR + 1 - clock.now());
    const record = await discarded(fns);
    expect(record['requestContext']).toMatchObject({ condition: 'RecordAgeExceeded', functionArn: mapping.functionArn });
    expect(record['requestContext']['approximateInvokeCount']).toBeGreaterThanOrEqual(4);
    expect(record['KinesisBatchInfo']).toMatchObject({
      shardId: poisoned!.shardId,
      startSequenceNumber: poisoned!.seq,
      endSequenceNumber: poisoned!.seq,
      batchSize: 1,
      streamArn: mapping.eventSourceArn,
    });
    await waitFor(() => shard()['checkpoint'] === poisoned!.seq, 'the checkpoint past the record');
    expect(shard()).toMatchObject({ recordsDiscarded: 1, recordsProcessed: 0 });
    // The shard moves on: a record put now is delivered.
    const attempts = (await linesOf(fns.out, 'stuck')).length;
    const [next] = await put(k, 'own-retention', [{ pk: 'k', data: { i: 1 } }]);
    await engine.drain({ timeoutMs: 10_000 });
    const lines = await linesOf<Seen>(fns.out, 'stuck');
    expect(lines.slice(attempts).map((l) => l.records.map((r) => r.data['i']))).toEqual([[1]]);
    expect(shard()).toMatchObject({ checkpoint: next!.seq, lastProcessingResult: 'OK', recordsProcessed: 1 });
  });

  it('sees an IncreaseStreamRetentionPeriod made while the shard is blocked', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const { k, fns, engine } = await setup('in-process', clock, { stuck: 'poison' });
    await createStream(k, 'own-retention-up', 1, clock);
    const t0 = clock.now();
    const [poisoned] = await put(k, 'own-retention-up', [{ pk: 'k', data: { i: 0, poison: true } }]);
    const mapping = spec('stuck', 'own-retention-up', { onFailure: QUEUE });
    await engine.add(mapping);
    await waitFor(async () => (await linesOf(fns.out, 'stuck')).length >= 2, 'retries');
    await k.client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'own-retention-up', RetentionPeriodHours: 48 }));
    // Past the 24 h the mapping started with, within the 48 h the stream has now: still retried.
    await stillRetriedAt(clock, fns, t0 + 24 * HOUR + 1);
    expect(await fns.lambda.outbox.listOutbox(QUEUE)).toEqual([]);
    clock.advance(t0 + 48 * HOUR + 1 - clock.now());
    const record = await discarded(fns);
    expect(record['requestContext']).toMatchObject({ condition: 'RecordAgeExceeded' });
    expect(record['KinesisBatchInfo']).toMatchObject({ startSequenceNumber: poisoned!.seq, batchSize: 1 });
  });
});
