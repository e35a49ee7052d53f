// CreateEventSourceMapping: POST /2015-03-31/event-source-mappings/ -> 202 with the new mapping (State Creating).
// https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
import { randomUUID } from 'node:crypto';
import { validationError } from '../../lambda/api/errors.ts';
import { sendJson } from '../../server/http.ts';
import { API_DEFAULTS, functionArnOf } from '../spec.ts';
import type { MappingSpec } from '../types.ts';
import { readJsonBody } from './body.ts';
import type { MappingsOperation } from './context.ts';
import { configuration } from './shape.ts';
import { checkEventSourceArn, readMappingInput } from './validate.ts';

export const createOperation: MappingsOperation = {
  name: 'CreateEventSourceMapping',
  method: 'POST',
  path: /^\/2015-03-31\/event-source-mappings\/?$/,
  async handle(ctx, req, res) {
    const body = await readJsonBody(req);
    const functionName = body['FunctionName'];
    if (typeof functionName !== 'string') {
      throw validationError(null, 'functionName', 'Member must not be null');
    }
    const eventSourceArn = checkEventSourceArn(body['EventSourceArn']);
    const now = ctx.clock.now();
    const input = readMappingInput(body, 'create', now);
    const fn = await ctx.functions.resolve(functionName);
    const functionArn = functionArnOf(ctx.region, ctx.accountId, fn.name);
    const duplicate = ctx.engine.list().find((m) => m.spec.functionArn === functionArn && m.spec.eventSourceArn === eventSourceArn);
    if (duplicate) {
      throw {
        name: 'ResourceConflictException',
        statusCode: 409,
        message: `The event source arn (" ${eventSourceArn} ") and function (" ${fn.name} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${duplicate.spec.uuid}`,
      };
    }
    const spec: MappingSpec = {
      uuid: randomUUID(),
      functionName: fn.name,
      functionArn,
      eventSourceArn,
      batchSize: input.batchSize ?? API_DEFAULTS.batchSize,
      batchWindow: input.batchWindow ?? API_DEFAULTS.batchWindow,
      startingPosition: input.startingPosition!,
      startingPositionTimestamp: input.startingPositionTimestamp,
      maximumRetryAttempts: input.maximumRetryAttempts ?? API_DEFAULTS.maximumRetryAttempts,
      parallelizationFactor: input.parallelizationFactor ?? API_DEFAULTS.parallelizationFactor,
      bisectBatchOnFunctionError: input.bisectBatchOnFunctionError ?? API_DEFAULTS.bisectBatchOnFunctionError,
      maximumRecordAgeInSeconds: input.maximumRecordAgeInSeconds ?? API_DEFAULTS.maximumRecordAgeInSeconds,
      tumblingWindowInSeconds: input.tumblingWindowInSeconds ?? API_DEFAULTS.tumblingWindowInSeconds,
      reportBatchItemFailures: input.reportBatchItemFailures ?? false,
      filterPatterns: input.filterPatterns ?? [],
      onFailure: input.onFailure ?? undefined,
      enabled: input.enabled ?? API_DEFAULTS.enabled,
      roleArn: ctx.roleArnOf(fn),
      origin: 'api',
      lastModifiedMs: now,
    };
    // The mapping is registered at once (State Creating) and starts in the background, as AWS answers 202.
    const started = ctx.engine.add(spec);
    const entry = ctx.engine.get(spec.uuid)!;
    sendJson(res, 202, configuration(entry.spec, entry.state, entry.lastProcessingResult, ctx.region, ctx.accountId));
    await started;
  },
};
