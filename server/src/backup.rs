//! `homeward-server backup --data-dir DIR --to FILE`: a consistent copy of
//! the relay database, made while the relay keeps serving.
//!
//! The copy is SQLite's `VACUUM INTO`, which reads the database inside one
//! read transaction: the file holds exactly what was committed when the
//! backup started (every entry acked by then, with its seq; workspaces,
//! members, invite tickets and setup codes), and none of the writes that
//! commit while it runs. In WAL mode the relay's writer is not
//! blocked meanwhile. SQLite does not fsync that file, so this module does,
//! then checks it (`PRAGMA quick_check`) and counts what it holds.
//!
//! # Restore
//!
//! 1. Stop the relay (`SIGTERM`; it drains its sockets).
//! 2. In its data directory, replace `homeward.sqlite3` with the backup file,
//!    and delete `homeward.sqlite3-wal` and `homeward.sqlite3-shm` if they
//!    exist: they belong to the old database, and SQLite would replay the old
//!    WAL into the restored file.
//! 3. Start the relay. It switches the file back to WAL mode by itself.
//!
//! A restore loses every entry acked after the backup was taken. Devices
//! still hold those changes in their documents, but no longer in their
//! outboxes, and a device whose cursor is past the restored head will not
//! pull the entries that reuse those seqs: the protocol cannot yet tell a
//! device that the log went back (a log generation in `Welcome` is a later
//! step), so after a restore, reset the devices that synced since the
//! backup.
//!
//! Membership goes back too: a device revoked after the backup is a member
//! again, and an invite ticket spent after it can be spent once more. After
//! a restore, revoke those devices again, and treat invites sent since the
//! backup as live until they expire.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::ServerError;
use crate::log_store::StoreError;
use crate::sqlite_store::DB_FILE;

/// How long the backup waits for a lock held by the relay (a checkpoint).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub path: PathBuf,
    pub entries: u64,
    pub workspaces: u64,
    pub bytes: u64,
}

impl std::fmt::Display for BackupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "wrote {}: {} entries in {} workspaces, {} bytes",
            self.path.display(),
            self.entries,
            self.workspaces,
            self.bytes
        )
    }
}

/// Copies the database in `data_dir` to `to`, which must not exist. On any
/// failure the partial file is removed.
pub fn backup(data_dir: &Path, to: &Path) -> Result<BackupReport, ServerError> {
    let source = data_dir.join(DB_FILE);
    // Opening would create an empty database, hiding a mistyped --data-dir.
    if !source.is_file() {
        return Err(ServerError::NoDatabase { path: source });
    }
    let to_text = to.to_str().ok_or_else(|| {
        ServerError::Config(format!(
            "--to {} is not valid UTF-8, which SQLite needs; choose another name",
            to.display()
        ))
    })?;
    // Claiming the name first makes "never overwrite" atomic; VACUUM INTO
    // accepts an empty file as its target.
    let claimed = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|source| match source.kind() {
            io::ErrorKind::AlreadyExists => ServerError::BackupExists {
                path: to.to_owned(),
            },
            _ => ServerError::Io {
                what: format!("cannot create the backup file {}", to.display()),
                source,
            },
        })?;
    drop(claimed);

    let result = copy(&source, to, to_text).and_then(|()| inspect(to));
    if result.is_err() {
        let _ = std::fs::remove_file(to);
    }
    let report = result?;
    tracing::info!(
        path = %report.path.display(),
        entries = report.entries,
        workspaces = report.workspaces,
        bytes = report.bytes,
        "backup written"
    );
    Ok(report)
}

fn copy(source: &Path, to: &Path, to_text: &str) -> Result<(), ServerError> {
    let conn = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(StoreError::from)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(StoreError::from)?;
    conn.execute("VACUUM INTO ?1", [to_text])
        .map_err(StoreError::from)?;
    drop(conn);

    let io_error = |what: &str| {
        let what = format!("{what} {}", to.display());
        move |source| ServerError::Io { what, source }
    };
    File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(io_error("cannot flush the backup file"))?;
    // The new directory entry must be durable too.
    #[cfg(unix)]
    {
        let parent = match to.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(io_error("cannot flush the directory of"))?;
    }
    Ok(())
}

