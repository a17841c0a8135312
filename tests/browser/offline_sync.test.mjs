// End-to-end: real Chromium (two isolated browser contexts = two devices)
// against the real relay binary, serving the real built app.
//
// Run by `cargo xtask test` (which builds everything and sets the variables):
//   HOMEWARD_SERVER_BIN  the relay binary (default: ../../target/debug/homeward-server)
//   HOMEWARD_CLI_BIN     the command-line client (default: ../../target/debug/homeward)
//   HOMEWARD_WEB_DIR     the built app (default: ../../client/dist)
//   CHROMIUM_BIN         the browser (default: /usr/bin/chromium)
//
// The workspace is set up the way an operator does it: `homeward-server setup-code`
// on the empty data dir, `homeward setup` with that code (the CLI becomes the
// workspace's admin), then `homeward invite` once per device; each browser opens its
// invite link.
//
// The test uses only the DOM contract the client documents: #app-root[data-ready],
// [data-testid=sync-status] with data-connection / data-pending / data-last-sync /
// data-role / data-refused / data-joined, [data-testid=sync-refused] (the refusal
// message), the add-case form's data-testid inputs, and [data-testid=case-row] rows
// with data-doc-id / data-pending.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const SERVER_BIN = process.env.HOMEWARD_SERVER_BIN || path.join(repo, 'target/debug/homeward-server');
const CLI_BIN = process.env.HOMEWARD_CLI_BIN || path.join(repo, 'target/debug/homeward');
const WEB_DIR = process.env.HOMEWARD_WEB_DIR || path.join(repo, 'client/dist');
const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const ARTIFACTS = path.join(here, 'artifacts');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SYNC = '[data-testid=sync-status]';
const ROW = '[data-testid=case-row]';

// ---------------------------------------------------------------- helpers

/**
 * Appends a timestamped line to the test's log: written to artifacts/offline_sync.log,
 * and to stderr if the test fails (or always, with HOMEWARD_E2E_VERBOSE=1).
 */
const logLines = [];
const VERBOSE = Boolean(process.env.HOMEWARD_E2E_VERBOSE);
function log(...parts) {
  const line = `[${new Date().toISOString().slice(11, 23)}] ${parts.join(' ')}`;
  logLines.push(line);
  if (VERBOSE) process.stderr.write(`${line}\n`);
}

async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Runs a tool to completion and returns its stdout, trimmed. The tools print only
 * the value asked for on stdout; their stderr goes to the log. `shown` is the
 * command as logged (secrets left out).
 */
