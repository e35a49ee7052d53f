// Input validation from a constraint table: wrong JSON/CBOR types become SerializationException, model
// constraint violations become AWS's ValidationException text. Mirrors the behaviour kinesalite recorded
// from AWS (validations/index.js): unknown and null members are dropped, types are checked member by member
// in table order (the first bad one fails the request), then constraints are checked in table order and in
// the order each member lists them, at most 10 reported, joined with "; ".
//
// After validation a Blob member is a Buffer (decoded from base64 in JSON, the CBOR byte string as is), a
// Timestamp member is a number of epoch milliseconds, Integer/Long members are whole numbers.
import { Tag } from 'cbor2';
import { serializationError, validationError } from './errors.ts';

export type ShapeType = 'String' | 'Integer' | 'Long' | 'Boolean' | 'Blob' | 'Timestamp' | 'List' | 'Map' | 'Structure';

/**
 * One member's shape and constraints, in kinesalite's vocabulary. Constraint keys are checked (and reported)
 * in the order they are written, so write them in the order AWS reports them (notNull, regex, lengths ...).
 */
export interface Constraint {
  type: ShapeType;
  notNull?: boolean;
  /** String/Blob/List length, Map key count. */
  lengthGreaterThanOrEqual?: number;
  lengthLessThanOrEqual?: number;
  /** Numbers. */
  greaterThanOrEqual?: number;
  lessThanOrEqual?: number;
  /** Anchored at both ends when checked; printed as written. */
  regex?: string;
  enum?: readonly string[];
  /** List of strings: every member's length in [min, max]. */
  childLengths?: readonly [number, number];
  /** Map: every key's length in [min, max]. */
  childKeyLengths?: readonly [number, number];
  /** Map: every value's length in [min, max]. */
  childValueLengths?: readonly [number, number];
  /** List members or Map values; for a Structure, see members. */
  children?: Constraint;
  /** A Structure's members. */
  members?: ConstraintTable;
  /** How AWS prints a List/Map member in a message (a Java object name for structures). */
  memberStr?: string;
}

export type ConstraintTable = Readonly<Record<string, Constraint>>;

export type WireFormat = 'json' | 'cbor';

const STRUCTURAL_KEYS = new Set(['type', 'children', 'members', 'memberStr']);

interface CompiledTable {
  keys: string[];
  lower: string[];
  members: Constraint[];
}

const compiledTables = new WeakMap<ConstraintTable, CompiledTable>();
const regexes = new Map<string, RegExp>();

function compile(table: ConstraintTable): CompiledTable {
  let c = compiledTables.get(table);
  if (!c) {
    const keys = Object.keys(table);
    c = { keys, lower: keys.map(lowerFirst), members: keys.map((k) => table[k]!) };
    compiledTables.set(table, c);
  }
  return c;
}

function anchored(pattern: string): RegExp {
  let re = regexes.get(pattern);
  if (!re) regexes.set(pattern, (re = new RegExp(`^(?:${pattern})$`)));
  return re;
}

export function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1);
}

/** Checks raw decoded input against a table; returns the cleaned input or throws a KinesisApiError. */
export function validateInput<T = Record<string, unknown>>(table: ConstraintTable, raw: unknown, format: WireFormat): T {
  const data = checkStructureTypes(raw as Record<string, unknown>, table, format);
  const errors: string[] = [];
  checkTable(data, table, '', errors);
  if (errors.length > 0) {
    throw validationError(
      `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`,
    );
  }
  return data as T;
}

// ---- types -------------------------------------------------------------------------------------------

function checkStructureTypes(data: Record<string, unknown>, table: ConstraintTable, format: WireFormat): Record<string, unknown> {
  const c = compile(table);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < c.keys.length; i++) {
    const key = c.keys[i]!;
    const v = data[key];
    if (v === undefined || v === null) continue;
    const checked = checkType(v, c.members[i]!, format);
    if (checked !== null && checked !== undefined) out[key] = checked;
  }
  return out;
}

const TRUNCATING = 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber';

function objectTypeError(v: object): never {
  if (Array.isArray(v)) throw serializationError('Start of list found where not expected');
  throw serializationError('Start of structure or map found where not expected.');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !isTag(v);
}

/** A CBOR tag cbor2 left undecoded (the protocol decodes with ignoreGlobalTags). */
function isTag(v: unknown): v is Tag {
  return v instanceof Tag;
}

