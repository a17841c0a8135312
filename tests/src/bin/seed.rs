//! Seeds a running relay with synthetic cases (`shared::synthetic`), the way
//! a device uploads them: one Automerge document per case, its first change
//! as one `Change` entry sealed under the workspace key and signed, through
//! the native client (the same sync engine as the browser). The relay sees
//! sealed bodies only; the key is in `--state` and in the invite links made
//! from it.
//!
//! ```text
//! seed [--relay URL] [--code CODE | --invite LINK] [--state DIR] [--cases 1000]
//!      [--seed 1] [--batch 500] [--jobs CPUS] [--dry-run] [--json-out FILE]
//! ```
//!
//! The seeding device keeps its state in `--state` (default
//! `./homeward-seed-state`), in the same format as the `homeward` tool: with
//! `--code` it creates a new workspace and is its admin, so
//! `homeward --state ./homeward-seed-state invite` then makes links for
//! browsers; with `--invite` it joins an existing workspace; with neither it
//! reuses the workspace already in `--state`. Every case gets a fresh random
//! doc id, so seeding twice stores the cases twice. `cargo xtask seed --
//! ARGS` builds and runs it in release mode.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use native_client::{ClientOptions, NativeClient, now_ms};
use shared::case_doc::{CaseDoc, EditContext};
use shared::ids::{DeviceId, DocId};
use shared::partial_date::Date;
use shared::synthetic::generate;
use tokio::sync::mpsc;