async function runTool(bin, args, shown = args) {
  log(`$ ${path.basename(bin)} ${shown.join(' ')}`);
  try {
    const { stdout, stderr } = await promisify(execFile)(bin, args, {
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
    for (const l of stderr.split('\n').filter((l) => l.trim() !== '')) log(`[${path.basename(bin)} stderr] ${l}`);
    return stdout.trim();
  } catch (err) {
    for (const l of String(err.stderr ?? '').split('\n').filter((l) => l.trim() !== '')) {
      log(`[${path.basename(bin)} stderr] ${l}`);
    }
    throw new Error(`${path.basename(bin)} ${shown.join(' ')} failed (code ${err.code}): ${String(err.stderr ?? err.message).trim()}`);
  }
}

/** An invite link without its secret fragment, for the log. */
const redactLink = (url) => url.replace(/#.*/, '#join=<redacted>');

// Relays still running when this process exits (a failure, Ctrl-C) are killed.
const liveRelays = new Set();
process.on('exit', () => {
  for (const child of liveRelays) child.kill('SIGKILL');
});

/** The real relay as a child process; resolves once it prints `listening on http://ADDR`. */
async function startRelay({ port, dataDir, tag }) {
  const args = ['--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, '--web-dir', WEB_DIR];
  log(`$ ${SERVER_BIN} ${args.join(' ')}`);
  const child = spawn(SERVER_BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The relay names its public origin in every handshake challenge; the browser
    // answers only a challenge naming the origin it loaded the app from.
    env: { ...process.env, NO_COLOR: '1', HOMEWARD_PUBLIC_URL: `http://127.0.0.1:${port}` },
  });
  liveRelays.add(child);
  // Resolves with [code, signal] once the process is gone (or could not start).
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve([code, signal]));
    child.once('error', (err) => resolve([null, null, err]));
  });
  exited.then(([code, signal, err]) => {
    liveRelays.delete(child);
    log(`relay ${tag} ${err ? `could not start: ${err.message}` : `exited (code ${code}, signal ${signal})`}`);
  });
  readline.createInterface({ input: child.stderr }).on('line', (l) => log(`[relay ${tag} stderr] ${l}`));
  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relay ${tag}: no "listening on http://" line within 20 s`));
    }, 20_000);
    // After resolve() this reject is a no-op.
    exited.then(([code, signal, err]) => {
      clearTimeout(timer);
      reject(new Error(`relay ${tag} (${SERVER_BIN}) ${err ? `could not start: ${err.message}` : `exited before listening (code ${code}, signal ${signal})`}`));
    });
    lines.on('line', (line) => {
      log(`[relay ${tag}] ${line}`);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
  });
  return {
    child,
    url,
    /** Stops the relay with `signal` and waits until the process is gone. */
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, 10_000, 'timeout');
      });
      const outcome = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        log(`relay ${tag} ignored ${signal} for 10 s; SIGKILL`);
        child.kill('SIGKILL');
        await exited;
      }
      log(`relay ${tag} stopped (${signal})`);
    },
  };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
async function waitFor(what, fn, { timeoutMs = 45_000, intervalMs = 250 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** What the sync panel says now. */
async function syncState(page) {
  return page.locator(SYNC).evaluate((el) => ({
    joined: el.getAttribute('data-joined'),
    connection: el.getAttribute('data-connection'),
    pending: el.getAttribute('data-pending'),
    lastSync: el.getAttribute('data-last-sync'),
    role: el.getAttribute('data-role'),
    refused: el.getAttribute('data-refused'),
    bootstrapDone: el.getAttribute('data-bootstrap-done'),
    bootstrapTotal: el.getAttribute('data-bootstrap-total'),
  }));
}

/** The row for `docId` (or, without one, the row whose text has `name`), as attributes. */
async function findRow(page, { docId, name }) {
  const rows = await page.locator(ROW).evaluateAll((els) =>
    els.map((el) => ({
      docId: el.getAttribute('data-doc-id'),
      pending: el.getAttribute('data-pending'),
      text: el.textContent,
    })),
  );
  return rows.find((r) => (docId ? r.docId === docId : r.text.includes(name))) ?? null;
}

/**
 * Opens an invite link, waits until storage is open and the service worker controls
 * the page, and checks that the invite's fragment left the address bar.
 */
async function openApp(page, inviteUrl, who) {
  await page.goto(inviteUrl);
  await page.waitForSelector('#app-root[data-ready="true"]', { state: 'attached', timeout: 30_000 });
  const href = await page.evaluate(() => location.href);
  assert.ok(!href.includes('#') && !href.includes('join='), `${who}: the invite is still in the address bar: ${redactLink(href)}`);
  assert.equal(await page.evaluate(() => location.hash), '', `${who}: the page still has a fragment after loading the invite`);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const controlled = () => page.evaluate(() => navigator.serviceWorker.controller !== null);
  if (!(await controlled())) {
    // A first visit is controlled only after a reload unless the worker claims its clients.
    log(`${who}: service worker installed but not controlling yet; reloading once`);
    await page.reload();
    await page.waitForSelector('#app-root[data-ready="true"]', { state: 'attached', timeout: 30_000 });
  }
  await waitFor(`${who}: service worker controlling the page`, controlled, { timeoutMs: 15_000 });
  log(`${who}: app ready, service worker in control`);
}

function watchPage(page, who) {
  page.on('console', (msg) => log(`[${who} console.${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => log(`[${who} pageerror] ${err.message}`));
}

function chromiumTempDirs() {
  try {
    return new Set(
      fs.readdirSync(os.tmpdir())
        .filter((n) => n.includes('org.chromium.Chromium.'))
        .map((n) => path.join(os.tmpdir(), n)),
    );
  } catch {
    return new Set();
  }
}

// ---------------------------------------------------------------- the test

test('offline edit in A reaches B through IndexedDB and the relay, stored once', { timeout: 240_000 }, async (t) => {
  assert.ok(fs.existsSync(SERVER_BIN), `relay binary ${SERVER_BIN} missing: run \`cargo build -p homeward-server\` (or \`cargo xtask test\`)`);
  assert.ok(fs.existsSync(CLI_BIN), `command-line client ${CLI_BIN} missing: run \`cargo build -p homeward-cli\` (or \`cargo xtask test\`)`);
  assert.ok(
    fs.existsSync(path.join(WEB_DIR, 'index.html')),
    `built app ${WEB_DIR}/index.html missing: run \`cargo xtask build-web --release\``,
  );
  assert.ok(fs.existsSync(CHROMIUM_BIN), `${CHROMIUM_BIN} missing: run \`cargo xtask setup --browser\``);
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-e2e-'));
  const dataDir = path.join(tmp, 'relay-data');
  fs.mkdirSync(dataDir);
  const adminState = path.join(tmp, 'admin-cli');
  const chromiumBefore = chromiumTempDirs();
  const port = await freePort();
  const surname = `Тестенко-${Math.floor(100000 + Math.random() * 900000)}`;
  const givenNames = 'Оксана';
  const patronymic = 'Петрівна';
  log(`port ${port}, data dir ${dataDir}, case "${surname} ${givenNames}"`);

  let failed = false;
  let relay = null;
  let browser = null;
  let pageA = null;
  let pageB = null;
  let pageC = null;
  try {
    // The operator's setup: a one-time setup code, the admin's CLI creates the
    // workspace with it, then makes one invite per device. The code is asked for
    // once the relay runs: a relay starting with no workspace replaces any unspent
    // code (so a code from an older log stops working), and `setup-code` may run
    // beside a serving relay.
    relay = await startRelay({ port, dataDir, tag: '#1' });
    const setupCode = await runTool(SERVER_BIN, ['setup-code', '--data-dir', dataDir]);
    assert.match(setupCode, /^\S+$/, 'setup-code prints only the code');
    const cli = (args, shown) => runTool(CLI_BIN, ['--state', adminState, ...args], ['--state', adminState, ...(shown ?? args)]);
    const workspace = await cli(
      ['setup', '--relay', relay.url, '--code', setupCode],
      ['setup', '--relay', relay.url, '--code', '<redacted>'],
    );
    assert.match(workspace, /^[0-9a-f]{32}$/, `setup prints only the workspace id, got "${workspace}"`);
    const invite = async (who) => {
      const url = (await cli(['invite', '--role', 'documenter', '--ttl', '1h'])).trim();
      const parsed = new URL(url);
      assert.equal(parsed.origin, new URL(relay.url).origin, `invite for ${who} is not a link to the relay: ${redactLink(url)}`);
      assert.ok(parsed.hash.startsWith('#join='), `invite for ${who} has no #join= fragment: ${redactLink(url)}`);
      log(`invite for ${who}: ${redactLink(url)}`);
      return url;
    };
    const inviteA = await invite('A');
    const inviteB = await invite('B');
    log(`workspace ${workspace} set up by the admin CLI`);
    browser = await chromium.launch({
      executablePath: CHROMIUM_BIN,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
    });
    log(`chromium ${browser.version()}`);
    const contextA = await browser.newContext();
    const contextB = await browser.newContext();
    pageA = await contextA.newPage();
    pageB = await contextB.newPage();
    watchPage(pageA, 'A');
    watchPage(pageB, 'B');

    // Steps run in order; once one fails the rest are skipped, not run on a broken state.
    let broken = null;
    const step = (name, fn) =>
      t.test(name, { skip: broken ? `step "${broken}" failed` : false }, async () => {
        broken = name;
        try {
          await fn();
        } catch (err) {
          failed = true;
          throw err;
        }
        broken = null;
      });

    await step('1. both devices open their invite links, join, the service worker takes over, sync connects', async () => {
      await openApp(pageA, inviteA, 'A');
      await openApp(pageB, inviteB, 'B');
      for (const [who, page] of [['A', pageA], ['B', pageB]]) {
        const s = await waitFor(`${who} connected`, async () => {
          const s = await syncState(page);
          return s.connection === 'connected' && s;
        }, { timeoutMs: 30_000 });
        assert.equal(s.joined, 'true', `${who} has joined the workspace`);
        assert.equal(s.role, 'documenter', `${who} joined with the invite's role`);
        assert.equal(s.refused, '', `${who} is not refused`);
      }
      assert.equal(await findRow(pageA, { name: surname }), null, 'the new case must not exist yet');
      log('A and B joined and connected');
    });

    await step('2. a third device opening A\'s already-used invite is refused with a clear message', async () => {
      const contextC = await browser.newContext();
      pageC = await contextC.newPage();
      watchPage(pageC, 'C');
      await openApp(pageC, inviteA, 'C');
      const s = await waitFor('C refused', async () => {
        const s = await syncState(pageC);
        return s.connection === 'refused' && s;
      }, { timeoutMs: 30_000 });
      assert.equal(s.refused, 'bad_ticket', 'the relay refused the spent ticket');
      const message = await pageC.locator('[data-testid=sync-refused]').textContent();
      assert.match(message, /already used/, `C's refusal message: "${message}"`);
      await pageC.screenshot({ path: path.join(ARTIFACTS, 'offline_sync-C-refused.png'), fullPage: true });
      // Refused is final: C does not keep dialling the relay.
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal((await syncState(pageC)).connection, 'refused', 'C stays refused');
      await contextC.close();
      pageC = null;
      log('C refused with a clear message; A goes offline and the relay stops');
      await contextA.setOffline(true);
      await relay.stop('SIGTERM');
      relay = null;
    });

    let docId;
    await step('3. offline, A adds a case: pending, and still there after an offline reload', async () => {
      await pageA.fill('[data-testid=case-surname]', surname);
      await pageA.fill('[data-testid=case-given-names]', givenNames);
      await pageA.fill('[data-testid=case-patronymic]', patronymic);
      await pageA.selectOption('[data-testid=case-category]', { index: 1 });
      await pageA.selectOption('[data-testid=case-status]', { index: 1 });
      await pageA.click('[data-testid=case-save]');
      await pageA.waitForSelector('[data-testid=case-saved]', { timeout: 15_000 });

      const row = await waitFor('A shows the new row', () => findRow(pageA, { name: surname }), { timeoutMs: 10_000 });
      docId = row.docId;
      assert.match(docId ?? '', /^[0-9a-f]{32}$/, `data-doc-id ${docId} is not 32 hex digits`);
      assert.ok(row.text.includes(givenNames), `row text "${row.text}" lacks the given names`);
      assert.equal(row.pending, 'true', 'a case saved offline is pending upload');
      const sync = await waitFor('A\'s sync panel to show it offline with a pending upload', async () => {
        const s = await syncState(pageA);
        return s.connection !== 'connected' && Number(s.pending) >= 1 && s;
      }, { timeoutMs: 10_000 });
      log(`A saved ${docId} offline; sync ${JSON.stringify(sync)}`);

      // Reload with no network: the service worker serves the app, IndexedDB the case.
      await pageA.reload();
      await pageA.waitForSelector('#app-root[data-ready="true"]', { state: 'attached', timeout: 30_000 });
      const again = await waitFor('A shows the row after the offline reload', () => findRow(pageA, { docId }), {
        timeoutMs: 10_000,
      });
      assert.equal(await pageA.evaluate(() => navigator.onLine), false, 'the reload happened offline');
      assert.ok(again.text.includes(surname));
      assert.equal(again.pending, 'true', 'still pending after the reload');
      await pageA.screenshot({ path: path.join(ARTIFACTS, 'offline_sync-A-offline-pending.png'), fullPage: true });
      assert.ok(Number((await syncState(pageA)).pending) >= 1);
      assert.equal(await findRow(pageB, { docId }), null, 'B cannot have it yet');
      log('after the offline reload A still shows the pending row');
    });

    await step('4. relay back on the same port and data, A online: A uploads, B shows it, no user action', async () => {
      relay = await startRelay({ port, dataDir, tag: '#2' });
      await contextA.setOffline(false);
      const started = Date.now();
      await waitFor('A\'s row to stop being pending', async () => (await findRow(pageA, { docId }))?.pending === 'false');
      log(`A uploaded after ${Date.now() - started} ms`);
      const rowB = await waitFor('B to show the row', () => findRow(pageB, { docId }));
      log(`B shows it after ${Date.now() - started} ms`);
      assert.ok(rowB.text.includes(surname), `B's row text "${rowB.text}" lacks the surname`);
      assert.ok(rowB.text.includes(givenNames), `B's row text "${rowB.text}" lacks the given names`);
      assert.equal(rowB.pending, 'false', 'B received it, it has nothing to upload');
      await waitFor('A\'s sync panel to show nothing pending', async () => {
        const s = await syncState(pageA);
        return s.connection === 'connected' && s.pending === '0' && s.lastSync !== '';
      }, { timeoutMs: 15_000 });
    });

    await step('5. the relay stored the case exactly once', async () => {
      const { stdout } = await promisify(execFile)(SERVER_BIN, ['list-entries', '--data-dir', dataDir]);
      const entries = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
      const ours = entries.filter((e) => String(e.doc_id).toLowerCase() === docId);
      log(`list-entries: ${entries.length} entries, ${ours.length} for ${docId}: ${JSON.stringify(ours)}`);
      assert.equal(ours.length, 1, `expected exactly one entry for ${docId}, got ${ours.length}`);
      assert.ok(ours[0].body_len > 0, 'the entry has a body');
    });
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    for (const [who, page] of [['A', pageA], ['B', pageB], ['C', pageC]]) {
      if (page && !page.isClosed()) {
        await page
          .screenshot({ path: path.join(ARTIFACTS, `offline_sync-${who}.png`), fullPage: true })
          .catch((err) => log(`screenshot ${who} failed: ${err.message}`));
      }
    }
    if (browser) await browser.close().catch((err) => log(`closing chromium: ${err.message}`));
    if (relay) await relay.stop('SIGTERM').catch((err) => log(`stopping the relay: ${err.message}`));
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const dir of chromiumTempDirs()) {
      if (!chromiumBefore.has(dir)) fs.rmSync(dir, { recursive: true, force: true });
    }
    const logFile = path.join(ARTIFACTS, 'offline_sync.log');
    fs.writeFileSync(logFile, `${logLines.join('\n')}\n`);
    if (failed && !VERBOSE) {
      process.stderr.write(`---- ${logFile} (relay, browser console, steps) ----\n${logLines.join('\n')}\n----\n`);
    }
  }
});
