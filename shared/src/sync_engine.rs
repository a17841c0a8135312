//! The sans-IO sync engine: one per device and workspace.
//!
//! The driver (the browser's device loop, or the native client) feeds it
//! [`SyncEvent`]s with the current time and a random source, and carries out
//! the [`SyncEffect`]s it returns: open or close the socket, send a frame,
//! start a timer, merge and persist a batch or a bootstrap page, drop
//! acknowledged outbox rows, write a snapshot of a document.
//!
//! Invariants the engine keeps:
//! - the cursor moves only on [`SyncEvent::Applied`] or on the last
//!   [`SyncEvent::BootstrapApplied`], which the driver sends after the
//!   documents *and* the new cursor are durable locally;
//! - an outbox entry leaves the outbox only when the relay acknowledged it;
//!   until then every (re)connection pushes it again, and the relay's
//!   idempotency by `blob_id` makes that safe;
//! - pushes go out in outbox order, one push in flight at a time, so the
//!   relay's log order respects each device's causal order;
//! - at most one pull or bootstrap page is outstanding or being applied;
//! - plaintext reaches the driver only as `OpenedEntry`s (signature
//!   verified, body opened); entries that fail are handed over as
//!   `Quarantined`, and the cursor passes them all the same, so one bad
//!   blob never stops sync;
//! - the device answers only challenges naming the origin it dialled.

use std::collections::{BTreeSet, VecDeque};

use rand_core::RngCore;

use crate::ids::{BlobId, DocId, Seq, WorkspaceId};
use crate::sealing::{EntrySealer, OpenedEntry, Quarantined};
use crate::signing::AuthChallenge;
use crate::wire::{
    Acked, BootstrapResume, ClientMsg, DEFAULT_PULL_BYTES, DeviceInfo, Entry, EntryKind, ErrorCode,
    MAX_PUSH_BODY_BYTES, NewEntry, Redeem, Role, ServerMsg,
};

/// A document is compacted once this many change entries follow its latest
/// snapshot. A typical edit's change entry is 0.2–0.5 KB and a saved case
/// 3–8 KB, so 32 changes weigh about one snapshot: a new device then pays
/// at most about twice a document's size for it, while every snapshot
/// costs its author one whole-document upload. Lower thresholds upload
/// whole documents often for little gain; higher ones make bootstrap replay
/// long tails.
pub const COMPACT_AFTER_CHANGES: u32 = 32;

#[derive(Debug, Clone)]
pub struct SyncConfig {
    pub pull_bytes: u32,
    pub push_body_bytes: usize,
    /// First reconnect delay; doubles on each failure up to `backoff_max_ms`.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    pub compact_after_changes: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            pull_bytes: DEFAULT_PULL_BYTES,
            push_body_bytes: MAX_PUSH_BODY_BYTES,
            backoff_base_ms: 500,
            // Short enough that a documenter who walks back into coverage
            // syncs within seconds; long enough not to hammer a down relay.
            backoff_max_ms: 15_000,
            compact_after_changes: COMPACT_AFTER_CHANGES,
        }
    }
}

/// What the driver loaded from durable storage to start an engine.
#[derive(Debug)]
pub struct SyncSetup {
    /// Workspace, device key and workspace key.
    pub sealer: EntrySealer,
    /// The relay origin this device dials (`https://relay.example`), as
    /// normalised by `invite_link::origin_of`.
    pub origin: String,
    pub cursor: Seq,
    pub outbox: Vec<NewEntry>,
    /// An interrupted bootstrap, to resume.
    pub bootstrap: Option<BootstrapResume>,
    /// A ticket or setup code not yet accepted by the relay.
    pub redeem: Option<Redeem>,
}

/// Requests only an admin may make; answered by [`SyncEffect::AdminReply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminRequest {
    CreateInvite {
        ticket_hash: [u8; 32],
        role: Role,
        ttl_secs: u32,
    },
    ListDevices,
    Revoke {
        device: crate::ids::DeviceId,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminReply {
    InviteCreated { expires_ms: i64 },
    Devices(Vec<DeviceInfo>),
    Revoked(crate::ids::DeviceId),
    Failed { code: ErrorCode, message: String },
}

#[derive(Debug)]
pub enum SyncEvent {
    /// The platform reports network connectivity (also sent once at start).
    NetworkUp,
    /// The platform reports no connectivity: stop trying until it returns.
    NetworkDown,
    /// A reconnect timer asked for by [`SyncEffect::ScheduleReconnect`] fired.
    ReconnectDue,
    /// The socket asked for by [`SyncEffect::Connect`] is open. The driver
    /// reports this before any [`SyncEvent::Frame`] of that socket: the relay
    /// speaks first (its challenge), and a frame before `Opened` is dropped.
    Opened,
    /// The socket closed or failed to open.
    Closed {
        reason: String,
    },
    /// A binary frame arrived from the relay.
    Frame(Vec<u8>),
    /// A local change is durable in the outbox.
    Enqueued(NewEntry),
    /// The entries of an [`SyncEffect::Apply`] are merged and durable, and the
    /// cursor `through` is stored with them.
    Applied {
        through: Seq,
    },
    /// The page of an [`SyncEffect::ApplyBootstrap`] is merged and durable,
    /// together with its `next` (or, on the last page, the cursor `upto`).
    BootstrapApplied,
    /// The entries of an [`SyncEffect::Apply`] or
    /// [`SyncEffect::ApplyBootstrap`] could not be made durable (storage
    /// full, say). Nothing moved; the connection is dropped and the request
    /// retried after a back-off.
    ApplyFailed {
        reason: String,
    },
    /// Present a new ticket or setup code (also lifts a refusal).
    Redeem(Redeem),
    Admin(AdminRequest),
}

#[derive(Debug, PartialEq)]
pub enum SyncEffect {
    Connect,
    Disconnect,
    Send(Vec<u8>),
    ScheduleReconnect {
        delay_ms: u64,
    },
    /// Merge these entries, keep the quarantined ones aside (counted,
    /// never merged), persist the documents and set the stored cursor to
    /// `through` in one durable step, then send [`SyncEvent::Applied`].
    Apply {
        entries: Vec<OpenedEntry>,
        quarantined: Vec<Quarantined>,
        through: Seq,
    },
    /// Merge these entries and persist the documents together with the
    /// bootstrap's progress in one durable step: `next` to resume from, or,
    /// when `next` is `None`, the cursor `upto` (and no bootstrap state).
    /// Then send [`SyncEvent::BootstrapApplied`].
    ApplyBootstrap {
        entries: Vec<OpenedEntry>,
        quarantined: Vec<Quarantined>,
        upto: Seq,
        next: Option<BootstrapResume>,
    },
    /// The relay stored these entries: delete them from the durable outbox.
    Acked(Vec<Acked>),
    /// The relay accepted the device with this role: the redeemed ticket or
    /// setup code, if any, is spent and can be forgotten.
    Joined {
        role: Role,
    },
    /// Write a snapshot of this document (`EntryKind::Snapshot { covers }`)
    /// and enqueue it like any local change. The document holds every entry
    /// of the log up to `covers`.
    Compact {
        doc_id: DocId,
        covers: Seq,
    },
    AdminReply(AdminReply),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// No network, or not trying.
    Offline,
    /// Waiting for the reconnect timer after a failure.
    Waiting,
    Connecting,
    Connected,
    /// The relay refused this device for good (revoked, not a member, a
    /// spent ticket); see `SyncStatus::refused`.
    Refused,
}

/// Progress of a bootstrap, in documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootstrapProgress {
    pub docs_done: u64,
    pub docs_total: u64,
}

