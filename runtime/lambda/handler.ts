// Handler strings resolved as the AWS Node.js runtime interface client does (reference §5.1):
// split at the last `/` for the module root, then at the first `.` for module name and export path.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ErrorPayload } from './messages.ts';

export interface ParsedHandler {
  /** The handler string as configured. */
  handler: string;
  /** Directory part, relative to the service dir ('' or 'src/'). */
  moduleRoot: string;
  /** File name without extension ('handler'). */
  moduleName: string;
  /** Export path inside the module ('main' or 'nested.main'). */
  exportPath: string;
}

/** The file a handler points at, and the module format Node would load it as. */
export interface HandlerFile {
  file: string;
  format: 'esm' | 'cjs';
}

/** Errors the runtime raises about the user's code, with the RIC's names. */
export function runtimeError(type: string, message: string, trace?: string[]): ErrorPayload {
  const errorType = `Runtime.${type}`;
  return { errorType, errorMessage: message, trace: trace ?? `${errorType}: ${message}`.split('\n') };
}

/** Splits a handler string; returns the RIC's MalformedHandlerName error payload when it cannot. */
export function parseHandler(handler: string): ParsedHandler | ErrorPayload {
  if (handler.includes('..')) {
    return runtimeError(
      'MalformedHandlerName',
      `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const base = path.posix.basename(handler);
  const moduleRoot = handler.slice(0, handler.length - base.length);
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (!match || match[1] === undefined || match[2] === undefined) return runtimeError('MalformedHandlerName', 'Bad handler');
  return { handler, moduleRoot, moduleName: match[1], exportPath: match[2] };
}

// The RIC tries '', .js, .mjs, .cjs; eddy adds the TypeScript extensions it can bundle.
const EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds the handler's file under the service dir. When there is none, the error is the one AWS
 * reports (the RIC falls back to require.resolve from /var/runtime/index.mjs, hence its require stack).
 */
export function findHandlerFile(serviceDir: string, parsed: ParsedHandler): HandlerFile | ErrorPayload {
  const stem = path.resolve(serviceDir, parsed.moduleRoot, parsed.moduleName);
  for (const ext of EXTENSIONS) {
    const file = stem + ext;
    if (isFile(file)) return { file, format: moduleFormat(file) };
  }
  return runtimeError(
    'ImportModuleError',
    `Error: Cannot find module '${parsed.moduleName}'\nRequire stack:\n- /var/runtime/index.mjs`,
  );
}

/** esm or cjs, by Node's rules: the extension, else the nearest package.json `type`. */
export function moduleFormat(file: string): 'esm' | 'cjs' {
  const ext = path.extname(file);
  if (ext === '.mjs' || ext === '.mts') return 'esm';
  if (ext === '.cjs' || ext === '.cts') return 'cjs';
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module' ? 'esm' : 'cjs';
      } catch {
        return 'cjs';
      }
    }
    if (path.dirname(dir) === dir) return 'cjs';
  }
}
