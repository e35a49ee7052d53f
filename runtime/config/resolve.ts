// From a parsed serverless.yml object to the frozen ServiceConfig: variables, one schema pass, Serverless's
// defaults, intrinsics resolved against `resources`, every problem collected into one EDDY_ERR_CONFIG_INVALID.
// Pure (no file system) except `${file(…)}` variables when `dir` is given.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { EddyError } from '../errors.ts';
import { deepFreeze } from './freeze.ts';
import { evaluate, functionArn, IntrinsicError, resourceName, streamArn, type CfnResource, type IntrinsicContext } from './intrinsics.ts';
import {
  DEFAULT_LOG_FORMAT,
  DEFAULT_REGION,
  DEFAULT_STAGE,
  defaultOf,
  ESBUILD_OPTIONS,
  functionSchema,
  kinesisStreamPropertiesSchema,
  providerSchema,
  serviceSchema,
  streamEventSchema,
} from './schema.ts';
import type {
  Architecture,
  EddyCustomConfig,
  FunctionConfig,
  LogFormat,
  ServiceConfig,
  StartingPosition,
  StreamEventConfig,
  StreamResourceConfig,
} from './types.ts';
import { isIntrinsic, isPlainObject, Report, validate, type ObjectSchema, type Path } from './validate.ts';
import { resolveVariables, UNRESOLVED } from './variables.ts';

export const ACCOUNT_ID = '000000000000';

export interface ResolveOptions {
  /** Folder of serverless.yml (default: the current directory); relative paths are resolved against it. */
  readonly dir?: string;
  /** `--stage`: wins over provider.stage. */
  readonly stage?: string | undefined;
  /** `--region`: wins over provider.region. */
  readonly region?: string | undefined;
  /** What `${env:…}` reads (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What `${sls:instanceId}` gives (default: random per resolve). */
  readonly instanceId?: string;
  /** The file name used in messages (default `serverless.yml`). */
  readonly fileName?: string;
  /** Notices found before resolution (YAML warnings), kept first. */
  readonly notices?: readonly string[];
}

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

type Obj = Record<string, unknown>;

