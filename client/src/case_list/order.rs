//! What the list shows, in which order: pure functions over summaries so
//! the component's memos stay thin and the costs are easy to see. Positions
//! are `u32` indices into `AppState.summaries`; a list of 10⁵ cases is then
//! 400 kB per ordering instead of 10⁵ cloned summaries.

use shared::case_summary::{CaseSummary, search};
use shared::ids::DocId;
use shared::partial_date::Date;
use shared::priority::{Priority, Tier, compare};

use super::filters::{Filters, SortOrder};

/// A summary's priority on the list's day, with what tells whether it is
/// still current.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub doc_id: DocId,
    pub updated_ms: i64,
    /// Tier and score only: the reasons are for the detail page, and 10⁵
    /// small vectors would cost more than the whole ranking.
    pub priority: Priority,
}

/// The priority of every summary, in the summaries' order. A summary that
/// is at the same position with the same doc id and write time as in
/// `previous` keeps its ranking: an upsert replaces summaries in place and
/// appends new ones, so a merge of a few cases recomputes only those.
pub fn rank_all(all: &[CaseSummary], previous: Option<&Vec<Ranked>>, today: Date) -> Vec<Ranked> {
    all.iter()
        .enumerate()
        .map(|(i, s)| match previous.and_then(|p| p.get(i)) {
            Some(r) if r.doc_id == s.doc_id && r.updated_ms == s.updated_ms => r.clone(),
            _ => {
                let mut priority = s.priority(today);
                priority.reasons = Vec::new();
                Ranked {
                    doc_id: s.doc_id,
                    updated_ms: s.updated_ms,
                    priority,
                }
            }
        })
        .collect()
}

/// Every position, most urgent first (ties by doc id, as the release list
/// orders them) or most recently changed first.
pub fn order(ranked: &[Ranked], sort: SortOrder) -> Vec<u32> {
    let mut positions: Vec<u32> = (0..ranked.len()).map(to_u32).collect();
    let at = |i: u32| &ranked[i as usize];
    match sort {
        SortOrder::Priority => positions.sort_unstable_by(|&a, &b| {
            let (a, b) = (at(a), at(b));
            compare(&a.priority, &b.priority).then(a.doc_id.cmp(&b.doc_id))
        }),
        SortOrder::Updated => positions.sort_unstable_by(|&a, &b| {
            let (a, b) = (at(a), at(b));
            b.updated_ms
                .cmp(&a.updated_ms)
                .then(a.doc_id.cmp(&b.doc_id))
        }),
    }
    positions
}

/// The positions of the summaries whose names match `query`, best match
/// first; `None` for a blank query (no search: the whole list).
pub fn matches(all: &[CaseSummary], query: &str) -> Option<Vec<u32>> {
    if query.trim().is_empty() {
        return None;
    }
    let base = all.as_ptr().addr();
    let size = size_of::<CaseSummary>();
    // `search` hands back references into `all`; their address gives the
    // position without a doc id → position map of the whole list.
    Some(
        search(all, query, all.len())
            .into_iter()
            .map(|(s, _)| to_u32((std::ptr::from_ref(s).addr() - base) / size))
            .collect(),
    )
}

/// The `candidates` the filters keep, in the candidates' order.
pub fn select(
    candidates: &[u32],
    all: &[CaseSummary],
    ranked: &[Ranked],
    filters: &Filters,
) -> Vec<u32> {
    if filters.is_empty() {
        return candidates.to_vec();
    }
    candidates
        .iter()
        .copied()
        .filter(|&i| {
            let i = i as usize;
            match (all.get(i), ranked.get(i)) {
                (Some(s), Some(r)) => filters.accepts(s, r.priority.tier),
                _ => false,
            }
        })
        .collect()
}

/// The tier of the summary at `i` (standard when the ranking is behind).
pub fn tier_at(ranked: &[Ranked], i: usize) -> Tier {
    ranked.get(i).map_or(Tier::Standard, |r| r.priority.tier)
}

fn to_u32(i: usize) -> u32 {
    // A device holds far fewer than 4·10⁹ cases.
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::case::{Case, Category};

    fn summaries() -> Vec<CaseSummary> {
        let people = [
            ("Коваленко", "Олександр", 30),
            ("Шевчук", "Наталія", 10),
            ("Коваленко", "Оксана", 20),
        ];
        people
            .iter()
            .enumerate()
            .map(|(i, (s, g, t))| {
                let case = Case::minimal(s, g, "", Category::CivilianDetainee);
                CaseSummary::of(DocId([i as u8; 16]), &case, 0, *t)
            })
            .collect()
    }

    fn today() -> Date {
        Date::new(2026, 1, 1).unwrap()
    }

    #[test]
    fn search_positions_point_at_the_matching_summaries() {
        let all = summaries();
        let found = matches(&all, "Kovalenko").unwrap();
        let mut names: Vec<String> = found
            .iter()
            .map(|&i| all[i as usize].display_name())
            .collect();
        names.sort();
        assert_eq!(names, ["Коваленко Оксана", "Коваленко Олександр"]);
        assert!(matches(&all, "  ").is_none());
    }

    #[test]
    fn orders_by_last_change_and_by_priority_with_doc_id_ties() {
        let all = summaries();
        let ranked = rank_all(&all, None, today());
        assert_eq!(order(&ranked, SortOrder::Updated), [0, 2, 1]);
        let by_priority = order(&ranked, SortOrder::Priority);
        for pair in by_priority.windows(2) {
            let (a, b) = (&ranked[pair[0] as usize], &ranked[pair[1] as usize]);
            assert!(
                compare(&a.priority, &b.priority)
                    .then(a.doc_id.cmp(&b.doc_id))
                    .is_lt()
            );
        }
    }

    #[test]
    fn a_ranking_is_reused_only_for_the_same_write() {
        let mut all = summaries();
        let ranked = rank_all(&all, None, today());
        let mut stale = ranked.clone();
        stale[1].priority.score = 999_999;
        assert_eq!(
            rank_all(&all, Some(&stale), today())[1].priority.score,
            999_999
        );
        all[1].updated_ms += 1;
        assert_eq!(
            rank_all(&all, Some(&stale), today())[1].priority,
            ranked[1].priority
        );
    }

    #[test]
    fn filters_keep_the_candidates_order() {
        let mut all = summaries();
        all[2].conflicts = 2;
        let ranked = rank_all(&all, None, today());
        let filters = Filters {
            conflicts_only: true,
            ..Filters::default()
        };
        assert_eq!(select(&[2, 1, 0], &all, &ranked, &filters), [2]);
        assert_eq!(
            select(&[2, 1, 0], &all, &ranked, &Filters::default()),
            [2, 1, 0]
        );
    }
}
