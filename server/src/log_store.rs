//! The relay's storage contract: one append-only log of sealed entries per
//! workspace.
//!
//! Methods are synchronous on purpose: the embedded SQLite store blocks, and
//! callers run every call through `tokio::task::spawn_blocking`. A PostgreSQL
//! store for several relay replicas implements the same trait later.

use std::io;

use shared::ids::{Seq, WorkspaceId};
use shared::wire::{Acked, Entry, EntryHeader, NewEntry};

/// Bytes an entry costs in a pull page beyond its body: its header plus the
/// seq varint. Counting it keeps a page of many tiny entries inside a frame.
pub const ENTRY_OVERHEAD_BYTES: usize = NewEntry::HEADER_BYTES + 10;

/// One page of a workspace log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub entries: Vec<Entry>,
    /// The workspace's head when the page was read.
    pub head: Seq,
    /// More entries follow the last one in `entries`.
    pub has_more: bool,
}

/// What one `append` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// One ack per pushed entry, in push order.
    pub acks: Vec<Acked>,
    /// How many entries were new; the others were already stored (retries).
    pub stored: usize,
}

/// What `list-entries` shows of a stored entry: everything but the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySummary {
    pub workspace: WorkspaceId,
    pub seq: Seq,
    pub header: EntryHeader,
    pub body_len: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("SQLite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database has schema version {found}, this relay knows up to {supported}; \
         run a newer relay or restore a backup made by this version"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("the stored log is inconsistent: {0}")]
    Corrupt(String),
    #[error("workspace {workspace} is past the largest seq this store can hold")]
    SeqOverflow { workspace: WorkspaceId },
    #[error("writing the entry listing failed: {0}")]
    Output(#[source] io::Error),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
}

pub trait LogStore: std::fmt::Debug + Send + Sync + 'static {
    /// Stores `entries` in order, in one transaction, and returns each one's
    /// seq. Idempotent by `(workspace, blob_id)`: an entry whose blob_id is
    /// already stored acks its original seq and stores nothing. Returns only
    /// once the transaction is durable.
    fn append(&self, workspace: WorkspaceId, entries: &[NewEntry]) -> Result<Appended, StoreError>;

    /// Entries with `seq > after`, in seq order, until their cost (body plus
    /// [`ENTRY_OVERHEAD_BYTES`]) would pass `max_bytes`; at least one entry
    /// if any exist.
    fn read_after(
        &self,
        workspace: WorkspaceId,
        after: Seq,
        max_bytes: usize,
    ) -> Result<Page, StoreError>;

    /// The workspace's latest seq; `Seq::ZERO` for a workspace never written.
    fn head(&self, workspace: WorkspaceId) -> Result<Seq, StoreError>;

    /// Calls `visit` for every stored entry, by workspace then seq.
    fn list_all(
        &self,
        visit: &mut dyn FnMut(EntrySummary) -> io::Result<()>,
    ) -> Result<(), StoreError>;

    /// Proves the store answers a trivial query (for `/healthz`).
    fn ping(&self) -> Result<(), StoreError>;

    /// Bytes the store occupies on disk (for `/metrics`); for SQLite, the
    /// database file plus its write-ahead log.
    fn storage_bytes(&self) -> Result<u64, StoreError>;
}