/** Replaces UNRESOLVED (values already reported) by undefined, so the builder sees "absent". */
function strip(value: unknown): unknown {
  if (value === UNRESOLVED) return undefined;
  if (Array.isArray(value)) return value.map(strip);
  if (isPlainObject(value)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      const s = strip(v);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return value;
}

const asObj = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asNum = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
// The schema applied its defaults already; these fall back to the same declared defaults only for values
// that failed validation (then the config is rejected anyway), so the builder never sees undefined.
const num = (v: unknown, schema: ObjectSchema, key: string): number => asNum(v) ?? (defaultOf(schema, key) as number);
const text = (v: unknown, schema: ObjectSchema, key: string): string => asStr(v) ?? (defaultOf(schema, key) as string);
const flag = (v: unknown, schema: ObjectSchema, key: string): boolean => (typeof v === 'boolean' ? v : (defaultOf(schema, key) as boolean));

/** The stream name of a Kinesis stream ARN (`arn:aws:kinesis:r:a:stream/<name>`), or undefined. */
export function streamNameOf(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/([a-zA-Z0-9_.-]+)(\/|$)/.exec(arn);
  return m?.[1];
}

/** Validates and resolves a parsed serverless.yml object into a frozen ServiceConfig, or throws EDDY_ERR_CONFIG_INVALID. */
export function resolveServiceConfig(raw: unknown, options: ResolveOptions = {}): ServiceConfig {
  const dir = path.resolve(options.dir ?? process.cwd());
  const fileName = options.fileName ?? 'serverless.yml';
  const report = new Report();
  for (const n of options.notices ?? []) report.notices.push(n);

  if (!isPlainObject(raw)) {
    throw new EddyError(
      'EDDY_ERR_CONFIG_INVALID',
      `${fileName} is invalid:\n  ${raw === null || raw === undefined ? 'the file is empty' : 'must be a mapping of keys (service, provider, functions, …)'}`,
    );
  }

  const vars = resolveVariables(raw, {
    stage: options.stage,
    region: options.region,
    env: options.env ?? process.env,
    instanceId: options.instanceId ?? randomBytes(16).toString('hex'),
    dir: options.dir === undefined ? undefined : dir,
    accountId: ACCOUNT_ID,
  });
  for (const e of vars.errors) report.issues.push(e);
  for (const n of vars.notices) report.notices.push(n);

  if (options.stage !== undefined && !/^[a-zA-Z0-9-]+$/.test(options.stage)) {
    report.issues.push({ path: '--stage', message: 'must contain only letters, digits and -' });
  }
  if (options.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) {
    report.issues.push({ path: '--region', message: 'must be an AWS region such as us-east-1' });
  }

  const resolved = asObj(vars.value);
  const validated = asObj(strip(validate(serviceSchema, { ...resolved, provider: resolved['provider'] ?? {} }, [], report)));

  const service = asStr(validated['service']) ?? 'service';
  const provider = asObj(validated['provider']);
  const stage = options.stage ?? asStr(provider['stage']) ?? DEFAULT_STAGE;
  const region = options.region ?? asStr(provider['region']) ?? DEFAULT_REGION;

  pluginNotices(validated['plugins'], report);

  const custom = asObj(validated['custom']);
  const eddy = eddyCustom(asObj(custom['eddy']), dir);
  const functionsIn = asObj(validated['functions']);

  // Names first: intrinsics may point at functions (`<Fn>LambdaFunction`) and layers (`<Layer>LambdaLayer`).
  const names = new Map<string, string>();
  for (const [key, fn] of Object.entries(functionsIn)) names.set(key, asStr(asObj(fn)['name']) ?? `${service}-${stage}-${key}`);
  const layerDirs = new Map<string, string>();
  const layerNames = new Map<string, string>();
  for (const [key, layer] of Object.entries(asObj(validated['layers']))) {
    const p = asStr(asObj(layer)['path']);
    const logicalId = `${normalizedName(key)}LambdaLayer`;
    if (p !== undefined) layerDirs.set(logicalId, path.resolve(dir, p));
    layerNames.set(logicalId, asStr(asObj(layer)['name']) ?? key);
  }

  const { resources, resourcePaths } = mergeResources(validated['resources']);
  const ctx: IntrinsicContext = {
    region,
    accountId: ACCOUNT_ID,
    stackName: `${service}-${stage}`,
    resources,
    functions: new Map([...names].map(([key, name]) => [`${normalizedName(key)}LambdaFunction`, name])),
    layers: layerNames,
    imports: eddy.imports ?? {},
  };

  const streams = streamResources(ctx, resources, resourcePaths, report);
  const providerEnv = environment(ctx, asObj(provider['environment']), ['provider', 'environment'], report);

  const functions: Record<string, FunctionConfig> = {};
  const byName = new Map<string, string>();
  for (const [key, fnRaw] of Object.entries(functionsIn)) {
    const fn = buildFunction({ key, fn: asObj(fnRaw), name: names.get(key)!, provider, providerEnv, validated, ctx, dir, eddy, names, layerDirs, report });
    const other = byName.get(fn.name);
    if (other !== undefined) report.error(['functions', key, 'name'], `deployed name "${fn.name}" is also the name of function ${other}`);
    byName.set(fn.name, key);
    functions[key] = fn;
  }

  const esbuild = esbuildOptions(validated, custom, report);

  if (report.issues.length > 0) {
    const lines = report.issues.map((i) => `  ${i.path}: ${i.message}`);
    const n = report.issues.length;
    throw new EddyError('EDDY_ERR_CONFIG_INVALID', `${fileName} is invalid (${n} problem${n === 1 ? '' : 's'}):\n${lines.join('\n')}`);
  }

  return deepFreeze({
    dir,
    service,
    stage,
    region,
    functions,
    streams,
    esbuild,
    eddy,
    notices: report.notices,
  } satisfies ServiceConfig);
}

/** Plugins whose job eddy does itself: no notice for them. */
const COVERED_PLUGINS = new Set([
  'serverless-esbuild', // custom.esbuild is read; eddy bundles with esbuild
  'serverless-offline', // eddy is the local runtime
  'serverless-plugin-typescript', // eddy bundles TypeScript
  'serverless-dotenv-plugin', // eddy reads .env files
]);

function pluginNotices(plugins: unknown, report: Report): void {
  const list = Array.isArray(plugins) ? plugins : asArr(asObj(plugins)['modules']);
  const names = list.filter((p): p is string => typeof p === 'string' && !COVERED_PLUGINS.has(p));
  if (names.length > 0) report.notice(['plugins'], `not run by eddy: ${names.join(', ')}`);
}

function eddyCustom(e: Obj, dir: string): EddyCustomConfig {
  const layers: Record<string, string> = {};
  for (const [arn, folder] of Object.entries(asObj(e['layers']))) if (typeof folder === 'string') layers[arn] = path.resolve(dir, folder);
  const imports: Record<string, string> = {};
  for (const [name, v] of Object.entries(asObj(e['imports']))) if (typeof v === 'string') imports[name] = v;
  return { kinesisEndpoint: asStr(e['kinesisEndpoint']), layers, pollInterval: asNum(e['pollInterval']), imports };
}

/** `resources` may be one CloudFormation fragment or a list of them (Serverless merges the list). */
function mergeResources(section: unknown): { resources: Record<string, CfnResource>; resourcePaths: Map<string, Path> } {
  const fragments = Array.isArray(section) ? section : section === undefined ? [] : [section];
  const resources: Record<string, CfnResource> = {};
  const resourcePaths = new Map<string, Path>();
  fragments.forEach((fragment, i) => {
    for (const [id, r] of Object.entries(asObj(asObj(fragment)['Resources']))) {
      resources[id] = asObj(r);
      resourcePaths.set(id, Array.isArray(section) ? ['resources', i, 'Resources', id] : ['resources', 'Resources', id]);
    }
  });
  return { resources, resourcePaths };
}

function streamResources(ctx: IntrinsicContext, resources: Record<string, CfnResource>, paths: Map<string, Path>, report: Report): StreamResourceConfig[] {
  const streams: StreamResourceConfig[] = [];
  const seen = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Kinesis::Stream') continue;
    const at = [...paths.get(logicalId)!, 'Properties'];
    const props = asObj(strip(validate(kinesisStreamPropertiesSchema, resource.Properties ?? {}, at, report)));
    let name: string;
    try {
      name = resourceName(ctx, logicalId);
    } catch (err) {
      if (!(err instanceof IntrinsicError)) throw err;
      report.error([...at, 'Name'], err.message);
      continue;
    }
    const rawName = asObj(resource.Properties)['Name'];
    // A plain Name was checked by the schema; one built by an intrinsic is checked here.
    if (isIntrinsic(rawName) && !/^[a-zA-Z0-9_.-]{1,128}$/.test(name)) report.error([...at, 'Name'], `resolves to ${JSON.stringify(name)}, not a valid stream name ([a-zA-Z0-9_.-]{1,128})`);
    const mode = asStr(asObj(props['StreamModeDetails'])['StreamMode']) === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED';
    const K = kinesisStreamPropertiesSchema;
    let shardCount = num(props['ShardCount'], K, 'ShardCount');
    if (mode === 'ON_DEMAND') {
      // On-demand streams have no shard count; eddy starts them with 4 shards (AWS's 4 MB/s initial write capacity).
      if (asObj(resource.Properties)['ShardCount'] !== undefined) report.notice([...at, 'ShardCount'], 'ignored for an ON_DEMAND stream (eddy starts it with 4 shards)');
      shardCount = 4;
    }
    const other = seen.get(name);
    if (other !== undefined) report.error([...at, 'Name'], `stream name "${name}" is also used by ${other}`);
    seen.set(name, logicalId);
    streams.push({
      logicalId,
      name,
      mode,
      shardCount,
      retentionPeriodHours: num(props['RetentionPeriodHours'], K, 'RetentionPeriodHours'),
      maxRecordSizeInKiB: num(props['MaxRecordSizeInKiB'], K, 'MaxRecordSizeInKiB'),
      encrypted: props['StreamEncryption'] !== undefined,
    });
  }
  return streams;
}

