//! The storage layer in a real browser (headless Chromium through
//! wasm-bindgen-test-runner): real IndexedDB, no mocks. Every value the
//! sealed stores hold is checked to be ciphertext by reading IndexedDB
//! directly.

#![cfg(target_arch = "wasm32")]

use client::browser_rng::BrowserRng;
use client::settings::Settings;
use client::storage::{MergedDoc, Progress, QuarantineRecord, Records, Storage, StorageError};
use idb::{DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
use shared::case::{Case, Category, ReviewState};
use shared::case_doc::{CaseDoc, CaseEdit, EditContext};
use shared::case_summary::CaseSummary;
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::partial_date::Date;
use shared::sealing::{EntrySealer, WorkspaceKey};
use shared::signing::DeviceKey;
use shared::summary_pages::page_key;
use shared::vault::{DataKey, KdfParams, LockedVault, VaultSecrets};
use shared::wire::{BootstrapResume, EntryKind, NewEntry, Redeem, Role};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const WS: WorkspaceId = WorkspaceId([0xaa; 16]);

fn sealer() -> EntrySealer {
    EntrySealer {
        workspace: WS,
        device: DeviceKey::from_secret(&[7; 32]),
        key: WorkspaceKey::from_bytes(0, [9; 32]),
    }
}

fn device() -> DeviceId {
    sealer().device.device_id()
}

fn case(surname: &str) -> Case {
    Case::minimal(surname, "Ганна", "Петрівна", Category::CivilianDetainee)
}

fn ctx(device: DeviceId, now_ms: i64) -> EditContext {
    EditContext {
        device,
        now_ms,
        today: Date::new(2026, 11, 29).unwrap(),
    }
}

fn entry(doc_id: DocId, changes: &[u8]) -> NewEntry {
    sealer().seal(&mut BrowserRng, doc_id, EntryKind::Change, changes)
}

/// A database that no earlier run left anything in, and its records under
/// a fresh data key.
async fn fresh(name: &str) -> (Storage, Records, DataKey) {
    Factory::new().unwrap().delete(name).unwrap().await.unwrap();
    let storage = Storage::open_named(name).await.unwrap();
    let key = DataKey::generate(&mut BrowserRng);
    let records = storage.unlock(key.clone());
    (storage, records, key)
}

#[wasm_bindgen_test]
async fn a_local_edit_is_durable_across_reopen_and_leaves_the_outbox_only_when_acked() {
    let name = "homeward-test-local-edit";
    let (storage, records, key) = fresh(name).await;

    let doc_id = DocId([1; 16]);
    let (mut doc, changes) = CaseDoc::create(case("Бондар"), &ctx(device(), 1_000)).unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 1_000);
    let first_entry = entry(doc_id, &changes);
    let first = records
        .save_local_edit(&doc.save(), &summary, first_entry.clone())
        .await
        .unwrap();
    let changes = doc
        .apply(
            CaseEdit::SetReview(ReviewState::Verified),
            &ctx(device(), 2_000),
        )
        .unwrap()
        .unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 2_000);
    let second_entry = entry(doc_id, &changes);
    records
        .save_local_edit(&doc.save(), &summary, second_entry.clone())
        .await
        .unwrap();
    drop((records, storage));

    // A fresh connection with the same key sees everything, outbox in
    // creation order.
    let storage = Storage::open_named(name).await.unwrap();
    let records = storage.unlock(key);
    let loaded = records.load().await.unwrap();
    assert_eq!(loaded.summaries, vec![summary]);
    let blobs: Vec<_> = loaded.outbox.iter().map(|r| r.blob_id()).collect();
    assert_eq!(
        blobs,
        vec![first_entry.header.blob_id, second_entry.header.blob_id]
    );
    // Signed, sealed entries survive storage byte for byte.
    assert!(loaded.outbox.iter().all(|r| r.entry.verify(WS).is_ok()));
    assert_eq!(loaded.outbox[1].entry, second_entry);
    let stored = records.doc(&doc_id).await.unwrap().unwrap();
    assert_eq!(
        CaseDoc::load(&stored, &device())
            .unwrap()
            .case()
            .unwrap()
            .review,
        ReviewState::Verified
    );

    records.remove_from_outbox(&[first]).await.unwrap();
    let loaded = records.load().await.unwrap();
    let blobs: Vec<_> = loaded.outbox.iter().map(|r| r.blob_id()).collect();
    assert_eq!(blobs, vec![second_entry.header.blob_id]);
}

