// IncreaseStreamRetentionPeriod / DecreaseStreamRetentionPeriod: 24 h .. 8760 h (365 days).
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_IncreaseStreamRetentionPeriod.html
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DecreaseStreamRetentionPeriod.html
import { invalidArgument } from '../errors.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { streamArn, streamId, streamName } from './shapes.ts';

export const MIN_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;

// The model bounds the value (kinesalite recorded 1..168 when 168 h was the maximum; it is 8760 h now);
// below 24 h is AWS's InvalidArgumentException.
export const constraints: ConstraintTable = {
  RetentionPeriodHours: { type: 'Integer', notNull: true, greaterThanOrEqual: 1, lessThanOrEqual: MAX_RETENTION_HOURS },
  StreamName: streamName,
  StreamARN: streamArn,
  StreamId: streamId,
};

interface Input {
  RetentionPeriodHours: number;
  StreamName?: string;
  StreamARN?: string;
}

function tooShort(hours: number): never {
  throw invalidArgument(
    `Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too short.`,
  );
}

export const increaseStreamRetentionPeriod: Operation<Input, undefined> = {
  name: 'IncreaseStreamRetentionPeriod',
  constraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    ctx.store.requireActive(stream);
    const hours = input.RetentionPeriodHours;
    if (hours < MIN_RETENTION_HOURS) tooShort(hours);
    const current = stream.meta.retentionPeriodHours;
    if (current > hours) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${stream.meta.name} can not be shorter than existing ` +
          `retention period (${current} hours). Use DecreaseRetentionPeriod API.`,
      );
    }
    // Already-expired records stay gone (trimmed), as on AWS.
    stream.meta.retentionPeriodHours = hours;
    await ctx.store.save(stream);
    return undefined;
  },
};

export const decreaseStreamRetentionPeriod: Operation<Input, undefined> = {
  name: 'DecreaseStreamRetentionPeriod',
  constraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    ctx.store.requireActive(stream);
    const hours = input.RetentionPeriodHours;
    if (hours < MIN_RETENTION_HOURS) tooShort(hours);
    const current = stream.meta.retentionPeriodHours;
    if (current < hours) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${stream.meta.name} can not be longer than existing ` +
          `retention period (${current} hours). Use IncreaseRetentionPeriod API.`,
      );
    }
    stream.meta.retentionPeriodHours = hours;
    await ctx.store.save(stream);
    // Data older than the new period becomes inaccessible at once.
    await ctx.store.trim();
    return undefined;
  },
};
