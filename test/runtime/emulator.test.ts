// The Emulator facade end to end: serverless.yml resources and mappings, both APIs on one port, drain(),
// and a restart on the same data dir that keeps records and checkpoints.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescribeStreamSummaryCommand, KinesisClient, ListStreamConsumersCommand, ListStreamsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Emulator, VirtualClock } from '../../runtime/index.ts';
import { recorded } from '../helpers/emulator-fixture.ts';

const fixture = path.resolve(import.meta.dirname, '../fixtures/emulator');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let tmp: string;
let emu: Emulator | undefined;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eddy-emu-'));
  process.env.EDDY_TEST_OUT_FILE = path.join(tmp, 'seen.ndjson');
});

afterEach(async () => {
  await emu?.stop();
  emu = undefined;
  await rm(tmp, { recursive: true, force: true });
});


describe('Emulator', () => {
  it('serves Kinesis and Lambda on one port, runs the mappings of serverless.yml, and drains', async () => {
    emu = await Emulator.start({ dir: fixture, dataDir: path.join(tmp, 'data'), port: 0 });
    expect(emu.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const kinesis = new KinesisClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
    const lambda = new LambdaClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });

    expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(['orders']);
    const records = Array.from({ length: 40 }, (_, i) => ({ PartitionKey: `k${i % 5}`, Data: Buffer.from(`r${i}`) }));
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: 'orders', Records: records }));
    expect(put.FailedRecordCount).toBe(0);
    await emu.drain();

    const lines = recorded();
    expect(lines.map((l) => l.data).sort()).toEqual(records.map((r) => r.Data.toString()).sort());
    for (let k = 0; k < 5; k++) {
      // Per key, records arrive in the order they were put.
      const mine = lines.filter((l) => l.key === `k${k}`).map((l) => Number(l.data.slice(1)));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }

    const out = await lambda.send(new InvokeCommand({ FunctionName: 'emu-dev-echo', Payload: Buffer.from('{"hi":1}') }));
    const body = JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
    expect(body).toEqual({ event: { hi: 1 }, functionName: 'emu-dev-echo', memoryLimitInMB: '128', endpoint: emu.endpoint });

    const mappings = await lambda.send(new ListEventSourceMappingsCommand({}));
    expect(mappings.EventSourceMappings?.map((m) => [m.FunctionArn?.split(':').pop(), m.BatchSize, m.StartingPosition])).toEqual([
      ['emu-dev-record', 7, 'TRIM_HORIZON'],
    ]);
    kinesis.destroy();
    lambda.destroy();
  });

  it('keeps records and checkpoints across a restart on the same data dir', async () => {
    const dataDir = path.join(tmp, 'data');
    emu = await Emulator.start({ dir: fixture, dataDir, port: 0 });
    let kinesis = new KinesisClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'orders',
        Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: `a${i}`, Data: Buffer.from(`first${i}`) })),
      }),
    );
    await emu.drain();
    expect(recorded()).toHaveLength(10);
    kinesis.destroy();
    await emu.stop();
    expect(existsSync(path.join(dataDir, 'eddy.json'))).toBe(false);

    emu = await Emulator.start({ dir: fixture, dataDir, port: 0 });
    kinesis = new KinesisClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'orders',
        Records: Array.from({ length: 5 }, (_, i) => ({ PartitionKey: `b${i}`, Data: Buffer.from(`second${i}`) })),
      }),
    );
    await emu.drain();
    // The first ten were checkpointed before the stop: only the five new records are delivered now.
    const data = recorded().map((l) => l.data);
    expect(data).toHaveLength(15);
    expect(data.filter((d) => d.startsWith('second'))).toHaveLength(5);
    const running = JSON.parse(await readFile(path.join(dataDir, 'eddy.json'), 'utf8'));
    expect(running).toMatchObject({ pid: process.pid, endpoint: emu.endpoint });
    kinesis.destroy();
  });

  it('consumer: true registers a stream consumer named as Serverless names it, once, and the mapping reads through it', async () => {
    const dir = path.resolve(import.meta.dirname, '../fixtures/emulator-consumer');
    const dataDir = path.join(tmp, 'data');
    const streamArn = 'arn:aws:kinesis:us-east-1:000000000000:stream/orders';
    const consumersAndMappings = async () => {
      const kinesis = new KinesisClient({ endpoint: emu!.endpoint, region: 'us-east-1', credentials });
      const lambda = new LambdaClient({ endpoint: emu!.endpoint, region: 'us-east-1', credentials });
      const consumers = (await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers ?? [];
      const mappings = (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
      await kinesis.send(new PutRecordsCommand({ StreamName: 'orders', Records: [{ PartitionKey: 'k', Data: Buffer.from(`r${recorded().length}`) }] }));
      kinesis.destroy();
      lambda.destroy();
      return { consumers, mappings };
    };

    // Virtual clocks a day apart: a consumer registered again on the restart would get another ARN.
    emu = await Emulator.start({ dir, dataDir, port: 0, clock: new VirtualClock(Date.UTC(2026, 0, 1)) });
    const first = await consumersAndMappings();
    expect(first.consumers.map((c) => [c.ConsumerName, c.ConsumerStatus])).toEqual([['recordOrdersConsumer', 'ACTIVE']]);
    const consumerArn = first.consumers[0]!.ConsumerARN!;
    expect(consumerArn).toMatch(/^arn:aws:kinesis:us-east-1:000000000000:stream\/orders\/consumer\/recordOrdersConsumer:1767225600$/);
    expect(first.mappings.map((m) => m.EventSourceArn)).toEqual([consumerArn]);
    await emu.drain();
    expect(recorded().map((l) => l.data)).toEqual(['r0']);
    await emu.stop();

    // After a restart the consumer is found, not registered again: same ARN, and the mapping resumes.
    emu = await Emulator.start({ dir, dataDir, port: 0, clock: new VirtualClock(Date.UTC(2026, 0, 2)) });
    const second = await consumersAndMappings();
    expect(second.consumers.map((c) => c.ConsumerARN)).toEqual([consumerArn]);
    expect(second.mappings.map((m) => [m.EventSourceArn, m.UUID])).toEqual([[consumerArn, first.mappings[0]!.UUID]]);
    await emu.drain();
    expect(recorded().map((l) => l.data)).toEqual(['r0', 'r1']);
  });

  it('refuses a second eddy on the same data dir', async () => {
    const dataDir = path.join(tmp, 'data');
    emu = await Emulator.start({ dir: fixture, dataDir, port: 0 });
    await expect(Emulator.start({ dir: fixture, dataDir, port: 0 })).rejects.toMatchObject({ code: 'EDDY_ERR_DATA_DIR_LOCKED' });
  });

  it("kinesisEndpoint: null reads eddy's own log even when serverless.yml names another endpoint", async () => {
    const dir = path.join(tmp, 'service');
    await cp(fixture, dir, { recursive: true });
    const yml = path.join(dir, 'serverless.yml');
    await writeFile(yml, `${await readFile(yml, 'utf8')}\ncustom:\n  eddy:\n    kinesisEndpoint: http://127.0.0.1:9\n`);
    emu = await Emulator.start({ dir, inMemory: true, port: 0, kinesisEndpoint: null });
    const kinesis = new KinesisClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
    await kinesis.send(new PutRecordsCommand({ StreamName: 'orders', Records: [{ PartitionKey: 'a', Data: Buffer.from('one') }] }));
    kinesis.destroy();
    await emu.drain({ timeoutMs: 15_000 });
    expect(recorded().map((r) => r.data)).toEqual(['one']);
  });

  it("invoke() checks the caller's payload whatever the request says", async () => {
    emu = await Emulator.start({ dir: fixture, inMemory: true, port: 0 });
    await expect(emu.invoke({ functionName: 'echo', payload: Buffer.from('{not json'), jsonByEddy: true })).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
    });
  });

  it('refuses inMemory with fsync or a data dir', async () => {
    await expect(Emulator.start({ dir: fixture, inMemory: true, fsync: true, port: 0 })).rejects.toMatchObject({ code: 'EDDY_ERR_OPTION_INVALID' });
    await expect(Emulator.start({ dir: fixture, inMemory: true, dataDir: tmp, port: 0 })).rejects.toMatchObject({
      code: 'EDDY_ERR_OPTION_INVALID',
      message: 'inMemory keeps nothing on disk: it cannot go with dataDir',
    });
  });

  it('refuses an unknown option by name', async () => {
    await expect(Emulator.start({ dir: fixture, inMemory: true, port: 0, datadir: tmp } as never)).rejects.toMatchObject({
      code: 'EDDY_ERR_OPTION_INVALID',
      message: 'Invalid option in Emulator.start(): "datadir"',
    });
  });

  it('starts on a virtual clock that nobody advances: its streams are ACTIVE at once', async () => {
    emu = await Emulator.start({ dir: fixture, inMemory: true, port: 0, clock: new VirtualClock() });
    const kinesis = new KinesisClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }));
    expect(summary.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    kinesis.destroy();
  });

  it('creates AWS::Kinesis::Stream resources with their MaxRecordSizeInKiB and StreamEncryption', async () => {
    emu = await Emulator.start({ dir: path.resolve(import.meta.dirname, '../fixtures/emulator-stop'), inMemory: true, port: 0 });
    const kinesis = new KinesisClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
    const done = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'done' }));
    expect(done.StreamDescriptionSummary).toMatchObject({ StreamStatus: 'ACTIVE', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    expect((done.StreamDescriptionSummary as { MaxRecordSizeInKiB?: number }).MaxRecordSizeInKiB).toBe(2048);
    const jobs = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'jobs' }));
    expect(jobs.StreamDescriptionSummary).toMatchObject({ EncryptionType: 'NONE' });
    kinesis.destroy();
  });

  it("stop() lets a mapping's in-flight batch finish, including its own calls to eddy's API", async () => {
    const markDir = path.join(tmp, 'marks');
    await mkdir(markDir);
    process.env.EDDY_TEST_MARK_DIR = markDir;
    emu = await Emulator.start({ dir: path.resolve(import.meta.dirname, '../fixtures/emulator-stop'), inMemory: true, port: 0 });
    const kinesis = new KinesisClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
    await kinesis.send(new PutRecordsCommand({ StreamName: 'jobs', Records: [{ PartitionKey: 'k', Data: Buffer.from('job') }] }));
    kinesis.destroy();
    await waitFor(() => existsSync(path.join(markDir, 'started')));
    const stopped = emu.stop();
    await writeFile(path.join(markDir, 'go'), '');
    await stopped;
    emu = undefined;
    expect(await readFile(path.join(markDir, 'result'), 'utf8')).toBe('ok 0');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
