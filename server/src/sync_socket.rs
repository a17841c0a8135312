//! `/v1/sync`: one WebSocket per device and workspace, speaking
//! `shared::wire`.
//!
//! Each connection is one task running one loop over [`ConnEvent`]s, so
//! every state change of a connection happens in one place, in order. A
//! connection that breaks the protocol gets an `Error` it can show, then a
//! close frame; nothing it sends can affect other connections.
//!
//! The handshake is one round trip: as soon as the socket is open the relay
//! sends its `Challenge` (a fresh nonce, the relay's public origin and the
//! time), and the device answers with one `Hello` naming workspace and
//! device, signed over the challenge, which may spend an invite ticket or
//! the setup code. Only then, and only for a member, does anything else
//! happen. Every later message re-reads the device's membership and role,
//! and a revocation also reaches open sockets at once through
//! [`crate::revocations`].
//!
//! Limits per connection: `Hello` within the handshake timeout of opening
//! (which is when the challenge went out); a ping every ping interval and a
//! close after the idle timeout without a word (message or pong) from the
//! peer. Pushes go through the device's token bucket, waiting rather than
//! refusing when over it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::response::Response;
use futures::SinkExt;
use rand::RngCore;
use shared::ids::{DeviceId, Seq, WorkspaceId};
use shared::signing::{AuthChallenge, Signature, secret_hash};
use shared::wire::{
    BootstrapResume, ClientMsg, ErrorCode, MAX_FRAME_BYTES, NewEntry, Redeem, Role, ServerMsg,
};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};
use tracing::{Instrument, Span, field};

use crate::app_state::AppState;
use crate::app_state::OpenSocket;
use crate::log_store::{LogState, LogStore, Membership, Redeemed, StoreError};
use crate::now_ms;
use crate::pokes::Subscription;
use crate::revocations::RevocationWatch;
use crate::setup_code;

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
    /// An admin revoked this device.
    Revoked,
    /// Time to ping the peer.
    PingDue,
    /// No `Hello` in time.
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
            ErrorCode::Unauthenticated
            | ErrorCode::NotMember
            | ErrorCode::Revoked
            | ErrorCode::Forbidden
            | ErrorCode::BadTicket
            | ErrorCode::BadSignature => close_code::POLICY,
            // Not a fault: the device bootstraps and carries on.
            ErrorCode::CursorPruned => close_code::NORMAL,
            ErrorCode::RateLimited => close_code::AGAIN,
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

    fn revoked() -> End {
        End::refuse(
            ErrorCode::Revoked,
            "an admin removed this device from the workspace; it can no longer sync it \
             (a new invite needs a new device key)",
        )
    }

    fn not_member() -> End {
        End::refuse(
            ErrorCode::NotMember,
            "this device is not a member of this workspace; join it with an invite link \
             from one of its admins",
        )
    }

    fn admin_only(what: &str, role: Role) -> End {
        End::refuse(
            ErrorCode::Forbidden,
            format!(
                "only an admin may {what}; this device is a {} in this workspace",
                role.as_str()
            ),
        )
    }

    fn viewer_push(role: Role) -> End {
        End::refuse(
            ErrorCode::Forbidden,
            format!(
                "this device is a {} in this workspace: it may read, not push; \
                 nothing of this push was stored",
                role.as_str()
            ),
        )
    }
}

/// Where a connection is in the handshake.
enum Phase {
    /// `Challenge` sent on opening; waiting for the signed `Hello`.
    Challenged(Challenge),
    /// A member, past the handshake.
    Member(Session),
}

/// The challenge this connection sent, kept here only: a `Hello` can verify
/// against no other connection's challenge, so a captured one is useless.
struct Challenge {
    nonce: [u8; 32],
    issued_ms: i64,
    /// When the handshake timeout runs out.
    due: Instant,
}

impl Challenge {
    fn fresh(due: Instant) -> Challenge {
        let mut nonce = [0u8; 32];
        rand::rng().fill_bytes(&mut nonce);
        Challenge {
            nonce,
            issued_ms: now_ms(),
            due,
        }
    }
}

