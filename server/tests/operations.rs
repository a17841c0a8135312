//! The relay as an operator runs it: `/metrics`, online backups, connection
//! limits and timeouts, and durability across a graceful restart. Real
//! sockets, SQLite on disk, the relay in-process (the binary for the CLI).

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use server::log_store::LogStore;
use server::sqlite_store::{DB_FILE, SqliteStore};
use shared::ids::{BlobId, Seq};
use shared::wire::{ClientMsg, ErrorCode, NewEntry, Role, ServerMsg};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use common::*;

/// Scrapes until `series` reads `want` (sockets close asynchronously).
async fn eventually(relay: &Relay, series: &str, want: f64) {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = scrape(relay.addr).await.get(series).copied();
        if got == Some(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{series} is {got:?}, want {want}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn metrics_count_pushes_pulls_bytes_and_errors() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &["--max-push-body-bytes", "1000"]).await;

    let start = scrape(relay.addr).await;
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        start.get(&format!(
            "homeward_build_info{{version=\"{version}\",protocol=\"{}\"}}",
            shared::wire::PROTOCOL_VERSION
        )),
        Some(&1.0),
        "{start:?}"
    );
    for zero in [
        "homeward_connections_open",
        "homeward_pushes_total",
        "homeward_pulls_total",
        "homeward_entries_stored_total",
        "homeward_rate_limited_total",
        "homeward_bootstrap_pages_total",
        "homeward_welcomes_total",
        "homeward_pruned_entries_total",
    ] {
        assert_eq!(start.get(zero), Some(&0.0), "{zero}");
    }
    for code in shared::wire::ErrorCode::ALL {
        let series = format!("homeward_errors_total{{code=\"{}\"}}", code.as_str());
        assert_eq!(start.get(&series), Some(&0.0), "{series}");
    }
    let empty_store = start["homeward_storage_bytes"];
    assert!(empty_store > 0.0);

    let (mut a, _) = relay.hello(1).await;
    a.push((1..=3).map(|n| entry(n, 100)).collect()).await;
    // A retry of entry 3 together with a new one: one stored, two received.
    a.push(vec![entry(3, 100), entry(4, 50)]).await;
    let (mut b, _) = relay.hello(2).await;
    let (served, pages) = b.pull_all(Seq::ZERO, 1 << 20).await;
    assert_eq!((served.len(), pages), (4, 1));

    let mut garbage = relay.connect().await;
    garbage.send_raw(b"not homeward".to_vec()).await;
    garbage.expect_error_and_close(ErrorCode::Malformed).await;
    let (mut big, _) = relay.hello(3).await;
    big.send(&ClientMsg::Push {
        entries: vec![entry(9, 1001)],
    })
    .await;
    big.expect_error_and_close(ErrorCode::TooLarge).await;
    let mut early = relay.connect().await;
    early
        .send(&ClientMsg::Pull {
            after: Seq::ZERO,
            max_bytes: 10,
        })
        .await;
    early
        .expect_error_and_close(ErrorCode::HandshakeRequired)
        .await;

    eventually(&relay, "homeward_connections_open", 2.0).await;
    let m = scrape(relay.addr).await;
    for (series, want) in [
        ("homeward_connections_total", 5.0),
        ("homeward_pushes_total", 2.0),
        ("homeward_entries_received_total", 5.0),
        ("homeward_entries_stored_total", 4.0),
        ("homeward_entry_body_bytes_received_total", 450.0),
        ("homeward_pulls_total", 1.0),
        ("homeward_welcomes_total", 3.0),
        ("homeward_entries_served_total", 4.0),
        ("homeward_entry_body_bytes_sent_total", 350.0),
        ("homeward_errors_total{code=\"malformed\"}", 1.0),
        ("homeward_errors_total{code=\"too_large\"}", 1.0),
        ("homeward_errors_total{code=\"handshake_required\"}", 1.0),
        ("homeward_errors_total{code=\"unsupported_version\"}", 0.0),
        ("homeward_errors_total{code=\"internal\"}", 0.0),
        ("homeward_errors_total{code=\"forbidden\"}", 0.0),
        ("homeward_rate_limited_total", 0.0),
        ("homeward_idle_closed_total", 0.0),
    ] {
        assert_eq!(m.get(series), Some(&want), "{series}");
    }
    assert!(m["homeward_storage_bytes"] > empty_store);

    // Nothing identifying in the exposition: no workspace, device, doc or
    // blob id, in hex or otherwise.
    let text = http_get(relay.addr, "/metrics").await.body;
    for id in [
        WS.to_hex(),
        device(1).to_hex(),
        entry(1, 41).header.blob_id.to_hex(),
    ] {
        assert!(!text.contains(&id), "{id} in /metrics");
    }
    assert!(
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .all(|l| !l.contains('{') || l.contains("{code=\"") || l.contains("build_info")),
        "labels are fixed words only:\n{text}"
    );
    drop((a, b));
    relay.stop().await;

    // Off means off, and the app's SPA fallback does not answer for it.
    let relay = Relay::start(data.path(), web.path(), &["--metrics", "false"]).await;
    let off = http_get(relay.addr, "/metrics").await;
    assert_eq!(off.status, 404);
    relay.stop().await;
}

