// The passphrase-locked device (issue 5): wrong passphrases are refused and
// counted, the count survives a reload, the right one unlocks and resets it,
// and the configured number of failures wipes the device's data and keys, after
// which the app starts fresh; the device locks itself after the configured idle
// time, and wipes itself on request only after a confirmation.
//
// Names here are made up and clearly fake. See harness.mjs for the variables and
// the DOM contract.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ARTIFACTS, MAX_FAILURES_KEY, SERVER_BIN, UNLOCK,
  addCase, checkPrerequisites, createVault, dumpBrowserStorage, dumpBuffers, dumpSummary,
  caseTotal, findPatterns, findRow, freePort, joinWithInvite, launchChromium, lockNow, log, newDevice, openTab,
  patternsOfAll, recordCount, runTool, screen, screenshots, setUpWorkspace, startRelay, stepper,
  strongPassphrase, syncState, tryUnlock, unlock, waitConnected, waitFor, waitForScreen, writeLog,
} from './harness.mjs';

const LOG_NAME = 'locked_device';

/**
 * A relay with a workspace and a browser, for one test; cleans up after `fn`
 * ({ relay, ws, browser, dataDir }) and writes the log.
 */
async function withWorkspace(t, tag, fn) {
  checkPrerequisites();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `homeward-e2e-${tag}-`));
  const dataDir = path.join(tmp, 'relay-data');
  fs.mkdirSync(dataDir);
  const state = { failed: false, pages: [] };
  let relay = null;
  let browser = null;
  try {
    relay = await startRelay({ port: await freePort(), dataDir, tag });
    const ws = await setUpWorkspace({ relay, dataDir, adminState: path.join(tmp, 'admin-cli') });
    browser = await launchChromium(tmp);
    await fn({ relay, ws, browser, dataDir, state, step: stepper(t, state) });
  } catch (err) {
    state.failed = true;
    throw err;
  } finally {
    await screenshots(`${LOG_NAME}-${tag}`, state.pages);
    if (browser) await browser.close().catch((err) => log(`closing chromium: ${err.message}`));
    if (relay) await relay.stop('SIGTERM').catch((err) => log(`stopping the relay: ${err.message}`));
    fs.rmSync(tmp, { recursive: true, force: true });
    writeLog(LOG_NAME, state.failed);
  }
}

/** The lock screen's counters. */
async function lockCounters(page) {
  return page.locator(UNLOCK).evaluate((el) => ({
    failed: el.getAttribute('data-failed'),
    max: el.getAttribute('data-max-failures'),
  }));
}

/** Asserts the device holds no case data and no records at all: wiped. */
async function assertWiped(page, who, secrets, label) {
  const dump = await dumpBrowserStorage(page);
  fs.writeFileSync(path.join(ARTIFACTS, `${LOG_NAME}-${label}-dump.json`), JSON.stringify(dump, null, 1));
  log(`${who}: dump after the wipe: ${JSON.stringify(dumpSummary(dump))}`);
  const hits = findPatterns(dumpBuffers(dump), patternsOfAll(secrets));
  assert.deepEqual(hits.map((h) => `${h.label} (${h.how}) in ${h.where}`), [], `${who}: case data survived the wipe`);
  assert.equal(recordCount(dump), 0, `${who}: IndexedDB still holds records after the wipe: ${JSON.stringify(dumpSummary(dump).stores)}`);
  const html = await page.evaluate(() => document.documentElement.outerHTML);
  const domHits = findPatterns([{ where: 'DOM', buf: Buffer.from(html) }], patternsOfAll(secrets));
  assert.deepEqual(domHits, [], `${who}: the page still shows case data after the wipe`);
}

/** The fake case's strings, as [label, string] secrets. */
const secretsOf = (c) => [['surname', c.surname], ['given names', c.givenNames], ['patronymic', c.patronymic]];

