// The one declarative schema of the serverless.yml keys eddy reads: types, ranges, enums, defaults, and the
// valid Serverless keys eddy accepts without emulating them (a one-line notice each). Ranges follow AWS and
// the Serverless Framework schema (reference §5.4, §8.1, §8.2). Provider defaults are here; function keys
// default to the provider's in resolve.ts.

import { MAX_RECORD_AGE_SECONDS, MIN_RECORD_AGE_SECONDS } from '../mappings/types.ts';
import type { AnyOfSchema, ArraySchema, IgnoredSchema, ObjectSchema, Schema, StringSchema } from './validate.ts';

const str = (extra: Omit<StringSchema, 'type'> = {}): StringSchema => ({ type: 'string', ...extra });
const int = (min: number | undefined, max: number | undefined, extra: { default?: number; alsoAllowed?: number[]; description?: string } = {}): Schema => ({
  type: 'integer',
  ...(min !== undefined ? { min } : {}),
  ...(max !== undefined ? { max } : {}),
  ...extra,
});
const bool = (def?: boolean): Schema => (def === undefined ? { type: 'boolean' } : { type: 'boolean', default: def });
const list = (items: Schema, extra: Omit<ArraySchema, 'type' | 'items'> = {}): ArraySchema => ({ type: 'array', items, ...extra });
const anyOf = (...options: Schema[]): AnyOfSchema => ({ type: 'anyOf', options });
const intrinsic: Schema = { type: 'intrinsic' };
const any: Schema = { type: 'any' };
/** Accepted silently: deployment-only settings with no local meaning (tags, descriptions, stack policy…). */
const accepted: IgnoredSchema = { type: 'ignored' };
/** Accepted with a notice: behaviour eddy does not emulate. */
const notEmulated = (what = 'not emulated by eddy; ignored'): IgnoredSchema => ({ type: 'ignored', notice: what });
const obj = (props: Record<string, Schema>, extra: Omit<ObjectSchema, 'type' | 'props'> = {}): ObjectSchema => ({
  type: 'object',
  props,
  ...extra,
});

/** Defaults that cascade (options > provider > these), so they cannot sit on one schema key. */
export const DEFAULT_STAGE = 'dev';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_LOG_FORMAT = 'Text';

/** The default the schema declares for `key` of an object schema (one place for every default). */
export function defaultOf(schema: ObjectSchema, key: string): unknown {
  const prop = schema.props?.[key];
  return prop !== undefined && 'default' in prop ? prop.default : undefined;
}

export const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;

export const runtimeSchema = str({
  description: 'Lambda runtime identifier',
  check: (v) => {
    if ((NODE_RUNTIMES as readonly string[]).includes(v)) return undefined;
    if (v.startsWith('nodejs')) return `must be one of: ${NODE_RUNTIMES.join(', ')} (got ${JSON.stringify(v)})`;
    return `eddy runs Node.js functions only (got ${JSON.stringify(v)}); use one of: ${NODE_RUNTIMES.join(', ')}`;
  },
});

const memorySize = (def?: number): Schema => int(128, 10240, def === undefined ? {} : { default: def, description: 'MB' });
const timeout = (def?: number): Schema => int(1, 900, def === undefined ? {} : { default: def, description: 'seconds' });
const architecture = (def?: string): Schema => str({ enum: ['x86_64', 'arm64'], ...(def === undefined ? {} : { default: def }) });

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const environment: ObjectSchema = {
  type: 'object',
  values: anyOf(str(), { type: 'number' }, { type: 'boolean' }, intrinsic),
  keyPattern: ENV_NAME,
  keyMessage: 'must be a valid environment variable name (letters, digits and _, not starting with a digit)',
};

/** Lambda advanced logging controls (AWS::Lambda::Function LoggingConfig); `provider.logs.lambda` and `functions.*.logs`. */
const loggingConfig = obj({
  logFormat: str({ enum: ['Text', 'JSON'] }),
  applicationLogLevel: str({ enum: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] }),
  systemLogLevel: str({ enum: ['DEBUG', 'INFO', 'WARN'] }),
  logGroup: notEmulated('not emulated by eddy (context.logGroupName stays /aws/lambda/<name>); ignored'),
});

