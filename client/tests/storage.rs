//! The storage layer in a real browser (headless Chromium through
//! wasm-bindgen-test-runner): real IndexedDB, no mocks.

#![cfg(target_arch = "wasm32")]

use client::storage::{MergedDoc, Progress, Storage, StorageError};
use shared::case::{Case, Category, ReviewState};
use shared::case_doc::{CaseDoc, CaseEdit, EditContext};
use shared::case_summary::CaseSummary;
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::partial_date::Date;
use shared::signing::DeviceKey;
use shared::wire::{BootstrapResume, EntryHeader, EntryKind, NewEntry, Redeem, Role};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const WS: WorkspaceId = WorkspaceId([0xaa; 16]);

fn key() -> DeviceKey {
    DeviceKey::from_secret(&[7; 32])
}

fn device() -> DeviceId {
    key().device_id()
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

fn entry(doc_id: DocId, blob: u8, body: Vec<u8>) -> NewEntry {
    key().sign_entry(
        WS,
        EntryHeader {
            doc_id,
            kind: EntryKind::Change,
            blob_id: BlobId([blob; 16]),
            author: device(),
            key_epoch: 0,
        },
        body,
    )
}

#[wasm_bindgen_test]
async fn a_local_edit_is_durable_across_reopen_and_leaves_the_outbox_only_when_acked() {
    let name = "homeward-test-local-edit";
    let storage = Storage::open_named(name).await.unwrap();
    storage.set_device_key(&key()).await.unwrap();

    let doc_id = DocId([1; 16]);
    let (mut doc, changes) = CaseDoc::create(case("Бондар"), &ctx(device(), 1_000)).unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 1_000);
    let first = storage
        .save_local_edit(&doc.save(), &summary, entry(doc_id, 1, changes))
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
    storage
        .save_local_edit(&doc.save(), &summary, entry(doc_id, 2, changes))
        .await
        .unwrap();
    drop(storage);

    // A fresh connection sees everything, outbox in creation order.
    let storage = Storage::open_named(name).await.unwrap();
    let loaded = storage.load().await.unwrap();
    assert_eq!(loaded.device_key.map(|k| k.device_id()), Some(device()));
    assert_eq!(loaded.summaries, vec![summary]);
    let blobs: Vec<_> = loaded.outbox.iter().map(|r| r.blob_id()).collect();
    assert_eq!(blobs, vec![BlobId([1; 16]), BlobId([2; 16])]);
    // Signed entries survive storage byte for byte.
    assert!(loaded.outbox.iter().all(|r| r.entry.verify(WS).is_ok()));
    let stored = storage.doc(&doc_id).await.unwrap().unwrap();
    assert_eq!(
        CaseDoc::load(&stored, &device())
            .unwrap()
            .case()
            .unwrap()
            .review,
        ReviewState::Verified
    );

    storage.remove_from_outbox(&[first]).await.unwrap();
    let loaded = storage.load().await.unwrap();
    let blobs: Vec<_> = loaded.outbox.iter().map(|r| r.blob_id()).collect();
    assert_eq!(blobs, vec![BlobId([2; 16])]);
}

#[wasm_bindgen_test]
async fn merged_documents_and_the_cursor_are_stored_together() {
    let storage = Storage::open_named("homeward-test-merge").await.unwrap();
    assert_eq!(storage.load().await.unwrap().cursor, Seq::ZERO);

    let doc_id = DocId([2; 16]);
    let (mut doc, _) = CaseDoc::create(case("Мельник"), &ctx(DeviceId([9; 32]), 5)).unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 5);
    let merged = vec![MergedDoc {
        doc_id,
        doc: doc.save(),
        summary: Some(summary.clone()),
    }];
    storage
        .save_merged(&merged, Progress::Cursor(Seq(41)))
        .await
        .unwrap();

    let loaded = storage.load().await.unwrap();
    assert_eq!(loaded.cursor, Seq(41));
    let read = storage.docs(&[DocId([9; 16]), doc_id]).await.unwrap();
    assert_eq!(read[0], None);
    assert_eq!(read[1].as_deref(), Some(merged[0].doc.as_slice()));
    assert_eq!(loaded.summaries, vec![summary]);
    assert!(loaded.outbox.is_empty());
}

