//! Hostile input against the relay, in process, over real sockets.
//!
//! - `hostile_sessions_get_an_error_or_a_close_and_nothing_else_breaks`: a
//!   property test. Each case opens a fresh connection to the same relay
//!   and plays a few steps: arbitrary bytes, well-formed messages of every
//!   kind in any phase of the handshake or with absurd fields (Push before
//!   Hello, unsigned Hellos, Hello after Welcome, Hellos signed for another
//!   origin, nonce or key, invite tickets and setup codes that
//!   do not exist, pushes that are empty, over the limit, forged, tampered
//!   or repeating a blob id, pulls past the head, bootstraps from anywhere,
//!   admin requests from every role), another protocol version, text
//!   frames, pings and pongs, fragmented messages, a close or a new message
//!   in the middle of a fragmented one, raw bytes on the TCP stream, a clean
//!   close or a dropped connection. The pool workspaces have an admin, a
//!   documenter, a viewer and a revoked device; a fifth key belongs to no
//!   workspace. Every reply is checked against a model of the session and
//!   the workspace log (membership and log read from the relay's own store
//!   when a Hello is sent): the Challenge the relay sends on opening,
//!   Welcome's head and role, each Ack's
//!   seqs (idempotent by blob id), each Batch's page, the admin replies;
//!   every refusal is one `Error` with the right code, then a close frame
//!   with the matching close code. Every wait has a timeout, so a relay that
//!   hangs fails the case. Afterwards no socket is left open, the logs are
//!   whole, a well-behaved device still syncs, `/healthz` answers 200 and
//!   the relay stops cleanly.
//! - `abandoned_connections_do_not_leak`: many connections dropped at
//!   awkward moments (mid-upgrade, between challenge and Hello,
//!   mid-frame, mid-fragmented message, mid-oversized frame, with a push in
//!   flight, all at once): the relay's open-socket count returns to zero and
//!   it keeps serving.
//! - Two tests pin down bugs found here and since fixed: the relay must
//!   answer a device's close frame, and its sockets must not wait on
//!   Nagle's algorithm. The harness below turns Nagle off as `server::run`
//!   does; everything else is as `server::run` assembles it.
//!
//! `PROPTEST_CASES=2000 cargo test -p homeward-server --test hostile_input`
//! runs more cases. A failure prints the shrunk case; nothing is written
//! next to the sources. `PROPTEST_RNG_SEED=<n>` fixes the run's seed.

mod common;

use common::{key, now_ms};
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use axum::serve::ListenerExt;
use clap::Parser;
use futures::{SinkExt, StreamExt};
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestCaseError, TestRunner};
use server::log_store::{ENTRY_OVERHEAD_BYTES, Membership, Redeemed};
use server::{AppState, Config, LogStore, SqliteStore};
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::sealing::SealedBody;
use shared::signing::{AuthChallenge, DeviceKey, Signature, secret_hash};
use shared::wire::{
    BootstrapResume, ClientMsg, Entry, EntryHeader, EntryKind, ErrorCode, NewEntry,
    PROTOCOL_VERSION, Redeem, Role, ServerMsg,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest the relay may take to answer anything.
const WAIT: Duration = Duration::from_secs(5);
/// The relay's limits in these tests: small, so pushes over the limit and
/// multi-page pulls come up often.
const MAX_PUSH_BODY: usize = 300;
const MAX_PULL_PAGE: usize = 1500;
const MAX_INVITE_TTL_MS: i64 = 3_600_000;

// ---------------------------------------------------------------------------
// Harness (in the spirit of tests/relay.rs, with the relay's state at hand)

/// Panics on the relay's threads, counted by a hook that also prints them.
static RELAY_PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_relay_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = std::thread::current().name().unwrap_or("").to_owned();
            if name.starts_with("tokio") || name.starts_with("relay") {
                RELAY_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            default(info);
        }));
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("relay-worker")
        .enable_all()
        .build()
        .unwrap()
}

// The pool's device keys (`common::key`): 1 admin, 2 documenter, 3 viewer,
// 4 revoked (in every pool workspace), 5 in none.
const ADMIN: u8 = 1;
const DOCUMENTER: u8 = 2;
const VIEWER: u8 = 3;
const REVOKED: u8 = 4;
const STRANGER: u8 = 5;

/// The pool key whose device id is `device`, if any.
fn key_of(device: DeviceId) -> Option<DeviceKey> {
    (1..=STRANGER).map(key).find(|k| k.device_id() == device)
}

/// Workspaces most cases use, so their logs grow and blob ids repeat.
fn pool_workspace(k: u8) -> WorkspaceId {
    WorkspaceId([0xa0 + k; 16])
}
const POOL_WORKSPACES: u8 = 3;
/// Where the well-behaved device syncs, and where abandoned connections
/// log in: no case touches them.
const QUIET_WORKSPACE: WorkspaceId = WorkspaceId([0x5e; 16]);
const ABANDON_WORKSPACE: WorkspaceId = WorkspaceId([0xc0; 16]);

/// Creates `workspace` with device 1 as admin and, when `full`, the rest of
/// the pool: 2 documenter, 3 viewer, 4 joined and revoked.
fn populate(store: &dyn LogStore, workspace: WorkspaceId, full: bool) {
    let now = now_ms();
    let code = secret_hash(&workspace.0);
    store.set_setup_code(code, now).unwrap();
    let admin = key(ADMIN).device_id();
    assert_eq!(
        store
            .redeem_setup_code(code, workspace, admin, now)
            .unwrap(),
        Redeemed::Joined(Role::Admin)
    );
    if !full {
        return;
    }
    for (n, role) in [
        (DOCUMENTER, Role::Documenter),
        (VIEWER, Role::Viewer),
        (REVOKED, Role::Documenter),
    ] {
        let ticket = secret_hash(&[n, workspace.0[0]]);
        store
            .add_ticket(workspace, ticket, role, now + 60_000, admin, now)
            .unwrap();
        let device = key(n).device_id();
        assert_eq!(
            store.redeem_ticket(ticket, workspace, device, now).unwrap(),
            Redeemed::Joined(role)
        );
    }
    assert!(
        store
            .revoke(workspace, key(REVOKED).device_id(), now)
            .unwrap()
    );
}

struct Relay {
    addr: SocketAddr,
    origin: String,
    store: Arc<dyn LogStore>,
    open_sockets: watch::Receiver<usize>,
    stop: watch::Sender<bool>,
    serving: JoinHandle<()>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl Relay {
    /// The relay as `server::run` assembles it, but keeping the store and
    /// the open-socket count for the test to look at.
    async fn start() -> Relay {
        let data = tempfile::tempdir().unwrap();
        let web = tempfile::tempdir().unwrap();
        std::fs::write(web.path().join("index.html"), "<!doctype html>").unwrap();
        let config = Config::try_parse_from([
            "homeward-server".to_owned(),
            "--data-dir".to_owned(),
            data.path().display().to_string(),
            "--web-dir".to_owned(),
            web.path().display().to_string(),
            "--max-push-body-bytes".to_owned(),
            MAX_PUSH_BODY.to_string(),
            "--max-pull-page-bytes".to_owned(),
            MAX_PULL_PAGE.to_string(),
            "--max-invite-ttl".to_owned(),
            format!("{MAX_INVITE_TTL_MS}ms"),
        ])
        .unwrap();
        config.validate().unwrap();
        let dir = data.path().to_owned();
        let store = tokio::task::spawn_blocking(move || {
            let store = SqliteStore::open(&dir).unwrap();
            for k in 0..POOL_WORKSPACES {
                populate(&store, pool_workspace(k), true);
            }
            populate(&store, QUIET_WORKSPACE, false);
            populate(&store, ABANDON_WORKSPACE, false);
            store
        })
        .await
        .unwrap();
        let store: Arc<dyn LogStore> = Arc::new(store);
        let (stop, stop_rx) = watch::channel(false);
        let mut stopped = stop_rx.clone();
        let listener = server::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let origin = server::public_origin(&config, addr).unwrap();
        let state = AppState::new(Arc::clone(&store), &config, origin.clone(), stop_rx);
        let open_sockets = state.open_sockets();
        let serving = tokio::spawn(async move {
            // Nagle off, unlike `server::run` (see
            // `back_to_back_replies_are_not_held_back`): every refusal is two
            // frames, and would otherwise wait ~40 ms for a delayed ACK.
            let listener = listener.tap_io(|tcp: &mut TcpStream| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, server::app(state))
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await
                .unwrap();
        });
        Relay {
            addr,
            origin,
            store,
            open_sockets,
            stop,
            serving,
            _dirs: (data, web),
        }
    }

    /// A socket whose challenge, which the relay sends on opening, was
    /// read.
    async fn connect(&self) -> Client {
        connect_to(self.addr).await
    }

    /// Waits until the relay counts `n` open sockets.
    async fn open_sockets_reach(&self, n: usize, within: Duration) -> Result<(), String> {
        let mut open = self.open_sockets.clone();
        match tokio::time::timeout(within, open.wait_for(|open| *open == n)).await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(format!(
                "{} sockets still open, expected {n}",
                *self.open_sockets.borrow()
            )),
        }
    }

