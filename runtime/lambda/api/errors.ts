// The Lambda API's service errors, with AWS's names, HTTP statuses and message texts in one place.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
import type { LambdaServiceError } from '../types.ts';

/** Sync request (and response) limit: 6 MB. */
export const SYNC_PAYLOAD_LIMIT = 6_291_456;
/** Async (Event) request limit: 1 MB since 2025 (was 256 KB). */
export const ASYNC_PAYLOAD_LIMIT = 1_048_576;
/** The deprecated InvokeAsync API kept the old 256 KB limit. */
export const INVOKE_ASYNC_PAYLOAD_LIMIT = 262_144;
/**
 * The response limit AWS reports in `Function.ResponseSizeTooLarge` (6 MB + 100 bytes, as printed by AWS:
 * "exceeded maximum allowed payload size (6291556 bytes)").
 */
export const SYNC_RESPONSE_LIMIT = 6_291_556;

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}

/** 404 `Function not found: arn:aws:lambda:us-east-1:000000000000:function:<name>[:<qualifier>]`. */
export function functionNotFound(region: string, accountId: string, name: string, qualifier?: string): LambdaServiceError {
  return {
    name: 'ResourceNotFoundException',
    statusCode: 404,
    message: `Function not found: ${functionArn(region, accountId, name, qualifier)}`,
  };
}

/**
 * 413 for a body over the 6 MB front-door limit. AWS's wire name is `RequestEntityTooLargeException`
 * (x-amzn-ErrorType as captured from real responses, and the code boto3 / SDK v2 report), although the
 * model calls the shape `RequestTooLargeException`; the JS SDK v3 therefore surfaces it as a
 * LambdaServiceException named `RequestEntityTooLargeException`, against AWS and against eddy alike.
 */
export function requestTooLarge(limit: number = SYNC_PAYLOAD_LIMIT): LambdaServiceError {
  return {
    name: 'RequestEntityTooLargeException',
    statusCode: 413,
    message: `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
  };
}

/** 413 for an Event payload over 1 MB (message as AWS prints it for the Event invocation type). */
export function eventPayloadTooLarge(size: number, limit: number = ASYNC_PAYLOAD_LIMIT): LambdaServiceError {
  return {
    name: 'RequestEntityTooLargeException',
    statusCode: 413,
    message: `${size} byte payload is too large for the Event invocation type (limit ${limit} bytes)`,
  };
}

/** 400 for a payload that is not JSON. The detail after the prefix mimics AWS's Jackson parser. */
export function invalidRequestContent(detail: string): LambdaServiceError {
  return {
    name: 'InvalidRequestContentException',
    statusCode: 400,
    message: `Could not parse request body into json: Could not parse payload into json: ${detail}`,
  };
}

export function invalidParameterValue(message: string): LambdaServiceError {
  return { name: 'InvalidParameterValueException', statusCode: 400, message };
}

/** Coral-style model constraint failure: `1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: …`. */
export function validationError(value: string | null, field: string, constraint: string): LambdaServiceError {
  const shown = value === null ? 'null' : `'${value}'`;
  return {
    name: 'ValidationException',
    statusCode: 400,
    message: `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  };
}

export function missingAuthenticationToken(): LambdaServiceError {
  return { name: 'MissingAuthenticationTokenException', statusCode: 403, message: 'Missing Authentication Token' };
}

export function unknownOperation(method: string, path: string): LambdaServiceError {
  return {
    name: 'UnknownOperationException',
    statusCode: 404,
    message: `eddy does not emulate ${method} ${path}`,
  };
}

export function serviceException(message: string): LambdaServiceError {
  return { name: 'ServiceException', statusCode: 500, message };
}

/** Why text is not JSON, worded like AWS's (Jackson) parser messages (approximate: AWS adds source positions). */
export function describeJsonError(text: string): string {
  const at = firstBadCharacter(text);
  if (at === -1) return 'Unexpected end-of-input';
  const ch = text[at]!;
  if (ch.charCodeAt(0) < 0x20 && ch !== '\t' && ch !== '\n' && ch !== '\r') {
    return `Illegal unquoted character ((CTRL-CHAR, code ${ch.charCodeAt(0)})): has to be escaped using backslash to be included in string value`;
  }
  if (/[A-Za-z]/.test(ch)) {
    const token = /^[A-Za-z0-9_$]+/.exec(text.slice(at))![0];
    return `Unrecognized token '${token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`;
  }
  return `Unexpected character ('${ch}' (code ${ch.charCodeAt(0)})): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`;
}

/**
 * Index of the first character that makes text invalid JSON, or -1 when the text ends too early.
 * Only called on text JSON.parse refused; a small recursive scan (V8's messages carry no position).
 */
function firstBadCharacter(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (): never => {
    throw i >= text.length ? -1 : i;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (i >= text.length) fail();
        if (text[i] === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
          }
        } else if (!'"\\/bfnrt'.includes(text[i]!)) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '-' || m[0] === '') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number();
    else fail();
  };
  try {
    value();
    ws();
    if (i < text.length) return i;
    return -1;
  } catch (at) {
    return at as number;
  }
}
