// From a parsed serverless.yml object to the frozen ServiceConfig: variables, one schema pass, Serverless's
// defaults, intrinsics resolved against `resources`, every problem collected into one EDDY_ERR_CONFIG_INVALID.
// Pure (no file system) except `${file(…)}` variables when `dir` is given. The parts: variables.ts, schema.ts,
// functions.ts, streams.ts, esbuild.ts.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { EddyError } from '../errors.ts';
import { esbuildOptions } from './esbuild.ts';
import { deepFreeze } from './freeze.ts';
import { buildFunction, environment, normalizedName } from './functions.ts';
import type { CfnResource, IntrinsicContext } from './intrinsics.ts';
import { DEFAULT_REGION, DEFAULT_STAGE, serviceSchema } from './schema.ts';
import { streamResources } from './streams.ts';
import type { EddyCustomConfig, FunctionConfig, ServiceConfig } from './types.ts';
import { isPlainObject, Report, validate, type Path } from './validate.ts';
import { asArr, asObj, asStr, asNum, strip, type Obj } from './values.ts';
import { resolveVariables } from './variables.ts';

export const ACCOUNT_ID = '000000000000';

export interface ResolveOptions {
  /** Folder of serverless.yml (default: the current directory); relative paths are resolved against it. */
  readonly dir?: string;
  /** `--stage`: wins over provider.stage. */
  readonly stage?: string | undefined;
  /** `--region`: wins over provider.region. */
  readonly region?: string | undefined;
  /** What `${env:…}` reads (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What `${sls:instanceId}` gives (default: random per resolve). */
  readonly instanceId?: string;
  /** The file name used in messages (default `serverless.yml`). */
  readonly fileName?: string;
  /** Notices found before resolution (YAML warnings), kept first. */
  readonly notices?: readonly string[];
}

/** Validates and resolves a parsed serverless.yml object into a frozen ServiceConfig, or throws EDDY_ERR_CONFIG_INVALID. */
export function resolveServiceConfig(raw: unknown, options: ResolveOptions = {}): ServiceConfig {
  const dir = path.resolve(options.dir ?? process.cwd());
  const fileName = options.fileName ?? 'serverless.yml';
  const report = new Report();
  for (const n of options.notices ?? []) report.notices.push(n);

  if (!isPlainObject(raw)) {
    throw new EddyError(
      'EDDY_ERR_CONFIG_INVALID',
      `${fileName} is invalid:\n  ${raw === null || raw === undefined ? 'the file is empty' : 'must be a mapping of keys (service, provider, functions, …)'}`,
    );
  }

  const vars = resolveVariables(raw, {
    stage: options.stage,
    region: options.region,
    env: options.env ?? process.env,
    instanceId: options.instanceId ?? randomBytes(16).toString('hex'),
    dir: options.dir === undefined ? undefined : dir,
    accountId: ACCOUNT_ID,
  });
  for (const e of vars.errors) report.issues.push(e);
  for (const n of vars.notices) report.notices.push(n);

  if (options.stage !== undefined && !/^[a-zA-Z0-9-]+$/.test(options.stage)) {
    report.issues.push({ path: '--stage', message: 'must contain only letters, digits and -' });
  }
  if (options.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) {
    report.issues.push({ path: '--region', message: 'must be an AWS region such as us-east-1' });
  }

  const resolved = asObj(vars.value);
  const validated = asObj(strip(validate(serviceSchema, { ...resolved, provider: resolved['provider'] ?? {} }, [], report)));

  const service = asStr(validated['service']) ?? 'service';
  const provider = asObj(validated['provider']);
  const stage = options.stage ?? asStr(provider['stage']) ?? DEFAULT_STAGE;
  const region = options.region ?? asStr(provider['region']) ?? DEFAULT_REGION;

  pluginNotices(validated['plugins'], report);

  const custom = asObj(validated['custom']);
  const eddy = eddyCustom(asObj(custom['eddy']), dir);
  const functionsIn = asObj(validated['functions']);

  // Names first: intrinsics may point at functions (`<Fn>LambdaFunction`) and layers (`<Layer>LambdaLayer`).
  const names = new Map<string, string>();
  for (const [key, fn] of Object.entries(functionsIn)) names.set(key, asStr(asObj(fn)['name']) ?? `${service}-${stage}-${key}`);
  const layerDirs = new Map<string, string>();
  const layerNames = new Map<string, string>();
  for (const [key, layer] of Object.entries(asObj(validated['layers']))) {
    const p = asStr(asObj(layer)['path']);
    const logicalId = `${normalizedName(key)}LambdaLayer`;
    if (p !== undefined) layerDirs.set(logicalId, path.resolve(dir, p));
    layerNames.set(logicalId, asStr(asObj(layer)['name']) ?? key);
  }

  const { resources, resourcePaths } = mergeResources(validated['resources']);
  const ctx: IntrinsicContext = {
    region,
    accountId: ACCOUNT_ID,
    stackName: `${service}-${stage}`,
    resources,
    functions: new Map([...names].map(([key, name]) => [`${normalizedName(key)}LambdaFunction`, name])),
    layers: layerNames,
    imports: eddy.imports ?? {},
  };

  const streams = streamResources(ctx, resources, resourcePaths, report);
  const providerEnv = environment(ctx, asObj(provider['environment']), ['provider', 'environment'], report);

  const functions: Record<string, FunctionConfig> = {};
  const byName = new Map<string, string>();
  for (const [key, fnRaw] of Object.entries(functionsIn)) {
    const fn = buildFunction({ key, fn: asObj(fnRaw), name: names.get(key)!, provider, stage, providerEnv, validated, ctx, dir, eddy, names, layerDirs, report });
    const other = byName.get(fn.name);
    if (other !== undefined) report.error(['functions', key, 'name'], `deployed name "${fn.name}" is also the name of function ${other}`);
    byName.set(fn.name, key);
    functions[key] = fn;
  }

  const esbuild = esbuildOptions(validated, custom, report);

  if (report.issues.length > 0) {
    const lines = report.issues.map((i) => `  ${i.path}: ${i.message}`);
    const n = report.issues.length;
    throw new EddyError('EDDY_ERR_CONFIG_INVALID', `${fileName} is invalid (${n} problem${n === 1 ? '' : 's'}):\n${lines.join('\n')}`);
  }

  return deepFreeze({
    dir,
    service,
    stage,
    region,
    functions,
    streams,
    esbuild,
    eddy,
    notices: report.notices,
  } satisfies ServiceConfig);
}