test('wrong passphrases are refused and counted; the configured number of failures wipes the device, which starts fresh', { timeout: 300_000 }, async (t) => {
  await withWorkspace(t, 'wrong-passphrase', async ({ relay, ws, browser, dataDir, state, step }) => {
    const r = Math.floor(100000 + Math.random() * 900000);
    const theCase = { surname: `Забудькевич-${r}`, givenNames: 'Стиранослава', patronymic: 'Qwipeovna', category: 'deported_child', status: 'missing' };
    const pass = strongPassphrase();
    const wrong = [`${pass}!`, pass.toUpperCase(), 'not-my-passphrase-at-all', `${pass.slice(0, -1)}`, 'guess-number-five'];
    const invite = await ws.invite('D');
    const { page } = await newDevice(browser, 'D');
    state.pages.push(['D', page]);
    let docId;

    await step('1. max failures preset to 3 before the first load; D joins, adds a case, it uploads', async () => {
      // A same-origin page that is not the app, to set the preference before the app ever runs.
      await page.goto(`${relay.url}/healthz`);
      await page.evaluate(([k, v]) => localStorage.setItem(k, v), [MAX_FAILURES_KEY, '3']);
      await joinWithInvite(page, invite, pass, 'D');
      await waitConnected(page, 'D');
      docId = (await addCase(page, theCase, 'D')).docId;
      await waitFor('D\'s case uploaded', async () => (await findRow(page, { docId }))?.pending === 'false');
      await openTab(page, 'settings');
      assert.equal(await page.locator('input[data-testid=max-failures]').inputValue(), '3', 'the settings show the preset max failures');
      const stdout = await runTool(SERVER_BIN, ['list-entries', '--data-dir', dataDir]);
      assert.ok(stdout.includes(docId), 'the relay holds the case');
    });

    await step('2. reload: lock screen; two wrong passphrases refused, counted 1 then 2, and the count survives a reload', async () => {
      await page.reload();
      await waitForScreen(page, 'unlock', 'D');
      assert.deepEqual(await lockCounters(page), { failed: '0', max: '3' }, 'a fresh lock screen: nothing failed, 3 allowed');
      assert.equal(await page.locator('[data-testid=case-row]').count(), 0, 'no rows while locked');
      for (const [i, attempt] of wrong.slice(0, 2).entries()) {
        const outcome = await tryUnlock(page, attempt, 'D');
        assert.deepEqual(outcome, { result: 'refused', failed: i + 1 }, `wrong passphrase ${i + 1} is refused and counted`);
        const error = page.locator('[data-testid=unlock-error]');
        await error.waitFor({ state: 'visible', timeout: 5_000 });
        const message = (await error.textContent()).trim();
        const screenText = await page.locator(UNLOCK).innerText();
        log(`D: after wrong passphrase ${i + 1}: error "${message}"; lock screen "${screenText.replace(/\s+/g, ' ')}"`);
        assert.ok(message.length > 0, 'the unlock error says something');
        // The count is shown: the failures so far, or the attempts left.
        assert.ok(
          screenText.includes(String(i + 1)) || screenText.includes(String(3 - (i + 1))),
          `the lock screen shows neither the failures (${i + 1}) nor the attempts left (${3 - (i + 1)}): "${screenText}"`,
        );
        assert.deepEqual(await lockCounters(page), { failed: String(i + 1), max: '3' });
      }
      // Reloading is no way around the count.
      await page.reload();
      await waitForScreen(page, 'unlock', 'D');
      assert.deepEqual(await lockCounters(page), { failed: '2', max: '3' }, 'the failure count survives a reload');
    });

    await step('3. the right passphrase unlocks, shows the case, and resets the count', async () => {
      await unlock(page, pass, 'D');
      await openTab(page, 'cases');
      const row = await waitFor('D shows its case after unlocking', () => findRow(page, { docId }), { timeoutMs: 15_000 });
      assert.ok(row.text.includes(theCase.surname));
      await lockNow(page, 'D');
      assert.deepEqual(await lockCounters(page), { failed: '0', max: '3' }, 'unlocking reset the count');
      await page.reload();
      await waitForScreen(page, 'unlock', 'D');
      assert.deepEqual(await lockCounters(page), { failed: '0', max: '3' }, 'the reset count is stored');
      const before = await dumpBrowserStorage(page);
      log(`D: locked, before the failures: ${JSON.stringify(dumpSummary(before))}`);
      assert.ok(recordCount(before) > 0, 'the device holds its data before the wipe');
    });

    await step('4. three wrong passphrases in a row wipe the device: the first-run screen, no case data, no records', async () => {
      for (const [i, attempt] of wrong.slice(2, 4).entries()) {
        assert.deepEqual(await tryUnlock(page, attempt, 'D'), { result: 'refused', failed: i + 1 });
      }
      const last = await tryUnlock(page, wrong[4], 'D');
      assert.equal(last.result, 'setup', `the third failure wipes the device and shows the first-run screen (got ${JSON.stringify(last)})`);
      await assertWiped(page, 'D', secretsOf(theCase), 'wrong-passphrase-wiped');
      await page.screenshot({ path: path.join(ARTIFACTS, `${LOG_NAME}-wiped.png`), fullPage: true });
    });

    await step('5. the app starts fresh: a reload still asks for a new passphrase; the old one means nothing; a new vault is empty, not joined', async () => {
      await page.reload();
      await waitForScreen(page, 'setup', 'D');
      const fresh = strongPassphrase();
      await createVault(page, fresh, 'D');
      await waitForScreen(page, 'app', 'D');
      const s = await syncState(page);
      assert.equal(s.joined, 'false', 'the fresh device belongs to no workspace');
      await openTab(page, 'cases');
      assert.equal(await caseTotal(page, 'D'), 0, 'the fresh device has no cases');
      await page.locator('[data-testid=list-empty]').waitFor({ state: 'visible', timeout: 10_000 });
      await page.locator('[data-testid=not-joined]').waitFor({ state: 'visible', timeout: 10_000 });
      // The fresh vault opens with its own passphrase only.
      await lockNow(page, 'D');
      assert.deepEqual(await tryUnlock(page, pass, 'D'), { result: 'refused', failed: 1 }, 'the wiped vault\'s passphrase does not open the new one');
      await unlock(page, fresh, 'D');
      await openTab(page, 'cases');
      assert.equal(await caseTotal(page, 'D'), 0, 'still no cases');
    });
  });
});

