//! What the relay's integration tests share: the relay started in-process on
//! a free port with a temporary data directory, devices with real Ed25519
//! keys, and a WebSocket client speaking `shared::wire`.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser;
use futures::{SinkExt, StreamExt};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use server::log_store::{LogStore, Membership, Redeemed};
use server::sqlite_store::SqliteStore;
use server::{Config, ServerError};
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::sealing::{EntrySealer, SEAL_OVERHEAD, WorkspaceKey};
use shared::signing::{AuthChallenge, DeviceKey, Signature, secret_hash};
use shared::wire::{
    Acked, ClientMsg, Entry, EntryHeader, EntryKind, ErrorCode, NewEntry, Redeem, Role, ServerMsg,
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

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Device `n`'s key: the same on every call, so tests can name devices by
/// number.
pub fn key(n: u8) -> DeviceKey {
    DeviceKey::from_secret(&[n; 32])
}

pub fn device(n: u8) -> DeviceId {
    key(n).device_id()
}

/// Makes `key` a member of `workspace` by writing to the store directly
/// (a second connection to the relay's database, as an operator's tool
/// would open), so tests set up members without extra sockets, metrics or
/// log lines. The first member of a workspace creates it through a setup
/// code and is its admin, whatever `role` says; later ones redeem a ticket
/// for `role`. Does nothing for a device that is already a member.
pub fn enrol(data_dir: &Path, workspace: WorkspaceId, key: &DeviceKey, role: Role) {
    let store = SqliteStore::open(data_dir).unwrap();
    let device = key.device_id();
    if let Membership::Member(_) = store.membership(workspace, device).unwrap() {
        return;
    }
    let now = now_ms();
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let hash = secret_hash(&secret);
    let members = store.devices(workspace).unwrap();
    let redeemed = match members.first() {
        None => {
            store.set_setup_code(hash, now).unwrap();
            store
                .redeem_setup_code(hash, workspace, device, now)
                .unwrap()
        }
        Some(admin) => {
            store
                .add_ticket(workspace, hash, role, now + 3_600_000, admin.device, now)
                .unwrap();
            store.redeem_ticket(hash, workspace, device, now).unwrap()
        }
    };
    assert!(matches!(redeemed, Redeemed::Joined(_)), "{redeemed:?}");
}

pub struct Relay {
    pub addr: SocketAddr,
    /// The origin the relay names in its challenges.
    pub origin: String,
    pub data_dir: PathBuf,
    pub stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<Result<(), ServerError>>,
}

/// What the relay's `Challenge` said, unprompted, on opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub nonce: [u8; 32],
    pub origin: String,
    pub issued_ms: i64,
}

impl Challenge {
    /// `key`'s signature over this challenge, for `workspace`.
    pub fn sign(&self, key: &DeviceKey, workspace: WorkspaceId) -> Signature {
        key.sign_auth(&AuthChallenge {
            origin: &self.origin,
            nonce: self.nonce,
            issued_ms: self.issued_ms,
            workspace,
            device: key.device_id(),
        })
    }
}

/// What `Welcome` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Welcome {
    pub head: Seq,
    pub role: Role,
    pub pruned_through: Seq,
}