    /// The workspace's whole log, read from the store directly.
    async fn log(&self, workspace: WorkspaceId) -> Vec<Entry> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            let page = store.read_after(workspace, Seq::ZERO, usize::MAX).unwrap();
            assert!(!page.has_more);
            assert_eq!(page.entries.len() as u64, page.head.0, "the log has gaps");
            page.entries
        })
        .await
        .unwrap()
    }

    /// What the store says of `device` in `workspace`, and the log.
    async fn standing(&self, workspace: WorkspaceId, device: DeviceId) -> Standing {
        let store = Arc::clone(&self.store);
        let membership = tokio::task::spawn_blocking(move || store.membership(workspace, device))
            .await
            .unwrap()
            .unwrap();
        Standing {
            membership,
            log: self.log(workspace).await,
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        tokio::time::timeout(Duration::from_secs(10), self.serving)
            .await
            .expect("the relay stops in time")
            .unwrap();
    }
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// What the relay sent on opening.
    challenge: Challenge,
}

/// What a relay's `Challenge` said.
#[derive(Debug, Clone, Default)]
struct Challenge {
    nonce: [u8; 32],
    origin: String,
    issued_ms: i64,
}

/// A socket to the relay at `addr`, nothing read yet.
async fn connect_raw(addr: SocketAddr) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
    let url = format!("ws://{addr}/v1/sync");
    let (ws, _) = tokio::time::timeout(
        WAIT,
        // No Nagle on our side: fragments and pings go out at once.
        tokio_tungstenite::connect_async_with_config(url, None, true),
    )
    .await
    .expect("the relay accepts a connection in time")
    .expect("the upgrade succeeds");
    ws
}

/// A socket to the relay at `addr` whose challenge was read: the relay
/// speaks first, unasked.
async fn connect_to(addr: SocketAddr) -> Client {
    let mut client = Client {
        ws: connect_raw(addr).await,
        challenge: Challenge::default(),
    };
    match client.reply().await {
        Ok(ServerMsg::Challenge {
            nonce,
            origin,
            issued_ms,
        }) => {
            client.challenge = Challenge {
                nonce,
                origin,
                issued_ms,
            };
            client
        }
        other => panic!("expected the relay's challenge on opening, got {other:?}"),
    }
}

/// What a read on a socket gave, within [`WAIT`].
#[derive(Debug)]
enum Got {
    Msg(Message),
    /// The stream ended or failed, and how.
    End(#[expect(dead_code, reason = "shown in failure messages")] String),
}

impl Client {
    async fn send(&mut self, msg: Message) -> Result<(), String> {
        match tokio::time::timeout(WAIT, self.ws.send(msg)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("send failed: {e}")),
            Err(_) => Err("send timed out".into()),
        }
    }

    async fn raw_write(&mut self, bytes: &[u8]) -> Result<(), String> {
        let tcp = self.ws.get_mut();
        let write = async {
            tcp.write_all(bytes).await?;
            tcp.flush().await
        };
        match tokio::time::timeout(WAIT, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("raw write failed: {e}")),
            Err(_) => Err("raw write timed out".into()),
        }
    }

    /// The next message, skipping pongs; pokes are kept.
    async fn next(&mut self) -> Result<Got, String> {
        loop {
            let next = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .map_err(|_| "the relay did not answer in time".to_owned())?;
            return Ok(match next {
                Some(Ok(Message::Pong(_))) => continue,
                Some(Ok(msg)) => Got::Msg(msg),
                Some(Err(e)) => Got::End(e.to_string()),
                None => Got::End("stream ended".into()),
            });
        }
    }

    /// The next server message that is not a poke.
    async fn reply(&mut self) -> Result<ServerMsg, String> {
        loop {
            match self.next().await? {
                Got::Msg(Message::Binary(frame)) => match ServerMsg::decode(&frame) {
                    Ok(ServerMsg::Poke { .. }) => continue,
                    Ok(msg) => return Ok(msg),
                    Err(e) => return Err(format!("the relay sent an unreadable frame: {e}")),
                },
                other => return Err(format!("expected a binary frame, got {other:?}")),
            }
        }
    }

    /// One `Error` with `code`, a close frame with `close`, then the end.
    async fn expect_refusal(&mut self, code: ErrorCode, close: CloseCode) -> Result<(), String> {
        match self.reply().await? {
            ServerMsg::Error { code: got, message } => {
                if got != code || message.is_empty() {
                    return Err(format!("expected Error {code:?}, got {got:?}: {message:?}"));
                }
            }
            other => return Err(format!("expected Error {code:?}, got {other:?}")),
        }
        match self.next().await? {
            Got::Msg(Message::Close(Some(frame)))
                if frame.code == close && frame.reason.as_str() == code.as_str() => {}
            other => return Err(format!("expected a {close:?} close, got {other:?}")),
        }
        // Reading on answers the close and sees the stream end.
        self.expect_end(false).await
    }

    /// The connection ends within [`WAIT`]: pings, pokes and one close frame
    /// may come first; any other message may not (`errors_ok` allows one
    /// `Error`).
    async fn expect_end(&mut self, errors_ok: bool) -> Result<(), String> {
        let mut closes = 0;
        loop {
            match self.next().await? {
                Got::End(_) => return Ok(()),
                Got::Msg(Message::Close(_)) if closes == 0 => closes += 1,
                Got::Msg(Message::Ping(_)) => {}
                Got::Msg(Message::Binary(frame)) => match ServerMsg::decode(&frame) {
                    Ok(ServerMsg::Poke { .. }) => {}
                    Ok(ServerMsg::Error { .. }) if errors_ok => {}
                    other => return Err(format!("expected the end, got {other:?}")),
                },
                other => return Err(format!("expected the end, got {other:?}")),
            }
        }
    }

    /// Closes our side of the TCP stream and waits for the relay to close
    /// its side (whatever it sends first is read and ignored).
    async fn half_close_and_wait(mut self) -> Result<(), String> {
        let tcp = self.ws.get_mut();
        let _ = tcp.shutdown().await;
        let drain = async {
            let mut buf = [0u8; 4096];
            loop {
                match tcp.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        tokio::time::timeout(WAIT, drain)
            .await
            .map_err(|_| "the relay kept a half-closed connection open".to_owned())
    }
}

fn web_request(addr: SocketAddr, path: &str) -> impl Future<Output = (u16, String)> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    async move {
        let exchange = async {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut raw = Vec::new();
            stream.read_to_end(&mut raw).await.unwrap();
            raw
        };
        let raw = tokio::time::timeout(WAIT, exchange)
            .await
            .expect("the relay answers HTTP in time");
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        (head[9..12].parse().unwrap(), body.to_owned())
    }
}

