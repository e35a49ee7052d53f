// Checkpoints on disk: closing the engine and opening a new one on the same data dir resumes every
// mapping (API-created ones are restored from the data dir, serverless.yml ones re-declared with their
// stable UUID) from its checkpoint: nothing skipped, nothing repeated after a clean stop.
import fs from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.ts';
import type { StreamEventConfig } from '../../../runtime/config/types.ts';
import { openDiskRoot } from '../../../runtime/log/disk-root.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { LogRoot } from '../../../runtime/log/types.ts';
import { specFromStreamEvent, stableMappingUuid } from '../../../runtime/mappings/spec.ts';
import { ACCOUNT, createStream, engineFor, linesOf, put, REGION, spec, startFunctions, startKinesalite, streamArn, tempDir, type Functions, type Kinesis, type Seen } from './helpers.ts';

let k: Kinesis;
let fns: Functions;
let dir: string;

beforeEach(async () => {
  k = await startKinesalite();
  fns = await startFunctions(new MemoryLogRoot(), systemClock, { api: 'record', yaml: 'record' });
  dir = await tempDir();
});

afterEach(async () => {
  await fns?.close();
  await k?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function yamlEvent(stream: string): StreamEventConfig {
  return {
    functionKey: 'yaml',
    arn: streamArn(stream),
    streamName: stream,
    batchSize: 10,
    batchWindow: 0,
    startingPosition: 'TRIM_HORIZON',
    startingPositionTimestamp: undefined,
    maximumRetryAttempts: -1,
    parallelizationFactor: 1,
    bisectBatchOnFunctionError: false,
    maximumRecordAgeInSeconds: -1,
    tumblingWindowInSeconds: 0,
    functionResponseType: undefined,
    filterPatterns: [],
    onFailure: undefined,
    enabled: true,
    consumer: false,
  };
}

const ids = async (key: string): Promise<number[]> =>
  (await linesOf<Seen>(fns.out, key)).flatMap((l) => l.records.map((r) => r.data['i'] as number));

describe('resume from checkpoint', () => {
  it('after closing and reopening the engine on the same data dir', async () => {
    await createStream(k, 'resume', 2);
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const records = Array.from({ length: 150 }, (_, i) => ({ pk: keys[i % 5]!, data: { i } }));
    await put(k, 'resume', records.slice(0, 100));

    let root: LogRoot = await openDiskRoot(dir, { fsync: false });
    let engine = await engineFor(k, root, systemClock, fns);
    const apiMapping = spec('api', 'resume', { batchSize: 7 });
    await engine.add(apiMapping);
    const ctx = { region: REGION, accountId: ACCOUNT, nowMs: Date.now() };
    const yaml = specFromStreamEvent(yamlEvent('resume'), { name: 'svc-dev-yaml' }, 0, ctx);
    expect(yaml.uuid).toBe(stableMappingUuid('yaml', streamArn('resume'), 0));
    await engine.add(yaml);
    await engine.drain({ timeoutMs: 15_000 });
    await engine.close();
    await root.close();
    expect((await ids('api')).sort((a, b) => a - b)).toEqual(records.slice(0, 100).map((r) => r.data.i));

    await put(k, 'resume', records.slice(100));
    root = await openDiskRoot(dir, { fsync: false });
    engine = await engineFor(k, root, systemClock, fns);
    try {
      // The API mapping came back by itself; the serverless.yml one is declared again, same UUID.
      expect(engine.list().map((m) => m.spec.uuid)).toEqual([apiMapping.uuid]);
      await engine.add(specFromStreamEvent(yamlEvent('resume'), { name: 'svc-dev-yaml' }, 0, ctx));
      await engine.drain({ timeoutMs: 15_000 });
    } finally {
      await engine.close();
      await root.close();
    }
    for (const key of ['api', 'yaml']) {
      const got = await ids(key);
      expect(got).toHaveLength(150);
      expect([...got].sort((a, b) => a - b)).toEqual(records.map((r) => r.data.i));
      for (const pk of keys) {
        expect(got.filter((i) => records[i]!.pk === pk)).toEqual(records.filter((r) => r.pk === pk).map((r) => r.data.i));
      }
    }
  });
});
