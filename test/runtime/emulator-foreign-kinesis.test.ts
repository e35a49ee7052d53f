// The Emulator's mappings reading a foreign Kinesis endpoint (a kinesalite started by the test) instead of
// eddy's own log: serverless.yml's mapping, the SDK's usual credential chain, no wake (the pollers poll),
// and checkpoints on the foreign stream's sequence numbers across a restart.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Emulator } from '../../runtime/index.ts';
import { recorded } from '../helpers/emulator-fixture.ts';

const fixture = path.resolve(import.meta.dirname, '../fixtures/emulator');
const testCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };
/** What the SDK's credential chain finds in the environment; eddy's own clients sign with other keys. */
const CHAIN_KEY = 'AKIDCHAINFROMENV';
const CHAIN_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;

let tmp: string;
let emu: Emulator | undefined;
let foreign: { endpoint: string; client: KinesisClient; signedBy: Map<string, Set<string>>; close(): Promise<void> } | undefined;
let savedEnv: Array<[string, string | undefined]>;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eddy-emu-foreign-'));
  process.env.EDDY_TEST_OUT_FILE = path.join(tmp, 'seen.ndjson');
  savedEnv = CHAIN_ENV.map((name) => [name, process.env[name]]);
  for (const name of CHAIN_ENV) delete process.env[name];
  process.env.AWS_ACCESS_KEY_ID = CHAIN_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = 'chain-secret';
  foreign = await startKinesalite();
});

afterEach(async () => {
  await emu?.stop();
  emu = undefined;
  await foreign?.close();
  foreign = undefined;
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(tmp, { recursive: true, force: true });
});

/**
 * A kinesalite on port 0, an SDK client for it (HTTP/1.1: kinesalite does not speak h2c), and, per Kinesis
 * operation, the access key ids its requests were signed with.
 */
async function startKinesalite(): Promise<NonNullable<typeof foreign>> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  const signedBy = new Map<string, Set<string>>();
  server.prependListener('request', (req) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop()!;
    const key = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '(unsigned)';
    if (!signedBy.has(operation)) signedBy.set(operation, new Set());
    signedBy.get(operation)!.add(key);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new KinesisClient({ endpoint, region: 'us-east-1', credentials: testCredentials, requestHandler: new NodeHttpHandler() });
  return {
    endpoint,
    client,
    signedBy,
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function createOrders(client: KinesisClient): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 2 }));
  for (;;) {
    const s = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }));
    if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function put(client: KinesisClient, records: Array<{ key: string; data: string }>): Promise<void> {
  const out = await client.send(
    new PutRecordsCommand({
      StreamName: 'orders',
      Records: records.map((r) => ({ PartitionKey: r.key, Data: Buffer.from(r.data) })),
    }),
  );
  expect(out.FailedRecordCount).toBe(0);
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}


describe('Emulator with a foreign Kinesis endpoint', () => {
  it("kinesisEndpoint: serverless.yml's mapping reads the kinesalite, not eddy's own stream of the same name, with the SDK's credentials", async () => {
    await createOrders(foreign!.client);
    emu = await Emulator.start({ dir: fixture, inMemory: true, port: 0, kinesisEndpoint: foreign!.endpoint });
    // eddy still creates serverless.yml's `orders` in its own log: records put there must not reach the mapping.
    const own = new KinesisClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: testCredentials });
    await put(own, Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, data: `own${i}` })));
    own.destroy();
    const records = Array.from({ length: 40 }, (_, i) => ({ key: `k${i % 5}`, data: `r${i}` }));
    await put(foreign!.client, records);
    await emu.drain({ timeoutMs: 30_000 });

    const lines = recorded();
    expect(lines.map((l) => l.data).sort()).toEqual(records.map((r) => r.data).sort());
    for (let k = 0; k < 5; k++) {
      const mine = lines.filter((l) => l.key === `k${k}`).map((l) => Number(l.data.slice(1)));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    // Nothing wakes a poller on a foreign put: idle pollers find new records by polling (about once a second).
    await put(foreign!.client, [{ key: 'k0', data: 'late' }]);
    await waitFor(() => recorded().some((l) => l.data === 'late'));
    expect(recorded().filter((l) => l.data.startsWith('own'))).toEqual([]);
    // The pollers signed with what the SDK's chain found in the environment.
    for (const operation of ['ListShards', 'GetShardIterator', 'GetRecords']) {
      expect([...(foreign!.signedBy.get(operation) ?? [])], operation).toEqual([CHAIN_KEY]);
    }
  }, 60_000);

  it("custom.eddy.kinesisEndpoint and a plain ARN of another account: checkpoints on the foreign stream's sequence numbers survive a restart", async () => {
    await createOrders(foreign!.client);
    const dir = path.join(tmp, 'service');
    await cp(path.join(fixture, 'handlers'), path.join(dir, 'handlers'), { recursive: true });
    // No AWS::Kinesis::Stream resource: the stream exists only behind the foreign endpoint.
    await writeFile(
      path.join(dir, 'serverless.yml'),
      [
        'service: foreign',
        'provider:',
        '  name: aws',
        '  runtime: nodejs20.x',
        '  environment:',
        `    OUT_FILE: \${env:EDDY_TEST_OUT_FILE}`,
        'functions:',
        '  record:',
        '    handler: handlers/record.handler',
        '    events:',
        '      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders',
        'custom:',
        '  eddy:',
        `    kinesisEndpoint: ${foreign!.endpoint}`,
        '',
      ].join('\n'),
    );
    const dataDir = path.join(tmp, 'data');

    emu = await Emulator.start({ dir, dataDir, port: 0 });
    await put(foreign!.client, Array.from({ length: 10 }, (_, i) => ({ key: `a${i}`, data: `first${i}` })));
    await emu.drain({ timeoutMs: 30_000 });
    expect(recorded().map((l) => l.data).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `first${i}`).sort());
    await emu.stop();
    emu = undefined;

    // Put while eddy is down: the restarted mapping resumes after its checkpoint and reads only these.
    await put(foreign!.client, Array.from({ length: 5 }, (_, i) => ({ key: `b${i}`, data: `second${i}` })));
    emu = await Emulator.start({ dir, dataDir, port: 0 });
    await emu.drain({ timeoutMs: 30_000 });
    const data = recorded().map((l) => l.data);
    expect(data).toHaveLength(15);
    expect(data.slice(10).sort()).toEqual(Array.from({ length: 5 }, (_, i) => `second${i}`).sort());
  }, 60_000);
});