/** Plugins whose job eddy does itself: no notice for them. */
const COVERED_PLUGINS = new Set([
  'serverless-esbuild', // custom.esbuild is read; eddy bundles with esbuild
  'serverless-offline', // eddy is the local runtime
  'serverless-plugin-typescript', // eddy bundles TypeScript
  'serverless-dotenv-plugin', // eddy reads .env files
]);

function pluginNotices(plugins: unknown, report: Report): void {
  const list = Array.isArray(plugins) ? plugins : asArr(asObj(plugins)['modules']);
  const names = list.filter((p): p is string => typeof p === 'string' && !COVERED_PLUGINS.has(p));
  if (names.length > 0) report.notice(['plugins'], `not run by eddy: ${names.join(', ')}`);
}

function eddyCustom(e: Obj, dir: string): EddyCustomConfig {
  const layers: Record<string, string> = {};
  for (const [arn, folder] of Object.entries(asObj(e['layers']))) if (typeof folder === 'string') layers[arn] = path.resolve(dir, folder);
  const imports: Record<string, string> = {};
  for (const [name, v] of Object.entries(asObj(e['imports']))) if (typeof v === 'string') imports[name] = v;
  return { kinesisEndpoint: asStr(e['kinesisEndpoint']), layers, pollInterval: asNum(e['pollInterval']), imports };
}

/** `resources` may be one CloudFormation fragment or a list of them (Serverless merges the list). */
function mergeResources(section: unknown): { resources: Record<string, CfnResource>; resourcePaths: Map<string, Path> } {
  const fragments = Array.isArray(section) ? section : section === undefined ? [] : [section];
  const resources: Record<string, CfnResource> = {};
  const resourcePaths = new Map<string, Path>();
  fragments.forEach((fragment, i) => {
    for (const [id, r] of Object.entries(asObj(asObj(fragment)['Resources']))) {
      resources[id] = asObj(r);
      resourcePaths.set(id, Array.isArray(section) ? ['resources', i, 'Resources', id] : ['resources', 'Resources', id]);
    }
  });
  return { resources, resourcePaths };
}
