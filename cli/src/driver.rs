//! The client's one loop: it owns the SQLite state, the document cache, the
//! [`SyncEngine`] and the socket, and handles one [`LoopEvent`] at a time to
//! completion (including every effect the engine asks for), so storage and
//! engine can never disagree about what happened first.
//!
//! It runs on a thread of its own with a single-threaded runtime: merging
//! and SQLite calls block that thread only, never the caller's runtime.

use std::collections::{BTreeMap, HashMap, VecDeque, btree_map};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use shared::case::Case;
use shared::case_doc::{CaseDoc, CaseEdit, EditContext};
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::invite_link::InviteLink;
use shared::partial_date::Date;
use shared::sealing::{EntrySealer, OpenedEntry, Quarantined, WorkspaceKey};
use shared::signing::DeviceKey;
use shared::sync_engine::{
    AdminReply, AdminRequest, Connection, SyncEffect, SyncEngine, SyncEvent, SyncSetup,
};
use shared::wire::{Acked, BootstrapResume, EntryKind, ErrorCode, NewEntry, Redeem, Role};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::{oneshot, watch};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::client::{ClientOptions, ClientStatus, Joined};
use crate::counters::Counters;
use crate::error::ClientError;
use crate::relay_url::sync_url;
use crate::socket::{Socket, spawn_connect};
use crate::store::{DocWrite, Store, StoredState};

pub(crate) type Reply<T> = oneshot::Sender<Result<T, ClientError>>;

/// What the public handle asks of the loop.
#[derive(Debug)]
pub(crate) enum Request {
    Setup {
        origin: String,
        code: String,
        /// The new workspace's key, drawn by the caller.
        key: WorkspaceKey,
        reply: Reply<Joined>,
    },
    Join {
        link: InviteLink,
        /// From the link.
        key: WorkspaceKey,
        reply: Reply<Joined>,
    },
    /// For an invite link.
    WorkspaceKey {
        reply: Reply<WorkspaceKey>,
    },
    ImportCases {
        cases: Vec<Case>,
        reply: Reply<Vec<DocId>>,
    },
    Edit {
        doc_id: DocId,
        edits: Vec<CaseEdit>,
        reply: Reply<bool>,
    },
    EnqueueChanges {
        changes: Vec<(DocId, Vec<u8>)>,
        reply: Reply<Vec<BlobId>>,
    },
    /// Answered once nothing is left to upload or download.
    WaitInStep {
        reply: Reply<()>,
    },
    /// Answered once the handshake is done.
    WaitConnected {
        reply: Reply<()>,
    },
    Admin {
        request: AdminRequest,
        reply: Reply<AdminReply>,
    },
    Status {
        reply: Reply<ClientStatus>,
    },
    Document {
        doc_id: DocId,
        reply: Reply<Option<Vec<u8>>>,
    },
    DocIds {
        reply: Reply<Vec<DocId>>,
    },
    Acks {
        reply: Reply<Vec<Acked>>,
    },
    Shutdown {
        done: oneshot::Sender<()>,
    },
}

/// Every input of the loop.
#[derive(Debug)]
pub(crate) enum LoopEvent {
    Request(Request),
    /// The socket asked for by the latest `Connect` is open.
    Opened {
        socket: Socket,
    },
    Frame {
        generation: u64,
        bytes: Vec<u8>,
    },
    /// The socket closed, or dialling failed.
    Closed {
        generation: u64,
        reason: String,
    },
    /// The engine's reconnect timer fired.
    ReconnectDue,
}

/// The device's wall clock, in milliseconds since the Unix epoch (0 if the
/// clock is before it): what the native client stamps edits and syncs with.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Appended pieces after which a document is saved whole again. Loading
/// replays appended changes one by one, while a whole save pays for a
/// compression pass; 64 small edits replay in about a millisecond.
const MAX_APPENDED: u32 = 64;

/// A loaded document and how many pieces follow its last full save in the
/// store.
#[derive(Debug)]
struct CachedDoc {
    doc: CaseDoc,
    appended: u32,
}

/// Recently used documents, loaded, so that merging a batch does not
/// re-parse every document from its stored bytes. Bounded: a workspace of
/// 100,000 cases must not sit in memory.
#[derive(Debug)]
struct DocCache {
    docs: HashMap<DocId, CachedDoc>,
    capacity: usize,
}

impl DocCache {
    fn put(&mut self, doc_id: DocId, doc: CachedDoc) {
        if self.docs.len() >= self.capacity && !self.docs.contains_key(&doc_id) {
            // Any victim will do: batches touch documents in log order,
            // which has no locality worth an LRU's bookkeeping.
            if let Some(victim) = self.docs.keys().next().copied() {
                self.docs.remove(&victim);
            }
        }
        if self.capacity > 0 {
            self.docs.insert(doc_id, doc);
        }
    }
}

/// One document while an operation changes it.
struct WorkDoc {
    cached: CachedDoc,
    /// Not in the store yet.
    new: bool,
    /// Changes to append to the stored bytes, and how many pieces.
    delta: Vec<u8>,
    pieces: u32,
    /// Something changed that cannot be appended (a snapshot's document
    /// chunk): store a whole save.
    whole: bool,
    dirty: bool,
}

impl WorkDoc {
    fn new(cached: CachedDoc, new: bool) -> WorkDoc {
        WorkDoc {
            cached,
            new,
            delta: Vec::new(),
            pieces: 0,
            whole: false,
            dirty: false,
        }
    }

    fn changed(&mut self, bytes: &[u8], appendable: bool) {
        self.dirty = true;
        if appendable {
            self.delta.extend_from_slice(bytes);
            self.pieces += 1;
        } else {
            self.whole = true;
        }
    }

    fn write(&mut self, doc_id: DocId) -> Option<DocWrite> {
        if !self.dirty {
            return None;
        }
        self.dirty = false;
        let delta = std::mem::take(&mut self.delta);
        let pieces = std::mem::take(&mut self.pieces);
        if std::mem::take(&mut self.whole) || self.cached.appended + pieces > MAX_APPENDED {
            self.cached.appended = 0;
            return Some(DocWrite::Replace {
                doc_id,
                bytes: self.cached.doc.save(),
            });
        }
        self.cached.appended += pieces;
        Some(DocWrite::Append {
            doc_id,
            bytes: delta,
            chunks: pieces,
        })
    }
}

