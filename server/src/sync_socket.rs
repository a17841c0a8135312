//! `/v1/sync`: one WebSocket per device and workspace, speaking
//! `shared::wire`.
//!
//! Each connection is one task running one loop over [`ConnEvent`]s, so
//! every state change of a connection happens in one place, in order. A
//! connection that breaks the protocol gets an `Error` it can show, then a
//! close frame; nothing it sends can affect other connections.
//!
//! Limits per connection: `Hello` within the handshake timeout; a ping every
//! ping interval and a close after the idle timeout without a word (message
//! or pong) from the peer; pushes through a [`TokenBucket`], waiting rather
//! than refusing when over it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::response::Response;
use futures::SinkExt;
use shared::ids::{Seq, WorkspaceId};
use shared::wire::{ClientMsg, ErrorCode, MAX_FRAME_BYTES, NewEntry, ServerMsg};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};
use tracing::{Instrument, Span, field};

use crate::app_state::{AppState, OpenSocket};
use crate::log_store::{LogStore, StoreError};
use crate::pokes::Subscription;
use crate::rate_limit::TokenBucket;

/// Devices send small messages most of the time; a big push grows the
/// buffer as needed, so idle sockets stay cheap.
const READ_BUFFER_BYTES: usize = 16 * 1024;
/// How much the socket buffers before writing out on its own; every send
/// is flushed anyway, so small is free.
const WRITE_BUFFER_BYTES: usize = 16 * 1024;
/// The relay waits for each send to flush before the next, so the write
/// buffer holds at most one message plus control frames; past this the
/// socket is broken.
const MAX_WRITE_BUFFER_BYTES: usize = 2 * MAX_FRAME_BYTES;
/// The slowest reader the relay waits for when sending, in bytes per
/// second (8 kbit/s); see [`Connection::send_message`].
const SLOWEST_PEER_BYTES_PER_SEC: u64 = 1024;
/// How long a closing socket waits for the peer's close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

pub async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    ws.max_frame_size(MAX_FRAME_BYTES)
        .max_message_size(MAX_FRAME_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .on_failed_upgrade(|error| tracing::debug!(%error, "websocket upgrade failed"))
        .on_upgrade(move |socket| {
            let span = tracing::info_span!(
                "sync",
                conn = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed),
                workspace = field::Empty,
                device = field::Empty,
            );
            Connection::new(state, socket).run().instrument(span)
        })
}

/// Everything that can happen to a connection.
enum ConnEvent {
    /// A binary frame: a protocol message, or garbage.
    Frame(Bytes),
    /// A text frame, which the protocol does not use.
    Text,
    /// The socket refused a frame or message over [`MAX_FRAME_BYTES`].
    Oversized(String),
    /// A ping or pong: the peer is alive.
    Alive,
    /// The workspace's head moved.
    Poke(Seq),
    /// Time to ping the peer.
    PingDue,
    /// No `Hello` within the handshake timeout.
    HandshakeTimeout,
    /// Nothing heard from the peer within the idle timeout.
    Idle,
    /// The relay is stopping.
    Shutdown,
    /// The peer sent a close frame.
    PeerClosed,
    /// The socket failed or ended without a close frame.
    Closed,
}

/// Why a connection ends.
enum End {
    /// Nothing more can or need be sent.
    Gone,
    /// The peer closed: answer its close frame (RFC 6455 §5.5.1), so a
    /// browser sees a clean close rather than code 1006.
    PeerClosed,
    /// Tell the peer what went wrong, then close with `close`.
    Refuse {
        code: ErrorCode,
        message: String,
        close: u16,
    },
    /// The peer went silent: close without an `Error` (it would not read it).
    Idle,
    Shutdown,
}

impl End {
    fn refuse(code: ErrorCode, message: impl Into<String>) -> End {
        let close = match code {
            ErrorCode::TooLarge => close_code::SIZE,
            ErrorCode::Internal => close_code::ERROR,
            ErrorCode::Malformed | ErrorCode::UnsupportedVersion | ErrorCode::HandshakeRequired => {
                close_code::PROTOCOL
            }
        };
        End::Refuse {
            code,
            message: message.into(),
            close,
        }
    }

    /// The device's sync engine keeps a push "in flight" until it is acked
    /// or the connection drops, so after a storage failure the relay closes:
    /// the device reconnects with backoff and retries.
    fn internal() -> End {
        End::refuse(
            ErrorCode::Internal,
            "the relay could not read or write its storage; retry later",
        )
    }
}

