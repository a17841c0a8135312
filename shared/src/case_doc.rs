//! One case as one Automerge document.
//!
//! Layout of the document root:
//! - `schema`: the `CASE_SCHEMA_VERSION` the document was last written with;
//! - `case`: the [`Case`] as autosurgeon maps it (structs are maps, list
//!   items carry an `id`, notes are text).
//!
//! Edits go through [`CaseDoc::apply`]: the edit is applied to the hydrated
//! case, validated, and only the fields that changed are written
//! (`doc_writer`), so a concurrent edit of one field stays a visible
//! conflict until [`CaseDoc::resolve_conflict`] settles it. Every change is
//! made under the device's actor id and stamped with the time the caller
//! passes in, which is what [`CaseDoc::history`] reports.

use std::collections::BTreeSet;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, PatchAction, Prop, ROOT, ReadDoc, ScalarValue,
    Value,
};
use autosurgeon::{hydrate_prop, reconcile_prop};
use serde::{Deserialize, Serialize};

use crate::case::{
    CASE_SCHEMA_VERSION, Case, Category, DetentionEpisode, FamilyContact, Intervention,
    ReviewState, Source, Status, StatusEvent,
};
use crate::case_validation::{ValidationErrors, check_timeline_appended, validate};
use crate::doc_writer::write_changes;
use crate::ids::DeviceId;
use crate::partial_date::Date;

const SCHEMA_KEY: &str = "schema";
const CASE_KEY: &str = "case";

#[derive(Debug, thiserror::Error)]
pub enum CaseDocError {
    #[error("the case is not valid: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error(
        "this case was written by a newer version of Homeward (schema {found}, this app knows {supported}); update the app to open it"
    )]
    SchemaTooNew { found: u64, supported: u64 },
    #[error("the document holds no case yet (its first change has not arrived)")]
    Incomplete,
    #[error("no conflict at {field} any more (another device may have resolved it)")]
    NoSuchConflict { field: String },
    #[error("the stored case document is damaged: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("the case document does not have the expected shape: {0}")]
    Shape(#[from] autosurgeon::HydrateError),
    #[error("could not write the case into its document: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
}

impl CaseDocError {
    /// A stable word for logs. Messages may quote field values (a date that
    /// did not parse, say), and case content never goes to a log.
    pub fn kind(&self) -> &'static str {
        match self {
            CaseDocError::Invalid(_) => "invalid",
            CaseDocError::SchemaTooNew { .. } => "schema_too_new",
            CaseDocError::Incomplete => "incomplete",
            CaseDocError::NoSuchConflict { .. } => "no_such_conflict",
            CaseDocError::Automerge(_) => "damaged",
            CaseDocError::Shape(_) => "unexpected_shape",
            CaseDocError::Reconcile(_) => "write_failed",
        }
    }
}

/// Who is editing and when; the shared crate reads no clock.
#[derive(Debug, Clone, Copy)]
pub struct EditContext {
    pub device: DeviceId,
    pub now_ms: i64,
    /// The documenter's local date, for "not in the future" checks.
    pub today: Date,
}

/// One edit a person makes. Every variant is validated before anything is
/// written; a rejected edit leaves the document untouched.
#[derive(Debug, Clone)]
pub enum CaseEdit {
    /// The case form's result: every field the form shows. The timeline
    /// must still hold every recorded event unchanged.
    Replace(Box<Case>),
    AddStatusEvent(StatusEvent),
    AddDetentionEpisode(DetentionEpisode),
    AddSource(Source),
    AddFamilyContact(FamilyContact),
    AddIntervention(Intervention),
    SetNotes(String),
    SetReview(ReviewState),
}

impl CaseEdit {
    fn apply_to(self, mut case: Case) -> Case {
        match self {
            CaseEdit::Replace(new) => return *new,
            CaseEdit::AddStatusEvent(e) => case.timeline.push(e),
            CaseEdit::AddDetentionEpisode(e) => case.detention.push(e),
            CaseEdit::AddSource(s) => case.sources.push(s),
            CaseEdit::AddFamilyContact(f) => case.family.push(f),
            CaseEdit::AddIntervention(i) => case.interventions.push(i),
            CaseEdit::SetNotes(n) => case.notes.0 = n,
            CaseEdit::SetReview(r) => case.review = r,
        }
        case
    }
}

