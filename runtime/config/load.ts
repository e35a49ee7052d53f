// Loads serverless.yml from a folder: find, parse, resolve, validate, freeze (see resolve.ts), then check that
// the local folders it names (layers) exist.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { EddyError } from '../errors.ts';
import { findConfigFile, readServerlessYaml } from './parse.ts';
import { resolveServiceConfig } from './resolve.ts';
import { DEFAULT_STAGE } from './schema.ts';
import type { ServiceConfig } from './types.ts';

export interface LoadOptions {
  /** `--stage`: wins over provider.stage. */
  stage?: string | undefined;
  /** `--region`: wins over provider.region. */
  region?: string | undefined;
  /** What `${env:…}` reads (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Config file to read instead of serverless.yml / serverless.yaml (relative to dir). */
  file?: string | undefined;
}

/** Reads `<dir>/serverless.yml` (or `.yaml`, or `file`) into a validated, frozen ServiceConfig. */
export async function loadServiceConfig(dir: string, options: LoadOptions = {}): Promise<ServiceConfig> {
  const absDir = path.resolve(dir);
  const file = await findConfigFile(absDir, options.file);
  const parsed = await readServerlessYaml(file);
  const serviceDir = path.dirname(file);
  const env = options.env ?? process.env;
  const dotenv = await readDotenv(serviceDir, options.stage ?? plainStage(parsed.value) ?? DEFAULT_STAGE);
  const config = resolveServiceConfig(parsed.value, {
    dir: serviceDir,
    stage: options.stage,
    region: options.region,
    // Variables already in the environment win over the .env file, as with dotenv.
    env: { ...dotenv, ...env },
    fileName: path.basename(file),
    notices: parsed.notices,
  });
  await checkFolders(config, path.basename(file));
  return config;
}

/** provider.stage when written as a plain value (a variable there needs the env being loaded). */
function plainStage(raw: unknown): string | undefined {
  const stage = (raw as { provider?: { stage?: unknown } } | null)?.provider?.stage;
  return typeof stage === 'string' && !stage.includes('${') ? stage : undefined;
}

/** Whether a file name is one readDotenv reads for some stage (hot reload re-applies the config on its save). */
export function isDotenvFile(name: string): boolean {
  return name === '.env' || name.startsWith('.env.');
}

/**
 * `.env.<stage>`, else `.env`, next to serverless.yml, for `${env:…}` variables: what Serverless v4 does (v3 with
 * `useDotenv: true`). Functions get only the variables their `environment` declares, as on AWS.
 */
async function readDotenv(dir: string, stage: string): Promise<Record<string, string>> {
  for (const name of [`.env.${stage}`, '.env']) {
    let text: string;
    try {
      text = await readFile(path.join(dir, name), 'utf8');
    } catch {
      continue;
    }
    return Object.fromEntries(Object.entries(parseEnv(text)).filter((e): e is [string, string] => e[1] !== undefined));
  }
  return {};
}

/** Every layer folder a function mounts must exist (a missing one would only fail later, at INIT). */
async function checkFolders(config: ServiceConfig, fileName: string): Promise<void> {
  const missing = new Set<string>();
  for (const fn of Object.values(config.functions)) {
    for (const folder of fn.layers) {
      const ok = await stat(folder).then((s) => s.isDirectory(), () => false);
      if (!ok) missing.add(`  functions.${fn.key}.layers: folder ${path.relative(config.dir, folder) || folder} does not exist`);
    }
  }
  if (missing.size > 0) {
    const n = missing.size;
    throw new EddyError('EDDY_ERR_CONFIG_INVALID', `${fileName} is invalid (${n} problem${n === 1 ? '' : 's'}):\n${[...missing].join('\n')}`);
  }
}
