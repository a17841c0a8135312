//! The device loop: the one task that owns IndexedDB, the sync engine and the
//! WebSocket. Pages talk to it through [`DeviceHandle`] (provided as context)
//! and read what it publishes in [`AppState`].
//!
//! Everything that happens to the device arrives as one [`LoopEvent`] on one
//! channel and is handled to completion before the next, so storage writes,
//! engine state and the socket never interleave.

use std::collections::{HashMap, VecDeque};

use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use leptos::prelude::*;
use shared::case::Case;
use shared::case_doc::{CaseDoc, CaseDocError, EditContext};
use shared::case_summary::CaseSummary;
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::invite_link::{origin_of, parse_token};
use shared::partial_date::Date;
use shared::signing::DeviceKey;
use shared::sync_engine::{SyncConfig, SyncEffect, SyncEngine, SyncEvent, SyncSetup};
use shared::wire::{BootstrapResume, Entry, EntryHeader, EntryKind, Redeem, Role};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::app_state::{AppState, idle_status};
use crate::browser_rng::BrowserRng;
use crate::socket::{Socket, relay_url};
use crate::storage::{MergedDoc, OutboxRow, Progress, Storage, StorageError};

/// Shown wherever a device that has not joined a workspace is asked to do
/// something only members can.
pub const NOT_JOINED: &str =
    "This device has not joined a workspace: open an invite link from your coordinator.";

#[derive(Debug)]
pub enum Command {
    AddCase {
        case: Box<Case>,
        reply: oneshot::Sender<Result<DocId, String>>,
    },
}

#[derive(Debug)]
pub enum LoopEvent {
    Command(Command),
    NetworkUp,
    NetworkDown,
    ReconnectDue,
    SocketOpened {
        generation: u64,
    },
    SocketClosed {
        generation: u64,
        reason: String,
    },
    SocketFrame {
        generation: u64,
        bytes: Vec<u8>,
    },
    /// The address bar's fragment changed while the app was open (an invite
    /// link opened in this tab).
    HashChanged,
}

/// What pages hold to ask the device loop for something.
#[derive(Debug, Clone)]
pub struct DeviceHandle {
    events: mpsc::UnboundedSender<LoopEvent>,
}

impl DeviceHandle {
    /// Resolves once the case is durable on this device (and queued for
    /// upload), or with a message to show.
    pub async fn add_case(&self, case: Case) -> Result<DocId, String> {
        let (reply, answer) = oneshot::channel();
        self.events
            .unbounded_send(LoopEvent::Command(Command::AddCase {
                case: Box::new(case),
                reply,
            }))
            .map_err(|_| "the app stopped; reload the page".to_owned())?;
        answer
            .await
            .map_err(|_| "the app stopped; reload the page".to_owned())?
    }
}

/// Starts the device loop and returns the handle pages use.
pub fn start(state: AppState) -> DeviceHandle {
    let (events, rx) = mpsc::unbounded();
    listen_to_network(&events);
    listen_to_hash(&events);
    let handle = DeviceHandle {
        events: events.clone(),
    };
    leptos::task::spawn_local(async move {
        match DeviceLoop::open(state, events.clone()).await {
            Ok(device_loop) => device_loop.run(rx).await,
            Err(err) => {
                tracing::error!("cannot open local storage: {err}");
                state.fatal.set(Some(err.to_string()));
            }
        }
    });
    handle
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The documenter's local calendar date (dates in cases are local dates).
fn local_today() -> Date {
    let now = js_sys::Date::new_0();
    Date::new(
        now.get_full_year() as i32,
        (now.get_month() + 1) as u8,
        now.get_date() as u8,
    )
    .unwrap_or_else(|_| Date::from_unix_ms(now_ms()))
}

/// The token of a `#join=<token>` fragment in the address bar, if any.
fn join_token_in_location() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|kv| kv.strip_prefix("join="))
        .map(str::to_owned)
}

/// Takes the fragment out of the address bar and out of this history entry
/// (`history.replaceState`), so an invite's secret does not stay on screen,
/// in the back/forward list or in a bookmark.
fn clear_location_hash() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let url = format!(
        "{}{}",
        location.pathname().unwrap_or_else(|_| "/".into()),
        location.search().unwrap_or_default()
    );
    let replaced = window
        .history()
        .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(&url)));
    if replaced.is_err() {
        tracing::warn!("could not remove the invite from the address bar");
    }
}

