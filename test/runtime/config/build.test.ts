// Layers, esbuild options, custom.eddy, and a realistic full file.
import { describe, expect, it } from 'vitest';
import { config, DIR, problems } from './helpers.ts';

const LAYER_ARN = 'arn:aws:lambda:us-east-1:123456789012:layer:shared:3';

describe('layers', () => {
  it('a layer of this file, referenced as {Ref: <Name>LambdaLayer}, resolves to its absolute folder', () => {
    const c = config(`service: svc
layers:
  shared:
    path: layers/shared
  my-utils:
    path: /opt/elsewhere
functions:
  a:
    handler: a.handler
    layers:
      - {Ref: SharedLambdaLayer}
      - !Ref MyDashutilsLambdaLayer
`);
    expect(c.functions['a']!.layers).toEqual([`${DIR}/layers/shared`, '/opt/elsewhere']);
  });

  it('remote ARNs map through custom.eddy.layers (exact version or versionless); unmapped ones get a notice', () => {
    const c = config(`service: svc
custom:
  eddy:
    layers:
      ${LAYER_ARN}: ./local/shared
      arn:aws:lambda:us-east-1:123456789012:layer:tools: /abs/tools
functions:
  a:
    handler: a.handler
    layers:
      - ${LAYER_ARN}
      - arn:aws:lambda:us-east-1:123456789012:layer:tools:17
      - arn:aws:lambda:us-east-1:123456789012:layer:other:1
`);
    expect(c.functions['a']!.layers).toEqual([`${DIR}/local/shared`, '/abs/tools']);
    expect(c.eddy.layers).toEqual({ [LAYER_ARN]: `${DIR}/local/shared`, 'arn:aws:lambda:us-east-1:123456789012:layer:tools': '/abs/tools' });
    expect(c.notices).toEqual([
      'functions.a.layers[2]: remote layer arn:aws:lambda:us-east-1:123456789012:layer:other:1 is not mapped to a local folder under custom.eddy.layers; not mounted',
    ]);
  });

  it('provider layers apply to functions without their own; function layers replace them', () => {
    const c = config(`service: svc
layers:
  base: {path: base}
  extra: {path: extra}
provider:
  layers: [{Ref: BaseLambdaLayer}]
functions:
  a: {handler: a.handler}
  b: {handler: b.handler, layers: [{Ref: ExtraLambdaLayer}]}
`);
    expect(c.functions['a']!.layers).toEqual([`${DIR}/base`]);
    expect(c.functions['b']!.layers).toEqual([`${DIR}/extra`]);
  });

  it('bad references are errors', () => {
    expect(
      problems(`service: svc
layers:
  shared: {path: layers/shared}
  nopath: {name: x}
functions:
  a:
    handler: a.handler
    layers:
      - {Ref: OtherLambdaLayer}
      - not-an-arn
      - {Ref: SharedLambdaLayer}
      - {Ref: SharedLambdaLayer}
      - {Ref: SharedLambdaLayer}
      - {Ref: SharedLambdaLayer}
`),
    ).toEqual([
      'layers.nopath.path: is required',
      'functions.a.layers: must have at most 5 items',
    ]);
    expect(problems('service: svc\nlayers:\n  shared: {path: l}\nfunctions:\n  a: {handler: a.h, layers: [{Ref: OtherLambdaLayer}, not-an-arn]}')).toEqual([
      'functions.a.layers[0]: Ref "OtherLambdaLayer" is not a layer of this service (layers: SharedLambdaLayer)',
      'functions.a.layers[1]: must be a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>) or {Ref: <Name>LambdaLayer}',
    ]);
  });
});

describe('esbuild options', () => {
  it('build.esbuild (Serverless v4) passes through after validation', () => {
    const c = config(`service: svc
build:
  esbuild:
    bundle: true
    minify: false
    external: [pg-native]
    exclude: ['@aws-sdk/*']
    sourcemap: {type: linked, setNodeOptions: true}
    target: node20
    define: {'process.env.X': '"y"'}
`);
    expect(c.esbuild).toEqual({
      bundle: true,
      minify: false,
      external: ['pg-native'],
      exclude: ['@aws-sdk/*'],
      sourcemap: { type: 'linked', setNodeOptions: true },
      target: 'node20',
      define: { 'process.env.X': '"y"' },
    });
  });

  it('an unknown esbuild option is an error naming it; options eddy sets are refused', () => {
    expect(problems('service: svc\nbuild:\n  esbuild:\n    minfy: true\n    entryPoints: [a.ts]\n    outdir: dist\n    watch: true\n    frobnicate: 1')).toEqual([
      'build.esbuild.minfy: unknown key (did you mean "minify"?)',
      'build.esbuild.entryPoints: eddy sets this esbuild option itself; remove it',
      'build.esbuild.outdir: eddy sets this esbuild option itself; remove it',
      'build.esbuild.watch: eddy sets this esbuild option itself; remove it',
      'build.esbuild.frobnicate: unknown key',
    ]);
  });

  it('custom.esbuild (serverless-esbuild) is read when build.esbuild is false or absent; its packaging keys stay behind', () => {
    const c = config(`service: svc
plugins: [serverless-esbuild]
build:
  esbuild: false
custom:
  esbuild:
    bundle: true
    minify: true
    target: node20
    exclude: aws-sdk
    packager: npm
    concurrency: 4
    keepOutputDirectory: true
    watch: {pattern: ['src/**/*.ts']}
`);
    expect(c.esbuild).toEqual({ bundle: true, minify: true, target: 'node20', exclude: ['aws-sdk'] });
    // eddy does serverless-esbuild's job itself: no notice for it.
    expect(c.notices).toEqual([]);
  });

  it('custom.esbuild is checked too; with build.esbuild set it is ignored with a notice', () => {
    expect(problems('service: svc\ncustom:\n  esbuild:\n    outfile: x.js\n    bundel: true')).toEqual([
      'custom.esbuild.outfile: eddy sets this esbuild option itself; remove it',
      'custom.esbuild.bundel: unknown key (did you mean "bundle"?)',
    ]);
    const c = config('service: svc\nbuild:\n  esbuild: {minify: true}\ncustom:\n  esbuild: {minify: false}');
    expect(c.esbuild).toEqual({ minify: true });
    expect(c.notices).toEqual(['custom.esbuild: ignored because build.esbuild is set']);
  });
});

