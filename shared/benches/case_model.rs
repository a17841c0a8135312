//! Benchmarks of the case model (DESIGN §7: bytes per case at rest and on
//! the wire, search time at 10⁵ cases), on synthetic cases
//! (`shared::synthetic`).
//!
//! ```text
//! cargo bench -p homeward-shared --bench case_model             # measure
//! cargo bench -p homeward-shared --bench case_model -- --test   # smoke: each once
//! cargo bench -p homeward-shared --bench case_model -- search   # one group
//! ```
//!
//! Groups:
//! - `bytes_per_case`: not timed, no Criterion bench; printed first (to
//!   stderr) on every run: over 1,000 generated cases, the size of the
//!   first change (what a new case puts on the wire), of the saved document
//!   (what a device stores; `save()` compresses, so it is smaller) and of
//!   the postcard case summary.
//! - `edit`: one form save of a loaded synthetic case (`CaseEdit::Replace`
//!   with one field changed, validated and diffed into the document), then
//!   `save_after` (the outbox bytes) or `save` (the stored document, as the
//!   client writes it after every edit). `apply` already computes its change
//!   bytes with `save_after`; the explicit call is what a caller batching
//!   several edits into one outbox entry pays.
//! - `load`: `CaseDoc::load` of a saved synthetic case, and load plus
//!   `case()` (what opening the case form costs).
//! - `priority`: `priority()` over 10⁵ cases, and `priority_of()` over the
//!   10⁵ `PriorityFacts` kept in summaries (inputs built outside the timing).
//! - `search`: `NameQuery::parse` plus `names::rank` (top 20) over the
//!   `NameKeys` of 10⁵ cases, for a few typed queries.
//!
//! In `--test` mode (Criterion runs each bench once) the 10⁵ sets shrink to
//! 10³ and `bytes_per_case` to 100 cases, so the smoke run takes seconds.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use shared::case::Case;
use shared::case_doc::{CaseDoc, CaseEdit, EditContext};
use shared::case_summary::CaseSummary;
use shared::ids::{DeviceId, DocId};
use shared::names::{NameKeys, NameQuery, rank};
use shared::partial_date::Date;
use shared::priority::{PriorityFacts, priority, priority_of};
use shared::synthetic::generate;

const SEED: u64 = 0x486f_6d65_7761_7264; // "Homeward"
const DEVICE: DeviceId = DeviceId([7; 32]);
const NOW_MS: i64 = 1_764_374_400_000; // 2025-11-29

fn today() -> Date {
    Date::new(2025, 11, 29).unwrap()
}

fn ctx(now_ms: i64) -> EditContext {
    EditContext {
        device: DEVICE,
        now_ms,
        today: today(),
    }
}

/// Criterion's test mode (`-- --test`, or run without `--bench` as
/// `cargo test --benches` does): every bench runs once, so keep inputs
/// small.
fn smoke() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

/// How many cases the 10⁵ benches use.
fn large_n() -> usize {
    if smoke() { 1_000 } else { 100_000 }
}

/// The large synthetic set, generated once for `priority` and `search`.
fn large_set() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| generate(SEED, large_n(), today()).collect())
}

fn stats(label: &str, mut sizes: Vec<usize>) {
    sizes.sort_unstable();
    let n = sizes.len();
    let mean = sizes.iter().sum::<usize>() as f64 / n as f64;
    eprintln!(
        "bytes_per_case: {label:<28} mean {mean:>8.0}  median {:>6}  p95 {:>6}  max {:>6}  (n = {n})",
        sizes[n / 2],
        sizes[n * 95 / 100],
        sizes[n - 1],
    );
}

/// Sizes, not times: printed once.
fn bytes_per_case(_: &mut Criterion) {
    let n = if smoke() { 100 } else { 1_000 };
    let mut first = Vec::with_capacity(n);
    let mut saved = Vec::with_capacity(n);
    let mut summary = Vec::with_capacity(n);
    for (i, case) in generate(SEED ^ 1, n, today()).enumerate() {
        let (mut doc, first_change) = CaseDoc::create(case, &ctx(NOW_MS)).unwrap();
        first.push(first_change.len());
        saved.push(doc.save().len());
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let case = doc.case().unwrap();
        summary.push(
            CaseSummary::of(DocId(id), &case, 0, NOW_MS)
                .to_bytes()
                .len(),
        );
    }
    stats("first change (wire)", first);
    stats("saved document (at rest)", saved);
    stats("case summary (postcard)", summary);
}

