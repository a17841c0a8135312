//! Relay load: what one relay process costs and how fast it answers with
//! many devices connected. Starts the real relay binary on loopback and
//! drives it with raw protocol connections (`bench::raw_client`):
//!
//! 1. resident memory with up to `--idle-conns` idle, handshaked sockets;
//! 2. push→poke latency to `--listeners` connected devices while one device
//!    pushes 50 entries a second;
//! 3. the most single-entry pushes a second the relay acks, with the
//!    listeners still connected;
//! 4. the cost of a current device's pull and of a reconnect as the
//!    workspace log grows to `--max-entries`, and the relay's memory then.
//!
//! `--smoke` runs every step at toy sizes in a few seconds, for CI.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use bench::raw_client::{self, Identity, RawConn, RelayTarget};
use bench::report::{Section, Table};
use bench::stats::{Spread, number, quantile};
use futures::StreamExt;
use homeward_e2e::RelayProcess;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use shared::ids::{BlobId, DocId, Seq, WorkspaceId};
use shared::sealing::{EntrySealer, SEAL_OVERHEAD, WorkspaceKey};
use shared::signing::{DeviceKey, secret_hash};
use shared::wire::{ClientMsg, DEFAULT_PULL_BYTES, EntryKind, Redeem, Role, ServerMsg};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

/// Plaintext bytes per pushed entry: about one case edit's Automerge
/// change. Sealing adds 41 bytes; the relay sees only ciphertext.
const BODY_BYTES: usize = 1000;
/// Documents the pushed entries are spread over.
const DOCS: usize = 200;
/// One push every this often during the latency step (50 pushes/s).
const PUSH_INTERVAL: Duration = Duration::from_millis(20);
/// Unacknowledged pushes each pusher keeps in flight in the throughput step.
const PUSH_WINDOW: usize = 16;
/// Entries per push when growing the log.
const GROW_BATCH: usize = 500;
/// Handshakes in flight at once when opening many connections.
const OPEN_CONCURRENCY: usize = 64;
/// Timed pulls and reconnects per log size.
const PULLS: usize = 500;
const RECONNECTS: usize = 50;
/// How long a poke may take before it counts as missing.
const POKE_GRACE: Duration = Duration::from_secs(2);
/// Relay flags for the whole benchmark (see the notes in the report).
const RELAY_ARGS: &[&str] = &["--push-rate", "0"];
const RELAY_ENV: &[(&str, &str)] = &[("RUST_LOG", "warn")];

#[derive(Debug, Clone)]
struct Args {
    json_out: Option<PathBuf>,
    smoke: bool,
    idle_conns: usize,
    listeners: usize,
    seconds: f64,
    runs: usize,
    pushers: usize,
    push_seconds: f64,
    max_entries: usize,
}

const USAGE: &str = "usage: relay_load [--smoke] [--json-out FILE] [--idle-conns N] \
[--listeners N] [--seconds S] [--runs N] [--pushers N] [--push-seconds S] [--max-entries N]";

impl Args {
    fn parse() -> Result<Args> {
        let raw: Vec<String> = std::env::args().skip(1).collect();
        let smoke = raw.iter().any(|a| a == "--smoke");
        let mut args = Args::defaults_for(smoke);
        let mut it = raw.into_iter();
        while let Some(flag) = it.next() {
            if flag == "--smoke" {
                continue;
            }
            if flag == "--help" || flag == "-h" {
                println!("{USAGE}");
                std::process::exit(0);
            }
            let value = it
                .next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
            let count = || -> Result<usize> {
                value
                    .replace(['_', ','], "")
                    .parse()
                    .with_context(|| format!("{flag} {value:?}: expected a whole number"))
            };
            let secs = || -> Result<f64> {
                let s: f64 = value
                    .parse()
                    .with_context(|| format!("{flag} {value:?}: expected seconds"))?;
                ensure!(
                    s > 0.0 && s.is_finite(),
                    "{flag} must be more than 0 seconds"
                );
                Ok(s)
            };
            match flag.as_str() {
                "--json-out" => args.json_out = Some(PathBuf::from(&value)),
                "--idle-conns" => args.idle_conns = count()?,
                "--listeners" => args.listeners = count()?,
                "--seconds" => args.seconds = secs()?,
                "--runs" => args.runs = count()?,
                "--pushers" => args.pushers = count()?,
                "--push-seconds" => args.push_seconds = secs()?,
                "--max-entries" => args.max_entries = count()?,
                other => bail!("unknown flag {other:?}\n{USAGE}"),
            }
        }
        ensure!(args.runs >= 1, "--runs must be at least 1");
        ensure!(args.pushers >= 1, "--pushers must be at least 1");
        ensure!(args.listeners >= 1, "--listeners must be at least 1");
        ensure!(
            args.max_entries >= 100,
            "--max-entries must be at least 100"
        );
        Ok(args)
    }

    /// The flags that reproduce this run (without `--json-out`).
    fn command(&self) -> String {
        let mut cmd = String::from(
            "HOMEWARD_SERVER_BIN=target/release/homeward-server \
             cargo run --release -p homeward-bench --bin relay_load --",
        );
        if self.smoke {
            cmd.push_str(" --smoke");
        }
        let defaults = Args::defaults_for(self.smoke);
        let mut flag = |name: &str, value: String, default: String| {
            if value != default {
                cmd.push_str(&format!(" --{name} {value}"));
            }
        };
        flag(
            "idle-conns",
            self.idle_conns.to_string(),
            defaults.idle_conns.to_string(),
        );
        flag(
            "listeners",
            self.listeners.to_string(),
            defaults.listeners.to_string(),
        );
        flag(
            "seconds",
            self.seconds.to_string(),
            defaults.seconds.to_string(),
        );
        flag("runs", self.runs.to_string(), defaults.runs.to_string());
        flag(
            "pushers",
            self.pushers.to_string(),
            defaults.pushers.to_string(),
        );
        flag(
            "push-seconds",
            self.push_seconds.to_string(),
            defaults.push_seconds.to_string(),
        );
        flag(
            "max-entries",
            self.max_entries.to_string(),
            defaults.max_entries.to_string(),
        );
        cmd
    }