/// The page's origin, which is the relay's (the relay serves the app),
/// normalised as the relay's challenge names it.
fn page_origin() -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    origin_of(&origin).unwrap_or_else(|err| {
        tracing::error!("{err}");
        origin
    })
}

fn listen_to_network(events: &mpsc::UnboundedSender<LoopEvent>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    for (name, up) in [("online", true), ("offline", false)] {
        let tx = events.clone();
        let cb = Closure::<dyn FnMut()>::new(move || {
            let _ = tx.unbounded_send(if up {
                LoopEvent::NetworkUp
            } else {
                LoopEvent::NetworkDown
            });
        });
        let _ = window.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        // Listens for the life of the page.
        cb.forget();
    }
}

fn listen_to_hash(events: &mpsc::UnboundedSender<LoopEvent>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let tx = events.clone();
    let cb = Closure::<dyn FnMut()>::new(move || {
        let _ = tx.unbounded_send(LoopEvent::HashChanged);
    });
    let _ = window.add_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref());
    // Listens for the life of the page.
    cb.forget();
}

fn schedule(events: &mpsc::UnboundedSender<LoopEvent>, delay_ms: u64, event: LoopEvent) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let tx = events.clone();
    let cb = Closure::once_into_js(move || {
        let _ = tx.unbounded_send(event);
    });
    let delay = i32::try_from(delay_ms).unwrap_or(i32::MAX);
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), delay);
}

struct DeviceLoop {
    state: AppState,
    storage: Storage,
    key: DeviceKey,
    device: DeviceId,
    /// The workspace joined (or being joined); `None` until an invite.
    workspace: Option<WorkspaceId>,
    /// Exists once the device has a workspace.
    engine: Option<SyncEngine>,
    network_up: bool,
    /// Mirrors the durable outbox, in order.
    outbox: Vec<OutboxRow>,
    socket: Option<Socket>,
    generation: u64,
    events: mpsc::UnboundedSender<LoopEvent>,
    rng: BrowserRng,
}

impl DeviceLoop {
    async fn open(
        state: AppState,
        events: mpsc::UnboundedSender<LoopEvent>,
    ) -> Result<DeviceLoop, StorageError> {
        let storage = Storage::open().await?;
        let loaded = storage.load().await?;
        let mut rng = BrowserRng;
        let key = match loaded.device_key {
            Some(key) => key,
            None => {
                let key = DeviceKey::generate(&mut rng);
                storage.set_device_key(&key).await?;
                key
            }
        };
        let device = key.device_id();
        state.summaries.set(loaded.summaries);
        state.role.set(loaded.role);
        let mut device_loop = DeviceLoop {
            state,
            storage,
            device,
            key,
            workspace: loaded.workspace,
            engine: None,
            network_up: web_sys::window()
                .map(|w| w.navigator().on_line())
                .unwrap_or(true),
            outbox: loaded.outbox,
            socket: None,
            generation: 0,
            events,
            rng,
        };
        let mut redeem = loaded.redeem;
        let (mut cursor, mut bootstrap) = (loaded.cursor, loaded.bootstrap);
        if let Some(token) = join_token_in_location() {
            let was = device_loop.workspace;
            if let Some(r) = device_loop.accept_invite(&token).await {
                redeem = Some(r);
                if was.is_none() {
                    // `Storage::join` cleared any older sync position.
                    (cursor, bootstrap) = (Seq::ZERO, None);
                }
            }
        }
        if let Some(workspace) = device_loop.workspace {
            device_loop.engine = Some(device_loop.new_engine(workspace, cursor, bootstrap, redeem));
        }
        state.workspace.set(device_loop.workspace);
        device_loop.publish();
        state.ready.set(true);
        Ok(device_loop)
    }

    fn new_engine(
        &self,
        workspace: WorkspaceId,
        cursor: Seq,
        bootstrap: Option<BootstrapResume>,
        redeem: Option<Redeem>,
    ) -> SyncEngine {
        SyncEngine::new(
            SyncConfig::default(),
            SyncSetup {
                workspace,
                key: self.key.clone(),
                origin: page_origin(),
                cursor,
                outbox: self.outbox.iter().map(|r| r.entry.clone()).collect(),
                bootstrap,
                redeem,
            },
        )
    }

