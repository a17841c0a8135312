//! The device loop: the one task that owns IndexedDB, the keys, the sync
//! engine and the WebSocket. Pages talk to it through [`DeviceHandle`]
//! (provided as context) and read what it publishes in [`AppState`].
//!
//! Everything that happens to the device arrives as one [`LoopEvent`] on one
//! channel and is handled to completion before the next, so storage writes,
//! engine state and the socket never interleave.
//!
//! The loop also owns the device's lock (see `Session`): no vault → the
//! first-run screen; a vault → the unlock screen. Unlocking derives the key
//! that opens the vault and gives the data key (every stored value), the
//! device key and the workspace keys; only then are summaries read and the
//! engine started. Locking — on demand, or after the configured time
//! without input — drops the session: socket, engine, every key and the
//! summaries shown. After the configured number of wrong passphrases in a
//! row the device erases itself.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::rc::Rc;

use crate::browser::local_today;
use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use leptos::prelude::*;
use shared::case::{Case, Intervention};
use shared::case_doc::{CaseDoc, CaseDocError, EditContext};
use shared::case_summary::CaseSummary;
use shared::ids::{BlobId, DocId, Seq, WorkspaceId};
use shared::invite_link::origin_of;
use shared::sealing::{OpenedEntry, Quarantined, WorkspaceKey};
use shared::sync_engine::{Connection, SyncEffect, SyncEngine, SyncEvent};
use shared::vault::{Kek, LockedVault, VaultError, VaultSecrets};
use shared::wire::{EntryKind, Role};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use zeroize::Zeroizing;

use crate::app_state::{AppState, LockState, idle_status};
use crate::browser_rng::BrowserRng;
use crate::settings::{self, Settings};
use crate::socket::{Socket, relay_url};
mod cases;
mod join;
mod lock;

pub use cases::{CaseChange, CaseView, EditError};

use crate::storage::{
    LocalEdit, MergedDoc, OutboxRow, Progress, QuarantineRecord, Records, Storage, StorageError,
};

/// Shown wherever a device that has not joined a workspace is asked to do
/// something only members can.
pub fn not_joined() -> String {
    crate::i18n::t("app-not-joined")
}

fn locked() -> String {
    crate::i18n::t("app-locked")
}

/// The draft slot of the new-case form (an edit's slot is its doc id).
pub const NEW_CASE_DRAFT: &str = "new";

fn stopped() -> String {
    crate::i18n::t("app-stopped")
}

/// How often the idle lock is checked (also on every return to the tab).
const IDLE_CHECK_MS: i32 = 10_000;

/// A passphrase on its way from the form to the loop: wiped from memory
/// when dropped, never printed.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(text: String) -> Passphrase {
        Passphrase(Zeroizing::new(text))
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(redacted)")
    }
}

/// An invite's token as taken from the address bar: never printed.
pub struct InviteToken(Zeroizing<String>);

impl fmt::Debug for InviteToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InviteToken(redacted)")
    }
}

/// A parsed invite, held in memory only until the device has a passphrase
/// (it is never stored unencrypted).
struct Invite {
    workspace: WorkspaceId,
    ticket: Zeroizing<[u8; 32]>,
    key: WorkspaceKey,
}

/// A case document as stored: its id and saved Automerge bytes.
pub type StoredDoc = (DocId, Vec<u8>);

