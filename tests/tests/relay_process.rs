//! The real `homeward-server` binary as a child process, driven by native
//! WebSocket clients speaking the wire protocol: fan-out between two devices,
//! and durability across a SIGKILL (including one in the middle of an upload).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::{Result, ensure};
use homeward_e2e::{
    RelayClient, RelayProcess, change_entry, list_entries, random_device, random_doc,
    random_workspace,
};
use shared::ids::{BlobId, Seq};
use shared::wire::{Entry, NewEntry};

/// A body of about `len` bytes that names its entry, so mix-ups show.
fn body(i: usize, len: usize) -> Vec<u8> {
    let mut b = format!("entry {i:04} ").into_bytes();
    b.resize(len, b'.');
    b
}

/// `entries` are exactly seqs 1..=n, gap-free, each blob_id once.
fn assert_gap_free_once(entries: &[Entry]) -> Result<()> {
    for (i, e) in entries.iter().enumerate() {
        ensure!(
            e.seq == Seq(i as u64 + 1),
            "entry #{i} has seq {}, expected {} (gap or reordering)",
            e.seq,
            i + 1
        );
    }
    let blobs: HashSet<BlobId> = entries.iter().map(|e| e.header.blob_id).collect();
    ensure!(
        blobs.len() == entries.len(),
        "some blob_id is stored more than once"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_from_one_device_pokes_the_other_which_pulls_all_in_order() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = RelayProcess::start(data.path(), 0)?;
    let workspace = random_workspace();
    let (dev_a, dev_b) = (random_device(), random_device());

    let mut a = RelayClient::connect(relay.addr(), workspace, dev_a).await?;
    let mut b = RelayClient::connect(relay.addr(), workspace, dev_b).await?;
    assert_eq!(a.welcome_head, Seq::ZERO, "a fresh workspace starts empty");
    assert_eq!(b.welcome_head, Seq::ZERO);

    // 20 entries over 5 documents, pushed in 4 batches of 5.
    let docs: Vec<_> = (0..5).map(|_| random_doc()).collect();
    let entries: Vec<NewEntry> = (0..20)
        .map(|i| change_entry(docs[i % docs.len()], dev_a, body(i, 200)))
        .collect();
    for (n, batch) in entries.chunks(5).enumerate() {
        let acks = a.push(batch).await?;
        let seqs: Vec<u64> = acks.iter().map(|ack| ack.seq.0).collect();
        let want: Vec<u64> = (n as u64 * 5 + 1..=n as u64 * 5 + 5).collect();
        assert_eq!(seqs, want, "batch {n} acked at unexpected seqs");
    }

    // B was told, without asking, and catches up in several small pages.
    let poked = b.wait_poke(Seq(1), Duration::from_secs(10)).await?;
    assert!(poked >= Seq(1) && poked <= Seq(20), "poke head {poked}");
    let pulled = b.pull_all(Seq::ZERO, 700).await?;
    assert_eq!(pulled.head, Seq(20));
    assert!(
        pulled.pages > 1,
        "700-byte pages of 200-byte bodies should take several pages, took {}",
        pulled.pages
    );
    assert_eq!(pulled.entries.len(), 20);
    assert_gap_free_once(&pulled.entries)?;
    for (got, sent) in pulled.entries.iter().zip(&entries) {
        assert_eq!(got.header, sent.header, "entry {} header", got.seq);
        assert_eq!(got.body, sent.body, "entry {} body", got.seq);
    }

    // Nothing after the head.
    let (rest, head, has_more) = b.pull(Seq(20), 1 << 20).await?;
    assert!(rest.is_empty() && head == Seq(20) && !has_more);
    a.close().await;
    b.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkilled_relay_restarts_with_every_acked_entry_once_and_retries_dedupe() -> Result<()> {
    let data = tempfile::tempdir()?;
    let mut relay = RelayProcess::start(data.path(), 0)?;
    let port = relay.addr().port();
    let workspace = random_workspace();
    let device = random_device();
    let doc = random_doc();

    // 30 acked entries in 3 pushes.
    let acked_entries: Vec<NewEntry> = (0..30)
        .map(|i| change_entry(doc, device, body(i, 64)))
        .collect();
    let mut acked: HashMap<BlobId, Seq> = HashMap::new();
    let mut client = RelayClient::connect(relay.addr(), workspace, device).await?;
    for batch in acked_entries.chunks(10) {
        for ack in client.push(batch).await? {
            acked.insert(ack.blob_id, ack.seq);
        }
    }
    assert_eq!(acked.len(), 30);

    // A 4th push is on the wire when the relay dies: it may or may not have
    // been stored, and the device never saw an ack.
    let in_flight: Vec<NewEntry> = (30..35)
        .map(|i| change_entry(doc, device, body(i, 64)))
        .collect();
    client
        .send(&shared::wire::ClientMsg::Push {
            entries: in_flight.clone(),
        })
        .await?;
    relay.kill();
    drop(client);

    // Same data dir, same port.
    let relay = RelayProcess::start(data.path(), port)?;
    assert_eq!(relay.addr().port(), port);
    let mut client = RelayClient::connect(relay.addr(), workspace, device).await?;
    let head = client.welcome_head;
    assert!(
        (30..=35).contains(&head.0),
        "after the restart the head is {head}, expected 30 acked entries plus at most the 5 in flight"
    );
    let pulled = client.pull_all(Seq::ZERO, 1 << 20).await?;
    assert_eq!(pulled.head, head);
    assert_eq!(pulled.entries.len() as u64, head.0);
    assert_gap_free_once(&pulled.entries)?;
    let stored: HashMap<BlobId, &Entry> = pulled
        .entries
        .iter()
        .map(|e| (e.header.blob_id, e))
        .collect();
    for sent in &acked_entries {
        let got = stored
            .get(&sent.header.blob_id)
            .unwrap_or_else(|| panic!("acked blob {} lost in the crash", sent.header.blob_id));
        assert_eq!(got.seq, acked[&sent.header.blob_id], "acked seq changed");
        assert_eq!(got.header, sent.header);
        assert_eq!(got.body, sent.body);
    }

    // The device retries everything it has not seen acked, and (as a
    // paranoid outbox might) everything it has: each acks at its first seq.
    for batch in acked_entries.chunks(10) {
        for ack in client.push(batch).await? {
            assert_eq!(ack.seq, acked[&ack.blob_id], "a retried push got a new seq");
        }
    }
    let retry_acks = client.push(&in_flight).await?;
    for ack in &retry_acks {
        if let Some(e) = stored.get(&ack.blob_id) {
            assert_eq!(
                ack.seq, e.seq,
                "an in-flight entry stored before the crash moved"
            );
        }
        acked.insert(ack.blob_id, ack.seq);
    }

    // Exactly 35 entries, gap-free, each once, each at its acked seq.
    let pulled = client.pull_all(Seq::ZERO, 1 << 20).await?;
    assert_eq!(pulled.head, Seq(35));
    assert_gap_free_once(&pulled.entries)?;
    for e in &pulled.entries {
        assert_eq!(acked[&e.header.blob_id], e.seq);
    }
    client.close().await;

    // And on disk, as the operator's tool sees it after another hard kill.
    drop(relay);
    let listed = list_entries(data.path())?;
    let ours: Vec<_> = listed
        .iter()
        .filter(|e| e["workspace"].as_str() == Some(workspace.to_hex().as_str()))
        .collect();
    assert_eq!(ours.len(), 35, "list-entries shows {} entries", ours.len());
    let blobs: HashSet<&str> = ours.iter().filter_map(|e| e["blob_id"].as_str()).collect();
    assert_eq!(blobs.len(), 35, "list-entries shows a blob_id twice");
    for e in &ours {
        let blob: BlobId = e["blob_id"].as_str().unwrap_or_default().parse()?;
        assert_eq!(
            Some(acked[&blob].0),
            e["seq"].as_u64(),
            "list-entries seq of {blob}"
        );
        assert_eq!(e["doc_id"].as_str(), Some(doc.to_hex().as_str()));
        assert_eq!(e["body_len"].as_u64(), Some(64));
    }
    Ok(())
}
