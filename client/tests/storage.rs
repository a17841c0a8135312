//! The storage layer in a real browser (headless Chromium through
//! wasm-bindgen-test-runner): real IndexedDB, no mocks.

#![cfg(target_arch = "wasm32")]

use client::storage::{MergedDoc, Storage};
use shared::case::{Case, Category, ReviewState};
use shared::case_doc::{CaseDoc, CaseEdit, EditContext};
use shared::case_summary::CaseSummary;
use shared::ids::{BlobId, DeviceId, DocId, Seq};
use shared::partial_date::Date;
use shared::wire::{EntryHeader, EntryKind, NewEntry};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const DEVICE: DeviceId = DeviceId([7; 32]);

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
    NewEntry {
        header: EntryHeader {
            doc_id,
            kind: EntryKind::Change,
            blob_id: BlobId([blob; 16]),
            author: DEVICE,
            key_epoch: 0,
        },
        body,
    }
}

#[wasm_bindgen_test]
async fn a_local_edit_is_durable_across_reopen_and_leaves_the_outbox_only_when_acked() {
    let name = "homeward-test-local-edit";
    let storage = Storage::open_named(name).await.unwrap();
    storage.set_device(&DEVICE).await.unwrap();

    let doc_id = DocId([1; 16]);
    let (mut doc, changes) = CaseDoc::create(case("Бондар"), &ctx(DEVICE, 1_000)).unwrap();
    let summary = CaseSummary::of(doc_id, &doc.case().unwrap(), 0, 1_000);
    let first = storage
        .save_local_edit(&doc.save(), &summary, entry(doc_id, 1, changes))
        .await
        .unwrap();
    let changes = doc
        .apply(
            CaseEdit::SetReview(ReviewState::Verified),
            &ctx(DEVICE, 2_000),
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
    assert_eq!(loaded.device, Some(DEVICE));
    assert_eq!(loaded.summaries, vec![summary]);
    let blobs: Vec<_> = loaded.outbox.iter().map(|r| r.blob_id()).collect();
    assert_eq!(blobs, vec![BlobId([1; 16]), BlobId([2; 16])]);
    let stored = storage.doc(&doc_id).await.unwrap().unwrap();
    assert_eq!(
        CaseDoc::load(&stored, &DEVICE)
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
    storage.save_merged(&merged, Seq(41)).await.unwrap();

    let loaded = storage.load().await.unwrap();
    assert_eq!(loaded.cursor, Seq(41));
    let read = storage.docs(&[DocId([9; 16]), doc_id]).await.unwrap();
    assert_eq!(read[0], None);
    assert_eq!(read[1].as_deref(), Some(merged[0].doc.as_slice()));
    assert_eq!(loaded.summaries, vec![summary]);
    assert!(loaded.outbox.is_empty());
}
