// GetEventSourceMapping: GET /2015-03-31/event-source-mappings/{UUID}.
// https://docs.aws.amazon.com/lambda/latest/api/API_GetEventSourceMapping.html
import { sendJson } from '../../server/http.ts';
import type { MappingsOperation } from './context.ts';
import { configuration, mappingNotFound } from './shape.ts';

export const getOperation: MappingsOperation = {
  name: 'GetEventSourceMapping',
  method: 'GET',
  path: /^\/2015-03-31\/event-source-mappings\/([^/]+)$/,
  async handle(ctx, _req, res, [uuid]) {
    const entry = ctx.engine.get(decodeURIComponent(uuid!));
    if (!entry) throw mappingNotFound();
    sendJson(res, 200, configuration(entry.spec, entry.state, entry.lastProcessingResult, ctx.region, ctx.accountId));
  },
};
