//! The embedded default store: one SQLite file in the data directory.
//!
//! One writer connection behind a mutex makes seq assignment trivially
//! gap-free (the workspace's counter + 1 inside the write transaction, never
//! a sequence or autoincrement that could skip on rollback). Pulls and
//! bootstraps use a separate read connection so a long write does not stall
//! readers: WAL lets both run.
//!
//! Beside the log, `docs` keeps one row per document: its latest snapshot
//! and the number of change entries after that snapshot's `covers` (the
//! "tail"). It is written in the same transaction as the entries, so a
//! bootstrap walks documents without scanning the log, an ack reports the
//! tail without counting, and pruning finds its work by one index.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::sealing::SealedBody;
use shared::signing::Signature;
use shared::wire::{
    Acked, BootstrapResume, DeviceInfo, Entry, EntryHeader, EntryKind, NewEntry, Role,
};

use crate::log_store::{
    Appended, BootstrapPage, ENTRY_OVERHEAD_BYTES, EntrySummary, LogState, LogStore, Membership,
    Page, Pruned, Redeemed, StoreError,
};

pub const DB_FILE: &str = "homeward.sqlite3";

/// How long a connection waits for another process holding the database
/// (an operator's `list-entries`, a backup) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Documents pruned per write transaction: small enough that pushes wait
/// milliseconds, not the whole prune, for the writer.
const PRUNE_BATCH_DOCS: usize = 64;

/// Schema migrations; `PRAGMA user_version` counts how many have run.
/// Append only: never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE workspaces (
    id   BLOB PRIMARY KEY,
    head INTEGER NOT NULL
);
CREATE TABLE entries (
    workspace BLOB    NOT NULL,
    seq       INTEGER NOT NULL,
    doc_id    BLOB    NOT NULL,
    kind      INTEGER NOT NULL,
    blob_id   BLOB    NOT NULL,
    author    BLOB    NOT NULL,
    key_epoch INTEGER NOT NULL,
    body      BLOB    NOT NULL,
    PRIMARY KEY (workspace, seq),
    UNIQUE (workspace, blob_id)
) WITHOUT ROWID;
",
    // Protocol 2. Schema 1's entries carry no signature and came from
    // devices that never proved a key or joined a workspace, so they cannot
    // be kept as authenticated entries: they are dropped, with their
    // workspaces, rather than migrated. No relay with real users ran schema
    // 1; its devices speak protocol 1 and are refused anyway.
    r"
DROP TABLE entries;
DROP TABLE workspaces;

-- head is the last seq handed out. It is a counter, never max(seq), and
-- never lowered, so pruning cannot make a seq come back.
-- pruned_through is the largest seq ever pruned.
CREATE TABLE workspaces (
    id             BLOB    PRIMARY KEY,
    head           INTEGER NOT NULL,
    pruned_through INTEGER NOT NULL,
    created_ms     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE members (
    workspace  BLOB    NOT NULL,
    device     BLOB    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'documenter', 'viewer')),
    joined_ms  INTEGER NOT NULL,
    revoked_ms INTEGER,
    PRIMARY KEY (workspace, device)
) WITHOUT ROWID;

-- hash is SHA-256 of the ticket; the relay never sees the ticket itself.
CREATE TABLE tickets (
    hash       BLOB    PRIMARY KEY,
    workspace  BLOB    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'documenter', 'viewer')),
    expires_ms INTEGER NOT NULL,
    created_by BLOB    NOT NULL,
    created_ms INTEGER NOT NULL,
    used_by    BLOB,
    used_ms    INTEGER
) WITHOUT ROWID;
-- Revoking a device voids the invites it made.
CREATE INDEX tickets_by_creator ON tickets (workspace, created_by);

CREATE TABLE setup_codes (
    hash           BLOB    PRIMARY KEY,
    created_ms     INTEGER NOT NULL,
    used_by        BLOB,
    used_workspace BLOB,
    used_ms        INTEGER
) WITHOUT ROWID;

-- kind: 0 change, 1 snapshot; covers is set exactly for snapshots.
CREATE TABLE entries (
    workspace BLOB    NOT NULL,
    seq       INTEGER NOT NULL,
    doc_id    BLOB    NOT NULL,
    kind      INTEGER NOT NULL CHECK (kind IN (0, 1)),
    covers    INTEGER CHECK ((kind = 1) = (covers IS NOT NULL)),
    blob_id   BLOB    NOT NULL,
    author    BLOB    NOT NULL,
    key_epoch INTEGER NOT NULL,
    body      BLOB    NOT NULL,
    signature BLOB    NOT NULL,
    stored_ms INTEGER NOT NULL,
    PRIMARY KEY (workspace, seq),
    UNIQUE (workspace, blob_id)
) WITHOUT ROWID;
-- kind sits before seq so that a document's changes after a seq are one
-- contiguous range: the tail count reads only this index, and bootstrap
-- and prune each touch exactly the rows they need.
CREATE INDEX entries_by_doc ON entries (workspace, doc_id, kind, seq);

-- One row per document with any entry. snap_* describe its latest snapshot
-- (the one with the largest covers), NULL before the first. tail counts its
-- change entries with seq > snap_covers. prune_pending is 1 while the
-- latest snapshot's covered entries have not been pruned yet.
CREATE TABLE docs (
    workspace      BLOB    NOT NULL,
    doc_id         BLOB    NOT NULL,
    snap_seq       INTEGER,
    snap_covers    INTEGER,
    snap_stored_ms INTEGER,
    tail           INTEGER NOT NULL,
    prune_pending  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace, doc_id)
) WITHOUT ROWID;
CREATE INDEX docs_to_prune ON docs (snap_stored_ms) WHERE prune_pending = 1;
",
];

/// The columns `entry_from_row` reads, in its order.
macro_rules! entry_columns {
    () => {
        "seq, doc_id, kind, covers, blob_id, author, key_epoch, body, signature"
    };
}

#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `data_dir`, and migrates it.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);

        let mut writer = Connection::open(&path)?;
        writer.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "{} refused WAL mode (it stayed in {mode} mode); is it on a network filesystem?",
                path.display()
            )));
        }
        // FULL makes every commit fsync the WAL. The relay acks a push only
        // after `append` returns, and a client drops its outbox entry on that
        // ack: with NORMAL, a power cut could lose an acked entry that no
        // device holds any more. The same holds for a spent ticket or setup
        // code: once the device is told it joined, the relay must remember.
        writer.pragma_update(None, "synchronous", "FULL")?;
        migrate(&mut writer)?;

        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(BUSY_TIMEOUT)?;

        Ok(SqliteStore {
            path,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    for (done, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        // Another process (`setup-code` beside a starting relay) may have
        // run this migration since the version was read above.
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > done as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", done as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = done + 1, "migrated the relay database");
    }
    Ok(())
}

/// A panic while a connection was locked leaves the mutex poisoned, but the
/// connection itself is fine: rusqlite rolls back an unfinished transaction
/// when it is dropped during the unwind.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

const KIND_CHANGE: i64 = 0;
const KIND_SNAPSHOT: i64 = 1;

fn kind_from_sql(kind: i64, covers: Option<i64>) -> Result<EntryKind, StoreError> {
    match (kind, covers) {
        (KIND_CHANGE, None) => Ok(EntryKind::Change),
        (KIND_SNAPSHOT, Some(covers)) => Ok(EntryKind::Snapshot {
            covers: covers_from_sql(covers),
        }),
        (kind, covers) => Err(StoreError::Corrupt(format!(
            "entry kind {kind} with covers {covers:?}"
        ))),
    }
}

/// Seqs are u64 on the wire and i64 in SQLite. Stored seqs come from the
/// counter and stay far below `i64::MAX`; a client's seq past it (a cursor,
/// a snapshot's `covers`) means "after everything", so it saturates.
fn seq_to_sql(seq: Seq) -> i64 {
    i64::try_from(seq.0).unwrap_or(i64::MAX)
}

/// An entry's `covers` is part of what its author signed, so it must come
/// back bit for bit, even a nonsensical one past `i64::MAX`: it is stored as
/// the same 64 bits. Only `docs.snap_covers`, which the relay computes on,
/// holds a clamped, ordered value.
fn covers_to_sql(covers: Seq) -> i64 {
    i64::from_ne_bytes(covers.0.to_ne_bytes())
}

fn covers_from_sql(value: i64) -> Seq {
    Seq(u64::from_ne_bytes(value.to_ne_bytes()))
}

fn seq_from_sql(value: i64) -> Result<Seq, StoreError> {
    u64::try_from(value)
        .map(Seq)
        .map_err(|_| StoreError::Corrupt(format!("negative seq {value}")))
}

fn epoch_from_sql(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("key epoch {value} out of range")))
}

