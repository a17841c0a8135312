//! The relay end to end: started in-process on a free port with a temporary
//! data directory, driven by real WebSocket clients speaking `shared::wire`.

mod common;

use std::net::SocketAddr;

use clap::Parser;
use futures::{SinkExt, StreamExt};
use server::Config;
use server::log_store::{
    Appended, BootstrapPage, EntrySummary, LogState, Membership, Page, Pruned, Redeemed, StoreError,
};
use shared::ids::{DeviceId, DocId, Seq, WorkspaceId};
use shared::wire::{
    BootstrapResume, ClientMsg, DeviceInfo, EntryHeader, EntryKind, ErrorCode, NewEntry,
    PROTOCOL_VERSION, Redeem, Role, ServerMsg,
};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use common::*;

#[tokio::test]
async fn garbage_closes_only_its_own_connection() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut good, _) = relay.hello(1).await;

    let mut bad = relay.connect().await;
    bad.send_raw(b"\x00\x01 definitely not homeward".to_vec())
        .await;
    bad.expect_error_and_close(ErrorCode::Malformed).await;

    // A Homeward frame whose message does not decode, after the handshake.
    let (mut truncated, _) = relay.hello(2).await;
    truncated
        .send_raw(vec![b'H', b'W', PROTOCOL_VERSION, 0x02, 0x05])
        .await;
    truncated.expect_error_and_close(ErrorCode::Malformed).await;

    let mut text = relay.connect().await;
    text.ws.send(Message::text("hello?")).await.unwrap();
    match text.recv().await {
        ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::Malformed),
        other => panic!("expected Error, got {other:?}"),
    }
    assert_eq!(text.expect_closed().await, Some(CloseCode::Unsupported));

    assert_eq!(seqs(&good.push(vec![entry(1, 50)]).await), [1]);
    let (entries, head, has_more) = good.pull(Seq::ZERO, 1 << 20).await;
    assert_eq!((entries.len(), head, has_more), (1, Seq(1), false));
    drop(good);
    relay.stop().await;
}

#[tokio::test]
async fn a_push_over_the_body_limit_is_refused() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &["--max-push-body-bytes", "1000"]).await;
    let (mut client, _) = relay.hello(1).await;
    assert_eq!(seqs(&client.push(vec![entry(1, 1000)]).await), [1]);
    client
        .send(&ClientMsg::Push {
            entries: vec![entry(2, 600), entry(3, 600)],
        })
        .await;
    client.expect_error_and_close(ErrorCode::TooLarge).await;
    let (mut again, head) = relay.hello(1).await;
    assert_eq!(head, Seq(1), "nothing of the refused push was stored");
    assert_eq!(again.pull_all(Seq::ZERO, 1 << 20).await.0.len(), 1);
    drop(again);
    relay.stop().await;
}

#[tokio::test]
async fn a_frame_over_the_limit_is_refused() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (client, _) = relay.hello(1).await;
    let mut frame = ClientMsg::Push {
        entries: vec![entry(1, 41)],
    }
    .encode();
    frame.resize(shared::wire::MAX_FRAME_BYTES + 1, 0);
    // The relay stops reading at the frame header, so the rest of the frame
    // may never be written: send and read independently, as a browser does.
    let (mut sink, mut stream) = client.ws.split();
    let sending = tokio::spawn(async move {
        let _ = sink.send(Message::binary(frame)).await;
    });
    let reply = tokio::time::timeout(WAIT, stream.next()).await.unwrap();
    match reply {
        Some(Ok(Message::Binary(bytes))) => match ServerMsg::decode(&bytes).unwrap() {
            ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::TooLarge),
            other => panic!("expected Error, got {other:?}"),
        },
        other => panic!("expected a binary frame, got {other:?}"),
    }
    match tokio::time::timeout(WAIT, stream.next()).await.unwrap() {
        Some(Ok(Message::Close(Some(close)))) => assert_eq!(close.code, CloseCode::Size),
        other => panic!("expected a close frame, got {other:?}"),
    }
    sending.abort();
    relay.stop().await;
}

