// The release list and the offline start (issue 6, "must show"):
// - a public campaign's list holds only the cases whose family consented to a
//   public campaign (and none strictly confidential); the preview says how many
//   were left out and why; the CSV and JSON files downloaded from it name the
//   consented people only and hold no contact and no document number at all;
//   each export is noted in the cases;
// - once the app has been loaded (service worker ready, shell cached), it
//   reloads with no network, unlocks and lists every case from the device's
//   own storage.
//
// Names, contacts and document numbers here are made up and clearly fake. See
// harness.mjs for the variables and the DOM contract.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ARTIFACTS,
  caseTotal, fillMinimum, findRow, inWorkspace, joinWithInvite, log, newDevice, openFormSections, openTab,
  saveCase, strongPassphrase, syncState, unlock, waitConnected, waitFor, waitForScreen,
} from './harness.mjs';

const LOG_NAME = 'release_list';

/**
 * The cases: each with one relative (a contact string) and one document; the
 * relative consents to a public campaign or not; one case is strictly
 * confidential (never on a public list, consent or not).
 */
const CASES = [
  { key: 'p1', surname: 'Оприлюдненко', givenNames: 'Згодислав', public: true },
  { key: 'p2', surname: 'Дозволенко', givenNames: 'Відкрита', public: true },
  { key: 'p3', surname: 'Публічненко', givenNames: 'Голосимир', public: true },
  { key: 'n1', surname: 'Мовчазненко', givenNames: 'Тихомир', public: false },
  { key: 'n2', surname: 'Неоголошенко', givenNames: 'Скромислава', public: false },
  { key: 's1', surname: 'Таємниченко', givenNames: 'Прихована', public: true, strictlyConfidential: true },
].map((c, i) => ({
  ...c,
  patronymic: 'Вигаданович',
  category: 'civilian_detainee',
  status: 'detained_acknowledged',
  relative: `Родич-${c.surname}`,
  contact: `+380 00 000 000${i + 1}`,
  document: `ТЕ 00000${i + 1}`,
}));

/** Adds one of CASES through the form, with its relative and document; returns the doc id. */
async function addReleaseCase(page, c, who) {
  await openTab(page, 'new');
  await fillMinimum(page, c);
  await openFormSections(page);
  await page.click('[data-testid=add-document]');
  await page.selectOption('[data-testid=document-0-kind]', 'passport');
  await page.fill('[data-testid=document-0-number]', c.document);
  await page.click('[data-testid=add-family]');
  await page.fill('[data-testid=family-0-name]', c.relative);
  await page.fill('[data-testid=family-0-contact]', c.contact);
  // Every relative agrees to the ICRC; only some to a public campaign.
  await page.check('[data-testid=family-0-consent-icrc]');
  if (c.public) await page.check('[data-testid=family-0-consent-public]');
  if (c.strictlyConfidential) await page.selectOption('[data-testid=case-confidentiality]', 'strictly_confidential');
  return saveCase(page, who);
}

/** Clicks `testid` and returns the downloaded file's name and text. */
async function download(page, testid) {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 15_000 }),
    page.locator(`[data-testid=${testid}]`).click(),
  ]);
  const where = await file.path();
  const text = fs.readFileSync(where, 'utf8');
  fs.writeFileSync(path.join(ARTIFACTS, `${LOG_NAME}-${file.suggestedFilename()}`), text);
  return { name: file.suggestedFilename(), text };
}

/** Waits for the note of the last export and returns in how many cases it was made. */
async function waitRecorded(page) {
  const recorded = page.locator('[data-testid=release-recorded]');
  await recorded.waitFor({ state: 'visible', timeout: 20_000 });
  return Number(await recorded.getAttribute('data-count'));
}

