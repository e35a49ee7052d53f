// Serverless Framework v3/v4 variables: `${self:a.b}`, `${sls:stage}`, `${opt:stage}`, `${env:X}`,
// `${param:x}`, `${aws:region}`, `${file(./x.yml):a.b}`, with fallbacks (`${env:X, 'd'}`, `${self:x, 123}`,
// `${env:A, ${env:B, 'c'}}`, `${opt:stage, self:provider.stage}`). A variable that is the whole value keeps
// the type of what it resolves to; inside a longer string it is interpolated. `${AWS::Region}` and other
// `${Upper…}` forms are CloudFormation's (Fn::Sub) and are left alone, as Serverless does.
// Syntax follows serverless/lib/configuration/variables/parse.js; resolution is lazy, memoised per path,
// with cycle detection.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_REGION, DEFAULT_STAGE } from './schema.ts';
import { yamlOptions } from './yaml-tags.ts';

/** Stands in for a value whose variable could not be resolved (its error is already reported). */
export const UNRESOLVED: unique symbol = Symbol('eddy.config.unresolved');

export interface VariableOptions {
  /** `--stage` (what `${opt:stage}` reads). */
  readonly stage?: string | undefined;
  /** `--region` (what `${opt:region}` reads). */
  readonly region?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What `${sls:instanceId}` gives (default: random per load, as Serverless makes one per run). */
  readonly instanceId: string;
  /** Folder `${file(…)}` paths are relative to; undefined in the pure resolver (then `file` is unsupported). */
  readonly dir?: string | undefined;
  readonly accountId: string;
}

export interface VariableResult {
  readonly value: unknown;
  readonly errors: { path: string; message: string }[];
  readonly notices: string[];
}

type Source =
  | { kind: 'literal'; value: unknown }
  | { kind: 'nested'; variable: Variable }
  | { kind: 'ref'; type: string; params: Template[]; address: Template | undefined };

/** A string with variables inside it: literal parts and variables. */
type Template = readonly (string | Variable)[];

interface Variable {
  readonly text: string;
  readonly sources: readonly Source[];
}

class SyntaxProblem extends Error {}

/** Parses a string into literal parts and variables; a string without variables is one literal part. */
export function parseTemplate(input: string): Template {
  const parts: (string | Variable)[] = [];
  let literal = '';
  let i = 0;
  while (i < input.length) {
    if (input[i] === '$' && input[i + 1] === '{' && startsVariable(input, i + 2)) {
      const [variable, end] = parseVariable(input, i);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(variable);
      i = end;
    } else {
      literal += input[i];
      i++;
    }
  }
  if (literal || parts.length === 0) parts.push(literal);
  return parts;
}

