// Kinesis for eddy: `stream` events of functions (reference §8.2, Serverless's defaults) and the
// AWS::Kinesis::Stream resources created at start.

import { evaluate, IntrinsicError, resourceName, streamArn, type CfnResource, type IntrinsicContext } from './intrinsics.ts';
import { compilePattern, InvalidFilterPatternError } from '../mappings/filter.ts';
import { destinationArn } from './destinations.ts';
import type { FunctionInput } from './functions.ts';
import { kinesisStreamPropertiesSchema, streamEventSchema } from './schema.ts';
import type { StartingPosition, StreamEventConfig, StreamResourceConfig } from './types.ts';
import { isIntrinsic, validate, type Path, type Report } from './validate.ts';
import { asArr, asNum, asObj, asStr, flag, num, strip, text, type Obj } from './values.ts';

/** The stream name of a Kinesis stream ARN (`arn:aws:kinesis:r:a:stream/<name>`), or undefined. */
export function streamNameOf(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/([a-zA-Z0-9_.-]+)(\/|$)/.exec(arn);
  return m?.[1];
}

export function streamResources(ctx: IntrinsicContext, resources: Record<string, CfnResource>, paths: Map<string, Path>, report: Report): StreamResourceConfig[] {
  const streams: StreamResourceConfig[] = [];
  const seen = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Kinesis::Stream') continue;
    const at = [...paths.get(logicalId)!, 'Properties'];
    const props = asObj(strip(validate(kinesisStreamPropertiesSchema, resource.Properties ?? {}, at, report)));
    let name: string;
    try {
      name = resourceName(ctx, logicalId);
    } catch (err) {
      if (!(err instanceof IntrinsicError)) throw err;
      report.error([...at, 'Name'], err.message);
      continue;
    }
    const rawName = asObj(resource.Properties)['Name'];
    // A plain Name was checked by the schema; one built by an intrinsic is checked here.
    if (isIntrinsic(rawName) && !/^[a-zA-Z0-9_.-]{1,128}$/.test(name)) report.error([...at, 'Name'], `resolves to ${JSON.stringify(name)}, not a valid stream name ([a-zA-Z0-9_.-]{1,128})`);
    const mode = asStr(asObj(props['StreamModeDetails'])['StreamMode']) === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED';
    const K = kinesisStreamPropertiesSchema;
    let shardCount = num(props['ShardCount'], K, 'ShardCount');
    if (mode === 'ON_DEMAND') {
      // On-demand streams have no shard count; eddy starts them with 4 shards (AWS's 4 MB/s initial write capacity).
      if (asObj(resource.Properties)['ShardCount'] !== undefined) report.notice([...at, 'ShardCount'], 'ignored for an ON_DEMAND stream (eddy starts it with 4 shards)');
      shardCount = 4;
    }
    const other = seen.get(name);
    if (other !== undefined) report.error([...at, 'Name'], `stream name "${name}" is also used by ${other}`);
    seen.set(name, logicalId);
    streams.push({
      logicalId,
      name,
      mode,
      shardCount,
      retentionPeriodHours: num(props['RetentionPeriodHours'], K, 'RetentionPeriodHours'),
      maxRecordSizeInKiB: num(props['MaxRecordSizeInKiB'], K, 'MaxRecordSizeInKiB'),
      encryptionKeyId: encryptionKeyId(props['StreamEncryption']),
    });
  }
  return streams;
}

/** eddy has no KMS: a KeyId given by an intrinsic (a key made in the same template) stands as AWS's managed key. */
function encryptionKeyId(encryption: unknown): string | undefined {
  if (encryption === undefined) return undefined;
  const keyId = asObj(encryption)['KeyId'];
  return typeof keyId === 'string' ? keyId : 'alias/aws/kinesis';
}

/** Each pattern as the Pattern string CloudFormation would send; one Lambda would refuse is reported here. */
function filterPatterns(raw: unknown, at: Path, report: Report): string[] {
  return asArr(raw).map((pattern, i) => {
    const text = JSON.stringify(pattern);
    if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return text; // the schema said so
    try {
      compilePattern(text);
    } catch (err) {
      if (!(err instanceof InvalidFilterPatternError)) throw err;
      report.error([...at, i], `invalid filter pattern: ${err.detail}`);
    }
    return text;
  });
}

export function streamEvents(input: FunctionInput): StreamEventConfig[] {
  const { key, fn, report } = input;
  const out: StreamEventConfig[] = [];
  asArr(fn['events']).forEach((event, i) => {
    const at: Path = ['functions', key, 'events', i];
    const raw = asObj(event)['stream'];
    if (raw === undefined) return;
    const streamAt: Path = [...at, 'stream'];
    // The plain-ARN form gets the same defaults as the object form.
    const ev = typeof raw === 'string' ? asObj(strip(validate(streamEventSchema, { arn: raw }, streamAt, report))) : asObj(raw);
    const e = resolveStreamEvent(input, ev, streamAt);
    if (e !== undefined) out.push(e);
  });
  return out;
}

/**
 * The stream name Serverless puts in a consumer's name: the logical id of a `Fn::GetAtt` or `Ref`, the export
 * name of a `Fn::ImportValue`, the part after the last `/` of a `Fn::Join`'s last element, else the part of
 * the ARN after `stream/` (lib/plugins/aws/package/compile/events/stream.js).
 */
