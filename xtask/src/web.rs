//! `cargo xtask build-web`: the client, built by Trunk into client/dist.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::Ctx;
use crate::cmd::Cmd;

/// Builds the client (Trunk.toml at the root says what and where). Expects
/// `tools::setup` to have run.
pub fn build_web(ctx: &Ctx, release: bool) -> Result<()> {
    let mut trunk = Cmd::new(ctx, "trunk").arg("build");
    if release {
        trunk = trunk.arg("--release");
    }
    // Trunk.toml sets `offline = true`: it must use the tools on PATH.
    trunk.run().context("trunk build failed")?;

    let dist = ctx.root.join("client/dist");
    let wasm = wasm_files(&dist)?;
    if wasm.is_empty() {
        bail!("trunk built {} but it holds no .wasm file", dist.display());
    }
    for file in wasm {
        let raw = fs::metadata(&file)?.len();
        let gz = gzip_size(&file)
            .map(|n| format!("{} gzip -9", human(n)))
            .unwrap_or_else(|e| format!("gzip size unknown: {e:#}"));
        println!(
            "build-web: {} ({}): {} raw, {gz}",
            file.strip_prefix(&ctx.root).unwrap_or(&file).display(),
            if release { "release" } else { "debug" },
            human(raw),
        );
    }
    Ok(())
}

fn wasm_files(dist: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Bytes of `gzip -9 -c file` (what a server sending gzip would transfer).
fn gzip_size(file: &Path) -> Result<u64> {
    let mut child = Command::new("gzip")
        .args(["-9", "-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("could not start gzip")?;
    let bytes = fs::read(file)?;
    let mut stdin = child.stdin.take().context("gzip stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("gzip writer panicked"))??;
    if !out.status.success() {
        bail!("gzip failed ({})", out.status);
    }
    Ok(out.stdout.len() as u64)
}

pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.2} MiB ({bytes} B)", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB ({bytes} B)", bytes as f64 / 1024.0)
    }
}