fn quarantined(seq: u64) -> QuarantineRecord {
    QuarantineRecord {
        seq: Seq(seq),
        doc_id: DocId([5; 16]),
        author: DeviceId([6; 32]),
        kind: "decrypt".to_owned(),
        noted_ms: 77,
    }
}

#[wasm_bindgen_test]
async fn merged_documents_entries_set_aside_and_the_cursor_are_stored_together() {
    let (_storage, records, _) = fresh("homeward-test-merge").await;
    assert_eq!(records.load().await.unwrap().cursor, Seq::ZERO);

    let doc_id = DocId([2; 16]);
    let (mut doc, _) = CaseDoc::create(case("Мельник"), &ctx(DeviceId([9; 32]), 5)).unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 5);
    let merged = vec![MergedDoc {
        doc_id,
        doc: doc.save(),
        summary: Some(summary.clone()),
    }];
    records
        .save_merged(&merged, &[quarantined(40)], Progress::Cursor(Seq(41)))
        .await
        .unwrap();

    let loaded = records.load().await.unwrap();
    assert_eq!(loaded.cursor, Seq(41));
    assert_eq!(loaded.quarantined, 1);
    let read = records.docs(&[DocId([9; 16]), doc_id]).await.unwrap();
    assert_eq!(read[0], None);
    assert_eq!(read[1].as_deref(), Some(merged[0].doc.as_slice()));
    assert_eq!(loaded.summaries, vec![summary]);
    assert!(loaded.outbox.is_empty());
    assert_eq!(records.quarantined().await.unwrap(), vec![quarantined(40)]);

    // The same entry set aside again (a page delivered twice) counts once.
    records
        .save_merged(
            &[],
            &[quarantined(40), quarantined(43)],
            Progress::Cursor(Seq(43)),
        )
        .await
        .unwrap();
    assert_eq!(records.quarantine_count().await.unwrap(), 2);
}

#[wasm_bindgen_test]
async fn a_bootstrap_page_stores_its_resume_point_and_the_last_one_the_cursor() {
    let (_storage, records, _) = fresh("homeward-test-bootstrap").await;
    let page = |n: u8| {
        let doc_id = DocId([n; 16]);
        let (mut doc, _) = CaseDoc::create(case("Коваль"), &ctx(DeviceId([9; 32]), 5)).unwrap();
        let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 5);
        vec![MergedDoc {
            doc_id,
            doc: doc.save(),
            summary: Some(summary),
        }]
    };
    let resume = BootstrapResume {
        upto: Seq(900),
        after_doc: DocId([3; 16]),
    };
    records
        .save_merged(&page(3), &[], Progress::BootstrapPage(resume))
        .await
        .unwrap();
    let loaded = records.load().await.unwrap();
    assert_eq!(loaded.bootstrap, Some(resume));
    assert_eq!(
        loaded.cursor,
        Seq::ZERO,
        "the cursor waits for the last page"
    );
    assert_eq!(loaded.summaries.len(), 1);

    records
        .save_merged(&page(4), &[], Progress::BootstrapDone(Seq(900)))
        .await
        .unwrap();
    let loaded = records.load().await.unwrap();
    assert_eq!(loaded.bootstrap, None);
    assert_eq!(loaded.cursor, Seq(900));
    assert_eq!(loaded.summaries.len(), 2);
}

