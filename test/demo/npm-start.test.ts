// `npm start` runs the demo as a user does: eddy serves the pipeline, the feed plays workload.yml into the
// events stream, records flow through every stage, and SIGINT to eddy stops it cleanly: npm exits 0, the
// data dir no longer names a running eddy, and the run's cost snapshot was written.
//
// The SIGINT goes to eddy's own process (its pid from `eddy status`), not to the whole process group as a
// terminal's Ctrl-C does: npm runs the script through `sh -c`, and Debian's dash dies of a SIGINT even
// when the command it waits for handles it and exits 0, so npm then reports the signal whatever eddy did.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { afterEach, expect, it } from 'vitest';
import type { EddyStatus } from '../../runtime/index.ts';
import { repoRoot, runEddy, waitFor } from '../helpers/eddy-process.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let tmp: string | undefined;
let stopGroup: (() => void) | undefined;

afterEach(async () => {
  stopGroup?.();
  stopGroup = undefined;
  if (tmp) await rm(tmp, { recursive: true, force: true });
  tmp = undefined;
});

interface Aggregate {
  key: string;
  count: number;
  min: number;
  max: number;
  average: number;
}

async function readAggregates(kinesis: KinesisClient, streamName: string): Promise<Aggregate[]> {
  const out: Aggregate[] = [];
  for (const shard of (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? []) {
    const it = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    for (const r of page.Records ?? []) out.push(JSON.parse(Buffer.from(r.Data!).toString('utf8')) as Aggregate);
  }
  return out;
}

it('npm start serves the demo, feeds it until every stage has run, and exits 0 on SIGINT', async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eddy-npm-start-'));
  const dataDir = path.join(tmp, 'data');
  // Its own process group, so that whatever is left of it can be killed at the end of a failed test.
  const child = spawn('npm', ['start', '--', '--port', '0', '--data-dir', dataDir], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const group = child.pid!;
  stopGroup = () => {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const endpoint = await waitFor(() => /eddy ready (http:\/\/\S+)/.exec(out)?.[1], 20_000, `eddy ready in:\n${out}`);
  // Written right after "eddy ready", but it may come in the next chunk of the pipe.
  const feeding = 'eddy | feeding workload "demo-pipeline" into eddy-demo-dev-events';
  await waitFor(() => out.includes(feeding), 20_000, `"${feeding}" in:\n${out}`);

  // Every mapped stage has been invoked: the feed's records went through validate, enrich, aggregate and alert.
  const status = await waitFor(
    async () => {
      const { code, stdout } = await runEddy(['status', '--json', '--data-dir', dataDir]);
      if (code !== 0) return undefined;
      const s = JSON.parse(stdout) as EddyStatus;
      const invoked = (name: string): number =>
        s.mappings.filter((m) => m.functionName === `eddy-demo-dev-${name}`).flatMap((m) => m.shards).reduce((n, sh) => n + sh.invocations, 0);
      return ['validate', 'enrich', 'aggregate', 'alert'].every((f) => invoked(f) > 0) && s;
    },
    20_000,
    'invocations of every mapped function',
  );
  expect(status.endpoint).toBe(endpoint);
  // `type: bogus` events of the workload were dropped by validate's filter.
  const filtered = status.mappings
    .filter((m) => m.functionName === 'eddy-demo-dev-validate')
    .flatMap((m) => m.shards)
    .reduce((n, s) => n + s.recordsFiltered, 0);
  expect(filtered).toBeGreaterThan(0);

  // A 5 s tumbling window closes and its aggregates land in the aggregates stream.
  const kinesis = new KinesisClient({ endpoint, region: 'us-east-1', credentials });
  try {
    const aggregates = await waitFor(() => readAggregates(kinesis, 'eddy-demo-dev-aggregates').then((a) => a.length > 0 && a), 20_000, 'aggregates');
    for (const a of aggregates) {
      expect(a.count).toBeGreaterThan(0);
      expect(a.min).toBeLessThanOrEqual(a.average);
      expect(a.average).toBeLessThanOrEqual(a.max);
    }
    expect(out).toMatch(/aggregate \| .*window \S+ closed with \d+ keys/);
  } finally {
    kinesis.destroy();
  }

  expect(existsSync(path.join(dataDir, 'eddy.json'))).toBe(true);
  process.kill(status.pid, 'SIGINT');
  const { code, signal } = await exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(out).not.toMatch(/Unhandled|uncaught/i);
  // A clean stop: the running file is gone and the cost meter's snapshot of the run was written.
  expect(existsSync(path.join(dataDir, 'eddy.json'))).toBe(false);
  expect(existsSync(path.join(dataDir, 'cost-last-run.json'))).toBe(true);
  stopGroup = undefined;
}, 90_000);
