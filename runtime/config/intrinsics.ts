// CloudFormation intrinsics where eddy needs their value locally (stream ARNs, destinations, environment,
// resource names): Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::ImportValue, Fn::Select, Fn::Split, resolved
// against `resources.Resources` and the functions and layers of the service, in account 000000000000.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html

import { isIntrinsic, isPlainObject } from './validate.ts';

export interface CfnResource {
  readonly Type?: unknown;
  readonly Properties?: unknown;
}

export interface IntrinsicContext {
  readonly region: string;
  readonly accountId: string;
  /** `<service>-<stage>`, what Serverless names the stack (AWS::StackName). */
  readonly stackName: string;
  readonly resources: Readonly<Record<string, CfnResource>>;
  /** `<Normalized>LambdaFunction` logical id -> deployed function name. */
  readonly functions: ReadonlyMap<string, string>;
  /** `<Normalized>LambdaLayer` logical id -> layer name. */
  readonly layers: ReadonlyMap<string, string>;
  /** `custom.eddy.imports`: export name -> value, for Fn::ImportValue. */
  readonly imports: Readonly<Record<string, string>>;
}

export class IntrinsicError extends Error {}

/** The name CloudFormation would give a resource without an explicit name: eddy picks `<stack>-<LogicalId>`. */
export function generatedName(ctx: IntrinsicContext, logicalId: string): string {
  return `${ctx.stackName}-${logicalId}`;
}

const NAME_PROPERTY: Record<string, string> = {
  'AWS::Kinesis::Stream': 'Name',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::DynamoDB::Table': 'TableName',
};

/** The physical name of a resource: its name property (intrinsics resolved) or the generated name. */
export function resourceName(ctx: IntrinsicContext, logicalId: string, depth = 0): string {
  const resource = ctx.resources[logicalId];
  const type = typeof resource?.Type === 'string' ? resource.Type : '';
  const prop = NAME_PROPERTY[type];
  const props = isPlainObject(resource?.Properties) ? resource.Properties : {};
  const raw = prop === undefined ? undefined : props[prop];
  if (raw === undefined || raw === null) {
    const name = generatedName(ctx, logicalId);
    // A FIFO queue's name must end in .fifo.
    return type === 'AWS::SQS::Queue' && props['FifoQueue'] === true ? `${name}.fifo` : name;
  }
  const value = evaluate(ctx, raw, depth + 1);
  if (typeof value !== 'string') throw new IntrinsicError(`${logicalId}.Properties.${prop} must be a string`);
  return value;
}

export function streamArn(ctx: IntrinsicContext, name: string): string {
  return `arn:aws:kinesis:${ctx.region}:${ctx.accountId}:stream/${name}`;
}

export function functionArn(ctx: { region: string; accountId: string }, name: string): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
}

