//! A minimal client of the relay protocol, for load generation: one
//! WebSocket speaking `shared::wire` frames directly, with none of the
//! native client's state, engine or storage, so thousands of connections
//! fit in one process and every timestamp is taken next to the socket.
//!
//! The handshake is in one place, [`handshake`]; everything else is
//! "send a `ClientMsg`, read `ServerMsg`s".

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use shared::ids::{Seq, WorkspaceId};
use shared::signing::{AuthChallenge, DeviceKey};
use shared::wire::{ClientMsg, MAX_FRAME_BYTES, Redeem, Role, ServerMsg};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

type Ws = WebSocketStream<TcpStream>;

/// How long dialling plus the handshake may take before the attempt fails.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the relay listens, and the origin it names in its challenge (the
/// relay without `--public-url` names its bound address).
#[derive(Debug, Clone)]
pub struct RelayTarget {
    pub addr: SocketAddr,
    pub origin: String,
}

impl RelayTarget {
    /// A relay on `addr` with no `--public-url`.
    pub fn local(addr: SocketAddr) -> RelayTarget {
        RelayTarget {
            addr,
            origin: format!("http://{addr}"),
        }
    }

    fn sync_url(&self) -> String {
        format!("ws://{}/v1/sync", self.addr)
    }
}

/// A device key and the workspace it connects to.
#[derive(Debug, Clone)]
pub struct Identity {
    pub workspace: WorkspaceId,
    pub key: DeviceKey,
}

/// What the relay said in `Welcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Welcome {
    pub head: Seq,
    pub role: Role,
    pub pruned_through: Seq,
}

/// A handshaked connection.
#[derive(Debug)]
pub struct RawConn {
    ws: Ws,
    pub welcome: Welcome,
}

/// Small buffers: an idle connection of the load generator should cost
/// the generator little, since it shares the machine with the relay.
fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES))
}

/// Dials the relay and completes the handshake as `identity`, redeeming
/// `redeem` (a setup code or invite ticket) if given.
pub async fn connect(
    relay: &RelayTarget,
    identity: &Identity,
    redeem: Option<Redeem>,
) -> Result<RawConn> {
    let attempt = async {
        let tcp = TcpStream::connect(relay.addr)
            .await
            .with_context(|| format!("dialling the relay at {}", relay.addr))?;
        // Pokes are a few bytes: without this, Nagle's algorithm on the
        // client side would hold back small pushes.
        tcp.set_nodelay(true)?;
        let (mut ws, _response) =
            tokio_tungstenite::client_async_with_config(relay.sync_url(), tcp, Some(ws_config()))
                .await
                .context("upgrading to a WebSocket")?;
        let welcome = handshake(&mut ws, &relay.origin, identity, redeem).await?;
        Ok(RawConn { ws, welcome })
    };
    tokio::time::timeout(CONNECT_TIMEOUT, attempt)
        .await
        .with_context(|| format!("no Welcome within {CONNECT_TIMEOUT:?}"))?
}

/// The whole handshake, protocol version 3: the relay's `Challenge`
/// (sent unprompted on opening) → one signed `Hello`, with the setup code or
/// invite ticket when joining → `Welcome`.
async fn handshake(
    ws: &mut Ws,
    origin: &str,
    identity: &Identity,
    redeem: Option<Redeem>,
) -> Result<Welcome> {
    let device = identity.key.device_id();
    let (nonce, issued_ms) = match recv_on(ws).await? {
        ServerMsg::Challenge {
            nonce,
            origin: named,
            issued_ms,
        } => {
            ensure!(
                named == origin,
                "the relay's challenge names the origin {named:?}, expected {origin:?}; \
                 start the relay without --public-url or pass its public origin"
            );
            (nonce, issued_ms)
        }
        other => bail!("expected a Challenge, got {}", describe(&other)),
    };
    let signature = identity.key.sign_auth(&AuthChallenge {
        origin,
        nonce,
        issued_ms,
        workspace: identity.workspace,
        device,
    });
    send_on(
        ws,
        &ClientMsg::Hello {
            workspace: identity.workspace,
            device,
            signature,
            redeem,
        },
    )
    .await?;
    match recv_on(ws).await? {
        ServerMsg::Welcome {
            head,
            role,
            pruned_through,
        } => Ok(Welcome {
            head,
            role,
            pruned_through,
        }),
        other => bail!("expected Welcome, got {}", describe(&other)),
    }
}

async fn send_on(ws: &mut Ws, msg: &ClientMsg) -> Result<()> {
    ws.send(Message::Binary(msg.encode().into()))
        .await
        .context("sending to the relay")
}

