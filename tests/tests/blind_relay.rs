//! The relay is blind: end-to-end encryption against the real relay binary.
//!
//! - `the_relay_keeps_no_case_content_on_disk_or_in_its_log`: two native
//!   devices (an admin that creates the workspace, and one that joins by an
//!   invite link carrying the workspace key) exchange cases with
//!   distinctive synthetic names. The second device reads them decrypted;
//!   the relay's SQLite file, its WAL (read while the relay runs and again
//!   after it stopped) and everything it printed (debug logging on) contain
//!   none of the names, their Latin transliterations or the other field
//!   values, searched as UTF-8 bytes. The same search finds them in the
//!   receiving device's own state, which holds documents in the clear, so
//!   the search itself works.
//! - `a_sealed_body_moved_to_another_document_is_stored_but_quarantined`:
//!   an entry whose sealed body was taken from another document and
//!   re-signed by its author's key passes the relay (it checks signatures,
//!   not seals) and is quarantined by every device that pulls it: never
//!   merged, its header kept, the cursor past it, sync going on.
//!
//! Every name and value here is made up; none belongs to a real person.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use homeward_e2e::{RelayProcess, list_entries, sync_until_cursor, team};
use native_client::store::Store;
use native_client::{ClientOptions, NativeClient, now_ms};
use shared::case::{Case, FamilyContact};
use shared::case_doc::{CaseDoc, CaseEdit, EditContext};
use shared::ids::{BlobId, Seq};
use shared::names::{russian_icao, ukrainian_national};
use shared::partial_date::Date;
use shared::sealing::EntrySealer;
use shared::signing::DeviceKey;
use shared::synthetic::generate;
use shared::wire::{EntryHeader, EntryKind, Role};

const SYNC: Duration = Duration::from_secs(60);
/// The relay's database file in its data directory.
const RELAY_DB: &str = "homeward.sqlite3";
/// The receiving device's database file in its state directory.
const CLIENT_DB: &str = native_client::store::DB_FILE;

/// Made-up people: (surname, given names, patronymic, place of birth,
/// distinguishing marks, relative's name, relative's contact).
const PEOPLE: [[&str; 7]; 3] = [
    [
        "Тестовенко-Шифрович",
        "Зоряславаїнка",
        "Криптонівна",
        "Загадківці-над-Шифрою",
        "родимка у формі ключа над лівою бровою",
        "Мирослава Невидимченко-Глуха",
        "телеграм @nevydymchenko_zapechatana",
    ],
    [
        "Пломбаренко",
        "Велемудрослав",
        "Запечатанович",
        "Оксамитоград-Закритий",
        "татуювання «сімдесят два замки» на правому передпліччі",
        "Ярогнівна Сховайленко",
        "вулиця Непрочитаних Листів, 17",
    ],
    [
        "Нечитайленко-Сховська",
        "Таємнослава",
        "Ключарівна",
        "хутір Безслідний",
        "шрам від опіку на лівому зап'ясті, схожий на підкову",
        "Остромир Печаткін",
        "поштова скринька 4471, Тихоозерськ",
    ],
];

/// Notes the first device writes with the cases.
const NOTES_A: &str = "Бачили в Оксамитограді-Закритому, колонія № 9, березень";
/// A relative the second device adds: name and contact.
const RELATIVE_B: [&str; 2] = [
    "Світозара Безіменна-Прихована",
    "абонентська скринька 9090, Мовчанськ",
];

/// Synthetic cases (valid today) carrying [`PEOPLE`] and [`NOTES_A`].
fn distinctive_cases() -> Vec<Case> {
    let today = Date::from_unix_ms(now_ms());
    generate(505, PEOPLE.len(), today)
        .zip(PEOPLE)
        .map(|(mut case, person)| {
            let [surname, given, patronymic, place, marks, relative, contact] = person;
            let id = &mut case.identity;
            id.surname = surname.into();
            id.given_names = given.into();
            id.patronymic = patronymic.into();
            id.place_of_birth = place.into();
            id.distinguishing_marks = marks.into();
            id.aliases.clear();
            case.family = vec![FamilyContact {
                id: "relative-1".into(),
                name: relative.into(),
                relation: "сестра".into(),
                contact: contact.into(),
                ..FamilyContact::default()
            }];
            case.notes.0 = NOTES_A.into();
            case
        })
        .collect()
}

/// Every value the devices write, as typed.
fn values() -> Vec<String> {
    let mut out: Vec<String> = PEOPLE.iter().flatten().map(|v| v.to_string()).collect();
    out.push(NOTES_A.into());
    out.extend(RELATIVE_B.iter().map(|v| v.to_string()));
    out
}

