// Input checks for Create/UpdateEventSourceMapping, with AWS's error names and messages: model
// constraints as Coral ValidationExceptions, service rules as InvalidParameterValueException.
// Messages for a missing StartingPosition, OnSuccess and filter patterns follow LocalStack's
// AWS-validated snapshots; the rest are the model's constraints.
import { invalidParameterValue, validationError } from '../../lambda/api/errors.ts';
import type { LambdaServiceError } from '../../lambda/types.ts';
import type { StartingPosition } from '../../config/types.ts';
import { compileFilters } from '../filter.ts';
import { MAX_RECORD_AGE_SECONDS, MIN_RECORD_AGE_SECONDS } from '../types.ts';

type Body = Record<string, unknown>;

export interface MappingInput {
  batchSize?: number;
  batchWindow?: number;
  startingPosition?: StartingPosition;
  startingPositionTimestamp?: number;
  maximumRetryAttempts?: number;
  parallelizationFactor?: number;
  bisectBatchOnFunctionError?: boolean;
  maximumRecordAgeInSeconds?: number;
  tumblingWindowInSeconds?: number;
  reportBatchItemFailures?: boolean;
  filterPatterns?: string[];
  /** null = remove the destination (UpdateEventSourceMapping with an empty DestinationConfig). */
  onFailure?: string | null;
  enabled?: boolean;
}

const INT_RANGES: ReadonlyArray<[key: string, field: string, prop: keyof MappingInput, min: number, max: number]> = [
  ['BatchSize', 'batchSize', 'batchSize', 1, 10_000],
  ['MaximumBatchingWindowInSeconds', 'maximumBatchingWindowInSeconds', 'batchWindow', 0, 300],
  ['ParallelizationFactor', 'parallelizationFactor', 'parallelizationFactor', 1, 10],
  ['MaximumRetryAttempts', 'maximumRetryAttempts', 'maximumRetryAttempts', -1, 10_000],
  ['MaximumRecordAgeInSeconds', 'maximumRecordAgeInSeconds', 'maximumRecordAgeInSeconds', -1, MAX_RECORD_AGE_SECONDS],
  ['TumblingWindowInSeconds', 'tumblingWindowInSeconds', 'tumblingWindowInSeconds', 0, 900],
];

const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];

function typeError(key: string): LambdaServiceError {
  return { name: 'SerializationException', statusCode: 400, message: `Unexpected type for ${key}.` };
}