/// A connection past the handshake.
struct Session {
    workspace: WorkspaceId,
    device: DeviceId,
    /// As of the last message; every message re-reads it.
    role: Role,
    subscription: Subscription,
    revocation: RevocationWatch,
    /// The newest head this device has been told about, by any message.
    told_head: Seq,
}

impl Session {
    fn saw(&mut self, head: Seq) {
        self.told_head = self.told_head.max(head);
    }
}

/// The one-time secret of a `Hello`, reduced to what the store compares.
#[derive(Clone, Copy)]
enum Secret {
    Ticket([u8; 32]),
    SetupCode([u8; 32]),
}

/// What the store says about a device whose `Hello` verified.
enum Admission {
    Welcome {
        role: Role,
        log: LogState,
        redeemed: Option<Redeemed>,
    },
    Refused(End),
}

struct Connection {
    state: AppState,
    socket: WebSocket,
    phase: Phase,
    shutdown: watch::Receiver<bool>,
    /// The socket refused input and can no longer be read.
    reading_failed: bool,
    _open: OpenSocket,
}

impl Connection {
    fn new(state: AppState, socket: WebSocket) -> Connection {
        let hello_due = Instant::now() + state.limits().handshake_timeout;
        Connection {
            _open: state.socket_opened(),
            shutdown: state.shutdown(),
            state,
            socket,
            phase: Phase::Challenged(Challenge::fresh(hello_due)),
            reading_failed: false,
        }
    }

