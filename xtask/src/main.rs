//! The project's commands, run as `cargo xtask <command>`:
//!
//! - `setup [--browser]`: install the tools the build needs, each skipped when
//!   already present at the right version;
//! - `build-web [--release]`: build the client with Trunk into `client/dist`;
//! - `run [-- SERVER_ARGS…]`: build everything in release mode and run the relay;
//! - `test`: everything CI runs, in order, failing fast (`.ci/run` calls this);
//! - `seed [-- ARGS…]`: upload synthetic cases to a running relay;
//! - `bench [--smoke] [--only PARTS]`: the benchmarks, written to `BENCHMARKS.md`.

mod bench;
mod cmd;
mod run;
mod seed;
mod test;
mod tools;
mod web;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup [--browser]      install the build tools (wasm32 target, trunk, wasm-bindgen-cli,
                         wasm-opt); with --browser also Chromium, chromedriver and the
                         browser tests' npm packages. Skips what is already installed.
  build-web [--release]  build the web client with Trunk into client/dist
  run [-- ARGS…]         release build of client and relay, then run the relay
                         (default: --web-dir client/dist --data-dir data; ARGS add or override)
  test                   formatting, lints, unit, integration and browser tests (what CI runs)
  seed [-- ARGS…]        upload synthetic cases to a running relay (release build of the
                         `seed` tool; ARGS: --relay URL --cases N --seed S --workspace HEX
                         --dry-run; `cargo xtask seed -- --help` lists them)
  bench [--smoke] [--only PARTS]
                         run the benchmarks (catch-up vs Automerge's per-document sync,
                         relay load, client start-up in Chromium, Criterion) and write
                         BENCHMARKS.md; --smoke: tiny sizes, debug builds, seconds
                         (target/bench-smoke/BENCHMARKS.md); --only catchup,relay,client,
                         criterion reruns those parts and keeps the others' last figures
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<()> {
    let ctx = Ctx::new()?;
    let (command, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => {
            eprint!("{USAGE}");
            bail!("no command given");
        }
    };
    match command {
        "setup" => {
            let browser = flags(rest, &["--browser"])?.contains(&"--browser");
            tools::setup(&ctx, browser)
        }
        "build-web" => {
            let release = flags(rest, &["--release"])?.contains(&"--release");
            tools::setup(&ctx, false)?;
            web::build_web(&ctx, release)
        }
        "run" => {
            // Everything after an optional `--` goes to the server.
            let extra = match rest.split_first() {
                Some((first, tail)) if first == "--" => tail,
                _ => rest,
            };
            run::run(&ctx, extra)
        }
        "seed" => {
            // Everything after an optional `--` goes to the seed tool.
            let extra = match rest.split_first() {
                Some((first, tail)) if first == "--" => tail,
                _ => rest,
            };
            seed::seed(&ctx, extra)
        }
        "bench" => bench::bench(&ctx, rest),
        "test" => {
            flags(rest, &[])?;
            test::test(&ctx)
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => {
            eprint!("{USAGE}");
            bail!("unknown command `{other}`")
        }
    }
}

/// Checks that every argument is one of `allowed` and returns them.
fn flags<'a>(args: &'a [String], allowed: &[&str]) -> Result<Vec<&'a str>> {
    let mut out = Vec::new();
    for arg in args {
        if !allowed.contains(&arg.as_str()) {
            eprint!("{USAGE}");
            bail!("unexpected argument `{arg}`");
        }
        out.push(arg.as_str());
    }
    Ok(out)
}

/// Paths every command needs.
#[derive(Debug)]
pub struct Ctx {
    /// The workspace root (where Cargo.toml, Trunk.toml and .ci/ are).
    pub root: PathBuf,
    /// Cargo's target dir: `$CARGO_TARGET_DIR` if set, else `<root>/target`.
    pub target: PathBuf,
    /// Where `cargo install` puts binaries (`$CARGO_HOME/bin`).
    pub cargo_bin: PathBuf,
    /// `PATH` with the project's tool folders first: `.tools/node_modules/.bin`
    /// (wasm-opt) and `$CARGO_HOME/bin` (trunk, wasm-bindgen).
    pub path: std::ffi::OsString,
}

impl Ctx {
    fn new() -> Result<Ctx> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives one folder below the workspace root")
            .to_path_buf();
        let cargo_home = match std::env::var_os("CARGO_HOME") {
            Some(home) => PathBuf::from(home),
            None => home_dir()?.join(".cargo"),
        };
        let cargo_bin = cargo_home.join("bin");
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => root.join(dir),
            _ => root.join("target"),
        };
        let mut dirs = vec![root.join(".tools/node_modules/.bin"), cargo_bin.clone()];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        let path = std::env::join_paths(dirs)?;
        Ok(Ctx {
            root,
            target,
            cargo_bin,
            path,
        })
    }

    /// The full path of `program` on the extended `PATH`, if it is there.
    pub fn which(&self, program: &str) -> Option<PathBuf> {
        std::env::split_paths(&self.path)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    }
}

fn home_dir() -> Result<PathBuf> {
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home)),
        _ => bail!("HOME is not set and neither is CARGO_HOME: cannot find cargo's bin folder"),
    }
}
