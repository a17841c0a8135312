//! The `homeward` command-line tool against the real relay, as an operator
//! scripts it: set up, invite, join, push a file of cases, pull, status,
//! devices, revoke; with what goes to stdout (for scripts), the exit codes,
//! and the messages of the failures an operator will meet.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, ensure};
use homeward_e2e::{RelayProcess, from_root, setup_code, synthetic_cases, workspace_root};
use shared::invite_link::InviteLink;

/// `$HOMEWARD_CLI_BIN` (relative: from the workspace root), else
/// `<workspace>/target/debug/homeward`.
fn cli_bin() -> Result<PathBuf> {
    let path = match std::env::var_os("HOMEWARD_CLI_BIN") {
        Some(p) if !p.is_empty() => from_root(PathBuf::from(p)),
        _ => {
            let target = match std::env::var_os("CARGO_TARGET_DIR") {
                Some(dir) if !dir.is_empty() => workspace_root().join(dir),
                _ => workspace_root().join("target"),
            };
            target.join("debug/homeward")
        }
    };
    ensure!(
        path.is_file(),
        "the client binary {} does not exist: build it with `cargo build -p homeward-cli` \
         (or set HOMEWARD_CLI_BIN)",
        path.display()
    );
    Ok(path)
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn homeward(state: &Path, args: &[&str]) -> Result<Run> {
    let out: Output = Command::new(cli_bin()?)
        .arg("--state")
        .arg(state)
        .arg("--timeout")
        .arg("30s")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .context("running homeward")?;
    let run = Run {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout)?,
        stderr: String::from_utf8(out.stderr)?,
    };
    eprintln!(
        "$ homeward {}\n{}{}",
        args.join(" "),
        run.stdout,
        run.stderr
    );
    Ok(run)
}

fn line_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
}