#[derive(Debug)]
pub enum Command {
    AddCase {
        case: Box<Case>,
        reply: oneshot::Sender<Result<DocId, String>>,
    },
    /// First run: make the device's keys and protect them with a passphrase.
    CreateVault {
        passphrase: Passphrase,
        confirm: Passphrase,
    },
    Unlock {
        passphrase: Passphrase,
    },
    Lock,
    /// Erase this device's data and keys.
    Wipe,
    SaveSettings {
        idle_lock_minutes: String,
        max_failed_unlocks: String,
    },
    OpenCase {
        doc_id: DocId,
        reply: oneshot::Sender<Result<CaseView, String>>,
    },
    ChangeCase {
        doc_id: DocId,
        change: CaseChange,
        /// The draft this change makes obsolete.
        draft: Option<String>,
        reply: oneshot::Sender<Result<bool, EditError>>,
    },
    SaveDraft {
        slot: String,
        case: Box<Case>,
    },
    LoadDraft {
        slot: String,
        reply: oneshot::Sender<Option<Case>>,
    },
    DiscardDraft {
        slot: String,
    },
    RecordExport {
        doc_ids: Vec<DocId>,
        template: Box<Intervention>,
        reply: oneshot::Sender<Result<usize, String>>,
    },
    LoadCases {
        doc_ids: Vec<DocId>,
        reply: oneshot::Sender<Result<Vec<(DocId, Case)>, String>>,
    },
    ExportDocs {
        reply: oneshot::Sender<Result<Vec<StoredDoc>, String>>,
    },
    ImportDocs {
        docs: Vec<StoredDoc>,
        reply: oneshot::Sender<Result<usize, String>>,
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
    /// An invite link was opened (at start or later in this tab); its token
    /// is already out of the address bar.
    Invite(InviteToken),
    /// Time to see whether the idle lock is due.
    IdleCheck,
}

/// What pages hold to ask the device loop for something.
#[derive(Debug, Clone)]
pub struct DeviceHandle {
    events: mpsc::UnboundedSender<LoopEvent>,
}

impl DeviceHandle {
    fn send(&self, command: Command) {
        if self
            .events
            .unbounded_send(LoopEvent::Command(command))
            .is_err()
        {
            tracing::error!("the device loop stopped");
        }
    }

    /// Sends a command that answers, and waits for the answer.
    async fn ask<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, String> {
        let (reply, answer) = oneshot::channel();
        self.events
            .unbounded_send(LoopEvent::Command(command(reply)))
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }

    /// Resolves once the case is durable on this device (and queued for
    /// upload), or with a message to show.
    pub async fn add_case(&self, case: Case) -> Result<DocId, String> {
        self.ask(|reply| Command::AddCase {
            case: Box::new(case),
            reply,
        })
        .await?
    }

    /// The whole case, with its priority, conflicts and history.
    pub async fn open_case(&self, doc_id: DocId) -> Result<CaseView, String> {
        self.ask(|reply| Command::OpenCase { doc_id, reply })
            .await?
    }

    /// Resolves once the change is durable on this device and queued for
    /// upload: `Ok(false)` when it changed nothing.
    pub async fn change_case(
        &self,
        doc_id: DocId,
        change: CaseChange,
        draft: Option<String>,
    ) -> Result<bool, EditError> {
        self.ask(|reply| Command::ChangeCase {
            doc_id,
            change,
            draft,
            reply,
        })
        .await
        .map_err(EditError::Message)?
    }

    /// Keeps what a form holds (sealed) under `slot`: `new`, or a doc id.
    pub fn save_draft(&self, slot: String, case: Case) {
        self.send(Command::SaveDraft {
            slot,
            case: Box::new(case),
        });
    }

    pub async fn load_draft(&self, slot: String) -> Option<Case> {
        self.ask(|reply| Command::LoadDraft { slot, reply })
            .await
            .ok()
            .flatten()
    }

    pub fn discard_draft(&self, slot: String) {
        self.send(Command::DiscardDraft { slot });
    }

    /// Notes an export in every exported case (one intervention each, all
    /// in one transaction). Returns how many cases were noted.
    pub async fn record_export(
        &self,
        doc_ids: Vec<DocId>,
        template: Intervention,
    ) -> Result<usize, String> {
        self.ask(|reply| Command::RecordExport {
            doc_ids,
            template: Box::new(template),
            reply,
        })
        .await?
    }

    /// Several whole cases (no history or conflicts), in the order asked;
    /// cases not on this device are left out.
    pub async fn load_cases(&self, doc_ids: Vec<DocId>) -> Result<Vec<(DocId, Case)>, String> {
        self.ask(|reply| Command::LoadCases { doc_ids, reply })
            .await?
    }

    /// Every stored case document (saved Automerge bytes), for a backup.
    pub async fn export_docs(&self) -> Result<Vec<(DocId, Vec<u8>)>, String> {
        self.ask(|reply| Command::ExportDocs { reply }).await?
    }

