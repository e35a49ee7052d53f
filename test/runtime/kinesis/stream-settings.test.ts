// Retention (with trimming on a virtual clock), stream mode, max record size and encryption.
import {
  DecreaseStreamRetentionPeriodCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  PutRecordCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  UpdateMaxRecordSizeCommand,
  UpdateStreamModeCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.ts';
import { awsError, kinesisTransports, startKinesis, statusOf, type KinesisHarness } from '../../helpers/kinesis.ts';

const ARN = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const HOUR = 3_600_000;

async function readAll(client: KinesisClient, name: string): Promise<Array<{ data: string; encryption: string | undefined }>> {
  const it = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
  const out = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
  return out.Records!.map((r) => ({ data: Buffer.from(r.Data!).toString(), encryption: r.EncryptionType }));
}

describe.each(kinesisTransports())('over %s', (transport) => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  let client: KinesisClient;
  beforeEach(async () => {
    clock = new VirtualClock();
    k = await startKinesis({ clock, statusDelayMs: 500 });
    client = k.client(transport);
    await k.service.call('CreateStream', { StreamName: 's', ShardCount: 1 });
    clock.advance(500);
    await expect.poll(() => k.service.store.get('s')?.meta.status).toBe('ACTIVE');
  });
  afterEach(async () => {
    await k.close();
  });

  it('increases and decreases retention within 24..8760 hours, with AWS’s messages', async () => {
    await client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 's', RetentionPeriodHours: 48 }));
    expect((await client.send(new DescribeStreamSummaryCommand({ StreamName: 's' }))).StreamDescriptionSummary!.RetentionPeriodHours).toBe(48);
    expect(await awsError(client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 's', RetentionPeriodHours: 30 })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Requested retention period (30 hours) for stream s can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API.',
    });
    expect(await awsError(client.send(new DecreaseStreamRetentionPeriodCommand({ StreamARN: ARN('s'), RetentionPeriodHours: 72 })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Requested retention period (72 hours) for stream s can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API.',
    });
    expect(await awsError(client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 's', RetentionPeriodHours: 23 })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.',
    });
    expect(await awsError(client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 's', RetentionPeriodHours: 8761 })))).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '8761' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value less than or equal to 8760",
    });
    await client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 's', RetentionPeriodHours: 8760 }));
    await client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 's', RetentionPeriodHours: 24 }));
    expect(await awsError(client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'missing', RetentionPeriodHours: 48 })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Stream missing under account 000000000000 not found.',
    });
  });

  it('trims records older than the retention period as the clock passes it, and at once on a decrease', async () => {
    await client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 's', RetentionPeriodHours: 48 }));
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: Buffer.from('old') }));
    clock.advance(30 * HOUR);
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: Buffer.from('new') }));
    expect((await readAll(client, 's')).map((r) => r.data)).toEqual(['old', 'new']);
    // Down to 24 h: 'old' (30 h) is gone at once.
    await client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 's', RetentionPeriodHours: 24 }));
    expect((await readAll(client, 's')).map((r) => r.data)).toEqual(['new']);
    // 25 h later 'new' has expired too, trimmed by the periodic pass.
    clock.advance(25 * HOUR);
    await expect.poll(async () => (await readAll(client, 's')).length).toBe(0);
  });

  it('switches stream mode through UPDATING, and refuses the mode it already has', async () => {
    await client.send(new UpdateStreamModeCommand({ StreamARN: ARN('s'), StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    const updating = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 's' }))).StreamDescriptionSummary!;
    expect(updating.StreamStatus).toBe('UPDATING');
    expect(updating.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(await awsError(client.send(new UpdateStreamModeCommand({ StreamARN: ARN('s'), StreamModeDetails: { StreamMode: 'PROVISIONED' } })))).toMatchObject({
      name: 'ResourceInUseException',
      message: 'Stream s under account 000000000000 not ACTIVE, instead in state UPDATING',
    });
    clock.advance(500);
    await expect.poll(() => statusOf(client, 's')).toBe('ACTIVE');
    expect(await awsError(client.send(new UpdateStreamModeCommand({ StreamARN: ARN('s'), StreamModeDetails: { StreamMode: 'ON_DEMAND' } })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Stream s under account 000000000000 is already in ON_DEMAND mode.',
    });
    await client.send(new UpdateStreamModeCommand({ StreamARN: ARN('s'), StreamModeDetails: { StreamMode: 'PROVISIONED' } }));
    clock.advance(500);
    await expect.poll(() => statusOf(client, 's')).toBe('ACTIVE');
    expect(await awsError(client.send(new UpdateStreamModeCommand({ StreamARN: ARN('s'), StreamModeDetails: { StreamMode: 'ON_DEMAND' } })))).toMatchObject({
      name: 'LimitExceededException',
      message: 'Stream s under account 000000000000 has already changed its capacity mode 2 times in the last 24 hours.',
    });
    clock.advance(24 * 3_600_000);
    await client.send(new UpdateStreamModeCommand({ StreamARN: ARN('s'), StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    expect(await awsError(client.send(new UpdateStreamModeCommand({ StreamARN: undefined as unknown as string, StreamModeDetails: { StreamMode: 'X' as 'ON_DEMAND' } })))).toMatchObject({
      name: 'ValidationException',
      message:
        "2 validation errors detected: Value null at 'streamARN' failed to satisfy constraint: Member must not be null; " +
        "Value 'X' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
    });
  });

  it('updates MaxRecordSizeInKiB within 1024..10240', async () => {
    await client.send(new UpdateMaxRecordSizeCommand({ StreamARN: ARN('s'), MaxRecordSizeInKiB: 4096 }));
    expect((await client.send(new DescribeStreamSummaryCommand({ StreamName: 's' }))).StreamDescriptionSummary!.MaxRecordSizeInKiB).toBe(4096);
    clock.advance(500);
    await expect.poll(() => statusOf(client, 's')).toBe('ACTIVE');
    expect(await awsError(client.send(new UpdateMaxRecordSizeCommand({ StreamARN: ARN('s'), MaxRecordSizeInKiB: 1023 })))).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024",
    });
  });

  it('encrypts records written while encryption is on, and reports the key', async () => {
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: Buffer.from('plain') }));
    await client.send(new StartStreamEncryptionCommand({ StreamName: 's', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 's' }))).StreamDescriptionSummary!;
    expect(summary).toMatchObject({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis', StreamStatus: 'UPDATING' });
    clock.advance(500);
    await expect.poll(() => statusOf(client, 's')).toBe('ACTIVE');
    const put = await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: Buffer.from('secret') }));
    expect(put.EncryptionType).toBe('KMS');
    await client.send(new StopStreamEncryptionCommand({ StreamARN: ARN('s'), EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    clock.advance(500);
    await expect.poll(() => statusOf(client, 's')).toBe('ACTIVE');
    const after = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 's' }))).StreamDescriptionSummary!;
    expect(after.EncryptionType).toBe('NONE');
    expect(after.KeyId).toBeUndefined();
    await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: Buffer.from('plain2') }));
    expect(await readAll(client, 's')).toEqual([
      // GetRecords names EncryptionType only on encrypted records (B2's choice, after AWS-recorded records).
      { data: 'plain', encryption: undefined },
      { data: 'secret', encryption: 'KMS' },
      { data: 'plain2', encryption: undefined },
    ]);
    expect(await awsError(client.send(new StartStreamEncryptionCommand({ StreamName: 's', EncryptionType: 'NONE', KeyId: 'k' })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Encryption type NONE is not supported. Valid encryption types: KMS.',
    });
    expect(await awsError(client.send(new StartStreamEncryptionCommand({ StreamName: 's', EncryptionType: 'KMS', KeyId: '' })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
  });
});
