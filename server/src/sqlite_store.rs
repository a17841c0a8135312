//! The embedded default store: one SQLite file in the data directory.
//!
//! One writer connection behind a mutex makes seq assignment trivially
//! gap-free (head + 1 inside the write transaction, never a sequence or
//! autoincrement that could skip on rollback). Pulls use a separate read
//! connection so a long write does not stall readers: WAL lets both run.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::wire::{Acked, Entry, EntryHeader, EntryKind, NewEntry};

use crate::log_store::{Appended, ENTRY_OVERHEAD_BYTES, EntrySummary, LogStore, Page, StoreError};

pub const DB_FILE: &str = "homeward.sqlite3";

/// How long a connection waits for another process holding the database
/// (an operator's `list-entries`, a backup) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Schema migrations; `PRAGMA user_version` counts how many have run.
/// Append only: never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[r"
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
"];

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
        // device holds any more.
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

fn kind_to_sql(kind: EntryKind) -> i64 {
    match kind {
        EntryKind::Change => 0,
        EntryKind::Snapshot => 1,
    }
}

fn kind_from_sql(value: i64) -> Result<EntryKind, StoreError> {
    match value {
        0 => Ok(EntryKind::Change),
        1 => Ok(EntryKind::Snapshot),
        other => Err(StoreError::Corrupt(format!("unknown entry kind {other}"))),
    }
}

fn seq_from_sql(value: i64) -> Result<Seq, StoreError> {
    u64::try_from(value)
        .map(Seq)
        .map_err(|_| StoreError::Corrupt(format!("negative seq {value}")))
}

fn epoch_from_sql(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("key epoch {value} out of range")))
}

/// Reads `doc_id, kind, blob_id, author, key_epoch` starting at column `at`.
fn header_from_row(row: &Row<'_>, at: usize) -> Result<EntryHeader, StoreError> {
    Ok(EntryHeader {
        doc_id: DocId(row.get(at)?),
        kind: kind_from_sql(row.get(at + 1)?)?,
        blob_id: BlobId(row.get(at + 2)?),
        author: DeviceId(row.get(at + 3)?),
        key_epoch: epoch_from_sql(row.get(at + 4)?)?,
    })
}

fn head_in(conn: &Connection, workspace: WorkspaceId) -> Result<Seq, StoreError> {
    let head: Option<i64> = conn
        .prepare_cached("SELECT head FROM workspaces WHERE id = ?1")?
        .query_row([workspace.0], |r| r.get(0))
        .optional()?;
    head.map_or(Ok(Seq::ZERO), seq_from_sql)
}