#[tokio::test]
async fn a_blob_pushed_three_times_is_stored_once() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;

    let (mut first, _) = relay.hello(1).await;
    assert_eq!(seqs(&first.push(vec![entry(7, 50)]).await), [1]);
    assert_eq!(seqs(&first.push(vec![entry(7, 50)]).await), [1]);
    drop(first);

    // A retry after a reconnect, batched with a new entry.
    let (mut second, head) = relay.hello(1).await;
    assert_eq!(head, Seq(1));
    assert_eq!(
        seqs(&second.push(vec![entry(7, 50), entry(8, 45)]).await),
        [1, 2]
    );
    let (entries, _) = second.pull_all(Seq::ZERO, 1 << 20).await;
    assert_eq!(entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(entries[0].body, entry(7, 50).body);
    drop(second);
    relay.stop().await;

    let mut listing = Vec::new();
    server::list_entries(data.path(), &mut listing).unwrap();
    assert_eq!(String::from_utf8(listing).unwrap().lines().count(), 2);
}

#[tokio::test]
async fn seqs_are_gap_free_across_clients() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut a, _) = relay.hello(1).await;
    let (mut b, _) = relay.hello(2).await;

    let mut acked = Vec::new();
    for round in 0..8u32 {
        let batch = |client: &Client, base: u32| -> Vec<NewEntry> {
            (0..=round % 3)
                .map(|i| client.entry(base + round * 10 + i, 60))
                .collect()
        };
        let (batch_a, batch_b) = (batch(&a, 1000), batch(&b, 5000));
        // Both push at once, so their transactions contend.
        let (from_a, from_b) = tokio::join!(a.push(batch_a), b.push(batch_b));
        for acks in [from_a, from_b] {
            let s = seqs(&acks);
            assert!(
                s.windows(2).all(|w| w[1] == w[0] + 1),
                "one push is contiguous: {s:?}"
            );
            acked.extend(s);
        }
    }
    acked.sort_unstable();
    let n = acked.len() as u64;
    assert_eq!(acked, (1..=n).collect::<Vec<_>>());

    let (entries, _) = a.pull_all(Seq::ZERO, 1 << 20).await;
    assert_eq!(
        entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        (1..=n).collect::<Vec<_>>()
    );
    drop((a, b));
    relay.stop().await;
}

#[tokio::test]
async fn pull_pages_cover_the_log_once_in_order() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &["--max-pull-page-bytes", "1000"]).await;
    let (mut client, _) = relay.hello(1).await;
    let pushed: Vec<NewEntry> = (1..=25).map(|n| entry(n, 200)).collect();
    for chunk in pushed.chunks(7) {
        client.push(chunk.to_vec()).await;
    }

    let (entries, pages) = client.pull_all(Seq::ZERO, 500).await;
    assert!(pages > 10, "small pages: {pages}");
    assert_eq!(
        entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        (1..=25).collect::<Vec<_>>()
    );
    for (got, sent) in entries.iter().zip(&pushed) {
        assert_eq!(got.header, sent.header);
        assert_eq!(got.body, sent.body);
    }

    // A device asking for more than the relay allows gets the relay's page.
    let (page, head, has_more) = client.pull(Seq::ZERO, u32::MAX).await;
    assert!(page.len() < 25 && has_more);
    assert_eq!(head, Seq(25));
    let (rest, _) = client.pull_all(Seq(20), u32::MAX).await;
    assert_eq!(rest.first().map(|e| e.seq), Some(Seq(21)));

    let (nothing, head, has_more) = client.pull(Seq(25), 500).await;
    assert!(nothing.is_empty() && !has_more && head == Seq(25));
    drop(client);
    relay.stop().await;
}

#[tokio::test]
async fn a_subscriber_is_poked_when_another_device_pushes() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut writer, _) = relay.hello(1).await;
    let (mut reader, head) = relay.hello(2).await;
    assert_eq!(head, Seq::ZERO);

    writer.push(vec![entry(1, 50), entry(2, 50)]).await;
    assert_eq!(reader.recv().await, ServerMsg::Poke { head: Seq(2) });
    let (entries, _) = reader.pull_all(Seq::ZERO, 1 << 20).await;
    assert_eq!(entries.len(), 2);

    writer.push(vec![entry(3, 50)]).await;
    assert_eq!(reader.recv().await, ServerMsg::Poke { head: Seq(3) });
    // The pusher learns the head from its ack, not from a poke.
    writer
        .send(&ClientMsg::Pull {
            after: Seq(3),
            max_bytes: 10,
        })
        .await;
    assert!(matches!(writer.recv().await, ServerMsg::Batch { .. }));
    drop((writer, reader));
    relay.stop().await;
}