fn role_from_sql(value: &str) -> Result<Role, StoreError> {
    value.parse().map_err(StoreError::Corrupt)
}

fn tail_from_sql(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// Reads `doc_id, kind, covers, blob_id, author, key_epoch` starting at
/// column `at`.
fn header_from_row(row: &Row<'_>, at: usize) -> Result<EntryHeader, StoreError> {
    Ok(EntryHeader {
        doc_id: DocId(row.get(at)?),
        kind: kind_from_sql(row.get(at + 1)?, row.get(at + 2)?)?,
        blob_id: BlobId(row.get(at + 3)?),
        author: DeviceId(row.get(at + 4)?),
        key_epoch: epoch_from_sql(row.get(at + 5)?)?,
    })
}

/// Reads the columns of `entry_columns!()`.
fn entry_from_row(row: &Row<'_>) -> Result<Entry, StoreError> {
    Ok(Entry {
        seq: seq_from_sql(row.get(0)?)?,
        header: header_from_row(row, 1)?,
        body: SealedBody::from_received(row.get(7)?),
        signature: Signature(row.get(8)?),
    })
}

fn entry_cost(entry: &Entry) -> usize {
    entry.body.len().saturating_add(ENTRY_OVERHEAD_BYTES)
}

fn log_state_in(conn: &Connection, workspace: WorkspaceId) -> Result<LogState, StoreError> {
    let row: Option<(i64, i64)> = conn
        .prepare_cached("SELECT head, pruned_through FROM workspaces WHERE id = ?1")?
        .query_row([workspace.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        None => Ok(LogState::default()),
        Some((head, pruned_through)) => Ok(LogState {
            head: seq_from_sql(head)?,
            pruned_through: seq_from_sql(pruned_through)?,
        }),
    }
}

fn workspace_exists(conn: &Connection, workspace: WorkspaceId) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM workspaces WHERE id = ?1")?
        .exists([workspace.0])?)
}

fn membership_in(
    conn: &Connection,
    workspace: WorkspaceId,
    device: DeviceId,
) -> Result<Membership, StoreError> {
    let row: Option<(String, Option<i64>)> = conn
        .prepare_cached(
            "SELECT role, revoked_ms FROM members WHERE workspace = ?1 AND device = ?2",
        )?
        .query_row(params![workspace.0, device.0], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match row {
        None => Ok(Membership::None),
        Some((_, Some(_))) => Ok(Membership::Revoked),
        Some((role, None)) => Ok(Membership::Member(role_from_sql(&role)?)),
    }
}

fn add_member(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    device: DeviceId,
    role: Role,
    now_ms: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO members (workspace, device, role, joined_ms) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![workspace.0, device.0, role.as_str(), now_ms])?;
    Ok(())
}

fn tail_in(conn: &Connection, workspace: WorkspaceId, doc: DocId) -> Result<u32, StoreError> {
    let tail: Option<i64> = conn
        .prepare_cached("SELECT tail FROM docs WHERE workspace = ?1 AND doc_id = ?2")?
        .query_row(params![workspace.0, doc.0], |r| r.get(0))
        .optional()?;
    tail.map(tail_from_sql)
        .ok_or_else(|| StoreError::Corrupt(format!("document {doc} has entries but no index row")))
}

/// Keeps `docs` in step with one newly stored entry at `seq`.
fn index_entry(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    header: &EntryHeader,
    seq: i64,
    now_ms: i64,
) -> Result<(), StoreError> {
    let covers = match header.kind {
        EntryKind::Change => {
            tx.prepare_cached(
                "INSERT INTO docs (workspace, doc_id, tail) VALUES (?1, ?2, 1)
                 ON CONFLICT (workspace, doc_id) DO UPDATE SET tail = tail + 1",
            )?
            .execute(params![workspace.0, header.doc_id.0])?;
            return Ok(());
        }
        // A snapshot cannot hold entries stored after it, whatever it
        // claims; taking the claim at face value would let one bad snapshot
        // get this document's future changes pruned.
        EntryKind::Snapshot { covers } => seq_to_sql(covers).min(seq - 1),
    };
    let current: Option<Option<i64>> = tx
        .prepare_cached("SELECT snap_covers FROM docs WHERE workspace = ?1 AND doc_id = ?2")?
        .query_row(params![workspace.0, header.doc_id.0], |r| r.get(0))
        .optional()?;
    // A snapshot covering less than the latest one (written by a device
    // that was behind) adds nothing a bootstrap needs: it stays in the log
    // but does not become the document's snapshot.
    if current.flatten().is_some_and(|latest| covers <= latest) {
        return Ok(());
    }
    let tail: i64 = tx
        .prepare_cached(
            "SELECT count(*) FROM entries INDEXED BY entries_by_doc
             WHERE workspace = ?1 AND doc_id = ?2 AND kind = 0 AND seq > ?3",
        )?
        .query_row(params![workspace.0, header.doc_id.0, covers], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT INTO docs
             (workspace, doc_id, snap_seq, snap_covers, snap_stored_ms, tail, prune_pending)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)
         ON CONFLICT (workspace, doc_id) DO UPDATE SET
             snap_seq = excluded.snap_seq,
             snap_covers = excluded.snap_covers,
             snap_stored_ms = excluded.snap_stored_ms,
             tail = excluded.tail,
             prune_pending = 1",
    )?
    .execute(params![
        workspace.0,
        header.doc_id.0,
        seq,
        covers,
        now_ms,
        tail
    ])?;
    Ok(())
}

/// Counts and removes the rows a `DELETE … RETURNING seq, length(body)`
/// statement yields, raising `max_seq` to the largest.
fn delete_counted(
    stmt: &mut rusqlite::CachedStatement<'_>,
    args: impl rusqlite::Params,
    pruned: &mut Pruned,
    max_seq: &mut i64,
) -> Result<(), StoreError> {
    let mut rows = stmt.query(args)?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let len: i64 = row.get(1)?;
        pruned.entries += 1;
        pruned.body_bytes += u64::try_from(len).unwrap_or_default();
        *max_seq = (*max_seq).max(seq);
    }
    Ok(())
}

