// DeleteStream: DELETING for a while, then gone with its records.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DeleteStream.html
import { resourceInUse } from '../errors.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { streamArn, streamId, streamName } from './shapes.ts';

export const constraints: ConstraintTable = {
  StreamName: streamName,
  EnforceConsumerDeletion: { type: 'Boolean' },
  StreamARN: streamArn,
  StreamId: streamId,
};

interface Input {
  StreamName?: string;
  StreamARN?: string;
  EnforceConsumerDeletion?: boolean;
}

export const deleteStream: Operation<Input, undefined> = {
  name: 'DeleteStream',
  constraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    const { meta } = stream;
    if (meta.status === 'DELETING') return undefined;
    const live = meta.consumers.filter((c) => c.status !== 'DELETING');
    if (live.length > 0 && input.EnforceConsumerDeletion !== true) {
      // UNVERIFIED wording: AWS documents the ResourceInUseException, not its text.
      throw resourceInUse(
        `Stream ${meta.name} under account ${ctx.options.accountId} has registered consumers. ` +
          'Deregister them first or call DeleteStream with EnforceConsumerDeletion.',
      );
    }
    for (const c of live) c.status = 'DELETING';
    await ctx.store.delete(stream);
    return undefined;
  },
};