const layerRefs = list(anyOf(str({ minLength: 1 }), intrinsic), { maxItems: 5 });

const packageSchema = obj({
  patterns: list(str()),
  include: list(str()),
  exclude: list(str()),
  individually: notEmulated('eddy bundles each function on its own anyway; ignored'),
  artifact: notEmulated('eddy runs functions from source, not from a packaged artifact; ignored'),
  excludeDevDependencies: accepted,
});

const arnOrIntrinsic = anyOf(str({ minLength: 1 }), intrinsic);

/** `destinations.onSuccess/onFailure` of a function (async invocations). */
const asyncDestination = anyOf(
  str({ minLength: 1 }),
  obj({ arn: arnOrIntrinsic, type: str({ enum: ['function', 'sns', 'sqs', 'eventBus'] }) }, { required: ['arn'] }),
);

/** A Kinesis `stream` event (reference §8.2). Defaults are Serverless's (BatchSize 10, TRIM_HORIZON), not AWS's. */
export const streamEventSchema = obj(
  {
    arn: arnOrIntrinsic,
    type: str({ enum: ['kinesis', 'dynamodb'] }),
    batchSize: int(1, 10000, { default: 10 }),
    batchWindow: int(0, 300, { default: 0, description: 'MaximumBatchingWindowInSeconds' }),
    startingPosition: str({ enum: ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'], default: 'TRIM_HORIZON' }),
    startingPositionTimestamp: { type: 'number', min: 0 },
    maximumRetryAttempts: int(-1, 10000, { default: -1 }),
    parallelizationFactor: int(1, 10, { default: 1 }),
    bisectBatchOnFunctionError: bool(false),
    maximumRecordAgeInSeconds: int(MIN_RECORD_AGE_SECONDS, MAX_RECORD_AGE_SECONDS, { default: -1, alsoAllowed: [-1] }),
    tumblingWindowInSeconds: int(0, 900, { default: 0 }),
    functionResponseType: str({ enum: ['ReportBatchItemFailures'] }),
    filterPatterns: list({ type: 'object', values: any }, { minItems: 1, maxItems: 10 }),
    destinations: obj({
      onFailure: anyOf(str({ minLength: 1 }), obj({ arn: arnOrIntrinsic, type: str({ enum: ['sns', 'sqs', 'function'] }) }, { required: ['arn'] })),
    }),
    enabled: bool(true),
    consumer: anyOf(bool(), str({ minLength: 1 })),
  },
  { required: ['arn'] },
);

const EVENT_TYPES = [
  'http',
  'httpApi',
  'websocket',
  's3',
  'schedule',
  'sns',
  'sqs',
  'msk',
  'kafka',
  'activemq',
  'rabbitmq',
  'alb',
  'alexaSkill',
  'alexaSmartHome',
  'iot',
  'iotFleetProvisioning',
  'cloudwatchEvent',
  'cloudwatchLog',
  'cognitoUserPool',
  'eventBridge',
  'cloudFront',
] as const;

export const eventSchema = obj({
  stream: anyOf(str({ minLength: 1 }), streamEventSchema),
  ...Object.fromEntries(EVENT_TYPES.map((t) => [t, notEmulated(`${t} events are not emulated by eddy; ignored`)])),
}, { exactlyOneKey: 'event type (e.g. stream)' });

export const functionSchema = obj(
  {
    handler: str({
      minLength: 1,
      maxLength: 128,
      pattern: /^\S+$/,
      patternMessage: 'must not contain whitespace',
    }),
    name: str({ pattern: /^[a-zA-Z0-9_-]+$/, patternMessage: 'must contain only letters, digits, - and _', maxLength: 64 }),
    description: accepted,
    runtime: runtimeSchema,
    memorySize: memorySize(),
    timeout: timeout(),
    architecture: architecture(),
    environment,
    reservedConcurrency: anyOf(int(0, undefined), intrinsic),
    maximumRetryAttempts: int(0, 2, { default: 2, description: 'async invocation retries' }),
    maximumEventAge: int(60, 21600, { default: 21600, description: 'async event age, seconds' }),
    destinations: obj({ onSuccess: asyncDestination, onFailure: asyncDestination }),
    layers: layerRefs,
    logs: loggingConfig,
    events: list(eventSchema),
    package: packageSchema,
    image: { type: 'refused', message: 'container image functions are not supported: eddy runs Node.js handlers (handler: file.export)' },
    // Valid Serverless keys that change nothing locally.
    tags: accepted,
    condition: accepted,
    dependsOn: accepted,
    logRetentionInDays: accepted,
    logDataProtectionPolicy: accepted,
    versionFunction: accepted,
    httpApi: accepted,
    disableLogs: accepted,
    skipEsbuild: notEmulated('eddy bundles every function; ignored'),
    // Valid keys whose behaviour eddy does not emulate.
    vpc: notEmulated(),
    tracing: notEmulated('X-Ray tracing is not emulated by eddy; ignored'),
    url: notEmulated('function URLs are not emulated by eddy; ignored'),
    snapStart: notEmulated(),
    provisionedConcurrency: notEmulated('provisioned concurrency is not emulated by eddy (environments start on demand); ignored'),
    ephemeralStorageSize: int(512, 10240, { default: 512, description: 'MB' }),
    fileSystemConfig: notEmulated(),
    onError: notEmulated(),
    kmsKeyArn: notEmulated(),
    awsKmsKeyArn: notEmulated(),
    role: notEmulated('IAM is not enforced by eddy; ignored'),
    iamRoleStatements: notEmulated('IAM is not enforced by eddy; ignored'),
    iamRoleStatementsName: notEmulated('IAM is not enforced by eddy; ignored'),
    iamRoleStatementsInherit: notEmulated('IAM is not enforced by eddy; ignored'),
    runtimeManagement: notEmulated(),
    capacityProvider: notEmulated(),
    warmup: notEmulated('warm-up pings are not needed on eddy; ignored'),
  },
  { required: ['handler'] },
);

export const providerSchema = obj({
  name: str({ enum: ['aws'] }),
  runtime: { ...runtimeSchema, default: 'nodejs20.x' },
  memorySize: memorySize(1024),
  timeout: timeout(6),
  architecture: architecture('x86_64'),
  region: str({ pattern: /^[a-z]{2}(-[a-z]+)+-\d$/, patternMessage: 'must be an AWS region such as us-east-1' }),
  stage: str({ pattern: /^[a-zA-Z0-9-]+$/, patternMessage: 'must contain only letters, digits and -' }),
  environment,
  layers: layerRefs,
  logs: obj({
    lambda: loggingConfig,
    frameworkLambda: accepted,
    restApi: notEmulated('API Gateway is not emulated by eddy; ignored'),
    httpApi: notEmulated('API Gateway is not emulated by eddy; ignored'),
    websocket: notEmulated('API Gateway is not emulated by eddy; ignored'),
  }),
  kinesis: obj({ consumerNamingMode: str({ enum: ['serviceSpecific'] }) }),
  // Deployment-only settings.
  ...Object.fromEntries(
    [
      'deploymentBucket',
      'deploymentPrefix',
      'deploymentMethod',
      'stackName',
      'stackTags',
      'stackPolicy',
      'stackParameters',
      'tags',
      'notificationArns',
      'rollbackConfiguration',
      'disableRollback',
      'cfnRole',
      'lambdaHashingVersion',
      'profile',
      'versionFunctions',
      'logRetentionInDays',
      'logDataProtectionPolicy',
      'runtimeManagement',
      'deploymentRole',
      'endpointType',
      'apiName',
      'websocketsApiName',
      'websocketsApiRouteSelectionExpression',
      'websocketsDescription',
      'vpcEndpointIds',
      'resourcePolicy',
    ].map((k) => [k, accepted]),
  ),
  iam: notEmulated('IAM is not enforced by eddy; ignored'),
  iamRoleStatements: notEmulated('IAM is not enforced by eddy; ignored'),
  iamManagedPolicies: notEmulated('IAM is not enforced by eddy; ignored'),
  role: notEmulated('IAM is not enforced by eddy; ignored'),
  rolePermissionsBoundary: notEmulated('IAM is not enforced by eddy; ignored'),
  vpc: notEmulated(),
  tracing: notEmulated('X-Ray tracing is not emulated by eddy; ignored'),
  kmsKeyArn: notEmulated(),
  apiGateway: notEmulated('API Gateway is not emulated by eddy; ignored'),
  httpApi: notEmulated('API Gateway is not emulated by eddy; ignored'),
  websocket: notEmulated('API Gateway is not emulated by eddy; ignored'),
  alb: notEmulated(),
  cloudFront: notEmulated(),
  ecr: notEmulated(),
  s3: notEmulated(),
  eventBridge: notEmulated(),
});

/** A layer declared in the same file (top-level `layers:`), referenced as `{Ref: <Name>LambdaLayer}`. */
const layerSchema = obj(
  {
    path: str({ minLength: 1 }),
    name: str({ minLength: 1, maxLength: 140 }),
    description: accepted,
    compatibleRuntimes: accepted,
    compatibleArchitectures: accepted,
    licenseInfo: accepted,
    allowedAccounts: accepted,
    retain: accepted,
    package: obj({
      patterns: list(str()),
      include: list(str()),
      exclude: list(str()),
      artifact: notEmulated('eddy mounts the layer folder (path), not an artifact; ignored'),
    }),
  },
  { required: ['path'] },
);

/** esbuild's own build options (esbuild 0.28 BuildOptions), accepted by `build.esbuild` and `custom.esbuild`. */
export const ESBUILD_OPTIONS = [
  'sourcemap', 'legalComments', 'sourceRoot', 'sourcesContent', 'format', 'globalName', 'target', 'supported',
  'platform', 'mangleProps', 'reserveProps', 'mangleQuoted', 'mangleCache', 'drop', 'dropLabels', 'minify',
  'minifyWhitespace', 'minifyIdentifiers', 'minifySyntax', 'lineLimit', 'charset', 'treeShaking',
  'ignoreAnnotations', 'jsx', 'jsxFactory', 'jsxFragment', 'jsxImportSource', 'jsxDev', 'jsxSideEffects', 'define',
  'pure', 'keepNames', 'absPaths', 'color', 'logLevel', 'logLimit', 'logOverride', 'logStyle', 'tsconfigRaw',
  'bundle', 'splitting', 'preserveSymlinks', 'metafile', 'external', 'packages', 'alias', 'loader',
  'resolveExtensions', 'mainFields', 'conditions', 'allowOverwrite', 'tsconfig', 'outExtension', 'publicPath',
  'entryNames', 'chunkNames', 'assetNames', 'inject', 'banner', 'footer', 'nodePaths',
] as const;

/** Options eddy sets itself for every function. */
const ESBUILD_REFUSED = ['entryPoints', 'outdir', 'outfile', 'outbase', 'write', 'stdin', 'absWorkingDir', 'plugins', 'watch'];

const esbuildPassThrough: Record<string, Schema> = {
  ...Object.fromEntries(ESBUILD_OPTIONS.map((k) => [k, any])),
  ...Object.fromEntries(
    ESBUILD_REFUSED.map((k) => [k, { type: 'refused', message: 'eddy sets this esbuild option itself; remove it' } satisfies Schema]),
  ),
};

/** Serverless v4's built-in esbuild (`build.esbuild`), reference §8.3. */
export const buildEsbuildSchema = anyOf(
  bool(),
  obj({
    ...esbuildPassThrough,
    exclude: list(str()),
    buildConcurrency: accepted,
    configFile: notEmulated('eddy does not load esbuild config files; put the options in build.esbuild'),
    sourcemap: anyOf(bool(), str(), obj({ type: str({ enum: ['inline', 'linked', 'external', 'both'] }), setNodeOptions: bool() })),
  }),
);

/** serverless-esbuild's `custom.esbuild` (its own keys beside esbuild's). */
export const customEsbuildSchema = obj({
  ...esbuildPassThrough,
  exclude: anyOf(list(str()), str()),
  watch: anyOf(
    obj({ pattern: any, ignore: any, chokidar: any }, { unknownKeys: 'allow' }),
    { type: 'refused', message: 'eddy sets this esbuild option itself; remove it' },
  ),
  config: notEmulated('eddy does not load esbuild config files; put the options in custom.esbuild'),
  ...Object.fromEntries(
    [
      'packager',
      'packagerOptions',
      'concurrency',
      'zipConcurrency',
      'keepOutputDirectory',
      'outputWorkFolder',
      'outputBuildFolder',
      'outputFileExtension',
      'nativeZip',
      'installExtraArgs',
      'disableIncremental',
      'skipBuild',
      'skipRebuild',
      'skipBuildExcludeFns',
      'stripEntryResolveExtensions',
      'nodeExternals',
      'excludeFiles',
    ].map((k) => [k, accepted]),
  ),
});

/** eddy's own options, under `custom.eddy`. */
export const eddyCustomSchema = obj({
  kinesisEndpoint: str({
    description: 'Kinesis endpoint the mappings read instead of eddy’s own log',
    check: (v) => (/^https?:\/\/[^\s/]+/.test(v) ? undefined : 'must be an http:// or https:// URL'),
  }),
  layers: { type: 'object', values: str({ minLength: 1 }), description: 'remote layer ARN -> local folder' },
  pollInterval: int(1, 300000, { description: 'ms between polls of a shard; unset = woken on every append' }),
  imports: { type: 'object', values: str(), description: 'CloudFormation export name -> value, for Fn::ImportValue' },
});

const resourcesSection = obj(
  {
    Resources: { type: 'object', values: obj({ Type: str({ minLength: 1 }) }, { required: ['Type'], unknownKeys: 'allow' }) },
    Outputs: accepted,
    Conditions: accepted,
    Mappings: accepted,
    Parameters: accepted,
    Metadata: accepted,
    Description: accepted,
    AWSTemplateFormatVersion: accepted,
    Transform: accepted,
    extensions: accepted,
  },
  {},
);

/** `Properties` of an `AWS::Kinesis::Stream` resource (CloudFormation). */
export const kinesisStreamPropertiesSchema = obj({
  Name: anyOf(str({ minLength: 1, maxLength: 128, pattern: /^[a-zA-Z0-9_.-]+$/, patternMessage: 'must match [a-zA-Z0-9_.-]+' }), intrinsic),
  ShardCount: int(1, undefined, { default: 1, description: 'PROVISIONED streams only' }),
  RetentionPeriodHours: int(24, 8760, { default: 24 }),
  StreamModeDetails: obj({ StreamMode: str({ enum: ['PROVISIONED', 'ON_DEMAND'] }) }, { required: ['StreamMode'] }),
  MaxRecordSizeInKiB: int(1024, 10240, { default: 1024 }),
  StreamEncryption: obj({ EncryptionType: str({ enum: ['KMS'] }), KeyId: arnOrIntrinsic }, { required: ['EncryptionType', 'KeyId'] }),
  Tags: accepted,
  DesiredShardLevelMetrics: accepted,
  WarmThroughputMiBps: notEmulated(),
});

export const serviceSchema = obj(
  {
    service: str({
      pattern: /^[a-zA-Z][0-9a-zA-Z-]+$/,
      patternMessage: 'must start with a letter and contain only letters, digits and -',
    }),
    provider: providerSchema,
    functions: {
      type: 'object',
      values: functionSchema,
      keyPattern: /^[a-zA-Z0-9_-]+$/,
      keyMessage: 'function keys may contain only letters, digits, - and _ (they become part of the Lambda name)',
    },
    resources: anyOf(resourcesSection, list(resourcesSection)),
    layers: { type: 'object', values: layerSchema },
    package: packageSchema,
    build: obj({ esbuild: buildEsbuildSchema }),
    custom: obj({ eddy: eddyCustomSchema, esbuild: customEsbuildSchema }, { unknownKeys: 'allow' }),
    plugins: any,
    params: { type: 'object', values: any },
    stages: { type: 'object', values: any },
    useDotenv: accepted, // eddy always reads .env files, as Serverless v4 does (load.ts)
    frameworkVersion: accepted,
    app: accepted,
    org: accepted,
    console: accepted,
    dashboard: accepted,
    license: accepted,
    outputs: accepted,
    configValidationMode: accepted,
    variablesResolutionMode: accepted,
    disabledDeprecations: accepted,
    deprecationNotificationMode: accepted,
    unresolvedVariablesNotificationMode: accepted,
    resolvers: accepted,
  },
  {
    required: ['service'],
    // Plugins add their own top-level keys (stepFunctions, appSync…): a notice unless it looks like a typo.
    unknownKeys: 'notice',
    unknownNotice: 'not a key eddy reads (a plugin’s?); ignored',
  },
);
