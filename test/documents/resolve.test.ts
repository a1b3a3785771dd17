import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openStore, runMigrations, type Store } from '../../core/store/index.js';
import { documentsMigrations, documentUrlKeys, StoreDocumentRegistry } from '../../api/documents/index.js';
import { createTempDatabase } from '../support/postgres.js';

const SP = 'https://contoso.sharepoint.com/sites/finance/Shared%20Documents';
const keysOf = (url: string) => documentUrlKeys(url);

/**
 * PostgreSQL: two stores (pools) over one database stand for two API processes. SQLite is
 * embedded, one connection per process (a second synchronous connection in the same thread
 * would only block on the first's lock), so there concurrent requests interleave on one store
 * at every await between statements, as concurrent HTTP requests do.
 */
describe.each(['sqlite', 'postgres'] as const)('document identity on %s', (dialect) => {
  let stores: Store[] = [];
  let a: StoreDocumentRegistry;
  let b: StoreDocumentRegistry;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (dialect === 'sqlite') {
      const dir = mkdtempSync(path.join(tmpdir(), 'op-docs-'));
      const file = path.join(dir, 'docs.sqlite');
      stores = [await openStore({ kind: 'sqlite', file })];
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const db = await createTempDatabase('docs');
      stores = [await openStore({ kind: 'postgres', url: db.url }), await openStore({ kind: 'postgres', url: db.url })];
      cleanup = () => db.drop();
    }
    await runMigrations(stores[0], documentsMigrations);
    a = new StoreDocumentRegistry(stores[0]);
    b = new StoreDocumentRegistry(stores[stores.length - 1]);
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await cleanup();
  });

  it('gives unguessable 22-character keys and never repeats one', async () => {
    const keys = new Set<string>();
    for (let i = 0; i < 20; i++) keys.add((await a.resolve({ stamp: randomUUID() })).docKey);
    expect(keys.size).toBe(20);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('one file opened by URL by one person and by stamp by another is one document', async () => {
    const stamp = randomUUID();
    const url = `${SP}/Plan-${stamp}.docx`;
    const first = await a.resolve({ stamp, urlKeys: keysOf(url) });
    expect(first.docId).toBe(stamp);
    expect(await b.resolve({ stamp })).toEqual(first);
    expect(await b.resolve({ urlKeys: keysOf(url + '?web=1') })).toEqual(first);
    expect(await a.find(first.docKey)).toEqual(first);
  });

  it('a document first seen by stamp alone adopts the URL that shows up later', async () => {
    const stamp = randomUUID();
    const byStamp = await a.resolve({ stamp });
    const url = `${SP}/Later-${stamp}.docx`;
    expect(await b.resolve({ stamp, urlKeys: keysOf(url) })).toEqual(byStamp);
    expect(await a.resolve({ urlKeys: keysOf(url) })).toEqual(byStamp);
  });

  it('a copy (same stamp, other URL) is a new document with a fresh stamp to write', async () => {
    const stamp = randomUUID();
    const original = await a.resolve({ stamp, urlKeys: keysOf(`${SP}/Orig-${stamp}.docx`) });
    const copyUrl = `${SP}/Copy of Orig-${stamp}.docx`;
    const copy = await b.resolve({ stamp, urlKeys: keysOf(copyUrl) });
    expect(copy.docKey).not.toBe(original.docKey);
    expect(copy.docId).not.toBe(stamp);
    // The original keeps its stamp; the copy is found by its URL and by its new stamp.
    expect(await a.resolve({ stamp })).toEqual(original);
    expect(await a.resolve({ stamp, urlKeys: keysOf(copyUrl) })).toEqual(copy);
    expect(await b.resolve({ stamp: copy.docId })).toEqual(copy);
  });

  it('a file renamed while open: co-authors whose Office still reports the old URL follow the new id, so nobody re-stamps in a loop', async () => {
    const stamp = randomUUID();
    const oldUrl = `${SP}/Before-${stamp}.docx`;
    const newUrl = `${SP}/After-${stamp}.docx`;
    await a.resolve({ stamp, urlKeys: keysOf(oldUrl) });
    // B opens it after the rename: the URL is new, so it looks like a copy, and B's pane re-stamps the file.
    const renamed = await b.resolve({ stamp, urlKeys: keysOf(newUrl) });
    expect(renamed.docId).not.toBe(stamp);
    // A's pane re-reads the file's id (B's now) and sends it with the old URL its Office still reports.
    expect(await a.resolve({ stamp: renamed.docId, urlKeys: keysOf(oldUrl) })).toEqual(renamed);
    // From then on every side is told the id the file already carries: nothing to re-stamp.
    expect(await b.resolve({ stamp: renamed.docId, urlKeys: keysOf(newUrl) })).toEqual(renamed);
    expect(await a.resolve({ stamp: renamed.docId, urlKeys: keysOf(oldUrl) })).toEqual(renamed);
    // A co-author still holding the first id (not re-read yet) is told the new one.
    expect(await b.resolve({ stamp, urlKeys: keysOf(oldUrl) })).toEqual(renamed);
  });

  it('binds every key of a URL, so a GUID link in a mail finds the document Word opened by path', async () => {
    const guid = randomUUID();
    const pathUrl = `${SP}/Linked-${guid}.docx`;
    const doc = await a.resolve({ urlKeys: keysOf(pathUrl) });
    // A share link carries both the path and the GUID: it bridges the two.
    await b.resolve({
      urlKeys: keysOf(`https://contoso.sharepoint.com/:w:/r/sites/finance/Shared%20Documents/Linked-${guid}.docx?d=w${guid.replace(/-/g, '')}&csf=1`),
    });
    const docAspx = keysOf(`https://contoso.sharepoint.com/sites/finance/_layouts/15/Doc.aspx?sourcedoc=%7B${guid}%7D&file=x.docx`);
    expect(await a.findByUrlKeys(docAspx)).toBe(doc.docKey);
    expect(await a.findByUrlKeys(keysOf(`${SP}/Never-seen-${guid}.docx`))).toBeNull();
  });

  it('co-authors stamping the same file at the same moment end with one key (URL known)', async () => {
    for (let round = 0; round < 5; round++) {
      const url = `${SP}/Race-${randomUUID()}.docx`;
      // Each co-author wrote their own stamp before either saw the other's.
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).resolve({ stamp: randomUUID(), urlKeys: keysOf(url) })));
      expect(new Set(results.map((r) => r.docKey)).size).toBe(1);
      // Everyone is told the one stamp to keep, so the document converges on it.
      expect(new Set(results.map((r) => r.docId)).size).toBe(1);
    }
  });

  it('concurrent first opens of one stamp, with and without URL, end with one key', async () => {
    for (let round = 0; round < 5; round++) {
      const stamp = randomUUID();
      const url = `${SP}/Stamp-race-${stamp}.docx`;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).resolve(i % 3 === 0 ? { stamp } : { stamp, urlKeys: keysOf(i % 3 === 1 ? url : url + '?web=1') })),
      );
      expect(new Set(results.map((r) => r.docKey)).size).toBe(1);
      expect(results[0].docId).toBe(stamp);
    }
  });

  it('concurrent opens of one URL without stamps end with one key', async () => {
    const url = `${SP}/Nostamp-${randomUUID()}.docx`;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).resolve({ urlKeys: keysOf(i % 2 ? url : url.toUpperCase().replace('HTTPS', 'https')) })),
    );
    expect(new Set(results.map((r) => r.docKey)).size).toBe(1);
  });
});
