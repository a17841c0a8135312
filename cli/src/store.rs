//! The client's durable state: one SQLite file in the state directory.
//!
//! WAL with `synchronous=FULL`: a commit returns only once it is on disk,
//! which is what lets the driver tell the engine "applied" (the cursor may
//! move) or "enqueued" (the edit is safe) right after it.
//!
//! Tables: `meta` (device key, workspace, relay origin, cursor, bootstrap
//! resume point, pending redeem, role, last error), `docs` (doc id → the
//! whole Automerge document) and `outbox` (entries not yet acknowledged, in
//! insertion order).
//!
//! A document is stored as bytes `Automerge::load` accepts: a full save,
//! followed by the change chunks merged since (`chunks` counts them). A
//! small edit then appends its ~100-byte change instead of re-saving (and
//! re-compressing) the whole document; the driver writes a full save once
//! enough chunks piled up.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use shared::ids::{BlobId, DocId, Seq, WorkspaceId};
use shared::wire::{BootstrapResume, NewEntry, Redeem, Role};

use crate::error::ClientError;

/// The database file inside the state directory.
pub const DB_FILE: &str = "homeward-client.sqlite3";
const SCHEMA_VERSION: i64 = 1;

const KEY_DEVICE_SECRET: &str = "device_secret";
const KEY_WORKSPACE: &str = "workspace";
const KEY_ORIGIN: &str = "origin";
const KEY_CURSOR: &str = "cursor";
const KEY_BOOTSTRAP: &str = "bootstrap";
const KEY_REDEEM: &str = "redeem";
const KEY_ROLE: &str = "role";
const KEY_LAST_ERROR: &str = "last_error";

/// How a document's stored bytes change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocWrite {
    /// A full save replaces everything.
    Replace { doc_id: DocId, bytes: Vec<u8> },
    /// Change chunks (`chunks` of them) go after what is stored; for a new
    /// document they are all there is.
    Append {
        doc_id: DocId,
        bytes: Vec<u8>,
        chunks: u32,
    },
}

/// Everything `meta` holds, as loaded at start.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredState {
    /// Plaintext for now: a later issue wraps it under a passphrase.
    pub device_secret: Option<[u8; 32]>,
    pub workspace: Option<WorkspaceId>,
    pub origin: Option<String>,
    pub cursor: Seq,
    pub bootstrap: Option<BootstrapResume>,
    pub redeem: Option<Redeem>,
    pub role: Option<Role>,
    pub last_error: Option<String>,
}

#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

fn corrupt(what: &str) -> ClientError {
    ClientError::CorruptState(what.to_owned())
}

fn fixed<const N: usize>(bytes: Vec<u8>, what: &str) -> Result<[u8; N], ClientError> {
    bytes.try_into().map_err(|_| corrupt(what))
}

