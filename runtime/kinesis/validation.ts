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
const MAX_ERRORS = 10;

// Each table is compiled once into closures (the put path validates 500 entries per request, so the
// table is not interpreted per value). Types are checked and converted for the whole input first (the
// first bad one throws SerializationException), then constraints are checked on the converted input.

/** Converts one value of a member's type (throws SerializationException); null/undefined never reach it. */
type TypeFn = (v: unknown, format: WireFormat) => unknown;
/** Checks one member's (converted) value; parent is the path prefix ('' or 'records.1.member.'). */
type CheckFn = (v: unknown, parent: string, errors: string[]) => void;

interface CompiledShape {
  convert: TypeFn;
  check: CheckFn;
  /** False when neither the shape nor anything under it has a constraint (its check can be skipped). */
  hasRules: boolean;
}

interface CompiledTable {
  keys: string[];
  shapes: CompiledShape[];
  convert(data: Record<string, unknown>, format: WireFormat): Record<string, unknown>;
  check(data: Record<string, unknown>, parent: string, errors: string[]): void;
}

const compiledTables = new WeakMap<ConstraintTable, CompiledTable>();

export function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1);
}

function compileTable(table: ConstraintTable): CompiledTable {
  let c = compiledTables.get(table);
  if (c) return c;
  const keys = Object.keys(table);
  const shapes = keys.map((k) => compileShape(table[k]!, lowerFirst(k)));
  const n = keys.length;
  c = {
    keys,
    shapes,
    convert(data, format) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const v = data[keys[i]!];
        if (v === undefined || v === null) continue;
        out[keys[i]!] = shapes[i]!.convert(v, format);
      }
      return out;
    },
    check(data, parent, errors) {
      for (let i = 0; i < n; i++) {
        if (errors.length >= MAX_ERRORS) return;
        const shape = shapes[i]!;
        if (shape.hasRules) shape.check(data[keys[i]!], parent, errors);
      }
    },
  };
  compiledTables.set(table, c);
  return c;
}

/** Checks raw decoded input against a table; returns the cleaned input or throws a KinesisApiError. */
export function validateInput<T = Record<string, unknown>>(table: ConstraintTable, raw: unknown, format: WireFormat): T {
  const compiled = compileTable(table);
  const data = compiled.convert(raw as Record<string, unknown>, format);
  const errors: string[] = [];
  compiled.check(data, '', errors);
  if (errors.length > 0) {
    throw validationError(
      `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`,
    );
  }
  return data as T;
}

// ---- types -------------------------------------------------------------------------------------------

const TRUNCATING = 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber';

function objectTypeError(v: object): never {
  if (Array.isArray(v)) throw serializationError('Start of list found where not expected');
  throw serializationError('Start of structure or map found where not expected.');
}

/** A CBOR tag cbor2 left undecoded (the protocol decodes with ignoreGlobalTags). */
function isTag(v: unknown): v is Tag {
  return v instanceof Tag;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !isTag(v);
}

