// Client start-up, search, memory and size at scale, in headless Chromium
// against the real relay serving the release build of the app:
//   node tests/browser/bench/list_startup.mjs --cases 10000 [--runs 5] [--seed-dir DIR] [--json-out FILE]
//   node tests/browser/bench/list_startup.mjs --smoke      (200 cases, 1 run: a CI check, < 1 min)
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
//      passphrase left out);
//    - memory once the list is interactive: the page's JS heap in use (CDP
//      `Performance.getMetrics`, JSHeapUsedSize, after a forced garbage
//      collection) and the wasm module's linear memory (`memory.buffer`
//      of the exports Trunk's loader hands to its `TrunkApplicationStarted`
//      event; linear memory never shrinks, so this is the peak the app
//      reached).
// 3. Search latency: queries typed into the search box; the app records
//    the time from the (debounced) query to the rendered result in
//    `data-search-ms` on the list.
// 4. The size of the built app's wasm (client/dist, or HOMEWARD_WEB_DIR):
//    raw and gzip -9 (Node's zlib).
// Prints one JSON object; medians and min/max over the runs. --json-out FILE
// writes a report section (bench/src/report.rs's `Section`) instead.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import zlib from 'node:zlib';

import { freePort, launchChromium, startRelay, log, WEB_DIR } from '../harness.mjs';
import { loadSeed } from './seed_loader.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');
const SEED_BIN = process.env.HOMEWARD_IDB_SEED_BIN || path.join(repo, 'target/release/idb_seed');
const PASSPHRASE = 'correct horse battery staple 42';
const QUERIES = ['shevchenko', 'Коваленко', 'oleksandr', 'бондар', 'melnyk', 'Ткаченко', 'kravchenko'];

const USAGE = 'usage: list_startup.mjs [--cases N] [--runs R] [--searches S] [--seed-dir DIR] [--json-out FILE] [--smoke]';

function args() {
  const out = { cases: 10000, runs: 5, seedDir: null, jsonOut: null, searches: QUERIES.length };
  const a = process.argv.slice(2);
  const number = (flag, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number ≥ 1, got ${v}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < a.length; i++) {
    const v = a[i + 1];
    if (a[i] === '--smoke') Object.assign(out, { cases: 200, runs: 1, searches: 2 });
    else if (a[i] === '--cases') (out.cases = number('--cases', v)), i++;
    else if (a[i] === '--runs') (out.runs = number('--runs', v)), i++;
    else if (a[i] === '--seed-dir') (out.seedDir = v), i++;
    else if (a[i] === '--json-out') (out.jsonOut = v), i++;
    else if (a[i] === '--searches') (out.searches = Number(v)), i++;
    else throw new Error(`unexpected argument ${a[i]}\n${USAGE}`);
  }
  return out;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: Math.round(median), min: Math.round(s[0]), max: Math.round(s[s.length - 1]), n: s.length };
};

