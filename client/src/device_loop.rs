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
use shared::partial_date::Date;
use shared::sync_engine::{SyncConfig, SyncEffect, SyncEngine, SyncEvent};
use shared::wire::{Entry, EntryHeader, EntryKind, NewEntry};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::app_state::AppState;
use crate::browser_rng::BrowserRng;
use crate::socket::{Socket, relay_url};
use crate::storage::{MergedDoc, OutboxRow, Storage, StorageError};

/// The workspace a device syncs when its address names none. Until devices
/// join workspaces by invitation, every device on a relay shares this one.
const DEFAULT_WORKSPACE: WorkspaceId = WorkspaceId([0; 16]);

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
    SocketOpened { generation: u64 },
    SocketClosed { generation: u64, reason: String },
    SocketFrame { generation: u64, bytes: Vec<u8> },
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

fn workspace_from_location() -> WorkspaceId {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .and_then(|hash| {
            hash.trim_start_matches('#')
                .split('&')
                .find_map(|kv| kv.strip_prefix("ws="))
                .and_then(|hex| hex.parse().ok())
        })
        .unwrap_or(DEFAULT_WORKSPACE)
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
    device: DeviceId,
    engine: SyncEngine,
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
        let device = match loaded.device {
            Some(device) => device,
            None => {
                let device = DeviceId::random(&mut rng);
                storage.set_device(&device).await?;
                device
            }
        };
        let engine = SyncEngine::new(
            SyncConfig::default(),
            workspace_from_location(),
            device,
            loaded.cursor,
            loaded.outbox.iter().map(|r| r.entry.clone()).collect(),
        );
        state.summaries.set(loaded.summaries);
        let device_loop = DeviceLoop {
            state,
            storage,
            device,
            engine,
            outbox: loaded.outbox,
            socket: None,
            generation: 0,
            events,
            rng,
        };
        device_loop.publish();
        state.ready.set(true);
        Ok(device_loop)
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<LoopEvent>) {
        let online = web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true);
        let first = if online {
            SyncEvent::NetworkUp
        } else {
            SyncEvent::NetworkDown
        };
        self.engine_event(first).await;
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
            LoopEvent::NetworkUp => SyncEvent::NetworkUp,
            LoopEvent::NetworkDown => SyncEvent::NetworkDown,
            LoopEvent::ReconnectDue => SyncEvent::ReconnectDue,
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
        let effects = self.engine.handle(now_ms(), &mut self.rng, event);
        let mut queue: VecDeque<SyncEffect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let follow_up = self.carry_out(effect).await;
            if let Some(event) = follow_up {
                queue.extend(self.engine.handle(now_ms(), &mut self.rng, event));
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
                Some(match self.apply(entries, through).await {
                    Ok(()) => SyncEvent::Applied { through },
                    Err(err) => {
                        tracing::error!("could not store synced cases: {err}");
                        SyncEvent::ApplyFailed {
                            reason: err.to_string(),
                        }
                    }
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
        }
    }

    async fn add_case(&mut self, mut case: Case) -> Result<(DocId, OutboxRow), String> {
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
        let entry = NewEntry {
            header: EntryHeader {
                doc_id,
                kind: EntryKind::Change,
                blob_id: BlobId::random(&mut self.rng),
                author: self.device,
                key_epoch: 0,
            },
            body: changes,
        };
        let row = self
            .storage
            .save_local_edit(&doc.save(), &summary, entry)
            .await
            .map_err(|e| e.to_string())?;
        self.outbox.push(row.clone());
        self.state.upsert_summaries([summary]);
        Ok((doc_id, row))
    }

    /// Merges a batch into the stored documents and stores the cursor with
    /// them. Entries that cannot be merged are skipped and counted, never
    /// allowed to stop sync.
    async fn apply(&mut self, entries: Vec<Entry>, through: Seq) -> Result<(), StorageError> {
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
        self.storage.save_merged(&merged, through).await?;
        self.state
            .upsert_summaries(merged.into_iter().filter_map(|m| m.summary));
        Ok(())
    }

    fn publish(&self) {
        let mut pending: HashMap<DocId, usize> = HashMap::new();
        for row in &self.outbox {
            *pending.entry(row.entry.header.doc_id).or_default() += 1;
        }
        // Only real changes notify, so rows do not re-render on every frame.
        if self.state.pending.with_untracked(|p| *p != pending) {
            self.state.pending.set(pending);
        }
        let status = self.engine.status();
        if self.state.sync.with_untracked(|s| *s != status) {
            self.state.sync.set(status);
        }
    }
}