function typeFn(shape: Constraint): TypeFn {
  const t = shape.type;
  switch (t) {
    case 'String':
      return (v) => {
        if (typeof v === 'string') return v;
        if (typeof v === 'boolean') throw serializationError('class java.lang.Boolean can not be converted to an String');
        if (typeof v === 'number' || typeof v === 'bigint') throw serializationError(`${TRUNCATING} can not be converted to an String`);
        return objectTypeError(v as object);
      };
    case 'Integer':
    case 'Long':
      return (v) => {
        if (typeof v === 'number' || typeof v === 'bigint') {
          const n = Math.floor(Number(v));
          return t === 'Integer' ? Math.min(n, 2147483647) : n;
        }
        if (typeof v === 'boolean') throw serializationError(`class java.lang.Boolean can not be converted to an ${t}`);
        if (typeof v === 'string') throw serializationError(`class java.lang.String can not be converted to an ${t}`);
        return objectTypeError(v as object);
      };
    case 'Boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (typeof v === 'number' || typeof v === 'bigint') throw serializationError(`${TRUNCATING} can not be converted to an Boolean`);
        if (typeof v === 'string') throw serializationError(`'${v.toUpperCase()}' can not be converted to an Boolean`);
        return objectTypeError(v as object);
      };
    case 'Blob':
      return (v) => {
        if (typeof v === 'string') return decodeBase64Blob(v);
        if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        if (typeof v === 'boolean') throw serializationError('class java.lang.Boolean can not be converted to a Blob');
        if (typeof v === 'number' || typeof v === 'bigint') throw serializationError(`${TRUNCATING} can not be converted to a Blob`);
        return objectTypeError(v as object);
      };
    case 'Timestamp':
      return timestampMs;
    case 'List': {
      let child: TypeFn | undefined;
      return (v, format) => {
        if (!Array.isArray(v)) {
          if (typeof v === 'object' && !isTag(v) && !(v instanceof Uint8Array)) {
            throw serializationError('Start of structure or map found where not expected.');
          }
          throw serializationError('Expected list or null');
        }
        child ??= typeFn(shape.children ?? { type: 'String' });
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const item = v[i];
          out[i] = item === null || item === undefined ? null : child(item, format);
        }
        return out;
      };
    }
    case 'Map': {
      let child: TypeFn | undefined;
      return (v, format) => {
        if (!isPlainObject(v)) {
          if (Array.isArray(v)) throw serializationError('Start of list found where not expected');
          throw serializationError('Expected map or null');
        }
        child ??= typeFn(shape.children ?? { type: 'String' });
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(v)) {
          const item = v[key];
          out[key] = item === null || item === undefined ? null : child(item, format);
        }
        return out;
      };
    }
    case 'Structure': {
      let members: CompiledTable | undefined;
      return (v, format) => {
        if (!isPlainObject(v)) {
          if (Array.isArray(v)) throw serializationError('Start of list found where not expected');
          throw serializationError('Expected null');
        }
        members ??= compileTable(shape.members ?? {});
        return members.convert(v, format);
      };
    }
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
// Value of each base64 character (-1: not one), to check the bits a final character leaves unused.
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/**
 * Decodes strict base64 as AWS accepts it; undefined when AWS would refuse it. Node's decoder skips
 * characters outside the alphabet and stops at '=', so a decoded length short of what the text implies
 * reveals those; it also takes base64url's '-' and '_', and ignores the unused bits of the last character,
 * which are checked separately.
 */
export function decodeBase64(s: string): Buffer | undefined {
  const len = s.length;
  if (len % 4 !== 0) return undefined;
  const bytes = Buffer.from(s, 'base64');
  const pads = len === 0 ? 0 : s.charCodeAt(len - 1) !== 61 ? 0 : s.charCodeAt(len - 2) !== 61 ? 1 : 2;
  if (bytes.length === (len / 4) * 3 - pads && s.indexOf('-') === -1 && s.indexOf('_') === -1) {
    if (pads === 0) return bytes;
    const last = B64_VALUE[s.charCodeAt(len - 1 - pads)] ?? -1;
    if (last >= 0 && (last & (pads === 1 ? 0b11 : 0b1111)) === 0) return bytes;
  }
  return undefined;
}

/** decodeBase64, or the SerializationException AWS answers; only a rejected value pays for picking its message. */
function decodeBase64Blob(s: string): Buffer {
  const bytes = decodeBase64(s);
  if (bytes) return bytes;
  const len = s.length;
  if (len % 4 !== 0) {
    throw serializationError(
      `'${s}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${len}`,
    );
  }
  const bad = BASE64_BAD.exec(s);
  if (bad) throw serializationError(`'${s}' can not be converted to a Blob: Invalid Base64 character: '${bad[0][0]}'`);
  // AWS's spelling.
  throw serializationError(`'${s}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected`);
}

// ---- constraints -------------------------------------------------------------------------------------

/** A table's regex as it is checked: against the whole value. */
export function anchored(regex: string): RegExp {
  return new RegExp(`^(?:${regex})$`);
}

interface Rule {
  ok(v: unknown): boolean;
  message: string;
}

function lengthOf(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value) || value instanceof Uint8Array) return value.length;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length;
  return 0;
}

function rulesOf(shape: Constraint): Rule[] {
  const rules: Rule[] = [];
  for (const key of Object.keys(shape)) {
    if (STRUCTURAL_KEYS.has(key) || key === 'notNull') continue;
    const rule = ruleFor(key as keyof Constraint, shape);
    if (rule) rules.push(rule);
  }
  return rules;
}

