// Finds and parses serverless.yml: YAML errors are reported as `serverless.yml:<line>:<col>: <problem>`.

import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument, type YAMLError } from 'yaml';
import { EddyError } from '../errors.ts';
import { yamlOptions } from './yaml-tags.ts';

/** The file names Serverless looks for, in its order (JSON/JS/TS configs are not read by eddy). */
export const CONFIG_FILE_NAMES = ['serverless.yml', 'serverless.yaml'] as const;

/** Absolute path of the service's config file: `file` when given (relative to `dir`), else the first found. */
export async function findConfigFile(dir: string, file?: string): Promise<string> {
  const candidates = file !== undefined ? [path.resolve(dir, file)] : CONFIG_FILE_NAMES.map((name) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // try the next name
    }
  }
  const looked = candidates.map((c) => path.relative(process.cwd(), c) || c).join(' or ');
  throw new EddyError('EDDY_ERR_CONFIG_NOT_FOUND', `No serverless.yml was found: looked for ${looked}`);
}

export interface ParsedYaml {
  readonly value: unknown;
  /** Unknown YAML tags and the like: informational. */
  readonly notices: string[];
}

/** Parses YAML text; `label` names the file in messages (e.g. `serverless.yml`). */
export function parseServerlessYaml(text: string, label: string): ParsedYaml {
  const doc = parseDocument(text, yamlOptions());
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => formatYamlError(e, label));
    throw new EddyError('EDDY_ERR_CONFIG_INVALID', `${label} is not valid YAML:\n${lines.join('\n')}`);
  }
  const notices = doc.warnings.map((w) => formatYamlError(w, label).split('\n')[0]!);
  return { value: doc.toJS({ maxAliasCount: 1000 }), notices };
}

/** `serverless.yml:3:7: Map keys must be unique` followed by the yaml package's code excerpt. */
export function formatYamlError(err: YAMLError, label: string): string {
  const pos = err.linePos?.[0];
  const where = pos ? `${label}:${pos.line}:${pos.col}` : label;
  const [head, ...excerpt] = err.message.split('\n');
  const problem = (head ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const snippet = excerpt.filter((l) => l.trim() !== '').map((l) => `    ${l}`);
  return [`${where}: ${problem}`, ...snippet].join('\n');
}

/** Reads and parses a config file. */
export async function readServerlessYaml(file: string): Promise<ParsedYaml> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new EddyError('EDDY_ERR_CONFIG_NOT_FOUND', `Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseServerlessYaml(text, path.basename(file));
}
