// A small declarative schema engine: validate a value once, collect EVERY problem with the path of the bad
// value (`functions.ingest.timeout: must be ≤ 900`), apply defaults, and turn accepted-but-not-emulated keys
// into one-line notices. The serverless.yml schema itself lives in schema.ts.

import { UNRESOLVED } from './variables.ts';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Issue {
  readonly path: string;
  readonly message: string;
}

/** What one validation pass found: problems (errors) and notices (informational, never fatal). */
export class Report {
  readonly issues: Issue[] = [];
  readonly notices: string[] = [];

  error(path: Path, message: string): void {
    this.issues.push({ path: formatPath(path), message });
  }

  notice(path: Path, message: string): void {
    const line = path.length > 0 ? `${formatPath(path)}: ${message}` : message;
    if (!this.notices.includes(line)) this.notices.push(line);
  }
}

interface Common {
  /** One line for humans (and generated docs). */
  readonly description?: string;
}

export interface StringSchema extends Common {
  readonly type: 'string';
  readonly enum?: readonly string[];
  readonly pattern?: RegExp;
  /** Message when `pattern` fails, e.g. `must match [A-Za-z0-9_-]+`. */
  readonly patternMessage?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly default?: string;
  /** Extra check returning a message when the value is bad. */
  readonly check?: (value: string) => string | undefined;
}

export interface IntegerSchema extends Common {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
  /** Values allowed outside [min, max], e.g. -1 for "infinite". */
  readonly alsoAllowed?: readonly number[];
  readonly default?: number;
}

export interface NumberSchema extends Common {
  readonly type: 'number';
  readonly min?: number;
  readonly max?: number;
  readonly default?: number;
}

export interface BooleanSchema extends Common {
  readonly type: 'boolean';
  readonly default?: boolean;
}

export interface ObjectSchema extends Common {
  readonly type: 'object';
  readonly props?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  /** Schema of the values of keys not in `props` (maps such as `environment`); without it such keys are unknown. */
  readonly values?: Schema;
  /** Checked on keys not in `props` when `values` is set. */
  readonly keyPattern?: RegExp;
  readonly keyMessage?: string;
  /** What an unknown key gets: an error (default), a notice, or nothing. */
  readonly unknownKeys?: 'error' | 'notice' | 'allow';
  /** Text of the notice for unknown keys when unknownKeys is 'notice'. */
  readonly unknownNotice?: string;
  /** The object must have exactly one key (a tagged union such as an event: `{stream: …}`); names what it is. */
  readonly exactlyOneKey?: string;
}

