//! The documents every catch-up measurement uses: synthetic cases from the
//! seeded generator, each as one Automerge document whose first change is
//! what a device uploads. The same seed gives the same cases and doc ids, so
//! a run can be repeated; growing N keeps the first documents.

use std::sync::mpsc;

use anyhow::{Context, Result, anyhow};
use rand::SeedableRng;
use rand::rngs::StdRng;
use shared::case_doc::{CaseDoc, CaseEdit, EditContext};
use shared::ids::{DeviceId, DocId};
use shared::partial_date::Date;
use shared::synthetic::generate;

/// A document's id and the bytes of its first change.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: DocId,
    pub change: Vec<u8>,
}

/// Makes the documents `from..to` of the corpus with seed `seed`, on
/// `jobs` threads, authored by `ctx.device`. Cases `0..to` are generated in
/// order on every thread (generating is cheap; making an Automerge document
/// is not), so the result does not depend on `jobs`.
pub fn make(seed: u64, from: usize, to: usize, ctx: EditContext, jobs: usize) -> Result<Vec<Doc>> {
    let jobs = jobs.max(1);
    let ids = doc_ids(seed, to);
    let (tx, rx) = mpsc::channel::<Result<(usize, Vec<u8>)>>();
    std::thread::scope(|scope| {
        for job in 0..jobs {
            let tx = tx.clone();
            scope.spawn(move || {
                let cases = generate(seed, to, ctx.today)
                    .enumerate()
                    .skip(from)
                    .filter(|(i, _)| i % jobs == job);
                for (i, case) in cases {
                    let made = CaseDoc::create(case, &ctx)
                        .map(|(_, change)| (i, change))
                        .map_err(|e| anyhow!("synthetic case {i} (seed {seed}): {e}"));
                    let failed = made.is_err();
                    if tx.send(made).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut changes: Vec<Option<Vec<u8>>> = vec![None; to - from];
        for made in rx {
            let (i, change) = made?;
            changes[i - from] = Some(change);
        }
        changes
            .into_iter()
            .zip(&ids[from..])
            .map(|(change, id)| {
                Ok(Doc {
                    id: *id,
                    change: change.context("a case generator thread stopped early")?,
                })
            })
            .collect()
    })
}

/// The doc ids of the first `n` documents (seeded, so reproducible).
fn doc_ids(seed: u64, n: usize) -> Vec<DocId> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x486f_6d65_7761_7264);
    (0..n).map(|_| DocId::random(&mut rng)).collect()
}

/// The edit each changed document gets "elsewhere": a documenter updates
/// the case's notes (a short sentence, different in every round so each
/// round is a real change).
pub fn edit(doc: &[u8], device: &DeviceId, round: usize, ctx: &EditContext) -> Result<Vec<u8>> {
    let mut case_doc =
        CaseDoc::load(doc, device).map_err(|e| anyhow!("loading a document to edit: {e}"))?;
    let note = format!(
        "Раунд {round}: родина повідомила про новий лист; адвокат подав запит про місце утримання."
    );
    case_doc
        .apply(CaseEdit::SetNotes(note), ctx)
        .map_err(|e| anyhow!("editing a document: {e}"))?
        .context("the edit changed nothing")
}

/// Today's date for `now_ms`.
pub fn today(now_ms: i64) -> Date {
    Date::from_unix_ms(now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_documents_whatever_the_jobs() {
        let ctx = EditContext {
            device: DeviceId([7; 32]),
            now_ms: 1_790_000_000_000,
            today: today(1_790_000_000_000),
        };
        let one = make(3, 0, 6, ctx, 1).unwrap();
        let two = make(3, 0, 6, ctx, 2).unwrap();
        let tail = make(3, 4, 6, ctx, 2).unwrap();
        assert_eq!(one.len(), 6);
        for (a, b) in one.iter().zip(&two) {
            assert_eq!((a.id, &a.change), (b.id, &b.change));
        }
        assert_eq!((tail[0].id, &tail[0].change), (one[4].id, &one[4].change));
        let other = make(4, 0, 1, ctx, 1).unwrap();
        assert_ne!(other[0].id, one[0].id);

        let changed = edit(&one[0].change, &DeviceId([9; 32]), 1, &ctx).unwrap();
        assert!(!changed.is_empty());
        let again = edit(&one[0].change, &DeviceId([9; 32]), 2, &ctx).unwrap();
        assert_ne!(changed, again);
    }
}
