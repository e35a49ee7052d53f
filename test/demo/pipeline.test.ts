// The demo pipeline at the repository root, end to end through one Emulator on a virtual clock: events in
// through the ingest function (Lambda API) and straight PutRecords, the filter and the validator keep the
// bad ones out of `valid`, enrich routes urgent events to `urgent` (read by alert, one record per
// invocation) and the rest to `enriched`, aggregate's 5 s tumbling window publishes min / max / average /
// count per key once the clock passes the window's end, and the dispatcher runs commands by name.
import path from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator, VirtualClock, type InvocationReport } from '../../runtime/index.ts';
import { waitFor } from '../helpers/eddy-process.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const stream = (name: string): string => `eddy-demo-dev-${name}`;
const fn = (name: string): string => `eddy-demo-dev-${name}`;
const WINDOW_MS = 5_000;

interface DemoEvent {
  id: string;
  type: string;
  key: string;
  value: number;
  priority: 'normal' | 'urgent';
  at: string;
}

interface Aggregate {
  key: string;
  windowStart: string;
  windowEnd: string;
  count: number;
  min: number;
  max: number;
  average: number;
}

// A fixed, known input: 60 good events over 6 keys (every 7th urgent), plus bad ones of every kind.
const good: DemoEvent[] = Array.from({ length: 60 }, (_, i) => ({
  id: `e${i}`,
  type: ['click', 'view', 'purchase'][i % 3]!,
  key: `user-${i % 6}`,
  value: ((i * 37) % 101) - 20,
  priority: i % 7 === 3 ? 'urgent' : 'normal',
  at: '2026-01-01T00:00:00.000Z',
}));
const filteredOut = [
  { id: 'b1', type: 'bogus', key: 'user-0', value: 1_000, priority: 'normal', at: '2026-01-01T00:00:00.000Z' },
  { id: 'b2', type: 'bogus', key: 'user-1', value: -1_000, priority: 'urgent', at: '2026-01-01T00:00:00.000Z' },
];
// Well-formed JSON of a known type (so the filter lets them through) that the validator must reject.
const malformed = [
  { id: 'm1', type: 'click', key: 'user-2', value: 'lots', priority: 'normal' },
  { id: 'm2', type: 'view', value: 5, priority: 'normal' },
  { id: 'm3', type: 'purchase', key: 'user-3', value: 7, priority: 'asap' },
  { type: 'click', key: 'user-4', value: 9, priority: 'urgent' },
];
// Not JSON at all: a `data` filter pattern drops these before any invocation (reference §4.7).
const notJson = ['{"type":"click",', 'hello', '\u0000\u0001'];

let clock: VirtualClock;
let emu: Emulator;
let kinesis: KinesisClient;
let lambda: LambdaClient;
const reports: InvocationReport[] = [];
let appended = 0;

beforeAll(async () => {
  clock = new VirtualClock();
  // statusDelayMs 0: streams turn ACTIVE at once (a CREATING period would wait for the virtual clock to move).
  emu = await Emulator.start({ dir: repoRoot, inMemory: true, port: 0, clock, statusDelayMs: 0 });
  emu.onReport((r) => reports.push(r));
  emu.onKinesisEvent((e) => {
    if (e.type === 'appended') appended++;
  });
  kinesis = new KinesisClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
  lambda = new LambdaClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
});

afterAll(async () => {
  kinesis?.destroy();
  lambda?.destroy();
  await emu?.stop();
});

/**
 * Drains until the whole pipeline is quiet: one drain covers what was appended before it began, but a stage
 * that writes to the next stream during the drain may append after the next stage was seen at its tip.
 */
async function settle(): Promise<void> {
  for (;;) {
    const before = appended;
    await emu.drain({ timeoutMs: 20_000 });
    if (appended === before) return;
  }
}

async function readAll(name: string): Promise<Array<{ partitionKey: string; data: string; arrivalMs: number }>> {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
  const out: Array<{ partitionKey: string; data: string; arrivalMs: number }> = [];
  for (const shard of shards) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const r of page.Records ?? []) {
        out.push({
          partitionKey: r.PartitionKey!,
          data: Buffer.from(r.Data!).toString('utf8'),
          arrivalMs: r.ApproximateArrivalTimestamp!.getTime(),
        });
      }
      if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

async function readJson<T>(name: string): Promise<T[]> {
  return (await readAll(name)).map((r) => JSON.parse(r.data) as T);
}

function expectedAggregates(events: DemoEvent[]): Map<string, { count: number; min: number; max: number; average: number }> {
  const byKey = new Map<string, number[]>();
  for (const e of events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e.value]);
  return new Map(
    [...byKey].map(([key, values]) => [
      key,
      {
        count: values.length,
        min: Math.min(...values),
        max: Math.max(...values),
        average: values.reduce((a, b) => a + b, 0) / values.length,
      },
    ]),
  );
}

function payloadOf(out: { Payload?: Uint8Array }): unknown {
  return JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
}