/// A masked WebSocket frame header for a binary frame of `len` bytes, as a
/// client sends it, and its mask.
fn frame_header(len: u64) -> Vec<u8> {
    let mut h = vec![0x82];
    if len < 126 {
        h.push(0x80 | len as u8);
    } else if len <= u64::from(u16::MAX) {
        h.push(0x80 | 126);
        h.extend((len as u16).to_be_bytes());
    } else {
        h.push(0x80 | 127);
        h.extend(len.to_be_bytes());
    }
    h.extend([0x11, 0x22, 0x33, 0x44]);
    h
}

// ---------------------------------------------------------------------------
// What a case does

/// How a test-signed Hello (the answer to the relay's challenge) is made.
#[derive(Debug, Clone, Copy)]
enum Signing {
    /// By the named device's own key, for this relay: the honest Hello.
    Honest,
    /// For another relay's origin.
    OtherOrigin,
    /// Over another nonce (a replayed Hello).
    OtherNonce,
    /// By a key other than the named device's.
    OtherKey,
}

/// The one-time secret sent with a test-signed Hello. None of them exists
/// on the relay.
#[derive(Debug, Clone)]
enum Secret {
    None,
    Ticket([u8; 32]),
    SetupCode(String),
}

#[derive(Debug, Clone)]
enum Step {
    /// Arbitrary bytes in one binary frame (they may decode by chance).
    Binary(Vec<u8>),
    /// A well-formed message, whatever the session's state.
    Msg(ClientMsg),
    /// A Hello naming `workspace` and `device`, signed here over this
    /// connection's challenge.
    SignedHello {
        workspace: WorkspaceId,
        device: DeviceId,
        signing: Signing,
        secret: Secret,
    },
    /// These entries, signed by the session's device as their author for
    /// its workspace (device 1 and a pool workspace before the handshake).
    SignedPush(Vec<NewEntry>),
    /// A well-formed message stamped with another protocol version.
    WrongVersion(ClientMsg, u8),
    /// A well-formed message sent as `pieces` fragments, with a ping
    /// between the first two when `ping` is set.
    Fragmented {
        msg: ClientMsg,
        pieces: usize,
        ping: bool,
    },
    Text(String),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    /// The first fragment of a message, then a close frame.
    CloseMidMessage(Vec<u8>),
    /// The first fragment of a message, then a whole new message.
    NewMessageMidFragment(Vec<u8>),
    /// The header and part of a frame straight onto the TCP stream, then
    /// our side of the stream closes.
    TruncatedFrame {
        claimed: u64,
        sent: Vec<u8>,
    },
    /// Arbitrary bytes straight onto the TCP stream, then our side closes.
    RawTcp(Vec<u8>),
    /// A clean close from our side.
    Close,
    /// The TCP connection just goes away.
    Drop,
}

#[derive(Debug, Clone)]
struct Case {
    steps: Vec<Step>,
    /// How the case ends if its steps leave the connection open.
    close_at_end: bool,
}

fn arb_workspace() -> impl Strategy<Value = WorkspaceId> {
    prop_oneof![
        6 => (0..POOL_WORKSPACES).prop_map(pool_workspace),
        1 => any::<[u8; 16]>().prop_map(WorkspaceId),
    ]
}

/// Mostly the pool's devices (the documenter most), sometimes an id with
/// no key (often not even a valid Ed25519 point).
fn arb_device() -> impl Strategy<Value = DeviceId> {
    prop_oneof![
        2 => Just(key(ADMIN).device_id()),
        4 => Just(key(DOCUMENTER).device_id()),
        1 => Just(key(VIEWER).device_id()),
        1 => Just(key(REVOKED).device_id()),
        1 => Just(key(STRANGER).device_id()),
        1 => any::<u8>().prop_map(|d| DeviceId([d; 32])),
    ]
}

fn arb_seq() -> impl Strategy<Value = Seq> {
    prop_oneof![
        4 => (0u64..4).prop_map(Seq),
        3 => (0u64..60).prop_map(Seq),
        1 => Just(Seq(u64::MAX)),
        1 => Just(Seq(i64::MAX as u64 + 1)),
        1 => any::<u64>().prop_map(Seq),
    ]
}

fn arb_max_bytes() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), 1u32..400, Just(u32::MAX), any::<u32>(),]
}

/// An entry as a careless or hostile device would send it: the author is
/// an id without a key, the signature zeros. `Step::SignedPush` signs it.
fn arb_entry() -> impl Strategy<Value = NewEntry> {
    (
        prop_oneof![
            4 => (0u8..10).prop_map(|k| BlobId([k; 16])),
            1 => any::<[u8; 16]>().prop_map(BlobId),
        ],
        0u8..6,
        prop_oneof![3 => Just(None), 1 => arb_seq().prop_map(Some)],
        prop_oneof![0u32..3, Just(u32::MAX)],
        prop_oneof![
            4 => proptest::collection::vec(any::<u8>(), 0..40),
            1 => proptest::collection::vec(any::<u8>(), 100..200),
        ],
    )
        .prop_map(|(blob_id, doc, covers, key_epoch, body)| NewEntry {
            header: EntryHeader {
                doc_id: DocId([doc; 16]),
                kind: match covers {
                    Some(covers) => EntryKind::Snapshot { covers },
                    None => EntryKind::Change,
                },
                blob_id,
                author: DeviceId([doc; 32]),
                key_epoch,
            },
            // Whatever a device claims is sealed: the relay cannot tell.
            body: SealedBody::from_received(body),
            signature: Signature([0; 64]),
        })
}

fn arb_msg() -> impl Strategy<Value = ClientMsg> {
    prop_oneof![
        3 => (arb_workspace(), arb_device(), any::<[u8; 32]>(), any::<bool>()).prop_map(
            |(workspace, device, sig, ticket)| ClientMsg::Hello {
                workspace,
                device,
                signature: Signature([sig[0]; 64]),
                redeem: ticket.then_some(Redeem::Ticket(sig)),
            }
        ),
        3 => proptest::collection::vec(arb_entry(), 0..5)
            .prop_map(|entries| ClientMsg::Push { entries }),
        3 => (arb_seq(), arb_max_bytes())
            .prop_map(|(after, max_bytes)| ClientMsg::Pull { after, max_bytes }),
        2 => (
            prop_oneof![
                1 => Just(None),
                1 => ((0u64..60).prop_map(Seq), 0u8..8).prop_map(|(upto, doc)| Some(
                    BootstrapResume { upto, after_doc: DocId([doc; 16]) }
                )),
            ],
            arb_max_bytes(),
        )
            .prop_map(|(resume, max_bytes)| ClientMsg::Bootstrap { resume, max_bytes }),
        1 => (
            any::<[u8; 32]>(),
            prop_oneof![Just(Role::Admin), Just(Role::Documenter), Just(Role::Viewer)],
            prop_oneof![Just(0u32), 1u32..100_000, Just(u32::MAX)],
        )
            .prop_map(|(ticket_hash, role, ttl_secs)| ClientMsg::CreateInvite {
                ticket_hash,
                role,
                ttl_secs,
            }),
        1 => Just(ClientMsg::ListDevices),
        1 => prop_oneof![
            1 => Just(key(REVOKED).device_id()),
            2 => any::<u8>().prop_map(|d| DeviceId([d; 32])),
        ]
        .prop_map(|device| ClientMsg::Revoke { device }),
    ]
}

fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        // Behind our prefix, with a plausible variant tag.
        (0u8..9, proptest::collection::vec(any::<u8>(), 0..80)).prop_map(|(tag, rest)| {
            let mut f = vec![b'H', b'W', PROTOCOL_VERSION, tag];
            f.extend(rest);
            f
        }),
    ]
}

fn arb_signing() -> impl Strategy<Value = Signing> {
    prop_oneof![
        6 => Just(Signing::Honest),
        1 => Just(Signing::OtherOrigin),
        1 => Just(Signing::OtherNonce),
        1 => Just(Signing::OtherKey),
    ]
}