    /// Merges case documents from a backup; returns how many cases gained
    /// something (which is also queued for upload).
    pub async fn import_docs(&self, docs: Vec<(DocId, Vec<u8>)>) -> Result<usize, String> {
        self.ask(|reply| Command::ImportDocs { docs, reply })
            .await?
    }

    /// The outcome shows in `AppState` (`vault_busy`, `vault_error`, then
    /// the lock state).
    pub fn create_vault(&self, passphrase: String, confirm: String) {
        self.send(Command::CreateVault {
            passphrase: Passphrase::new(passphrase),
            confirm: Passphrase::new(confirm),
        });
    }

    /// The outcome shows in `AppState` (`unlock_error`, `failed_unlocks`).
    pub fn unlock(&self, passphrase: String) {
        self.send(Command::Unlock {
            passphrase: Passphrase::new(passphrase),
        });
    }

    pub fn lock(&self) {
        self.send(Command::Lock);
    }

    pub fn wipe(&self) {
        self.send(Command::Wipe);
    }

    /// The outcome shows in `AppState::settings_message`.
    pub fn save_settings(&self, idle_lock_minutes: String, max_failed_unlocks: String) {
        self.send(Command::SaveSettings {
            idle_lock_minutes,
            max_failed_unlocks,
        });
    }
}

/// Starts the device loop and returns the handle pages use.
pub fn start(state: AppState) -> DeviceHandle {
    let (events, rx) = mpsc::unbounded();
    // The invite's secret leaves the address bar before anything else runs.
    if let Some(token) = take_join_token() {
        let _ = events.unbounded_send(LoopEvent::Invite(token));
    }
    listen_to_network(&events);
    listen_to_hash(&events);
    let activity = Rc::new(Cell::new(now_ms()));
    listen_to_activity(&activity);
    listen_for_idle(&events);
    let handle = DeviceHandle {
        events: events.clone(),
    };
    leptos::task::spawn_local(async move {
        match DeviceLoop::open(state, events.clone(), activity).await {
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

/// Takes a `#join=<token>` fragment out of the address bar and returns
/// the token; any other fragment is left alone.
fn take_join_token() -> Option<InviteToken> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let token = hash
        .trim_start_matches('#')
        .split('&')
        .find_map(|kv| kv.strip_prefix("join="))
        .map(|t| InviteToken(Zeroizing::new(t.to_owned())))?;
    clear_location_hash();
    Some(token)
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
        if let Some(token) = take_join_token() {
            let _ = tx.unbounded_send(LoopEvent::Invite(token));
        }
    });
    let _ = window.add_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref());
    // Listens for the life of the page.
    cb.forget();
}

/// Notes the time of every input (touch, click, key, wheel, scroll), in
/// the capture phase so no component can hide it.
fn listen_to_activity(activity: &Rc<Cell<i64>>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let seen = Rc::clone(activity);
    let cb = Closure::<dyn FnMut()>::new(move || seen.set(now_ms()));
    for name in [
        "pointerdown",
        "keydown",
        "touchstart",
        "wheel",
        "scroll",
        "input",
    ] {
        let _ = document.add_event_listener_with_callback_and_bool(
            name,
            cb.as_ref().unchecked_ref(),
            true,
        );
    }
    // Listens for the life of the page.
    cb.forget();
}

/// A periodic idle check, and one whenever the tab becomes visible again
/// (background tabs' timers are throttled; a phone taken out of a pocket
/// must lock before it shows anything).
fn listen_for_idle(events: &mpsc::UnboundedSender<LoopEvent>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let tx = events.clone();
    let tick = Closure::<dyn FnMut()>::new(move || {
        let _ = tx.unbounded_send(LoopEvent::IdleCheck);
    });
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        IDLE_CHECK_MS,
    );
    if let Some(document) = window.document() {
        let _ = document
            .add_event_listener_with_callback("visibilitychange", tick.as_ref().unchecked_ref());
    }
    // Runs for the life of the page.
    tick.forget();
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

/// Everything that exists only while the device is unlocked. Dropping it
/// (locking) drops the data key with the sealed stores, the device and
/// workspace keys (zeroised on drop), the engine holding copies of them,
/// and the outbox mirror.
struct Session {
    records: Records,
    secrets: VaultSecrets,
    /// Kept to rewrap the vault (a new workspace key) without asking for
    /// the passphrase again.
    kek: Kek,
    /// The workspace joined (or being joined); `None` until an invite.
    workspace: Option<WorkspaceId>,
    /// Exists once the device has a workspace and its key.
    engine: Option<SyncEngine>,
    /// Mirrors the durable outbox, in order.
    outbox: Vec<OutboxRow>,
}

struct DeviceLoop {
    state: AppState,
    storage: Storage,
    /// The stored vault: `None` before the first run's passphrase, an error
    /// when the stored bytes are unreadable.
    vault: Option<Result<LockedVault, VaultError>>,
    /// Wrong passphrases in a row, as stored.
    failed_unlocks: u32,
    settings: Settings,
    /// An invite opened while no session existed, waiting for the
    /// passphrase.
    pending_invite: Option<Invite>,
    /// The time of the last input (see `listen_to_activity`).
    activity: Rc<Cell<i64>>,
    session: Option<Session>,
    network_up: bool,
    socket: Option<Socket>,
    generation: u64,
    events: mpsc::UnboundedSender<LoopEvent>,
    rng: BrowserRng,
}

impl DeviceLoop {
    async fn open(
        state: AppState,
        events: mpsc::UnboundedSender<LoopEvent>,
        activity: Rc<Cell<i64>>,
    ) -> Result<DeviceLoop, StorageError> {
        let storage = Storage::open().await?;
        let stored = storage.vault_state().await?;
        // A device that had a vault and now has none lost its data to the
        // browser (or to someone clearing site data): say so.
        if stored.vault.is_some() {
            crate::storage_health::note_vault_present();
        } else {
            crate::storage_health::evicted();
        }
        let settings = Settings::effective(stored.settings, settings::read_presets());
        let device_loop = DeviceLoop {
            state,
            storage,
            vault: stored.vault,
            failed_unlocks: stored.failed_unlocks,
            settings,
            pending_invite: None,
            activity,
            session: None,
            network_up: web_sys::window()
                .map(|w| w.navigator().on_line())
                .unwrap_or(true),
            socket: None,
            generation: 0,
            events,
            rng: BrowserRng,
        };
        state.settings.set(settings);
        device_loop.show_lock_screen();
        Ok(device_loop)
    }

