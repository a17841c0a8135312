//! What the case screens ask of the loop: open a case whole (with its
//! conflicts and history), edit it, settle a conflict, keep drafts, note an
//! export in each exported case, and read or merge documents for a backup.
//!
//! Every edit goes the same way as a new case: the document is loaded from
//! storage (never held: a loaded document costs far more than a summary),
//! changed through `CaseDoc`, and written with its summary and the sealed
//! change for the outbox in one transaction before the screen hears
//! "saved".

use leptos::prelude::*;
use shared::case::{Case, Intervention};
use shared::case_doc::{CaseDoc, CaseDocError, CaseEdit, EditContext, FieldConflict, HistoryEntry};
use shared::case_summary::CaseSummary;
use shared::case_validation::ValidationErrors;
use shared::ids::{DeviceId, DocId};
use shared::priority::{Priority, priority};
use shared::sealing::EntrySealer;
use shared::wire::{EntryKind, Role};

use super::{DeviceLoop, locked, not_joined, now_ms};
use crate::browser::local_today;
use crate::browser_rng::BrowserRng;
use crate::storage::{LocalEdit, OutboxRow};

/// A case as the detail screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub doc_id: DocId,
    pub case: Case,
    pub priority: Priority,
    pub conflicts: Vec<FieldConflict>,
    /// Oldest first.
    pub history: Vec<HistoryEntry>,
    /// This device, to mark its own changes and values.
    pub this_device: DeviceId,
    /// Changes of this case not yet acknowledged by the relay.
    pub pending: usize,
}

/// Why an edit was not saved.
#[derive(Debug, Clone, PartialEq)]
pub enum EditError {
    /// Field-level problems, to show next to the fields.
    Invalid(ValidationErrors),
    /// Anything else, as a sentence to show.
    Message(String),
}

impl From<String> for EditError {
    fn from(s: String) -> EditError {
        EditError::Message(s)
    }
}

impl From<CaseDocError> for EditError {
    fn from(err: CaseDocError) -> EditError {
        match err {
            CaseDocError::Invalid(errors) => EditError::Invalid(errors),
            other => EditError::Message(other.to_string()),
        }
    }
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::Invalid(errors) => write!(f, "{errors}"),
            EditError::Message(m) => f.write_str(m),
        }
    }
}

/// One change to make to a stored case.
#[derive(Debug, Clone)]
pub enum CaseChange {
    Edit(CaseEdit),
    Resolve { field: String, choice: usize },
}

impl DeviceLoop {
    /// Writes `edits` in one transaction, then mirrors the new outbox rows
    /// and shows the new summaries.
    async fn save_edits(&mut self, edits: Vec<LocalEdit>) -> Result<Vec<OutboxRow>, String> {
        let session = self.session.as_mut().ok_or_else(locked)?;
        let summaries: Vec<CaseSummary> = edits.iter().map(|e| e.summary.clone()).collect();
        let rows = session
            .records
            .save_local_edits(edits)
            .await
            .map_err(|e| e.to_string())?;
        session.outbox.extend(rows.iter().cloned());
        self.state.upsert_summaries(summaries);
        Ok(rows)
    }

    /// Checks that this device may write cases now, and says why not.
    fn writable(&self) -> Result<(), String> {
        let session = self.session.as_ref().ok_or_else(locked)?;
        if session.workspace.is_none() {
            return Err(not_joined());
        }
        if session.engine.is_none() {
            return Err(crate::i18n::t("app-no-key-change"));
        }
        if self.state.role.get_untracked() == Some(Role::Viewer) {
            return Err(crate::i18n::t("app-viewer-cannot-change"));
        }
        Ok(())
    }

    async fn load_doc(&self, doc_id: DocId) -> Result<CaseDoc, String> {
        let session = self.session.as_ref().ok_or_else(locked)?;
        let device = session.secrets.device_key.device_id();
        let bytes = session
            .records
            .doc(&doc_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| crate::i18n::t("app-case-not-here"))?;
        CaseDoc::load(&bytes, &device).map_err(|e| e.to_string())
    }

