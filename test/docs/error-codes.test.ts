// The user documentation stays true to the code: every EDDY_ERR_* code is in the README, and relative links resolve.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../runtime/errors.ts';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const docs = readdirSync(path.join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => path.join(root, 'docs', f));

/** Relative link targets of a Markdown file, outside code blocks and code spans, without their #fragment. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  return targets
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'))
    .map((t) => decodeURIComponent(t.split('#')[0]!));
}

describe('README error codes', () => {
  it.each(Object.keys(errorCatalogue))('documents %s', (code) => {
    expect(readme).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|`));
  });
});

describe('relative links', () => {
  it.each([path.join(root, 'README.md'), ...docs].map((f) => [path.relative(root, f), f]))('%s links only to files that exist', (_name, file) => {
    const missing = relativeLinks(readFileSync(file, 'utf8')).filter((t) => !existsSync(path.resolve(path.dirname(file), t)));
    expect(missing).toEqual([]);
  });
});