fn test_vault(workspaces: Vec<(WorkspaceId, WorkspaceKey)>) -> LockedVault {
    let secrets = VaultSecrets {
        device_key: DeviceKey::from_secret(&[7; 32]),
        data_key: DataKey::generate(&mut BrowserRng),
        workspaces,
    };
    LockedVault::create(
        &mut BrowserRng,
        "a long test passphrase",
        KdfParams::INSECURE_FOR_TESTS,
        &secrets,
    )
    .unwrap()
    .0
}

#[wasm_bindgen_test]
async fn joining_stores_workspace_ticket_and_vault_together_and_joined_spends_the_ticket() {
    let (storage, records, _) = fresh("homeward-test-join").await;
    // A position left from before the device had a workspace is dropped.
    records
        .save_merged(&[], &[], Progress::Cursor(Seq(12)))
        .await
        .unwrap();
    let loaded = records.load().await.unwrap();
    assert_eq!(
        (loaded.workspace, loaded.redeem, loaded.cursor),
        (None, None, Seq(12))
    );

    let ticket = Redeem::Ticket([5; 32]);
    let vault = test_vault(vec![(WS, WorkspaceKey::from_bytes(0, [9; 32]))]);
    records.join(WS, &ticket, Some(&vault)).await.unwrap();
    let loaded = records.load().await.unwrap();
    assert_eq!(loaded.workspace, Some(WS));
    assert_eq!(loaded.redeem, Some(ticket.clone()));
    assert_eq!(loaded.cursor, Seq::ZERO);
    let stored = storage.vault_state().await.unwrap().vault.unwrap().unwrap();
    assert_eq!(stored, vault);

    records.joined(Role::Documenter).await.unwrap();
    records
        .save_merged(&[], &[], Progress::Cursor(Seq(3)))
        .await
        .unwrap();
    let loaded = records.load().await.unwrap();
    assert_eq!(loaded.redeem, None);
    assert_eq!(loaded.role, Some(Role::Documenter));

    // The same workspace again (the link opened twice): the ticket is kept
    // to present, nothing else moves.
    records.join(WS, &ticket, None).await.unwrap();
    let loaded = records.load().await.unwrap();
    assert_eq!((loaded.redeem, loaded.cursor), (Some(ticket), Seq(3)));
    assert_eq!(loaded.role, Some(Role::Documenter));

    // Another workspace is refused and changes nothing, the vault included.
    let other = test_vault(vec![]);
    let err = records
        .join(
            WorkspaceId([0xbb; 16]),
            &Redeem::Ticket([6; 32]),
            Some(&other),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::OtherWorkspace { current } if current == WS));
    assert_eq!(records.load().await.unwrap().workspace, Some(WS));
    let stored = storage.vault_state().await.unwrap().vault.unwrap().unwrap();
    assert_eq!(stored, vault);
}

/// The test database opened with the `idb` crate directly, past `Storage`.
async fn open_raw(name: &str) -> idb::Database {
    Factory::new()
        .unwrap()
        .open(name, None)
        .unwrap()
        .await
        .unwrap()
}

