// Inside the worker: INIT. Loads the function's bundle and finds the handler in it, with the RIC's errors.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { EnvironmentSetup } from '../messages.ts';
import { CALLBACK_REMOVED_MESSAGE, CallbackHandlerDeprecated, HandlerNotFound, ImportModuleError, UserCodeSyntaxError } from './errors.ts';

export type Handler = (event: unknown, context: unknown, callback?: unknown) => unknown;

const requireFrom = createRequire(import.meta.url);

/** Loads the bundle and returns the handler; throws what the RIC would throw (Runtime.* errors). */
export async function loadHandler(setup: EnvironmentSetup): Promise<Handler> {
  let mod: unknown;
  try {
    mod = setup.bundlePath.endsWith('.cjs')
      ? requireFrom(setup.bundlePath)
      : await import(pathToFileURL(setup.bundlePath).href);
  } catch (err) {
    if (err instanceof SyntaxError) {
      const wrapped = new UserCodeSyntaxError(String(err));
      if (err.stack !== undefined) wrapped.stack = err.stack;
      throw wrapped;
    }
    // As the RIC: only CommonJS's MODULE_NOT_FOUND is wrapped; an ES module's ERR_MODULE_NOT_FOUND
    // ("Cannot find package 'x' imported from ...") is answered as Node threw it (errorType Error).
    if (err instanceof Error && (err as { code?: unknown }).code === 'MODULE_NOT_FOUND') throw new ImportModuleError(String(err));
    throw err;
  }
  const handler = setup.exportPath
    .split('.')
    .reduce<unknown>((nested, key) => (nested ? (nested as Record<string, unknown>)[key] : undefined), mod);
  if (!handler) throw new HandlerNotFound(`${setup.handler} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${setup.handler} is not a function`);
  // nodejs24.x and later refuse (event, context, callback) handlers at INIT (RIC callback-deprecation.ts).
  if (setup.runtimeMajor >= 24 && handler.length >= 3) throw new CallbackHandlerDeprecated(CALLBACK_REMOVED_MESSAGE);
  return handler as Handler;
}