impl SqliteStore {
    /// Prunes up to `PRUNE_BATCH_DOCS` documents in one transaction; returns
    /// whether there was anything to do.
    fn prune_batch(&self, stored_before_ms: i64, total: &mut Pruned) -> Result<bool, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let batch: Vec<([u8; 16], [u8; 16], i64, i64)> = tx
            .prepare_cached(
                "SELECT workspace, doc_id, snap_seq, snap_covers FROM docs
                 WHERE prune_pending = 1 AND snap_stored_ms < ?1
                 LIMIT ?2",
            )?
            .query_map(params![stored_before_ms, PRUNE_BATCH_DOCS as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        if batch.is_empty() {
            return Ok(false);
        }
        let mut pruned = Pruned::default();
        {
            let mut changes = tx.prepare_cached(
                "DELETE FROM entries INDEXED BY entries_by_doc
                 WHERE workspace = ?1 AND doc_id = ?2 AND kind = 0 AND seq <= ?3
                 RETURNING seq, length(body)",
            )?;
            let mut snapshots = tx.prepare_cached(
                "DELETE FROM entries INDEXED BY entries_by_doc
                 WHERE workspace = ?1 AND doc_id = ?2 AND kind = 1 AND seq < ?3
                 RETURNING seq, length(body)",
            )?;
            let mut done = tx.prepare_cached(
                "UPDATE docs SET prune_pending = 0 WHERE workspace = ?1 AND doc_id = ?2",
            )?;
            let mut horizon = tx.prepare_cached(
                "UPDATE workspaces SET pruned_through = max(pruned_through, ?2) WHERE id = ?1",
            )?;
            for (workspace, doc, snap_seq, covers) in &batch {
                let mut max_seq = 0;
                delete_counted(
                    &mut changes,
                    params![workspace, doc, covers],
                    &mut pruned,
                    &mut max_seq,
                )?;
                delete_counted(
                    &mut snapshots,
                    params![workspace, doc, snap_seq],
                    &mut pruned,
                    &mut max_seq,
                )?;
                done.execute(params![workspace, doc])?;
                if max_seq > 0 {
                    horizon.execute(params![workspace, max_seq])?;
                }
            }
        }
        tx.commit()?;
        total.entries += pruned.entries;
        total.body_bytes += pruned.body_bytes;
        Ok(true)
    }
}

impl LogStore for SqliteStore {
    fn append(
        &self,
        workspace: WorkspaceId,
        entries: &[NewEntry],
        now_ms: i64,
    ) -> Result<Appended, StoreError> {
        let mut conn = lock(&self.writer);
        // IMMEDIATE takes the write lock up front, so the head read below
        // cannot be overtaken by another writer (another process, later).
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let start: i64 = tx
            .prepare_cached("SELECT head FROM workspaces WHERE id = ?1")?
            .query_row([workspace.0], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NoSuchWorkspace { workspace })?;
        let mut head = start;
        let mut acks = Vec::with_capacity(entries.len());
        {
            let mut find = tx.prepare_cached(
                "SELECT seq, doc_id FROM entries WHERE workspace = ?1 AND blob_id = ?2",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO entries
                     (workspace, seq, doc_id, kind, covers, blob_id, author, key_epoch, body,
                      signature, stored_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for entry in entries {
                let h = &entry.header;
                // A retried upload, or the same blob twice in one push. The
                // relay cannot compare sealed bodies, so the first one wins.
                // Once pruned, a blob is forgotten: a retry that late is
                // stored again, which merging devices shrug off.
                let existing: Option<(i64, [u8; 16])> = find
                    .query_row(params![workspace.0, h.blob_id.0], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?;
                let (seq, doc) = match existing {
                    Some((seq, doc)) => (seq, DocId(doc)),
                    None => {
                        head = head
                            .checked_add(1)
                            .ok_or(StoreError::SeqOverflow { workspace })?;
                        let (kind, covers) = match h.kind {
                            EntryKind::Change => (KIND_CHANGE, None),
                            EntryKind::Snapshot { covers } => {
                                (KIND_SNAPSHOT, Some(covers_to_sql(covers)))
                            }
                        };
                        insert.execute(params![
                            workspace.0,
                            head,
                            h.doc_id.0,
                            kind,
                            covers,
                            h.blob_id.0,
                            h.author.0,
                            i64::from(h.key_epoch),
                            entry.body.as_bytes(),
                            entry.signature.0,
                            now_ms,
                        ])?;
                        index_entry(&tx, workspace, h, head, now_ms)?;
                        (head, h.doc_id)
                    }
                };
                acks.push(Acked {
                    blob_id: h.blob_id,
                    seq: seq_from_sql(seq)?,
                    tail: tail_in(&tx, workspace, doc)?,
                });
            }
        }
        if head != start {
            tx.prepare_cached("UPDATE workspaces SET head = ?2 WHERE id = ?1")?
                .execute(params![workspace.0, head])?;
        }
        tx.commit()?;
        let stored = usize::try_from(head - start).unwrap_or_default();
        Ok(Appended { acks, stored })
    }

    fn read_after(
        &self,
        workspace: WorkspaceId,
        after: Seq,
        max_bytes: usize,
    ) -> Result<Page, StoreError> {
        let after = seq_to_sql(after);
        let mut conn = lock(&self.reader);
        // One read transaction: head and entries come from the same snapshot.
        let tx = conn.transaction()?;
        let head = log_state_in(&tx, workspace)?.head;
        let mut entries = Vec::new();
        let mut has_more = false;
        {
            let mut stmt = tx.prepare_cached(concat!(
                "SELECT ",
                entry_columns!(),
                " FROM entries WHERE workspace = ?1 AND seq > ?2 ORDER BY seq"
            ))?;
            let mut rows = stmt.query(params![workspace.0, after])?;
            let mut used = 0usize;
            while let Some(row) = rows.next()? {
                let entry = entry_from_row(row)?;
                let cost = entry_cost(&entry);
                if !entries.is_empty() && used.saturating_add(cost) > max_bytes {
                    has_more = true;
                    break;
                }
                used = used.saturating_add(cost);
                entries.push(entry);
            }
        }
        tx.finish()?;
        Ok(Page {
            entries,
            head,
            has_more,
        })
    }

    fn bootstrap_page(
        &self,
        workspace: WorkspaceId,
        resume: Option<BootstrapResume>,
        max_bytes: usize,
    ) -> Result<BootstrapPage, StoreError> {
        let mut conn = lock(&self.reader);
        // One read transaction, so every document of the page is read as of
        // one moment; across pages the log may move on, which is fine: each
        // document is read whole, and anything stored after `upto` the
        // device pulls again later (merging twice is harmless).
        let tx = conn.transaction()?;
        let upto = match resume {
            Some(resume) => resume.upto,
            None => log_state_in(&tx, workspace)?.head,
        };
        // Every doc id sorts after the empty blob.
        let after_doc: Vec<u8> = resume.map(|r| r.after_doc.0.to_vec()).unwrap_or_default();
        let count_docs_upto = |last: &[u8]| -> Result<u64, StoreError> {
            let n: i64 = tx
                .prepare_cached("SELECT count(*) FROM docs WHERE workspace = ?1 AND doc_id <= ?2")?
                .query_row(params![workspace.0, last], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or_default())
        };
        let docs_total: i64 = tx
            .prepare_cached("SELECT count(*) FROM docs WHERE workspace = ?1")?
            .query_row([workspace.0], |r| r.get(0))?;

        let mut entries = Vec::new();
        let mut last_doc: Option<DocId> = None;
        let mut more = false;
        {
            let mut docs = tx.prepare_cached(
                "SELECT doc_id, snap_seq, snap_covers FROM docs
                 WHERE workspace = ?1 AND doc_id > ?2 ORDER BY doc_id",
            )?;
            let mut snapshot = tx.prepare_cached(concat!(
                "SELECT ",
                entry_columns!(),
                " FROM entries WHERE workspace = ?1 AND seq = ?2"
            ))?;
            // Without the hint, SQLite may walk the primary key from
            // `covers` to the head, filtering by document: the rest of the
            // log once per document.
            let mut changes = tx.prepare_cached(concat!(
                "SELECT ",
                entry_columns!(),
                " FROM entries INDEXED BY entries_by_doc
                 WHERE workspace = ?1 AND doc_id = ?2 AND kind = 0 AND seq > ?3
                 ORDER BY seq"
            ))?;
            let mut rows = docs.query(params![workspace.0, after_doc])?;
            let mut used = 0usize;
            while let Some(row) = rows.next()? {
                let doc = DocId(row.get(0)?);
                let snap_seq: Option<i64> = row.get(1)?;
                let snap_covers: Option<i64> = row.get(2)?;
                let mut doc_entries = Vec::new();
                if let Some(snap_seq) = snap_seq {
                    let mut found = snapshot.query(params![workspace.0, snap_seq])?;
                    let row = found.next()?.ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "document {doc}'s latest snapshot (seq {snap_seq}) is missing"
                        ))
                    })?;
                    doc_entries.push(entry_from_row(row)?);
                }
                let mut found =
                    changes.query(params![workspace.0, doc.0, snap_covers.unwrap_or(-1)])?;
                while let Some(row) = found.next()? {
                    doc_entries.push(entry_from_row(row)?);
                }
                let cost = doc_entries
                    .iter()
                    .map(entry_cost)
                    .fold(0usize, usize::saturating_add);
                if last_doc.is_some() && used.saturating_add(cost) > max_bytes {
                    more = true;
                    break;
                }
                used = used.saturating_add(cost);
                entries.extend(doc_entries);
                last_doc = Some(doc);
            }
        }
        let docs_done = match last_doc {
            Some(last) => count_docs_upto(&last.0)?,
            None if resume.is_some() => count_docs_upto(&after_doc)?,
            None => 0,
        };
        let next = match last_doc {
            Some(after_doc) if more => Some(BootstrapResume { upto, after_doc }),
            _ => None,
        };
        tx.finish()?;
        Ok(BootstrapPage {
            entries,
            upto,
            next,
            docs_done,
            docs_total: u64::try_from(docs_total).unwrap_or_default(),
        })
    }

