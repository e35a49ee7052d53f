// esbuild plugins that keep a bundled function behaving as its unbundled files do on AWS: a dynamic
// import() of a package that is not installed fails when it runs, and each source file sees its own
// location in `__dirname`, `__filename` and `import.meta.*`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as esbuild from 'esbuild';
import { moduleFormat } from './handler.ts';

// A dynamic import() of a package that is not installed fails on AWS only when it runs (and a
// try/catch or .catch() can handle it); esbuild would refuse the whole build. Such imports are left
// external, so they fail at run time with Node's own error. (esbuild already tolerates an
// unresolvable import() or require() written directly inside a try block or `.catch()`.)
const RESOLVING = Symbol('eddy-resolving');
export async function missingDynamicImport(build: esbuild.PluginBuild, args: esbuild.OnResolveArgs): Promise<esbuild.OnResolveResult | undefined> {
  if (args.kind !== 'dynamic-import' || args.pluginData === RESOLVING) return undefined;
  const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: RESOLVING });
  return found.errors.length > 0 ? { path: args.path, external: true } : undefined;
}

// A handler reads the files beside it (as it does from /var/task on AWS) through `__dirname` and
// `__filename` (CommonJS) or `import.meta.url` (ES modules, with Node's `import.meta.dirname` and
// `.filename`); in the bundle these would name the build folder. Each of the service's own files gets
// its real location, declared at its top: `__dirname`/`__filename` in a file Node runs as CommonJS
// (an ES module keeps its ReferenceError, as on AWS), and the names `import.meta.*` are defined to in
// any. Files in node_modules are left out (reading every dependency through a plugin would slow each
// build): their `import.meta.*` give the bundle's location (`bundleLocation`).
export const IMPORT_META_DEFINES: Readonly<Record<string, string>> = {
  'import.meta.url': '__eddyImportMetaUrl',
  'import.meta.dirname': '__eddyImportMetaDirname',
  'import.meta.filename': '__eddyImportMetaFilename',
};
const DEFAULT_LOADERS: Readonly<Record<string, esbuild.Loader>> = {
  '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx', '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx',
};
// A shebang line, then the directive prologue ('use strict'), with the comments around them: the
// declarations go after these, on the same line, so no line of the file moves (source maps stay right).
const PROLOGUE = /^(?:#![^\n]*\n)?(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/|(["'])use strict\1;?)*/;
// A file that declares its own `__dirname` (often from import.meta.url) keeps it.
const OWN_DIRNAME = /\b(?:var|let|const|function|class)\s+__(?:dirname|filename)\b|\bas\s+__(?:dirname|filename)\b/;

// The bundle's own location, for the files that declare none (node_modules): an injected module whose
// exports bind the names `import.meta.*` are defined to wherever a file leaves them unbound. (A banner
// would do, but in a CommonJS bundle it would go before "use strict" and switch strict mode off.)
export const BUNDLE_LOCATION = 'eddy:bundle-location';
export function bundleLocation(format: 'esm' | 'cjs'): esbuild.Plugin {
  const contents =
    format === 'esm'
      ? `import { fileURLToPath } from 'node:url';\nconst meta = import.meta;\n` +
        `export var __eddyImportMetaUrl = meta.url, __eddyImportMetaFilename = fileURLToPath(meta.url), __eddyImportMetaDirname = fileURLToPath(new URL('.', meta.url)).slice(0, -1);\n`
      : `export var __eddyImportMetaUrl = require('node:url').pathToFileURL(__filename).href, __eddyImportMetaFilename = __filename, __eddyImportMetaDirname = __dirname;\n`;
  return {
    name: 'eddy-bundle-location',
    setup(build) {
      build.onResolve({ filter: /^eddy:bundle-location$/ }, (args) => ({ path: args.path, namespace: 'eddy' }));
      build.onLoad({ filter: /.*/, namespace: 'eddy' }, () => ({ contents, loader: 'js' }));
    },
  };
}

// A .js/.ts file (and the m/c/x variants) on a path with no node_modules folder. esbuild's filters are
// Go regular expressions, without lookahead, so a segment other than `node_modules` is spelled out:
// any length but 12, or 12 characters differing from it somewhere. Filtering here rather than in the
// callback saves a round trip to esbuild's process per dependency file on every (re)build.
const OWN_SOURCE_FILE = ((): RegExp => {
  const other = '[^/\\\\]';
  const word = 'node_modules';
  const differing = [...word].map((c, i) => `${word.slice(0, i)}[^/\\\\${c}]${other}{${word.length - i - 1}}`);
  const segment = `(?:${other}{0,${word.length - 1}}|${other}{${word.length + 1},}|${differing.join('|')})`;
  return new RegExp(`^(?:${segment}[/\\\\])*${other}*\\.[cm]?[jt]sx?$`);
})();

export function sourceLocations(bundleFormat: 'esm' | 'cjs', userLoaders: Readonly<Record<string, esbuild.Loader>>): esbuild.Plugin {
  return {
    name: 'eddy-source-locations',
    setup(build) {
      build.onLoad({ filter: OWN_SOURCE_FILE, namespace: 'file' }, async (args) => {
        const ext = path.extname(args.path);
        const loader = userLoaders[ext] ?? DEFAULT_LOADERS[ext];
        if (loader === undefined) return undefined;
        const text = await readFile(args.path, 'utf8');
        const file = JSON.stringify(args.path);
        const dir = JSON.stringify(path.dirname(args.path));
        const names: string[] = [];
        if (text.includes('import.meta')) {
          names.push(`__eddyImportMetaUrl = ${JSON.stringify(pathToFileURL(args.path).href)}`, `__eddyImportMetaDirname = ${dir}`, `__eddyImportMetaFilename = ${file}`);
        }
        if (/__dirname|__filename/.test(text) && importerFormat(args.path, bundleFormat) === 'cjs' && !OWN_DIRNAME.test(text)) {
          names.push(`__dirname = ${dir}`, `__filename = ${file}`);
        }
        if (names.length === 0) return undefined;
        const at = PROLOGUE.exec(text)?.[0].length ?? 0;
        return { contents: `${text.slice(0, at)}var ${names.join(', ')};${text.slice(at)}`, loader };
      });
    },
  };
}

/**
 * The format Node gives a file that imports: its own by Node's rules, but a TypeScript file is
 * compiled into the bundle's format (what `build.esbuild.format`, else the handler's format, makes it).
 */
export function importerFormat(file: string, bundleFormat: 'esm' | 'cjs'): 'esm' | 'cjs' {
  const ext = path.extname(file);
  return ext === '.ts' || ext === '.tsx' ? bundleFormat : moduleFormat(file);
}
