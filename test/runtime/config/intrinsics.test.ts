// CloudFormation intrinsics against a resource catalogue, account 000000000000.
import { describe, expect, it } from 'vitest';
import { evaluate, IntrinsicError, resourceName, type IntrinsicContext } from '../../../runtime/config/intrinsics.ts';

const ctx: IntrinsicContext = {
  region: 'eu-west-1',
  accountId: '000000000000',
  stackName: 'svc-dev',
  resources: {
    Events: { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'events' } },
    Named: { Type: 'AWS::Kinesis::Stream', Properties: { Name: { 'Fn::Sub': '${AWS::StackName}-named' } } },
    Queue: { Type: 'AWS::SQS::Queue' },
    Fifo: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alerts' } },
    Loop: { Type: 'AWS::Kinesis::Stream', Properties: { Name: { Ref: 'Loop' } } },
  },
  functions: new Map([['NotifyLambdaFunction', 'svc-dev-notify']]),
  layers: new Map([['SharedLambdaLayer', 'shared']]),
  imports: { 'shared-arn': 'arn:aws:kinesis:eu-west-1:111111111111:stream/shared' },
};

const ev = (v: unknown) => evaluate(ctx, v);

describe('intrinsics', () => {
  it('Ref: pseudo parameters, streams (name), queues (URL), topics (ARN), functions (name), layers (version ARN)', () => {
    expect(['AWS::Region', 'AWS::AccountId', 'AWS::StackName', 'AWS::Partition', 'AWS::URLSuffix'].map((r) => ev({ Ref: r }))).toEqual([
      'eu-west-1',
      '000000000000',
      'svc-dev',
      'aws',
      'amazonaws.com',
    ]);
    expect(ev({ Ref: 'Events' })).toBe('events');
    expect(ev({ Ref: 'Queue' })).toBe('https://sqs.eu-west-1.amazonaws.com/000000000000/svc-dev-Queue');
    expect(ev({ Ref: 'Topic' })).toBe('arn:aws:sns:eu-west-1:000000000000:alerts');
    expect(ev({ Ref: 'NotifyLambdaFunction' })).toBe('svc-dev-notify');
    expect(ev({ Ref: 'SharedLambdaLayer' })).toBe('arn:aws:lambda:eu-west-1:000000000000:layer:shared:1');
  });

  it('Fn::GetAtt in list and dotted-string form', () => {
    expect(ev({ 'Fn::GetAtt': ['Events', 'Arn'] })).toBe('arn:aws:kinesis:eu-west-1:000000000000:stream/events');
    expect(ev({ 'Fn::GetAtt': 'Named.Arn' })).toBe('arn:aws:kinesis:eu-west-1:000000000000:stream/svc-dev-named');
    expect(ev({ 'Fn::GetAtt': ['Queue', 'Arn'] })).toBe('arn:aws:sqs:eu-west-1:000000000000:svc-dev-Queue');
    expect(ev({ 'Fn::GetAtt': ['Fifo', 'QueueName'] })).toBe('svc-dev-Fifo.fifo');
    expect(ev({ 'Fn::GetAtt': ['Topic', 'TopicArn'] })).toBe('arn:aws:sns:eu-west-1:000000000000:alerts');
    expect(ev({ 'Fn::GetAtt': ['NotifyLambdaFunction', 'Arn'] })).toBe('arn:aws:lambda:eu-west-1:000000000000:function:svc-dev-notify');
  });

  it('Fn::Join, Fn::Split, Fn::Select, Fn::Sub (both forms, ${!Literal}), Fn::ImportValue', () => {
    expect(ev({ 'Fn::Join': ['-', ['a', { Ref: 'Events' }, 'b']] })).toBe('a-events-b');
    expect(ev({ 'Fn::Select': [1, { 'Fn::Split': [',', 'x,y,z'] }] })).toBe('y');
    expect(ev({ 'Fn::Sub': '${AWS::Region}/${Events}/${Events.Arn}/${!Keep}' })).toBe(
      'eu-west-1/events/arn:aws:kinesis:eu-west-1:000000000000:stream/events/${Keep}',
    );
    expect(ev({ 'Fn::Sub': ['${A}-${B}', { A: 'a', B: { Ref: 'Events' } }] })).toBe('a-events');
    expect(ev({ 'Fn::ImportValue': 'shared-arn' })).toBe('arn:aws:kinesis:eu-west-1:111111111111:stream/shared');
  });

  it('plain values pass through; objects and lists are evaluated inside', () => {
    expect(ev({ a: [{ Ref: 'Events' }, 1, 'x'] })).toEqual({ a: ['events', 1, 'x'] });
  });

  it('errors name the problem', () => {
    const msg = (v: unknown) => {
      try {
        ev(v);
      } catch (err) {
        expect(err).toBeInstanceOf(IntrinsicError);
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(msg({ Ref: 'Nope' })).toBe('no resource "Nope" in resources.Resources (nor a function or layer of this service)');
    expect(msg({ 'Fn::ImportValue': 'x' })).toBe('Fn::ImportValue "x" is not mapped; add it under custom.eddy.imports');
    expect(msg({ 'Fn::GetAtt': ['Events'] })).toBe('Fn::GetAtt takes [LogicalId, Attribute]');
    expect(msg({ 'Fn::Join': ['-'] })).toBe('Fn::Join takes [delimiter, [values]]');
    expect(msg({ 'Fn::Select': [5, ['a']] })).toBe('Fn::Select index 5 is out of range');
    expect(msg({ 'Fn::FindInMap': ['a', 'b', 'c'] })).toMatch(/^Fn::FindInMap is not resolved by eddy/);
    expect(msg({ Ref: 'Loop' })).toBe('intrinsics nest too deeply (circular Ref?)');
  });

  it('resourceName: the name property, else <stack>-<LogicalId>', () => {
    expect(resourceName(ctx, 'Events')).toBe('events');
    expect(resourceName(ctx, 'Queue')).toBe('svc-dev-Queue');
  });
});
