import { describe, expect, it } from 'vitest';
import { normalizedName } from '../../../runtime/config/functions.ts';
import { resolveServiceConfig } from '../../../runtime/config/resolve.ts';
import { streamNameOf } from '../../../runtime/config/streams.ts';
import { config, DIR, problems } from './helpers.ts';

const fn = (body = '') => `service: svc\nfunctions:\n  ingest:\n    handler: src/ingest.handler\n${body}`;

describe('defaults (Serverless / AWS, reference §8.1)', () => {
  it('a minimal file gets every default', () => {
    const c = config(fn());
    expect(c).toEqual({
      dir: DIR,
      service: 'svc',
      stage: 'dev',
      region: 'us-east-1',
      functions: {
        ingest: {
          key: 'ingest',
          name: 'svc-dev-ingest',
          handler: 'src/ingest.handler',
          runtime: 'nodejs20.x',
          memorySize: 1024,
          timeout: 6,
          description: '',
          ephemeralStorageSize: 512,
          architecture: 'x86_64',
          environment: {},
          reservedConcurrency: undefined,
          maximumRetryAttempts: 2,
          maximumEventAge: 21600,
          destinations: {},
          layers: [],
          logFormat: 'Text',
          applicationLogLevel: undefined,
          systemLogLevel: undefined,
          events: [],
          packagePatterns: [],
        },
      },
      streams: [],
      esbuild: {},
      eddy: { kinesisEndpoint: undefined, layers: {}, pollInterval: undefined, imports: {} },
      notices: [],
    });
  });

  it('functions inherit the provider; their own keys win', () => {
    const c = config(`service: svc
provider:
  name: aws
  runtime: nodejs22.x
  memorySize: 256
  timeout: 30
  architecture: arm64
functions:
  a:
    handler: a.handler
  b:
    handler: b.handler
    runtime: nodejs24.x
    memorySize: 2048
    timeout: 900
    architecture: x86_64
    description: Bee
    ephemeralStorageSize: 2048
`);
    const { a, b } = c.functions;
    expect([a!.description, a!.ephemeralStorageSize, b!.description, b!.ephemeralStorageSize]).toEqual(['', 512, 'Bee', 2048]);
    expect([a!.runtime, a!.memorySize, a!.timeout, a!.architecture]).toEqual(['nodejs22.x', 256, 30, 'arm64']);
    expect([b!.runtime, b!.memorySize, b!.timeout, b!.architecture]).toEqual(['nodejs24.x', 2048, 900, 'x86_64']);
  });

  it('stage and region: options win over provider, which wins over dev / us-east-1', () => {
    const y = fn().replace('functions:', 'provider: {stage: qa, region: eu-west-1}\nfunctions:');
    expect([config(y).stage, config(y).region, config(y).functions['ingest']!.name]).toEqual(['qa', 'eu-west-1', 'svc-qa-ingest']);
    const c = config(y, { stage: 'prod', region: 'ap-south-1' });
    expect([c.stage, c.region, c.functions['ingest']!.name]).toEqual(['prod', 'ap-south-1', 'svc-prod-ingest']);
  });

  it('name: overrides the deployed name', () => {
    expect(config(fn('    name: custom-name')).functions['ingest']!.name).toBe('custom-name');
  });

  it("a deployed name over Lambda's 64 characters is an error", () => {
    const long = 'x'.repeat(60);
    expect(problems(`service: ${long}\nfunctions:\n  ingest:\n    handler: a.handler`)).toEqual([
      `functions.ingest: deployed name "${long}-dev-ingest" is longer than Lambda's 64 characters; set a shorter name:`,
    ]);
  });

  it('two functions with the same deployed name are an error', () => {
    expect(problems('service: svc\nfunctions:\n  a: {handler: a.h, name: same}\n  b: {handler: b.h, name: same}')).toEqual([
      'functions.b.name: deployed name "same" is also the name of function a',
    ]);
  });

  it('null sections do not crash', () => {
    const c = config('service: svc\nprovider:\nfunctions:\nresources:\ncustom:\nlayers:\npackage:\nbuild:\n');
    expect(c.functions).toEqual({});
    expect(c.streams).toEqual([]);
    expect(c.stage).toBe('dev');
    const f = config(fn('    environment:\n    events:\n    layers:\n    package:\n')).functions['ingest']!;
    expect([f.environment, f.events, f.layers, f.packagePatterns]).toEqual([{}, [], [], []]);
  });

  it('an empty file or a non-mapping is a clear error', () => {
    expect(() => resolveServiceConfig(null)).toThrow('serverless.yml is invalid:\n  the file is empty');
    expect(() => resolveServiceConfig(['a'])).toThrow('serverless.yml is invalid:\n  must be a mapping of keys (service, provider, functions, …)');
  });
});