function serverlessStreamName(arn: unknown, resolvedName: string): string {
  if (typeof arn === 'string') return arn.split('/')[1] ?? resolvedName;
  const o = asObj(arn);
  const getAtt = o['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  if (typeof getAtt === 'string') return getAtt.split('.')[0]!;
  if (typeof o['Fn::ImportValue'] === 'string') return o['Fn::ImportValue'];
  if (typeof o['Ref'] === 'string') return o['Ref'];
  const join = o['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return String(join[1].at(-1)).split('/').pop()!;
  return resolvedName;
}

/** The consumer `consumer: true` registers, named as Serverless names it (reference §8.2). */
function consumerNameFor(input: FunctionInput, rawArn: unknown, streamName: string): string {
  const serviceSpecific = asObj(input.provider['kinesis'])['consumerNamingMode'] === 'serviceSpecific';
  const suffix = serviceSpecific ? `${asStr(input.validated['service']) ?? ''}${input.stage}` : '';
  return `${input.key}${serverlessStreamName(rawArn, streamName)}${suffix}Consumer`;
}

function resolveStreamEvent(input: FunctionInput, ev: Obj, at: Path): StreamEventConfig | undefined {
  const { key, ctx, report } = input;
  let arn: unknown = ev['arn'];
  const rawArn = arn;
  const declaredType = asStr(ev['type']);
  if (isIntrinsic(arn)) {
    if (declaredType === undefined) {
      report.error([...at, 'type'], 'is required when arn is a CloudFormation intrinsic (kinesis or dynamodb)');
      return undefined;
    }
    try {
      arn = evaluate(ctx, arn);
    } catch (err) {
      if (!(err instanceof IntrinsicError)) throw err;
      report.error([...at, 'arn'], err.message);
      return undefined;
    }
  }
  if (typeof arn !== 'string') return undefined;
  // `Ref` to a stream gives its name: take it as the stream of that name.
  if (!arn.startsWith('arn:') && /^[a-zA-Z0-9_.-]{1,128}$/.test(arn)) arn = streamArn(ctx, arn);
  const arnString = arn as string;
  const service = arnString.split(':')[2];
  const type = declaredType ?? service;
  if (type === 'dynamodb' || service === 'dynamodb') {
    report.notice(at, 'DynamoDB streams are not emulated by eddy; this event is skipped');
    return undefined;
  }
  const streamName = streamNameOf(arnString);
  if (streamName === undefined) {
    report.error([...at, 'arn'], `must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>), got ${JSON.stringify(arnString)}`);
    return undefined;
  }

  const S = streamEventSchema;
  const startingPosition = text(ev['startingPosition'], S, 'startingPosition') as StartingPosition;
  let startingPositionTimestamp = asNum(ev['startingPositionTimestamp']);
  if (startingPosition === 'AT_TIMESTAMP' && startingPositionTimestamp === undefined && ev['startingPositionTimestamp'] === undefined) {
    report.error([...at, 'startingPositionTimestamp'], 'is required when startingPosition is AT_TIMESTAMP');
  }
  if (startingPosition !== 'AT_TIMESTAMP' && startingPositionTimestamp !== undefined) {
    report.notice([...at, 'startingPositionTimestamp'], 'used only with startingPosition AT_TIMESTAMP; ignored');
    startingPositionTimestamp = undefined;
  }

  let consumer: boolean | string = false;
  if (typeof ev['consumer'] === 'boolean') consumer = ev['consumer'];
  else if (typeof ev['consumer'] === 'string') {
    if (!/^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:\d+$/.test(ev['consumer'])) {
      report.error([...at, 'consumer'], 'must be true or a stream consumer ARN (arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<consumer>:<timestamp>)');
    }
    consumer = ev['consumer'];
  }
  const consumerName = consumer === true ? consumerNameFor(input, rawArn, streamName) : undefined;
  if (consumerName !== undefined && !/^[a-zA-Z0-9_.-]{1,128}$/.test(consumerName)) {
    report.error([...at, 'consumer'], `true names the stream consumer "${consumerName}", which is not a valid consumer name (1-128 of a-z A-Z 0-9 _ . -)`);
  }

  let onFailure: string | undefined;
  const failure = asObj(ev['destinations'])['onFailure'];
  if (failure !== undefined) {
    const p: Path = [...at, 'destinations', 'onFailure'];
    onFailure = destinationArn(input, failure, p);
    if (onFailure !== undefined && !/^arn:aws[a-z-]*:(sqs|sns|lambda|s3):/.test(onFailure)) {
      report.error(p, 'must be the ARN of an SQS queue, an SNS topic or a function');
      onFailure = undefined;
    }
  }

  return {
    functionKey: key,
    arn: arnString,
    streamName,
    batchSize: num(ev['batchSize'], S, 'batchSize'),
    batchWindow: num(ev['batchWindow'], S, 'batchWindow'),
    startingPosition,
    startingPositionTimestamp,
    maximumRetryAttempts: num(ev['maximumRetryAttempts'], S, 'maximumRetryAttempts'),
    parallelizationFactor: num(ev['parallelizationFactor'], S, 'parallelizationFactor'),
    bisectBatchOnFunctionError: flag(ev['bisectBatchOnFunctionError'], S, 'bisectBatchOnFunctionError'),
    maximumRecordAgeInSeconds: num(ev['maximumRecordAgeInSeconds'], S, 'maximumRecordAgeInSeconds'),
    tumblingWindowInSeconds: num(ev['tumblingWindowInSeconds'], S, 'tumblingWindowInSeconds'),
    functionResponseType: ev['functionResponseType'] === 'ReportBatchItemFailures' ? 'ReportBatchItemFailures' : undefined,
    filterPatterns: filterPatterns(ev['filterPatterns'], [...at, 'filterPatterns'], report),
    onFailure,
    enabled: flag(ev['enabled'], S, 'enabled'),
    consumer,
    ...(consumerName !== undefined && { consumerName }),
  };
}