/// A connection after its `Hello`.
struct Session {
    workspace: WorkspaceId,
    subscription: Subscription,
    /// The newest head this device has been told about, by any message.
    told_head: Seq,
}

impl Session {
    fn saw(&mut self, head: Seq) {
        self.told_head = self.told_head.max(head);
    }
}

struct Connection {
    state: AppState,
    socket: WebSocket,
    session: Option<Session>,
    shutdown: watch::Receiver<bool>,
    /// `None` when pushes are not limited.
    push_allowance: Option<TokenBucket>,
    /// The socket refused input and can no longer be read.
    reading_failed: bool,
    _open: OpenSocket,
}

impl Connection {
    fn new(state: AppState, socket: WebSocket) -> Connection {
        let limits = state.limits();
        Connection {
            _open: state.socket_opened(),
            push_allowance: TokenBucket::new(
                limits.push_rate,
                limits.push_burst,
                Instant::now().into_std(),
            ),
            shutdown: state.shutdown(),
            state,
            socket,
            session: None,
            reading_failed: false,
        }
    }

    async fn run(mut self) {
        tracing::debug!("socket open");
        let limits = self.state.limits();
        let opened = Instant::now();
        let hello_due = opened + limits.handshake_timeout;
        let mut last_heard = opened;
        let mut pings =
            tokio::time::interval_at(opened + limits.ping_interval, limits.ping_interval);
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let end = loop {
            let awaiting_hello = self.session.is_none();
            let (event, from_peer) = tokio::select! {
                event = next_event(&mut self.socket) => (event, true),
                head = next_poke(&mut self.session) => (ConnEvent::Poke(head), false),
                () = stopping(&mut self.shutdown) => (ConnEvent::Shutdown, false),
                () = tokio::time::sleep_until(hello_due), if awaiting_hello => {
                    (ConnEvent::HandshakeTimeout, false)
                }
                _ = pings.tick() => (ConnEvent::PingDue, false),
                () = tokio::time::sleep_until(last_heard + limits.idle_timeout) => {
                    (ConnEvent::Idle, false)
                }
            };
            if from_peer {
                last_heard = Instant::now();
            }
            if let Err(end) = self.handle(event).await {
                break end;
            }
            // A push may have waited for its allowance or for storage; the
            // peer was not silent meanwhile, the relay was busy.
            if from_peer {
                last_heard = Instant::now();
            }
        };
        self.finish(end).await;
    }

    async fn handle(&mut self, event: ConnEvent) -> Result<(), End> {
        match event {
            ConnEvent::Frame(frame) => self.on_frame(&frame).await,
            ConnEvent::Text => Err(End::Refuse {
                code: ErrorCode::Malformed,
                message: "text frames are not part of the protocol; send binary frames".into(),
                close: close_code::UNSUPPORTED,
            }),
            ConnEvent::Oversized(detail) => {
                self.reading_failed = true;
                Err(End::refuse(
                    ErrorCode::TooLarge,
                    format!("frame over the {MAX_FRAME_BYTES}-byte limit ({detail})"),
                ))
            }
            ConnEvent::Alive => Ok(()),
            ConnEvent::PingDue => self.send_message(Message::Ping(Bytes::new())).await,
            ConnEvent::HandshakeTimeout => {
                let waited = self.state.limits().handshake_timeout;
                tracing::info!(?waited, "no hello in time");
                Err(End::refuse(
                    ErrorCode::HandshakeRequired,
                    format!("no Hello within {waited:?} of connecting; send Hello first"),
                ))
            }
            ConnEvent::Idle => {
                tracing::info!(
                    idle_timeout = ?self.state.limits().idle_timeout,
                    "closing a silent socket"
                );
                self.state.metrics().idle_closed();
                Err(End::Idle)
            }
            ConnEvent::Poke(head) => match &mut self.session {
                Some(session) if head > session.told_head => {
                    session.saw(head);
                    self.send(&ServerMsg::Poke { head }).await
                }
                _ => Ok(()),
            },
            ConnEvent::Shutdown => Err(End::Shutdown),
            ConnEvent::PeerClosed => Err(End::PeerClosed),
            ConnEvent::Closed => Err(End::Gone),
        }
    }

