// Bundles one function with esbuild (TypeScript and dependencies in, one .mjs/.cjs out), incrementally,
// so hot reload can rebuild it and a watcher knows which files it imports.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { FunctionConfig } from '../config/types.ts';
import { EddyError } from '../errors.ts';
import { BUNDLE_LOCATION, IMPORT_META_DEFINES, bundleLocation, importerFormat, missingDynamicImport, sourceLocations } from './bundle-plugins.ts';
import { findHandlerFile, parseHandler, runtimeError } from './handler.ts';
import type { ErrorPayload } from './messages.ts';

export interface BundleInput {
  fn: FunctionConfig;
  /** The service dir (LAMBDA_TASK_ROOT): handlers are relative to it. */
  serviceDir: string;
  /** `build.esbuild` options of the service, passed through to esbuild. */
  esbuildOptions: Readonly<Record<string, unknown>>;
  /** Where bundles are written (`<dataDir>/build`). */
  outRoot: string;
}

export interface BuiltBundle {
  ok: true;
  bundlePath: string;
  format: 'esm' | 'cjs';
  exportPath: string;
  /** Absolute paths of every file the bundle was built from (for a watcher). */
  inputs: string[];
  hash: string;
  /** Bytes of the bundle, and its SHA-256 in base64: GetFunction's CodeSize and CodeSha256. */
  size: number;
  sha256: string;
}

export interface FailedBundle {
  ok: false;
  /** What an invocation answers while the function cannot be loaded (as AWS fails at INIT). */
  error: ErrorPayload;
  /** EDDY_ERR_BUILD_FAILED with `file:line:column: message` lines; undefined for handler-name errors. */
  buildError: EddyError | undefined;
  /** Files read before the failure (so a watcher can wait for the fix). */
  inputs: string[];
}

export type BundleResult = BuiltBundle | FailedBundle;

// Keys of `build.esbuild` that are Serverless's own (not esbuild options) or that eddy decides.
const NOT_PASSED = new Set([
  'exclude',
  'buildConcurrency',
  'configFile',
  'sourcemap',
  'bundle',
  'entryPoints',
  'outfile',
  'outdir',
  'outExtension',
  'write',
  'metafile',
  'platform',
  'watch',
  'absWorkingDir',
  'nodePaths',
  'plugins',
]);

const eddyRequire = createRequire(import.meta.url);

/** `build.esbuild.nodePaths`, relative ones from the service dir, after the layers' own module folders. */
function userNodePaths(value: unknown, serviceDir: string): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((p): p is string => typeof p === 'string').map((p) => path.resolve(serviceDir, p));
}

/** Node major of a runtime identifier (`nodejs20.x` -> 20), or undefined for a non-Node runtime. */
export function runtimeMajor(runtime: string): number | undefined {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  return m ? Number(m[1]) : undefined;
}

/** Matches esbuild's external patterns: exact, or one `*` wildcard. */
function matchesPattern(spec: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return spec === pattern || spec.startsWith(pattern + '/');
  return spec.startsWith(pattern.slice(0, star)) && spec.endsWith(pattern.slice(star + 1));
}

/** The node_modules folders a layer adds to the module path, as /opt/nodejs/... does on AWS. */
export function layerModulePaths(layers: readonly string[], major: number): string[] {
  // Later layers override earlier ones (they are extracted over them into /opt), so they come first.
  return [...layers]
    .reverse()
    .flatMap((layer) => [path.join(layer, 'nodejs', `node${major}`, 'node_modules'), path.join(layer, 'nodejs', 'node_modules')]);
}

/**
 * One function's incremental build. `build()` is cheap to call again (esbuild's context caches parses).
 * `@aws-sdk/*` stays external, as on AWS, and is resolved at build time from the service's
 * node_modules, then the layers, then eddy's own (standing in for the runtime's copy of the SDK).
 */
export class FunctionBundler {
  readonly #input: BundleInput;
  #ctx: esbuild.BuildContext<{ write: false; metafile: true }> | undefined;
  #ctxFile: string | undefined;
  #format: 'esm' | 'cjs' = 'esm';

  constructor(input: BundleInput) {
    this.#input = input;
  }

