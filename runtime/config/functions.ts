// One function's resolved configuration: provider settings inherited, environment merged and checked,
// async destinations, layers mounted as /opt, log format, stream events, package patterns.

import { destinationArn } from './destinations.ts';
import { evaluate, IntrinsicError, type IntrinsicContext } from './intrinsics.ts';
import { DEFAULT_LOG_FORMAT, functionSchema, providerSchema } from './schema.ts';
import { streamEvents } from './streams.ts';
import type { Architecture, EddyCustomConfig, FunctionConfig, LogFormat } from './types.ts';
import { isIntrinsic, type Path, type Report } from './validate.ts';
import { asArr, asNum, asObj, asStr, num, text, type Obj } from './values.ts';

/** Reserved by Lambda: a function may not set these (reference §5.3). */
const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** Lambda's limit on the total size of a function's environment variables. */
export const ENV_SIZE_LIMIT = 4096;

/** Serverless's normalisation for logical ids: `my-fn_x` -> `MyDashfnUnderscorex`. */
export function normalizedName(name: string): string {
  const n = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return n.charAt(0).toUpperCase() + n.slice(1);
}

/** Environment values as strings; intrinsics resolved where eddy can, otherwise left out with a notice. */
export function environment(ctx: IntrinsicContext, env: Obj, at: Path, report: Report): Map<string, { value: string; path: Path }> {
  const out = new Map<string, { value: string; path: Path }>();
  for (const [name, v] of Object.entries(env)) {
    const p = [...at, name];
    if (RESERVED_ENV.has(name)) {
      report.error(p, 'is reserved by Lambda and cannot be set');
      continue;
    }
    let value: unknown = v;
    if (isIntrinsic(v)) {
      try {
        value = evaluate(ctx, v);
      } catch (err) {
        if (!(err instanceof IntrinsicError)) throw err;
        report.notice(p, `${err.message}; not set`);
        continue;
      }
    }
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') {
      report.error(p, 'must be a string');
      continue;
    }
    out.set(name, { value: String(value), path: p });
  }
  return out;
}

export interface FunctionInput {
  key: string;
  fn: Obj;
  name: string;
  provider: Obj;
  /** The stage the service is resolved for. */
  stage: string;
  providerEnv: Map<string, { value: string; path: Path }>;
  validated: Obj;
  ctx: IntrinsicContext;
  dir: string;
  eddy: EddyCustomConfig;
  names: Map<string, string>;
  layerDirs: Map<string, string>;
  report: Report;
}

