//! Helpers for cross-crate tests that drive the REAL relay binary:
//!
//! - [`RelayProcess`] starts `homeward-server` as a child process on a given
//!   data directory and port, waits until it listens, keeps everything it
//!   prints, and can SIGKILL, stop (SIGTERM) and restart it;
//! - [`setup_code`] and [`list_entries`] run the relay's operator
//!   subcommands on its data directory;
//! - [`team`] makes a workspace with several native clients
//!   (`native_client::NativeClient`, the same sync engine as the browser)
//!   as its members.
//!
//! The binary is `$HOMEWARD_SERVER_BIN` (a relative path is taken from the
//! workspace root), else `<workspace>/target/debug/homeward-server`
//! (`cargo xtask test` builds it and sets the variable).

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use native_client::{ClientOptions, NativeClient};
use shared::case::Case;
use shared::partial_date::Date;
use shared::synthetic::generate;
use shared::wire::Role;

/// How long the relay may take to print `listening on http://ADDR`.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long setting up or joining a workspace may take.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(20);

/// The workspace root (the folder holding the workspace Cargo.toml).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives one folder below the workspace root")
        .to_path_buf()
}

/// `path` as given, or, when relative, under the workspace root: tests run
/// in their crate's folder, while `HOMEWARD_SERVER_BIN=target/debug/…` is
/// typed at the root.
pub fn from_root(path: PathBuf) -> PathBuf {
    if path.is_relative() {
        workspace_root().join(path)
    } else {
        path
    }
}

