// A function's FunctionConfiguration as GetFunctionConfiguration / GetFunction / ListFunctions show it.
// https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html
import { createHash } from 'node:crypto';
import { defaultOf, functionSchema } from '../../config/schema.ts';
import type { FunctionConfig } from '../../config/types.ts';
import type { LambdaApiContext } from './context.ts';
import { functionArn } from './errors.ts';

/** AWS's LastModified format: `2019-11-14T18:16:05.568+0000`. */
export function lastModified(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `<service>-<stage>` from the deployed name `<service>-<stage>-<key>` (the whole name when it differs). */
function servicePrefix(fn: FunctionConfig): string {
  return fn.name.endsWith(`-${fn.key}`) ? fn.name.slice(0, -fn.key.length - 1) : fn.name;
}

function digest(fn: FunctionConfig): Buffer {
  return createHash('sha256').update(JSON.stringify(fn)).digest();
}

/** A stable uuid-shaped revision id that changes when the function's configuration does. */
function revisionId(hash: Buffer): string {
  const h = hash.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface CodeInfo {
  codeSize: number;
  /** base64 SHA-256 of the deployment package (here: the bundle). */
  codeSha256: string;
  lastModifiedMs?: number;
  /** Where the code can be read (AWS: a presigned S3 URL; eddy: the bundle's file URL). */
  location?: string;
}

export function codeInfo(ctx: LambdaApiContext, fn: FunctionConfig): CodeInfo {
  const info = ctx.host.codeInfo?.(fn.key);
  if (info) return info;
  // Without a bundle to measure, a hash of the configuration stands in (it changes when the function does).
  return { codeSize: 0, codeSha256: digest(fn).toString('base64') };
}

const DEFAULT_EPHEMERAL_STORAGE_MB = defaultOf(functionSchema, 'ephemeralStorageSize') as number;

export function functionConfiguration(ctx: LambdaApiContext, fn: FunctionConfig): Record<string, unknown> {
  const code = codeInfo(ctx, fn);
  const json = fn.logFormat === 'JSON';
  const config: Record<string, unknown> = {
    FunctionName: fn.name,
    FunctionArn: functionArn(ctx.region, ctx.accountId, fn.name),
    Runtime: fn.runtime,
    // Serverless Framework's default execution role name.
    Role: `arn:aws:iam::${ctx.accountId}:role/${servicePrefix(fn)}-${ctx.region}-lambdaRole`,
    Handler: fn.handler,
    CodeSize: code.codeSize,
    Description: fn.description ?? '',
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: lastModified(code.lastModifiedMs ?? ctx.startedAtMs),
    CodeSha256: code.codeSha256,
    Version: '$LATEST',
  };
  if (Object.keys(fn.environment).length > 0) config.Environment = { Variables: { ...fn.environment } };
  Object.assign(config, {
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: revisionId(digest(fn)),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [fn.architecture],
    EphemeralStorage: { Size: fn.ephemeralStorageSize ?? DEFAULT_EPHEMERAL_STORAGE_MB },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: {
      LogFormat: fn.logFormat,
      // AWS shows the log levels only for the JSON format.
      ...(json ? { ApplicationLogLevel: fn.applicationLogLevel ?? 'INFO', SystemLogLevel: fn.systemLogLevel ?? 'INFO' } : {}),
      LogGroup: `/aws/lambda/${fn.name}`,
    },
  });
  return config;
}