    /// The setup or unlock screen, whichever the stored vault calls for.
    fn show_lock_screen(&self) {
        self.state.failed_unlocks.set(self.failed_unlocks);
        match &self.vault {
            None => self.state.lock.set(LockState::Setup),
            Some(vault) => {
                if let Err(err) = vault {
                    self.state.unlock_error.set(Some(damaged_vault(err)));
                }
                self.state.lock.set(LockState::Locked);
            }
        }
    }

    /// Closes the socket, if any; events from it are ignored from now on.
    fn drop_socket(&mut self) {
        self.socket = None;
        self.generation += 1;
    }

    /// Tells the engine whether the network is up, which starts it.
    async fn start_syncing(&mut self) {
        let first = if self.network_up {
            SyncEvent::NetworkUp
        } else {
            SyncEvent::NetworkDown
        };
        self.engine_event(first).await;
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<LoopEvent>) {
        while let Some(event) = rx.next().await {
            self.handle(event).await;
            self.publish();
        }
    }

    async fn handle(&mut self, event: LoopEvent) {
        let sync_event = match event {
            LoopEvent::Command(command) => return self.command(command).await,
            LoopEvent::NetworkUp => {
                self.network_up = true;
                SyncEvent::NetworkUp
            }
            LoopEvent::NetworkDown => {
                self.network_up = false;
                SyncEvent::NetworkDown
            }
            LoopEvent::ReconnectDue => SyncEvent::ReconnectDue,
            LoopEvent::Invite(token) => return self.invite_opened(token).await,
            LoopEvent::IdleCheck => return self.idle_check(),
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

    async fn command(&mut self, command: Command) {
        match command {
            Command::AddCase { case, reply } => {
                let result = self.add_case(*case).await;
                let _ = reply.send(result.as_ref().map(|(id, _)| *id).map_err(String::clone));
                if let Ok((_, row)) = result {
                    self.engine_event(SyncEvent::Enqueued(row.entry)).await;
                }
            }
            Command::CreateVault {
                passphrase,
                confirm,
            } => self.create_vault(passphrase, confirm).await,
            Command::Unlock { passphrase } => self.unlock(passphrase).await,
            Command::Lock => self.lock(),
            Command::Wipe => self.wipe(&crate::i18n::t("lock-wiped-on-request")).await,
            Command::SaveSettings {
                idle_lock_minutes,
                max_failed_unlocks,
            } => {
                self.save_settings(&idle_lock_minutes, &max_failed_unlocks)
                    .await
            }
            Command::OpenCase { doc_id, reply } => {
                let _ = reply.send(self.open_case(doc_id).await);
            }
            Command::ChangeCase {
                doc_id,
                change,
                draft,
                reply,
            } => {
                let result = self.change_case(doc_id, change, draft).await;
                let _ = reply.send(result.as_ref().map(Option::is_some).map_err(Clone::clone));
                if let Ok(Some(row)) = result {
                    self.engine_event(SyncEvent::Enqueued(row.entry)).await;
                }
            }
            Command::SaveDraft { slot, case } => {
                if let Err(err) = self.save_draft(&slot, &case).await {
                    tracing::warn!("could not keep a draft: {err}");
                }
            }
            Command::LoadDraft { slot, reply } => {
                let _ = reply.send(self.draft(&slot).await);
            }
            Command::DiscardDraft { slot } => self.discard_draft(&slot).await,
            Command::RecordExport {
                doc_ids,
                template,
                reply,
            } => {
                let result = self.record_export(&doc_ids, *template).await;
                let _ = reply.send(result.as_ref().map(Vec::len).map_err(Clone::clone));
                self.enqueued(result.unwrap_or_default()).await;
            }
            Command::LoadCases { doc_ids, reply } => {
                let _ = reply.send(self.load_cases(&doc_ids).await);
            }
            Command::ExportDocs { reply } => {
                let _ = reply.send(self.export_docs().await);
            }
            Command::ImportDocs { docs, reply } => {
                let result = self.import_docs(docs).await;
                let _ = reply.send(result.as_ref().map(Vec::len).map_err(Clone::clone));
                self.enqueued(result.unwrap_or_default()).await;
            }
        }
    }

    /// Tells the engine about new outbox rows.
    async fn enqueued(&mut self, rows: Vec<OutboxRow>) {
        for row in rows {
            self.engine_event(SyncEvent::Enqueued(row.entry)).await;
        }
    }

    // ------------------------------------------------------------ sync

    async fn engine_event(&mut self, event: SyncEvent) {
        let Some(engine) = self.session.as_mut().and_then(|s| s.engine.as_mut()) else {
            return;
        };
        let effects = engine.handle(now_ms(), &mut self.rng, event);
        let mut queue: VecDeque<SyncEffect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let follow_up = self.carry_out(effect).await;
            let engine = self.session.as_mut().and_then(|s| s.engine.as_mut());
            if let (Some(event), Some(engine)) = (follow_up, engine) {
                queue.extend(engine.handle(now_ms(), &mut self.rng, event));
            }
        }
    }

    /// Carries out one effect; returns the event it produced, if any.
    async fn carry_out(&mut self, effect: SyncEffect) -> Option<SyncEvent> {
        match effect {
            SyncEffect::Connect => {
                self.drop_socket();
                let opened = relay_url()
                    .ok_or_else(|| crate::i18n::t("app-relay-no-address"))
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
                self.drop_socket();
                None
            }
            SyncEffect::Send(frame) => {
                let sent = match &self.socket {
                    Some(socket) => socket.send(&frame),
                    None => Err(crate::i18n::t("app-not-connected")),
                };
                sent.err().map(|reason| {
                    self.drop_socket();
                    SyncEvent::Closed { reason }
                })
            }
            SyncEffect::ScheduleReconnect { delay_ms } => {
                schedule(&self.events, delay_ms, LoopEvent::ReconnectDue);
                None
            }
            SyncEffect::Apply {
                entries,
                quarantined,
                through,
            } => Some(
                match self
                    .apply(entries, &quarantined, Progress::Cursor(through))
                    .await
                {
                    Ok(()) => SyncEvent::Applied { through },
                    Err(err) => apply_failed(err),
                },
            ),
            SyncEffect::ApplyBootstrap {
                entries,
                quarantined,
                upto,
                next,
            } => {
                let progress = match next {
                    Some(resume) => Progress::BootstrapPage(resume),
                    None => Progress::BootstrapDone(upto),
                };
                Some(match self.apply(entries, &quarantined, progress).await {
                    Ok(()) => SyncEvent::BootstrapApplied,
                    Err(err) => apply_failed(err),
                })
            }
            SyncEffect::Acked(acks) => {
                let session = self.session.as_mut()?;
                let acked: Vec<BlobId> = acks.iter().map(|a| a.blob_id).collect();
                let (done, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut session.outbox)
                    .into_iter()
                    .partition(|row| acked.contains(&row.blob_id()));
                session.outbox = keep;
                if let Err(err) = session.records.remove_from_outbox(&done).await {
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
                let session = self.session.as_ref()?;
                if let Err(err) = session.records.joined(role).await {
                    // The spent ticket stays stored and is presented again
                    // next time; the relay answers a member's ticket without
                    // spending anything.
                    tracing::warn!("could not record joining the workspace: {err}");
                }
                None
            }
            SyncEffect::Compact { doc_id, covers } => match self.compact(doc_id, covers).await {
                Ok(row) => {
                    if let Some(session) = self.session.as_mut() {
                        session.outbox.push(row.clone());
                    }
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
        let Some(session) = self.session.as_mut() else {
            return Err(locked());
        };
        if session.workspace.is_none() {
            return Err(not_joined());
        }
        let Some(engine) = session.engine.as_ref() else {
            return Err(crate::i18n::t("app-no-key-add"));
        };
        if self.state.role.get_untracked() == Some(Role::Viewer) {
            return Err(crate::i18n::t("app-viewer-cannot-add"));
        }
        let device = session.secrets.device_key.device_id();
        let now = now_ms();
        // Events the form added are stamped here: who recorded them, when.
        for event in case
            .timeline
            .iter_mut()
            .filter(|e| e.recorded_by.is_empty())
        {
            event.recorded_by = device.to_hex();
            event.recorded_at_ms = now;
        }
        let ctx = EditContext {
            device,
            now_ms: now,
            today: local_today(),
        };
        let doc_id = DocId::random(&mut self.rng);
        let summary = CaseSummary::of(doc_id, &case, 0, now);
        let (mut doc, changes) = CaseDoc::create(case, &ctx).map_err(|e| e.to_string())?;
        let entry = engine
            .sealer()
            .seal(&mut self.rng, doc_id, EntryKind::Change, &changes);
        let row = session
            .records
            .save_local_edits(vec![LocalEdit {
                doc: doc.save(),
                summary: summary.clone(),
                entry,
                draft: Some(NEW_CASE_DRAFT.to_owned()),
            }])
            .await
            .map_err(|e| e.to_string())?
            .remove(0);
        session.outbox.push(row.clone());
        self.state.upsert_summaries([summary]);
        Ok((doc_id, row))
    }

    /// Writes a snapshot of a stored document to the outbox: the whole
    /// document as this device holds it, which includes every log entry up
    /// to `covers`, sealed like any change.
    async fn compact(&mut self, doc_id: DocId, covers: Seq) -> Result<OutboxRow, String> {
        let session = self.session.as_ref().ok_or_else(locked)?;
        let engine = session.engine.as_ref().ok_or_else(not_joined)?;
        let device = session.secrets.device_key.device_id();
        let stored = session
            .records
            .doc(&doc_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the document is not stored on this device".to_owned())?;
        let mut doc = CaseDoc::load(&stored, &device).map_err(|e| e.kind().to_owned())?;
        let entry = engine.sealer().seal(
            &mut self.rng,
            doc_id,
            EntryKind::Snapshot { covers },
            &doc.save(),
        );
        session
            .records
            .enqueue(entry)
            .await
            .map_err(|e| e.to_string())
    }

    /// Merges a batch or bootstrap page into the stored documents and
    /// stores the sync position and the entries set aside with them.
    /// Entries come grouped by document in log order; a snapshot's body is
    /// a whole saved document, which Automerge merges like any change.
    /// Entries that cannot be merged are skipped and logged, never allowed
    /// to stop sync.
    async fn apply(
        &mut self,
        entries: Vec<OpenedEntry>,
        quarantined: &[Quarantined],
        progress: Progress,
    ) -> Result<(), StorageError> {
        let Some(session) = self.session.as_ref() else {
            return Err(StorageError::WriteFailed(locked()));
        };
        let device = session.secrets.device_key.device_id();
        let mut by_doc: Vec<(DocId, Vec<OpenedEntry>)> = Vec::new();
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
        let stored = session.records.docs(&ids).await?;
        let mut merged = Vec::with_capacity(by_doc.len());
        for ((doc_id, entries), stored) in by_doc.into_iter().zip(stored) {
            let mut doc = match stored {
                Some(bytes) => match CaseDoc::load(&bytes, &device) {
                    Ok(doc) => doc,
                    Err(err) => {
                        tracing::error!(doc = %doc_id, kind = err.kind(), "stored document unreadable");
                        continue;
                    }
                },
                None => CaseDoc::empty(&device),
            };
            for entry in &entries {
                if let Err(err) = doc.merge(&entry.plaintext) {
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
        let set_aside: Vec<QuarantineRecord> = quarantined
            .iter()
            .map(|q| {
                tracing::warn!(
                    seq = %q.seq,
                    doc = %q.header.doc_id,
                    kind = q.error.kind(),
                    "entry set aside"
                );
                QuarantineRecord::of(q, now)
            })
            .collect();
        session
            .records
            .save_merged(&merged, &set_aside, progress)
            .await?;
        if !set_aside.is_empty() {
            match session.records.quarantine_count().await {
                Ok(n) => self.state.quarantined.set(n),
                Err(err) => tracing::warn!("could not count the entries set aside: {err}"),
            }
        }
        self.state
            .upsert_summaries(merged.into_iter().filter_map(|m| m.summary));
        Ok(())
    }

    fn publish(&self) {
        let Some(session) = &self.session else {
            return;
        };
        let mut pending: HashMap<DocId, usize> = HashMap::new();
        // A snapshot waiting to upload holds nothing new: only changes make
        // a case "not uploaded yet".
        for row in &session.outbox {
            if row.entry.header.kind == EntryKind::Change {
                *pending.entry(row.entry.header.doc_id).or_default() += 1;
            }
        }
        // Only real changes notify, so rows do not re-render on every frame.
        if self.state.pending.with_untracked(|p| *p != pending) {
            self.state.pending.set(pending);
        }
        let status = match &session.engine {
            Some(engine) => engine.status(),
            None => idle_status(self.network_up, session.outbox.len()),
        };
        // The first sync after joining is over once the device is in step
        // (or the relay refused it).
        let join_over = session
            .engine
            .as_ref()
            .is_some_and(|e| e.in_step() || e.status().connection == Connection::Refused);
        if join_over && self.state.joining.get_untracked() {
            self.state.joining.set(false);
        }
        if self.state.sync.with_untracked(|s| *s != status) {
            self.state.sync.set(status);
        }
    }
}

/// What the unlock screen says when the stored vault cannot be read.
fn damaged_vault(err: &VaultError) -> String {
    let reason = lock::vault_error_text(err);
    crate::tr!("lock-vault-unreadable", reason = reason)
}

fn apply_failed(err: StorageError) -> SyncEvent {
    tracing::error!("could not store synced cases: {err}");
    SyncEvent::ApplyFailed {
        reason: err.to_string(),
    }
}