/// The relay binary under test; fails clearly if it was not built.
pub fn server_bin() -> Result<PathBuf> {
    let (path, source) = match std::env::var_os("HOMEWARD_SERVER_BIN") {
        Some(p) if !p.is_empty() => (from_root(PathBuf::from(p)), "$HOMEWARD_SERVER_BIN"),
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

/// Every line a relay printed (stdout and stderr, across restarts),
/// without the prefix it is forwarded with.
type Output = Arc<Mutex<Vec<String>>>;

/// A running `homeward-server` child process. Killed (SIGKILL) on drop.
#[derive(Debug)]
pub struct RelayProcess {
    child: Option<Child>,
    addr: SocketAddr,
    data_dir: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// The (nearly empty) web dir passed as `--web-dir`; these tests need
    /// no app.
    web_dir: tempfile::TempDir,
    output: Output,
    /// The threads reading the child's stdout and stderr.
    readers: Vec<JoinHandle<()>>,
}

impl RelayProcess {
    /// Starts the relay on `127.0.0.1:<port>` (0: any free port) with its
    /// database in `data_dir`, and waits until it prints that it listens.
    pub fn start(data_dir: &Path, port: u16) -> Result<RelayProcess> {
        RelayProcess::start_with(data_dir, port, &[])
    }

    /// Like [`RelayProcess::start`], with extra flags (`--push-rate 0`,
    /// `--retention 0s`, …).
    pub fn start_with(data_dir: &Path, port: u16, args: &[&str]) -> Result<RelayProcess> {
        RelayProcess::start_with_env(data_dir, port, args, &[])
    }

    /// Like [`RelayProcess::start_with`], with extra environment variables
    /// (`RUST_LOG=debug`, …).
    pub fn start_with_env(
        data_dir: &Path,
        port: u16,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<RelayProcess> {
        let web_dir = tempfile::tempdir().context("creating a temporary web dir")?;
        std::fs::write(
            web_dir.path().join("index.html"),
            "<!doctype html><title>homeward-e2e</title>",
        )?;
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let output = Output::default();
        let (child, addr, readers) =
            spawn_relay(data_dir, port, &args, &env, web_dir.path(), &output)?;
        Ok(RelayProcess {
            child: Some(child),
            addr,
            data_dir: data_dir.to_path_buf(),
            args,
            env,
            web_dir,
            output,
            readers,
        })
    }

    /// The relay's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The relay's resident memory (`VmRSS`), in bytes; Linux only.
    pub fn rss_bytes(&self) -> Result<u64> {
        let pid = self.pid().context("the relay is not running")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .with_context(|| format!("reading /proc/{pid}/status"))?;
        let kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .context("no VmRSS line in /proc/<pid>/status")?;
        Ok(kib * 1024)
    }

    /// Every line the relay printed so far, on stdout or stderr, across
    /// restarts.
    pub fn output(&self) -> Vec<String> {
        self.output
            .lock()
            .map(|lines| lines.clone())
            .unwrap_or_default()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// `http://ADDR`: the origin devices dial and sign (the relay has no
    /// `--public-url` here, so it names its bound address).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://ADDR/v1/sync`
    pub fn sync_url(&self) -> String {
        format!("ws://{}/v1/sync", self.addr)
    }

    /// SIGKILL, no chance to flush or say goodbye; waits until it is gone
    /// and everything it printed is in [`RelayProcess::output`].
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.join_readers();
    }

    /// SIGTERM, as an operator stops it: the relay closes its sockets and
    /// its database and exits 0. Waits until it is gone (SIGKILL after
    /// [`START_TIMEOUT`]) and everything it printed is in
    /// [`RelayProcess::output`].
    pub fn stop(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let signalled = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .context("running kill -TERM")?;
        ensure!(signalled.success(), "kill -TERM failed: {signalled}");
        let deadline = std::time::Instant::now() + START_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                self.join_readers();
                bail!("the relay did not stop within {START_TIMEOUT:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        self.join_readers();
        ensure!(
            status.success(),
            "the relay exited with {status} on SIGTERM"
        );
        Ok(())
    }

    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    /// Kills the relay if it runs, and starts it again on the same data
    /// directory, port and flags.
    pub fn restart(&mut self) -> Result<()> {
        self.kill();
        let (child, addr, readers) = spawn_relay(
            &self.data_dir,
            self.addr.port(),
            &self.args,
            &self.env,
            self.web_dir.path(),
            &self.output,
        )?;
        ensure!(
            addr == self.addr,
            "the relay came back on {addr}, not {}",
            self.addr
        );
        self.child = Some(child);
        self.readers = readers;
        Ok(())
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_relay(
    data_dir: &Path,
    port: u16,
    args: &[String],
    env: &[(String, String)],
    web_dir: &Path,
    output: &Output,
) -> Result<(Child, SocketAddr, Vec<JoinHandle<()>>)> {
    let bin = server_bin()?;
    let mut child = Command::new(&bin)
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--web-dir")
        .arg(web_dir)
        .args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(k, v)| (k, v)))
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
    let readers = vec![
        forward_lines(stderr, format!("[relay {pid} stderr]"), output, None),
        forward_lines(stdout, format!("[relay {pid}]"), output, Some(tx)),
    ];

    match rx.recv_timeout(START_TIMEOUT) {
        Ok(Ok(addr)) => match wait_healthy(addr) {
            Ok(()) => Ok((child, addr, readers)),
            Err(err) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(err)
            }
        },
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
    }
}

/// Waits until `/healthz` answers 200. The relay prints its listening line
/// as soon as it has bound, before it opens its database and announces a
/// first setup code; a `setup-code` run before that would race with both.
fn wait_healthy(addr: SocketAddr) -> Result<()> {
    use std::io::Write;
    let deadline = std::time::Instant::now() + START_TIMEOUT;
    loop {
        let answer = (|| -> std::io::Result<String> {
            let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
            stream.set_read_timeout(Some(Duration::from_secs(2)))?;
            write!(
                stream,
                "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            )?;
            let mut reply = String::new();
            stream.read_to_string(&mut reply)?;
            Ok(reply)
        })();
        if let Ok(reply) = &answer
            && reply.starts_with("HTTP/1.1 200")
        {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            bail!("the relay on {addr} never answered /healthz with 200 (last: {answer:?})");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Forwards `stream` line by line to stderr (which the test harness
/// captures) and keeps each line in `output`; if `listening` is given, sends
/// it the address from the first `listening on http://ADDR` line, or an
/// error if the stream ends first.
fn forward_lines(
    stream: impl Read + Send + 'static,
    prefix: String,
    output: &Output,
    listening: Option<mpsc::Sender<Result<SocketAddr, String>>>,
) -> JoinHandle<()> {
    let output = Arc::clone(output);
    std::thread::spawn(move || {
        let mut listening = listening;
        // Bytes, not `lines()`: a line that is not UTF-8 must not end the
        // capture (tests search the output for what must not be there).
        for line in BufReader::new(stream).split(b'\n') {
            let Ok(line) = line else { break };
            let line = String::from_utf8_lossy(&line).into_owned();
            eprintln!("{prefix} {line}");
            if let Ok(mut lines) = output.lock() {
                lines.push(line.clone());
            }
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
    })
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

/// Runs `homeward-server setup-code --data-dir DIR`: a fresh one-time setup
/// code (replacing any unused one), for creating a workspace.
pub fn setup_code(data_dir: &Path) -> Result<String> {
    let bin = server_bin()?;
    let out = Command::new(&bin)
        .arg("setup-code")
        .arg("--data-dir")
        .arg(data_dir)
        .env("NO_COLOR", "1")
        .output()
        .with_context(|| format!("running {} setup-code", bin.display()))?;
    ensure!(
        out.status.success(),
        "`homeward-server setup-code` failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let code = String::from_utf8(out.stdout)?.trim().to_owned();
    ensure!(
        !code.is_empty() && !code.contains('\n'),
        "`homeward-server setup-code` printed {code:?}, expected one code"
    );
    Ok(code)
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

/// A workspace on `relay` with one native client per state directory: the
/// first creates it with a fresh setup code (and is its admin), the others
/// join with invites for `role`.
pub async fn team(
    relay: &RelayProcess,
    state_dirs: &[&Path],
    role: Role,
    options: ClientOptions,
) -> Result<Vec<NativeClient>> {
    let (first, rest) = state_dirs
        .split_first()
        .context("a team needs at least one device")?;
    let admin = NativeClient::open_with(first, options.clone())?;
    let code = setup_code(relay.data_dir())?;
    admin
        .setup(&relay.url(), &code, JOIN_TIMEOUT)
        .await
        .context("setting up the workspace")?;
    let mut clients = vec![admin];
    for dir in rest {
        let link = clients[0]
            .create_invite(role, Duration::from_secs(3600))
            .await
            .context("inviting a device")?;
        let client = NativeClient::open_with(dir, options.clone())?;
        client
            .join(&link.to_url(), JOIN_TIMEOUT)
            .await
            .context("joining with an invite")?;
        clients.push(client);
    }
    Ok(clients)
}

/// Syncs `client` until its cursor reaches `target`. "Current" means
/// current with the head the client last heard of: a device that connected
/// before another's last push may be current at an older head until the
/// relay's poke arrives, so a test expecting a position waits for it.
pub async fn sync_until_cursor(
    client: &NativeClient,
    target: shared::ids::Seq,
    timeout: Duration,
) -> Result<native_client::ClientStatus> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let status = client.sync_until_current(timeout).await?;
        if status.cursor >= target {
            return Ok(status);
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "still at {:?} after {timeout:?}, expected {target:?}",
            status.cursor
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `n` synthetic cases (seeded) valid today: devices validate cases
/// against their own clock.
pub fn synthetic_cases(seed: u64, n: usize) -> Vec<Case> {
    generate(seed, n, Date::from_unix_ms(native_client::now_ms())).collect()
}