    fn log_state(&self, workspace: WorkspaceId) -> Result<LogState, StoreError> {
        log_state_in(&lock(&self.reader), workspace)
    }

    fn prune(&self, stored_before_ms: i64) -> Result<Pruned, StoreError> {
        let mut total = Pruned::default();
        // The writer lock is released between batches, so pushes interleave.
        while self.prune_batch(stored_before_ms, &mut total)? {}
        if total.entries > 0 {
            tracing::info!(
                entries = total.entries,
                body_bytes = total.body_bytes,
                "pruned entries covered by snapshots"
            );
        }
        Ok(total)
    }

    fn membership(
        &self,
        workspace: WorkspaceId,
        device: DeviceId,
    ) -> Result<Membership, StoreError> {
        membership_in(&lock(&self.reader), workspace, device)
    }

    fn redeem_setup_code(
        &self,
        code_hash: [u8; 32],
        workspace: WorkspaceId,
        device: DeviceId,
        now_ms: i64,
    ) -> Result<Redeemed, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // None: no such code; Some(None): unspent; Some(Some(_)): spent by
        // that device on that workspace.
        let code: Option<Option<(DeviceId, WorkspaceId)>> = tx
            .prepare_cached("SELECT used_by, used_workspace FROM setup_codes WHERE hash = ?1")?
            .query_row([code_hash], |r| {
                let by: Option<[u8; 32]> = r.get(0)?;
                let on: Option<[u8; 16]> = r.get(1)?;
                Ok(by.zip(on).map(|(by, on)| (DeviceId(by), WorkspaceId(on))))
            })
            .optional()?;
        let outcome = match code {
            None => Redeemed::Invalid,
            // The device's first attempt went through but it never heard
            // the answer: let it in, as whatever it is now.
            Some(Some(spent)) if spent == (device, workspace) => {
                match membership_in(&tx, workspace, device)? {
                    Membership::Member(role) => Redeemed::AlreadyMember(role),
                    Membership::Revoked => Redeemed::Revoked,
                    Membership::None => Redeemed::Invalid,
                }
            }
            Some(Some(_)) => Redeemed::Invalid,
            // Not spent on an existing workspace: whoever holds the code may
            // create a workspace, not take over one.
            Some(None) if workspace_exists(&tx, workspace)? => Redeemed::Invalid,
            Some(None) => {
                tx.prepare_cached(
                    "INSERT INTO workspaces (id, head, pruned_through, created_ms)
                     VALUES (?1, 0, 0, ?2)",
                )?
                .execute(params![workspace.0, now_ms])?;
                add_member(&tx, workspace, device, Role::Admin, now_ms)?;
                tx.prepare_cached(
                    "UPDATE setup_codes SET used_by = ?2, used_workspace = ?3, used_ms = ?4
                     WHERE hash = ?1",
                )?
                .execute(params![code_hash, device.0, workspace.0, now_ms])?;
                Redeemed::Joined(Role::Admin)
            }
        };
        tx.commit()?;
        Ok(outcome)
    }

    fn redeem_ticket(
        &self,
        ticket_hash: [u8; 32],
        workspace: WorkspaceId,
        device: DeviceId,
        now_ms: i64,
    ) -> Result<Redeemed, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Standing first: a member presenting a ticket again (a retry whose
        // answer was lost, or a second invite) spends nothing, and a revoked
        // device stays out whatever it presents.
        let outcome = match membership_in(&tx, workspace, device)? {
            Membership::Member(role) => Redeemed::AlreadyMember(role),
            Membership::Revoked => Redeemed::Revoked,
            Membership::None => {
                // Looking up by hash *and* workspace binds a ticket to the
                // workspace it was made for.
                let ticket: Option<(String, i64, Option<Vec<u8>>)> = tx
                    .prepare_cached(
                        "SELECT role, expires_ms, used_by FROM tickets
                         WHERE hash = ?1 AND workspace = ?2",
                    )?
                    .query_row(params![ticket_hash, workspace.0], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .optional()?;
                match ticket {
                    Some((role, expires_ms, None)) if now_ms < expires_ms => {
                        let role = role_from_sql(&role)?;
                        add_member(&tx, workspace, device, role, now_ms)?;
                        tx.prepare_cached(
                            "UPDATE tickets SET used_by = ?2, used_ms = ?3 WHERE hash = ?1",
                        )?
                        .execute(params![
                            ticket_hash,
                            device.0,
                            now_ms
                        ])?;
                        Redeemed::Joined(role)
                    }
                    _ => Redeemed::Invalid,
                }
            }
        };
        tx.commit()?;
        Ok(outcome)
    }

    fn add_ticket(
        &self,
        workspace: WorkspaceId,
        ticket_hash: [u8; 32],
        role: Role,
        expires_ms: i64,
        created_by: DeviceId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !workspace_exists(&tx, workspace)? {
            return Err(StoreError::NoSuchWorkspace { workspace });
        }
        // The device draws the ticket, so the same hash again is a retried
        // request: the first registration stands.
        tx.prepare_cached(
            "INSERT INTO tickets (hash, workspace, role, expires_ms, created_by, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (hash) DO NOTHING",
        )?
        .execute(params![
            ticket_hash,
            workspace.0,
            role.as_str(),
            expires_ms,
            created_by.0,
            now_ms
        ])?;
        tx.commit()?;
        Ok(())
    }

    fn devices(&self, workspace: WorkspaceId) -> Result<Vec<DeviceInfo>, StoreError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT device, role, joined_ms, revoked_ms FROM members
             WHERE workspace = ?1 ORDER BY joined_ms, device",
        )?;
        let mut rows = stmt.query([workspace.0])?;
        let mut devices = Vec::new();
        while let Some(row) = rows.next()? {
            let role: String = row.get(1)?;
            devices.push(DeviceInfo {
                device: DeviceId(row.get(0)?),
                role: role_from_sql(&role)?,
                joined_ms: row.get(2)?,
                revoked_ms: row.get(3)?,
            });
        }
        Ok(devices)
    }

    fn revoke(
        &self,
        workspace: WorkspaceId,
        device: DeviceId,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let member = !matches!(membership_in(&tx, workspace, device)?, Membership::None);
        if member {
            // The first revocation's time stands.
            tx.prepare_cached(
                "UPDATE members SET revoked_ms = ?3
                 WHERE workspace = ?1 AND device = ?2 AND revoked_ms IS NULL",
            )?
            .execute(params![workspace.0, device.0, now_ms])?;
            // A lost phone's pending invite links must not let anyone in
            // after the phone is cut off: its unspent tickets expire now.
            tx.prepare_cached(
                "UPDATE tickets SET expires_ms = min(expires_ms, ?3)
                 WHERE workspace = ?1 AND created_by = ?2 AND used_by IS NULL",
            )?
            .execute(params![workspace.0, device.0, now_ms])?;
        }
        tx.commit()?;
        Ok(member)
    }

    fn set_setup_code(&self, code_hash: [u8; 32], now_ms: i64) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM setup_codes WHERE used_by IS NULL", [])?;
        // A code once spent stays spent: setting it again (a fixed code in
        // the configuration, at every start) must not let it create more
        // workspaces. Callers should draw a fresh code each time.
        tx.execute(
            "INSERT INTO setup_codes (hash, created_ms) VALUES (?1, ?2)
             ON CONFLICT (hash) DO NOTHING",
            params![code_hash, now_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        let any: bool = lock(&self.reader)
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM workspaces)")?
            .query_row([], |r| r.get(0))?;
        Ok(!any)
    }

    fn list_all(
        &self,
        visit: &mut dyn FnMut(EntrySummary) -> io::Result<()>,
    ) -> Result<(), StoreError> {
        let conn = lock(&self.reader);
        // SQLite answers length() of a blob from the record header, without
        // loading the body.
        let mut stmt = conn.prepare(
            "SELECT workspace, seq, doc_id, kind, covers, blob_id, author, key_epoch, length(body)
             FROM entries ORDER BY workspace, seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let body_len: i64 = row.get(8)?;
            let summary = EntrySummary {
                workspace: WorkspaceId(row.get(0)?),
                seq: seq_from_sql(row.get(1)?)?,
                header: header_from_row(row, 2)?,
                body_len: u64::try_from(body_len).unwrap_or_default(),
            };
            visit(summary).map_err(StoreError::Output)?;
        }
        Ok(())
    }

    fn ping(&self) -> Result<(), StoreError> {
        let one: i64 = lock(&self.reader).query_row("SELECT 1", [], |r| r.get(0))?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!("SELECT 1 returned {one}")))
        }
    }

    fn storage_bytes(&self) -> Result<u64, StoreError> {
        let size = |path: &Path| match std::fs::metadata(path) {
            Ok(meta) => Ok(meta.len()),
            // No WAL between a checkpoint that removed it and the next write.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(StoreError::Io {
                what: format!("reading the size of {}", path.display()),
                source: e,
            }),
        };
        Ok(size(&self.path)? + size(&wal_path(&self.path))?)
    }
}

