// ReportBatchItemFailures end to end: the checkpoint at the lowest failed sequence number, and AWS's
// rules for empty, null and invalid identifiers (reference §4.4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { MappingEngine } from '../../../runtime/mappings/engine.ts';
import { createStream, engineFor, linesOf, put, spec, startFunctions, startKinesalite, type Functions, type Kinesis, type Seen } from './helpers.ts';

const MODES = ['ok', 'empty-list', 'null-list', 'null', 'empty-object', 'empty-string', 'null-id', 'misspelled', 'unknown-id'] as const;

let k: Kinesis;
let fns: Functions;
let engine: MappingEngine;
const root = new MemoryLogRoot();

beforeAll(async () => {
  k = await startKinesalite();
  fns = await startFunctions(root, systemClock, Object.fromEntries(MODES.map((m) => [m, 'partial'])));
  engine = await engineFor(k, root, systemClock, fns);
});

afterAll(async () => {
  await engine?.close();
  await fns?.close();
  await k?.close();
});

const ids = (line: Seen): number[] => line.records.map((r) => r.data['i'] as number);
const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

async function run(mode: (typeof MODES)[number]): Promise<number[][]> {
  const stream = `partial-${mode}`;
  await createStream(k, stream, 1);
  // Records 6 and 3 fail on their first delivery (reported in that order).
  await put(k, stream, ALL.map((i) => ({ pk: 'k', data: { i, mode, fail: i === 3 || i === 6 } })));
  await engine.add(spec(mode, stream, { batchSize: 10, reportBatchItemFailures: true }));
  await engine.drain({ timeoutMs: 15_000 });
  return (await linesOf<Seen>(fns.out, mode)).map(ids);
}

describe('ReportBatchItemFailures', () => {
  it('retries from the lowest failed sequence number; earlier records are done', async () => {
    expect(await run('ok')).toEqual([ALL, [3, 4, 5, 6, 7, 8, 9]]);
  });

  it.each(['empty-list', 'null-list', 'null', 'empty-object'] as const)('treats a %s response as complete success', async (mode) => {
    expect(await run(mode)).toEqual([ALL]);
  });

  it.each(['empty-string', 'null-id', 'misspelled', 'unknown-id'] as const)('retries the whole batch for a %s identifier', async (mode) => {
    expect(await run(mode)).toEqual([ALL, ALL]);
  });
});
