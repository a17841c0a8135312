//! One case as one Automerge document.
//!
//! Layout of the document root:
//! - `schema`: the `CASE_SCHEMA_VERSION` the document was last written with;
//! - `case`: a map with one key per scalar field of [`Case`].
//!
//! Every change is made under the device's actor id and stamped with the
//! time the caller passes in, so change history can say who and when.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ChangeHash, ROOT, ReadDoc, ScalarValue, Value};
use autosurgeon::{hydrate_prop, reconcile_prop};

use crate::case::{CASE_SCHEMA_VERSION, Case, CaseError};
use crate::ids::DeviceId;

const SCHEMA_KEY: &str = "schema";
const CASE_KEY: &str = "case";

#[derive(Debug, thiserror::Error)]
pub enum CaseDocError {
    #[error("the case is not valid: {0}")]
    Invalid(#[from] CaseError),
    #[error(
        "this case was written by a newer version of Homeward (schema {found}, this app knows {supported}); update the app to open it"
    )]
    SchemaTooNew { found: u64, supported: u64 },
    #[error("the document holds no case yet (its first change has not arrived)")]
    Incomplete,
    #[error("the stored case document is damaged: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("the case document does not have the expected shape: {0}")]
    Shape(#[from] autosurgeon::HydrateError),
    #[error("could not write the case into its document: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
}

#[derive(Debug)]
pub struct CaseDoc {
    doc: AutoCommit,
}

fn actor_for(device: &DeviceId) -> ActorId {
    ActorId::from(device.as_bytes().as_slice())
}

fn commit_options(now_ms: i64) -> CommitOptions {
    CommitOptions::default().with_time(now_ms / 1000)
}

impl CaseDoc {
    /// A new document holding `case`, and the bytes of its first change
    /// (what goes to the outbox).
    pub fn create(
        device: &DeviceId,
        case: Case,
        now_ms: i64,
    ) -> Result<(CaseDoc, Vec<u8>), CaseDocError> {
        let case = case.validated()?;
        let mut doc = AutoCommit::new().with_actor(actor_for(device));
        doc.put(ROOT, SCHEMA_KEY, CASE_SCHEMA_VERSION)?;
        reconcile_prop(&mut doc, ROOT, CASE_KEY, &case)?;
        doc.commit_with(commit_options(now_ms));
        let changes = doc.save_after(&[]);
        Ok((CaseDoc { doc }, changes))
    }

    /// A document known only by id so far; remote changes are merged into it.
    pub fn empty(device: &DeviceId) -> CaseDoc {
        CaseDoc {
            doc: AutoCommit::new().with_actor(actor_for(device)),
        }
    }

    /// Loads a document saved by [`CaseDoc::save`], migrating older schemas.
    pub fn load(bytes: &[u8], device: &DeviceId) -> Result<CaseDoc, CaseDocError> {
        let doc = AutoCommit::load(bytes)?.with_actor(actor_for(device));
        let mut case_doc = CaseDoc { doc };
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

    /// The migration hook: every schema change adds a step here. Version 1 is
    /// the first, so there is nothing to migrate yet, only newer documents to
    /// refuse.
    fn migrate(&mut self) -> Result<(), CaseDocError> {
        match self.schema_version()? {
            Some(found) if found > CASE_SCHEMA_VERSION => Err(CaseDocError::SchemaTooNew {
                found,
                supported: CASE_SCHEMA_VERSION,
            }),
            _ => Ok(()),
        }
    }

    /// Merges changes that arrived from the relay (idempotent, any order of
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

    /// Writes `case` over the current one, touching only the fields that
    /// differ. Returns the bytes of the new change, or `None` when nothing
    /// changed.
    pub fn update(&mut self, case: Case, now_ms: i64) -> Result<Option<Vec<u8>>, CaseDocError> {
        let case = case.validated()?;
        let before = self.heads();
        reconcile_prop(&mut self.doc, ROOT, CASE_KEY, &case)?;
        if self.schema_version()? != Some(CASE_SCHEMA_VERSION) {
            self.doc.put(ROOT, SCHEMA_KEY, CASE_SCHEMA_VERSION)?;
        }
        self.doc.commit_with(commit_options(now_ms));
        let after = self.heads();
        if after == before {
            return Ok(None);
        }
        Ok(Some(self.doc.save_after(&before)))
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The whole document, compacted, for local storage.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Category, Status};

    const A: DeviceId = DeviceId([1; 32]);
    const B: DeviceId = DeviceId([2; 32]);

    fn case() -> Case {
        Case {
            surname: "Шевчук".into(),
            given_names: "Марія".into(),
            patronymic: "Іванівна".into(),
            category: Category::PoliticalPrisoner,
            status: Status::Sentenced,
        }
    }

    #[test]
    fn a_case_survives_save_and_load() {
        let (mut doc, _) = CaseDoc::create(&A, case(), 1_700_000_000_000).unwrap();
        let loaded = CaseDoc::load(&doc.save(), &A).unwrap();
        assert_eq!(loaded.case().unwrap(), case());
    }

    #[test]
    fn changes_travel_to_another_device_in_any_duplication() {
        let (mut a, first) = CaseDoc::create(&A, case(), 1).unwrap();
        let mut edited = case();
        edited.status = Status::Exchanged;
        let second = a.update(edited.clone(), 2).unwrap().expect("a change");

        let mut b = CaseDoc::empty(&B);
        assert!(matches!(b.case(), Err(CaseDocError::Incomplete)));
        for body in [&first, &second, &first, &second] {
            b.merge(body).unwrap();
        }
        assert_eq!(b.case().unwrap(), edited);
        assert_eq!(a.heads(), b.heads());
    }

    #[test]
    fn an_unchanged_update_makes_no_change() {
        let (mut a, _) = CaseDoc::create(&A, case(), 1).unwrap();
        assert_eq!(a.update(case(), 2).unwrap(), None);
    }

    #[test]
    fn an_invalid_update_leaves_the_document_untouched() {
        let (mut a, _) = CaseDoc::create(&A, case(), 1).unwrap();
        let heads = a.heads();
        let mut bad = case();
        bad.surname = " ".into();
        assert!(matches!(
            a.update(bad, 2),
            Err(CaseDocError::Invalid(CaseError::SurnameMissing))
        ));
        assert_eq!(a.heads(), heads);
    }

    #[test]
    fn a_newer_schema_is_refused_with_a_clear_error() {
        let (mut a, _) = CaseDoc::create(&A, case(), 1).unwrap();
        a.doc
            .put(ROOT, SCHEMA_KEY, CASE_SCHEMA_VERSION + 1)
            .unwrap();
        let err = CaseDoc::load(&a.save(), &B).unwrap_err();
        assert!(
            err.to_string().contains("newer version of Homeward"),
            "{err}"
        );
    }
}
