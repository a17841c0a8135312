//! `cargo xtask run`: release build of client, relay and CLI, then the relay
//! in the foreground, serving the client from client/dist.
//!
//! So that a first run ends with something to open, `run` keeps a local
//! admin device (the `homeward` CLI's state) in `<data-dir>/local-admin`:
//! on the first run it takes a setup code from the relay and creates a
//! workspace; on every run it mints a one-day documenter invite and prints
//! the link. Deleting the data directory starts everything afresh.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cmd::Cmd;
use crate::{Ctx, tools, web};

/// Server options `run` passes unless the caller gives the same option.
const DEFAULTS: [(&str, &str); 2] = [("--web-dir", "client/dist"), ("--data-dir", "data")];

pub fn run(ctx: &Ctx, extra: &[String]) -> Result<()> {
    tools::setup(ctx, false)?;
    web::build_web(ctx, true)?;
    Cmd::new(ctx, "cargo")
        .args([
            "build",
            "--release",
            "-p",
            "homeward-server",
            "-p",
            "homeward-cli",
        ])
        .run()?;

    let server = ctx.target.join("release/homeward-server");
    let cli = ctx.target.join("release/homeward");
    let mut cmd = Cmd::new(ctx, &server);
    for (flag, value) in DEFAULTS {
        let given = extra
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")));
        if !given {
            cmd = cmd.args([flag, value]);
        }
    }
    let data_dir = ctx
        .root
        .join(option_value(extra, "--data-dir").unwrap_or("data"));
    let mut child = cmd.args(extra).spawn_piped_stdout()?;

    // Forward the server's stdout line by line; point at the URL once it listens.
    let stdout = child.stdout.take().context("server stdout")?;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        println!("{line}");
        if let Some(url) = line
            .split_once("listening on ")
            .map(|(_, rest)| rest.trim())
            .filter(|rest| rest.starts_with("http://"))
        {
            let url = url.trim_end_matches('/');
            match invite_link(ctx, [&server, &cli], &data_dir, url) {
                Ok(link) => println!(
                    "\n>>> Homeward is up at {url}/ (Ctrl-C stops the relay).\n\
                     >>> To join this device's browser to the local workspace, open this \
                     one-day invite link:\n>>> {link}\n"
                ),
                Err(err) => println!(
                    "\n>>> Homeward is up at {url}/ (Ctrl-C stops the relay), but making an \
                     invite failed: {err:#}\n>>> Delete {} to start afresh.\n",
                    data_dir.display()
                ),
            }
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("homeward-server exited with {status}");
    }
    Ok(())
}

/// The value of `--flag VALUE` or `--flag=VALUE` among `args`.
fn option_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter().enumerate().find_map(|(i, a)| {
        if a == flag {
            args.get(i + 1).map(String::as_str)
        } else {
            a.strip_prefix(flag)?.strip_prefix('=')
        }
    })
}

/// A one-day invite from the local admin device, which is made first (with
/// a setup code taken from the running relay) if there is none yet.
fn invite_link(ctx: &Ctx, [server, cli]: [&Path; 2], data_dir: &Path, url: &str) -> Result<String> {
    let state: PathBuf = data_dir.join("local-admin");
    let homeward = || Cmd::new(ctx, cli).arg("--state").arg(&state);
    if !state.exists() {
        // The relay replaces an unspent code when it starts empty, so the
        // code is taken now, beside the serving relay.
        let code = Cmd::new(ctx, server)
            .arg("setup-code")
            .arg("--data-dir")
            .arg(data_dir)
            .output()?;
        let workspace = homeward()
            .args(["setup", "--relay", url, "--code", &code])
            .output()?;
        println!(
            "created workspace {workspace}; its admin device is {}",
            state.display()
        );
    }
    homeward()
        .args(["invite", "--role", "documenter", "--ttl", "1d"])
        .output()
}
