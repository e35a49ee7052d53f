// GetFunctionConfiguration: GET /2015-03-31/functions/{FunctionName}/configuration[?Qualifier=]
// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
import { sendJson } from '../../server/http.ts';
import { functionConfiguration } from './configuration.ts';
import type { LambdaOperation } from './context.ts';
import { decodeLabel } from './request.ts';

export const getFunctionConfigurationOperation: LambdaOperation = {
  name: 'GetFunctionConfiguration',
  method: 'GET',
  path: /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/,
  async handle(ctx, _req, res, labels, query) {
    const fn = await ctx.invoker.resolver.resolve(decodeLabel(labels[0]!, 'functionName'), query?.get('Qualifier') ?? undefined);
    sendJson(res, 200, functionConfiguration(ctx, fn));
  },
};
