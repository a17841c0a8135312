//! The real `homeward-server` binary as a child process, driven by native
//! clients: fan-out between two devices (a poke, then paged pulls), and
//! durability across a SIGKILL followed by a restart on the same data
//! directory and port.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use homeward_e2e::{RelayProcess, list_entries, synthetic_cases, team};
use native_client::{ClientOptions, NativeClient};
use shared::case_doc::CaseEdit;
use shared::ids::{BlobId, DocId, Seq, WorkspaceId};
use shared::wire::Role;

const SYNC: Duration = Duration::from_secs(60);

/// The workspace's entries as the operator's tool lists them: seqs exactly
/// 1..=n and each blob_id once.
fn assert_gap_free_once(
    workspace: WorkspaceId,
    data: &std::path::Path,
) -> Result<Vec<serde_json::Value>> {
    let ours: Vec<serde_json::Value> = list_entries(data)?
        .into_iter()
        .filter(|e| e["workspace"].as_str() == Some(workspace.to_hex().as_str()))
        .collect();
    for (i, e) in ours.iter().enumerate() {
        ensure!(
            e["seq"].as_u64() == Some(i as u64 + 1),
            "entry #{i} has seq {}, expected {} (gap or reordering)",
            e["seq"],
            i + 1
        );
    }
    let blobs: HashSet<&str> = ours.iter().filter_map(|e| e["blob_id"].as_str()).collect();
    ensure!(
        blobs.len() == ours.len(),
        "some blob_id is stored more than once"
    );
    Ok(ours)
}

/// Both devices hold every document with the same heads.
async fn assert_same_documents(a: &NativeClient, b: &NativeClient) -> Result<usize> {
    let ids = a.doc_ids().await?;
    ensure!(
        ids == b.doc_ids().await?,
        "the devices hold different documents"
    );
    for id in &ids {
        let heads = |bytes: Option<Vec<u8>>| -> Result<_> {
            let bytes = bytes.with_context(|| format!("document {id} missing"))?;
            Ok(automerge::AutoCommit::load(&bytes)?.get_heads())
        };
        ensure!(
            heads(a.document(*id).await?)? == heads(b.document(*id).await?)?,
            "document {id} differs between the devices"
        );
    }
    Ok(ids.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_from_one_device_pokes_the_other_which_pulls_all_in_pages() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = RelayProcess::start(data.path(), 0)?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let mut small_pages = ClientOptions::default();
    small_pages.sync.pull_bytes = 2_000;
    let mut devices = team(
        &relay,
        &[dir_a.path(), dir_b.path()],
        Role::Documenter,
        small_pages,
    )
    .await?;
    let b = devices.pop().context("b")?;
    let a = devices.pop().context("a")?;
    b.wait_connected(SYNC).await?;
    let workspace = a.status().await?.workspace.context("a workspace")?;

    // 20 entries over 5 documents: 5 new cases, then 15 edits.
    let ids = a.import_cases(&synthetic_cases(1, 5)).await?;
    for i in 0..15 {
        let edit = CaseEdit::SetNotes(format!("visit {i}"));
        ensure!(
            a.edit(ids[i % ids.len()], vec![edit]).await?,
            "edit {i} changed nothing"
        );
    }
    let status = a.sync_until_current(SYNC).await?;
    assert_eq!(status.head, Seq(20));

    // B was told, without asking, and catches up in several small pages.
    let mut watch = b.watch_status();
    tokio::time::timeout(SYNC, watch.wait_for(|s| s.cursor == Seq(20)))
        .await
        .context("B never reached the head: no poke, or no pull")??;
    let counters = b.counters();
    assert_eq!(counters.entries_applied, 20);
    assert_eq!(b.status().await?.quarantined_entries, 0);
    assert!(
        counters.frames_received > 4,
        "2,000-byte pages should take several batches, B got {} frames",
        counters.frames_received
    );
    assert_eq!(assert_same_documents(&a, &b).await?, 5);
    assert_eq!(b.case(ids[0]).await?.notes.0, "visit 10");

    assert_gap_free_once(workspace, data.path())?;
    a.close().await;
    b.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkilled_relay_restarts_with_every_acked_entry_and_a_late_device_catches_up()
-> Result<()> {
    let data = tempfile::tempdir()?;
    let mut relay = RelayProcess::start(data.path(), 0)?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let options = ClientOptions {
        record_acks: true,
        ..ClientOptions::default()
    };
    let mut devices = team(
        &relay,
        &[dir_a.path(), dir_b.path()],
        Role::Viewer,
        options.clone(),
    )
    .await?;
    // B joined while the log was empty, then went away.
    devices.pop().context("b")?.close().await;
    let a = devices.pop().context("a")?;
    let workspace = a.status().await?.workspace.context("a workspace")?;

    let ids = a.import_cases(&synthetic_cases(2, 30)).await?;
    a.sync_until_current(SYNC).await?;
    let acked: HashMap<BlobId, Seq> = a
        .acked()
        .await?
        .into_iter()
        .map(|k| (k.blob_id, k.seq))
        .collect();
    assert_eq!(acked.len(), 30);

    relay.restart()?;
    // A's socket died with the relay; it reconnects by itself.
    let more = a.import_cases(&synthetic_cases(3, 5)).await?;
    let status = a.sync_until_current(SYNC).await?;
    assert_eq!(status.head, Seq(35));
    for ack in a.acked().await? {
        if let Some(seq) = acked.get(&ack.blob_id) {
            assert_eq!(*seq, ack.seq, "an acked entry moved");
        }
    }

    // The late device bootstraps everything the relay kept.
    let b = NativeClient::open_with(dir_b.path(), options)?;
    let status = b.sync_until_current(SYNC).await?;
    assert_eq!(status.cursor, Seq(35));
    assert_eq!(status.role, Some(Role::Viewer));
    assert_eq!(status.quarantined_entries, 0, "every sealed entry opens");
    assert_eq!(assert_same_documents(&a, &b).await?, 35);
    let all: HashSet<DocId> = ids.iter().chain(&more).copied().collect();
    assert_eq!(all.len(), 35);

    // And on disk, as the operator's tool sees it after another hard kill.
    relay.kill();
    let listed = assert_gap_free_once(workspace, data.path())?;
    assert_eq!(
        listed.len(),
        35,
        "list-entries shows {} entries",
        listed.len()
    );
    for e in &listed {
        let blob: BlobId = e["blob_id"].as_str().unwrap_or_default().parse()?;
        if let Some(seq) = acked.get(&blob) {
            assert_eq!(Some(seq.0), e["seq"].as_u64(), "list-entries seq of {blob}");
        }
    }
    a.close().await;
    b.close().await;
    Ok(())
}