fn arb_secret() -> impl Strategy<Value = Secret> {
    prop_oneof![
        6 => Just(Secret::None),
        1 => any::<[u8; 32]>().prop_map(Secret::Ticket),
        1 => "[A-Z2-9-]{0,30}".prop_map(Secret::SetupCode),
    ]
}

fn arb_signed_hello() -> impl Strategy<Value = Step> {
    (arb_workspace(), arb_device(), arb_signing(), arb_secret()).prop_map(
        |(workspace, device, signing, secret)| Step::SignedHello {
            workspace,
            device,
            signing,
            secret,
        },
    )
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => arb_bytes().prop_map(Step::Binary),
        14 => arb_msg().prop_map(Step::Msg),
        2 => arb_signed_hello(),
        10 => proptest::collection::vec(arb_entry(), 0..4).prop_map(Step::SignedPush),
        1 => (arb_msg(), any::<u8>().prop_filter("another version", |v| *v != PROTOCOL_VERSION))
            .prop_map(|(m, v)| Step::WrongVersion(m, v)),
        2 => (arb_msg(), 2usize..5, any::<bool>())
            .prop_map(|(msg, pieces, ping)| Step::Fragmented { msg, pieces, ping }),
        1 => "[ -~]{0,20}".prop_map(Step::Text),
        1 => proptest::collection::vec(any::<u8>(), 0..60).prop_map(Step::Ping),
        1 => proptest::collection::vec(any::<u8>(), 0..60).prop_map(Step::Pong),
        1 => arb_bytes().prop_map(Step::CloseMidMessage),
        1 => arb_bytes().prop_map(Step::NewMessageMidFragment),
        1 => (prop_oneof![1u64..126, 126u64..70_000, 70_000u64..(4 << 20)],
              proptest::collection::vec(any::<u8>(), 0..30))
            .prop_map(|(claimed, sent)| Step::TruncatedFrame { claimed, sent }),
        1 => proptest::collection::vec(any::<u8>(), 0..40).prop_map(Step::RawTcp),
        1 => Just(Step::Close),
        1 => Just(Step::Drop),
    ]
}

fn arb_case() -> impl Strategy<Value = Case> {
    (
        // Most cases log in first as a member, to get past the handshake;
        // others try to, or say nothing after the challenge.
        prop_oneof![
            2 => Just(Vec::new()),
            3 => arb_signed_hello().prop_map(|hello| vec![hello]),
            5 => (0..POOL_WORKSPACES, prop_oneof![
                    1 => Just(ADMIN),
                    3 => Just(DOCUMENTER),
                    1 => Just(VIEWER),
                ])
                .prop_map(|(k, n)| {
                    vec![Step::SignedHello {
                        workspace: pool_workspace(k),
                        device: key(n).device_id(),
                        signing: Signing::Honest,
                        secret: Secret::None,
                    }]
                }),
        ],
        proptest::collection::vec(arb_step(), 1..8),
        any::<bool>(),
    )
        .prop_map(|(mut steps, rest, close_at_end)| {
            steps.extend(rest);
            Case {
                steps,
                close_at_end,
            }
        })
}

// ---------------------------------------------------------------------------
// The model

/// The connection as the relay must see it.
enum Model {
    /// The relay sent this challenge on opening; no Hello yet.
    Challenged { nonce: [u8; 32], issued_ms: i64 },
    Member {
        workspace: WorkspaceId,
        device: DeviceId,
        role: Role,
        /// The workspace's log, seq `i + 1` at index `i`.
        log: Vec<Entry>,
    },
}

/// What the store holds for the device of a Hello, read before sending it.
struct Standing {
    membership: Membership,
    log: Vec<Entry>,
}

/// What the relay must answer.
#[derive(Debug)]
enum Expect {
    Exact(ServerMsg),
    /// Acks for these blobs at these seqs (`tail` is the store's business).
    Acks(Vec<(BlobId, Seq)>),
    /// A bootstrap page of entries from the log, as of `upto`.
    BootstrapPage {
        upto: Seq,
    },
    /// An invite valid for `ttl_ms` from about now.
    InviteCreated {
        ttl_ms: i64,
    },
    /// The pool's members as (device, role, revoked).
    Devices(BTreeSet<(DeviceId, Role, bool)>),
    /// An `Error` with this code, then a close.
    Refused(ErrorCode),
}

fn pool_members() -> BTreeSet<(DeviceId, Role, bool)> {
    [
        (ADMIN, Role::Admin, false),
        (DOCUMENTER, Role::Documenter, false),
        (VIEWER, Role::Viewer, false),
        (REVOKED, Role::Documenter, true),
    ]
    .into_iter()
    .map(|(n, role, revoked)| (key(n).device_id(), role, revoked))
    .collect()
}

/// What the relay must answer to `msg` on a connection in `model`'s state,
/// and the state after it. `origin` is the relay's; `standing` is read for
/// a Hello.
fn expected(
    model: &mut Model,
    msg: &ClientMsg,
    origin: &str,
    standing: Option<Standing>,
) -> Expect {
    use Expect::Refused;
    match (&mut *model, msg) {
        (
            Model::Challenged { nonce, issued_ms },
            ClientMsg::Hello {
                workspace,
                device,
                signature,
                redeem,
            },
        ) => {
            let (workspace, device) = (*workspace, *device);
            let challenge = AuthChallenge {
                origin,
                nonce: *nonce,
                issued_ms: *issued_ms,
                workspace,
                device,
            };
            if challenge.verify(signature).is_err() {
                return Refused(ErrorCode::Unauthenticated);
            }
            let standing = standing.expect("the standing is read for a Hello");
            let refusal = |membership| match membership {
                Membership::Revoked => Refused(ErrorCode::Revoked),
                _ => Refused(ErrorCode::NotMember),
            };
            match (redeem, standing.membership) {
                // No setup code exists that a test could know.
                (Some(Redeem::SetupCode(_)), _) => Refused(ErrorCode::BadTicket),
                (Some(Redeem::Ticket(_)), Membership::None) => Refused(ErrorCode::BadTicket),
                (_, Membership::Member(role)) => {
                    let head = Seq(standing.log.len() as u64);
                    *model = Model::Member {
                        workspace,
                        device,
                        role,
                        log: standing.log,
                    };
                    Expect::Exact(ServerMsg::Welcome {
                        head,
                        role,
                        pruned_through: Seq::ZERO,
                    })
                }
                (_, membership) => refusal(membership),
            }
        }
        (Model::Challenged { .. }, _) => Refused(ErrorCode::HandshakeRequired),
        (Model::Member { .. }, ClientMsg::Hello { .. }) => Refused(ErrorCode::HandshakeRequired),
        (
            Model::Member {
                workspace,
                device,
                role,
                log,
            },
            ClientMsg::Push { entries },
        ) => {
            if !role.can_push() {
                return Refused(ErrorCode::Forbidden);
            }
            let body: usize = entries.iter().map(|e| e.body.len()).sum();
            if body > MAX_PUSH_BODY {
                return Refused(ErrorCode::TooLarge);
            }
            let forged = entries
                .iter()
                .any(|e| e.header.author != *device || e.verify(*workspace).is_err());
            if forged {
                return Refused(ErrorCode::BadSignature);
            }
            let acks = entries
                .iter()
                .map(|e| {
                    let blob_id = e.header.blob_id;
                    let seq = match log.iter().find(|l| l.header.blob_id == blob_id) {
                        Some(stored) => stored.seq,
                        None => {
                            let seq = Seq(log.len() as u64 + 1);
                            log.push(Entry {
                                seq,
                                header: e.header.clone(),
                                body: e.body.clone(),
                                signature: e.signature,
                            });
                            seq
                        }
                    };
                    (blob_id, seq)
                })
                .collect();
            Expect::Acks(acks)
        }
        (Model::Member { log, .. }, ClientMsg::Pull { after, max_bytes }) => {
            let limit = (*max_bytes as usize).min(MAX_PULL_PAGE);
            let rest = log.iter().filter(|e| e.seq > *after);
            let mut entries = Vec::new();
            let mut used = 0;
            let mut has_more = false;
            for e in rest {
                let cost = e.body.len() + ENTRY_OVERHEAD_BYTES;
                if !entries.is_empty() && used + cost > limit {
                    has_more = true;
                    break;
                }
                used += cost;
                entries.push(e.clone());
            }
            Expect::Exact(ServerMsg::Batch {
                entries,
                head: Seq(log.len() as u64),
                has_more,
            })
        }
        (Model::Member { log, .. }, ClientMsg::Bootstrap { resume, .. }) => Expect::BootstrapPage {
            upto: resume.map_or(Seq(log.len() as u64), |r| r.upto),
        },
        (Model::Member { role, .. }, ClientMsg::CreateInvite { ttl_secs, .. }) => {
            if *role != Role::Admin {
                return Refused(ErrorCode::Forbidden);
            }
            Expect::InviteCreated {
                ttl_ms: (i64::from(*ttl_secs) * 1000).min(MAX_INVITE_TTL_MS),
            }
        }
        (Model::Member { role, .. }, ClientMsg::ListDevices) => {
            if *role != Role::Admin {
                return Refused(ErrorCode::Forbidden);
            }
            Expect::Devices(pool_members())
        }
        (Model::Member { role, .. }, ClientMsg::Revoke { device }) => {
            if *role != Role::Admin {
                return Refused(ErrorCode::Forbidden);
            }
            // Only device 4, already revoked, is ever a member target:
            // revoking is idempotent. Anyone else is not a member.
            if *device == key(REVOKED).device_id() {
                Expect::Exact(ServerMsg::Revoked { device: *device })
            } else {
                Refused(ErrorCode::Forbidden)
            }
        }
    }
}