impl Store {
    /// Opens (creating if needed) the state in `dir`.
    pub fn open(dir: &Path) -> Result<Store, ClientError> {
        std::fs::create_dir_all(dir).map_err(|source| ClientError::StateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        restrict_permissions(dir, 0o700);
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path)?;
        restrict_permissions(&path, 0o600);
        // Another process (a second `homeward` run) may hold the write lock
        // for a moment; wait instead of failing.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(ClientError::StateTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found < 1 {
            conn.execute_batch(
                "BEGIN;
                 CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
                 CREATE TABLE IF NOT EXISTS docs (
                     doc_id BLOB PRIMARY KEY,
                     bytes BLOB NOT NULL,
                     chunks INTEGER NOT NULL DEFAULT 0
                 );
                 CREATE TABLE IF NOT EXISTS outbox (
                     id INTEGER PRIMARY KEY AUTOINCREMENT,
                     blob_id BLOB NOT NULL UNIQUE,
                     entry BLOB NOT NULL
                 );
                 PRAGMA user_version = 1;
                 COMMIT;",
            )?;
        }
        Ok(Store { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load_state(&self) -> Result<StoredState, ClientError> {
        let mut state = StoredState::default();
        let mut stmt = self.conn.prepare("SELECT key, value FROM meta")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (key, value) = row?;
            match key.as_str() {
                KEY_DEVICE_SECRET => state.device_secret = Some(fixed(value, "device key")?),
                KEY_WORKSPACE => state.workspace = Some(WorkspaceId(fixed(value, "workspace")?)),
                KEY_ORIGIN => {
                    state.origin = Some(String::from_utf8(value).map_err(|_| corrupt("origin"))?)
                }
                KEY_CURSOR => state.cursor = Seq(u64::from_be_bytes(fixed(value, "cursor")?)),
                KEY_BOOTSTRAP => {
                    state.bootstrap =
                        Some(postcard::from_bytes(&value).map_err(|_| corrupt("bootstrap"))?)
                }
                KEY_REDEEM => {
                    state.redeem =
                        Some(postcard::from_bytes(&value).map_err(|_| corrupt("redeem"))?)
                }
                KEY_ROLE => {
                    state.role = Some(postcard::from_bytes(&value).map_err(|_| corrupt("role"))?)
                }
                KEY_LAST_ERROR => {
                    state.last_error = Some(String::from_utf8_lossy(&value).into_owned())
                }
                // Keys from a newer client version are left alone.
                _ => {}
            }
        }
        Ok(state)
    }

    pub fn set_device_secret(&self, secret: &[u8; 32]) -> Result<(), ClientError> {
        set_meta(&self.conn, KEY_DEVICE_SECRET, secret)
    }

    /// Names the workspace this state syncs, with the secret to present on
    /// the first connection. Forgets any earlier workspace's progress.
    pub fn set_workspace(
        &mut self,
        workspace: WorkspaceId,
        origin: &str,
        redeem: &Redeem,
    ) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        set_meta(&tx, KEY_WORKSPACE, &workspace.0)?;
        set_meta(&tx, KEY_ORIGIN, origin.as_bytes())?;
        set_meta(&tx, KEY_REDEEM, &postcard_bytes(redeem))?;
        for key in [KEY_CURSOR, KEY_BOOTSTRAP, KEY_ROLE, KEY_LAST_ERROR] {
            tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Undoes `set_workspace` after the relay refused the secret, so the
    /// user can try again with another one.
    pub fn clear_workspace(&mut self) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        for key in [
            KEY_WORKSPACE,
            KEY_ORIGIN,
            KEY_REDEEM,
            KEY_CURSOR,
            KEY_BOOTSTRAP,
            KEY_ROLE,
        ] {
            tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The relay accepted this device: the secret is spent.
    pub fn set_joined(&self, role: Role) -> Result<(), ClientError> {
        let tx = self.conn.unchecked_transaction()?;
        set_meta(&tx, KEY_ROLE, &postcard_bytes(&role))?;
        tx.execute("DELETE FROM meta WHERE key = ?1", [KEY_REDEEM])?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_last_error(&self, error: Option<&str>) -> Result<(), ClientError> {
        match error {
            Some(e) => set_meta(&self.conn, KEY_LAST_ERROR, e.as_bytes()),
            None => {
                self.conn
                    .execute("DELETE FROM meta WHERE key = ?1", [KEY_LAST_ERROR])?;
                Ok(())
            }
        }
    }

    /// The outbox in insertion order.
    pub fn outbox(&self) -> Result<Vec<NewEntry>, ClientError> {
        let mut stmt = self.conn.prepare("SELECT entry FROM outbox ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|row| {
            postcard::from_bytes(&row?).map_err(|_| corrupt("an outbox entry does not decode"))
        })
        .collect()
    }

    /// The stored bytes of a document and how many change chunks follow
    /// its last full save.
    pub fn doc(&self, doc_id: DocId) -> Result<Option<(Vec<u8>, u32)>, ClientError> {
        Ok(self
            .conn
            .query_row(
                "SELECT bytes, chunks FROM docs WHERE doc_id = ?1",
                [&doc_id.0[..]],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn doc_ids(&self) -> Result<Vec<DocId>, ClientError> {
        let mut stmt = self
            .conn
            .prepare("SELECT doc_id FROM docs ORDER BY doc_id")?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|row| Ok(DocId(fixed(row?, "doc id")?))).collect()
    }

    pub fn doc_count(&self) -> Result<u64, ClientError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM docs", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Local edits: the documents and their outbox entries, together.
    pub fn commit_local(
        &mut self,
        docs: &[DocWrite],
        entries: &[NewEntry],
    ) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        put_docs(&tx, docs)?;
        {
            let mut insert = tx.prepare("INSERT INTO outbox (blob_id, entry) VALUES (?1, ?2)")?;
            for entry in entries {
                insert.execute(params![&entry.header.blob_id.0[..], postcard_bytes(entry)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A merged pull batch: the documents and the new cursor, together.
    pub fn commit_apply(&mut self, docs: &[DocWrite], cursor: Seq) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        put_docs(&tx, docs)?;
        set_meta(&tx, KEY_CURSOR, &cursor.0.to_be_bytes())?;
        tx.commit()?;
        Ok(())
    }

    /// A merged bootstrap page: the documents and where to resume, or on
    /// the last page the cursor the bootstrap brought the device to.
    pub fn commit_bootstrap(
        &mut self,
        docs: &[DocWrite],
        upto: Seq,
        next: Option<BootstrapResume>,
    ) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        put_docs(&tx, docs)?;
        match next {
            Some(resume) => set_meta(&tx, KEY_BOOTSTRAP, &postcard_bytes(&resume))?,
            None => {
                tx.execute("DELETE FROM meta WHERE key = ?1", [KEY_BOOTSTRAP])?;
                // A cursor never goes back, even if a relay restored from a
                // backup bootstraps us to an older head.
                let old = cursor_in(&tx)?;
                set_meta(&tx, KEY_CURSOR, &old.max(upto).0.to_be_bytes())?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn remove_acked(&mut self, blob_ids: &[BlobId]) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        {
            let mut delete = tx.prepare("DELETE FROM outbox WHERE blob_id = ?1")?;
            for blob in blob_ids {
                delete.execute([&blob.0[..]])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

fn postcard_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Encoding into a Vec cannot fail for these types (fixed arrays,
    // strings, enums).
    postcard::to_allocvec(value).unwrap_or_default()
}

fn set_meta(conn: &Connection, key: &str, value: &[u8]) -> Result<(), ClientError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

fn cursor_in(tx: &Transaction<'_>) -> Result<Seq, ClientError> {
    let value: Option<Vec<u8>> = tx
        .query_row("SELECT value FROM meta WHERE key = ?1", [KEY_CURSOR], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(match value {
        Some(v) => Seq(u64::from_be_bytes(fixed(v, "cursor")?)),
        None => Seq::ZERO,
    })
}

fn put_docs(tx: &Transaction<'_>, docs: &[DocWrite]) -> Result<(), ClientError> {
    let mut replace = tx.prepare(
        "INSERT INTO docs (doc_id, bytes, chunks) VALUES (?1, ?2, 0)
         ON CONFLICT (doc_id) DO UPDATE SET bytes = excluded.bytes, chunks = 0",
    )?;
    // `||` yields text; the cast keeps every byte (SQLite tracks lengths,
    // so zero bytes survive) and gives the column back its blob type.
    let mut append = tx.prepare(
        "INSERT INTO docs (doc_id, bytes, chunks) VALUES (?1, ?2, ?3)
         ON CONFLICT (doc_id) DO UPDATE
         SET bytes = CAST(bytes || excluded.bytes AS BLOB), chunks = chunks + excluded.chunks",
    )?;
    for write in docs {
        match write {
            DocWrite::Replace { doc_id, bytes } => {
                replace.execute(params![&doc_id.0[..], bytes])?;
            }
            DocWrite::Append {
                doc_id,
                bytes,
                chunks,
            } => {
                append.execute(params![&doc_id.0[..], bytes, chunks])?;
            }
        }
    }
    Ok(())
}

/// The device key sits in this directory in plaintext (until the
/// passphrase issue): keep other local users out.
fn restrict_permissions(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(err) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            tracing::warn!(path = %path.display(), %err, "could not restrict permissions");
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::signing::DeviceKey;
    use shared::wire::{EntryHeader, EntryKind};

    fn entry(key: &DeviceKey, n: u8) -> NewEntry {
        key.sign_entry(
            WorkspaceId([9; 16]),
            EntryHeader {
                doc_id: DocId([n; 16]),
                kind: EntryKind::Change,
                blob_id: BlobId([n; 16]),
                author: key.device_id(),
                key_epoch: 0,
            },
            vec![n; 5],
        )
    }

    #[test]
    fn state_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let key = DeviceKey::from_secret(&[7; 32]);
        let resume = BootstrapResume {
            upto: Seq(40),
            after_doc: DocId([3; 16]),
        };
        {
            let mut store = Store::open(dir.path()).unwrap();
            assert_eq!(store.load_state().unwrap(), StoredState::default());
            store.set_device_secret(&key.secret()).unwrap();
            store
                .set_workspace(
                    WorkspaceId([9; 16]),
                    "http://127.0.0.1:1",
                    &Redeem::Ticket([5; 32]),
                )
                .unwrap();
            store
                .commit_local(
                    &[DocWrite::Replace {
                        doc_id: DocId([1; 16]),
                        bytes: vec![1, 2, 3],
                    }],
                    &[entry(&key, 1), entry(&key, 2), entry(&key, 3)],
                )
                .unwrap();
            store
                .commit_apply(
                    &[DocWrite::Append {
                        doc_id: DocId([1; 16]),
                        bytes: vec![4],
                        chunks: 1,
                    }],
                    Seq(12),
                )
                .unwrap();
            store
                .commit_bootstrap(
                    &[DocWrite::Append {
                        doc_id: DocId([2; 16]),
                        bytes: vec![5],
                        chunks: 2,
                    }],
                    Seq(40),
                    Some(resume),
                )
                .unwrap();
            store.remove_acked(&[BlobId([2; 16])]).unwrap();
            store.set_last_error(Some("relay down")).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let state = store.load_state().unwrap();
        assert_eq!(
            state,
            StoredState {
                device_secret: Some([7; 32]),
                workspace: Some(WorkspaceId([9; 16])),
                origin: Some("http://127.0.0.1:1".into()),
                cursor: Seq(12),
                bootstrap: Some(resume),
                redeem: Some(Redeem::Ticket([5; 32])),
                role: None,
                last_error: Some("relay down".into()),
            }
        );
        // Insertion order, acknowledged entries gone.
        assert_eq!(
            store.outbox().unwrap(),
            vec![entry(&key, 1), entry(&key, 3)]
        );
        assert_eq!(
            store.doc(DocId([1; 16])).unwrap(),
            Some((vec![1, 2, 3, 4], 1))
        );
        assert_eq!(store.doc(DocId([2; 16])).unwrap(), Some((vec![5], 2)));
        assert_eq!(
            store.doc_ids().unwrap(),
            vec![DocId([1; 16]), DocId([2; 16])]
        );
        assert_eq!(store.doc_count().unwrap(), 2);
    }

    #[test]
    fn joining_spends_the_secret_and_the_last_page_sets_the_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store
            .set_workspace(
                WorkspaceId([9; 16]),
                "http://x",
                &Redeem::SetupCode("C".into()),
            )
            .unwrap();
        store.set_joined(Role::Admin).unwrap();
        store
            .commit_bootstrap(
                &[],
                Seq(7),
                Some(BootstrapResume {
                    upto: Seq(7),
                    after_doc: DocId([1; 16]),
                }),
            )
            .unwrap();
        store.commit_bootstrap(&[], Seq(7), None).unwrap();
        let state = store.load_state().unwrap();
        assert_eq!(state.role, Some(Role::Admin));
        assert_eq!(state.redeem, None);
        assert_eq!(state.bootstrap, None);
        assert_eq!(state.cursor, Seq(7));

        store.clear_workspace().unwrap();
        let state = store.load_state().unwrap();
        assert_eq!(
            (state.workspace, state.role, state.cursor),
            (None, None, Seq::ZERO)
        );
    }

    #[test]
    fn a_newer_schema_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 9).unwrap();
        drop(conn);
        let err = Store::open(dir.path()).unwrap_err();
        assert!(err.to_string().contains("newer homeward"), "{err}");
    }
}
