//! The client's durable state: one SQLite file in the state directory.
//!
//! WAL with `synchronous=FULL`: a commit returns only once it is on disk,
//! which is what lets the driver tell the engine "applied" (the cursor may
//! move) or "enqueued" (the edit is safe) right after it.
//!
//! Tables: `meta` (device key, workspace, workspace key, relay origin,
//! cursor, bootstrap resume point, pending redeem, role, last error), `docs`
//! (doc id → the whole Automerge document), `outbox` (sealed entries not yet
//! acknowledged, in insertion order) and `quarantine` (headers of entries
//! that failed to verify or open, never their bodies).
//!
//! Nothing here is encrypted: the device key, the workspace key and the
//! documents are plaintext on disk. The directory is made private (0700,
//! files 0600 on unix); keep it on an encrypted disk. The browser app wraps
//! its keys under a passphrase; this operator tool does not.
//!
//! A document is stored as bytes `Automerge::load` accepts: a full save,
//! followed by the change chunks merged since (`chunks` counts them). A
//! small edit then appends its ~100-byte change instead of re-saving (and
//! re-compressing) the whole document; the driver writes a full save once
//! enough chunks piled up.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::sealing::{Quarantined, WorkspaceKey};
use shared::wire::{BootstrapResume, NewEntry, Redeem, Role};

use crate::error::ClientError;

/// The database file inside the state directory.
pub const DB_FILE: &str = "homeward-client.sqlite3";
const SCHEMA_VERSION: i64 = 2;

const KEY_DEVICE_SECRET: &str = "device_secret";
const KEY_WORKSPACE: &str = "workspace";
/// Key epoch (4 bytes, big-endian) then the 32-byte key.
const KEY_WORKSPACE_KEY: &str = "workspace_key";
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
    /// Plaintext on disk (see the module note).
    pub device_secret: Option<[u8; 32]>,
    pub workspace: Option<WorkspaceId>,
    /// The key entries are sealed under; plaintext on disk like the device
    /// key.
    pub workspace_key: Option<WorkspaceKey>,
    pub origin: Option<String>,
    pub cursor: Seq,
    pub bootstrap: Option<BootstrapResume>,
    pub redeem: Option<Redeem>,
    pub role: Option<Role>,
    pub last_error: Option<String>,
}