fn close_code_for(code: ErrorCode) -> CloseCode {
    match code {
        ErrorCode::TooLarge => CloseCode::Size,
        ErrorCode::Internal => CloseCode::Error,
        ErrorCode::Malformed | ErrorCode::UnsupportedVersion | ErrorCode::HandshakeRequired => {
            CloseCode::Protocol
        }
        ErrorCode::CursorPruned => CloseCode::Normal,
        ErrorCode::RateLimited => CloseCode::Again,
        ErrorCode::Unauthenticated
        | ErrorCode::NotMember
        | ErrorCode::Revoked
        | ErrorCode::Forbidden
        | ErrorCode::BadTicket
        | ErrorCode::BadSignature => CloseCode::Policy,
    }
}

/// Reads what the model needs from the store before `msg` is sent.
async fn standing_for(relay: &Relay, model: &Model, msg: &ClientMsg) -> Option<Standing> {
    match (model, msg) {
        (
            Model::Challenged { .. },
            ClientMsg::Hello {
                workspace, device, ..
            },
        ) => Some(relay.standing(*workspace, *device).await),
        _ => None,
    }
}

/// Checks the relay's answer to `msg` (already on the wire as the caller
/// chose). `Ok(true)`: the connection goes on.
async fn answer(
    relay: &Relay,
    client: &mut Client,
    model: &mut Model,
    msg: &ClientMsg,
    standing: Option<Standing>,
    sent_ms: i64,
) -> Result<bool, String> {
    let want = expected(model, msg, &relay.origin, standing);
    if let Expect::Refused(code) = want {
        client.expect_refusal(code, close_code_for(code)).await?;
        tally(format!("refused {}", code.as_str()));
        return Ok(false);
    }
    let got = client.reply().await?;
    let mismatch = || format!("to {msg:?}\nexpected {want:?}\n     got {got:?}");
    let outcome = match (&want, &got) {
        (Expect::Exact(want), got) if want == got => match want {
            ServerMsg::Welcome { .. } => "welcome",
            ServerMsg::Batch { entries, .. } if entries.is_empty() => "empty batch",
            ServerMsg::Batch { has_more: true, .. } => "batch with more",
            ServerMsg::Batch { .. } => "last batch",
            ServerMsg::Revoked { .. } => "revoked again",
            _ => "other",
        },
        (Expect::Acks(want), ServerMsg::Ack { acks }) => {
            let got: Vec<(BlobId, Seq)> = acks.iter().map(|a| (a.blob_id, a.seq)).collect();
            if got != *want {
                return Err(mismatch());
            }
            if want.is_empty() { "empty ack" } else { "ack" }
        }
        (
            Expect::BootstrapPage { upto },
            ServerMsg::BootstrapPage {
                entries,
                upto: got_upto,
                docs_done,
                docs_total,
                ..
            },
        ) => {
            let Model::Member { log, .. } = model else {
                unreachable!("a bootstrap page only for a member")
            };
            let known = entries
                .iter()
                .all(|e| log.get(e.seq.0 as usize - 1) == Some(e));
            if got_upto != upto || !known || docs_done > docs_total {
                return Err(mismatch());
            }
            "bootstrap page"
        }
        (Expect::InviteCreated { ttl_ms }, ServerMsg::InviteCreated { expires_ms }) => {
            let now = now_ms();
            if !(sent_ms + ttl_ms - 1000..=now + ttl_ms).contains(expires_ms) {
                return Err(mismatch());
            }
            "invite"
        }
        (Expect::Devices(want), ServerMsg::Devices { devices }) => {
            let got: BTreeSet<_> = devices
                .iter()
                .map(|d| (d.device, d.role, d.revoked_ms.is_some()))
                .collect();
            if got != *want || devices.len() != want.len() {
                return Err(mismatch());
            }
            "devices"
        }
        _ => return Err(mismatch()),
    };
    tally(outcome);
    Ok(true)
}

/// The Hello a [`Step::SignedHello`] sends on a connection whose challenge
/// was `challenge`.
fn signed_hello(
    challenge: &Challenge,
    origin: &str,
    workspace: WorkspaceId,
    device: DeviceId,
    signing: Signing,
    secret: &Secret,
) -> ClientMsg {
    let (nonce, issued_ms) = (challenge.nonce, challenge.issued_ms);
    let own = key_of(device).unwrap_or_else(|| key(STRANGER));
    let (signer, origin, nonce) = match signing {
        Signing::Honest => (own, origin, nonce),
        Signing::OtherOrigin => (own, "https://elsewhere.example", nonce),
        Signing::OtherNonce => {
            let mut other = nonce;
            other[0] ^= 1;
            (own, origin, other)
        }
        Signing::OtherKey => {
            let other = if device == key(STRANGER).device_id() {
                key(ADMIN)
            } else {
                key(STRANGER)
            };
            (other, origin, nonce)
        }
    };
    let signature = signer.sign_auth(&AuthChallenge {
        origin,
        nonce,
        issued_ms,
        workspace,
        device,
    });
    let redeem = match secret {
        Secret::None => None,
        Secret::Ticket(t) => Some(Redeem::Ticket(*t)),
        Secret::SetupCode(code) => Some(Redeem::SetupCode(code.clone())),
    };
    ClientMsg::Hello {
        workspace,
        device,
        signature,
        redeem,
    }
}

/// The `Push` a [`Step::SignedPush`] sends: `entries` signed by the
/// session's device for its workspace.
fn signed_push(model: &Model, entries: &[NewEntry]) -> ClientMsg {
    let (workspace, signer) = match model {
        Model::Member {
            workspace, device, ..
        } => (
            *workspace,
            key_of(*device).expect("a member proved a pool key"),
        ),
        _ => (pool_workspace(0), key(ADMIN)),
    };
    let entries = entries
        .iter()
        .map(|e| {
            let header = EntryHeader {
                author: signer.device_id(),
                ..e.header.clone()
            };
            signer.sign_entry(workspace, header, e.body.clone())
        })
        .collect();
    ClientMsg::Push { entries }
}

fn fragments(frame: &[u8], pieces: usize) -> Vec<Vec<u8>> {
    let size = frame.len().div_ceil(pieces).max(1);
    let mut out: Vec<Vec<u8>> = frame.chunks(size).map(<[u8]>::to_vec).collect();
    while out.len() < pieces {
        out.push(Vec::new());
    }
    out
}

