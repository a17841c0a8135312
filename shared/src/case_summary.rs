//! What the case list, search and filters need, derived from a case, so the
//! list never has to load every document (a loaded Automerge document costs
//! far more memory than its summary).

use serde::{Deserialize, Serialize};

use crate::case::{Case, Category, ReviewState, Status};
use crate::ids::DocId;
use crate::names::{NameKeys, NameQuery, rank};
use crate::partial_date::Date;
use crate::priority::{Priority, PriorityFacts, priority_of};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub doc_id: DocId,
    pub surname: String,
    pub given_names: String,
    pub patronymic: String,
    pub category: Category,
    /// The latest status in the timeline; `None` when none is recorded.
    pub status: Option<Status>,
    pub oblast: String,
    pub review: ReviewState,
    /// Fields holding concurrent values that a person has to settle.
    pub conflicts: u16,
    /// Cross-script search keys of every name of the person.
    pub name_keys: NameKeys,
    /// What the priority rules read, so the list ranks without documents.
    pub priority_facts: PriorityFacts,
    /// When this device last wrote the summary (a local edit or a merge), in
    /// milliseconds since the Unix epoch.
    pub updated_ms: i64,
}

impl CaseSummary {
    pub fn of(doc_id: DocId, case: &Case, conflicts: usize, updated_ms: i64) -> CaseSummary {
        let id = &case.identity;
        let aliases: Vec<&str> = id.aliases.iter().map(|a| a.name.as_str()).collect();
        CaseSummary {
            doc_id,
            surname: id.surname.clone(),
            given_names: id.given_names.clone(),
            patronymic: id.patronymic.clone(),
            category: case.category,
            status: case.current_status(),
            oblast: id.residence_oblast.clone(),
            review: case.review,
            conflicts: u16::try_from(conflicts).unwrap_or(u16::MAX),
            name_keys: NameKeys::new(&id.surname, &id.given_names, &id.patronymic, &aliases),
            priority_facts: PriorityFacts::of(case),
            updated_ms,
        }
    }

    /// The case's priority on `today` (the same as `priority(case, today)`).
    pub fn priority(&self, today: Date) -> Priority {
        priority_of(&self.priority_facts, today)
    }

    pub fn display_name(&self) -> String {
        crate::case::display_name(&self.surname, &self.given_names, &self.patronymic)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising owned strings and fixed-size fields cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<CaseSummary, postcard::Error> {
        postcard::from_bytes(bytes)
    }
}

/// The summaries whose names match `query` in any script or common
/// spelling, best first (at most `limit`). A blank query matches nothing.
pub fn search<'a>(
    summaries: &'a [CaseSummary],
    query: &str,
    limit: usize,
) -> Vec<(&'a CaseSummary, u32)> {
    let query = NameQuery::parse(query);
    if query.is_empty() {
        return Vec::new();
    }
    rank(&query, summaries.iter().map(|s| (s, &s.name_keys)), limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Capture, DetentionEpisode, Flag, HealthFlag, Sex, Whereabouts};
    use crate::priority::priority;

    #[test]
    fn a_summary_ranks_and_finds_like_its_case_and_survives_storage() {
        let mut case = Case::minimal(
            "Коваленко",
            "Олександр",
            "Петрович",
            Category::CivilianDetainee,
        );
        case.identity.sex = Sex::Male;
        case.identity.birth_date = Some("1958".parse().unwrap());
        case.health.serious_illness = HealthFlag {
            flag: Flag::Yes,
            ..Default::default()
        };
        case.detention.push(DetentionEpisode {
            id: "e".into(),
            seized_on: Some("2022-03".parse().unwrap()),
            capture: Capture::Denied,
            whereabouts: Whereabouts::Undisclosed,
            ..Default::default()
        });
        let summary = CaseSummary::of(DocId([3; 16]), &case, 0, 1);
        for today in ["2023-01-01", "2026-11-29", "2031-06-30"] {
            let today = date(today);
            assert_eq!(summary.priority(today), priority(&case, today));
        }
        let stored = CaseSummary::from_bytes(&summary.to_bytes()).unwrap();
        assert_eq!(stored, summary);
        let query = crate::names::NameQuery::parse("Oleksandr Kovalenko");
        assert!(query.score(&stored.name_keys).is_some());
        assert!(
            summary.to_bytes().len() < 400,
            "{} bytes",
            summary.to_bytes().len()
        );
    }

    #[test]
    fn search_finds_people_across_scripts_best_first() {
        let people = [
            ("Коваленко", "Олександр", "Петрович"),
            ("Коваленко", "Александр", ""),
            ("Коваленко", "Оксана", "Іванівна"),
            ("Шевчук", "Наталія", ""),
        ];
        let summaries: Vec<CaseSummary> = people
            .iter()
            .enumerate()
            .map(|(i, (s, g, p))| {
                let case = Case::minimal(s, g, p, Category::CivilianDetainee);
                CaseSummary::of(DocId([i as u8; 16]), &case, 0, 0)
            })
            .collect();
        let names = |query: &str| -> Vec<String> {
            search(&summaries, query, 10)
                .into_iter()
                .map(|(s, _)| s.display_name())
                .collect()
        };
        assert_eq!(
            names("Oleksandr Kovalenko"),
            ["Коваленко Олександр Петрович", "Коваленко Александр"]
        );
        assert_eq!(names("Natalya"), ["Шевчук Наталія"]);
        let typo = names("Kovalneko");
        assert_eq!(typo.len(), 3, "{typo:?}");
        assert!(names("   ").is_empty());
    }

    fn date(s: &str) -> Date {
        s.parse::<crate::partial_date::PartialDate>()
            .unwrap()
            .earliest()
    }
}
