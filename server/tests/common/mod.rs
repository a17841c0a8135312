//! What the relay's integration tests share: the relay started in-process on
//! a free port with a temporary data directory, and a WebSocket client
//! speaking `shared::wire`.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use clap::Parser;
use futures::{SinkExt, StreamExt};
use server::{Config, ServerError};
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::wire::{
    Acked, ClientMsg, Entry, EntryHeader, EntryKind, ErrorCode, NewEntry, ServerMsg,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const WAIT: Duration = Duration::from_secs(10);
pub const WS: WorkspaceId = WorkspaceId([0x5a; 16]);

pub struct Relay {
    pub addr: SocketAddr,
    pub stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<Result<(), ServerError>>,
}

impl Relay {
    pub async fn start(data_dir: &Path, web_dir: &Path, extra: &[&str]) -> Relay {
        let mut args = vec![
            "homeward-server".to_owned(),
            "--data-dir".to_owned(),
            data_dir.display().to_string(),
            "--web-dir".to_owned(),
            web_dir.display().to_string(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let config = Config::try_parse_from(args).unwrap();
        let listener = server::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(config, listener, async move {
            let _ = stopped.await;
        }));
        Relay {
            addr,
            stop: Some(stop),
            task,
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(WAIT, &mut self.task)
            .await
            .expect("the relay stops in time")
            .unwrap()
            .unwrap();
    }

    pub async fn connect(&self) -> Client {
        let url = format!("ws://{}/v1/sync", self.addr);
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Client { ws }
    }

    /// A client past the handshake, and the head the relay welcomed it with.
    pub async fn hello(&self, device: u8) -> (Client, Seq) {
        let mut client = self.connect().await;
        client
            .send(&ClientMsg::Hello {
                workspace: WS,
                device: DeviceId([device; 32]),
            })
            .await;
        match client.recv().await {
            ServerMsg::Welcome { head } => (client, head),
            other => panic!("expected Welcome, got {other:?}"),
        }
    }
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn send(&mut self, msg: &ClientMsg) {
        self.send_raw(msg.encode()).await;
    }

    pub async fn send_raw(&mut self, frame: Vec<u8>) {
        self.ws.send(Message::binary(frame)).await.unwrap();
    }

    pub async fn next_message(&mut self) -> Option<Message> {
        loop {
            let next = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the relay answers in time");
            match next {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(msg)) => return Some(msg),
                Some(Err(_)) | None => return None,
            }
        }
    }

    pub async fn recv(&mut self) -> ServerMsg {
        match self.next_message().await {
            Some(Message::Binary(frame)) => ServerMsg::decode(&frame).unwrap(),
            other => panic!("expected a binary frame, got {other:?}"),
        }
    }

    /// The next message that is not a poke.
    pub async fn recv_reply(&mut self) -> ServerMsg {
        loop {
            match self.recv().await {
                ServerMsg::Poke { .. } => continue,
                msg => return msg,
            }
        }
    }

    pub async fn expect_error_and_close(&mut self, expected: ErrorCode) {
        match self.recv().await {
            ServerMsg::Error { code, message } => {
                assert_eq!(code, expected, "{message}");
                assert!(!message.is_empty());
            }
            other => panic!("expected Error {expected:?}, got {other:?}"),
        }
        self.expect_closed().await;
    }

    pub async fn expect_closed(&mut self) -> Option<CloseCode> {
        let code = match self.next_message().await {
            Some(Message::Close(frame)) => frame.map(|f| f.code),
            None => return None,
            other => panic!("expected the relay to close, got {other:?}"),
        };
        // Reading on sends our answer to the close, and sees the stream end.
        assert!(self.next_message().await.is_none());
        code
    }

    pub async fn push(&mut self, entries: Vec<NewEntry>) -> Vec<Acked> {
        let blob_ids: Vec<BlobId> = entries.iter().map(|e| e.header.blob_id).collect();
        self.send(&ClientMsg::Push { entries }).await;
        match self.recv_reply().await {
            ServerMsg::Ack { acks } => {
                assert_eq!(
                    acks.iter().map(|a| a.blob_id).collect::<Vec<_>>(),
                    blob_ids,
                    "one ack per entry, in push order"
                );
                acks
            }
            other => panic!("expected Ack, got {other:?}"),
        }
    }

    pub async fn pull(&mut self, after: Seq, max_bytes: u32) -> (Vec<Entry>, Seq, bool) {
        self.send(&ClientMsg::Pull { after, max_bytes }).await;
        match self.recv_reply().await {
            ServerMsg::Batch {
                entries,
                head,
                has_more,
            } => (entries, head, has_more),
            other => panic!("expected Batch, got {other:?}"),
        }
    }

    /// Every entry after `after`, page by page.
    pub async fn pull_all(&mut self, after: Seq, max_bytes: u32) -> (Vec<Entry>, usize) {
        let mut cursor = after;
        let mut all = Vec::new();
        let mut pages = 0;
        loop {
            let (entries, head, has_more) = self.pull(cursor, max_bytes).await;
            pages += 1;
            if let Some(last) = entries.last() {
                cursor = last.seq;
            }
            all.extend(entries);
            if !has_more {
                assert_eq!(cursor, head, "a last page ends at the head");
                return (all, pages);
            }
        }
    }
}

pub fn entry(n: u32, body_len: usize) -> NewEntry {
    let mut id = [0u8; 16];
    id[..4].copy_from_slice(&n.to_be_bytes());
    NewEntry {
        header: EntryHeader {
            doc_id: DocId(id),
            kind: EntryKind::Change,
            blob_id: BlobId(id),
            author: DeviceId([1; 32]),
            key_epoch: 0,
        },
        body: (0..body_len).map(|i| (i as u32 ^ n) as u8).collect(),
    }
}

pub fn seqs(acks: &[Acked]) -> Vec<u64> {
    acks.iter().map(|a| a.seq.0).collect()
}

pub fn web_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Homeward</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app.js"), "console.log('homeward')").unwrap();
    dir
}

pub struct HttpReply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

pub async fn http_get(addr: SocketAddr, path: &str) -> HttpReply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    HttpReply {
        status: head[9..12].parse().unwrap(),
        head: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

/// `/metrics` as `series → value`, a series written as in the exposition:
/// `homeward_pushes_total`, `homeward_errors_total{code="malformed"}`.
pub async fn scrape(addr: SocketAddr) -> HashMap<String, f64> {
    let reply = http_get(addr, "/metrics").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply
            .head
            .contains("content-type: text/plain; version=0.0.4"),
        "{}",
        reply.head
    );
    reply
        .body
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap();
            (series.to_owned(), value.parse().unwrap())
        })
        .collect()
}
