// Shared setup for the browser end-to-end tests (not a test file itself: only
// `*.test.mjs` files are run by `node --test`).
//
// Every test drives real Chromium (isolated browser contexts = separate
// devices) against the real relay binary serving the real built app, set up the
// way an operator does it: `homeward-server setup-code` on the empty data dir,
// `homeward setup` with that code (the CLI becomes the workspace's admin), then
// `homeward invite` once per device; each browser opens its invite link, sets a
// passphrase, and joins.
//
// Variables (set by `cargo xtask test`):
//   HOMEWARD_SERVER_BIN  the relay binary (default: ../../target/debug/homeward-server)
//   HOMEWARD_CLI_BIN     the command-line client (default: ../../target/debug/homeward)
//   HOMEWARD_WEB_DIR     the built app (default: ../../client/dist)
//   CHROMIUM_BIN         the browser (default: /usr/bin/chromium)
//   HOMEWARD_E2E_VERBOSE=1  print the test log as it is written
//
// The DOM contract the tests rely on (data-testid unless noted):
// - first run: `vault-setup` with `passphrase`, `passphrase-confirm`, `strength`
//   (data-strength = too_weak|weak|fair|strong), `create-vault`, `vault-error`;
// - lock screen: `unlock` (data-failed, data-max-failures) with `passphrase`,
//   `unlock-submit`, `unlock-error`, `wipe` then `wipe-confirm`;
// - unlocked: the top bar's `lock-now`, `language` (a <select>: uk, en, ru) and
//   `sync-status` (data-connection, data-pending, data-last-sync, data-role,
//   data-refused, data-joined, data-quarantined; `sync-refused`); the bottom
//   navigation `nav-cases`, `nav-new`, `nav-release`, `nav-sync`,
//   `nav-settings`, one per hash route (#/cases, #/new, #/release, #/sync,
//   #/settings; a case is #/case/<id>, its edit form #/case/<id>/edit);
//   #app-root[data-ready]; joining shows `join-progress` (a <progress>);
// - #/cases: `case-list`, `case-search`, `case-count` (data-shown, data-total),
//   `case-row` rows (data-doc-id, data-pending) each with a link to the case;
// - #/new and the edit form: `case-form` with `case-surname`,
//   `case-given-names`, `case-patronymic`, `case-category`, `case-status`, …
//   (one <details> `section-*` per part of the record), `case-save`; a saved
//   case opens its detail;
// - #/case/<id>: `case-detail` (data-doc-id) with `detail-name`, `detail-edit`,
//   `detail-pending`, `detail-section-*`, `conflicts` (`conflict` data-field,
//   `conflict-value` data-value, `conflict-keep`);
// - #/release: `release-list`, `release-profile-<profile>`, `release-preview`,
//   `release-preview-list`, `release-entry`, `release-excluded`,
//   `release-export-csv`, `release-export-json`, `release-recorded`;
// - #/sync: `sync-page`;
// - #/settings: `settings-language`, `idle-lock-minutes`, `max-failures`,
//   `save-settings` (outcome in `settings-message`, role=alert on failure),
//   `wipe` then `wipe-confirm`;
// - localStorage `homeward.maxFailedUnlocks`, read at start, presets the number
//   of failed unlocks that wipes the device; `homeward.lang` keeps the language.

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
export const SERVER_BIN = process.env.HOMEWARD_SERVER_BIN || path.join(repo, 'target/debug/homeward-server');
export const CLI_BIN = process.env.HOMEWARD_CLI_BIN || path.join(repo, 'target/debug/homeward');
export const WEB_DIR = process.env.HOMEWARD_WEB_DIR || path.join(repo, 'client/dist');
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const ARTIFACTS = path.join(here, 'artifacts');

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

export const SYNC = '[data-testid=sync-status]';
export const ROW = '[data-testid=case-row]';
export const SETUP = '[data-testid=vault-setup]';
export const UNLOCK = '[data-testid=unlock]';
export const LOCK_NOW = '[data-testid=lock-now]';

/** The localStorage preference that presets how many failed unlocks wipe the device. */
export const MAX_FAILURES_KEY = 'homeward.maxFailedUnlocks';

/** Argon2id runs on every vault creation and unlock: screens may take a few seconds. */
const KDF_TIMEOUT = 45_000;

// ---------------------------------------------------------------- the log

/**
 * A timestamped log per test file: written to artifacts/<name>.log, and to
 * stderr if a test fails (or always, with HOMEWARD_E2E_VERBOSE=1).
 */
const logLines = [];
const VERBOSE = Boolean(process.env.HOMEWARD_E2E_VERBOSE);
export function log(...parts) {
  const line = `[${new Date().toISOString().slice(11, 23)}] ${parts.join(' ')}`;
  logLines.push(line);
  if (VERBOSE) process.stderr.write(`${line}\n`);
}

