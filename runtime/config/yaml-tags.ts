// YAML parse options for serverless.yml: CloudFormation's short-form tags (`!GetAtt X.Arn`, `!Ref X`,
// `!Join`, `!Sub`, `!ImportValue`, `!Select`, …) become their long form (`{"Fn::GetAtt": ["X", "Arn"]}`),
// as Serverless's own YAML loader does, and `<<` merge keys work.

import type { CollectionTag, ParseOptions, ScalarTag, SchemaOptions, ToJSOptions, YAMLMap, YAMLSeq } from 'yaml';

// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
const FUNCTIONS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'Length',
  'ToJsonString',
] as const;

function longForm(name: string, value: unknown): Record<string, unknown> {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    // `!GetAtt X.Arn` -> ["X", "Arn"]: split at the first dot (attribute names may contain dots).
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

function tagsFor(name: string): (ScalarTag | CollectionTag)[] {
  const tag = `!${name}`;
  return [
    { tag, resolve: (value: string) => longForm(name, value) },
    { tag, collection: 'seq', resolve: (seq: YAMLSeq.Parsed | YAMLMap.Parsed) => longForm(name, seq.toJSON()) },
    { tag, collection: 'map', resolve: (map: YAMLSeq.Parsed | YAMLMap.Parsed) => longForm(name, map.toJSON()) },
  ];
}

const CUSTOM_TAGS = ['Ref', 'Condition', ...FUNCTIONS].flatMap(tagsFor);

export function yamlOptions(): ParseOptions & SchemaOptions & ToJSOptions {
  return { customTags: CUSTOM_TAGS, merge: true, prettyErrors: true, maxAliasCount: 1000 };
}