    async fn run(mut self) {
        tracing::debug!("socket open");
        let limits = self.state.limits();
        let opened = Instant::now();
        let mut last_heard = opened;
        let mut pings =
            tokio::time::interval_at(opened + limits.ping_interval, limits.ping_interval);
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // The relay speaks first, so a reconnecting device spends one round
        // trip on the handshake: challenge out, signed Hello back, Welcome.
        if let Err(end) = self.send_challenge().await {
            self.finish(end).await;
            return;
        }
        let end = loop {
            let handshake_due = match &self.phase {
                Phase::Challenged(challenge) => Some(challenge.due),
                Phase::Member(_) => None,
            };
            let (event, from_peer) = tokio::select! {
                event = next_event(&mut self.socket) => (event, true),
                event = session_event(&mut self.phase) => (event, false),
                () = stopping(&mut self.shutdown) => (ConnEvent::Shutdown, false),
                () = tokio::time::sleep_until(handshake_due.unwrap_or(opened)),
                    if handshake_due.is_some() =>
                {
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
                tracing::info!(
                    waited = ?self.state.limits().handshake_timeout,
                    "no hello in time"
                );
                Err(self.hello_too_late())
            }
            ConnEvent::Idle => {
                tracing::info!(
                    idle_timeout = ?self.state.limits().idle_timeout,
                    "closing a silent socket"
                );
                self.state.metrics().idle_closed();
                Err(End::Idle)
            }
            ConnEvent::Poke(head) => match &mut self.phase {
                Phase::Member(session) if head > session.told_head => {
                    session.saw(head);
                    self.send(&ServerMsg::Poke { head }).await
                }
                _ => Ok(()),
            },
            ConnEvent::Revoked => {
                tracing::info!("revoked: cutting the connection");
                Err(End::revoked())
            }
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
        let handshake_required = |message: &str| End::refuse(ErrorCode::HandshakeRequired, message);
        match (&self.phase, msg) {
            (
                Phase::Challenged(_),
                ClientMsg::Hello {
                    workspace,
                    device,
                    signature,
                    redeem,
                },
            ) => self.hello(workspace, device, signature, redeem).await,
            (Phase::Challenged(_), _) => Err(handshake_required(
                "the first message on a connection must be Hello, answering the relay's challenge",
            )),
            (Phase::Member(_), ClientMsg::Hello { .. }) => Err(handshake_required(
                "this connection has already done its handshake; open a new one to log in again",
            )),
            (Phase::Member(_), ClientMsg::Push { entries }) => self.push(entries).await,
            (Phase::Member(_), ClientMsg::Pull { after, max_bytes }) => {
                self.pull(after, max_bytes).await
            }
            (Phase::Member(_), ClientMsg::Bootstrap { resume, max_bytes }) => {
                self.bootstrap(resume, max_bytes).await
            }
            (
                Phase::Member(_),
                ClientMsg::CreateInvite {
                    ticket_hash,
                    role,
                    ttl_secs,
                },
            ) => self.create_invite(ticket_hash, role, ttl_secs).await,
            (Phase::Member(_), ClientMsg::ListDevices) => self.list_devices().await,
            (Phase::Member(_), ClientMsg::Revoke { device }) => self.revoke(device).await,
        }
    }

    async fn send_challenge(&mut self) -> Result<(), End> {
        let Phase::Challenged(challenge) = &self.phase else {
            return Ok(());
        };
        let msg = ServerMsg::Challenge {
            nonce: challenge.nonce,
            origin: self.state.origin().to_owned(),
            issued_ms: challenge.issued_ms,
        };
        tracing::debug!("challenge sent");
        self.send(&msg).await
    }

    /// No `Hello` in time. Not `Unauthenticated`: that one is final, and a
    /// device on a slow network should simply connect again.
    fn hello_too_late(&self) -> End {
        let waited = self.state.limits().handshake_timeout;
        End::refuse(
            ErrorCode::HandshakeRequired,
            format!(
                "no Hello within {waited:?} of connecting; connect again and answer the \
                 relay's challenge with Hello at once"
            ),
        )
    }

    async fn hello(
        &mut self,
        workspace: WorkspaceId,
        device: DeviceId,
        signature: Signature,
        redeem: Option<Redeem>,
    ) -> Result<(), End> {
        let span = Span::current();
        span.record("workspace", field::display(workspace));
        span.record("device", field::display(device));
        let Phase::Challenged(challenge) = &self.phase else {
            return Err(End::refuse(
                ErrorCode::HandshakeRequired,
                "this connection has already done its handshake; open a new one to log in again",
            ));
        };
        let (nonce, issued_ms, due) = (challenge.nonce, challenge.issued_ms, challenge.due);
        if Instant::now() > due {
            tracing::info!("the hello came after the handshake timeout");
            return Err(self.hello_too_late());
        }
        let origin = self.state.origin();
        let signed = AuthChallenge {
            origin,
            nonce,
            issued_ms,
            workspace,
            device,
        };
        if let Err(error) = signed.verify(&signature) {
            tracing::info!(%error, "the hello's signature does not verify");
            return Err(End::refuse(
                ErrorCode::Unauthenticated,
                format!(
                    "the Hello's signature over the challenge does not verify ({error}); a device \
                     signs this connection's challenge for {origin} with the key of the device \
                     it named"
                ),
            ));
        }

        // Registered before the store is asked, so a revocation committed
        // after that read still reaches this connection.
        let revocation = self.state.revocations().watch(workspace, device);
        // Subscribed before the head is read: a push committing in between
        // shows up either in Welcome's head or as a poke.
        let subscription = self.state.pokes().subscribe(workspace);
        let secret = redeem.map(|redeem| match redeem {
            Redeem::Ticket(ticket) => Secret::Ticket(secret_hash(&ticket)),
            Redeem::SetupCode(code) => Secret::SetupCode(setup_code::code_hash(&code)),
        });
        let now = now_ms();
        let admission = blocking(self.state.store(), move |store| {
            admit(store, workspace, device, secret, now)
        })
        .await?;
        let (role, log, redeemed) = match admission {
            Admission::Welcome {
                role,
                log,
                redeemed,
            } => (role, log, redeemed),
            Admission::Refused(end) => return Err(end),
        };
        match (secret, redeemed) {
            (Some(Secret::SetupCode(_)), Some(Redeemed::Joined(_))) => {
                tracing::info!("workspace created with the setup code; this device is its admin");
            }
            (Some(Secret::Ticket(_)), Some(Redeemed::Joined(role))) => {
                tracing::info!(role = role.as_str(), "joined with an invite");
            }
            _ => {}
        }
        tracing::info!(
            role = role.as_str(),
            head = %log.head,
            pruned_through = %log.pruned_through,
            "welcome"
        );
        self.state.metrics().welcomed();
        self.phase = Phase::Member(Session {
            workspace,
            device,
            role,
            subscription,
            revocation,
            told_head: log.head,
        });
        self.send(&ServerMsg::Welcome {
            head: log.head,
            role,
            pruned_through: log.pruned_through,
        })
        .await
    }

    /// The session of a member connection. Member messages are dispatched
    /// only in that phase, so the error is for a future mistake, not a path
    /// a device can reach.
    fn session(&mut self) -> Result<&mut Session, End> {
        match &mut self.phase {
            Phase::Member(session) => Ok(session),
            Phase::Challenged(_) => Err(End::refuse(
                ErrorCode::HandshakeRequired,
                "finish the handshake first",
            )),
        }
    }

    /// Runs `call` off the runtime once the store confirms this device is
    /// still a member, with its current role. The revocation registry
    /// reaches only this process's sockets, and a message may have waited;
    /// this check binds every message to the membership as stored.
    async fn as_member<T: Send + 'static>(
        &mut self,
        call: impl FnOnce(&dyn LogStore, Role) -> Result<Result<T, End>, StoreError> + Send + 'static,
    ) -> Result<T, End> {
        let session = self.session()?;
        let (workspace, device) = (session.workspace, session.device);
        let (role, value) = blocking(self.state.store(), move |store| {
            match store.membership(workspace, device)? {
                Membership::Member(role) => Ok(call(store, role)?.map(|value| (role, value))),
                Membership::Revoked => Ok(Err(End::revoked())),
                Membership::None => Ok(Err(End::not_member())),
            }
        })
        .await??;
        self.session()?.role = role;
        Ok(value)
    }

    async fn push(&mut self, entries: Vec<NewEntry>) -> Result<(), End> {
        let session = self.session()?;
        let (workspace, device, role) = (session.workspace, session.device, session.role);
        if !role.can_push() {
            tracing::info!(role = role.as_str(), "refused a push: role");
            return Err(End::viewer_push(role));
        }
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
        self.await_push_allowance(device, count).await?;
        let now = now_ms();
        // Signatures are checked on the blocking pool too: a large push is
        // thousands of Ed25519 verifications.
        let appended = self
            .as_member(move |store, role| {
                if !role.can_push() {
                    return Ok(Err(End::viewer_push(role)));
                }
                if let Err(refusal) = check_signatures(workspace, device, &entries) {
                    return Ok(Err(refusal));
                }
                store.append(workspace, &entries, now).map(Ok)
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
        if let Some(newest) = newest {
            self.session()?.saw(newest);
        }
        let sent = self.send(&ServerMsg::Ack { acks }).await;
        // The entries are stored whether or not this device heard the ack.
        if let Some(newest) = newest {
            self.state.pokes().publish(workspace, newest);
        }
        sent
    }

    /// Waits until this device may push `entries` more entries. Only a
    /// stopping relay cuts the wait short; the push is then not stored, and
    /// the device pushes it again on its next connection.
    async fn await_push_allowance(&mut self, device: DeviceId, entries: usize) -> Result<(), End> {
        let wait = self
            .state
            .push_allowances()
            .take(device, entries, Instant::now().into_std());
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

    async fn pull(&mut self, after: Seq, max_bytes: u32) -> Result<(), End> {
        let workspace = self.session()?.workspace;
        let max_bytes = self.page_bytes(max_bytes);
        let page = self
            .as_member(move |store, _| {
                let page = store.read_after(workspace, after, max_bytes)?;
                // Read after the page: a prune committing in between makes
                // this refuse a page that was in fact whole, never the
                // other way round.
                let log = store.log_state(workspace)?;
                if after < log.pruned_through {
                    return Ok(Err(End::refuse(
                        ErrorCode::CursorPruned,
                        format!(
                            "entries after {after} up to {} were replaced by snapshots and \
                             pruned; bootstrap instead",
                            log.pruned_through
                        ),
                    )));
                }
                Ok(Ok(page))
            })
            .await?;
        tracing::debug!(
            %after,
            entries = page.entries.len(),
            head = %page.head,
            has_more = page.has_more,
            "served a pull"
        );
        self.session()?.saw(page.head);
        let body_bytes = page.entries.iter().map(|e| e.body.len()).sum();
        self.state.metrics().pulled(page.entries.len(), body_bytes);
        self.send(&ServerMsg::Batch {
            entries: page.entries,
            head: page.head,
            has_more: page.has_more,
        })
        .await
    }

    async fn bootstrap(
        &mut self,
        resume: Option<BootstrapResume>,
        max_bytes: u32,
    ) -> Result<(), End> {
        let workspace = self.session()?.workspace;
        let max_bytes = self.page_bytes(max_bytes);
        let page = self
            .as_member(move |store, _| store.bootstrap_page(workspace, resume, max_bytes).map(Ok))
            .await?;
        tracing::debug!(
            resumed = resume.is_some(),
            entries = page.entries.len(),
            upto = %page.upto,
            docs_done = page.docs_done,
            docs_total = page.docs_total,
            done = page.next.is_none(),
            "served a bootstrap page"
        );
        self.session()?.saw(page.upto);
        let body_bytes = page.entries.iter().map(|e| e.body.len()).sum();
        self.state
            .metrics()
            .bootstrap_page(page.entries.len(), body_bytes);
        self.send(&ServerMsg::BootstrapPage {
            entries: page.entries,
            upto: page.upto,
            next: page.next,
            docs_done: page.docs_done,
            docs_total: page.docs_total,
        })
        .await
    }

    /// A device's page size, within the relay's.
    fn page_bytes(&self, asked: u32) -> usize {
        usize::try_from(asked)
            .unwrap_or(usize::MAX)
            .min(self.state.limits().max_pull_page_bytes)
    }

    /// Refuses a non-admin without a store call; `as_member` then checks
    /// the stored role again.
    fn require_admin(&mut self, what: &str) -> Result<(), End> {
        match self.session()?.role {
            Role::Admin => Ok(()),
            role => {
                tracing::info!(role = role.as_str(), action = what, "refused: admins only");
                Err(End::admin_only(what, role))
            }
        }
    }

    async fn create_invite(
        &mut self,
        ticket_hash: [u8; 32],
        role: Role,
        ttl_secs: u32,
    ) -> Result<(), End> {
        const WHAT: &str = "invite devices";
        self.require_admin(WHAT)?;
        let session = self.session()?;
        let (workspace, device) = (session.workspace, session.device);
        let ttl = Duration::from_secs(ttl_secs.into()).min(self.state.limits().max_invite_ttl);
        let now = now_ms();
        let expires_ms = now.saturating_add(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
        self.as_member(move |store, current| {
            if current != Role::Admin {
                return Ok(Err(End::admin_only(WHAT, current)));
            }
            store
                .add_ticket(workspace, ticket_hash, role, expires_ms, device, now)
                .map(Ok)
        })
        .await?;
        tracing::info!(
            role = role.as_str(),
            ttl_secs = ttl.as_secs(),
            "invite created"
        );
        self.send(&ServerMsg::InviteCreated { expires_ms }).await
    }

    async fn list_devices(&mut self) -> Result<(), End> {
        const WHAT: &str = "list devices";
        self.require_admin(WHAT)?;
        let workspace = self.session()?.workspace;
        let devices = self
            .as_member(move |store, current| {
                if current != Role::Admin {
                    return Ok(Err(End::admin_only(WHAT, current)));
                }
                store.devices(workspace).map(Ok)
            })
            .await?;
        tracing::debug!(devices = devices.len(), "listed devices");
        self.send(&ServerMsg::Devices { devices }).await
    }

    async fn revoke(&mut self, target: DeviceId) -> Result<(), End> {
        const WHAT: &str = "revoke devices";
        self.require_admin(WHAT)?;
        let workspace = self.session()?.workspace;
        let now = now_ms();
        let was_member = self
            .as_member(move |store, current| {
                if current != Role::Admin {
                    return Ok(Err(End::admin_only(WHAT, current)));
                }
                store.revoke(workspace, target, now).map(Ok)
            })
            .await?;
        if !was_member {
            tracing::info!(%target, "refused to revoke a device that is not a member");
            return Err(End::refuse(
                ErrorCode::Forbidden,
                format!("device {target} is not a member of this workspace; nothing was revoked"),
            ));
        }
        // After the commit: a connection of the target either reads the
        // revocation from the store or is registered by now (see
        // `crate::revocations`).
        let cut = self.state.revocations().cut(workspace, target);
        tracing::info!(%target, connections_cut = cut, "device revoked");
        self.send(&ServerMsg::Revoked { device: target }).await
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
                tracing::info!(code = code.as_str(), "closing with an error");
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
    // Logged lines from the call keep the connection's ids.
    let span = Span::current();
    match tokio::task::spawn_blocking(move || span.in_scope(|| call(&*store))).await {
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

/// A poke or a revocation, for a member; never before the handshake.
async fn session_event(phase: &mut Phase) -> ConnEvent {
    match phase {
        Phase::Member(session) => tokio::select! {
            // A cut device hears nothing more, not even a last poke.
            biased;
            () = session.revocation.revoked() => ConnEvent::Revoked,
            head = session.subscription.changed() => ConnEvent::Poke(head),
        },
        Phase::Challenged(_) => std::future::pending().await,
    }
}

async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    // A dropped sender means the relay is gone: stop as well.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Admits a device whose `Hello` verified: spends its ticket or setup code,
/// if any, then reads its membership and the log's positions.
fn admit(
    store: &dyn LogStore,
    workspace: WorkspaceId,
    device: DeviceId,
    secret: Option<Secret>,
    now_ms: i64,
) -> Result<Admission, StoreError> {
    let redeemed = match secret {
        None => None,
        Some(Secret::Ticket(hash)) => Some(store.redeem_ticket(hash, workspace, device, now_ms)?),
        Some(Secret::SetupCode(hash)) => {
            Some(store.redeem_setup_code(hash, workspace, device, now_ms)?)
        }
    };
    match redeemed {
        Some(Redeemed::Invalid) => {
            tracing::info!("refused an unknown, spent or expired invite or setup code");
            return Ok(Admission::Refused(End::refuse(
                ErrorCode::BadTicket,
                "the invite or setup code is unknown, already used or expired; ask for a new one",
            )));
        }
        Some(Redeemed::Revoked) => return Ok(Admission::Refused(End::revoked())),
        Some(Redeemed::Joined(_) | Redeemed::AlreadyMember(_)) | None => {}
    }
    Ok(match store.membership(workspace, device)? {
        Membership::Member(role) => Admission::Welcome {
            role,
            log: store.log_state(workspace)?,
            redeemed,
        },
        Membership::Revoked => Admission::Refused(End::revoked()),
        Membership::None => Admission::Refused(End::not_member()),
    })
}

/// Every entry of a push must be signed by the pushing device, as its
/// author, for this workspace; otherwise none of the push is stored.
fn check_signatures(
    workspace: WorkspaceId,
    device: DeviceId,
    entries: &[NewEntry],
) -> Result<(), End> {
    for (index, entry) in entries.iter().enumerate() {
        let blob = entry.header.blob_id;
        if entry.header.author != device {
            tracing::info!(index, %blob, author = %entry.header.author, "refused a push: foreign author");
            return Err(End::refuse(
                ErrorCode::BadSignature,
                format!(
                    "entry {index} (blob {blob}) names another device as its author; a device \
                     pushes only entries it signed itself. Nothing of this push was stored"
                ),
            ));
        }
        if let Err(error) = entry.verify(workspace) {
            tracing::info!(index, %blob, %error, "refused a push: bad signature");
            return Err(End::refuse(
                ErrorCode::BadSignature,
                format!(
                    "entry {index} (blob {blob}) does not verify: {error}. Nothing of this push \
                     was stored"
                ),
            ));
        }
    }
    Ok(())
}
