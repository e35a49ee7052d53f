// Event filtering for Kinesis mappings: EventBridge-syntax patterns matched against a record whose
// `data` is the base64-decoded, JSON-parsed payload, next to the record's metadata (partitionKey, ...).
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html
// Filters are OR-ed; within a pattern every listed field must match (AND); unlisted fields are ignored.

/** Thrown at create/update for a pattern AWS would refuse; the API maps it to InvalidParameterValueException. */
export class InvalidFilterPatternError extends Error {
  constructor(detail: string) {
    super(`Invalid filter pattern definition.`);
    this.name = 'InvalidFilterPatternError';
    this.detail = detail;
  }
  readonly detail: string;
}

type Leaf =
  | { kind: 'equals'; value: string | number | boolean | null }
  | { kind: 'prefix'; value: string }
  | { kind: 'suffix'; value: string }
  | { kind: 'equalsIgnoreCase'; value: string }
  | { kind: 'anythingBut'; values: Array<string | number | boolean | null>; prefix: string | undefined }
  | { kind: 'numeric'; conditions: Array<{ op: NumericOp; value: number }> }
  | { kind: 'exists'; value: boolean };

type NumericOp = '<' | '<=' | '=' | '>' | '>=';
const NUMERIC_OPS = new Set<string>(['<', '<=', '=', '>', '>=']);

/** A compiled pattern node: field name -> list of leaf matchers (an array) or a nested node. */
interface Node {
  fields: Array<{ key: string; leaves: Leaf[] } | { key: string; node: Node }>;
}

/** The fields a pattern sees for one Kinesis record. */
export interface FilterableRecord {
  /** The parsed JSON of `data`, or undefined when data is not JSON (then any `data` pattern fails). */
  data: unknown;
  dataIsJson: boolean;
  partitionKey: string;
  sequenceNumber: string;
  approximateArrivalTimestamp: number;
  kinesisSchemaVersion: string;
}

export interface CompiledFilter {
  /** True when the record matches at least one pattern (always true without patterns). */
  matches(record: FilterableRecord): boolean;
  readonly patterns: readonly string[];
  /** Whether any pattern reads `data` (only then is data decoded). */
  readonly readsData: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function compileLeaf(m: unknown, path: string): Leaf {
  if (isScalar(m)) return { kind: 'equals', value: m };
  if (!isPlainObject(m)) throw new InvalidFilterPatternError(`${path}: a match must be a value or an operator object`);
  const keys = Object.keys(m);
  if (keys.length !== 1) throw new InvalidFilterPatternError(`${path}: an operator object holds exactly one operator`);
  const op = keys[0]!;
  const arg = m[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new InvalidFilterPatternError(`${path}.${op}: must be a string`);
      return op === 'prefix'
        ? { kind: 'prefix', value: arg }
        : op === 'suffix'
          ? { kind: 'suffix', value: arg }
          : { kind: 'equalsIgnoreCase', value: arg };
    case 'exists':
      if (typeof arg !== 'boolean') throw new InvalidFilterPatternError(`${path}.exists: must be true or false`);
      return { kind: 'exists', value: arg };
    case 'anything-but': {
      if (isPlainObject(arg)) {
        const inner = Object.keys(arg);
        if (inner.length !== 1 || inner[0] !== 'prefix' || typeof arg['prefix'] !== 'string') {
          throw new InvalidFilterPatternError(`${path}.anything-but: only {"prefix": "..."} may be nested`);
        }
        return { kind: 'anythingBut', values: [], prefix: arg['prefix'] };
      }
      const values = Array.isArray(arg) ? arg : [arg];
      if (values.length === 0 || !values.every(isScalar)) {
        throw new InvalidFilterPatternError(`${path}.anything-but: must be a value or a non-empty list of values`);
      }
      return { kind: 'anythingBut', values, prefix: undefined };
    }
    case 'numeric': {
      if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) {
        throw new InvalidFilterPatternError(`${path}.numeric: must be one or two [operator, number] pairs`);
      }
      const conditions: Array<{ op: NumericOp; value: number }> = [];
      for (let i = 0; i < arg.length; i += 2) {
        const o = arg[i];
        const v = arg[i + 1];
        if (typeof o !== 'string' || !NUMERIC_OPS.has(o) || typeof v !== 'number' || !Number.isFinite(v)) {
          throw new InvalidFilterPatternError(`${path}.numeric: bad pair ${JSON.stringify([o, v])}`);
        }
        conditions.push({ op: o as NumericOp, value: v });
      }
      if (conditions.length === 2 && (conditions[0]!.op === '=' || conditions[1]!.op === '=')) {
        throw new InvalidFilterPatternError(`${path}.numeric: "=" cannot be combined with a range`);
      }
      return { kind: 'numeric', conditions };
    }
    default:
      throw new InvalidFilterPatternError(`${path}: unknown operator "${op}"`);
  }
}

