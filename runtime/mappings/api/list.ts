// ListEventSourceMappings: GET /2015-03-31/event-source-mappings/?EventSourceArn&FunctionName&Marker&MaxItems.
// https://docs.aws.amazon.com/lambda/latest/api/API_ListEventSourceMappings.html
import { validationError } from '../../lambda/api/errors.ts';
import { sendJson } from '../../server/http.ts';
import { functionArnOf } from '../spec.ts';
import type { MappingsOperation } from './context.ts';
import { configuration } from './shape.ts';

export const listOperation: MappingsOperation = {
  name: 'ListEventSourceMappings',
  method: 'GET',
  path: /^\/2015-03-31\/event-source-mappings\/?$/,
  async handle(ctx, _req, res, _labels, query) {
    const maxItemsRaw = query.get('MaxItems');
    let maxItems = 100;
    if (maxItemsRaw !== null) {
      maxItems = Number(maxItemsRaw);
      if (!Number.isInteger(maxItems) || maxItems < 1) {
        throw validationError(maxItemsRaw, 'maxItems', 'Member must have value greater than or equal to 1');
      }
      if (maxItems > 10_000) throw validationError(maxItemsRaw, 'maxItems', 'Member must have value less than or equal to 10000');
    }
    const source = query.get('EventSourceArn');
    const functionName = query.get('FunctionName');
    const functionArn =
      functionName === null ? undefined : functionArnOf(ctx.region, ctx.accountId, (await ctx.functions.resolve(functionName)).name);
    const all = ctx.engine
      .list()
      .filter((m) => (source === null || m.spec.eventSourceArn === source) && (functionArn === undefined || m.spec.functionArn === functionArn))
      .sort((a, b) => a.spec.lastModifiedMs - b.spec.lastModifiedMs || (a.spec.uuid < b.spec.uuid ? -1 : 1));
    // The marker is the index of the next item, opaque to clients.
    const marker = query.get('Marker');
    const start = marker === null ? 0 : Number.parseInt(Buffer.from(marker, 'base64url').toString('utf8'), 10) || 0;
    const page = all.slice(start, start + maxItems);
    const body: Record<string, unknown> = {
      EventSourceMappings: page.map((m) => configuration(m.spec, m.state, m.lastProcessingResult, ctx.region, ctx.accountId)),
    };
    if (start + maxItems < all.length) body['NextMarker'] = Buffer.from(String(start + maxItems)).toString('base64url');
    sendJson(res, 200, body);
  },
};
