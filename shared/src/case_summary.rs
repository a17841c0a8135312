//! What the case list needs to render one row, derived from a case, so the
//! list never has to load every document (a loaded Automerge document costs
//! far more memory than its summary).

use serde::{Deserialize, Serialize};

use crate::case::{Case, Category, Status};
use crate::ids::DocId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub doc_id: DocId,
    pub surname: String,
    pub given_names: String,
    pub patronymic: String,
    pub category: Category,
    pub status: Status,
    /// When this device last wrote the summary (a local edit or a merge), in
    /// milliseconds since the Unix epoch.
    pub updated_ms: i64,
}

impl CaseSummary {
    pub fn of(doc_id: DocId, case: &Case, updated_ms: i64) -> CaseSummary {
        CaseSummary {
            doc_id,
            surname: case.surname.clone(),
            given_names: case.given_names.clone(),
            patronymic: case.patronymic.clone(),
            category: case.category,
            status: case.status,
            updated_ms,
        }
    }

    pub fn display_name(&self) -> String {
        [&self.surname, &self.given_names, &self.patronymic]
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising owned strings and fixed-size fields cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<CaseSummary, postcard::Error> {
        postcard::from_bytes(bytes)
    }
}
