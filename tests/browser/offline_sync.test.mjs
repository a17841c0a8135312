// End-to-end: real Chromium (two isolated browser contexts = two devices)
// against the real relay binary, serving the real built app: an edit made offline
// in A survives an offline reload (unlocked with A's passphrase, from the service
// worker's shell and IndexedDB), reaches B once the relay is back, and is stored
// once; a third device opening an already-used invite is refused clearly.
//
// Each device joins through its own invite link and sets a passphrase first; see
// harness.mjs for the variables (HOMEWARD_SERVER_BIN, HOMEWARD_CLI_BIN,
// HOMEWARD_WEB_DIR, CHROMIUM_BIN) and the DOM contract.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ARTIFACTS, SERVER_BIN,
  addCase, checkPrerequisites, findRow, freePort, joinWithInvite, launchChromium, log, newDevice, openTab, runTool, screenshots,
  setUpWorkspace, startRelay, stepper, strongPassphrase, syncState, unlock, waitConnected, waitFor, waitForScreen,
  writeLog,
} from './harness.mjs';

// ---------------------------------------------------------------- the test

test('offline edit in A reaches B through IndexedDB and the relay, stored once', { timeout: 240_000 }, async (t) => {
  checkPrerequisites();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-e2e-'));
  const dataDir = path.join(tmp, 'relay-data');
  fs.mkdirSync(dataDir);
  const adminState = path.join(tmp, 'admin-cli');
  const port = await freePort();
  const surname = `Тестенко-${Math.floor(100000 + Math.random() * 900000)}`;
  const givenNames = 'Оксана';
  const patronymic = 'Петрівна';
  const passphrase = { A: strongPassphrase(), B: strongPassphrase(), C: strongPassphrase() };
  log(`port ${port}, data dir ${dataDir}, case "${surname} ${givenNames}"`);

  const state = { failed: false };
  let relay = null;
  let browser = null;
  let devA = null;
  let devB = null;
  let devC = null;
  try {
    // The operator's setup (see harness.mjs), then one invite per device.
    relay = await startRelay({ port, dataDir, tag: '#1' });
    const ws = await setUpWorkspace({ relay, dataDir, adminState });
    const inviteA = await ws.invite('A');
    const inviteB = await ws.invite('B');
    browser = await launchChromium(tmp);
    devA = await newDevice(browser, 'A');
    devB = await newDevice(browser, 'B');
    const pageA = devA.page;
    const pageB = devB.page;
    const step = stepper(t, state);

    await step('1. both devices open their invite links, set passphrases, join, the service worker takes over, sync connects', async () => {
      await joinWithInvite(pageA, inviteA, passphrase.A, 'A');
      await joinWithInvite(pageB, inviteB, passphrase.B, 'B');
      for (const [who, page] of [['A', pageA], ['B', pageB]]) {
        const s = await waitConnected(page, who);
        assert.equal(s.role, 'documenter', `${who} joined with the invite's role`);
        assert.equal(s.refused, '', `${who} is not refused`);
      }
      assert.equal(await findRow(pageA, { name: surname }), null, 'the new case must not exist yet');
      log('A and B joined and connected');
    });

    await step('2. a third device opening A\'s already-used invite is refused with a clear message', async () => {
      devC = await newDevice(browser, 'C');
      const pageC = devC.page;
      await joinWithInvite(pageC, inviteA, passphrase.C, 'C');
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
      await devC.context.close();
      devC = null;
      log('C refused with a clear message; A goes offline and the relay stops');
      await devA.context.setOffline(true);
      await relay.stop('SIGTERM');
      relay = null;
    });

    let docId;
    await step('3. offline, A adds a case: pending, and still there after an offline reload and unlock', async () => {
      docId = (await addCase(pageA, { surname, givenNames, patronymic }, 'A')).docId;
      const row = await findRow(pageA, { docId });
      assert.ok(row.text.includes(givenNames), `row text "${row.text}" lacks the given names`);
      assert.equal(row.pending, 'true', 'a case saved offline is pending upload');
      const sync = await waitFor('A\'s sync panel to show it offline with a pending upload', async () => {
        const s = await syncState(pageA);
        return s.connection !== 'connected' && Number(s.pending) >= 1 && s;
      }, { timeoutMs: 10_000 });
      log(`A saved ${docId} offline; sync ${JSON.stringify(sync)}`);

      // Reload with no network: the service worker serves the app, the lock screen
      // asks for the passphrase, then IndexedDB gives the case back.
      await pageA.reload();
      await waitForScreen(pageA, 'unlock', 'A');
      await unlock(pageA, passphrase.A, 'A');
      await openTab(pageA, 'cases');
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
      await devA.context.setOffline(false);
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
      const stdout = await runTool(SERVER_BIN, ['list-entries', '--data-dir', dataDir]);
      const entries = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
      const ours = entries.filter((e) => String(e.doc_id).toLowerCase() === docId);
      log(`list-entries: ${entries.length} entries, ${ours.length} for ${docId}: ${JSON.stringify(ours)}`);
      assert.equal(ours.length, 1, `expected exactly one entry for ${docId}, got ${ours.length}`);
      assert.ok(ours[0].body_len > 0, 'the entry has a body');
    });
  } catch (err) {
    state.failed = true;
    throw err;
  } finally {
    await screenshots('offline_sync', [['A', devA?.page], ['B', devB?.page], ['C', devC?.page]]);
    if (browser) await browser.close().catch((err) => log(`closing chromium: ${err.message}`));
    if (relay) await relay.stop('SIGTERM').catch((err) => log(`stopping the relay: ${err.message}`));
    fs.rmSync(tmp, { recursive: true, force: true });
    writeLog('offline_sync', state.failed);
  }
});
