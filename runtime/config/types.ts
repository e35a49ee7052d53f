// The resolved, validated and frozen configuration of a service: what serverless.yml means to eddy.
// Produced once by runtime/config/load.ts; nothing downstream re-checks or re-defaults it.

export type Architecture = 'x86_64' | 'arm64';
export type LogFormat = 'Text' | 'JSON';
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface FunctionConfig {
  /** The key under `functions:` (e.g. `ingest`). */
  readonly key: string;
  /** The deployed name `<service>-<stage>-<key>` (or `name:` when set), what context.functionName reports. */
  readonly name: string;
  /** `dir/file.export`, as written. */
  readonly handler: string;
  /** e.g. `nodejs20.x`. */
  readonly runtime: string;
  readonly memorySize: number;
  /** Seconds. */
  readonly timeout: number;
  /** `description:`, what GetFunctionConfiguration reports (absent: ''). */
  readonly description?: string;
  /** `ephemeralStorageSize:` in MB, what GetFunctionConfiguration reports (absent: Lambda's 512). */
  readonly ephemeralStorageSize?: number;
  readonly architecture: Architecture;
  /** Provider environment merged with the function's (function wins), all values strings. */
  readonly environment: Readonly<Record<string, string>>;
  readonly reservedConcurrency: number | undefined;
  /** Async invocation settings (Invoke with InvocationType Event). */
  readonly maximumRetryAttempts: number;
  readonly maximumEventAge: number;
  readonly destinations: Readonly<{ onSuccess?: string; onFailure?: string }>;
  /** Local folders mounted as /opt layers, in order (resolved from `layers:`). */
  readonly layers: readonly string[];
  readonly logFormat: LogFormat;
  readonly applicationLogLevel: string | undefined;
  readonly systemLogLevel: string | undefined;
  readonly events: readonly StreamEventConfig[];
  readonly packagePatterns: readonly string[];
}

/** One `stream` event of a function: an event-source mapping. Serverless's defaults applied. */
export interface StreamEventConfig {
  readonly functionKey: string;
  /** The stream ARN, intrinsics resolved against `resources`. */
  readonly arn: string;
  /** The stream name taken from the ARN. */
  readonly streamName: string;
  readonly batchSize: number;
  /** MaximumBatchingWindowInSeconds. */
  readonly batchWindow: number;
  readonly startingPosition: StartingPosition;
  readonly startingPositionTimestamp: number | undefined;
  readonly maximumRetryAttempts: number;
  readonly parallelizationFactor: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly maximumRecordAgeInSeconds: number;
  readonly tumblingWindowInSeconds: number;
  readonly functionResponseType: 'ReportBatchItemFailures' | undefined;
  /** Each pattern as the JSON string AWS stores in FilterCriteria.Filters[].Pattern. */
  readonly filterPatterns: readonly string[];
  /** OnFailure destination ARN (function, SQS or SNS). */
  readonly onFailure: string | undefined;
  readonly enabled: boolean;
  /** Consumer ARN when `consumer` was set (eddy reads with GetRecords until it has SubscribeToShard). */
  readonly consumer: boolean | string;
  /**
   * With `consumer: true`: the name of the stream consumer Serverless would create, registered on the stream at
   * start (`<functionKey><streamName>Consumer`, or `<functionKey><streamName><service><stage>Consumer` with
   * `provider.kinesis.consumerNamingMode: serviceSpecific`).
   */
  readonly consumerName?: string;
}

/** An `AWS::Kinesis::Stream` resource, created at start when absent. */
export interface StreamResourceConfig {
  readonly logicalId: string;
  readonly name: string;
  readonly mode: 'PROVISIONED' | 'ON_DEMAND';
  readonly shardCount: number;
  readonly retentionPeriodHours: number;
  readonly maxRecordSizeInKiB: number;
  /** StreamEncryption's KeyId (a literal, or AWS's managed key when it is an intrinsic); undefined when unencrypted. */
  readonly encryptionKeyId: string | undefined;
}

/** eddy's own settings under `custom.eddy`. */
export interface EddyCustomConfig {
  /** A Kinesis endpoint the mappings read instead of eddy's own log (real AWS, LocalStack, kinesalite). */
  readonly kinesisEndpoint: string | undefined;
  /** Remote layer ARN -> local folder. */
  readonly layers: Readonly<Record<string, string>>;
  /** Poll interval of mappings in ms; undefined = woken on every append (faster than AWS). */
  readonly pollInterval: number | undefined;
  /** CloudFormation export name -> value, what `Fn::ImportValue` resolves to (always set by the loader). */
  readonly imports?: Readonly<Record<string, string>>;
}

export interface ServiceConfig {
  /** Absolute path of the folder holding serverless.yml. */
  readonly dir: string;
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  readonly functions: Readonly<Record<string, FunctionConfig>>;
  readonly streams: readonly StreamResourceConfig[];
  /** esbuild options from `build.esbuild` (or `custom.esbuild`), passed through after validation. */
  readonly esbuild: Readonly<Record<string, unknown>>;
  readonly eddy: EddyCustomConfig;
  /** One line per valid Serverless key that eddy does not emulate, to print once. */
  readonly notices: readonly string[];
}
