//! Turns the sections the benchmarks wrote (JSON, see `bench::report`) and
//! Criterion's estimates into `BENCHMARKS.md`: the machine, every target
//! with whether it was met, then each section. `cargo xtask bench` runs it
//! last.
//!
//! ```text
//! bench_report --out FILE [--criterion DIR] [--command TEXT] SECTION.json…
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use bench::report::{Section, Table};
use bench::stats::number;
use serde_json::Value;

fn main() -> Result<()> {
    let mut out = None;
    let mut criterion = None;
    let mut command = "cargo xtask bench".to_owned();
    let mut inputs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(args.next().context("--out needs a file")?)),
            "--criterion" => {
                criterion = Some(PathBuf::from(
                    args.next().context("--criterion needs a dir")?,
                ))
            }
            "--command" => command = args.next().context("--command needs text")?,
            flag if flag.starts_with("--") => bail!("unexpected argument `{flag}`"),
            file => inputs.push(PathBuf::from(file)),
        }
    }
    let out = out.context("usage: bench_report --out FILE [--criterion DIR] SECTION.json…")?;
    let mut sections = inputs
        .iter()
        .map(|p| Section::read(p))
        .collect::<Result<Vec<_>>>()?;
    if let Some(dir) = &criterion {
        sections.push(criterion_section(dir)?);
    }

    let mut md = String::from("# Benchmarks\n\n");
    md.push_str(&format!(
        "Written by `{command}` (see README.md) on {}. Every figure below was measured in that \
         run; medians with the range over repeated runs in brackets. Loopback only: relay, \
         native clients and browser share the machine, so each competes with the others for \
         its cores.\n\n",
        today()
    ));
    md.push_str("## Machine\n\n");
    for (k, v) in machine() {
        md.push_str(&format!("- {k}: {v}\n"));
    }
    md.push_str("\n## Targets\n\n| Target | Measured | Met | Section |\n|---|---|---|---|\n");
    for s in &sections {
        for t in &s.targets {
            let met = if t.met { "yes" } else { "**no**" };
            md.push_str(&format!(
                "| {} | {} | {met} | {} |\n",
                t.target, t.measured, s.title
            ));
        }
    }
    md.push('\n');
    for s in &sections {
        md.push_str(&s.to_markdown());
    }
    std::fs::write(&out, md).with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {} ({} sections)", out.display(), sections.len());
    Ok(())
}

fn today() -> String {
    run("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(|| "an unknown date".into())
}

fn run(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn machine() -> Vec<(&'static str, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| format!("{} GiB", number(kib / 1024.0 / 1024.0, 1)))
        .unwrap_or_else(|| "unknown".into());
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".into());
    vec![
        ("CPU", format!("{cpu}, {cores} cores available")),
        ("Memory", mem),
        ("OS", format!("{os}, Linux {kernel}")),
        (
            "Rust",
            run("rustc", &["-V"]).unwrap_or_else(|| "unknown".into()),
        ),
        (
            "Browser",
            run("chromium", &["--version"]).unwrap_or_else(|| "not installed".into()),
        ),
        (
            "Commit",
            run("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into()),
        ),
    ]
}

/// Criterion's estimates (`<dir>/<group>/<bench>/new/estimates.json`), one
/// row per benchmark.
fn criterion_section(dir: &Path) -> Result<Section> {
    let mut rows = Vec::new();
    collect(dir, &mut rows)?;
    rows.sort();
    let mut s = Section::new("In-process (Criterion)", "cargo bench -p homeward-shared");
    s.note(
        "`shared`'s Criterion benchmarks (`shared/benches/`): the case model (edits, loading, \
         priority, search, the synthetic generator) and the crypto (sealing and signing entries, \
         the vault's Argon2id). Median time per iteration with Criterion's 95% confidence \
         interval of it.",
    );
    s.tables.push(Table {
        caption: String::new(),
        columns: ["benchmark", "median", "95% interval"]
            .map(String::from)
            .to_vec(),
        rows,
    });
    Ok(s)
}

fn collect(dir: &Path, rows: &mut Vec<Vec<String>>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        bail!(
            "{} has no Criterion results: run `cargo bench -p homeward-shared`",
            dir.display()
        );
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "new") {
            let (Ok(est), Ok(meta)) = (
                std::fs::read(path.join("estimates.json")),
                std::fs::read(path.join("benchmark.json")),
            ) else {
                continue;
            };
            let est: Value = serde_json::from_slice(&est)?;
            let meta: Value = serde_json::from_slice(&meta)?;
            let median = &est["median"];
            let id = meta["full_id"].as_str().unwrap_or("?").to_owned();
            let ns = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
            rows.push(vec![
                id,
                duration(ns(&median["point_estimate"])),
                format!(
                    "{} – {}",
                    duration(ns(&median["confidence_interval"]["lower_bound"])),
                    duration(ns(&median["confidence_interval"]["upper_bound"]))
                ),
            ]);
        } else if path.is_dir() && path.file_name().is_some_and(|n| n != "report") {
            collect(&path, rows)?;
        }
    }
    Ok(())
}

fn duration(ns: f64) -> String {
    if ns < 1e3 {
        format!("{} ns", number(ns, 1))
    } else if ns < 1e6 {
        format!("{} µs", number(ns / 1e3, 2))
    } else if ns < 1e9 {
        format!("{} ms", number(ns / 1e6, 2))
    } else {
        format!("{} s", number(ns / 1e9, 2))
    }
}
