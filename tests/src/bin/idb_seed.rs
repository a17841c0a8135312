//! Writes the IndexedDB records of a browser device holding N synthetic
//! cases, for measuring the app's start-up and search at 10⁴–10⁵ cases
//! without syncing them first (a browser bootstrap of 10⁵ cases takes
//! minutes; the measurement is about what happens after).
//!
//! The records are exactly what the app writes (database `homeward`,
//! version 5, see `client/src/storage.rs`; keep the two in step): a vault
//! locked with `--passphrase` (the recommended Argon2id parameters, so
//! unlocking costs what it costs a documenter) holding a fresh device key
//! and data key; every case as a whole Automerge document, and the summaries
//! in pages (`shared::summary_pages`: keyed by the first byte
//! of the doc id, in hex; plaintext = the format byte 1, then postcard
//! `Vec<CaseSummary>` sorted by doc id), each record sealed with the data
//! key under its slot (`<store>/<key>`). The device has joined no
//! workspace, so it never talks to a relay.
//!
//! ```text
//! idb_seed --out DIR [--cases 10000] [--seed 1] [--passphrase P] [--chunk-mib 16]
//! ```
//!
//! Output: `DIR/chunk-NNNN.bin`, each a run of whole records, loaded by
//! `tests/browser/bench/seed_loader.mjs`. Record layout (little-endian):
//! store (u8: 0 vault, 1 docs, 2 summaries), key length (u16) and UTF-8
//! key, value kind (u8: 0 bytes, 1 number), then a u32 length and the
//! bytes, or an f64.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use rand::RngCore;
use shared::case_doc::{CaseDoc, EditContext};
use shared::case_summary::CaseSummary;
use shared::ids::DocId;
use shared::partial_date::Date;
use shared::signing::DeviceKey;
use shared::summary_pages;
use shared::synthetic::generate;
use shared::vault::{DataKey, KdfParams, LockedVault, VaultSecrets};

const USAGE: &str = "\
usage: idb_seed --out DIR [--cases N] [--seed S] [--passphrase P] [--chunk-mib M]

  --out DIR          where to write chunk-NNNN.bin files (created; must be empty or absent)
  --cases N          synthetic cases (default 10000)
  --seed S           generator seed; the same seed gives the same cases (default 1)
  --passphrase P     the vault's passphrase (default: bench passphrase of the browser tests)
  --chunk-mib M      approximate chunk size in MiB (default 16)
";

const DEFAULT_PASSPHRASE: &str = "correct horse battery staple 42";

struct Args {
    out: PathBuf,
    cases: usize,
    seed: u64,
    passphrase: String,
    chunk_bytes: usize,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args> {
    let mut out = None;
    let mut parsed = Args {
        out: PathBuf::new(),
        cases: 10_000,
        seed: 1,
        passphrase: DEFAULT_PASSPHRASE.to_owned(),
        chunk_bytes: 16 << 20,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--cases" => parsed.cases = value()?.parse().context("--cases")?,
            "--seed" => parsed.seed = value()?.parse().context("--seed")?,
            "--passphrase" => parsed.passphrase = value()?,
            "--chunk-mib" => {
                parsed.chunk_bytes = value()?.parse::<usize>().context("--chunk-mib")? << 20
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unexpected argument `{other}`\n{USAGE}"),
        }
    }
    parsed.out = out.context(USAGE)?;
    Ok(parsed)
}

const VAULT: u8 = 0;
const DOCS: u8 = 1;
const SUMMARIES: u8 = 2;

fn record_bytes(out: &mut Vec<u8>, store: u8, key: &str, value: &[u8]) {
    out.push(store);
    out.extend_from_slice(&(key.len() as u16).to_le_bytes());
    out.extend_from_slice(key.as_bytes());
    out.push(0);
    out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    out.extend_from_slice(value);
}

fn record_number(out: &mut Vec<u8>, store: u8, key: &str, value: f64) {
    out.push(store);
    out.extend_from_slice(&(key.len() as u16).to_le_bytes());
    out.extend_from_slice(key.as_bytes());
    out.push(1);
    out.extend_from_slice(&value.to_le_bytes());
}

/// Writes chunks of whole records once they pass the chunk size.
struct Chunks {
    dir: PathBuf,
    buf: Vec<u8>,
    limit: usize,
    written: usize,
    bytes: u64,
}

impl Chunks {
    fn maybe_flush(&mut self, force: bool) -> Result<()> {
        if self.buf.is_empty() || (!force && self.buf.len() < self.limit) {
            return Ok(());
        }
        let path = self.dir.join(format!("chunk-{:04}.bin", self.written));
        let mut file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        file.write_all(&self.buf)?;
        self.bytes += self.buf.len() as u64;
        self.written += 1;
        self.buf.clear();
        Ok(())
    }
}

fn main() -> Result<()> {
    let args = parse_args(std::env::args().skip(1))?;
    if args.out.exists() && std::fs::read_dir(&args.out)?.next().is_some() {
        bail!("{} is not empty; give a new directory", args.out.display());
    }
    std::fs::create_dir_all(&args.out)?;
    let started = Instant::now();
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as i64;
    let today = Date::from_unix_ms(now_ms);

    let mut rng = rand::rng();
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut secret);
    let device_key = DeviceKey::from_secret(&secret);
    let device = device_key.device_id();
    let data_key = DataKey::generate(&mut rng);
    let secrets = VaultSecrets {
        device_key,
        data_key: data_key.clone(),
        workspaces: Vec::new(),
    };
    let (vault, _) =
        LockedVault::create(&mut rng, &args.passphrase, KdfParams::RECOMMENDED, &secrets)?;
    let mut chunks = Chunks {
        dir: args.out.clone(),
        buf: Vec::new(),
        limit: args.chunk_bytes,
        written: 0,
        bytes: 0,
    };
    record_bytes(&mut chunks.buf, VAULT, "locked", vault.as_bytes());
    record_number(&mut chunks.buf, VAULT, "failed_unlocks", 0.0);