#[tokio::test]
async fn a_backup_taken_while_pushing_holds_every_acked_entry_once() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;

    // A log worth copying, then writers that keep going during the backup.
    let acked: Arc<Mutex<HashMap<BlobId, Seq>>> = Arc::default();
    let (mut first, _) = relay.hello(1).await;
    for chunk in (1..=200u32).collect::<Vec<_>>().chunks(20) {
        let batch: Vec<NewEntry> = chunk.iter().map(|&n| entry(n, 2000)).collect();
        let acks = first.push(batch).await;
        acked
            .lock()
            .unwrap()
            .extend(acks.iter().map(|a| (a.blob_id, a.seq)));
    }
    let (stop_writers, stopped) = watch::channel(false);
    let mut writers = Vec::new();
    for w in 0..2u32 {
        let (mut client, _) = relay.hello(10 + w as u8).await;
        let (acked, mut stopped) = (Arc::clone(&acked), stopped.clone());
        writers.push(tokio::spawn(async move {
            for round in 0u32.. {
                if *stopped.borrow_and_update() {
                    break;
                }
                let base = 10_000 * (w + 1) + round * 5;
                let batch: Vec<NewEntry> = (base..base + 5).map(|n| client.entry(n, 500)).collect();
                let acks = client.push(batch).await;
                acked
                    .lock()
                    .unwrap()
                    .extend(acks.iter().map(|a| (a.blob_id, a.seq)));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(50)).await;

    let acked_before: HashMap<BlobId, Seq> = acked.lock().unwrap().clone();
    let to = data.path().join("backup.sqlite3");
    let report = {
        let (dir, to) = (data.path().to_owned(), to.clone());
        tokio::task::spawn_blocking(move || server::backup(&dir, &to))
            .await
            .unwrap()
            .unwrap()
    };
    let acked_after_backup = acked.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(50)).await;
    stop_writers.send(true).unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let acked_total = acked.lock().unwrap().len();
    assert!(
        acked_total > acked_after_backup && acked_after_backup > 200,
        "the relay kept storing before, during and after the backup: \
         {acked_before:?} entries before, {acked_after_backup} after the backup, {acked_total} in all",
        acked_before = acked_before.len()
    );
    drop(first);
    relay.stop().await;

    // Restore: the backup becomes the database of a fresh data directory.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&to, restored.path().join(DB_FILE)).unwrap();
    let relay = Relay::start(restored.path(), web.path(), &[]).await;
    let (mut client, head) = relay.hello(1).await;
    let (entries, _) = client.pull_all(Seq::ZERO, 1 << 20).await;
    assert_eq!(
        entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        (1..=head.0).collect::<Vec<_>>(),
        "gap-free seqs up to the restored head"
    );
    assert_eq!(report.entries, head.0);
    assert_eq!(report.workspaces, 1);
    let blobs: HashSet<BlobId> = entries.iter().map(|e| e.header.blob_id).collect();
    assert_eq!(blobs.len(), entries.len(), "every blob once");
    let by_blob: HashMap<BlobId, Seq> = entries.iter().map(|e| (e.header.blob_id, e.seq)).collect();
    for (blob, seq) in &acked_before {
        assert_eq!(by_blob.get(blob), Some(seq), "acked before the backup");
    }
    let all_acked = acked.lock().unwrap().clone();
    for e in &entries {
        assert_eq!(
            all_acked.get(&e.header.blob_id),
            Some(&e.seq),
            "only acked entries"
        );
        let n = n_of(&e.header);
        let (author, len) = if n <= 200 {
            (key(1), 2000)
        } else {
            (key(10 + (n / 10_000 - 1) as u8), 500)
        };
        assert_eq!(e.header.author, author.device_id());
        assert_eq!(e.body, signed_entry(&author, WS, n, len).body);
    }
    // The restored relay appends after its head.
    let next = client.push(vec![entry(99_999, 41)]).await;
    assert_eq!(next[0].seq, Seq(head.0 + 1));
    drop(client);
    relay.stop().await;
}

#[cfg(unix)]
#[test]
fn the_backup_command_reports_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    enrol(&data, WS, &key(1), Role::Admin);
    let store = SqliteStore::open(&data).unwrap();
    store
        .append(
            WS,
            &(1..=7).map(|n| entry(n, 64)).collect::<Vec<_>>(),
            now_ms(),
        )
        .unwrap();

    let bin = env!("CARGO_BIN_EXE_homeward-server");
    let to = dir.path().join("relay-backup.sqlite3");
    let run = |data: &std::path::Path| {
        std::process::Command::new(bin)
            .args(["backup", "--data-dir"])
            .arg(data)
            .arg("--to")
            .arg(&to)
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    };
    // The relay's store stays open meanwhile, as a running relay's would.
    let wrote = run(&data);
    assert!(wrote.status.success(), "{wrote:?}");
    let stdout = String::from_utf8(wrote.stdout).unwrap();
    let size = std::fs::metadata(&to).unwrap().len();
    assert_eq!(
        stdout,
        format!(
            "wrote {}: 7 entries in 1 workspaces, {size} bytes\n",
            to.display()
        )
    );

    let before = std::fs::read(&to).unwrap();
    let again = run(&data);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(std::fs::read(&to).unwrap(), before, "left as it was");

    std::fs::remove_file(&to).unwrap();
    let typo = run(&dir.path().join("typo"));
    assert!(!typo.status.success());
    assert!(String::from_utf8_lossy(&typo.stderr).contains("--data-dir"));
    assert!(!to.exists(), "no file for a failed backup");
    drop(store);
}

#[tokio::test]
async fn a_connection_without_hello_is_closed_after_the_handshake_timeout() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &["--handshake-timeout", "300ms"]).await;
    let opened = Instant::now();
    let mut silent = relay.connect().await;
    let (mut prompt, _) = relay.hello(1).await;

    silent
        .expect_error_and_close(ErrorCode::HandshakeRequired)
        .await;
    let waited = opened.elapsed();
    assert!(waited >= Duration::from_millis(300), "{waited:?}");

    // The one that said Hello in time stays, past the deadline.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(seqs(&prompt.push(vec![entry(1, 50)]).await), [1]);
    let m = scrape(relay.addr).await;
    assert_eq!(m["homeward_errors_total{code=\"handshake_required\"}"], 1.0);
    drop(prompt);
    relay.stop().await;
}

