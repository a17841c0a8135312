//! The bootstrap test: a workspace of 2,000 documents, each edited 50 times
//! (50 change entries per document, pushed as 50 rounds) and compacted by
//! the engine's own rule, on a relay that prunes covered changes at once.
//! A new device then bootstraps: it pays fewer wire bytes than the change
//! entries' (sealed) bodies add up to, ends with the writer's documents, and
//! a bootstrap cut off halfway resumes where it stopped.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ObjId, ObjType, ROOT, ReadDoc};
use homeward_e2e::{JOIN_TIMEOUT, RelayProcess, list_entries, setup_code};
use native_client::{ClientOptions, NativeClient, now_ms};
use shared::case_doc::{CaseDoc, EditContext};
use shared::ids::DocId;
use shared::partial_date::Date;
use shared::sealing::SEAL_OVERHEAD;
use shared::sync_engine::COMPACT_AFTER_CHANGES;
use shared::synthetic::generate;
use shared::wire::Role;

const DOCS: usize = 2_000;
const EDITS: usize = 50;
/// Pages the interrupted bootstrap applies before it stops (of about 15).
const PAGES_BEFORE_CUT: u32 = 7;
const SYNC: Duration = Duration::from_secs(120);

/// The writer's own copy of one document, for making raw edits.
struct Doc {
    id: DocId,
    doc: AutoCommit,
    notes: ObjId,
}

/// A document and the bytes of one change entry for it.
type Change = (DocId, Vec<u8>);

/// What the changes' entries carry on the wire and in the relay's log:
/// each body sealed.
fn sealed_bytes(changes: &[Change]) -> u64 {
    changes
        .iter()
        .map(|(_, b)| (b.len() + SEAL_OVERHEAD) as u64)
        .sum()
}

/// Round 1: one synthetic case per document (its first change).
fn create_docs(writer: &NativeClient) -> Result<(Vec<Doc>, Vec<Change>)> {
    let now = now_ms();
    let ctx = EditContext {
        device: writer.device_id(),
        now_ms: now,
        today: Date::from_unix_ms(now),
    };
    let actor = ActorId::from(writer.device_id().0.as_slice());
    let mut docs = Vec::with_capacity(DOCS);
    let mut changes = Vec::with_capacity(DOCS);
    for case in generate(11, DOCS, ctx.today) {
        let (_, body) = CaseDoc::create(case, &ctx)?;
        let mut doc = AutoCommit::load(&body)?.with_actor(actor.clone());
        let (_, case_obj) = doc.get(ROOT, "case")?.context("a case")?;
        let notes = match doc.get(&case_obj, "notes")? {
            Some((_, id)) => id,
            None => doc.put_object(&case_obj, "notes", ObjType::Text)?,
        };
        let id = DocId::random(&mut rand::rng());
        changes.push((id, body));
        docs.push(Doc { id, doc, notes });
    }
    Ok((docs, changes))
}

