//! The baseline: Automerge's own sync protocol run for every document, as
//! automerge-repo and its sync server do, over a WebSocket on loopback.
//!
//! Each side holds every document, loaded, and one `sync::State` per
//! document. On connecting, the client generates a sync message for every
//! document; each side answers every message it receives with
//! `receive_sync_message` then `generate_sync_message`, until neither has
//! anything to say. One WebSocket binary frame per sync message: the
//! document's 16-byte id, then the encoded message. That framing is leaner
//! than automerge-repo's (a CBOR map naming the message type, sender, target
//! and a base58 document id), so the bytes counted here are a lower bound
//! for the baseline.
//!
//! The end of a session is detected exactly, not by a quiet period: the
//! server publishes how many frames it has handled and sent (the harness
//! owns both ends), and the session is over when every frame the client
//! sent was handled, every frame the server sent was read, and the client
//! has nothing left to send.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use automerge::Automerge;
use automerge::sync::{Message, State, SyncDoc};
use futures::{SinkExt, StreamExt};
use shared::ids::DocId;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// One peer: every document, loaded, with its sync state for the other peer.
#[derive(Debug)]
pub struct Peer {
    pub ids: Arc<Vec<DocId>>,
    pub docs: Vec<Automerge>,
    pub states: Vec<State>,
    /// Where each id is in `ids`.
    index: HashMap<DocId, usize>,
}

impl Peer {
    /// Loads every document from its saved (or change) bytes, with fresh
    /// sync states.
    pub fn load(ids: Arc<Vec<DocId>>, saved: &[&[u8]]) -> Result<Peer> {
        ensure!(ids.len() == saved.len(), "one saved document per id");
        let docs = saved
            .iter()
            .map(|bytes| Automerge::load(bytes).context("loading a baseline document"))
            .collect::<Result<Vec<_>>>()?;
        let states = (0..docs.len()).map(|_| State::new()).collect();
        let index = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        Ok(Peer {
            ids,
            docs,
            states,
            index,
        })
    }

    /// Where document `id` is in `ids`.
    pub fn position(&self, id: &DocId) -> Result<usize> {
        self.index
            .get(id)
            .copied()
            .with_context(|| format!("document {id} is not one of this peer's"))
    }

    /// A copy with fresh sync states (a peer that connects as if for the
    /// first time, as automerge-repo does without stored sync states).
    pub fn forget_sync_states(&mut self) {
        self.states = (0..self.docs.len()).map(|_| State::new()).collect();
    }

    /// What a peer keeps of its sync states between sessions when it stores
    /// them (`State::encode` keeps the shared heads), read back.
    pub fn persist_sync_states(&mut self) -> Result<()> {
        for state in &mut self.states {
            *state = State::decode(&state.encode()).context("decoding a stored sync state")?;
        }
        Ok(())
    }
}

/// What one session cost, counted at the client.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Session {
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub frames_sent: u64,
    pub frames_received: u64,
    /// The longest chain of messages for one document, as round trips (a
    /// client message and the server's answer are one).
    pub round_trips: u64,
    /// Documents whose heads changed at the client.
    pub docs_changed: u64,
    pub wall: Duration,
}

impl Session {
    pub fn wire_bytes(&self) -> u64 {
        self.bytes_sent + self.bytes_received
    }
}

#[derive(Debug, Default)]
struct ServerProgress {
    handled: AtomicU64,
    sent: AtomicU64,
}