function compileNode(pattern: Record<string, unknown>, path: string): Node {
  const fields: Node['fields'] = [];
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new InvalidFilterPatternError(`${path}: an empty object matches nothing`);
  for (const key of keys) {
    const v = pattern[key];
    const at = path ? `${path}.${key}` : key;
    if (Array.isArray(v)) {
      if (v.length === 0) throw new InvalidFilterPatternError(`${at}: a match list must not be empty`);
      fields.push({ key, leaves: v.map((m, i) => compileLeaf(m, `${at}[${i}]`)) });
    } else if (isPlainObject(v)) {
      fields.push({ key, node: compileNode(v, at) });
    } else {
      throw new InvalidFilterPatternError(`${at}: must be an object or an array`);
    }
  }
  return { fields };
}

/** Compiles one pattern string; throws InvalidFilterPatternError when AWS would refuse it. */
export function compilePattern(pattern: string): Node {
  let parsed: unknown;
  try {
    parsed = JSON.parse(pattern);
  } catch {
    throw new InvalidFilterPatternError('not JSON');
  }
  if (!isPlainObject(parsed)) throw new InvalidFilterPatternError('a pattern must be a JSON object');
  return compileNode(parsed, '');
}

function matchLeaf(leaf: Leaf, value: unknown): boolean {
  switch (leaf.kind) {
    case 'equals':
      return value === leaf.value;
    case 'prefix':
      return typeof value === 'string' && value.startsWith(leaf.value);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(leaf.value);
    case 'equalsIgnoreCase':
      return typeof value === 'string' && value.toLowerCase() === leaf.value.toLowerCase();
    case 'anythingBut':
      if (leaf.prefix !== undefined) return typeof value === 'string' && !value.startsWith(leaf.prefix);
      return !leaf.values.includes(value as string);
    case 'numeric':
      if (typeof value !== 'number') return false;
      return leaf.conditions.every(({ op, value: n }) =>
        op === '<' ? value < n : op === '<=' ? value <= n : op === '=' ? value === n : op === '>' ? value > n : value >= n,
      );
    case 'exists':
      return leaf.value; // reached only for a present leaf value
  }
}

function matchField(leaves: Leaf[], present: boolean, value: unknown): boolean {
  if (!present) return leaves.some((l) => l.kind === 'exists' && !l.value);
  // exists matches leaf values only (EventBridge): an object is not a leaf.
  const values = Array.isArray(value) ? value : [value];
  return leaves.some((leaf) => {
    if (leaf.kind === 'exists') return leaf.value && values.some((v) => !isPlainObject(v));
    return values.some((v) => !isPlainObject(v) && matchLeaf(leaf, v));
  });
}

function matchNode(node: Node, obj: unknown): boolean {
  const o = isPlainObject(obj) ? obj : undefined;
  return node.fields.every((f) => {
    const present = o !== undefined && Object.hasOwn(o, f.key) && o[f.key] !== undefined;
    const value = present ? o![f.key] : undefined;
    if ('leaves' in f) return matchField(f.leaves, present, value);
    return matchNode(f.node, value);
  });
}

function readsData(node: Node): boolean {
  return node.fields.some((f) => f.key === 'data');
}

/** Compiles every pattern of a mapping (throws on the first invalid one). */
export function compileFilters(patterns: readonly string[]): CompiledFilter {
  const nodes = patterns.map(compilePattern);
  const usesData = nodes.some(readsData);
  return {
    patterns,
    readsData: usesData,
    matches(record) {
      if (nodes.length === 0) return true;
      const view: Record<string, unknown> = {
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        approximateArrivalTimestamp: record.approximateArrivalTimestamp,
        kinesisSchemaVersion: record.kinesisSchemaVersion,
      };
      if (record.dataIsJson) view['data'] = record.data;
      return nodes.some((node) => {
        // Non-JSON data never matches a pattern that reads `data` (format matrix, reference §4.7).
        if (!record.dataIsJson && readsData(node)) return false;
        return matchNode(node, view);
      });
    },
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes a record's bytes for filtering: JSON when they parse as JSON, else marked as not JSON. */
export function decodeForFilter(data: Uint8Array): { data: unknown; dataIsJson: boolean } {
  try {
    return { data: JSON.parse(decoder.decode(data)), dataIsJson: true };
  } catch {
    return { data: undefined, dataIsJson: false };
  }
}
