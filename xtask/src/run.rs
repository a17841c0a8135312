//! `cargo xtask run`: release build of client and relay, then the relay in
//! the foreground, serving the client from client/dist.

use std::io::{BufRead, BufReader};

use anyhow::{Context, Result, bail};

use crate::cmd::Cmd;
use crate::{Ctx, tools, web};

/// Server options `run` passes unless the caller gives the same option.
const DEFAULTS: [(&str, &str); 2] = [("--web-dir", "client/dist"), ("--data-dir", "data")];

pub fn run(ctx: &Ctx, extra: &[String]) -> Result<()> {
    tools::setup(ctx, false)?;
    web::build_web(ctx, true)?;
    Cmd::new(ctx, "cargo")
        .args(["build", "--release", "-p", "homeward-server"])
        .run()?;

    let server = ctx.target.join("release/homeward-server");
    let mut cmd = Cmd::new(ctx, &server);
    for (flag, value) in DEFAULTS {
        let given = extra
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")));
        if !given {
            cmd = cmd.args([flag, value]);
        }
    }
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
            println!("\n>>> Homeward is up: open {url}/ in a browser (Ctrl-C stops the relay)\n");
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("homeward-server exited with {status}");
    }
    Ok(())
}
