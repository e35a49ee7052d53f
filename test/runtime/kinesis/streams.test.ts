import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsError, createActiveStream, kinesisTransports, startKinesis, waitFor, type KinesisHarness } from '../../helpers/kinesis.ts';

const ARN = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

describe.each(kinesisTransports())('stream lifecycle over %s', (transport) => {
  let k: KinesisHarness;
  beforeEach(async () => {
    k = await startKinesis();
  });
  afterEach(async () => {
    await k.close();
  });

  it('creates a stream with AWS’s create-time layout and describes it', async () => {
    const client = k.client(transport);
    await client.send(new CreateStreamCommand({ StreamName: 's1', ShardCount: 3 }));
    await waitFor(async () => (await client.send(new DescribeStreamSummaryCommand({ StreamName: 's1' }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE');
    const out = await client.send(new DescribeStreamCommand({ StreamName: 's1' }));
    const d = out.StreamDescription!;
    expect(d.StreamName).toBe('s1');
    expect(d.StreamARN).toBe(ARN('s1'));
    expect(d.StreamStatus).toBe('ACTIVE');
    expect(d.HasMoreShards).toBe(false);
    expect(d.RetentionPeriodHours).toBe(24);
    expect(d.EncryptionType).toBe('NONE');
    expect(d.StreamModeDetails).toEqual({ StreamMode: 'PROVISIONED' });
    expect(d.EnhancedMonitoring).toEqual([{ ShardLevelMetrics: [] }]);
    expect(d.StreamCreationTimestamp).toBeInstanceOf(Date);
    expect(d.Shards!.map((s) => [s.ShardId, s.HashKeyRange!.StartingHashKey, s.HashKeyRange!.EndingHashKey])).toEqual([
      ['shardId-000000000000', '0', '113427455640312821154458202477256070484'],
      ['shardId-000000000001', '113427455640312821154458202477256070485', '226854911280625642308916404954512140969'],
      ['shardId-000000000002', '226854911280625642308916404954512140970', '340282366920938463463374607431768211455'],
    ]);
    for (const s of d.Shards!) {
      expect(s.SequenceNumberRange!.StartingSequenceNumber).toMatch(/^\d{56}$/);
      expect(s.SequenceNumberRange!.EndingSequenceNumber).toBeUndefined();
    }
  });

  it('refuses a duplicate name, an unknown stream and a null name with AWS’s messages', async () => {
    const client = k.client(transport);
    await createActiveStream(k, 'dup');
    expect(await awsError(client.send(new CreateStreamCommand({ StreamName: 'dup', ShardCount: 1 })))).toMatchObject({
      name: 'ResourceInUseException',
      message: 'Stream dup under account 000000000000 already exists.',
    });
    expect(await awsError(client.send(new DescribeStreamCommand({ StreamName: 'nope' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Stream nope under account 000000000000 not found.',
    });
    expect(await awsError(client.send(new CreateStreamCommand({ StreamName: undefined as unknown as string, ShardCount: 1 })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null",
      status: 400,
    });
  });

  it('lists, limits and deletes', async () => {
    const client = k.client(transport);
    await createActiveStream(k, 'a');
    await createActiveStream(k, 'b');
    const list = await client.send(new ListStreamsCommand({ Limit: 1 }));
    expect(list.StreamNames).toEqual(['a']);
    expect(list.HasMoreStreams).toBe(true);
    const next = await client.send(new ListStreamsCommand({ NextToken: list.NextToken! }));
    expect(next.StreamNames).toEqual(['b']);
    expect(next.HasMoreStreams).toBe(false);
    expect(next.StreamSummaries![0]).toMatchObject({ StreamName: 'b', StreamARN: ARN('b'), StreamStatus: 'ACTIVE' });
    const limits = await client.send(new DescribeLimitsCommand({}));
    expect(limits).toMatchObject({ ShardLimit: 20000, OpenShardCount: 2, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 50 });
    await client.send(new DeleteStreamCommand({ StreamARN: ARN('a') }));
    await waitFor(async () => (await client.send(new ListStreamsCommand({}))).StreamNames!.join() === 'b');
  });
});

describe('in-process calls and events', () => {
  let k: KinesisHarness;
  beforeEach(async () => {
    k = await startKinesis();
  });
  afterEach(async () => {
    await k.close();
  });

  it('call() validates like HTTP, throws AWS errors and returns SDK-shaped output', async () => {
    const events: string[] = [];
    const off = k.service.onEvent((e) => events.push(`${e.type}:${e.streamName}`));
    await expect(k.service.call('CreateStream', { StreamName: 'bad name', ShardCount: 1 })).rejects.toMatchObject({
      type: 'ValidationException',
      statusCode: 400,
      message:
        "1 validation error detected: Value 'bad name' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    });
    await expect(k.service.call('Nope', {})).rejects.toMatchObject({ type: 'UnknownOperationException' });
    expect(await k.service.call('CreateStream', { StreamName: 'inproc', ShardCount: 2 })).toEqual({});
    await waitFor(() => k.service.store.get('inproc')?.meta.status === 'ACTIVE');
    const out = await k.service.call<{ StreamDescriptionSummary: { StreamCreationTimestamp: Date; OpenShardCount: number } }>(
      'DescribeStreamSummary',
      { StreamName: 'inproc' },
    );
    expect(out.StreamDescriptionSummary.StreamCreationTimestamp).toBeInstanceOf(Date);
    expect(out.StreamDescriptionSummary.OpenShardCount).toBe(2);
    await k.service.call('DeleteStream', { StreamName: 'inproc' });
    await waitFor(() => events.includes('streamDeleted:inproc'));
    expect(events).toEqual(['streamCreated:inproc', 'streamDeleted:inproc']);
    off();
  });
});
