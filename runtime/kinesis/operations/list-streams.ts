// ListStreams: names and summaries in name order, paginated by ExclusiveStartStreamName or NextToken.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListStreams.html
import { invalidArgument } from '../errors.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { creationTimestamp, decodeToken, encodeToken, nextToken, streamModeOf, streamName } from './shapes.ts';

export const constraints: ConstraintTable = {
  Limit: { type: 'Integer', greaterThanOrEqual: 1, lessThanOrEqual: 10000 },
  ExclusiveStartStreamName: streamName,
  NextToken: nextToken,
};

/** AWS: "The default value is 100. If you specify a value greater than 100, at most 100 results are returned." */
const PAGE_MAX = 100;

interface Input {
  Limit?: number;
  ExclusiveStartStreamName?: string;
  NextToken?: string;
}

export const listStreams: Operation<Input> = {
  name: 'ListStreams',
  constraints,
  async run(input, ctx) {
    let after = input.ExclusiveStartStreamName;
    if (input.NextToken !== undefined) {
      // UNVERIFIED: AWS's text for a token it did not issue.
      const token = decodeToken('ListStreams', input.NextToken);
      if (!token || typeof token['after'] !== 'string') throw invalidArgument(`Invalid NextToken: ${input.NextToken}`);
      after = token['after'];
    }
    const limit = Math.min(input.Limit ?? PAGE_MAX, PAGE_MAX);
    const all = ctx.store.list().filter((s) => after === undefined || s.meta.name > after);
    const page = all.slice(0, limit);
    const hasMore = all.length > limit;
    const out: Record<string, unknown> = {
      StreamNames: page.map((s) => s.meta.name),
      HasMoreStreams: hasMore,
      StreamSummaries: page.map((s) => ({
        StreamName: s.meta.name,
        StreamARN: s.meta.arn,
        StreamStatus: s.meta.status,
        StreamModeDetails: streamModeOf(s.meta),
        StreamCreationTimestamp: creationTimestamp(s.meta),
      })),
    };
    if (hasMore) out['NextToken'] = encodeToken('ListStreams', { after: page.at(-1)!.meta.name });
    return out;
  },
};