/// Every value of every store, as raw bytes, read with the `idb` crate
/// directly (what a dump of the browser profile shows).
async fn raw_values(name: &str) -> Vec<(String, JsValue, Vec<u8>)> {
    let db = open_raw(name).await;
    let stores = db.store_names();
    let tx = db.transaction(&stores, TransactionMode::ReadOnly).unwrap();
    let mut out = Vec::new();
    for store_name in &stores {
        let store = tx.object_store(store_name).unwrap();
        let keys = store.get_all_keys(None, None).unwrap().await.unwrap();
        let values = store.get_all(None, None).unwrap().await.unwrap();
        for (key, value) in keys.into_iter().zip(values) {
            let bytes = match value.dyn_ref::<js_sys::Uint8Array>() {
                Some(array) => array.to_vec(),
                // Numbers (the counter, settings): their text.
                None => format!("{value:?}").into_bytes(),
            };
            out.push((store_name.clone(), key, bytes));
        }
    }
    db.close();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[wasm_bindgen_test]
async fn every_stored_value_is_ciphertext_and_opens_only_with_the_key_in_its_slot() {
    let name = "homeward-test-at-rest";
    let (storage, records, key) = fresh(name).await;
    let surname = "Вишиваненко";
    let given = "Зореслава";
    let ticket = [0x5a; 32];

    // A local edit, a merged document, an invite, entries set aside and a
    // bootstrap position: every kind of value the app writes.
    let local = DocId([1; 16]);
    let mut c = case(surname);
    c.identity.given_names = given.to_owned();
    let (mut doc, changes) = CaseDoc::create(c, &ctx(device(), 10)).unwrap();
    let summary = CaseSummary::of(local, &doc.case().unwrap(), 0, 10);
    records
        .save_local_edit(&doc.save(), &summary, entry(local, &changes))
        .await
        .unwrap();
    let merged_id = DocId([2; 16]);
    let (mut other, _) =
        CaseDoc::create(case("Прикарпатенко"), &ctx(DeviceId([9; 32]), 20)).unwrap();
    let other_summary = CaseSummary::of(merged_id, &other.case().unwrap(), 0, 20);
    records
        .save_merged(
            &[MergedDoc {
                doc_id: merged_id,
                doc: other.save(),
                summary: Some(other_summary.clone()),
            }],
            &[quarantined(7)],
            Progress::BootstrapPage(BootstrapResume {
                upto: Seq(30),
                after_doc: merged_id,
            }),
        )
        .await
        .unwrap();
    let vault = test_vault(vec![(WS, WorkspaceKey::from_bytes(0, [9; 32]))]);
    records
        .join(WS, &Redeem::Ticket(ticket), Some(&vault))
        .await
        .unwrap();
    records.joined(Role::Documenter).await.unwrap();
    records
        .join(WS, &Redeem::Ticket(ticket), None)
        .await
        .unwrap();
    storage.set_failed_unlocks(2).await.unwrap();
    storage.save_settings(Settings::DEFAULT).await.unwrap();

    let raw = raw_values(name).await;
    let stores: std::collections::BTreeSet<&str> = raw.iter().map(|(s, _, _)| s.as_str()).collect();
    for store in ["docs", "summaries", "outbox", "meta", "quarantine", "vault"] {
        assert!(stores.contains(store), "nothing written to {store}");
    }
    let secrets: [(&str, &[u8]); 7] = [
        ("surname", surname.as_bytes()),
        ("given names", given.as_bytes()),
        ("merged surname", "Прикарпатенко".as_bytes()),
        ("patronymic", "Петрівна".as_bytes()),
        ("ticket", &ticket),
        ("workspace key", &[9; 32]),
        ("role", b"documenter"),
    ];
    for (store, key, bytes) in &raw {
        for (what, secret) in secrets {
            assert!(
                !contains(bytes, secret),
                "{what} in plaintext in {store}/{key:?}"
            );
        }
        if store != "vault" {
            // Sealed: envelope version 1, nonce, at least a tag.
            assert_eq!(bytes.first(), Some(&1), "{store}/{key:?} is not sealed");
            assert!(
                bytes.len() >= 41,
                "{store}/{key:?} is too short to be sealed"
            );
        }
    }
    // The workspace id is stored sealed too (only keys are plaintext).
    assert!(
        raw.iter()
            .filter(|(s, _, _)| s == "meta")
            .all(|(_, _, b)| !contains(b, &WS.0))
    );
    // Document keys are the plaintext doc ids.
    assert!(
        raw.iter()
            .any(|(s, k, _)| s == "docs" && k.as_string() == Some(local.to_hex()))
    );

    // The same values open with the key…
    let loaded = records.load().await.unwrap();
    let mut names: Vec<String> = loaded.summaries.iter().map(|s| s.display_name()).collect();
    names.sort();
    assert!(
        names
            .iter()
            .any(|n| n.contains(surname) && n.contains(given))
    );
    assert_eq!(loaded.workspace, Some(WS));
    assert_eq!(loaded.redeem, Some(Redeem::Ticket(ticket)));
    assert_eq!(loaded.role, Some(Role::Documenter));
    assert_eq!(loaded.outbox.len(), 1);
    assert_eq!(loaded.quarantined, 1);
    assert!(records.doc(&local).await.unwrap().is_some());
    drop(key);

    // …and not with another key: nothing opens, nothing leaks.
    let stranger = storage.unlock(DataKey::generate(&mut BrowserRng));
    let loaded = stranger.load().await.unwrap();
    assert!(loaded.summaries.is_empty() && loaded.outbox.is_empty());
    assert_eq!((loaded.workspace, loaded.redeem), (None, None));
    assert_eq!(stranger.doc(&local).await.unwrap(), None);

    // A sealed document copied under another doc id does not open there.
    let db = open_raw(name).await;
    let tx = db
        .transaction(&["docs"], TransactionMode::ReadWrite)
        .unwrap();
    let docs = tx.object_store("docs").unwrap();
    let value = docs
        .get(JsValue::from_str(&local.to_hex()))
        .unwrap()
        .await
        .unwrap()
        .unwrap();
    let moved = DocId([3; 16]);
    docs.put(&value, Some(&JsValue::from_str(&moved.to_hex())))
        .unwrap();
    tx.commit().unwrap().await.unwrap();
    db.close();
    assert_eq!(records.doc(&moved).await.unwrap(), None);
    assert!(records.doc(&local).await.unwrap().is_some());
}

#[wasm_bindgen_test]
async fn the_vault_store_keeps_the_vault_counter_and_settings_and_wiping_erases_all() {
    let name = "homeward-test-vault-store";
    let (storage, records, _) = fresh(name).await;
    let state = storage.vault_state().await.unwrap();
    assert!(state.vault.is_none());
    assert_eq!((state.failed_unlocks, state.settings), (0, None));

    let vault = test_vault(vec![]);
    storage.set_failed_unlocks(4).await.unwrap();
    storage.save_vault(&vault).await.unwrap();
    let state = storage.vault_state().await.unwrap();
    assert_eq!(state.vault.unwrap().unwrap(), vault);
    assert_eq!(state.failed_unlocks, 0, "a new vault starts a new count");
    storage.set_failed_unlocks(3).await.unwrap();
    let settings = Settings {
        idle_lock_minutes: 2,
        max_failed_unlocks: 4,
    };
    storage.save_settings(settings).await.unwrap();
    let state = storage.vault_state().await.unwrap();
    assert_eq!((state.failed_unlocks, state.settings), (3, Some(settings)));

    let doc_id = DocId([1; 16]);
    let (mut doc, changes) = CaseDoc::create(case("Стерта"), &ctx(device(), 1)).unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 1);
    records
        .save_local_edit(&doc.save(), &summary, entry(doc_id, &changes))
        .await
        .unwrap();

    storage.wipe().await.unwrap();
    drop((records, storage));
    let storage = Storage::open_named(name).await.unwrap();
    let state = storage.vault_state().await.unwrap();
    assert!(state.vault.is_none());
    assert_eq!((state.failed_unlocks, state.settings), (0, None));
    let raw = raw_values(name).await;
    assert!(raw.is_empty(), "{} values left after wiping", raw.len());
}