    pub(super) async fn open_case(&mut self, doc_id: DocId) -> Result<CaseView, String> {
        let mut doc = self.load_doc(doc_id).await?;
        let session = self.session.as_ref().ok_or_else(locked)?;
        let case = doc.case().map_err(|e| e.to_string())?;
        let pending = session
            .outbox
            .iter()
            .filter(|r| r.entry.header.doc_id == doc_id && r.entry.header.kind == EntryKind::Change)
            .count();
        Ok(CaseView {
            doc_id,
            priority: priority(&case, local_today()),
            conflicts: doc.conflicts().map_err(|e| e.to_string())?,
            history: doc.history().map_err(|e| e.to_string())?,
            case,
            this_device: session.secrets.device_key.device_id(),
            pending,
        })
    }

    /// Makes `change` to the stored case and queues it for upload. `Ok(None)`:
    /// nothing changed. `draft` names a draft the edit replaces.
    pub(super) async fn change_case(
        &mut self,
        doc_id: DocId,
        change: CaseChange,
        draft: Option<String>,
    ) -> Result<Option<OutboxRow>, EditError> {
        self.writable()?;
        let mut doc = self.load_doc(doc_id).await?;
        let session = self.session.as_mut().ok_or_else(locked)?;
        let device = session.secrets.device_key.device_id();
        let ctx = EditContext {
            device,
            now_ms: now_ms(),
            today: local_today(),
        };
        let changes = match change {
            CaseChange::Edit(edit) => doc.apply(stamp(edit, &ctx), &ctx)?,
            CaseChange::Resolve { field, choice } => doc.resolve_conflict(&field, choice, &ctx)?,
        };
        let Some(changes) = changes else {
            if let Some(slot) = draft {
                let _ = session.records.discard_draft(&slot).await;
            }
            return Ok(None);
        };
        let engine = session.engine.as_ref().ok_or_else(not_joined)?;
        let edit = local_edit(
            engine.sealer(),
            doc_id,
            &mut doc,
            &changes,
            ctx.now_ms,
            draft,
        )?;
        let row = self.save_edits(vec![edit]).await?.remove(0);
        Ok(Some(row))
    }

    /// Adds `template` (stamped with a fresh id) to the interventions of
    /// every case in `doc_ids`, all in one transaction: an export is noted
    /// in all the cases it contained or in none.
    pub(super) async fn record_export(
        &mut self,
        doc_ids: &[DocId],
        template: Intervention,
    ) -> Result<Vec<OutboxRow>, String> {
        self.writable()?;
        let session = self.session.as_mut().ok_or_else(locked)?;
        let device = session.secrets.device_key.device_id();
        let ctx = EditContext {
            device,
            now_ms: now_ms(),
            today: local_today(),
        };
        let engine = session.engine.as_ref().ok_or_else(not_joined)?;
        let stored = session
            .records
            .docs(doc_ids)
            .await
            .map_err(|e| e.to_string())?;
        let mut edits = Vec::with_capacity(doc_ids.len());
        for (doc_id, bytes) in doc_ids.iter().zip(stored) {
            let Some(bytes) = bytes else {
                return Err(crate::i18n::t("app-list-case-gone"));
            };
            let mut doc = CaseDoc::load(&bytes, &device).map_err(|e| e.to_string())?;
            let item = Intervention {
                id: DocId::random(&mut BrowserRng).to_hex(),
                ..template.clone()
            };
            let Some(changes) = doc
                .apply(CaseEdit::AddIntervention(item), &ctx)
                .map_err(|e| e.to_string())?
            else {
                continue;
            };
            edits.push(
                local_edit(
                    engine.sealer(),
                    *doc_id,
                    &mut doc,
                    &changes,
                    ctx.now_ms,
                    None,
                )
                .map_err(|e| e.to_string())?,
            );
        }
        self.save_edits(edits).await
    }

    pub(super) async fn save_draft(&self, slot: &str, case: &Case) -> Result<(), String> {
        let session = self.session.as_ref().ok_or_else(locked)?;
        session
            .records
            .save_draft(slot, case)
            .await
            .map_err(|e| e.to_string())
    }

    pub(super) async fn draft(&self, slot: &str) -> Option<Case> {
        let session = self.session.as_ref()?;
        match session.records.draft(slot).await {
            Ok(draft) => draft,
            Err(err) => {
                tracing::warn!("could not read a draft: {err}");
                None
            }
        }
    }

    pub(super) async fn discard_draft(&self, slot: &str) {
        if let Some(session) = self.session.as_ref()
            && let Err(err) = session.records.discard_draft(slot).await
        {
            tracing::warn!("could not discard a draft: {err}");
        }
    }

