//! The device's IndexedDB database: the only place case data lives on the
//! device.
//!
//! Object stores (database `homeward`, version 2):
//! - `docs`: doc id (hex) → the whole Automerge document, saved;
//! - `summaries`: doc id (hex) → postcard `CaseSummary`, so the list renders
//!   without loading documents;
//! - `outbox`: auto-increment key → postcard `NewEntry` (signed), in creation
//!   order;
//! - `meta`: small values: `device_key` (the Ed25519 secret), `workspace`,
//!   `redeem` (an invite ticket not yet accepted by the relay), `role`,
//!   `cursor`, `bootstrap` (where an interrupted bootstrap resumes).
//!
//! Every write that must be atomic is one IndexedDB transaction: a local edit
//! writes document, summary and outbox entry together; a merged batch or
//! bootstrap page writes documents, summaries and the sync position (cursor,
//! or bootstrap resume point) together; joining writes workspace and ticket
//! together. A transaction is awaited to completion before the caller is
//! told it succeeded.
//!
//! Values are stored as plain bytes today; the at-rest encryption step
//! (issue 5) wraps exactly these byte values, the device key first.

use idb::{Database, DatabaseEvent, Factory, ObjectStore, ObjectStoreParams, TransactionMode};
use js_sys::Uint8Array;
use shared::case_summary::CaseSummary;
use shared::ids::{BlobId, DocId, Seq, WorkspaceId};
use shared::signing::DeviceKey;
use shared::wire::{BootstrapResume, NewEntry, Redeem, Role};
use wasm_bindgen::{JsCast, JsValue};

const DB_NAME: &str = "homeward";
/// Version 2 (protocol 2): signed outbox entries, device keys, membership.
const DB_VERSION: u32 = 2;
const DOCS: &str = "docs";
const SUMMARIES: &str = "summaries";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const META_DEVICE_KEY: &str = "device_key";
const META_WORKSPACE: &str = "workspace";
const META_REDEEM: &str = "redeem";
const META_ROLE: &str = "role";
const META_CURSOR: &str = "cursor";
const META_BOOTSTRAP: &str = "bootstrap";

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
    #[error(
        "this device already belongs to workspace {current}; an invite to another workspace \
         needs another browser profile or device"
    )]
    OtherWorkspace { current: WorkspaceId },
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
    pub device_key: Option<DeviceKey>,
    /// The workspace this device joined (or is joining); `None` until an
    /// invite link was opened.
    pub workspace: Option<WorkspaceId>,
    /// A ticket the relay has not accepted yet.
    pub redeem: Option<Redeem>,
    /// The role the relay last gave this device.
    pub role: Option<Role>,
    pub cursor: Seq,
    pub bootstrap: Option<BootstrapResume>,
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

/// The sync position stored together with merged documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A pulled batch: the cursor becomes this seq.
    Cursor(Seq),
    /// A bootstrap page with more to come: resume from here.
    BootstrapPage(BootstrapResume),
    /// The last bootstrap page: the cursor becomes `upto`, and no bootstrap
    /// is under way any more.
    BootstrapDone(Seq),
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

fn meta_key(name: &str) -> JsValue {
    JsValue::from_str(name)
}

fn read_err(e: idb::Error) -> StorageError {
    StorageError::ReadFailed(e.to_string())
}

fn write_err(e: idb::Error) -> StorageError {
    StorageError::WriteFailed(e.to_string())
}

async fn get_meta(store: &ObjectStore, name: &str) -> Result<Option<JsValue>, StorageError> {
    store
        .get(meta_key(name))
        .map_err(read_err)?
        .await
        .map_err(read_err)
}

/// A postcard value from `meta`; a damaged one reads as absent (and is
/// logged without its content).
async fn get_meta_value<T: serde::de::DeserializeOwned>(
    store: &ObjectStore,
    name: &str,
    what: &'static str,
) -> Result<Option<T>, StorageError> {
    let Some(raw) = get_meta(store, name).await? else {
        return Ok(None);
    };
    match to_bytes(&raw).and_then(|b| postcard::from_bytes(&b).ok()) {
        Some(v) => Ok(Some(v)),
        None => {
            tracing::error!("{}", StorageError::Corrupt { what });
            Ok(None)
        }
    }
}

fn put_meta_value<T: serde::Serialize>(
    store: &ObjectStore,
    name: &str,
    value: &T,
) -> Result<(), StorageError> {
    let encoded =
        postcard::to_stdvec(value).map_err(|e| StorageError::WriteFailed(e.to_string()))?;
    store
        .put(&bytes(&encoded), Some(&meta_key(name)))
        .map_err(write_err)?;
    Ok(())
}

fn put_cursor(store: &ObjectStore, cursor: Seq) -> Result<(), StorageError> {
    store
        .put(
            &JsValue::from_f64(cursor.0 as f64),
            Some(&meta_key(META_CURSOR)),
        )
        .map_err(write_err)?;
    Ok(())
}

