//! Seeds a running relay with synthetic cases (`shared::synthetic`), the way
//! a device would upload them: one Automerge document per case, its first
//! change as one `Change` entry, entries pushed in batches.
//!
//! ```text
//! seed [--relay ws://127.0.0.1:8080/v1/sync] [--cases 1000] [--seed 1]
//!      [--workspace HEX] [--batch-bytes 524288] [--jobs CPUS] [--dry-run]
//! ```
//!
//! `--workspace` defaults to 32 zero hex digits, the workspace the app uses
//! until workspaces and invites exist. `--dry-run` makes the documents but
//! connects to no relay (to time generation). Every run uses a fresh random
//! device id and random doc and blob ids, so running it twice stores the
//! cases twice. `cargo xtask seed -- ARGS` builds and runs it in release mode.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use homeward_e2e::{RelayClient, change_entry, random_device, random_doc};
use shared::case_doc::{CaseDoc, EditContext};
use shared::ids::WorkspaceId;
use shared::partial_date::Date;
use shared::synthetic::generate;
use shared::wire::{MAX_PUSH_BODY_BYTES, NewEntry};
use tokio::sync::mpsc;

const USAGE: &str = "\
usage: seed [--relay URL] [--cases N] [--seed S] [--workspace HEX] [--batch-bytes B]
            [--jobs J] [--dry-run]

  --relay URL        the relay's sync endpoint (default ws://127.0.0.1:8080/v1/sync)
  --cases N          how many synthetic cases to upload (default 1000)
  --seed S           seed of the case generator; the same seed gives the same cases (default 1)
  --workspace HEX    32 hex digits (default: all zeros, the app's default workspace)
  --batch-bytes B    most body bytes per push (default 524288)
  --jobs J           threads making documents (default: the number of CPUs)
  --dry-run          make the documents, time it, upload nothing
";

#[derive(Debug)]
struct Args {
    relay: String,
    cases: usize,
    seed: u64,
    workspace: WorkspaceId,
    batch_bytes: usize,
    jobs: usize,
    dry_run: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args> {
    let mut out = Args {
        relay: "ws://127.0.0.1:8080/v1/sync".to_owned(),
        cases: 1000,
        seed: 1,
        workspace: WorkspaceId([0; 16]),
        batch_bytes: 512 * 1024,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        dry_run: false,
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args.next().with_context(|| format!("{name} needs a value")),
            }
        };
        match flag.as_str() {
            "--relay" => out.relay = value("--relay")?,
            "--cases" => out.cases = value("--cases")?.parse().context("--cases")?,
            "--seed" => out.seed = value("--seed")?.parse().context("--seed")?,
            "--workspace" => {
                out.workspace = value("--workspace")?.parse().context("--workspace")?
            }
            "--batch-bytes" => {
                out.batch_bytes = value("--batch-bytes")?.parse().context("--batch-bytes")?
            }
            "--jobs" => out.jobs = value("--jobs")?.parse().context("--jobs")?,
            "--dry-run" => out.dry_run = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unexpected argument `{other}`\n{USAGE}"),
        }
    }
    ensure!(out.jobs >= 1, "--jobs must be at least 1");
    ensure!(
        (1..=MAX_PUSH_BODY_BYTES).contains(&out.batch_bytes),
        "--batch-bytes must be between 1 and {MAX_PUSH_BODY_BYTES}"
    );
    ensure!(
        out.relay.starts_with("ws://") || out.relay.starts_with("wss://"),
        "--relay must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8080/v1/sync"
    );
    Ok(out)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// One push's worth of entries.
struct Batch {
    entries: Vec<NewEntry>,
    cases: usize,
    bytes: usize,
}

/// Generates the cases and their documents on a thread of its own (so
/// making documents overlaps uploading) and sends them in batches.
///
/// With several jobs, job `job` makes the cases whose index is `job` modulo
/// `jobs` (generating is cheap; making an Automerge document is not), so the
/// cases are the same whatever the number of jobs.
fn produce(args: &Args, job: usize, ctx: EditContext, tx: mpsc::Sender<Result<Batch>>) {
    let device = ctx.device;
    let mut batch = Batch {
        entries: Vec::new(),
        cases: 0,
        bytes: 0,
    };
    let cases = generate(args.seed, args.cases, ctx.today)
        .enumerate()
        .filter(|(i, _)| i % args.jobs == job);
    for (i, case) in cases {
        let body = match CaseDoc::create(case, &ctx) {
            Ok((_, body)) => body,
            Err(e) => {
                let _ = tx.blocking_send(
                    Err(e).with_context(|| format!("case {i} (seed {})", args.seed)),
                );
                return;
            }
        };
        if !batch.entries.is_empty() && batch.bytes + body.len() > args.batch_bytes {
            let full = std::mem::replace(
                &mut batch,
                Batch {
                    entries: Vec::new(),
                    cases: 0,
                    bytes: 0,
                },
            );
            if tx.blocking_send(Ok(full)).is_err() {
                return; // the uploader failed and said why
            }
        }
        batch.bytes += body.len();
        batch.cases += 1;
        batch.entries.push(change_entry(random_doc(), device, body));
    }
    if !batch.entries.is_empty() {
        let _ = tx.blocking_send(Ok(batch));
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = parse_args(std::env::args().skip(1))?;
    let device = random_device();
    let start = Instant::now();

    let mut client = if args.dry_run {
        None
    } else {
        let client = RelayClient::connect_url(&args.relay, args.workspace, device)
            .await
            .with_context(|| format!("is a relay running at {}?", args.relay))?;
        println!(
            "seeding {} cases (seed {}) into workspace {} at {} as device {}; head was {}",
            args.cases,
            args.seed,
            args.workspace,
            args.relay,
            &device.to_hex()[..16],
            client.welcome_head
        );
        Some(client)
    };
    if args.dry_run {
        // Generation alone first, then generation and documents together.
        let today = Date::from_unix_ms(now_ms());
        let names: usize = generate(args.seed, args.cases, today)
            .map(|c| std::hint::black_box(c).identity.surname.len())
            .sum();
        println!(
            "dry run: generated {} cases (seed {}) in {:.2} s ({names} bytes of surnames); \
             now making their documents, uploading nothing",
            args.cases,
            args.seed,
            start.elapsed().as_secs_f64()
        );
    }

    let (tx, mut rx) = mpsc::channel::<Result<Batch>>(4);
    let now_ms = now_ms();
    let ctx = EditContext {
        device,
        now_ms,
        today: Date::from_unix_ms(now_ms),
    };
    let args = std::sync::Arc::new(args);
    let producers: Vec<_> = (0..args.jobs)
        .map(|job| {
            let (args, tx) = (args.clone(), tx.clone());
            std::thread::spawn(move || produce(&args, job, ctx, tx))
        })
        .collect();
    drop(tx);

    let (mut cases, mut bytes, mut pushes) = (0usize, 0usize, 0usize);
    let mut next_report = 1000;
    let mut head = None;
    while let Some(batch) = rx.recv().await {
        let batch = batch?;
        if let Some(client) = client.as_mut() {
            let acks = client.push(&batch.entries).await.with_context(|| {
                format!(
                    "pushing {} entries after {cases} cases",
                    batch.entries.len()
                )
            })?;
            head = acks.last().map(|a| a.seq);
            pushes += 1;
        }
        cases += batch.cases;
        bytes += batch.bytes;
        while cases >= next_report {
            println!(
                "{cases} cases, {bytes} bytes, {:.1} s",
                start.elapsed().as_secs_f64()
            );
            next_report += 1000;
        }
    }
    for producer in producers {
        producer
            .join()
            .map_err(|_| anyhow::anyhow!("a case generator thread panicked"))?;
    }

    let secs = start.elapsed().as_secs_f64();
    println!(
        "done: {cases} cases, {bytes} bytes of changes ({} bytes per case), {pushes} pushes, \
         {secs:.1} s ({:.0} cases/s){}",
        bytes.checked_div(cases).unwrap_or(0),
        cases as f64 / secs.max(1e-9),
        head.map(|h| format!("; head now {h}")).unwrap_or_default()
    );
    if let Some(client) = client {
        client.close().await;
    }
    Ok(())
}