    /// Records the invite whose token is in the address bar (workspace and
    /// ticket, one transaction), then removes it from the address bar.
    /// Returns the ticket to present, or `None` (with the reason shown) when
    /// the link cannot be used.
    async fn accept_invite(&mut self, token: &str) -> Option<Redeem> {
        let (workspace, ticket, _workspace_key) = match parse_token(token) {
            Ok(parsed) => parsed,
            Err(err) => {
                // The error names what is wrong, never the token.
                tracing::warn!("invite link unusable: {err}");
                self.state.join_problem.set(Some(err.to_string()));
                clear_location_hash();
                return None;
            }
        };
        // The workspace key joins the stored keys with end-to-end encryption
        // (issue 5); bodies are plaintext until then.
        let redeem = Redeem::Ticket(ticket);
        match self.storage.join(workspace, &redeem).await {
            Ok(()) => {
                self.workspace = Some(workspace);
                self.state.join_problem.set(None);
                clear_location_hash();
                Some(redeem)
            }
            Err(err @ StorageError::OtherWorkspace { .. }) => {
                tracing::warn!("invite to another workspace ignored");
                self.state.join_problem.set(Some(err.to_string()));
                clear_location_hash();
                None
            }
            Err(err) => {
                // The link stays in the address bar: a reload tries again.
                tracing::error!("could not store the invite: {err}");
                self.state.join_problem.set(Some(err.to_string()));
                None
            }
        }
    }

    /// An invite link opened while the app was running.
    async fn invite_arrived(&mut self) {
        let Some(token) = join_token_in_location() else {
            return;
        };
        let was = self.workspace;
        let Some(redeem) = self.accept_invite(&token).await else {
            return;
        };
        self.state.workspace.set(self.workspace);
        match (was, self.workspace) {
            (Some(_), _) => self.engine_event(SyncEvent::Redeem(redeem)).await,
            (None, Some(workspace)) => {
                self.engine = Some(self.new_engine(workspace, Seq::ZERO, None, Some(redeem)));
                let first = if self.network_up {
                    SyncEvent::NetworkUp
                } else {
                    SyncEvent::NetworkDown
                };
                self.engine_event(first).await;
            }
            (None, None) => {}
        }
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<LoopEvent>) {
        let first = if self.network_up {
            SyncEvent::NetworkUp
        } else {
            SyncEvent::NetworkDown
        };
        self.engine_event(first).await;
        self.publish();
        while let Some(event) = rx.next().await {
            self.handle(event).await;
            self.publish();
        }
    }

    async fn handle(&mut self, event: LoopEvent) {
        let sync_event = match event {
            LoopEvent::Command(Command::AddCase { case, reply }) => {
                let result = self.add_case(*case).await;
                let _ = reply.send(result.as_ref().map(|(id, _)| *id).map_err(String::clone));
                match result {
                    Ok((_, row)) => SyncEvent::Enqueued(row.entry),
                    Err(_) => return,
                }
            }
            LoopEvent::NetworkUp => {
                self.network_up = true;
                SyncEvent::NetworkUp
            }
            LoopEvent::NetworkDown => {
                self.network_up = false;
                SyncEvent::NetworkDown
            }
            LoopEvent::ReconnectDue => SyncEvent::ReconnectDue,
            LoopEvent::HashChanged => return self.invite_arrived().await,
            LoopEvent::SocketOpened { generation } if generation == self.generation => {
                SyncEvent::Opened
            }
            LoopEvent::SocketClosed { generation, reason } if generation == self.generation => {
                self.socket = None;
                SyncEvent::Closed { reason }
            }
            LoopEvent::SocketFrame { generation, bytes } if generation == self.generation => {
                SyncEvent::Frame(bytes)
            }
            // From a socket already given up on.
            LoopEvent::SocketOpened { .. }
            | LoopEvent::SocketClosed { .. }
            | LoopEvent::SocketFrame { .. } => return,
        };
        self.engine_event(sync_event).await;
    }