export function buildFunction(input: FunctionInput): FunctionConfig {
  const { key, fn, name, provider, providerEnv, validated, ctx, report } = input;
  const at: Path = ['functions', key];
  if (name.length > 64) {
    report.error(fn['name'] !== undefined ? [...at, 'name'] : at, `deployed name "${name}" is longer than Lambda's 64 characters${fn['name'] === undefined ? '; set a shorter name:' : ''}`);
  }

  const env = new Map(providerEnv);
  for (const [k, v] of environment(ctx, asObj(fn['environment']), [...at, 'environment'], report)) env.set(k, v);
  const environmentOut = Object.fromEntries([...env].map(([k, v]) => [k, v.value]));
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html: 4 KB for all variables, measured as JSON.
  const size = Buffer.byteLength(JSON.stringify(environmentOut));
  if (size > ENV_SIZE_LIMIT) report.error([...at, 'environment'], `is ${size} bytes, over Lambda's 4 KB limit for all environment variables`);

  let reservedConcurrency = asNum(fn['reservedConcurrency']);
  if (isIntrinsic(fn['reservedConcurrency'])) {
    try {
      const v = Number(evaluate(ctx, fn['reservedConcurrency']));
      if (Number.isInteger(v) && v >= 0) reservedConcurrency = v;
      else report.error([...at, 'reservedConcurrency'], 'must resolve to an integer ≥ 0');
    } catch (err) {
      if (!(err instanceof IntrinsicError)) throw err;
      report.notice([...at, 'reservedConcurrency'], `${err.message}; no reserved concurrency`);
    }
  }

  const lambdaLogs = asObj(asObj(provider['logs'])['lambda']);
  const fnLogs = asObj(fn['logs']);
  const logFormat = (asStr(fnLogs['logFormat']) ?? asStr(lambdaLogs['logFormat']) ?? DEFAULT_LOG_FORMAT) as LogFormat;
  let applicationLogLevel = asStr(fnLogs['applicationLogLevel']) ?? asStr(lambdaLogs['applicationLogLevel']);
  let systemLogLevel = asStr(fnLogs['systemLogLevel']) ?? asStr(lambdaLogs['systemLogLevel']);
  if (logFormat === 'Text' && (applicationLogLevel !== undefined || systemLogLevel !== undefined)) {
    // Lambda applies log-level filtering only to the JSON log format.
    report.notice([...at, 'logs'], 'applicationLogLevel/systemLogLevel take effect only with logFormat JSON; ignored');
    applicationLogLevel = undefined;
    systemLogLevel = undefined;
  }

  const pkg = asObj(fn['package']);
  const servicePkg = asObj(validated['package']);
  const patterns = (p: Obj): string[] => [
    ...asArr(p['include']).map(String),
    ...asArr(p['exclude']).map((x) => `!${String(x)}`),
    ...asArr(p['patterns']).map(String),
  ];

  return {
    key,
    name,
    handler: asStr(fn['handler']) ?? '',
    runtime: asStr(fn['runtime']) ?? text(provider['runtime'], providerSchema, 'runtime'),
    memorySize: asNum(fn['memorySize']) ?? num(provider['memorySize'], providerSchema, 'memorySize'),
    timeout: asNum(fn['timeout']) ?? num(provider['timeout'], providerSchema, 'timeout'),
    description: asStr(fn['description']) ?? '',
    ephemeralStorageSize: num(fn['ephemeralStorageSize'], functionSchema, 'ephemeralStorageSize'),
    architecture: (asStr(fn['architecture']) ?? text(provider['architecture'], providerSchema, 'architecture')) as Architecture,
    environment: environmentOut,
    reservedConcurrency,
    maximumRetryAttempts: num(fn['maximumRetryAttempts'], functionSchema, 'maximumRetryAttempts'),
    maximumEventAge: num(fn['maximumEventAge'], functionSchema, 'maximumEventAge'),
    destinations: asyncDestinations(input),
    layers: layers(input),
    logFormat,
    applicationLogLevel,
    systemLogLevel,
    events: streamEvents(input),
    packagePatterns: [...patterns(servicePkg), ...patterns(pkg)],
  };
}

function asyncDestinations(input: FunctionInput): FunctionConfig['destinations'] {
  const d = asObj(input.fn['destinations']);
  const at: Path = ['functions', input.key, 'destinations'];
  const out: { onSuccess?: string; onFailure?: string } = {};
  for (const which of ['onSuccess', 'onFailure'] as const) {
    if (d[which] === undefined) continue;
    const arn = destinationArn(input, d[which], [...at, which]);
    if (arn !== undefined) out[which] = arn;
  }
  return out;
}

/** Local layers by `{Ref: <Name>LambdaLayer}`, remote ARNs through custom.eddy.layers; function layers replace provider layers. */
function layers(input: FunctionInput): string[] {
  const { key, fn, provider, ctx, eddy, layerDirs, report } = input;
  const own = fn['layers'] !== undefined;
  const list = asArr(own ? fn['layers'] : provider['layers']);
  const base: Path = own ? ['functions', key, 'layers'] : ['provider', 'layers'];
  const out: string[] = [];
  list.forEach((item, i) => {
    const at = [...base, i];
    if (isIntrinsic(item) && typeof item['Ref'] === 'string') {
      const local = layerDirs.get(item['Ref']);
      if (local !== undefined) {
        out.push(local);
        return;
      }
      const known = [...layerDirs.keys()].join(', ') || 'none';
      report.error(at, `Ref ${JSON.stringify(item['Ref'])} is not a layer of this service (layers: ${known})`);
      return;
    }
    let arn: unknown = item;
    if (isIntrinsic(item)) {
      try {
        arn = evaluate(ctx, item);
      } catch (err) {
        if (!(err instanceof IntrinsicError)) throw err;
        report.error(at, err.message);
        return;
      }
    }
    if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[a-zA-Z0-9_-]+(:\d+)?$/.test(arn)) {
      report.error(at, 'must be a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>) or {Ref: <Name>LambdaLayer}');
      return;
    }
    // A mapping may name the exact version or the layer without its version.
    const folder = eddy.layers[arn] ?? eddy.layers[arn.replace(/:\d+$/, '')];
    if (folder !== undefined) out.push(folder);
    else report.notice(at, `remote layer ${arn} is not mapped to a local folder under custom.eddy.layers; not mounted`);
  });
  return out;
}