/// What must never be found on the relay: every value, and the names'
/// Latin forms (the app derives them for search).
fn needles() -> Vec<String> {
    let mut out = values();
    let names = PEOPLE
        .iter()
        .flat_map(|p| [p[0], p[1], p[2], p[5]])
        .chain([RELATIVE_B[0]]);
    for name in names {
        out.push(ukrainian_national(name));
        out.push(russian_icao(name));
    }
    out.sort();
    out.dedup();
    out
}

/// The needles found in `haystack`, as UTF-8 bytes.
fn found_in<'a>(needles: &'a [String], haystack: &[u8]) -> Vec<&'a str> {
    needles
        .iter()
        .filter(|n| {
            let n = n.as_bytes();
            haystack.windows(n.len()).any(|w| w == n)
        })
        .map(String::as_str)
        .collect()
}

/// A database file and its WAL (when there is one), concatenated, and the
/// WAL's length.
fn db_and_wal(dir: &Path, file: &str) -> Result<(Vec<u8>, usize)> {
    let mut bytes = std::fs::read(dir.join(file)).with_context(|| format!("reading {file}"))?;
    let wal = match std::fs::read(dir.join(format!("{file}-wal"))) {
        Ok(wal) => wal,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => return Err(err).context("reading the WAL"),
    };
    bytes.extend_from_slice(&wal);
    Ok((bytes, wal.len()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_keeps_no_case_content_on_disk_or_in_its_log() -> Result<()> {
    let needles = needles();
    let data = tempfile::tempdir()?;
    // Debug logging: the most the relay ever says.
    let mut relay = RelayProcess::start_with_env(data.path(), 0, &[], &[("RUST_LOG", "debug")])?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let mut devices = team(
        &relay,
        &[dir_a.path(), dir_b.path()],
        Role::Documenter,
        ClientOptions::default(),
    )
    .await?;
    let b = devices.pop().context("b")?;
    let a = devices.pop().context("a")?;

    // A uploads the cases; B, which joined by the link, reads them.
    let cases = distinctive_cases();
    let ids = a.import_cases(&cases).await?;
    a.sync_until_current(SYNC).await?;
    let status = b.sync_until_current(SYNC).await?;
    assert_eq!(status.documents, cases.len() as u64);
    assert_eq!(status.quarantined_entries, 0);
    for (id, case) in ids.iter().zip(&cases) {
        let read = b.case(*id).await?;
        assert_eq!(&read, case, "B reads case {id} as A wrote it");
        assert_eq!(read.identity.given_names, case.identity.given_names);
    }
    assert_eq!(b.case(ids[0]).await?.identity.surname, PEOPLE[0][0]);

    // And the other way: B edits, A reads.
    let relative = FamilyContact {
        id: "relative-2".into(),
        name: RELATIVE_B[0].into(),
        relation: "донька".into(),
        contact: RELATIVE_B[1].into(),
        ..FamilyContact::default()
    };
    ensure!(
        b.edit(ids[1], vec![CaseEdit::AddFamilyContact(relative.clone())])
            .await?,
        "the edit changed nothing"
    );
    b.sync_until_current(SYNC).await?;
    a.sync_until_current(SYNC).await?;
    assert_eq!(a.case(ids[1]).await?.family.last(), Some(&relative));
    let head = a.status().await?.head;
    assert_eq!(head, Seq(cases.len() as u64 + 1));

    // The control: B's own state holds the documents in the clear, and the
    // same search finds every value there (so the searches below can fail).
    let (clear, _) = db_and_wal(dir_b.path(), CLIENT_DB)?;
    let values = values();
    let found = found_in(&values, &clear);
    ensure!(
        found.len() == values.len(),
        "the control failed: only {found:?} of {values:?} are in B's own state, so searching \
         for the others proves nothing"
    );

    // The relay's database and WAL while it runs.
    let (running, wal_len) = db_and_wal(data.path(), RELAY_DB)?;
    ensure!(
        wal_len > 0,
        "the relay's WAL is empty: nothing to search in it"
    );
    let leaked = found_in(&needles, &running);
    ensure!(
        leaked.is_empty(),
        "the running relay's database or WAL holds {leaked:?}"
    );

    a.close().await;
    b.close().await;
    relay.stop()?;

    // After a clean stop (the WAL may have been checkpointed into the
    // database, or kept).
    let (stopped, _) = db_and_wal(data.path(), RELAY_DB)?;
    ensure!(stopped.len() > 4096, "the relay's database is there");
    let leaked = found_in(&needles, &stopped);
    ensure!(
        leaked.is_empty(),
        "the stopped relay's database or WAL holds {leaked:?}"
    );

    // Everything the relay printed, at debug level.
    let output = relay.output();
    ensure!(
        output.iter().any(|l| l.contains("listening on")),
        "the relay's output was not captured"
    );
    ensure!(
        output.len() > 10,
        "debug logging should say more than {} lines",
        output.len()
    );
    let log = output.join("\n");
    let leaked = found_in(&needles, log.as_bytes());
    ensure!(leaked.is_empty(), "the relay logged {leaked:?}");

    // The operator's listing shows headers only, as sealed sizes.
    let listed = list_entries(data.path())?;
    assert_eq!(listed.len() as u64, head.0);
    let listing = serde_json::to_string(&listed)?;
    ensure!(found_in(&needles, listing.as_bytes()).is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_body_moved_to_another_document_is_stored_but_quarantined() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = RelayProcess::start(data.path(), 0)?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let mut devices = team(
        &relay,
        &[dir_a.path(), dir_b.path()],
        Role::Documenter,
        ClientOptions::default(),
    )
    .await?;
    let b = devices.pop().context("b")?;
    let a = devices.pop().context("a")?;
    let today = Date::from_unix_ms(now_ms());
    let cases: Vec<Case> = generate(606, 2, today).collect();
    let ids = a.import_cases(&cases).await?;
    a.sync_until_current(SYNC).await?;
    assert_eq!(sync_until_cursor(&b, Seq(2), SYNC).await?.cursor, Seq(2));
    a.close().await;

    // A's author key and workspace key, as a thief of its state directory
    // (or a faulty build of the app) would hold them.
    let mut store = Store::open(dir_a.path())?;
    let state = store.load_state()?;
    let sealer = EntrySealer {
        workspace: state.workspace.context("a workspace")?,
        device: DeviceKey::from_secret(&state.device_secret.context("a device key")?),
        key: state.workspace_key.context("a workspace key")?,
    };
    // A genuine edit of document 0, sealed for document 0…
    let (doc_bytes, _) = store.doc(ids[0])?.context("document 0")?;
    let mut doc = CaseDoc::load(&doc_bytes, &sealer.device.device_id())?;
    let ctx = EditContext {
        device: sealer.device.device_id(),
        now_ms: now_ms(),
        today,
    };
    let change = doc
        .apply(CaseEdit::SetNotes("the genuine edit".into()), &ctx)?
        .context("the edit changed nothing")?;
    let genuine = sealer.seal(&mut rand::rng(), ids[0], EntryKind::Change, &change);
    // …and the same sealed body, re-signed as a change of document 1.
    let moved = sealer.device.sign_entry(
        sealer.workspace,
        EntryHeader {
            doc_id: ids[1],
            blob_id: BlobId::random(&mut rand::rng()),
            ..genuine.header.clone()
        },
        genuine.body.clone(),
    );
    moved.verify(sealer.workspace)?;
    let moved_blob = moved.header.blob_id;
    // Into A's outbox: A uploads both when it next runs.
    store.commit_local(&[], &[genuine, moved])?;
    drop(store);

    let a = NativeClient::open(dir_a.path())?;
    a.sync_until_current(SYNC).await?;
    // A later genuine edit still flows.
    ensure!(
        a.edit(
            ids[1],
            vec![CaseEdit::SetNotes("after the bad blob".into())]
        )
        .await?
    );
    let status = a.sync_until_current(SYNC).await?;
    assert_eq!(status.head, Seq(5));

    // The relay cannot tell: it stored the moved body at seq 4.
    let listed = list_entries(data.path())?;
    let stored = listed
        .iter()
        .find(|e| e["blob_id"].as_str() == Some(moved_blob.to_hex().as_str()))
        .context("the relay did not store the moved entry")?;
    assert_eq!(stored["seq"], 4);
    assert_eq!(stored["doc_id"].as_str(), Some(ids[1].to_hex().as_str()));

    // B: the moved entry is quarantined, the cursor passed it, the entries
    // before and after it are merged.
    let status = b.sync_until_current(SYNC).await?;
    assert_eq!(status.cursor, Seq(5));
    assert_eq!(status.quarantined_entries, 1);
    assert_eq!(b.case(ids[0]).await?.notes.0, "the genuine edit");
    assert_eq!(b.case(ids[1]).await?.notes.0, "after the bad blob");
    // A pulled its own entries back and set the moved one aside too.
    assert_eq!(a.status().await?.quarantined_entries, 1);
    b.close().await;
    a.close().await;

    let kept = Store::open(dir_b.path())?.quarantined()?;
    assert_eq!(kept.len(), 1);
    let q = &kept[0];
    assert_eq!((q.seq, q.doc_id, q.blob_id), (Seq(4), ids[1], moved_blob));
    assert_eq!(q.author, sealer.device.device_id());
    assert_eq!(q.error, "decrypt");
    drop(relay);
    Ok(())
}
