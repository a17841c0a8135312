//! The WebSocket to the relay, turned into loop events.
//!
//! Each connection attempt has a generation number; the loop ignores events
//! from a socket it already gave up on, so a late frame from an old
//! connection can never be mistaken for an answer on the new one.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::counters::Counters;
use crate::driver::LoopEvent;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub type WsSink = SplitSink<Ws, Message>;

/// How long one frame may take to leave; a relay that stopped reading for
/// longer (it throttles pushes by not reading) is treated as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(120);

/// The writing half of an open connection; the reader runs as a task.
#[derive(Debug)]
pub struct Socket {
    pub generation: u64,
    sink: WsSink,
    reader: JoinHandle<()>,
}

impl Socket {
    pub fn new(generation: u64, sink: WsSink, reader: JoinHandle<()>) -> Socket {
        Socket {
            generation,
            sink,
            reader,
        }
    }

    pub async fn send(&mut self, bytes: Vec<u8>, counters: &Counters) -> Result<(), String> {
        let len = bytes.len() as u64;
        match tokio::time::timeout(SEND_TIMEOUT, self.sink.send(Message::Binary(bytes.into())))
            .await
        {
            Ok(Ok(())) => {
                counters.bytes_sent.fetch_add(len, Ordering::Relaxed);
                counters.frames_sent.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Ok(Err(err)) => Err(format!("sending to the relay failed: {err}")),
            Err(_) => Err(format!(
                "the relay took more than {} s to take a frame",
                SEND_TIMEOUT.as_secs()
            )),
        }
    }

    /// Closes politely, without waiting long for the relay to agree.
    pub async fn close(mut self) {
        self.reader.abort();
        let _ = tokio::time::timeout(Duration::from_secs(1), self.sink.close()).await;
    }
}

/// Dials `url` in a task of its own; reports `Opened` with the writing half,
/// then every frame, then `Closed` (also when dialling fails).
pub fn spawn_connect(
    url: String,
    generation: u64,
    timeout: Duration,
    events: UnboundedSender<LoopEvent>,
    counters: Arc<Counters>,
) {
    tokio::spawn(async move {
        let dialled = tokio::time::timeout(timeout, tokio_tungstenite::connect_async(&url)).await;
        let ws = match dialled {
            Ok(Ok((ws, _response))) => ws,
            Ok(Err(err)) => {
                let _ = events.send(LoopEvent::Closed {
                    generation,
                    reason: format!("cannot reach the relay at {url}: {err}"),
                });
                return;
            }
            Err(_) => {
                let _ = events.send(LoopEvent::Closed {
                    generation,
                    reason: format!(
                        "the relay at {url} did not answer within {} s",
                        timeout.as_secs()
                    ),
                });
                return;
            }
        };
        let (sink, stream) = ws.split();
        // The relay speaks first (its challenge), and the loop drops frames
        // of a socket it has not seen open: the reader starts only once
        // `Opened` is queued.
        let (start, started) = tokio::sync::oneshot::channel::<()>();
        let frames = events.clone();
        let reader = tokio::spawn(async move {
            if started.await.is_ok() {
                read_frames(stream, generation, frames, counters).await;
            }
        });
        let _ = events.send(LoopEvent::Opened {
            socket: Socket::new(generation, sink, reader),
        });
        let _ = start.send(());
    });
}

async fn read_frames(
    mut stream: SplitStream<Ws>,
    generation: u64,
    events: UnboundedSender<LoopEvent>,
    counters: Arc<Counters>,
) {
    let reason = loop {
        match stream.next().await {
            None => break "the relay closed the connection".to_owned(),
            Some(Err(err)) => break format!("the connection to the relay failed: {err}"),
            Some(Ok(Message::Binary(bytes))) => {
                counters
                    .bytes_received
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                counters.frames_received.fetch_add(1, Ordering::Relaxed);
                let frame = LoopEvent::Frame {
                    generation,
                    bytes: bytes.to_vec(),
                };
                if events.send(frame).is_err() {
                    return; // the loop has ended
                }
            }
            Some(Ok(Message::Close(frame))) => {
                break match frame {
                    Some(f) if !f.reason.is_empty() => {
                        format!("the relay closed the connection: {}", f.reason)
                    }
                    _ => "the relay closed the connection".to_owned(),
                };
            }
            // Pings are answered by tungstenite itself; the relay sends no
            // text frames.
            Some(Ok(_)) => {}
        }
    };
    let _ = events.send(LoopEvent::Closed { generation, reason });
}

#[cfg(test)]
mod tests {
    /// `wss://` needs exactly one rustls crypto provider compiled in (ring);
    /// with none, or two, the first TLS connection would panic.
    #[test]
    fn tls_has_a_crypto_provider() {
        let _ = rustls::ClientConfig::builder();
    }
}
