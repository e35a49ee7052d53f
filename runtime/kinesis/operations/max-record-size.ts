// UpdateMaxRecordSize: a stream's largest record (data + partition key), 1024..10240 KiB.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { requiredStreamArn, streamId } from './shapes.ts';

export const constraints: ConstraintTable = {
  StreamARN: requiredStreamArn,
  StreamId: streamId,
  MaxRecordSizeInKiB: { type: 'Integer', notNull: true, greaterThanOrEqual: 1024, lessThanOrEqual: 10240 },
};

interface Input {
  StreamARN: string;
  MaxRecordSizeInKiB: number;
}

export const updateMaxRecordSize: Operation<Input, undefined> = {
  name: 'UpdateMaxRecordSize',
  constraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    ctx.store.requireActive(stream);
    // Takes effect at once; the stream goes UPDATING for the status delay, as for other configuration changes.
    stream.meta.maxRecordSizeInKiB = input.MaxRecordSizeInKiB;
    await ctx.store.beginUpdate(stream);
    return undefined;
  },
};