/// The documents one operation touches, taken out of the cache so that a
/// failed commit can simply drop them (the store still holds the last
/// durable version).
#[derive(Default)]
struct WorkingSet {
    docs: BTreeMap<DocId, WorkDoc>,
}

impl WorkingSet {
    /// What to store, and how many of those documents are new.
    fn writes(&mut self) -> (Vec<DocWrite>, u64) {
        let mut new = 0;
        let writes = self
            .docs
            .iter_mut()
            .filter_map(|(id, w)| {
                let write = w.write(*id)?;
                new += u64::from(w.new);
                Some(write)
            })
            .collect();
        (writes, new)
    }
}

#[derive(Default)]
struct Waiters {
    in_step: Vec<Reply<()>>,
    connected: Vec<Reply<()>>,
    joined: Option<Reply<Joined>>,
    /// In request order: the engine answers admin requests in order.
    admin: VecDeque<Reply<AdminReply>>,
}

pub(crate) struct Driver {
    options: ClientOptions,
    store: Store,
    state: StoredState,
    key: DeviceKey,
    engine: Option<SyncEngine>,
    events: UnboundedSender<LoopEvent>,
    generation: u64,
    socket: Option<Socket>,
    reconnect_at: Option<Instant>,
    cache: DocCache,
    doc_count: u64,
    /// Rows in the store's quarantine table.
    quarantined: u64,
    waiters: Waiters,
    counters: Arc<Counters>,
    status_tx: watch::Sender<ClientStatus>,
    halted: bool,
    bootstrap_pages: u32,
    acks: Vec<Acked>,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("device", &self.key.device_id())
            .field("workspace", &self.state.workspace)
            .field("generation", &self.generation)
            .field("halted", &self.halted)
            .finish_non_exhaustive()
    }
}

impl Driver {
    pub(crate) fn new(
        options: ClientOptions,
        store: Store,
        state: StoredState,
        key: DeviceKey,
        events: UnboundedSender<LoopEvent>,
        counters: Arc<Counters>,
        status_tx: watch::Sender<ClientStatus>,
    ) -> Result<Driver, ClientError> {
        let doc_count = store.doc_count()?;
        let quarantined = store.quarantine_count()?;
        let cache = DocCache {
            docs: HashMap::new(),
            capacity: options.doc_cache,
        };
        let mut driver = Driver {
            options,
            store,
            state,
            key,
            engine: None,
            events,
            generation: 0,
            socket: None,
            reconnect_at: None,
            cache,
            doc_count,
            quarantined,
            waiters: Waiters::default(),
            counters,
            status_tx,
            halted: false,
            bootstrap_pages: 0,
            acks: Vec::new(),
        };
        driver.make_engine()?;
        Ok(driver)
    }