fn delete_meta(store: &ObjectStore, name: &str) -> Result<(), StorageError> {
    store.delete(meta_key(name)).map_err(write_err)?;
    Ok(())
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
            let Ok(db) = event.database() else { return };
            if event.old_version().unwrap_or(0) == 1 {
                // Version 1 (protocol 1) held unsigned outbox entries no
                // relay accepts any more, a random device id that is no key,
                // and a cursor into the old shared default workspace. Cases
                // (docs, summaries) stay; the device joins a workspace anew.
                let _ = db.delete_object_store(OUTBOX);
                let _ = db.delete_object_store(META);
            }
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
        let device_key = get_meta(&meta, META_DEVICE_KEY)
            .await?
            .and_then(|v| to_bytes(&v))
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .map(|secret| DeviceKey::from_secret(&secret));
        let workspace = get_meta(&meta, META_WORKSPACE)
            .await?
            .and_then(|v| to_bytes(&v))
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
            .map(WorkspaceId);
        let redeem = get_meta_value(&meta, META_REDEEM, "invite ticket").await?;
        let role = get_meta(&meta, META_ROLE)
            .await?
            .and_then(|v| v.as_string())
            .and_then(|s| s.parse().ok());
        let cursor = get_meta(&meta, META_CURSOR)
            .await?
            .and_then(|v| v.as_f64())
            .map(|n| Seq(n as u64))
            .unwrap_or_default();
        let bootstrap = get_meta_value(&meta, META_BOOTSTRAP, "bootstrap position").await?;

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
            device_key,
            workspace,
            redeem,
            role,
            cursor,
            bootstrap,
            summaries,
            outbox,
        })
    }

    /// Stores the device's key. Plaintext for now: issue 5 wraps it with a
    /// key derived from the device passphrase before it is written.
    pub async fn set_device_key(&self, key: &DeviceKey) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[META], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        tx.object_store(META)
            .map_err(write_err)?
            .put(&bytes(&key.secret()), Some(&meta_key(META_DEVICE_KEY)))
            .map_err(write_err)?;
        commit(tx).await
    }

    /// Records an invite: the workspace and the ticket to present, in one
    /// transaction. A device belongs to one workspace: an invite to another
    /// one is refused with [`StorageError::OtherWorkspace`]. Joining the
    /// first workspace starts from an empty sync position.
    pub async fn join(&self, workspace: WorkspaceId, redeem: &Redeem) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[META], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let meta = tx.object_store(META).map_err(write_err)?;
        let current = get_meta(&meta, META_WORKSPACE)
            .await?
            .and_then(|v| to_bytes(&v))
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
            .map(WorkspaceId);
        match current {
            Some(current) if current != workspace => {
                let _ = tx.abort();
                return Err(StorageError::OtherWorkspace { current });
            }
            Some(_) => {}
            None => {
                for name in [META_CURSOR, META_BOOTSTRAP, META_ROLE] {
                    delete_meta(&meta, name)?;
                }
                meta.put(&bytes(&workspace.0), Some(&meta_key(META_WORKSPACE)))
                    .map_err(write_err)?;
            }
        }
        put_meta_value(&meta, META_REDEEM, redeem)?;
        commit(tx).await
    }

    /// The relay accepted this device with `role`: the ticket is spent.
    pub async fn joined(&self, role: Role) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[META], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let meta = tx.object_store(META).map_err(write_err)?;
        delete_meta(&meta, META_REDEEM)?;
        meta.put(
            &JsValue::from_str(role.as_str()),
            Some(&meta_key(META_ROLE)),
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
        let outbox_key =
            add_to_outbox(&tx.object_store(OUTBOX).map_err(write_err)?, &entry).await?;
        commit(tx).await?;
        Ok(OutboxRow {
            key: outbox_key,
            entry,
        })
    }

    /// Adds an entry that changes no stored document (a snapshot of one) to
    /// the outbox.
    pub async fn enqueue(&self, entry: NewEntry) -> Result<OutboxRow, StorageError> {
        let tx = self
            .db
            .transaction(&[OUTBOX], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let outbox_key =
            add_to_outbox(&tx.object_store(OUTBOX).map_err(write_err)?, &entry).await?;
        commit(tx).await?;
        Ok(OutboxRow {
            key: outbox_key,
            entry,
        })
    }

    /// Writes merged documents and the sync position atomically: the cursor
    /// (or bootstrap resume point) never gets ahead of the data it stands
    /// for.
    pub async fn save_merged(
        &self,
        docs: &[MergedDoc],
        progress: Progress,
    ) -> Result<(), StorageError> {
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
        let meta = tx.object_store(META).map_err(write_err)?;
        match progress {
            Progress::Cursor(cursor) => put_cursor(&meta, cursor)?,
            Progress::BootstrapPage(resume) => put_meta_value(&meta, META_BOOTSTRAP, &resume)?,
            Progress::BootstrapDone(upto) => {
                put_cursor(&meta, upto)?;
                delete_meta(&meta, META_BOOTSTRAP)?;
            }
        }
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

async fn add_to_outbox(store: &ObjectStore, entry: &NewEntry) -> Result<JsValue, StorageError> {
    let encoded =
        postcard::to_stdvec(entry).map_err(|e| StorageError::WriteFailed(e.to_string()))?;
    store
        .add(&bytes(&encoded), None)
        .map_err(write_err)?
        .await
        .map_err(write_err)
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
