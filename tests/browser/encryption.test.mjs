// End-to-end encryption, seen from outside (issue 5, "must show"): two browsers
// join through invite links with passphrases and exchange cases with distinctive
// synthetic names; then
// - the relay is blind: its SQLite file, its WAL (and every other file in its
//   data dir) and everything it wrote to stdout and stderr hold none of the
//   names or other field values, the passphrases, the workspace key or the
//   invite tokens, searched as raw bytes (UTF-8, UTF-16, NFC/NFD, both cases),
//   and no unsealed Automerge data;
// - a locked browser gives nothing away: with both devices locked, a dump of
//   every IndexedDB database's every store's every key and value, and of
//   localStorage and sessionStorage, holds none of them either; nor does the
//   locked page's DOM;
// - and the data is really there, sealed: B, reloaded offline and unlocked, shows
//   every case from its own storage.
//
// Names here are made up and clearly fake. See harness.mjs for the variables and
// the DOM contract.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ARTIFACTS, AUTOMERGE_MAGIC, SERVER_BIN, SETUP, UNLOCK,
  addCase, assertNoFragment, checkPrerequisites, classifyValues, createVault, dumpBrowserStorage, dumpBuffers, dumpSummary,
  filesUnder, findPatterns, findRow, freePort, joinWithInvite, launchChromium, lockNow, log, newDevice, openTab,
  parseInvite, patternsOfAll, recordCount, runTool, sawJoinProgress, screen,
  screenshots, setUpWorkspace, startRelay, stepper, strongPassphrase, syncState, unlock, waitConnected,
  waitFor, waitForApp, waitForScreen, writeLog,
} from './harness.mjs';

const LOG_NAME = 'encryption';

/** Searches `files` (paths) for `patterns`; returns the hits and how many bytes were read. */
function scanFiles(files, patterns) {
  const buffers = files.filter((f) => fs.existsSync(f)).map((f) => ({ where: f, buf: fs.readFileSync(f) }));
  return {
    hits: findPatterns(buffers, patterns),
    bytes: Object.fromEntries(buffers.map(({ where, buf }) => [path.basename(where), buf.length])),
    buffers,
  };
}

/** A hit list for an assertion message, short enough to read. */
const showHits = (hits) =>
  hits.slice(0, 20).map((h) => `${h.label} (${h.how}) in ${h.where} at ${h.offset}`).join('\n  ') +
  (hits.length > 20 ? `\n  … and ${hits.length - 20} more` : '');