describe('custom.eddy', () => {
  it('is read and validated; unknown keys are reported', () => {
    const c = config('service: svc\ncustom:\n  eddy:\n    kinesisEndpoint: http://127.0.0.1:4567\n    pollInterval: 1000\n  other-plugin: {anything: 1}');
    expect(c.eddy).toEqual({ kinesisEndpoint: 'http://127.0.0.1:4567', layers: {}, pollInterval: 1000, imports: {} });
    expect(problems('service: svc\ncustom:\n  eddy:\n    kinesisEndpoint: localhost:4567\n    pollInterval: 0\n    pollIntervall: 5\n    layers: [a]')).toEqual([
      'custom.eddy.kinesisEndpoint: must be an http:// or https:// URL',
      'custom.eddy.pollInterval: must be ≥ 1',
      'custom.eddy.pollIntervall: unknown key (did you mean "pollInterval"?)',
      'custom.eddy.layers: must be an object',
    ]);
  });
});

describe('a realistic file (reference §8.2)', () => {
  it('resolves every part', () => {
    const c = config(
      `service: ingest
frameworkVersion: '4'
provider:
  name: aws
  runtime: nodejs20.x
  architecture: arm64
  memorySize: 128
  timeout: 30
  stage: \${opt:stage, 'dev'}
  environment:
    TABLE: \${self:service}-\${sls:stage}
    LOG_LEVEL: \${env:LOG_LEVEL, 'info'}
  kinesis:
    consumerNamingMode: serviceSpecific
  logs:
    lambda:
      logFormat: JSON
functions:
  consume:
    handler: src/consume.handler
    description: Consumes \${self:service}
    reservedConcurrency: 10
    layers:
      - arn:aws:lambda:us-east-1:123456789012:layer:shared:3
    package:
      patterns: ['!**/*.test.ts', 'config/**']
    events:
      - stream:
          type: kinesis
          arn:
            Fn::GetAtt: [EventsStream, Arn]
          batchSize: 100
          batchWindow: 1
          startingPosition: LATEST
          maximumRetryAttempts: 5
          parallelizationFactor: 2
          bisectBatchOnFunctionError: true
          maximumRecordAgeInSeconds: 3600
          tumblingWindowInSeconds: 60
          functionResponseType: ReportBatchItemFailures
          filterPatterns:
            - data:
                eventType: [order_created]
          destinations:
            onFailure:
              arn:
                Fn::GetAtt: [FailedQueue, Arn]
              type: sqs
          enabled: true
resources:
  Resources:
    EventsStream:
      Type: AWS::Kinesis::Stream
      Properties:
        Name: \${self:service}-\${sls:stage}-events
        ShardCount: 4
        RetentionPeriodHours: 24
        StreamModeDetails:
          StreamMode: PROVISIONED
    FailedQueue:
      Type: AWS::SQS::Queue
`,
      { stage: 'prod', env: { LOG_LEVEL: 'debug' } },
    );
    expect(c.service).toBe('ingest');
    expect(c.stage).toBe('prod');
    expect(c.streams).toEqual([
      { logicalId: 'EventsStream', name: 'ingest-prod-events', mode: 'PROVISIONED', shardCount: 4, retentionPeriodHours: 24, maxRecordSizeInKiB: 1024, encryptionKeyId: undefined },
    ]);
    const f = c.functions['consume']!;
    expect(f).toEqual({
      key: 'consume',
      name: 'ingest-prod-consume',
      handler: 'src/consume.handler',
      runtime: 'nodejs20.x',
      memorySize: 128,
      timeout: 30,
      description: 'Consumes ingest',
      ephemeralStorageSize: 512,
      architecture: 'arm64',
      environment: { TABLE: 'ingest-prod', LOG_LEVEL: 'debug' },
      reservedConcurrency: 10,
      maximumRetryAttempts: 2,
      maximumEventAge: 21600,
      destinations: {},
      layers: [],
      logFormat: 'JSON',
      applicationLogLevel: undefined,
      systemLogLevel: undefined,
      events: [
        {
          functionKey: 'consume',
          arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/ingest-prod-events',
          streamName: 'ingest-prod-events',
          batchSize: 100,
          batchWindow: 1,
          startingPosition: 'LATEST',
          startingPositionTimestamp: undefined,
          maximumRetryAttempts: 5,
          parallelizationFactor: 2,
          bisectBatchOnFunctionError: true,
          maximumRecordAgeInSeconds: 3600,
          tumblingWindowInSeconds: 60,
          functionResponseType: 'ReportBatchItemFailures',
          filterPatterns: ['{"data":{"eventType":["order_created"]}}'],
          onFailure: 'arn:aws:sqs:us-east-1:000000000000:ingest-prod-FailedQueue',
          enabled: true,
          consumer: false,
        },
      ],
      packagePatterns: ['!**/*.test.ts', 'config/**'],
    });
    expect(c.notices).toEqual([
      'functions.consume.layers[0]: remote layer arn:aws:lambda:us-east-1:123456789012:layer:shared:3 is not mapped to a local folder under custom.eddy.layers; not mounted',
    ]);
  });
});
