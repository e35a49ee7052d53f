// `stream` events (reference §8.2) and AWS::Kinesis::Stream resources.
import { describe, expect, it } from 'vitest';
import type { StreamEventConfig } from '../../../runtime/config/types.ts';
import { config, problems } from './helpers.ts';

const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/events';

function events(eventsYaml: string, rest = ''): readonly StreamEventConfig[] {
  return config(`service: svc\nfunctions:\n  consume:\n    handler: a.handler\n    events:\n${eventsYaml}\n${rest}`).functions['consume']!.events;
}

function eventProblems(eventsYaml: string, rest = ''): string[] {
  return problems(`service: svc\nfunctions:\n  consume:\n    handler: a.handler\n    events:\n${eventsYaml}\n${rest}`);
}

const RESOURCES = `resources:
  Resources:
    EventsStream:
      Type: AWS::Kinesis::Stream
      Properties:
        Name: \${self:service}-\${sls:stage}-events
        ShardCount: 4
    Unnamed:
      Type: AWS::Kinesis::Stream
    FailedQueue:
      Type: AWS::SQS::Queue
    Alerts:
      Type: AWS::SNS::Topic
      Properties: {TopicName: alerts}
    Table:
      Type: AWS::DynamoDB::Table
      Properties: {TableName: things}
`;

