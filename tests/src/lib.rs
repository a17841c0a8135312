//! Helpers for cross-crate tests that drive the REAL relay binary:
//!
//! - [`RelayProcess`] starts `homeward-server` as a child process on a given
//!   data directory and port and waits until it listens;
//! - [`RelayClient`] is a small native WebSocket client speaking
//!   [`shared::wire`], like a device would;
//! - [`list_entries`] runs `homeward-server list-entries` to see what the
//!   relay has on disk.
//!
//! The binary is `$HOMEWARD_SERVER_BIN`, else `<workspace>/target/debug/homeward-server`
//! (`cargo xtask test` builds it and sets the variable).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail, ensure};
use futures::{SinkExt, StreamExt};
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::wire::{Acked, ClientMsg, Entry, EntryHeader, EntryKind, NewEntry, ServerMsg};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long the relay may take to print `listening on http://ADDR`.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a client waits for any one reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// The workspace root (the folder holding the workspace Cargo.toml).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives one folder below the workspace root")
        .to_path_buf()
}

/// The relay binary under test; fails clearly if it was not built.
pub fn server_bin() -> Result<PathBuf> {
    let (path, source) = match std::env::var_os("HOMEWARD_SERVER_BIN") {
        Some(p) if !p.is_empty() => (PathBuf::from(p), "$HOMEWARD_SERVER_BIN"),
        _ => {
            let target = match std::env::var_os("CARGO_TARGET_DIR") {
                Some(dir) if !dir.is_empty() => workspace_root().join(dir),
                _ => workspace_root().join("target"),
            };
            (
                target.join("debug/homeward-server"),
                "the default path (HOMEWARD_SERVER_BIN is not set)",
            )
        }
    };
    ensure!(
        path.is_file(),
        "the relay binary {} (from {source}) does not exist: build it with \
         `cargo build -p homeward-server`, or run everything with `cargo xtask test`",
        path.display()
    );
    Ok(path)
}

/// A running `homeward-server` child process. Killed (SIGKILL) on drop.
#[derive(Debug)]
pub struct RelayProcess {
    child: Option<Child>,
    addr: SocketAddr,
    data_dir: PathBuf,
    /// The (empty) web dir passed as `--web-dir`; these tests need no app.
    _web_dir: tempfile::TempDir,
}