    async fn on_frame(&mut self, frame: &[u8]) -> Result<(), End> {
        let msg = ClientMsg::decode(frame).map_err(|err| {
            tracing::info!(error = %err, frame_bytes = frame.len(), "refused a frame");
            End::refuse(err.code(), err.to_string())
        })?;
        match (msg, self.session.as_ref().map(|s| s.workspace)) {
            (ClientMsg::Hello { workspace, device }, None) => {
                let span = Span::current();
                span.record("workspace", field::display(workspace));
                span.record("device", field::display(device));
                self.hello(workspace).await
            }
            (ClientMsg::Hello { .. }, Some(_)) => Err(End::refuse(
                ErrorCode::HandshakeRequired,
                "Hello came twice on one connection",
            )),
            (_, None) => Err(End::refuse(
                ErrorCode::HandshakeRequired,
                "the first message on a connection must be Hello",
            )),
            (ClientMsg::Push { entries }, Some(ws)) => self.push(ws, entries).await,
            (ClientMsg::Pull { after, max_bytes }, Some(ws)) => {
                self.pull(ws, after, max_bytes).await
            }
        }
    }

    async fn hello(&mut self, workspace: WorkspaceId) -> Result<(), End> {
        // Any workspace and device are accepted for now: membership and
        // device signatures are checked once device keys land.
        let subscription = self.state.pokes().subscribe(workspace);
        let head = blocking(self.state.store(), move |store| store.head(workspace)).await?;
        tracing::info!(%head, "hello");
        self.session = Some(Session {
            workspace,
            subscription,
            told_head: head,
        });
        self.send(&ServerMsg::Welcome { head }).await
    }

    async fn push(&mut self, workspace: WorkspaceId, entries: Vec<NewEntry>) -> Result<(), End> {
        let limit = self.state.limits().max_push_body_bytes;
        let body_bytes: usize = entries.iter().map(|e| e.body.len()).sum();
        if body_bytes > limit {
            tracing::info!(body_bytes, limit, "refused an oversized push");
            return Err(End::refuse(
                ErrorCode::TooLarge,
                format!(
                    "a push of {body_bytes} body bytes is over this relay's {limit}-byte limit; \
                     split it"
                ),
            ));
        }
        let count = entries.len();
        self.await_push_allowance(count).await?;
        let appended = blocking(self.state.store(), move |store| {
            store.append(workspace, &entries)
        })
        .await?;
        self.state
            .metrics()
            .pushed(count, appended.stored, body_bytes);
        let acks = appended.acks;
        let newest = acks.iter().map(|a| a.seq).max();
        tracing::debug!(
            entries = count,
            stored = appended.stored,
            body_bytes,
            ?newest,
            "stored a push"
        );
        if let (Some(session), Some(newest)) = (&mut self.session, newest) {
            session.saw(newest);
        }
        let sent = self.send(&ServerMsg::Ack { acks }).await;
        // The entries are stored whether or not this device heard the ack.
        if let Some(newest) = newest {
            self.state.pokes().publish(workspace, newest);
        }
        sent
    }

    /// Waits until this connection may push `entries` more entries. Only a
    /// stopping relay cuts the wait short; the push is then not stored, and
    /// the device pushes it again on its next connection.
    async fn await_push_allowance(&mut self, entries: usize) -> Result<(), End> {
        let Some(bucket) = &mut self.push_allowance else {
            return Ok(());
        };
        let wait = bucket.take(entries, Instant::now().into_std());
        if wait.is_zero() {
            return Ok(());
        }
        self.state.metrics().rate_limited(wait);
        tracing::debug!(entries, ?wait, "push over the rate limit waits");
        tokio::select! {
            () = tokio::time::sleep(wait) => Ok(()),
            () = stopping(&mut self.shutdown) => Err(End::Shutdown),
        }
    }

    async fn pull(
        &mut self,
        workspace: WorkspaceId,
        after: Seq,
        max_bytes: u32,
    ) -> Result<(), End> {
        let max_bytes = usize::try_from(max_bytes)
            .unwrap_or(usize::MAX)
            .min(self.state.limits().max_pull_page_bytes);
        let page = blocking(self.state.store(), move |store| {
            store.read_after(workspace, after, max_bytes)
        })
        .await?;
        tracing::debug!(
            %after,
            entries = page.entries.len(),
            head = %page.head,
            has_more = page.has_more,
            "served a pull"
        );
        if let Some(session) = &mut self.session {
            session.saw(page.head);
        }
        let body_bytes = page.entries.iter().map(|e| e.body.len()).sum();
        self.state.metrics().pulled(page.entries.len(), body_bytes);
        self.send(&ServerMsg::Batch {
            entries: page.entries,
            head: page.head,
            has_more: page.has_more,
        })
        .await
    }

    async fn send(&mut self, msg: &ServerMsg) -> Result<(), End> {
        self.send_message(Message::Binary(msg.encode().into()))
            .await
    }

