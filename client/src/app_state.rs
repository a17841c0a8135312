//! What the pages render: reactive signals written by the device loop.

use std::collections::HashMap;

use leptos::prelude::*;
use shared::case_summary::CaseSummary;
use shared::ids::{DeviceId, DocId, Seq, WorkspaceId};
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
    /// This device's id (its public key), while unlocked.
    pub device: RwSignal<Option<DeviceId>>,
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
            device: RwSignal::new(None),
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
        self.device.set(None);
        self.settings_message.set(None);
        self.sync.set(idle_status(network_up, 0));
        // The list's remembered search is a name: it goes with the keys.
        crate::case_list::forget_session();
    }

    /// Replaces or inserts summaries by doc id (the last of a doc id in
    /// `updated` wins); new ones are appended in the order given.
    pub fn upsert_summaries(&self, updated: impl IntoIterator<Item = CaseSummary>) {
        let updated: Vec<CaseSummary> = updated.into_iter().collect();
        if updated.is_empty() {
            return;
        }
        self.summaries
            .maybe_update(|list| merge_summaries(list, updated));
    }
}

/// Writes `updated` into `list` in one pass, without a doc id → position
/// map of the whole list: with 10⁵ cases, hashing every doc id on each
/// local edit or merged batch cost more than the edit. Small batches (a
/// local edit, a poke) compare ids directly; larger ones look each list
/// entry up in a map of the batch. Positions never move, which lets the
/// list keep the rankings of unchanged summaries. Returns whether the
/// list changed.
fn merge_summaries(list: &mut Vec<CaseSummary>, updated: Vec<CaseSummary>) -> bool {
    const DIRECT: usize = 8;
    let mut waiting: Vec<Option<CaseSummary>> = Vec::with_capacity(updated.len());
    let mut slot_of: HashMap<DocId, usize> = HashMap::with_capacity(updated.len());
    for s in updated {
        match slot_of.get(&s.doc_id) {
            Some(&k) => waiting[k] = Some(s),
            None => {
                slot_of.insert(s.doc_id, waiting.len());
                waiting.push(Some(s));
            }
        }
    }
    let ids: Vec<DocId> = waiting.iter().flatten().map(|s| s.doc_id).collect();
    let mut left = waiting.len();
    let mut changed = false;
    for entry in list.iter_mut() {
        if left == 0 {
            break;
        }
        let k = if ids.len() <= DIRECT {
            ids.iter().position(|id| *id == entry.doc_id)
        } else {
            slot_of.get(&entry.doc_id).copied()
        };
        if let Some(s) = k.and_then(|k| waiting[k].take()) {
            left -= 1;
            if *entry != s {
                *entry = s;
                changed = true;
            }
        }
    }
    for s in waiting.into_iter().flatten() {
        list.push(s);
        changed = true;
    }
    changed
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

#[cfg(test)]
mod tests {
    use super::*;
    use shared::case::{Case, Category};

    fn summary(id: u8, surname: &str, updated_ms: i64) -> CaseSummary {
        let case = Case::minimal(surname, "", "", Category::Missing);
        CaseSummary::of(DocId([id; 16]), &case, 0, updated_ms)
    }

    fn names(list: &[CaseSummary]) -> Vec<&str> {
        list.iter().map(|s| s.surname.as_str()).collect()
    }

    #[test]
    fn merging_replaces_in_place_appends_new_and_keeps_the_last_of_a_batch() {
        for batch in [3usize, 30] {
            let mut list: Vec<CaseSummary> = (0..20).map(|i| summary(i, "a", 0)).collect();
            let mut updated: Vec<CaseSummary> =
                (0..batch as u8).map(|i| summary(i * 2, "b", 1)).collect();
            updated.push(summary(4, "c", 2));
            updated.push(summary(200, "new", 2));
            updated.push(summary(200, "newer", 3));
            assert!(merge_summaries(&mut list, updated));
            assert_eq!(
                list.len(),
                20 + (batch * 2).saturating_sub(20).div_ceil(2) + 1
            );
            assert_eq!(list[2].surname, "b");
            assert_eq!(list[4].surname, "c");
            assert_eq!(list[1].surname, "a");
            assert_eq!(names(&list).last(), Some(&"newer"));
        }
    }

    #[test]
    fn merging_the_same_summaries_changes_nothing() {
        let mut list: Vec<CaseSummary> = (0..5).map(|i| summary(i, "a", 0)).collect();
        assert!(!merge_summaries(&mut list, vec![summary(3, "a", 0)]));
        assert_eq!(list.len(), 5);
    }
}