impl RelayProcess {
    /// Starts the relay on `127.0.0.1:<port>` (0: any free port) with its
    /// database in `data_dir`, and waits until it prints that it listens.
    pub fn start(data_dir: &Path, port: u16) -> Result<RelayProcess> {
        let bin = server_bin()?;
        let web_dir = tempfile::tempdir().context("creating a temporary web dir")?;
        std::fs::write(
            web_dir.path().join("index.html"),
            "<!doctype html><title>homeward-e2e</title>",
        )?;
        let mut child = Command::new(&bin)
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--web-dir")
            .arg(web_dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let pid = child.id();

        // Forward the relay's output (prefixed) and catch the listening line.
        let (tx, rx) = mpsc::channel::<Result<SocketAddr, String>>();
        let stdout = child.stdout.take().context("relay stdout")?;
        let stderr = child.stderr.take().context("relay stderr")?;
        forward_lines(stderr, format!("[relay {pid} stderr]"), None);
        forward_lines(stdout, format!("[relay {pid}]"), Some(tx));

        let addr = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(addr)) => addr,
            Ok(Err(why)) => {
                let status = child.wait().ok();
                bail!(
                    "the relay {} did not start: {why} (exit: {status:?})",
                    bin.display()
                );
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "the relay {} printed no `listening on http://ADDR` line within {START_TIMEOUT:?}",
                    bin.display()
                );
            }
        };
        Ok(RelayProcess {
            child: Some(child),
            addr,
            data_dir: data_dir.to_path_buf(),
            _web_dir: web_dir,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// `ws://ADDR/v1/sync`
    pub fn sync_url(&self) -> String {
        format!("ws://{}/v1/sync", self.addr)
    }

    /// SIGKILL, no chance to flush or say goodbye; waits until it is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Forwards `stream` line by line to stderr (which the test harness captures);
/// if `listening` is given, sends it the address from the first
/// `listening on http://ADDR` line, or an error if the stream ends first.
fn forward_lines(
    stream: impl Read + Send + 'static,
    prefix: String,
    listening: Option<mpsc::Sender<Result<SocketAddr, String>>>,
) {
    std::thread::spawn(move || {
        let mut listening = listening;
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            eprintln!("{prefix} {line}");
            if let Some(tx) = &listening
                && let Some(addr) = parse_listening(&line)
            {
                let _ = tx.send(addr);
                listening = None;
            }
        }
        if let Some(tx) = listening {
            let _ = tx.send(Err(
                "its stdout closed before it printed `listening on`".into()
            ));
        }
    });
}

fn parse_listening(line: &str) -> Option<Result<SocketAddr, String>> {
    let (_, rest) = line.split_once("listening on http://")?;
    let addr = rest
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    Some(
        addr.parse::<SocketAddr>()
            .map_err(|e| format!("cannot parse the address in {line:?}: {e}")),
    )
}

/// Runs `homeward-server list-entries --data-dir DIR` and returns one JSON
/// object per stored entry: `workspace, seq, doc_id, blob_id, kind, author,
/// key_epoch, body_len`.
pub fn list_entries(data_dir: &Path) -> Result<Vec<serde_json::Value>> {
    let bin = server_bin()?;
    let out = Command::new(&bin)
        .arg("list-entries")
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .with_context(|| format!("running {} list-entries", bin.display()))?;
    ensure!(
        out.status.success(),
        "`homeward-server list-entries` failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).with_context(|| format!("list-entries line {l:?}")))
        .collect()
}

/// A device's connection to the relay, after the handshake.
#[derive(Debug)]
pub struct RelayClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub workspace: WorkspaceId,
    pub device: DeviceId,
    /// The head the relay reported in `Welcome`.
    pub welcome_head: Seq,
    /// Pokes received while waiting for something else.
    pokes: VecDeque<Seq>,
}

/// Everything one `pull_all` got.
#[derive(Debug)]
pub struct Pulled {
    pub entries: Vec<Entry>,
    pub head: Seq,
    pub pages: usize,
}

impl RelayClient {
    /// Connects to `ws://ADDR/v1/sync`, says Hello, expects Welcome.
    pub async fn connect(
        addr: SocketAddr,
        workspace: WorkspaceId,
        device: DeviceId,
    ) -> Result<RelayClient> {
        RelayClient::connect_url(&format!("ws://{addr}/v1/sync"), workspace, device).await
    }

    /// Connects to a sync URL (`ws://HOST:PORT/v1/sync`), says Hello,
    /// expects Welcome.
    pub async fn connect_url(
        url: &str,
        workspace: WorkspaceId,
        device: DeviceId,
    ) -> Result<RelayClient> {
        let (ws, _) = tokio::time::timeout(REPLY_TIMEOUT, tokio_tungstenite::connect_async(url))
            .await
            .map_err(|_| anyhow!("connecting to {url} timed out"))?
            .with_context(|| format!("connecting to {url}"))?;
        let mut client = RelayClient {
            ws,
            workspace,
            device,
            welcome_head: Seq::ZERO,
            pokes: VecDeque::new(),
        };
        client.send(&ClientMsg::Hello { workspace, device }).await?;
        match client.recv().await? {
            ServerMsg::Welcome { head } => client.welcome_head = head,
            other => bail!("expected Welcome after Hello, got {other:?}"),
        }
        Ok(client)
    }

    pub async fn send(&mut self, msg: &ClientMsg) -> Result<()> {
        self.ws
            .send(Message::Binary(msg.encode().into()))
            .await
            .context("sending to the relay")
    }

    /// The next message from the relay (within [`REPLY_TIMEOUT`]). An
    /// `Error` message is returned as a message, not as `Err`.
    pub async fn recv(&mut self) -> Result<ServerMsg> {
        self.recv_within(REPLY_TIMEOUT).await
    }

    pub async fn recv_within(&mut self, timeout: Duration) -> Result<ServerMsg> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .map_err(|_| anyhow!("no message from the relay within {timeout:?}"))?;
            match frame {
                None => bail!("the relay closed the connection"),
                Some(Err(e)) => return Err(e).context("receiving from the relay"),
                Some(Ok(Message::Binary(bytes))) => {
                    return ServerMsg::decode(&bytes).context("decoding a relay message");
                }
                Some(Ok(Message::Close(frame))) => {
                    bail!("the relay closed the connection: {frame:?}")
                }
                Some(Ok(Message::Text(text))) => bail!("unexpected text frame {text:?}"),
                Some(Ok(_)) => continue, // ping, pong
            }
        }
    }

    /// The next reply that is not a Poke (pokes are kept for `wait_poke`).
    async fn reply(&mut self) -> Result<ServerMsg> {
        loop {
            match self.recv().await? {
                ServerMsg::Poke { head } => self.pokes.push_back(head),
                ServerMsg::Error { code, message } => {
                    bail!("the relay answered Error {}: {message}", code.as_str())
                }
                other => return Ok(other),
            }
        }
    }

    /// Pushes `entries` and waits for their Ack; checks it acks each entry once, in order.
    pub async fn push(&mut self, entries: &[NewEntry]) -> Result<Vec<Acked>> {
        self.send(&ClientMsg::Push {
            entries: entries.to_vec(),
        })
        .await?;
        match self.reply().await? {
            ServerMsg::Ack { acks } => {
                let sent: Vec<BlobId> = entries.iter().map(|e| e.header.blob_id).collect();
                let acked: Vec<BlobId> = acks.iter().map(|a| a.blob_id).collect();
                ensure!(
                    sent == acked,
                    "the Ack does not list the pushed blob_ids in order"
                );
                Ok(acks)
            }
            other => bail!("expected Ack, got {other:?}"),
        }
    }

    /// One page: entries after `after`, about `max_bytes` of bodies.
    pub async fn pull(&mut self, after: Seq, max_bytes: u32) -> Result<(Vec<Entry>, Seq, bool)> {
        self.send(&ClientMsg::Pull { after, max_bytes }).await?;
        match self.reply().await? {
            ServerMsg::Batch {
                entries,
                head,
                has_more,
            } => Ok((entries, head, has_more)),
            other => bail!("expected Batch, got {other:?}"),
        }
    }

    /// Pulls page after page until the relay says there is no more.
    pub async fn pull_all(&mut self, after: Seq, max_bytes: u32) -> Result<Pulled> {
        let mut cursor = after;
        let mut out = Pulled {
            entries: Vec::new(),
            head: after,
            pages: 0,
        };
        loop {
            let (entries, head, has_more) = self.pull(cursor, max_bytes).await?;
            out.pages += 1;
            out.head = head;
            if let Some(last) = entries.last() {
                cursor = last.seq;
            } else if has_more {
                bail!("the relay sent an empty page but says it has more");
            }
            out.entries.extend(entries);
            if !has_more {
                return Ok(out);
            }
            ensure!(
                out.pages < 10_000,
                "more than 10,000 pages: the relay loops"
            );
        }
    }

    /// Waits for a Poke whose head is at least `at_least` (pokes that came
    /// earlier count); returns that head.
    pub async fn wait_poke(&mut self, at_least: Seq, timeout: Duration) -> Result<Seq> {
        while let Some(head) = self.pokes.pop_front() {
            if head >= at_least {
                return Ok(head);
            }
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.recv_within(left).await {
                Ok(ServerMsg::Poke { head }) if head >= at_least => return Ok(head),
                Ok(ServerMsg::Poke { .. }) => continue,
                Ok(other) => bail!("expected Poke, got {other:?}"),
                Err(e) => {
                    return Err(e.context(format!("waiting for a Poke with head >= {at_least}")));
                }
            }
        }
    }

    /// Closes the connection politely.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// Random identifiers, as a device would make them.
pub fn random_workspace() -> WorkspaceId {
    WorkspaceId::random(&mut rand::rng())
}

pub fn random_device() -> DeviceId {
    DeviceId::random(&mut rand::rng())
}

pub fn random_doc() -> DocId {
    DocId::random(&mut rand::rng())
}

/// A change entry for `doc` by `author` with a fresh random blob_id.
pub fn change_entry(doc: DocId, author: DeviceId, body: Vec<u8>) -> NewEntry {
    NewEntry {
        header: EntryHeader {
            doc_id: doc,
            kind: EntryKind::Change,
            blob_id: BlobId::random(&mut rand::rng()),
            author,
            key_epoch: 0,
        },
        body,
    }
}
