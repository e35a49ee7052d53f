// Order per shard and per partition key, with ParallelizationFactor 1 to 10, reading a kinesalite
// started by the test with the real FunctionRuntime running the handlers.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { MappingEngine } from '../../../runtime/mappings/engine.ts';
import { laneOf } from '../../../runtime/mappings/lanes.ts';
import { createStream, engineFor, linesOf, put, spec, startFunctions, startKinesalite, waitFor, type Functions, type Kinesis, type Seen } from './helpers.ts';

let k: Kinesis;
let fns: Functions;
let engine: MappingEngine;
const root = new MemoryLogRoot();

beforeAll(async () => {
  k = await startKinesalite();
  fns = await startFunctions(root, systemClock, { pf1: 'record', pf3: 'record', pf10: 'record', gated: 'gated' });
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

  it('runs the lanes of one shard concurrently with PF > 1 (batches held by the handler overlap), keeping per-key order', async () => {
    const pf = 4;
    await createStream(k, 'pf-concurrent', 1);
    const keys = Array.from({ length: 8 }, (_, i) => `key-${i}`);
    // The keys spread over several lanes, so several batches of the one shard may be in flight at once.
    expect(new Set(keys.map((key) => laneOf(key, pf))).size).toBeGreaterThan(1);
    const records = Array.from({ length: 40 }, (_, i) => ({ pk: keys[i % keys.length]!, data: { i } }));
    await put(k, 'pf-concurrent', records);
    const mapping = spec('gated', 'pf-concurrent', { parallelizationFactor: pf, batchSize: 2 });
    await engine.add(mapping);
    // Each batch is held by its handler until released: wait until more than one batch of the shard is in
    // flight and their handlers have started (distinct batches, not a retry of one).
    const inFlight = (): number => engine.status().find((s) => s.uuid === mapping.uuid)?.shards[0]?.batchesInFlight ?? 0;
    await waitFor(async () => {
      if (inFlight() < 2) return false;
      const started = await linesOf<Seen>(fns.out, 'gated');
      return new Set(started.map((l) => l.records[0]!.seq)).size >= 2;
    }, 'two batches of the shard in flight at once');
    const held = await linesOf<Seen>(fns.out, 'gated');
    expect(new Set(held.flatMap((l) => l.records.map((r) => r.seq))).size).toBe(held.flatMap((l) => l.records).length);
    await writeFile(path.join(fns.out, 'release-svc-dev-gated'), '');
    await engine.drain({ timeoutMs: 20_000 });
    const seen = (await linesOf<Seen>(fns.out, 'gated')).flatMap((l) => l.records);
    expect(seen).toHaveLength(40);
    expect(new Set(seen.map((r) => r.seq)).size).toBe(40);
    for (const key of keys) {
      const want = records.map((r, i) => ({ ...r, i })).filter((r) => r.pk === key).map((r) => r.i);
      expect(seen.filter((r) => r.pk === key).map((r) => r.data['i'])).toEqual(want);
    }
  });
});
