// A case with every part of the record filled in, typed into the case form the
// way a documenter does it, and the case detail read back as text (not a test
// file itself: only `*.test.mjs` files are run by `node --test`).
//
// Everything here is made up: the names are invented and belong to nobody.

import { fillMinimum, openFormSections } from './harness.mjs';

/**
 * The synthetic full case. Every value is Cyrillic or digits (so a check for
 * untranslated English never trips over data) unless `latin` is set, which
 * adds the values that are Latin by nature: a citizenship code and a photo
 * hash.
 */
export function fullCase({ surname = 'Вигаданенко', latin = false } = {}) {
  return {
    surname,
    givenNames: 'Мирослава',
    patronymic: 'Тестівна',
    category: 'political_prisoner',
    status: 'sentenced',
    sex: 'female',
    birthDate: '14.03.1979',
    oblast: 'Херсонська',
    identity: {
      motherName: 'Ганна Вигаданенко',
      motherMaidenName: 'Пробна',
      alias: 'Мира Зразкова',
      placeOfBirth: 'Вигадане',
      citizenships: latin ? 'UA' : '',
      hromada: 'Вигаданська',
      settlement: 'Уявне',
      document: { kind: 'internal_passport', number: 'ЕК 000111' },
      marks: 'Шрам на лівому зап’ясті',
      photo: latin ? '5d41402abc4b2a76b9719d911017c592'.repeat(2) : '',
    },
    political: {
      article: 'ст. 000 КК',
      court: 'Уявний районний суд',
      caseNumber: '000/111/23',
      sentence: '12 років',
    },
    detention: {
      seizedOn: '10.05.2022',
      place: 'Уявне',
      authority: 'Вигадана служба',
      legalStatus: 'засуджена',
      capture: 'acknowledged',
      whereabouts: 'disclosed',
      familyContact: 'denied',
      lawyerContact: 'permitted',
      icrcContact: 'unknown',
      facility: { name: 'Слідчий ізолятор № 0 (вигаданий)', admitted: '06.2022', transferred: '20.01.2023' },
    },
    health: {
      seriousIllness: { flag: 'yes', notedOn: '02.2024', note: 'Хронічна хвороба (вигадана)' },
      pregnant: { flag: 'no' },
    },
    firstEvent: { date: '01.03.2023', source: 'Вирок уявного суду', reliability: 'confirmed' },
    family: {
      name: 'Олена Вигаданенко',
      relation: 'сестра',
      contact: '+380 00 000 0099',
      toInform: true,
      consent: { icrc: true, unWgeid: true, negotiators: true, public: false },
      lastContact: '15.01.2024',
    },
    source: {
      kind: 'relative',
      date: '15.01.2024',
      reliability: 'probable',
      confidential: true,
      description: 'Розповідь сестри (вигадана)',
    },
    intervention: {
      addressee: 'icrc',
      date: '01.02.2024',
      status: 'sent',
      response: 'Чекаємо на відповідь',
      inReleaseList: true,
    },
    review: 'verified',
    confidentiality: 'standard',
    notes: 'Вигадані нотатки для перевірки форми',
  };
}

const tid = (id) => `[data-testid="${id}"]`;

async function fill(page, id, value) {
  if (value !== undefined && value !== '') await page.fill(tid(id), value);
}

async function select(page, id, value) {
  await page.selectOption(tid(id), value);
}

async function check(page, id, on) {
  if (on) await page.check(tid(id));
  else await page.uncheck(tid(id));
}

async function add(page, id) {
  await page.click(tid(id));
}