/// Two or more values written concurrently to one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// Dotted path, list items by position: `identity.surname`,
    /// `detention.0.place_seized`.
    pub field: String,
    pub values: Vec<ConflictValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The value as text (`null` shown as empty).
    pub display: String,
    /// The device that wrote it, when its actor id is a device id.
    pub device: Option<DeviceId>,
}

/// One change in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub device: Option<DeviceId>,
    pub time_ms: i64,
    /// Dotted paths of the fields the change touched.
    pub fields: Vec<String>,
}

#[derive(Debug)]
pub struct CaseDoc {
    doc: AutoCommit,
    actor: ActorId,
}

fn actor_for(device: &DeviceId) -> ActorId {
    ActorId::from(device.as_bytes().as_slice())
}

fn device_of(actor: &ActorId) -> Option<DeviceId> {
    <[u8; 32]>::try_from(actor.to_bytes()).ok().map(DeviceId)
}

fn commit_options(now_ms: i64) -> CommitOptions {
    CommitOptions::default().with_time(now_ms / 1000)
}

/// The hydrate tree autosurgeon makes of `case`, via a scratch document.
fn tree_of(case: &Case) -> Result<automerge::hydrate::Value, CaseDocError> {
    let mut scratch = AutoCommit::new();
    reconcile_prop(&mut scratch, ROOT, CASE_KEY, case)?;
    let (_, id) = scratch
        .get(ROOT, CASE_KEY)?
        .ok_or(CaseDocError::Incomplete)?;
    Ok(scratch.hydrate(&id, None)?)
}

fn scalar_display(s: &ScalarValue) -> String {
    match s {
        ScalarValue::Str(s) => s.to_string(),
        ScalarValue::Null => String::new(),
        other => other.to_string(),
    }
}

impl CaseDoc {
    /// A new document holding `case`, and the bytes of its first change
    /// (what goes to the outbox).
    pub fn create(case: Case, ctx: &EditContext) -> Result<(CaseDoc, Vec<u8>), CaseDocError> {
        validate(&case, ctx.today)?;
        let actor = actor_for(&ctx.device);
        let mut doc = AutoCommit::new().with_actor(actor.clone());
        doc.put(ROOT, SCHEMA_KEY, CASE_SCHEMA_VERSION)?;
        reconcile_prop(&mut doc, ROOT, CASE_KEY, &case)?;
        doc.commit_with(commit_options(ctx.now_ms));
        let changes = doc.save_after(&[]);
        Ok((CaseDoc { doc, actor }, changes))
    }

    /// A document known only by id so far; remote changes are merged into it.
    pub fn empty(device: &DeviceId) -> CaseDoc {
        let actor = actor_for(device);
        CaseDoc {
            doc: AutoCommit::new().with_actor(actor.clone()),
            actor,
        }
    }

    /// Loads a document saved by [`CaseDoc::save`], migrating older schemas.
    pub fn load(bytes: &[u8], device: &DeviceId) -> Result<CaseDoc, CaseDocError> {
        let actor = actor_for(device);
        let doc = AutoCommit::load(bytes)?.with_actor(actor.clone());
        let mut case_doc = CaseDoc { doc, actor };
        case_doc.migrate()?;
        Ok(case_doc)
    }

