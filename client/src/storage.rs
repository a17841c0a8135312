//! The device's IndexedDB database: the only place case data lives on the
//! device.
//!
//! Object stores (database `homeward`, version 1):
//! - `docs`: doc id (hex) → the whole Automerge document, saved;
//! - `summaries`: doc id (hex) → postcard `CaseSummary`, so the list renders
//!   without loading documents;
//! - `outbox`: auto-increment key → postcard `NewEntry`, in creation order;
//! - `meta`: small values (`device`, `cursor`).
//!
//! Every write that must be atomic is one IndexedDB transaction: a local edit
//! writes document, summary and outbox entry together; a merged batch writes
//! documents, summaries and the cursor together. A transaction is awaited to
//! completion before the caller is told it succeeded.
//!
//! Values are stored as plain bytes today; the at-rest encryption step wraps
//! exactly these byte values.

use idb::{Database, DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
use js_sys::Uint8Array;
use shared::case_summary::CaseSummary;
use shared::ids::{BlobId, DeviceId, DocId, Seq};
use shared::wire::NewEntry;
use wasm_bindgen::{JsCast, JsValue};

const DB_NAME: &str = "homeward";
const DB_VERSION: u32 = 1;
const DOCS: &str = "docs";
const SUMMARIES: &str = "summaries";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const META_DEVICE: &str = "device";
const META_CURSOR: &str = "cursor";

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "this browser does not allow the app to store data (private mode or storage disabled?): {0}"
    )]
    Unavailable(String),
    #[error(
        "the device's storage refused the write ({0}); free some space or export a backup, then try again"
    )]
    WriteFailed(String),
    #[error("reading from the device's storage failed: {0}")]
    ReadFailed(String),
    #[error("a stored {what} is damaged and was skipped")]
    Corrupt { what: &'static str },
}

/// One row of the durable outbox.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    key: JsValue,
    pub entry: NewEntry,
}

/// What the app needs at start, read in one pass.
#[derive(Debug)]
pub struct Loaded {
    pub device: Option<DeviceId>,
    pub cursor: Seq,
    pub summaries: Vec<CaseSummary>,
    pub outbox: Vec<OutboxRow>,
}

/// A document merged from the relay, ready to be written.
#[derive(Debug)]
pub struct MergedDoc {
    pub doc_id: DocId,
    pub doc: Vec<u8>,
    pub summary: Option<CaseSummary>,
}

#[derive(Debug)]
pub struct Storage {
    db: Database,
}

fn bytes(v: &[u8]) -> JsValue {
    Uint8Array::from(v).into()
}

fn to_bytes(v: &JsValue) -> Option<Vec<u8>> {
    v.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
}

fn key(id: &DocId) -> JsValue {
    JsValue::from_str(&id.to_hex())
}

fn read_err(e: idb::Error) -> StorageError {
    StorageError::ReadFailed(e.to_string())
}

fn write_err(e: idb::Error) -> StorageError {
    StorageError::WriteFailed(e.to_string())
}

impl Storage {
    pub async fn open() -> Result<Storage, StorageError> {
        Storage::open_named(DB_NAME).await
    }

    /// Opens (creating or upgrading) the database called `name`; tests use
    /// their own names so they never touch the app's data.
    pub async fn open_named(name: &str) -> Result<Storage, StorageError> {
        let factory = Factory::new().map_err(|e| StorageError::Unavailable(e.to_string()))?;
        let mut request = factory
            .open(name, Some(DB_VERSION))
            .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        request.on_upgrade_needed(|event| {
            // Version 1 creates everything; later versions add steps keyed on
            // `event.old_version()`.
            let Ok(db) = event.database() else { return };
            let names = db.store_names();
            for name in [DOCS, SUMMARIES, META] {
                if !names.iter().any(|n| n == name) {
                    let _ = db.create_object_store(name, ObjectStoreParams::new());
                }
            }
            if !names.iter().any(|n| n == OUTBOX) {
                let mut params = ObjectStoreParams::new();
                params.auto_increment(true);
                let _ = db.create_object_store(OUTBOX, params);
            }
        });
        let db = request
            .await
            .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        Ok(Storage { db })
    }

    pub async fn load(&self) -> Result<Loaded, StorageError> {
        let tx = self
            .db
            .transaction(&[SUMMARIES, OUTBOX, META], TransactionMode::ReadOnly)
            .map_err(read_err)?;
        let meta = tx.object_store(META).map_err(read_err)?;
        let device = meta
            .get(JsValue::from_str(META_DEVICE))
            .map_err(read_err)?
            .await
            .map_err(read_err)?
            .and_then(|v| to_bytes(&v))
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .map(DeviceId);
        let cursor = meta
            .get(JsValue::from_str(META_CURSOR))
            .map_err(read_err)?
            .await
            .map_err(read_err)?
            .and_then(|v| v.as_f64())
            .map(|n| Seq(n as u64))
            .unwrap_or_default();

        let raw = tx
            .object_store(SUMMARIES)
            .map_err(read_err)?
            .get_all(None, None)
            .map_err(read_err)?
            .await
            .map_err(read_err)?;
        let mut summaries = Vec::with_capacity(raw.len());
        for v in raw {
            match to_bytes(&v).and_then(|b| CaseSummary::from_bytes(&b).ok()) {
                Some(s) => summaries.push(s),
                None => tracing::warn!(
                    "{}",
                    StorageError::Corrupt {
                        what: "case summary"
                    }
                ),
            }
        }

        let outbox_store = tx.object_store(OUTBOX).map_err(read_err)?;
        let keys = outbox_store
            .get_all_keys(None, None)
            .map_err(read_err)?
            .await
            .map_err(read_err)?;
        let values = outbox_store
            .get_all(None, None)
            .map_err(read_err)?
            .await
            .map_err(read_err)?;
        let mut outbox = Vec::with_capacity(values.len());
        for (key, v) in keys.into_iter().zip(values) {
            match to_bytes(&v).and_then(|b| postcard::from_bytes::<NewEntry>(&b).ok()) {
                Some(entry) => outbox.push(OutboxRow { key, entry }),
                // Kept in storage rather than deleted: a damaged outbox row
                // may still be recoverable from a backup.
                None => tracing::error!(
                    "{}",
                    StorageError::Corrupt {
                        what: "outbox entry"
                    }
                ),
            }
        }
        Ok(Loaded {
            device,
            cursor,
            summaries,
            outbox,
        })
    }

