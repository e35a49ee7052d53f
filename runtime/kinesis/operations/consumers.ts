// Enhanced fan-out consumers: RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
// DeregisterStreamConsumer. A consumer is CREATING for the status delay, then ACTIVE; deregistering makes
// it DELETING, then it is gone. Its ARN carries its creation time in epoch seconds, so re-registering a
// name gives a new ARN. (eddy does not push records to consumers yet: see SubscribeToShard.)
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html
import { invalidArgument, limitExceeded, resourceInUse, resourceNotFound } from '../errors.ts';
import type { ConsumerMeta, LiveStream } from '../model/types.ts';
import { wireTimestamp, type Operation, type OperationContext } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { checkTagCharacters, consumerArn, consumerName, decodeToken, encodeToken, nextToken, requiredStreamArn, streamArn, streamId, tagMap } from './shapes.ts';

/** AWS: 20 consumers per stream (50 with On-demand Advantage), at most 5 CREATING at once per account. */
export const MAX_CONSUMERS_PER_STREAM = 20;
export const MAX_CREATING_CONSUMERS = 5;

function describe(c: ConsumerMeta): Record<string, unknown> {
  return {
    ConsumerName: c.consumerName,
    ConsumerARN: c.consumerArn,
    ConsumerStatus: c.status,
    ConsumerCreationTimestamp: wireTimestamp(Math.floor(c.createdAtMs / 1000) * 1000),
  };
}

const CONSUMER_ARN = /^(arn:aws[^:]*:kinesis:[^:]*:\d{12}:stream\/[^/]+)\/consumer\/([^:/]+):\d+$/;

interface ConsumerRef {
  StreamARN?: string;
  ConsumerName?: string;
  ConsumerARN?: string;
}

/** The consumer named by ConsumerARN, or by StreamARN + ConsumerName (AWS accepts either). */
function resolveConsumer(input: ConsumerRef, ctx: OperationContext): { stream: LiveStream; consumer: ConsumerMeta } {
  const account = ctx.options.accountId;
  if (input.ConsumerARN !== undefined) {
    const m = CONSUMER_ARN.exec(input.ConsumerARN);
    if (!m) throw invalidArgument(`ConsumerARN ${input.ConsumerARN} is not a valid consumer ARN.`);
    const stream = ctx.store.resolve({ StreamARN: m[1]! });
    const consumer = stream.meta.consumers.find((c) => c.consumerArn === input.ConsumerARN);
    // UNVERIFIED wording.
    if (!consumer) throw resourceNotFound(`Consumer ${m[2]} under stream ${stream.meta.name} under account ${account} not found.`);
    return { stream, consumer };
  }
  if (input.StreamARN === undefined || input.ConsumerName === undefined) {
    // UNVERIFIED wording.
    throw invalidArgument('Either ConsumerARN or both StreamARN and ConsumerName must be provided.');
  }
  const stream = ctx.store.resolve({ StreamARN: input.StreamARN });
  const consumer = stream.meta.consumers.find((c) => c.consumerName === input.ConsumerName);
  if (!consumer) {
    throw resourceNotFound(`Consumer ${input.ConsumerName} under stream ${stream.meta.name} under account ${account} not found.`);
  }
  return { stream, consumer };
}

const consumerRefConstraints: ConstraintTable = {
  StreamARN: streamArn,
  ConsumerName: consumerName,
  ConsumerARN: consumerArn,
  StreamId: streamId,
};

export const registerStreamConsumer: Operation<{ StreamARN: string; ConsumerName: string; Tags?: Record<string, string> }> = {
  name: 'RegisterStreamConsumer',
  constraints: {
    StreamARN: requiredStreamArn,
    ConsumerName: { ...consumerName, notNull: true },
    StreamId: streamId,
    Tags: tagMap(false),
  },
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    ctx.store.requireActive(stream);
    const account = ctx.options.accountId;
    const { consumers } = stream.meta;
    if (consumers.some((c) => c.consumerName === input.ConsumerName)) {
      // UNVERIFIED wording.
      throw resourceInUse(`Consumer ${input.ConsumerName} under stream ${stream.meta.name} under account ${account} already exists.`);
    }
    if (consumers.length >= MAX_CONSUMERS_PER_STREAM) {
      throw limitExceeded(
        `Stream ${stream.meta.name} under account ${account} already has ${MAX_CONSUMERS_PER_STREAM} registered consumers, the limit.`,
      );
    }
    const creating = ctx.store.list().reduce((n, s) => n + s.meta.consumers.filter((c) => c.status === 'CREATING').length, 0);
    if (creating >= MAX_CREATING_CONSUMERS) {
      throw limitExceeded(`Account ${account} already has ${MAX_CREATING_CONSUMERS} consumers in CREATING state, the limit.`);
    }
    if (input.Tags) {
      const bad = checkTagCharacters(Object.entries(input.Tags).flat(), 'add tags to', input.ConsumerName, account);
      if (bad) throw invalidArgument(bad);
    }
    const now = ctx.clock.now();
    const consumer: ConsumerMeta = {
      consumerName: input.ConsumerName,
      consumerArn: `${stream.meta.arn}/consumer/${input.ConsumerName}:${Math.floor(now / 1000)}`,
      createdAtMs: now,
      status: 'CREATING',
      ...(input.Tags ? { tags: { ...input.Tags } } : {}),
    };
    await ctx.store.addConsumer(stream, consumer);
    return { Consumer: describe(consumer) };
  },
};

export const describeStreamConsumer: Operation<ConsumerRef> = {
  name: 'DescribeStreamConsumer',
  constraints: consumerRefConstraints,
  async run(input, ctx) {
    const { stream, consumer } = resolveConsumer(input, ctx);
    return { ConsumerDescription: { ...describe(consumer), StreamARN: stream.meta.arn } };
  },
};

export const deregisterStreamConsumer: Operation<ConsumerRef, undefined> = {
  name: 'DeregisterStreamConsumer',
  constraints: consumerRefConstraints,
  async run(input, ctx) {
    const { stream, consumer } = resolveConsumer(input, ctx);
    if (consumer.status !== 'DELETING') await ctx.store.removeConsumer(stream, consumer);
    return undefined;
  },
};

/** AWS: "The default value is 100." */
const LIST_DEFAULT = 100;

export const listStreamConsumers: Operation<{ StreamARN: string; NextToken?: string; MaxResults?: number; StreamCreationTimestamp?: number }> = {
  name: 'ListStreamConsumers',
  constraints: {
    StreamARN: requiredStreamArn,
    NextToken: nextToken,
    MaxResults: { type: 'Integer', greaterThanOrEqual: 1, lessThanOrEqual: 10000 },
    StreamCreationTimestamp: { type: 'Timestamp' },
    StreamId: streamId,
  },
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    let after: string | undefined;
    if (input.NextToken !== undefined) {
      const token = decodeToken('ListStreamConsumers', input.NextToken);
      // UNVERIFIED wording.
      if (!token || typeof token['after'] !== 'string') throw invalidArgument(`Invalid NextToken: ${input.NextToken}`);
      after = token['after'];
    }
    const all = [...stream.meta.consumers]
      .sort((a, b) => (a.consumerName < b.consumerName ? -1 : a.consumerName > b.consumerName ? 1 : 0))
      .filter((c) => after === undefined || c.consumerName > after);
    const limit = input.MaxResults ?? LIST_DEFAULT;
    const page = all.slice(0, limit);
    const out: Record<string, unknown> = { Consumers: page.map(describe) };
    if (all.length > limit) out['NextToken'] = encodeToken('ListStreamConsumers', { after: page.at(-1)!.consumerName });
    return out;
  },
};