    fn defaults_for(smoke: bool) -> Args {
        if smoke {
            Args {
                json_out: None,
                smoke,
                idle_conns: 50,
                listeners: 20,
                seconds: 2.0,
                runs: 1,
                pushers: 2,
                push_seconds: 1.0,
                max_entries: 500,
            }
        } else {
            Args {
                json_out: None,
                smoke,
                idle_conns: 10_000,
                listeners: 1_000,
                seconds: 20.0,
                runs: 3,
                pushers: 4,
                push_seconds: 10.0,
                max_entries: 100_000,
            }
        }
    }
}

fn progress(line: impl AsRef<str>) {
    println!("relay_load: {}", line.as_ref());
}

fn main() -> Result<()> {
    let args = Args::parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let bin = homeward_e2e::server_bin()?;
    let release = bin.components().any(|c| c.as_os_str() == "release");
    if !release && !args.smoke {
        bail!(
            "the relay {} is not a release build; build one with `cargo build --release -p \
             homeward-server` and set HOMEWARD_SERVER_BIN=target/release/homeward-server \
             (`cargo xtask bench` does both)",
            bin.display()
        );
    }
    let sockets = args.idle_conns.max(args.listeners + args.pushers + 4);
    check_fd_limit(sockets)?;

    let temp = tempfile::tempdir().context("creating a temporary directory")?;
    let data_dir = temp.path().join("relay");
    let mut relay = RelayProcess::start_with_env(&data_dir, 0, RELAY_ARGS, RELAY_ENV)?;
    let target = RelayTarget::local(relay.addr());
    progress(format!(
        "relay {} on {} (pid {})",
        bin.display(),
        relay.addr(),
        relay.pid().unwrap_or_default()
    ));

    let mut rng = StdRng::seed_from_u64(7);
    let mut section = Section::new("Relay load", args.command());
    let result = async {
        // One workspace; every connection is its own device, as in the
        // field: the relay keeps per-device state (revocation watches, push
        // allowances) next to per-workspace state (pokes).
        let workspace = WorkspaceId::random(&mut rng);
        let admin = Identity {
            workspace,
            key: DeviceKey::generate(&mut rng),
        };
        let code = homeward_e2e::setup_code(&data_dir)?;
        let mut admin_conn = raw_client::connect(&target, &admin, Some(Redeem::SetupCode(code)))
            .await
            .context("creating the workspace with the setup code")?;
        let readers = new_devices(&mut rng, workspace, args.idle_conns.max(args.listeners));
        let pushers = new_devices(&mut rng, workspace, args.pushers);
        let t = Instant::now();
        join_all(&target, &mut admin_conn, &readers, Role::Viewer).await?;
        join_all(&target, &mut admin_conn, &pushers, Role::Documenter).await?;
        admin_conn.close().await;
        progress(format!(
            "{} devices joined in {:.1} s",
            number((readers.len() + pushers.len()) as f64, 0),
            t.elapsed().as_secs_f64()
        ));
        let sealer = EntrySealer {
            workspace,
            device: pushers[0].key.clone(),
            key: WorkspaceKey::generate(&mut rng),
        };

        // A fresh process, so the baseline holds none of the joins' churn.
        relay.restart()?;
        let idle = idle_step(&args, &target, &relay, &readers).await?;
        idle.report(&args, &mut section);

        let mut latency = Vec::new();
        let mut throughput = Vec::new();
        for run in 1..=args.runs {
            progress(format!("run {run} of {}", args.runs));
            // The first guess is generous; later runs go by the last one.
            let rate_guess = throughput
                .last()
                .map_or(4_000.0, |t: &ThroughputRun| t.entries_per_sec.max(1_000.0));
            let (lat, tp) = latency_and_throughput(
                &args,
                &target,
                &readers[..args.listeners],
                &pushers,
                &sealer,
                run as u64,
                rate_guess,
            )
            .await?;
            latency.push(lat);
            throughput.push(tp);
        }
        report_latency(&args, &latency, &mut section);
        report_throughput(&args, &throughput, &mut section);

        relay.restart()?;
        let growth = growth_step(&args, &target, &relay, &mut rng).await?;
        growth.report(&mut section);

        section.data = serde_json::json!({
            "idle": idle.json(),
            "latency_runs": latency.iter().map(LatencyRun::json).collect::<Vec<_>>(),
            "throughput_runs": throughput.iter().map(ThroughputRun::json).collect::<Vec<_>>(),
            "growth": growth.json(),
            "cpus": std::thread::available_parallelism().map_or(0, usize::from),
            "args": {
                "idle_conns": args.idle_conns,
                "listeners": args.listeners,
                "seconds": args.seconds,
                "runs": args.runs,
                "pushers": args.pushers,
                "push_seconds": args.push_seconds,
                "max_entries": args.max_entries,
                "smoke": args.smoke,
            },
        });
        Ok::<(), anyhow::Error>(())
    }
    .await;
    let stopped = relay.stop();
    drop(relay);
    result?;
    stopped.context("stopping the relay")?;
    notes(&args, release, &mut section);

    println!();
    print!("{}", section.to_markdown());
    if let Some(path) = &args.json_out {
        section.write(path)?;
        progress(format!("wrote {}", path.display()));
    }
    progress(format!("done in {:.0} s", started.elapsed().as_secs_f64()));
    Ok(())
}

