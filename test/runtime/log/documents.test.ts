// Metadata documents: the same contract on both roots, atomic replacement and temp files on disk.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDiskRoot } from '../../../runtime/log/disk-root.ts';
import { safeName } from '../../../runtime/log/names.ts';
import type { LogRoot } from '../../../runtime/log/types.ts';
import { makeTempDir, removeTempDir, rootKinds } from './helpers.ts';

describe.each(rootKinds())('documents on the $name root', (kind) => {
  let dir: string;
  let root: LogRoot;

  beforeEach(async () => {
    dir = await makeTempDir();
    root = await kind.open(dir);
  });

  afterEach(async () => {
    await root.close();
    await removeTempDir(dir);
  });

  it('saves, replaces, loads and deletes by kind and key', async () => {
    expect(await root.loadDocuments('streams')).toEqual(new Map());
    await root.saveDocument('streams', 'orders', { shards: 2, tags: { a: 'b' } });
    await root.saveDocument('streams', 'payments', { shards: 1 });
    await root.saveDocument('checkpoints', 'orders', [1, 2, 3]);
    await root.saveDocument('streams', 'orders', { shards: 4 });
    expect(await root.loadDocuments('streams')).toEqual(
      new Map<string, unknown>([
        ['orders', { shards: 4 }],
        ['payments', { shards: 1 }],
      ]),
    );
    expect(await root.loadDocuments('checkpoints')).toEqual(new Map([['orders', [1, 2, 3]]]));
    await root.deleteDocument('streams', 'orders');
    await root.deleteDocument('streams', 'never-saved');
    expect([...(await root.loadDocuments('streams')).keys()]).toEqual(['payments']);
  });

  it('keeps keys of any shape apart, case included', async () => {
    const keys = [
      'arn:aws:kinesis:us-east-1:000000000000:stream/Orders',
      'Orders',
      'orders',
      '..',
      '.hidden',
      'a/b\\c',
      '',
      'ünï-cödé 🌊',
      'x'.repeat(300),
      `${'x'.repeat(299)}y`,
    ];
    for (const [i, key] of keys.entries()) await root.saveDocument('streams', key, { i });
    const loaded = await root.loadDocuments('streams');
    expect(new Map([...loaded].sort())).toEqual(new Map(keys.map((key, i) => [key, { i }] as const).sort()));
  });

  it('stores a snapshot of the document as JSON', async () => {
    const doc = { n: 1, nested: { list: [1] }, gone: undefined };
    await root.saveDocument('streams', 'k', doc);
    doc.nested.list.push(2);
    const loaded = (await root.loadDocuments('streams')).get('k') as { nested: { list: number[] } };
    expect(loaded).toEqual({ n: 1, nested: { list: [1] } });
    loaded.nested.list.push(3);
    expect((await root.loadDocuments('streams')).get('k')).toEqual({ n: 1, nested: { list: [1] } });
    await expect(root.saveDocument('streams', 'k', undefined)).rejects.toThrow(TypeError);
    await expect(root.saveDocument('streams', 'k', { big: 1n })).rejects.toThrow(TypeError);
  });

  it('lets the last of concurrent saves win', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, v) => root.saveDocument('streams', 'k', { v })));
    expect((await root.loadDocuments('streams')).get('k')).toEqual({ v: 19 });
    await Promise.all([root.saveDocument('streams', 'k', { v: 'last' }), root.deleteDocument('streams', 'k')]);
    expect((await root.loadDocuments('streams')).has('k')).toBe(false);
  });

  it.runIf(kind.durable)('keeps documents across a restart', async () => {
    await root.saveDocument('streams', 'Orders', { shards: 3 });
    await root.close();
    root = await kind.open(dir);
    expect(await root.loadDocuments('streams')).toEqual(new Map([['Orders', { shards: 3 }]]));
  });
});

describe('documents on disk', () => {
  let dir: string;
  let root: LogRoot;

  beforeEach(async () => {
    dir = await makeTempDir();
    root = await openDiskRoot(dir, { fsync: false });
  });

  afterEach(async () => {
    await root.close();
    await removeTempDir(dir);
  });

  it('writes <dir>/<kind>/<key>.json', async () => {
    await root.saveDocument('streams', 'Orders', { shards: 1 });
    const text = await readFile(join(dir, 'streams', `${safeName('Orders')}.json`), 'utf8');
    expect(JSON.parse(text)).toEqual({ key: 'Orders', doc: { shards: 1 } });
    expect(await readdir(join(dir, 'streams'))).toEqual(['^orders.json']);
  });

  it('replaces atomically: a reader sees the old or the new document, whole', async () => {
    const big = (v: number) => ({ v, payload: String(v).repeat(200_000) });
    await root.saveDocument('streams', 'k', big(0));
    const seen = new Set<number>();
    let saving = true;
    const saves = (async () => {
      for (let v = 1; v <= 15; v++) await root.saveDocument('streams', 'k', big(v));
      saving = false;
    })();
    while (saving) {
      const doc = (await root.loadDocuments('streams')).get('k') as { v: number; payload: string };
      expect(doc.payload).toBe(String(doc.v).repeat(200_000));
      seen.add(doc.v);
    }
    await saves;
    expect(seen.size).toBeGreaterThan(0);
    expect(await readdir(join(dir, 'streams'))).toEqual(['k.json']);
  });

  it('ignores temp files of interrupted writes, and removes them on open', async () => {
    await root.saveDocument('streams', 'k', { ok: true });
    const temp = join(dir, 'streams', '.k.json.4242.0.tmp');
    await writeFile(temp, '{"key":"k","doc":{"half');
    await writeFile(join(dir, 'streams', 'notes.tmp'), 'not ours');
    expect(await root.loadDocuments('streams')).toEqual(new Map([['k', { ok: true }]]));
    await root.close();
    root = await openDiskRoot(dir, { fsync: false });
    expect((await readdir(join(dir, 'streams'))).sort()).toEqual(['k.json', 'notes.tmp']);
  });

  it('reports a damaged document by name', async () => {
    await root.saveDocument('streams', 'good', 1);
    await writeFile(join(dir, 'streams', 'bad.json'), '{"key":');
    await expect(root.loadDocuments('streams')).rejects.toMatchObject({
      code: 'EDDY_ERR_DATA_CORRUPT',
      message: `The document ${join(dir, 'streams', 'bad.json')} is not valid JSON.`,
    });
  });

  it('refuses the kind that names the shard logs folder', async () => {
    await expect(root.saveDocument('shards', 'k', {})).rejects.toThrow(RangeError);
  });
});