    pub(crate) async fn run(mut self, mut events: UnboundedReceiver<LoopEvent>) {
        if self.engine.is_some() {
            self.dispatch(SyncEvent::NetworkUp).await;
            self.after_event();
        }
        loop {
            let reconnect_at = self.reconnect_at;
            let timer = async move {
                match reconnect_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            let event = tokio::select! {
                event = events.recv() => match event {
                    Some(event) => event,
                    // Cannot happen while the loop holds a sender itself,
                    // but end cleanly if it does.
                    None => break,
                },
                () = timer => LoopEvent::ReconnectDue,
            };
            if let LoopEvent::Request(Request::Shutdown { done }) = event {
                // Awaited, not spawned: the runtime ends with this loop.
                if let Some(socket) = self.socket.take() {
                    socket.close().await;
                }
                let _ = done.send(());
                break;
            }
            self.handle(event).await;
            self.after_event();
        }
        debug!("sync loop ended");
    }

    fn device(&self) -> DeviceId {
        self.key.device_id()
    }

    /// Builds the engine from durable state, if this device has a workspace.
    fn make_engine(&mut self) -> Result<(), ClientError> {
        let (Some(workspace), Some(origin)) = (self.state.workspace, self.state.origin.clone())
        else {
            self.engine = None;
            return Ok(());
        };
        let Some(key) = self.state.workspace_key.clone() else {
            self.engine = None;
            return Err(ClientError::NoWorkspaceKey(workspace));
        };
        let outbox = self.store.outbox()?;
        self.engine = Some(SyncEngine::new(
            self.options.sync.clone(),
            SyncSetup {
                sealer: EntrySealer {
                    workspace,
                    device: self.key.clone(),
                    key,
                },
                origin,
                cursor: self.state.cursor,
                outbox,
                bootstrap: self.state.bootstrap,
                redeem: self.state.redeem.clone(),
            },
        ));
        Ok(())
    }

    async fn handle(&mut self, event: LoopEvent) {
        match event {
            LoopEvent::Request(request) => self.request(request).await,
            LoopEvent::Opened { socket } => {
                if socket.generation == self.generation && !self.halted && self.socket.is_none() {
                    self.socket = Some(socket);
                    self.dispatch(SyncEvent::Opened).await;
                } else {
                    tokio::spawn(socket.close());
                }
            }
            LoopEvent::Frame { generation, bytes } => {
                if generation == self.generation && self.socket.is_some() {
                    self.dispatch(SyncEvent::Frame(bytes)).await;
                }
            }
            LoopEvent::Closed { generation, reason } => {
                if generation == self.generation {
                    debug!(%reason, "connection closed");
                    self.drop_socket();
                    self.dispatch(SyncEvent::Closed { reason }).await;
                }
            }
            LoopEvent::ReconnectDue => {
                self.reconnect_at = None;
                self.dispatch(SyncEvent::ReconnectDue).await;
            }
        }
    }

    /// Feeds the engine one event and carries out everything it asks for,
    /// including what carrying it out feeds back (an applied batch, an
    /// enqueued snapshot), until nothing is left.
    async fn dispatch(&mut self, event: SyncEvent) {
        let mut queue: VecDeque<SyncEffect> = self.engine_handle(event).into();
        while let Some(effect) = queue.pop_front() {
            if self.halted {
                return;
            }
            let follow_up = match effect {
                SyncEffect::Connect => {
                    self.connect();
                    None
                }
                SyncEffect::Disconnect => {
                    self.drop_socket();
                    None
                }
                SyncEffect::Send(bytes) => self.send(bytes).await,
                SyncEffect::ScheduleReconnect { delay_ms } => {
                    self.reconnect_at = Some(Instant::now() + Duration::from_millis(delay_ms));
                    None
                }
                SyncEffect::Apply {
                    entries,
                    quarantined,
                    through,
                } => Some(self.apply(entries, quarantined, through)),
                SyncEffect::ApplyBootstrap {
                    entries,
                    quarantined,
                    upto,
                    next,
                } => {
                    let event = self.apply_bootstrap(entries, quarantined, upto, next);
                    if matches!(event, SyncEvent::BootstrapApplied) && next.is_some() {
                        self.bootstrap_pages += 1;
                        if self
                            .options
                            .stop_after_bootstrap_pages
                            .is_some_and(|n| self.bootstrap_pages >= n)
                        {
                            self.halt();
                            return;
                        }
                    }
                    Some(event)
                }
                SyncEffect::Acked(acks) => {
                    self.acked(acks);
                    None
                }
                SyncEffect::Joined { role } => {
                    self.joined(role);
                    None
                }
                SyncEffect::Compact { doc_id, covers } => {
                    // Snapshots come in bursts (every document whose tail
                    // grew long in one push): write them in one commit.
                    let mut due = vec![(doc_id, covers)];
                    while let Some(SyncEffect::Compact { doc_id, covers }) = queue.front() {
                        due.push((*doc_id, *covers));
                        queue.pop_front();
                    }
                    for entry in self.compact(&due) {
                        queue.extend(self.engine_handle(SyncEvent::Enqueued(entry)));
                    }
                    None
                }
                SyncEffect::AdminReply(reply) => {
                    if let Some(waiter) = self.waiters.admin.pop_front() {
                        let _ = waiter.send(Ok(reply));
                    }
                    None
                }
            };
            if let Some(event) = follow_up {
                queue.extend(self.engine_handle(event));
            }
        }
    }

    fn engine_handle(&mut self, event: SyncEvent) -> Vec<SyncEffect> {
        match (&mut self.engine, self.halted) {
            (Some(engine), false) => engine.handle(now_ms(), &mut rand::rng(), event),
            _ => Vec::new(),
        }
    }

    fn connect(&mut self) {
        self.drop_socket();
        let Some(origin) = &self.state.origin else {
            return;
        };
        spawn_connect(
            sync_url(origin),
            self.generation,
            self.options.connect_timeout,
            self.events.clone(),
            self.counters.clone(),
        );
    }

    /// Forgets the current socket; anything it still reports is ignored.
    fn drop_socket(&mut self) {
        self.generation += 1;
        if let Some(socket) = self.socket.take() {
            tokio::spawn(socket.close());
        }
    }

    /// Sends a frame; a failed send closes the connection.
    async fn send(&mut self, bytes: Vec<u8>) -> Option<SyncEvent> {
        // Frames meant for a connection that has gone are dropped: the
        // engine re-sends what matters after the next handshake.
        let socket = self.socket.as_mut()?;
        match socket.send(bytes, &self.counters).await {
            Ok(()) => None,
            Err(reason) => {
                self.drop_socket();
                Some(SyncEvent::Closed { reason })
            }
        }
    }

    fn halt(&mut self) {
        info!(
            pages = self.bootstrap_pages,
            "stopping after the configured number of bootstrap pages"
        );
        self.halted = true;
        self.reconnect_at = None;
        self.drop_socket();
    }

    /// Takes a document out of the cache, or loads it; `None` when this
    /// device has never stored it.
    fn take_doc(&mut self, doc_id: DocId) -> Result<Option<CachedDoc>, ClientError> {
        if let Some(doc) = self.cache.docs.remove(&doc_id) {
            return Ok(Some(doc));
        }
        let Some((bytes, appended)) = self.store.doc(doc_id)? else {
            return Ok(None);
        };
        let doc = CaseDoc::load(&bytes, &self.device()).map_err(|err| {
            ClientError::CorruptState(format!(
                "the stored document {doc_id} does not load ({})",
                err.kind()
            ))
        })?;
        Ok(Some(CachedDoc { doc, appended }))
    }

    /// The working copy of a document, loaded (or begun empty) on first use.
    fn working_doc<'a>(
        &mut self,
        set: &'a mut WorkingSet,
        doc_id: DocId,
    ) -> Result<&'a mut WorkDoc, ClientError> {
        match set.docs.entry(doc_id) {
            btree_map::Entry::Occupied(work) => Ok(work.into_mut()),
            btree_map::Entry::Vacant(slot) => {
                let (cached, new) = match self.take_doc(doc_id)? {
                    Some(cached) => (cached, false),
                    None => (
                        CachedDoc {
                            doc: CaseDoc::empty(&self.device()),
                            appended: 0,
                        },
                        true,
                    ),
                };
                Ok(slot.insert(WorkDoc::new(cached, new)))
            }
        }
    }

    /// Puts a committed working set back into the cache.
    fn keep(&mut self, set: WorkingSet, committed_new: u64) {
        self.doc_count += committed_new;
        for (doc_id, work) in set.docs {
            self.cache.put(doc_id, work.cached);
        }
    }

    /// Merges opened entries into their documents (the working set),
    /// marking the ones that changed. A body Automerge refuses is skipped
    /// and counted: it came signed and sealed by a member, so it is a faulty
    /// peer, and refusing the batch would stall this device for good.
    fn merge_into(
        &mut self,
        set: &mut WorkingSet,
        entries: &[OpenedEntry],
    ) -> Result<(), ClientError> {
        for entry in entries {
            let doc_id = entry.header.doc_id;
            let work = self.working_doc(set, doc_id)?;
            let before = work.cached.doc.heads();
            let merged = work.cached.doc.merge(&entry.plaintext);
            if work.cached.doc.heads() != before {
                // A snapshot is a document chunk: stored as a whole save
                // rather than appended after another document chunk.
                let appendable = entry.header.kind == EntryKind::Change;
                work.changed(&entry.plaintext, appendable);
            }
            if let Err(err) = merged {
                self.counters.bad_bodies.fetch_add(1, Relaxed);
                warn!(doc = %doc_id, seq = %entry.seq, kind = err.kind(), "skipping an entry whose body does not merge");
            }
        }
        Ok(())
    }

    /// Counts and logs entries the engine set aside once they are stored
    /// (headers only: nothing of a body that did not open is kept).
    fn quarantined(&mut self, quarantined: &[Quarantined]) {
        if quarantined.is_empty() {
            return;
        }
        for q in quarantined {
            warn!(
                seq = %q.seq,
                doc = %q.header.doc_id,
                author = %q.header.author,
                error = q.error.kind(),
                "quarantined an entry that does not verify or open; skipping it"
            );
        }
        self.quarantined = match self.store.quarantine_count() {
            Ok(n) => n,
            Err(_) => self.quarantined + quarantined.len() as u64,
        };
    }

    fn apply(
        &mut self,
        entries: Vec<OpenedEntry>,
        quarantined: Vec<Quarantined>,
        through: Seq,
    ) -> SyncEvent {
        let mut set = WorkingSet::default();
        let result = self.merge_into(&mut set, &entries).and_then(|()| {
            let (writes, new_docs) = set.writes();
            self.store
                .commit_apply(&writes, &quarantined, through, now_ms())?;
            Ok(new_docs)
        });
        match result {
            Ok(new_docs) => {
                self.keep(set, new_docs);
                self.quarantined(&quarantined);
                self.state.cursor = self.state.cursor.max(through);
                self.counters
                    .entries_applied
                    .fetch_add(entries.len() as u64, Relaxed);
                debug!(entries = entries.len(), %through, "applied a batch");
                SyncEvent::Applied { through }
            }
            Err(err) => {
                warn!(%err, "could not store a pulled batch");
                SyncEvent::ApplyFailed {
                    reason: format!("could not store pulled entries: {err}"),
                }
            }
        }
    }

    fn apply_bootstrap(
        &mut self,
        entries: Vec<OpenedEntry>,
        quarantined: Vec<Quarantined>,
        upto: Seq,
        next: Option<BootstrapResume>,
    ) -> SyncEvent {
        let mut set = WorkingSet::default();
        let result = self.merge_into(&mut set, &entries).and_then(|()| {
            let (writes, new_docs) = set.writes();
            self.store
                .commit_bootstrap(&writes, &quarantined, upto, next, now_ms())?;
            Ok(new_docs)
        });
        match result {
            Ok(new_docs) => {
                let docs = set.docs.len() as u64;
                self.keep(set, new_docs);
                self.quarantined(&quarantined);
                self.state.bootstrap = next;
                if next.is_none() {
                    self.state.cursor = self.state.cursor.max(upto);
                }
                let c = &self.counters;
                c.bootstrap_pages.fetch_add(1, Relaxed);
                c.bootstrap_docs.fetch_add(docs, Relaxed);
                c.bootstrap_entries.fetch_add(entries.len() as u64, Relaxed);
                debug!(
                    docs,
                    entries = entries.len(),
                    done = next.is_none(),
                    "applied a bootstrap page"
                );
                SyncEvent::BootstrapApplied
            }
            Err(err) => {
                warn!(%err, "could not store a bootstrap page");
                SyncEvent::ApplyFailed {
                    reason: format!("could not store bootstrap documents: {err}"),
                }
            }
        }
    }

    fn acked(&mut self, acks: Vec<Acked>) {
        let blobs: Vec<BlobId> = acks.iter().map(|a| a.blob_id).collect();
        // A failure leaves the rows: they are pushed again on the next
        // start, and the relay acks each at its first seq.
        if let Err(err) = self.store.remove_acked(&blobs) {
            warn!(%err, "could not drop acknowledged entries from the outbox");
        }
        if self.options.record_acks {
            self.acks.extend(acks);
        }
    }

    fn joined(&mut self, role: Role) {
        if self.state.role != Some(role) || self.state.redeem.is_some() {
            if let Err(err) = self.store.set_joined(role) {
                warn!(%err, "could not record the role");
            }
            self.state.role = Some(role);
            self.state.redeem = None;
        }
        if let (Some(waiter), Some(workspace)) = (self.waiters.joined.take(), self.state.workspace)
        {
            info!(%workspace, role = role.as_str(), "joined the workspace");
            let _ = waiter.send(Ok(Joined { workspace, role }));
        }
    }

    /// Seals local Automerge bytes under the workspace key and signs them,
    /// for the outbox. `None` without a workspace (callers checked).
    fn seal(&self, doc_id: DocId, kind: EntryKind, plaintext: &[u8]) -> Option<NewEntry> {
        let sealer = self.engine.as_ref()?.sealer();
        Some(sealer.seal(&mut rand::rng(), doc_id, kind, plaintext))
    }

    /// Writes snapshot entries for `due` documents, returns them for the
    /// engine. A document this device does not hold is skipped: there is
    /// nothing to snapshot, and the next push of it asks again.
    fn compact(&mut self, due: &[(DocId, Seq)]) -> Vec<NewEntry> {
        let mut set = WorkingSet::default();
        let mut entries = Vec::new();
        let mut writes = Vec::new();
        for &(doc_id, covers) in due {
            let mut cached = match self.take_doc(doc_id) {
                Ok(Some(cached)) => cached,
                Ok(None) => continue,
                Err(err) => {
                    warn!(%err, doc = %doc_id, "cannot snapshot a document");
                    continue;
                }
            };
            let body = cached.doc.save();
            entries.extend(self.seal(doc_id, EntryKind::Snapshot { covers }, &body));
            // The snapshot is also the most compact form to keep locally.
            writes.push(DocWrite::Replace {
                doc_id,
                bytes: body,
            });
            cached.appended = 0;
            set.docs.insert(doc_id, WorkDoc::new(cached, false));
        }
        match self.store.commit_local(&writes, &entries) {
            Ok(()) => {
                self.keep(set, 0);
                self.counters
                    .snapshots_written
                    .fetch_add(entries.len() as u64, Relaxed);
                debug!(snapshots = entries.len(), "wrote snapshots");
                entries
            }
            Err(err) => {
                // The engine asks again when the documents' tails grow.
                warn!(%err, "could not store snapshots");
                Vec::new()
            }
        }
    }

    /// Commits local documents with their outbox entries, then hands the
    /// entries to the engine.
    async fn enqueue_local(
        &mut self,
        mut set: WorkingSet,
        entries: Vec<NewEntry>,
    ) -> Result<(), ClientError> {
        let (writes, new_docs) = set.writes();
        self.store.commit_local(&writes, &entries)?;
        self.keep(set, new_docs);
        for entry in entries {
            self.dispatch(SyncEvent::Enqueued(entry)).await;
        }
        Ok(())
    }

    /// A viewer's entries would sit in its outbox for ever: refuse them
    /// before anything is written.
    fn check_can_write(&self) -> Result<(), ClientError> {
        if self.state.workspace.is_none() {
            return Err(ClientError::NotSetUp);
        }
        let role = self
            .engine
            .as_ref()
            .and_then(|e| e.status().role)
            .or(self.state.role);
        if role.is_some_and(|r| !r.can_push()) {
            return Err(ClientError::ViewerCannotWrite);
        }
        Ok(())
    }

    fn edit_context(&self) -> EditContext {
        let now = now_ms();
        EditContext {
            device: self.device(),
            now_ms: now,
            today: Date::from_unix_ms(now),
        }
    }

    async fn request(&mut self, request: Request) {
        match request {
            Request::Setup {
                origin,
                code,
                key,
                reply,
            } => {
                let workspace = WorkspaceId::random(&mut rand::rng());
                self.start_joining(workspace, key, origin, Redeem::SetupCode(code), reply)
                    .await;
            }
            Request::Join { link, key, reply } => {
                self.start_joining(
                    link.workspace,
                    key,
                    link.origin.clone(),
                    Redeem::Ticket(link.ticket),
                    reply,
                )
                .await;
            }
            Request::WorkspaceKey { reply } => {
                let key = self.state.workspace_key.clone();
                let _ = reply.send(key.ok_or(ClientError::NotSetUp));
            }
            Request::ImportCases { cases, reply } => {
                let result = self.import_cases(cases).await;
                let _ = reply.send(result);
            }
            Request::Edit {
                doc_id,
                edits,
                reply,
            } => {
                let result = self.edit(doc_id, edits).await;
                let _ = reply.send(result);
            }
            Request::EnqueueChanges { changes, reply } => {
                let result = self.enqueue_changes(changes).await;
                let _ = reply.send(result);
            }
            Request::WaitInStep { reply } => {
                if self.engine.is_none() {
                    let _ = reply.send(Err(ClientError::NotSetUp));
                } else {
                    self.waiters.in_step.push(reply);
                }
            }
            Request::WaitConnected { reply } => {
                if self.engine.is_none() {
                    let _ = reply.send(Err(ClientError::NotSetUp));
                } else {
                    self.waiters.connected.push(reply);
                }
            }
            Request::Admin { request, reply } => {
                if self.engine.is_none() {
                    let _ = reply.send(Err(ClientError::NotSetUp));
                } else if self.halted {
                    let _ = reply.send(Err(ClientError::Halted));
                } else {
                    self.waiters.admin.push_back(reply);
                    self.dispatch(SyncEvent::Admin(request)).await;
                }
            }
            Request::Status { reply } => {
                let _ = reply.send(Ok(self.status()));
            }
            Request::Document { doc_id, reply } => {
                let _ = reply.send(self.store.doc(doc_id).map(|d| d.map(|(bytes, _)| bytes)));
            }
            Request::DocIds { reply } => {
                let _ = reply.send(self.store.doc_ids());
            }
            Request::Acks { reply } => {
                let _ = reply.send(Ok(self.acks.clone()));
            }
            Request::Shutdown { done } => {
                // Handled by `run`; kept exhaustive.
                let _ = done.send(());
            }
        }
    }

    async fn start_joining(
        &mut self,
        workspace: WorkspaceId,
        key: WorkspaceKey,
        origin: String,
        redeem: Redeem,
        reply: Reply<Joined>,
    ) {
        if let Some(existing) = self.state.workspace {
            // A workspace whose secret the relay never accepted (nor
            // refused: the relay was unreachable) may be replaced, as long
            // as nothing was written for it yet.
            let abandoned = self.state.role.is_none() && self.doc_count == 0;
            if !abandoned {
                let _ = reply.send(Err(ClientError::AlreadySetUp(existing)));
                return;
            }
        }
        if let Some(old) = self.waiters.joined.take() {
            let _ = old.send(Err(ClientError::Stopped));
        }
        let result = self.store.set_workspace(workspace, &key, &origin, &redeem);
        if let Err(err) = result {
            let _ = reply.send(Err(err));
            return;
        }
        self.drop_socket();
        self.reconnect_at = None;
        self.state.workspace = Some(workspace);
        self.state.workspace_key = Some(key);
        self.state.origin = Some(origin);
        self.state.redeem = Some(redeem);
        self.state.cursor = Seq::ZERO;
        self.state.bootstrap = None;
        self.state.role = None;
        self.state.last_error = None;
        if let Err(err) = self.make_engine() {
            let _ = reply.send(Err(err));
            return;
        }
        self.waiters.joined = Some(reply);
        self.dispatch(SyncEvent::NetworkUp).await;
    }

    async fn import_cases(&mut self, cases: Vec<Case>) -> Result<Vec<DocId>, ClientError> {
        self.check_can_write()?;
        let ctx = self.edit_context();
        let mut set = WorkingSet::default();
        let mut entries = Vec::with_capacity(cases.len());
        let mut ids = Vec::with_capacity(cases.len());
        for (index, case) in cases.into_iter().enumerate() {
            let (doc, body) =
                CaseDoc::create(case, &ctx).map_err(|err| ClientError::InvalidCase {
                    index,
                    reason: err.to_string(),
                })?;
            let doc_id = DocId::random(&mut rand::rng());
            let mut work = WorkDoc::new(CachedDoc { doc, appended: 0 }, true);
            work.changed(&body, true);
            set.docs.insert(doc_id, work);
            entries.extend(self.seal(doc_id, EntryKind::Change, &body));
            ids.push(doc_id);
        }
        self.enqueue_local(set, entries).await?;
        info!(cases = ids.len(), "imported cases");
        Ok(ids)
    }

    async fn edit(&mut self, doc_id: DocId, edits: Vec<CaseEdit>) -> Result<bool, ClientError> {
        self.check_can_write()?;
        let ctx = self.edit_context();
        let mut cached = self
            .take_doc(doc_id)?
            .ok_or(ClientError::NoSuchDoc(doc_id))?;
        let before = cached.doc.heads();
        for edit in edits {
            if let Err(err) = cached.doc.apply(edit, &ctx) {
                // Earlier edits of this call are only in the loaded copy;
                // dropping it undoes them (the store has the last version).
                return Err(ClientError::Edit(err.to_string()));
            }
        }
        let mut set = WorkingSet::default();
        if cached.doc.heads() == before {
            set.docs.insert(doc_id, WorkDoc::new(cached, false));
            self.keep(set, 0);
            return Ok(false);
        }
        // The changes since this device's last entry for the document:
        // every local change is enqueued as it is made, so these edits.
        let body = cached.doc.save_after(&before);
        let entries: Vec<NewEntry> = self
            .seal(doc_id, EntryKind::Change, &body)
            .into_iter()
            .collect();
        let mut work = WorkDoc::new(cached, false);
        work.changed(&body, true);
        set.docs.insert(doc_id, work);
        self.enqueue_local(set, entries).await?;
        Ok(true)
    }

    async fn enqueue_changes(
        &mut self,
        changes: Vec<(DocId, Vec<u8>)>,
    ) -> Result<Vec<BlobId>, ClientError> {
        self.check_can_write()?;
        let mut set = WorkingSet::default();
        let mut entries = Vec::with_capacity(changes.len());
        for (doc_id, body) in changes {
            let work = self.working_doc(&mut set, doc_id)?;
            let before = work.cached.doc.heads();
            work.cached
                .doc
                .merge(&body)
                .map_err(|err| ClientError::BadChange {
                    doc: doc_id,
                    reason: err.kind().to_owned(),
                })?;
            if work.cached.doc.heads() == before {
                // Automerge skips bytes it cannot parse instead of failing.
                return Err(ClientError::BadChange {
                    doc: doc_id,
                    reason: "no new change in them (already applied, or not Automerge)".into(),
                });
            }
            work.changed(&body, true);
            entries.extend(self.seal(doc_id, EntryKind::Change, &body));
        }
        let blobs = entries.iter().map(|e| e.header.blob_id).collect();
        self.enqueue_local(set, entries).await?;
        Ok(blobs)
    }

    pub(crate) fn status(&self) -> ClientStatus {
        let sync = self.engine.as_ref().map(SyncEngine::status);
        ClientStatus {
            device: self.device(),
            workspace: self.state.workspace,
            origin: self.state.origin.clone(),
            role: sync.as_ref().and_then(|s| s.role).or(self.state.role),
            connection: sync.as_ref().map_or(Connection::Offline, |s| s.connection),
            cursor: sync.as_ref().map_or(self.state.cursor, |s| s.cursor),
            head: sync.as_ref().map_or(self.state.cursor, |s| s.head),
            pending_uploads: sync.as_ref().map_or(0, |s| s.pending_uploads),
            documents: self.doc_count,
            bootstrap: sync.as_ref().and_then(|s| s.bootstrap),
            bootstrap_pending: self.state.bootstrap.is_some(),
            last_sync_ms: sync.as_ref().and_then(|s| s.last_sync_ms),
            last_error: sync
                .as_ref()
                .and_then(|s| s.last_error.clone())
                .or_else(|| self.state.last_error.clone()),
            refused: sync.as_ref().and_then(|s| s.refused),
            quarantined_entries: self.quarantined,
            redeem_pending: self.state.redeem.is_some(),
            in_step: self.engine.as_ref().is_some_and(SyncEngine::in_step),
            halted: self.halted,
        }
    }

    /// After each event: keep the last error durable (for `status` in a
    /// later run), answer waiters, publish the status.
    fn after_event(&mut self) {
        if let Some(engine) = &self.engine {
            let current = engine.status().last_error;
            // A new error is kept; a stored one is forgotten only once the
            // device is fully in step again, so `status` in a later run
            // still says why the last sync failed.
            let update = if current.is_some() {
                current != self.state.last_error
            } else {
                engine.in_step() && self.state.last_error.is_some()
            };
            if update {
                if let Err(err) = self.store.set_last_error(current.as_deref()) {
                    warn!(%err, "could not record the last error");
                }
                self.state.last_error = current;
            }
        }
        let status = self.status();
        self.resolve_waiters(&status);
        self.status_tx.send_replace(status);
    }

    fn resolve_waiters(&mut self, status: &ClientStatus) {
        if self.halted {
            for w in self.waiters.in_step.drain(..) {
                let _ = w.send(Err(ClientError::Halted));
            }
            for w in self.waiters.connected.drain(..) {
                let _ = w.send(Err(ClientError::Halted));
            }
            return;
        }
        if status.connection == Connection::Refused {
            let code = status.refused.unwrap_or(ErrorCode::NotMember);
            let raw = status.last_error.clone().unwrap_or_default();
            // The engine words it "relay error CODE: message"; the error
            // names the code already.
            let message = raw
                .strip_prefix(&format!("relay error {}: ", code.as_str()))
                .unwrap_or(&raw)
                .to_owned();
            let refused = || ClientError::Refused {
                code,
                message: message.clone(),
            };
            if let Some(waiter) = self.waiters.joined.take() {
                // The secret was refused: forget this workspace so that the
                // user can try again with another code or link.
                if let Err(err) = self.store.clear_workspace() {
                    warn!(%err, "could not forget the refused workspace");
                }
                self.state.workspace = None;
                self.state.workspace_key = None;
                self.state.origin = None;
                self.state.redeem = None;
                self.engine = None;
                let _ = waiter.send(Err(refused()));
            }
            for w in self.waiters.in_step.drain(..) {
                let _ = w.send(Err(refused()));
            }
            for w in self.waiters.connected.drain(..) {
                let _ = w.send(Err(refused()));
            }
            return;
        }
        if status.connection == Connection::Connected
            && status.pending_uploads > 0
            && status.role.is_some_and(|r| !r.can_push())
        {
            // Entries written before the device learnt it is a viewer can
            // never be uploaded: say so rather than wait for ever.
            for w in self.waiters.in_step.drain(..) {
                let _ = w.send(Err(ClientError::ViewerCannotWrite));
            }
        }
        if status.in_step {
            for w in self.waiters.in_step.drain(..) {
                let _ = w.send(Ok(()));
            }
        }
        if status.connection == Connection::Connected {
            for w in self.waiters.connected.drain(..) {
                let _ = w.send(Ok(()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT, ReadDoc};
    use shared::ids::BlobId;
    use shared::sealing::OpenError;
    use shared::synthetic::generate;
    use shared::wire::EntryHeader;

    use super::*;

    const WS: WorkspaceId = WorkspaceId([9; 16]);

    fn workspace_key() -> WorkspaceKey {
        WorkspaceKey::from_bytes(0, [5; 32])
    }

    fn driver(dir: &std::path::Path) -> Driver {
        let mut store = Store::open(dir).unwrap();
        store
            .set_workspace(
                WS,
                &workspace_key(),
                "http://127.0.0.1:9",
                &Redeem::SetupCode("x".into()),
            )
            .unwrap();
        let state = store.load_state().unwrap();
        let (events, _rx) = tokio::sync::mpsc::unbounded_channel();
        let (status_tx, _) = watch::channel(placeholder_status());
        Driver::new(
            ClientOptions::default(),
            store,
            state,
            DeviceKey::from_secret(&[4; 32]),
            events,
            Arc::new(Counters::default()),
            status_tx,
        )
        .unwrap()
    }

    fn placeholder_status() -> ClientStatus {
        ClientStatus {
            device: DeviceId([0; 32]),
            workspace: None,
            origin: None,
            role: None,
            connection: Connection::Offline,
            cursor: Seq::ZERO,
            head: Seq::ZERO,
            pending_uploads: 0,
            documents: 0,
            bootstrap: None,
            bootstrap_pending: false,
            last_sync_ms: None,
            last_error: None,
            refused: None,
            quarantined_entries: 0,
            redeem_pending: false,
            in_step: false,
            halted: false,
        }
    }

    /// A peer's change entries for one document, as the engine hands them
    /// over once verified and opened: `n` puts of one key.
    fn remote_entries(doc_id: DocId, n: usize) -> (AutoCommit, Vec<OpenedEntry>) {
        let peer = DeviceKey::from_secret(&[8; 32]);
        let mut doc = AutoCommit::new();
        let mut entries = Vec::new();
        for i in 0..n {
            let heads = doc.get_heads();
            doc.put(ROOT, "round", i as u64).unwrap();
            doc.commit();
            entries.push(OpenedEntry {
                seq: Seq(i as u64 + 1),
                header: EntryHeader {
                    doc_id,
                    kind: EntryKind::Change,
                    blob_id: BlobId([i as u8; 16]),
                    author: peer.device_id(),
                    key_epoch: 0,
                },
                plaintext: doc.save_after(&heads),
            });
        }
        (doc, entries)
    }

    /// What this device uploaded, opened as a peer holding the workspace
    /// key would (signature checked too).
    fn opened(d: &Driver, e: &NewEntry) -> Vec<u8> {
        let logged = e.clone().logged_at(Seq(1));
        let sealer = d.engine.as_ref().unwrap().sealer();
        assert_eq!(sealer.key, workspace_key());
        sealer
            .open(logged)
            .expect("sealed for this workspace")
            .plaintext
    }

    #[tokio::test]
    async fn a_batch_and_its_cursor_are_stored_together_and_a_bad_body_does_not_stall_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = driver(dir.path());
        let doc_id = DocId([1; 16]);
        let (mut peer_doc, mut entries) = remote_entries(doc_id, 3);
        let mut bad = entries[2].clone();
        bad.seq = Seq(4);
        bad.plaintext = b"not automerge".to_vec();
        entries.push(bad);

        assert!(matches!(
            d.apply(entries.clone(), vec![], Seq(4)),
            SyncEvent::Applied { through: Seq(4) }
        ));
        // Automerge skips bytes it cannot read (they add no change); either
        // way the batch goes through.
        let state = d.store.load_state().unwrap();
        assert_eq!(state.cursor, Seq(4));
        let mut stored = AutoCommit::load(&d.store.doc(doc_id).unwrap().unwrap().0).unwrap();
        assert_eq!(stored.get_heads(), peer_doc.get_heads());
        assert_eq!(d.doc_count, 1);

        // The same entries again (a retry after a lost `Applied`) change
        // nothing and count no new document.
        assert!(matches!(
            d.apply(entries[..3].to_vec(), vec![], Seq(4)),
            SyncEvent::Applied { through: Seq(4) }
        ));
        assert_eq!(d.doc_count, 1);
    }

    #[tokio::test]
    async fn quarantined_entries_are_kept_aside_with_the_cursor_and_never_stop_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = driver(dir.path());
        let doc_id = DocId([1; 16]);
        let (mut peer_doc, entries) = remote_entries(doc_id, 3);
        let set_aside = |seq: u64, error: OpenError| Quarantined {
            seq: Seq(seq),
            header: EntryHeader {
                doc_id: DocId([2; 16]),
                kind: EntryKind::Change,
                blob_id: BlobId([0xb0 + seq as u8; 16]),
                author: DeviceId([7; 32]),
                key_epoch: 0,
            },
            error,
        };
        // Seqs 1 and 3 open; 2 does not (moved from another document), and
        // neither does 4, the last of the batch.
        let batch = vec![entries[0].clone(), {
            let mut e = entries[1].clone();
            e.seq = Seq(3);
            e
        }];
        let bad = vec![
            set_aside(2, OpenError::Decrypt),
            set_aside(4, OpenError::Decrypt),
        ];
        assert!(matches!(
            d.apply(batch, bad.clone(), Seq(4)),
            SyncEvent::Applied { through: Seq(4) }
        ));
        assert_eq!(d.store.load_state().unwrap().cursor, Seq(4));
        assert_eq!(d.status().quarantined_entries, 2);
        let kept = d.store.quarantined().unwrap();
        assert_eq!(
            kept.iter()
                .map(|q| (q.seq, q.doc_id, q.error.as_str()))
                .collect::<Vec<_>>(),
            [
                (Seq(2), DocId([2; 16]), "decrypt"),
                (Seq(4), DocId([2; 16]), "decrypt")
            ]
        );
        assert_eq!(d.store.doc(DocId([2; 16])).unwrap(), None, "nothing merged");

        // A bootstrap page delivering one of them again, and a new one.
        assert!(matches!(
            d.apply_bootstrap(
                vec![entries[2].clone()],
                vec![
                    bad[0].clone(),
                    set_aside(9, OpenError::UnknownEpoch { epoch: 1 })
                ],
                Seq(9),
                None,
            ),
            SyncEvent::BootstrapApplied
        ));
        assert_eq!(d.store.load_state().unwrap().cursor, Seq(9));
        assert_eq!(d.status().quarantined_entries, 3);
        let mut stored = AutoCommit::load(&d.store.doc(doc_id).unwrap().unwrap().0).unwrap();
        assert_eq!(stored.get_heads(), peer_doc.get_heads());

        // The count is durable: a reopened client reports it before syncing.
        drop(d);
        let d = Driver::new(
            ClientOptions::default(),
            Store::open(dir.path()).unwrap(),
            Store::open(dir.path()).unwrap().load_state().unwrap(),
            DeviceKey::from_secret(&[4; 32]),
            tokio::sync::mpsc::unbounded_channel().0,
            Arc::new(Counters::default()),
            watch::channel(placeholder_status()).0,
        )
        .unwrap();
        assert_eq!(d.status().quarantined_entries, 3);
    }

    #[tokio::test]
    async fn a_state_without_a_workspace_key_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut state = store.load_state().unwrap();
        state.workspace = Some(WS);
        state.origin = Some("http://127.0.0.1:9".into());
        let err = Driver::new(
            ClientOptions::default(),
            store,
            state,
            DeviceKey::from_secret(&[4; 32]),
            tokio::sync::mpsc::unbounded_channel().0,
            Arc::new(Counters::default()),
            watch::channel(placeholder_status()).0,
        )
        .unwrap_err();
        assert!(matches!(err, ClientError::NoWorkspaceKey(WS)), "{err}");
        assert!(err.to_string().contains("new invite link"), "{err}");
    }

    #[tokio::test]
    async fn a_snapshot_is_the_whole_document_signed_as_covering_the_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = driver(dir.path());
        let doc_id = DocId([1; 16]);
        let (mut peer_doc, entries) = remote_entries(doc_id, 5);
        d.apply(entries, vec![], Seq(5));

        let snapshots = d.compact(&[(doc_id, Seq(5)), (DocId([2; 16]), Seq(5))]);
        assert_eq!(
            snapshots.len(),
            1,
            "a document this device lacks is skipped"
        );
        let snap = &snapshots[0];
        assert_eq!(snap.header.kind, EntryKind::Snapshot { covers: Seq(5) });
        assert_eq!(snap.header.doc_id, doc_id);
        assert_eq!(snap.header.author, d.device());
        snap.verify(WS)
            .expect("signed by this device for this workspace");
        let mut loaded = AutoCommit::load(&opened(&d, snap)).unwrap();
        assert_eq!(loaded.get_heads(), peer_doc.get_heads());
        assert_eq!(
            loaded
                .get(ROOT, "round")
                .unwrap()
                .unwrap()
                .0
                .as_scalar()
                .and_then(|s| s.as_u64()),
            Some(4)
        );
        // Durable in the outbox before the engine hears of it.
        assert_eq!(d.store.outbox().unwrap(), snapshots);
    }

    #[tokio::test]
    async fn imports_and_edits_enqueue_exactly_their_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = driver(dir.path());
        let today = Date::from_unix_ms(now_ms());
        let cases: Vec<Case> = generate(5, 3, today).collect();
        let ids = d.import_cases(cases.clone()).await.unwrap();
        assert_eq!(ids.len(), 3);
        let outbox = d.store.outbox().unwrap();
        assert_eq!(outbox.len(), 3);
        for (entry, case) in outbox.iter().zip(&cases) {
            entry.verify(WS).unwrap();
            let mut doc = CaseDoc::empty(&DeviceId([1; 32]));
            doc.merge(&opened(&d, entry)).unwrap();
            assert_eq!(&doc.case().unwrap(), case);
            // Sealed: no name travels in the clear.
            let surname = case.identity.surname.as_bytes();
            assert!(
                !entry
                    .body
                    .as_bytes()
                    .windows(surname.len())
                    .any(|w| w == surname)
            );
        }

        let mut before =
            CaseDoc::load(&d.store.doc(ids[0]).unwrap().unwrap().0, &d.device()).unwrap();
        assert!(
            d.edit(ids[0], vec![CaseEdit::SetNotes("seen in Rostov".into())])
                .await
                .unwrap()
        );
        let outbox = d.store.outbox().unwrap();
        let edit = &outbox[3];
        before.merge(&opened(&d, edit)).unwrap();
        assert_eq!(before.case().unwrap().notes.0, "seen in Rostov");
        // Only the new change travels, not the whole document again.
        assert!(
            edit.body.len() < outbox[0].body.len() / 2,
            "{}",
            edit.body.len()
        );
        // An edit that changes nothing makes no entry.
        assert!(
            !d.edit(ids[0], vec![CaseEdit::SetNotes("seen in Rostov".into())])
                .await
                .unwrap()
        );
        assert_eq!(d.store.outbox().unwrap().len(), 4);
    }

    #[tokio::test]
    async fn appended_changes_reload_and_fold_into_a_whole_save() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = driver(dir.path());
        let doc_id = DocId([1; 16]);
        let (mut peer_doc, entries) = remote_entries(doc_id, MAX_APPENDED as usize + 10);
        for (i, entry) in entries.iter().enumerate() {
            d.apply(vec![entry.clone()], vec![], entry.seq);
            let (bytes, appended) = d.store.doc(doc_id).unwrap().unwrap();
            // One piece per entry until the limit, then one whole save.
            let want = if i < MAX_APPENDED as usize {
                i as u32 + 1
            } else {
                i as u32 - MAX_APPENDED
            };
            assert_eq!(appended, want, "after entry {i}");
            // What is stored always loads to what the peer has.
            d.cache.docs.clear();
            let mut loaded = AutoCommit::load(&bytes).unwrap();
            let mut peer_prefix = AutoCommit::new();
            for e in &entries[..=i] {
                peer_prefix.load_incremental(&e.plaintext).unwrap();
            }
            assert_eq!(loaded.get_heads(), peer_prefix.get_heads());
        }
        assert_eq!(
            d.take_doc(doc_id).unwrap().unwrap().doc.heads(),
            peer_doc.get_heads()
        );
    }

    #[tokio::test]
    async fn an_invalid_case_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = driver(dir.path());
        let today = Date::from_unix_ms(now_ms());
        let mut cases: Vec<Case> = generate(5, 3, today).collect();
        cases[2].identity.surname.clear();
        let err = d.import_cases(cases).await.unwrap_err();
        assert!(
            matches!(err, ClientError::InvalidCase { index: 2, .. }),
            "{err}"
        );
        assert!(d.store.outbox().unwrap().is_empty());
        assert_eq!(d.store.doc_count().unwrap(), 0);
    }
}
