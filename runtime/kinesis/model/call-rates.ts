// Control-plane call rates (only with enforceLimits): the transactions per second each operation's AWS
// documentation states (the SDK model's text), counted per account, per stream or per open shard. Over
// the rate a call fails as AWS fails it. GetRecords and the writes have their own limits (throughput.ts).
import { KinesisApiError } from '../errors.ts';
import { CallWindow, rateExceededMessage } from './throughput.ts';

type Per = 'account' | 'stream' | 'shard';

const RATES: ReadonlyMap<string, { perSecond: number; per: Per }> = new Map([
  ['CreateStream', { perSecond: 5, per: 'account' }],
  ['DeleteStream', { perSecond: 5, per: 'account' }],
  ['ListStreams', { perSecond: 5, per: 'account' }],
  ['AddTagsToStream', { perSecond: 5, per: 'account' }],
  ['RemoveTagsFromStream', { perSecond: 5, per: 'account' }],
  ['SplitShard', { perSecond: 5, per: 'account' }],
  ['MergeShards', { perSecond: 5, per: 'account' }],
  ['RegisterStreamConsumer', { perSecond: 5, per: 'account' }],
  ['DescribeStream', { perSecond: 10, per: 'account' }],
  ['UpdateShardCount', { perSecond: 10, per: 'account' }],
  ['DescribeStreamSummary', { perSecond: 20, per: 'account' }],
  ['DescribeLimits', { perSecond: 1, per: 'account' }],
  ['ListShards', { perSecond: 1000, per: 'stream' }],
  ['DescribeStreamConsumer', { perSecond: 20, per: 'stream' }],
  ['ListStreamConsumers', { perSecond: 5, per: 'stream' }],
  ['DeregisterStreamConsumer', { perSecond: 5, per: 'stream' }],
  ['GetShardIterator', { perSecond: 5, per: 'shard' }],
]);

/** The stream a request names, by StreamName or by the name in a stream (or consumer) ARN. */
function streamNameOf(input: Record<string, unknown>): string | undefined {
  if (typeof input['StreamName'] === 'string') return input['StreamName'];
  const arn = input['StreamARN'] ?? input['ConsumerARN'];
  return typeof arn === 'string' ? arn.split('/')[1] : undefined;
}

export class CallRates {
  readonly #accountId: string;
  readonly #windows = new Map<string, CallWindow>();

  constructor(accountId: string) {
    this.#accountId = accountId;
  }

  /** Counts one call of `operation`; throws what AWS answers when it is over the operation's rate. */
  admit(operation: string, input: Record<string, unknown>, nowMs: number): void {
    const rate = RATES.get(operation);
    if (!rate) return;
    const stream = streamNameOf(input);
    const shard = typeof input['ShardId'] === 'string' ? input['ShardId'] : '';
    const key = rate.per === 'account' ? operation : rate.per === 'stream' ? `${operation}/${stream ?? ''}` : `${operation}/${stream ?? ''}/${shard}`;
    let window = this.#windows.get(key);
    if (!window) this.#windows.set(key, (window = new CallWindow()));
    if (window.admit(rate.perSecond, nowMs)) return;
    if (rate.per === 'shard') {
      // GetShardIterator called too often: ProvisionedThroughputExceededException, as its documentation says.
      throw new KinesisApiError('ProvisionedThroughputExceededException', rateExceededMessage(shard, stream ?? '', this.#accountId));
    }
    // AWS's message for DescribeStream is widely quoted; for a call naming no stream it is UNVERIFIED.
    throw new KinesisApiError(
      'LimitExceededException',
      stream !== undefined ? `Rate exceeded for stream ${stream} under account ${this.#accountId}.` : `Rate exceeded for account ${this.#accountId}.`,
    );
  }
}