    /// A peer that stops reading makes a send wait for TCP buffer space, and
    /// a live TCP peer that never reads would hold it forever. So a send may
    /// take the idle timeout plus a second per [`SLOWEST_PEER_BYTES_PER_SEC`]
    /// of the message (a page to a phone on 2G is slow, not dead); after
    /// that the peer is treated as gone.
    async fn send_message(&mut self, message: Message) -> Result<(), End> {
        let bytes = match &message {
            Message::Binary(data) => data.len() as u64,
            _ => 0,
        };
        let timeout = self.state.limits().idle_timeout
            + Duration::from_secs(bytes / SLOWEST_PEER_BYTES_PER_SEC);
        match tokio::time::timeout(timeout, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => {
                tracing::debug!(%error, "send failed");
                Err(End::Gone)
            }
            Err(_) => {
                tracing::info!(
                    ?timeout,
                    bytes,
                    "the peer stopped reading; dropping the socket"
                );
                Err(End::Gone)
            }
        }
    }

    async fn finish(mut self, end: End) {
        let close = match end {
            End::Gone => {
                tracing::debug!("socket closed");
                return;
            }
            End::PeerClosed => {
                // tungstenite queued the reply when it read the close;
                // flushing sends it.
                let _ = tokio::time::timeout(CLOSE_GRACE, self.socket.flush()).await;
                tracing::debug!("socket closed by the peer");
                return;
            }
            End::Shutdown => CloseFrame {
                code: close_code::AWAY,
                reason: "relay shutting down".into(),
            },
            End::Idle => CloseFrame {
                code: close_code::AWAY,
                reason: "idle timeout".into(),
            },
            End::Refuse {
                code,
                message,
                close,
            } => {
                self.state.metrics().error(code);
                let reason = code.as_str().into();
                if self
                    .send(&ServerMsg::Error { code, message })
                    .await
                    .is_err()
                {
                    return;
                }
                CloseFrame {
                    code: close,
                    reason,
                }
            }
        };
        let closing = self.socket.send(Message::Close(Some(close)));
        if !matches!(tokio::time::timeout(CLOSE_GRACE, closing).await, Ok(Ok(()))) {
            return;
        }
        // Hold the connection until the peer answers the close: closing with
        // unread input makes the kernel reset the connection, and the peer
        // may then lose the frames above. Once reading has failed (an
        // oversized frame ends the stream) only waiting out the grace helps.
        let reading_failed = self.reading_failed;
        let answered = async {
            if reading_failed {
                std::future::pending::<()>().await;
            }
            while let Some(Ok(msg)) = self.socket.recv().await {
                if let Message::Close(_) = msg {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(CLOSE_GRACE, answered).await;
        tracing::debug!("socket closed by the relay");
    }
}

/// Runs a store call off the async runtime; a failure ends the connection
/// with `Internal` and never reaches the device in detail.
async fn blocking<T: Send + 'static>(
    store: Arc<dyn LogStore>,
    call: impl FnOnce(&dyn LogStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, End> {
    match tokio::task::spawn_blocking(move || call(&*store)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => {
            tracing::error!(%error, "storage failed");
            Err(End::internal())
        }
        Err(error) => {
            tracing::error!(%error, "storage task failed");
            Err(End::internal())
        }
    }
}

async fn next_event(socket: &mut WebSocket) -> ConnEvent {
    match socket.recv().await {
        Some(Ok(Message::Binary(frame))) => ConnEvent::Frame(frame),
        Some(Ok(Message::Text(_))) => ConnEvent::Text,
        // The socket answers pings by itself.
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => ConnEvent::Alive,
        Some(Ok(Message::Close(_))) => ConnEvent::PeerClosed,
        None => ConnEvent::Closed,
        Some(Err(error)) => match error.into_inner().downcast::<tungstenite::Error>() {
            Ok(error) if matches!(*error, tungstenite::Error::Capacity(_)) => {
                ConnEvent::Oversized(error.to_string())
            }
            Ok(error) => {
                tracing::debug!(%error, "socket failed");
                ConnEvent::Closed
            }
            Err(error) => {
                tracing::debug!(%error, "socket failed");
                ConnEvent::Closed
            }
        },
    }
}

async fn next_poke(session: &mut Option<Session>) -> Seq {
    match session {
        Some(session) => session.subscription.changed().await,
        None => std::future::pending().await,
    }
}

async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    // A dropped sender means the relay is gone: stop as well.
    let _ = shutdown.wait_for(|stop| *stop).await;
}