#[wasm_bindgen_test]
async fn upgrading_from_plaintext_storage_drops_everything() {
    let name = "homeward-test-upgrade";
    Factory::new().unwrap().delete(name).unwrap().await.unwrap();
    // The database as the issue-4 app left it (version 2, plaintext).
    let factory = Factory::new().unwrap();
    let mut request = factory.open(name, Some(2)).unwrap();
    request.on_upgrade_needed(|event| {
        let db = event.database().unwrap();
        for store in ["docs", "summaries", "meta"] {
            db.create_object_store(store, ObjectStoreParams::new())
                .unwrap();
        }
        let mut params = ObjectStoreParams::new();
        params.auto_increment(true);
        db.create_object_store("outbox", params).unwrap();
    });
    let db = request.await.unwrap();
    let doc_id = DocId([8; 16]);
    let (mut doc, _) = CaseDoc::create(case("Шевчук"), &ctx(DeviceId([9; 32]), 5)).unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 5);
    let tx = db
        .transaction(
            &["docs", "summaries", "meta", "outbox"],
            TransactionMode::ReadWrite,
        )
        .unwrap();
    let k = JsValue::from_str(&doc_id.to_hex());
    let bytes = |b: &[u8]| JsValue::from(js_sys::Uint8Array::from(b));
    let store = |n: &str| tx.object_store(n).unwrap();
    store("docs").put(&bytes(&doc.save()), Some(&k)).unwrap();
    store("summaries")
        .put(&bytes(&summary.to_bytes()), Some(&k))
        .unwrap();
    store("meta")
        .put(&bytes(&[1; 32]), Some(&JsValue::from_str("device_key")))
        .unwrap();
    store("outbox").add(&bytes(&[0; 40]), None).unwrap();
    tx.commit().unwrap().await.unwrap();
    db.close();

    let storage = Storage::open_named(name).await.unwrap();
    assert!(storage.vault_state().await.unwrap().vault.is_none());
    assert!(
        raw_values(name).await.is_empty(),
        "plaintext survived the upgrade"
    );
    let records = storage.unlock(DataKey::generate(&mut BrowserRng));
    let loaded = records.load().await.unwrap();
    assert!(loaded.summaries.is_empty() && loaded.outbox.is_empty());
    assert_eq!(records.doc(&doc_id).await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn outbox_keys_keep_counting_after_rows_leave() {
    let (_storage, records, _) = fresh("homeward-test-outbox-keys").await;
    let doc_id = DocId([4; 16]);
    let (mut doc, changes) = CaseDoc::create(case("Лічильник"), &ctx(device(), 1)).unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 1);
    let a = records
        .save_local_edit(&doc.save(), &summary, entry(doc_id, &changes))
        .await
        .unwrap();
    records.remove_from_outbox(&[a]).await.unwrap();
    let b = records.enqueue(entry(doc_id, b"snapshot")).await.unwrap();
    let c = records.enqueue(entry(doc_id, b"another")).await.unwrap();
    let loaded = records.load().await.unwrap();
    let blobs: Vec<BlobId> = loaded.outbox.iter().map(|r| r.blob_id()).collect();
    assert_eq!(blobs, vec![b.blob_id(), c.blob_id()]);
}

