// Building MappingSpecs: AWS's API defaults, serverless.yml events (Serverless's defaults are already
// applied by the config loader), and stable UUIDs for mappings declared in serverless.yml.
import { createHash } from 'node:crypto';
import type { ServiceConfig, StreamEventConfig } from '../config/types.ts';
import type { MappingSpec } from './types.ts';

export function functionArnOf(region: string, accountId: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

/**
 * A UUID that stays the same across restarts for the index-th stream event of a function on one stream,
 * so its checkpoints are found again (sha256 of function + stream + index, shaped as a UUID).
 */
export function stableMappingUuid(functionKey: string, streamArn: string, index: number): string {
  const h = createHash('sha256').update(`${functionKey}\u0000${streamArn}\u0000${index}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface SpecContext {
  region: string;
  accountId: string;
  nowMs: number;
  /** The consumers registered for `consumer: true` events: consumerKey(stream ARN, name) -> consumer ARN. */
  consumers?: ReadonlyMap<string, string>;
}

/** How SpecContext.consumers finds the consumer of a stream by name. */
export function consumerKey(streamArn: string, consumerName: string): string {
  return `${streamArn}/consumer/${consumerName}`;
}

/**
 * What a stream event's mapping reads: its consumer ARN (given, or registered for `consumer: true`), else the
 * stream. A `consumer: true` whose consumer could not be registered reads the stream.
 */
function eventSourceArnOf(event: StreamEventConfig, ctx: SpecContext): string {
  if (typeof event.consumer === 'string') return event.consumer;
  if (event.consumerName !== undefined) return ctx.consumers?.get(consumerKey(event.arn, event.consumerName)) ?? event.arn;
  return event.arn;
}

/** The role a function reports as invokeIdentityArn when none is known (Serverless's default role name). */
export function defaultRoleArn(accountId: string, functionName: string): string {
  return `arn:aws:iam::${accountId}:role/${functionName}-role`;
}

/** The mapping a serverless.yml `stream` event declares (index = its position among the function's events). */
export function specFromStreamEvent(
  event: StreamEventConfig,
  fn: { name: string; roleArn?: string },
  index: number,
  ctx: SpecContext,
): MappingSpec {
  return Object.freeze({
    uuid: stableMappingUuid(event.functionKey, event.arn, index),
    functionName: fn.name,
    functionArn: functionArnOf(ctx.region, ctx.accountId, fn.name),
    eventSourceArn: eventSourceArnOf(event, ctx),
    batchSize: event.batchSize,
    batchWindow: event.batchWindow,
    startingPosition: event.startingPosition,
    startingPositionTimestamp: event.startingPositionTimestamp,
    maximumRetryAttempts: event.maximumRetryAttempts,
    parallelizationFactor: event.parallelizationFactor,
    bisectBatchOnFunctionError: event.bisectBatchOnFunctionError,
    maximumRecordAgeInSeconds: event.maximumRecordAgeInSeconds,
    tumblingWindowInSeconds: event.tumblingWindowInSeconds,
    reportBatchItemFailures: event.functionResponseType === 'ReportBatchItemFailures',
    filterPatterns: [...event.filterPatterns],
    onFailure: event.onFailure,
    enabled: event.enabled,
    roleArn: fn.roleArn ?? defaultRoleArn(ctx.accountId, fn.name),
    origin: 'config',
    lastModifiedMs: ctx.nowMs,
  });
}

/** AWS's defaults for what a CreateEventSourceMapping call leaves out (reference §4.1). */
export const API_DEFAULTS = {
  batchSize: 100,
  batchWindow: 0,
  maximumRetryAttempts: -1,
  parallelizationFactor: 1,
  bisectBatchOnFunctionError: false,
  maximumRecordAgeInSeconds: -1,
  tumblingWindowInSeconds: 0,
  enabled: true,
} as const;

/** The role Serverless creates for a service's functions (`<service>-<stage>-<region>-lambdaRole`). */
export function serverlessRoleArn(config: Pick<ServiceConfig, 'service' | 'stage' | 'region'>, accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${config.service}-${config.stage}-${config.region}-lambdaRole`;
}

/** Every mapping serverless.yml declares: one per `stream` event, UUIDs stable across restarts. */
export function mappingSpecsFromConfig(config: ServiceConfig, ctx: SpecContext): MappingSpec[] {
  const roleArn = serverlessRoleArn(config, ctx.accountId);
  return Object.values(config.functions).flatMap((fn) =>
    fn.events.map((event, index) => specFromStreamEvent(event, { name: fn.name, roleArn }, index, ctx)),
  );
}