/// What the sync panel shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub network_up: bool,
    pub connection: Connection,
    pub pending_uploads: usize,
    pub cursor: Seq,
    pub head: Seq,
    /// When this device was last fully in step with the relay: nothing to
    /// upload and nothing to download.
    pub last_sync_ms: Option<i64>,
    pub last_error: Option<String>,
    pub role: Option<Role>,
    pub refused: Option<ErrorCode>,
    /// Set while a bootstrap is under way (`docs_total` is 0 until the
    /// first page arrives).
    pub bootstrap: Option<BootstrapProgress>,
    /// Entries quarantined this session: their signature did not verify or
    /// their body did not open.
    pub quarantined_entries: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    Idle,
    Waiting,
    Connecting,
    /// Open, waiting for the relay's challenge.
    Open,
    /// Hello (the signed answer) sent, waiting for the welcome.
    Hello,
    Ready,
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pull {
    Idle,
    Requested,
    Applying { has_more: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Boot {
    resume: Option<BootstrapResume>,
    progress: BootstrapProgress,
}

#[derive(Debug)]
pub struct SyncEngine {
    config: SyncConfig,
    sealer: EntrySealer,
    origin: String,
    redeem: Option<Redeem>,
    network_up: bool,
    conn: Conn,
    /// Pull or bootstrap page in flight.
    pull: Pull,
    boot: Option<Boot>,
    push_in_flight: Option<Vec<BlobId>>,
    outbox: Vec<NewEntry>,
    cursor: Seq,
    head: Seq,
    role: Option<Role>,
    refused: Option<ErrorCode>,
    failures: u32,
    last_sync_ms: Option<i64>,
    last_error: Option<String>,
    quarantined_entries: u64,
    /// The last bootstrap page's `upto`: the cursor once the last page is
    /// applied.
    boot_upto: Seq,
    to_compact: BTreeSet<DocId>,
    admin_queue: VecDeque<AdminRequest>,
    admin_in_flight: bool,
}

impl SyncEngine {
    pub fn new(config: SyncConfig, setup: SyncSetup) -> SyncEngine {
        SyncEngine {
            config,
            sealer: setup.sealer,
            origin: setup.origin,
            redeem: setup.redeem,
            network_up: false,
            conn: Conn::Idle,
            pull: Pull::Idle,
            boot: setup.bootstrap.map(|resume| Boot {
                resume: Some(resume),
                progress: BootstrapProgress {
                    docs_done: 0,
                    docs_total: 0,
                },
            }),
            push_in_flight: None,
            outbox: setup.outbox,
            cursor: setup.cursor,
            head: setup.cursor,
            role: None,
            refused: None,
            failures: 0,
            last_sync_ms: None,
            last_error: None,
            quarantined_entries: 0,
            boot_upto: Seq::ZERO,
            to_compact: BTreeSet::new(),
            admin_queue: VecDeque::new(),
            admin_in_flight: false,
        }
    }

    pub fn workspace(&self) -> WorkspaceId {
        self.sealer.workspace
    }

    /// Seals and signs local changes for the outbox.
    pub fn sealer(&self) -> &EntrySealer {
        &self.sealer
    }

    pub fn status(&self) -> SyncStatus {
        SyncStatus {
            network_up: self.network_up,
            connection: match self.conn {
                Conn::Idle => Connection::Offline,
                Conn::Waiting => Connection::Waiting,
                Conn::Connecting | Conn::Open | Conn::Hello => Connection::Connecting,
                Conn::Ready => Connection::Connected,
                Conn::Refused => Connection::Refused,
            },
            pending_uploads: self.outbox.len(),
            cursor: self.cursor,
            head: self.head,
            last_sync_ms: self.last_sync_ms,
            last_error: self.last_error.clone(),
            role: self.role,
            refused: self.refused,
            bootstrap: self.boot.map(|b| b.progress),
            quarantined_entries: self.quarantined_entries,
        }
    }

    /// True when connected, nothing to upload, nothing to download.
    pub fn in_step(&self) -> bool {
        self.conn == Conn::Ready
            && self.outbox.is_empty()
            && self.pull == Pull::Idle
            && self.boot.is_none()
            && self.cursor >= self.head
    }

    fn live(&self) -> bool {
        matches!(
            self.conn,
            Conn::Connecting | Conn::Open | Conn::Hello | Conn::Ready
        )
    }

    pub fn handle(
        &mut self,
        now_ms: i64,
        rng: &mut impl RngCore,
        event: SyncEvent,
    ) -> Vec<SyncEffect> {
        let mut fx = Vec::new();
        match event {
            SyncEvent::NetworkUp => {
                self.network_up = true;
                if matches!(self.conn, Conn::Idle | Conn::Waiting) {
                    self.failures = 0;
                    self.conn = Conn::Connecting;
                    fx.push(SyncEffect::Connect);
                }
            }
            SyncEvent::NetworkDown => {
                self.network_up = false;
                if self.live() {
                    fx.push(SyncEffect::Disconnect);
                }
                self.lose_connection(&mut fx);
                if self.conn != Conn::Refused {
                    self.conn = Conn::Idle;
                }
            }
            SyncEvent::ReconnectDue => {
                if self.conn == Conn::Waiting && self.network_up {
                    self.conn = Conn::Connecting;
                    fx.push(SyncEffect::Connect);
                }
            }
            SyncEvent::Opened => {
                // The relay speaks first: its challenge comes unasked.
                if self.conn == Conn::Connecting {
                    self.conn = Conn::Open;
                }
            }
            SyncEvent::Closed { reason } => {
                if self.live() {
                    self.last_error = Some(reason);
                    self.fail(rng, &mut fx);
                }
            }
            SyncEvent::Frame(bytes) => match ServerMsg::decode(&bytes) {
                Ok(msg) => self.on_message(now_ms, rng, msg, &mut fx),
                Err(err) => {
                    self.last_error = Some(format!("the relay sent an unreadable frame: {err}"));
                    fx.push(SyncEffect::Disconnect);
                    self.fail(rng, &mut fx);
                }
            },
            SyncEvent::Enqueued(entry) => {
                self.outbox.push(entry);
                self.maybe_push(&mut fx);
            }
            SyncEvent::Applied { through } => {
                // A batch's apply may finish after a bootstrap began (it was
                // asked for on an earlier connection): its cursor is durable
                // and valid all the same.
                if !matches!(self.pull, Pull::Applying { .. }) {
                    return fx;
                }
                self.cursor = self.cursor.max(through);
                self.head = self.head.max(self.cursor);
                let has_more = matches!(self.pull, Pull::Applying { has_more: true });
                self.pull = Pull::Idle;
                if has_more || self.head > self.cursor {
                    self.maybe_pull(&mut fx);
                }
                self.after_progress(now_ms, &mut fx);
            }
            SyncEvent::BootstrapApplied => {
                let (Pull::Applying { .. }, Some(boot)) = (self.pull, self.boot) else {
                    return fx;
                };
                self.pull = Pull::Idle;
                if boot.resume.is_none() {
                    // That was the last page: `on_message` left the final
                    // cursor in `head`'s place; see `BootstrapPage`.
                    self.boot = None;
                    self.cursor = self.cursor.max(self.boot_upto);
                    self.head = self.head.max(self.cursor);
                }
                self.maybe_pull(&mut fx);
                self.after_progress(now_ms, &mut fx);
            }
            SyncEvent::ApplyFailed { reason } => {
                self.pull = Pull::Idle;
                self.last_error = Some(reason);
                if self.live() {
                    fx.push(SyncEffect::Disconnect);
                    self.fail(rng, &mut fx);
                }
            }
            SyncEvent::Redeem(redeem) => {
                self.redeem = Some(redeem);
                if self.conn == Conn::Refused {
                    self.conn = Conn::Idle;
                    self.refused = None;
                }
                if self.network_up && matches!(self.conn, Conn::Idle | Conn::Waiting) {
                    self.conn = Conn::Connecting;
                    fx.push(SyncEffect::Connect);
                }
            }
            SyncEvent::Admin(request) => {
                self.admin_queue.push_back(request);
                self.maybe_admin(&mut fx);
            }
        }
        fx
    }

    fn on_message(
        &mut self,
        now_ms: i64,
        rng: &mut impl RngCore,
        msg: ServerMsg,
        fx: &mut Vec<SyncEffect>,
    ) {
        match msg {
            ServerMsg::Challenge {
                nonce,
                origin,
                issued_ms,
            } => {
                if self.conn != Conn::Open {
                    return;
                }
                if origin != self.origin {
                    // Another relay may be forwarding the real one's
                    // challenge to borrow this device's signature.
                    self.last_error = Some(format!(
                        "the relay introduced itself as {origin}, but this device connected to {}; \
                         not answering (check the relay address, or the relay's public URL setting)",
                        self.origin
                    ));
                    fx.push(SyncEffect::Disconnect);
                    self.fail(rng, fx);
                    return;
                }
                let signature = self.sealer.device.sign_auth(&AuthChallenge {
                    origin: &origin,
                    nonce,
                    issued_ms,
                    workspace: self.sealer.workspace,
                    device: self.sealer.device.device_id(),
                });
                self.conn = Conn::Hello;
                fx.push(SyncEffect::Send(
                    ClientMsg::Hello {
                        workspace: self.sealer.workspace,
                        device: self.sealer.device.device_id(),
                        signature,
                        redeem: self.redeem.clone(),
                    }
                    .encode(),
                ));
            }
            ServerMsg::Welcome {
                head,
                role,
                pruned_through,
            } => {
                if self.conn != Conn::Hello {
                    return;
                }
                self.conn = Conn::Ready;
                self.failures = 0;
                self.role = Some(role);
                self.redeem = None;
                fx.push(SyncEffect::Joined { role });
                self.last_error = (head < self.cursor).then(|| {
                    // The relay lost entries this device already merged:
                    // restored from an older backup, or another relay. What
                    // this device holds is safe; entries the relay numbers
                    // anew up to our cursor would be skipped, so say so.
                    format!(
                        "the relay holds {head} entries but this device has seen {}: it may have \
                         been restored from a backup; this device's data is safe, but tell your \
                         coordinator before relying on sync",
                        self.cursor
                    )
                });
                self.head = self.head.max(head);
                let fresh = self.cursor == Seq::ZERO && head > Seq::ZERO;
                if self.boot.is_none() && (fresh || self.cursor < pruned_through) {
                    self.boot = Some(Boot {
                        resume: None,
                        progress: BootstrapProgress {
                            docs_done: 0,
                            docs_total: 0,
                        },
                    });
                }
                self.maybe_push(fx);
                self.maybe_pull(fx);
                self.maybe_admin(fx);
                self.after_progress(now_ms, fx);
            }
            ServerMsg::Ack { acks } => {
                if self.push_in_flight.take().is_none() {
                    return;
                }
                for ack in &acks {
                    if ack.tail < self.config.compact_after_changes {
                        continue;
                    }
                    let change = self.outbox.iter().find(|e| e.header.blob_id == ack.blob_id);
                    if let Some(e) = change.filter(|e| e.header.kind == EntryKind::Change) {
                        self.to_compact.insert(e.header.doc_id);
                    }
                }
                self.outbox
                    .retain(|e| !acks.iter().any(|a| a.blob_id == e.header.blob_id));
                if let Some(max) = acks.iter().map(|a| a.seq).max() {
                    self.head = self.head.max(max);
                }
                fx.push(SyncEffect::Acked(acks));
                self.maybe_push(fx);
                // Our own entries are now in the log after the cursor; pulling
                // them back is cheap and keeps the cursor contiguous.
                self.maybe_pull(fx);
                self.after_progress(now_ms, fx);
            }
            ServerMsg::Batch {
                entries,
                head,
                has_more,
            } => {
                if self.pull != Pull::Requested || self.boot.is_some() {
                    return;
                }
                self.head = self.head.max(head);
                let through = entries.last().map(|e| e.seq).unwrap_or(self.cursor);
                let (entries, quarantined) = self.open(entries);
                self.pull = Pull::Applying { has_more };
                fx.push(SyncEffect::Apply {
                    entries,
                    quarantined,
                    through,
                });
            }
            ServerMsg::BootstrapPage {
                entries,
                upto,
                next,
                docs_done,
                docs_total,
            } => {
                let (Pull::Requested, Some(boot)) = (self.pull, self.boot.as_mut()) else {
                    return;
                };
                boot.resume = next;
                boot.progress = BootstrapProgress {
                    docs_done,
                    docs_total,
                };
                self.boot_upto = upto;
                self.head = self.head.max(upto);
                let (entries, quarantined) = self.open(entries);
                self.pull = Pull::Applying { has_more: false };
                fx.push(SyncEffect::ApplyBootstrap {
                    entries,
                    quarantined,
                    upto,
                    next,
                });
            }
            ServerMsg::Poke { head } => {
                self.head = self.head.max(head);
                self.maybe_pull(fx);
            }
            ServerMsg::InviteCreated { expires_ms } => {
                self.admin_reply(AdminReply::InviteCreated { expires_ms }, fx)
            }
            ServerMsg::Devices { devices } => self.admin_reply(AdminReply::Devices(devices), fx),
            ServerMsg::Revoked { device } => self.admin_reply(AdminReply::Revoked(device), fx),
            ServerMsg::Error { code, message } => {
                self.last_error = Some(format!("relay error {}: {message}", code.as_str()));
                if self.admin_in_flight {
                    self.admin_in_flight = false;
                    self.admin_queue.pop_front();
                    fx.push(SyncEffect::AdminReply(AdminReply::Failed {
                        code,
                        message: message.clone(),
                    }));
                }
                // The relay closes the connection after every error.
                fx.push(SyncEffect::Disconnect);
                if code.is_final() {
                    self.lose_connection(fx);
                    self.conn = Conn::Refused;
                    self.refused = Some(code);
                } else {
                    self.fail(rng, fx);
                }
            }
        }
    }

    /// Verifies and opens each entry: a device trusts only its peers' keys
    /// and the workspace key, not the relay.
    fn open(&mut self, entries: Vec<Entry>) -> (Vec<OpenedEntry>, Vec<Quarantined>) {
        let mut opened = Vec::with_capacity(entries.len());
        let mut quarantined = Vec::new();
        for entry in entries {
            match self.sealer.open(entry) {
                Ok(e) => opened.push(e),
                Err(q) => quarantined.push(*q),
            }
        }
        self.quarantined_entries += quarantined.len() as u64;
        (opened, quarantined)
    }

    fn admin_reply(&mut self, reply: AdminReply, fx: &mut Vec<SyncEffect>) {
        if !self.admin_in_flight {
            return;
        }
        self.admin_in_flight = false;
        self.admin_queue.pop_front();
        fx.push(SyncEffect::AdminReply(reply));
        self.maybe_admin(fx);
    }

    fn maybe_admin(&mut self, fx: &mut Vec<SyncEffect>) {
        if self.conn != Conn::Ready || self.admin_in_flight {
            return;
        }
        let Some(request) = self.admin_queue.front() else {
            return;
        };
        let msg = match request.clone() {
            AdminRequest::CreateInvite {
                ticket_hash,
                role,
                ttl_secs,
            } => ClientMsg::CreateInvite {
                ticket_hash,
                role,
                ttl_secs,
            },
            AdminRequest::ListDevices => ClientMsg::ListDevices,
            AdminRequest::Revoke { device } => ClientMsg::Revoke { device },
        };
        self.admin_in_flight = true;
        fx.push(SyncEffect::Send(msg.encode()));
    }

    fn maybe_push(&mut self, fx: &mut Vec<SyncEffect>) {
        if self.conn != Conn::Ready
            || self.push_in_flight.is_some()
            || self.outbox.is_empty()
            || !self.role.is_some_and(Role::can_push)
        {
            return;
        }
        let mut bytes = 0;
        let mut entries = Vec::new();
        for entry in &self.outbox {
            if !entries.is_empty() && bytes + entry.body.len() > self.config.push_body_bytes {
                break;
            }
            bytes += entry.body.len();
            entries.push(entry.clone());
        }
        self.push_in_flight = Some(entries.iter().map(|e| e.header.blob_id).collect());
        fx.push(SyncEffect::Send(ClientMsg::Push { entries }.encode()));
    }

    fn maybe_pull(&mut self, fx: &mut Vec<SyncEffect>) {
        if self.conn != Conn::Ready || self.pull != Pull::Idle {
            return;
        }
        if let Some(boot) = self.boot {
            self.pull = Pull::Requested;
            fx.push(SyncEffect::Send(
                ClientMsg::Bootstrap {
                    resume: boot.resume,
                    max_bytes: self.config.pull_bytes,
                }
                .encode(),
            ));
            return;
        }
        if self.head <= self.cursor {
            return;
        }
        self.pull = Pull::Requested;
        fx.push(SyncEffect::Send(
            ClientMsg::Pull {
                after: self.cursor,
                max_bytes: self.config.pull_bytes,
            }
            .encode(),
        ));
    }

    /// Notes a moment in step, and asks for the snapshots that became due:
    /// only now does the device hold every entry up to its cursor, including
    /// its own pushes that made the tail long.
    fn after_progress(&mut self, now_ms: i64, fx: &mut Vec<SyncEffect>) {
        if !self.in_step() {
            return;
        }
        self.last_sync_ms = Some(now_ms);
        let covers = self.cursor;
        for doc_id in std::mem::take(&mut self.to_compact) {
            fx.push(SyncEffect::Compact { doc_id, covers });
        }
    }

    fn lose_connection(&mut self, fx: &mut Vec<SyncEffect>) {
        self.push_in_flight = None;
        if self.pull == Pull::Requested {
            self.pull = Pull::Idle;
        }
        if self.admin_in_flight {
            // The relay may or may not have done it; the caller asks again
            // (listing and revoking are idempotent; an invite is re-made).
            self.admin_in_flight = false;
            self.admin_queue.pop_front();
            fx.push(SyncEffect::AdminReply(AdminReply::Failed {
                code: ErrorCode::Internal,
                message: "the connection dropped before the relay answered".into(),
            }));
        }
    }

    fn fail(&mut self, rng: &mut impl RngCore, fx: &mut Vec<SyncEffect>) {
        self.lose_connection(fx);
        if !self.network_up {
            self.conn = Conn::Idle;
            return;
        }
        self.conn = Conn::Waiting;
        self.failures = self.failures.saturating_add(1);
        let exp = self.failures.saturating_sub(1).min(16);
        let ceiling = self
            .config
            .backoff_base_ms
            .saturating_mul(1 << exp)
            .min(self.config.backoff_max_ms)
            .max(1);
        // Full jitter over the upper half, so devices that lost the relay at
        // the same moment do not all come back at the same moment.
        let half = ceiling / 2;
        let delay_ms = half + rng.next_u64() % (ceiling - half).max(1);
        fx.push(SyncEffect::ScheduleReconnect { delay_ms });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DeviceId;
    use crate::sealing::{OpenError, SealedBody, WorkspaceKey};
    use crate::signing::DeviceKey;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const WS: WorkspaceId = WorkspaceId([9; 16]);
    const ORIGIN: &str = "https://relay.test";

    fn me() -> DeviceKey {
        DeviceKey::from_secret(&[1; 32])
    }

    fn sealer() -> EntrySealer {
        EntrySealer {
            workspace: WS,
            device: me(),
            key: WorkspaceKey::from_bytes(0, [2; 32]),
        }
    }

    /// A sealed, signed change of document `n` whose plaintext is `[n; 10]`;
    /// the same `n` gives the same entry.
    fn entry(n: u8) -> NewEntry {
        let mut rng = StdRng::seed_from_u64(u64::from(n));
        sealer().seal(&mut rng, DocId([n; 16]), EntryKind::Change, &[n; 10])
    }

    fn opened(seq: u64, e: &NewEntry) -> OpenedEntry {
        OpenedEntry {
            seq: Seq(seq),
            header: e.header.clone(),
            plaintext: vec![e.header.doc_id.0[0]; 10],
        }
    }

    fn logged(seq: u64, e: &NewEntry) -> Entry {
        e.clone().logged_at(Seq(seq))
    }

    fn ack(e: &NewEntry, seq: u64, tail: u32) -> Acked {
        Acked {
            blob_id: e.header.blob_id,
            seq: Seq(seq),
            tail,
        }
    }

    struct Harness {
        engine: SyncEngine,
        rng: StdRng,
        now: i64,
    }

    impl Harness {
        fn new(cursor: u64, outbox: Vec<NewEntry>) -> Harness {
            Harness {
                engine: SyncEngine::new(
                    SyncConfig::default(),
                    SyncSetup {
                        sealer: sealer(),
                        origin: ORIGIN.into(),
                        cursor: Seq(cursor),
                        outbox,
                        bootstrap: None,
                        redeem: None,
                    },
                ),
                rng: StdRng::seed_from_u64(7),
                now: 1_000,
            }
        }

        fn on(&mut self, ev: SyncEvent) -> Vec<SyncEffect> {
            self.now += 10;
            self.engine.handle(self.now, &mut self.rng, ev)
        }

        fn server(&mut self, msg: ServerMsg) -> Vec<SyncEffect> {
            self.on(SyncEvent::Frame(msg.encode()))
        }

        /// Network up, socket opened, handshake done, welcome with `head`.
        fn connect(&mut self, head: u64) -> Vec<SyncEffect> {
            assert_eq!(self.on(SyncEvent::NetworkUp), vec![SyncEffect::Connect]);
            self.handshake(head, Role::Documenter)
        }

        /// Socket opened, challenge answered by one Hello, welcome with
        /// `head`; returns what the welcome caused.
        fn handshake(&mut self, head: u64, role: Role) -> Vec<SyncEffect> {
            let opened = self.on(SyncEvent::Opened);
            assert!(opened.is_empty(), "the relay speaks first: {opened:?}");
            let challenge = AuthChallenge {
                origin: ORIGIN,
                nonce: [3; 32],
                issued_ms: self.now,
                workspace: WS,
                device: me().device_id(),
            };
            let fx = self.server(ServerMsg::Challenge {
                nonce: challenge.nonce,
                origin: ORIGIN.into(),
                issued_ms: challenge.issued_ms,
            });
            let [
                ClientMsg::Hello {
                    workspace,
                    device,
                    signature,
                    ..
                },
            ] = &decoded(&fx)[..]
            else {
                panic!("expected one Hello: {fx:?}");
            };
            assert_eq!((*workspace, *device), (WS, me().device_id()));
            challenge.verify(signature).expect("a valid signature");
            let mut fx = self.server(ServerMsg::Welcome {
                head: Seq(head),
                role,
                pruned_through: Seq::ZERO,
            });
            assert_eq!(fx.remove(0), SyncEffect::Joined { role });
            fx
        }
    }

    fn decoded(fx: &[SyncEffect]) -> Vec<ClientMsg> {
        fx.iter()
            .filter_map(|f| match f {
                SyncEffect::Send(b) => Some(ClientMsg::decode(b).unwrap()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_current_device_costs_one_round_trip() {
        let mut h = Harness::new(42, vec![]);
        let fx = h.connect(42);
        assert!(fx.is_empty(), "nothing to send when current: {fx:?}");
        let status = h.engine.status();
        assert_eq!(status.connection, Connection::Connected);
        assert!(status.last_sync_ms.is_some());
    }

    #[test]
    fn the_cursor_moves_only_once_the_batch_is_durable() {
        let mut h = Harness::new(1, vec![]);
        let fx = h.connect(3);
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(1),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        let batch = vec![logged(2, &entry(2)), logged(3, &entry(3))];
        let fx = h.server(ServerMsg::Batch {
            entries: batch,
            head: Seq(3),
            has_more: false,
        });
        assert_eq!(
            fx,
            vec![SyncEffect::Apply {
                entries: vec![opened(2, &entry(2)), opened(3, &entry(3))],
                quarantined: vec![],
                through: Seq(3)
            }]
        );
        assert_eq!(h.engine.status().cursor, Seq(1));
        assert_eq!(h.engine.status().last_sync_ms, None);

        // The connection drops before the driver persisted: nothing moves,
        // and the reconnect pulls from the same cursor once applied.
        h.on(SyncEvent::Closed {
            reason: "gone".into(),
        });
        assert_eq!(h.engine.status().cursor, Seq(1));
        let fx = h.on(SyncEvent::Applied { through: Seq(3) });
        assert!(fx.is_empty());
        assert_eq!(h.engine.status().cursor, Seq(3));
    }

    #[test]
    fn a_failed_apply_keeps_the_cursor_and_retries_from_it() {
        let mut h = Harness::new(3, vec![]);
        h.connect(5);
        h.server(ServerMsg::Batch {
            entries: vec![logged(4, &entry(4))],
            head: Seq(5),
            has_more: true,
        });
        let fx = h.on(SyncEvent::ApplyFailed {
            reason: "quota exceeded".into(),
        });
        assert_eq!(fx[0], SyncEffect::Disconnect);
        assert!(matches!(fx[1], SyncEffect::ScheduleReconnect { .. }));
        assert_eq!(h.engine.status().cursor, Seq(3));
        assert_eq!(
            h.engine.status().last_error.as_deref(),
            Some("quota exceeded")
        );
        h.on(SyncEvent::ReconnectDue);
        let fx = h.handshake(5, Role::Documenter);
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(3),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
    }

    #[test]
    fn a_relay_behind_the_cursor_is_reported() {
        let mut h = Harness::new(40, vec![]);
        h.connect(12);
        let status = h.engine.status();
        assert_eq!(status.cursor, Seq(40));
        let err = status.last_error.expect("a warning");
        assert!(err.contains("restored from a backup"), "{err}");
    }

    #[test]
    fn pages_are_pulled_until_has_more_is_false() {
        let mut h = Harness::new(1, vec![]);
        h.connect(3);
        let fx = h.server(ServerMsg::Batch {
            entries: vec![logged(2, &entry(2))],
            head: Seq(3),
            has_more: true,
        });
        assert!(matches!(
            fx[0],
            SyncEffect::Apply {
                through: Seq(2),
                ..
            }
        ));
        let fx = h.on(SyncEvent::Applied { through: Seq(2) });
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(2),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        h.server(ServerMsg::Batch {
            entries: vec![logged(3, &entry(3))],
            head: Seq(3),
            has_more: false,
        });
        let fx = h.on(SyncEvent::Applied { through: Seq(3) });
        assert!(fx.is_empty());
        assert!(h.engine.status().last_sync_ms.is_some());
    }

    #[test]
    fn the_outbox_is_pushed_in_order_and_kept_until_acked() {
        let mut h = Harness::new(0, vec![entry(1)]);
        h.on(SyncEvent::Enqueued(entry(2)));
        assert_eq!(h.engine.status().pending_uploads, 2);
        let fx = h.connect(0);
        let [ClientMsg::Push { entries }] = &decoded(&fx)[..] else {
            panic!("expected one push: {fx:?}");
        };
        assert_eq!(entries, &vec![entry(1), entry(2)]);

        // Dropped before the ack: both are pushed again on reconnect.
        let fx = h.on(SyncEvent::Closed {
            reason: "reset".into(),
        });
        let [SyncEffect::ScheduleReconnect { delay_ms }] = fx[..] else {
            panic!("expected a reconnect timer: {fx:?}");
        };
        assert!((250..=500).contains(&delay_ms), "{delay_ms}");
        assert_eq!(h.on(SyncEvent::ReconnectDue), vec![SyncEffect::Connect]);
        let fx = h.handshake(0, Role::Documenter);
        assert!(matches!(&decoded(&fx)[..], [ClientMsg::Push { entries }] if entries.len() == 2));

        let acks = vec![ack(&entry(1), 1, 1), ack(&entry(2), 2, 1)];
        let fx = h.server(ServerMsg::Ack { acks: acks.clone() });
        assert_eq!(fx[0], SyncEffect::Acked(acks));
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(0),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        assert_eq!(h.engine.status().pending_uploads, 0);
    }

    #[test]
    fn large_outboxes_are_split_into_pushes_one_at_a_time() {
        let mut h = Harness::new(0, vec![]);
        // Two sealed 10-byte bodies (51 bytes each) fit, three do not.
        h.engine.config.push_body_bytes = 110;
        for n in 1..=5 {
            h.on(SyncEvent::Enqueued(entry(n)));
        }
        let fx = h.connect(0);
        let [ClientMsg::Push { entries }] = &decoded(&fx)[..] else {
            panic!()
        };
        assert_eq!(entries.len(), 2);
        // A second entry enqueued while a push is in flight waits for the ack.
        assert!(h.on(SyncEvent::Enqueued(entry(6))).is_empty());
        let fx = h.server(ServerMsg::Ack {
            acks: entries.iter().zip(1..).map(|(e, s)| ack(e, s, 1)).collect(),
        });
        let pushed: Vec<_> = decoded(&fx)
            .into_iter()
            .filter_map(|m| match m {
                ClientMsg::Push { entries } => Some(entries),
                _ => None,
            })
            .collect();
        assert_eq!(pushed, vec![vec![entry(3), entry(4)]]);
    }

    #[test]
    fn a_poke_while_current_pulls_and_offline_stops_reconnecting() {
        let mut h = Harness::new(5, vec![]);
        h.connect(5);
        let fx = h.server(ServerMsg::Poke { head: Seq(6) });
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(5),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        // A second poke while the pull is outstanding sends nothing more.
        assert!(h.server(ServerMsg::Poke { head: Seq(7) }).is_empty());

        assert_eq!(h.on(SyncEvent::NetworkDown), vec![SyncEffect::Disconnect]);
        assert!(
            h.on(SyncEvent::Closed {
                reason: "offline".into()
            })
            .is_empty()
        );
        assert_eq!(h.engine.status().connection, Connection::Offline);
        assert_eq!(h.on(SyncEvent::NetworkUp), vec![SyncEffect::Connect]);
    }

    #[test]
    fn backoff_grows_to_its_ceiling() {
        let mut h = Harness::new(0, vec![]);
        h.on(SyncEvent::NetworkUp);
        let mut delays = vec![];
        for _ in 0..10 {
            let fx = h.on(SyncEvent::Closed {
                reason: "refused".into(),
            });
            let [SyncEffect::ScheduleReconnect { delay_ms }] = fx[..] else {
                panic!("{fx:?}")
            };
            delays.push(delay_ms);
            assert_eq!(h.on(SyncEvent::ReconnectDue), vec![SyncEffect::Connect]);
        }
        assert!(delays[0] <= 500 && delays[3] >= 2_000, "{delays:?}");
        assert!(delays.iter().all(|&d| d <= 15_000), "{delays:?}");
        assert_eq!(h.engine.status().last_error.as_deref(), Some("refused"));
    }

    #[test]
    fn an_unreadable_frame_drops_the_connection_with_a_reason() {
        let mut h = Harness::new(0, vec![]);
        h.connect(0);
        let fx = h.on(SyncEvent::Frame(b"HW\x07".to_vec()));
        assert_eq!(fx[0], SyncEffect::Disconnect);
        assert!(matches!(fx[1], SyncEffect::ScheduleReconnect { .. }));
        let err = h.engine.status().last_error.unwrap();
        assert!(err.contains("protocol version 7"), "{err}");
    }

    #[test]
    fn a_challenge_naming_another_origin_is_not_answered() {
        let mut h = Harness::new(0, vec![]);
        h.on(SyncEvent::NetworkUp);
        h.on(SyncEvent::Opened);
        let fx = h.server(ServerMsg::Challenge {
            nonce: [1; 32],
            origin: "https://other-relay.test".into(),
            issued_ms: 5,
        });
        assert!(decoded(&fx).is_empty(), "{fx:?}");
        assert_eq!(fx[0], SyncEffect::Disconnect);
        assert!(matches!(fx[1], SyncEffect::ScheduleReconnect { .. }));
        let err = h.engine.status().last_error.unwrap();
        assert!(err.contains("other-relay.test"), "{err}");
    }

    #[test]
    fn a_challenge_is_answered_once_and_only_on_an_open_socket() {
        let mut h = Harness::new(0, vec![]);
        h.on(SyncEvent::NetworkUp);
        let challenge = ServerMsg::Challenge {
            nonce: [1; 32],
            origin: ORIGIN.into(),
            issued_ms: 5,
        };
        // A frame of a socket the engine was not told is open.
        assert!(h.server(challenge.clone()).is_empty());
        assert!(h.on(SyncEvent::Opened).is_empty());
        assert!(matches!(
            &decoded(&h.server(challenge.clone()))[..],
            [ClientMsg::Hello { .. }]
        ));
        assert!(h.server(challenge).is_empty(), "one Hello per connection");
        assert_eq!(h.engine.status().connection, Connection::Connecting);
    }

    #[test]
    fn a_redeem_is_presented_until_the_relay_welcomes() {
        let mut h = Harness::new(0, vec![]);
        h.on(SyncEvent::NetworkUp);
        h.on(SyncEvent::Redeem(Redeem::Ticket([8; 32])));
        let answer = |h: &mut Harness| {
            h.on(SyncEvent::Opened);
            let fx = h.server(ServerMsg::Challenge {
                nonce: [1; 32],
                origin: ORIGIN.into(),
                issued_ms: 5,
            });
            match &decoded(&fx)[..] {
                [ClientMsg::Hello { redeem, .. }] => redeem.clone(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(answer(&mut h), Some(Redeem::Ticket([8; 32])));
        // Dropped before the welcome: the ticket goes again.
        h.on(SyncEvent::Closed {
            reason: "reset".into(),
        });
        h.on(SyncEvent::ReconnectDue);
        assert_eq!(answer(&mut h), Some(Redeem::Ticket([8; 32])));
        let fx = h.server(ServerMsg::Welcome {
            head: Seq(0),
            role: Role::Viewer,
            pruned_through: Seq(0),
        });
        assert_eq!(fx, vec![SyncEffect::Joined { role: Role::Viewer }]);
        h.on(SyncEvent::NetworkDown);
        h.on(SyncEvent::NetworkUp);
        assert_eq!(answer(&mut h), None);
    }

    #[test]
    fn a_final_refusal_stops_reconnecting_until_a_new_ticket() {
        let mut h = Harness::new(0, vec![]);
        h.connect(0);
        let fx = h.server(ServerMsg::error(ErrorCode::Revoked, "revoked"));
        assert_eq!(fx, vec![SyncEffect::Disconnect]);
        let status = h.engine.status();
        assert_eq!(status.connection, Connection::Refused);
        assert_eq!(status.refused, Some(ErrorCode::Revoked));
        assert!(
            h.on(SyncEvent::Closed {
                reason: "closed".into()
            })
            .is_empty()
        );
        assert!(h.on(SyncEvent::NetworkUp).is_empty());
        assert!(h.on(SyncEvent::ReconnectDue).is_empty());
        assert_eq!(
            h.on(SyncEvent::Redeem(Redeem::Ticket([1; 32]))),
            vec![SyncEffect::Connect]
        );
        assert_eq!(h.engine.status().refused, None);
    }

    #[test]
    fn a_passing_error_reconnects_with_backoff() {
        let mut h = Harness::new(0, vec![]);
        h.connect(0);
        let fx = h.server(ServerMsg::error(ErrorCode::Internal, "disk"));
        assert_eq!(fx[0], SyncEffect::Disconnect);
        assert!(matches!(fx[1], SyncEffect::ScheduleReconnect { .. }));
        assert_eq!(h.engine.status().connection, Connection::Waiting);
    }

    #[test]
    fn a_viewer_never_pushes() {
        let mut h = Harness::new(0, vec![entry(1)]);
        h.on(SyncEvent::NetworkUp);
        let fx = h.handshake(0, Role::Viewer);
        assert!(decoded(&fx).is_empty(), "{fx:?}");
        assert_eq!(h.engine.status().pending_uploads, 1);
        assert_eq!(h.engine.status().role, Some(Role::Viewer));
    }

    #[test]
    fn bad_entries_are_quarantined_and_the_cursor_passes_them() {
        let mut h = Harness::new(1, vec![]);
        h.connect(4);
        let mut forged = logged(3, &entry(3));
        let mut body = forged.body.clone().into_bytes();
        body[5] ^= 1;
        forged.body = SealedBody::from_received(body);
        // Signed by the author, but sealed under another workspace's key.
        let stranger = EntrySealer {
            key: WorkspaceKey::from_bytes(0, [3; 32]),
            ..sealer()
        };
        let mut rng = StdRng::seed_from_u64(9);
        let foreign = stranger.seal(&mut rng, DocId([4; 16]), EntryKind::Change, b"x");
        let fx = h.server(ServerMsg::Batch {
            entries: vec![logged(2, &entry(2)), forged, logged(4, &foreign)],
            head: Seq(4),
            has_more: false,
        });
        let [
            SyncEffect::Apply {
                entries,
                quarantined,
                through,
            },
        ] = &fx[..]
        else {
            panic!("{fx:?}");
        };
        assert_eq!(entries, &vec![opened(2, &entry(2))]);
        assert_eq!(*through, Seq(4), "bad blobs never stop sync");
        let kinds: Vec<_> = quarantined
            .iter()
            .map(|q| (q.seq, q.error.kind()))
            .collect();
        assert_eq!(kinds, [(Seq(3), "signature"), (Seq(4), "decrypt")]);
        assert_eq!(quarantined[1].error, OpenError::Decrypt);
        assert_eq!(h.engine.status().quarantined_entries, 2);
    }

    #[test]
    fn a_fresh_device_bootstraps_page_by_page_and_resumes() {
        let mut h = Harness::new(0, vec![]);
        let fx = h.connect(50);
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Bootstrap {
                resume: None,
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        let next = BootstrapResume {
            upto: Seq(50),
            after_doc: DocId([4; 16]),
        };
        let fx = h.server(ServerMsg::BootstrapPage {
            entries: vec![logged(7, &entry(4))],
            upto: Seq(50),
            next: Some(next),
            docs_done: 1,
            docs_total: 2,
        });
        assert_eq!(
            fx,
            vec![SyncEffect::ApplyBootstrap {
                entries: vec![opened(7, &entry(4))],
                quarantined: vec![],
                upto: Seq(50),
                next: Some(next),
            }]
        );
        let progress = h.engine.status().bootstrap.unwrap();
        assert_eq!((progress.docs_done, progress.docs_total), (1, 2));
        // Applied, then the connection drops before the next page.
        assert_eq!(
            decoded(&h.on(SyncEvent::BootstrapApplied)),
            vec![ClientMsg::Bootstrap {
                resume: Some(next),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        h.on(SyncEvent::Closed {
            reason: "tunnel".into(),
        });

        // A restarted device resumes from what the driver stored.
        let mut h = Harness::new(0, vec![]);
        h.engine.boot = Some(Boot {
            resume: Some(next),
            progress: BootstrapProgress {
                docs_done: 0,
                docs_total: 0,
            },
        });
        let fx = h.connect(52);
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Bootstrap {
                resume: Some(next),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        h.server(ServerMsg::BootstrapPage {
            entries: vec![logged(9, &entry(5))],
            upto: Seq(50),
            next: None,
            docs_done: 2,
            docs_total: 2,
        });
        assert_eq!(h.engine.status().cursor, Seq(0));
        // Done: the cursor jumps to `upto`, and what came after is pulled.
        let fx = h.on(SyncEvent::BootstrapApplied);
        assert_eq!(h.engine.status().cursor, Seq(50));
        assert_eq!(h.engine.status().bootstrap, None);
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(50),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
    }

    #[test]
    fn a_device_behind_the_prune_horizon_bootstraps() {
        let mut h = Harness::new(10, vec![]);
        h.on(SyncEvent::NetworkUp);
        h.on(SyncEvent::Opened);
        h.server(ServerMsg::Challenge {
            nonce: [1; 32],
            origin: ORIGIN.into(),
            issued_ms: 1,
        });
        let fx = h.server(ServerMsg::Welcome {
            head: Seq(90),
            role: Role::Documenter,
            pruned_through: Seq(40),
        });
        assert!(matches!(
            &decoded(&fx)[..],
            [ClientMsg::Bootstrap { resume: None, .. }]
        ));
    }

    #[test]
    fn a_long_tail_is_compacted_once_the_device_is_in_step() {
        let mut h = Harness::new(5, vec![entry(1)]);
        let fx = h.connect(5);
        assert_eq!(decoded(&fx).len(), 1, "the push");
        let fx = h.server(ServerMsg::Ack {
            acks: vec![ack(&entry(1), 6, COMPACT_AFTER_CHANGES)],
        });
        // Not yet: the device has not pulled its own entry back.
        assert!(!fx.iter().any(|f| matches!(f, SyncEffect::Compact { .. })));
        h.server(ServerMsg::Batch {
            entries: vec![logged(6, &entry(1))],
            head: Seq(6),
            has_more: false,
        });
        let fx = h.on(SyncEvent::Applied { through: Seq(6) });
        assert_eq!(
            fx,
            vec![SyncEffect::Compact {
                doc_id: DocId([1; 16]),
                covers: Seq(6)
            }]
        );
        // A short tail does not.
        h.on(SyncEvent::Enqueued(entry(2)));
        h.server(ServerMsg::Ack {
            acks: vec![ack(&entry(2), 7, COMPACT_AFTER_CHANGES - 1)],
        });
        h.server(ServerMsg::Batch {
            entries: vec![logged(7, &entry(2))],
            head: Seq(7),
            has_more: false,
        });
        assert!(h.on(SyncEvent::Applied { through: Seq(7) }).is_empty());
    }

    #[test]
    fn admin_requests_wait_for_the_connection_and_get_their_reply() {
        let mut h = Harness::new(0, vec![]);
        assert!(h.on(SyncEvent::Admin(AdminRequest::ListDevices)).is_empty());
        let fx = h.connect(0);
        assert_eq!(decoded(&fx), vec![ClientMsg::ListDevices]);
        let fx = h.server(ServerMsg::Devices { devices: vec![] });
        assert_eq!(
            fx,
            vec![SyncEffect::AdminReply(AdminReply::Devices(vec![]))]
        );
        h.on(SyncEvent::Admin(AdminRequest::Revoke {
            device: DeviceId([5; 32]),
        }));
        let fx = h.server(ServerMsg::error(ErrorCode::Forbidden, "admins only"));
        assert!(matches!(
            &fx[0],
            SyncEffect::AdminReply(AdminReply::Failed {
                code: ErrorCode::Forbidden,
                ..
            })
        ));
    }
}