/** Resolves every intrinsic in `value` (plain values pass through). Throws IntrinsicError naming the problem. */
export function evaluate(ctx: IntrinsicContext, value: unknown, depth = 0): unknown {
  if (depth > 50) throw new IntrinsicError('intrinsics nest too deeply (circular Ref?)');
  if (Array.isArray(value)) return value.map((v) => evaluate(ctx, v, depth + 1));
  if (!isPlainObject(value)) return value;
  if (!isIntrinsic(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = evaluate(ctx, v, depth + 1);
    return out;
  }
  const [fn, arg] = Object.entries(value)[0]!;
  switch (fn) {
    case 'Ref':
      return ref(ctx, asString(evaluate(ctx, arg, depth + 1), 'Ref'), depth);
    case 'Fn::GetAtt': {
      const a = evaluate(ctx, arg, depth + 1);
      const [id, attr] = typeof a === 'string' ? splitOnce(a) : Array.isArray(a) ? a : [];
      if (typeof id !== 'string' || typeof attr !== 'string') throw new IntrinsicError('Fn::GetAtt takes [LogicalId, Attribute]');
      return getAtt(ctx, id, attr, depth);
    }
    case 'Fn::Join': {
      const a = evaluate(ctx, arg, depth + 1);
      if (!Array.isArray(a) || a.length !== 2 || typeof a[0] !== 'string' || !Array.isArray(a[1])) {
        throw new IntrinsicError('Fn::Join takes [delimiter, [values]]');
      }
      return a[1].map((part) => asString(part, 'Fn::Join')).join(a[0]);
    }
    case 'Fn::Split': {
      const a = evaluate(ctx, arg, depth + 1);
      if (!Array.isArray(a) || typeof a[0] !== 'string' || typeof a[1] !== 'string') {
        throw new IntrinsicError('Fn::Split takes [delimiter, string]');
      }
      return a[1].split(a[0]);
    }
    case 'Fn::Select': {
      const a = evaluate(ctx, arg, depth + 1);
      if (!Array.isArray(a) || !Array.isArray(a[1])) throw new IntrinsicError('Fn::Select takes [index, [values]]');
      const i = Number(a[0]);
      if (!Number.isInteger(i) || i < 0 || i >= a[1].length) throw new IntrinsicError(`Fn::Select index ${String(a[0])} is out of range`);
      return a[1][i];
    }
    case 'Fn::Sub':
      return sub(ctx, arg, depth);
    case 'Fn::ImportValue': {
      const name = asString(evaluate(ctx, arg, depth + 1), 'Fn::ImportValue');
      const v = ctx.imports[name];
      if (v === undefined) {
        throw new IntrinsicError(`Fn::ImportValue ${JSON.stringify(name)} is not mapped; add it under custom.eddy.imports`);
      }
      return v;
    }
    default:
      throw new IntrinsicError(`${fn} is not resolved by eddy (supported: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::ImportValue, Fn::Select, Fn::Split)`);
  }
}

function splitOnce(s: string): [string, string] | [] {
  const dot = s.indexOf('.');
  return dot < 0 ? [] : [s.slice(0, dot), s.slice(dot + 1)];
}

function asString(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new IntrinsicError(`${where} needs a string (got ${JSON.stringify(v)})`);
}

function pseudo(ctx: IntrinsicContext, name: string): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/00000000-0000-0000-0000-000000000000`;
    default:
      return undefined;
  }
}

function typeOf(ctx: IntrinsicContext, id: string): string {
  const resource = ctx.resources[id];
  if (resource === undefined) {
    throw new IntrinsicError(`no resource ${JSON.stringify(id)} in resources.Resources (nor a function or layer of this service)`);
  }
  return typeof resource.Type === 'string' ? resource.Type : '';
}

function ref(ctx: IntrinsicContext, id: string, depth: number): string {
  const p = pseudo(ctx, id);
  if (p !== undefined) return p;
  const fn = ctx.functions.get(id);
  if (fn !== undefined) return fn;
  const layer = ctx.layers.get(id);
  if (layer !== undefined) return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:layer:${layer}:1`;
  const type = typeOf(ctx, id);
  const name = (): string => resourceName(ctx, id, depth);
  switch (type) {
    case 'AWS::Kinesis::Stream':
    case 'AWS::DynamoDB::Table':
      return name();
    case 'AWS::SQS::Queue':
      return `https://sqs.${ctx.region}.amazonaws.com/${ctx.accountId}/${name()}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${ctx.region}:${ctx.accountId}:${name()}`;
    default:
      throw new IntrinsicError(`Ref to ${id} (${type || 'no Type'}) is not resolved by eddy`);
  }
}

function getAtt(ctx: IntrinsicContext, id: string, attr: string, depth: number): string {
  const fn = ctx.functions.get(id);
  if (fn !== undefined && attr === 'Arn') return functionArn(ctx, fn);
  const type = typeOf(ctx, id);
  const name = (): string => resourceName(ctx, id, depth);
  const key = `${type}.${attr}`;
  switch (key) {
    case 'AWS::Kinesis::Stream.Arn':
      return streamArn(ctx, name());
    case 'AWS::SQS::Queue.Arn':
      return `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name()}`;
    case 'AWS::SQS::Queue.QueueName':
      return name();
    case 'AWS::SQS::Queue.QueueUrl':
      return `https://sqs.${ctx.region}.amazonaws.com/${ctx.accountId}/${name()}`;
    case 'AWS::SNS::Topic.TopicArn':
      return `arn:aws:sns:${ctx.region}:${ctx.accountId}:${name()}`;
    case 'AWS::SNS::Topic.TopicName':
      return name();
    case 'AWS::DynamoDB::Table.Arn':
      return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name()}`;
    case 'AWS::DynamoDB::Table.StreamArn':
      return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name()}/stream/1970-01-01T00:00:00.000`;
    default:
      throw new IntrinsicError(`Fn::GetAtt ${id}.${attr} (${type || 'no Type'}) is not resolved by eddy`);
  }
}

function sub(ctx: IntrinsicContext, arg: unknown, depth: number): string {
  let template: unknown = arg;
  let vars: Record<string, unknown> = {};
  if (Array.isArray(arg)) {
    if (arg.length !== 2 || !isPlainObject(arg[1])) throw new IntrinsicError('Fn::Sub takes a string or [string, {variables}]');
    template = arg[0];
    vars = arg[1];
  }
  if (typeof template !== 'string') throw new IntrinsicError('Fn::Sub needs a string template');
  return template.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    // `${!Literal}` writes `${Literal}` unchanged.
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const key = name.trim();
    if (key in vars) return asString(evaluate(ctx, vars[key], depth + 1), `Fn::Sub ${whole}`);
    const p = pseudo(ctx, key);
    if (p !== undefined) return p;
    const dot = key.indexOf('.');
    if (dot > 0) return getAtt(ctx, key.slice(0, dot), key.slice(dot + 1), depth);
    return ref(ctx, key, depth);
  });
}
