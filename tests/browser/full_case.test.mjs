// A whole case, and two devices disagreeing about it (issue 6, "must show"):
// - device A, offline, fills in every section of the case form (identity with
//   an alias and a document, the category's own section, a detention episode
//   with a facility, health, a family contact with consents, a source, an
//   intervention, review and confidentiality, notes) and saves; back online,
//   device B receives the case, and both case details read the same, section
//   by section, with the values typed;
// - both offline, A and B change the same field (place of birth) to different
//   values; back online, both show the conflict with both values; B keeps A's
//   value, and A then shows no conflict and that value.
//
// Names here are made up and clearly fake. See harness.mjs for the variables and
// the DOM contract.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS,
  findRow, inWorkspace, joinWithInvite, log, newDevice, openCase, openFormSections, openTab, saveCase,
  strongPassphrase, syncState, waitConnected, waitFor, waitForDetail,
} from './harness.mjs';
import { fillFullCase, fullCase, readDetail } from './full_case.mjs';

const LOG_NAME = 'full_case';

/** Waits until the device is online with nothing left to upload. */
async function waitSynced(page, who) {
  return waitFor(`${who}: connected, nothing pending`, async () => {
    const s = await syncState(page);
    return s.connection === 'connected' && s.pending === '0' && s;
  }, { timeoutMs: 30_000 });
}

/** Takes the device offline and waits until the app says so. */
async function goOffline(context, page, who) {
  await context.setOffline(true);
  await waitFor(`${who}: the app to see it is offline`, async () => (await syncState(page)).connection !== 'connected', {
    timeoutMs: 15_000,
  });
}

/** The conflicts the open detail shows: [{ field, values: [data-value …] }]. */
async function shownConflicts(page) {
  return page.locator('[data-testid=conflict]').evaluateAll((els) =>
    els.map((el) => ({
      field: el.getAttribute('data-field'),
      values: [...el.querySelectorAll('[data-testid=conflict-value]')].map((v) => v.getAttribute('data-value')),
    })),
  );
}

/** Changes the place of birth of the open case through its edit form, and saves. */
async function editPlaceOfBirth(page, docId, value, who) {
  await page.locator('[data-testid=detail-edit]').click();
  await page.locator('[data-testid=case-form]').waitFor({ state: 'visible', timeout: 15_000 });
  await openFormSections(page);
  await page.fill('[data-testid=case-place-of-birth]', value);
  assert.equal(await saveCase(page, who), docId, `${who}: saving the edit shows the same case`);
}

