//! `cargo xtask seed [-- ARGS…]`: fill a running relay with synthetic cases
//! (the `seed` binary of `homeward-e2e`, built in release mode).

use anyhow::Result;

use crate::Ctx;
use crate::cmd::Cmd;

pub fn seed(ctx: &Ctx, extra: &[String]) -> Result<()> {
    Cmd::new(ctx, "cargo")
        .args([
            "run",
            "--release",
            "-p",
            "homeward-e2e",
            "--bin",
            "seed",
            "--",
        ])
        .args(extra)
        .run()
}
