//! What the pages render: reactive signals written by the device loop.

use std::collections::HashMap;

use leptos::prelude::*;
use shared::case_summary::CaseSummary;
use shared::ids::{DocId, Seq};
use shared::sync_engine::{Connection, SyncStatus};

#[derive(Debug, Clone, Copy)]
pub struct AppState {
    /// Local storage is open and loaded.
    pub ready: RwSignal<bool>,
    /// Set when the app cannot start (storage unavailable): shown instead of
    /// the case list.
    pub fatal: RwSignal<Option<String>>,
    pub summaries: RwSignal<Vec<CaseSummary>>,
    /// Outbox entries not yet acknowledged by the relay, per case.
    pub pending: RwSignal<HashMap<DocId, usize>>,
    pub sync: RwSignal<SyncStatus>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            ready: RwSignal::new(false),
            fatal: RwSignal::new(None),
            summaries: RwSignal::new(Vec::new()),
            pending: RwSignal::new(HashMap::new()),
            sync: RwSignal::new(SyncStatus {
                network_up: false,
                connection: Connection::Offline,
                pending_uploads: 0,
                cursor: Seq::ZERO,
                head: Seq::ZERO,
                last_sync_ms: None,
                last_error: None,
            }),
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
