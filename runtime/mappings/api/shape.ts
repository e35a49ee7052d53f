// EventSourceMappingConfiguration as the Lambda API returns it for a Kinesis mapping.
// https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html
import type { LambdaServiceError } from '../../lambda/types.ts';
import type { MappingSpec, MappingState } from '../types.ts';

export function mappingArn(region: string, accountId: string, uuid: string): string {
  return `arn:aws:lambda:${region}:${accountId}:event-source-mapping:${uuid}`;
}

export function configuration(
  spec: MappingSpec,
  state: MappingState,
  lastProcessingResult: string,
  region: string,
  accountId: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    UUID: spec.uuid,
    StartingPosition: spec.startingPosition,
  };
  if (spec.startingPositionTimestamp !== undefined) out['StartingPositionTimestamp'] = spec.startingPositionTimestamp;
  Object.assign(out, {
    BatchSize: spec.batchSize,
    MaximumBatchingWindowInSeconds: spec.batchWindow,
    ParallelizationFactor: spec.parallelizationFactor,
    EventSourceArn: spec.eventSourceArn,
  });
  if (spec.filterPatterns.length > 0) out['FilterCriteria'] = { Filters: spec.filterPatterns.map((Pattern) => ({ Pattern })) };
  Object.assign(out, {
    FunctionArn: spec.functionArn,
    LastModified: spec.lastModifiedMs / 1000,
    LastProcessingResult: lastProcessingResult,
    State: state,
    StateTransitionReason: 'User action',
    DestinationConfig: { OnFailure: spec.onFailure !== undefined ? { Destination: spec.onFailure } : {} },
    MaximumRecordAgeInSeconds: spec.maximumRecordAgeInSeconds,
    BisectBatchOnFunctionError: spec.bisectBatchOnFunctionError,
    MaximumRetryAttempts: spec.maximumRetryAttempts,
    TumblingWindowInSeconds: spec.tumblingWindowInSeconds,
    FunctionResponseTypes: spec.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
    EventSourceMappingArn: mappingArn(region, accountId, spec.uuid),
  });
  return out;
}

/** 404 for a UUID no mapping has. */
export function mappingNotFound(): LambdaServiceError {
  return { name: 'ResourceNotFoundException', statusCode: 404, message: 'The resource you requested does not exist.' };
}