test('a full case entered offline reaches another device intact; a conflicting edit is shown on both and settled once', { timeout: 360_000 }, async (t) => {
  await inWorkspace(t, LOG_NAME, async ({ ws, browser, state, step }) => {
    const theCase = fullCase({ latin: true });
    const pass = { A: strongPassphrase(), B: strongPassphrase() };
    const inviteA = await ws.invite('A');
    const inviteB = await ws.invite('B');
    const A = await newDevice(browser, 'A');
    const B = await newDevice(browser, 'B');
    state.pages.push(['A', A.page], ['B', B.page]);
    let docId;

    await step('1. A and B join the workspace', async () => {
      await joinWithInvite(A.page, inviteA, pass.A, 'A');
      await joinWithInvite(B.page, inviteB, pass.B, 'B');
      await waitConnected(A.page, 'A');
      await waitConnected(B.page, 'B');
    });

    await step('2. offline, A fills in every section of the form and saves: the detail shows it, pending', async () => {
      await goOffline(A.context, A.page, 'A');
      await openTab(A.page, 'new');
      const started = Date.now();
      await fillFullCase(A.page, theCase);
      log(`A: filled the whole form in ${Date.now() - started} ms`);
      docId = await saveCase(A.page, 'A');
      log(`A: saved ${docId} offline`);
      await A.page.locator('[data-testid=detail-pending]').waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(await A.page.evaluate(() => navigator.onLine), false, 'A saved while offline');
      await A.page.screenshot({ path: path.join(ARTIFACTS, `${LOG_NAME}-A-offline-detail.png`), fullPage: true });
    });

    await step('3. A back online uploads it; B receives it and both details read the same, with every value typed', async () => {
      await A.context.setOffline(false);
      await waitSynced(A.page, 'A');
      await A.page.locator('[data-testid=detail-pending]').waitFor({ state: 'detached', timeout: 15_000 });
      await openTab(B.page, 'cases');
      const row = await waitFor('B to show the case', () => findRow(B.page, { docId }));
      assert.ok(row.text.includes(theCase.surname), `B's row "${row.text}" lacks the surname`);
      await openCase(B.page, docId, 'B');

      const a = await readDetail(A.page);
      const b = await readDetail(B.page);
      log(`A's detail: ${JSON.stringify(a).length} characters of text`);
      assert.deepEqual(b, a, 'B\'s detail reads differently from A\'s');

      // And what they both read is what A typed.
      const c = theCase;
      const expect = {
        name: [c.surname, c.givenNames, c.patronymic],
        identity: [
          c.surname, c.givenNames, c.patronymic, c.identity.motherName, c.identity.motherMaidenName, c.identity.alias,
          c.identity.placeOfBirth, c.identity.citizenships, c.oblast, c.identity.hromada, c.identity.settlement,
          c.identity.marks, c.identity.document.number, c.identity.photo.slice(0, 8),
        ],
        category: [c.political.article, c.political.court, c.political.caseNumber, c.political.sentence],
        detention: [c.detention.place, c.detention.authority, c.detention.legalStatus, c.detention.facility.name],
        health: [c.health.seriousIllness.note],
        family: [c.family.name, c.family.relation, c.family.contact],
        sources: [c.source.description],
        interventions: [c.intervention.response],
        notes: [c.notes],
      };
      for (const [part, values] of Object.entries(expect)) {
        const text = part === 'name' ? a.name : a.sections[part];
        assert.ok(text, `the detail has no ${part} section`);
        for (const v of values) assert.ok(text.includes(v), `the ${part} section lacks "${v}":\n${text}`);
      }
      assert.deepEqual(a.timeline.map((e) => [e.status, e.date]), [['sentenced', '2023-03-01']], 'the first status event');
      assert.ok(a.timeline[0].text.includes(c.firstEvent.source), `the event lacks its source: ${a.timeline[0].text}`);

      // The enumerations and yes/no values, as the detail marks them.
      const marks = (page) => page.evaluate(() => {
        const d = document.querySelector('[data-testid=case-detail]');
        const attr = (sel, name) => [...d.querySelectorAll(sel)].map((el) => el.getAttribute(name));
        const pairs = (sel, k, v) => Object.fromEntries([...d.querySelectorAll(sel)].map((el) => [el.getAttribute(k), el.getAttribute(v)]));
        return {
          category: attr('[data-testid=detail-category]', 'data-category'),
          status: attr('[data-testid=detail-status]', 'data-status'),
          review: attr('[data-testid=detail-review]', 'data-review'),
          confidentiality: attr('[data-testid=detail-confidentiality]', 'data-confidentiality'),
          documents: attr('[data-testid=identity-document]', 'data-kind'),
          ladder: pairs('[data-testid^=ladder-]', 'data-testid', 'data-value'),
          facilities: d.querySelectorAll('[data-testid=facility]').length,
          health: pairs('[data-testid=health-flag]', 'data-flag', 'data-value'),
          consent: pairs('[data-testid=consent-scope]', 'data-scope', 'data-granted'),
          toInform: attr('[data-testid=family-contact]', 'data-to-inform'),
          sources: [...d.querySelectorAll('[data-testid=source-item]')].map((el) => [el.dataset.kind, el.dataset.confidential]),
          interventions: [...d.querySelectorAll('[data-testid=intervention-item]')].map((el) => [el.dataset.addressee, el.dataset.status, el.dataset.inReleaseList]),
        };
      });
      const markedA = await marks(A.page);
      assert.deepEqual(await marks(B.page), markedA, 'B marks the values differently from A');
      assert.deepEqual(markedA, {
        category: ['political_prisoner'],
        status: ['sentenced'],
        review: ['verified'],
        confidentiality: ['standard'],
        documents: ['internal_passport'],
        ladder: {
          'ladder-capture': 'acknowledged',
          'ladder-whereabouts': 'disclosed',
          'ladder-family_contact': 'denied',
          'ladder-lawyer_contact': 'permitted',
          'ladder-icrc_contact': 'unknown',
        },
        facilities: 1,
        health: { serious_illness: 'yes', wounded: 'unknown', disability: 'unknown', pregnant: 'no', mother_of_infant: 'unknown' },
        consent: { icrc: 'true', un_wgeid: 'true', negotiators: 'true', public_campaign: 'false' },
        toInform: ['true'],
        sources: [['relative', 'true']],
        interventions: [['icrc', 'sent', 'true']],
      });
      await A.page.screenshot({ path: path.join(ARTIFACTS, `${LOG_NAME}-A-detail.png`), fullPage: true });
      await B.page.screenshot({ path: path.join(ARTIFACTS, `${LOG_NAME}-B-detail.png`), fullPage: true });
    });

    const placeA = 'Вигадане-Північне';
    const placeB = 'Вигадане-Південне';
    await step('4. both offline, A and B change the place of birth to different values', async () => {
      await goOffline(A.context, A.page, 'A');
      await goOffline(B.context, B.page, 'B');
      await editPlaceOfBirth(A.page, docId, placeA, 'A');
      await editPlaceOfBirth(B.page, docId, placeB, 'B');
      for (const [who, dev, place] of [['A', A, placeA], ['B', B, placeB]]) {
        await dev.page.locator('[data-testid=detail-pending]').waitFor({ state: 'visible', timeout: 10_000 });
        const identity = await dev.page.locator('[data-testid=detail-section-identity]').innerText();
        assert.ok(identity.includes(place), `${who} shows its own place of birth: ${identity}`);
        assert.equal(await dev.page.locator('[data-testid=conflicts]').count(), 0, `${who}: no conflict before syncing`);
      }
    });

    await step('5. both back online: both details show the conflict with both values', async () => {
      await A.context.setOffline(false);
      await B.context.setOffline(false);
      for (const [who, dev] of [['A', A], ['B', B]]) {
        await waitSynced(dev.page, who);
        const conflicts = await waitFor(`${who} to show the conflict`, async () => {
          const shown = await shownConflicts(dev.page);
          return shown.length > 0 && shown.every((c) => c.values.length >= 2) && shown;
        }, { timeoutMs: 30_000 });
        log(`${who}: conflicts ${JSON.stringify(conflicts)}`);
        assert.deepEqual(conflicts.map((c) => c.field), ['identity.place_of_birth'], `${who}: one conflict, on the place of birth`);
        assert.deepEqual([...conflicts[0].values].sort(), [placeA, placeB].sort(), `${who}: the conflict offers both values`);
        assert.equal(await dev.page.locator('[data-testid=conflict-keep]').count(), 2, `${who}: one "keep" button per value`);
        assert.equal(await dev.page.locator('[data-testid=detail-conflict-count]').getAttribute('data-count'), '1');
      }
      await B.page.screenshot({ path: path.join(ARTIFACTS, `${LOG_NAME}-B-conflict.png`), fullPage: true });
    });

    await step('6. B keeps A\'s value: both show no conflict and A\'s place of birth', async () => {
      await B.page
        .locator(`[data-testid=conflict-value][data-value="${placeA}"] [data-testid=conflict-keep]`)
        .click();
      for (const [who, dev] of [['B', B], ['A', A]]) {
        await waitFor(`${who}: the conflict settled`, async () => (await dev.page.locator('[data-testid=conflicts]').count()) === 0, {
          timeoutMs: 30_000,
        });
        await waitForDetail(dev.page, who, docId);
        const identity = await dev.page.locator('[data-testid=detail-section-identity]').innerText();
        assert.ok(identity.includes(placeA), `${who} shows A's place of birth: ${identity}`);
        assert.ok(!identity.includes(placeB), `${who} no longer shows B's place of birth: ${identity}`);
        assert.equal(await dev.page.locator('[data-testid=detail-conflict-count]').count(), 0, `${who}: no conflict badge`);
      }
      await waitSynced(B.page, 'B');
      await openTab(A.page, 'cases');
      const row = await waitFor('A\'s row without conflicts', async () => {
        const r = await A.page.locator(`[data-testid=case-row][data-doc-id="${docId}"]`).getAttribute('data-conflicts', { timeout: 2_000 });
        return r === '0';
      }, { timeoutMs: 15_000 });
      assert.ok(row);
    });
  });
});
