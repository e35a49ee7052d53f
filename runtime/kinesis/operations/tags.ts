// Tags: the stream-named APIs (AddTagsToStream, ListTagsForStream, RemoveTagsFromStream) and the
// ARN-named ones (TagResource, UntagResource, ListTagsForResource), which also tag consumers.
// At most 50 tags per resource; keys 1..128 characters, values 0..256.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_AddTagsToStream.html
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_TagResource.html
import { invalidArgument, resourceNotFound } from '../errors.ts';
import type { ConsumerMeta, LiveStream } from '../model/types.ts';
import type { Operation, OperationContext } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { checkTagCharacters, resourceArn, streamArn, streamId, streamName, tagKeyList, tagMap } from './shapes.ts';

export const MAX_TAGS = 50;

interface StreamInput {
  StreamName?: string;
  StreamARN?: string;
}

/** Adds tags to a stream's or consumer's tag map, with AWS's checks and messages. */
function addTags(target: Record<string, string>, tags: Record<string, string>, label: string, ctx: OperationContext): void {
  const bad = checkTagCharacters(Object.entries(tags).flat(), 'add tags to', label, ctx.options.accountId);
  if (bad) throw invalidArgument(bad);
  const keys = new Set([...Object.keys(target), ...Object.keys(tags)]);
  if (keys.size > MAX_TAGS) {
    throw invalidArgument(
      `Failed to add tags to stream ${label} under account ${ctx.options.accountId} because a given stream cannot have ` +
        `more than ${MAX_TAGS} tags associated with it.`,
    );
  }
  Object.assign(target, tags);
}

function removeTags(target: Record<string, string>, keys: readonly string[], label: string, ctx: OperationContext): void {
  const bad = checkTagCharacters(keys, 'remove tags from', label, ctx.options.accountId);
  if (bad) throw invalidArgument(bad);
  for (const key of keys) delete target[key];
}

function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key]! }));
}

// ---- stream-named -----------------------------------------------------------------------------------

export const addTagsToStream: Operation<StreamInput & { Tags: Record<string, string> }, undefined> = {
  name: 'AddTagsToStream',
  constraints: { Tags: tagMap(true), StreamName: streamName, StreamARN: streamArn, StreamId: streamId },
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    addTags(stream.meta.tags, input.Tags, stream.meta.name, ctx);
    await ctx.store.save(stream);
    return undefined;
  },
};

export const removeTagsFromStream: Operation<StreamInput & { TagKeys: string[] }, undefined> = {
  name: 'RemoveTagsFromStream',
  constraints: { TagKeys: tagKeyList, StreamName: streamName, StreamARN: streamArn, StreamId: streamId },
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    removeTags(stream.meta.tags, input.TagKeys, stream.meta.name, ctx);
    await ctx.store.save(stream);
    return undefined;
  },
};

const listTagsForStreamConstraints: ConstraintTable = {
  Limit: { type: 'Integer', greaterThanOrEqual: 1, lessThanOrEqual: MAX_TAGS },
  ExclusiveStartTagKey: { type: 'String', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 128 },
  StreamName: streamName,
  StreamARN: streamArn,
  StreamId: streamId,
};

export const listTagsForStream: Operation<StreamInput & { Limit?: number; ExclusiveStartTagKey?: string }> = {
  name: 'ListTagsForStream',
  constraints: listTagsForStreamConstraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    const after = input.ExclusiveStartTagKey;
    const all = tagList(stream.meta.tags).filter((t) => after === undefined || t.Key > after);
    const limit = input.Limit ?? MAX_TAGS;
    return { Tags: all.slice(0, limit), HasMoreTags: all.length > limit };
  },
};

// ---- ARN-named --------------------------------------------------------------------------------------

const CONSUMER_ARN = /^(arn:aws[^:]*:kinesis:[^:]*:\d{12}:stream\/[^/]+)\/consumer\/[^:/]+:\d+$/;

type Resource = { kind: 'stream'; stream: LiveStream } | { kind: 'consumer'; stream: LiveStream; consumer: ConsumerMeta };

/** The stream or consumer an ARN names; ResourceNotFoundException when eddy has none. */
function resolveResource(arn: string, ctx: OperationContext): Resource {
  const consumer = CONSUMER_ARN.exec(arn);
  if (consumer) {
    const stream = ctx.store.resolve({ StreamARN: consumer[1]! });
    const c = stream.meta.consumers.find((x) => x.consumerArn === arn && x.status !== 'DELETING');
    // UNVERIFIED wording.
    if (!c) throw resourceNotFound(`Consumer ${arn} under account ${ctx.options.accountId} not found.`);
    return { kind: 'consumer', stream, consumer: c };
  }
  if (!/:stream\/[^/]+$/.test(arn)) {
    // UNVERIFIED wording: a Kinesis ARN of another resource type.
    throw invalidArgument(`Resource ${arn} is not a Kinesis stream or consumer ARN.`);
  }
  return { kind: 'stream', stream: ctx.store.resolve({ StreamARN: arn }) };
}

function tagsOf(r: Resource): Record<string, string> {
  if (r.kind === 'stream') return r.stream.meta.tags;
  return (r.consumer.tags ??= {});
}

function labelOf(r: Resource): string {
  return r.kind === 'stream' ? r.stream.meta.name : r.consumer.consumerName;
}

export const tagResource: Operation<{ Tags: Record<string, string>; ResourceARN: string }, undefined> = {
  name: 'TagResource',
  constraints: { Tags: tagMap(true), ResourceARN: resourceArn, StreamId: streamId },
  async run(input, ctx) {
    const r = resolveResource(input.ResourceARN, ctx);
    addTags(tagsOf(r), input.Tags, labelOf(r), ctx);
    await ctx.store.save(r.stream);
    return undefined;
  },
};

export const untagResource: Operation<{ TagKeys: string[]; ResourceARN: string }, undefined> = {
  name: 'UntagResource',
  constraints: { TagKeys: tagKeyList, ResourceARN: resourceArn, StreamId: streamId },
  async run(input, ctx) {
    const r = resolveResource(input.ResourceARN, ctx);
    removeTags(tagsOf(r), input.TagKeys, labelOf(r), ctx);
    await ctx.store.save(r.stream);
    return undefined;
  },
};

export const listTagsForResource: Operation<{ ResourceARN: string }> = {
  name: 'ListTagsForResource',
  constraints: { ResourceARN: resourceArn, StreamId: streamId },
  async run(input, ctx) {
    const r = resolveResource(input.ResourceARN, ctx);
    return { Tags: tagList(tagsOf(r)) };
  },
};