/// Checks the written file and counts what it holds.
fn inspect(path: &Path) -> Result<BackupReport, ServerError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(StoreError::from)?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(StoreError::from)?;
    if check != "ok" {
        return Err(StoreError::Corrupt(format!(
            "the backup {} failed its integrity check: {check}",
            path.display()
        ))
        .into());
    }
    let count = |sql: &str| -> Result<u64, ServerError> {
        let n: i64 = conn
            .query_row(sql, [], |r| r.get(0))
            .map_err(StoreError::from)?;
        Ok(u64::try_from(n).unwrap_or_default())
    };
    let entries = count("SELECT count(*) FROM entries")?;
    let workspaces = count("SELECT count(*) FROM workspaces")?;
    drop(conn);
    let bytes = std::fs::metadata(path)
        .map_err(|source| ServerError::Io {
            what: format!("cannot read the size of {}", path.display()),
            source,
        })?
        .len();
    Ok(BackupReport {
        path: path.to_owned(),
        entries,
        workspaces,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use shared::ids::{BlobId, DocId, WorkspaceId};
    use shared::sealing::{WorkspaceKey, open_entry};
    use shared::signing::DeviceKey;
    use shared::wire::{EntryHeader, EntryKind, NewEntry};

    use super::*;
    use crate::log_store::{LogStore, Redeemed};
    use crate::sqlite_store::SqliteStore;

    #[test]
    fn a_backup_opens_as_a_data_dir_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("live")).unwrap();
        let ws = WorkspaceId([4; 16]);
        let key = DeviceKey::from_secret(&[1; 32]);
        let workspace_key = WorkspaceKey::from_bytes(0, [2; 32]);
        store.set_setup_code([9; 32], 0).unwrap();
        let created = store.redeem_setup_code([9; 32], ws, key.device_id(), 0);
        assert!(matches!(created.unwrap(), Redeemed::Joined(_)));
        let entries: Vec<NewEntry> = (1..=3u8)
            .map(|n| {
                let header = EntryHeader {
                    doc_id: DocId([n; 16]),
                    kind: EntryKind::Change,
                    blob_id: BlobId([n; 16]),
                    author: key.device_id(),
                    key_epoch: 0,
                };
                let mut rng = StdRng::seed_from_u64(u64::from(n));
                let body = workspace_key.seal(&mut rng, ws, &header, &[n; 100]);
                key.sign_entry(ws, header, body)
            })
            .collect();
        store.append(ws, &entries, 0).unwrap();

        let to = dir.path().join("copy.sqlite3");
        let report = backup(&dir.path().join("live"), &to).unwrap();
        assert_eq!((report.entries, report.workspaces), (3, 1));
        assert_eq!(report.bytes, std::fs::metadata(&to).unwrap().len());
        assert!(report.to_string().contains("3 entries in 1 workspaces"));

        // The relay keeps serving from the original meanwhile.
        store.append(ws, &entries[..1], 0).unwrap();
        drop(store);

        let before = std::fs::read(&to).unwrap();
        let again = backup(&dir.path().join("live"), &to).unwrap_err();
        assert!(matches!(again, ServerError::BackupExists { .. }), "{again}");
        assert_eq!(std::fs::read(&to).unwrap(), before, "left untouched");

        let missing = backup(&dir.path().join("typo"), &dir.path().join("x")).unwrap_err();
        assert!(
            matches!(missing, ServerError::NoDatabase { .. }),
            "{missing}"
        );
        assert!(!dir.path().join("x").exists());

        let restored = dir.path().join("restored");
        std::fs::create_dir(&restored).unwrap();
        std::fs::rename(&to, restored.join(DB_FILE)).unwrap();
        let store = SqliteStore::open(&restored).unwrap();
        let page = store
            .read_after(ws, shared::ids::Seq::ZERO, usize::MAX)
            .unwrap();
        assert_eq!(page.entries.len(), 3);
        assert_eq!(page.entries[2].body, entries[2].body);
        let opened = open_entry(&workspace_key, ws, page.entries[2].clone()).unwrap();
        assert_eq!(opened.plaintext, [3; 100], "signature and seal intact");
        assert_eq!(
            store.membership(ws, key.device_id()).unwrap(),
            crate::log_store::Membership::Member(shared::wire::Role::Admin),
            "membership is backed up with the log"
        );
    }
}
