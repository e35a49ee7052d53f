// UpdateStreamMode: PROVISIONED <-> ON_DEMAND; the stream is UPDATING for a while, its shards stay as they are.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateStreamMode.html
import { invalidArgument, limitExceeded } from '../errors.ts';
import { ON_DEMAND_STREAM_LIMIT } from '../model/streams.ts';
import type { StreamMode } from '../model/types.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { requiredStreamArn, streamId, streamModeDetails } from './shapes.ts';

/** AWS: a stream's capacity mode can be switched twice per rolling 24 hours. */
export const MAX_MODE_CHANGES_PER_DAY = 2;
const DAY_MS = 24 * 3_600_000;

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
    const now = ctx.clock.now();
    const recent = (stream.meta.modeChangesMs ?? []).filter((t) => t > now - DAY_MS);
    if (recent.length >= MAX_MODE_CHANGES_PER_DAY) {
      // UNVERIFIED wording: AWS documents the limit (twice per rolling 24 hours), not the text.
      throw limitExceeded(
        `Stream ${stream.meta.name} under account ${ctx.options.accountId} has already changed its capacity mode ` +
          `${MAX_MODE_CHANGES_PER_DAY} times in the last 24 hours.`,
      );
    }
    if (mode === 'ON_DEMAND') {
      const onDemand = ctx.store.list().filter((s) => s.meta.mode === 'ON_DEMAND').length;
      if (onDemand >= ON_DEMAND_STREAM_LIMIT) {
        // UNVERIFIED wording (as CreateStream's).
        throw limitExceeded(
          `This request would exceed the limit of ${ON_DEMAND_STREAM_LIMIT} on-demand streams for the account ${ctx.options.accountId} in ${ctx.options.region}.`,
        );
      }
    }
    stream.meta.modeChangesMs = [...recent, now];
    stream.meta.mode = mode;
    await ctx.store.beginUpdate(stream);
    return undefined;
  },
};
