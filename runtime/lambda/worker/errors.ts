// Inside the worker: errors serialised as the RIC does, and the RIC's runtime error classes.
import type { ErrorPayload } from '../messages.ts';

/** `{errorType, errorMessage, trace}`; a thrown non-Error becomes `{errorType: typeof v, errorMessage: String(v), trace: []}`. */
export function formatError(error: unknown): ErrorPayload {
  try {
    if (error instanceof Error || isErrorLike(error)) {
      return {
        errorType: error.name.replaceAll('\x7F', '%7F'),
        errorMessage: error.message.replaceAll('\x7F', '%7F'),
        trace: typeof error.stack === 'string' ? error.stack.replaceAll('\x7F', '%7F').split('\n') : [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

function isErrorLike(v: unknown): v is Error {
  const e = v as Partial<Error> | null;
  return (
    typeof e === 'object' && e !== null && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string'
  );
}

function runtimeClass(name: string) {
  const cls = class extends Error {};
  Object.defineProperty(cls, 'name', { value: name });
  cls.prototype.name = `Runtime.${name}`;
  return cls;
}

export const ImportModuleError = runtimeClass('ImportModuleError');
export const HandlerNotFound = runtimeClass('HandlerNotFound');
export const UserCodeSyntaxError = runtimeClass('UserCodeSyntaxError');
export const CallbackHandlerDeprecated = runtimeClass('CallbackHandlerDeprecated');
export const JSONStringifyError = runtimeClass('JSONStringifyError');

export class UnhandledPromiseRejection extends Error {
  readonly reason: unknown;
  readonly promise: unknown;
  constructor(reason: unknown, promise: unknown) {
    super(String(reason));
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

// The wording of the nodejs24.x RIC (src/context/constants.ts).
export const CALLBACK_REMOVED_MESSAGE =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';
