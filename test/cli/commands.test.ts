// Every read/write command of the eddy CLI, run as users run it: a child process against a running eddy.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEddy, startEddy, waitFor, type EddyProcess } from '../helpers/eddy-process.ts';

const fixture = path.resolve(import.meta.dirname, '../fixtures/emulator');
let tmp: string;
let eddy: EddyProcess;
let connect: string[];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eddy-cli-'));
  const dataDir = path.join(tmp, 'data');
  eddy = await startEddy(['--port', '0', '--dir', fixture, '--data-dir', dataDir, '--no-watch'], {
    EDDY_TEST_OUT_FILE: path.join(tmp, 'seen.ndjson'),
  });
  connect = ['--data-dir', dataDir];
}, 60_000);

afterAll(async () => {
  await eddy?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('eddy CLI against a running eddy (found through the data dir)', () => {
  it('streams lists streams and shows a shard table', async () => {
    const list = await runEddy(['streams', '--json', ...connect]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      { name: 'orders', status: 'ACTIVE', mode: 'PROVISIONED', openShards: 2, retentionHours: 24 },
    ]);
    const shards = await runEddy(['streams', 'orders', ...connect]);
    expect(shards.code).toBe(0);
    expect(shards.stdout).toMatch(/^SHARD\s+STATE\s+PARENTS\s+HASH RANGE$/m);
    expect(shards.stdout).toContain('shardId-000000000000  OPEN   -        0 … 170141183460469231731687303715884105727');
  });

  it('a boolean option from the environment takes its value: EDDY_JSON=1 is --json, EDDY_JSON=0 is not', async () => {
    const on = await runEddy(['streams', ...connect], { env: { EDDY_JSON: '1' } });
    expect(JSON.parse(on.stdout)).toHaveLength(1);
    const off = await runEddy(['streams', ...connect], { env: { EDDY_JSON: '0' } });
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/^STREAM\s+STATUS/m);
    const bad = await runEddy(['streams', ...connect], { env: { EDDY_JSON: 'maybe' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('EDDY_JSON: must be true or false');
  });

  it('put writes --data, an NDJSON --file and stdin; tail reads them back decoded', async () => {
    const one = await runEddy(['put', 'orders', '--data', '{"n":1}', '--partition-key', 'same', ...connect]);
    expect(one).toMatchObject({ code: 0, stdout: '1 record(s) written\n' });
    const file = path.join(tmp, 'records.ndjson');
    await writeFile(file, '{"n":2}\n{"n":3}\n\n');
    const fromFile = await runEddy(['put', 'orders', '--file', file, '--partition-key', 'same', '--json', ...connect]);
    expect(JSON.parse(fromFile.stdout)).toEqual({ written: 2, failed: 0 });
    const fromStdin = await runEddy(['put', 'orders', '--partition-key', 'same', ...connect], { input: '{"n":4}\n' });
    expect(fromStdin.stdout).toBe('1 record(s) written\n');

    const tail = await runEddy(['tail', 'orders', '--from', 'trim-horizon', '--limit', '4', '--json', ...connect]);
    expect(tail.code).toBe(0);
    const rows = tail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { data: string; partitionKey: string });
    expect(rows.map((r) => r.data)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}']);
    expect(new Set(rows.map((r) => r.partitionKey))).toEqual(new Set(['same']));
  });

  it('tail --from trim-horizon prints the records of a shard closed by a split, then its children', async () => {
    const client = new KinesisClient({ endpoint: eddy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const active = async (): Promise<boolean> =>
      (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'split' }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
    await client.send(new CreateStreamCommand({ StreamName: 'split', ShardCount: 1 }));
    await waitFor(active);
    await client.send(new PutRecordCommand({ StreamName: 'split', PartitionKey: 'k', Data: Buffer.from('before') }));
    await client.send(new SplitShardCommand({ StreamName: 'split', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString() }));
    await waitFor(active);
    await client.send(new PutRecordCommand({ StreamName: 'split', PartitionKey: 'k', Data: Buffer.from('after') }));
    client.destroy();
    const tail = await runEddy(['tail', 'split', '--from', 'trim-horizon', '--limit', '2', '--json', ...connect]);
    expect(tail.code).toBe(0);
    const rows = tail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { data: string; shardId: string });
    expect(rows.map((r) => r.data)).toEqual(['before', 'after']);
    expect(rows[0]!.shardId).toBe('shardId-000000000000');
  });

  it('invoke prints the result on stdout and the log tail on stderr; a function error exits 1', async () => {
    const ok = await runEddy(['invoke', 'echo', '--data', '{"a":1}', ...connect]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ event: { a: 1 }, functionName: 'emu-dev-echo' });
    expect(ok.stderr).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    expect(ok.stderr).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t/m);

    const bad = await runEddy(['invoke', 'echo', '--data', '{not json', ...connect]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: the event \(--data\) is not JSON: /m);

    const missing = await runEddy(['invoke', 'nope', ...connect]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope/);
  });

  it('status shows functions and per-shard mapping state; logs prints a function log', async () => {
    await runEddy(['put', 'orders', '--data', 'x', ...connect]);
    const status = await waitFor(async () => {
      const out = await runEddy(['status', '--json', ...connect]);
      const s = JSON.parse(out.stdout) as { mappings: Array<{ shards: Array<{ invocations: number }> }> };
      return s.mappings[0]!.shards.some((sh) => sh.invocations > 0) && s;
    }, 20_000, 'a mapping invocation');
    expect(status).toMatchObject({ service: 'emu', stage: 'dev' });
    const table = await runEddy(['status', ...connect]);
    expect(table.stdout).toMatch(/^FUNCTION\s+STREAM\s+SHARD\s+STATE\s+ITERATOR AGE\s+BEHIND\s+INVOKES/m);
    expect(table.stdout).toMatch(/emu-dev-record\s+orders\s+shardId-00000000000[01]\s+Enabled/);

    const logs = await waitFor(async () => {
      const out = await runEddy(['logs', 'record', ...connect]);
      return out.code === 0 && /REPORT RequestId/.test(out.stdout) && out;
    }, 20_000, 'the record function log');
    expect(logs.stdout).toMatch(/^START RequestId: /m);
  });

  it('status shows a disabled mapping (which reads no shard) with its state, in the table and in --json', async () => {
    const lambda = new LambdaClient({ endpoint: eddy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const { UUID } = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'emu-dev-echo',
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders',
        StartingPosition: 'LATEST',
        Enabled: false,
      }),
    );
    try {
      await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === 'Disabled', 10_000, 'Disabled');
      const json = await runEddy(['status', '--json', ...connect]);
      const mappings = (JSON.parse(json.stdout) as { mappings: Array<Record<string, unknown>> }).mappings;
      expect(mappings.find((m) => m['uuid'] === UUID)).toMatchObject({ functionName: 'emu-dev-echo', state: 'Disabled', shards: [] });
      const table = await runEddy(['status', ...connect]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^emu-dev-echo\s+orders\s+-\s+Disabled\s+-\s+.*No records processed$/m);
      // The enabled mapping keeps its per-shard rows.
      expect(table.stdout).toMatch(/^emu-dev-record\s+orders\s+shardId-000000000000\s+Enabled\s/m);
    } finally {
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
      lambda.destroy();
    }
  });

  it('cost prints the metered run as JSON', async () => {
    const cost = await runEddy(['cost', '--json', ...connect]);
    expect(cost.code).toBe(0);
    const report = JSON.parse(cost.stdout) as {
      bill: { region: string; lines: Array<{ item: string }>; functions: Array<{ functionKey: string; requests: number }> };
    };
    expect(report.bill.region).toBe('us-east-1');
    // The invocations above were metered per function, and the stream's shard-hours are on the bill.
    expect(report.bill.functions.find((f) => f.functionKey === 'echo')?.requests).toBeGreaterThan(0);
    expect(report.bill.lines.map((l) => l.item)).toEqual(expect.arrayContaining(['lambda.requests', 'kinesis.shardHours']));
  });
});

