// Stream status on a virtual clock, create-time limits, ARN lookups, DescribeStream paging, and
// persistence across a reopen of a disk root.
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  RegisterStreamConsumerCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.ts';
import { openDiskRoot } from '../../../runtime/log/disk-root.ts';
import { awsError, kinesisTransports, startKinesis, statusOf, type KinesisHarness } from '../../helpers/kinesis.ts';

const ARN = (name: string, region = 'us-east-1', account = '000000000000') => `arn:aws:kinesis:${region}:${account}:stream/${name}`;

const harnesses: KinesisHarness[] = [];
async function start(...args: Parameters<typeof startKinesis>): Promise<KinesisHarness> {
  const k = await startKinesis(...args);
  harnesses.push(k);
  return k;
}
afterEach(async () => {
  for (const k of harnesses.splice(0)) await k.close();
});

describe.each(kinesisTransports())('over %s', (transport) => {
  it('is CREATING until the status delay has passed on the clock, with no shards shown meanwhile', async () => {
    const clock = new VirtualClock();
    const k = await start({ clock, statusDelayMs: 1000 });
    const client = k.client(transport);
    await client.send(new CreateStreamCommand({ StreamName: 'slow', ShardCount: 2 }));
    const creating = await client.send(new DescribeStreamCommand({ StreamName: 'slow' }));
    expect(creating.StreamDescription!.StreamStatus).toBe('CREATING');
    expect(creating.StreamDescription!.Shards).toEqual([]);
    expect(creating.StreamDescription!.StreamCreationTimestamp).toEqual(new Date(Math.floor(clock.now() / 1000) * 1000));
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'slow' }));
    expect(summary.StreamDescriptionSummary!.OpenShardCount).toBe(0);
    const iterator = new GetShardIteratorCommand({ StreamName: 'slow', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
    expect(await awsError(client.send(iterator))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Shard shardId-000000000000 in stream slow under account 000000000000 does not exist',
    });
    clock.advance(999);
    expect(await statusOf(client, 'slow')).toBe('CREATING');
    clock.advance(1);
    expect(await statusOf(client, 'slow')).toBe('ACTIVE');
    expect((await client.send(new DescribeStreamCommand({ StreamName: 'slow' }))).StreamDescription!.Shards).toHaveLength(2);
    expect((await client.send(iterator)).ShardIterator).toBeTruthy();

    await client.send(new DeleteStreamCommand({ StreamName: 'slow' }));
    expect(await statusOf(client, 'slow')).toBe('DELETING');
    expect((await client.send(new ListStreamsCommand({}))).StreamSummaries!.map((s) => s.StreamStatus)).toEqual(['DELETING']);
    expect(await awsError(client.send(new CreateStreamCommand({ StreamName: 'slow', ShardCount: 1 })))).toMatchObject({
      name: 'ResourceInUseException',
      message: 'Stream slow under account 000000000000 already exists.',
    });
    clock.advance(1000);
    await expect.poll(() => k.service.store.get('slow')).toBeUndefined();
    expect(await awsError(client.send(new DescribeStreamSummaryCommand({ StreamName: 'slow' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Stream slow under account 000000000000 not found.',
    });
  });

  it('allows at most 5 streams CREATING at once', async () => {
    const clock = new VirtualClock();
    const k = await start({ clock, statusDelayMs: 1000 });
    const client = k.client(transport);
    for (let i = 0; i < 5; i++) await client.send(new CreateStreamCommand({ StreamName: `c${i}`, ShardCount: 1 }));
    expect(await awsError(client.send(new CreateStreamCommand({ StreamName: 'c5', ShardCount: 1 })))).toMatchObject({
      name: 'LimitExceededException',
      message: 'This request would exceed the limit of 5 streams in CREATING state for the account 000000000000 in us-east-1.',
    });
    clock.advance(1000);
    await expect.poll(() => k.service.store.get('c4')?.meta.status).toBe('ACTIVE');
    await client.send(new CreateStreamCommand({ StreamName: 'c5', ShardCount: 1 }));
  });

  it('creates on-demand streams with 4 shards and requires ShardCount for provisioned ones', async () => {
    const k = await start();
    const client = k.client(transport);
    await client.send(new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    await expect.poll(() => k.service.store.get('od')?.meta.status).toBe('ACTIVE');
    const s = (await client.send(new DescribeStreamSummaryCommand({ StreamARN: ARN('od') }))).StreamDescriptionSummary!;
    expect(s).toMatchObject({
      StreamName: 'od',
      StreamARN: ARN('od'),
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      OpenShardCount: 4,
      ConsumerCount: 0,
      RetentionPeriodHours: 24,
      EncryptionType: 'NONE',
      MaxRecordSizeInKiB: 1024,
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    });
    expect(await awsError(client.send(new CreateStreamCommand({ StreamName: 'prov' })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'ShardCount must be specified for a stream in PROVISIONED mode.',
    });
    expect(await awsError(client.send(new CreateStreamCommand({ StreamName: 'big', ShardCount: 100001, MaxRecordSizeInKiB: 10241 })))).toMatchObject({
      name: 'ValidationException',
      message:
        "2 validation errors detected: Value '100001' at 'shardCount' failed to satisfy constraint: Member must have value less than or equal to 100000; " +
        "Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240",
    });
    expect(await awsError(client.send(new CreateStreamCommand({ StreamName: 'toomany', ShardCount: 20001 })))).toMatchObject({
      name: 'LimitExceededException',
      message:
        'This request would exceed the shard limit for the account 000000000000 in us-east-1. Current shard count for the account: 4. ' +
        'Limit: 20000. Number of additional shards that would have resulted from this request: 20001. Refer to the AWS Service Limits page ' +
        '(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.',
    });
  });

  it('finds streams by ARN; an ARN of another region or account is not found, a mismatch is refused', async () => {
    const k = await start();
    const client = k.client(transport);
    await client.send(new CreateStreamCommand({ StreamName: 'arn1', ShardCount: 1 }));
    expect((await client.send(new DescribeStreamCommand({ StreamARN: ARN('arn1') }))).StreamDescription!.StreamName).toBe('arn1');
    expect(await awsError(client.send(new DescribeStreamCommand({ StreamARN: ARN('arn1', 'eu-west-1') })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Stream arn1 under account 000000000000 not found.',
    });
    expect(await awsError(client.send(new DescribeStreamCommand({ StreamARN: ARN('arn1', 'us-east-1', '123456789012') })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Stream arn1 under account 123456789012 not found.',
    });
    expect(await awsError(client.send(new DescribeStreamCommand({ StreamARN: ARN('arn1'), StreamName: 'other' })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: `StreamName other and StreamARN ${ARN('arn1')} do not name the same stream.`,
    });
    expect(await awsError(client.send(new DescribeStreamCommand({})))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Either StreamName or StreamARN must be provided.',
    });
    expect(await awsError(client.send(new DescribeStreamCommand({ StreamARN: 'arn:aws:s3:::bucket' })))).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value 'arn:aws:s3:::bucket' at 'streamARN' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+',
    });
  });

  it('pages DescribeStream shards with Limit and ExclusiveStartShardId', async () => {
    const k = await start();
    const client = k.client(transport);
    await client.send(new CreateStreamCommand({ StreamName: 'paged', ShardCount: 5 }));
    await expect.poll(() => k.service.store.get('paged')?.meta.status).toBe('ACTIVE');
    const first = (await client.send(new DescribeStreamCommand({ StreamName: 'paged', Limit: 2 }))).StreamDescription!;
    expect(first.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(first.HasMoreShards).toBe(true);
    const rest = (await client.send(new DescribeStreamCommand({ StreamName: 'paged', ExclusiveStartShardId: 'shardId-000000000001' })))
      .StreamDescription!;
    expect(rest.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000002', 'shardId-000000000003', 'shardId-000000000004']);
    expect(rest.HasMoreShards).toBe(false);
    // AWS accepts the short form of a shard id.
    const short = (await client.send(new DescribeStreamCommand({ StreamName: 'paged', ExclusiveStartShardId: 'shardId-3' }))).StreamDescription!;
    expect(short.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000004']);
  });

  it('hides a closed shard once its records have all expired', async () => {
    const clock = new VirtualClock();
    const k = await start({ clock, statusDelayMs: 100 });
    const client = k.client(transport);
    await client.send(new CreateStreamCommand({ StreamName: 'split', ShardCount: 1 }));
    clock.advance(100);
    await expect.poll(() => k.service.store.get('split')?.meta.status).toBe('ACTIVE');
    await client.send(new SplitShardCommand({ StreamName: 'split', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '1000' }));
    clock.advance(100);
    await expect.poll(() => k.service.store.get('split')?.meta.status).toBe('ACTIVE');
    const ids = async () => (await client.send(new DescribeStreamCommand({ StreamName: 'split' }))).StreamDescription!.Shards!.map((s) => s.ShardId);
    const closed = (await client.send(new DescribeStreamCommand({ StreamName: 'split' }))).StreamDescription!.Shards![0]!;
    expect(closed.SequenceNumberRange!.EndingSequenceNumber).toMatch(/^\d{56}$/);
    expect(await ids()).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
    clock.advance(24 * 3_600_000 - 1000);
    expect(await ids()).toHaveLength(3);
    clock.advance(1000);
    expect(await ids()).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect((await client.send(new DescribeStreamSummaryCommand({ StreamName: 'split' }))).StreamDescriptionSummary!.OpenShardCount).toBe(2);
  });

  it('refuses to delete a stream with consumers unless EnforceConsumerDeletion', async () => {
    const k = await start();
    const client = k.client(transport);
    await client.send(new CreateStreamCommand({ StreamName: 'withc', ShardCount: 1 }));
    await expect.poll(() => k.service.store.get('withc')?.meta.status).toBe('ACTIVE');
    await client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('withc'), ConsumerName: 'c1' }));
    expect(await awsError(client.send(new DeleteStreamCommand({ StreamName: 'withc' })))).toMatchObject({
      name: 'ResourceInUseException',
      message:
        'Stream withc under account 000000000000 has registered consumers. Deregister them first or call DeleteStream with EnforceConsumerDeletion.',
    });
    await client.send(new DeleteStreamCommand({ StreamName: 'withc', EnforceConsumerDeletion: true }));
    await expect.poll(() => k.service.store.get('withc')).toBeUndefined();
  });
});

describe('persistence', () => {
  it('reopens every stream from a disk root, finishing a CREATING period that ran out while stopped', async () => {
    const clock = new VirtualClock();
    const k = await start({ clock, disk: true, statusDelayMs: 1000 });
    const client = k.client('h2');
    await client.send(new CreateStreamCommand({ StreamName: 'keep', ShardCount: 3, Tags: { team: 'a' } }));
    clock.advance(1000);
    await expect.poll(() => k.service.store.get('keep')?.meta.status).toBe('ACTIVE');
    await k.service.call('IncreaseStreamRetentionPeriod', { StreamName: 'keep', RetentionPeriodHours: 48 });
    await k.service.call('RegisterStreamConsumer', { StreamARN: ARN('keep'), ConsumerName: 'app' });
    await k.service.call('CreateStream', { StreamName: 'doomed', ShardCount: 1 });
    clock.advance(1000);
    await expect.poll(() => k.service.store.get('doomed')?.meta.status).toBe('ACTIVE');
    await k.service.call('DeleteStream', { StreamName: 'doomed' });
    await client.send(new CreateStreamCommand({ StreamName: 'young', ShardCount: 1 }));
    expect(k.service.store.get('young')!.meta.status).toBe('CREATING');
    // Stop everything but keep the data dir.
    const dir = k.dir!;
    await k.service.close();
    await k.root.close();
    clock.advance(5000);
    const root = await openDiskRoot(dir, { fsync: false });
    try {
      const again = await startKinesis({ clock, root, statusDelayMs: 1000 });
      try {
        const c2 = again.client('h1');
        await expect.poll(() => again.service.store.get('young')?.meta.status).toBe('ACTIVE');
        // The deletion that was under way when eddy stopped completes.
        await expect.poll(async () => (await c2.send(new ListStreamsCommand({}))).StreamNames).toEqual(['keep', 'young']);
        const keep = again.service.store.get('keep')!.meta;
        expect(keep.retentionPeriodHours).toBe(48);
        expect(keep.consumers.map((c) => [c.consumerName, c.status])).toEqual([['app', 'ACTIVE']]);
        const d = (await c2.send(new DescribeStreamCommand({ StreamName: 'keep' }))).StreamDescription!;
        expect(d.Shards).toHaveLength(3);
        expect(d.StreamStatus).toBe('ACTIVE');
        expect(again.service.store.get('keep')!.meta.tags).toEqual({ team: 'a' });
      } finally {
        await again.close();
      }
    } finally {
      await root.close();
    }
  });
});