/// A stored case: document and summary, as a merge writes them.
fn merged(doc_id: DocId, surname: &str, at: i64) -> MergedDoc {
    let (mut doc, _) = CaseDoc::create(case(surname), &ctx(DeviceId([9; 32]), at)).unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, at);
    MergedDoc {
        doc_id,
        doc: doc.save(),
        summary: Some(summary),
    }
}

/// Doc ids spread over pages, two of them sharing page `12`.
fn spread_ids() -> Vec<DocId> {
    let mut ids: Vec<DocId> = (0..30u8)
        .map(|i| {
            let mut id = [i; 16];
            id[0] = i.wrapping_mul(37);
            DocId(id)
        })
        .collect();
    let mut a = [0x12; 16];
    a[1] = 0x30;
    let mut b = [0x12; 16];
    b[1] = 0x31;
    ids.extend([DocId(a), DocId(b)]);
    ids
}

fn sorted(mut summaries: Vec<CaseSummary>) -> Vec<CaseSummary> {
    summaries.sort_by_key(|s| s.doc_id);
    summaries
}

/// Key → raw value of every record of the `summaries` store.
async fn raw_summaries(name: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
    raw_values(name)
        .await
        .into_iter()
        .filter(|(store, _, _)| store == "summaries")
        .map(|(_, key, bytes)| (key.as_string().unwrap(), bytes))
        .collect()
}

