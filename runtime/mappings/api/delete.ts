// DeleteEventSourceMapping: DELETE /2015-03-31/event-source-mappings/{UUID} -> 202 (State Deleting).
// https://docs.aws.amazon.com/lambda/latest/api/API_DeleteEventSourceMapping.html
import { sendJson } from '../../server/http.ts';
import type { MappingsOperation } from './context.ts';
import { configuration, mappingNotFound } from './shape.ts';

export const deleteOperation: MappingsOperation = {
  name: 'DeleteEventSourceMapping',
  method: 'DELETE',
  path: /^\/2015-03-31\/event-source-mappings\/([^/]+)$/,
  async handle(ctx, _req, res, [rawUuid]) {
    const uuid = decodeURIComponent(rawUuid!);
    if (!ctx.engine.get(uuid)) throw mappingNotFound();
    const removed = ctx.engine.remove(uuid);
    const entry = ctx.engine.get(uuid)!;
    sendJson(res, 202, configuration(entry.spec, entry.state, entry.lastProcessingResult, ctx.region, ctx.accountId));
    await removed;
  },
};