/// SQLite's write-ahead log beside `db`: the same name plus `-wal`.
pub fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use shared::sealing::{SEAL_OVERHEAD, WorkspaceKey, open_entry};
    use shared::signing::DeviceKey;

    use super::*;

    const WS: WorkspaceId = WorkspaceId([7; 16]);
    const NOW: i64 = 1_700_000_000_000;

    fn key(n: u8) -> DeviceKey {
        DeviceKey::from_secret(&[n; 32])
    }

    fn device(n: u8) -> DeviceId {
        key(n).device_id()
    }

    fn blob(n: u32) -> BlobId {
        let mut id = [0; 16];
        id[..4].copy_from_slice(&n.to_be_bytes());
        BlobId(id)
    }

    /// The workspace key test entries are sealed under (epoch 3).
    fn workspace_key() -> WorkspaceKey {
        WorkspaceKey::from_bytes(3, [0x33; 32])
    }

    /// An entry of `doc` signed by device 1, with blob id `blob_n` (the
    /// store's unit tests name blobs; devices draw them at random); its
    /// `plaintext_len` bytes repeat the blob's low byte, so tests can tell
    /// bodies apart once opened. The sealed body is `SEAL_OVERHEAD` longer.
    /// The nonce comes from `blob_n`: the same arguments give the same
    /// entry, as a retried upload does.
    fn entry(doc: u8, kind: EntryKind, blob_n: u32, plaintext_len: usize) -> NewEntry {
        let author = key(1);
        let header = EntryHeader {
            doc_id: DocId([doc; 16]),
            kind,
            blob_id: blob(blob_n),
            author: author.device_id(),
            key_epoch: 3,
        };
        let mut rng = StdRng::seed_from_u64(u64::from(blob_n));
        let body = workspace_key().seal(&mut rng, WS, &header, &vec![blob_n as u8; plaintext_len]);
        author.sign_entry(WS, header, body)
    }

    /// A stored entry's plaintext: what its author sealed, intact.
    fn opened(entry: &Entry) -> Vec<u8> {
        open_entry(&workspace_key(), WS, entry.clone())
            .expect("a stored entry still verifies and opens")
            .plaintext
    }

    fn change(doc: u8, blob_n: u32) -> NewEntry {
        entry(doc, EntryKind::Change, blob_n, 10)
    }

    fn snapshot(doc: u8, blob_n: u32, covers: u64) -> NewEntry {
        entry(
            doc,
            EntryKind::Snapshot {
                covers: Seq(covers),
            },
            blob_n,
            40,
        )
    }

    fn open(dir: &tempfile::TempDir) -> SqliteStore {
        SqliteStore::open(dir.path()).unwrap()
    }

    /// Creates `ws` with device 1 as its admin, as the first run does.
    fn create(store: &SqliteStore, ws: WorkspaceId) {
        let code = [ws.0[0]; 32];
        store.set_setup_code(code, NOW).unwrap();
        assert_eq!(
            store.redeem_setup_code(code, ws, device(1), NOW).unwrap(),
            Redeemed::Joined(Role::Admin)
        );
    }

    fn new_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        create(&store, WS);
        (dir, store)
    }

    fn seqs(appended: &Appended) -> Vec<u64> {
        appended.acks.iter().map(|a| a.seq.0).collect()
    }

    fn tails(appended: &Appended) -> Vec<u32> {
        appended.acks.iter().map(|a| a.tail).collect()
    }

    fn all_seqs(store: &SqliteStore, ws: WorkspaceId) -> Vec<u64> {
        let page = store.read_after(ws, Seq::ZERO, usize::MAX).unwrap();
        page.entries.iter().map(|e| e.seq.0).collect()
    }

    #[test]
    fn same_blob_id_is_stored_once() {
        let (_dir, store) = new_store();
        for _ in 0..3 {
            let again = store.append(WS, &[change(1, 1)], NOW).unwrap();
            assert_eq!(seqs(&again), [1]);
            assert_eq!(tails(&again), [1], "the retry acks the current tail");
        }
        // Mixed with new entries, and twice within one push.
        let acks = store
            .append(
                WS,
                &[change(1, 2), change(1, 1), change(1, 2), change(2, 3)],
                NOW,
            )
            .unwrap();
        assert_eq!((seqs(&acks), acks.stored), (vec![2, 1, 2, 3], 2));
        // The retry of blob 1 acks doc 1's tail as it is now, not as it was.
        assert_eq!(tails(&acks), [2, 2, 2, 1]);
        assert_eq!(store.log_state(WS).unwrap().head, Seq(3));
        assert_eq!(all_seqs(&store, WS), [1, 2, 3]);
        // The same blob_id in another workspace is another entry.
        let other = WorkspaceId([8; 16]);
        create(&store, other);
        assert_eq!(
            seqs(&store.append(other, &[change(1, 1)], NOW).unwrap()),
            [1]
        );
    }

    #[test]
    fn seqs_are_gap_free_per_workspace() {
        let (_dir, store) = new_store();
        let other = WorkspaceId([8; 16]);
        create(&store, other);
        let mut all = Vec::new();
        for round in 0..10u32 {
            let batch: Vec<NewEntry> = (0..=round % 3)
                .map(|i| change(i as u8, round * 3 + i))
                .collect();
            all.extend(seqs(&store.append(WS, &batch, NOW).unwrap()));
            store.append(other, &[change(1, 200 + round)], NOW).unwrap();
        }
        assert_eq!(all, (1..=all.len() as u64).collect::<Vec<_>>());
        assert_eq!(store.log_state(WS).unwrap().head, Seq(all.len() as u64));
        assert_eq!(store.log_state(other).unwrap().head, Seq(10));
        assert_eq!(
            store.log_state(WorkspaceId([9; 16])).unwrap(),
            LogState::default()
        );
        assert!(store.append(WS, &[], NOW).unwrap().acks.is_empty());
    }

    #[test]
    fn appending_to_an_unknown_workspace_stores_nothing() {
        let (_dir, store) = new_store();
        let nowhere = WorkspaceId([9; 16]);
        let err = store.append(nowhere, &[change(1, 1)], NOW).unwrap_err();
        assert!(matches!(err, StoreError::NoSuchWorkspace { .. }), "{err}");
        assert!(all_seqs(&store, nowhere).is_empty());
        let err = store
            .add_ticket(nowhere, [1; 32], Role::Viewer, NOW + 1, device(1), NOW)
            .unwrap_err();
        assert!(matches!(err, StoreError::NoSuchWorkspace { .. }), "{err}");
    }

    #[test]
    fn pages_cover_the_log_once_in_order() {
        let (_dir, store) = new_store();
        let entries: Vec<NewEntry> = (1..=9)
            .map(|n| entry(n as u8 % 3, EntryKind::Change, n, 100))
            .collect();
        store.append(WS, &entries, NOW).unwrap();
        let mut cursor = Seq::ZERO;
        let mut seen = Vec::new();
        loop {
            // Room for two entries, or one whatever its size.
            let page = store
                .read_after(WS, cursor, 2 * (100 + SEAL_OVERHEAD + ENTRY_OVERHEAD_BYTES))
                .unwrap();
            assert_eq!(page.head, Seq(9));
            assert!(!page.entries.is_empty() && page.entries.len() <= 2);
            for e in &page.entries {
                assert_eq!(e.body.len(), 100 + SEAL_OVERHEAD);
                // Signature and seal come back intact.
                assert_eq!(opened(e), vec![e.header.blob_id.0[3]; 100]);
                seen.push(e.seq.0);
            }
            cursor = page.entries.last().unwrap().seq;
            if !page.has_more {
                break;
            }
        }
        assert_eq!(seen, (1..=9).collect::<Vec<_>>());
        let one = store.read_after(WS, Seq::ZERO, 0).unwrap();
        assert_eq!(one.entries.len(), 1);
        assert!(one.has_more);
        let past = store.read_after(WS, Seq(u64::MAX), 10).unwrap();
        assert!(past.entries.is_empty() && !past.has_more);
        assert_eq!(past.head, Seq(9));
    }

    #[test]
    fn tails_count_changes_after_the_latest_snapshot() {
        let (_dir, store) = new_store();
        // Doc 1: four changes (seqs 1-4), doc 2's change in between (5).
        let acks = store
            .append(
                WS,
                &[
                    change(1, 1),
                    change(1, 2),
                    change(1, 3),
                    change(2, 4),
                    change(1, 5),
                ],
                NOW,
            )
            .unwrap();
        assert_eq!(tails(&acks), [1, 2, 3, 1, 4]);
        // A snapshot covering seq 3 leaves seq 5 in the tail, then counts on.
        let acks = store
            .append(WS, &[snapshot(1, 6, 3), change(1, 7)], NOW)
            .unwrap();
        assert_eq!((seqs(&acks), tails(&acks)), (vec![6, 7], vec![1, 2]));
        // A snapshot from a device that was behind does not replace it.
        let acks = store.append(WS, &[snapshot(1, 8, 2)], NOW).unwrap();
        assert_eq!(tails(&acks), [2]);
        let boot = store.bootstrap_page(WS, None, usize::MAX).unwrap();
        let doc1: Vec<u64> = boot
            .entries
            .iter()
            .filter(|e| e.header.doc_id == DocId([1; 16]))
            .map(|e| e.seq.0)
            .collect();
        assert_eq!(doc1, [6, 5, 7], "snapshot 6, then the changes after seq 3");
        // A newer one does, and the tail is recounted from its covers.
        let acks = store.append(WS, &[snapshot(1, 9, 7)], NOW).unwrap();
        assert_eq!(tails(&acks), [0]);
        // A claim to cover entries stored after the snapshot itself counts
        // only as far as the snapshot's own seq.
        store.append(WS, &[change(2, 10)], NOW).unwrap();
        let acks = store.append(WS, &[snapshot(2, 11, u64::MAX)], NOW).unwrap();
        assert_eq!(tails(&acks), [0]);
        let acks = store.append(WS, &[change(2, 12)], NOW).unwrap();
        assert_eq!(tails(&acks), [1]);
        // The stored header is the author's, claim and all.
        let last = store.read_after(WS, Seq(10), usize::MAX).unwrap();
        assert_eq!(
            last.entries[0].header.kind,
            EntryKind::Snapshot {
                covers: Seq(u64::MAX)
            }
        );
    }

    /// Doc `d` (1..=docs) gets `d` changes; every third doc a snapshot
    /// covering all but its last change.
    fn fill(store: &SqliteStore, docs: u8) -> BTreeMap<DocId, Vec<u64>> {
        let mut n = 0;
        let mut expected: BTreeMap<DocId, Vec<u64>> = BTreeMap::new();
        for d in 1..=docs {
            let mut doc_seqs = Vec::new();
            for _ in 0..d {
                n += 1;
                doc_seqs.extend(seqs(&store.append(WS, &[change(d, n)], NOW).unwrap()));
            }
            if d % 3 == 0 {
                let covers = doc_seqs[doc_seqs.len() - 2];
                n += 1;
                let snap = seqs(&store.append(WS, &[snapshot(d, n, covers)], NOW).unwrap());
                doc_seqs = [snap, vec![*doc_seqs.last().unwrap()]].concat();
            }
            expected.insert(DocId([d; 16]), doc_seqs);
        }
        expected
    }

    fn group_by_doc(entries: &[Entry]) -> BTreeMap<DocId, Vec<u64>> {
        let mut docs: BTreeMap<DocId, Vec<u64>> = BTreeMap::new();
        for e in entries {
            docs.entry(e.header.doc_id).or_default().push(e.seq.0);
        }
        docs
    }

    #[test]
    fn bootstrap_pages_cover_every_document_once_and_resume() {
        let (_dir, store) = new_store();
        let expected = fill(&store, 12);
        let head = store.log_state(WS).unwrap().head;
        let mut resume = None;
        let mut seen: BTreeMap<DocId, Vec<u64>> = BTreeMap::new();
        let mut pages = 0;
        let mut last_done = 0;
        loop {
            let page = store
                .bootstrap_page(WS, resume, 3 * (10 + SEAL_OVERHEAD + ENTRY_OVERHEAD_BYTES))
                .unwrap();
            pages += 1;
            assert_eq!((page.upto, page.docs_total), (head, 12));
            assert!(!page.entries.is_empty(), "at least one document a page");
            for (doc, doc_seqs) in group_by_doc(&page.entries) {
                assert!(seen.insert(doc, doc_seqs).is_none(), "{doc} twice");
            }
            assert_eq!(page.docs_done, seen.len() as u64);
            assert!(page.docs_done > last_done);
            last_done = page.docs_done;
            // Entries stored meanwhile move neither `upto` nor the walk.
            if pages == 2 {
                store.append(WS, &[change(1, 900)], NOW).unwrap();
            }
            match page.next {
                Some(next) => {
                    assert_eq!(next.upto, head);
                    assert_eq!(Some(&next.after_doc), seen.keys().last());
                    resume = Some(next);
                }
                None => break,
            }
        }
        assert_eq!(seen, expected);
        assert!(pages > 3, "documents 4 and up each take a page");
        assert_eq!(last_done, 12);

        let whole = store.bootstrap_page(WS, None, usize::MAX).unwrap();
        assert_eq!(whole.next, None);
        assert_eq!(whole.docs_done, 12);
        let empty = WorkspaceId([8; 16]);
        create(&store, empty);
        let none = store.bootstrap_page(empty, None, 1).unwrap();
        assert_eq!(
            (
                none.entries.len(),
                none.next,
                none.docs_done,
                none.docs_total
            ),
            (0, None, 0, 0)
        );
    }

    #[test]
    fn prune_keeps_snapshots_and_later_changes_and_never_reuses_seqs() {
        let (_dir, store) = new_store();
        // Doc 1: changes 1-3, snapshot 4 covering 2, change 5, snapshot 6
        // covering 5, change 7. Doc 2: changes 8-9, no snapshot.
        store
            .append(
                WS,
                &[
                    change(1, 1),
                    change(1, 2),
                    change(1, 3),
                    snapshot(1, 4, 2),
                    change(1, 5),
                ],
                NOW,
            )
            .unwrap();
        store
            .append(
                WS,
                &[snapshot(1, 6, 5), change(1, 7), change(2, 8), change(2, 9)],
                NOW + 1000,
            )
            .unwrap();

        // Snapshot 6 is not old enough yet; snapshot 4 is no longer the
        // latest, so nothing goes.
        assert_eq!(store.prune(NOW + 1000).unwrap(), Pruned::default());
        assert_eq!(store.log_state(WS).unwrap().pruned_through, Seq::ZERO);

        let pruned = store.prune(NOW + 1001).unwrap();
        // Changes 1, 2, 3, 5 and snapshot 4.
        assert_eq!(pruned.entries, 5);
        assert_eq!(
            pruned.body_bytes,
            (4 * (10 + SEAL_OVERHEAD) + 40 + SEAL_OVERHEAD) as u64
        );
        assert_eq!(all_seqs(&store, WS), [6, 7, 8, 9]);
        assert_eq!(
            store.log_state(WS).unwrap(),
            LogState {
                head: Seq(9),
                pruned_through: Seq(5)
            }
        );
        // Done once: a second prune finds nothing.
        assert_eq!(store.prune(i64::MAX).unwrap(), Pruned::default());

        let boot = store.bootstrap_page(WS, None, usize::MAX).unwrap();
        let docs = group_by_doc(&boot.entries);
        assert_eq!(docs[&DocId([1; 16])], [6, 7]);
        assert_eq!(docs[&DocId([2; 16])], [8, 9]);

        // The counter goes on past pruned seqs.
        let acks = store
            .append(WS, &[change(1, 10), snapshot(1, 11, 10)], NOW + 2000)
            .unwrap();
        assert_eq!(seqs(&acks), [10, 11]);
        assert_eq!(tails(&acks), [2, 0]);
        // A retried, still-stored blob keeps its seq after a prune.
        assert_eq!(seqs(&store.append(WS, &[change(2, 8)], NOW).unwrap()), [8]);

        let pruned = store.prune(i64::MAX).unwrap();
        assert_eq!(pruned.entries, 3, "changes 7 and 10, snapshot 6");
        assert_eq!(store.log_state(WS).unwrap().pruned_through, Seq(10));
        assert_eq!(all_seqs(&store, WS), [8, 9, 11]);
        assert_eq!(
            seqs(&store.append(WS, &[change(2, 12)], NOW).unwrap()),
            [12]
        );
    }

    #[test]
    fn prune_works_through_many_batches() {
        let (_dir, store) = new_store();
        let docs = (PRUNE_BATCH_DOCS * 2 + 5) as u32;
        for d in 0..docs {
            let doc = DocId(blob(d).0);
            let mut c = change(0, d * 2);
            c.header.doc_id = doc;
            let mut s = snapshot(0, d * 2 + 1, 0);
            s.header.doc_id = doc;
            let acks = store.append(WS, &[c], NOW).unwrap();
            s.header.kind = EntryKind::Snapshot {
                covers: acks.acks[0].seq,
            };
            store.append(WS, &[s], NOW).unwrap();
        }
        let pruned = store.prune(NOW + 1).unwrap();
        assert_eq!(pruned.entries, u64::from(docs));
        assert_eq!(
            store.log_state(WS).unwrap().pruned_through,
            Seq(u64::from(docs) * 2 - 1)
        );
        let boot = store.bootstrap_page(WS, None, usize::MAX).unwrap();
        assert_eq!(boot.entries.len(), docs as usize);
        assert!(
            boot.entries
                .iter()
                .all(|e| matches!(e.header.kind, EntryKind::Snapshot { .. }))
        );
    }

    #[test]
    fn tickets_are_one_time_expiring_and_bound_to_their_workspace() {
        let (_dir, store) = new_store();
        let other = WorkspaceId([8; 16]);
        create(&store, other);
        let ticket = [0x51; 32];
        store
            .add_ticket(WS, ticket, Role::Documenter, NOW + 60_000, device(1), NOW)
            .unwrap();
        // Retried registration: the first one stands.
        store
            .add_ticket(WS, ticket, Role::Admin, NOW + 60_000, device(1), NOW)
            .unwrap();

        assert_eq!(
            store.redeem_ticket(ticket, other, device(2), NOW).unwrap(),
            Redeemed::Invalid,
            "another workspace's ticket"
        );
        assert_eq!(
            store.redeem_ticket([0; 32], WS, device(2), NOW).unwrap(),
            Redeemed::Invalid
        );
        assert_eq!(
            store.redeem_ticket(ticket, WS, device(2), NOW + 1).unwrap(),
            Redeemed::Joined(Role::Documenter)
        );
        assert_eq!(
            store.membership(WS, device(2)).unwrap(),
            Membership::Member(Role::Documenter)
        );
        assert_eq!(
            store.membership(other, device(2)).unwrap(),
            Membership::None
        );
        // The same device again (its answer was lost): let in, nothing spent.
        assert_eq!(
            store.redeem_ticket(ticket, WS, device(2), NOW + 1).unwrap(),
            Redeemed::AlreadyMember(Role::Documenter)
        );
        assert_eq!(
            store.redeem_ticket(ticket, WS, device(3), NOW).unwrap(),
            Redeemed::Invalid,
            "spent by another device"
        );

        let viewer = [0x52; 32];
        store
            .add_ticket(WS, viewer, Role::Viewer, NOW + 10, device(1), NOW)
            .unwrap();
        assert_eq!(
            store
                .redeem_ticket(viewer, WS, device(3), NOW + 10)
                .unwrap(),
            Redeemed::Invalid,
            "expired"
        );
        // A member presenting another ticket keeps its role and spends
        // nothing.
        assert_eq!(
            store.redeem_ticket(viewer, WS, device(1), NOW).unwrap(),
            Redeemed::AlreadyMember(Role::Admin)
        );
        assert_eq!(
            store.redeem_ticket(viewer, WS, device(3), NOW + 9).unwrap(),
            Redeemed::Joined(Role::Viewer)
        );

        let devices = store.devices(WS).unwrap();
        let roles: Vec<(DeviceId, Role)> = devices.iter().map(|d| (d.device, d.role)).collect();
        assert_eq!(
            roles,
            [
                (device(1), Role::Admin),
                (device(2), Role::Documenter),
                (device(3), Role::Viewer)
            ]
        );
        assert_eq!(devices[2].joined_ms, NOW + 9);
        assert!(devices.iter().all(|d| d.revoked_ms.is_none()));
    }

    #[test]
    fn a_setup_code_creates_one_workspace_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        assert!(store.is_empty().unwrap());
        let code = [0x11; 32];
        assert_eq!(
            store.redeem_setup_code(code, WS, device(1), NOW).unwrap(),
            Redeemed::Invalid,
            "no code set yet"
        );
        store.set_setup_code([0x10; 32], NOW).unwrap();
        store.set_setup_code(code, NOW).unwrap();
        assert_eq!(
            store
                .redeem_setup_code([0x10; 32], WS, device(1), NOW)
                .unwrap(),
            Redeemed::Invalid,
            "replaced by the newer code"
        );
        assert_eq!(
            store.redeem_setup_code(code, WS, device(1), NOW).unwrap(),
            Redeemed::Joined(Role::Admin)
        );
        assert!(!store.is_empty().unwrap());
        assert_eq!(
            store.membership(WS, device(1)).unwrap(),
            Membership::Member(Role::Admin)
        );
        assert_eq!(
            store
                .redeem_setup_code(code, WS, device(1), NOW + 1)
                .unwrap(),
            Redeemed::AlreadyMember(Role::Admin),
            "a retry by the same device"
        );
        let other = WorkspaceId([8; 16]);
        assert_eq!(
            store
                .redeem_setup_code(code, other, device(1), NOW)
                .unwrap(),
            Redeemed::Invalid
        );
        assert_eq!(
            store.redeem_setup_code(code, WS, device(2), NOW).unwrap(),
            Redeemed::Invalid
        );
        // Setting a spent code again does not revive it.
        store.set_setup_code(code, NOW).unwrap();
        assert_eq!(
            store
                .redeem_setup_code(code, other, device(2), NOW)
                .unwrap(),
            Redeemed::Invalid
        );
        // A fresh code cannot take over an existing workspace.
        store.set_setup_code([0x12; 32], NOW).unwrap();
        assert_eq!(
            store
                .redeem_setup_code([0x12; 32], WS, device(2), NOW)
                .unwrap(),
            Redeemed::Invalid
        );
        assert_eq!(store.membership(WS, device(2)).unwrap(), Membership::None);
        assert_eq!(
            store
                .redeem_setup_code([0x12; 32], other, device(2), NOW)
                .unwrap(),
            Redeemed::Joined(Role::Admin)
        );
        assert_eq!(store.log_state(other).unwrap(), LogState::default());
    }

    #[test]
    fn revoking_is_final_and_idempotent() {
        let (_dir, store) = new_store();
        let ticket = [0x51; 32];
        store
            .add_ticket(WS, ticket, Role::Documenter, NOW + 60_000, device(1), NOW)
            .unwrap();
        assert_eq!(
            store.redeem_ticket(ticket, WS, device(2), NOW).unwrap(),
            Redeemed::Joined(Role::Documenter)
        );
        assert!(!store.revoke(WS, device(3), NOW).unwrap(), "not a member");
        assert!(store.revoke(WS, device(2), NOW + 5).unwrap());
        assert!(store.revoke(WS, device(2), NOW + 9).unwrap());
        assert_eq!(
            store.membership(WS, device(2)).unwrap(),
            Membership::Revoked
        );
        let revoked = store.devices(WS).unwrap();
        let revoked = revoked.iter().find(|d| d.device == device(2)).unwrap();
        assert_eq!(revoked.revoked_ms, Some(NOW + 5), "the first time stands");
        assert_eq!(
            store.redeem_ticket(ticket, WS, device(2), NOW).unwrap(),
            Redeemed::Revoked
        );
        store
            .add_ticket(WS, [0x52; 32], Role::Admin, NOW + 60_000, device(1), NOW)
            .unwrap();
        assert_eq!(
            store.redeem_ticket([0x52; 32], WS, device(2), NOW).unwrap(),
            Redeemed::Revoked,
            "a fresh ticket does not bring it back"
        );

        // A revoked admin's unspent invites die with it.
        assert_eq!(
            store.redeem_ticket([0x52; 32], WS, device(3), NOW).unwrap(),
            Redeemed::Joined(Role::Admin)
        );
        store
            .add_ticket(WS, [0x53; 32], Role::Viewer, NOW + 60_000, device(3), NOW)
            .unwrap();
        assert!(store.revoke(WS, device(3), NOW + 1).unwrap());
        assert_eq!(
            store
                .redeem_ticket([0x53; 32], WS, device(4), NOW + 2)
                .unwrap(),
            Redeemed::Invalid
        );
        assert_eq!(
            store
                .redeem_setup_code([WS.0[0]; 32], WS, device(1), NOW)
                .unwrap(),
            Redeemed::AlreadyMember(Role::Admin)
        );
    }

    #[test]
    fn reopening_keeps_everything_and_lists_entries_without_bodies() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = open(&dir);
            create(&store, WS);
            store
                .append(WS, &[change(1, 1), snapshot(1, 2, 1)], NOW)
                .unwrap();
            store
                .add_ticket(WS, [5; 32], Role::Viewer, NOW + 1, device(1), NOW)
                .unwrap();
        }
        let store = open(&dir);
        assert_eq!(store.log_state(WS).unwrap().head, Seq(2));
        assert_eq!(
            store.membership(WS, device(1)).unwrap(),
            Membership::Member(Role::Admin)
        );
        assert_eq!(
            store.redeem_ticket([5; 32], WS, device(2), NOW).unwrap(),
            Redeemed::Joined(Role::Viewer)
        );
        assert_eq!(tails(&store.append(WS, &[change(1, 3)], NOW).unwrap()), [1]);
        let mut listed = Vec::new();
        store
            .list_all(&mut |s| {
                listed.push(s);
                Ok(())
            })
            .unwrap();
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[1].seq, Seq(2));
        assert_eq!(listed[1].header, snapshot(1, 2, 1).header);
        assert_eq!(listed[1].body_len, (40 + SEAL_OVERHEAD) as u64);
        store.ping().unwrap();
        let on_disk = std::fs::metadata(store.path()).unwrap().len()
            + std::fs::metadata(wal_path(store.path())).map_or(0, |m| m.len());
        assert_eq!(store.storage_bytes().unwrap(), on_disk);
        assert!(on_disk > 0);
    }

    #[test]
    fn a_schema_1_database_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            let tx = conn.transaction().unwrap();
            tx.execute_batch(MIGRATIONS[0]).unwrap();
            tx.execute_batch(
                "INSERT INTO workspaces VALUES (x'07070707070707070707070707070707', 1);
                 INSERT INTO entries VALUES (x'07070707070707070707070707070707', 1,
                     x'01', 0, x'01', x'01', 0, x'00');",
            )
            .unwrap();
            tx.pragma_update(None, "user_version", 1).unwrap();
            tx.commit().unwrap();
        }
        let store = open(&dir);
        assert!(store.is_empty().unwrap(), "unauthenticated entries dropped");
        create(&store, WS);
        assert_eq!(seqs(&store.append(WS, &[change(1, 1)], NOW).unwrap()), [1]);
        let version: i64 = lock(&store.writer)
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(open(&dir));
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = SqliteStore::open(dir.path()).unwrap_err();
        assert!(
            matches!(err, StoreError::SchemaTooNew { found: 99, .. }),
            "{err}"
        );
    }
}
