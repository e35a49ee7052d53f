// The environment variables of a function's execution environments (reference §5.3): the reserved ones
// eddy sets as Lambda does, the user's, and what makes the handler's own SDK clients reach eddy.
// Each pool gets its own object (piscina `env`), so one function's variables never reach another's.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionConfig } from '../config/types.ts';
import { layerModulePaths, runtimeMajor } from './bundle.ts';

export interface EnvironmentInput {
  fn: FunctionConfig;
  region: string;
  serviceDir: string;
  /** eddy's endpoint (`http://127.0.0.1:4566`), for AWS_ENDPOINT_URL. */
  endpoint: string;
  /** The function's writable /tmp stand-in. */
  tmpDir: string;
}

const EDDY_NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const RUNTIME_DIR = fileURLToPath(new URL('./worker', import.meta.url));

/** Host variables an environment keeps (AWS sets its own PATH and LANG; eddy keeps the host's PATH). */
const FROM_HOST = ['PATH', 'HOME', 'LANG', 'SystemRoot'] as const;

export function functionEnvironment(input: EnvironmentInput): Record<string, string> {
  const { fn, region, serviceDir, endpoint, tmpDir } = input;
  const major = runtimeMajor(fn.runtime) ?? 20;
  const env: Record<string, string> = {};
  for (const key of FROM_HOST) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  // Not reserved on AWS: the user may override these.
  Object.assign(env, {
    LANG: env['LANG'] ?? 'en_US.UTF-8',
    TZ: 'UTC',
    NODE_PATH: [...layerModulePaths(fn.layers, major), EDDY_NODE_MODULES, serviceDir].join(path.delimiter),
    AWS_ENDPOINT_URL: endpoint,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    TMPDIR: tmpDir,
    TMP: tmpDir,
    TEMP: tmpDir,
  });
  Object.assign(env, fn.environment);
  if (fn.logFormat === 'JSON') {
    env['AWS_LAMBDA_LOG_FORMAT'] = 'JSON';
    // Lambda's default application log level under JSON is INFO (what GetFunctionConfiguration reports).
    env['AWS_LAMBDA_LOG_LEVEL'] = (fn.applicationLogLevel ?? 'INFO').toUpperCase();
  } else if (fn.applicationLogLevel !== undefined) {
    env['AWS_LAMBDA_LOG_LEVEL'] = fn.applicationLogLevel.toUpperCase();
  }
  // Reserved: set by Lambda, whatever the user wrote.
  Object.assign(env, {
    _HANDLER: fn.handler,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    // The stream name is per environment: the worker sets AWS_LAMBDA_LOG_STREAM_NAME when it boots.
    AWS_ACCESS_KEY_ID: 'test',
    AWS_ACCESS_KEY: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: 'test',
    LAMBDA_TASK_ROOT: serviceDir,
    LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
  });
  return env;
}
