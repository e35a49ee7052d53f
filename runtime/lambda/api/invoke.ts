// Invoke: POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=]
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
import { BodyTooLargeError, closeAfterResponse, readBody } from '../../server/http.ts';
import type { HttpRequest, HttpResponse } from '../../server/listener.ts';
import type { InvocationType, InvokeRequest } from '../types.ts';
import type { LambdaOperation } from './context.ts';
import { SYNC_PAYLOAD_LIMIT, invalidRequestContent, requestTooLarge, validationError } from './errors.ts';
import { decodeLabel, headerValue } from './request.ts';

const INVOCATION_TYPES: ReadonlySet<string> = new Set(['Event', 'RequestResponse', 'DryRun']);

/** Reads the body up to the 6 MB front-door limit; refuses more with AWS's 413 (and closes the connection). */
export async function readInvokeBody(req: HttpRequest, res: HttpResponse): Promise<Buffer> {
  try {
    return await readBody(req, SYNC_PAYLOAD_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      closeAfterResponse(res);
      throw requestTooLarge();
    }
    throw err;
  }
}

/** X-Amz-Client-Context must be base64 of a JSON object (UNVERIFIED: AWS's exact message for a bad one). */
function checkClientContext(value: string): void {
  let ok = false;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    ok = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    ok = false;
  }
  if (!ok) throw { ...invalidRequestContent(''), message: 'Client context must be a valid Base64-encoded JSON object.' };
}

export const invokeOperation: LambdaOperation = {
  name: 'Invoke',
  method: 'POST',
  path: /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/,
  async handle(ctx, req, res, labels, query) {
    const payload = await readInvokeBody(req, res);
    const functionName = decodeLabel(labels[0]!, 'functionName');
    const invocationType = headerValue(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (!INVOCATION_TYPES.has(invocationType)) {
      throw validationError(invocationType, 'invocationType', 'Member must satisfy enum value set: [Event, RequestResponse, DryRun]');
    }
    const logType = headerValue(req, 'x-amz-log-type') ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') {
      throw validationError(logType, 'logType', 'Member must satisfy enum value set: [Tail, None]');
    }
    const clientContext = headerValue(req, 'x-amz-client-context');
    if (clientContext !== undefined) checkClientContext(clientContext);
    const qualifier = query?.get('Qualifier') ?? undefined;

    const request: InvokeRequest = {
      functionName,
      payload,
      invocationType: invocationType as InvocationType,
      source: 'api',
    };
    // The log tail is only for synchronous invocations; clientContext reaches sync invocations only, as on AWS.
    if (invocationType === 'RequestResponse') {
      request.logType = logType;
      if (clientContext !== undefined) request.clientContext = clientContext;
    }
    if (qualifier !== undefined) request.qualifier = qualifier;
    const result = await ctx.invoker.invoke(request);

    const headers: Record<string, string | number> = { 'x-amzn-requestid': result.requestId };
    if (invocationType === 'RequestResponse') {
      headers['content-type'] = 'application/json';
      headers['x-amz-executed-version'] = result.executedVersion;
      if (result.functionError !== undefined) headers['x-amz-function-error'] = result.functionError;
      if (result.logResult !== undefined && logType === 'Tail') headers['x-amz-log-result'] = result.logResult;
      headers['content-length'] = result.payload.byteLength;
      res.writeHead(result.statusCode, headers);
      res.end(result.payload);
      return;
    }
    headers['content-length'] = 0;
    res.writeHead(invocationType === 'Event' ? 202 : 204, headers);
    res.end();
  },
};
