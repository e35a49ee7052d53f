// GetFunction: GET /2015-03-31/functions/{FunctionName}[?Qualifier=]
// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html
import { pathToFileURL } from 'node:url';
import { sendJson } from '../../server/http.ts';
import { codeInfo, functionConfiguration } from './configuration.ts';
import type { LambdaOperation } from './context.ts';
import { decodeLabel } from './request.ts';

export const getFunctionOperation: LambdaOperation = {
  name: 'GetFunction',
  method: 'GET',
  path: /^\/2015-03-31\/functions\/([^/]+)\/?$/,
  async handle(ctx, _req, res, labels, query) {
    const fn = await ctx.invoker.resolver.resolve(decodeLabel(labels[0]!, 'functionName'), query?.get('Qualifier') ?? undefined);
    const location = codeInfo(ctx, fn).location;
    const body: Record<string, unknown> = {
      Configuration: functionConfiguration(ctx, fn),
      // AWS answers a presigned S3 URL; eddy answers where the bundle is, when the runtime says.
      Code: {
        RepositoryType: 'S3',
        Location: location === undefined ? '' : location.includes('://') ? location : pathToFileURL(location).href,
      },
    };
    if (fn.reservedConcurrency !== undefined) body.Concurrency = { ReservedConcurrentExecutions: fn.reservedConcurrency };
    sendJson(res, 200, body);
  },
};
