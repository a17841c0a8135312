//! The relay end to end: started in-process on a free port with a temporary
//! data directory, driven by real WebSocket clients speaking `shared::wire`.

mod common;

use std::net::SocketAddr;

use clap::Parser;
use futures::{SinkExt, StreamExt};
use server::Config;
use server::log_store::{Appended, EntrySummary, Page, StoreError};
use shared::ids::{DeviceId, Seq, WorkspaceId};
use shared::wire::{ClientMsg, EntryKind, ErrorCode, NewEntry, ServerMsg};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use common::*;

#[tokio::test]
async fn a_message_before_hello_is_refused() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;

    let mut client = relay.connect().await;
    client
        .send(&ClientMsg::Pull {
            after: Seq::ZERO,
            max_bytes: 1024,
        })
        .await;
    client
        .expect_error_and_close(ErrorCode::HandshakeRequired)
        .await;

    let (mut twice, _) = relay.hello(1).await;
    twice
        .send(&ClientMsg::Hello {
            workspace: WS,
            device: DeviceId([1; 32]),
        })
        .await;
    twice
        .expect_error_and_close(ErrorCode::HandshakeRequired)
        .await;
    relay.stop().await;
}

#[tokio::test]
async fn another_protocol_version_is_refused() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let mut client = relay.connect().await;
    let mut frame = ClientMsg::Hello {
        workspace: WS,
        device: DeviceId([1; 32]),
    }
    .encode();
    frame[2] = 2;
    client.send_raw(frame).await;
    client
        .expect_error_and_close(ErrorCode::UnsupportedVersion)
        .await;
    relay.stop().await;
}

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
    truncated.send_raw(b"HW\x01\x01\x05".to_vec()).await;
    truncated.expect_error_and_close(ErrorCode::Malformed).await;

    let mut text = relay.connect().await;
    text.ws.send(Message::text("hello?")).await.unwrap();
    match text.recv().await {
        ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::Malformed),
        other => panic!("expected Error, got {other:?}"),
    }
    assert_eq!(text.expect_closed().await, Some(CloseCode::Unsupported));

    assert_eq!(seqs(&good.push(vec![entry(1, 10)]).await), [1]);
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
        entries: vec![entry(1, 0)],
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
        seqs(&second.push(vec![entry(7, 50), entry(8, 5)]).await),
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
        let batch = |base: u32| -> Vec<NewEntry> {
            (0..=round % 3)
                .map(|i| entry(base + round * 10 + i, 20))
                .collect()
        };
        // Both push at once, so their transactions contend.
        let (from_a, from_b) = tokio::join!(a.push(batch(1000)), b.push(batch(5000)));
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

    writer.push(vec![entry(1, 10), entry(2, 10)]).await;
    assert_eq!(reader.recv().await, ServerMsg::Poke { head: Seq(2) });
    let (entries, _) = reader.pull_all(Seq::ZERO, 1 << 20).await;
    assert_eq!(entries.len(), 2);

    writer.push(vec![entry(3, 10)]).await;
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
        seqs(&client.push(vec![entry(1, 300), entry(6, 1)]).await),
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
/// a clean stop on SIGTERM, and `list-entries` without bodies.
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
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
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

    assert_eq!(http_get(addr, "/healthz").await.status, 200);
    let url = format!("ws://{addr}/v1/sync");
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut client = Client { ws };
    client
        .send(&ClientMsg::Hello {
            workspace: WS,
            device: DeviceId([3; 32]),
        })
        .await;
    assert_eq!(client.recv().await, ServerMsg::Welcome { head: Seq::ZERO });
    let mut snapshot = entry(42, 123);
    snapshot.header.kind = EntryKind::Snapshot;
    snapshot.header.key_epoch = 3;
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
    assert_eq!(
        json,
        serde_json::json!({
            "workspace": WS.to_hex(),
            "seq": 1,
            "doc_id": h.doc_id.to_hex(),
            "blob_id": h.blob_id.to_hex(),
            "kind": "snapshot",
            "author": h.author.to_hex(),
            "key_epoch": 3,
            "body_len": 123,
        })
    );

    let nowhere = std::process::Command::new(bin)
        .args(["list-entries", "--data-dir"])
        .arg(data.path().join("typo"))
        .output()
        .unwrap();
    assert!(!nowhere.status.success());
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("--data-dir"));
}

/// A store whose every call fails, as a full disk or a lost database would.
#[derive(Debug)]
struct BrokenStore;

impl server::LogStore for BrokenStore {
    fn append(&self, _: WorkspaceId, _: &[NewEntry]) -> Result<Appended, StoreError> {
        Err(StoreError::Corrupt("the disk is gone".into()))
    }
    fn read_after(&self, _: WorkspaceId, _: Seq, _: usize) -> Result<Page, StoreError> {
        Err(StoreError::Corrupt("the disk is gone".into()))
    }
    fn head(&self, _: WorkspaceId) -> Result<Seq, StoreError> {
        Ok(Seq::ZERO)
    }
    fn list_all(
        &self,
        _: &mut dyn FnMut(EntrySummary) -> std::io::Result<()>,
    ) -> Result<(), StoreError> {
        Ok(())
    }
    fn ping(&self) -> Result<(), StoreError> {
        Err(StoreError::Corrupt("the disk is gone".into()))
    }
    fn storage_bytes(&self) -> Result<u64, StoreError> {
        Err(StoreError::Corrupt("the disk is gone".into()))
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
    let state = server::AppState::new(std::sync::Arc::new(BrokenStore), &config, stop_rx);
    let listener = server::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let serving = tokio::spawn(async move {
        axum::serve(listener, server::app(state)).await.unwrap();
    });
    let relay = Relay {
        addr,
        stop: None,
        task: tokio::spawn(async { Ok(()) }),
    };

    assert_eq!(http_get(addr, "/healthz").await.status, 503);
    let (mut client, _) = relay.hello(1).await;
    client
        .send(&ClientMsg::Push {
            entries: vec![entry(1, 10)],
        })
        .await;
    client.expect_error_and_close(ErrorCode::Internal).await;
    // The relay itself carries on.
    let (mut again, _) = relay.hello(1).await;
    again
        .send(&ClientMsg::Pull {
            after: Seq::ZERO,
            max_bytes: 100,
        })
        .await;
    again.expect_error_and_close(ErrorCode::Internal).await;
    assert_eq!(http_get(addr, "/").await.status, 200);
    drop(stop);
    serving.abort();
}