function checkType(v: unknown, shape: Constraint, format: WireFormat): unknown {
  if (v === null || v === undefined) return null;
  const t = shape.type;
  switch (t) {
    case 'String':
      if (typeof v === 'string') return v;
      if (typeof v === 'boolean') throw serializationError('class java.lang.Boolean can not be converted to an String');
      if (typeof v === 'number' || typeof v === 'bigint') throw serializationError(`${TRUNCATING} can not be converted to an String`);
      return objectTypeError(v as object);
    case 'Integer':
    case 'Long': {
      if (typeof v === 'number' || typeof v === 'bigint') {
        let n = Math.floor(Number(v));
        if (t === 'Integer') n = Math.min(n, 2147483647);
        return n;
      }
      if (typeof v === 'boolean') throw serializationError(`class java.lang.Boolean can not be converted to an ${t}`);
      if (typeof v === 'string') throw serializationError(`class java.lang.String can not be converted to an ${t}`);
      return objectTypeError(v as object);
    }
    case 'Boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number' || typeof v === 'bigint') throw serializationError(`${TRUNCATING} can not be converted to an Boolean`);
      if (typeof v === 'string') throw serializationError(`'${v.toUpperCase()}' can not be converted to an Boolean`);
      return objectTypeError(v as object);
    case 'Blob':
      if (typeof v === 'string') return decodeBase64Blob(v);
      if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      if (typeof v === 'boolean') throw serializationError('class java.lang.Boolean can not be converted to a Blob');
      if (typeof v === 'number' || typeof v === 'bigint') throw serializationError(`${TRUNCATING} can not be converted to a Blob`);
      return objectTypeError(v as object);
    case 'Timestamp':
      return timestampMs(v, format);
    case 'List':
      if (!Array.isArray(v)) {
        if (typeof v === 'object' && !isTag(v) && !(v instanceof Uint8Array)) {
          throw serializationError('Start of structure or map found where not expected.');
        }
        throw serializationError('Expected list or null');
      }
      return v.map((item) => checkType(item, shape.children ?? { type: 'String' }, format));
    case 'Map': {
      if (!isPlainObject(v)) {
        if (Array.isArray(v)) throw serializationError('Start of list found where not expected');
        throw serializationError('Expected map or null');
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) out[key] = checkType(v[key], shape.children ?? { type: 'String' }, format);
      return out;
    }
    case 'Structure':
      if (!isPlainObject(v)) {
        if (Array.isArray(v)) throw serializationError('Start of list found where not expected');
        throw serializationError('Expected null');
      }
      return checkStructureTypes(v, shape.members ?? {}, format);
  }
}

/**
 * JSON carries epoch seconds (fractional ms). The Java SDK's CBOR carries epoch milliseconds, under tag 1
 * (its "timestamp" tag, though RFC 8949 means seconds there); a CBOR number below 1e11 can only be seconds.
 */
function timestampMs(v: unknown, format: WireFormat): number {
  let raw = v;
  if (format === 'cbor' && isTag(raw)) raw = raw.contents;
  if (raw instanceof Date) return raw.getTime();
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    const n = Number(raw);
    if (format === 'cbor' && Math.abs(n) >= 1e11) return Math.round(n);
    return Math.round(n * 1000);
  }
  if (typeof raw === 'boolean') throw serializationError('class java.lang.Boolean can not be converted to milliseconds since epoch');
  if (typeof raw === 'string') throw serializationError('class java.lang.String can not be converted to milliseconds since epoch');
  return objectTypeError(raw as object);
}

const BASE64_BAD = /[^a-zA-Z0-9+/=]|=[^=]/;
// Low bits a last base64 character must leave clear before one ('=') or two ('==') pads.
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

function decodeBase64Blob(s: string): Buffer {
  if (s.length % 4 !== 0) {
    throw serializationError(
      `'${s}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${s.length}`,
    );
  }
  const bad = BASE64_BAD.exec(s);
  if (bad) throw serializationError(`'${s}' can not be converted to a Blob: Invalid Base64 character: '${bad[0][0]}'`);
  let pads = 0;
  while (pads < s.length && s.charCodeAt(s.length - 1 - pads) === 61) pads++;
  const lastBits = pads === 1 ? 0b11 : pads === 2 ? 0b1111 : 0;
  const last = pads < s.length ? B64_VALUE[s.charCodeAt(s.length - 1 - pads)]! : 0;
  if (pads > 2 || (lastBits !== 0 && (last & lastBits) !== 0)) {
    // AWS's spelling.
    throw serializationError(`'${s}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected`);
  }
  return Buffer.from(s, 'base64');
}

// ---- constraints -------------------------------------------------------------------------------------

const MAX_ERRORS = 10;

function checkTable(data: Record<string, unknown>, table: ConstraintTable, parent: string, errors: string[]): void {
  const c = compile(table);
  for (let i = 0; i < c.keys.length; i++) {
    checkMember(c.lower[i]!, data[c.keys[i]!], c.members[i]!, parent, errors);
  }
}