/** Types `c` (see `fullCase`) into the open case form, every section of it. Does not save. */
export async function fillFullCase(page, c) {
  await fillMinimum(page, c);
  await select(page, 'case-sex', c.sex);
  await fill(page, 'case-birth-date', c.birthDate);
  await fill(page, 'case-oblast', c.oblast);
  await openFormSections(page);

  const id = c.identity;
  await fill(page, 'case-mother-name', id.motherName);
  await fill(page, 'case-mother-maiden-name', id.motherMaidenName);
  await add(page, 'add-alias');
  await fill(page, 'alias-0-name', id.alias);
  await fill(page, 'case-place-of-birth', id.placeOfBirth);
  await fill(page, 'case-citizenships', id.citizenships);
  await fill(page, 'case-hromada', id.hromada);
  await fill(page, 'case-settlement', id.settlement);
  await add(page, 'add-document');
  await select(page, 'document-0-kind', id.document.kind);
  await fill(page, 'document-0-number', id.document.number);
  await fill(page, 'case-distinguishing-marks', id.marks);
  await fill(page, 'case-photo-sha256', id.photo);

  const p = c.political;
  await fill(page, 'case-political-article', p.article);
  await fill(page, 'case-political-court', p.court);
  await fill(page, 'case-political-case-number', p.caseNumber);
  await fill(page, 'case-political-sentence', p.sentence);

  const d = c.detention;
  await add(page, 'add-detention');
  await fill(page, 'detention-0-seized-on', d.seizedOn);
  await fill(page, 'detention-0-place', d.place);
  await fill(page, 'detention-0-authority', d.authority);
  await fill(page, 'detention-0-legal-status', d.legalStatus);
  await select(page, 'detention-0-capture', d.capture);
  await select(page, 'detention-0-whereabouts', d.whereabouts);
  await select(page, 'detention-0-family-contact', d.familyContact);
  await select(page, 'detention-0-lawyer-contact', d.lawyerContact);
  await select(page, 'detention-0-icrc-contact', d.icrcContact);
  await add(page, 'detention-0-add-facility');
  await fill(page, 'detention-0-facility-0-name', d.facility.name);
  await fill(page, 'detention-0-facility-0-admitted', d.facility.admitted);
  await fill(page, 'detention-0-facility-0-transferred', d.facility.transferred);

  const h = c.health;
  await select(page, 'case-health-serious-illness', h.seriousIllness.flag);
  await fill(page, 'case-health-serious-illness-noted-on', h.seriousIllness.notedOn);
  await fill(page, 'case-health-serious-illness-note', h.seriousIllness.note);
  await select(page, 'case-health-pregnant', h.pregnant.flag);

  const e = c.firstEvent;
  await fill(page, 'case-status-date', e.date);
  await fill(page, 'case-status-source', e.source);
  await select(page, 'case-status-reliability', e.reliability);

  const f = c.family;
  await add(page, 'add-family');
  await fill(page, 'family-0-name', f.name);
  await fill(page, 'family-0-relation', f.relation);
  await fill(page, 'family-0-contact', f.contact);
  await check(page, 'family-0-to-inform', f.toInform);
  await check(page, 'family-0-consent-icrc', f.consent.icrc);
  await check(page, 'family-0-consent-un-wgeid', f.consent.unWgeid);
  await check(page, 'family-0-consent-negotiators', f.consent.negotiators);
  await check(page, 'family-0-consent-public', f.consent.public);
  await fill(page, 'family-0-last-contact', f.lastContact);

  const s = c.source;
  await add(page, 'add-source');
  await select(page, 'source-0-kind', s.kind);
  await fill(page, 'source-0-date', s.date);
  await select(page, 'source-0-reliability', s.reliability);
  await check(page, 'source-0-confidential', s.confidential);
  await fill(page, 'source-0-description', s.description);

  const i = c.intervention;
  await add(page, 'add-intervention');
  await select(page, 'intervention-0-addressee', i.addressee);
  await fill(page, 'intervention-0-date', i.date);
  await select(page, 'intervention-0-status', i.status);
  await fill(page, 'intervention-0-response', i.response);
  await check(page, 'intervention-0-in-release-list', i.inReleaseList);

  await select(page, 'case-review', c.review);
  await select(page, 'case-confidentiality', c.confidentiality);
  await fill(page, 'case-notes', c.notes);
}

/** The parts of the case detail that must read the same on every device (not the timeline's or history's "who"). */
export const SHARED_SECTIONS = ['priority', 'identity', 'category', 'detention', 'health', 'family', 'sources', 'interventions', 'notes'];

/**
 * What the open case detail shows, as text: its name, header facts, each
 * section of `SHARED_SECTIONS`, and the timeline's events without who
 * recorded them. Sensitive values (document numbers, contacts) are revealed
 * first.
 */
export async function readDetail(page) {
  const detail = page.locator('[data-testid=case-detail]');
  for (const reveal of ['detail-show-documents', 'detail-show-contacts']) {
    const button = detail.locator(tid(reveal));
    if ((await button.count()) > 0 && (await button.getAttribute('data-shown')) !== 'true') await button.click();
  }
  const out = {
    name: (await detail.locator(tid('detail-name')).innerText()).trim(),
    facts: (await detail.locator('.detail-facts').innerText()).trim(),
    sections: {},
    timeline: await detail.locator(tid('timeline-event')).evaluateAll((els) =>
      els.map((el) => ({
        status: el.getAttribute('data-status'),
        date: el.getAttribute('data-date'),
        text: [...el.querySelectorAll('.event-head, .event-facts')].map((x) => x.innerText.trim()).join(' | '),
      })),
    ),
  };
  for (const name of SHARED_SECTIONS) {
    const section = detail.locator(tid(`detail-section-${name}`));
    out.sections[name] = (await section.count()) > 0 ? (await section.innerText()).trim() : null;
  }
  return out;
}
