// What an event-source mapping is to the engine (one shape behind serverless.yml and the Lambda API),
// and what the engine reports about it.
import type { StartingPosition } from '../config/types.ts';

/** A mapping's settings, AWS's names in camelCase, every default already applied. */
export interface MappingSpec {
  readonly uuid: string;
  /** The function to invoke: its deployed name (or anything the Invoker resolves). */
  readonly functionName: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`. */
  readonly functionArn: string;
  /** The stream ARN (or an EFO consumer ARN, read with GetRecords like the stream). */
  readonly eventSourceArn: string;
  /** BatchSize, 1..10000. */
  readonly batchSize: number;
  /** MaximumBatchingWindowInSeconds, 0..300. */
  readonly batchWindow: number;
  readonly startingPosition: StartingPosition;
  /** Epoch seconds, only with AT_TIMESTAMP. */
  readonly startingPositionTimestamp: number | undefined;
  /** -1 = until the record expires; N = N retries after the first attempt. */
  readonly maximumRetryAttempts: number;
  /** 1..10 lanes per shard. */
  readonly parallelizationFactor: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 = unlimited (retention still applies). */
  readonly maximumRecordAgeInSeconds: number;
  /** 0 = off; 1..900. */
  readonly tumblingWindowInSeconds: number;
  readonly reportBatchItemFailures: boolean;
  /** FilterCriteria.Filters[].Pattern, as JSON strings. */
  readonly filterPatterns: readonly string[];
  /** DestinationConfig.OnFailure.Destination. */
  readonly onFailure: string | undefined;
  readonly enabled: boolean;
  /** The execution role the event reports as invokeIdentityArn. */
  readonly roleArn: string;
  /** Where the mapping came from: serverless.yml mappings are re-declared at every start, API ones persist. */
  readonly origin: 'config' | 'api';
  /** Epoch ms of the last create/update. */
  readonly lastModifiedMs: number;
}

export type MappingState = 'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';

/**
 * MaximumRecordAgeInSeconds: -1 (infinite) or MIN..MAX. The model allows -1..604800, but "the minimum valid
 * value for maximum record age is 60s": 0..59 are refused (API and serverless.yml alike).
 * https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html
 */
export const MIN_RECORD_AGE_SECONDS = 60;
export const MAX_RECORD_AGE_SECONDS = 604_800;

export const NO_RECORDS = 'No records processed';
export const OK = 'OK';
export const FUNCTION_CALL_FAILED = 'PROBLEM: Function call failed';

export interface ShardStatus {
  shardId: string;
  /** reading: polling; waiting: a parent shard is not finished; finished: read to its end and checkpointed. */
  state: 'waiting' | 'reading' | 'finished';
  /** MillisBehindLatest of the last GetRecords: how far the reader is behind the tip of the shard. */
  millisBehindLatest: number;
  /**
   * AWS's IteratorAge metric as of the last invocation: the age of the batch's last record when it was sent
   * to the function (grows while a failing batch blocks the shard).
   */
  iteratorAgeMs: number;
  lastProcessingResult: string;
  invocations: number;
  /** Invocations that failed (function error, timeout, invalid response). */
  errors: number;
  retries: number;
  recordsFiltered: number;
  /** Records a successful invocation consumed (or the window that held them). */
  recordsProcessed: number;
  /** Records discarded to the on-failure destination (retries or age exhausted). */
  recordsDiscarded: number;
  /** Records read and not yet done (queued, in flight, retried, or held by an open tumbling window). */
  recordsPending: number;
  /** Sequence number of the last checkpointed record. */
  checkpoint: string | undefined;
  /** Batches being invoked right now (one per busy lane). */
  batchesInFlight: number;
}

export interface MappingStatus {
  uuid: string;
  functionName: string;
  eventSourceArn: string;
  state: MappingState;
  lastProcessingResult: string;
  shards: ShardStatus[];
}