fn notes(args: &Args, release: bool, section: &mut Section) {
    section.note(format!(
        "The real relay binary{} on loopback, driven by raw protocol connections \
         (`bench/src/raw_client.rs`) from one process on the same machine, so the load generator \
         and the relay share its cores. Every connection is a distinct device of one workspace \
         (one workspace is the worst case for poke fan-out). Devices join with invites before \
         the measurements; the relay is then restarted so memory baselines hold none of that.",
        if release {
            " (release build)"
        } else {
            " (debug build: smoke run only)"
        }
    ));
    section.note(
        "The relay runs with `--push-rate 0` (no per-device push allowance; by default a device \
         may push 500 entries/s after a burst of 5,000) so the throughput and log-growth steps \
         measure the relay rather than the allowance, and with `RUST_LOG=warn` (at the default \
         `info` level it writes one line per handshake). Everything else is at its defaults. \
         Entries are real sealed and signed entries with 1,000 bytes of random plaintext each \
         (1,041 bytes sealed), spread over 200 documents.",
    );
    section.note(format!(
        "Idle memory is the relay's VmRSS (from /proc) after a settle, with the connections \
         open, handshaked and answering pings; the figure per connection is the slope from 0 \
         to {} connections. Latency is, for every (listener, push) pair, the time from just \
         before the push was written to the socket to when that listener read a poke with a \
         head at or past the push's seq (from its ack); listeners do not pull, so this is the \
         fan-out alone. Pushes that no poke covered within {} s count as missing. The relay and \
         the listeners share the machine's cores, so other work on the machine shows up here \
         first: the data holds the 1-minute load average before and after each run.",
        number(args.idle_conns as f64, 0),
        POKE_GRACE.as_secs()
    ));
    section.note(format!(
        "Throughput: {} pushing devices, each keeping {PUSH_WINDOW} single-entry pushes \
         unacknowledged, for {} s after a 1 s warm-up, with the listeners connected and being \
         poked. Each push is one SQLite transaction (WAL, synchronous=FULL), so this is bounded \
         by the disk's fsync rate as much as by the relay.",
        args.pushers,
        number(args.push_seconds, 1)
    ));
    section.note(format!(
        "Log growth uses a second workspace on a freshly restarted relay, filled with pushes of \
         {GROW_BATCH} entries; at each size a connected device at the head times {PULLS} \
         `Pull {{ after: head }}` round trips (empty answers) and {RECONNECTS} reconnects (TCP, \
         WebSocket upgrade and handshake up to Welcome)."
    ));
}

/// Errors if this process may not hold `sockets` open connections (the
/// relay, our child, inherits the same limit).
fn check_fd_limit(sockets: usize) -> Result<()> {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|s| s.parse::<usize>().ok());
    if let Some(soft) = soft {
        let need = sockets + 200;
        ensure!(
            soft >= need,
            "this process may open {soft} files, and the benchmark needs about {need} \
             ({sockets} sockets); raise the limit (`ulimit -n {need}`) or pass a smaller \
             --idle-conns / --listeners"
        );
    }
    Ok(())
}

/// The machine's 1-minute load average.
fn loadavg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", number(bytes as f64 / (1024.0 * 1024.0), 1))
}

fn new_devices(rng: &mut StdRng, workspace: WorkspaceId, n: usize) -> Vec<Identity> {
    (0..n)
        .map(|_| Identity {
            workspace,
            key: DeviceKey::generate(rng),
        })
        .collect()
}

/// Joins every device with an invite the admin creates for it.
async fn join_all(
    target: &RelayTarget,
    admin: &mut RawConn,
    devices: &[Identity],
    role: Role,
) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(devices.len() as u64);
    for chunk in devices.chunks(256) {
        let tickets: Vec<[u8; 32]> = chunk
            .iter()
            .map(|_| {
                let mut t = [0u8; 32];
                rng.fill_bytes(&mut t);
                t
            })
            .collect();
        // Pipelined: the relay answers in order.
        for ticket in &tickets {
            admin
                .send(&ClientMsg::CreateInvite {
                    ticket_hash: secret_hash(ticket),
                    role,
                    ttl_secs: 3600,
                })
                .await?;
        }
        let mut created = 0;
        while created < tickets.len() {
            match admin.recv().await? {
                ServerMsg::InviteCreated { .. } => created += 1,
                ServerMsg::Poke { .. } => {}
                other => bail!(
                    "expected InviteCreated, got {}",
                    raw_client::describe(&other)
                ),
            }
        }
        futures::stream::iter(chunk.iter().zip(tickets))
            .map(|(device, ticket)| async move {
                let conn = raw_client::connect(target, device, Some(Redeem::Ticket(ticket)))
                    .await
                    .context("joining a device with its invite")?;
                ensure!(
                    conn.welcome.role == role,
                    "joined as {:?}",
                    conn.welcome.role
                );
                conn.close().await;
                Ok(())
            })
            .buffer_unordered(OPEN_CONCURRENCY)
            .collect::<Vec<Result<()>>>()
            .await
            .into_iter()
            .collect::<Result<()>>()?;
    }
    Ok(())
}

/// Connects every device (handshake included), `OPEN_CONCURRENCY` at a time.
async fn open_all(target: &RelayTarget, devices: &[Identity]) -> Result<Vec<RawConn>> {
    futures::stream::iter(devices)
        .map(|device| raw_client::connect(target, device, None))
        // In order: callers pair connections with their devices.
        .buffered(OPEN_CONCURRENCY)
        .collect::<Vec<Result<RawConn>>>()
        .await
        .into_iter()
        .collect()
}

// ---------------------------------------------------------------- idle

/// Idle connections: each a task that reads (answering the relay's pings)
/// until told to close.
struct IdleConns {
    tasks: Vec<JoinHandle<()>>,
    stop: watch::Sender<bool>,
    /// Connections that ended before they were told to.
    lost: Arc<AtomicUsize>,
}

