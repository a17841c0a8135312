//! The case record: one person deprived of liberty, as documented.
//!
//! This is the first slice of DESIGN §2 (identity core, category, current
//! status); the later model grows here, behind the same Automerge mapping in
//! `case_doc` and the same `CASE_SCHEMA_VERSION` migration hook.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// Written into every case document; `case_doc` migrates older documents
/// when it loads them.
pub const CASE_SCHEMA_VERSION: u64 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Case {
    /// Exactly as entered, in whatever script the documenter typed.
    pub surname: String,
    pub given_names: String,
    /// Patronymic, or the father's first name where no patronymic is used.
    pub patronymic: String,
    pub category: Category,
    pub status: Status,
}

impl Case {
    /// The name as a documenter reads it aloud: surname, given names, patronymic.
    pub fn display_name(&self) -> String {
        [&self.surname, &self.given_names, &self.patronymic]
            .into_iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Why the person is documented. Stored as its stable snake_case key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    CivilianDetainee,
    PrisonerOfWar,
    PoliticalPrisoner,
    DeportedChild,
    Missing,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::CivilianDetainee,
        Category::PrisonerOfWar,
        Category::PoliticalPrisoner,
        Category::DeportedChild,
        Category::Missing,
    ];

    /// A stable key for forms and translation tables.
    pub fn as_key(self) -> &'static str {
        match self {
            Category::CivilianDetainee => "civilian_detainee",
            Category::PrisonerOfWar => "prisoner_of_war",
            Category::PoliticalPrisoner => "political_prisoner",
            Category::DeportedChild => "deported_child",
            Category::Missing => "missing",
        }
    }

    pub fn from_key(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_key() == key)
    }
}

/// The latest known status of the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Missing,
    DetainedUnacknowledged,
    DetainedAcknowledged,
    Charged,
    Sentenced,
    Released,
    Exchanged,
    ReturnedHome,
    Deceased,
    Escaped,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Missing,
        Status::DetainedUnacknowledged,
        Status::DetainedAcknowledged,
        Status::Charged,
        Status::Sentenced,
        Status::Released,
        Status::Exchanged,
        Status::ReturnedHome,
        Status::Deceased,
        Status::Escaped,
    ];

    pub fn as_key(self) -> &'static str {
        match self {
            Status::Missing => "missing",
            Status::DetainedUnacknowledged => "detained_unacknowledged",
            Status::DetainedAcknowledged => "detained_acknowledged",
            Status::Charged => "charged",
            Status::Sentenced => "sentenced",
            Status::Released => "released",
            Status::Exchanged => "exchanged",
            Status::ReturnedHome => "returned_home",
            Status::Deceased => "deceased",
            Status::Escaped => "escaped",
        }
    }

    pub fn from_key(key: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_key() == key)
    }
}

/// Enumerations are stored in documents as their stable string keys, not as
/// Rust variant names, so renaming a variant never changes stored data.
macro_rules! keyed_enum_in_automerge {
    ($ty:ident, $what:literal) => {
        impl Reconcile for $ty {
            type Key<'a> = autosurgeon::reconcile::NoKey;

            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.as_key())
            }
        }

        impl Hydrate for $ty {
            fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                $ty::from_key(s)
                    .ok_or_else(|| autosurgeon::HydrateError::unexpected($what, s.to_owned()))
            }
        }
    };
}

keyed_enum_in_automerge!(Category, "a category key");
keyed_enum_in_automerge!(Status, "a status key");

/// A case that failed validation. Each variant names the field it concerns,
/// so a form can show the message next to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("surname is required")]
    SurnameMissing,
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
}

impl CaseError {
    /// The field a form should highlight.
    pub fn field(&self) -> &'static str {
        match self {
            CaseError::SurnameMissing => "surname",
            CaseError::TooLong { field, .. } => field,
        }
    }
}

const MAX_NAME_CHARS: usize = 200;

impl Case {
    /// Checks a case before it is written; trims names as a side effect so
    /// stored values never carry stray whitespace from a phone keyboard.
    pub fn validated(mut self) -> Result<Case, CaseError> {
        for (field, value) in [
            ("surname", &mut self.surname),
            ("given_names", &mut self.given_names),
            ("patronymic", &mut self.patronymic),
        ] {
            *value = value.trim().to_owned();
            if value.chars().count() > MAX_NAME_CHARS {
                return Err(CaseError::TooLong {
                    field,
                    max: MAX_NAME_CHARS,
                });
            }
        }
        if self.surname.is_empty() {
            return Err(CaseError::SurnameMissing);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Case {
        Case {
            surname: "  Коваленко ".into(),
            given_names: "Олександр".into(),
            patronymic: "".into(),
            category: Category::CivilianDetainee,
            status: Status::DetainedUnacknowledged,
        }
    }

    #[test]
    fn validation_trims_and_requires_a_surname() {
        let ok = sample().validated().unwrap();
        assert_eq!(ok.surname, "Коваленко");
        assert_eq!(ok.display_name(), "Коваленко Олександр");

        let mut blank = sample();
        blank.surname = "   ".into();
        let err = blank.validated().unwrap_err();
        assert_eq!(err, CaseError::SurnameMissing);
        assert_eq!(err.field(), "surname");
    }

    #[test]
    fn keys_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_key(c.as_key()), Some(c));
        }
        for s in Status::ALL {
            assert_eq!(Status::from_key(s.as_key()), Some(s));
        }
    }
}