describe('eddy CLI without a running eddy', () => {
  it('invoke --invocation-type Event with no eddy running runs the event before it exits', async () => {
    const out = path.join(tmp, 'event-seen.ndjson');
    const event = { Records: [{ eventID: 'shardId-000000000000:1', kinesis: { partitionKey: 'k', data: Buffer.from('queued').toString('base64') } }] };
    const run = await runEddy(
      ['invoke', 'record', '--invocation-type', 'Event', '--data', JSON.stringify(event), '--dir', fixture, '--data-dir', path.join(tmp, 'own')],
      { env: { EDDY_TEST_OUT_FILE: out } },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ key: 'k', data: 'queued' });
  });

  it('events kinesis prints a sample event with the shape an event-source mapping delivers', async () => {
    const out = await runEddy(['events', 'kinesis', '--records', '2', '--stream', 's1']);
    expect(out.code).toBe(0);
    const event = JSON.parse(out.stdout) as { Records: Array<Record<string, unknown>> };
    expect(event.Records).toHaveLength(2);
    expect(event.Records[0]).toMatchObject({
      eventSource: 'aws:kinesis',
      eventName: 'aws:kinesis:record',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s1',
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'pk-1' },
    });
    const bad = await runEddy(['events', 'kinesis', '--records', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--records: must be an integer');
    const badLimit = await runEddy(['tail', 'orders', '--limit', '0', ...connect]);
    expect(badLimit.code).toBe(2);
  });

  it('exits 4 when a command needs a running eddy and finds none, and 2 on a usage error', async () => {
    const none = await runEddy(['streams', '--data-dir', path.join(tmp, 'nothing-here')]);
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/No running eddy found/);
    // An --endpoint nobody answers at is the same "not running", whichever command asked.
    for (const command of ['status', 'cost', 'destinations']) {
      const unreachable = await runEddy([command, '--endpoint', 'http://127.0.0.1:1']);
      expect(unreachable.code, command).toBe(4);
      expect(unreachable.stderr, command).toMatch(/No eddy answered at http:\/\/127.0.0.1:1/);
    }
    const usage = await runEddy(['streams', '--port', 'x']);
    expect(usage.code).toBe(2);
    const unknown = await runEddy(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
