//! `cargo xtask bench [--smoke] [--only PART,…]`: every benchmark of issue 7,
//! then `BENCHMARKS.md` from what they measured.
//!
//! Parts, in order: `catchup` (side by side with Automerge's per-document
//! sync, overheads, bootstrap), `relay` (load generator against the relay
//! process), `client` (headless Chromium: start-up to an interactive list
//! at 10⁴ and 10⁵ cases, search, memory, wasm size), `criterion` (`shared`'s
//! in-process benchmarks). Each part writes a JSON section into
//! `target/bench/`; `--only` reruns some parts and keeps the other parts'
//! last sections, so one slow part can be redone alone.
//!
//! `--smoke` runs the same code paths at tiny sizes on debug builds (the
//! Criterion benchmarks once each, in test mode) and writes
//! `target/bench-smoke/BENCHMARKS.md` instead: CI runs it so the benchmarks
//! cannot rot. Its figures mean nothing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail, ensure};

use crate::cmd::Cmd;
use crate::{Ctx, tools, web};

const PARTS: [&str; 4] = ["catchup", "relay", "client", "criterion"];

/// The client benchmark's sizes and runs.
const CLIENT_FULL: [(usize, usize); 2] = [(10_000, 5), (100_000, 3)];
const CLIENT_SMOKE: [(usize, usize); 1] = [(200, 1)];

pub fn bench(ctx: &Ctx, args: &[String]) -> Result<()> {
    let mut smoke = false;
    let mut only: Vec<String> = PARTS.iter().map(|p| p.to_string()).collect();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--smoke" => smoke = true,
            "--only" => {
                let Some(list) = it.next() else {
                    bail!("--only needs a list of parts: {}", PARTS.join(","));
                };
                only = list.split(',').map(|s| s.trim().to_owned()).collect();
                for part in &only {
                    ensure!(
                        PARTS.contains(&part.as_str()),
                        "unknown part `{part}`; the parts are {}",
                        PARTS.join(", ")
                    );
                }
            }
            other => bail!("unexpected argument `{other}` (bench takes --smoke and --only PARTS)"),
        }
    }
    let wants = |part: &str| only.iter().any(|p| p == part);
    let started = Instant::now();
    tools::setup(ctx, wants("client"))?;

    let profile = if smoke { "debug" } else { "release" };
    let bin = |name: &str| ctx.target.join(profile).join(name);
    let out = ctx.target.join(if smoke { "bench-smoke" } else { "bench" });
    std::fs::create_dir_all(&out)?;
    let mut build = Cmd::new(ctx, "cargo").args([
        "build",
        "-p",
        "homeward-server",
        "-p",
        "homeward-bench",
        "-p",
        "homeward-e2e",
        "--bin",
        "homeward-server",
        "--bin",
        "catchup",
        "--bin",
        "relay_load",
        "--bin",
        "bench_report",
        "--bin",
        "idb_seed",
    ]);
    if !smoke {
        build = build.arg("--release");
    }
    build.run()?;
    let server = bin("homeward-server");
    let smoke_flag: &[&str] = if smoke { &["--smoke"] } else { &[] };

    if wants("catchup") {
        announce("catch-up, side by side with Automerge's per-document sync");
        Cmd::new(ctx, bin("catchup"))
            .args(smoke_flag)
            .arg("--json-out")
            .arg(out.join("1-catchup.json"))
            .env("HOMEWARD_SERVER_BIN", &server)
            .run()?;
    }
    if wants("relay") {
        announce("relay load");
        Cmd::new(ctx, bin("relay_load"))
            .args(smoke_flag)
            .arg("--json-out")
            .arg(out.join("2-relay.json"))
            .env("HOMEWARD_SERVER_BIN", &server)
            .run()?;
    }
    if wants("client") {
        announce("client start-up in headless Chromium");
        let web_dir = ctx.root.join("client/dist");
        if !(smoke && web_dir.join("index.html").is_file()) {
            // The client figures are for the build users get.
            web::build_web(ctx, true)?;
        }
        let sizes: &[(usize, usize)] = if smoke { &CLIENT_SMOKE } else { &CLIENT_FULL };
        for &(cases, runs) in sizes {
            Cmd::new(ctx, "node")
                .arg("tests/browser/bench/list_startup.mjs")
                .args(["--cases", &cases.to_string(), "--runs", &runs.to_string()])
                .arg("--json-out")
                .arg(out.join(format!("3-client-{cases:06}.json")))
                .env("HOMEWARD_SERVER_BIN", &server)
                .env("HOMEWARD_IDB_SEED_BIN", bin("idb_seed"))
                .env("HOMEWARD_WEB_DIR", &web_dir)
                .run()?;
        }
    }
    let criterion = ctx.target.join("criterion");
    if wants("criterion") {
        announce("in-process benchmarks (Criterion)");
        if smoke {
            // Each benchmark once, unoptimised: proves they still run.
            Cmd::new(ctx, "cargo")
                .args(["test", "-p", "homeward-shared", "--benches"])
                .run()?;
        } else {
            // Criterion keeps every benchmark it ever ran; the report must
            // hold only this run's (a renamed benchmark would linger).
            if criterion.is_dir() {
                std::fs::remove_dir_all(&criterion)?;
            }
            Cmd::new(ctx, "cargo")
                .args(["bench", "-p", "homeward-shared"])
                .run()?;
        }
    }

    let report = if smoke {
        out.join("BENCHMARKS.md")
    } else {
        ctx.root.join("BENCHMARKS.md")
    };
    let mut render = Cmd::new(ctx, bin("bench_report"))
        .arg("--out")
        .arg(&report)
        .args([
            "--command",
            if smoke {
                "cargo xtask bench --smoke"
            } else {
                "cargo xtask bench"
            },
        ]);
    if !smoke && criterion.is_dir() {
        render = render.arg("--criterion").arg(&criterion);
    }
    let sections = sections(&out)?;
    ensure!(
        !sections.is_empty(),
        "no benchmark sections in {}: run `cargo xtask bench` without --only first",
        out.display()
    );
    render.args(&sections).run()?;
    if smoke {
        check_smoke(&report, &sections)?;
    }
    println!(
        "xtask bench: wrote {} in {:.0} s",
        report.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn announce(what: &str) {
    println!("\n==== bench: {what} ====");
}

/// The section files in `dir`, in the order of their names.
fn sections(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// A smoke run must still produce every part's tables and targets; an empty
/// section means a benchmark silently measured nothing.
fn check_smoke(report: &Path, sections: &[PathBuf]) -> Result<()> {
    let text = std::fs::read_to_string(report)?;
    for part in ["1-catchup", "2-relay", "3-client"] {
        ensure!(
            sections.iter().any(|p| p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(part))),
            "the smoke run wrote no `{part}` section"
        );
    }
    let tables = text.matches("\n| --- |").count();
    ensure!(
        tables >= 5,
        "{} has only {tables} tables: a benchmark measured nothing",
        report.display()
    );
    Ok(())
}
