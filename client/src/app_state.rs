//! What the pages render: reactive signals written by the device loop.

use std::collections::HashMap;

use leptos::prelude::*;
use shared::case_summary::CaseSummary;
use shared::ids::{DocId, Seq, WorkspaceId};
use shared::sync_engine::{Connection, SyncStatus};
use shared::wire::Role;

#[derive(Debug, Clone, Copy)]
pub struct AppState {
    /// Local storage is open and loaded.
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
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            ready: RwSignal::new(false),
            fatal: RwSignal::new(None),
            workspace: RwSignal::new(None),
            role: RwSignal::new(None),
            join_problem: RwSignal::new(None),
            summaries: RwSignal::new(Vec::new()),
            pending: RwSignal::new(HashMap::new()),
            sync: RwSignal::new(idle_status(false, 0)),
        }
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
        rejected_entries: 0,
    }
}
