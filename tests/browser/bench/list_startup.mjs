// Client start-up and search at scale, in headless Chromium against the real
// relay serving the release build of the app:
//   node tests/browser/bench/list_startup.mjs --cases 10000 [--runs 5] [--seed-dir DIR] [--json-out FILE]
//
// 1. `idb_seed` writes the IndexedDB records of a device holding N synthetic
//    cases (or --seed-dir reuses ones already written); they are loaded into
//    a fresh browser profile.
// 2. Each run is a fresh navigation to the app (a new page, same profile):
//    - `lock screen`: navigation start → the unlock screen is shown;
//    - `unlock → list`: the unlock button pressed → the case list is
//      interactive (the app's `homeward-list-interactive` performance mark:
//      the first window of rows rendered from all N summaries). This
//      includes Argon2id (64 MiB, 5 passes), reading and opening every
//      summary, ranking them and rendering;
//    - `navigation → interactive list` = the sum (the time spent typing the
//      passphrase left out).
// 3. Search latency: queries typed into the search box; the app records
//    the time from the (debounced) query to the rendered result in
//    `data-search-ms` on the list.
// Prints one JSON object; medians and min/max over the runs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort, launchChromium, startRelay, log } from '../harness.mjs';
import { loadSeed } from './seed_loader.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');
const SEED_BIN = process.env.HOMEWARD_IDB_SEED_BIN || path.join(repo, 'target/release/idb_seed');
const PASSPHRASE = 'correct horse battery staple 42';
const QUERIES = ['shevchenko', 'Коваленко', 'oleksandr', 'бондар', 'melnyk', 'Ткаченко', 'kravchenko'];

function args() {
  const out = { cases: 10000, runs: 5, seedDir: null, jsonOut: null, searches: QUERIES.length };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const v = a[i + 1];
    if (a[i] === '--cases') (out.cases = Number(v)), i++;
    else if (a[i] === '--runs') (out.runs = Number(v)), i++;
    else if (a[i] === '--seed-dir') (out.seedDir = v), i++;
    else if (a[i] === '--json-out') (out.jsonOut = v), i++;
    else if (a[i] === '--searches') (out.searches = Number(v)), i++;
    else throw new Error(`unexpected argument ${a[i]}`);
  }
  return out;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: Math.round(median), min: Math.round(s[0]), max: Math.round(s[s.length - 1]), n: s.length };
};

async function main() {
  const opts = args();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-bench-'));
  let relay;
  let browser;
  try {
    let seedDir = opts.seedDir;
    if (!seedDir) {
      seedDir = path.join(tmp, 'seed');
      const started = Date.now();
      execFileSync(SEED_BIN, ['--out', seedDir, '--cases', String(opts.cases)], { stdio: ['ignore', 'inherit', 'inherit'] });
      log(`seeded ${opts.cases} cases in ${Date.now() - started} ms`);
    }
    const port = await freePort();
    relay = await startRelay({ port, dataDir: path.join(tmp, 'relay'), tag: 'bench' });
    browser = await launchChromium(tmp);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const loader = await context.newPage();
    const loadStarted = Date.now();
    const records = await loadSeed(loader, relay.url, seedDir);
    log(`loaded ${records} records in ${Date.now() - loadStarted} ms`);
    await loader.close();

    const lockScreen = [];
    const unlockToList = [];
    const total = [];
    const search = [];
    // Where unlock → list goes: Argon2id; IndexedDB's getAll of every
    // summary; opening and decoding them; ranking and rendering.
    const phases = { kdf: [], fetch: [], open: [], render: [] };
    let shown = null;
    for (let run = 0; run < opts.runs; run++) {
      const page = await context.newPage();
      page.on('pageerror', (err) => log(`[bench pageerror] ${err.message}`));
      page.on('console', (msg) => log(`[bench console.${msg.type()}] ${msg.text()}`));
      await page.goto(relay.url + '/');
      await page.waitForSelector('[data-testid=unlock-submit]', { timeout: 60_000 });
      const atLock = await page.evaluate(() => performance.now());
      await page.fill('[data-testid=unlock] [data-testid=passphrase]', PASSPHRASE);
      const atSubmit = await page.evaluate(() => performance.now());
      await page.click('[data-testid=unlock-submit]');
      await page.waitForSelector('[data-interactive=true]', { timeout: 300_000 });
      const marks = await page.evaluate(() =>
        Object.fromEntries(
          ['homeward-unlock-kdf', 'homeward-vault-opened', 'homeward-summaries-fetched', 'homeward-summaries-read', 'homeward-list-interactive'].map((n) => [
            n,
            performance.getEntriesByName(n)[0]?.startTime,
          ]),
        ),
      );
      const mark = marks['homeward-list-interactive'];
      phases.kdf.push(marks['homeward-vault-opened'] - marks['homeward-unlock-kdf']);
      phases.fetch.push(marks['homeward-summaries-fetched'] - marks['homeward-vault-opened']);
      phases.open.push(marks['homeward-summaries-read'] - marks['homeward-summaries-fetched']);
      phases.render.push(mark - marks['homeward-summaries-read']);
      assert.ok(mark, 'the app set its homeward-list-interactive mark');
      const count = await page.getAttribute('[data-testid=case-count]', 'data-total');
      shown = Number(count);
      assert.equal(shown, opts.cases, 'every seeded case is listed');
      lockScreen.push(atLock);
      unlockToList.push(mark - atSubmit);
      total.push(atLock + (mark - atSubmit));
      if (run === opts.runs - 1) {
        for (const q of QUERIES.slice(0, opts.searches)) {
          const before = await page.getAttribute('[data-interactive=true]', 'data-search-seq');
          await page.fill('[data-testid=case-search]', q);
          await page.waitForFunction(
            (prev) => document.querySelector('[data-interactive=true]')?.getAttribute('data-search-seq') !== prev,
            before,
            { timeout: 60_000 },
          );
          const ms = Number(await page.getAttribute('[data-interactive=true]', 'data-search-ms'));
          search.push(ms);
          log(`search "${q}": ${ms} ms`);
        }
      }
      await page.close();
    }
    const result = {
      cases: opts.cases,
      runs: opts.runs,
      listed: shown,
      chromium: browser.version(),
      cpus: os.cpus().length,
      lock_screen_ms: stats(lockScreen),
      unlock_to_interactive_list_ms: stats(unlockToList),
      navigation_to_interactive_list_ms: stats(total),
      search_ms: search.length ? stats(search) : null,
      phases_ms: {
        argon2id: stats(phases.kdf),
        indexeddb_get_all: stats(phases.fetch),
        open_and_decode_summaries: stats(phases.open),
        rank_and_render: stats(phases.render),
      },
    };
    console.log(JSON.stringify(result, null, 2));
    if (opts.jsonOut) fs.writeFileSync(opts.jsonOut, JSON.stringify(result, null, 2));
  } finally {
    await browser?.close();
    await relay?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