    async fn engine_event(&mut self, event: SyncEvent) {
        let Some(engine) = self.engine.as_mut() else {
            return;
        };
        let effects = engine.handle(now_ms(), &mut self.rng, event);
        let mut queue: VecDeque<SyncEffect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let follow_up = self.carry_out(effect).await;
            if let (Some(event), Some(engine)) = (follow_up, self.engine.as_mut()) {
                queue.extend(engine.handle(now_ms(), &mut self.rng, event));
            }
        }
    }

    /// Carries out one effect; returns the event it produced, if any.
    async fn carry_out(&mut self, effect: SyncEffect) -> Option<SyncEvent> {
        match effect {
            SyncEffect::Connect => {
                self.socket = None;
                self.generation += 1;
                let opened = relay_url()
                    .ok_or_else(|| "the page has no address to reach the relay at".to_owned())
                    .and_then(|url| Socket::open(&url, self.generation, self.events.clone()));
                match opened {
                    Ok(socket) => {
                        self.socket = Some(socket);
                        None
                    }
                    Err(reason) => Some(SyncEvent::Closed { reason }),
                }
            }
            SyncEffect::Disconnect => {
                self.socket = None;
                self.generation += 1;
                None
            }
            SyncEffect::Send(frame) => {
                let sent = match &self.socket {
                    Some(socket) => socket.send(&frame),
                    None => Err("not connected".to_owned()),
                };
                sent.err().map(|reason| {
                    self.socket = None;
                    self.generation += 1;
                    SyncEvent::Closed { reason }
                })
            }
            SyncEffect::ScheduleReconnect { delay_ms } => {
                schedule(&self.events, delay_ms, LoopEvent::ReconnectDue);
                None
            }
            SyncEffect::Apply { entries, through } => {
                Some(match self.apply(entries, Progress::Cursor(through)).await {
                    Ok(()) => SyncEvent::Applied { through },
                    Err(err) => apply_failed(err),
                })
            }
            SyncEffect::ApplyBootstrap {
                entries,
                upto,
                next,
            } => {
                let progress = match next {
                    Some(resume) => Progress::BootstrapPage(resume),
                    None => Progress::BootstrapDone(upto),
                };
                Some(match self.apply(entries, progress).await {
                    Ok(()) => SyncEvent::BootstrapApplied,
                    Err(err) => apply_failed(err),
                })
            }
            SyncEffect::Acked(acks) => {
                let acked: Vec<BlobId> = acks.iter().map(|a| a.blob_id).collect();
                let (done, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.outbox)
                    .into_iter()
                    .partition(|row| acked.contains(&row.blob_id()));
                self.outbox = keep;
                if let Err(err) = self.storage.remove_from_outbox(&done).await {
                    // The rows stay on disk and are pushed again after a
                    // restart; the relay stores them once.
                    tracing::warn!("could not drop acknowledged uploads: {err}");
                }
                None
            }
            SyncEffect::Joined { role } => {
                if self.state.role.get_untracked() != Some(role) {
                    self.state.role.set(Some(role));
                }
                if let Err(err) = self.storage.joined(role).await {
                    // The spent ticket stays stored and is presented again
                    // next time; the relay answers a member's ticket without
                    // spending anything.
                    tracing::warn!("could not record joining the workspace: {err}");
                }
                None
            }
            SyncEffect::Compact { doc_id, covers } => match self.compact(doc_id, covers).await {
                Ok(row) => {
                    self.outbox.push(row.clone());
                    Some(SyncEvent::Enqueued(row.entry))
                }
                Err(err) => {
                    // The relay asks again after this document's next change.
                    tracing::warn!(doc = %doc_id, "snapshot not written: {err}");
                    None
                }
            },
            // This app sends no admin requests (the command-line tool does).
            SyncEffect::AdminReply(_) => None,
        }
    }

    async fn add_case(&mut self, mut case: Case) -> Result<(DocId, OutboxRow), String> {
        let Some(workspace) = self.workspace else {
            return Err(NOT_JOINED.to_owned());
        };
        if self.state.role.get_untracked() == Some(Role::Viewer) {
            return Err("This device has the viewer role: it cannot add cases.".to_owned());
        }
        let now = now_ms();
        // Events the form added are stamped here: who recorded them, when.
        for event in case
            .timeline
            .iter_mut()
            .filter(|e| e.recorded_by.is_empty())
        {
            event.recorded_by = self.device.to_hex();
            event.recorded_at_ms = now;
        }
        let ctx = EditContext {
            device: self.device,
            now_ms: now,
            today: local_today(),
        };
        let doc_id = DocId::random(&mut self.rng);
        let summary = CaseSummary::of(doc_id, &case, 0, now);
        let (mut doc, changes) = CaseDoc::create(case, &ctx).map_err(|e| e.to_string())?;
        let entry = self.key.sign_entry(
            workspace,
            EntryHeader {
                doc_id,
                kind: EntryKind::Change,
                blob_id: BlobId::random(&mut self.rng),
                author: self.device,
                key_epoch: 0,
            },
            changes,
        );
        let row = self
            .storage
            .save_local_edit(&doc.save(), &summary, entry)
            .await
            .map_err(|e| e.to_string())?;
        self.outbox.push(row.clone());
        self.state.upsert_summaries([summary]);
        Ok((doc_id, row))
    }

    /// Writes a snapshot of a stored document to the outbox: the whole
    /// document as this device holds it, which includes every log entry up
    /// to `covers`.
    async fn compact(&mut self, doc_id: DocId, covers: Seq) -> Result<OutboxRow, String> {
        let workspace = self.workspace.ok_or_else(|| NOT_JOINED.to_owned())?;
        let stored = self
            .storage
            .doc(&doc_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the document is not stored on this device".to_owned())?;
        let mut doc = CaseDoc::load(&stored, &self.device).map_err(|e| e.kind().to_owned())?;
        let entry = self.key.sign_entry(
            workspace,
            EntryHeader {
                doc_id,
                kind: EntryKind::Snapshot { covers },
                blob_id: BlobId::random(&mut self.rng),
                author: self.device,
                key_epoch: 0,
            },
            doc.save(),
        );
        self.storage.enqueue(entry).await.map_err(|e| e.to_string())
    }

    /// Merges a batch or bootstrap page into the stored documents and
    /// stores the sync position with them. Entries come grouped by document
    /// in log order; a snapshot's body is a whole saved document, which
    /// Automerge merges like any change. Entries that cannot be merged are
    /// skipped and logged, never allowed to stop sync.
    async fn apply(&mut self, entries: Vec<Entry>, progress: Progress) -> Result<(), StorageError> {
        let mut by_doc: Vec<(DocId, Vec<Entry>)> = Vec::new();
        let mut index: HashMap<DocId, usize> = HashMap::new();
        for entry in entries {
            let doc_id = entry.header.doc_id;
            let i = *index.entry(doc_id).or_insert_with(|| {
                by_doc.push((doc_id, Vec::new()));
                by_doc.len() - 1
            });
            by_doc[i].1.push(entry);
        }
        let now = now_ms();
        let ids: Vec<DocId> = by_doc.iter().map(|(id, _)| *id).collect();
        let stored = self.storage.docs(&ids).await?;
        let mut merged = Vec::with_capacity(by_doc.len());
        for ((doc_id, entries), stored) in by_doc.into_iter().zip(stored) {
            let mut doc = match stored {
                Some(bytes) => match CaseDoc::load(&bytes, &self.device) {
                    Ok(doc) => doc,
                    Err(err) => {
                        tracing::error!(doc = %doc_id, kind = err.kind(), "stored document unreadable");
                        continue;
                    }
                },
                None => CaseDoc::empty(&self.device),
            };
            for entry in &entries {
                if let Err(err) = doc.merge(&entry.body) {
                    tracing::warn!(seq = %entry.seq, doc = %doc_id, kind = err.kind(), "entry skipped");
                }
            }
            let conflicts = doc.conflicts().map(|c| c.len()).unwrap_or(0);
            let summary = match doc.case() {
                Ok(case) => Some(CaseSummary::of(doc_id, &case, conflicts, now)),
                Err(CaseDocError::Incomplete) => None,
                Err(err) => {
                    tracing::warn!(doc = %doc_id, kind = err.kind(), "case unreadable after merge");
                    None
                }
            };
            merged.push(MergedDoc {
                doc_id,
                doc: doc.save(),
                summary,
            });
        }
        self.storage.save_merged(&merged, progress).await?;
        self.state
            .upsert_summaries(merged.into_iter().filter_map(|m| m.summary));
        Ok(())
    }

    fn publish(&self) {
        let mut pending: HashMap<DocId, usize> = HashMap::new();
        // A snapshot waiting to upload holds nothing new: only changes make
        // a case "not uploaded yet".
        for row in &self.outbox {
            if row.entry.header.kind == EntryKind::Change {
                *pending.entry(row.entry.header.doc_id).or_default() += 1;
            }
        }
        // Only real changes notify, so rows do not re-render on every frame.
        if self.state.pending.with_untracked(|p| *p != pending) {
            self.state.pending.set(pending);
        }
        let status = match &self.engine {
            Some(engine) => engine.status(),
            None => idle_status(self.network_up, self.outbox.len()),
        };
        if self.state.sync.with_untracked(|s| *s != status) {
            self.state.sync.set(status);
        }
    }
}

fn apply_failed(err: StorageError) -> SyncEvent {
    tracing::error!("could not store synced cases: {err}");
    SyncEvent::ApplyFailed {
        reason: err.to_string(),
    }
}