    pub(super) async fn load_cases(&self, doc_ids: &[DocId]) -> Result<Vec<(DocId, Case)>, String> {
        let session = self.session.as_ref().ok_or_else(locked)?;
        let device = session.secrets.device_key.device_id();
        let stored = session
            .records
            .docs(doc_ids)
            .await
            .map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(doc_ids.len());
        for (doc_id, bytes) in doc_ids.iter().zip(stored) {
            let Some(bytes) = bytes else { continue };
            match CaseDoc::load(&bytes, &device).and_then(|d| d.case()) {
                Ok(case) => out.push((*doc_id, case)),
                Err(err) => tracing::warn!(doc = %doc_id, kind = err.kind(), "case unreadable"),
            }
        }
        Ok(out)
    }

    /// Every stored document, for a backup file.
    pub(super) async fn export_docs(&self) -> Result<Vec<(DocId, Vec<u8>)>, String> {
        let session = self.session.as_ref().ok_or_else(locked)?;
        session.records.all_docs().await.map_err(|e| e.to_string())
    }

    /// Merges documents from a backup file into this device's. What the
    /// backup held that this device did not goes to the outbox too, so a
    /// relay that lost it gets it back. Returns how many cases gained
    /// something.
    pub(super) async fn import_docs(
        &mut self,
        docs: Vec<(DocId, Vec<u8>)>,
    ) -> Result<Vec<OutboxRow>, String> {
        self.writable()?;
        let session = self.session.as_mut().ok_or_else(locked)?;
        let device = session.secrets.device_key.device_id();
        let now = now_ms();
        let engine = session.engine.as_ref().ok_or_else(not_joined)?;
        let ids: Vec<DocId> = docs.iter().map(|(id, _)| *id).collect();
        let stored = session
            .records
            .docs(&ids)
            .await
            .map_err(|e| e.to_string())?;
        let mut edits = Vec::new();
        for ((doc_id, incoming), stored) in docs.into_iter().zip(stored) {
            let mut doc = match stored {
                Some(bytes) => CaseDoc::load(&bytes, &device).map_err(|e| e.to_string())?,
                None => CaseDoc::empty(&device),
            };
            let before = doc.heads();
            if let Err(err) = doc.merge(&incoming) {
                tracing::warn!(doc = %doc_id, kind = err.kind(), "backup document skipped");
                continue;
            }
            let gained = doc.save_after(&before);
            if doc.heads() == before {
                continue;
            }
            match local_edit(engine.sealer(), doc_id, &mut doc, &gained, now, None) {
                Ok(edit) => edits.push(edit),
                Err(err) => {
                    tracing::warn!(doc = %doc_id, kind = err.kind(), "backup case unreadable")
                }
            }
        }
        self.save_edits(edits).await
    }
}

/// The write for a changed document: the whole document, its summary and
/// `changes` sealed for the outbox.
fn local_edit(
    sealer: &EntrySealer,
    doc_id: DocId,
    doc: &mut CaseDoc,
    changes: &[u8],
    now_ms: i64,
    draft: Option<String>,
) -> Result<LocalEdit, CaseDocError> {
    let case = doc.case()?;
    let conflicts = doc.conflicts().map(|c| c.len()).unwrap_or(0);
    Ok(LocalEdit {
        doc: doc.save(),
        summary: CaseSummary::of(doc_id, &case, conflicts, now_ms),
        entry: sealer.seal(&mut BrowserRng, doc_id, EntryKind::Change, changes),
        draft,
    })
}

/// Status events added on this device are stamped here: who recorded them,
/// and when.
fn stamp(edit: CaseEdit, ctx: &EditContext) -> CaseEdit {
    let mark = |e: &mut shared::case::StatusEvent| {
        if e.recorded_by.is_empty() {
            e.recorded_by = ctx.device.to_hex();
            e.recorded_at_ms = ctx.now_ms;
        }
    };
    match edit {
        CaseEdit::AddStatusEvent(mut e) => {
            mark(&mut e);
            CaseEdit::AddStatusEvent(e)
        }
        CaseEdit::Replace(mut case) => {
            case.timeline.iter_mut().for_each(mark);
            CaseEdit::Replace(case)
        }
        other => other,
    }
}