function ruleFor(key: keyof Constraint, shape: Constraint): Rule | undefined {
  switch (key) {
    case 'lengthGreaterThanOrEqual': {
      const n = shape.lengthGreaterThanOrEqual!;
      return { ok: (v) => lengthOf(v) >= n, message: `Member must have length greater than or equal to ${n}` };
    }
    case 'lengthLessThanOrEqual': {
      const n = shape.lengthLessThanOrEqual!;
      return { ok: (v) => lengthOf(v) <= n, message: `Member must have length less than or equal to ${n}` };
    }
    case 'greaterThanOrEqual': {
      const n = shape.greaterThanOrEqual!;
      return { ok: (v) => (v as number) >= n, message: `Member must have value greater than or equal to ${n}` };
    }
    case 'lessThanOrEqual': {
      const n = shape.lessThanOrEqual!;
      return { ok: (v) => (v as number) <= n, message: `Member must have value less than or equal to ${n}` };
    }
    case 'regex': {
      const re = anchored(shape.regex!);
      return { ok: (v) => re.test(String(v)), message: `Member must satisfy regular expression pattern: ${shape.regex}` };
    }
    case 'enum': {
      const values = shape.enum!;
      return { ok: (v) => values.includes(v as string), message: `Member must satisfy enum value set: [${values.join(', ')}]` };
    }
    case 'childLengths': {
      const [min, max] = shape.childLengths!;
      return {
        ok: (v) => (v as unknown[]).every((x) => typeof x === 'string' && x.length >= min && x.length <= max),
        message: `Member must satisfy constraint: [Member must have length less than or equal to ${max}, Member must have length greater than or equal to ${min}]`,
      };
    }
    case 'childKeyLengths': {
      const [min, max] = shape.childKeyLengths!;
      return {
        ok: (v) => Object.keys(v as object).every((x) => x.length >= min && x.length <= max),
        message: `Map keys must satisfy constraint: [Member must have length less than or equal to ${max}, Member must have length greater than or equal to ${min}]`,
      };
    }
    case 'childValueLengths': {
      const [min, max] = shape.childValueLengths!;
      return {
        ok: (v) => {
          const map = v as Record<string, unknown>;
          return Object.keys(map).every((k) => lengthOf(map[k]) >= min && lengthOf(map[k]) <= max);
        },
        message: `Map value must satisfy constraint: [Member must have length less than or equal to ${max}, Member must have length greater than or equal to ${min}]`,
      };
    }
    default:
      return undefined;
  }
}

function compileShape(shape: Constraint, name: string): CompiledShape {
  const rules = rulesOf(shape);
  const notNull = shape.notNull === true;
  // AWS reports notNull where it is written among the rules; it is always first in eddy's tables, and a
  // null value fails no other rule, so checking it first is the same.
  let children: ((v: unknown, prefix: string, errors: string[]) => void) | undefined;
  let childrenHaveRules = false;
  if (shape.type === 'List' && shape.children) {
    const child = compileShape(shape.children, 'member');
    childrenHaveRules = child.hasRules;
    children = (v, prefix, errors) => {
      const list = v as unknown[];
      for (let i = 0; i < list.length && errors.length < MAX_ERRORS; i++) child.check(list[i], `${prefix}${i + 1}.`, errors);
    };
  } else if (shape.type === 'Map' && shape.children) {
    const child = compileShape(shape.children, 'member');
    childrenHaveRules = child.hasRules;
    children = (v, prefix, errors) => {
      const map = v as Record<string, unknown>;
      // kinesalite (after AWS) walks map entries last to first.
      for (const key of Object.keys(map).reverse()) {
        if (errors.length >= MAX_ERRORS) return;
        child.check(map[key], `${prefix}${key}.`, errors);
      }
    };
  } else if (shape.type === 'Structure' && shape.members) {
    const members = compileTable(shape.members);
    childrenHaveRules = members.shapes.some((s) => s.hasRules);
    children = (v, prefix, errors) => members.check(v as Record<string, unknown>, prefix, errors);
  }
  const n = rules.length;
  const check: CheckFn = (v, parent, errors) => {
    if (v === null || v === undefined) {
      if (notNull) errors.push(`Value null at '${parent}${name}' failed to satisfy constraint: Member must not be null`);
      return;
    }
    for (let i = 0; i < n; i++) {
      if (errors.length >= MAX_ERRORS) return;
      const rule = rules[i]!;
      if (!rule.ok(v)) errors.push(`Value '${valueString(v, shape)}' at '${parent}${name}' failed to satisfy constraint: ${rule.message}`);
    }
    if (childrenHaveRules && errors.length < MAX_ERRORS) children!(v, `${parent}${name}.`, errors);
  };
  return { convert: typeFn(shape), check, hasRules: notNull || n > 0 || childrenHaveRules };
}

/** The value as AWS prints it in a message. */
function valueString(value: unknown, shape: Constraint): string {
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