impl LogStore for SqliteStore {
    fn append(&self, workspace: WorkspaceId, entries: &[NewEntry]) -> Result<Appended, StoreError> {
        if entries.is_empty() {
            return Ok(Appended {
                acks: Vec::new(),
                stored: 0,
            });
        }
        let mut conn = lock(&self.writer);
        // IMMEDIATE takes the write lock up front, so the head read below
        // cannot be overtaken by another writer (another process, later).
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Workspaces are created on first write. Membership checks arrive
        // with device keys; until then any workspace id is accepted.
        tx.execute(
            "INSERT INTO workspaces (id, head) VALUES (?1, 0) ON CONFLICT (id) DO NOTHING",
            [workspace.0],
        )?;
        let start: i64 = tx.query_row(
            "SELECT head FROM workspaces WHERE id = ?1",
            [workspace.0],
            |r| r.get(0),
        )?;
        let mut head = start;
        let mut acks = Vec::with_capacity(entries.len());
        {
            let mut find =
                tx.prepare_cached("SELECT seq FROM entries WHERE workspace = ?1 AND blob_id = ?2")?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO entries
                     (workspace, seq, doc_id, kind, blob_id, author, key_epoch, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for entry in entries {
                let h = &entry.header;
                // A retried upload, or the same blob twice in one push. The
                // relay cannot compare sealed bodies, so the first one wins.
                let existing: Option<i64> = find
                    .query_row(params![workspace.0, h.blob_id.0], |r| r.get(0))
                    .optional()?;
                let seq = match existing {
                    Some(seq) => seq,
                    None => {
                        head = head
                            .checked_add(1)
                            .ok_or(StoreError::SeqOverflow { workspace })?;
                        insert.execute(params![
                            workspace.0,
                            head,
                            h.doc_id.0,
                            kind_to_sql(h.kind),
                            h.blob_id.0,
                            h.author.0,
                            i64::from(h.key_epoch),
                            entry.body,
                        ])?;
                        head
                    }
                };
                acks.push(Acked {
                    blob_id: h.blob_id,
                    seq: seq_from_sql(seq)?,
                });
            }
        }
        if head != start {
            tx.execute(
                "UPDATE workspaces SET head = ?2 WHERE id = ?1",
                params![workspace.0, head],
            )?;
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
        // A client may send any u64; past i64::MAX there is nothing to read.
        let after = i64::try_from(after.0).unwrap_or(i64::MAX);
        let mut conn = lock(&self.reader);
        // One read transaction: head and entries come from the same snapshot.
        let tx = conn.transaction()?;
        let head = head_in(&tx, workspace)?;
        let mut entries = Vec::new();
        let mut has_more = false;
        {
            let mut stmt = tx.prepare_cached(
                "SELECT seq, doc_id, kind, blob_id, author, key_epoch, body
                 FROM entries WHERE workspace = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            let mut rows = stmt.query(params![workspace.0, after])?;
            let mut used = 0usize;
            while let Some(row) = rows.next()? {
                let body: Vec<u8> = row.get(6)?;
                let cost = body.len() + ENTRY_OVERHEAD_BYTES;
                if !entries.is_empty() && used + cost > max_bytes {
                    has_more = true;
                    break;
                }
                used += cost;
                entries.push(Entry {
                    seq: seq_from_sql(row.get(0)?)?,
                    header: header_from_row(row, 1)?,
                    body,
                });
            }
        }
        tx.finish()?;
        Ok(Page {
            entries,
            head,
            has_more,
        })
    }

    fn head(&self, workspace: WorkspaceId) -> Result<Seq, StoreError> {
        head_in(&lock(&self.reader), workspace)
    }

    fn list_all(
        &self,
        visit: &mut dyn FnMut(EntrySummary) -> io::Result<()>,
    ) -> Result<(), StoreError> {
        let conn = lock(&self.reader);
        // SQLite answers length() of a blob from the record header, without
        // loading the body.
        let mut stmt = conn.prepare(
            "SELECT workspace, seq, doc_id, kind, blob_id, author, key_epoch, length(body)
             FROM entries ORDER BY workspace, seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let body_len: i64 = row.get(7)?;
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
    use super::*;

    const WS: WorkspaceId = WorkspaceId([7; 16]);

    fn entry(n: u8, body_len: usize) -> NewEntry {
        NewEntry {
            header: EntryHeader {
                doc_id: DocId([n; 16]),
                kind: if n.is_multiple_of(2) {
                    EntryKind::Change
                } else {
                    EntryKind::Snapshot
                },
                blob_id: BlobId([n; 16]),
                author: DeviceId([1; 32]),
                key_epoch: u32::from(n),
            },
            body: vec![n; body_len],
        }
    }

    fn seqs(appended: &Appended) -> Vec<u64> {
        appended.acks.iter().map(|a| a.seq.0).collect()
    }

    #[test]
    fn same_blob_id_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let first = store.append(WS, &[entry(1, 10)]).unwrap();
        assert_eq!((seqs(&first), first.stored), (vec![1], 1));
        let again = store.append(WS, &[entry(1, 10)]).unwrap();
        assert_eq!((seqs(&again), again.stored), (vec![1], 0));
        // Mixed with new entries, and twice within one push.
        let acks = store
            .append(WS, &[entry(2, 10), entry(1, 10), entry(2, 10), entry(3, 5)])
            .unwrap();
        assert_eq!((seqs(&acks), acks.stored), (vec![2, 1, 2, 3], 2));
        assert_eq!(store.head(WS).unwrap(), Seq(3));
        let page = store.read_after(WS, Seq::ZERO, usize::MAX).unwrap();
        assert_eq!(
            page.entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        // The same blob_id in another workspace is another entry.
        let other = WorkspaceId([8; 16]);
        assert_eq!(seqs(&store.append(other, &[entry(1, 10)]).unwrap()), [1]);
    }

    #[test]
    fn seqs_are_gap_free_per_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let other = WorkspaceId([8; 16]);
        let mut all = Vec::new();
        for round in 0..10u8 {
            let batch: Vec<NewEntry> = (0..=round % 3).map(|i| entry(round * 3 + i, 4)).collect();
            all.extend(seqs(&store.append(WS, &batch).unwrap()));
            store.append(other, &[entry(200 + round, 1)]).unwrap();
        }
        assert_eq!(all, (1..=all.len() as u64).collect::<Vec<_>>());
        assert_eq!(store.head(WS).unwrap(), Seq(all.len() as u64));
        assert_eq!(store.head(other).unwrap(), Seq(10));
        assert_eq!(store.head(WorkspaceId([9; 16])).unwrap(), Seq::ZERO);
    }

    #[test]
    fn pages_cover_the_log_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let entries: Vec<NewEntry> = (1..=9).map(|n| entry(n, 100)).collect();
        store.append(WS, &entries).unwrap();
        let mut cursor = Seq::ZERO;
        let mut seen = Vec::new();
        loop {
            // Room for two entries, or one whatever its size.
            let page = store
                .read_after(WS, cursor, 2 * (100 + ENTRY_OVERHEAD_BYTES))
                .unwrap();
            assert_eq!(page.head, Seq(9));
            assert!(!page.entries.is_empty() && page.entries.len() <= 2);
            for e in &page.entries {
                assert_eq!(e.body, vec![e.header.blob_id.0[0]; 100]);
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
    }

    #[test]
    fn reopening_keeps_entries_and_lists_them_without_bodies() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SqliteStore::open(dir.path()).unwrap();
            store.append(WS, &[entry(1, 3), entry(2, 4)]).unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.head(WS).unwrap(), Seq(2));
        let mut listed = Vec::new();
        store
            .list_all(&mut |s| {
                listed.push(s);
                Ok(())
            })
            .unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[1].seq, Seq(2));
        assert_eq!(listed[1].header, entry(2, 4).header);
        assert_eq!(listed[1].body_len, 4);
        store.ping().unwrap();
        let on_disk = std::fs::metadata(store.path()).unwrap().len()
            + std::fs::metadata(wal_path(store.path())).map_or(0, |m| m.len());
        assert_eq!(store.storage_bytes().unwrap(), on_disk);
        assert!(on_disk > 0);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteStore::open(dir.path()).unwrap());
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
