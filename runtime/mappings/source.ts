// The poller's side of the Kinesis API: ListShards, GetShardIterator and GetRecords through the real
// @aws-sdk/client-kinesis, so a mapping reads eddy's own log or any Kinesis endpoint (AWS, LocalStack,
// kinesalite) the same way. HTTP/1.1 (NodeHttpHandler): eddy's listener and kinesalite both speak it; eddy's
// own log in this process is reached without a socket (InProcessHttpHandler), on the same wire exchange.
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import http from 'node:http';
import https from 'node:https';
import { InProcessHttpHandler, type WireExchange } from '../kinesis/in-process-handler.ts';

export interface SourceOptions {
  /** undefined = the SDK's default (real AWS). */
  endpoint: string | undefined;
  region: string;
  /** undefined = the SDK's default credential chain. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /** eddy's own Kinesis service in this process (endpoint then names it): requests go to it without a socket. */
  local?: WireExchange | undefined;
}

export interface ShardInfo {
  shardId: string;
  parents: string[];
  /** Set once the shard is closed (split, merged): reading it ends. */
  closed: boolean;
}

/** Where a shard iterator starts. */
export type Position =
  | { type: 'TRIM_HORIZON' | 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestampMs: number }
  | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

export interface FetchedRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  arrivalMs: number;
}

export interface FetchResult {
  records: FetchedRecord[];
  /** undefined once a closed shard has been read to its end. */
  nextIterator: string | undefined;
  millisBehindLatest: number;
}

/** The stream name inside a stream ARN or an EFO consumer ARN (`…:stream/<name>[/consumer/…]`). */
export function streamNameOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  const parts = resource.split('/');
  return parts[0] === 'stream' && parts[1] ? parts[1] : resource;
}

/** The region inside an ARN, or undefined. */
export function regionOf(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}

export class KinesisSource {
  readonly #client: KinesisClient;

  constructor(options: SourceOptions) {
    const agentOptions = { keepAlive: true, maxSockets: 256 };
    this.#client = new KinesisClient({
      region: options.region,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      // The pollers send the same few commands with default options: build each one's middleware stack once.
      cacheMiddleware: true,
      requestHandler: options.local
        ? new InProcessHttpHandler(options.local)
        : new NodeHttpHandler({ httpAgent: new http.Agent(agentOptions), httpsAgent: new https.Agent(agentOptions) }),
    });
  }

  async listShards(streamName: string): Promise<ShardInfo[]> {
    const shards: ShardInfo[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.#client.send(
        new ListShardsCommand(nextToken !== undefined ? { NextToken: nextToken } : { StreamName: streamName }),
      );
      for (const s of out.Shards ?? []) {
        const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => typeof p === 'string');
        shards.push({
          shardId: s.ShardId!,
          parents,
          closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
        });
      }
      nextToken = out.NextToken;
    } while (nextToken !== undefined);
    return shards;
  }

  async iterator(streamName: string, shardId: string, position: Position): Promise<string | undefined> {
    const input: {
      StreamName: string;
      ShardId: string;
      ShardIteratorType: ShardIteratorType;
      StartingSequenceNumber?: string;
      Timestamp?: Date;
    } = { StreamName: streamName, ShardId: shardId, ShardIteratorType: position.type };
    if (position.type === 'AT_SEQUENCE_NUMBER' || position.type === 'AFTER_SEQUENCE_NUMBER') {
      input.StartingSequenceNumber = position.sequenceNumber;
    } else if (position.type === 'AT_TIMESTAMP') {
      input.Timestamp = new Date(position.timestampMs);
    }
    const out = await this.#client.send(new GetShardIteratorCommand(input));
    return out.ShardIterator;
  }

  async fetch(iterator: string, limit: number): Promise<FetchResult> {
    const out = await this.#client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    return {
      records: (out.Records ?? []).map((r) => ({
        sequenceNumber: r.SequenceNumber!,
        partitionKey: r.PartitionKey!,
        data: r.Data ?? new Uint8Array(0),
        arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? 0,
      })),
      nextIterator: out.NextShardIterator ?? undefined,
      millisBehindLatest: out.MillisBehindLatest ?? 0,
    };
  }

  /** The stream's retention in ms (records older than this are gone from the shard). */
  async retentionMs(streamName: string): Promise<number> {
    const out = await this.#client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    return (out.StreamDescriptionSummary?.RetentionPeriodHours ?? 24) * 3_600_000;
  }

  close(): void {
    this.#client.destroy();
  }
}

/** The error name an SDK call failed with ('ExpiredIteratorException', ...). */
export function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string'
    ? (err as { name: string }).name
    : 'Error';
}
