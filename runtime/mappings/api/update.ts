// UpdateEventSourceMapping: PUT /2015-03-31/event-source-mappings/{UUID} -> 202 (State Updating,
// Enabling or Disabling). Disabling stops the pollers after their in-flight batch; enabling resumes from
// the checkpoint. StartingPosition cannot change (it is not an Update parameter).
// https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html
import { sendJson } from '../../server/http.ts';
import { functionArnOf } from '../spec.ts';
import type { MappingSpec } from '../types.ts';
import { readJsonBody } from './body.ts';
import type { MappingsOperation } from './context.ts';
import { configuration, mappingNotFound } from './shape.ts';
import { readMappingInput } from './validate.ts';

export const updateOperation: MappingsOperation = {
  name: 'UpdateEventSourceMapping',
  method: 'PUT',
  path: /^\/2015-03-31\/event-source-mappings\/([^/]+)$/,
  async handle(ctx, req, res, [rawUuid]) {
    const uuid = decodeURIComponent(rawUuid!);
    const body = await readJsonBody(req);
    const entry = ctx.engine.get(uuid);
    if (!entry) throw mappingNotFound();
    const input = readMappingInput(body, 'update', ctx.clock.now());
    const changes: { -readonly [K in keyof MappingSpec]?: MappingSpec[K] } = {};
    for (const key of [
      'batchSize',
      'batchWindow',
      'maximumRetryAttempts',
      'parallelizationFactor',
      'bisectBatchOnFunctionError',
      'maximumRecordAgeInSeconds',
      'tumblingWindowInSeconds',
      'reportBatchItemFailures',
      'filterPatterns',
      'enabled',
    ] as const) {
      if (input[key] !== undefined) (changes as Record<string, unknown>)[key] = input[key];
    }
    if (input.onFailure !== undefined) changes.onFailure = input.onFailure ?? undefined;
    if (typeof body['FunctionName'] === 'string') {
      const fn = await ctx.functions.resolve(body['FunctionName']);
      changes.functionName = fn.name;
      changes.functionArn = functionArnOf(ctx.region, ctx.accountId, fn.name);
      changes.roleArn = ctx.roleArnOf(fn);
    }
    const updated = ctx.engine.update(uuid, changes);
    const now = ctx.engine.get(uuid)!;
    sendJson(res, 202, configuration(now.spec, now.state, now.lastProcessingResult, ctx.region, ctx.accountId));
    await updated;
  },
};
