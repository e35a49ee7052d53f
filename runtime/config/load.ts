// Loads serverless.yml from a folder: find, parse, resolve, validate, freeze (see resolve.ts), then check that
// the local folders it names (layers) exist.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { EddyError } from '../errors.ts';
import { findConfigFile, readServerlessYaml } from './parse.ts';
import { resolveServiceConfig } from './resolve.ts';
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
  const config = resolveServiceConfig(parsed.value, {
    dir: path.dirname(file),
    stage: options.stage,
    region: options.region,
    ...(options.env !== undefined && { env: options.env }),
    fileName: path.basename(file),
    notices: parsed.notices,
  });
  await checkFolders(config, path.basename(file));
  return config;
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