  async build(): Promise<BundleResult> {
    const { fn, serviceDir } = this.#input;
    const parsed = parseHandler(fn.handler);
    if ('errorType' in parsed) return { ok: false, error: parsed, buildError: undefined, inputs: [] };
    const found = findHandlerFile(serviceDir, parsed);
    if ('errorType' in found) return { ok: false, error: found, buildError: undefined, inputs: [] };
    if (this.#ctx === undefined || this.#ctxFile !== found.file) {
      await this.#ctx?.dispose();
      this.#ctx = await this.#context(found.file, found.format);
      this.#ctxFile = found.file;
    }
    let result: esbuild.BuildResult<{ write: false; metafile: true }>;
    try {
      result = await this.#ctx.rebuild();
    } catch (err) {
      return failure(err, serviceDir, found.file, this.#format);
    }
    const out = result.outputFiles.find((f) => /\.(mjs|cjs)$/.test(f.path));
    if (!out) throw new EddyError('EDDY_ERR_BUILD_FAILED', `esbuild produced no output for ${fn.handler}`);
    const digest = createHash('sha256').update(out.contents).digest();
    const hash = digest.toString('hex').slice(0, 16);
    const ext = this.#format === 'esm' ? '.mjs' : '.cjs';
    const dir = path.join(this.#input.outRoot, `${safeName(fn.key)}-${hash}`);
    const bundlePath = path.join(dir, `index${ext}`);
    if (!existsSync(bundlePath)) {
      await mkdir(dir, { recursive: true });
      const tmp = `${bundlePath}.${process.pid}.tmp`;
      await writeFile(tmp, out.contents);
      await rename(tmp, bundlePath);
    }
    // Files only: eddy's own injected module (namespace `eddy:`) is not one.
    const inputs = Object.keys(result.metafile.inputs)
      .filter((p) => !p.startsWith('eddy:'))
      .map((p) => path.resolve(serviceDir, p));
    const size = out.contents.byteLength;
    return { ok: true, bundlePath, format: this.#format, exportPath: parsed.exportPath, inputs, hash, size, sha256: digest.toString('base64') };
  }

  async dispose(): Promise<void> {
    const ctx = this.#ctx;
    this.#ctx = undefined;
    await ctx?.dispose();
  }

  async #context(entry: string, sourceFormat: 'esm' | 'cjs') {
    const { fn, serviceDir, esbuildOptions, outRoot } = this.#input;
    const major = runtimeMajor(fn.runtime) ?? 20;
    const user: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(esbuildOptions)) if (!NOT_PASSED.has(k)) user[k] = v;
    const format = user['format'] === 'esm' || user['format'] === 'cjs' ? user['format'] : sourceFormat;
    this.#format = format;
    // Serverless's `exclude` lists packages left out of the bundle (default `@aws-sdk/*` on nodejs18+).
    const exclude = Array.isArray(esbuildOptions['exclude']) ? (esbuildOptions['exclude'] as unknown[]).map(String) : [];
    const externalPatterns = [...new Set(['@aws-sdk/*', ...exclude])];
    const layerPaths = layerModulePaths(fn.layers, major);
    const resolveRoots = [serviceDir, ...layerPaths];
    const userBanner = (user['banner'] as Record<string, string> | undefined) ?? {};
    // An ESM bundle of CJS dependencies needs a real `require` for the modules left external.
    const banner =
      format === 'esm'
        ? {
            ...userBanner,
            js: `import { createRequire as __eddyCreateRequire } from 'node:module';\nconst require = __eddyCreateRequire(import.meta.url);\n${userBanner['js'] ?? ''}`,
          }
        : userBanner;
    const externals: esbuild.Plugin = {
      name: 'eddy-externals',
      setup(build) {
        // One callback for every bare specifier (each is a round trip to esbuild's process).
        build.onResolve({ filter: /^[^./]/ }, (args) => {
          if (!externalPatterns.some((p) => matchesPattern(args.path, p))) return missingDynamicImport(build, args);
          return { path: resolveExternal(args.path, resolveRoots), external: true };
        });
      },
    };
    const userDefine = (user['define'] as Record<string, string> | undefined) ?? {};
    const userLoaders = (user['loader'] as Record<string, esbuild.Loader> | undefined) ?? {};
    const userInject = (user['inject'] as string[] | undefined) ?? [];
    return esbuild.context({
      target: `node${major}`,
      ...user,
      entryPoints: [entry],
      // The real bundle goes to <key>-<hash>/; this sibling has the same depth, so the source map's
      // relative paths are the same.
      outfile: path.join(outRoot, `${safeName(fn.key)}-build`, `index${format === 'esm' ? '.mjs' : '.cjs'}`),
      bundle: true,
      platform: 'node',
      format,
      write: false,
      metafile: true,
      sourcemap: 'inline',
      sourcesContent: false,
      absWorkingDir: serviceDir,
      nodePaths: [...layerPaths, ...userNodePaths(esbuildOptions['nodePaths'], serviceDir)],
      banner,
      define: { ...IMPORT_META_DEFINES, ...userDefine },
      inject: [...userInject, BUNDLE_LOCATION],
      logLevel: 'silent',
      plugins: [externals, sourceLocations(format, userLoaders), bundleLocation(format)],
    } as esbuild.BuildOptions & { write: false; metafile: true });
  }
}

/** An external package path as the bundle will import it: absolute when found, else bare (fails at INIT). */
function resolveExternal(spec: string, roots: readonly string[]): string {
  for (const root of roots) {
    try {
      return createRequire(path.join(root, 'noop.js')).resolve(spec);
    } catch {
      // not in this root
    }
  }
  try {
    return eddyRequire.resolve(spec);
  } catch {
    return spec;
  }
}

function safeName(key: string): string {
  return key.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function isBuildFailure(err: unknown): err is esbuild.BuildFailure {
  return typeof err === 'object' && err !== null && Array.isArray((err as esbuild.BuildFailure).errors);
}

/** The package part of a bare specifier (`@scope/pkg/sub` -> `@scope/pkg`), as Node names it. */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * What loading a file fails with when one of its imports is missing. The RIC wraps only CommonJS's
 * MODULE_NOT_FOUND as Runtime.ImportModuleError; an ES module's ERR_MODULE_NOT_FOUND reaches the
 * caller as Node threw it (UserFunction.js `_loadUserApp`).
 */
function missingImportError(spec: string, importer: string, format: 'esm' | 'cjs'): ErrorPayload {
  if (format === 'cjs') {
    return runtimeError('ImportModuleError', `Error: Cannot find module '${spec}'\nRequire stack:\n- ${importer}\n- /var/runtime/index.mjs`);
  }
  const bare = !spec.startsWith('.') && !path.isAbsolute(spec);
  const message = bare
    ? `Cannot find package '${packageName(spec)}' imported from ${importer}`
    : `Cannot find module '${path.resolve(path.dirname(importer), spec)}' imported from ${importer}`;
  return { errorType: 'Error', errorMessage: message, trace: [`Error [ERR_MODULE_NOT_FOUND]: ${message}`] };
}

/** Turns esbuild's errors into the INIT error AWS would give and an EDDY_ERR_BUILD_FAILED naming file:line. */
function failure(err: unknown, serviceDir: string, entry: string, bundleFormat: 'esm' | 'cjs'): FailedBundle {
  if (!isBuildFailure(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      error: runtimeError('UserCodeSyntaxError', message),
      buildError: new EddyError('EDDY_ERR_BUILD_FAILED', message, { cause: err }),
      inputs: [entry],
    };
  }
  const where = (m: esbuild.Message): string =>
    m.location ? `${path.resolve(serviceDir, m.location.file)}:${m.location.line}:${m.location.column + 1}` : entry;
  const lines = err.errors.map((m) => `${where(m)}: ERROR: ${m.text}`);
  const buildError = new EddyError('EDDY_ERR_BUILD_FAILED', lines.join('\n'), { cause: err });
  const inputs = [...new Set(err.errors.flatMap((m) => (m.location ? [path.resolve(serviceDir, m.location.file)] : [])))];
  const first = err.errors[0]!;
  const unresolved = /^Could not resolve "([^"]+)"/.exec(first.text);
  if (unresolved) {
    const importer = first.location ? path.resolve(serviceDir, first.location.file) : entry;
    return { ok: false, error: missingImportError(unresolved[1]!, importer, importerFormat(importer, bundleFormat)), buildError, inputs };
  }
  // V8 would say e.g. "SyntaxError: Unexpected token '}'"; esbuild's own wording is kept, with the place.
  const message = `SyntaxError: ${first.text}`;
  const error = runtimeError('UserCodeSyntaxError', message, [
    `Runtime.UserCodeSyntaxError: ${message}`,
    `    at ${where(first)}`,
  ]);
  return { ok: false, error, buildError, inputs };
}
