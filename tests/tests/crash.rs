//! The crash test: 1,000 entries from five devices of one workspace, pushed
//! as many small pushes while the relay is SIGKILLed in the middle and
//! restarted on the same data directory and port. The devices retry on
//! their own (the engine re-pushes its outbox after every reconnect).
//! Afterwards every entry any device saw acknowledged is stored exactly
//! once, at the seq it was acknowledged with, and the log's seqs are
//! exactly 1..=1000.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT};
use homeward_e2e::{RelayProcess, list_entries, team};
use native_client::{ClientOptions, NativeClient};
use shared::ids::{BlobId, DocId, Seq};
use shared::sync_engine::SyncConfig;
use shared::wire::Role;

const DEVICES: usize = 5;
const ENTRIES_PER_DEVICE: usize = 200;
const DOCS_PER_DEVICE: usize = 20;
const TOTAL: usize = DEVICES * ENTRIES_PER_DEVICE;

/// One device's writing: `ENTRIES_PER_DEVICE` small Automerge changes over
/// its own documents, enqueued one at a time with a pause, so the engine
/// makes many small pushes. Returns every blob id it enqueued.
async fn write(client: &NativeClient, device: usize) -> Result<Vec<BlobId>> {
    let actor = ActorId::from(client.device_id().0.as_slice());
    let mut docs: Vec<(DocId, AutoCommit)> = (0..DOCS_PER_DEVICE)
        .map(|_| {
            let doc = AutoCommit::new().with_actor(actor.clone());
            (DocId::random(&mut rand::rng()), doc)
        })
        .collect();
    let mut blobs = Vec::with_capacity(ENTRIES_PER_DEVICE);
    for i in 0..ENTRIES_PER_DEVICE {
        let (doc_id, doc) = &mut docs[i % DOCS_PER_DEVICE];
        let heads = doc.get_heads();
        doc.put(ROOT, "visits", i as u64)?;
        doc.put(ROOT, "by", format!("device {device}"))?;
        doc.commit();
        let blob = client
            .enqueue_change(*doc_id, doc.save_after(&heads))
            .await
            .with_context(|| format!("device {device} entry {i}"))?;
        blobs.push(blob);
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    Ok(blobs)
}

async fn acked_total(clients: &[NativeClient]) -> Result<usize> {
    let mut n = 0;
    for c in clients {
        n += c.acked().await?.len();
    }
    Ok(n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_mid_push_loses_no_acknowledged_entry_and_leaves_no_seq_gap() -> Result<()> {
    let started = Instant::now();
    let data = tempfile::tempdir()?;
    let mut relay = RelayProcess::start_with(data.path(), 0, &["--push-rate", "0"])?;
    let dirs: Vec<tempfile::TempDir> = (0..DEVICES)
        .map(|_| tempfile::tempdir())
        .collect::<Result<_, _>>()?;
    let options = ClientOptions {
        record_acks: true,
        // Come back quickly once the relay is up again.
        sync: SyncConfig {
            backoff_base_ms: 100,
            backoff_max_ms: 500,
            ..SyncConfig::default()
        },
        ..ClientOptions::default()
    };
    let paths: Vec<&Path> = dirs.iter().map(|d| d.path()).collect();
    let clients = team(&relay, &paths, Role::Documenter, options).await?;
    let workspace = clients[0]
        .status()
        .await?
        .workspace
        .context("a workspace")?;

    let (enqueued, acked_at_kill) = {
        let writers =
            futures::future::try_join_all(clients.iter().enumerate().map(|(i, c)| write(c, i)));
        tokio::pin!(writers);
        // Kill the relay once about 40 % of the entries are acknowledged.
        let acked_at_kill = loop {
            tokio::select! {
                done = &mut writers => {
                    done?;
                    anyhow::bail!("the devices finished before the relay could be killed");
                }
                () = tokio::time::sleep(Duration::from_millis(5)) => {}
            }
            let acked = acked_total(&clients).await?;
            if acked >= TOTAL * 2 / 5 {
                relay.kill();
                break acked;
            }
        };
        // Down for a moment while the devices keep writing into their
        // outboxes and fail to reconnect.
        let mut finished = None;
        tokio::select! {
            done = &mut writers => finished = Some(done?),
            () = tokio::time::sleep(Duration::from_millis(700)) => {}
        }
        relay.restart()?;
        let enqueued = match finished {
            Some(blobs) => blobs,
            None => writers.await?,
        };
        (enqueued.concat(), acked_at_kill)
    };
    assert!(
        acked_at_kill < TOTAL,
        "the relay must die with entries still to push ({acked_at_kill} acked)"
    );

    for (i, c) in clients.iter().enumerate() {
        let status = c
            .sync_until_current(Duration::from_secs(60))
            .await
            .with_context(|| format!("device {i} after the restart"))?;
        assert_eq!(status.pending_uploads, 0);
        assert_eq!(
            status.quarantined_entries, 0,
            "device {i}: every sealed entry opens"
        );
    }

    // Every ack any device got, before or after the crash.
    let mut acked: HashMap<BlobId, Seq> = HashMap::new();
    for c in &clients {
        for ack in c.acked().await? {
            if let Some(seq) = acked.insert(ack.blob_id, ack.seq) {
                ensure!(
                    seq == ack.seq,
                    "blob {} acked at {seq} and later at {}",
                    ack.blob_id,
                    ack.seq
                );
            }
        }
    }
    let enqueued: HashSet<BlobId> = enqueued.into_iter().collect();
    assert_eq!(enqueued.len(), TOTAL);
    assert_eq!(
        acked.keys().copied().collect::<HashSet<_>>(),
        enqueued,
        "every enqueued entry is acknowledged in the end"
    );

    // The log on disk: seqs exactly 1..=1000, each blob once, at its ack.
    let listed: Vec<serde_json::Value> = list_entries(data.path())?
        .into_iter()
        .filter(|e| e["workspace"].as_str() == Some(workspace.to_hex().as_str()))
        .collect();
    let seqs: Vec<u64> = listed.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(
        seqs,
        (1..=TOTAL as u64).collect::<Vec<_>>(),
        "seq gap or duplicate"
    );
    let mut seen = HashSet::new();
    for e in &listed {
        let blob: BlobId = e["blob_id"].as_str().unwrap_or_default().parse()?;
        ensure!(seen.insert(blob), "blob {blob} stored twice");
        assert_eq!(
            Some(
                acked
                    .get(&blob)
                    .context("a stored entry nobody enqueued")?
                    .0
            ),
            e["seq"].as_u64(),
            "blob {blob} is not at the seq it was acknowledged with"
        );
    }

    // Every device converged on all 100 documents.
    let reference = clients[0].doc_ids().await?;
    assert_eq!(reference.len(), DEVICES * DOCS_PER_DEVICE);
    for id in &reference {
        let mut heads = None;
        for c in &clients {
            let bytes = c.document(*id).await?.context("a missing document")?;
            let h = AutoCommit::load(&bytes)?.get_heads();
            if let Some(first) = &heads {
                ensure!(first == &h, "document {id} differs between devices");
            }
            heads = Some(h);
        }
    }
    let frames: u64 = clients.iter().map(|c| c.counters().frames_sent).sum();
    assert!(
        frames > (TOTAL / 10) as u64,
        "expected many small pushes, the devices sent {frames} frames in all"
    );
    eprintln!(
        "crash test: killed at {acked_at_kill} of {TOTAL} acked; {frames} frames sent; {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for c in clients {
        c.close().await;
    }
    Ok(())
}