/// The next protocol message; pings are answered by tungstenite itself.
async fn recv_on(ws: &mut Ws) -> Result<ServerMsg> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Binary(frame))) => return decode(&frame),
            Some(Ok(Message::Close(frame))) => bail!("the relay closed the connection: {frame:?}"),
            Some(Ok(_)) => {}
            Some(Err(err)) => return Err(err).context("reading from the relay"),
            None => bail!("the relay closed the connection"),
        }
    }
}

/// A frame as a message; the relay's `Error` becomes an error here.
fn decode(frame: &[u8]) -> Result<ServerMsg> {
    match ServerMsg::decode(frame).context("decoding a relay frame")? {
        ServerMsg::Error { code, message } => {
            bail!("the relay refused: {} ({message})", code.as_str())
        }
        msg => Ok(msg),
    }
}

/// The message's name and sizes, never its content.
pub fn describe(msg: &ServerMsg) -> String {
    match msg {
        ServerMsg::Challenge { .. } => "Challenge".into(),
        ServerMsg::Welcome { head, .. } => format!("Welcome(head {head})"),
        ServerMsg::Ack { acks } => format!("Ack({} entries)", acks.len()),
        ServerMsg::Batch { entries, head, .. } => {
            format!("Batch({} entries, head {head})", entries.len())
        }
        ServerMsg::BootstrapPage { entries, .. } => {
            format!("BootstrapPage({} entries)", entries.len())
        }
        ServerMsg::Poke { head } => format!("Poke(head {head})"),
        ServerMsg::InviteCreated { .. } => "InviteCreated".into(),
        ServerMsg::Devices { devices } => format!("Devices({})", devices.len()),
        ServerMsg::Revoked { .. } => "Revoked".into(),
        ServerMsg::Error { code, .. } => format!("Error({})", code.as_str()),
    }
}

impl RawConn {
    pub async fn send(&mut self, msg: &ClientMsg) -> Result<()> {
        send_on(&mut self.ws, msg).await
    }

    /// The next message (pokes included).
    pub async fn recv(&mut self) -> Result<ServerMsg> {
        recv_on(&mut self.ws).await
    }

    /// Sends `msg` and returns the first reply that is not a poke.
    pub async fn request(&mut self, msg: &ClientMsg) -> Result<ServerMsg> {
        self.send(msg).await?;
        loop {
            match self.recv().await? {
                ServerMsg::Poke { .. } => {}
                reply => return Ok(reply),
            }
        }
    }

    /// Waits for the next frame, or the end of the connection (`None`),
    /// answering pings meanwhile: what an idle device does.
    pub async fn idle_read(&mut self) -> Option<Result<ServerMsg>> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Binary(frame))) => return Some(decode(&frame)),
                Some(Ok(Message::Close(_))) | None => return None,
                Some(Ok(_)) => {}
                Some(Err(err)) => return Some(Err(err).context("reading from the relay")),
            }
        }
    }

    /// A writing half and a reading half, to send while reading.
    pub fn split(self) -> (RawSink, RawStream) {
        let (sink, stream) = self.ws.split();
        (RawSink { sink }, RawStream { stream })
    }

    /// Closes politely and waits (briefly) for the relay's close frame.
    pub async fn close(mut self) {
        let closing = async {
            let _ = self.ws.close(None).await;
            while let Some(Ok(_)) = self.ws.next().await {}
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), closing).await;
    }
}

#[derive(Debug)]
pub struct RawSink {
    sink: SplitSink<Ws, Message>,
}

impl RawSink {
    pub async fn send(&mut self, msg: &ClientMsg) -> Result<()> {
        self.send_frame(msg.encode()).await
    }

    /// An already encoded message (`ClientMsg::encode`), so encoding can
    /// happen before a timestamp is taken.
    pub async fn send_frame(&mut self, frame: Vec<u8>) -> Result<()> {
        self.sink
            .send(Message::Binary(frame.into()))
            .await
            .context("sending to the relay")
    }

    /// Closes politely: sends the close frame, then reads until the
    /// relay's answer (briefly).
    pub async fn close(mut self, mut stream: RawStream) {
        let closing = async {
            let _ = self.sink.close().await;
            while let Some(Ok(_)) = stream.stream.next().await {}
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), closing).await;
    }
}

#[derive(Debug)]
pub struct RawStream {
    stream: SplitStream<Ws>,
}

impl RawStream {
    /// The next message, or `None` once the relay closed.
    pub async fn recv(&mut self) -> Option<Result<ServerMsg>> {
        loop {
            match self.stream.next().await {
                Some(Ok(Message::Binary(frame))) => return Some(decode(&frame)),
                Some(Ok(Message::Close(_))) | None => return None,
                Some(Ok(_)) => {}
                Some(Err(err)) => return Some(Err(err).context("reading from the relay")),
            }
        }
    }
}