#[test]
fn an_operator_sets_up_invites_imports_syncs_and_revokes_from_the_command_line() -> Result<()> {
    let data = tempfile::tempdir()?;
    let mut relay = RelayProcess::start(data.path(), 0)?;
    let (a, b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (a, b) = (a.path(), b.path());

    let code = setup_code(data.path())?;
    let run = homeward(a, &["setup", "--relay", &relay.url(), "--code", &code])?;
    ensure!(run.ok, "setup failed");
    let workspace = run.stdout.trim();
    assert_eq!(workspace.len(), 32, "setup prints only the workspace id");
    assert!(workspace.chars().all(|c| c.is_ascii_hexdigit()));

    // A spent code is refused, and the state is left free for another try.
    let c = tempfile::tempdir()?;
    let run = homeward(
        c.path(),
        &["setup", "--relay", &relay.url(), "--code", &code],
    )?;
    assert!(
        !run.ok && run.stderr.contains("bad_ticket"),
        "{}",
        run.stderr
    );

    let run = homeward(a, &["invite", "--role", "documenter", "--ttl", "1h"])?;
    ensure!(run.ok, "invite failed");
    let link = run.stdout.trim();
    assert!(
        link.starts_with(&format!("{}/#join=", relay.url())) && !link.contains('\n'),
        "invite prints only the link: {link:?}"
    );
    ensure!(homeward(b, &["join", link])?.ok, "join failed");
    // The ticket was spent.
    let run = homeward(c.path(), &["join", link])?;
    assert!(
        !run.ok && run.stderr.contains("bad_ticket"),
        "{}",
        run.stderr
    );

    // A file with a bad element imports nothing and names the element.
    let dir = tempfile::tempdir()?;
    let mut bad: Vec<serde_json::Value> = synthetic_cases(21, 3)
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    bad[1]["identity"]["surname"] = "".into();
    let bad_file = dir.path().join("bad.json");
    std::fs::write(&bad_file, serde_json::to_string(&bad)?)?;
    let run = homeward(a, &["push", bad_file.to_str().context("utf-8")?])?;
    assert!(!run.ok);
    assert!(
        run.stderr.contains("element 1") && run.stderr.contains("identity.surname"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nothing was imported"),
        "{}",
        run.stderr
    );

    let good_file = dir.path().join("cases.json");
    std::fs::write(&good_file, serde_json::to_string(&synthetic_cases(21, 3))?)?;
    let run = homeward(a, &["push", good_file.to_str().context("utf-8")?])?;
    ensure!(run.ok, "push failed");
    assert_eq!(run.stdout.trim(), "3", "push prints the count");

    let run = homeward(b, &["pull"])?;
    ensure!(run.ok, "pull failed");
    let run = homeward(b, &["status"])?;
    ensure!(run.ok, "status failed");
    assert_eq!(line_value(&run.stdout, "workspace"), Some(workspace));
    assert_eq!(line_value(&run.stdout, "relay reachable"), Some("yes"));
    assert_eq!(line_value(&run.stdout, "role"), Some("documenter"));
    assert_eq!(line_value(&run.stdout, "documents"), Some("3"));
    assert_eq!(line_value(&run.stdout, "head"), Some("3"));
    assert_eq!(line_value(&run.stdout, "cursor"), Some("3"));
    assert_eq!(line_value(&run.stdout, "pending uploads"), Some("0"));
    assert_eq!(line_value(&run.stdout, "quarantined entries"), Some("0"));
    let device_b = line_value(&run.stdout, "device")
        .context("status names the device")?
        .to_owned();

    // Only admins administer.
    let run = homeward(b, &["devices"])?;
    assert!(
        !run.ok && run.stderr.contains("forbidden"),
        "{}",
        run.stderr
    );
    let run = homeward(a, &["devices"])?;
    ensure!(run.ok, "devices failed");
    assert_eq!(run.stdout.lines().count(), 2);
    assert!(run.stdout.contains(&format!("{device_b}  documenter")));

    // A viewer reads but cannot import; nothing is left half-written.
    let run = homeward(a, &["invite", "--role", "viewer"])?;
    let viewer_link = run.stdout.trim();
    assert!(run.stderr.contains("workspace key"), "{}", run.stderr);
    // The link carries the workspace key; one without it (as made before
    // end-to-end encryption) is refused before anything is sent, so its
    // ticket stays good.
    let parsed = InviteLink::parse(viewer_link)?;
    ensure!(parsed.workspace_key.is_some(), "the link has no key");
    let keyless = InviteLink {
        workspace_key: None,
        ..parsed
    };
    let run = homeward(c.path(), &["join", &keyless.to_url()])?;
    assert!(
        !run.ok
            && run.stderr.contains(
                "this invite link carries no workspace key; ask your coordinator for a new one"
            ),
        "{}",
        run.stderr
    );
    ensure!(
        homeward(c.path(), &["join", viewer_link])?.ok,
        "viewer join failed"
    );
    let run = homeward(c.path(), &["push", good_file.to_str().context("utf-8")?])?;
    assert!(!run.ok && run.stderr.contains("viewer"), "{}", run.stderr);
    ensure!(homeward(c.path(), &["pull"])?.ok, "viewer pull failed");
    let run = homeward(c.path(), &["status"])?;
    assert_eq!(line_value(&run.stdout, "documents"), Some("3"));
    assert_eq!(line_value(&run.stdout, "pending uploads"), Some("0"));

    ensure!(homeward(a, &["revoke", &device_b])?.ok, "revoke failed");
    let run = homeward(b, &["pull"])?;
    assert!(!run.ok && run.stderr.contains("revoked"), "{}", run.stderr);
    let run = homeward(a, &["devices"])?;
    assert!(run.stdout.contains("revoked"), "{}", run.stdout);

    // No relay: status says so, and fails for scripts.
    relay.kill();
    let run = homeward(a, &["status"])?;
    assert!(!run.ok);
    assert_eq!(line_value(&run.stdout, "relay reachable"), Some("no"));
    assert_eq!(line_value(&run.stdout, "documents"), Some("3"));

    // The state holds keys in the clear: private to its owner, and `--help`
    // says so.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |p: &Path| -> Result<u32> { Ok(std::fs::metadata(p)?.permissions().mode() & 0o777) };
        for state in [a, b, c.path()] {
            assert_eq!(mode(state)?, 0o700, "{}", state.display());
            for entry in std::fs::read_dir(state)? {
                let path = entry?.path();
                assert_eq!(mode(&path)?, 0o600, "{}", path.display());
            }
        }
    }
    let help = Command::new(cli_bin()?).arg("--help").output()?;
    let help = String::from_utf8(help.stdout)?;
    assert!(
        help.contains("unencrypted") && help.contains("0700"),
        "{help}"
    );

    // Commands on a state without a workspace say what to do.
    let d = tempfile::tempdir()?;
    let run = homeward(d.path(), &["pull"])?;
    assert!(
        !run.ok && run.stderr.contains("homeward setup"),
        "{}",
        run.stderr
    );
    Ok(())
}