describe('the demo pipeline', () => {
  it('filters, validates, enriches, routes urgent events to alert and aggregates per key over a tumbling window', async () => {
    const half = good.length / 2;
    // Producers of two kinds: the ingest function through the Lambda API, and PutRecords straight in.
    const ingested = await lambda.send(
      new InvokeCommand({
        FunctionName: fn('ingest'),
        // Bad events in the middle of good ones, so a validator that failed them would hold up the good.
        Payload: Buffer.from(JSON.stringify([...good.slice(0, 10), ...malformed, ...filteredOut, ...good.slice(10, half)])),
      }),
    );
    expect(ingested.FunctionError).toBeUndefined();
    expect(payloadOf(ingested)).toEqual({ accepted: half + filteredOut.length + malformed.length });
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamName: stream('events'),
        Records: [
          ...good.slice(half).map((e) => ({ PartitionKey: e.key, Data: Buffer.from(JSON.stringify(e)) })),
          ...notJson.map((s, i) => ({ PartitionKey: `raw-${i}`, Data: Buffer.from(s) })),
        ],
      }),
    );
    expect(put.FailedRecordCount).toBe(0);

    await settle();

    const urgent = good.filter((e) => e.priority === 'urgent');
    const normal = good.filter((e) => e.priority === 'normal');
    // Only the good events reached `valid`, each exactly once: not the filtered, malformed or non-JSON ones.
    const valid = await readJson<DemoEvent>(stream('valid'));
    expect(valid.map((e) => e.id).sort()).toEqual(good.map((e) => e.id).sort());
    expect(valid).toEqual(expect.arrayContaining(good));

    // Enrich added a category and routed by priority.
    const enriched = await readJson<DemoEvent & { category: string }>(stream('enriched'));
    expect(enriched.map((e) => e.id).sort()).toEqual(normal.map((e) => e.id).sort());
    const urgentRecords = await readJson<DemoEvent & { category: string }>(stream('urgent'));
    expect(urgentRecords.map((e) => e.id).sort()).toEqual(urgent.map((e) => e.id).sort());
    for (const e of [...enriched, ...urgentRecords]) {
      expect(e.category).toBe(e.type === 'purchase' ? 'revenue' : 'engagement');
    }

    // alert saw each urgent event in an invocation of its own, with its larger memory.
    const alerts = reports.filter((r) => r.functionKey === 'alert');
    expect(alerts).toHaveLength(urgent.length);
    expect(alerts.every((r) => r.errorType === undefined && r.memorySizeMb === 1024)).toBe(true);
    const alertMapping = emu.status().mappings.find((m) => m.functionName === fn('alert'))!;
    expect(alertMapping.shards.reduce((n, s) => n + s.recordsProcessed, 0)).toBe(urgent.length);
    expect(alertMapping.shards).toHaveLength(4);

    // The filter dropped bogus and non-JSON events before validate; validate dropped the malformed ones.
    const validateMapping = emu.status().mappings.find((m) => m.functionName === fn('validate'))!;
    const filtered = validateMapping.shards.reduce((n, s) => n + s.recordsFiltered, 0);
    expect(filtered).toBe(filteredOut.length + notJson.length);
    expect(reports.filter((r) => r.functionKey === 'validate' && r.errorType !== undefined)).toEqual([]);

    // The 5 s window is still open on the virtual clock: nothing aggregated yet.
    expect(await readAll(stream('aggregates'))).toEqual([]);
    const arrivals = new Set((await readAll(stream('enriched'))).map((r) => r.arrivalMs));
    expect([...arrivals]).toEqual([clock.now()]);

    // Past the window's end the final invocation publishes one aggregate per key.
    clock.advance(WINDOW_MS);
    const expected = expectedAggregates(normal);
    const aggregates = await waitFor(async () => {
      const got = await readJson<Aggregate>(stream('aggregates'));
      return got.length >= expected.size && got;
    }, 15_000, 'the aggregates of the closed window');
    await settle();
    expect(await readJson<Aggregate>(stream('aggregates'))).toHaveLength(expected.size);
    const windowStart = Math.floor((clock.now() - WINDOW_MS) / WINDOW_MS) * WINDOW_MS;
    for (const a of aggregates) {
      const want = expected.get(a.key)!;
      expect(want, a.key).toBeDefined();
      expect({ count: a.count, min: a.min, max: a.max }).toEqual({ count: want.count, min: want.min, max: want.max });
      expect(a.average).toBeCloseTo(want.average, 10);
      expect([Date.parse(a.windowStart), Date.parse(a.windowEnd)]).toEqual([windowStart, windowStart + WINDOW_MS]);
    }
    expect(aggregates.map((a) => a.key).sort()).toEqual([...expected.keys()].sort());
    // The aggregate records are keyed by the event key.
    expect((await readAll(stream('aggregates'))).map((r) => r.partitionKey).sort()).toEqual([...expected.keys()].sort());
  });

  it('runs commands by name through the dispatcher, and fails an unknown command with a function error', async () => {
    const notify = await lambda.send(
      new InvokeCommand({
        FunctionName: fn('dispatcher'),
        Payload: Buffer.from(JSON.stringify({ command: 'notify', args: { to: 'x' } })),
      }),
    );
    expect(notify.FunctionError).toBeUndefined();
    expect(payloadOf(notify)).toEqual({ command: 'notify', result: { notified: 'x' } });

    const reindex = await lambda.send(
      new InvokeCommand({
        FunctionName: fn('dispatcher'),
        Payload: Buffer.from(JSON.stringify({ command: 'reindex', args: { size: 10 } })),
      }),
    );
    expect(payloadOf(reindex)).toEqual({ command: 'reindex', result: { reindexed: 10, checksum: 1395 } });

    const unknown = await lambda.send(
      new InvokeCommand({ FunctionName: fn('dispatcher'), Payload: Buffer.from(JSON.stringify({ command: 'explode' })) }),
    );
    expect(unknown.StatusCode).toBe(200);
    expect(unknown.FunctionError).toBe('Unhandled');
    expect(payloadOf(unknown)).toMatchObject({
      errorType: 'Error',
      errorMessage: 'Unknown command "explode"; known: notify, reindex',
    });
    // The commands ran as functions of their own, invoked by the dispatcher through the Lambda API.
    expect(reports.filter((r) => r.functionKey === 'notify').map((r) => r.source)).toEqual(['api']);
    expect(reports.filter((r) => r.functionKey === 'reindex').map((r) => r.source)).toEqual(['api']);
  });
});