/** Reads the settable fields of a Create/Update body; throws a LambdaServiceError on bad input. */
export function readMappingInput(body: Body, operation: 'create' | 'update', nowMs: number): MappingInput {
  const input: MappingInput = {};
  for (const [key, field, prop, min, max] of INT_RANGES) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(key);
    if (v < min) throw validationError(String(v), field, `Member must have value greater than or equal to ${min}`);
    if (v > max) throw validationError(String(v), field, `Member must have value less than or equal to ${max}`);
    (input as Record<string, number>)[prop] = v;
  }
  const age = input.maximumRecordAgeInSeconds;
  if (age !== undefined && age !== -1 && age < MIN_RECORD_AGE_SECONDS) {
    // Within the model's range, refused by the service, with the message the API returned as quoted by the
    // Terraform AWS provider's maintainers (hashicorp/terraform-provider-aws#16113, 2021).
    throw invalidParameterValue(
      `MaximumRecordAgeInSeconds must be either -1 (forever) or between ${MIN_RECORD_AGE_SECONDS} and ${MAX_RECORD_AGE_SECONDS} (inclusive)`,
    );
  }
  for (const [key, prop] of [
    ['BisectBatchOnFunctionError', 'bisectBatchOnFunctionError'],
    ['Enabled', 'enabled'],
  ] as const) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw typeError(key);
    input[prop] = v;
  }
  if (operation === 'create') {
    const sp = body['StartingPosition'];
    if (sp === undefined || sp === null || sp === '') {
      throw invalidParameterValue("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
    }
    if (typeof sp !== 'string' || !STARTING_POSITIONS.includes(sp)) {
      throw validationError(String(sp), 'startingPosition', 'Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]');
    }
    input.startingPosition = sp as StartingPosition;
    const ts = body['StartingPositionTimestamp'];
    if (ts !== undefined && ts !== null) {
      if (typeof ts !== 'number') throw typeError('StartingPositionTimestamp');
      if (sp !== 'AT_TIMESTAMP') {
        throw invalidParameterValue('StartingPositionTimestamp is only valid when StartingPosition is AT_TIMESTAMP.');
      }
      if (ts * 1000 > nowMs) throw invalidParameterValue('StartingPositionTimestamp cannot be in the future.');
      input.startingPositionTimestamp = ts;
    } else if (sp === 'AT_TIMESTAMP') {
      throw invalidParameterValue('StartingPositionTimestamp must be set when StartingPosition is AT_TIMESTAMP.');
    }
  }
  const types = body['FunctionResponseTypes'];
  if (types !== undefined && types !== null) {
    if (!Array.isArray(types)) throw typeError('FunctionResponseTypes');
    if (types.length > 1) throw validationError(JSON.stringify(types), 'functionResponseTypes', 'Member must have length less than or equal to 1');
    for (const t of types) {
      if (t !== 'ReportBatchItemFailures') {
        throw validationError(`[${String(t)}]`, 'functionResponseTypes', 'Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]');
      }
    }
    input.reportBatchItemFailures = types.length === 1;
  }
  const criteria = body['FilterCriteria'];
  if (criteria !== undefined && criteria !== null) {
    if (typeof criteria !== 'object' || Array.isArray(criteria)) throw typeError('FilterCriteria');
    const filters = (criteria as Body)['Filters'] ?? [];
    if (!Array.isArray(filters)) throw typeError('Filters');
    const patterns: string[] = [];
    for (const f of filters) {
      const pattern = typeof f === 'object' && f !== null ? (f as Body)['Pattern'] : undefined;
      if (typeof pattern !== 'string' || pattern === '') throw invalidParameterValue('Invalid filter pattern definition.');
      patterns.push(pattern);
    }
    if (patterns.length > 5) {
      // The default quota (reference §4.1): 5 filters per mapping.
      throw invalidParameterValue('The maximum number of filters in a FilterCriteria is 5.');
    }
    try {
      compileFilters(patterns);
    } catch {
      throw invalidParameterValue('Invalid filter pattern definition.');
    }
    input.filterPatterns = patterns;
  }
  const dest = body['DestinationConfig'];
  if (dest !== undefined && dest !== null) {
    if (typeof dest !== 'object' || Array.isArray(dest)) throw typeError('DestinationConfig');
    if ('OnSuccess' in dest && (dest as Body)['OnSuccess'] !== null) {
      throw invalidParameterValue('Unsupported DestinationConfig parameter for given event source mapping type.');
    }
    const onFailure = (dest as Body)['OnFailure'];
    const arn = typeof onFailure === 'object' && onFailure !== null ? (onFailure as Body)['Destination'] : undefined;
    if (arn === undefined || arn === null || arn === '') input.onFailure = null;
    else if (typeof arn !== 'string') throw typeError('Destination');
    else {
      const service = arn.split(':')[2];
      if (!arn.startsWith('arn:') || !['sqs', 'sns', 's3', 'lambda'].includes(service ?? '')) {
        throw invalidParameterValue(`Unsupported destination ARN: ${arn}`);
      }
      if (arn.length > 350) throw validationError(arn, 'destinationConfig.onFailure.destination', 'Member must have length less than or equal to 350');
      input.onFailure = arn;
    }
  }
  return input;
}

/** The stream ARN an ESM may read: a Kinesis stream or an EFO consumer of one. */
export function checkEventSourceArn(arn: unknown): string {
  if (arn === undefined || arn === null || arn === '') throw invalidParameterValue('Unrecognized event source.');
  if (typeof arn !== 'string') throw typeError('EventSourceArn');
  if (!/^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/.test(arn)) {
    throw validationError(arn, 'eventSourceArn', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)');
  }
  if (arn.split(':')[2] !== 'kinesis' || !/:stream\/[^/]+/.test(arn)) {
    // eddy emulates Kinesis sources only.
    throw invalidParameterValue(`Unrecognized event source, must be a Kinesis stream or stream consumer ARN: ${arn}`);
  }
  return arn;
}