    fn schema_version(&self) -> Result<Option<u64>, CaseDocError> {
        Ok(match self.doc.get(ROOT, SCHEMA_KEY)? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Uint(v) => Some(*v),
                ScalarValue::Int(v) => u64::try_from(*v).ok(),
                _ => None,
            },
            _ => None,
        })
    }

    /// The migration hook: one step per schema version.
    ///
    /// A migration is written under a fixed actor with a fixed time, so two
    /// devices that migrate the same document from the same heads make the
    /// *same* change (same hash), which Automerge then holds once.
    fn migrate(&mut self) -> Result<(), CaseDocError> {
        match self.schema_version()? {
            Some(found) if found > CASE_SCHEMA_VERSION => Err(CaseDocError::SchemaTooNew {
                found,
                supported: CASE_SCHEMA_VERSION,
            }),
            Some(1) => self.migrate_v1_to_v2(),
            _ => Ok(()),
        }
    }

    /// Version 1 (the first walking skeleton) kept names, category and the
    /// current status as flat keys of `case`. Version 2 nests identity and
    /// keeps status as a timeline.
    fn migrate_v1_to_v2(&mut self) -> Result<(), CaseDocError> {
        let Some((_, case_obj)) = self.doc.get(ROOT, CASE_KEY)? else {
            return Ok(());
        };
        let text = |doc: &AutoCommit, key: &str| -> Result<String, CaseDocError> {
            Ok(match doc.get(&case_obj, key)? {
                Some((Value::Scalar(s), _)) => s.as_str().unwrap_or_default().to_owned(),
                _ => String::new(),
            })
        };
        let surname = text(&self.doc, "surname")?;
        let given = text(&self.doc, "given_names")?;
        let patronymic = text(&self.doc, "patronymic")?;
        let category = Category::from_key(&text(&self.doc, "category")?).unwrap_or_default();
        let mut case = Case::minimal(&surname, &given, &patronymic, category);
        if let Some(status) = Status::from_key(&text(&self.doc, "status")?) {
            case.timeline.push(StatusEvent {
                id: "migrated-v1".into(),
                status,
                ..StatusEvent::default()
            });
        }
        let migration_actor = ActorId::from(b"homeward-migration-v2".as_slice());
        self.doc.set_actor(migration_actor);
        let result = (|| -> Result<(), CaseDocError> {
            for key in ["surname", "given_names", "patronymic", "status"] {
                self.doc.delete(&case_obj, key)?;
            }
            write_changes(
                &mut self.doc,
                &ROOT,
                Prop::Map(CASE_KEY.into()),
                &tree_of(&case)?,
            )?;
            self.doc.put(ROOT, SCHEMA_KEY, 2u64)?;
            Ok(())
        })();
        self.doc.commit_with(CommitOptions::default().with_time(0));
        self.doc.set_actor(self.actor.clone());
        result
    }

    /// Merges changes that arrived from the relay (idempotent; any order of
    /// whole entries that respects the log).
    pub fn merge(&mut self, changes: &[u8]) -> Result<(), CaseDocError> {
        self.doc.load_incremental(changes)?;
        self.migrate()
    }

    pub fn case(&self) -> Result<Case, CaseDocError> {
        if self.doc.get(ROOT, CASE_KEY)?.is_none() {
            return Err(CaseDocError::Incomplete);
        }
        Ok(hydrate_prop(&self.doc, ROOT, CASE_KEY)?)
    }

    /// Applies one edit. Returns the bytes of the new change, or `None` when
    /// the edit changed nothing. A rejected edit leaves the document as it
    /// was.
    pub fn apply(
        &mut self,
        edit: CaseEdit,
        ctx: &EditContext,
    ) -> Result<Option<Vec<u8>>, CaseDocError> {
        let before_case = self.case()?;
        let after_case = edit.apply_to(before_case.clone());
        check_timeline_appended(&before_case, &after_case)?;
        validate(&after_case, ctx.today)?;
        let tree = tree_of(&after_case)?;
        let before = self.heads();
        let written = write_changes(&mut self.doc, &ROOT, Prop::Map(CASE_KEY.into()), &tree);
        self.finish(written, before, ctx.now_ms)
    }

    fn finish(
        &mut self,
        written: Result<(), automerge::AutomergeError>,
        before: Vec<ChangeHash>,
        now_ms: i64,
    ) -> Result<Option<Vec<u8>>, CaseDocError> {
        if let Err(err) = written {
            // Nothing half-written may survive: drop the pending operations.
            self.doc.rollback();
            return Err(err.into());
        }
        if self.doc.pending_ops() == 0 {
            return Ok(None);
        }
        self.doc.commit_with(commit_options(now_ms));
        Ok(Some(self.doc.save_after(&before)))
    }

    /// Every field that holds concurrent values, in document order.
    pub fn conflicts(&self) -> Result<Vec<FieldConflict>, CaseDocError> {
        let mut out = Vec::new();
        if let Some((_, case_obj)) = self.doc.get(ROOT, CASE_KEY)? {
            self.collect_conflicts(&case_obj, String::new(), &mut out)?;
        }
        Ok(out)
    }

    fn collect_conflicts(
        &self,
        obj: &ObjId,
        prefix: String,
        out: &mut Vec<FieldConflict>,
    ) -> Result<(), CaseDocError> {
        let props: Vec<Prop> = match self.doc.object_type(obj)? {
            ObjType::Map | ObjType::Table => self.doc.keys(obj).map(Prop::Map).collect(),
            ObjType::List => (0..self.doc.length(obj)).map(Prop::Seq).collect(),
            ObjType::Text => return Ok(()),
        };
        for prop in props {
            let name = match &prop {
                Prop::Map(k) => k.clone(),
                Prop::Seq(i) => i.to_string(),
            };
            let field = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}.{name}")
            };
            let all = self.doc.get_all(obj, prop.clone())?;
            // Two devices typing the same value concurrently agree: nothing
            // for a person to pick between.
            let disagree = all.windows(2).any(|pair| match (&pair[0].0, &pair[1].0) {
                (Value::Scalar(a), Value::Scalar(b)) => a != b,
                _ => true,
            });
            if all.len() > 1 && disagree {
                let values = all
                    .iter()
                    .map(|(value, id)| ConflictValue {
                        display: match value {
                            Value::Scalar(s) => scalar_display(s),
                            Value::Object(_) => "…".into(),
                        },
                        device: match id {
                            automerge::ObjId::Id(_, actor, _) => device_of(actor),
                            automerge::ObjId::Root => None,
                        },
                    })
                    .collect();
                out.push(FieldConflict {
                    field: field.clone(),
                    values,
                });
            }
            if let Some((Value::Object(_), child)) = self.doc.get(obj, prop)? {
                self.collect_conflicts(&child, field, out)?;
            }
        }
        Ok(())
    }

    /// Settles a conflict by writing the value at `choice` (an index into
    /// [`FieldConflict::values`]) as a new value that supersedes them all.
    pub fn resolve_conflict(
        &mut self,
        field: &str,
        choice: usize,
        ctx: &EditContext,
    ) -> Result<Option<Vec<u8>>, CaseDocError> {
        let no_conflict = || CaseDocError::NoSuchConflict {
            field: field.to_owned(),
        };
        let (parent, prop) = self.locate(field)?.ok_or_else(no_conflict)?;
        let all = self.doc.get_all(&parent, prop.clone())?;
        if all.len() < 2 {
            return Err(no_conflict());
        }
        let chosen = match all.get(choice) {
            Some((Value::Scalar(s), _)) => s.clone().into_owned(),
            _ => return Err(no_conflict()),
        };
        let before = self.heads();
        let written = self.doc.put(&parent, prop, chosen);
        self.finish(written, before, ctx.now_ms)
    }

    /// The object holding `field` and the field's prop within it.
    fn locate(&self, field: &str) -> Result<Option<(ObjId, Prop)>, CaseDocError> {
        let Some((_, mut obj)) = self.doc.get(ROOT, CASE_KEY)? else {
            return Ok(None);
        };
        let parts: Vec<&str> = field.split('.').collect();
        let Some((last, path)) = parts.split_last() else {
            return Ok(None);
        };
        let prop_of = |doc: &AutoCommit, obj: &ObjId, part: &str| -> Option<Prop> {
            match doc.object_type(obj).ok()? {
                ObjType::List => part.parse().ok().map(Prop::Seq),
                _ => Some(Prop::Map(part.to_owned())),
            }
        };
        for part in path {
            let Some(prop) = prop_of(&self.doc, &obj, part) else {
                return Ok(None);
            };
            match self.doc.get(&obj, prop)? {
                Some((Value::Object(_), child)) => obj = child,
                _ => return Ok(None),
            }
        }
        Ok(prop_of(&self.doc, &obj, last).map(|p| (obj, p)))
    }

    /// Who changed which fields, and when, oldest first.
    pub fn history(&mut self) -> Result<Vec<HistoryEntry>, CaseDocError> {
        let changes: Vec<(ChangeHash, Vec<ChangeHash>, ActorId, i64)> = self
            .doc
            .get_changes(&[])
            .into_iter()
            .map(|c| {
                (
                    c.hash(),
                    c.deps().to_vec(),
                    c.actor_id().clone(),
                    c.timestamp(),
                )
            })
            .collect();
        let mut out = Vec::with_capacity(changes.len());
        for (hash, deps, actor, time) in changes {
            let mut fields = BTreeSet::new();
            for patch in self.doc.diff(&deps, &[hash]) {
                let mut path: Vec<String> = patch
                    .path
                    .iter()
                    .map(|(_, p)| match p {
                        Prop::Map(k) => k.clone(),
                        Prop::Seq(i) => i.to_string(),
                    })
                    .collect();
                match &patch.action {
                    PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
                        path.push(key.clone())
                    }
                    PatchAction::PutSeq { index, .. }
                    | PatchAction::Insert { index, .. }
                    | PatchAction::DeleteSeq { index, .. } => path.push(index.to_string()),
                    _ => {}
                }
                if path.first().map(String::as_str) == Some(CASE_KEY) {
                    path.remove(0);
                }
                if path.is_empty() || path[0] == SCHEMA_KEY {
                    continue;
                }
                fields.insert(path.join("."));
            }
            out.push(HistoryEntry {
                device: device_of(&actor),
                time_ms: time * 1000,
                fields: fields.into_iter().collect(),
            });
        }
        Ok(out)
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The whole document, compacted, for local storage.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Changes made since `heads` (for the outbox after several edits).
    pub fn save_after(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        self.doc.save_after(heads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Capture, Sex, Whereabouts};
    use crate::case_validation::ValidationCode;
    use crate::partial_date::PartialDate;

    const A: DeviceId = DeviceId([1; 32]);
    const B: DeviceId = DeviceId([2; 32]);

    fn today() -> Date {
        Date::new(2026, 11, 29).unwrap()
    }

    fn ctx(device: DeviceId, now_ms: i64) -> EditContext {
        EditContext {
            device,
            now_ms,
            today: today(),
        }
    }

    fn case() -> Case {
        let mut case = Case::minimal("Шевчук", "Марія", "Іванівна", Category::PoliticalPrisoner);
        case.identity.sex = Sex::Female;
        case.identity.birth_date = Some("1961-04".parse().unwrap());
        case.detention.push(DetentionEpisode {
            id: "ep1".into(),
            seized_on: Some("2019-03-02".parse().unwrap()),
            place_seized: "Сімферополь".into(),
            capture: Capture::Acknowledged,
            whereabouts: Whereabouts::Disclosed,
            ..DetentionEpisode::default()
        });
        case.timeline.push(StatusEvent {
            id: "ev1".into(),
            date: Some("2019-03-02".parse().unwrap()),
            status: Status::DetainedAcknowledged,
            ..StatusEvent::default()
        });
        case
    }

    /// Two devices holding the same case, each with its own edit merged in
    /// by the other.
    fn concurrent(
        edit_a: impl FnOnce(&mut Case),
        edit_b: impl FnOnce(&mut Case),
    ) -> (CaseDoc, CaseDoc) {
        let (mut a, first) = CaseDoc::create(case(), &ctx(A, 1_000)).unwrap();
        let mut b = CaseDoc::empty(&B);
        b.merge(&first).unwrap();
        let mut ca = a.case().unwrap();
        edit_a(&mut ca);
        let from_a = a
            .apply(CaseEdit::Replace(Box::new(ca)), &ctx(A, 2_000))
            .unwrap()
            .unwrap();
        let mut cb = b.case().unwrap();
        edit_b(&mut cb);
        let from_b = b
            .apply(CaseEdit::Replace(Box::new(cb)), &ctx(B, 3_000))
            .unwrap()
            .unwrap();
        a.merge(&from_b).unwrap();
        b.merge(&from_a).unwrap();
        (a, b)
    }

    #[test]
    fn a_case_survives_save_and_load() {
        let (mut doc, _) = CaseDoc::create(case(), &ctx(A, 1)).unwrap();
        let loaded = CaseDoc::load(&doc.save(), &A).unwrap();
        assert_eq!(loaded.case().unwrap(), case());
    }

    #[test]
    fn changes_travel_to_another_device_in_any_duplication() {
        let (mut a, first) = CaseDoc::create(case(), &ctx(A, 1)).unwrap();
        let second = a
            .apply(CaseEdit::SetNotes("Бачили у СІЗО".into()), &ctx(A, 2))
            .unwrap()
            .expect("a change");
        let mut b = CaseDoc::empty(&B);
        assert!(matches!(b.case(), Err(CaseDocError::Incomplete)));
        for body in [&first, &second, &first, &second] {
            b.merge(body).unwrap();
        }
        assert_eq!(b.case().unwrap(), a.case().unwrap());
        assert_eq!(a.heads(), b.heads());
    }

    #[test]
    fn an_unchanged_edit_makes_no_change() {
        let (mut a, _) = CaseDoc::create(case(), &ctx(A, 1)).unwrap();
        assert_eq!(
            a.apply(CaseEdit::Replace(Box::new(case())), &ctx(A, 2))
                .unwrap(),
            None
        );
    }

    #[test]
    fn an_invalid_edit_is_refused_with_field_codes_and_leaves_the_document_untouched() {
        let (mut a, _) = CaseDoc::create(case(), &ctx(A, 1)).unwrap();
        let heads = a.heads();
        let mut bad = case();
        bad.identity.surname = " ".into();
        bad.identity.birth_date = Some("2020".parse().unwrap());
        let Err(CaseDocError::Invalid(errors)) =
            a.apply(CaseEdit::Replace(Box::new(bad)), &ctx(A, 2))
        else {
            panic!("expected a validation error");
        };
        assert!(errors.has("identity.surname", ValidationCode::Required));
        assert!(errors.has("identity.birth_date", ValidationCode::BirthAfterDetention));
        assert_eq!(a.heads(), heads);
        assert_eq!(a.case().unwrap(), case());
    }

    #[test]
    fn the_timeline_is_append_only() {
        let (mut a, _) = CaseDoc::create(case(), &ctx(A, 1)).unwrap();
        let mut rewritten = case();
        rewritten.timeline[0].status = Status::Released;
        let err = a
            .apply(CaseEdit::Replace(Box::new(rewritten)), &ctx(A, 2))
            .unwrap_err();
        assert!(err.to_string().contains("add a new one instead"), "{err}");

        let added = StatusEvent {
            id: "ev2".into(),
            date: Some("2024-06".parse().unwrap()),
            status: Status::Sentenced,
            ..StatusEvent::default()
        };
        a.apply(CaseEdit::AddStatusEvent(added), &ctx(A, 3))
            .unwrap()
            .unwrap();
        assert_eq!(a.case().unwrap().current_status(), Some(Status::Sentenced));
    }

    #[test]
    fn concurrent_edits_of_one_field_stay_a_conflict_until_resolved() {
        let (mut a, mut b) = concurrent(
            |c| c.identity.surname = "Шевчук-Коваль".into(),
            |c| c.identity.surname = "Шевчуk".into(),
        );
        let conflicts = a.conflicts().unwrap();
        assert_eq!(conflicts, b.conflicts().unwrap());
        assert_eq!(conflicts.len(), 1);
        let conflict = &conflicts[0];
        assert_eq!(conflict.field, "identity.surname");
        let mut shown: Vec<_> = conflict.values.iter().map(|v| v.display.as_str()).collect();
        shown.sort();
        assert_eq!(shown, ["Шевчуk", "Шевчук-Коваль"]);
        let mut devices: Vec<_> = conflict.values.iter().map(|v| v.device).collect();
        devices.sort();
        assert_eq!(devices, [Some(A), Some(B)]);

        // Editing another field, even in the same map, keeps the conflict.
        let mut other = b.case().unwrap();
        other.identity.place_of_birth = "Херсон".into();
        let change = b
            .apply(CaseEdit::Replace(Box::new(other)), &ctx(B, 4_000))
            .unwrap()
            .unwrap();
        a.merge(&change).unwrap();
        assert_eq!(a.conflicts().unwrap().len(), 1);
        assert_eq!(b.conflicts().unwrap().len(), 1);

        // Resolving on B settles it on both, with B's pick.
        let pick = conflict
            .values
            .iter()
            .position(|v| v.display == "Шевчук-Коваль")
            .unwrap();
        let change = b
            .resolve_conflict("identity.surname", pick, &ctx(B, 5_000))
            .unwrap()
            .unwrap();
        a.merge(&change).unwrap();
        for doc in [&a, &b] {
            assert!(doc.conflicts().unwrap().is_empty());
            assert_eq!(doc.case().unwrap().identity.surname, "Шевчук-Коваль");
        }
        assert!(matches!(
            b.resolve_conflict("identity.surname", 0, &ctx(B, 6_000)),
            Err(CaseDocError::NoSuchConflict { .. })
        ));
    }

    #[test]
    fn concurrent_list_appends_and_note_typing_all_survive() {
        let (a, b) = concurrent(
            |c| {
                c.sources.push(Source {
                    id: "from-a".into(),
                    description: "Лист від сестри".into(),
                    ..Source::default()
                });
                c.notes.0 = "Перша нотатка.".into();
            },
            |c| {
                c.sources.push(Source {
                    id: "from-b".into(),
                    description: "Свідчення звільненого".into(),
                    ..Source::default()
                });
                c.notes.0 = "Друга.".into();
            },
        );
        for doc in [&a, &b] {
            let case = doc.case().unwrap();
            let mut ids: Vec<_> = case.sources.iter().map(|s| s.id.as_str()).collect();
            ids.sort();
            assert_eq!(ids, ["from-a", "from-b"]);
            assert!(case.notes.0.contains("Перша нотатка."), "{}", case.notes.0);
            assert!(case.notes.0.contains("Друга."), "{}", case.notes.0);
            assert!(doc.conflicts().unwrap().is_empty());
        }
        assert_eq!(a.case().unwrap(), b.case().unwrap());
    }

    #[test]
    fn history_names_device_time_and_fields() {
        let (mut a, b) = concurrent(
            |c| c.identity.birth_date = Some("1961-04-12".parse().unwrap()),
            |c| c.child.known_location = "Невідомо".into(),
        );
        drop(b);
        let history = a.history().unwrap();
        assert_eq!(history.len(), 3);
        assert_eq!(history[0].device, Some(A));
        assert!(
            history[0].fields.iter().any(|f| f == "identity"),
            "{:?}",
            history[0]
        );
        assert_eq!(history[1].time_ms, 2_000 / 1000 * 1000);
        let by_b = history.iter().find(|h| h.device == Some(B)).unwrap();
        assert_eq!(by_b.fields, ["child.known_location"]);
        let by_a = history
            .iter()
            .filter(|h| h.device == Some(A))
            .nth(1)
            .unwrap();
        assert_eq!(by_a.fields, ["identity.birth_date"]);
    }

    #[test]
    fn a_newer_schema_is_refused_with_a_clear_error() {
        let (mut a, _) = CaseDoc::create(case(), &ctx(A, 1)).unwrap();
        a.doc
            .put(ROOT, SCHEMA_KEY, CASE_SCHEMA_VERSION + 1)
            .unwrap();
        let err = CaseDoc::load(&a.save(), &B).unwrap_err();
        assert!(
            err.to_string().contains("newer version of Homeward"),
            "{err}"
        );
    }

    /// A document as the first walking skeleton wrote it.
    fn v1_document() -> Vec<u8> {
        let mut doc = AutoCommit::new().with_actor(actor_for(&A));
        doc.put(ROOT, SCHEMA_KEY, 1u64).unwrap();
        let case = doc.put_object(ROOT, CASE_KEY, ObjType::Map).unwrap();
        for (k, v) in [
            ("surname", "Мельник"),
            ("given_names", "Богдан"),
            ("patronymic", "Олегович"),
            ("category", "prisoner_of_war"),
            ("status", "detained_acknowledged"),
        ] {
            doc.put(&case, k, v).unwrap();
        }
        doc.commit();
        doc.save()
    }

    #[test]
    fn version_1_documents_are_migrated_identically_on_every_device() {
        let bytes = v1_document();
        let mut on_a = CaseDoc::load(&bytes, &A).unwrap();
        let mut on_b = CaseDoc::load(&bytes, &B).unwrap();
        let case = on_a.case().unwrap();
        assert_eq!(case.display_name(), "Мельник Богдан Олегович");
        assert_eq!(case.category, Category::PrisonerOfWar);
        assert_eq!(case.current_status(), Some(Status::DetainedAcknowledged));
        // Same migration change on both devices: merging adds nothing.
        assert_eq!(on_a.heads(), on_b.heads());
        let from_b = on_b.save();
        on_a.merge(&from_b).unwrap();
        assert_eq!(on_a.case().unwrap().timeline.len(), 1);
        assert!(on_a.conflicts().unwrap().is_empty());
        assert_eq!(on_a.schema_version().unwrap(), Some(CASE_SCHEMA_VERSION));
        // A partial date round-trips through the document.
        let mut edited = on_a.case().unwrap();
        edited.identity.birth_date = Some(PartialDate::month(1990, 7).unwrap());
        on_a.apply(CaseEdit::Replace(Box::new(edited.clone())), &ctx(A, 9_000))
            .unwrap();
        assert_eq!(on_a.case().unwrap(), edited);
    }
}
