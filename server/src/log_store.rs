//! The relay's storage contract: one append-only log of sealed entries per
//! workspace.
//!
//! Methods are synchronous on purpose: the embedded SQLite store blocks, and
//! callers run every call through `tokio::task::spawn_blocking`. A PostgreSQL
//! store for several relay replicas implements the same trait later.

use std::io;

use shared::ids::{DeviceId, Seq, WorkspaceId};
use shared::wire::{Acked, BootstrapResume, DeviceInfo, Entry, EntryHeader, NewEntry, Role};

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

/// One page of a bootstrap: whole documents, in doc-id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootstrapPage {
    /// For each document of the page: its latest snapshot (if any), then
    /// every stored change entry after that snapshot's `covers`, by seq.
    pub entries: Vec<Entry>,
    /// `resume.upto`, or the head when the bootstrap started.
    pub upto: Seq,
    /// Where the next page starts; `None` after the last document.
    pub next: Option<BootstrapResume>,
    /// Documents with doc id ≤ the page's last one, and all documents.
    pub docs_done: u64,
    pub docs_total: u64,
}

/// A workspace's log positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogState {
    pub head: Seq,
    /// The largest seq of any pruned entry: a device whose cursor is below
    /// it must bootstrap.
    pub pruned_through: Seq,
}

/// What one `prune` removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    pub entries: u64,
    pub body_bytes: u64,
}

/// A device's standing in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// Not a member, or no such workspace (callers must not tell which).
    None,
    Member(Role),
    Revoked,
}

/// What presenting a ticket or setup code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeemed {
    /// The device is now a member with this role.
    Joined(Role),
    /// The device was already a member (or this is a retry of its own
    /// redemption): nothing spent.
    AlreadyMember(Role),
    /// The device was revoked from this workspace; a ticket does not bring
    /// it back (a new device key must join).
    Revoked,
    /// Unknown, spent, expired, or (for a setup code) the workspace exists.
    Invalid,
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
    /// `append` or `add_ticket` named a workspace nobody created. Callers
    /// check membership first, so this is a bug in the caller, not a client
    /// error.
    #[error(
        "workspace {workspace} does not exist; a workspace is created only by redeeming the \
         setup code, and only its members may write to it"
    )]
    NoSuchWorkspace { workspace: WorkspaceId },
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
    /// seq and its document's tail (see `Acked::tail`). Idempotent by
    /// `(workspace, blob_id)`: an entry whose blob_id is already stored acks
    /// its original seq and stores nothing. Keeps the per-document index
    /// (latest snapshot by `covers`, tail count) in the same transaction.
    /// Returns only once the transaction is durable. Seqs come from a
    /// per-workspace counter, never from `max(seq)`, so pruning cannot cause
    /// a seq to be reused.
    fn append(
        &self,
        workspace: WorkspaceId,
        entries: &[NewEntry],
        now_ms: i64,
    ) -> Result<Appended, StoreError>;

    /// Entries with `seq > after`, in seq order, until their cost (body plus
    /// [`ENTRY_OVERHEAD_BYTES`]) would pass `max_bytes`; at least one entry
    /// if any exist. One indexed range scan.
    fn read_after(
        &self,
        workspace: WorkspaceId,
        after: Seq,
        max_bytes: usize,
    ) -> Result<Page, StoreError>;

    /// Whole documents after `resume.after_doc` (from the first document
    /// when `None`) until their cost passes `max_bytes`; at least one
    /// document if any remain. A document is never split across pages.
    fn bootstrap_page(
        &self,
        workspace: WorkspaceId,
        resume: Option<BootstrapResume>,
        max_bytes: usize,
    ) -> Result<BootstrapPage, StoreError>;

    /// Head and prune horizon; zeros for a workspace never written.
    fn log_state(&self, workspace: WorkspaceId) -> Result<LogState, StoreError>;

    /// Deletes, in every workspace, change entries at or below their
    /// document's latest snapshot's `covers`, and snapshots superseded by a
    /// later one, where the covering snapshot was stored before
    /// `stored_before_ms`. Raises `pruned_through` accordingly.
    fn prune(&self, stored_before_ms: i64) -> Result<Pruned, StoreError>;

    fn membership(
        &self,
        workspace: WorkspaceId,
        device: DeviceId,
    ) -> Result<Membership, StoreError>;

    /// Spends a setup code: creates `workspace` with `device` as its admin.
    fn redeem_setup_code(
        &self,
        code_hash: [u8; 32],
        workspace: WorkspaceId,
        device: DeviceId,
        now_ms: i64,
    ) -> Result<Redeemed, StoreError>;

    /// Spends an invite ticket of `workspace`: `device` joins with the
    /// ticket's role. A ticket is bound to one workspace.
    fn redeem_ticket(
        &self,
        ticket_hash: [u8; 32],
        workspace: WorkspaceId,
        device: DeviceId,
        now_ms: i64,
    ) -> Result<Redeemed, StoreError>;

    fn add_ticket(
        &self,
        workspace: WorkspaceId,
        ticket_hash: [u8; 32],
        role: Role,
        expires_ms: i64,
        created_by: DeviceId,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    /// Every device that ever joined `workspace`, revoked ones included.
    fn devices(&self, workspace: WorkspaceId) -> Result<Vec<DeviceInfo>, StoreError>;

    /// Marks `device` revoked; false if it was not a member. Revoking is
    /// final and idempotent.
    fn revoke(
        &self,
        workspace: WorkspaceId,
        device: DeviceId,
        now_ms: i64,
    ) -> Result<bool, StoreError>;

    /// Replaces any unspent setup code with this one.
    fn set_setup_code(&self, code_hash: [u8; 32], now_ms: i64) -> Result<(), StoreError>;

    /// True when the relay has no workspace yet (first start).
    fn is_empty(&self) -> Result<bool, StoreError>;

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