/** `${` starts a Serverless variable only when a lowercase source type follows (`env:`, `file(`); else it is foreign. */
function startsVariable(input: string, at: number): boolean {
  const m = /^[a-z][a-zA-Z0-9]*[:(]/.exec(input.slice(at, at + 64));
  return m !== null;
}

/** Parses `${…}` starting at `start` (the `$`); returns the variable and the index after its `}`. */
function parseVariable(input: string, start: number): [Variable, number] {
  let i = start + 2;
  const sources: Source[] = [];
  for (;;) {
    while (input[i] === ' ') i++;
    const [source, next] = parseSource(input, i);
    sources.push(source);
    i = next;
    while (input[i] === ' ') i++;
    if (input[i] === ',') {
      i++;
      continue;
    }
    if (input[i] === '}') return [{ text: input.slice(start, i + 1), sources }, i + 1];
    throw new SyntaxProblem(`missing closing "}" in ${JSON.stringify(input.slice(start))}`);
  }
}

function parseSource(input: string, i: number): [Source, number] {
  const c = input[i];
  if (c === undefined) throw new SyntaxProblem(`missing closing "}" in ${JSON.stringify(input)}`);
  if (c === '$' && input[i + 1] === '{') {
    const [variable, end] = parseVariable(input, i);
    return [{ kind: 'nested', variable }, end];
  }
  if (c === "'" || c === '"') {
    const close = input.indexOf(c, i + 1);
    if (close < 0) throw new SyntaxProblem(`unterminated string literal in ${JSON.stringify(input)}`);
    const raw = input.slice(i + 1, close);
    return [{ kind: 'literal', value: c === '"' ? JSON.parse(`"${raw}"`) : raw }, close + 1];
  }
  const typeMatch = /^[a-z][a-zA-Z0-9]*(?=[:(])/.exec(input.slice(i));
  if (typeMatch) {
    const type = typeMatch[0];
    i += type.length;
    const params: Template[] = [];
    if (input[i] === '(') {
      i++;
      for (;;) {
        const [param, next] = readUntil(input, i, ',)');
        if (param.trim() !== '') params.push(parseTemplate(unquote(param.trim())));
        i = next;
        if (input[i] === ')') {
          i++;
          break;
        }
        if (input[i] === ',') {
          i++;
          continue;
        }
        throw new SyntaxProblem(`missing ")" in ${JSON.stringify(input)}`);
      }
    }
    let address: Template | undefined;
    if (input[i] === ':') {
      const [raw, next] = readUntil(input, i + 1, ',}');
      const trimmed = raw.trim();
      address = trimmed === '' ? undefined : parseTemplate(unquote(trimmed));
      i = next;
    }
    return [{ kind: 'ref', type, params, address }, i];
  }
  // A bare literal fallback: number, true, false, null.
  const [raw, next] = readUntil(input, i, ',}');
  const word = raw.trim();
  if (word === 'true' || word === 'false') return [{ kind: 'literal', value: word === 'true' }, next];
  if (word === 'null') return [{ kind: 'literal', value: null }, next];
  if (word !== '' && !Number.isNaN(Number(word))) return [{ kind: 'literal', value: Number(word) }, next];
  throw new SyntaxProblem(`invalid fallback ${JSON.stringify(word)} in ${JSON.stringify(input)} (quote strings: '${word}')`);
}

function unquote(s: string): string {
  return (s.startsWith("'") && s.endsWith("'")) || (s.startsWith('"') && s.endsWith('"')) ? s.slice(1, -1) : s;
}

/** Reads up to the first of `stops` outside nested `${…}`, quotes and parentheses. */
function readUntil(input: string, i: number, stops: string): [string, number] {
  const start = i;
  let depth = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === '$' && input[i + 1] === '{') {
      depth++;
      i += 2;
      continue;
    }
    if (depth > 0 && c === '}') {
      depth--;
      i++;
      continue;
    }
    if (depth === 0 && (c === "'" || c === '"')) {
      const close = input.indexOf(c, i + 1);
      i = close < 0 ? input.length : close + 1;
      continue;
    }
    if (depth === 0 && stops.includes(c)) return [input.slice(start, i), i];
    i++;
  }
  throw new SyntaxProblem(`missing closing "}" in ${JSON.stringify(input)}`);
}

/** Sources eddy resolves; others (ssm, s3, cf, aws secrets, …) need a fallback to run locally. */
const SUPPORTED = new Set(['self', 'sls', 'opt', 'env', 'param', 'aws', 'file', 'strToBool']);

const MISSING = Symbol('missing');

