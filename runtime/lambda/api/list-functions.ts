// ListFunctions: GET /2015-03-31/functions/?Marker=&MaxItems= (sorted by name; Marker is opaque).
// https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html
import { sendJson } from '../../server/http.ts';
import { functionConfiguration } from './configuration.ts';
import type { LambdaOperation } from './context.ts';
import { invalidParameterValue, validationError } from './errors.ts';

const DEFAULT_MAX_ITEMS = 50;

export const listFunctionsOperation: LambdaOperation = {
  name: 'ListFunctions',
  method: 'GET',
  path: /^\/2015-03-31\/functions\/?$/,
  async handle(ctx, _req, res, _labels, query) {
    let maxItems = DEFAULT_MAX_ITEMS;
    const rawMax = query?.get('MaxItems');
    if (rawMax !== null && rawMax !== undefined) {
      maxItems = Number(rawMax);
      if (!Number.isInteger(maxItems)) throw validationError(rawMax, 'maxItems', 'Member must be an integer');
      if (maxItems < 1) throw validationError(rawMax, 'maxItems', 'Member must have value greater than or equal to 1');
      if (maxItems > 10000) throw validationError(rawMax, 'maxItems', 'Member must have value less than or equal to 10000');
    }
    const functions = [...ctx.host.functions()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let start = 0;
    const marker = query?.get('Marker');
    if (marker !== null && marker !== undefined && marker !== '') {
      // The marker names the last function of the previous page, so a page survives a reload.
      const after = Buffer.from(marker, 'base64url').toString('utf8');
      if (!after.startsWith('eddy:')) throw invalidParameterValue('Invalid Marker');
      const last = after.slice(5);
      start = functions.findIndex((f) => f.name > last);
      if (start === -1) start = functions.length;
    }
    const page = functions.slice(start, start + maxItems);
    const body: Record<string, unknown> = { Functions: page.map((f) => functionConfiguration(ctx, f)) };
    if (start + maxItems < functions.length) {
      body.NextMarker = Buffer.from(`eddy:${page.at(-1)!.name}`, 'utf8').toString('base64url');
    }
    sendJson(res, 200, body);
  },
};
