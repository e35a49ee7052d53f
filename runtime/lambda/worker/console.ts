// Inside the worker: console patched as the RIC's LogPatch does (text or JSON lines, AWS_LAMBDA_LOG_LEVEL
// filtering, console.fatal), and stdout/stderr writes captured, every line handed to `emit`.
import util from 'node:util';
import type { LogFormat } from '../../config/types.ts';

interface Level {
  name: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  priority: number;
}

const LEVELS: Record<Level['name'], Level> = {
  TRACE: { name: 'TRACE', priority: 1 },
  DEBUG: { name: 'DEBUG', priority: 2 },
  INFO: { name: 'INFO', priority: 3 },
  WARN: { name: 'WARN', priority: 4 },
  ERROR: { name: 'ERROR', priority: 5 },
  FATAL: { name: 'FATAL', priority: 6 },
};

export interface ConsoleSink {
  /** The request id printed in each line (`undefined` during INIT, as on AWS). */
  requestId(): string | undefined;
  emit(line: string): void;
}

function jsonErrorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return Object.assign(
      {
        errorType: value.constructor?.name ?? 'UnknownError',
        errorMessage: value.message,
        stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
      },
      value,
    );
  }
  return value;
}

function jsonLine(requestId: string | undefined, level: Level, params: unknown[]): string {
  const result: Record<string, unknown> = { timestamp: new Date().toISOString(), level: level.name, requestId };
  if (params.length === 1) {
    result['message'] = params[0];
    try {
      return JSON.stringify(result, jsonErrorReplacer);
    } catch {
      result['message'] = util.format(params[0]);
      return JSON.stringify(result);
    }
  }
  result['message'] = util.format(...params);
  const err = params.find((p): p is Error => p instanceof Error);
  if (err) {
    result['errorType'] = err.constructor?.name ?? 'UnknownError';
    result['errorMessage'] = err.message;
    result['stackTrace'] = typeof err.stack === 'string' ? err.stack.split('\n') : [];
  }
  return JSON.stringify(result);
}

/** Patches the worker's console and process.stdout/stderr. */
export function patchConsole(format: LogFormat, levelName: string | undefined, sink: ConsoleSink): void {
  const min = LEVELS[(levelName?.toUpperCase() ?? 'TRACE') as Level['name']] ?? LEVELS.TRACE;
  const write =
    format === 'JSON'
      ? (level: Level, params: unknown[]) => sink.emit(jsonLine(sink.requestId(), level, params).replace(/\n/g, '\r'))
      : (level: Level, params: unknown[]) =>
          sink.emit(`${new Date().toISOString()}\t${sink.requestId()}\t${level.name}\t${util.format(...params)}`.replace(/\n/g, '\r'));
  const method = (level: Level) => (level.priority >= min.priority ? (...params: unknown[]) => write(level, params) : () => {});
  const c = console as unknown as Record<string, unknown>;
  c['trace'] = method(LEVELS.TRACE);
  c['debug'] = method(LEVELS.DEBUG);
  c['info'] = method(LEVELS.INFO);
  c['log'] = c['info'];
  c['warn'] = method(LEVELS.WARN);
  c['error'] = method(LEVELS.ERROR);
  c['fatal'] = (...params: unknown[]) => write(LEVELS.FATAL, params);
  // Raw writes reach the log as they are (AWS captures the runtime's stdout and stderr too).
  for (const stream of [process.stdout, process.stderr]) {
    stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      sink.emit(text.endsWith('\n') ? text.slice(0, -1) : text);
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stream.write;
  }
}

/** `console.error(label, '\t' + JSON)` as the RIC logs an invocation error in text format. */
export function formatErrorForLog(err: unknown): string {
  const error = err instanceof Error ? err : new Error(String(err));
  try {
    return (
      '\t' +
      JSON.stringify(error, (_k, v: unknown) => {
        if (!(v instanceof Error)) return v;
        const ret: Record<string, unknown> = {
          errorType: v.name,
          errorMessage: v.message,
          code: (v as Error & { code?: unknown }).code,
          ...v,
        };
        if (typeof v.stack === 'string') ret['stack'] = v.stack.split('\n');
        return ret;
      })
    );
  } catch {
    return '\t' + JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] });
  }
}