/// Sends `msg` in one binary frame and checks the answer.
async fn exchange(
    relay: &Relay,
    client: &mut Client,
    model: &mut Model,
    msg: &ClientMsg,
    frame: Vec<u8>,
) -> Result<bool, String> {
    let standing = standing_for(relay, model, msg).await;
    let sent_ms = now_ms();
    client.send(Message::binary(frame)).await?;
    answer(relay, client, model, msg, standing, sent_ms).await
}

async fn run_case(relay: &Relay, case: &Case) -> Result<(), String> {
    let opened_ms = now_ms();
    let mut client = relay.connect().await;
    let challenge = client.challenge.clone();
    let now = now_ms();
    if challenge.origin != relay.origin
        || !(opened_ms - 1000..=now + 1000).contains(&challenge.issued_ms)
    {
        return Err(format!(
            "a challenge for another origin or time: {challenge:?}"
        ));
    }
    tally("challenge");
    let mut model = Model::Challenged {
        nonce: challenge.nonce,
        issued_ms: challenge.issued_ms,
    };
    for step in &case.steps {
        let open = match step {
            Step::Binary(bytes) => match ClientMsg::decode(bytes) {
                Ok(msg) => exchange(relay, &mut client, &mut model, &msg, bytes.clone()).await?,
                Err(err) => {
                    client.send(Message::binary(bytes.clone())).await?;
                    client
                        .expect_refusal(err.code(), close_code_for(err.code()))
                        .await?;
                    tally(format!("refused {} (garbage)", err.code().as_str()));
                    false
                }
            },
            Step::Msg(msg) => exchange(relay, &mut client, &mut model, msg, msg.encode()).await?,
            Step::SignedHello {
                workspace,
                device,
                signing,
                secret,
            } => {
                let msg = signed_hello(
                    &challenge,
                    &relay.origin,
                    *workspace,
                    *device,
                    *signing,
                    secret,
                );
                exchange(relay, &mut client, &mut model, &msg, msg.encode()).await?
            }
            Step::SignedPush(entries) => {
                let msg = signed_push(&model, entries);
                exchange(relay, &mut client, &mut model, &msg, msg.encode()).await?
            }
            Step::WrongVersion(msg, version) => {
                let mut frame = msg.encode();
                frame[2] = *version;
                client.send(Message::binary(frame)).await?;
                client
                    .expect_refusal(ErrorCode::UnsupportedVersion, CloseCode::Protocol)
                    .await?;
                false
            }
            Step::Fragmented { msg, pieces, ping } => {
                let standing = standing_for(relay, &model, msg).await;
                let sent_ms = now_ms();
                let parts = fragments(&msg.encode(), *pieces);
                let last = parts.len() - 1;
                for (i, part) in parts.into_iter().enumerate() {
                    let opcode = if i == 0 {
                        OpCode::Data(Data::Binary)
                    } else {
                        OpCode::Data(Data::Continue)
                    };
                    client
                        .send(Message::Frame(Frame::message(part, opcode, i == last)))
                        .await?;
                    if i == 0 && *ping {
                        client.send(Message::Ping(vec![7u8; 3].into())).await?;
                    }
                }
                answer(relay, &mut client, &mut model, msg, standing, sent_ms).await?
            }
            Step::Text(text) => {
                client.send(Message::text(text.clone())).await?;
                client
                    .expect_refusal(ErrorCode::Malformed, CloseCode::Unsupported)
                    .await?;
                false
            }
            Step::Ping(payload) => {
                client.send(Message::Ping(payload.clone().into())).await?;
                // The relay answers with the same payload, by itself.
                match tokio::time::timeout(WAIT, client.ws.next()).await {
                    Ok(Some(Ok(Message::Pong(got)))) if got[..] == payload[..] => true,
                    other => return Err(format!("expected a pong, got {other:?}")),
                }
            }
            Step::Pong(payload) => {
                client.send(Message::Pong(payload.clone().into())).await?;
                true
            }
            Step::CloseMidMessage(bytes) => {
                client
                    .send(Message::Frame(Frame::message(
                        bytes.clone(),
                        OpCode::Data(Data::Binary),
                        false,
                    )))
                    .await?;
                client
                    .send(Message::Close(Some(CloseFrame {
                        code: CloseCode::Normal,
                        reason: "bye".into(),
                    })))
                    .await?;
                client.expect_end(false).await?;
                false
            }
            Step::NewMessageMidFragment(bytes) => {
                client
                    .send(Message::Frame(Frame::message(
                        bytes.clone(),
                        OpCode::Data(Data::Binary),
                        false,
                    )))
                    .await?;
                client.send(Message::binary(bytes.clone())).await?;
                client.expect_end(false).await?;
                false
            }
            Step::TruncatedFrame { claimed, sent } => {
                let mut raw = frame_header(*claimed);
                raw.extend(sent.iter().take(*claimed as usize - 1));
                client.raw_write(&raw).await?;
                return client.half_close_and_wait().await;
            }
            Step::RawTcp(bytes) => {
                client.raw_write(bytes).await?;
                return client.half_close_and_wait().await;
            }
            Step::Close => {
                client.send(Message::Close(None)).await?;
                client.expect_end(false).await?;
                false
            }
            Step::Drop => {
                drop(client);
                return Ok(());
            }
        };
        if !open {
            return Ok(());
        }
    }
    if case.close_at_end {
        client.send(Message::Close(None)).await?;
        client.expect_end(false).await?;
    }
    Ok(())
}

/// How often each outcome came up, for the summary printed at the end.
static TALLY: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());

