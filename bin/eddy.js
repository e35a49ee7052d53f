#!/usr/bin/env node
// The eddy command. Start-up speed: cli/main.ts and the ~150 TypeScript modules it imports run from one
// plain-JavaScript bundle cached in node_modules/.cache/eddy (no TypeScript loader, one file to load instead
// of a loader round trip per module), rebuilt with esbuild whenever one of the files it was built from
// changed. Packages stay external and load as usual. When the cache cannot be written or built, eddy runs
// its sources through the tsx loader instead (EDDY_NO_BUNDLE=1 forces that).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// eddy's own SDK clients (pollers, CLI) would otherwise print the SDK's notice about Node 20 on every run;
// handlers get an environment of their own and still see it, as they would on Lambda.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'cli', 'main.ts');
const cacheDir = path.join(root, 'node_modules', '.cache', 'eddy');
const bundleFile = path.join(cacheDir, 'cli.mjs');
const manifestFile = path.join(cacheDir, 'cli.json');
const BUNDLE_FORMAT = 1; // bump when the way the bundle is built changes

/** The cached bundle, when every file it was built from is unchanged (same size and mtime). */
function freshBundle() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    return undefined;
  }
  // A node_modules shared by two checkouts (a symlink, a workspace) holds one bundle: it must be this one's.
  if (manifest.format !== BUNDLE_FORMAT || manifest.node !== process.version || manifest.root !== root) return undefined;
  try {
    for (const [file, size, mtimeMs] of manifest.inputs) {
      const s = statSync(file);
      if (s.size !== size || s.mtimeMs !== mtimeMs) return undefined;
    }
    statSync(bundleFile);
  } catch {
    return undefined;
  }
  return bundleFile;
}

// `import.meta.url` / `dirname` / `filename` outside strings and comments: each source file keeps its own
// location in the bundle (the worker entry, the price tables and createRequire bases are found from it).
const META = /(`(?:\\[\s\S]|[^`\\])*`|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|\/\/[^\n]*|\/\*[\s\S]*?\*\/)|\bimport\.meta\.(url|dirname|filename)\b/g;

function keepOwnLocation(file, source) {
  return source.replace(META, (match, skipped, prop) => {
    if (skipped !== undefined) return match;
    if (prop === 'url') return JSON.stringify(pathToFileURL(file).href);
    if (prop === 'dirname') return JSON.stringify(path.dirname(file));
    return JSON.stringify(file);
  });
}

async function buildBundle() {
  const startedMs = Date.now();
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    metafile: true,
    outfile: bundleFile,
    absWorkingDir: root,
    logLevel: 'silent',
    plugins: [
      {
        name: 'eddy-own-location',
        setup(build) {
          build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
            if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
            const source = readFileSync(args.path, 'utf8');
            return { contents: keepOwnLocation(args.path, source), loader: args.path.endsWith('ts') ? 'ts' : 'js' };
          });
        },
      },
    ],
  });
  const inputs = Object.keys(result.metafile.inputs).map((rel) => {
    const file = path.resolve(root, rel);
    const s = statSync(file);
    // Saved while esbuild was reading: maybe not what the bundle holds, so the next start rebuilds.
    return [file, s.size, s.mtimeMs >= startedMs - 50 ? -1 : s.mtimeMs];
  });
  mkdirSync(cacheDir, { recursive: true });
  // Written to temp names then renamed, so parallel eddys never load half a file.
  const tmp = `.${process.pid}.${Date.now()}.tmp`;
  for (const out of result.outputFiles) {
    writeFileSync(out.path + tmp, out.contents);
    renameSync(out.path + tmp, out.path);
  }
  writeFileSync(manifestFile + tmp, JSON.stringify({ format: BUNDLE_FORMAT, node: process.version, root, inputs }));
  renameSync(manifestFile + tmp, manifestFile);
  return bundleFile;
}

let bundle;
if (process.env.EDDY_NO_BUNDLE !== '1') {
  bundle = freshBundle();
  if (!bundle) bundle = await buildBundle().catch(() => undefined);
}
if (bundle) {
  // The bundle has a linked source map; Node reads it with NODE_OPTIONS=--enable-source-maps (not by default:
  // with source maps on, Node parses the map of every module it loads, a third of eddy's start-up).
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