/** Environment values as strings; intrinsics resolved where eddy can, otherwise left out with a notice. */
function environment(ctx: IntrinsicContext, env: Obj, at: Path, report: Report): Map<string, { value: string; path: Path }> {
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

interface FunctionInput {
  key: string;
  fn: Obj;
  name: string;
  provider: Obj;
  providerEnv: Map<string, { value: string; path: Path }>;
  validated: Obj;
  ctx: IntrinsicContext;
  dir: string;
  eddy: EddyCustomConfig;
  names: Map<string, string>;
  layerDirs: Map<string, string>;
  report: Report;
}

function buildFunction(input: FunctionInput): FunctionConfig {
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

/** Resolves a destination given as an ARN, a function of this service (key or deployed name), or `{arn, type}`. */
function destinationArn(input: FunctionInput, value: unknown, at: Path): string | undefined {
  const { ctx, names, report } = input;
  let arn: unknown = isPlainObject(value) && !isIntrinsic(value) ? value['arn'] : value;
  const p = isPlainObject(value) && !isIntrinsic(value) ? [...at, 'arn'] : at;
  if (isIntrinsic(arn)) {
    try {
      arn = evaluate(ctx, arn);
    } catch (err) {
      if (!(err instanceof IntrinsicError)) throw err;
      report.error(p, err.message);
      return undefined;
    }
  }
  if (typeof arn !== 'string') return undefined;
  if (arn.startsWith('arn:')) return arn;
  const byKey = names.get(arn);
  if (byKey !== undefined) return functionArn(ctx, byKey);
  if ([...names.values()].includes(arn)) return functionArn(ctx, arn);
  report.error(p, `${JSON.stringify(arn)} is neither an ARN nor a function of this service`);
  return undefined;
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

function streamEvents(input: FunctionInput): StreamEventConfig[] {
  const { key, fn, report } = input;
  const out: StreamEventConfig[] = [];
  asArr(fn['events']).forEach((event, i) => {
    const at: Path = ['functions', key, 'events', i];
    const raw = asObj(event)['stream'];
    if (raw === undefined) return;
    const streamAt: Path = [...at, 'stream'];
    // The plain-ARN form gets the same defaults as the object form.
    const ev = typeof raw === 'string' ? asObj(strip(validate(streamEventSchema, { arn: raw }, streamAt, report))) : asObj(raw);
    const e = resolveStreamEvent(input, ev, streamAt);
    if (e !== undefined) out.push(e);
  });
  return out;
}

function resolveStreamEvent(input: FunctionInput, ev: Obj, at: Path): StreamEventConfig | undefined {
  const { key, ctx, report } = input;
  let arn: unknown = ev['arn'];
  const declaredType = asStr(ev['type']);
  if (isIntrinsic(arn)) {
    if (declaredType === undefined) {
      report.error([...at, 'type'], 'is required when arn is a CloudFormation intrinsic (kinesis or dynamodb)');
      return undefined;
    }
    try {
      arn = evaluate(ctx, arn);
    } catch (err) {
      if (!(err instanceof IntrinsicError)) throw err;
      report.error([...at, 'arn'], err.message);
      return undefined;
    }
  }
  if (typeof arn !== 'string') return undefined;
  // `Ref` to a stream gives its name: take it as the stream of that name.
  if (!arn.startsWith('arn:') && /^[a-zA-Z0-9_.-]{1,128}$/.test(arn)) arn = streamArn(ctx, arn);
  const arnString = arn as string;
  const service = arnString.split(':')[2];
  const type = declaredType ?? service;
  if (type === 'dynamodb' || service === 'dynamodb') {
    report.notice(at, 'DynamoDB streams are not emulated by eddy; this event is skipped');
    return undefined;
  }
  const streamName = streamNameOf(arnString);
  if (streamName === undefined) {
    report.error([...at, 'arn'], `must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>), got ${JSON.stringify(arnString)}`);
    return undefined;
  }

  const S = streamEventSchema;
  const startingPosition = text(ev['startingPosition'], S, 'startingPosition') as StartingPosition;
  let startingPositionTimestamp = asNum(ev['startingPositionTimestamp']);
  if (startingPosition === 'AT_TIMESTAMP' && startingPositionTimestamp === undefined && ev['startingPositionTimestamp'] === undefined) {
    report.error([...at, 'startingPositionTimestamp'], 'is required when startingPosition is AT_TIMESTAMP');
  }
  if (startingPosition !== 'AT_TIMESTAMP' && startingPositionTimestamp !== undefined) {
    report.notice([...at, 'startingPositionTimestamp'], 'used only with startingPosition AT_TIMESTAMP; ignored');
    startingPositionTimestamp = undefined;
  }

  let consumer: boolean | string = false;
  if (typeof ev['consumer'] === 'boolean') consumer = ev['consumer'];
  else if (typeof ev['consumer'] === 'string') {
    if (!/^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:\d+$/.test(ev['consumer'])) {
      report.error([...at, 'consumer'], 'must be true or a stream consumer ARN (arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<consumer>:<timestamp>)');
    }
    consumer = ev['consumer'];
  }

  let onFailure: string | undefined;
  const failure = asObj(ev['destinations'])['onFailure'];
  if (failure !== undefined) {
    const p: Path = [...at, 'destinations', 'onFailure'];
    onFailure = destinationArn(input, failure, p);
    if (onFailure !== undefined && !/^arn:aws[a-z-]*:(sqs|sns|lambda|s3):/.test(onFailure)) {
      report.error(p, 'must be the ARN of an SQS queue, an SNS topic or a function');
      onFailure = undefined;
    }
  }

  return {
    functionKey: key,
    arn: arnString,
    streamName,
    batchSize: num(ev['batchSize'], S, 'batchSize'),
    batchWindow: num(ev['batchWindow'], S, 'batchWindow'),
    startingPosition,
    startingPositionTimestamp,
    maximumRetryAttempts: num(ev['maximumRetryAttempts'], S, 'maximumRetryAttempts'),
    parallelizationFactor: num(ev['parallelizationFactor'], S, 'parallelizationFactor'),
    bisectBatchOnFunctionError: flag(ev['bisectBatchOnFunctionError'], S, 'bisectBatchOnFunctionError'),
    maximumRecordAgeInSeconds: num(ev['maximumRecordAgeInSeconds'], S, 'maximumRecordAgeInSeconds'),
    tumblingWindowInSeconds: num(ev['tumblingWindowInSeconds'], S, 'tumblingWindowInSeconds'),
    functionResponseType: ev['functionResponseType'] === 'ReportBatchItemFailures' ? 'ReportBatchItemFailures' : undefined,
    filterPatterns: asArr(ev['filterPatterns']).map((p) => JSON.stringify(p)),
    onFailure,
    enabled: flag(ev['enabled'], S, 'enabled'),
    consumer,
  };
}

/** `build.esbuild` (Serverless v4) or, when it is absent or false, serverless-esbuild's `custom.esbuild`. */
function esbuildOptions(validated: Obj, custom: Obj, report: Report): Record<string, unknown> {
  const build = asObj(validated['build'])['esbuild'];
  if (isPlainObject(build)) {
    if (custom['esbuild'] !== undefined) report.notice(['custom', 'esbuild'], 'ignored because build.esbuild is set');
    return { ...build };
  }
  if (build === false || build === undefined || build === true) {
    const c = asObj(custom['esbuild']);
    const out: Obj = {};
    // Only esbuild's own options (and `exclude`, which eddy's bundler reads) go on; serverless-esbuild's
    // packaging keys have no local meaning.
    for (const [k, v] of Object.entries(c)) if (PASS.has(k)) out[k] = k === 'exclude' && typeof v === 'string' ? [v] : v;
    return out;
  }
  return {};
}

const PASS = new Set<string>([...ESBUILD_OPTIONS, 'exclude']);