fn tally(what: impl Into<String>) {
    let what = what.into();
    let mut t = TALLY.lock().unwrap();
    match t.iter_mut().find(|(w, _)| *w == what) {
        Some((_, n)) => *n += 1,
        None => t.push((what, 1)),
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// An honest Hello to the challenge `client` got: `key` in `workspace`.
async fn login(client: &mut Client, origin: &str, key: &DeviceKey, workspace: WorkspaceId) -> Seq {
    let hello = signed_hello(
        &client.challenge.clone(),
        origin,
        workspace,
        key.device_id(),
        Signing::Honest,
        &Secret::None,
    );
    client.send(Message::binary(hello.encode())).await.unwrap();
    match client.reply().await.unwrap() {
        ServerMsg::Welcome { head, .. } => head,
        other => panic!("expected Welcome, got {other:?}"),
    }
}

/// A device that follows the protocol, on a workspace no case touched.
async fn well_behaved_device_syncs(relay: &Relay) {
    let ws = QUIET_WORKSPACE;
    let admin = key(ADMIN);
    let mut client = relay.connect().await;
    assert_eq!(
        login(&mut client, &relay.origin, &admin, ws).await,
        Seq::ZERO
    );
    let entries: Vec<NewEntry> = (1..=3u8)
        .map(|n| {
            let header = EntryHeader {
                doc_id: DocId([n; 16]),
                kind: EntryKind::Change,
                blob_id: BlobId([0xb0 + n; 16]),
                author: admin.device_id(),
                key_epoch: 0,
            };
            common::sealed_entry(&admin, ws, header, &[n; 50])
        })
        .collect();
    let push = ClientMsg::Push {
        entries: entries.clone(),
    };
    client.send(Message::binary(push.encode())).await.unwrap();
    match client.reply().await.unwrap() {
        ServerMsg::Ack { acks } => assert_eq!(
            acks.iter()
                .map(|a| (a.blob_id, a.seq.0))
                .collect::<Vec<_>>(),
            entries
                .iter()
                .zip(1..)
                .map(|(e, s)| (e.header.blob_id, s))
                .collect::<Vec<_>>()
        ),
        other => panic!("expected Ack, got {other:?}"),
    }
    let pull = ClientMsg::Pull {
        after: Seq::ZERO,
        max_bytes: 1 << 20,
    };
    client.send(Message::binary(pull.encode())).await.unwrap();
    let want: Vec<Entry> = entries
        .into_iter()
        .zip(1..)
        .map(|(e, s)| Entry {
            seq: Seq(s),
            header: e.header,
            body: e.body,
            signature: e.signature,
        })
        .collect();
    assert_eq!(
        client.reply().await.unwrap(),
        ServerMsg::Batch {
            entries: want,
            head: Seq(3),
            has_more: false,
        }
    );
    client.send(Message::Close(None)).await.unwrap();
    client.expect_end(false).await.unwrap();
}

/// Each pool workspace's log, pulled page by page by a fresh device, is
/// gap-free, has each blob id once, verifies, and matches the store.
async fn pool_logs_are_whole(relay: &Relay) {
    for k in 0..POOL_WORKSPACES {
        let ws = pool_workspace(k);
        let stored = relay.log(ws).await;
        let mut client = relay.connect().await;
        let head = login(&mut client, &relay.origin, &key(VIEWER), ws).await;
        assert_eq!(head.0, stored.len() as u64);
        let mut pulled: Vec<Entry> = Vec::new();
        loop {
            let after = pulled.last().map_or(Seq::ZERO, |e| e.seq);
            let pull = ClientMsg::Pull {
                after,
                max_bytes: u32::MAX,
            };
            client.send(Message::binary(pull.encode())).await.unwrap();
            match client.reply().await.unwrap() {
                ServerMsg::Batch {
                    entries, has_more, ..
                } => {
                    pulled.extend(entries);
                    if !has_more {
                        break;
                    }
                }
                other => panic!("expected Batch, got {other:?}"),
            }
        }
        assert_eq!(pulled, stored);
        let seqs: Vec<u64> = pulled.iter().map(|e| e.seq.0).collect();
        assert_eq!(seqs, (1..=head.0).collect::<Vec<_>>());
        let mut blobs: Vec<BlobId> = pulled.iter().map(|e| e.header.blob_id).collect();
        blobs.sort_unstable();
        blobs.dedup();
        assert_eq!(blobs.len(), pulled.len(), "a blob id stored twice");
        for e in &pulled {
            e.verify(ws).expect("only signed entries are stored");
        }
        drop(client);
    }
}

#[test]
fn hostile_sessions_get_an_error_or_a_close_and_nothing_else_breaks() {
    count_relay_panics();
    let rt = runtime();
    let relay = rt.block_on(Relay::start());
    let mut runner = TestRunner::new(ProptestConfig {
        cases: cases(300),
        failure_persistence: None,
        // Shrinking replays cases over the network: keep it bounded.
        max_shrink_iters: 64,
        // ChaCha, the default, is slow in a debug build.
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    });
    let played = Mutex::new(HashMap::<&'static str, usize>::new());
    let result = runner.run(&arb_case(), |case| {
        for step in &case.steps {
            let name = match step {
                Step::Binary(_) => "binary",
                Step::Msg(ClientMsg::Hello { .. }) => "unsigned hello",
                Step::Msg(ClientMsg::Push { .. }) => "unsigned push",
                Step::Msg(ClientMsg::Pull { .. }) => "pull",
                Step::Msg(ClientMsg::Bootstrap { .. }) => "bootstrap",
                Step::Msg(ClientMsg::CreateInvite { .. }) => "create invite",
                Step::Msg(ClientMsg::ListDevices) => "list devices",
                Step::Msg(ClientMsg::Revoke { .. }) => "revoke",
                Step::SignedHello { .. } => "signed hello",
                Step::SignedPush(_) => "signed push",
                Step::WrongVersion(..) => "wrong version",
                Step::Fragmented { .. } => "fragmented",
                Step::Text(_) => "text",
                Step::Ping(_) => "ping",
                Step::Pong(_) => "pong",
                Step::CloseMidMessage(_) => "close mid-message",
                Step::NewMessageMidFragment(_) => "new message mid-fragment",
                Step::TruncatedFrame { .. } => "truncated frame",
                Step::RawTcp(_) => "raw tcp",
                Step::Close => "close",
                Step::Drop => "drop",
            };
            *played.lock().unwrap().entry(name).or_default() += 1;
        }
        rt.block_on(run_case(&relay, &case))
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(RELAY_PANICS.load(Ordering::SeqCst), 0, "the relay panicked");
        Ok(())
    });
    eprintln!("steps generated: {:?}", played.lock().unwrap());
    eprintln!("outcomes: {:?}", TALLY.lock().unwrap());
    if let Err(e) = result {
        panic!("{e}");
    }
    // The cases reached deep enough to mean something.
    let outcomes = TALLY.lock().unwrap().clone();
    let seen = |what: &str| outcomes.iter().any(|(w, n)| w == what && *n > 0);
    for must in [
        "challenge",
        "welcome",
        "ack",
        "refused unauthenticated",
        "refused bad_signature",
        "refused forbidden",
        "refused handshake_required",
        "refused not_member",
        "refused revoked",
        "refused bad_ticket",
    ] {
        assert!(seen(must), "no case got {must:?}: {outcomes:?}");
    }

    rt.block_on(async {
        // Connections refused with a close wait for our answer, and dropped
        // ones are noticed: none stays open.
        relay
            .open_sockets_reach(0, Duration::from_secs(10))
            .await
            .unwrap();
        pool_logs_are_whole(&relay).await;
        well_behaved_device_syncs(&relay).await;
        assert_eq!(
            web_request(relay.addr, "/healthz").await,
            (200, "ok".into())
        );
        relay.open_sockets_reach(0, WAIT).await.unwrap();
        relay.stop().await;
    });
    assert_eq!(RELAY_PANICS.load(Ordering::SeqCst), 0, "the relay panicked");
}

/// One way of leaving the relay in the lurch.
#[derive(Debug, Clone, Copy)]
enum Abandon {
    /// Half an HTTP upgrade request, then gone.
    MidHandshake,
    /// Upgraded, then gone, the challenge unread.
    AfterUpgrade,
    /// The challenge read, no Hello, then gone.
    MidChallenge,
    /// Part of a frame before any Hello, then gone.
    MidFrame,
    /// Hello, then part of a frame, then gone.
    MidFrameAfterHello,
    /// Hello, the first fragment of a message, then gone.
    MidFragments,
    /// Hello, a push sent, gone before the ack.
    PushInFlight,
    /// Hello, a pull sent, gone before the batch.
    PullInFlight,
    /// Part of a frame whose header is over the frame limit, then gone.
    MidOversizedFrame,
}

const ABANDONS: [Abandon; 9] = [
    Abandon::MidHandshake,
    Abandon::AfterUpgrade,
    Abandon::MidChallenge,
    Abandon::MidFrame,
    Abandon::MidFrameAfterHello,
    Abandon::MidFragments,
    Abandon::PushInFlight,
    Abandon::PullInFlight,
    Abandon::MidOversizedFrame,
];

/// Device 1 logged in to the workspace abandoned connections use.
async fn hello(client: &mut Client, origin: &str) {
    login(client, origin, &key(ADMIN), ABANDON_WORKSPACE).await;
}

/// Entry `n` of its own document, by device 1 in the abandon workspace.
fn abandon_entry(n: u32, plaintext_len: usize) -> NewEntry {
    let admin = key(ADMIN);
    let mut id = [0u8; 16];
    id[..4].copy_from_slice(&n.to_be_bytes());
    let header = EntryHeader {
        doc_id: DocId(id),
        kind: EntryKind::Change,
        blob_id: BlobId(id),
        author: admin.device_id(),
        key_epoch: 0,
    };
    common::sealed_entry(
        &admin,
        ABANDON_WORKSPACE,
        header,
        &vec![n as u8; plaintext_len],
    )
}

/// Leaves the relay as `how` says; returns the client when `hold` is set
/// (so the caller drops it later), else drops it here.
async fn abandon(relay: &Relay, how: Abandon, n: u32, hold: bool) -> Option<Client> {
    if let Abandon::MidHandshake = how {
        let mut tcp = tokio::time::timeout(WAIT, TcpStream::connect(relay.addr))
            .await
            .unwrap()
            .unwrap();
        let partial =
            "GET /v1/sync HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nSec-WebSocket-";
        tokio::time::timeout(WAIT, tcp.write_all(partial.as_bytes()))
            .await
            .unwrap()
            .unwrap();
        return None;
    }
    if let Abandon::AfterUpgrade = how {
        let ws = connect_raw(relay.addr).await;
        return hold.then_some(ws).map(|ws| Client {
            ws,
            challenge: Challenge::default(),
        });
    }
    let mut client = relay.connect().await;
    match how {
        Abandon::MidHandshake | Abandon::AfterUpgrade | Abandon::MidChallenge => {}
        Abandon::MidFrame => {
            let mut raw = frame_header(70_000);
            raw.extend([0x5a; 100]);
            client.raw_write(&raw).await.unwrap();
        }
        Abandon::MidFrameAfterHello => {
            hello(&mut client, &relay.origin).await;
            let mut raw = frame_header(1000);
            raw.extend([b'H', b'W', PROTOCOL_VERSION, 0x02]);
            client.raw_write(&raw).await.unwrap();
        }
        Abandon::MidFragments => {
            hello(&mut client, &relay.origin).await;
            let frame = Frame::message(
                vec![b'H', b'W', PROTOCOL_VERSION, 0x02],
                OpCode::Data(Data::Binary),
                false,
            );
            client.send(Message::Frame(frame)).await.unwrap();
        }
        Abandon::PushInFlight => {
            hello(&mut client, &relay.origin).await;
            let push = ClientMsg::Push {
                entries: vec![abandon_entry(n, 100)],
            };
            client.send(Message::binary(push.encode())).await.unwrap();
        }
        Abandon::PullInFlight => {
            hello(&mut client, &relay.origin).await;
            let pull = ClientMsg::Pull {
                after: Seq::ZERO,
                max_bytes: u32::MAX,
            };
            client.send(Message::binary(pull.encode())).await.unwrap();
        }
        Abandon::MidOversizedFrame => {
            let mut raw = frame_header(5 << 20);
            raw.extend([0u8; 1000]);
            client.raw_write(&raw).await.unwrap();
        }
    }
    hold.then_some(client)
}

#[test]
fn abandoned_connections_do_not_leak() {
    count_relay_panics();
    let rt = runtime();
    rt.block_on(async {
        let relay = Relay::start().await;
        let mut n = 0u32;
        for round in 0..3 {
            // Dropped at once, many at a time.
            let mut dropped = Vec::new();
            for _ in 0..5 {
                for how in ABANDONS {
                    n += 1;
                    dropped.push(abandon(&relay, how, n, false));
                }
            }
            futures::future::join_all(dropped).await;

            // Held open together, then all dropped at once.
            let mut held = Vec::new();
            for how in ABANDONS {
                for _ in 0..3 {
                    n += 1;
                    held.push(abandon(&relay, how, n, true));
                }
            }
            let held: Vec<Client> = futures::future::join_all(held)
                .await
                .into_iter()
                .flatten()
                .collect();
            // The oversized frames are refused, and their sockets close
            // after the relay's grace period whether we answer or not; the
            // rest stay open for as long as we hold them.
            let expected = held.len() - 3;
            relay
                .open_sockets_reach(expected, Duration::from_secs(10))
                .await
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
            drop(held);
            relay
                .open_sockets_reach(0, Duration::from_secs(10))
                .await
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
        assert_eq!(
            web_request(relay.addr, "/healthz").await,
            (200, "ok".into())
        );
        well_behaved_device_syncs(&relay).await;
        relay.open_sockets_reach(0, WAIT).await.unwrap();
        relay.stop().await;
    });
    assert_eq!(RELAY_PANICS.load(Ordering::SeqCst), 0, "the relay panicked");
}

// ---------------------------------------------------------------------------
// Found while writing these tests, and fixed: they guard against a return.

/// The relay exactly as `main` runs it (`server::run`), with the abandon
/// workspace created; and its origin.
async fn start_via_run() -> (
    SocketAddr,
    String,
    tokio::sync::oneshot::Sender<()>,
    JoinHandle<Result<(), server::ServerError>>,
    (tempfile::TempDir, tempfile::TempDir),
) {
    let data = tempfile::tempdir().unwrap();
    let web = tempfile::tempdir().unwrap();
    let config = Config::try_parse_from([
        "homeward-server".to_owned(),
        "--data-dir".to_owned(),
        data.path().display().to_string(),
        "--web-dir".to_owned(),
        web.path().display().to_string(),
    ])
    .unwrap();
    let listener = server::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let origin = server::public_origin(&config, addr).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server::run(config, listener, async move {
        let _ = stopped.await;
    }));
    // Serving means its first-start setup code is set: ours replaces it.
    web_request(addr, "/healthz").await;
    let dir = data.path().to_owned();
    tokio::task::spawn_blocking(move || {
        populate(&SqliteStore::open(&dir).unwrap(), ABANDON_WORKSPACE, false)
    })
    .await
    .unwrap();
    (addr, origin, stop, task, (data, web))
}

/// RFC 6455 §5.5.1: an endpoint that receives a Close frame and has not
/// sent one MUST send a Close frame in response. The relay drops the TCP
/// connection instead (`ConnEvent::Closed` → `End::Gone` returns without
/// flushing the reply tungstenite queued), so a device that disconnects
/// sees "connection reset without closing handshake" (a browser: `onclose`
/// with code 1006 and `wasClean == false`) instead of a clean close.
#[test]
fn a_close_from_the_device_is_answered_with_a_close() {
    let rt = runtime();
    rt.block_on(async {
        let (addr, origin, stop, task, _dirs) = start_via_run().await;
        for hello_first in [false, true] {
            let mut client = connect_to(addr).await;
            if hello_first {
                hello(&mut client, &origin).await;
            }
            client
                .send(Message::Close(Some(CloseFrame {
                    code: CloseCode::Normal,
                    reason: "going offline".into(),
                })))
                .await
                .unwrap();
            match client.next().await.unwrap() {
                Got::Msg(Message::Close(_)) => {}
                other => {
                    panic!("hello first: {hello_first}: expected a close frame, got {other:?}")
                }
            }
            assert!(matches!(client.next().await.unwrap(), Got::End(_)));
        }
        let _ = stop.send(());
        tokio::time::timeout(WAIT, task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    });
}

/// The relay's sockets keep Nagle's algorithm on (`server::run` serves the
/// plain `TcpListener`, never `set_nodelay(true)`), so when it writes two
/// frames back to back the second waits for the peer's delayed ACK: about
/// 40 ms on Linux. That happens on every refusal (Error, then Close) and in
/// normal sync: the sync engine sends Push and Pull together after Welcome
/// when it has both to do, and the Batch then trails the Ack by ~40 ms.
#[test]
fn back_to_back_replies_are_not_held_back() {
    let rt = runtime();
    rt.block_on(async {
        let (addr, origin, stop, task, _dirs) = start_via_run().await;
        let mut client = connect_to(addr).await;
        hello(&mut client, &origin).await;
        let mut fastest = Duration::MAX;
        for n in 0..5u8 {
            let push = ClientMsg::Push {
                entries: vec![abandon_entry(u32::from(n), 20)],
            };
            let pull = ClientMsg::Pull {
                after: Seq(u64::from(n)),
                max_bytes: 1000,
            };
            let started = std::time::Instant::now();
            client.send(Message::binary(push.encode())).await.unwrap();
            client.send(Message::binary(pull.encode())).await.unwrap();
            assert!(matches!(
                client.reply().await.unwrap(),
                ServerMsg::Ack { .. }
            ));
            assert!(matches!(
                client.reply().await.unwrap(),
                ServerMsg::Batch { .. }
            ));
            fastest = fastest.min(started.elapsed());
        }
        assert!(
            fastest < Duration::from_millis(25),
            "the fastest of five Push+Pull round trips took {fastest:?}"
        );
        drop(client);
        let _ = stop.send(());
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    });
}
