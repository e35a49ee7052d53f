// esbuild options of the service: `build.esbuild` (Serverless v4) or serverless-esbuild's `custom.esbuild`.

import { ESBUILD_OPTIONS } from './schema.ts';
import { isPlainObject, type Report } from './validate.ts';
import { asObj, type Obj } from './values.ts';

/** `build.esbuild` (Serverless v4) or, when it is absent or false, serverless-esbuild's `custom.esbuild`. */
export function esbuildOptions(validated: Obj, custom: Obj, report: Report): Record<string, unknown> {
  const build = asObj(validated['build'])['esbuild'];
  if (isPlainObject(build)) {
    if (custom['esbuild'] !== undefined) report.notice(['custom', 'esbuild'], 'ignored because build.esbuild is set');
    return { ...build };
  }
  if (build === false || build === undefined || build === true) {
    const c = asObj(custom['esbuild']);
    const out: Obj = {};
    // Only esbuild's own options (and `exclude`, which eddy's bundler reads) go on; serverless-esbuild's
    // packaging keys have no local meaning.
    for (const [k, v] of Object.entries(c)) if (PASS.has(k)) out[k] = k === 'exclude' && typeof v === 'string' ? [v] : v;
    return out;
  }
  return {};
}

const PASS = new Set<string>([...ESBUILD_OPTIONS, 'exclude']);