#[wasm_bindgen_test]
async fn summaries_are_stored_in_pages_named_by_the_doc_ids_first_hex_digits() {
    let name = "homeward-test-pages";
    let (_storage, records, _) = fresh(name).await;
    let docs: Vec<MergedDoc> = spread_ids()
        .into_iter()
        .enumerate()
        .map(|(i, id)| merged(id, &format!("Прізвище{i}"), i as i64))
        .collect();
    records
        .save_merged(&docs, &[], Progress::Cursor(Seq(1)))
        .await
        .unwrap();
    let expected = sorted(docs.iter().filter_map(|d| d.summary.clone()).collect());
    assert_eq!(sorted(records.load().await.unwrap().summaries), expected);

    let raw = raw_summaries(name).await;
    let pages: std::collections::BTreeSet<String> =
        expected.iter().map(|s| page_key(&s.doc_id)).collect();
    assert_eq!(
        raw.keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        pages
    );
    assert!(pages.contains("12") && raw.len() == expected.len() - 1);

    // The same summaries again (a batch delivered twice): still one each.
    records
        .save_merged(&docs, &[], Progress::Cursor(Seq(2)))
        .await
        .unwrap();
    assert_eq!(sorted(records.load().await.unwrap().summaries), expected);
}

#[wasm_bindgen_test]
async fn a_local_edit_rewrites_only_its_own_page() {
    let name = "homeward-test-page-edit";
    let (_storage, records, _) = fresh(name).await;
    let ids = spread_ids();
    let docs: Vec<MergedDoc> = ids.iter().map(|id| merged(*id, "Сусід", 1)).collect();
    records
        .save_merged(&docs, &[], Progress::Cursor(Seq(1)))
        .await
        .unwrap();
    let before = raw_summaries(name).await;

    // An edit of one of the two cases in page `12`.
    let edited = *ids.last().unwrap();
    let (mut doc, changes) = CaseDoc::create(case("Змінений"), &ctx(device(), 5)).unwrap();
    let summary = CaseSummary::of(edited, &doc.case().unwrap(), 0, 5);
    records
        .save_local_edit(&doc.save(), &summary, entry(edited, &changes))
        .await
        .unwrap();
    let after = raw_summaries(name).await;
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let changed: Vec<&String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(changed, vec!["12"]);

    let loaded = records.load().await.unwrap().summaries;
    assert_eq!(loaded.len(), ids.len());
    let mine: Vec<&CaseSummary> = loaded.iter().filter(|s| s.doc_id == edited).collect();
    assert_eq!(mine, vec![&summary]);
    // Its neighbour in the page is untouched.
    let neighbour = ids[ids.len() - 2];
    assert!(
        loaded
            .iter()
            .any(|s| s.doc_id == neighbour && s.surname == "Сусід")
    );
}