describe('stream events', () => {
  it("a plain ARN gets Serverless's defaults (BatchSize 10, TRIM_HORIZON) and AWS's", () => {
    expect(events(`      - stream: ${ARN}`)).toEqual([
      {
        functionKey: 'consume',
        arn: ARN,
        streamName: 'events',
        batchSize: 10,
        batchWindow: 0,
        startingPosition: 'TRIM_HORIZON',
        startingPositionTimestamp: undefined,
        maximumRetryAttempts: -1,
        parallelizationFactor: 1,
        bisectBatchOnFunctionError: false,
        maximumRecordAgeInSeconds: -1,
        tumblingWindowInSeconds: 0,
        functionResponseType: undefined,
        filterPatterns: [],
        onFailure: undefined,
        enabled: true,
        consumer: false,
      },
    ]);
  });

  it('every key of the object form', () => {
    const [e] = events(`      - stream:
          arn: ${ARN}
          type: kinesis
          batchSize: 100
          batchWindow: 1
          startingPosition: AT_TIMESTAMP
          startingPositionTimestamp: 1700000000
          maximumRetryAttempts: 5
          parallelizationFactor: 2
          bisectBatchOnFunctionError: true
          maximumRecordAgeInSeconds: 3600
          tumblingWindowInSeconds: 60
          functionResponseType: ReportBatchItemFailures
          filterPatterns:
            - data:
                eventType: [order_created]
            - partitionKey: [{prefix: vip-}]
          destinations:
            onFailure: arn:aws:sqs:us-east-1:123456789012:failed
          enabled: false
          consumer: true`);
    expect(e).toEqual({
      functionKey: 'consume',
      arn: ARN,
      streamName: 'events',
      batchSize: 100,
      batchWindow: 1,
      startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: 1700000000,
      maximumRetryAttempts: 5,
      parallelizationFactor: 2,
      bisectBatchOnFunctionError: true,
      maximumRecordAgeInSeconds: 3600,
      tumblingWindowInSeconds: 60,
      functionResponseType: 'ReportBatchItemFailures',
      filterPatterns: ['{"data":{"eventType":["order_created"]}}', '{"partitionKey":[{"prefix":"vip-"}]}'],
      onFailure: 'arn:aws:sqs:us-east-1:123456789012:failed',
      enabled: false,
      consumer: true,
      consumerName: 'consumeeventsConsumer',
    });
  });

  it('boundaries that are allowed', () => {
    const [e] = events(`      - stream:
          arn: ${ARN}
          batchSize: 10000
          batchWindow: 300
          maximumRetryAttempts: 10000
          parallelizationFactor: 10
          maximumRecordAgeInSeconds: 604800
          tumblingWindowInSeconds: 900`);
    expect([e!.batchSize, e!.batchWindow, e!.maximumRetryAttempts, e!.parallelizationFactor, e!.maximumRecordAgeInSeconds, e!.tumblingWindowInSeconds]).toEqual([
      10000, 300, 10000, 10, 604800, 900,
    ]);
    const [low] = events(`      - stream: {arn: ${ARN}, batchSize: 1, maximumRetryAttempts: -1, maximumRecordAgeInSeconds: 60}`);
    expect([low!.batchSize, low!.maximumRetryAttempts, low!.maximumRecordAgeInSeconds]).toEqual([1, -1, 60]);
  });

  it('errors name the path of each bad value', () => {
    expect(
      eventProblems(`      - stream:
          arn: ${ARN}
          batchSize: 0
          filterPatterns: [a]
      - stream:
          arn: ${ARN}
          filterPatterns: []
          bisect: true
      - stream: {arn: ${ARN}, filterPatterns: [{a: 1}, {a: 2}, {a: 3}, {a: 4}, {a: 5}, {a: 6}, {a: 7}, {a: 8}, {a: 9}, {a: 10}, {a: 11}]}
      - stream: {batchSize: 5}
      - stream: {arn: ${ARN}, filterPatterns: [{data: {n: [{numeric: ['>']}]}}]}`),
    ).toEqual([
      'functions.consume.events[0].stream.batchSize: must be ≥ 1',
      'functions.consume.events[0].stream.filterPatterns[0]: must be an object',
      'functions.consume.events[1].stream.filterPatterns: must have at least 1 item',
      'functions.consume.events[1].stream.bisect: unknown key (did you mean "bisectBatchOnFunctionError"?)',
      'functions.consume.events[2].stream.filterPatterns: must have at most 10 items',
      'functions.consume.events[3].stream.arn: is required',
      expect.stringMatching(/^functions\.consume\.events\[4\]\.stream\.filterPatterns\[0\]: invalid filter pattern: /),
    ]);
  });

  it('AT_TIMESTAMP needs a timestamp; a timestamp without AT_TIMESTAMP is ignored with a notice', () => {
    expect(eventProblems(`      - stream: {arn: ${ARN}, startingPosition: AT_TIMESTAMP}`)).toEqual([
      'functions.consume.events[0].stream.startingPositionTimestamp: is required when startingPosition is AT_TIMESTAMP',
    ]);
    const c = config(`service: svc\nfunctions:\n  consume:\n    handler: a.h\n    events:\n      - stream: {arn: ${ARN}, startingPositionTimestamp: 1700000000}`);
    expect(c.functions['consume']!.events[0]!.startingPositionTimestamp).toBeUndefined();
    expect(c.notices).toEqual(['functions.consume.events[0].stream.startingPositionTimestamp: used only with startingPosition AT_TIMESTAMP; ignored']);
  });

  it('a non-Kinesis ARN is an error; a DynamoDB stream is skipped with a notice', () => {
    expect(eventProblems('      - stream: arn:aws:sqs:us-east-1:123456789012:q')).toEqual([
      'functions.consume.events[0].stream.arn: must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>), got "arn:aws:sqs:us-east-1:123456789012:q"',
    ]);
    const c = config(
      'service: svc\nfunctions:\n  consume:\n    handler: a.h\n    events:\n      - stream: arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2020-01-01T00:00:00.000',
    );
    expect(c.functions['consume']!.events).toEqual([]);
    expect(c.notices).toEqual(['functions.consume.events[0].stream: DynamoDB streams are not emulated by eddy; this event is skipped']);
  });

  it('consumer: true or a consumer ARN', () => {
    const consumerArn = `${ARN}/consumer/app:1700000000`;
    expect(events(`      - stream: {arn: ${ARN}, consumer: ${consumerArn}}`)[0]!.consumer).toBe(consumerArn);
    expect(eventProblems(`      - stream: {arn: ${ARN}, consumer: nope}`)).toEqual([
      'functions.consume.events[0].stream.consumer: must be true or a stream consumer ARN (arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<consumer>:<timestamp>)',
    ]);
    expect(events(`      - stream: {arn: ${ARN}, consumer: ${consumerArn}}`)[0]!.consumerName).toBeUndefined();
    expect(events(`      - stream: {arn: ${ARN}, consumer: false}`)[0]!.consumerName).toBeUndefined();
  });

  it("consumer: true names the consumer to register as Serverless does (<function><stream>Consumer, the stream's logical id for an intrinsic)", () => {
    expect(events(`      - stream: {arn: ${ARN}, consumer: true}`)[0]!.consumerName).toBe('consumeeventsConsumer');
    const getAtt = `      - stream: {type: kinesis, arn: {Fn::GetAtt: [EventsStream, Arn]}, consumer: true}`;
    expect(events(getAtt, RESOURCES)[0]!.consumerName).toBe('consumeEventsStreamConsumer');
    expect(events(`      - stream: {type: kinesis, arn: !GetAtt EventsStream.Arn, consumer: true}`, RESOURCES)[0]!.consumerName).toBe('consumeEventsStreamConsumer');
    expect(events(`      - stream: {type: kinesis, arn: {Ref: EventsStream}, consumer: true}`, RESOURCES)[0]!.consumerName).toBe('consumeEventsStreamConsumer');
    const join = `      - stream: {type: kinesis, arn: {Fn::Join: ['', ['arn:aws:kinesis:us-east-1:123456789012:stream/', 'joined']]}, consumer: true}`;
    expect(events(join)[0]!.consumerName).toBe('consumejoinedConsumer');
    // provider.kinesis.consumerNamingMode: serviceSpecific adds the service and the stage.
    const specific = config(
      `service: svc\nprovider:\n  name: aws\n  kinesis:\n    consumerNamingMode: serviceSpecific\nfunctions:\n  consume:\n    handler: a.handler\n    events:\n${getAtt}\n${RESOURCES}`,
    );
    expect(specific.functions['consume']!.events[0]!.consumerName).toBe('consumeEventsStreamsvcdevConsumer');
  });
});