// Formatting as bench/src/stats.rs does: grouped digits, `845 ms (829–972)`
// with the range left out when every run agreed; bytes in powers of 1000.
const number = (v, decimals = 0) => {
  const [int, frac] = Math.abs(v).toFixed(decimals).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${v < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
};
const bytes = (v) =>
  v < 1e3 ? `${number(v)} B` : v < 1e6 ? `${number(v / 1e3, 1)} KB` : v < 1e9 ? `${number(v / 1e6, 2)} MB` : `${number(v / 1e9, 2)} GB`;
const show = (st, unit = 'ms') =>
  st.n <= 1 || st.min === st.max ? `${number(st.median)} ${unit}` : `${number(st.median)} ${unit} (${number(st.min)}–${number(st.max)})`;
const showBytes = (st) => (st.n <= 1 || st.min === st.max ? bytes(st.median) : `${bytes(st.median)} (${bytes(st.min)}–${bytes(st.max)})`);

// The targets of issue 7, by the number of cases they are stated for.
const TARGETS = {
  10000: { text: 'navigation → interactive list < 0.5 s at 10⁴ cases', ms: 500 },
  100000: { text: 'navigation → interactive list < 1.5 s at 10⁵ cases', ms: 1500 },
};

/** Raw and gzip -9 bytes of every .wasm file of the built app. */
function wasmSizes(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.wasm')).sort();
  if (files.length === 0) throw new Error(`no .wasm file in ${dir}: build the app first (cargo xtask build-web --release)`);
  return files.map((f) => {
    const buf = fs.readFileSync(path.join(dir, f));
    return { file: f, raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length };
  });
}

// Keeps the wasm exports Trunk's loader announces, to read the module's
// linear memory later (the app itself never exposes it).
// Also notes when the unlock button's click reaches the page, so the
// Playwright round trips of the click are not counted as the app's time.
const CAPTURE_WASM = () => {
  addEventListener('TrunkApplicationStarted', (e) => {
    window.__homewardBenchWasm = e.detail?.wasm;
  });
  addEventListener('click', () => (window.__homewardBenchClick ??= performance.now()), true);
};

async function main() {
  const opts = args();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-bench-'));
  let relay;
  let browser;
  try {
    const sizes = wasmSizes(WEB_DIR);
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
    await context.addInitScript(CAPTURE_WASM);
    const loader = await context.newPage();
    const loadStarted = Date.now();
    const records = await loadSeed(loader, relay.url, seedDir);
    log(`loaded ${records} records in ${Date.now() - loadStarted} ms`);
    await loader.close();

    const lockScreen = [];
    const unlockToList = [];
    const total = [];
    const search = [];
    const jsHeap = [];
    const wasmMemory = [];
    // Where unlock → list goes: Argon2id; IndexedDB's getAll of every
    // summary; opening and decoding them; ranking and rendering.
    const phases = { before: [], kdf: [], fetch: [], open: [], render: [] };
    // Unlock → list counted from before Playwright's click call, as
    // measured before the in-page click time was taken (for comparison).
    const unlockFromCall = [];
    let shown = null;
    let atRest = null;
    for (let run = 0; run < opts.runs; run++) {
      const page = await context.newPage();
      page.on('pageerror', (err) => log(`[bench pageerror] ${err.message}`));
      page.on('console', (msg) => log(`[bench console.${msg.type()}] ${msg.text()}`));
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.goto(relay.url + '/');
      await page.waitForSelector('[data-testid=unlock-submit]', { timeout: 60_000 });
      const atLock = await page.evaluate(() => performance.now());
      await page.fill('[data-testid=unlock] [data-testid=passphrase]', PASSPHRASE);
      const atCall = await page.evaluate(() => {
        window.__homewardBenchClick = undefined;
        return performance.now();
      });
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
      assert.ok(mark, 'the app set its homeward-list-interactive mark');
      const atSubmit = await page.evaluate(() => window.__homewardBenchClick);
      assert.ok(atSubmit, 'the click on unlock reached the page');
      unlockFromCall.push(mark - atCall);
      phases.before.push(marks['homeward-unlock-kdf'] - atSubmit);
      phases.kdf.push(marks['homeward-vault-opened'] - marks['homeward-unlock-kdf']);
      phases.fetch.push(marks['homeward-summaries-fetched'] - marks['homeward-vault-opened']);
      phases.open.push(marks['homeward-summaries-read'] - marks['homeward-summaries-fetched']);
      phases.render.push(mark - marks['homeward-summaries-read']);
      const count = await page.getAttribute('[data-testid=case-count]', 'data-total');
      shown = Number(count);
      assert.equal(shown, opts.cases, 'every seeded case is listed');
      lockScreen.push(atLock);
      unlockToList.push(mark - atSubmit);
      total.push(atLock + (mark - atSubmit));

      // Memory with the list interactive: what stays, not garbage waiting.
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
      assert.ok(heap, 'CDP reported JSHeapUsedSize');
      jsHeap.push(heap);
      const linear = await page.evaluate(() => window.__homewardBenchWasm?.memory?.buffer?.byteLength ?? null);
      assert.ok(linear, "the wasm exports (memory) were captured from Trunk's TrunkApplicationStarted event");
      wasmMemory.push(linear);
      log(`run ${run + 1}/${opts.runs}: ${Math.round(atLock + (mark - atSubmit))} ms to the list; JS heap ${bytes(heap)}, wasm memory ${bytes(linear)}`);

      if (run === opts.runs - 1) {
        // Bytes at rest: what Chromium accounts to this origin's IndexedDB
        // (documents, summary pages, vault, meta), as the quota UI sees it.
        atRest = await page.evaluate(async () => {
          const e = await navigator.storage.estimate();
          return { indexeddb: e.usageDetails?.indexedDB ?? null, total: e.usage ?? null };
        });
        assert.ok(atRest.indexeddb || atRest.total, 'navigator.storage.estimate() reported a usage');
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
      await cdp.detach();
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
      unlock_to_interactive_list_from_playwright_call_ms: stats(unlockFromCall),
      phases_ms: {
        count_attempt_and_paint: stats(phases.before),
        argon2id: stats(phases.kdf),
        indexeddb_get_all: stats(phases.fetch),
        open_and_decode_summaries: stats(phases.open),
        rank_and_render: stats(phases.render),
      },
      memory_bytes: {
        js_heap_used: stats(jsHeap),
        wasm_linear_memory: stats(wasmMemory),
      },
      wasm_size_bytes: sizes,
      storage_bytes: atRest,
      samples: { lockScreen, unlockToList, unlockFromCall, total, search, phases, jsHeap, wasmMemory },
    };
    console.log(JSON.stringify({ ...result, samples: undefined }, null, 2));
    if (opts.jsonOut) {
      const argv = [`--cases ${opts.cases}`, `--runs ${opts.runs}`];
      if (opts.searches !== QUERIES.length) argv.push(`--searches ${opts.searches}`);
      fs.writeFileSync(opts.jsonOut, JSON.stringify(section(result, argv.join(' ')), null, 2));
      log(`wrote ${opts.jsonOut}`);
    }
  } finally {
    await browser?.close();
    await relay?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The report section (bench/src/report.rs `Section`) for one N. */
function section(r, argv) {
  const n = number(r.cases);
  const runs = `${r.runs} run${r.runs === 1 ? '' : 's'}`;
  const tables = [
    {
      caption: `Start-up and search, ${n} cases (median, min–max over ${runs})`,
      columns: ['measure', 'time'],
      rows: [
        ['navigation → lock screen', show(r.lock_screen_ms)],
        ['unlock clicked (in the page) → interactive list', show(r.unlock_to_interactive_list_ms)],
        ['navigation → interactive list (sum)', show(r.navigation_to_interactive_list_ms)],
        ...(r.search_ms ? [[`search, query → rendered result (${r.search_ms.n} queries)`, show(r.search_ms)]] : []),
      ],
    },
    {
      caption: `Where unlock → list goes, ${n} cases (the app's performance marks)`,
      columns: ['phase', 'time'],
      rows: [
        ['click → Argon2id starts (the attempt counted durably, "Unlocking…" painted)', show(r.phases_ms.count_attempt_and_paint)],
        ['Argon2id (64 MiB, 5 passes) opening the vault', show(r.phases_ms.argon2id)],
        ['IndexedDB: reset the failure counter, read meta and every page of summaries', show(r.phases_ms.indexeddb_get_all)],
        ['open (XChaCha20-Poly1305) and decode the summaries; outbox, counts', show(r.phases_ms.open_and_decode_summaries)],
        ['rank and render the first rows', show(r.phases_ms.rank_and_render)],
      ],
    },
    {
      caption: `Memory with the list interactive, ${n} cases`,
      columns: ['measure', 'bytes'],
      rows: [
        ['JS heap used (CDP JSHeapUsedSize, after GC)', showBytes(r.memory_bytes.js_heap_used)],
        ['wasm linear memory (peak: it never shrinks)', showBytes(r.memory_bytes.wasm_linear_memory)],
      ],
    },
    {
      caption: `At rest in the browser, ${n} cases (navigator.storage.estimate)`,
      columns: ['measure', 'bytes', 'per case'],
      rows: [
        r.storage_bytes.indexeddb != null
          ? ['IndexedDB', bytes(r.storage_bytes.indexeddb), bytes(r.storage_bytes.indexeddb / r.cases)]
          : ['IndexedDB', 'not reported', '–'],
        ['origin total (IndexedDB, service worker cache)', bytes(r.storage_bytes.total), bytes(r.storage_bytes.total / r.cases)],
      ],
    },
    {
      caption: 'Size of the app (release build)',
      columns: ['file', 'raw', 'gzip -9'],
      rows: r.wasm_size_bytes.map((w) => [w.file.replace(/-[0-9a-f]{16}(?=_bg\.wasm$)/, ''), bytes(w.raw), bytes(w.gzip)]),
    },
  ];
  const targets = [];
  const target = TARGETS[r.cases];
  if (target) {
    const m = r.navigation_to_interactive_list_ms.median;
    targets.push({ target: target.text, measured: `${number(m)} ms (median of ${runs})`, met: m < target.ms });
  }
  return {
    title: `Client start-up, ${n} cases (headless Chromium)`,
    command: `node tests/browser/bench/list_startup.mjs ${argv}`,
    notes: [
      `A device holding ${n} synthetic cases (written straight into IndexedDB by \`idb_seed\`, exactly as the app stores them: sealed documents and pages of sealed summaries) opens the release build served by the relay, in headless Chromium ${r.chromium} on ${r.cpus} CPUs. Each run is a fresh navigation. "Navigation → interactive list" is the time to the unlock screen plus the time from the unlock button's click event in the page to the app's \`homeward-list-interactive\` mark (the first rows rendered from all ${n} summaries); typing the passphrase is left out. Unlocking includes Argon2id with the recommended parameters, as a documenter pays it.`,
      'Memory is read once the list is interactive, after a forced garbage collection: the JS heap through CDP, the wasm linear memory from the module exports Trunk\'s loader announces. Size is the built .wasm, raw and gzip -9 (Node\'s zlib).',
    ],
    tables,
    targets,
    data: r,
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