test('a public campaign list and its files hold only consented cases, no contacts or documents; the app reloads offline', { timeout: 300_000 }, async (t) => {
  await inWorkspace(t, LOG_NAME, async ({ ws, browser, state, step }) => {
    const pass = strongPassphrase();
    const invite = await ws.invite('D');
    const { context, page } = await newDevice(browser, 'D', { acceptDownloads: true });
    state.pages.push(['D', page]);
    const ids = {};
    const consented = CASES.filter((c) => c.public && !c.strictlyConfidential);
    const left = CASES.filter((c) => !consented.includes(c));

    await step('1. D joins and enters the cases, each with a relative and a document', async () => {
      await joinWithInvite(page, invite, pass, 'D');
      await waitConnected(page, 'D');
      for (const c of CASES) {
        ids[c.key] = await addReleaseCase(page, c, 'D');
        log(`D: added ${c.key} ${ids[c.key]}`);
      }
      await openTab(page, 'cases');
      assert.equal(await caseTotal(page, 'D'), CASES.length);
      await waitFor('D: everything uploaded', async () => {
        const s = await syncState(page);
        return s.connection === 'connected' && s.pending === '0';
      });
    });

    await step('2. the public campaign preview lists the consented cases only, and counts what it left out', async () => {
      await openTab(page, 'release');
      await page.locator('[data-testid=release-profile-public_campaign]').check();
      assert.equal(await page.locator('[data-testid=release-count]').getAttribute('data-count'), String(CASES.length), 'every case is chosen (all still held)');
      await page.locator('[data-testid=release-preview]').click();
      const preview = page.locator('[data-testid=release-preview-list]');
      await preview.waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await preview.getAttribute('data-profile'), 'public_campaign');
      const entries = await page.locator('[data-testid=release-entry]').evaluateAll((els) => els.map((el) => ({
        docId: el.getAttribute('data-doc-id'),
        rank: el.getAttribute('data-rank'),
        text: el.innerText,
      })));
      log(`D: preview entries ${JSON.stringify(entries.map((e) => [e.rank, e.docId]))}`);
      assert.deepEqual(entries.map((e) => e.docId).sort(), consented.map((c) => ids[c.key]).sort(), 'the entries are the consented cases');
      assert.deepEqual(entries.map((e) => e.rank), consented.map((_, i) => String(i + 1)), 'ranked 1, 2, 3');
      assert.equal(await preview.getAttribute('data-count'), String(consented.length));
      const excluded = page.locator('[data-testid=release-excluded]');
      assert.equal(await excluded.getAttribute('data-consent'), '2', 'two cases left out for want of consent');
      assert.equal(await excluded.getAttribute('data-confidential'), '1', 'one case left out as strictly confidential');
      const shown = await preview.innerText();
      for (const c of CASES) {
        assert.equal(shown.includes(c.surname), consented.includes(c), `the preview ${consented.includes(c) ? 'lacks' : 'shows'} ${c.surname}`);
        assert.ok(!shown.includes(c.contact), `the preview shows the contact ${c.contact}`);
        assert.ok(!shown.includes(c.document), `the preview shows the document ${c.document}`);
        assert.ok(!shown.includes(c.relative), `the preview shows the relative ${c.relative}`);
      }
      await page.screenshot({ path: path.join(ARTIFACTS, `${LOG_NAME}-preview.png`), fullPage: true });
    });

    /** Asserts a file names the consented people only and holds no contact, document or relative. */
    const assertRedacted = (what, text) => {
      for (const c of consented) assert.ok(text.includes(c.surname), `${what} lacks ${c.surname}:\n${text}`);
      for (const c of left) {
        assert.ok(!text.includes(c.surname), `${what} names ${c.surname}, who must not be on it:\n${text}`);
        assert.ok(!text.includes(c.givenNames), `${what} names ${c.givenNames}, who must not be on it`);
      }
      for (const c of CASES) {
        for (const secret of [c.contact, c.contact.replace(/\s/g, ''), c.document, c.relative]) {
          assert.ok(!text.includes(secret), `${what} holds "${secret}":\n${text}`);
        }
        for (const id of Object.values(ids)) assert.ok(!text.includes(id), `${what} holds the case id ${id}`);
      }
    };

    await step('3. the CSV file holds the consented names and nothing that locates or identifies anyone; the export is noted', async () => {
      const csv = await download(page, 'release-export-csv');
      log(`D: downloaded ${csv.name}, ${csv.text.length} characters`);
      assert.match(csv.name, /^homeward-release-public_campaign-\d{4}-\d{2}-\d{2}\.csv$/);
      const lines = csv.text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
      assert.equal(lines.length, 1 + consented.length, `a header and one line per consented case:\n${csv.text}`);
      assertRedacted('the CSV file', csv.text);
      assert.equal(await waitRecorded(page), consented.length, 'the export is noted in each exported case');
    });

    await step('4. the JSON file likewise: the consented entries, only the public columns', async () => {
      const json = await download(page, 'release-export-json');
      log(`D: downloaded ${json.name}, ${json.text.length} characters`);
      assert.match(json.name, /^homeward-release-public_campaign-\d{4}-\d{2}-\d{2}\.json$/);
      const parsed = JSON.parse(json.text);
      assert.equal(parsed.profile, 'public_campaign');
      assert.equal(parsed.count, consented.length);
      assert.equal(parsed.entries.length, consented.length);
      for (const entry of parsed.entries) {
        assert.ok(!('case_id' in entry) && !('documents' in entry), `a public entry has a case id or documents: ${Object.keys(entry)}`);
      }
      assert.deepEqual(
        parsed.entries.map((e) => consented.find((c) => e.name.includes(c.surname))?.key).sort(),
        consented.map((c) => c.key).sort(),
        'the entries are the consented cases',
      );
      assertRedacted('the JSON file', json.text);
      assert.equal(await waitRecorded(page), consented.length);
    });

    await step('5. the exports are noted in the exported cases only', async () => {
      await openTab(page, 'cases');
      for (const c of CASES) {
        await page.evaluate((id) => {
          location.hash = `#/case/${id}`;
        }, ids[c.key]);
        await page.locator(`[data-testid=case-detail][data-doc-id="${ids[c.key]}"] [data-testid=detail-name]`).waitFor({ timeout: 15_000 });
        const notes = await page.locator('[data-testid=intervention-item]').evaluateAll((els) => els.map((el) => el.dataset.inReleaseList));
        assert.equal(notes.length, consented.includes(c) ? 2 : 0, `${c.key}: ${notes.length} export notes (CSV and JSON expected for consented cases only)`);
      }
    });

    await step('6. shell cached: offline, the app reloads, unlocks and lists every case from its own storage', async () => {
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      await waitFor('D: the shell in the cache', () => page.evaluate(async () => Boolean(await caches.match('/'))), { timeoutMs: 30_000 });
      await context.setOffline(true);
      await page.reload();
      await waitForScreen(page, 'unlock', 'D');
      await unlock(page, pass, 'D');
      assert.equal(await page.evaluate(() => navigator.onLine), false, 'the reload happened offline');
      await openTab(page, 'cases');
      assert.equal(await caseTotal(page, 'D'), CASES.length, 'every case is on the offline device');
      for (const c of CASES) {
        const row = await waitFor(`D lists ${c.key} offline`, () => findRow(page, { docId: ids[c.key] }), { timeoutMs: 15_000 });
        assert.ok(row.text.includes(c.surname), `${c.key}'s row: "${row.text}"`);
      }
      assert.notEqual((await syncState(page)).connection, 'connected', 'D is not connected while offline');
      await page.screenshot({ path: path.join(ARTIFACTS, `${LOG_NAME}-offline-list.png`), fullPage: true });
      await context.setOffline(false);
      await waitConnected(page, 'D');
    });
  });
});
