// UpdateStreamMode: PROVISIONED <-> ON_DEMAND; the stream is UPDATING for a while, its shards stay as they are.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateStreamMode.html
import { invalidArgument } from '../errors.ts';
import type { StreamMode } from '../model/types.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { requiredStreamArn, streamId, streamModeDetails } from './shapes.ts';

export const constraints: ConstraintTable = {
  StreamARN: requiredStreamArn,
  StreamId: streamId,
  StreamModeDetails: { ...streamModeDetails, notNull: true },
  WarmThroughputMiBps: { type: 'Integer', greaterThanOrEqual: 0 },
};

interface Input {
  StreamARN: string;
  StreamModeDetails: { StreamMode: StreamMode };
}

export const updateStreamMode: Operation<Input, undefined> = {
  name: 'UpdateStreamMode',
  constraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    ctx.store.requireActive(stream);
    const mode = input.StreamModeDetails.StreamMode;
    if (stream.meta.mode === mode) {
      // UNVERIFIED wording.
      throw invalidArgument(`Stream ${stream.meta.name} under account ${ctx.options.accountId} is already in ${mode} mode.`);
    }
    stream.meta.mode = mode;
    await ctx.store.beginUpdate(stream);
    return undefined;
  },
};
