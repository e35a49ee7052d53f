// Order per shard and per partition key, with ParallelizationFactor 1 to 10, reading a kinesalite
// started by the test with the real FunctionRuntime running the handlers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { MappingEngine } from '../../../runtime/mappings/engine.ts';
import { createStream, engineFor, linesOf, put, spec, startFunctions, startKinesalite, type Functions, type Kinesis, type Seen } from './helpers.ts';

let k: Kinesis;
let fns: Functions;
let engine: MappingEngine;
const root = new MemoryLogRoot();

beforeAll(async () => {
  k = await startKinesalite();
  fns = await startFunctions(root, systemClock, { pf1: 'record', pf3: 'record', pf10: 'record' });
  engine = await engineFor(k, root, systemClock, fns);
});

afterAll(async () => {
  await engine?.close();
  await fns?.close();
  await k?.close();
});

describe('ordering', () => {
  it.each([1, 3, 10])('keeps per-shard order (PF 1) and per-key order with PF %i', async (pf) => {
    const stream = `order-${pf}`;
    await createStream(k, stream, 2);
    const keys = Array.from({ length: 24 }, (_, i) => `key-${i}`);
    const records = Array.from({ length: 300 }, (_, i) => ({ pk: keys[i % keys.length]!, data: { i } }));
    const put1 = await put(k, stream, records.slice(0, 150));
    await engine.add(spec(`pf${pf}`, stream, { parallelizationFactor: pf, batchSize: 7 }));
    const put2 = await put(k, stream, records.slice(150)); // while consuming
    const placed = [...put1, ...put2];
    await engine.drain({ timeoutMs: 20_000 });
    const seen = (await linesOf<Seen>(fns.out, `pf${pf}`)).flatMap((l) => l.records);
    expect(seen).toHaveLength(300);
    expect(new Set(seen.map((r) => r.seq)).size).toBe(300);
    // Each batch holds records of one shard.
    for (const line of await linesOf<Seen>(fns.out, `pf${pf}`)) {
      expect(new Set(line.records.map((r) => r.eventID.split(':')[0])).size).toBe(1);
      expect(line.records.length).toBeLessThanOrEqual(7);
    }
    // Per key: the order it was put in.
    for (const key of keys) {
      const got = seen.filter((r) => r.pk === key).map((r) => r.data['i']);
      const want = records.map((r, i) => ({ ...r, i })).filter((r) => r.pk === key).map((r) => r.i);
      expect(got).toEqual(want);
    }
    if (pf === 1) {
      // Per shard: sequence order.
      for (const shardId of new Set(placed.map((p) => p.shardId))) {
        const got = seen.filter((r) => r.eventID.startsWith(`${shardId}:`)).map((r) => BigInt(r.seq));
        expect(got).toEqual([...got].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(got).toHaveLength(placed.filter((p) => p.shardId === shardId).length);
      }
    }
    const status = engine.status().find((s) => s.functionName === `svc-dev-pf${pf}`)!;
    expect(status.lastProcessingResult).toBe('OK');
    expect(status.shards.map((s) => s.recordsProcessed).reduce((a, b) => a + b)).toBe(300);
  });
});