describe('stream ARNs from intrinsics, resolved against resources', () => {
  const expected = 'arn:aws:kinesis:us-east-1:000000000000:stream/svc-dev-events';

  it('Fn::GetAtt [X, Arn], its short form !GetAtt X.Arn and !GetAtt [X, Arn]', () => {
    const es = events(
      `      - stream: {type: kinesis, arn: {Fn::GetAtt: [EventsStream, Arn]}}
      - stream: {type: kinesis, arn: !GetAtt EventsStream.Arn}
      - stream:
          type: kinesis
          arn: !GetAtt [EventsStream, Arn]`,
      RESOURCES,
    );
    expect(es.map((e) => [e.arn, e.streamName])).toEqual([
      [expected, 'svc-dev-events'],
      [expected, 'svc-dev-events'],
      [expected, 'svc-dev-events'],
    ]);
  });

  it('Ref gives the stream name, taken as the stream of that name', () => {
    expect(events('      - stream: {type: kinesis, arn: !Ref EventsStream}', RESOURCES)[0]!.arn).toBe(expected);
  });

  it('Fn::Join and Fn::Sub with ${AWS::Region} / ${AWS::AccountId} (account 000000000000)', () => {
    const es = events(
      `      - stream:
          type: kinesis
          arn: !Join [':', ['arn:aws:kinesis', !Ref AWS::Region, !Ref AWS::AccountId, 'stream/joined']]
      - stream:
          type: kinesis
          arn: !Sub 'arn:aws:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/subbed'
      - stream:
          type: kinesis
          arn: {Fn::Sub: ['arn:aws:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/\${Name}', {Name: !Ref EventsStream}]}
      - stream:
          type: kinesis
          arn: !Sub '\${EventsStream.Arn}'`,
      RESOURCES,
    );
    expect(es.map((e) => e.arn)).toEqual([
      'arn:aws:kinesis:us-east-1:000000000000:stream/joined',
      'arn:aws:kinesis:us-east-1:000000000000:stream/subbed',
      expected,
      expected,
    ]);
  });

  it('the region of generated ARNs follows --region', () => {
    const c = config(`service: svc\nfunctions:\n  consume:\n    handler: a.h\n    events:\n      - stream: {type: kinesis, arn: !GetAtt EventsStream.Arn}\n${RESOURCES}`, {
      region: 'eu-west-1',
    });
    expect(c.functions['consume']!.events[0]!.arn).toBe('arn:aws:kinesis:eu-west-1:000000000000:stream/svc-dev-events');
  });

  it('Fn::ImportValue reads custom.eddy.imports; unmapped it is an error saying where to map it', () => {
    const es = events(
      '      - stream: {type: kinesis, arn: !ImportValue shared-events-arn}',
      `custom:\n  eddy:\n    imports:\n      shared-events-arn: ${ARN}`,
    );
    expect(es[0]!.arn).toBe(ARN);
    expect(eventProblems('      - stream: {type: kinesis, arn: {Fn::ImportValue: other}}')).toEqual([
      'functions.consume.events[0].stream.arn: Fn::ImportValue "other" is not mapped; add it under custom.eddy.imports',
    ]);
  });

  it('type is required with an intrinsic; unknown resources and attributes are errors', () => {
    expect(
      eventProblems(
        `      - stream: {arn: !GetAtt EventsStream.Arn}
      - stream: {type: kinesis, arn: !GetAtt Nope.Arn}
      - stream: {type: kinesis, arn: !GetAtt EventsStream.StreamArn}
      - stream: {type: kinesis, arn: {Fn::If: [c, a, b]}}`,
        RESOURCES,
      ),
    ).toEqual([
      'functions.consume.events[0].stream.type: is required when arn is a CloudFormation intrinsic (kinesis or dynamodb)',
      'functions.consume.events[1].stream.arn: no resource "Nope" in resources.Resources (nor a function or layer of this service)',
      'functions.consume.events[2].stream.arn: Fn::GetAtt EventsStream.StreamArn (AWS::Kinesis::Stream) is not resolved by eddy',
      'functions.consume.events[3].stream.arn: Fn::If is not resolved by eddy (supported: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::ImportValue, Fn::Select, Fn::Split)',
    ]);
  });

  it('a DynamoDB table StreamArn is skipped with a notice', () => {
    const c = config(`service: svc\nfunctions:\n  consume:\n    handler: a.h\n    events:\n      - stream: {type: dynamodb, arn: !GetAtt Table.StreamArn}\n${RESOURCES}`);
    expect(c.functions['consume']!.events).toEqual([]);
    expect(c.notices).toEqual(['functions.consume.events[0].stream: DynamoDB streams are not emulated by eddy; this event is skipped']);
  });

  it('on-failure destinations: an ARN string, or {arn, type} with intrinsics (SQS queue, SNS topic)', () => {
    const es = events(
      `      - stream:
          arn: ${ARN}
          destinations:
            onFailure:
              arn: !GetAtt FailedQueue.Arn
              type: sqs
      - stream:
          arn: ${ARN}
          destinations:
            onFailure: {arn: !Ref Alerts, type: sns}
      - stream:
          arn: ${ARN}
          destinations:
            onFailure: arn:aws:lambda:us-east-1:000000000000:function:svc-dev-dlq`,
      RESOURCES,
    );
    expect(es.map((e) => e.onFailure)).toEqual([
      'arn:aws:sqs:us-east-1:000000000000:svc-dev-FailedQueue',
      'arn:aws:sns:us-east-1:000000000000:alerts',
      'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-dlq',
    ]);
    expect(
      eventProblems(`      - stream:
          arn: ${ARN}
          destinations:
            onFailure: {arn: 'arn:aws:s3:::bucket', type: s3}`),
    ).toEqual(['functions.consume.events[0].stream.destinations.onFailure.type: must be one of: sns, sqs, function (got "s3")']);
  });
});

