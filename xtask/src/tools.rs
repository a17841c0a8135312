//! `cargo xtask setup`: installs what the build and the tests need, each
//! item skipped when already present at the right version, each printing one
//! line that says what it did or why it skipped.
//!
//! Versions are pinned here (trunk, binaryen) or read from Cargo.lock
//! (wasm-bindgen, whose CLI must match the library exactly).

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::Ctx;
use crate::cmd::Cmd;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Trunk 0.22 needs a newer rustc than the project's 1.95.
pub const TRUNK_VERSION: &str = "0.21.14";
/// binaryen from npm provides `wasm-opt`; Trunk.toml names `version_<major>`.
pub const BINARYEN_VERSION: &str = "132.0.0";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn setup(ctx: &Ctx, browser: bool) -> Result<()> {
    println!("== setup{}", if browser { " --browser" } else { "" });
    let wasm_bindgen = wasm_bindgen_version(&ctx.root)?;
    check_trunk_toml(&ctx.root, &wasm_bindgen)?;
    rust_target(ctx)?;
    rust_components(ctx)?;
    trunk(ctx)?;
    wasm_bindgen_cli(ctx, &wasm_bindgen)?;
    binaryen(ctx)?;
    if browser {
        chromium(ctx)?;
        browser_npm(ctx)?;
    }
    Ok(())
}

fn say(item: &str, what: impl std::fmt::Display) {
    println!("setup: {item:<22} {what}");
}

fn rust_target(ctx: &Ctx) -> Result<()> {
    let installed = Cmd::new(ctx, "rustup")
        .args(["target", "list", "--installed"])
        .query()
        .context("`rustup target list --installed` failed: is rustup installed?")?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        say(WASM_TARGET, "target already installed, skipped");
        return Ok(());
    }
    Cmd::new(ctx, "rustup")
        .args(["target", "add", WASM_TARGET])
        .run()?;
    say(WASM_TARGET, "target installed");
    Ok(())
}

fn rust_components(ctx: &Ctx) -> Result<()> {
    let installed = Cmd::new(ctx, "rustup")
        .args(["component", "list", "--installed"])
        .query()
        .context("`rustup component list --installed` failed: is rustup installed?")?;
    let missing: Vec<&str> = ["rustfmt", "clippy"]
        .into_iter()
        .filter(|c| !installed.lines().any(|l| l.starts_with(&format!("{c}-"))))
        .collect();
    if missing.is_empty() {
        say("rustfmt, clippy", "components already installed, skipped");
        return Ok(());
    }
    Cmd::new(ctx, "rustup")
        .args(["component", "add"])
        .args(&missing)
        .run()?;
    say(&missing.join(", "), "components installed");
    Ok(())
}

/// The second word of `<program> --version`, e.g. `trunk 0.21.14` → `0.21.14`.
fn tool_version(ctx: &Ctx, program: &str) -> Option<String> {
    let path = ctx.which(program)?;
    let out = Cmd::new(ctx, path).arg("--version").query()?;
    out.split_whitespace().nth(1).map(str::to_owned)
}

fn trunk(ctx: &Ctx) -> Result<()> {
    match tool_version(ctx, "trunk") {
        Some(v) if v == TRUNK_VERSION => {
            say("trunk", format!("{v} already installed, skipped"));
            return Ok(());
        }
        found => say(
            "trunk",
            format!(
                "found {}, installing {TRUNK_VERSION}",
                found.as_deref().unwrap_or("none")
            ),
        ),
    }
    Cmd::new(ctx, "cargo")
        .args(["install", "trunk", "--locked", "--version", TRUNK_VERSION])
        .run()?;
    ensure_version(ctx, "trunk", TRUNK_VERSION)?;
    say("trunk", format!("{TRUNK_VERSION} installed"));
    Ok(())
}

fn wasm_bindgen_cli(ctx: &Ctx, version: &str) -> Result<()> {
    let found = [
        tool_version(ctx, "wasm-bindgen"),
        tool_version(ctx, "wasm-bindgen-test-runner"),
    ];
    if found.iter().all(|v| v.as_deref() == Some(version)) {
        say(
            "wasm-bindgen-cli",
            format!("{version} already installed, skipped"),
        );
        return Ok(());
    }
    say(
        "wasm-bindgen-cli",
        format!(
            "found {}, installing {version} (the version in Cargo.lock)",
            found[0].as_deref().unwrap_or("none")
        ),
    );
    // Not `--locked`: the CLI's own lockfile pins crates that no longer build.
    Cmd::new(ctx, "cargo")
        .args(["install", "wasm-bindgen-cli", "--version"])
        .arg(format!("={version}"))
        .run()?;
    ensure_version(ctx, "wasm-bindgen", version)?;
    ensure_version(ctx, "wasm-bindgen-test-runner", version)?;
    say("wasm-bindgen-cli", format!("{version} installed"));
    Ok(())
}

fn ensure_version(ctx: &Ctx, program: &str, want: &str) -> Result<()> {
    match tool_version(ctx, program) {
        Some(v) if v == want => Ok(()),
        found => bail!(
            "after installing, `{program} --version` reports {} instead of {want}; \
             is another {program} earlier on PATH than {}?",
            found.as_deref().unwrap_or("nothing"),
            ctx.cargo_bin.display()
        ),
    }
}

