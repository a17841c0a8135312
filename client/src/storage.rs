//! The device's IndexedDB database: the only place case data lives on the
//! device, and none of it readable without the passphrase.
//!
//! Object stores (database `homeward`, version 5):
//! - `vault` — **the only plaintext values**: `locked` (the [`LockedVault`]
//!   bytes, already ciphertext under the passphrase-derived key),
//!   `failed_unlocks` (the wrong-passphrase counter) and the two lock
//!   settings (`idle_lock_minutes`, `max_failed_unlocks`). The counter lives
//!   here rather than in localStorage so that "clear site data → local
//!   storage" alone cannot reset it (and clearing IndexedDB erases the vault
//!   with it). Someone who edits IndexedDB by hand can reset it, but could as
//!   well copy the vault and guess offline: the counter only stops guessing
//!   through the app.
//! - `docs`: doc id (hex) → the whole Automerge document, saved;
//! - `summaries` (pages since version 5): the first byte of doc ids, in hex
//!   → page format 1: the byte `1`, then postcard `Vec<CaseSummary>`
//!   sorted by doc id (see [`summary_pages`]), so the list renders without
//!   loading documents, from one read of at most 256 records. Version 4
//!   kept one record per case here (doc id → postcard `CaseSummary`); the
//!   first unlock after the upgrade moves them into pages and deletes them
//!   ([`Records::load`]; the upgrade itself cannot: they are sealed);
//! - `outbox`: auto-increment key → postcard `NewEntry` (sealed and
//!   signed), in creation order;
//! - `meta`: `workspace`, `redeem` (an invite ticket not yet accepted by the
//!   relay), `role`, `cursor`, `bootstrap` (where an interrupted bootstrap
//!   resumes);
//! - `quarantine`: seq → a [`QuarantineRecord`] (seq, doc id, error kind;
//!   never the body) for each log entry that failed to verify or open;
//! - `drafts` (version 4): `new` or a doc id → postcard [`Case`] as typed
//!   into a form and not yet saved, so an interrupted interview loses
//!   nothing.
//!
//! Every value outside `vault` is sealed with the device's data key
//! ([`DataKey::seal_record`]) under the slot `"<store>/<key>"`, so a value
//! copied to another record does not open. The *keys* stay plaintext:
//! random doc ids, outbox sequence numbers, log seqs and the fixed meta
//! names — IndexedDB needs them to find records, and they say nothing about
//! a case beyond how many there are.
//!
//! [`Storage`] (no key) reads and writes only the `vault` store;
//! [`Storage::unlock`] gives [`Records`], which holds the data key and does
//! everything else. Locking drops the `Records`.
//!
//! Every write that must be atomic is one IndexedDB transaction: a local edit
//! writes document, summary and outbox entry together; a merged batch or
//! bootstrap page writes documents, summaries, quarantined entries and the
//! sync position (cursor, or bootstrap resume point) together. A summary is
//! written by reading its page, changing it and writing it back, in the
//! transaction that writes the document: a document is never stored without
//! its summary, nor a page with another transaction's edit lost. Joining
//! writes workspace, ticket and (when it gained a key) the vault together. A
//! transaction is awaited to completion before the caller is told it
//! succeeded.

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::rc::Rc;

use idb::{
    Database, DatabaseEvent, Factory, KeyRange, ObjectStore, ObjectStoreParams, Query,
    TransactionMode,
};
use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use shared::case::Case;
use shared::case_doc::CaseDoc;
use shared::case_summary::CaseSummary;
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::sealing::Quarantined;
use shared::vault::{DataKey, LockedVault, VaultError};
use shared::wire::{BootstrapResume, NewEntry, Redeem, Role};
use wasm_bindgen::{JsCast, JsValue};

use crate::browser_rng::BrowserRng;
use crate::settings::{self, Settings};

use shared::summary_pages;

pub const DB_NAME: &str = "homeward";
/// Version 3 (issue 5): every value sealed with the data key, the `vault`
/// and `quarantine` stores; older data was plaintext and is dropped.
/// Version 4 (issue 6) adds `drafts` and keeps everything else.
/// Version 5 (issue 7): summaries in pages; the version-4 records are
/// moved at the first unlock (they are sealed: the upgrade has no key).
const DB_VERSION: u32 = 5;
const VAULT: &str = "vault";
const DOCS: &str = "docs";
const SUMMARIES: &str = "summaries";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const QUARANTINE: &str = "quarantine";
const DRAFTS: &str = "drafts";
const ALL_STORES: [&str; 7] = [VAULT, DOCS, SUMMARIES, OUTBOX, META, QUARANTINE, DRAFTS];
const VAULT_LOCKED: &str = "locked";
const VAULT_FAILED: &str = "failed_unlocks";
const VAULT_IDLE: &str = "idle_lock_minutes";
const VAULT_MAX_FAILED: &str = "max_failed_unlocks";
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
    #[error("erasing the device's storage failed: {0}")]
    WipeFailed(String),
}