/// What the device keeps of an entry it could not verify or open: its
/// header and why, never its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedEntry {
    pub seq: Seq,
    pub doc_id: DocId,
    pub blob_id: BlobId,
    pub author: DeviceId,
    pub key_epoch: u32,
    /// `OpenError::kind()`: `signature`, `decrypt`, `unknown_epoch`, …
    pub error: String,
    /// When this device set it aside.
    pub at_ms: i64,
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
        create_private(&path);
        let conn = Connection::open(&path)?;
        restrict_permissions(&path, 0o600);
        // Another process (a second `homeward` run) may hold the write lock
        // for a moment; wait instead of failing.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // SQLite gives these its database's mode; a directory copied from
        // elsewhere may hold older ones.
        for suffix in ["-wal", "-shm"] {
            let mut side = path.clone().into_os_string();
            side.push(suffix);
            let side = PathBuf::from(side);
            if side.exists() {
                restrict_permissions(&side, 0o600);
            }
        }
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
        if found < 2 {
            // Sealed entries (issue 5). A state from before has no workspace
            // key; `NativeClient::open` says so.
            conn.execute_batch(
                "BEGIN;
                 CREATE TABLE IF NOT EXISTS quarantine (
                     seq INTEGER PRIMARY KEY,
                     doc_id BLOB NOT NULL,
                     blob_id BLOB NOT NULL,
                     author BLOB NOT NULL,
                     key_epoch INTEGER NOT NULL,
                     error TEXT NOT NULL,
                     at_ms INTEGER NOT NULL
                 );
                 PRAGMA user_version = 2;
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
                KEY_WORKSPACE_KEY => {
                    let raw: [u8; 36] = fixed(value, "workspace key")?;
                    let (epoch, key) = raw.split_at(4);
                    state.workspace_key = Some(WorkspaceKey::from_bytes(
                        u32::from_be_bytes(fixed(epoch.to_vec(), "workspace key")?),
                        fixed(key.to_vec(), "workspace key")?,
                    ));
                }
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

    /// Names the workspace this state syncs, its key, and the secret to
    /// present on the first connection. Forgets any earlier workspace's
    /// progress.
    pub fn set_workspace(
        &mut self,
        workspace: WorkspaceId,
        key: &WorkspaceKey,
        origin: &str,
        redeem: &Redeem,
    ) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        set_meta(&tx, KEY_WORKSPACE, &workspace.0)?;
        let mut stored_key = key.epoch().to_be_bytes().to_vec();
        stored_key.extend_from_slice(&key.to_bytes());
        set_meta(&tx, KEY_WORKSPACE_KEY, &stored_key)?;
        set_meta(&tx, KEY_ORIGIN, origin.as_bytes())?;
        set_meta(&tx, KEY_REDEEM, &postcard_bytes(redeem))?;
        for key in [KEY_CURSOR, KEY_BOOTSTRAP, KEY_ROLE, KEY_LAST_ERROR] {
            tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
        }
        tx.execute("DELETE FROM quarantine", [])?;
        tx.commit()?;
        Ok(())
    }

    /// Undoes `set_workspace` after the relay refused the secret, so the
    /// user can try again with another one.
    pub fn clear_workspace(&mut self) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        for key in [
            KEY_WORKSPACE,
            KEY_WORKSPACE_KEY,
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

    /// A merged pull batch: the documents, the entries set aside, and the
    /// new cursor (past both), together.
    pub fn commit_apply(
        &mut self,
        docs: &[DocWrite],
        quarantined: &[Quarantined],
        cursor: Seq,
        now_ms: i64,
    ) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        put_docs(&tx, docs)?;
        put_quarantined(&tx, quarantined, now_ms)?;
        set_meta(&tx, KEY_CURSOR, &cursor.0.to_be_bytes())?;
        tx.commit()?;
        Ok(())
    }

    /// A merged bootstrap page: the documents, the entries set aside, and
    /// where to resume, or on the last page the cursor the bootstrap
    /// brought the device to.
    pub fn commit_bootstrap(
        &mut self,
        docs: &[DocWrite],
        quarantined: &[Quarantined],
        upto: Seq,
        next: Option<BootstrapResume>,
        now_ms: i64,
    ) -> Result<(), ClientError> {
        let tx = self.conn.transaction()?;
        put_docs(&tx, docs)?;
        put_quarantined(&tx, quarantined, now_ms)?;
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

    /// How many entries of the log this device set aside.
    pub fn quarantine_count(&self) -> Result<u64, ClientError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM quarantine", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// The entries set aside, in log order.
    pub fn quarantined(&self) -> Result<Vec<QuarantinedEntry>, ClientError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, doc_id, blob_id, author, key_epoch, error, at_ms
             FROM quarantine ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        rows.map(|row| {
            let (seq, doc_id, blob_id, author, key_epoch, error, at_ms) = row?;
            Ok(QuarantinedEntry {
                seq: Seq(u64::try_from(seq).map_err(|_| corrupt("a quarantined seq"))?),
                doc_id: DocId(fixed(doc_id, "a quarantined doc id")?),
                blob_id: BlobId(fixed(blob_id, "a quarantined blob id")?),
                author: DeviceId(fixed(author, "a quarantined author")?),
                key_epoch: u32::try_from(key_epoch)
                    .map_err(|_| corrupt("a quarantined key epoch"))?,
                error,
                at_ms,
            })
        })
        .collect()
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

/// Headers and error kinds only: a body that did not open is dropped. An
/// entry delivered twice (a bootstrap page overlapping a pull) is kept once.
fn put_quarantined(
    tx: &Transaction<'_>,
    quarantined: &[Quarantined],
    now_ms: i64,
) -> Result<(), ClientError> {
    let mut insert = tx.prepare(
        "INSERT OR IGNORE INTO quarantine (seq, doc_id, blob_id, author, key_epoch, error, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for q in quarantined {
        let h = &q.header;
        insert.execute(params![
            i64::try_from(q.seq.0).unwrap_or(i64::MAX),
            &h.doc_id.0[..],
            &h.blob_id.0[..],
            &h.author.0[..],
            i64::from(h.key_epoch),
            q.error.kind(),
            now_ms,
        ])?;
    }
    Ok(())
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

/// Creates `path` (if missing) readable by its owner only, before SQLite
/// opens it: SQLite would create it with the umask's mode, and give its WAL
/// and shared-memory files the database's mode.
fn create_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        if let Err(err) = created
            && err.kind() != std::io::ErrorKind::AlreadyExists
        {
            tracing::warn!(path = %path.display(), %err, "could not create the state file");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The device key, the workspace key and the documents sit in this
/// directory in plaintext: keep other local users out.
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
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use shared::sealing::{EntrySealer, OpenError};
    use shared::signing::DeviceKey;
    use shared::wire::{EntryHeader, EntryKind};

    fn workspace_key() -> WorkspaceKey {
        WorkspaceKey::from_bytes(0, [6; 32])
    }

    /// A sealed change of document `n`; the same `n` gives the same entry.
    fn entry(key: &DeviceKey, n: u8) -> NewEntry {
        let sealer = EntrySealer {
            workspace: WorkspaceId([9; 16]),
            device: key.clone(),
            key: workspace_key(),
        };
        let mut rng = StdRng::seed_from_u64(u64::from(n));
        sealer.seal(&mut rng, DocId([n; 16]), EntryKind::Change, &[n; 5])
    }

    fn quarantined(seq: u64, n: u8, error: OpenError) -> Quarantined {
        Quarantined {
            seq: Seq(seq),
            header: EntryHeader {
                doc_id: DocId([n; 16]),
                kind: EntryKind::Change,
                blob_id: BlobId([n; 16]),
                author: DeviceId([n; 32]),
                key_epoch: 0,
            },
            error,
        }
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
                    &WorkspaceKey::from_bytes(7, [6; 32]),
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
                    &[quarantined(11, 3, OpenError::Decrypt)],
                    Seq(12),
                    1_000,
                )
                .unwrap();
            store
                .commit_bootstrap(
                    &[DocWrite::Append {
                        doc_id: DocId([2; 16]),
                        bytes: vec![5],
                        chunks: 2,
                    }],
                    &[
                        quarantined(30, 4, OpenError::UnknownEpoch { epoch: 2 }),
                        // Seen again in an overlapping page: kept once.
                        quarantined(11, 3, OpenError::Decrypt),
                    ],
                    Seq(40),
                    Some(resume),
                    2_000,
                )
                .unwrap();
            store
                .remove_acked(&[entry(&key, 2).header.blob_id])
                .unwrap();
            store.set_last_error(Some("relay down")).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let state = store.load_state().unwrap();
        assert_eq!(
            state,
            StoredState {
                device_secret: Some([7; 32]),
                workspace: Some(WorkspaceId([9; 16])),
                workspace_key: Some(WorkspaceKey::from_bytes(7, [6; 32])),
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
        // Headers and why, in log order; never a body.
        assert_eq!(store.quarantine_count().unwrap(), 2);
        assert_eq!(
            store.quarantined().unwrap(),
            vec![
                QuarantinedEntry {
                    seq: Seq(11),
                    doc_id: DocId([3; 16]),
                    blob_id: BlobId([3; 16]),
                    author: DeviceId([3; 32]),
                    key_epoch: 0,
                    error: "decrypt".into(),
                    at_ms: 1_000,
                },
                QuarantinedEntry {
                    seq: Seq(30),
                    doc_id: DocId([4; 16]),
                    blob_id: BlobId([4; 16]),
                    author: DeviceId([4; 32]),
                    key_epoch: 0,
                    error: "unknown_epoch".into(),
                    at_ms: 2_000,
                },
            ]
        );
    }

    #[test]
    fn joining_spends_the_secret_and_the_last_page_sets_the_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store
            .set_workspace(
                WorkspaceId([9; 16]),
                &workspace_key(),
                "http://x",
                &Redeem::SetupCode("C".into()),
            )
            .unwrap();
        store.set_joined(Role::Admin).unwrap();
        store
            .commit_bootstrap(
                &[],
                &[],
                Seq(7),
                Some(BootstrapResume {
                    upto: Seq(7),
                    after_doc: DocId([1; 16]),
                }),
                0,
            )
            .unwrap();
        store.commit_bootstrap(&[], &[], Seq(7), None, 0).unwrap();
        let state = store.load_state().unwrap();
        assert_eq!(state.role, Some(Role::Admin));
        assert_eq!(state.redeem, None);
        assert_eq!(state.bootstrap, None);
        assert_eq!(state.cursor, Seq(7));

        store.clear_workspace().unwrap();
        let state = store.load_state().unwrap();
        assert_eq!(
            (
                state.workspace,
                state.workspace_key,
                state.role,
                state.cursor
            ),
            (None, None, None, Seq::ZERO)
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_state_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("state");
        let mut store = Store::open(&dir).unwrap();
        store
            .set_workspace(
                WorkspaceId([9; 16]),
                &workspace_key(),
                "http://x",
                &Redeem::SetupCode("C".into()),
            )
            .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        let db = dir.join(DB_FILE);
        assert_eq!(mode(&db), 0o600);
        let mut checked = 1;
        for side in ["-wal", "-shm"] {
            let side = dir.join(format!("{DB_FILE}{side}"));
            if side.exists() {
                assert_eq!(mode(&side), 0o600, "{}", side.display());
                checked += 1;
            }
        }
        assert!(checked > 1, "WAL mode makes a -wal file");
    }

    #[test]
    fn a_state_from_before_sealing_gains_the_quarantine_table() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.execute_batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE docs (doc_id BLOB PRIMARY KEY, bytes BLOB NOT NULL,
                                chunks INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,
                                  blob_id BLOB NOT NULL UNIQUE, entry BLOB NOT NULL);
             INSERT INTO meta VALUES ('workspace', x'09090909090909090909090909090909');
             PRAGMA user_version = 1;",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(dir.path()).unwrap();
        let state = store.load_state().unwrap();
        assert_eq!(
            (state.workspace, state.workspace_key),
            (Some(WorkspaceId([9; 16])), None)
        );
        assert_eq!(store.quarantine_count().unwrap(), 0);
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