    let ctx = EditContext {
        device,
        now_ms,
        today,
    };
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (tx, rx) =
        std::sync::mpsc::sync_channel::<Result<(usize, (Vec<u8>, CaseSummary))>>(jobs * 4);
    let mut pages: BTreeMap<String, Vec<CaseSummary>> = BTreeMap::new();
    std::thread::scope(|scope| -> Result<()> {
        for job in 0..jobs {
            let tx = tx.clone();
            let data_key = data_key.clone();
            let (seed, n) = (args.seed, args.cases);
            scope.spawn(move || {
                let mut rng = rand::rng();
                for (i, case) in generate(seed, n, today)
                    .enumerate()
                    .filter(|(i, _)| i % jobs == job)
                {
                    let made = (|| -> Result<(Vec<u8>, CaseSummary)> {
                        let doc_id = DocId::random(&mut rng);
                        let summary = CaseSummary::of(doc_id, &case, 0, now_ms - i as i64);
                        let (mut doc, _) = CaseDoc::create(case, &ctx)?;
                        let key = doc_id.to_hex();
                        let mut out = Vec::new();
                        let doc_slot = format!("docs/{key}");
                        record_bytes(
                            &mut out,
                            DOCS,
                            &key,
                            &data_key.seal_record(&mut rng, doc_slot.as_bytes(), &doc.save()),
                        );
                        Ok((out, summary))
                    })();
                    if tx.send(made.map(|r| (i, r))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut done = 0usize;
        for made in rx {
            let (_, (records, summary)) = made?;
            chunks.buf.extend_from_slice(&records);
            pages
                .entry(summary_pages::page_key(&summary.doc_id))
                .or_default()
                .push(summary);
            chunks.maybe_flush(false)?;
            done += 1;
            if done.is_multiple_of(10_000) {
                eprintln!("{done} cases, {:.1} s", started.elapsed().as_secs_f64());
            }
        }
        Ok(())
    })?;
    for (key, mut page) in pages {
        page.sort_by_key(|s| s.doc_id);
        page.dedup_by_key(|s| s.doc_id);
        let slot = format!("summaries/{key}");
        let sealed = data_key.seal_record(&mut rng, slot.as_bytes(), &summary_pages::encode(&page));
        record_bytes(&mut chunks.buf, SUMMARIES, &key, &sealed);
        chunks.maybe_flush(false)?;
    }
    chunks.maybe_flush(true)?;
    println!(
        "{} cases in {} chunks, {} bytes, {:.1} s",
        args.cases,
        chunks.written,
        chunks.bytes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
