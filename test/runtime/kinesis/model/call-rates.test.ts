// Control-plane call rates with limits enforced, through the SDK on a virtual clock: each operation's
// documented transactions per second, per account, stream or shard; eddy's own calls are not counted.
import {
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { awsError, startKinesis, type KinesisHarness } from '../../../helpers/kinesis.ts';

const T0 = Date.UTC(2026, 0, 1);
let k: KinesisHarness | undefined;

afterEach(async () => {
  await k?.close();
  k = undefined;
});

async function start(enforceLimits: boolean): Promise<{ clock: VirtualClock; client: KinesisClient }> {
  const clock = new VirtualClock(T0);
  k = await startKinesis({ clock, enforceLimits });
  for (const name of ['a', 'b']) await k.service.call('CreateStream', { StreamName: name, ShardCount: 2 });
  clock.advance(0);
  return { clock, client: k.client('h2') };
}

/** Sends `n` calls, one after another; the answers' error names (undefined = success). */
async function names(n: number, send: () => Promise<unknown>): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = [];
  for (let i = 0; i < n; i++) out.push(await send().then(() => undefined, (err: { name: string }) => err.name));
  return out;
}

describe('control-plane call rates, limits enforced', () => {
  it('DescribeStream: 10 a second per account, whatever the stream; the next second opens again', async () => {
    const { clock, client } = await start(true);
    const first = await names(10, () => client.send(new DescribeStreamCommand({ StreamName: 'a' })));
    expect(first).toEqual(Array(10).fill(undefined));
    expect(await awsError(client.send(new DescribeStreamCommand({ StreamName: 'b' })))).toEqual({
      name: 'LimitExceededException',
      message: 'Rate exceeded for stream b under account 000000000000.',
      status: 400,
    });
    // Another operation has its own rate.
    await client.send(new DescribeStreamSummaryCommand({ StreamName: 'a' }));
    clock.advance(1000);
    await client.send(new DescribeStreamCommand({ StreamName: 'a' }));
  });

  it('ListStreams: 5 a second, refused without a stream in the message', async () => {
    const { client } = await start(true);
    expect(await names(6, () => client.send(new ListStreamsCommand({})))).toEqual([...Array(5).fill(undefined), 'LimitExceededException']);
    expect(await awsError(client.send(new ListStreamsCommand({})))).toMatchObject({ message: 'Rate exceeded for account 000000000000.' });
  });

  it('GetShardIterator: 5 a second per shard, as ProvisionedThroughputExceededException', async () => {
    const { clock, client } = await start(true);
    const iterator = (ShardId: string, StreamName = 'a') => () =>
      client.send(new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: 'LATEST' }));
    expect(await names(6, iterator('shardId-000000000000'))).toEqual([...Array(5).fill(undefined), 'ProvisionedThroughputExceededException']);
    expect(await awsError(iterator('shardId-000000000000')())).toEqual({
      name: 'ProvisionedThroughputExceededException',
      message: 'Rate exceeded for shard shardId-000000000000 in stream a under account 000000000000.',
      status: 400,
    });
    // Another shard, or the same shard id of another stream, has its own budget.
    await iterator('shardId-000000000001')();
    await iterator('shardId-000000000000', 'b')();
    clock.advance(1000);
    await iterator('shardId-000000000000')();
  });

  it("eddy's own calls are not counted", async () => {
    const { client } = await start(true);
    for (let i = 0; i < 20; i++) await k!.service.call('DescribeStream', { StreamName: 'a' });
    await client.send(new DescribeStreamCommand({ StreamName: 'a' }));
  });
});

describe('control-plane call rates, limits not enforced (the default)', () => {
  it('answers every call', async () => {
    const { client } = await start(false);
    expect(await names(30, () => client.send(new DescribeStreamCommand({ StreamName: 'a' })))).toEqual(Array(30).fill(undefined));
  });
});