/// One small edit per document: a character typed into its notes.
fn edit_round(docs: &mut [Doc], round: usize) -> Result<Vec<Change>> {
    let time = now_ms() / 1000;
    docs.iter_mut()
        .map(|d| {
            let heads = d.doc.get_heads();
            let at = d.doc.length(&d.notes);
            d.doc.splice_text(
                &d.notes,
                at,
                0,
                if round.is_multiple_of(2) { "." } else { "," },
            )?;
            d.doc.commit_with(CommitOptions::default().with_time(time));
            Ok((d.id, d.doc.save_after(&heads)))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_device_bootstraps_from_snapshots_for_fewer_bytes_and_resumes_after_a_cut()
-> Result<()> {
    let started = Instant::now();
    let data = tempfile::tempdir()?;
    let relay = RelayProcess::start_with(
        data.path(),
        0,
        &[
            "--push-rate",
            "0",
            "--retention",
            "0s",
            "--prune-interval",
            "1s",
        ],
    )?;
    let (writer_dir, reader_dir) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let writer = NativeClient::open(writer_dir.path())?;
    let workspace = writer
        .setup(&relay.url(), &setup_code(data.path())?, JOIN_TIMEOUT)
        .await?;

    // 50 rounds: the cases, then 49 edits of each. The writer compacts a
    // document on its own once the relay's ack reports a tail of
    // COMPACT_AFTER_CHANGES changes (round 32).
    let (mut docs, first) = create_docs(&writer)?;
    let mut change_bytes = sealed_bytes(&first);
    writer.enqueue_changes(first).await?;
    writer.sync_until_current(SYNC).await?;
    let stored: u64 = list_entries(data.path())?
        .iter()
        .filter_map(|e| e["body_len"].as_u64())
        .sum();
    assert_eq!(
        stored, change_bytes,
        "the relay holds each body sealed, SEAL_OVERHEAD bytes more than its plaintext"
    );
    let written = Instant::now();
    for round in 2..=EDITS {
        let changes = edit_round(&mut docs, round)?;
        change_bytes += sealed_bytes(&changes);
        writer.enqueue_changes(changes).await?;
        writer
            .sync_until_current(SYNC)
            .await
            .with_context(|| format!("round {round}"))?;
    }
    let counters = writer.counters();
    assert_eq!(
        counters.snapshots_written, DOCS as u64,
        "each document compacted once, at round {COMPACT_AFTER_CHANGES}"
    );
    let head = writer.status().await?.head;
    assert_eq!(
        head.0,
        (DOCS * (EDITS + 1)) as u64,
        "50 changes and 1 snapshot per document"
    );
    eprintln!(
        "wrote {DOCS} documents x {EDITS} changes in {:.1} s (setup {:.1} s); sealed change bodies {change_bytes} bytes",
        written.elapsed().as_secs_f64(),
        (written - started).as_secs_f64()
    );

    // The relay prunes every change a snapshot covers (retention 0).
    let tail = (EDITS - COMPACT_AFTER_CHANGES as usize) * DOCS;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let kept = list_entries(data.path())?.len();
        if kept == tail + DOCS {
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "the relay still keeps {kept} entries, expected {} after pruning",
            tail + DOCS
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // A new device, cut off after a few pages…
    let link = writer
        .create_invite(Role::Viewer, Duration::from_secs(3600))
        .await?;
    let cut = ClientOptions {
        stop_after_bootstrap_pages: Some(PAGES_BEFORE_CUT),
        ..ClientOptions::default()
    };
    let reader = NativeClient::open_with(reader_dir.path(), cut)?;
    reader.join(&link.to_url(), JOIN_TIMEOUT).await?;
    let err = reader.sync_until_current(SYNC).await.unwrap_err();
    assert!(matches!(err, native_client::ClientError::Halted), "{err}");
    let first_run = reader.counters();
    let status = reader.status().await?;
    assert!(status.bootstrap_pending, "the resume point is stored");
    assert_eq!(first_run.bootstrap_pages, u64::from(PAGES_BEFORE_CUT));
    let docs_first = first_run.bootstrap_docs;
    assert!(
        docs_first > 0 && docs_first < DOCS as u64,
        "the cut came halfway: {docs_first} documents"
    );
    assert_eq!(status.documents, docs_first);
    drop(reader);

    // …reopened from its state directory, goes on from where it stopped.
    let reader = NativeClient::open(reader_dir.path())?;
    let status = reader.sync_until_current(SYNC).await?;
    let second_run = reader.counters();
    assert_eq!(
        second_run.bootstrap_docs,
        DOCS as u64 - docs_first,
        "the resumed bootstrap fetched only the remaining documents"
    );
    assert_eq!(status.cursor, head);
    assert_eq!(status.documents, DOCS as u64);
    let wire = first_run.wire_bytes() + second_run.wire_bytes();
    eprintln!(
        "bootstrap: {wire} wire bytes ({} + {}) in {} pages for {} entries, vs {change_bytes} \
         bytes of sealed change bodies ({:.0} %)",
        first_run.wire_bytes(),
        second_run.wire_bytes(),
        first_run.bootstrap_pages + second_run.bootstrap_pages,
        first_run.bootstrap_entries + second_run.bootstrap_entries,
        wire as f64 * 100.0 / change_bytes as f64
    );
    assert!(
        wire < change_bytes,
        "the bootstrap cost {wire} wire bytes, more than the {change_bytes} bytes of sealed \
         change bodies"
    );

    // Identical documents: same heads everywhere, same case where sampled.
    for (i, d) in docs.iter_mut().enumerate() {
        let stored = |bytes: Option<Vec<u8>>| -> Result<AutoCommit> {
            Ok(AutoCommit::load(&bytes.context("a missing document")?)?)
        };
        let want = d.doc.get_heads();
        ensure!(
            stored(writer.document(d.id).await?)?.get_heads() == want,
            "the writer's document {} is not what it wrote",
            d.id
        );
        ensure!(
            stored(reader.document(d.id).await?)?.get_heads() == want,
            "the new device's document {} differs",
            d.id
        );
        if i % 100 == 0 {
            assert_eq!(writer.case(d.id).await?, reader.case(d.id).await?);
        }
    }
    eprintln!(
        "bootstrap test: workspace {workspace}, {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    writer.close().await;
    reader.close().await;
    Ok(())
}