#[tokio::test]
async fn pushes_past_the_burst_wait_while_others_are_served() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(
        data.path(),
        web.path(),
        &["--push-rate", "20", "--push-burst", "10"],
    )
    .await;
    let (mut greedy, _) = relay.hello(1).await;
    let within = Instant::now();
    greedy.push((1..=10).map(|n| entry(n, 50)).collect()).await;
    let within = within.elapsed();
    assert_eq!(scrape(relay.addr).await["homeward_rate_limited_total"], 0.0);

    // 20 more with an empty bucket: a second at 20 entries per second.
    let started = Instant::now();
    let over = tokio::spawn(async move {
        let acks = greedy.push((11..=30).map(|n| entry(n, 50)).collect()).await;
        (greedy, acks, Instant::now())
    });
    let (mut other, _) = relay.hello(2).await;
    other.push(vec![other.entry(100, 50)]).await;
    let (entries, _) = other.pull_all(Seq::ZERO, 1 << 20).await;
    let other_done = Instant::now();
    let (greedy, acks, greedy_done) = over.await.unwrap();
    let throttled = greedy_done - started;

    assert_eq!(acks.len(), 20);
    assert!(
        throttled >= Duration::from_millis(900),
        "{throttled:?} (the burst took {within:?})"
    );
    assert!(
        throttled > within * 3,
        "{throttled:?} vs {within:?} within the burst"
    );
    assert!(other_done < greedy_done, "the other device did not wait");
    assert!(
        !entries.iter().any(|e| e.seq.0 > 11),
        "the throttled push was not stored before its time"
    );
    let m = scrape(relay.addr).await;
    assert_eq!(m["homeward_rate_limited_total"], 1.0);
    assert!(m["homeward_rate_limited_seconds_total"] >= 0.9, "{m:?}");
    assert_eq!(m["homeward_entries_stored_total"], 31.0);
    drop((greedy, other));
    relay.stop().await;
}