#[wasm_bindgen_test]
async fn version_4_summaries_move_into_pages_at_the_first_unlock() {
    let name = "homeward-test-migrate-v4";
    Factory::new().unwrap().delete(name).unwrap().await.unwrap();
    // The database as the issue-6 app left it: version 4, one sealed
    // summary per case keyed by doc id.
    let mut request = Factory::new().unwrap().open(name, Some(4)).unwrap();
    request.on_upgrade_needed(|event| {
        let db = event.database().unwrap();
        for store in ["vault", "docs", "summaries", "meta", "quarantine", "drafts"] {
            db.create_object_store(store, ObjectStoreParams::new())
                .unwrap();
        }
        let mut params = ObjectStoreParams::new();
        params.auto_increment(true);
        db.create_object_store("outbox", params).unwrap();
    });
    let db = request.await.unwrap();
    let key = DataKey::generate(&mut BrowserRng);
    let docs: Vec<MergedDoc> = spread_ids()
        .into_iter()
        .enumerate()
        .map(|(i, id)| merged(id, &format!("Давній{i}"), i as i64))
        .collect();
    let tx = db
        .transaction(&["docs", "summaries"], TransactionMode::ReadWrite)
        .unwrap();
    let sealed = |store: &str, hex: &str, plain: &[u8]| -> JsValue {
        let slot = format!("{store}/{hex}");
        js_sys::Uint8Array::from(&key.seal_record(&mut BrowserRng, slot.as_bytes(), plain)[..])
            .into()
    };
    for d in &docs {
        let hex = d.doc_id.to_hex();
        let k = JsValue::from_str(&hex);
        tx.object_store("docs")
            .unwrap()
            .put(&sealed("docs", &hex, &d.doc), Some(&k))
            .unwrap();
        let summary = d.summary.as_ref().unwrap().to_bytes();
        tx.object_store("summaries")
            .unwrap()
            .put(&sealed("summaries", &hex, &summary), Some(&k))
            .unwrap();
    }
    tx.commit().unwrap().await.unwrap();
    db.close();

    let expected = sorted(docs.iter().filter_map(|d| d.summary.clone()).collect());
    let storage = Storage::open_named(name).await.unwrap();
    let records = storage.unlock(key.clone());
    assert_eq!(sorted(records.load().await.unwrap().summaries), expected);
    let raw = raw_summaries(name).await;
    assert!(
        raw.keys().all(|k| k.len() == 2),
        "version-4 records left: {:?}",
        raw.keys().filter(|k| k.len() != 2).collect::<Vec<_>>()
    );
    assert_eq!(raw.len(), expected.len() - 1);

    // Done once: the next unlock reads the same, from pages only.
    drop((records, storage));
    let storage = Storage::open_named(name).await.unwrap();
    let records = storage.unlock(key);
    assert_eq!(sorted(records.load().await.unwrap().summaries), expected);
    assert_eq!(raw_summaries(name).await, raw);
    assert_eq!(
        records.doc(&docs[0].doc_id).await.unwrap().as_deref(),
        Some(docs[0].doc.as_slice())
    );
}

#[wasm_bindgen_test]
async fn a_damaged_page_is_rebuilt_from_its_documents() {
    let name = "homeward-test-page-damaged";
    let (_storage, records, _) = fresh(name).await;
    let ids = spread_ids();
    let docs: Vec<MergedDoc> = ids.iter().map(|id| merged(*id, "Цілий", 1)).collect();
    records
        .save_merged(&docs, &[], Progress::Cursor(Seq(1)))
        .await
        .unwrap();

    // Page `12` overwritten with bytes that do not open.
    let db = open_raw(name).await;
    let tx = db
        .transaction(&["summaries"], TransactionMode::ReadWrite)
        .unwrap();
    tx.object_store("summaries")
        .unwrap()
        .put(
            &js_sys::Uint8Array::from(&[1u8; 60][..]).into(),
            Some(&JsValue::from_str("12")),
        )
        .unwrap();
    tx.commit().unwrap().await.unwrap();
    db.close();

    let loaded = records.load().await.unwrap().summaries;
    let ids_loaded: std::collections::BTreeSet<DocId> = loaded.iter().map(|s| s.doc_id).collect();
    assert_eq!(ids_loaded, ids.iter().copied().collect());
    assert_eq!(loaded.len(), ids.len());
    // Written back: the page opens again.
    assert_ne!(raw_summaries(name).await["12"], vec![1u8; 60]);
}