impl Relay {
    /// `server::run` on a free port; returns once it serves (and so has
    /// logged any first-start setup code).
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
        let origin = server::public_origin(&config, addr).unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(config, listener, async move {
            let _ = stopped.await;
        }));
        // The listener queues this until `run` serves.
        assert_eq!(http_get(addr, "/healthz").await.status, 200);
        Relay {
            addr,
            origin,
            data_dir: data_dir.to_owned(),
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

    /// A socket whose challenge (which the relay sends unasked on
    /// opening) was read, before any message of the device.
    pub async fn connect(&self) -> Client {
        connect(self.addr).await
    }

    /// A socket, nothing read from it yet.
    pub async fn connect_raw(&self) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
        connect_raw(self.addr).await
    }

    /// See [`enrol`].
    pub fn enrol(&self, workspace: WorkspaceId, key: &DeviceKey, role: Role) {
        enrol(&self.data_dir, workspace, key, role);
    }

    /// A fresh setup code, as `homeward-server setup-code` makes one.
    pub fn setup_code(&self) -> String {
        server::setup_code::issue_in(&self.data_dir).unwrap()
    }

    /// A socket through the handshake as `key` in `workspace`, or the error
    /// the relay refused it with (after checking the close).
    pub async fn login(
        &self,
        key: &DeviceKey,
        workspace: WorkspaceId,
        redeem: Option<Redeem>,
    ) -> Result<(Client, Welcome), (ErrorCode, String)> {
        let mut client = self.connect().await;
        assert_eq!(
            client.challenge.origin, self.origin,
            "the relay names its own origin"
        );
        client.hello(key, workspace, redeem).await;
        match client.recv().await {
            ServerMsg::Welcome {
                head,
                role,
                pruned_through,
            } => Ok((
                client,
                Welcome {
                    head,
                    role,
                    pruned_through,
                },
            )),
            ServerMsg::Error { code, message } => {
                client.expect_closed().await;
                Err((code, message))
            }
            other => panic!("expected Welcome or Error, got {other:?}"),
        }
    }

    /// Device `n` in [`WS`], made a member first if need be (the first
    /// device of the workspace is its admin, later ones documenters), and
    /// the head it was welcomed with.
    pub async fn hello(&self, n: u8) -> (Client, Seq) {
        let key = key(n);
        self.enrol(WS, &key, Role::Documenter);
        match self.login(&key, WS, None).await {
            Ok((client, welcome)) => (client, welcome.head),
            Err(refused) => panic!("device {n} was refused: {refused:?}"),
        }
    }
}

/// A socket to the relay at `addr` whose challenge (which the relay sends
/// unasked on opening) was read, before any message of the device.
pub async fn connect(addr: SocketAddr) -> Client {
    let mut ws = connect_raw(addr).await;
    let challenge = match recv_message(&mut ws).await {
        Some(Message::Binary(frame)) => match ServerMsg::decode(&frame).unwrap() {
            ServerMsg::Challenge {
                nonce,
                origin,
                issued_ms,
            } => Challenge {
                nonce,
                origin,
                issued_ms,
            },
            other => panic!("expected Challenge, got {other:?}"),
        },
        other => panic!("expected the challenge frame, got {other:?}"),
    };
    Client {
        ws,
        key: None,
        workspace: WS,
        challenge,
    }
}

/// A socket to the relay at `addr`, nothing read from it yet.
pub async fn connect_raw(addr: SocketAddr) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
    let url = format!("ws://{addr}/v1/sync");
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The device this socket logged in as.
    pub key: Option<DeviceKey>,
    pub workspace: WorkspaceId,
    /// What the relay sent on opening.
    pub challenge: Challenge,
}

impl Client {
    pub async fn send(&mut self, msg: &ClientMsg) {
        self.send_raw(msg.encode()).await;
    }

    pub async fn send_raw(&mut self, frame: Vec<u8>) {
        self.ws.send(Message::binary(frame)).await.unwrap();
    }

    /// `key`'s honest Hello for this connection's challenge.
    pub fn hello_msg(
        &self,
        key: &DeviceKey,
        workspace: WorkspaceId,
        redeem: Option<Redeem>,
    ) -> ClientMsg {
        ClientMsg::Hello {
            workspace,
            device: key.device_id(),
            signature: self.challenge.sign(key, workspace),
            redeem,
        }
    }

    /// Sends `key`'s honest Hello; the reply is the caller's to read.
    pub async fn hello(&mut self, key: &DeviceKey, workspace: WorkspaceId, redeem: Option<Redeem>) {
        self.workspace = workspace;
        self.key = Some(key.clone());
        let hello = self.hello_msg(key, workspace, redeem);
        self.send(&hello).await;
    }