/// What the `vault` store holds: readable while locked.
#[derive(Debug)]
pub struct VaultState {
    /// `None` on a device never set up (or wiped); an error if the stored
    /// bytes are not a vault this app can read.
    pub vault: Option<Result<LockedVault, VaultError>>,
    pub failed_unlocks: u32,
    /// `None` until settings were first saved.
    pub settings: Option<Settings>,
}

/// One row of the durable outbox.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    key: JsValue,
    pub entry: NewEntry,
}

/// What the app needs once unlocked, read in one pass.
#[derive(Debug)]
pub struct Loaded {
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
    /// Log entries set aside so far.
    pub quarantined: u64,
}

/// A document merged from the relay, ready to be written.
#[derive(Debug)]
pub struct MergedDoc {
    pub doc_id: DocId,
    pub doc: Vec<u8>,
    pub summary: Option<CaseSummary>,
}

/// A log entry that failed to verify or open: what is kept of it. Never
/// the body: the relay still has it, should a coordinator want to look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineRecord {
    pub seq: Seq,
    pub doc_id: DocId,
    pub author: shared::ids::DeviceId,
    /// `OpenError::kind()`: `signature`, `decrypt`, `unknown_epoch`, …
    pub kind: String,
    pub noted_ms: i64,
}

impl QuarantineRecord {
    pub fn of(q: &Quarantined, noted_ms: i64) -> QuarantineRecord {
        QuarantineRecord {
            seq: q.seq,
            doc_id: q.header.doc_id,
            author: q.header.author,
            kind: q.error.kind().to_owned(),
            noted_ms,
        }
    }
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

/// The database, locked: only the `vault` store is usable.
#[derive(Debug)]
pub struct Storage {
    db: Rc<Database>,
    name: String,
}

/// One local edit to write: the whole document, its summary, the entry
/// for the outbox, and the draft (if any) it makes obsolete.
#[derive(Debug, Clone)]
pub struct LocalEdit {
    pub doc: Vec<u8>,
    pub summary: CaseSummary,
    pub entry: NewEntry,
    pub draft: Option<String>,
}

/// The database with the data key: every sealed store.
#[derive(Debug)]
pub struct Records {
    db: Rc<Database>,
    key: DataKey,
}

fn bytes(v: &[u8]) -> JsValue {
    Uint8Array::from(v).into()
}

fn to_bytes(v: &JsValue) -> Option<Vec<u8>> {
    v.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
}

fn doc_key(id: &DocId) -> JsValue {
    JsValue::from_str(&id.to_hex())
}

fn seq_key(seq: Seq) -> JsValue {
    // IndexedDB keys are doubles: exact up to 2^53, far beyond any log.
    JsValue::from_f64(seq.0 as f64)
}

fn name_key(name: &str) -> JsValue {
    JsValue::from_str(name)
}

/// The slot a value is sealed to: store name and record key. String keys
/// as they are, number keys in decimal.
fn slot(store: &str, key: &JsValue) -> Vec<u8> {
    let key = match (key.as_string(), key.as_f64()) {
        (Some(s), _) => s,
        (None, Some(n)) => format!("{}", n as u64),
        (None, None) => String::new(),
    };
    format!("{store}/{key}").into_bytes()
}

fn read_err(e: idb::Error) -> StorageError {
    StorageError::ReadFailed(e.to_string())
}

fn write_err(e: idb::Error) -> StorageError {
    StorageError::WriteFailed(e.to_string())
}

async fn get(store: &ObjectStore, key: JsValue) -> Result<Option<JsValue>, StorageError> {
    store.get(key).map_err(read_err)?.await.map_err(read_err)
}

/// Opens (creating or upgrading) the database called `name`.
async fn open_db(name: &str) -> Result<Database, StorageError> {
    let factory = Factory::new().map_err(|e| StorageError::Unavailable(e.to_string()))?;
    let mut request = factory
        .open(name, Some(DB_VERSION))
        .map_err(|e| StorageError::Unavailable(e.to_string()))?;
    request.on_upgrade_needed(|event| {
        let Ok(db) = event.database() else { return };
        if event.old_version().unwrap_or(0) < 3 {
            // Versions 1 and 2 stored cases, keys and tickets in plaintext.
            // There are no real users yet: the data is dropped rather than
            // encrypted in place (which would leave the plaintext behind in
            // the browser's files anyway).
            for name in db.store_names() {
                let _ = db.delete_object_store(&name);
            }
        }
        let names = db.store_names();
        for name in [VAULT, DOCS, SUMMARIES, META, QUARANTINE, DRAFTS] {
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
    request
        .await
        .map_err(|e| StorageError::Unavailable(e.to_string()))
}

impl Storage {
    /// The app's database. When another tab erases or upgrades it, this
    /// connection closes and the page reloads (and shows what is left).
    pub async fn open() -> Result<Storage, StorageError> {
        let mut db = open_db(DB_NAME).await?;
        db.on_version_change(|_| {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        });
        Ok(Storage {
            db: Rc::new(db),
            name: DB_NAME.to_owned(),
        })
    }

    /// The database called `name`; tests use their own names so they never
    /// touch the app's data.
    pub async fn open_named(name: &str) -> Result<Storage, StorageError> {
        Ok(Storage {
            db: Rc::new(open_db(name).await?),
            name: name.to_owned(),
        })
    }

    pub async fn vault_state(&self) -> Result<VaultState, StorageError> {
        let tx = self
            .db
            .transaction(&[VAULT], TransactionMode::ReadOnly)
            .map_err(read_err)?;
        let store = tx.object_store(VAULT).map_err(read_err)?;
        let vault = get(&store, name_key(VAULT_LOCKED))
            .await?
            .map(|v| match to_bytes(&v) {
                Some(b) => LockedVault::from_bytes(b),
                None => Err(VaultError::Damaged("not a byte string")),
            });
        let number = async |name: &str| -> Result<Option<u32>, StorageError> {
            Ok(get(&store, name_key(name))
                .await?
                .and_then(|v| settings::from_js(&v)))
        };
        let failed_unlocks = number(VAULT_FAILED).await?.unwrap_or(0);
        let settings = match (number(VAULT_IDLE).await?, number(VAULT_MAX_FAILED).await?) {
            (Some(idle_lock_minutes), Some(max_failed_unlocks)) => Some(Settings {
                idle_lock_minutes,
                max_failed_unlocks,
            }),
            _ => None,
        };
        Ok(VaultState {
            vault,
            failed_unlocks,
            settings,
        })
    }

    /// Stores a new vault (first run) and clears the failure counter, in
    /// one transaction.
    pub async fn save_vault(&self, vault: &LockedVault) -> Result<(), StorageError> {
        self.write_vault(Some(vault), &[(VAULT_FAILED, 0)]).await
    }

    /// Durably records the number of wrong passphrases in a row.
    pub async fn set_failed_unlocks(&self, n: u32) -> Result<(), StorageError> {
        self.write_vault(None, &[(VAULT_FAILED, n)]).await
    }

    pub async fn save_settings(&self, s: Settings) -> Result<(), StorageError> {
        self.write_vault(
            None,
            &[
                (VAULT_IDLE, s.idle_lock_minutes),
                (VAULT_MAX_FAILED, s.max_failed_unlocks),
            ],
        )
        .await
    }

    /// Writes to the `vault` store in one transaction: the vault (when
    /// given) and plain numbers by name.
    async fn write_vault(
        &self,
        vault: Option<&LockedVault>,
        numbers: &[(&str, u32)],
    ) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[VAULT], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let store = tx.object_store(VAULT).map_err(write_err)?;
        if let Some(vault) = vault {
            put_vault(&store, vault)?;
        }
        for &(name, n) in numbers {
            store
                .put(&settings::to_js(n), Some(&name_key(name)))
                .map_err(write_err)?;
        }
        commit(tx).await
    }

    /// The sealed stores, opened with the data key from the vault.
    pub fn unlock(&self, key: DataKey) -> Records {
        Records {
            db: Rc::clone(&self.db),
            key,
        }
    }

    /// Erases everything: every store is cleared in one transaction (so
    /// nothing is left even if deleting the database has to wait for
    /// another tab), then the connection is closed and the database
    /// deleted. Without the vault, any sealed bytes the browser's files
    /// still hold are unreadable: the data key existed only inside it.
    /// The `Storage` must not be used afterwards; open a new one.
    pub async fn wipe(&self) -> Result<(), StorageError> {
        let wipe_err = |e: idb::Error| StorageError::WipeFailed(e.to_string());
        let tx = self
            .db
            .transaction(&ALL_STORES, TransactionMode::ReadWrite)
            .map_err(wipe_err)?;
        for name in ALL_STORES {
            tx.object_store(name)
                .map_err(wipe_err)?
                .clear()
                .map_err(wipe_err)?;
        }
        commit(tx)
            .await
            .map_err(|e| StorageError::WipeFailed(e.to_string()))?;
        self.db.close();
        let factory = Factory::new().map_err(wipe_err)?;
        let request = factory.delete(&self.name).map_err(wipe_err)?;
        // Another tab holding the database open delays the deletion until
        // it closes (it reloads on `versionchange`); the data is already
        // cleared, so do not wait for ever.
        let deleted = futures::future::select(
            Box::pin(std::future::IntoFuture::into_future(request)),
            Box::pin(crate::browser::sleep_ms(5_000)),
        )
        .await;
        match deleted {
            futures::future::Either::Left((Ok(_), _)) => Ok(()),
            futures::future::Either::Left((Err(e), _)) => Err(wipe_err(e)),
            futures::future::Either::Right(_) => {
                tracing::warn!("deleting the database is waiting for another tab to close");
                Ok(())
            }
        }
    }
}

fn put_vault(store: &ObjectStore, vault: &LockedVault) -> Result<(), StorageError> {
    store
        .put(&bytes(vault.as_bytes()), Some(&name_key(VAULT_LOCKED)))
        .map_err(write_err)?;
    Ok(())
}

impl Records {
    fn seal(&self, store: &str, key: &JsValue, plaintext: &[u8]) -> JsValue {
        bytes(
            &self
                .key
                .seal_record(&mut BrowserRng, &slot(store, key), plaintext),
        )
    }

    /// Opens a stored value; a damaged one (or one moved from another slot)
    /// is `None`, logged without its content.
    fn open(
        &self,
        store: &str,
        key: &JsValue,
        value: &JsValue,
        what: &'static str,
    ) -> Option<Vec<u8>> {
        let opened = to_bytes(value).and_then(|b| self.key.open_record(&slot(store, key), &b).ok());
        if opened.is_none() {
            tracing::error!("{}", StorageError::Corrupt { what });
        }
        opened
    }

    fn put_sealed(
        &self,
        store: &ObjectStore,
        name: &str,
        key: JsValue,
        plaintext: &[u8],
    ) -> Result<(), StorageError> {
        store
            .put(&self.seal(name, &key, plaintext), Some(&key))
            .map_err(write_err)?;
        Ok(())
    }

    fn put_meta<T: Serialize>(
        &self,
        store: &ObjectStore,
        name: &str,
        value: &T,
    ) -> Result<(), StorageError> {
        let encoded =
            postcard::to_stdvec(value).map_err(|e| StorageError::WriteFailed(e.to_string()))?;
        self.put_sealed(store, META, name_key(name), &encoded)
    }

    /// A value from `meta`; a damaged one reads as absent.
    async fn get_meta<T: serde::de::DeserializeOwned>(
        &self,
        store: &ObjectStore,
        name: &str,
        what: &'static str,
    ) -> Result<Option<T>, StorageError> {
        let key = name_key(name);
        let Some(raw) = get(store, key.clone()).await? else {
            return Ok(None);
        };
        Ok(self
            .open(META, &key, &raw, what)
            .and_then(|b| postcard::from_bytes(&b).ok()))
    }

    /// Everything the app needs once unlocked, from one read transaction
    /// whose requests all go out at once. Summaries still in the version-4
    /// layout are moved into pages first (once, see
    /// [`Records::tidy_summaries`]), as is a page that no longer opens
    /// (rebuilt from its documents).
    pub async fn load(&self) -> Result<Loaded, StorageError> {
        let tx = self
            .db
            .transaction(
                &[SUMMARIES, OUTBOX, META, QUARANTINE],
                TransactionMode::ReadOnly,
            )
            .map_err(read_err)?;
        let meta = tx.object_store(META).map_err(read_err)?;
        let summaries = tx.object_store(SUMMARIES).map_err(read_err)?;
        let outbox = tx.object_store(OUTBOX).map_err(read_err)?;
        let quarantine = tx.object_store(QUARANTINE).map_err(read_err)?;
        // Every request is made before the first is awaited: IndexedDB
        // answers them in order without a round trip through the page's
        // event loop for each.
        let meta_names = [
            META_WORKSPACE,
            META_REDEEM,
            META_ROLE,
            META_CURSOR,
            META_BOOTSTRAP,
        ];
        let mut meta_reads = Vec::with_capacity(meta_names.len());
        for name in meta_names {
            meta_reads.push(meta.get(name_key(name)).map_err(read_err)?.into_future());
        }
        let pages = get_all_requested(&summaries)?;
        let outbox_rows = get_all_requested(&outbox)?;
        let quarantined = quarantine.count(None).map_err(read_err)?.into_future();

        let mut meta_values = Vec::with_capacity(meta_reads.len());
        for read in meta_reads {
            meta_values.push(read.await.map_err(read_err)?);
        }
        let [workspace, redeem, role, cursor, bootstrap] =
            <[Option<JsValue>; 5]>::try_from(meta_values).unwrap_or_default();
        let workspace = self.meta_value(META_WORKSPACE, workspace, "workspace");
        let redeem = self.meta_value(META_REDEEM, redeem, "invite ticket");
        let role = self
            .meta_value::<String>(META_ROLE, role, "role")
            .and_then(|s| s.parse().ok());
        let cursor = self
            .meta_value(META_CURSOR, cursor, "sync position")
            .unwrap_or_default();
        let bootstrap = self.meta_value(META_BOOTSTRAP, bootstrap, "bootstrap position");

        let (keys, values) = pages.wait().await?;
        crate::browser::mark("homeward-summaries-fetched");
        let mut all = Vec::new();
        let mut untidy = false;
        for (key, value) in keys.iter().zip(&values) {
            if !key
                .as_string()
                .is_some_and(|k| summary_pages::is_page_key(&k))
            {
                // A version-4 record: moved below.
                untidy = true;
                continue;
            }
            match self.open_page(key, value) {
                Some(page) => {
                    if all.is_empty() {
                        all.reserve(page.len() * keys.len());
                    }
                    all.extend(page);
                }
                None => untidy = true,
            }
        }
        drop(values);

        let (keys, values) = outbox_rows.wait().await?;
        let mut outbox = Vec::with_capacity(values.len());
        for (key, v) in keys.into_iter().zip(&values) {
            let opened = self.open(OUTBOX, &key, v, "outbox entry");
            // A damaged row is kept in storage rather than deleted: it may
            // still be recoverable from a backup.
            if let Some(entry) = opened.and_then(|b| postcard::from_bytes::<NewEntry>(&b).ok()) {
                outbox.push(OutboxRow { key, entry });
            }
        }
        let quarantined = u64::from(quarantined.await.map_err(read_err)?);
        if untidy {
            all = self.tidy_summaries().await?;
        }
        Ok(Loaded {
            workspace,
            redeem,
            role,
            cursor,
            bootstrap,
            summaries: all,
            outbox,
            quarantined,
        })
    }

    /// Opens and decodes one page; `None` (logged) when it does not.
    fn open_page(&self, key: &JsValue, value: &JsValue) -> Option<Vec<CaseSummary>> {
        let plain = self.open(SUMMARIES, key, value, "page of case summaries")?;
        match summary_pages::decode(&plain) {
            Ok(page) => Some(page),
            Err(err) => {
                tracing::error!("a page of case summaries is unreadable: {err}");
                None
            }
        }
    }

    /// Brings the `summaries` store to the current layout, in one
    /// transaction, and returns every summary: version-4 records (one per
    /// case) are moved into their pages and deleted; a page that does not
    /// open is rebuilt from its documents. A summary already in a page wins
    /// over a version-4 one (it was written later). Idempotent: a crash
    /// rolls the whole move back, and the next unlock starts it again.
    /// A page that does not open and from which no document opens either
    /// is left as it is (nothing readable is lost by waiting).
    async fn tidy_summaries(&self) -> Result<Vec<CaseSummary>, StorageError> {
        let tx = self
            .db
            .transaction(&[SUMMARIES, DOCS], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let store = tx.object_store(SUMMARIES).map_err(write_err)?;
        let docs = tx.object_store(DOCS).map_err(write_err)?;
        let (keys, values) = get_all(&store).await?;
        // Page key → (summaries, changed, the stored value when unreadable).
        let mut pages: BTreeMap<String, (Vec<CaseSummary>, bool, Option<JsValue>)> =
            BTreeMap::new();
        let mut legacy = Vec::new();
        for (key, value) in keys.into_iter().zip(values) {
            let Some(name) = key.as_string().filter(|k| summary_pages::is_page_key(k)) else {
                legacy.push((key, value));
                continue;
            };
            let page = match self.open_page(&key, &value) {
                Some(page) => (page, false, None),
                None => {
                    let rebuilt = self.rebuild_page(&docs, &name).await?;
                    let changed = !rebuilt.is_empty();
                    (rebuilt, changed, (!changed).then_some(value))
                }
            };
            pages.insert(name, page);
        }
        let moved = legacy.len();
        for (key, value) in &legacy {
            let Some(summary) = self
                .open(SUMMARIES, key, value, "case summary")
                .and_then(|b| CaseSummary::from_bytes(&b).ok())
            else {
                continue;
            };
            let entry = pages
                .entry(summary_pages::page_key(&summary.doc_id))
                .or_default();
            if entry
                .0
                .binary_search_by(|s| s.doc_id.cmp(&summary.doc_id))
                .is_err()
            {
                summary_pages::upsert(&mut entry.0, summary);
                entry.1 = true;
            }
        }
        for (key, _) in legacy {
            store.delete(key).map_err(write_err)?;
        }
        let mut all = Vec::new();
        for (name, (page, changed, _)) in pages {
            if changed {
                let key = name_key(&name);
                self.put_sealed(&store, SUMMARIES, key, &summary_pages::encode(&page))?;
            }
            all.extend(page);
        }
        commit(tx).await?;
        if moved > 0 {
            tracing::info!(records = moved, "case summaries moved into pages");
        }
        Ok(all)
    }

    /// The summaries of page `name`, made again from its documents (which
    /// share the page's key prefix in `docs`). Documents that do not open,
    /// or hold no complete case yet, have no summary.
    async fn rebuild_page(
        &self,
        docs: &ObjectStore,
        name: &str,
    ) -> Result<Vec<CaseSummary>, StorageError> {
        let range = KeyRange::bound(
            &name_key(name),
            &name_key(&summary_pages::page_key_end(name)),
            Some(false),
            Some(true),
        )
        .map_err(read_err)?;
        let keys = docs
            .get_all_keys(Some(Query::KeyRange(range.clone())), None)
            .map_err(read_err)?
            .into_future();
        let values = docs
            .get_all(Some(Query::KeyRange(range)), None)
            .map_err(read_err)?
            .into_future();
        let (keys, values) = (
            keys.await.map_err(read_err)?,
            values.await.map_err(read_err)?,
        );
        let now = js_sys::Date::now() as i64;
        // Only read: the actor never writes anything.
        let reader = DeviceId([0; 32]);
        let mut page = Vec::new();
        for (key, value) in keys.iter().zip(&values) {
            let Some(doc_id) = key.as_string().and_then(|k| k.parse::<DocId>().ok()) else {
                continue;
            };
            let Some(bytes) = self.open(DOCS, key, value, "case document") else {
                continue;
            };
            let Ok(doc) = CaseDoc::load(&bytes, &reader) else {
                continue;
            };
            if let Ok(case) = doc.case() {
                let conflicts = doc.conflicts().map(|c| c.len()).unwrap_or(0);
                summary_pages::upsert(&mut page, CaseSummary::of(doc_id, &case, conflicts, now));
            }
        }
        tracing::warn!(cases = page.len(), "a page of case summaries was rebuilt");
        Ok(page)
    }

    /// Writes `updated` into their pages: each page is read, changed and
    /// written back within the caller's transaction (which must include
    /// `summaries` and `docs`, read-write). Every page is asked for before
    /// the first answer is awaited. A page that no longer opens is rebuilt
    /// from its documents first, so a damaged page loses nothing.
    async fn put_summaries(
        &self,
        store: &ObjectStore,
        docs: &ObjectStore,
        updated: Vec<CaseSummary>,
    ) -> Result<(), StorageError> {
        let mut by_page: BTreeMap<String, Vec<CaseSummary>> = BTreeMap::new();
        for summary in updated {
            by_page
                .entry(summary_pages::page_key(&summary.doc_id))
                .or_default()
                .push(summary);
        }
        let mut reads = Vec::with_capacity(by_page.len());
        for name in by_page.keys() {
            reads.push(store.get(name_key(name)).map_err(write_err)?.into_future());
        }
        for ((name, summaries), read) in by_page.into_iter().zip(reads) {
            let key = name_key(&name);
            let mut page = match read.await.map_err(write_err)? {
                None => Vec::new(),
                Some(value) => match self.open_page(&key, &value) {
                    Some(page) => page,
                    None => self.rebuild_page(docs, &name).await?,
                },
            };
            for summary in summaries {
                summary_pages::upsert(&mut page, summary);
            }
            self.put_sealed(store, SUMMARIES, key, &summary_pages::encode(&page))?;
        }
        Ok(())
    }

    /// A value read from `meta`; a damaged one reads as absent.
    fn meta_value<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        raw: Option<JsValue>,
        what: &'static str,
    ) -> Option<T> {
        let raw = raw?;
        self.open(META, &name_key(name), &raw, what)
            .and_then(|b| postcard::from_bytes(&b).ok())
    }

    /// Records an invite: the workspace and the ticket to present, and the
    /// vault when it gained the workspace's key, in one transaction. A
    /// device belongs to one workspace: an invite to another one is refused
    /// with [`StorageError::OtherWorkspace`]. Joining the first workspace
    /// starts from an empty sync position.
    pub async fn join(
        &self,
        workspace: WorkspaceId,
        redeem: &Redeem,
        vault: Option<&LockedVault>,
    ) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[META, VAULT], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let meta = tx.object_store(META).map_err(write_err)?;
        let current: Option<WorkspaceId> =
            self.get_meta(&meta, META_WORKSPACE, "workspace").await?;
        match current {
            Some(current) if current != workspace => {
                let _ = tx.abort();
                return Err(StorageError::OtherWorkspace { current });
            }
            Some(_) => {}
            None => {
                for name in [META_CURSOR, META_BOOTSTRAP, META_ROLE] {
                    meta.delete(name_key(name)).map_err(write_err)?;
                }
                self.put_meta(&meta, META_WORKSPACE, &workspace)?;
            }
        }
        self.put_meta(&meta, META_REDEEM, redeem)?;
        if let Some(vault) = vault {
            put_vault(&tx.object_store(VAULT).map_err(write_err)?, vault)?;
        }
        commit(tx).await
    }

    /// The relay accepted this device with `role`: the ticket is spent.
    pub async fn joined(&self, role: Role) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[META], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let meta = tx.object_store(META).map_err(write_err)?;
        meta.delete(name_key(META_REDEEM)).map_err(write_err)?;
        self.put_meta(&meta, META_ROLE, &role.as_str())?;
        commit(tx).await
    }

    pub async fn doc(&self, doc_id: &DocId) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.docs(&[*doc_id]).await?.pop().flatten())
    }

    /// Several documents in one read transaction (a merged batch touches
    /// hundreds; one transaction each would dominate catch-up time). A
    /// document that does not open reads as absent (and is logged).
    pub async fn docs(&self, doc_ids: &[DocId]) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        let tx = self
            .db
            .transaction(&[DOCS], TransactionMode::ReadOnly)
            .map_err(read_err)?;
        let store = tx.object_store(DOCS).map_err(read_err)?;
        let mut out = Vec::with_capacity(doc_ids.len());
        for doc_id in doc_ids {
            let key = doc_key(doc_id);
            let v = get(&store, key.clone()).await?;
            out.push(v.and_then(|v| self.open(DOCS, &key, &v, "case document")));
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
        let edit = LocalEdit {
            doc: doc.to_vec(),
            summary: summary.clone(),
            entry,
            draft: None,
        };
        Ok(self.save_local_edits(vec![edit]).await?.remove(0))
    }

    /// Writes several local edits (documents, summaries, outbox entries, and
    /// the drafts they replace) in one transaction: all or none.
    pub async fn save_local_edits(
        &self,
        edits: Vec<LocalEdit>,
    ) -> Result<Vec<OutboxRow>, StorageError> {
        let tx = self
            .db
            .transaction(
                &[DOCS, SUMMARIES, OUTBOX, DRAFTS],
                TransactionMode::ReadWrite,
            )
            .map_err(write_err)?;
        let docs = tx.object_store(DOCS).map_err(write_err)?;
        let summaries = tx.object_store(SUMMARIES).map_err(write_err)?;
        let outbox = tx.object_store(OUTBOX).map_err(write_err)?;
        let drafts = tx.object_store(DRAFTS).map_err(write_err)?;
        let mut rows = Vec::with_capacity(edits.len());
        for edit in &edits {
            let k = doc_key(&edit.summary.doc_id);
            self.put_sealed(&docs, DOCS, k, &edit.doc)?;
            if let Some(draft) = &edit.draft {
                drafts.delete(name_key(draft)).map_err(write_err)?;
            }
        }
        let updated = edits.iter().map(|e| e.summary.clone()).collect();
        self.put_summaries(&summaries, &docs, updated).await?;
        for edit in edits {
            let key = self.add_to_outbox(&outbox, &edit.entry).await?;
            rows.push(OutboxRow {
                key,
                entry: edit.entry,
            });
        }
        commit(tx).await?;
        Ok(rows)
    }

    /// Keeps what a form holds, sealed, under `slot` (`new`, or a doc id).
    pub async fn save_draft(&self, slot: &str, case: &Case) -> Result<(), StorageError> {
        let encoded =
            postcard::to_stdvec(case).map_err(|e| StorageError::WriteFailed(e.to_string()))?;
        let tx = self
            .db
            .transaction(&[DRAFTS], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let store = tx.object_store(DRAFTS).map_err(write_err)?;
        self.put_sealed(&store, DRAFTS, name_key(slot), &encoded)?;
        commit(tx).await
    }

    /// The draft kept under `slot`; a damaged one reads as absent.
    pub async fn draft(&self, slot: &str) -> Result<Option<Case>, StorageError> {
        let tx = self
            .db
            .transaction(&[DRAFTS], TransactionMode::ReadOnly)
            .map_err(read_err)?;
        let store = tx.object_store(DRAFTS).map_err(read_err)?;
        let key = name_key(slot);
        let Some(raw) = get(&store, key.clone()).await? else {
            return Ok(None);
        };
        Ok(self
            .open(DRAFTS, &key, &raw, "draft")
            .and_then(|b| postcard::from_bytes(&b).ok()))
    }

    pub async fn discard_draft(&self, slot: &str) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[DRAFTS], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let store = tx.object_store(DRAFTS).map_err(write_err)?;
        store.delete(name_key(slot)).map_err(write_err)?;
        commit(tx).await
    }

    /// Every stored document (for a backup file), in doc-id order.
    pub async fn all_docs(&self) -> Result<Vec<(DocId, Vec<u8>)>, StorageError> {
        let tx = self
            .db
            .transaction(&[DOCS], TransactionMode::ReadOnly)
            .map_err(read_err)?;
        let (keys, values) = get_all(&tx.object_store(DOCS).map_err(read_err)?).await?;
        Ok(keys
            .iter()
            .zip(&values)
            .filter_map(|(k, v)| {
                let id = k.as_string()?.parse().ok()?;
                Some((id, self.open(DOCS, k, v, "case document")?))
            })
            .collect())
    }

    /// Adds an entry that changes no stored document (a snapshot of one) to
    /// the outbox.
    pub async fn enqueue(&self, entry: NewEntry) -> Result<OutboxRow, StorageError> {
        let tx = self
            .db
            .transaction(&[OUTBOX], TransactionMode::ReadWrite)
            .map_err(write_err)?;
        let outbox_key = self
            .add_to_outbox(&tx.object_store(OUTBOX).map_err(write_err)?, &entry)
            .await?;
        commit(tx).await?;
        Ok(OutboxRow {
            key: outbox_key,
            entry,
        })
    }

    /// The outbox key comes from the store's key generator, and the value's
    /// slot names the key: an empty placeholder takes the next key, then the
    /// sealed value replaces it, in the same transaction (no reader ever
    /// sees the placeholder).
    async fn add_to_outbox(
        &self,
        store: &ObjectStore,
        entry: &NewEntry,
    ) -> Result<JsValue, StorageError> {
        let encoded =
            postcard::to_stdvec(entry).map_err(|e| StorageError::WriteFailed(e.to_string()))?;
        let key = store
            .add(&bytes(&[]), None)
            .map_err(write_err)?
            .await
            .map_err(write_err)?;
        self.put_sealed(store, OUTBOX, key.clone(), &encoded)?;
        Ok(key)
    }

    /// Writes merged documents, the entries set aside and the sync position
    /// atomically: the cursor (or bootstrap resume point) never gets ahead
    /// of the data it stands for.
    pub async fn save_merged(
        &self,
        docs: &[MergedDoc],
        quarantined: &[QuarantineRecord],
        progress: Progress,
    ) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(
                &[DOCS, SUMMARIES, META, QUARANTINE],
                TransactionMode::ReadWrite,
            )
            .map_err(write_err)?;
        let doc_store = tx.object_store(DOCS).map_err(write_err)?;
        let summary_store = tx.object_store(SUMMARIES).map_err(write_err)?;
        for merged in docs {
            self.put_sealed(&doc_store, DOCS, doc_key(&merged.doc_id), &merged.doc)?;
        }
        let updated = docs.iter().filter_map(|m| m.summary.clone()).collect();
        self.put_summaries(&summary_store, &doc_store, updated)
            .await?;
        let quarantine_store = tx.object_store(QUARANTINE).map_err(write_err)?;
        for q in quarantined {
            let encoded =
                postcard::to_stdvec(q).map_err(|e| StorageError::WriteFailed(e.to_string()))?;
            self.put_sealed(&quarantine_store, QUARANTINE, seq_key(q.seq), &encoded)?;
        }
        let meta = tx.object_store(META).map_err(write_err)?;
        match progress {
            Progress::Cursor(cursor) => self.put_meta(&meta, META_CURSOR, &cursor)?,
            Progress::BootstrapPage(resume) => self.put_meta(&meta, META_BOOTSTRAP, &resume)?,
            Progress::BootstrapDone(upto) => {
                self.put_meta(&meta, META_CURSOR, &upto)?;
                meta.delete(name_key(META_BOOTSTRAP)).map_err(write_err)?;
            }
        }
        commit(tx).await
    }

    /// Every entry set aside, in seq order.
    pub async fn quarantined(&self) -> Result<Vec<QuarantineRecord>, StorageError> {
        let tx = self
            .db
            .transaction(&[QUARANTINE], TransactionMode::ReadOnly)
            .map_err(read_err)?;
        let (keys, values) = get_all(&tx.object_store(QUARANTINE).map_err(read_err)?).await?;
        Ok(keys
            .iter()
            .zip(&values)
            .filter_map(|(k, v)| self.open(QUARANTINE, k, v, "quarantined entry"))
            .filter_map(|b| postcard::from_bytes(&b).ok())
            .collect())
    }

    /// How many entries were set aside (the keys are plaintext, so this
    /// opens nothing).
    pub async fn quarantine_count(&self) -> Result<u64, StorageError> {
        let tx = self
            .db
            .transaction(&[QUARANTINE], TransactionMode::ReadOnly)
            .map_err(read_err)?;
        count(&tx.object_store(QUARANTINE).map_err(read_err)?).await
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

/// Keys and values of a whole store, in key order (one transaction, so
/// they line up).
async fn get_all(store: &ObjectStore) -> Result<(Vec<JsValue>, Vec<JsValue>), StorageError> {
    get_all_requested(store)?.wait().await
}

/// Both requests of [`get_all`], made now and awaited later.
struct AllRequested {
    keys: idb::request::futures::GetAllKeysStoreRequestFuture,
    values: idb::request::futures::GetAllStoreRequestFuture,
}

impl AllRequested {
    async fn wait(self) -> Result<(Vec<JsValue>, Vec<JsValue>), StorageError> {
        let keys = self.keys.await.map_err(read_err)?;
        let values = self.values.await.map_err(read_err)?;
        Ok((keys, values))
    }
}

fn get_all_requested(store: &ObjectStore) -> Result<AllRequested, StorageError> {
    Ok(AllRequested {
        keys: store
            .get_all_keys(None, None)
            .map_err(read_err)?
            .into_future(),
        values: store.get_all(None, None).map_err(read_err)?.into_future(),
    })
}

/// How many records a store holds.
async fn count(store: &ObjectStore) -> Result<u64, StorageError> {
    let n = store
        .count(None)
        .map_err(read_err)?
        .await
        .map_err(read_err)?;
    Ok(u64::from(n))
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