describe('validation: every problem, with its path', () => {
  it('reports all problems of a file in one error, with exact messages', () => {
    let message = '';
    try {
      config(`service: svc
provider:
  name: aws
  timeout: 1000
  memorysize: 512
functions:
  ingest:
    handler: src/ingest.handler
    timout: 3
    memorySize: 64
    reservedConcurrency: -1
    maximumRetryAttempts: 3
    maximumEventAge: 30
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/events
          batchSize: 20000
          batchWindow: 301
          parallelizationFactor: 11
          maximumRetryAttempts: -2
          maximumRecordAgeInSeconds: 30
          tumblingWindowInSeconds: 901
          startingPosition: EARLIEST
          functionResponseType: ReportBatchItemFailure
          enabled: maybe
`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      [
        'serverless.yml is invalid (16 problems):',
        '  provider.timeout: must be ≤ 900',
        '  provider.memorysize: unknown key (did you mean "memorySize"?)',
        '  functions.ingest.timout: unknown key (did you mean "timeout"?)',
        '  functions.ingest.memorySize: must be ≥ 128',
        '  functions.ingest.reservedConcurrency: must be ≥ 0',
        '  functions.ingest.maximumRetryAttempts: must be ≤ 2',
        '  functions.ingest.maximumEventAge: must be ≥ 60',
        '  functions.ingest.events[0].stream.batchSize: must be ≤ 10000',
        '  functions.ingest.events[0].stream.batchWindow: must be ≤ 300',
        '  functions.ingest.events[0].stream.parallelizationFactor: must be ≤ 10',
        '  functions.ingest.events[0].stream.maximumRetryAttempts: must be ≥ -1',
        '  functions.ingest.events[0].stream.maximumRecordAgeInSeconds: must be -1 or between 60 and 604800',
        '  functions.ingest.events[0].stream.tumblingWindowInSeconds: must be ≤ 900',
        '  functions.ingest.events[0].stream.startingPosition: must be one of: TRIM_HORIZON, LATEST, AT_TIMESTAMP (got "EARLIEST")',
        '  functions.ingest.events[0].stream.functionResponseType: must be one of: ReportBatchItemFailures (got "ReportBatchItemFailure")',
      ].join('\n') + '\n  functions.ingest.events[0].stream.enabled: must be true or false',
    );
  });

  it('type errors name the expected type', () => {
    expect(problems(fn('    timeout: soon\n    memorySize: 128.5\n    handler2: x\n    environment: [a]'))).toEqual([
      'functions.ingest.timeout: must be an integer',
      'functions.ingest.memorySize: must be an integer',
      'functions.ingest.handler2: unknown key (did you mean "handler"?)',
      'functions.ingest.environment: must be an object',
    ]);
  });

  it('numeric and boolean strings are accepted where numbers and booleans are expected (as Serverless does)', () => {
    const f = config(fn("    timeout: '30'")).functions['ingest']!;
    expect(f.timeout).toBe(30);
  });

  it('required keys', () => {
    expect(problems('provider: {name: aws}\nfunctions:\n  a:\n    memorySize: 128')).toEqual(['service: is required', 'functions.a.handler: is required']);
  });

  it('unknown keys without a near known key are reported by name', () => {
    expect(problems(fn('    frobnicate: 1'))).toEqual(['functions.ingest.frobnicate: unknown key']);
  });

  it('unknown top-level keys: a typo is an error, anything else a notice (plugins add keys)', () => {
    expect(problems('service: svc\nfunctons: {}')).toEqual(['functons: unknown key (did you mean "functions"?)']);
    expect(config('service: svc\nstepFunctions: {stateMachines: {}}').notices).toEqual(['stepFunctions: not a key eddy reads (a plugin’s?); ignored']);
  });

  it('runtimes: Node.js only', () => {
    expect(problems(fn('    runtime: python3.12'))).toEqual([
      'functions.ingest.runtime: eddy runs Node.js functions only (got "python3.12"); use one of: nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x',
    ]);
    expect(problems(fn('    runtime: nodejs16.x'))).toEqual([
      'functions.ingest.runtime: must be one of: nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x (got "nodejs16.x")',
    ]);
    for (const r of ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x']) expect(config(fn(`    runtime: ${r}`)).functions['ingest']!.runtime).toBe(r);
  });

  it('architecture enum', () => {
    expect(problems(fn('    architecture: arm'))).toEqual(['functions.ingest.architecture: must be one of: x86_64, arm64 (got "arm")']);
  });

  it('reservedConcurrency 0 is allowed (throttles everything)', () => {
    expect(config(fn('    reservedConcurrency: 0')).functions['ingest']!.reservedConcurrency).toBe(0);
    expect(config(fn('    reservedConcurrency: 25')).functions['ingest']!.reservedConcurrency).toBe(25);
    expect(config(fn('    reservedConcurrency: ${env:RC}'), { env: { RC: '5' } }).functions['ingest']!.reservedConcurrency).toBe(5);
  });

  it('container images are refused', () => {
    expect(problems(fn('    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest'))).toEqual([
      'functions.ingest.image: container image functions are not supported: eddy runs Node.js handlers (handler: file.export)',
    ]);
  });

  it('an event must name exactly one type', () => {
    expect(problems(fn('    events:\n      - {}\n      - {stream: "arn:aws:kinesis:us-east-1:123456789012:stream/a", sqs: x}'))).toEqual([
      'functions.ingest.events[0]: must name one event type (e.g. stream)',
      'functions.ingest.events[1]: must name exactly one event type (e.g. stream) (got stream, sqs)',
    ]);
  });
});

describe('notices for valid Serverless keys eddy does not emulate', () => {
  it('one line each, never a crash', () => {
    const c = config(`service: svc
plugins:
  - serverless-offline
  - serverless-iam-roles-per-function
provider:
  name: aws
  iam:
    role:
      statements: []
  iamRoleStatements: []
  tracing: {lambda: true}
  deploymentBucket: {name: my-bucket}
  tags: {team: x}
package:
  individually: true
functions:
  ingest:
    handler: a.handler
    vpc: {securityGroupIds: [sg-1], subnetIds: [subnet-1]}
    tracing: Active
    url: true
    snapStart: true
    iamRoleStatements: []
    provisionedConcurrency: 2
    description: does things
    events:
      - http: {path: /, method: get}
      - sqs: arn:aws:sqs:us-east-1:123456789012:q
`);
    expect(c.notices).toEqual([
      'provider.iam: IAM is not enforced by eddy; ignored',
      'provider.iamRoleStatements: IAM is not enforced by eddy; ignored',
      'provider.tracing: X-Ray tracing is not emulated by eddy; ignored',
      'package.individually: eddy bundles each function on its own anyway; ignored',
      'functions.ingest.vpc: not emulated by eddy; ignored',
      'functions.ingest.tracing: X-Ray tracing is not emulated by eddy; ignored',
      'functions.ingest.url: function URLs are not emulated by eddy; ignored',
      'functions.ingest.snapStart: not emulated by eddy; ignored',
      'functions.ingest.iamRoleStatements: IAM is not enforced by eddy; ignored',
      'functions.ingest.provisionedConcurrency: provisioned concurrency is not emulated by eddy (environments start on demand); ignored',
      'functions.ingest.events[0].http: http events are not emulated by eddy; ignored',
      'functions.ingest.events[1].sqs: sqs events are not emulated by eddy; ignored',
      'plugins: not run by eddy: serverless-iam-roles-per-function',
    ]);
  });
});

describe('environment', () => {
  it('provider and function environments merge (function wins), values become strings', () => {
    const c = config(`service: svc
provider:
  environment:
    A: provider
    B: provider
    N: 42
functions:
  ingest:
    handler: a.handler
    environment:
      B: function
      T: true
      F: 1.5
`);
    expect(c.functions['ingest']!.environment).toEqual({ A: 'provider', B: 'function', N: '42', T: 'true', F: '1.5' });
  });

  it('names must be valid and not reserved by Lambda', () => {
    expect(problems(fn('    environment:\n      1BAD: x\n      my-var: y\n      AWS_REGION: z\n      _HANDLER: h'))).toEqual([
      'functions.ingest.environment["1BAD"]: must be a valid environment variable name (letters, digits and _, not starting with a digit)',
      'functions.ingest.environment.my-var: must be a valid environment variable name (letters, digits and _, not starting with a digit)',
      'functions.ingest.environment.AWS_REGION: is reserved by Lambda and cannot be set',
      'functions.ingest.environment._HANDLER: is reserved by Lambda and cannot be set',
    ]);
  });

  it("the total size is limited to Lambda's 4 KB", () => {
    const ok = config(fn(`    environment:\n      BIG: ${'x'.repeat(4000)}`));
    expect(ok.functions['ingest']!.environment['BIG']).toHaveLength(4000);
    expect(problems(fn(`    environment:\n      BIG: ${'x'.repeat(4090)}`))).toEqual([
      "functions.ingest.environment: is 4100 bytes, over Lambda's 4 KB limit for all environment variables",
    ]);
  });

  it('intrinsics are resolved where eddy can; others are left out with a notice', () => {
    const c = config(`service: svc
functions:
  ingest:
    handler: a.handler
    environment:
      STREAM: !Ref Events
      STREAM_ARN: !GetAtt Events.Arn
      QUEUE_URL: {Ref: Dlq}
      REGION: !Sub '\${AWS::Region}-\${AWS::AccountId}'
      BUCKET: !Ref Bucket
resources:
  Resources:
    Events: {Type: 'AWS::Kinesis::Stream', Properties: {Name: events}}
    Dlq: {Type: 'AWS::SQS::Queue', Properties: {QueueName: dlq}}
    Bucket: {Type: 'AWS::S3::Bucket'}
`);
    expect(c.functions['ingest']!.environment).toEqual({
      STREAM: 'events',
      STREAM_ARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/events',
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/dlq',
      REGION: 'us-east-1-000000000000',
    });
    expect(c.notices).toEqual(['functions.ingest.environment.BUCKET: Ref to Bucket (AWS::S3::Bucket) is not resolved by eddy; not set']);
  });

  it('a variable resolving to null drops the variable', () => {
    expect(config(fn('    environment:\n      GONE: ${env:NOPE, null}\n      KEPT: k')).functions['ingest']!.environment).toEqual({ KEPT: 'k' });
  });
});

describe('async invocation settings', () => {
  it('defaults 2 retries and 21600 s, ranges 0..2 and 60..21600', () => {
    const f = config(fn('    maximumRetryAttempts: 0\n    maximumEventAge: 60')).functions['ingest']!;
    expect([f.maximumRetryAttempts, f.maximumEventAge]).toEqual([0, 60]);
  });

  it('destinations: a function of this service (key or name), an ARN, or {arn, type}', () => {
    const c = config(`service: svc
functions:
  ingest:
    handler: a.handler
    destinations:
      onSuccess: notify
      onFailure:
        arn: !GetAtt Dlq.Arn
        type: sqs
  other:
    handler: b.handler
    destinations:
      onSuccess: svc-dev-notify
      onFailure: arn:aws:sns:us-east-1:123456789012:alerts
  third:
    handler: c.handler
    destinations:
      onSuccess: {arn: !GetAtt NotifyLambdaFunction.Arn, type: function}
  notify:
    handler: n.handler
resources:
  Resources:
    Dlq: {Type: 'AWS::SQS::Queue'}
`);
    expect(c.functions['ingest']!.destinations).toEqual({
      onSuccess: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-notify',
      onFailure: 'arn:aws:sqs:us-east-1:000000000000:svc-dev-Dlq',
    });
    expect(c.functions['other']!.destinations).toEqual({
      onSuccess: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-notify',
      onFailure: 'arn:aws:sns:us-east-1:123456789012:alerts',
    });
    expect(c.functions['third']!.destinations).toEqual({ onSuccess: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-notify' });
  });

  it('an unknown destination is an error', () => {
    expect(problems(fn('    destinations:\n      onFailure: nobody\n      onSucess: x'))).toEqual([
      'functions.ingest.destinations.onSucess: unknown key (did you mean "onSuccess"?)',
      'functions.ingest.destinations.onFailure: "nobody" is neither an ARN nor a function of this service',
    ]);
  });
});

describe('log format (provider.logs.lambda / functions.*.logs)', () => {
  it('Text by default; JSON and levels from the provider; the function overrides per key', () => {
    const c = config(`service: svc
provider:
  logs:
    lambda:
      logFormat: JSON
      applicationLogLevel: WARN
      systemLogLevel: INFO
functions:
  a:
    handler: a.handler
  b:
    handler: b.handler
    logs:
      applicationLogLevel: DEBUG
`);
    const { a, b } = c.functions;
    expect([a!.logFormat, a!.applicationLogLevel, a!.systemLogLevel]).toEqual(['JSON', 'WARN', 'INFO']);
    expect([b!.logFormat, b!.applicationLogLevel, b!.systemLogLevel]).toEqual(['JSON', 'DEBUG', 'INFO']);
  });

  it('levels with the Text format are ignored with a notice', () => {
    const c = config(fn('    logs:\n      applicationLogLevel: DEBUG'));
    expect(c.functions['ingest']!.applicationLogLevel).toBeUndefined();
    expect(c.notices).toEqual(['functions.ingest.logs: applicationLogLevel/systemLogLevel take effect only with logFormat JSON; ignored']);
  });

  it('bad values are errors', () => {
    expect(problems(fn('    logs:\n      logFormat: json\n      systemLogLevel: ERROR'))).toEqual([
      'functions.ingest.logs.logFormat: must be one of: Text, JSON (got "json")',
      'functions.ingest.logs.systemLogLevel: must be one of: DEBUG, INFO, WARN (got "ERROR")',
    ]);
  });
});

describe('package patterns', () => {
  it('service patterns then function patterns; legacy include/exclude become patterns', () => {
    const c = config(fn("    package:\n      patterns: ['!**/*.test.ts', 'config/**']\n      include: [extra/**]").replace('functions:', 'package:\n  exclude: [docs/**]\nfunctions:'));
    expect(c.functions['ingest']!.packagePatterns).toEqual(['!docs/**', 'extra/**', '!**/*.test.ts', 'config/**']);
  });
});

describe('helpers', () => {
  it('normalizedName follows Serverless (capitalised, - -> Dash, _ -> Underscore)', () => {
    expect(normalizedName('shared')).toBe('Shared');
    expect(normalizedName('my-layer_x')).toBe('MyDashlayerUnderscorex');
  });

  it('streamNameOf takes the name from a stream or consumer ARN', () => {
    expect(streamNameOf('arn:aws:kinesis:us-east-1:123456789012:stream/a.b-c_d')).toBe('a.b-c_d');
    expect(streamNameOf('arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1')).toBe('s');
    expect(streamNameOf('arn:aws:sqs:us-east-1:123456789012:q')).toBeUndefined();
  });
});

describe('the result is frozen', () => {
  it('deeply: assigning anywhere throws', () => {
    const c = config(fn('    environment: {A: a}\n    events:\n      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/s'));
    const f = c.functions['ingest']!;
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { stage: string }).stage = 'x';
    }).toThrow(TypeError);
    expect(() => {
      (f.environment as Record<string, string>)['A'] = 'b';
    }).toThrow(TypeError);
    expect(() => {
      (f.events as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (f.events[0] as { batchSize: number }).batchSize = 1;
    }).toThrow(TypeError);
    expect(() => {
      (c.notices as string[]).push('x');
    }).toThrow(TypeError);
  });
});

describe('names that become part of Lambda names', () => {
  it('function keys, --stage and --region are checked', () => {
    expect(problems('service: svc\nfunctions:\n  "my.fn": {handler: a.h}')).toEqual([
      'functions["my.fn"]: function keys may contain only letters, digits, - and _ (they become part of the Lambda name)',
    ]);
    expect(problems(fn(), { stage: 'my stage', region: 'mars' })).toEqual([
      '--stage: must contain only letters, digits and -',
      '--region: must be an AWS region such as us-east-1',
    ]);
  });
});
