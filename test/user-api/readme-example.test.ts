// What a user writes in their own vitest test, as the README shows it: eddy from its package name, the
// user's serverless.yml, records in with the real SDK, `await emu.drain()`, results out, stop.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { Emulator } from 'eddy';
import { afterEach, beforeEach, expect, test } from 'vitest';

let emu: Emulator;
let kinesis: KinesisClient;
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
  emu = await Emulator.start({ dir: path.join(import.meta.dirname, 'fixture'), dataDir, port: 0 });
  kinesis = new KinesisClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterEach(async () => {
  kinesis.destroy();
  await emu.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('totals each order', async () => {
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: 'shop-dev-orders',
      Records: [
        { id: 'o1', items: [{ price: 5, quantity: 2 }] },
        { id: 'o2', items: [{ price: 3, quantity: 1 }, { price: 4, quantity: 3 }] },
      ].map((order) => ({ PartitionKey: order.id, Data: Buffer.from(JSON.stringify(order)) })),
    }),
  );

  await emu.drain(); // every mapping has caught up: the function has seen both orders

  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: 'shop-dev-totals',
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  const totals = Records.map((r) => JSON.parse(Buffer.from(r.Data!).toString()));
  expect(totals.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
    { id: 'o1', total: 10 },
    { id: 'o2', total: 15 },
  ]);
});