test('blind relay, locked devices: no case data on the relay or at rest in a locked browser', { timeout: 360_000 }, async (t) => {
  checkPrerequisites();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-e2e-enc-'));
  const dataDir = path.join(tmp, 'relay-data');
  fs.mkdirSync(dataDir);
  const adminState = path.join(tmp, 'admin-cli');
  // Everything the relay writes to stdout and stderr, byte for byte.
  const relayOutput = path.join(tmp, 'relay-output.log');
  const port = await freePort();

  const r = Math.floor(100000 + Math.random() * 900000);
  const cases = {
    // A's, Cyrillic (ї, ґ, ь: letters whose encodings differ in every form searched).
    a1: {
      surname: `Зоряславаїнка-${r}`,
      givenNames: 'Ґедзьоміра',
      patronymic: 'Вигаданівна',
      category: 'political_prisoner',
      status: 'detained_unacknowledged',
    },
    // A's, Latin only.
    a2: {
      surname: `Qzwxmarker-${r}`,
      givenNames: 'Plumbobquux',
      patronymic: 'Zzyzxovich',
      category: 'deported_child',
      status: 'returned_home',
    },
    // B's, mixed scripts.
    b1: {
      surname: `Тестовенко-Ясногорбатько-${r}`,
      givenNames: 'Пробнослава',
      patronymic: 'Xylofonovna',
      category: 'political_prisoner',
      status: 'detained_unacknowledged',
    },
  };
  const passphrase = { A: strongPassphrase(), B: strongPassphrase() };
  log(`port ${port}, data dir ${dataDir}, cases ${JSON.stringify(cases)}`);

  // What must never reach the relay or rest unsealed in a browser.
  const fieldSecrets = [];
  for (const [id, c] of Object.entries(cases)) {
    fieldSecrets.push(
      [`${id}.surname "${c.surname}"`, c.surname],
      [`${id}.givenNames "${c.givenNames}"`, c.givenNames],
      [`${id}.patronymic "${c.patronymic}"`, c.patronymic],
      [`${id} full name`, `${c.surname} ${c.givenNames}`],
    );
  }
  // Enum keys as the case document spells them (the option values of the form's selects).
  const enumSecrets = [...new Set(Object.values(cases).flatMap((c) => [c.category, c.status]))].map((k) => [`field value "${k}"`, k]);
  const passphraseSecrets = Object.entries(passphrase).map(([who, p]) => [`${who}'s passphrase`, p]);

  const state = { failed: false };
  let relay = null;
  let browser = null;
  const dev = {};
  const docIds = {};
  let invites = {};
  let workspaceKey = null;
  const secretPatterns = () =>
    patternsOfAll([
      ...fieldSecrets,
      ...enumSecrets,
      ...passphraseSecrets,
      ...Object.entries(invites).map(([who, i]) => [`${who}'s invite token`, i.token]),
      ...(workspaceKey ? [['the workspace key', workspaceKey]] : []),
    ]);

  /** Scans the relay's data dir and captured output; returns a summary for the log. */
  const checkRelayBlind = (when) => {
    const files = [...filesUnder(dataDir), relayOutput];
    const { hits, bytes, buffers } = scanFiles(files, secretPatterns());
    log(`relay scan (${when}): ${JSON.stringify(bytes)}`);
    assert.ok(bytes['homeward.sqlite3'] > 0, `the relay's SQLite file ${dataDir}/homeward.sqlite3 is missing or empty`);
    assert.ok(bytes['relay-output.log'] > 0, 'the relay wrote nothing to stdout/stderr (not even its "listening on" line)');
    assert.deepEqual(hits, [], `${when}: the relay's files or log hold case data or secrets:\n  ${showHits(hits)}`);
    const magic = findPatterns(buffers, [{ label: 'Automerge magic bytes', how: 'raw', buf: AUTOMERGE_MAGIC }]);
    assert.deepEqual(magic, [], `${when}: unsealed Automerge data in the relay's files:\n  ${showHits(magic)}`);
    // Positive control: the scan reads the files that hold the entries (the relay
    // indexes entries by doc id, raw or as hex), so finding nothing means something.
    const dbFiles = buffers.filter((b) => b.where !== relayOutput);
    for (const [id, docId] of Object.entries(docIds)) {
      const forms = [{ label: id, how: 'raw', buf: Buffer.from(docId, 'hex') }, { label: id, how: 'hex', buf: Buffer.from(docId) }];
      assert.ok(findPatterns(dbFiles, forms).length > 0, `${when}: doc id ${docId} (${id}) not found in the relay's files: the scan reads the wrong files`);
    }
    return bytes;
  };

  try {
    relay = await startRelay({
      port,
      dataDir,
      tag: '#1',
      captureFile: relayOutput,
      // The most the relay would say in the field: its own debug logging, and its dependencies'.
      env: { RUST_LOG: 'debug' },
    });
    const ws = await setUpWorkspace({ relay, dataDir, adminState });
    invites = { A: parseInvite(await ws.invite('A')), B: parseInvite(await ws.invite('B')) };
    const inviteUrl = (who) => `${relay.url}/#join=${invites[who].token}`;
    for (const [who, i] of Object.entries(invites)) {
      assert.equal(i.format, 1, `${who}'s invite token format`);
      assert.ok(i.workspaceKey, `${who}'s invite carries no workspace key (its token has ${Buffer.from(i.token, 'base64url').length} bytes, want 81)`);
    }
    assert.ok(invites.A.workspaceKey.equals(invites.B.workspaceKey), 'both invites carry the same workspace key');
    workspaceKey = Buffer.from(invites.A.workspaceKey);
    assert.notEqual(workspaceKey.toString('hex'), '00'.repeat(32), 'the workspace key is not all zeros');

    browser = await launchChromium(tmp);
    dev.A = await newDevice(browser, 'A');
    dev.B = await newDevice(browser, 'B');
    const step = stepper(t, state);

    await step('1. the first-run screen refuses a mismatched confirmation and rates a short passphrase too weak', async () => {
      const page = dev.A.page;
      await page.goto(inviteUrl('A'));
      await waitForScreen(page, 'setup', 'A');
      await assertNoFragment(page, 'A');
      const setup = page.locator(SETUP);
      const strengthOf = async (p) => {
        await setup.locator('input[data-testid=passphrase]').fill(p);
        // The hint follows typing; give it a moment to settle.
        return waitFor(`the strength of "${p}"`, async () => {
          const a = await setup.locator('[data-testid=strength]').getAttribute('data-strength', { timeout: 2_000 });
          await new Promise((res) => setTimeout(res, 200));
          const b = await setup.locator('[data-testid=strength]').getAttribute('data-strength', { timeout: 2_000 });
          return a === b && a;
        }, { timeoutMs: 10_000 });
      };
      assert.equal(await strengthOf('abc'), 'too_weak', '"abc" is too weak');
      assert.equal(await strengthOf(passphrase.A), 'strong', `a long random passphrase is strong`);

      await setup.locator('input[data-testid=passphrase-confirm]').fill(`${passphrase.A}x`);
      await setup.locator('button[data-testid=create-vault]').click();
      await setup.locator('[data-testid=vault-error]').waitFor({ state: 'visible', timeout: 10_000 });
      const message = (await setup.locator('[data-testid=vault-error]').textContent()).trim();
      log(`A: mismatched confirmation refused: "${message}"`);
      assert.ok(message.length > 0, 'the mismatch error says something');
      assert.equal(await screen(page), 'setup', 'a mismatched confirmation does not create a vault');

      // Too weak: refused (the button disabled, or an error), no vault made.
      await setup.locator('input[data-testid=passphrase]').fill('abc');
      await setup.locator('input[data-testid=passphrase-confirm]').fill('abc');
      const button = setup.locator('button[data-testid=create-vault]');
      if (await button.isEnabled()) {
        await button.click();
        await setup.locator('[data-testid=vault-error]').waitFor({ state: 'visible', timeout: 10_000 });
        log(`A: too-weak passphrase refused: "${(await setup.locator('[data-testid=vault-error]').textContent()).trim()}"`);
      } else {
        log('A: too-weak passphrase: the create button is disabled');
      }
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(await screen(page), 'setup', 'a too-weak passphrase does not create a vault');
    });

    await step('2. A and B join through their invite links with passphrases: fragment gone, progress shown, connected', async () => {
      // A is still on its setup screen from step 1 (the invite already consumed from the address bar).
      await createVault(dev.A.page, passphrase.A, 'A');
      await assertNoFragment(dev.A.page, 'A');
      await waitForApp(dev.A.page, 'A', passphrase.A);
      await joinWithInvite(dev.B.page, inviteUrl('B'), passphrase.B, 'B');
      for (const who of ['A', 'B']) {
        const page = dev[who].page;
        const s = await waitConnected(page, who);
        assert.equal(s.role, 'documenter', `${who} joined with the invite's role`);
        assert.equal(s.refused, '', `${who} is not refused`);
        assert.equal(s.quarantined, '0', `${who}: nothing quarantined`);
        const progress = await sawJoinProgress(page);
        log(`${who}: join progress seen: ${JSON.stringify(progress.slice(0, 5))}${progress.length > 5 ? ` (+${progress.length - 5})` : ''}`);
        assert.ok(progress.length > 0, `${who}: no [data-testid=join-progress] appeared while joining`);
        assert.ok(progress.every((p) => p.tag === 'PROGRESS'), `${who}: join-progress is a <progress> element (${JSON.stringify(progress[0])})`);
      }
    });

    await step('3. A adds two cases and B one; each device shows the other\'s', async () => {
      for (const [id, who] of [['a1', 'A'], ['a2', 'A'], ['b1', 'B']]) {
        docIds[id] = (await addCase(dev[who].page, cases[id], who)).docId;
      }
      for (const [id, who, other] of [['a1', 'A', 'B'], ['a2', 'A', 'B'], ['b1', 'B', 'A']]) {
        const c = cases[id];
        await waitFor(`${who}'s ${id} uploaded`, async () => (await findRow(dev[who].page, { docId: docIds[id] }))?.pending === 'false');
        const row = await waitFor(`${other} to show ${id}`, () => findRow(dev[other].page, { docId: docIds[id] }));
        for (const part of [c.surname, c.givenNames]) {
          assert.ok(row.text.includes(part), `${other}'s row for ${id} "${row.text}" lacks "${part}"`);
        }
        log(`${other} shows ${id} (${docIds[id]})`);
      }
      for (const who of ['A', 'B']) {
        await waitFor(`${who}: nothing pending`, async () => {
          const s = await syncState(dev[who].page);
          return s.connection === 'connected' && s.pending === '0' && s;
        }, { timeoutMs: 15_000 });
        assert.equal((await syncState(dev[who].page)).quarantined, '0', `${who}: nothing quarantined`);
      }
    });

    await step('4. the relay is blind: its store, WAL and log hold no names, field values, passphrases or keys', async () => {
      const stdout = await runTool(SERVER_BIN, ['list-entries', '--data-dir', dataDir]);
      const entries = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
      log(`list-entries: ${entries.length} entries`);
      for (const [id, docId] of Object.entries(docIds)) {
        const ours = entries.filter((e) => String(e.doc_id).toLowerCase() === docId);
        assert.ok(ours.length >= 1 && ours.every((e) => e.body_len > 0), `the relay holds ${id} (${docId}) with a body: ${JSON.stringify(ours)}`);
      }
      const bytes = checkRelayBlind('relay running');
      assert.ok(bytes['homeward.sqlite3-wal'] > 0 || bytes['homeward.sqlite3'] > 0, 'the store has content');
    });

    await step('5. both devices locked: the pages, IndexedDB, localStorage and sessionStorage hold none of it', async () => {
      for (const who of ['A', 'B']) await lockNow(dev[who].page, who);
      const patterns = secretPatterns();
      for (const who of ['A', 'B']) {
        const page = dev[who].page;
        assert.equal(await screen(page), 'unlock', `${who} shows the lock screen`);
        // The locked page's DOM (text, attributes, hidden parts) shows no case data.
        const html = await page.evaluate(() => document.documentElement.outerHTML);
        const domHits = findPatterns([{ where: `${who}'s locked DOM`, buf: Buffer.from(html, 'utf8') }], patterns);
        assert.deepEqual(domHits, [], `${who}'s locked page still shows case data:\n  ${showHits(domHits)}`);
        assert.equal(await page.locator('[data-testid=case-row]').count(), 0, `${who}: no case rows while locked`);

        // The dump, locked.
        const dump = await dumpBrowserStorage(page);
        fs.writeFileSync(path.join(ARTIFACTS, `encryption-${who}-locked-dump.json`), JSON.stringify(dump, null, 1));
        const summary = dumpSummary(dump);
        log(`${who}: locked dump: ${JSON.stringify(summary)}`);
        assert.ok(recordCount(dump) >= 3, `${who}: IndexedDB holds ${recordCount(dump)} records; the cases must be stored somewhere`);
        const buffers = dumpBuffers(dump);
        const hits = findPatterns(buffers, patterns);
        assert.deepEqual(hits, [], `${who}: the locked device's storage holds case data or secrets:\n  ${showHits(hits)}`);
        const magic = findPatterns(buffers, [{ label: 'Automerge magic bytes', how: 'raw', buf: AUTOMERGE_MAGIC }]);
        assert.deepEqual(magic, [], `${who}: unsealed Automerge data in the locked device's storage:\n  ${showHits(magic)}`);
        // Every value is sealed: the vault (under the passphrase), records (under
        // the data key), and nothing else but plain numbers (counter, settings).
        const kinds = classifyValues(dump);
        log(`${who}: stored values: ${JSON.stringify(kinds)}`);
        assert.deepEqual(kinds.other, [], `${who}: values stored neither as a vault nor as a sealed record`);
        assert.equal(kinds.vaults.length, 1, `${who}: one vault envelope`);
        assert.ok(kinds.records >= 3, `${who}: at least the three cases' documents are sealed records (${kinds.records})`);
        // Argon2id no cheaper than OWASP's least configuration (m = 7 MiB with t = 5,
        // … m = 46 MiB with t = 1): a locked device must not be cheap to guess.
        const [{ mKib, tCost, pCost }] = kinds.vaults;
        log(`${who}: vault Argon2id m=${mKib} KiB t=${tCost} p=${pCost}`);
        assert.ok(mKib >= 7 * 1024 && mKib * tCost >= 35 * 1024, `${who}: Argon2id m=${mKib} KiB, t=${tCost} is weaker than OWASP's minimum`);

        // Positive control: plaintext planted in a scratch database and in
        // localStorage, as a string and as bytes, is found by the same dump and
        // scan (and nothing else is), so the clean result above means something.
        const planted = cases.a1;
        await page.evaluate(async ({ surname, patronymic }) => {
          const db = await new Promise((resolve, reject) => {
            const r = indexedDB.open('homeward-e2e-canary', 1);
            r.onupgradeneeded = () => r.result.createObjectStore('c');
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
          await new Promise((resolve, reject) => {
            const tx = db.transaction('c', 'readwrite');
            tx.objectStore('c').put(surname, 'as-string');
            tx.objectStore('c').put({ nested: [new TextEncoder().encode(surname).buffer] }, 'as-bytes');
            tx.oncomplete = resolve;
            tx.onerror = () => reject(tx.error);
          });
          db.close();
          localStorage.setItem('homeward-e2e-canary', patronymic);
        }, planted);
        const control = findPatterns(dumpBuffers(await dumpBrowserStorage(page)), patterns);
        const controlWhere = new Set(control.map((h) => h.where.replace(/#\d+ .*/, '').replace(/ \(.*\)$/, '')));
        log(`${who}: canary found at ${JSON.stringify([...controlWhere])}`);
        assert.ok(control.some((h) => h.where.includes('homeward-e2e-canary/c') && h.where.includes('value (utf-')), `${who}: the dump misses a planted string`);
        assert.ok(control.some((h) => h.where.includes('homeward-e2e-canary/c') && !h.where.includes('(utf-')), `${who}: the dump misses planted bytes`);
        assert.ok(control.some((h) => h.where.startsWith('localStorage')), `${who}: the dump misses planted localStorage`);
        assert.ok(control.every((h) => h.where.includes('homeward-e2e-canary')), `${who}: case data outside the canary:\n  ${showHits(control.filter((h) => !h.where.includes('homeward-e2e-canary')))}`);
        await page.evaluate(async () => {
          localStorage.removeItem('homeward-e2e-canary');
          await new Promise((resolve, reject) => {
            const r = indexedDB.deleteDatabase('homeward-e2e-canary');
            r.onsuccess = resolve;
            r.onerror = () => reject(r.error);
            r.onblocked = () => reject(new Error('deleting the canary database is blocked'));
          });
        });
        assert.equal(await screen(page), 'unlock', `${who} stayed locked throughout`);
        await page.screenshot({ path: path.join(ARTIFACTS, `encryption-${who}-locked.png`), fullPage: true });
      }
    });

    await step('6. the cases are there, sealed: B reloaded offline, unlocked, shows all three from its own storage', async () => {
      const { context, page } = dev.B;
      await context.setOffline(true);
      await page.reload();
      await waitForScreen(page, 'unlock', 'B');
      await unlock(page, passphrase.B, 'B');
      await openTab(page, 'cases');
      assert.equal(await page.evaluate(() => navigator.onLine), false, 'B is offline');
      for (const [id, docId] of Object.entries(docIds)) {
        const row = await waitFor(`B shows ${id} after the offline unlock`, () => findRow(page, { docId }), { timeoutMs: 15_000 });
        assert.ok(row.text.includes(cases[id].surname), `B's row for ${id}: "${row.text}"`);
      }
      await context.setOffline(false);
      await waitConnected(page, 'B');
      assert.equal((await syncState(page)).quarantined, '0', 'B: nothing quarantined');
      // A is still locked; its page shows the lock screen and no rows.
      assert.equal(await dev.A.page.locator(UNLOCK).count(), 1, 'A stays locked');
    });

    await step('7. after the relay stops, its files and its complete log still hold none of it', async () => {
      await relay.stop('SIGTERM');
      relay = null;
      // (The relay leaves its WAL in place on exit; the WAL holds the pages a
      // checkpoint would copy into the main file, so scanning both covers both.)
      const bytes = checkRelayBlind('relay stopped');
      log(`relay output: ${bytes['relay-output.log']} bytes`);
    });
  } catch (err) {
    state.failed = true;
    throw err;
  } finally {
    await screenshots('encryption', [['A', dev.A?.page], ['B', dev.B?.page]]);
    if (browser) await browser.close().catch((err) => log(`closing chromium: ${err.message}`));
    if (relay) await relay.stop('SIGTERM').catch((err) => log(`stopping the relay: ${err.message}`));
    if (fs.existsSync(relayOutput)) fs.copyFileSync(relayOutput, path.join(ARTIFACTS, 'encryption-relay-output.log'));
    fs.rmSync(tmp, { recursive: true, force: true });
    writeLog(LOG_NAME, state.failed);
  }
});