    pub async fn next_message(&mut self) -> Option<Message> {
        recv_message(&mut self.ws).await
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

    /// An `Error` with `expected` (pokes before it are skipped), then the
    /// close; returns the message.
    pub async fn expect_error_and_close(&mut self, expected: ErrorCode) -> String {
        let message = match self.recv_reply().await {
            ServerMsg::Error { code, message } => {
                assert_eq!(code, expected, "{message}");
                assert!(!message.is_empty());
                message
            }
            other => panic!("expected Error {expected:?}, got {other:?}"),
        };
        self.expect_closed().await;
        message
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

    fn signer(&self) -> &DeviceKey {
        self.key.as_ref().expect("a logged-in client")
    }

    /// Entry `n` (see [`signed_entry`]) signed by this client's device.
    pub fn entry(&self, n: u32, body_len: usize) -> NewEntry {
        signed_entry(self.signer(), self.workspace, n, body_len)
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

    /// Admin: registers a fresh invite ticket for `role`; returns the ticket
    /// and its expiry.
    pub async fn invite(&mut self, role: Role, ttl_secs: u32) -> ([u8; 32], i64) {
        let mut ticket = [0u8; 32];
        rand::rng().fill_bytes(&mut ticket);
        self.send(&ClientMsg::CreateInvite {
            ticket_hash: secret_hash(&ticket),
            role,
            ttl_secs,
        })
        .await;
        match self.recv_reply().await {
            ServerMsg::InviteCreated { expires_ms } => (ticket, expires_ms),
            other => panic!("expected InviteCreated, got {other:?}"),
        }
    }
}

/// The next message that is not a ping or pong; `None` once the stream
/// ends or fails.
async fn recv_message(ws: &mut WebSocketStream<MaybeTlsStream<TcpStream>>) -> Option<Message> {
    loop {
        let next = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("the relay answers in time");
        match next {
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(msg)) => return Some(msg),
            Some(Err(_)) | None => return None,
        }
    }
}

/// The workspace key every test device seals with (test material only).
pub fn workspace_key() -> WorkspaceKey {
    WorkspaceKey::from_bytes(0, [0x77; 32])
}

/// What device `key` seals and signs with in `workspace`.
pub fn sealer(key: &DeviceKey, workspace: WorkspaceId) -> EntrySealer {
    EntrySealer {
        workspace,
        device: key.clone(),
        key: workspace_key(),
    }
}

/// Entry `n`: a change of document `n`, sealed (by [`EntrySealer::seal`])
/// and signed by `key` for `workspace`, whose sealed body, as the relay
/// sees and counts it, is exactly `body_len` bytes (at least
/// [`SEAL_OVERHEAD`]). Nonce and blob id come from `n` alone, so the same
/// `n` gives the same blob id (and, for the same author and workspace, the
/// same entry), as a retried upload does.
pub fn signed_entry(key: &DeviceKey, workspace: WorkspaceId, n: u32, body_len: usize) -> NewEntry {
    assert!(
        body_len >= SEAL_OVERHEAD,
        "a sealed body is at least {SEAL_OVERHEAD} bytes, not {body_len}"
    );
    let plaintext: Vec<u8> = (0..body_len - SEAL_OVERHEAD)
        .map(|i| (i as u32 ^ n) as u8)
        .collect();
    let mut rng = StdRng::seed_from_u64(u64::from(n));
    let entry = sealer(key, workspace).seal(&mut rng, doc_of(n), EntryKind::Change, &plaintext);
    assert_eq!(entry.body.len(), body_len);
    entry
}

/// The entry `header` describes, its `plaintext` sealed under
/// [`workspace_key`] (at `header.key_epoch`) and signed by `key`: for tests
/// that name blob ids, kinds or epochs themselves, where devices let
/// [`EntrySealer::seal`] draw the blob id. The nonce comes from the blob id.
pub fn sealed_entry(
    key: &DeviceKey,
    workspace: WorkspaceId,
    header: EntryHeader,
    plaintext: &[u8],
) -> NewEntry {
    let mut seed = [0u8; 32];
    seed[..16].copy_from_slice(&header.blob_id.0);
    let mut rng = StdRng::from_seed(seed);
    let key_at_epoch = WorkspaceKey::from_bytes(header.key_epoch, workspace_key().to_bytes());
    let body = key_at_epoch.seal(&mut rng, workspace, &header, plaintext);
    key.sign_entry(workspace, header, body)
}

/// Document `n`: `n` big-endian in the first four bytes.
pub fn doc_of(n: u32) -> DocId {
    let mut id = [0u8; 16];
    id[..4].copy_from_slice(&n.to_be_bytes());
    DocId(id)
}

/// The `n` of an entry made by [`signed_entry`].
pub fn n_of(header: &EntryHeader) -> u32 {
    u32::from_be_bytes(header.doc_id.0[..4].try_into().unwrap())
}

/// Entry `n` by device 1 in [`WS`].
pub fn entry(n: u32, body_len: usize) -> NewEntry {
    signed_entry(&key(1), WS, n, body_len)
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