fn binaryen(ctx: &Ctx) -> Result<()> {
    let tools = ctx.root.join(".tools");
    let manifest = tools.join("node_modules/binaryen/package.json");
    let installed = fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| json_string_field(&text, "version"));
    let bin = tools.join("node_modules/.bin/wasm-opt");
    if installed.as_deref() == Some(BINARYEN_VERSION) && bin.exists() {
        say(
            "wasm-opt (binaryen)",
            format!("{BINARYEN_VERSION} already in .tools/, skipped"),
        );
        return Ok(());
    }
    require_program(ctx, "npm", "Node.js 20+ with npm")?;
    fs::create_dir_all(&tools).with_context(|| format!("creating {}", tools.display()))?;
    Cmd::new(ctx, "npm")
        .args(["install", "--prefix", ".tools", "--no-audit", "--no-fund"])
        .arg(format!("binaryen@{BINARYEN_VERSION}"))
        .run()?;
    if !bin.exists() {
        bail!("npm installed binaryen but {} is missing", bin.display());
    }
    say(
        "wasm-opt (binaryen)",
        format!("{BINARYEN_VERSION} installed into .tools/"),
    );
    Ok(())
}

fn chromium(ctx: &Ctx) -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        say(
            "chromium, chromedriver",
            format!("{CHROMIUM} and {CHROMEDRIVER} present, skipped"),
        );
        return Ok(());
    }
    let root_user = Cmd::new(ctx, "id")
        .arg("-u")
        .query()
        .is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let cmd = if root_user {
            Cmd::new(ctx, "apt-get")
        } else {
            Cmd::new(ctx, "sudo").arg("apt-get")
        };
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    };
    apt(&["update"])?;
    apt(&["install", "-y", "chromium", "chromium-driver"])?;
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).exists() {
            bail!("apt-get installed chromium and chromium-driver but {path} is missing");
        }
    }
    say("chromium, chromedriver", "installed with apt-get");
    Ok(())
}

/// `npm ci` in tests/browser, skipped when node_modules was installed from
/// the current package-lock.json (recorded in a stamp file after `npm ci`).
fn browser_npm(ctx: &Ctx) -> Result<()> {
    let dir = ctx.root.join("tests/browser");
    let lock = fs::read(dir.join("package-lock.json"))
        .with_context(|| format!("reading {}/package-lock.json", dir.display()))?;
    let stamp = dir.join("node_modules/.homeward-installed-lock.json");
    if fs::read(&stamp).is_ok_and(|s| s == lock) {
        say(
            "tests/browser npm",
            "node_modules matches package-lock.json, skipped",
        );
        return Ok(());
    }
    require_program(ctx, "npm", "Node.js 20+ with npm")?;
    Cmd::new(ctx, "npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .dir(&dir)
        .run()?;
    fs::write(&stamp, &lock).with_context(|| format!("writing {}", stamp.display()))?;
    say("tests/browser npm", "installed with npm ci");
    Ok(())
}

fn require_program(ctx: &Ctx, program: &str, what: &str) -> Result<()> {
    if ctx.which(program).is_none() {
        bail!("`{program}` is not on PATH: install {what} first");
    }
    Ok(())
}

/// The single wasm-bindgen version in Cargo.lock.
pub fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut versions: Vec<String> = Vec::new();
    for package in lock.split("[[package]]") {
        let field = |name: &str| {
            package.lines().find_map(|l| {
                let (key, value) = l.split_once('=')?;
                (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
            })
        };
        if field("name").as_deref() == Some("wasm-bindgen")
            && let Some(v) = field("version")
        {
            versions.push(v);
        }
    }
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("Cargo.lock has no wasm-bindgen package: does the client still use it?"),
        many => bail!(
            "Cargo.lock has several wasm-bindgen versions ({}); the CLI can match only one",
            many.join(", ")
        ),
    }
}

/// Trunk.toml must name the same wasm-bindgen as Cargo.lock and the wasm-opt
/// that binaryen provides, or Trunk (offline) refuses to build.
fn check_trunk_toml(root: &Path, wasm_bindgen: &str) -> Result<()> {
    let text = fs::read_to_string(root.join("Trunk.toml")).context("reading Trunk.toml")?;
    let field = |name: &str| {
        text.lines().find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
        })
    };
    let pinned = field("wasm_bindgen");
    if pinned.as_deref() != Some(wasm_bindgen) {
        bail!(
            "Trunk.toml [tools] wasm_bindgen is {:?} but Cargo.lock has wasm-bindgen {wasm_bindgen}: \
             set wasm_bindgen = \"{wasm_bindgen}\" in Trunk.toml",
            pinned.unwrap_or_default()
        );
    }
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    let want_opt = format!("version_{major}");
    let opt = field("wasm_opt");
    if opt.as_deref() != Some(want_opt.as_str()) {
        bail!(
            "Trunk.toml [tools] wasm_opt is {:?} but xtask installs binaryen {BINARYEN_VERSION}: \
             set wasm_opt = \"{want_opt}\"",
            opt.unwrap_or_default()
        );
    }
    Ok(())
}

/// The string value of `"key": "value"` in a small JSON file (good enough for
/// a package.json's top-level `version`, which comes before any nested one).
fn json_string_field(text: &str, key: &str) -> Option<String> {
    let start = text.find(&format!("\"{key}\""))?;
    let rest = &text[start + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}
