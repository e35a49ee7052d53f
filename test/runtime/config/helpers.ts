// Shared by the config tests: resolve YAML text without touching the file system.
import { expect } from 'vitest';
import { hasErrorCode } from '../../../runtime/errors.ts';
import { parseServerlessYaml } from '../../../runtime/config/parse.ts';
import { resolveServiceConfig, type ResolveOptions } from '../../../runtime/config/resolve.ts';
import type { ServiceConfig } from '../../../runtime/config/types.ts';

export const DIR = '/srv/app';

export function config(yaml: string, options: ResolveOptions = {}): ServiceConfig {
  return resolveServiceConfig(parseServerlessYaml(yaml, 'serverless.yml').value, { dir: DIR, env: {}, instanceId: 'i-1', ...options });
}

/** The problem lines of the EDDY_ERR_CONFIG_INVALID the file gets. */
export function problems(yaml: string, options: ResolveOptions = {}): string[] {
  try {
    config(yaml, options);
  } catch (err) {
    expect(hasErrorCode(err, 'EDDY_ERR_CONFIG_INVALID')).toBe(true);
    return (err as Error).message.split('\n').slice(1).map((l) => l.trim());
  }
  throw new Error('expected the config to be invalid');
}
