//! `/v1/sync`: one WebSocket per device and workspace, speaking
//! `shared::wire`.
//!
//! Each connection is one task running one loop over [`ConnEvent`]s, so
//! every state change of a connection happens in one place, in order. A
//! connection that breaks the protocol gets an `Error` it can show, then a
//! close frame; nothing it sends can affect other connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::response::Response;
use shared::ids::{Seq, WorkspaceId};
use shared::wire::{ClientMsg, ErrorCode, MAX_FRAME_BYTES, NewEntry, ServerMsg};
use tokio::sync::watch;
use tracing::{Instrument, Span, field};

use crate::app_state::{AppState, OpenSocket};
use crate::log_store::{LogStore, StoreError};
use crate::pokes::Subscription;

/// Devices send small messages most of the time; a big push grows the
/// buffer as needed, so idle sockets stay cheap.
const READ_BUFFER_BYTES: usize = 16 * 1024;
/// How long a closing socket waits for the peer's close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

pub async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    ws.max_frame_size(MAX_FRAME_BYTES)
        .max_message_size(MAX_FRAME_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
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
    /// The workspace's head moved.
    Poke(Seq),
    /// The relay is stopping.
    Shutdown,
    /// The peer closed, or the socket failed.
    Closed,
}

/// Why a connection ends.
enum End {
    /// Nothing more can or need be sent.
    Gone,
    /// Tell the peer what went wrong, then close with `close`.
    Refuse {
        code: ErrorCode,
        message: String,
        close: u16,
    },
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
    /// The socket refused input and can no longer be read.
    reading_failed: bool,
    _open: OpenSocket,
}

impl Connection {
    fn new(state: AppState, socket: WebSocket) -> Connection {
        Connection {
            _open: state.socket_opened(),
            state,
            socket,
            session: None,
            reading_failed: false,
        }
    }

    async fn run(mut self) {
        tracing::debug!("socket open");
        let mut shutdown = self.state.shutdown();
        let end = loop {
            let event = tokio::select! {
                event = next_event(&mut self.socket) => event,
                head = next_poke(&mut self.session) => ConnEvent::Poke(head),
                () = stopping(&mut shutdown) => ConnEvent::Shutdown,
            };
            if let Err(end) = self.handle(event).await {
                break end;
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
            ConnEvent::Poke(head) => match &mut self.session {
                Some(session) if head > session.told_head => {
                    session.saw(head);
                    self.send(&ServerMsg::Poke { head }).await
                }
                _ => Ok(()),
            },
            ConnEvent::Shutdown => Err(End::Shutdown),
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
        let acks = blocking(self.state.store(), move |store| {
            store.append(workspace, &entries)
        })
        .await?;
        let newest = acks.iter().map(|a| a.seq).max();
        tracing::debug!(entries = count, body_bytes, ?newest, "stored a push");
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
        self.send(&ServerMsg::Batch {
            entries: page.entries,
            head: page.head,
            has_more: page.has_more,
        })
        .await
    }

    async fn send(&mut self, msg: &ServerMsg) -> Result<(), End> {
        self.socket
            .send(Message::Binary(msg.encode().into()))
            .await
            .map_err(|error| {
                tracing::debug!(%error, "send failed");
                End::Gone
            })
    }

    async fn finish(mut self, end: End) {
        let close = match end {
            End::Gone => {
                tracing::debug!("socket closed");
                return;
            }
            End::Shutdown => CloseFrame {
                code: close_code::AWAY,
                reason: "relay shutting down".into(),
            },
            End::Refuse {
                code,
                message,
                close,
            } => {
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
        if self.socket.send(Message::Close(Some(close))).await.is_err() {
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
    loop {
        return match socket.recv().await {
            Some(Ok(Message::Binary(frame))) => ConnEvent::Frame(frame),
            Some(Ok(Message::Text(_))) => ConnEvent::Text,
            // The socket answers pings by itself.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_))) | None => ConnEvent::Closed,
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
        };
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
