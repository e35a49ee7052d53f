// InvokeAsync (deprecated): POST /2014-11-13/functions/{FunctionName}/invoke-async/ -> 202 {"Status":202}
// https://docs.aws.amazon.com/lambda/latest/api/API_InvokeAsync.html
import { sendJson } from '../../server/http.ts';
import type { LambdaOperation } from './context.ts';
import { INVOKE_ASYNC_PAYLOAD_LIMIT, eventPayloadTooLarge } from './errors.ts';
import { readInvokeBody } from './invoke.ts';
import { decodeLabel } from './request.ts';

export const invokeAsyncOperation: LambdaOperation = {
  name: 'InvokeAsync',
  method: 'POST',
  path: /^\/2014-11-13\/functions\/([^/]+)\/invoke-async\/?$/,
  async handle(ctx, req, res, labels) {
    const payload = await readInvokeBody(req, res);
    const functionName = decodeLabel(labels[0]!, 'functionName');
    // The old API kept the old 256 KB async limit (UNVERIFIED: AWS's message for it; Invoke's Event text used).
    if (payload.byteLength > INVOKE_ASYNC_PAYLOAD_LIMIT) throw eventPayloadTooLarge(payload.byteLength, INVOKE_ASYNC_PAYLOAD_LIMIT);
    const result = await ctx.invoker.invoke({ functionName, payload, invocationType: 'Event', source: 'api' });
    sendJson(res, 202, { Status: 202 }, { 'x-amzn-requestid': result.requestId });
  },
};