#[wasm_bindgen_test]
async fn a_bootstrap_page_stores_its_resume_point_and_the_last_one_the_cursor() {
    let storage = Storage::open_named("homeward-test-bootstrap")
        .await
        .unwrap();
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
    storage
        .save_merged(&page(3), Progress::BootstrapPage(resume))
        .await
        .unwrap();
    let loaded = storage.load().await.unwrap();
    assert_eq!(loaded.bootstrap, Some(resume));
    assert_eq!(
        loaded.cursor,
        Seq::ZERO,
        "the cursor waits for the last page"
    );
    assert_eq!(loaded.summaries.len(), 1);

    storage
        .save_merged(&page(4), Progress::BootstrapDone(Seq(900)))
        .await
        .unwrap();
    let loaded = storage.load().await.unwrap();
    assert_eq!(loaded.bootstrap, None);
    assert_eq!(loaded.cursor, Seq(900));
    assert_eq!(loaded.summaries.len(), 2);
}

#[wasm_bindgen_test]
async fn joining_stores_workspace_and_ticket_together_and_joined_spends_the_ticket() {
    let storage = Storage::open_named("homeward-test-join").await.unwrap();
    // A position left from before the device had a workspace is dropped.
    storage
        .save_merged(&[], Progress::Cursor(Seq(12)))
        .await
        .unwrap();
    let loaded = storage.load().await.unwrap();
    assert_eq!(
        (loaded.workspace, loaded.redeem, loaded.cursor),
        (None, None, Seq(12))
    );

    let ticket = Redeem::Ticket([5; 32]);
    storage.join(WS, &ticket).await.unwrap();
    let loaded = storage.load().await.unwrap();
    assert_eq!(loaded.workspace, Some(WS));
    assert_eq!(loaded.redeem, Some(ticket.clone()));
    assert_eq!(loaded.cursor, Seq::ZERO);

    storage.joined(Role::Documenter).await.unwrap();
    storage
        .save_merged(&[], Progress::Cursor(Seq(3)))
        .await
        .unwrap();
    let loaded = storage.load().await.unwrap();
    assert_eq!(loaded.redeem, None);
    assert_eq!(loaded.role, Some(Role::Documenter));

    // The same workspace again (the link opened twice): the ticket is kept
    // to present, nothing else moves.
    storage.join(WS, &ticket).await.unwrap();
    let loaded = storage.load().await.unwrap();
    assert_eq!((loaded.redeem, loaded.cursor), (Some(ticket), Seq(3)));
    assert_eq!(loaded.role, Some(Role::Documenter));

    // Another workspace is refused and changes nothing.
    let err = storage
        .join(WorkspaceId([0xbb; 16]), &Redeem::Ticket([6; 32]))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::OtherWorkspace { current } if current == WS));
    assert_eq!(storage.load().await.unwrap().workspace, Some(WS));
}

#[wasm_bindgen_test]
async fn upgrading_from_protocol_1_storage_keeps_cases_and_drops_the_old_sync_state() {
    use idb::{DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
    use wasm_bindgen::JsValue;

    let name = "homeward-test-upgrade";
    // The database as the protocol-1 app left it.
    let factory = Factory::new().unwrap();
    let mut request = factory.open(name, Some(1)).unwrap();
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
        .put(&JsValue::from_f64(17.0), Some(&JsValue::from_str("cursor")))
        .unwrap();
    store("meta")
        .put(&bytes(&[1; 32]), Some(&JsValue::from_str("device")))
        .unwrap();
    // A protocol-1 outbox row: no signature, unreadable now.
    store("outbox").add(&bytes(&[0; 40]), None).unwrap();
    tx.commit().unwrap().await.unwrap();
    db.close();

    let storage = Storage::open_named(name).await.unwrap();
    let loaded = storage.load().await.unwrap();
    assert_eq!(loaded.summaries, vec![summary]);
    assert!(storage.doc(&doc_id).await.unwrap().is_some());
    assert!(loaded.outbox.is_empty());
    assert_eq!(loaded.cursor, Seq::ZERO);
    assert!(loaded.device_key.is_none() && loaded.workspace.is_none());
}
