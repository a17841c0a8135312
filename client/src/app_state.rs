//! What the pages render: reactive signals written by the device loop.

use std::collections::HashMap;

use leptos::prelude::*;
use shared::case_summary::CaseSummary;
use shared::ids::{DocId, Seq, WorkspaceId};
use shared::sync_engine::{Connection, SyncStatus};
use shared::wire::Role;

use crate::settings::Settings;

/// Which screen the app shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockState {
    /// Storage is being opened.
    Starting,
    /// No vault on this device: the first-run passphrase screen.
    Setup,
    /// A vault exists and no key is in memory: the unlock screen.
    Locked,
    /// Keys in memory, cases shown.
    Unlocked,
}

impl LockState {
    pub fn as_str(self) -> &'static str {
        match self {
            LockState::Starting => "starting",
            LockState::Setup => "setup",
            LockState::Locked => "locked",
            LockState::Unlocked => "unlocked",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct AppState {
    pub lock: RwSignal<LockState>,
    /// Wrong passphrases in a row so far (shown on the unlock screen).
    pub failed_unlocks: RwSignal<u32>,
    pub settings: RwSignal<Settings>,
    /// Set while Argon2 runs ("Securing this device…"): the screens show it
    /// and disable their buttons.
    pub vault_busy: RwSignal<Option<&'static str>>,
    /// Why creating the vault was refused (setup screen).
    pub vault_error: RwSignal<Option<String>>,
    /// Why unlocking was refused (unlock screen).
    pub unlock_error: RwSignal<Option<String>>,
    /// Shown on the setup screen after the device erased itself.
    pub wiped_notice: RwSignal<Option<String>>,
    /// An invite link was opened and waits for the passphrase.
    pub invite_waiting: RwSignal<bool>,
    /// Outcome of the last settings save, for the settings form.
    pub settings_message: RwSignal<Option<Result<String, String>>>,
    /// Unlocked, and local storage is loaded.
    pub ready: RwSignal<bool>,
    /// Set when the app cannot start (storage unavailable): shown instead of
    /// the case list.
    pub fatal: RwSignal<Option<String>>,
    /// The workspace this device joined (or is joining through an invite);
    /// `None`: cases cannot be entered until an invite link is opened.
    pub workspace: RwSignal<Option<WorkspaceId>>,
    /// The role the relay gave this device (remembered across restarts).
    pub role: RwSignal<Option<Role>>,
    /// A problem with an invite link just opened, shown until the next one.
    pub join_problem: RwSignal<Option<String>>,
    pub summaries: RwSignal<Vec<CaseSummary>>,
    /// Change entries not yet acknowledged by the relay, per case.
    pub pending: RwSignal<HashMap<DocId, usize>>,
    pub sync: RwSignal<SyncStatus>,
    /// From opening an invite until the first sync is complete: the join
    /// progress bar is shown.
    pub joining: RwSignal<bool>,
    /// Log entries set aside on this device (they did not verify or open).
    pub quarantined: RwSignal<u64>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            lock: RwSignal::new(LockState::Starting),
            failed_unlocks: RwSignal::new(0),
            settings: RwSignal::new(Settings::DEFAULT),
            vault_busy: RwSignal::new(None),
            vault_error: RwSignal::new(None),
            unlock_error: RwSignal::new(None),
            wiped_notice: RwSignal::new(None),
            invite_waiting: RwSignal::new(false),
            settings_message: RwSignal::new(None),
            ready: RwSignal::new(false),
            fatal: RwSignal::new(None),
            workspace: RwSignal::new(None),
            role: RwSignal::new(None),
            join_problem: RwSignal::new(None),
            summaries: RwSignal::new(Vec::new()),
            pending: RwSignal::new(HashMap::new()),
            sync: RwSignal::new(idle_status(false, 0)),
            joining: RwSignal::new(false),
            quarantined: RwSignal::new(0),
        }
    }

    /// Forgets everything shown about the workspace's cases (locking).
    pub fn clear_unlocked(&self, network_up: bool) {
        self.ready.set(false);
        self.summaries.set(Vec::new());
        self.pending.set(HashMap::new());
        self.workspace.set(None);
        self.role.set(None);
        self.joining.set(false);
        self.quarantined.set(0);
        self.settings_message.set(None);
        self.sync.set(idle_status(network_up, 0));
    }

    /// Replaces or inserts summaries by doc id.
    pub fn upsert_summaries(&self, updated: impl IntoIterator<Item = CaseSummary>) {
        self.summaries.update(|list| {
            let mut index: HashMap<DocId, usize> = list
                .iter()
                .enumerate()
                .map(|(i, s)| (s.doc_id, i))
                .collect();
            for s in updated {
                match index.get(&s.doc_id) {
                    Some(&i) => list[i] = s,
                    None => {
                        index.insert(s.doc_id, list.len());
                        list.push(s);
                    }
                }
            }
        });
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

/// The sync status of a device with no sync engine (not joined yet).
pub fn idle_status(network_up: bool, pending_uploads: usize) -> SyncStatus {
    SyncStatus {
        network_up,
        connection: Connection::Offline,
        pending_uploads,
        cursor: Seq::ZERO,
        head: Seq::ZERO,
        last_sync_ms: None,
        last_error: None,
        role: None,
        refused: None,
        bootstrap: None,
        quarantined_entries: 0,
    }
}