#[tokio::test]
async fn a_silent_socket_is_pinged_then_closed() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(
        data.path(),
        web.path(),
        &["--ping-interval", "100ms", "--idle-timeout", "400ms"],
    )
    .await;
    let (mut silent, _) = relay.hello(1).await;
    let (mut lively, _) = relay.hello(2).await;

    // Reading answers pings (tungstenite sends the pongs).
    let until = tokio::time::Instant::now() + Duration::from_millis(900);
    let mut pings = 0;
    while let Ok(next) = tokio::time::timeout_at(until, lively.ws.next()).await {
        match next {
            Some(Ok(Message::Ping(_))) => pings += 1,
            other => panic!("expected only pings, got {other:?}"),
        }
    }
    assert!(pings >= 3, "{pings} pings");
    assert_eq!(seqs(&lively.push(vec![lively.entry(1, 50)]).await), [1]);

    // The one that read nothing, so answered no ping, was closed.
    assert_eq!(silent.expect_closed().await, Some(CloseCode::Away));
    let m = scrape(relay.addr).await;
    assert_eq!(m["homeward_idle_closed_total"], 1.0);
    drop(lively);
    relay.stop().await;
}

#[tokio::test]
async fn a_device_has_one_allowance_however_many_sockets_it_opens() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(
        data.path(),
        web.path(),
        &["--push-rate", "20", "--push-burst", "10"],
    )
    .await;
    let (mut first, _) = relay.hello(1).await;
    let (mut second, _) = relay.hello(1).await;
    let (mut other, _) = relay.hello(2).await;
    first.push((1..=10).map(|n| entry(n, 50)).collect()).await;

    // The burst is spent: the same device's other socket waits half a
    // second for 10 more, while another device's 10 go through at once.
    let started = Instant::now();
    let same_device = tokio::spawn(async move {
        second.push((11..=20).map(|n| entry(n, 50)).collect()).await;
        (second, started.elapsed())
    });
    other
        .push((21..=30).map(|n| other.entry(n, 50)).collect())
        .await;
    let other_took = started.elapsed();
    let (second, waited) = same_device.await.unwrap();
    assert!(waited >= Duration::from_millis(400), "{waited:?}");
    assert!(other_took < waited, "{other_took:?} vs {waited:?}");
    assert_eq!(scrape(relay.addr).await["homeward_rate_limited_total"], 1.0);
    drop((first, second, other));
    relay.stop().await;
}

/// What a pushing device saw before the relay closed on it.
#[derive(Default)]
struct Pushed {
    acked: Vec<(BlobId, Seq)>,
    /// Sent, never acked: stored entirely or not at all.
    unacked: Vec<Vec<BlobId>>,
}

#[tokio::test]
async fn pushes_acked_before_a_graceful_stop_survive_the_restart() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let mut writers = Vec::new();
    for w in 0..3u32 {
        let (mut client, _) = relay.hello(w as u8 + 1).await;
        writers.push(tokio::spawn(async move {
            let mut seen = Pushed::default();
            for round in 0u32.. {
                let base = 1000 * (w + 1) + round * 3;
                let batch: Vec<NewEntry> = (base..base + 3).map(|n| client.entry(n, 300)).collect();
                let blobs: Vec<BlobId> = batch.iter().map(|e| e.header.blob_id).collect();
                let frame = ClientMsg::Push { entries: batch }.encode();
                if client.ws.send(Message::binary(frame)).await.is_err() {
                    return seen;
                }
                loop {
                    match client.next_message().await {
                        Some(Message::Binary(frame)) => match ServerMsg::decode(&frame).unwrap() {
                            ServerMsg::Ack { acks } => {
                                seen.acked.extend(acks.iter().map(|a| (a.blob_id, a.seq)));
                                break;
                            }
                            // The other writers' pushes.
                            ServerMsg::Poke { .. } => continue,
                            other => panic!("expected Ack, got {other:?}"),
                        },
                        _ => {
                            seen.unacked.push(blobs);
                            return seen;
                        }
                    }
                }
            }
            unreachable!()
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    relay.stop().await;
    let mut seen = Vec::new();
    for writer in writers {
        seen.push(writer.await.unwrap());
    }

    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut client, head) = relay.hello(9).await;
    let (entries, _) = client.pull_all(Seq::ZERO, 1 << 20).await;
    assert_eq!(
        entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        (1..=head.0).collect::<Vec<_>>()
    );
    let stored: HashMap<BlobId, Seq> = entries.iter().map(|e| (e.header.blob_id, e.seq)).collect();
    let mut acked = 0;
    for pushed in &seen {
        assert!(!pushed.acked.is_empty(), "every writer got some pushes in");
        for (blob, seq) in &pushed.acked {
            assert_eq!(stored.get(blob), Some(seq), "acked before the stop");
            acked += 1;
        }
        for push in &pushed.unacked {
            let kept = push.iter().filter(|b| stored.contains_key(b)).count();
            assert!(kept == 0 || kept == push.len(), "a push is all or nothing");
        }
    }
    assert!(stored.len() >= acked);
    drop(client);
    relay.stop().await;
}