#[tokio::test]
async fn a_restarted_relay_keeps_every_entry_and_its_head() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let pushed: Vec<NewEntry> = (1..=5).map(|n| entry(n, 300)).collect();

    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut client, _) = relay.hello(1).await;
    client.push(pushed[..2].to_vec()).await;
    client.push(pushed[2..].to_vec()).await;
    let ((), close) = tokio::join!(relay.stop(), client.expect_closed());
    assert_eq!(
        close,
        Some(CloseCode::Away),
        "open sockets hear the relay stop"
    );

    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut client, head) = relay.hello(1).await;
    assert_eq!(head, Seq(5));
    let (entries, _) = client.pull_all(Seq::ZERO, 1 << 20).await;
    assert_eq!(entries.len(), 5);
    for (got, sent) in entries.iter().zip(&pushed) {
        assert_eq!((&got.header, &got.body), (&sent.header, &sent.body));
    }
    assert_eq!(
        seqs(&client.push(vec![entry(1, 300), entry(6, 41)]).await),
        [1, 6]
    );
    drop(client);
    relay.stop().await;
}

#[tokio::test]
async fn health_and_static_app() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;

    let health = http_get(relay.addr, "/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));

    let index = http_get(relay.addr, "/").await;
    assert_eq!(index.status, 200);
    assert!(index.body.contains("<title>Homeward</title>"));
    assert!(
        index.head.contains("cache-control: no-cache"),
        "{}",
        index.head
    );

    let script = http_get(relay.addr, "/app.js").await;
    assert_eq!(
        (script.status, script.body.as_str()),
        (200, "console.log('homeward')")
    );
    assert!(script.head.contains("cache-control: no-cache"));

    let deep_link = http_get(relay.addr, "/cases/1234/edit").await;
    assert_eq!(deep_link.status, 200);
    assert!(deep_link.body.contains("<title>Homeward</title>"));

    // A missing file is not answered with the app's HTML.
    let missing_asset = http_get(relay.addr, "/homeward-client-0123_bg.wasm").await;
    assert_eq!(missing_asset.status, 404);
    relay.stop().await;

    let empty = tempfile::tempdir().unwrap();
    let relay = Relay::start(data.path(), &empty.path().join("dist"), &[]).await;
    let missing = http_get(relay.addr, "/").await;
    assert_eq!(missing.status, 503);
    assert!(missing.body.contains("cargo xtask run"), "{}", missing.body);
    assert_eq!(http_get(relay.addr, "/healthz").await.status, 200);
    relay.stop().await;
}