const USAGE: &str = "\
usage: seed [--relay URL] [--code CODE | --invite LINK] [--state DIR] [--cases N] [--seed S]
            [--batch N] [--jobs J] [--dry-run] [--json-out FILE]

  --relay URL        the relay, http(s)://HOST:PORT (default http://127.0.0.1:8080); only
                     needed with --code (an invite link names its relay)
  --code CODE        create a new workspace with the relay's one-time setup code
                     (`homeward-server setup-code`, or the relay's first-start log)
  --invite LINK      join the workspace of an invite link (documenter or admin)
  --state DIR        the seeding device's state (default ./homeward-seed-state); without
                     --code or --invite, the workspace already in it is used
  --cases N          how many synthetic cases to upload (default 1000)
  --seed S           seed of the case generator; the same seed gives the same cases (default 1)
  --batch N          cases stored per transaction (default 500)
  --jobs J           threads making documents (default: the number of CPUs)
  --dry-run          make the documents, time it, upload nothing (no relay, no state)
  --json-out FILE    write the cases as a JSON array (input for `homeward push FILE`) and stop
";

/// How long the whole upload may take after the last case was stored.
const SYNC_TIMEOUT: Duration = Duration::from_secs(30 * 60);

#[derive(Debug)]
enum Join {
    Code(String),
    Invite(String),
    Existing,
}

#[derive(Debug)]
struct Args {
    relay: String,
    join: Join,
    state: PathBuf,
    cases: usize,
    seed: u64,
    batch: usize,
    jobs: usize,
    dry_run: bool,
    json_out: Option<PathBuf>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args> {
    let mut out = Args {
        relay: "http://127.0.0.1:8080".to_owned(),
        join: Join::Existing,
        state: PathBuf::from("./homeward-seed-state"),
        cases: 1000,
        seed: 1,
        batch: 500,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        dry_run: false,
        json_out: None,
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
            "--code" => out.join = Join::Code(value("--code")?),
            "--invite" => out.join = Join::Invite(value("--invite")?),
            "--state" => out.state = value("--state")?.into(),
            "--cases" => out.cases = value("--cases")?.parse().context("--cases")?,
            "--seed" => out.seed = value("--seed")?.parse().context("--seed")?,
            "--batch" => out.batch = value("--batch")?.parse().context("--batch")?,
            "--jobs" => out.jobs = value("--jobs")?.parse().context("--jobs")?,
            "--dry-run" => out.dry_run = true,
            "--json-out" => out.json_out = Some(value("--json-out")?.into()),
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unexpected argument `{other}`\n{USAGE}"),
        }
    }
    ensure!(out.jobs >= 1, "--jobs must be at least 1");
    ensure!(out.batch >= 1, "--batch must be at least 1");
    Ok(out)
}

/// Makes the documents of the cases whose index is `job` modulo `jobs`
/// (generating is cheap, making an Automerge document is not), so the cases
/// are the same whatever the number of jobs; sends each document's id and
/// first change.
fn produce(args: &Args, job: usize, ctx: EditContext, tx: mpsc::Sender<Result<(DocId, Vec<u8>)>>) {
    let cases = generate(args.seed, args.cases, ctx.today)
        .enumerate()
        .filter(|(i, _)| i % args.jobs == job);
    for (i, case) in cases {
        let made = CaseDoc::create(case, &ctx)
            .map(|(_, body)| (DocId::random(&mut rand::rng()), body))
            .with_context(|| format!("case {i} (seed {})", args.seed));
        let failed = made.is_err();
        if tx.blocking_send(made).is_err() || failed {
            return; // the uploader stopped, or was told why
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = parse_args(std::env::args().skip(1))?;
    let start = Instant::now();
    let today = Date::from_unix_ms(now_ms());

    if let Some(path) = &args.json_out {
        let cases: Vec<_> = generate(args.seed, args.cases, today).collect();
        let json = serde_json::to_string_pretty(&cases)?;
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "wrote {} cases (seed {}) to {}",
            args.cases,
            args.seed,
            path.display()
        );
        return Ok(());
    }

    let client = if args.dry_run {
        None
    } else {
        Some(connect(&args).await?)
    };
    let device = client
        .as_ref()
        .map_or(DeviceId([0; 32]), NativeClient::device_id);
    let ctx = EditContext {
        device,
        now_ms: now_ms(),
        today,
    };

    let (tx, mut rx) = mpsc::channel::<Result<(DocId, Vec<u8>)>>(args.batch.min(4096));
    let args = std::sync::Arc::new(args);
    let producers: Vec<_> = (0..args.jobs)
        .map(|job| {
            let (args, tx) = (args.clone(), tx.clone());
            std::thread::spawn(move || produce(&args, job, ctx, tx))
        })
        .collect();
    drop(tx);

    let (mut cases, mut bytes) = (0usize, 0usize);
    let mut next_report = 1000;
    let mut batch = Vec::with_capacity(args.batch);
    loop {
        let next = rx.recv().await.transpose()?;
        let done = next.is_none();
        if let Some((doc, body)) = next {
            bytes += body.len();
            batch.push((doc, body));
        }
        if batch.len() >= args.batch || (done && !batch.is_empty()) {
            cases += batch.len();
            if let Some(client) = &client {
                client
                    .enqueue_changes(std::mem::take(&mut batch))
                    .await
                    .with_context(|| format!("storing cases after {cases}"))?;
            } else {
                batch.clear();
            }
            while cases >= next_report {
                eprintln!(
                    "{cases} cases, {bytes} bytes, {:.1} s",
                    start.elapsed().as_secs_f64()
                );
                next_report += 1000;
            }
        }
        if done {
            break;
        }
    }
    for producer in producers {
        producer
            .join()
            .map_err(|_| anyhow::anyhow!("a case generator thread panicked"))?;
    }

    let mut head = None;
    if let Some(client) = client {
        let status = client
            .sync_until_current(SYNC_TIMEOUT)
            .await
            .context("uploading; what is stored is uploaded by the next run with this --state")?;
        head = Some(status.head);
        let counters = client.counters();
        eprintln!(
            "wire: {} bytes sent, {} received",
            counters.bytes_sent, counters.bytes_received
        );
        client.close().await;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "done: {cases} cases, {bytes} bytes of changes ({} bytes per case), {secs:.1} s \
         ({:.0} cases/s){}",
        bytes.checked_div(cases).unwrap_or(0),
        cases as f64 / secs.max(1e-9),
        head.map(|h| format!("; head now {h}")).unwrap_or_default()
    );
    Ok(())
}

/// Opens the seeding device's state and makes sure it is in a workspace.
async fn connect(args: &Args) -> Result<NativeClient> {
    let client = NativeClient::open_with(&args.state, ClientOptions::default())
        .with_context(|| format!("opening the seed state {}", args.state.display()))?;
    let timeout = Duration::from_secs(30);
    match &args.join {
        Join::Code(code) => {
            let workspace = client
                .setup(&args.relay, code, timeout)
                .await
                .with_context(|| format!("creating a workspace on {}", args.relay))?;
            println!(
                "created workspace {workspace}; invite browsers with \
                 `homeward --state {} invite`",
                args.state.display()
            );
        }
        Join::Invite(link) => {
            let joined = client.join(link, timeout).await.context("joining")?;
            println!(
                "joined workspace {} as {}",
                joined.workspace,
                joined.role.as_str()
            );
        }
        Join::Existing => {
            let status = client.status().await?;
            let Some(workspace) = status.workspace else {
                bail!(
                    "{} has no workspace: pass --code CODE (new workspace) or --invite LINK\n{USAGE}",
                    args.state.display()
                );
            };
            println!(
                "seeding workspace {workspace} from {}",
                args.state.display()
            );
        }
    }
    Ok(client)
}