impl IdleConns {
    fn new() -> IdleConns {
        IdleConns {
            tasks: Vec::new(),
            stop: watch::channel(false).0,
            lost: Arc::default(),
        }
    }

    fn hold(&mut self, mut conn: RawConn) {
        let mut stop = self.stop.subscribe();
        let lost = Arc::clone(&self.lost);
        self.tasks.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    msg = conn.idle_read() => match msg {
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => {
                            lost.fetch_add(1, Ordering::Relaxed);
                            return;
                        }
                    },
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
            conn.close().await;
        }));
    }

    async fn close(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

struct IdleStep {
    /// (connections, relay RSS bytes, seconds to open the step's new ones)
    steps: Vec<(usize, u64, f64)>,
    lost: usize,
}

async fn idle_step(
    args: &Args,
    target: &RelayTarget,
    relay: &RelayProcess,
    devices: &[Identity],
) -> Result<IdleStep> {
    let settle = if args.smoke {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(3)
    };
    let max = args.idle_conns;
    let mut counts = vec![0, max / 10, max / 4, max / 2, max];
    counts.dedup();
    let mut held = IdleConns::new();
    let mut steps = Vec::new();
    for count in counts {
        let opened = held.tasks.len();
        let t = Instant::now();
        for conn in open_all(target, &devices[opened..count]).await? {
            held.hold(conn);
        }
        let open_secs = t.elapsed().as_secs_f64();
        tokio::time::sleep(settle).await;
        let rss = relay.rss_bytes()?;
        progress(format!(
            "idle: {} connections, relay RSS {} (opened in {:.1} s)",
            number(count as f64, 0),
            mib(rss),
            open_secs
        ));
        steps.push((count, rss, open_secs));
    }
    let lost = held.lost.load(Ordering::Relaxed);
    held.close().await;
    Ok(IdleStep { steps, lost })
}

impl IdleStep {
    /// KiB per connection, from the first step (0) to the last.
    fn slope_kib(&self) -> f64 {
        let (first, last) = (self.steps[0], self.steps[self.steps.len() - 1]);
        if last.0 == first.0 {
            return 0.0;
        }
        (last.1 as f64 - first.1 as f64) / 1024.0 / (last.0 - first.0) as f64
    }

    fn report(&self, args: &Args, section: &mut Section) {
        let base = self.steps[0].1;
        let rows = self
            .steps
            .iter()
            .map(|&(count, rss, _)| {
                let per = if count == 0 {
                    "–".to_owned()
                } else {
                    format!(
                        "{} KiB",
                        number((rss as f64 - base as f64) / 1024.0 / count as f64, 1)
                    )
                };
                vec![number(count as f64, 0), mib(rss), per]
            })
            .collect();
        section.tables.push(Table {
            caption: "Relay memory with idle connections".into(),
            columns: vec![
                "Idle connections".into(),
                "Relay RSS".into(),
                "Above baseline, per connection".into(),
            ],
            rows,
        });
        let slope = self.slope_kib();
        let mut measured = format!(
            "{} KiB per connection (0 → {})",
            number(slope, 1),
            number(args.idle_conns as f64, 0)
        );
        if self.lost > 0 {
            measured.push_str(&format!(", {} connections dropped", self.lost));
        }
        section.target(
            "≤ 32 KiB resident per idle connection",
            measured,
            slope <= 32.0 && self.lost == 0,
        );
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "steps": self.steps.iter().map(|&(c, rss, open_s)| serde_json::json!({
                "connections": c, "rss_bytes": rss, "open_seconds": open_s,
            })).collect::<Vec<_>>(),
            "kib_per_connection": self.slope_kib(),
            "lost": self.lost,
        })
    }
}

// ------------------------------------------------- latency, throughput

struct LatencyRun {
    /// The machine's 1-minute load average before and after the run: other
    /// work on the machine shows up in the latencies.
    load: (Option<f64>, Option<f64>),
    /// Milliseconds, one per (listener, push).
    samples: Vec<f64>,
    missing: usize,
    pushes: usize,
    listeners: usize,
    /// push → ack, milliseconds.
    acks: Vec<f64>,
}

impl LatencyRun {
    fn q(&self, q: f64) -> f64 {
        quantile(&self.samples, q).unwrap_or(f64::NAN)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "listeners": self.listeners,
            "pushes": self.pushes,
            "loadavg_before": self.load.0,
            "loadavg_after": self.load.1,
            "samples": self.samples.len(),
            "missing": self.missing,
            "p50_ms": self.q(0.5),
            "p90_ms": self.q(0.9),
            "p99_ms": self.q(0.99),
            "max_ms": self.q(1.0),
            "ack_p50_ms": quantile(&self.acks, 0.5),
            "ack_p99_ms": quantile(&self.acks, 0.99),
        })
    }
}

struct ThroughputRun {
    entries_per_sec: f64,
    /// A pusher ran out of prepared entries before the end: the figure is a
    /// lower bound.
    exhausted: bool,
}

impl ThroughputRun {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "entries_per_sec": self.entries_per_sec,
            "exhausted": self.exhausted,
        })
    }
}

/// Pushes as pre-encoded frames of one entry each, so nothing is sealed,
/// signed or encoded inside a timed section.
fn push_frames(sealer: &EntrySealer, seed: u64, n: usize) -> Vec<(BlobId, Vec<u8>)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let docs: Vec<DocId> = (0..DOCS).map(|_| DocId::random(&mut rng)).collect();
    let mut plaintext = vec![0u8; BODY_BYTES];
    (0..n)
        .map(|i| {
            rng.fill_bytes(&mut plaintext);
            let entry = sealer.seal(&mut rng, docs[i % DOCS], EntryKind::Change, &plaintext);
            let blob = entry.header.blob_id;
            (
                blob,
                ClientMsg::Push {
                    entries: vec![entry],
                }
                .encode(),
            )
        })
        .collect()
}