/** Writes the log so far to artifacts/<name>.log; prints it if `failed`. */
export function writeLog(name, failed) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = path.join(ARTIFACTS, `${name}.log`);
  fs.writeFileSync(logFile, `${logLines.join('\n')}\n`);
  if (failed && !VERBOSE) {
    process.stderr.write(`---- ${logFile} (relay, browser console, steps) ----\n${logLines.join('\n')}\n----\n`);
  }
}

// ---------------------------------------------------------------- processes

export async function freePort() {
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
export async function runTool(bin, args, shown = args) {
  log(`$ ${path.basename(bin)} ${shown.join(' ')}`);
  try {
    const { stdout, stderr } = await promisify(execFile)(bin, args, {
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
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
export const redactLink = (url) => url.replace(/#.*/, '#join=<redacted>');

// Relays still running when this process exits (a failure, Ctrl-C) are killed.
const liveRelays = new Set();
process.on('exit', () => {
  for (const child of liveRelays) child.kill('SIGKILL');
});

/**
 * The real relay as a child process; resolves once it prints `listening on http://ADDR`.
 * With `captureFile`, everything the relay writes to stdout and stderr is also
 * appended to that file, byte for byte. `env` adds to the relay's environment.
 */
export async function startRelay({ port, dataDir, tag, captureFile = null, env = {} }) {
  const args = ['--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, '--web-dir', WEB_DIR];
  log(`$ ${SERVER_BIN} ${args.join(' ')}`);
  const child = spawn(SERVER_BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The relay names its public origin in every handshake challenge; the browser
    // answers only a challenge naming the origin it loaded the app from.
    env: { ...process.env, NO_COLOR: '1', HOMEWARD_PUBLIC_URL: `http://127.0.0.1:${port}`, ...env },
  });
  liveRelays.add(child);
  let capture = null;
  if (captureFile) {
    capture = fs.createWriteStream(captureFile, { flags: 'a' });
    child.stdout.on('data', (chunk) => capture.write(chunk));
    child.stderr.on('data', (chunk) => capture.write(chunk));
  }
  // Resolves once both output streams are drained and the capture file is flushed.
  const drained = Promise.all([once(child.stdout, 'close'), once(child.stderr, 'close')]).then(
    () => capture && new Promise((resolve) => capture.end(resolve)),
  );
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
    /** Stops the relay with `signal` and waits until the process is gone and its output is written. */
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
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
      }
      await drained;
    },
  };
}

/**
 * The operator's setup: a one-time setup code, the admin's CLI creates the
 * workspace with it. The code is asked for once the relay runs: a relay starting
 * with no workspace replaces any unspent code, and `setup-code` may run beside a
 * serving relay. Returns the workspace id and `invite(who, role)`, which makes an
 * invite link and checks its shape.
 */
export async function setUpWorkspace({ relay, dataDir, adminState }) {
  const setupCode = await runTool(SERVER_BIN, ['setup-code', '--data-dir', dataDir]);
  assert.match(setupCode, /^\S+$/, 'setup-code prints only the code');
  const cli = (args, shown) => runTool(CLI_BIN, ['--state', adminState, ...args], ['--state', adminState, ...(shown ?? args)]);
  const workspace = await cli(
    ['setup', '--relay', relay.url, '--code', setupCode],
    ['setup', '--relay', relay.url, '--code', '<redacted>'],
  );
  assert.match(workspace, /^[0-9a-f]{32}$/, `setup prints only the workspace id, got "${workspace}"`);
  log(`workspace ${workspace} set up by the admin CLI`);
  const invite = async (who, role = 'documenter') => {
    const url = (await cli(['invite', '--role', role, '--ttl', '1h'])).trim();
    const parsed = new URL(url);
    assert.equal(parsed.origin, new URL(relay.url).origin, `invite for ${who} is not a link to the relay: ${redactLink(url)}`);
    assert.ok(parsed.hash.startsWith('#join='), `invite for ${who} has no #join= fragment: ${redactLink(url)}`);
    log(`invite for ${who}: ${redactLink(url)}`);
    return url;
  };
  return { workspace, cli, invite };
}

/**
 * The parts of an invite link's token (base64url of: format byte 1, workspace id
 * (16), one-time ticket (32), workspace key (32)); see shared/src/invite_link.rs.
 */
export function parseInvite(url) {
  const token = new URL(url).hash.replace(/^#join=/, '');
  const raw = Buffer.from(token, 'base64url');
  return {
    token,
    format: raw[0],
    workspace: raw.subarray(1, 17),
    ticket: raw.subarray(17, 49),
    workspaceKey: raw.length === 81 ? raw.subarray(49, 81) : null,
  };
}

// ---------------------------------------------------------------- browser

/** Checks that binaries, the built app and Chromium exist, with a hint what to run if not. */
export function checkPrerequisites() {
  assert.ok(fs.existsSync(SERVER_BIN), `relay binary ${SERVER_BIN} missing: run \`cargo build -p homeward-server\` (or \`cargo xtask test\`)`);
  assert.ok(fs.existsSync(CLI_BIN), `command-line client ${CLI_BIN} missing: run \`cargo build -p homeward-cli\` (or \`cargo xtask test\`)`);
  assert.ok(
    fs.existsSync(path.join(WEB_DIR, 'index.html')),
    `built app ${WEB_DIR}/index.html missing: run \`cargo xtask build-web --release\``,
  );
  assert.ok(fs.existsSync(CHROMIUM_BIN), `${CHROMIUM_BIN} missing: run \`cargo xtask setup --browser\``);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}

/**
 * Launches Chromium with its temp dir inside `tmpDir` (the test's own temp dir,
 * removed afterwards): the `org.chromium.Chromium.*` files it leaves are then
 * removed with it, and never confused with another test's running browser.
 */
export async function launchChromium(tmpDir) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    chromiumSandbox: false,
    args: CHROMIUM_ARGS,
    env: { ...process.env, TMPDIR: tmpDir },
  });
  log(`chromium ${browser.version()}`);
  return browser;
}

/**
 * A new browser context (a device) with one page, its console in the log, and a
 * watch for the join progress bar: `sawJoinProgress(page)` tells whether a
 * [data-testid=join-progress] <progress> was ever in the page since it loaded.
 * With `clock: true` the context runs on Playwright's fake clock (time flows as
 * usual until `context.clock.fastForward(…)` jumps it ahead, firing due timers).
 */
export async function newDevice(browser, who, { clock = false, ...contextOptions } = {}) {
  // English unless a test asks otherwise: the app starts in the browser's language.
  const context = await browser.newContext({ locale: 'en-US', ...contextOptions });
  // Fake timers for the whole context (time still flows; `context.clock.fastForward` jumps).
  if (clock) await context.clock.install();
  await context.addInitScript(() => {
    const note = (el) => {
      const found = el.matches?.('[data-testid=join-progress]') ? el : el.querySelector?.('[data-testid=join-progress]');
      if (found) {
        window.__homewardJoinProgress = window.__homewardJoinProgress || [];
        window.__homewardJoinProgress.push({ tag: found.tagName, max: found.getAttribute('max'), value: found.getAttribute('value') });
      }
    };
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'childList') r.addedNodes.forEach((n) => n.nodeType === 1 && note(n));
        else if (r.target.nodeType === 1) note(r.target);
      }
    }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-testid'] });
  });
  const page = await context.newPage();
  page.on('console', (msg) => log(`[${who} console.${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => log(`[${who} pageerror] ${err.message}`));
  return { context, page };
}

/** What the join progress watch saw (an array of {tag, max, value}; empty if none). */
export async function sawJoinProgress(page) {
  return page.evaluate(() => window.__homewardJoinProgress ?? []);
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(what, fn, { timeoutMs = 45_000, intervalMs = 250 } = {}) {
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

/** Which screen the page shows: 'setup', 'unlock', 'app' (unlocked), or null (none yet). */
export async function screen(page) {
  return page.evaluate(() => {
    const shown = (sel) => {
      const el = document.querySelector(sel);
      return Boolean(el && el.getClientRects().length > 0);
    };
    if (shown('[data-testid=vault-setup]')) return 'setup';
    if (shown('[data-testid=unlock]')) return 'unlock';
    if (shown('[data-testid=lock-now]') && document.querySelector('#app-root[data-ready="true"]')) return 'app';
    return null;
  });
}

/** Waits until the page shows `want` ('setup' | 'unlock' | 'app'). */
export async function waitForScreen(page, want, who, timeoutMs = KDF_TIMEOUT) {
  await waitFor(`${who}: the ${want} screen`, async () => (await screen(page)) === want, { timeoutMs, intervalMs: 100 });
}

/** The page's address and its same-document history (Navigation API), for fragment checks. */
async function addresses(page) {
  return page.evaluate(() => ({
    href: location.href,
    hash: location.hash,
    history: typeof navigation !== 'undefined' ? navigation.entries().map((e) => e.url ?? '') : [],
  }));
}

/** Asserts that no trace of an invite's fragment is left in the address bar or the tab's history. */
export async function assertNoFragment(page, who) {
  const a = await addresses(page);
  assert.ok(!a.href.includes('#') && !a.href.includes('join='), `${who}: the invite is still in the address bar: ${redactLink(a.href)}`);
  assert.equal(a.hash, '', `${who}: the page still has a fragment after loading the invite`);
  const inHistory = a.history.filter((u) => u.includes('join='));
  assert.deepEqual(inHistory.map(redactLink), [], `${who}: the invite link is still in the tab's history`);
}

/**
 * Fills the first-run screen and creates the vault. Checks the strength hint for
 * `passphrase` is `expectStrength` (a list of accepted values) when given.
 */
export async function createVault(page, passphrase, who, { expectStrength = ['strong'] } = {}) {
  await waitForScreen(page, 'setup', who);
  const setup = page.locator(SETUP);
  await setup.locator('input[data-testid=passphrase]').fill(passphrase);
  await setup.locator('input[data-testid=passphrase-confirm]').fill(passphrase);
  if (expectStrength) {
    const strength = await waitFor(`${who}: a strength hint`, () =>
      setup.locator('[data-testid=strength]').getAttribute('data-strength', { timeout: 5_000 }),
    { timeoutMs: 10_000 });
    assert.ok(expectStrength.includes(strength), `${who}: strength of the passphrase shown as "${strength}", expected ${expectStrength.join(' or ')}`);
  }
  const started = Date.now();
  await setup.locator('button[data-testid=create-vault]').click();
  await waitFor(`${who}: the setup screen to go`, async () => (await screen(page)) !== 'setup', { timeoutMs: KDF_TIMEOUT, intervalMs: 100 });
  log(`${who}: vault created in ${Date.now() - started} ms (Argon2id and key wrapping)`);
}

/** Waits until the app is unlocked and storage is open, and the service worker controls the page. */
export async function waitForApp(page, who, passphrase) {
  await waitForScreen(page, 'app', who);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const controlled = () => page.evaluate(() => navigator.serviceWorker.controller !== null);
  if (!(await controlled())) {
    // A first visit is controlled only after a reload unless the worker claims its clients.
    log(`${who}: service worker installed but not controlling yet; reloading once`);
    await page.reload();
    await unlock(page, passphrase, who);
  }
  await waitFor(`${who}: service worker controlling the page`, controlled, { timeoutMs: 15_000 });
}

/**
 * Opens an invite link in a fresh device: the fragment leaves the address bar and
 * history, the first-run screen asks for a passphrase, then the app joins.
 * Resolves once the app is unlocked and the service worker controls the page
 * (joining and syncing go on; wait for the sync panel separately).
 */
export async function joinWithInvite(page, inviteUrl, passphrase, who, options = {}) {
  await page.goto(inviteUrl);
  await waitFor(`${who}: the setup screen after opening the invite`, async () => (await screen(page)) !== null, {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  await assertNoFragment(page, who);
  await createVault(page, passphrase, who, options);
  await assertNoFragment(page, who);
  await waitForApp(page, who, passphrase);
  log(`${who}: joined with a passphrase; app unlocked, service worker in control`);
}

/**
 * One unlock attempt on the lock screen. Returns 'app' if it unlocked, 'refused'
 * if the lock screen counted a failure (then `failed` is its data-failed), or
 * 'setup' if the device wiped itself.
 */
export async function tryUnlock(page, passphrase, who) {
  await waitForScreen(page, 'unlock', who);
  const lock = page.locator(UNLOCK);
  const failedBefore = Number(await lock.getAttribute('data-failed'));
  await lock.locator('input[data-testid=passphrase]').fill(passphrase);
  const started = Date.now();
  await lock.locator('button[data-testid=unlock-submit]').click();
  const outcome = await waitFor(`${who}: the outcome of an unlock attempt`, async () => {
    const s = await screen(page);
    if (s === 'app' || s === 'setup') return { result: s };
    if (s === 'unlock') {
      const failed = await page.locator(UNLOCK).getAttribute('data-failed', { timeout: 1_000 });
      if (Number(failed) > failedBefore) return { result: 'refused', failed: Number(failed) };
    }
    return null;
  }, { timeoutMs: KDF_TIMEOUT, intervalMs: 100 });
  log(`${who}: unlock attempt → ${outcome.result}${outcome.failed !== undefined ? ` (data-failed ${outcome.failed})` : ''} in ${Date.now() - started} ms`);
  return outcome;
}

/** Unlocks with the right passphrase; fails if the lock screen refuses it. */
export async function unlock(page, passphrase, who) {
  const outcome = await tryUnlock(page, passphrase, who);
  assert.equal(outcome.result, 'app', `${who}: the right passphrase did not unlock (${JSON.stringify(outcome)})`);
  await waitForScreen(page, 'app', who);
}

/** Locks now, through the app's button, and waits for the lock screen. */
export async function lockNow(page, who) {
  await page.locator(LOCK_NOW).click();
  await waitForScreen(page, 'unlock', who, 15_000);
  log(`${who}: locked`);
}

/** What the sync panel says now. */
export async function syncState(page) {
  return page.locator(SYNC).evaluate((el) => ({
    joined: el.getAttribute('data-joined'),
    connection: el.getAttribute('data-connection'),
    pending: el.getAttribute('data-pending'),
    lastSync: el.getAttribute('data-last-sync'),
    role: el.getAttribute('data-role'),
    refused: el.getAttribute('data-refused'),
    quarantined: el.getAttribute('data-quarantined'),
    bootstrapDone: el.getAttribute('data-bootstrap-done'),
    bootstrapTotal: el.getAttribute('data-bootstrap-total'),
  }));
}

/** Waits until the device has joined and is connected, and returns the sync panel's state. */
export async function waitConnected(page, who, timeoutMs = 30_000) {
  return waitFor(`${who} connected`, async () => {
    const s = await syncState(page);
    return s.connection === 'connected' && s.joined === 'true' && s;
  }, { timeoutMs });
}

// ---------------------------------------------------------------- screens

/** What shows that a tab's screen is there (the form only once loaded). */
const TAB_SCREEN = {
  cases: '[data-testid=case-list]',
  new: '[data-testid=case-form]',
  release: '[data-testid=release-list]',
  sync: '[data-testid=sync-page]',
  settings: '[data-testid=settings-language]',
};

/**
 * Opens a tab of the bottom navigation ('cases', 'new', 'release', 'sync' or
 * 'settings') and waits for its screen.
 */
export async function openTab(page, tab) {
  assert.ok(TAB_SCREEN[tab], `no tab "${tab}"`);
  await page.locator(`[data-testid=nav-${tab}]`).click();
  await page.locator(TAB_SCREEN[tab]).first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** Waits until the page shows a loaded case detail; returns its doc id. */
export async function waitForDetail(page, who, docId = null, timeoutMs = 15_000) {
  const sel = docId ? `[data-testid=case-detail][data-doc-id="${docId}"]` : '[data-testid=case-detail]';
  await page.locator(`${sel} [data-testid=detail-name]`).waitFor({ state: 'visible', timeout: timeoutMs });
  const id = await page.locator(sel).getAttribute('data-doc-id');
  assert.match(id ?? '', /^[0-9a-f]{32}$/, `${who}: the detail's data-doc-id ${id} is not 32 hex digits`);
  return id;
}

/**
 * Opens a case's detail: through its row when the list shows it, else
 * through the address (#/case/<id>).
 */
export async function openCase(page, docId, who) {
  const link = page.locator(`[data-testid=case-row][data-doc-id="${docId}"] a`);
  if ((await link.count()) > 0) {
    await link.first().click();
  } else {
    await page.evaluate((id) => {
      location.hash = `#/case/${id}`;
    }, docId);
  }
  return waitForDetail(page, who, docId);
}

/** All case rows the list shows, as attributes and text (the list must be open: `openTab(page, 'cases')`). */
export async function rows(page) {
  return page.locator(ROW).evaluateAll((els) =>
    els.map((el) => ({
      docId: el.getAttribute('data-doc-id'),
      pending: el.getAttribute('data-pending'),
      text: el.textContent,
    })),
  );
}

/** The row for `docId` (or, without one, the row whose text has `name`), as attributes. */
export async function findRow(page, { docId, name }) {
  return (await rows(page)).find((r) => (docId ? r.docId === docId : r.text.includes(name))) ?? null;
}

/** How many cases the open list says the device holds (its `case-count` data-total), once storage is read. */
export async function caseTotal(page, who) {
  return waitFor(`${who}: the case count`, async () => {
    const count = page.locator('[data-testid=case-count]');
    if (!(await count.isVisible())) return null;
    const total = await count.getAttribute('data-total', { timeout: 1_000 });
    return total === null ? null : { total: Number(total) };
  }, { timeoutMs: 15_000 }).then((c) => c.total);
}

/** Opens every closed <details> section of the case form (by its summary, as a person would). */
export async function openFormSections(page) {
  const closed = page.locator('[data-testid=case-form] details:not([open]) > summary');
  for (let tries = 0; (await closed.count()) > 0; tries++) {
    assert.ok(tries < 30, 'a section of the case form does not open when its summary is clicked');
    await closed.first().click();
  }
}

/**
 * Fills the minimum record of the open case form. `category` and `status` are
 * option values (keys), or omitted for the second option.
 */
export async function fillMinimum(page, { surname, givenNames, patronymic, category, status }) {
  await page.locator('[data-testid=case-form]').waitFor({ state: 'visible', timeout: 15_000 });
  await page.fill('[data-testid=case-surname]', surname);
  await page.fill('[data-testid=case-given-names]', givenNames ?? '');
  await page.fill('[data-testid=case-patronymic]', patronymic ?? '');
  await page.selectOption('[data-testid=case-category]', category ?? { index: 1 });
  await page.selectOption('[data-testid=case-status]', status ?? { index: 1 });
}

/** Saves the open case form and waits for the saved case's detail; returns its doc id. */
export async function saveCase(page, who) {
  const before = await page.evaluate(() => location.hash);
  await page.click('[data-testid=case-save]');
  const refused = async () => {
    const shown = page.locator('[data-testid=case-save-error], [data-testid=form-errors]');
    return (await shown.count()) > 0 ? (await shown.allInnerTexts()).join(' | ') : null;
  };
  await waitFor(`${who}: the saved case's detail`, async () => {
    const why = await refused();
    if (why !== null) throw new Error(`${who}: the form refused to save: ${why}`);
    const hash = await page.evaluate(() => location.hash);
    return hash !== before && /^#\/case\/[0-9a-f]{32}$/.test(hash);
  }, { timeoutMs: 15_000 }).catch(async (err) => {
    throw new Error(`${err.message}; the form says: ${(await refused()) ?? 'nothing'}`);
  });
  return waitForDetail(page, who);
}

/**
 * Adds a case through the form (#/new) and returns its row in the list, which
 * is left open. `category` and `status` are option values (keys), or omitted
 * for the second option.
 */
export async function addCase(page, theCase, who) {
  await openTab(page, 'new');
  await fillMinimum(page, theCase);
  const docId = await saveCase(page, who);
  await openTab(page, 'cases');
  const row = await waitFor(`${who} shows the new row`, () => findRow(page, { docId }), { timeoutMs: 10_000 });
  log(`${who}: added case ${row.docId}`);
  return row;
}

// ---------------------------------------------------------------- what is stored

/**
 * Everything this origin keeps in the page's reach: every IndexedDB database's
 * every object store's every key and value, all of localStorage and
 * sessionStorage. Bytes (ArrayBuffer, typed arrays, DataView, Blob) come back as
 * base64 ({t: 'bytes'}); other values keep their structure. Opens its own
 * connections, read-only, and closes them.
 */
export async function dumpBrowserStorage(page) {
  return page.evaluate(async () => {
    const b64 = (u8) => {
      let s = '';
      for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
      return btoa(s);
    };
    const ser = async (v, depth = 0) => {
      if (depth > 64) return { t: 'string', v: '<too deep>' };
      if (v === null) return { t: 'null' };
      if (v === undefined) return { t: 'undefined' };
      switch (typeof v) {
        case 'string':
          return { t: 'string', v };
        case 'number':
        case 'boolean':
        case 'bigint':
          return { t: typeof v, v: String(v) };
        default:
          break;
      }
      if (v instanceof ArrayBuffer) return { t: 'bytes', kind: 'ArrayBuffer', v: b64(new Uint8Array(v)) };
      if (ArrayBuffer.isView(v)) {
        return { t: 'bytes', kind: v.constructor.name, v: b64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
      }
      if (v instanceof Blob) return { t: 'bytes', kind: 'Blob', v: b64(new Uint8Array(await v.arrayBuffer())) };
      if (v instanceof Date) return { t: 'date', v: String(v.getTime()) };
      if (Array.isArray(v)) {
        const out = [];
        for (const x of v) out.push(await ser(x, depth + 1));
        return { t: 'array', v: out };
      }
      if (v instanceof Map) {
        const out = [];
        for (const [k, x] of v) out.push([await ser(k, depth + 1), await ser(x, depth + 1)]);
        return { t: 'map', v: out };
      }
      if (v instanceof Set) {
        const out = [];
        for (const x of v) out.push(await ser(x, depth + 1));
        return { t: 'set', v: out };
      }
      const out = [];
      for (const k of Object.keys(v)) out.push([{ t: 'string', v: k }, await ser(v[k], depth + 1)]);
      return { t: 'object', v: out };
    };
    const req = (r) =>
      new Promise((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });

    const databases = [];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open(info.name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
        r.onblocked = () => reject(new Error(`opening ${info.name} is blocked`));
      });
      try {
        const stores = [];
        const names = [...db.objectStoreNames];
        if (names.length > 0) {
          const tx = db.transaction(names, 'readonly');
          const raw = [];
          for (const name of names) {
            const store = tx.objectStore(name);
            // Both in key order, in one transaction: keys[i] belongs to values[i].
            const [keys, values] = await Promise.all([req(store.getAllKeys()), req(store.getAll())]);
            raw.push({ name, keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes: [...store.indexNames], keys, values });
          }
          for (const s of raw) {
            const records = [];
            for (let i = 0; i < s.keys.length; i++) records.push({ key: await ser(s.keys[i]), value: await ser(s.values[i]) });
            stores.push({ name: s.name, keyPath: s.keyPath, autoIncrement: s.autoIncrement, indexes: s.indexes, records });
          }
        }
        databases.push({ name: info.name, version: db.version, stores });
      } finally {
        db.close();
      }
    }
    const storageOf = (s) => {
      const out = [];
      for (let i = 0; i < s.length; i++) out.push([s.key(i), s.getItem(s.key(i))]);
      return out;
    };
    return { databases, localStorage: storageOf(localStorage), sessionStorage: storageOf(sessionStorage) };
  });
}

/** Every string and byte string in a serialised value, with where it sits. */
function* leaves(node, where) {
  if (node.t === 'string') yield { where, string: node.v };
  else if (node.t === 'bytes') yield { where, bytes: Buffer.from(node.v, 'base64') };
  else if (node.t === 'number' || node.t === 'bigint' || node.t === 'boolean' || node.t === 'date') yield { where, string: node.v };
  else if (node.t === 'array' || node.t === 'set') {
    for (let i = 0; i < node.v.length; i++) yield* leaves(node.v[i], `${where}[${i}]`);
  } else if (node.t === 'map' || node.t === 'object') {
    for (const [k, x] of node.v) {
      yield* leaves(k, `${where}{key}`);
      yield* leaves(x, `${where}.${k.t === 'string' ? k.v : '?'}`);
    }
  }
}

/**
 * A dump flattened to labelled buffers for searching: every string as UTF-8 and
 * as UTF-16 (LE), every byte value as is; database, store and index names too.
 */
export function dumpBuffers(dump) {
  const out = [];
  const addString = (where, s) => {
    out.push({ where: `${where} (utf-8)`, buf: Buffer.from(s, 'utf8') });
    out.push({ where: `${where} (utf-16le)`, buf: Buffer.from(s, 'utf16le') });
  };
  const add = (leaf) => (leaf.bytes ? out.push({ where: leaf.where, buf: leaf.bytes }) : addString(leaf.where, leaf.string));
  for (const db of dump.databases) {
    addString(`idb ${db.name}`, db.name);
    for (const store of db.stores) {
      const at = `idb ${db.name}/${store.name}`;
      addString(at, `${store.name} ${store.indexes.join(' ')} ${JSON.stringify(store.keyPath)}`);
      store.records.forEach((r, i) => {
        for (const leaf of leaves(r.key, `${at}#${i} key`)) add(leaf);
        for (const leaf of leaves(r.value, `${at}#${i} value`)) add(leaf);
      });
    }
  }
  for (const [area, entries] of [['localStorage', dump.localStorage], ['sessionStorage', dump.sessionStorage]]) {
    for (const [k, v] of entries) {
      addString(`${area} key ${JSON.stringify(k)}`, k);
      addString(`${area}[${JSON.stringify(k)}]`, v ?? '');
    }
  }
  return out;
}

/** How many records, and bytes of values, each IndexedDB store holds (for the log). */
export function dumpSummary(dump) {
  const stores = [];
  for (const db of dump.databases) {
    for (const store of db.stores) {
      let bytes = 0;
      for (const r of store.records) for (const leaf of leaves(r.value, '')) bytes += leaf.bytes ? leaf.bytes.length : Buffer.byteLength(leaf.string);
      stores.push({ store: `${db.name}/${store.name}`, records: store.records.length, valueBytes: bytes });
    }
  }
  return { stores, localStorage: dump.localStorage.map(([k]) => k), sessionStorage: dump.sessionStorage.map(([k]) => k) };
}

/** The number of records in every IndexedDB store together. */
export function recordCount(dump) {
  return dump.databases.reduce((n, db) => n + db.stores.reduce((m, s) => m + s.records.length, 0), 0);
}

/**
 * A secret as the byte patterns it could be stored as: for text, UTF-8 and UTF-16
 * (LE and BE) of the text as given, NFC and NFD, lower and upper case; for bytes
 * (a Buffer), the bytes, their hex (both cases), base64 and base64url.
 */
export function patternsOf(label, secret) {
  const out = new Map();
  const add = (how, buf) => {
    const key = buf.toString('hex');
    if (buf.length > 0 && !out.has(key)) out.set(key, { label, how, buf });
  };
  if (Buffer.isBuffer(secret)) {
    add('raw bytes', secret);
    add('hex', Buffer.from(secret.toString('hex')));
    add('HEX', Buffer.from(secret.toString('hex').toUpperCase()));
    add('base64', Buffer.from(secret.toString('base64').replace(/=+$/, '')));
    add('base64url', Buffer.from(secret.toString('base64url')));
  } else {
    for (const [form, text] of [
      ['', secret],
      [' NFC', secret.normalize('NFC')],
      [' NFD', secret.normalize('NFD')],
      [' lower case', secret.toLowerCase()],
      [' upper case', secret.toUpperCase()],
    ]) {
      add(`utf-8${form}`, Buffer.from(text, 'utf8'));
      add(`utf-16le${form}`, Buffer.from(text, 'utf16le'));
      add(`utf-16be${form}`, Buffer.from(text, 'utf16le').swap16());
    }
  }
  return [...out.values()];
}

/** Secrets: [label, string | Buffer] pairs, to patterns. */
export function patternsOfAll(secrets) {
  return secrets.flatMap(([label, secret]) => patternsOf(label, secret));
}

/** Every place a pattern occurs in the buffers: [{where, label, how, offset}]. */
export function findPatterns(buffers, patterns) {
  const hits = [];
  for (const { where, buf } of buffers) {
    for (const p of patterns) {
      const at = buf.indexOf(p.buf);
      if (at >= 0) hits.push({ where, label: p.label, how: p.how, offset: at });
    }
  }
  return hits;
}

/**
 * Automerge's binary format starts every document and change chunk with these
 * four bytes: plaintext Automerge data anywhere would show them (the names in it
 * may be compressed, the magic never is).
 */
export const AUTOMERGE_MAGIC = Buffer.from([0x85, 0x6f, 0x4a, 0x83]);

/** Every file under `dir`, recursively. */
export function filesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/**
 * Steps that run in order as subtests of `t`; once one fails the rest are
 * skipped, not run on a broken state. A failure sets `state.failed`.
 */
export function stepper(t, state) {
  let broken = null;
  return (name, fn) =>
    t.test(name, { skip: broken ? `step "${broken}" failed` : false }, async () => {
      broken = name;
      try {
        await fn();
      } catch (err) {
        state.failed = true;
        throw err;
      }
      broken = null;
    });
}

/**
 * One relay with a workspace set up and one Chromium, for the steps of one
 * test: `fn(env)` gets `env` = { relay, ws, browser, dataDir, port, tmp, state,
 * step }; `env.relay` may be replaced (a restarted relay) and is stopped at
 * the end. The pages in `state.pages` ([who, page] pairs) are screenshot into
 * artifacts/ when the test ends; the log goes to artifacts/<logName>.log.
 */
export async function inWorkspace(t, logName, fn) {
  checkPrerequisites();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `homeward-e2e-${logName}-`));
  const dataDir = path.join(tmp, 'relay-data');
  fs.mkdirSync(dataDir);
  const state = { failed: false, pages: [] };
  const env = { relay: null, ws: null, browser: null, dataDir, port: await freePort(), tmp, state, step: stepper(t, state) };
  try {
    env.relay = await startRelay({ port: env.port, dataDir, tag: '#1' });
    env.ws = await setUpWorkspace({ relay: env.relay, dataDir, adminState: path.join(tmp, 'admin-cli') });
    env.browser = await launchChromium(tmp);
    await fn(env);
  } catch (err) {
    state.failed = true;
    throw err;
  } finally {
    await screenshots(logName, state.pages);
    if (env.browser) await env.browser.close().catch((err) => log(`closing chromium: ${err.message}`));
    if (env.relay) await env.relay.stop('SIGTERM').catch((err) => log(`stopping the relay: ${err.message}`));
    fs.rmSync(tmp, { recursive: true, force: true });
    writeLog(logName, state.failed);
  }
}

/** A random passphrase that any strength estimate should call strong. */
export function strongPassphrase() {
  const words = ['tundra', 'квітка', 'lantern', 'marmot', 'ясен', 'quiver', 'гребля', 'orbit', 'сокира', 'pebble', 'funnel', 'жолудь'];
  const pick = () => words[Math.floor(Math.random() * words.length)];
  return `${pick()}-${pick()}-${Math.floor(1000 + Math.random() * 9000)}-${pick()}-${pick()}-${pick()}`;
}

/** Screenshots of the still-open pages into artifacts/, named `${prefix}-${who}.png`. */
export async function screenshots(prefix, pages) {
  for (const [who, page] of pages) {
    if (page && !page.isClosed()) {
      await page
        .screenshot({ path: path.join(ARTIFACTS, `${prefix}-${who}.png`), fullPage: true })
        .catch((err) => log(`screenshot ${who} failed: ${err.message}`));
    }
  }
}

/**
 * Sorts every IndexedDB value (except in `skipDatabases`) by what it is, per the
 * storage design (client/src/storage.rs, shared/src/vault.rs): a vault envelope
 * (`"HWV" ‖ 0x01 ‖ m_kib ‖ t_cost ‖ p_cost ‖ …`, ciphertext under the
 * passphrase), a record envelope (`0x01 ‖ nonce (24) ‖ ciphertext ‖ tag (16)`,
 * sealed with the data key), a plain number (counters and lock settings), or
 * anything else — which would be a value stored unsealed.
 */
export function classifyValues(dump, skipDatabases = []) {
  const out = { vaults: [], records: 0, numbers: [], other: [] };
  for (const db of dump.databases) {
    if (skipDatabases.includes(db.name)) continue;
    for (const store of db.stores) {
      store.records.forEach((r, i) => {
        const where = `${db.name}/${store.name}[${r.key.t === 'string' || r.key.t === 'number' ? r.key.v : `#${i}`}]`;
        const v = r.value;
        if (v.t === 'number') {
          out.numbers.push(`${where} = ${v.v}`);
          return;
        }
        if (v.t === 'bytes') {
          const b = Buffer.from(v.v, 'base64');
          if (b.length >= 3 + 1 + 12 + 16 + 24 + 16 && b.subarray(0, 3).toString('latin1') === 'HWV') {
            out.vaults.push({ where, version: b[3], mKib: b.readUInt32BE(4), tCost: b.readUInt32BE(8), pCost: b.readUInt32BE(12), bytes: b.length });
            return;
          }
          if (b.length >= 1 + 24 + 16 && b[0] === 0x01) {
            out.records += 1;
            return;
          }
          out.other.push(`${where}: ${b.length} bytes starting ${b.subarray(0, 8).toString('hex')}`);
          return;
        }
        out.other.push(`${where}: a ${v.t}${v.t === 'string' ? ` of ${v.v.length} characters` : ''}`);
      });
    }
  }
  return out;
}