test('idle lock after the configured time; settings stored; wipe on request only after confirmation', { timeout: 300_000 }, async (t) => {
  await withWorkspace(t, 'idle-and-wipe', async ({ ws, browser, state, step }) => {
    const r = Math.floor(100000 + Math.random() * 900000);
    const theCase = { surname: `Дрімайло-${r}`, givenNames: 'Сонномира', patronymic: 'Qidleovich', category: 'political_prisoner', status: 'charged' };
    const pass = strongPassphrase();
    // The page's clock is Playwright's: time flows, and `fastForward` jumps ahead.
    const { context, page } = await newDevice(browser, 'E', { clock: true });
    state.pages.push(['E', page]);
    let docId;

    await step('1. E joins, adds a case; settings: lock after 1 idle minute, wipe after 5 failures; stored across a reload', async () => {
      await joinWithInvite(page, await ws.invite('E'), pass, 'E');
      await waitConnected(page, 'E');
      docId = (await addCase(page, theCase, 'E')).docId;
      await openTab(page, 'settings');
      await page.locator('input[data-testid=idle-lock-minutes]').fill('1');
      await page.locator('input[data-testid=max-failures]').fill('5');
      await page.locator('button[data-testid=save-settings]').click();
      const saved = page.locator('[data-testid=settings-message]');
      await saved.waitFor({ state: 'visible', timeout: 10_000 });
      log(`E: settings saved: "${(await saved.textContent()).trim()}"`);
      assert.notEqual(await saved.getAttribute('role'), 'alert', 'saving the settings did not fail');
      await page.reload();
      await waitForScreen(page, 'unlock', 'E');
      assert.equal((await lockCounters(page)).max, '5', 'the saved max failures is used');
      await unlock(page, pass, 'E');
      assert.equal(await page.locator('input[data-testid=idle-lock-minutes]').inputValue(), '1', 'the idle minutes were saved');
      assert.equal(await page.locator('input[data-testid=max-failures]').inputValue(), '5', 'the max failures were saved');
    });

    await step('2. untouched for 30 s: still open; past a minute: locked, no case data in the page', async () => {
      await openTab(page, 'cases');
      await waitFor('E shows its case', () => findRow(page, { docId }), { timeoutMs: 15_000 });
      await context.clock.fastForward('00:30');
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(await screen(page), 'app', 'E is still open after 30 idle seconds');
      await context.clock.fastForward('00:45');
      await waitForScreen(page, 'unlock', 'E', 15_000);
      log('E: locked itself after 75 idle seconds (fake clock)');
      const html = await page.evaluate(() => document.documentElement.outerHTML);
      assert.deepEqual(findPatterns([{ where: 'DOM', buf: Buffer.from(html) }], patternsOfAll(secretsOf(theCase))), [], 'the idle-locked page shows no case data');
    });

    await step('3. wipe asks for confirmation first; confirmed, the device is wiped and shows the first-run screen', async () => {
      await unlock(page, pass, 'E');
      await openTab(page, 'cases');
      await waitFor('E shows its case', () => findRow(page, { docId }), { timeoutMs: 15_000 });
      const records = recordCount(await dumpBrowserStorage(page));
      await openTab(page, 'settings');
      await page.locator('button[data-testid=wipe]').click();
      await page.locator('button[data-testid=wipe-confirm]').waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await screen(page), 'app', 'the first click only asks');
      assert.equal(recordCount(await dumpBrowserStorage(page)), records, 'storage is intact before the confirmation');
      // Going back to the list (the question goes with the page) still finds the case.
      await openTab(page, 'cases');
      assert.ok(await waitFor('E still shows its case', () => findRow(page, { docId }), { timeoutMs: 10_000 }), 'nothing is wiped before the confirmation');
      await openTab(page, 'settings');
      await page.locator('button[data-testid=wipe]').click();
      await page.locator('button[data-testid=wipe-confirm]').waitFor({ state: 'visible', timeout: 5_000 });
      await page.locator('button[data-testid=wipe-confirm]').click();
      await waitForScreen(page, 'setup', 'E', 15_000);
      await assertWiped(page, 'E', secretsOf(theCase), 'wipe-on-request');
      await page.reload();
      await waitForScreen(page, 'setup', 'E');
    });
  });
});