/// Runs one session between `client` and `server` over a fresh loopback
/// WebSocket, and returns both peers (with their updated sync states) and
/// the client's account of the session.
pub async fn session(mut client: Peer, server: Peer) -> Result<(Peer, Peer, Session)> {
    ensure!(
        client.ids == server.ids,
        "both peers must hold the same documents"
    );
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let progress = Arc::new(ServerProgress::default());
    let server_task = tokio::spawn(serve(listener, server, progress.clone()));

    let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
        .await
        .context("connecting to the baseline server")?;
    let (mut sink, mut stream) = socket.split();
    // Writing and reading run side by side so that neither side's socket
    // buffer can fill up and stall the other.
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let written = written.clone();
        tokio::spawn(async move {
            while let Some(frame) = out_rx.recv().await {
                sink.feed(WsMessage::binary(frame)).await?;
                if out_rx.is_empty() {
                    sink.flush().await?;
                }
                written.fetch_add(1, Ordering::Release);
            }
            sink.close().await?;
            anyhow::Ok(())
        })
    };

    let heads_before: Vec<_> = client.docs.iter().map(Automerge::get_heads).collect();
    let mut chain = vec![0u64; client.docs.len()];
    let mut stats = Session::default();

    let start = Instant::now();
    let peers = client.docs.iter().zip(client.states.iter_mut());
    for (((doc, state), id), links) in peers.zip(client.ids.iter()).zip(chain.iter_mut()) {
        if let Some(msg) = doc.generate_sync_message(state) {
            let frame = frame(id, msg);
            stats.bytes_sent += frame.len() as u64;
            stats.frames_sent += 1;
            *links += 1;
            out_tx
                .send(frame)
                .map_err(|_| anyhow!("the writer stopped"))?;
        }
    }
    loop {
        let quiet = progress.handled.load(Ordering::Acquire) == stats.frames_sent
            && progress.sent.load(Ordering::Acquire) == stats.frames_received;
        if quiet {
            break;
        }
        let next = match tokio::time::timeout(Duration::from_millis(2), stream.next()).await {
            Err(_) => continue, // the server is still working: check again
            Ok(next) => next,
        };
        let data = match next {
            Some(Ok(WsMessage::Binary(data))) => data,
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
            Some(Ok(other)) => bail!("unexpected frame from the baseline server: {other:?}"),
            Some(Err(e)) => return Err(e).context("reading from the baseline server"),
            None => bail!("the baseline server closed the connection mid-session"),
        };
        stats.bytes_received += data.len() as u64;
        stats.frames_received += 1;
        let (id, msg) = unframe(&data)?;
        let i = client.position(&id)?;
        chain[i] += 1;
        client.docs[i]
            .receive_sync_message(&mut client.states[i], msg)
            .context("client: receiving a sync message")?;
        if let Some(msg) = client.docs[i].generate_sync_message(&mut client.states[i]) {
            let frame = frame(&client.ids[i], msg);
            stats.bytes_sent += frame.len() as u64;
            stats.frames_sent += 1;
            chain[i] += 1;
            out_tx
                .send(frame)
                .map_err(|_| anyhow!("the writer stopped"))?;
        }
    }
    stats.wall = start.elapsed();
    drop(out_tx);
    writer.await.context("the writer panicked")??;
    let server = server_task.await.context("the server panicked")??;
    ensure!(
        written.load(Ordering::Acquire) == stats.frames_sent,
        "not every frame was written"
    );

    stats.round_trips = chain.iter().map(|n| n.div_ceil(2)).max().unwrap_or(0);
    stats.docs_changed = client
        .docs
        .iter()
        .zip(&heads_before)
        .filter(|(doc, before)| doc.get_heads() != **before)
        .count() as u64;
    Ok((client, server, stats))
}

async fn serve(
    listener: TcpListener,
    mut peer: Peer,
    progress: Arc<ServerProgress>,
) -> Result<Peer> {
    let (tcp, _) = listener.accept().await?;
    let mut socket = tokio_tungstenite::accept_async(tcp)
        .await
        .context("accepting the baseline client")?;
    while let Some(next) = socket.next().await {
        let data = match next.context("reading from the baseline client")? {
            WsMessage::Binary(data) => data,
            WsMessage::Close(_) => break,
            _ => continue,
        };
        let (id, msg) = unframe(&data)?;
        let i = peer.position(&id)?;
        peer.docs[i]
            .receive_sync_message(&mut peer.states[i], msg)
            .context("server: receiving a sync message")?;
        if let Some(reply) = peer.docs[i].generate_sync_message(&mut peer.states[i]) {
            socket.send(WsMessage::binary(frame(&id, reply))).await?;
            progress.sent.fetch_add(1, Ordering::Release);
        }
        progress.handled.fetch_add(1, Ordering::Release);
    }
    Ok(peer)
}

fn frame(id: &DocId, msg: Message) -> Vec<u8> {
    let encoded = msg.encode();
    let mut out = Vec::with_capacity(16 + encoded.len());
    out.extend_from_slice(&id.0);
    out.extend_from_slice(&encoded);
    out
}

fn unframe(data: &[u8]) -> Result<(DocId, Message)> {
    ensure!(data.len() > 16, "a baseline frame is shorter than a doc id");
    let mut id = [0u8; 16];
    id.copy_from_slice(&data[..16]);
    let msg = Message::decode(&data[16..]).context("decoding a sync message")?;
    Ok((DocId(id), msg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    fn doc(n: i64) -> Vec<u8> {
        let mut d = AutoCommit::new();
        d.put(ROOT, "n", n).unwrap();
        d.save()
    }

    #[tokio::test]
    async fn a_session_brings_the_client_up_to_date_and_counts_it() {
        let ids = Arc::new((0..5u8).map(|i| DocId([i; 16])).collect::<Vec<_>>());
        let saved: Vec<Vec<u8>> = (0..5).map(doc).collect();
        let refs: Vec<&[u8]> = saved.iter().map(Vec::as_slice).collect();
        let client = Peer::load(ids.clone(), &refs).unwrap();
        let mut server = Peer::load(ids.clone(), &refs).unwrap();
        for d in &mut server.docs[..2] {
            let mut tx = d.transaction();
            tx.put(ROOT, "changed", true).unwrap();
            tx.commit();
        }
        let (mut client, mut server, s) = session(client, server).await.unwrap();
        assert_eq!(s.docs_changed, 2);
        assert!(s.frames_sent >= 5 && s.frames_received >= 5, "{s:?}");
        assert!(s.round_trips >= 1);
        for (c, sv) in client.docs.iter().zip(&server.docs) {
            assert_eq!(c.get_heads(), sv.get_heads());
        }

        // Stored sync states: nothing changed, so the second session only
        // confirms heads.
        client.persist_sync_states().unwrap();
        server.persist_sync_states().unwrap();
        let (_, _, again) = session(client, server).await.unwrap();
        assert_eq!(again.docs_changed, 0);
        assert!(again.wire_bytes() > 0);
        assert!(again.wire_bytes() < s.wire_bytes(), "{again:?} vs {s:?}");
    }
}
