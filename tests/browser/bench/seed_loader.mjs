// Loads the IndexedDB records `idb_seed` wrote (see tests/src/bin/idb_seed.rs)
// into the app's database in a page of the app's origin: the chunk files are
// served to the page through a Playwright route, parsed in the page and written
// one transaction per chunk. The stores are created exactly as the app creates
// them (client/src/storage.rs, version 5), so the app opens the database
// without an upgrade.

import fs from 'node:fs';
import path from 'node:path';

const SEED_PREFIX = '/__homeward_seed/';

/** Writes every chunk in `dir` into the `homeward` database of `page`'s origin. */
export async function loadSeed(page, origin, dir) {
  const chunks = fs.readdirSync(dir).filter((f) => /^chunk-\d+\.bin$/.test(f)).sort();
  if (chunks.length === 0) throw new Error(`no chunk-NNNN.bin files in ${dir}`);
  await page.route(`${origin}${SEED_PREFIX}**`, (route) => {
    const name = path.basename(new URL(route.request().url()).pathname);
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: fs.readFileSync(path.join(dir, name)) });
  });
  // A same-origin page without the app: the app must not hold the database open.
  await page.goto(`${origin}/healthz`);
  const written = await page.evaluate(
    async ({ chunks, prefix }) => {
      const STORES = ['vault', 'docs', 'summaries', 'meta', 'quarantine', 'drafts'];
      const NAMES = ['vault', 'docs', 'summaries'];
      const db = await new Promise((resolve, reject) => {
        const req = indexedDB.open('homeward', 5);
        req.onupgradeneeded = () => {
          const d = req.result;
          for (const s of STORES) if (!d.objectStoreNames.contains(s)) d.createObjectStore(s);
          if (!d.objectStoreNames.contains('outbox')) d.createObjectStore('outbox', { autoIncrement: true });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const decoder = new TextDecoder();
      let records = 0;
      for (const name of chunks) {
        const buf = await (await fetch(prefix + name)).arrayBuffer();
        const view = new DataView(buf);
        const tx = db.transaction(NAMES, 'readwrite');
        let at = 0;
        while (at < buf.byteLength) {
          const store = NAMES[view.getUint8(at)];
          const keyLen = view.getUint16(at + 1, true);
          const key = decoder.decode(new Uint8Array(buf, at + 3, keyLen));
          at += 3 + keyLen;
          const kind = view.getUint8(at);
          let value;
          if (kind === 1) {
            value = view.getFloat64(at + 1, true);
            at += 9;
          } else {
            const len = view.getUint32(at + 1, true);
            value = new Uint8Array(buf.slice(at + 5, at + 5 + len));
            at += 5 + len;
          }
          tx.objectStore(store).put(value, key);
          records += 1;
        }
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
        });
      }
      db.close();
      return records;
    },
    { chunks, prefix: SEED_PREFIX },
  );
  await page.unroute(`${origin}${SEED_PREFIX}**`);
  return written;
}
