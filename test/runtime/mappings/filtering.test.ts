// Filtering end to end: only matching records reach the function, non-matching ones are checkpointed
// (the checkpoint moves past a filtered tail), and the count shows in status.
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
  fns = await startFunctions(root, systemClock, { filtered: 'record' });
  engine = await engineFor(k, root, systemClock, fns);
});

afterAll(async () => {
  await engine?.close();
  await fns?.close();
  await k?.close();
});

describe('filter patterns', () => {
  it('delivers records matching any pattern and checkpoints the others', async () => {
    await createStream(k, 'filtering', 1);
    const data = [
      { i: 0, type: 'buy', amount: 10 },
      { i: 1, type: 'sell', amount: 10 },
      'not json',
      { i: 3, type: 'sell', amount: 500 },
      { i: 4, type: 'buy', amount: 1 },
      { i: 5, type: 'hold' },
      { i: 6, type: 'sell', amount: 5 },
    ];
    const placed = await put(k, 'filtering', data.map((d) => ({ pk: 'k', data: d })));
    const mapping = spec('filtered', 'filtering', {
      filterPatterns: [JSON.stringify({ data: { type: ['buy'] } }), JSON.stringify({ data: { amount: [{ numeric: ['>', 100] }] } })],
    });
    await engine.add(mapping);
    await engine.drain({ timeoutMs: 15_000 });
    const seen = (await linesOf<Seen>(fns.out, 'filtered')).flatMap((l) => l.records.map((r) => r.data['i']));
    expect(seen).toEqual([0, 3, 4]);
    const shard = engine.status().find((s) => s.uuid === mapping.uuid)!.shards[0]!;
    expect(shard.recordsFiltered).toBe(4);
    expect(shard.recordsProcessed).toBe(3);
    expect(shard.checkpoint).toBe(placed[6]!.seq);
  });
});