async fn prepare_frames(
    sealer: &EntrySealer,
    seed: u64,
    n: usize,
) -> Result<Vec<(BlobId, Vec<u8>)>> {
    let sealer = sealer.clone();
    tokio::task::spawn_blocking(move || push_frames(&sealer, seed, n))
        .await
        .context("preparing entries")
}

async fn latency_and_throughput(
    args: &Args,
    target: &RelayTarget,
    listeners: &[Identity],
    pushers: &[Identity],
    sealer: &EntrySealer,
    run: u64,
    rate_guess: f64,
) -> Result<(LatencyRun, ThroughputRun)> {
    let pushes = ((args.seconds / PUSH_INTERVAL.as_secs_f64()).round() as usize).max(1);
    // Enough entries for twice the rate `rate_guess` (the previous run's,
    // or a generous first guess); a pusher that runs dry is reported.
    let per_pusher =
        ((args.push_seconds + 1.0) * 2.0 * rate_guess / args.pushers as f64).ceil() as usize;
    let preparing: Vec<_> = pushers
        .iter()
        .enumerate()
        .map(|(i, pusher)| {
            let sealer = EntrySealer {
                device: pusher.key.clone(),
                ..sealer.clone()
            };
            async move { prepare_frames(&sealer, run * 1000 + i as u64 + 1, per_pusher).await }
        })
        .collect();
    let tp_frames = futures::future::try_join_all(preparing).await?;
    let latency_frames = prepare_frames(
        &EntrySealer {
            device: pushers[0].key.clone(),
            ..sealer.clone()
        },
        run * 1000,
        pushes,
    )
    .await?;

    let t = Instant::now();
    let conns = open_all(target, listeners).await?;
    progress(format!(
        "  {} listeners connected in {:.1} s",
        number(conns.len() as f64, 0),
        t.elapsed().as_secs_f64()
    ));
    let recording = Arc::new(AtomicBool::new(true));
    let seen: Vec<Arc<AtomicU64>> = (0..conns.len()).map(|_| Arc::default()).collect();
    let (stop_tx, _) = watch::channel(false);
    let lost = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<JoinHandle<Vec<(Instant, u64)>>> = conns
        .into_iter()
        .zip(&seen)
        .map(|(mut conn, seen)| {
            let seen = Arc::clone(seen);
            let recording = Arc::clone(&recording);
            let lost = Arc::clone(&lost);
            let mut stop = stop_tx.subscribe();
            tokio::spawn(async move {
                let mut pokes = Vec::new();
                loop {
                    tokio::select! {
                        msg = conn.idle_read() => match msg {
                            Some(Ok(ServerMsg::Poke { head })) => {
                                if recording.load(Ordering::Relaxed) {
                                    pokes.push((Instant::now(), head.0));
                                }
                                seen.fetch_max(head.0, Ordering::Relaxed);
                            }
                            Some(Ok(_)) => {}
                            Some(Err(_)) | None => {
                                lost.fetch_add(1, Ordering::Relaxed);
                                return pokes;
                            }
                        },
                        _ = stop.wait_for(|s| *s) => break,
                    }
                }
                conn.close().await;
                pokes
            })
        })
        .collect();

    let load_before = loadavg();
    let latency = push_steadily(target, &pushers[0], latency_frames, pushes).await;
    let load_after = loadavg();
    if let Ok((_, acks)) = &latency {
        // Until every listener heard of the last push, or the grace ends.
        let last = acks.values().map(|(seq, _)| seq.0).max().unwrap_or(0);
        let deadline = Instant::now() + POKE_GRACE;
        while Instant::now() < deadline && seen.iter().any(|s| s.load(Ordering::Relaxed) < last) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    recording.store(false, Ordering::Relaxed);
    // Throughput with the listeners still connected (and poked).
    let throughput = match latency {
        Ok(_) => Some(push_flat_out(args, target, pushers, tp_frames).await),
        Err(_) => None,
    };
    let _ = stop_tx.send(true);
    let mut all_pokes = Vec::new();
    for task in tasks {
        all_pokes.push(task.await.context("a listener task failed")?);
    }
    let (sent, acks) = latency?;
    let throughput = throughput.context("no throughput run")??;
    let lost = lost.load(Ordering::Relaxed);
    ensure!(
        lost == 0,
        "{lost} listener connections dropped during the run"
    );

    let mut samples = Vec::with_capacity(all_pokes.len() * sent.len());
    let mut missing = 0;
    let mut ack_ms = Vec::new();
    let mut seqs = Vec::new();
    for (blob, at) in &sent {
        let (seq, acked_at) = acks
            .get(blob)
            .with_context(|| format!("push of blob {blob} was never acked"))?;
        ack_ms.push(acked_at.duration_since(*at).as_secs_f64() * 1e3);
        seqs.push((*at, seq.0));
    }
    for pokes in &all_pokes {
        for &(at, seq) in &seqs {
            let i = pokes.partition_point(|&(_, head)| head < seq);
            match pokes.get(i) {
                Some(&(poked, _)) => samples.push(poked.duration_since(at).as_secs_f64() * 1e3),
                None => missing += 1,
            }
        }
    }
    let run = LatencyRun {
        load: (load_before, load_after),
        samples,
        missing,
        pushes: sent.len(),
        listeners: all_pokes.len(),
        acks: ack_ms,
    };
    progress(format!(
        "  push→poke: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} samples ({} missing); \
         throughput {} entries/s{}; load average {} → {}",
        run.q(0.5),
        run.q(0.99),
        run.q(1.0),
        number(run.samples.len() as f64, 0),
        run.missing,
        number(throughput.entries_per_sec, 0),
        if throughput.exhausted {
            " (ran out of entries)"
        } else {
            ""
        },
        load_before.map_or("?".into(), |l| format!("{l:.2}")),
        load_after.map_or("?".into(), |l| format!("{l:.2}")),
    ));
    Ok((run, throughput))
}

type Sent = Vec<(BlobId, Instant)>;
type Acks = HashMap<BlobId, (Seq, Instant)>;

/// One push every `PUSH_INTERVAL`; returns when each push was sent and
/// when and at what seq it was acked.
async fn push_steadily(
    target: &RelayTarget,
    pusher: &Identity,
    frames: Vec<(BlobId, Vec<u8>)>,
    pushes: usize,
) -> Result<(Sent, Acks)> {
    let conn = raw_client::connect(target, pusher, None).await?;
    let (mut sink, mut stream) = conn.split();
    let reader = tokio::spawn(async move {
        let mut acks = HashMap::new();
        while acks.len() < pushes {
            match stream.recv().await {
                Some(Ok(ServerMsg::Ack { acks: got })) => {
                    let now = Instant::now();
                    for a in got {
                        acks.insert(a.blob_id, (a.seq, now));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => bail!("the relay closed the pusher's connection"),
            }
        }
        Ok((acks, stream))
    });
    let mut sent = Vec::with_capacity(pushes);
    let mut tick = tokio::time::interval(PUSH_INTERVAL);
    for (blob, frame) in frames {
        tick.tick().await;
        let at = Instant::now();
        sink.send_frame(frame).await?;
        sent.push((blob, at));
    }
    let (acks, stream) = tokio::time::timeout(Duration::from_secs(30), reader)
        .await
        .context("pushes were not acked within 30 s")?
        .context("the pusher's reader failed")??;
    sink.close(stream).await;
    Ok((sent, acks))
}

/// Every pusher keeps `PUSH_WINDOW` single-entry pushes unacknowledged;
/// counts acks after a warm-up second for `--push-seconds`.
async fn push_flat_out(
    args: &Args,
    target: &RelayTarget,
    pushers: &[Identity],
    frames: Vec<Vec<(BlobId, Vec<u8>)>>,
) -> Result<ThroughputRun> {
    let warmup = Duration::from_secs(1);
    let measure = Duration::from_secs_f64(args.push_seconds);
    let conns = open_all(target, pushers).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let tasks: Vec<_> = conns
        .into_iter()
        .zip(frames)
        .map(|(conn, frames)| tokio::spawn(push_window(conn, frames, Arc::clone(&stop))))
        .collect();
    tokio::time::sleep(warmup + measure).await;
    stop.store(true, Ordering::Relaxed);
    let (from, to) = (start + warmup, start + warmup + measure);
    let mut counted = 0usize;
    let mut exhausted = false;
    for task in tasks {
        let (acked, ran_dry) = task.await.context("a pusher task failed")??;
        exhausted |= ran_dry;
        counted += acked
            .iter()
            .filter(|(at, _)| *at >= from && *at < to)
            .map(|(_, n)| n)
            .sum::<usize>();
    }
    Ok(ThroughputRun {
        entries_per_sec: counted as f64 / measure.as_secs_f64(),
        exhausted,
    })
}

/// One pusher of [`push_flat_out`]: when each ack came and for how many
/// entries, and whether it ran out of entries before `stop`.
async fn push_window(
    conn: RawConn,
    frames: Vec<(BlobId, Vec<u8>)>,
    stop: Arc<AtomicBool>,
) -> Result<(Vec<(Instant, usize)>, bool)> {
    let (mut sink, mut stream) = conn.split();
    let window = Semaphore::new(PUSH_WINDOW);
    let sent = AtomicUsize::new(0);
    let sending = AtomicBool::new(true);
    let send = async {
        let mut ran_dry = true;
        for (_, frame) in frames {
            window.acquire().await?.forget();
            if stop.load(Ordering::Relaxed) {
                ran_dry = false;
                break;
            }
            sink.send_frame(frame).await?;
            sent.fetch_add(1, Ordering::Relaxed);
        }
        sending.store(false, Ordering::Relaxed);
        Ok::<_, anyhow::Error>(ran_dry)
    };
    let read = async {
        let mut acked = Vec::new();
        let mut total = 0;
        loop {
            if !sending.load(Ordering::Relaxed) && total >= sent.load(Ordering::Relaxed) {
                return Ok(acked);
            }
            let Ok(msg) = tokio::time::timeout(Duration::from_millis(50), stream.recv()).await
            else {
                continue;
            };
            match msg {
                Some(Ok(ServerMsg::Ack { acks })) => {
                    acked.push((Instant::now(), acks.len()));
                    total += acks.len();
                    window.add_permits(acks.len());
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => bail!("the relay closed a pusher's connection"),
            }
        }
    };
    let (ran_dry, acked) = tokio::try_join!(send, read)?;
    sink.close(stream).await;
    Ok((acked, ran_dry))
}

fn report_latency(args: &Args, runs: &[LatencyRun], section: &mut Section) {
    let mut rows: Vec<Vec<String>> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                format!("run {}", i + 1),
                number(r.samples.len() as f64, 0),
                format!("{} ms", number(r.q(0.5), 1)),
                format!("{} ms", number(r.q(0.9), 1)),
                format!("{} ms", number(r.q(0.99), 1)),
                format!("{} ms", number(r.q(1.0), 1)),
                number(r.missing as f64, 0),
            ]
        })
        .collect();
    let p50s: Vec<f64> = runs.iter().map(|r| r.q(0.5)).collect();
    let p90s: Vec<f64> = runs.iter().map(|r| r.q(0.9)).collect();
    let p99s: Vec<f64> = runs.iter().map(|r| r.q(0.99)).collect();
    let maxes: Vec<f64> = runs.iter().map(|r| r.q(1.0)).collect();
    let show = |v: &[f64]| Spread::of(v).map_or("–".into(), |s| s.show("ms", 1));
    let missing: usize = runs.iter().map(|r| r.missing).sum();
    if runs.len() > 1 {
        rows.push(vec![
            format!("median (range) of {} runs", runs.len()),
            number(
                runs.iter().map(|r| r.samples.len()).sum::<usize>() as f64 / runs.len() as f64,
                0,
            ),
            show(&p50s),
            show(&p90s),
            show(&p99s),
            show(&maxes),
            number(missing as f64, 0),
        ]);
    }
    let acks: Vec<f64> = runs.iter().filter_map(|r| quantile(&r.acks, 0.5)).collect();
    section.tables.push(Table {
        caption: format!(
            "Push→poke latency: {} listeners, one push of one entry every {} ms for {} s \
             (push→ack p50 {})",
            number(args.listeners as f64, 0),
            PUSH_INTERVAL.as_millis(),
            number(args.seconds, 0),
            show(&acks)
        ),
        columns: ["", "Samples", "p50", "p90", "p99", "Max", "Missing"]
            .map(String::from)
            .to_vec(),
        rows,
    });
    let p99 = Spread::of(&p99s).expect("at least one run");
    section.target(
        "push→poke p99 < 100 ms at 1,000 clients",
        format!(
            "p99 {} at {} clients{}",
            p99.show("ms", 1),
            number(args.listeners as f64, 0),
            if missing > 0 {
                format!(", {missing} pokes missing")
            } else {
                String::new()
            }
        ),
        p99.median < 100.0 && missing == 0 && args.listeners >= 1000,
    );
}

fn report_throughput(args: &Args, runs: &[ThroughputRun], section: &mut Section) {
    let rates: Vec<f64> = runs.iter().map(|r| r.entries_per_sec).collect();
    let spread = Spread::of(&rates).expect("at least one run");
    let dry = runs.iter().any(|r| r.exhausted);
    section.tables.push(Table {
        caption: "Sustained single-entry pushes, listeners connected".into(),
        columns: [
            "Pushing devices",
            "In flight each",
            "Listeners",
            "Entries acked/s",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![vec![
            number(args.pushers as f64, 0),
            number(PUSH_WINDOW as f64, 0),
            number(args.listeners as f64, 0),
            format!("{}{}", if dry { "≥ " } else { "" }, spread.show("", 0)),
        ]],
    });
}

// ---------------------------------------------------------- log growth

struct GrowthPoint {
    entries: u64,
    pulls_ms: Vec<f64>,
    reconnects_ms: Vec<f64>,
    rss: u64,
    grow_secs: f64,
}

struct Growth {
    points: Vec<GrowthPoint>,
}

async fn growth_step(
    args: &Args,
    target: &RelayTarget,
    relay: &RelayProcess,
    rng: &mut StdRng,
) -> Result<Growth> {
    let workspace = WorkspaceId::random(rng);
    let device = Identity {
        workspace,
        key: DeviceKey::generate(rng),
    };
    let code = homeward_e2e::setup_code(relay.data_dir())?;
    raw_client::connect(target, &device, Some(Redeem::SetupCode(code)))
        .await
        .context("creating the second workspace")?
        .close()
        .await;
    let sealer = EntrySealer {
        workspace,
        device: device.key.clone(),
        key: WorkspaceKey::generate(rng),
    };
    let max = args.max_entries as u64;
    let mut sizes = vec![max / 100, max / 10, max];
    sizes.dedup();
    let mut head = 0u64;
    let mut points = Vec::new();
    for size in sizes {
        let t = Instant::now();
        head = grow(target, &device, &sealer, head, size).await?;
        let grow_secs = t.elapsed().as_secs_f64();
        let settle = Duration::from_millis(if args.smoke { 200 } else { 1000 });
        let point = measure_at(target, relay, &device, head, grow_secs, settle).await?;
        progress(format!(
            "log of {} entries (grown in {:.1} s): pull p50 {:.2} ms, reconnect p50 {:.2} ms, \
             relay RSS {}",
            number(head as f64, 0),
            grow_secs,
            quantile(&point.pulls_ms, 0.5).unwrap_or(f64::NAN),
            quantile(&point.reconnects_ms, 0.5).unwrap_or(f64::NAN),
            mib(point.rss)
        ));
        points.push(point);
    }
    Ok(Growth { points })
}

/// Pushes entries (in batches, a few in flight) until the log's head is
/// `to`; returns the head.
async fn grow(
    target: &RelayTarget,
    device: &Identity,
    sealer: &EntrySealer,
    from: u64,
    to: u64,
) -> Result<u64> {
    let n = (to - from) as usize;
    if n == 0 {
        return Ok(from);
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(8);
    let gen_sealer = sealer.clone();
    let generator = tokio::task::spawn_blocking(move || {
        let mut rng = StdRng::seed_from_u64(from);
        let docs: Vec<DocId> = (0..DOCS).map(|_| DocId::random(&mut rng)).collect();
        let mut plaintext = vec![0u8; BODY_BYTES];
        let mut left = n;
        while left > 0 {
            let k = left.min(GROW_BATCH);
            let entries = (0..k)
                .map(|i| {
                    rng.fill_bytes(&mut plaintext);
                    gen_sealer.seal(&mut rng, docs[i % DOCS], EntryKind::Change, &plaintext)
                })
                .collect();
            if tx
                .blocking_send(ClientMsg::Push { entries }.encode())
                .is_err()
            {
                return;
            }
            left -= k;
        }
    });
    let conn = raw_client::connect(target, device, None).await?;
    ensure!(
        conn.welcome.head == Seq(from),
        "the log's head is {}, expected {from}",
        conn.welcome.head
    );
    let (mut sink, mut stream) = conn.split();
    let window = Semaphore::new(4);
    let send = async {
        while let Some(frame) = rx.recv().await {
            window.acquire().await?.forget();
            sink.send_frame(frame).await?;
        }
        Ok::<_, anyhow::Error>(())
    };
    let read = async {
        let (mut acked, mut head) = (0usize, from);
        let mut reported = 0;
        while acked < n {
            match stream.recv().await {
                Some(Ok(ServerMsg::Ack { acks })) => {
                    acked += acks.len();
                    head = acks.iter().map(|a| a.seq.0).fold(head, u64::max);
                    window.add_permits(1);
                    if acked - reported >= 20_000 {
                        reported = acked;
                        progress(format!("  log at {} entries", number(head as f64, 0)));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => bail!("the relay closed the connection while the log grew"),
            }
        }
        Ok(head)
    };
    let ((), head) = tokio::try_join!(send, read)?;
    generator.await.context("the entry generator failed")?;
    sink.close(stream).await;
    ensure!(
        head == to,
        "the log's head is {head} after growing, expected {to}"
    );
    Ok(head)
}

async fn measure_at(
    target: &RelayTarget,
    relay: &RelayProcess,
    device: &Identity,
    head: u64,
    grow_secs: f64,
    settle: Duration,
) -> Result<GrowthPoint> {
    let mut conn = raw_client::connect(target, device, None).await?;
    ensure!(
        conn.welcome.head == Seq(head),
        "Welcome's head is {}",
        conn.welcome.head
    );
    let pull = ClientMsg::Pull {
        after: Seq(head),
        max_bytes: DEFAULT_PULL_BYTES,
    };
    let mut pulls_ms = Vec::with_capacity(PULLS);
    for i in 0..PULLS + 20 {
        let t = Instant::now();
        let reply = conn.request(&pull).await?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        match reply {
            ServerMsg::Batch {
                entries,
                head: h,
                has_more,
            } => ensure!(
                entries.is_empty() && !has_more && h == Seq(head),
                "a pull at the head returned {} entries, head {h}",
                entries.len()
            ),
            other => bail!("expected a Batch, got {}", raw_client::describe(&other)),
        }
        // The first few warm the relay's statement cache.
        if i >= 20 {
            pulls_ms.push(ms);
        }
    }
    conn.close().await;
    let mut reconnects_ms = Vec::with_capacity(RECONNECTS);
    for i in 0..RECONNECTS + 5 {
        let t = Instant::now();
        let conn = raw_client::connect(target, device, None).await?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        ensure!(
            conn.welcome.head == Seq(head),
            "Welcome's head is {}",
            conn.welcome.head
        );
        conn.close().await;
        if i >= 5 {
            reconnects_ms.push(ms);
        }
    }
    tokio::time::sleep(settle).await;
    Ok(GrowthPoint {
        entries: head,
        pulls_ms,
        reconnects_ms,
        rss: relay.rss_bytes()?,
        grow_secs,
    })
}

impl Growth {
    fn report(&self, section: &mut Section) {
        let ms =
            |v: &[f64], q: f64| format!("{} ms", number(quantile(v, q).unwrap_or(f64::NAN), 2));
        let rows = self
            .points
            .iter()
            .map(|p| {
                vec![
                    number(p.entries as f64, 0),
                    bench::stats::bytes(p.entries as f64 * (BODY_BYTES + SEAL_OVERHEAD) as f64),
                    ms(&p.pulls_ms, 0.5),
                    ms(&p.pulls_ms, 0.99),
                    ms(&p.reconnects_ms, 0.5),
                    mib(p.rss),
                ]
            })
            .collect();
        section.tables.push(Table {
            caption: format!(
                "A current device as the log grows ({PULLS} pulls, {RECONNECTS} reconnects per \
                 size)"
            ),
            columns: [
                "Entries in the log",
                "Sealed bodies",
                "Pull at head p50",
                "Pull at head p99",
                "Reconnect + handshake p50",
                "Relay RSS",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
        let (Some(first), Some(last)) = (self.points.first(), self.points.last()) else {
            return;
        };
        let median = |v: &[f64]| quantile(v, 0.5).unwrap_or(f64::NAN);
        let (pull0, pull1) = (median(&first.pulls_ms), median(&last.pulls_ms));
        section.target(
            format!(
                "pull at a current cursor flat as the log grows (p50 at {} entries ≤ 2 × p50 at {})",
                number(last.entries as f64, 0),
                number(first.entries as f64, 0)
            ),
            format!("{pull0:.2} ms → {pull1:.2} ms"),
            pull1 <= 2.0 * pull0,
        );
        let (re0, re1) = (median(&first.reconnects_ms), median(&last.reconnects_ms));
        section.target(
            "reconnect + handshake flat as the log grows (p50 ≤ 2 × at the smallest log)",
            format!("{re0:.2} ms → {re1:.2} ms"),
            re1 <= 2.0 * re0,
        );
        let grown = last.rss as f64 - first.rss as f64;
        let log_bytes = (last.entries - first.entries) as f64 * (BODY_BYTES + SEAL_OVERHEAD) as f64;
        section.target(
            "relay memory does not grow with the log (RSS growth < 10 % of the bodies added)",
            format!(
                "{} → {} while {} of bodies were added",
                mib(first.rss),
                mib(last.rss),
                bench::stats::bytes(log_bytes)
            ),
            grown < 0.1 * log_bytes,
        );
    }

    fn json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.points
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "entries": p.entries,
                        "grow_seconds": p.grow_secs,
                        "pull_p50_ms": quantile(&p.pulls_ms, 0.5),
                        "pull_p99_ms": quantile(&p.pulls_ms, 0.99),
                        "reconnect_p50_ms": quantile(&p.reconnects_ms, 0.5),
                        "reconnect_p99_ms": quantile(&p.reconnects_ms, 0.99),
                        "rss_bytes": p.rss,
                    })
                })
                .collect(),
        )
    }
}
