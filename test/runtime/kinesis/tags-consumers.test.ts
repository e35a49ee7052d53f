// Tags (stream- and ARN-named) and enhanced fan-out consumer registration.
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  ListStreamConsumersCommand,
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.ts';
import { awsError, kinesisTransports, startKinesis, type KinesisHarness } from '../../helpers/kinesis.ts';

const ARN = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

describe.each(kinesisTransports())('over %s', (transport) => {
  let k: KinesisHarness;
  let clock: VirtualClock;
  let client: KinesisClient;
  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 1, 12, 0, 0, 250));
    k = await startKinesis({ clock, statusDelayMs: 500 });
    client = k.client(transport);
    await client.send(new CreateStreamCommand({ StreamName: 's', ShardCount: 1, Tags: { created: 'yes' } }));
    clock.advance(500);
    await expect.poll(() => k.service.store.get('s')?.meta.status).toBe('ACTIVE');
  });
  afterEach(async () => {
    await k.close();
  });

  describe('tags', () => {
    it('adds, lists (sorted, paged), overwrites and removes stream tags', async () => {
      await client.send(new AddTagsToStreamCommand({ StreamName: 's', Tags: { b: '2', a: '1', c: '' } }));
      await client.send(new AddTagsToStreamCommand({ StreamARN: ARN('s'), Tags: { a: 'one' } }));
      expect(await client.send(new ListTagsForStreamCommand({ StreamName: 's' }))).toMatchObject({
        Tags: [
          { Key: 'a', Value: 'one' },
          { Key: 'b', Value: '2' },
          { Key: 'c', Value: '' },
          { Key: 'created', Value: 'yes' },
        ],
        HasMoreTags: false,
      });
      expect(await client.send(new ListTagsForStreamCommand({ StreamName: 's', Limit: 2, ExclusiveStartTagKey: 'a' }))).toMatchObject({
        Tags: [
          { Key: 'b', Value: '2' },
          { Key: 'c', Value: '' },
        ],
        HasMoreTags: true,
      });
      await client.send(new RemoveTagsFromStreamCommand({ StreamName: 's', TagKeys: ['a', 'nope'] }));
      expect((await client.send(new ListTagsForStreamCommand({ StreamName: 's' }))).Tags!.map((t) => t.Key)).toEqual(['b', 'c', 'created']);
    });

    it('refuses more than 50 tags, bad characters and bad lengths with AWS’s messages', async () => {
      const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
      expect(await awsError(client.send(new AddTagsToStreamCommand({ StreamName: 's', Tags: many })))).toMatchObject({
        name: 'InvalidArgumentException',
        message: 'Failed to add tags to stream s under account 000000000000 because a given stream cannot have more than 50 tags associated with it.',
      });
      expect(await awsError(client.send(new AddTagsToStreamCommand({ StreamName: 's', Tags: { 'a*': 'b' } })))).toMatchObject({
        name: 'InvalidArgumentException',
        message: 'Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.',
      });
      expect(await awsError(client.send(new AddTagsToStreamCommand({ StreamName: 's', Tags: { a: '50%' } })))).toMatchObject({
        name: 'InvalidArgumentException',
        message:
          'Failed to add tags to stream s under account 000000000000 because some tags contained illegal characters. ' +
          "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.",
      });
      expect(await awsError(client.send(new AddTagsToStreamCommand({ StreamName: 's', Tags: { ['x'.repeat(129)]: 'v' } })))).toMatchObject({
        name: 'ValidationException',
        message: `1 validation error detected: Value '{${'x'.repeat(129)}=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]`,
      });
      expect(await awsError(client.send(new RemoveTagsFromStreamCommand({ StreamName: 's', TagKeys: [] })))).toMatchObject({
        name: 'ValidationException',
        message: "1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1",
      });
      expect(await awsError(client.send(new ListTagsForStreamCommand({ StreamName: 's', Limit: 51 })))).toMatchObject({
        name: 'ValidationException',
        message: "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
      });
    });

    it('tags streams and consumers by ARN (TagResource, UntagResource, ListTagsForResource)', async () => {
      await client.send(new TagResourceCommand({ ResourceARN: ARN('s'), Tags: { env: 'dev' } }));
      expect((await client.send(new ListTagsForResourceCommand({ ResourceARN: ARN('s') }))).Tags).toEqual([
        { Key: 'created', Value: 'yes' },
        { Key: 'env', Value: 'dev' },
      ]);
      await client.send(new UntagResourceCommand({ ResourceARN: ARN('s'), TagKeys: ['created'] }));
      expect((await client.send(new ListTagsForStreamCommand({ StreamName: 's' }))).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);

      const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'c', Tags: { a: 'b' } }));
      await client.send(new TagResourceCommand({ ResourceARN: Consumer!.ConsumerARN!, Tags: { x: 'y' } }));
      expect((await client.send(new ListTagsForResourceCommand({ ResourceARN: Consumer!.ConsumerARN! }))).Tags).toEqual([
        { Key: 'a', Value: 'b' },
        { Key: 'x', Value: 'y' },
      ]);
      expect(await awsError(client.send(new ListTagsForResourceCommand({ ResourceARN: ARN('nope') })))).toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'Stream nope under account 000000000000 not found.',
      });
      expect(await awsError(client.send(new ListTagsForResourceCommand({ ResourceARN: undefined as unknown as string })))).toMatchObject({
        name: 'ValidationException',
        message: "1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null",
      });
    });
  });

  describe('consumers', () => {
    it('registers a consumer (CREATING, then ACTIVE), describes it by ARN or by name, lists and deregisters it', async () => {
      const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'app' }));
      const seconds = Math.floor(clock.now() / 1000);
      expect(Consumer).toEqual({
        ConsumerName: 'app',
        ConsumerARN: `${ARN('s')}/consumer/app:${seconds}`,
        ConsumerStatus: 'CREATING',
        ConsumerCreationTimestamp: new Date(seconds * 1000),
      });
      expect((await client.send(new DescribeStreamSummaryCommand({ StreamName: 's' }))).StreamDescriptionSummary!.ConsumerCount).toBe(1);
      clock.advance(500);
      await expect
        .poll(async () => (await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN! }))).ConsumerDescription!.ConsumerStatus)
        .toBe('ACTIVE');
      const byName = await client.send(new DescribeStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'app' }));
      expect(byName.ConsumerDescription).toEqual({ ...Consumer, ConsumerStatus: 'ACTIVE', StreamARN: ARN('s') });
      expect(await awsError(client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'app' })))).toMatchObject({
        name: 'ResourceInUseException',
        message: 'Consumer app under stream s under account 000000000000 already exists.',
      });

      await client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'b2' }));
      const page1 = await client.send(new ListStreamConsumersCommand({ StreamARN: ARN('s'), MaxResults: 1 }));
      expect(page1.Consumers!.map((c) => c.ConsumerName)).toEqual(['app']);
      const page2 = await client.send(new ListStreamConsumersCommand({ StreamARN: ARN('s'), NextToken: page1.NextToken! }));
      expect(page2.Consumers!.map((c) => [c.ConsumerName, c.ConsumerStatus])).toEqual([['b2', 'CREATING']]);
      expect(page2.NextToken).toBeUndefined();

      await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN! }));
      expect((await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN! }))).ConsumerDescription!.ConsumerStatus).toBe(
        'DELETING',
      );
      clock.advance(500);
      await expect
        .poll(async () => (await awsError(client.send(new DescribeStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'app' })))).name)
        .toBe('ResourceNotFoundException');
      expect(await awsError(client.send(new DescribeStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'app' })))).toMatchObject({
        message: 'Consumer app under stream s under account 000000000000 not found.',
      });
      // A new registration under the same name, a second later, gets a new ARN.
      clock.advance(1000);
      const again = await client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'app' }));
      expect(again.Consumer!.ConsumerARN).not.toBe(Consumer!.ConsumerARN);
    });

    it('enforces 5 consumers CREATING at once and 20 per stream, and needs a way to name the consumer', async () => {
      for (let i = 0; i < 5; i++) await client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: `c${i}` }));
      expect(await awsError(client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'c5' })))).toMatchObject({
        name: 'LimitExceededException',
        message: 'Account 000000000000 already has 5 consumers in CREATING state, the limit.',
      });
      for (let i = 5; i < 20; i += 5) {
        clock.advance(500);
        await expect.poll(() => k.service.store.get('s')!.meta.consumers.every((c) => c.status === 'ACTIVE')).toBe(true);
        for (let j = i; j < i + 5; j++) await client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: `c${j}` }));
      }
      expect(await awsError(client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'c20' })))).toMatchObject({
        name: 'LimitExceededException',
        message: 'Stream s under account 000000000000 already has 20 registered consumers, the limit.',
      });
      expect(await awsError(client.send(new DescribeStreamConsumerCommand({ ConsumerName: 'c1' })))).toMatchObject({
        name: 'InvalidArgumentException',
        message: 'Either ConsumerARN or both StreamARN and ConsumerName must be provided.',
      });
      expect(await awsError(client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('s'), ConsumerName: 'bad name' })))).toMatchObject({
        name: 'ValidationException',
        message:
          "1 validation error detected: Value 'bad name' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
      });
    });
  });
});