describe('AWS::Kinesis::Stream resources', () => {
  it('become StreamResourceConfig with CloudFormation defaults; other resource types are ignored', () => {
    const c = config(`service: svc\n${RESOURCES}`);
    expect(c.streams).toEqual([
      { logicalId: 'EventsStream', name: 'svc-dev-events', mode: 'PROVISIONED', shardCount: 4, retentionPeriodHours: 24, maxRecordSizeInKiB: 1024, encryptionKeyId: undefined },
      // No Name: eddy names it <service>-<stage>-<LogicalId> (CloudFormation would add a random suffix).
      { logicalId: 'Unnamed', name: 'svc-dev-Unnamed', mode: 'PROVISIONED', shardCount: 1, retentionPeriodHours: 24, maxRecordSizeInKiB: 1024, encryptionKeyId: undefined },
    ]);
    expect(c.notices).toEqual([]);
  });

  it('every property eddy reads', () => {
    const c = config(`service: svc
resources:
  Resources:
    S:
      Type: AWS::Kinesis::Stream
      Properties:
        Name: !Sub '\${AWS::StackName}-s'
        RetentionPeriodHours: 8760
        MaxRecordSizeInKiB: 10240
        StreamModeDetails: {StreamMode: ON_DEMAND}
        StreamEncryption: {EncryptionType: KMS, KeyId: alias/aws/kinesis}
        Tags: [{Key: team, Value: data}]
`);
    expect(c.streams).toEqual([
      { logicalId: 'S', name: 'svc-dev-s', mode: 'ON_DEMAND', shardCount: 4, retentionPeriodHours: 8760, maxRecordSizeInKiB: 10240, encryptionKeyId: 'alias/aws/kinesis' },
    ]);
  });

  it('ShardCount on an ON_DEMAND stream is ignored with a notice', () => {
    const c = config('service: svc\nresources:\n  Resources:\n    S: {Type: AWS::Kinesis::Stream, Properties: {StreamModeDetails: {StreamMode: ON_DEMAND}, ShardCount: 9}}');
    expect(c.streams[0]!.shardCount).toBe(4);
    expect(c.notices).toEqual(['resources.Resources.S.Properties.ShardCount: ignored for an ON_DEMAND stream (eddy starts it with 4 shards)']);
  });

  it('bad properties are errors with their path', () => {
    expect(
      problems(`service: svc
resources:
  Resources:
    A:
      Type: AWS::Kinesis::Stream
      Properties: {Name: 'bad name', ShardCount: 0, RetentionPeriodHours: 12, MaxRecordSizeInKiB: 20000, StreamModeDetails: {StreamMode: FAST}, Shards: 2}
    B:
      Type: AWS::Kinesis::Stream
      Properties: {Name: dup, RetentionPeriodHours: 8761}
    C:
      Type: AWS::Kinesis::Stream
      Properties: {Name: dup}
    D:
      Properties: {}
    E:
      Type: AWS::Kinesis::Stream
      Properties: {Name: !Sub 'bad \${AWS::Region}'}
`),
    ).toEqual([
      'resources.Resources.D.Type: is required',
      'resources.Resources.A.Properties.Name: must match [a-zA-Z0-9_.-]+',
      'resources.Resources.A.Properties.ShardCount: must be ≥ 1',
      'resources.Resources.A.Properties.RetentionPeriodHours: must be ≥ 24',
      'resources.Resources.A.Properties.MaxRecordSizeInKiB: must be ≤ 10240',
      'resources.Resources.A.Properties.StreamModeDetails.StreamMode: must be one of: PROVISIONED, ON_DEMAND (got "FAST")',
      'resources.Resources.A.Properties.Shards: unknown key (did you mean "ShardCount"?)',
      'resources.Resources.B.Properties.RetentionPeriodHours: must be ≤ 8760',
      'resources.Resources.C.Properties.Name: stream name "dup" is also used by B',
      'resources.Resources.E.Properties.Name: resolves to "bad us-east-1", not a valid stream name ([a-zA-Z0-9_.-]{1,128})',
    ]);
  });

  it('resources given as a list of fragments are merged, as Serverless does', () => {
    const c = config(`service: svc
resources:
  - Resources:
      A: {Type: AWS::Kinesis::Stream, Properties: {Name: a}}
  - Resources:
      B: {Type: AWS::Kinesis::Stream, Properties: {Name: b, ShardCount: 2}}
    Outputs: {}
`);
    expect(c.streams.map((s) => [s.name, s.shardCount])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});