/// The binary as an operator runs it: one stdout line with the address,
/// the setup code logged once on first start (and nowhere else), a clean
/// stop on SIGTERM, and `list-entries` without bodies.
#[cfg(unix)]
#[tokio::test]
async fn the_binary_serves_stops_on_sigterm_and_lists_entries() {
    use tokio::io::AsyncBufReadExt;

    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let bin = env!("CARGO_BIN_EXE_homeward-server");
    let mut child = tokio::process::Command::new(bin)
        .args([
            "--bind",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--data-dir",
        ])
        .arg(data.path())
        .arg("--web-dir")
        .arg(web.path())
        .env("RUST_LOG", "debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(WAIT, stdout.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let addr: SocketAddr = line
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();

    // The log, read to the end in the background so the pipe never fills.
    let mut stderr = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let (code_tx, code_rx) = tokio::sync::oneshot::channel();
    let log = tokio::spawn(async move {
        let mut code_tx = Some(code_tx);
        let mut all = Vec::new();
        while let Ok(Some(line)) = stderr.next_line().await {
            let json: serde_json::Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
            let message = json["fields"]["message"].as_str().unwrap_or_default();
            if let Some(code) = message.split("one-time setup code: ").nth(1) {
                assert_eq!(json["level"], "INFO");
                if let Some(tx) = code_tx.take() {
                    let _ = tx.send(code.to_owned());
                }
            }
            all.push(line);
        }
        all
    });
    let code = tokio::time::timeout(WAIT, code_rx).await.unwrap().unwrap();
    assert_eq!(code.len(), 23, "{code}");

    assert_eq!(http_get(addr, "/healthz").await.status, 200);
    let relay_origin = format!("http://{addr}");
    let admin = key(3);
    let mut client = connect(addr).await;
    assert_eq!(client.challenge.origin, relay_origin);
    client
        .hello(&admin, WS, Some(Redeem::SetupCode(code.clone())))
        .await;
    assert_eq!(
        client.recv().await,
        ServerMsg::Welcome {
            head: Seq::ZERO,
            role: Role::Admin,
            pruned_through: Seq::ZERO,
        }
    );
    let (ticket, _) = client.invite(Role::Viewer, 60).await;
    let template = client.entry(42, 123);
    let snapshot = sealed_entry(
        &admin,
        WS,
        EntryHeader {
            kind: EntryKind::Snapshot { covers: Seq(0) },
            key_epoch: 3,
            ..template.header
        },
        &[0x5e; 123 - shared::sealing::SEAL_OVERHEAD],
    );
    client.push(vec![snapshot.clone()]).await;

    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(client.expect_closed().await, Some(CloseCode::Away));
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    assert_eq!(
        stdout.next_line().await.unwrap(),
        None,
        "one stdout line only"
    );
    let log = log.await.unwrap();
    let with_code = log.iter().filter(|l| l.contains(&code)).count();
    assert_eq!(with_code, 1, "the setup code is logged once:\n{log:#?}");
    for secret in [
        hex::encode(ticket),
        hex::encode(shared::signing::secret_hash(&ticket)),
        hex::encode(snapshot.body.as_bytes()),
    ] {
        assert!(
            !log.iter().any(|l| l.contains(&secret)),
            "a secret or a body in the log:\n{log:#?}"
        );
    }
    assert!(
        log.iter().any(|l| l.contains("welcome")),
        "the debug log is on"
    );

    let listed = std::process::Command::new(bin)
        .args(["list-entries", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(listed.status.success());
    let text = String::from_utf8(listed.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].starts_with(r#"{"workspace":""#), "{text}");
    assert!(!text.contains("body\""), "never a body: {text}");
    let json: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    let h = &snapshot.header;
    assert_eq!(json["seq"], 1, "{json}");
    assert_eq!(json["workspace"], WS.to_hex());
    assert_eq!(json["blob_id"], h.blob_id.to_hex());
    assert_eq!(json["kind"], "snapshot");
    assert_eq!(json["covers"], 0);
    assert_eq!(json["author"], h.author.to_hex());
    assert_eq!(json["body_len"], 123);

    let nowhere = std::process::Command::new(bin)
        .args(["list-entries", "--data-dir"])
        .arg(data.path().join("typo"))
        .output()
        .unwrap();
    assert!(!nowhere.status.success());
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("--data-dir"));
}

/// `homeward-server setup-code` prints the code alone, and that code
/// creates a workspace on a running relay; a second one replaces it.
#[cfg(unix)]
#[tokio::test]
async fn the_setup_code_command_prints_a_working_code() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let bin = env!("CARGO_BIN_EXE_homeward-server");
    let issue = || {
        let out = std::process::Command::new(bin)
            .args(["setup-code", "--data-dir"])
            .arg(data.path())
            .env("RUST_LOG", "debug")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        let code = stdout.strip_suffix('\n').unwrap().to_owned();
        assert!(!code.contains('\n'), "only the code: {stdout:?}");
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 4, "{code}");
        assert!(groups.iter().all(|g| {
            g.len() == 5
                && g.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }));
        code
    };
    let replaced = issue();
    let code = issue();
    let typo = std::process::Command::new(bin)
        .args(["setup-code", "--data-dir"])
        .arg(data.path().join("typo"))
        .output()
        .unwrap();
    assert!(!typo.status.success());
    assert!(typo.stdout.is_empty());
    assert!(String::from_utf8_lossy(&typo.stderr).contains("--data-dir"));
    assert!(!data.path().join("typo").exists(), "nothing created");
    let stale = relay
        .login(&key(1), WS, Some(Redeem::SetupCode(replaced)))
        .await
        .err();
    assert_eq!(stale.map(|r| r.0), Some(ErrorCode::BadTicket));
    let (_, welcome) = relay
        .login(&key(1), WS, Some(Redeem::SetupCode(code)))
        .await
        .unwrap();
    assert_eq!(welcome.role, Role::Admin);
    relay.stop().await;
}

#[tokio::test]
async fn a_new_device_bootstraps_from_snapshots_and_an_old_cursor_is_pruned() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(
        data.path(),
        web.path(),
        &["--retention", "0s", "--prune-interval", "50ms"],
    )
    .await;
    let (mut writer, _) = relay.hello(1).await;
    let author = key(1);
    let change = |doc: u8, n: u8| {
        sealed_entry(
            &author,
            WS,
            EntryHeader {
                doc_id: DocId([doc; 16]),
                kind: EntryKind::Change,
                blob_id: shared::ids::BlobId([doc, n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
                author: author.device_id(),
                key_epoch: 0,
            },
            &[n; 100],
        )
    };
    // Two documents, four changes each (seqs 1..=8), then a snapshot of
    // document 1 covering everything so far (seq 9), then one more change
    // of document 1 (seq 10).
    let mut acks = Vec::new();
    for n in 0..4 {
        acks.extend(writer.push(vec![change(1, n), change(2, n)]).await);
    }
    assert_eq!(acks.last().map(|a| a.tail), Some(4), "document 2's tail");
    let snapshot = sealed_entry(
        &author,
        WS,
        EntryHeader {
            doc_id: DocId([1; 16]),
            kind: EntryKind::Snapshot { covers: Seq(8) },
            blob_id: shared::ids::BlobId([0xee; 16]),
            author: author.device_id(),
            key_epoch: 0,
        },
        &[0xcc; 150],
    );
    assert_eq!(seqs(&writer.push(vec![snapshot]).await), [9]);
    let last = writer.push(vec![change(1, 9)]).await;
    assert_eq!((last[0].seq, last[0].tail), (Seq(10), 1));

    // The prune task removes document 1's covered changes (seqs 1, 3, 5, 7).
    let deadline = std::time::Instant::now() + WAIT;
    let welcome = loop {
        let (_, welcome) = relay.login(&key(1), WS, None).await.unwrap();
        if welcome.pruned_through == Seq(7) {
            break welcome;
        }
        assert!(std::time::Instant::now() < deadline, "{welcome:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(welcome.head, Seq(10));
    assert!(scrape(relay.addr).await["homeward_pruned_entries_total"] >= 4.0);

    let (mut old, _) = relay.hello(2).await;
    old.send(&ClientMsg::Pull {
        after: Seq(2),
        max_bytes: 1 << 20,
    })
    .await;
    let message = old.expect_error_and_close(ErrorCode::CursorPruned).await;
    assert!(message.contains("bootstrap"), "{message}");
    // At the horizon, pulling is fine.
    let (mut current, _) = relay.hello(2).await;
    let (rest, _) = current.pull_all(Seq(7), 1 << 20).await;
    assert_eq!(rest.iter().map(|e| e.seq.0).collect::<Vec<_>>(), [8, 9, 10]);

    // Bootstrap one document per page (tiny pages), resumed on a new
    // connection halfway.
    let mut fresh = relay.hello(3).await.0;
    fresh
        .send(&ClientMsg::Bootstrap {
            resume: None,
            max_bytes: 1,
        })
        .await;
    let (first, next) = match fresh.recv_reply().await {
        ServerMsg::BootstrapPage {
            entries,
            upto,
            next,
            docs_done,
            docs_total,
        } => {
            assert_eq!((upto, docs_done, docs_total), (Seq(10), 1, 2));
            (entries, next.expect("one more document"))
        }
        other => panic!("expected BootstrapPage, got {other:?}"),
    };
    drop(fresh);
    let mut resumed = relay.hello(3).await.0;
    resumed
        .send(&ClientMsg::Bootstrap {
            resume: Some(next),
            max_bytes: 1,
        })
        .await;
    let second = match resumed.recv_reply().await {
        ServerMsg::BootstrapPage {
            entries,
            upto,
            next,
            docs_done,
            docs_total,
        } => {
            assert_eq!((upto, next, docs_done, docs_total), (Seq(10), None, 2, 2));
            entries
        }
        other => panic!("expected BootstrapPage, got {other:?}"),
    };
    let got: Vec<u64> = first.iter().chain(&second).map(|e| e.seq.0).collect();
    // Document 1: its snapshot and the change after it; document 2: all
    // four changes.
    assert_eq!(got, [9, 10, 2, 4, 6, 8]);
    let m = scrape(relay.addr).await;
    assert_eq!(m["homeward_bootstrap_pages_total"], 2.0);
    assert_eq!(m["homeward_errors_total{code=\"cursor_pruned\"}"], 1.0);
    drop((writer, current, resumed));
    relay.stop().await;
}

/// A store whose every data call fails, as a full disk or a lost database
/// would; it still knows its members, so devices get past the handshake.
#[derive(Debug)]
struct BrokenStore;

fn gone<T>() -> Result<T, StoreError> {
    Err(StoreError::Corrupt("the disk is gone".into()))
}

impl server::LogStore for BrokenStore {
    fn append(&self, _: WorkspaceId, _: &[NewEntry], _: i64) -> Result<Appended, StoreError> {
        gone()
    }
    fn read_after(&self, _: WorkspaceId, _: Seq, _: usize) -> Result<Page, StoreError> {
        gone()
    }
    fn bootstrap_page(
        &self,
        _: WorkspaceId,
        _: Option<BootstrapResume>,
        _: usize,
    ) -> Result<BootstrapPage, StoreError> {
        gone()
    }
    fn log_state(&self, _: WorkspaceId) -> Result<LogState, StoreError> {
        Ok(LogState::default())
    }
    fn prune(&self, _: i64) -> Result<Pruned, StoreError> {
        gone()
    }
    fn membership(&self, _: WorkspaceId, _: DeviceId) -> Result<Membership, StoreError> {
        Ok(Membership::Member(Role::Admin))
    }
    fn redeem_setup_code(
        &self,
        _: [u8; 32],
        _: WorkspaceId,
        _: DeviceId,
        _: i64,
    ) -> Result<Redeemed, StoreError> {
        gone()
    }
    fn redeem_ticket(
        &self,
        _: [u8; 32],
        _: WorkspaceId,
        _: DeviceId,
        _: i64,
    ) -> Result<Redeemed, StoreError> {
        gone()
    }
    fn add_ticket(
        &self,
        _: WorkspaceId,
        _: [u8; 32],
        _: Role,
        _: i64,
        _: DeviceId,
        _: i64,
    ) -> Result<(), StoreError> {
        gone()
    }
    fn devices(&self, _: WorkspaceId) -> Result<Vec<DeviceInfo>, StoreError> {
        gone()
    }
    fn revoke(&self, _: WorkspaceId, _: DeviceId, _: i64) -> Result<bool, StoreError> {
        gone()
    }
    fn set_setup_code(&self, _: [u8; 32], _: i64) -> Result<(), StoreError> {
        gone()
    }
    fn is_empty(&self) -> Result<bool, StoreError> {
        gone()
    }
    fn list_all(
        &self,
        _: &mut dyn FnMut(EntrySummary) -> std::io::Result<()>,
    ) -> Result<(), StoreError> {
        Ok(())
    }
    fn ping(&self) -> Result<(), StoreError> {
        gone()
    }
    fn storage_bytes(&self) -> Result<u64, StoreError> {
        gone()
    }
}

#[tokio::test]
async fn a_storage_failure_is_reported_not_fatal() {
    let web = web_dir();
    let config = Config::try_parse_from([
        "homeward-server".as_ref(),
        "--web-dir".as_ref(),
        web.path().as_os_str(),
    ])
    .unwrap();
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let listener = server::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let origin = server::public_origin(&config, addr).unwrap();
    let state = server::AppState::new(
        std::sync::Arc::new(BrokenStore),
        &config,
        origin.clone(),
        stop_rx,
    );
    let serving = tokio::spawn(async move {
        axum::serve(listener, server::app(state)).await.unwrap();
    });
    let data = tempfile::tempdir().unwrap();
    let relay = Relay {
        addr,
        origin,
        data_dir: data.path().to_owned(),
        stop: None,
        task: tokio::spawn(async { Ok(()) }),
    };

    assert_eq!(http_get(addr, "/healthz").await.status, 503);
    let (mut client, _) = relay.login(&key(1), WS, None).await.unwrap();
    client
        .send(&ClientMsg::Push {
            entries: vec![entry(1, 50)],
        })
        .await;
    client.expect_error_and_close(ErrorCode::Internal).await;
    // The relay itself carries on.
    let requests = [
        ClientMsg::Pull {
            after: Seq::ZERO,
            max_bytes: 100,
        },
        ClientMsg::Bootstrap {
            resume: None,
            max_bytes: 100,
        },
        ClientMsg::ListDevices,
    ];
    for request in requests {
        let (mut again, _) = relay.login(&key(1), WS, None).await.unwrap();
        again.send(&request).await;
        again.expect_error_and_close(ErrorCode::Internal).await;
    }
    // A redemption that cannot be stored is an internal error too, not a
    // bad ticket.
    let redeeming = relay
        .login(&key(2), WS, Some(Redeem::Ticket([1; 32])))
        .await
        .err();
    assert_eq!(redeeming.map(|r| r.0), Some(ErrorCode::Internal));
    assert_eq!(http_get(addr, "/").await.status, 200);
    drop(stop);
    serving.abort();
}