/** Resolves every variable in a parsed serverless.yml tree. Never throws for bad input: errors are collected. */
export function resolveVariables(root: unknown, options: VariableOptions): VariableResult {
  const errors: { path: string; message: string }[] = [];
  const notices: string[] = [];
  const memo = new Map<string, unknown>();
  const inProgress = new Set<string>();
  const fileCache = new Map<string, unknown>();

  const keyOf = (p: readonly string[]): string => p.join('\u0000');
  const show = (p: readonly string[]): string => (p.length === 0 ? '(root)' : p.join('.'));

  function resolveDeep(node: unknown, at: readonly string[]): unknown {
    const key = keyOf(at);
    if (memo.has(key)) return memo.get(key);
    if (inProgress.has(key)) throw new Cycle(at);
    inProgress.add(key);
    let out: unknown;
    try {
      if (typeof node === 'string') out = resolveString(node, at);
      else if (Array.isArray(node)) out = node.map((item, i) => resolveDeep(item, [...at, String(i)]));
      else if (typeof node === 'object' && node !== null) {
        const obj: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node)) obj[k] = resolveDeep(v, [...at, k]);
        out = obj;
      } else out = node;
    } finally {
      inProgress.delete(key);
    }
    memo.set(key, out);
    return out;
  }

  function resolveString(value: string, at: readonly string[]): unknown {
    let template: Template;
    try {
      template = parseTemplate(value);
    } catch (err) {
      if (!(err instanceof SyntaxProblem)) throw err;
      errors.push({ path: show(at), message: `invalid variable syntax: ${err.message}` });
      return UNRESOLVED;
    }
    return evaluate(template, at);
  }

  function evaluate(template: Template, at: readonly string[]): unknown {
    if (template.length === 1 && typeof template[0] !== 'string') return resolveVariable(template[0]!, at);
    let out = '';
    for (const part of template) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const v = resolveVariable(part, at);
      if (v === UNRESOLVED) return UNRESOLVED;
      if (v === null || v === undefined) {
        errors.push({ path: show(at), message: `${part.text} resolved to null and cannot be part of a string` });
        return UNRESOLVED;
      }
      if (typeof v === 'object') {
        errors.push({ path: show(at), message: `${part.text} resolves to an object and cannot be part of a string` });
        return UNRESOLVED;
      }
      out += String(v);
    }
    return out;
  }

  function resolveVariable(variable: Variable, at: readonly string[]): unknown {
    const skipped: string[] = [];
    let firstMissing: string | undefined;
    for (const source of variable.sources) {
      const v = resolveSource(source, at, skipped);
      if (v === UNRESOLVED) return UNRESOLVED;
      if (v === MISSING || v === undefined) {
        firstMissing ??= describeMissing(source);
        continue;
      }
      // A literal null is an explicit "no value" (Serverless drops the property); other nulls fall through.
      if (v === null && source.kind !== 'literal') {
        firstMissing ??= describeMissing(source);
        continue;
      }
      if (skipped.length > 0) notices.push(`${show(at)}: ${skipped.join(', ')} not resolved by eddy; used the fallback`);
      return v;
    }
    errors.push({ path: show(at), message: `cannot resolve ${variable.text}: ${firstMissing ?? 'no value'}` });
    return UNRESOLVED;
  }

  function text(t: Template | undefined, at: readonly string[]): string | typeof UNRESOLVED | undefined {
    if (t === undefined) return undefined;
    const v = evaluate(t, at);
    if (v === UNRESOLVED) return UNRESOLVED;
    return v === null || v === undefined ? undefined : String(v);
  }

  function resolveSource(source: Source, at: readonly string[], skipped: string[]): unknown {
    if (source.kind === 'literal') return source.value;
    if (source.kind === 'nested') return resolveVariable(source.variable, at);
    if (!SUPPORTED.has(source.type)) {
      skipped.push(`\${${source.type}:…}`);
      return MISSING;
    }
    try {
      return resolveRef(source, at);
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      errors.push({ path: show(at), message: `${err.message}` });
      return UNRESOLVED;
    }
  }

  function resolveRef(source: Extract<Source, { kind: 'ref' }>, at: readonly string[]): unknown {
    const address = text(source.address, at);
    if (address === UNRESOLVED) return UNRESOLVED;
    switch (source.type) {
      case 'env':
        if (address === undefined) return MISSING;
        // Serverless treats an empty variable as unset (`process.env[x] || null`).
        return options.env[address] || MISSING;
      case 'opt':
        if (address === 'stage') return options.stage ?? MISSING;
        if (address === 'region') return options.region ?? MISSING;
        return MISSING;
      case 'sls':
        if (address === 'stage') return stage(at);
        if (address === 'instanceId') return options.instanceId;
        throw new Unsupported(`unsupported address "${address ?? ''}" of the "sls" source (stage, instanceId)`);
      case 'aws':
        if (address === 'region') return region(at);
        if (address === 'accountId') return options.accountId;
        throw new Unsupported(`unsupported address "${address ?? ''}" of the "aws" source (region, accountId)`);
      case 'self': {
        const v = lookup(address === undefined ? [] : address.split('.'), at);
        // Old configs read ${self:provider.stage} / ${self:provider.region} without setting them: the defaults.
        if (v === MISSING && address === 'provider.stage') return stage(at);
        if (v === MISSING && address === 'provider.region') return region(at);
        return v;
      }
      case 'param': {
        if (address === undefined) return MISSING;
        const s = stage(at);
        if (s === UNRESOLVED) return UNRESOLVED;
        // v3 `params.<stage>`, v4 `stages.<stage>.params`, then the `default` stage of either.
        for (const where of [
          ['params', String(s), address],
          ['stages', String(s), 'params', address],
          ['params', 'default', address],
          ['stages', 'default', 'params', address],
        ]) {
          const v = lookup(where, at);
          if (v === UNRESOLVED) return UNRESOLVED;
          if (v !== MISSING && v !== undefined && v !== null) return v;
        }
        return MISSING;
      }
      case 'strToBool': {
        const p = source.params[0] === undefined ? undefined : text(source.params[0], at);
        if (p === UNRESOLVED) return UNRESOLVED;
        if (p === 'true' || p === '1') return true;
        if (p === 'false' || p === '0') return false;
        throw new Unsupported(`strToBool expects true, false, 1 or 0 (got ${JSON.stringify(p)})`);
      }
      case 'file': {
        const p = source.params[0] === undefined ? undefined : text(source.params[0], at);
        if (p === UNRESOLVED) return UNRESOLVED;
        if (p === undefined) throw new Unsupported('file() needs a path');
        return readFileSource(p, address);
      }
      default:
        return MISSING;
    }
  }

  function readFileSource(file: string, address: string | undefined): unknown {
    if (options.dir === undefined) throw new Unsupported(`\${file(${file})} needs the service folder`);
    const abs = path.resolve(options.dir, file);
    if (!fileCache.has(abs)) {
      let content: unknown = MISSING;
      const ext = path.extname(abs).toLowerCase();
      if (ext !== '.json' && ext !== '.yml' && ext !== '.yaml') {
        throw new Unsupported(`eddy reads only .json, .yml and .yaml files with \${file()} (got ${file})`);
      }
      try {
        const textContent = readFileSync(abs, 'utf8');
        content = ext === '.json' ? JSON.parse(textContent) : parseYaml(textContent, yamlOptions());
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Unsupported(`cannot read ${file}: ${(err as Error).message}`);
      }
      fileCache.set(abs, content);
    }
    let node = fileCache.get(abs);
    for (const seg of address === undefined ? [] : address.split('.')) {
      if (typeof node !== 'object' || node === null) return MISSING;
      node = (node as Record<string, unknown>)[seg];
    }
    return node === undefined ? MISSING : node;
  }

  /** `${self:a.b.c}`: walks the config, resolving variables on the way (a value may come from another variable). */
  function lookup(segments: readonly string[], at: readonly string[]): unknown {
    let node: unknown = root;
    let i = 0;
    for (; i < segments.length; i++) {
      if (typeof node === 'string') break;
      node = child(node, segments[i]!);
      if (node === undefined) return MISSING;
    }
    let value: unknown;
    try {
      value = resolveDeep(node, segments.slice(0, i));
    } catch (err) {
      if (!(err instanceof Cycle)) throw err;
      errors.push({ path: show(at), message: `circular reference: ${segments.length === 0 ? 'the whole file' : segments.join('.')} depends on itself` });
      return UNRESOLVED;
    }
    for (; i < segments.length; i++) {
      if (value === UNRESOLVED) return UNRESOLVED;
      value = child(value, segments[i]!);
      if (value === undefined) return MISSING;
    }
    return value;
  }

  function stage(at: readonly string[]): unknown {
    if (options.stage) return options.stage;
    const s = lookup(['provider', 'stage'], at);
    return s === MISSING || s === null || s === undefined ? DEFAULT_STAGE : s;
  }

  function region(at: readonly string[]): unknown {
    if (options.region) return options.region;
    const r = lookup(['provider', 'region'], at);
    return r === MISSING || r === null || r === undefined ? DEFAULT_REGION : r;
  }

  function describeMissing(source: Source): string {
    if (source.kind !== 'ref') return 'no value';
    const address = source.address === undefined ? '' : source.address.map((p) => (typeof p === 'string' ? p : p.text)).join('');
    switch (source.type) {
      case 'env':
        return `environment variable ${address} is not set`;
      case 'opt':
        return `option --${address} was not given`;
      case 'self':
        return `${address || '(root)'} is not set in the file`;
      case 'param':
        return `parameter "${address}" is not set under params`;
      case 'file': {
        const file = source.params[0]?.map((p) => (typeof p === 'string' ? p : p.text)).join('') ?? '';
        if (options.dir !== undefined && !existsSync(path.resolve(options.dir, file))) return `the file ${file} does not exist`;
        return `"${address}" is not in the file ${file}`;
      }
      default:
        return `eddy does not resolve "${source.type}" variables locally; add a fallback, e.g. \${${source.type}:${address}, 'local-value'}`;
    }
  }

  let value: unknown;
  try {
    value = resolveDeep(root, []);
  } catch (err) {
    if (!(err instanceof Cycle)) throw err;
    errors.push({ path: show(err.at), message: 'circular reference' });
    value = UNRESOLVED;
  }
  return { value, errors, notices };
}

function child(node: unknown, segment: string): unknown {
  if (Array.isArray(node)) return /^\d+$/.test(segment) ? node[Number(segment)] : undefined;
  if (typeof node === 'object' && node !== null) return (node as Record<string, unknown>)[segment];
  return undefined;
}

class Cycle extends Error {
  constructor(readonly at: readonly string[]) {
    super('circular reference');
  }
}

class Unsupported extends Error {}
