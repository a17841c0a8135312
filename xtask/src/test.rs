//! `cargo xtask test`: everything CI runs, in order, each step announced and
//! timed, stopping at the first failure; a table of timings at the end.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};

use crate::cmd::Cmd;
use crate::{Ctx, bench, tools, web};

const WASM: &str = tools::WASM_TARGET;

pub fn test(ctx: &Ctx) -> Result<()> {
    let server_bin = ctx.target.join("debug/homeward-server");
    let cli_bin = ctx.target.join("debug/homeward");
    let web_dir = ctx.root.join("client/dist");
    let mut steps = Steps::new(11);

    steps.run("setup --browser", || tools::setup(ctx, true))?;
    steps.run("cargo fmt --check", || {
        cargo(ctx, "fmt --all -- --check").run()
    })?;
    steps.run("clippy (native)", || {
        cargo(
            ctx,
            "clippy --workspace --exclude homeward-client --all-targets -- -D warnings",
        )
        .run()
    })?;
    steps.run("clippy (wasm32)", || {
        cargo(
            ctx,
            &format!(
                "clippy -p homeward-client -p homeward-shared --target {WASM} --all-targets \
                 -- -D warnings"
            ),
        )
        .run()
    })?;
    steps.run("check shared (wasm32)", || {
        cargo(ctx, &format!("check -p homeward-shared --target {WASM}")).run()
    })?;
    steps.run("build relay and CLI (debug)", || {
        cargo(ctx, "build -p homeward-server -p homeward-cli").run()
    })?;
    steps.run("cargo test (native)", || {
        cargo(ctx, "test --workspace --exclude homeward-client")
            .env("HOMEWARD_SERVER_BIN", &server_bin)
            .env("HOMEWARD_CLI_BIN", &cli_bin)
            .run()?;
        // The client's pure logic (routes, list ordering and windowing,
        // form parsing) has plain unit tests that need no browser.
        cargo(ctx, "test -p homeward-client --lib").run()
    })?;
    steps.run_or_skip("client tests (wasm, headless Chromium)", || {
        if !client_has_wasm_tests(&ctx.root.join("client")) {
            println!("skipped: client/ has no tests/ folder and no #[wasm_bindgen_test]");
            return Ok(Outcome::Skipped);
        }
        with_chromium_temp_cleanup(|| {
            cargo(ctx, &format!("test -p homeward-client --target {WASM}"))
                .env("CHROMEDRIVER", tools::CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
                .run()
        })?;
        Ok(Outcome::Passed)
    })?;
    steps.run("build-web --release", || web::build_web(ctx, true))?;
    steps.run("browser end-to-end (node --test)", || {
        with_chromium_temp_cleanup(|| {
            Cmd::new(ctx, "node")
                .args(["--test", "--test-reporter=spec", "tests/browser/"])
                .env("HOMEWARD_SERVER_BIN", &server_bin)
                .env("HOMEWARD_CLI_BIN", &cli_bin)
                .env("HOMEWARD_WEB_DIR", &web_dir)
                .run()
        })
    })?;

    steps.run("benchmarks, smoke mode (bench --smoke)", || {
        with_chromium_temp_cleanup(|| bench::bench(ctx, &["--smoke".to_owned()]))
    })?;

    steps.summary();
    println!("xtask test: all {} steps passed", steps.done.len());
    Ok(())
}

/// `cargo` with space-separated arguments (none of which contain spaces).
fn cargo(ctx: &Ctx, args: &str) -> Cmd {
    Cmd::new(ctx, "cargo").args(args.split_whitespace())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Skipped,
    Failed,
}

#[derive(Debug)]
struct Steps {
    total: usize,
    started: Instant,
    done: Vec<(String, Duration, Outcome)>,
}

impl Steps {
    fn new(total: usize) -> Steps {
        Steps {
            total,
            started: Instant::now(),
            done: Vec::new(),
        }
    }

    fn run(&mut self, name: &str, step: impl FnOnce() -> Result<()>) -> Result<()> {
        self.run_or_skip(name, || step().map(|()| Outcome::Passed))
    }

    fn run_or_skip(&mut self, name: &str, step: impl FnOnce() -> Result<Outcome>) -> Result<()> {
        let n = self.done.len() + 1;
        println!("\n==== [{n}/{}] {name} ====", self.total);
        let start = Instant::now();
        let result = step();
        let took = start.elapsed();
        match result {
            Ok(outcome) => {
                println!(
                    "---- [{n}/{}] {name}: {outcome:?} in {}",
                    self.total,
                    secs(took)
                );
                self.done.push((name.to_owned(), took, outcome));
                Ok(())
            }
            Err(err) => {
                self.done.push((name.to_owned(), took, Outcome::Failed));
                self.summary();
                Err(anyhow!(
                    "step [{n}/{}] `{name}` failed after {}: {err:#}",
                    self.total,
                    secs(took)
                ))
            }
        }
    }

    fn summary(&self) {
        println!("\n==== summary ====");
        println!("{:<3} {:<42} {:>9}  result", "#", "step", "time");
        for (i, (name, took, outcome)) in self.done.iter().enumerate() {
            println!(
                "{:<3} {:<42} {:>9}  {}",
                i + 1,
                name,
                secs(*took),
                match outcome {
                    Outcome::Passed => "ok",
                    Outcome::Skipped => "skipped",
                    Outcome::Failed => "FAILED",
                }
            );
        }
        let not_run = self.total - self.done.len();
        if not_run > 0 {
            println!("    ({not_run} later step(s) not run)");
        }
        println!(
            "{:<3} {:<42} {:>9}",
            "",
            "total",
            secs(self.started.elapsed())
        );
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Whether `cargo test -p homeward-client --target wasm32…` has anything to
/// run: a tests/ folder, or `#[wasm_bindgen_test]` anywhere in src/.
fn client_has_wasm_tests(client: &Path) -> bool {
    let has_rs = |dir: &Path| rust_files(dir).into_iter().next().is_some();
    has_rs(&client.join("tests"))
        || rust_files(&client.join("src"))
            .iter()
            .any(|f| fs::read_to_string(f).is_ok_and(|text| text.contains("wasm_bindgen_test]")))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Chromium leaves `org.chromium.Chromium.*` folders in the temp dir; remove
/// the ones that appeared while `f` ran (others may belong to other runs).
fn with_chromium_temp_cleanup<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    let before = chromium_temp_dirs();
    let result = f();
    for path in chromium_temp_dirs().difference(&before) {
        let _ = fs::remove_dir_all(path).or_else(|_| fs::remove_file(path));
    }
    result
}

fn chromium_temp_dirs() -> BTreeSet<PathBuf> {
    let tmp = std::env::temp_dir();
    fs::read_dir(&tmp)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .contains("org.chromium.Chromium.")
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}