export interface ArraySchema extends Common {
  readonly type: 'array';
  readonly items: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** One of several shapes, chosen by the JS type of the value (a string, an object, ...). */
export interface AnyOfSchema extends Common {
  readonly type: 'anyOf';
  readonly options: readonly Schema[];
}

/** A CloudFormation intrinsic function object: `{Ref: X}`, `{"Fn::GetAtt": [X, Arn]}`, ... */
export interface IntrinsicSchema extends Common {
  readonly type: 'intrinsic';
}

export interface AnySchema extends Common {
  readonly type: 'any';
}

/** A valid Serverless key that eddy accepts but does not emulate: a notice when present (or silence). */
export interface IgnoredSchema extends Common {
  readonly type: 'ignored';
  readonly notice?: string;
}

/** A key eddy refuses with an error (e.g. esbuild `entryPoints`, which eddy sets itself). */
export interface RefusedSchema extends Common {
  readonly type: 'refused';
  readonly message: string;
}

export type Schema =
  | StringSchema
  | IntegerSchema
  | NumberSchema
  | BooleanSchema
  | ObjectSchema
  | ArraySchema
  | AnyOfSchema
  | IntrinsicSchema
  | AnySchema
  | IgnoredSchema
  | RefusedSchema;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `functions.ingest.events[0].stream.batchSize`; keys that are not identifiers are quoted: `layers["arn:…"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for `{Ref: X}`, `{"Fn::…": …}` and `{Condition: X}`: one key, an intrinsic name. */
export function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'));
}

function describe(schema: Schema): string {
  switch (schema.type) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'intrinsic':
      return 'a CloudFormation intrinsic (Ref, Fn::GetAtt, ...)';
    case 'anyOf':
      return schema.options.map(describe).join(' or ');
    default:
      return 'a value';
  }
}

/** Whether an option of an anyOf takes values of this JS shape. */
function accepts(schema: Schema, value: unknown): boolean {
  switch (schema.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value) && !isIntrinsic(value);
    case 'intrinsic':
      return isIntrinsic(value);
    case 'array':
      return Array.isArray(value);
    case 'anyOf':
      return schema.options.some((o) => accepts(o, value));
    default:
      return true;
  }
}

/** Edit distance counting a swap of two neighbours as one edit (`knwon` -> `known`), for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The known key closest to `key`, when it is close enough to be a typo. */
export function suggest(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const k = key.toLowerCase();
    const c = candidate.toLowerCase();
    // Same word in another case, or an abbreviation (`Shards` for `ShardCount`), counts as a near miss.
    const d = c === k ? 0 : commonPrefix(k, c) >= Math.max(4, k.length - 1) ? 1 : distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(key.length / 3));
  return bestDistance <= limit ? best : undefined;
}

export function unknownKeyMessage(key: string, known: Iterable<string>): string {
  const s = suggest(key, known);
  return s === undefined ? 'unknown key' : `unknown key (did you mean "${s}"?)`;
}

/** YAML and `${env:…}` give strings; Serverless (AJV coerceTypes) accepts "30" for an integer, so does eddy. */
function coerce(schema: Schema, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * Validates `value` against `schema` at `path`, records problems and notices in `report`, and returns the
 * value with defaults applied (object keys not in the schema are dropped). A value that is absent (undefined or
 * YAML null) returns the schema's default. Values a variable failed to resolve (UNRESOLVED) are not checked
 * again: their error was already reported.
 */
export function validate(schema: Schema, value: unknown, path: Path, report: Report): unknown {
  if (value === UNRESOLVED) return value;
  if (value === undefined || value === null) return 'default' in schema ? schema.default : undefined;
  value = coerce(schema, value);
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return bad(report, path, 'must be a string');
      if (schema.enum && !schema.enum.includes(value)) {
        return bad(report, path, `must be one of: ${schema.enum.join(', ')} (got ${JSON.stringify(value)})`);
      }
      if (schema.minLength !== undefined && value.length < schema.minLength) {
        return bad(report, path, schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters long`);
      }
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        return bad(report, path, `must be at most ${schema.maxLength} characters long`);
      }
      if (schema.pattern && !schema.pattern.test(value)) {
        return bad(report, path, schema.patternMessage ?? `must match ${schema.pattern.source}`);
      }
      const msg = schema.check?.(value);
      if (msg !== undefined) return bad(report, path, msg);
      return value;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad(report, path, `must be ${describe(schema)}`);
      if (schema.type === 'integer' && !Number.isInteger(value)) return bad(report, path, 'must be an integer');
      const also = schema.type === 'integer' ? (schema.alsoAllowed ?? []) : [];
      if (also.includes(value)) return value;
      const { min, max } = schema;
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
        if (also.length > 0 && min !== undefined && max !== undefined) {
          return bad(report, path, `must be ${also.join(' or ')} or between ${min} and ${max}`);
        }
        return bad(report, path, min !== undefined && value < min ? `must be ≥ ${min}` : `must be ≤ ${max}`);
      }
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return bad(report, path, 'must be true or false');
      return value;
    case 'array': {
      if (!Array.isArray(value)) return bad(report, path, 'must be a list');
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        return bad(report, path, `must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return bad(report, path, `must have at most ${schema.maxItems} items`);
      }
      return value.map((item, i) => validate(schema.items, item, [...path, i], report));
    }
    case 'object':
      return validateObject(schema, value, path, report);
    case 'anyOf': {
      // An option that takes the value as it is, else one that takes it coerced ("10" for an integer).
      const option = schema.options.find((o) => accepts(o, value)) ?? schema.options.find((o) => accepts(o, coerce(o, value)));
      if (option === undefined) return bad(report, path, `must be ${describe(schema)}`);
      return validate(option, value, path, report);
    }
    case 'intrinsic':
      if (!isIntrinsic(value)) return bad(report, path, `must be ${describe(schema)}`);
      return value;
    case 'any':
      return value;
    case 'ignored':
      if (schema.notice !== undefined) report.notice(path, schema.notice);
      return value;
    case 'refused':
      return bad(report, path, schema.message);
  }
}

function validateObject(schema: ObjectSchema, value: unknown, path: Path, report: Report): unknown {
  if (!isPlainObject(value)) return bad(report, path, 'must be an object');
  const props = schema.props ?? {};
  const out: Record<string, unknown> = {};
  if (schema.exactlyOneKey !== undefined && Object.keys(value).length !== 1) {
    const keys = Object.keys(value);
    return bad(report, path, keys.length === 0 ? `must name one ${schema.exactlyOneKey}` : `must name exactly one ${schema.exactlyOneKey} (got ${keys.join(', ')})`);
  }
  for (const name of schema.required ?? []) {
    if (value[name] === undefined || value[name] === null) report.error([...path, name], 'is required');
  }
  for (const [key, v] of Object.entries(value)) {
    const prop = props[key];
    if (prop !== undefined) {
      const result = validate(prop, v, [...path, key], report);
      if (result !== undefined) out[key] = result;
    } else if (schema.values !== undefined) {
      if (schema.keyPattern && !schema.keyPattern.test(key)) {
        report.error([...path, key], schema.keyMessage ?? `key must match ${schema.keyPattern.source}`);
        continue;
      }
      const result = validate(schema.values, v, [...path, key], report);
      if (result !== undefined) out[key] = result;
    } else {
      const mode = schema.unknownKeys ?? 'error';
      const s = suggest(key, Object.keys(props));
      // A near miss of a key eddy reads is a typo whatever the mode: an error.
      if (mode === 'error' || s !== undefined) report.error([...path, key], unknownKeyMessage(key, Object.keys(props)));
      else if (mode === 'notice') report.notice([...path, key], schema.unknownNotice ?? 'not read by eddy; ignored');
      else out[key] = v; // 'allow': kept as written (resource Properties, custom.* of plugins)
    }
  }
  for (const [key, prop] of Object.entries(props)) {
    if (out[key] === undefined && 'default' in prop && prop.default !== undefined && !(key in value && value[key] === UNRESOLVED)) {
      out[key] = prop.default;
    }
  }
  return out;
}

function bad(report: Report, path: Path, message: string): typeof UNRESOLVED {
  report.error(path, message);
  // The bad value is replaced by UNRESOLVED so later stages neither use it nor report it twice.
  return UNRESOLVED;
}