/// Saved synthetic documents, each with the two versions of its case that
/// a benchmark edit alternates between.
struct Corpus {
    saved: Vec<Vec<u8>>,
    edits: Vec<[Case; 2]>,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut saved = Vec::new();
        let mut edits = Vec::new();
        for case in generate(SEED ^ 2, 100, today()) {
            let (mut doc, _) = CaseDoc::create(case.clone(), &ctx(NOW_MS)).unwrap();
            saved.push(doc.save());
            let mut edited = case.clone();
            edited
                .identity
                .distinguishing_marks
                .push_str(" Шрам на лівій руці.");
            edits.push([edited, case]);
        }
        Corpus { saved, edits }
    })
}

fn edit(c: &mut Criterion) {
    let corpus = corpus();
    let mut group = c.benchmark_group("edit");
    group.sample_size(50);
    for (name, full_save) in [("apply+save_after", false), ("apply+save", true)] {
        let mut next = 0usize;
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    // A freshly loaded case and a one-field form edit of it
                    // (not timed).
                    let i = next % corpus.saved.len();
                    next += 1;
                    let doc = CaseDoc::load(&corpus.saved[i], &DEVICE).unwrap();
                    let edit = CaseEdit::Replace(Box::new(corpus.edits[i][0].clone()));
                    (doc, edit)
                },
                |(mut doc, edit)| {
                    let before = doc.heads();
                    let change = doc.apply(edit, &ctx(NOW_MS + 60_000)).unwrap();
                    debug_assert!(change.is_some());
                    let bytes = if full_save {
                        doc.save()
                    } else {
                        doc.save_after(&before)
                    };
                    black_box((change, bytes));
                    doc
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let corpus = corpus();
    let mut group = c.benchmark_group("load");
    let mut next = 0usize;
    group.bench_function("load", |b| {
        b.iter(|| {
            let i = next % corpus.saved.len();
            next += 1;
            CaseDoc::load(black_box(&corpus.saved[i]), &DEVICE).unwrap()
        })
    });
    let mut next = 0usize;
    group.bench_function("load+case", |b| {
        b.iter(|| {
            let i = next % corpus.saved.len();
            next += 1;
            let doc = CaseDoc::load(black_box(&corpus.saved[i]), &DEVICE).unwrap();
            doc.case().unwrap()
        })
    });
    group.finish();
}

fn priority_bench(c: &mut Criterion) {
    let cases = large_set();
    let facts: Vec<PriorityFacts> = cases.iter().map(PriorityFacts::of).collect();
    let today = today();
    let n = cases.len();
    let mut group = c.benchmark_group("priority");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function(format!("priority/{n}_cases"), |b| {
        b.iter(|| {
            let mut score = 0u64;
            for case in cases {
                score += u64::from(priority(black_box(case), today).score);
            }
            score
        })
    });
    group.bench_function(format!("priority_of/{n}_facts"), |b| {
        b.iter(|| {
            let mut score = 0u64;
            for f in &facts {
                score += u64::from(priority_of(black_box(f), today).score);
            }
            score
        })
    });
    group.finish();
}

fn search(c: &mut Criterion) {
    let keys: Vec<NameKeys> = large_set()
        .iter()
        .map(|case| {
            let id = &case.identity;
            let aliases: Vec<&str> = id.aliases.iter().map(|a| a.name.as_str()).collect();
            NameKeys::new(&id.surname, &id.given_names, &id.patronymic, &aliases)
        })
        .collect();
    let n = keys.len();
    let mut group = c.benchmark_group("search");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    for query in [
        "Oleksandr Kovalenko",
        "Kovalneko",
        "Шевч",
        "Александр Коваленко",
        "Ткаченко Ольга Миколаївна",
    ] {
        let hits = rank(&NameQuery::parse(query), keys.iter().enumerate(), n);
        let top = hits.first().map(|(_, score)| *score).unwrap_or_default();
        eprintln!(
            "search: {query:?} matches {} of {n} (best score {top})",
            hits.len()
        );
        group.bench_function(format!("{query}/{n}"), |b| {
            b.iter(|| {
                let q = NameQuery::parse(black_box(query));
                rank(&q, keys.iter().enumerate(), 20)
            })
        });
    }
    group.finish();
}

/// Making the synthetic set itself, and its search keys: what seeding and
/// the client's first summary build cost.
fn generation(c: &mut Criterion) {
    let n = large_n();
    let mut group = c.benchmark_group("generate");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function(format!("cases/{n}"), |b| {
        b.iter(|| generate(SEED, n, today()).count())
    });
    let cases = large_set();
    group.bench_function(format!("name_keys/{n}"), |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| {
                    let id = &c.identity;
                    NameKeys::new(&id.surname, &id.given_names, &id.patronymic, &[])
                })
                .count()
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bytes_per_case,
    edit,
    load,
    priority_bench,
    search,
    generation
);
criterion_main!(benches);