function checkMember(name: string, value: unknown, shape: Constraint, parent: string, errors: string[]): void {
  for (const rule in shape) {
    if (errors.length >= MAX_ERRORS) return;
    if (STRUCTURAL_KEYS.has(rule)) continue;
    if (rule !== 'notNull' && (value === null || value === undefined)) continue;
    const message = violation(rule as keyof Constraint, value, shape);
    if (message !== undefined) {
      const v = valueString(value, shape);
      errors.push(`Value ${v === null ? 'null' : `'${v}'`} at '${parent}${name}' failed to satisfy constraint: ${message}`);
    }
  }
  if (value === null || value === undefined || errors.length >= MAX_ERRORS) return;
  const path = `${parent}${name}.`;
  if (shape.type === 'List' && shape.children && hasRules(shape.children)) {
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) checkMember('member', list[i], shape.children, `${path}${i + 1}.`, errors);
  } else if (shape.type === 'Map' && shape.children && hasRules(shape.children)) {
    const map = value as Record<string, unknown>;
    // kinesalite (after AWS) walks map entries last to first.
    for (const key of Object.keys(map).reverse()) checkMember('member', map[key], shape.children, `${path}${key}.`, errors);
  } else if (shape.type === 'Structure' && shape.members) {
    checkTable(value as Record<string, unknown>, shape.members, path, errors);
  }
}

const rulesCache = new WeakMap<Constraint, boolean>();
function hasRules(shape: Constraint): boolean {
  let r = rulesCache.get(shape);
  if (r === undefined) {
    r = Object.keys(shape).some((k) => !STRUCTURAL_KEYS.has(k)) || (shape.type === 'Structure' && shape.members !== undefined) ||
      ((shape.type === 'List' || shape.type === 'Map') && shape.children !== undefined && hasRules(shape.children));
    rulesCache.set(shape, r);
  }
  return r;
}

function lengthOf(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value) || value instanceof Uint8Array) return value.length;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length;
  return 0;
}

function violation(rule: keyof Constraint, value: unknown, shape: Constraint): string | undefined {
  switch (rule) {
    case 'notNull':
      return value === null || value === undefined ? 'Member must not be null' : undefined;
    case 'lengthGreaterThanOrEqual':
      return lengthOf(value) >= shape.lengthGreaterThanOrEqual! ? undefined : `Member must have length greater than or equal to ${shape.lengthGreaterThanOrEqual}`;
    case 'lengthLessThanOrEqual':
      return lengthOf(value) <= shape.lengthLessThanOrEqual! ? undefined : `Member must have length less than or equal to ${shape.lengthLessThanOrEqual}`;
    case 'greaterThanOrEqual':
      return (value as number) >= shape.greaterThanOrEqual! ? undefined : `Member must have value greater than or equal to ${shape.greaterThanOrEqual}`;
    case 'lessThanOrEqual':
      return (value as number) <= shape.lessThanOrEqual! ? undefined : `Member must have value less than or equal to ${shape.lessThanOrEqual}`;
    case 'regex':
      return anchored(shape.regex!).test(String(value)) ? undefined : `Member must satisfy regular expression pattern: ${shape.regex}`;
    case 'enum':
      return shape.enum!.includes(value as string) ? undefined : `Member must satisfy enum value set: [${shape.enum!.join(', ')}]`;
    case 'childLengths': {
      const [min, max] = shape.childLengths!;
      return (value as string[]).every((x) => typeof x === 'string' && x.length >= min && x.length <= max)
        ? undefined
        : `Member must satisfy constraint: [Member must have length less than or equal to ${max}, Member must have length greater than or equal to ${min}]`;
    }
    case 'childKeyLengths': {
      const [min, max] = shape.childKeyLengths!;
      return Object.keys(value as object).every((x) => x.length >= min && x.length <= max)
        ? undefined
        : `Map keys must satisfy constraint: [Member must have length less than or equal to ${max}, Member must have length greater than or equal to ${min}]`;
    }
    case 'childValueLengths': {
      const [min, max] = shape.childValueLengths!;
      const map = value as Record<string, unknown>;
      return Object.keys(map).every((k) => lengthOf(map[k]) >= min && lengthOf(map[k]) <= max)
        ? undefined
        : `Map value must satisfy constraint: [Member must have length less than or equal to ${max}, Member must have length greater than or equal to ${min}]`;
    }
    default:
      return undefined;
  }
}

/** The value as AWS prints it in a message (null when absent). */
function valueString(value: unknown, shape: Constraint): string | null {
  if (value === null || value === undefined) return null;
  switch (shape.type) {
    case 'Blob': {
      const n = (value as Uint8Array).length;
      return `java.nio.HeapByteBuffer[pos=0 lim=${n} cap=${n}]`;
    }
    case 'List':
      return `[${(value as unknown[]).map((item) => shape.memberStr ?? String(item)).join(', ')}]`;
    case 'Map': {
      const map = value as Record<string, unknown>;
      return `{${Object.keys(map).map((k) => `${k}=${shape.memberStr ?? String(map[k])}`).join(', ')}}`;
    }
    case 'Timestamp':
      return String((value as number) / 1000);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