    pub async fn set_device(&self, device: &DeviceId) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[META], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        tx.object_store(META)
            .map_err(write_err)?
            .put(
                &bytes(device.as_bytes()),
                Some(&JsValue::from_str(META_DEVICE)),
            )
            .map_err(write_err)?;
        commit(tx).await
    }

    pub async fn doc(&self, doc_id: &DocId) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.docs(&[*doc_id]).await?.pop().flatten())
    }

    /// Several documents in one read transaction (a merged batch touches
    /// hundreds; one transaction each would dominate catch-up time).
    pub async fn docs(&self, doc_ids: &[DocId]) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        let tx = self
            .db
            .transaction(&[DOCS], TransactionMode::ReadOnly)
            .map_err(read_err)?;
        let store = tx.object_store(DOCS).map_err(read_err)?;
        let mut out = Vec::with_capacity(doc_ids.len());
        for doc_id in doc_ids {
            let v = store
                .get(key(doc_id))
                .map_err(read_err)?
                .await
                .map_err(read_err)?;
            out.push(v.and_then(|v| to_bytes(&v)));
        }
        Ok(out)
    }

    /// Writes a local edit: the document, its summary and the outbox entry,
    /// atomically. Returns the new outbox row.
    pub async fn save_local_edit(
        &self,
        doc: &[u8],
        summary: &CaseSummary,
        entry: NewEntry,
    ) -> Result<OutboxRow, StorageError> {
        let tx = self
            .db
            .transaction(&[DOCS, SUMMARIES, OUTBOX], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let k = key(&summary.doc_id);
        tx.object_store(DOCS)
            .map_err(write_err)?
            .put(&bytes(doc), Some(&k))
            .map_err(write_err)?;
        tx.object_store(SUMMARIES)
            .map_err(write_err)?
            .put(&bytes(&summary.to_bytes()), Some(&k))
            .map_err(write_err)?;
        let encoded =
            postcard::to_stdvec(&entry).map_err(|e| StorageError::WriteFailed(e.to_string()))?;
        let outbox_key = tx
            .object_store(OUTBOX)
            .map_err(write_err)?
            .add(&bytes(&encoded), None)
            .map_err(write_err)?
            .await
            .map_err(write_err)?;
        commit(tx).await?;
        Ok(OutboxRow {
            key: outbox_key,
            entry,
        })
    }

    /// Writes merged documents and the new cursor atomically: the cursor never
    /// gets ahead of the data it stands for.
    pub async fn save_merged(&self, docs: &[MergedDoc], cursor: Seq) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[DOCS, SUMMARIES, META], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let doc_store = tx.object_store(DOCS).map_err(write_err)?;
        let summary_store = tx.object_store(SUMMARIES).map_err(write_err)?;
        for merged in docs {
            let k = key(&merged.doc_id);
            doc_store
                .put(&bytes(&merged.doc), Some(&k))
                .map_err(write_err)?;
            if let Some(summary) = &merged.summary {
                summary_store
                    .put(&bytes(&summary.to_bytes()), Some(&k))
                    .map_err(write_err)?;
            }
        }
        tx.object_store(META)
            .map_err(write_err)?
            .put(
                &JsValue::from_f64(cursor.0 as f64),
                Some(&JsValue::from_str(META_CURSOR)),
            )
            .map_err(write_err)?;
        commit(tx).await
    }

    /// Drops outbox rows the relay acknowledged.
    pub async fn remove_from_outbox(&self, rows: &[OutboxRow]) -> Result<(), StorageError> {
        if rows.is_empty() {
            return Ok(());
        }
        let tx = self
            .db
            .transaction(&[OUTBOX], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let store = tx.object_store(OUTBOX).map_err(write_err)?;
        for row in rows {
            store.delete(row.key.clone()).map_err(write_err)?;
        }
        commit(tx).await
    }
}

impl OutboxRow {
    pub fn blob_id(&self) -> BlobId {
        self.entry.header.blob_id
    }
}

async fn commit(tx: idb::Transaction) -> Result<(), StorageError> {
    let result = tx.commit().map_err(write_err)?.await.map_err(write_err)?;
    if result.is_committed() {
        Ok(())
    } else {
        Err(StorageError::WriteFailed(
            "the transaction was aborted".into(),
        ))
    }
}
