//! The `homeward` commands, on top of `native_client`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use native_client::import::parse_cases;
use native_client::{ClientError, ClientStatus, NativeClient, now_ms};
use shared::ids::DeviceId;
use shared::partial_date::Date;
use shared::sync_engine::Connection;

use crate::Command;

/// How long `status` waits for the relay's handshake before calling it
/// unreachable.
const STATUS_PROBE: Duration = Duration::from_secs(10);

pub async fn run(state: PathBuf, timeout: Duration, command: Command) -> Result<()> {
    match command {
        Command::Setup { relay, code } => setup(&state, &relay, &code, timeout).await,
        Command::Join { link } => join(&state, &link, timeout).await,
        Command::Invite { role, ttl } => {
            let client = open(&state)?;
            let link = client
                .create_invite(role, ttl)
                .await
                .context("creating the invite (only admins can invite)")?;
            println!("{}", link.to_url());
            eprintln!(
                "a one-time invite for a {} device, valid for {}; it carries the workspace key: \
                 send it only over an end-to-end encrypted channel you trust, since whoever reads \
                 it can join and read every case",
                role.as_str(),
                human_duration(ttl)
            );
            client.close().await;
            Ok(())
        }
        Command::Push { file } => push(&state, &file, timeout).await,
        Command::Pull => pull(&state, timeout).await,
        Command::Status => status(&state).await,
        Command::Devices => devices(&state).await,
        Command::Revoke { device } => {
            let device: DeviceId = device
                .trim()
                .parse()
                .context("the device id is 64 hex digits, as `homeward devices` lists it")?;
            let client = open(&state)?;
            if device == client.device_id() {
                eprintln!("note: revoking this device itself; it can no longer sync afterwards");
            }
            client
                .revoke(device)
                .await
                .context("revoking the device (only admins can revoke)")?;
            eprintln!("revoked {device}: it is cut off and cannot rejoin with its key");
            client.close().await;
            Ok(())
        }
    }
}

fn open(state: &Path) -> Result<NativeClient> {
    NativeClient::open(state)
        .with_context(|| format!("opening the state directory {}", state.display()))
}

/// The state's workspace must exist for every command but setup and join.
async fn open_set_up(state: &Path) -> Result<(NativeClient, ClientStatus)> {
    let client = open(state)?;
    let status = client.status().await?;
    if status.workspace.is_none() {
        return Err(ClientError::NotSetUp).with_context(|| format!("in {}", state.display()));
    }
    Ok((client, status))
}

async fn setup(state: &Path, relay: &str, code: &str, timeout: Duration) -> Result<()> {
    let client = open(state)?;
    let workspace = client
        .setup(relay, code, timeout)
        .await
        .with_context(|| format!("setting up a workspace on {relay}"))?;
    println!("{workspace}");
    eprintln!(
        "workspace {workspace} created; this device ({}) is its admin. \
         Invite others with `homeward invite`.",
        client.device_id().short_hex()
    );
    client.close().await;
    Ok(())
}

async fn join(state: &Path, link: &str, timeout: Duration) -> Result<()> {
    let client = open(state)?;
    let joined = client
        .join(link, timeout)
        .await
        .context("joining with the invite link")?;
    eprintln!(
        "joined workspace {} as {}; run `homeward pull` to download its cases",
        joined.workspace,
        joined.role.as_str()
    );
    client.close().await;
    Ok(())
}

async fn push(state: &Path, file: &Path, timeout: Duration) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let today = Date::from_unix_ms(now_ms());
    let cases = parse_cases(&text, today)
        .with_context(|| format!("{}: nothing was imported", file.display()))?;
    let (client, _) = open_set_up(state).await?;
    let ids = client
        .import_cases(&cases)
        .await
        .with_context(|| format!("{}: nothing was imported", file.display()))?;
    println!("{}", ids.len());
    eprintln!("{} cases stored on this device; uploading…", ids.len());
    let progress = spawn_progress(&client);
    let synced = client.sync_until_current(timeout).await;
    progress.abort();
    let status = explain(
        synced,
        "the cases are stored on this device but not all uploaded yet; \
         `homeward pull` uploads the rest",
    )?;
    eprintln!("uploaded; the workspace log is at {}", status.head);
    client.close().await;
    Ok(())
}

async fn pull(state: &Path, timeout: Duration) -> Result<()> {
    let (client, _) = open_set_up(state).await?;
    let progress = spawn_progress(&client);
    let synced = client.sync_until_current(timeout).await;
    progress.abort();
    let status = explain(
        synced,
        "not fully synced; what arrived is stored, and the next `homeward pull` continues \
         from there",
    )?;
    let counters = client.counters();
    eprintln!(
        "in step: cursor {} = head, {} documents, {} bytes received, {} sent",
        status.cursor, status.documents, counters.bytes_received, counters.bytes_sent
    );
    if status.quarantined_entries > 0 {
        eprintln!(
            "warning: {} entries did not verify or open with this device's workspace key and \
             were skipped (see `homeward status`)",
            status.quarantined_entries
        );
    }
    client.close().await;
    Ok(())
}

/// A refusal speaks for itself; anything else may be retried, and `retry`
/// says what is kept.
fn explain(synced: Result<ClientStatus, ClientError>, retry: &'static str) -> Result<ClientStatus> {
    match synced {
        Ok(status) => Ok(status),
        Err(err @ (ClientError::Refused { .. } | ClientError::ViewerCannotWrite)) => {
            Err(err.into())
        }
        Err(err) => Err(err).context(retry),
    }
}

/// Prints progress on stderr as the status changes, at most twice a second,
/// once the sync has run for a second.
fn spawn_progress(client: &NativeClient) -> tokio::task::JoinHandle<()> {
    let mut watch = client.watch_status();
    tokio::spawn(async move {
        // A sync that finishes within a second needs no progress lines.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut last = String::new();
        while watch.changed().await.is_ok() {
            let line = {
                let s = watch.borrow_and_update();
                match s.bootstrap {
                    Some(b) if b.docs_total > 0 => {
                        format!("bootstrap: {} of {} documents", b.docs_done, b.docs_total)
                    }
                    Some(_) => "bootstrap: starting".to_owned(),
                    None => format!(
                        "cursor {} of {}, {} pending uploads",
                        s.cursor, s.head, s.pending_uploads
                    ),
                }
            };
            if line != last {
                eprintln!("{line}");
                last = line;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
}

async fn status(state: &Path) -> Result<()> {
    let client = open(state)?;
    let initial = client.status().await?;
    println!("device: {}", initial.device);
    let Some(workspace) = initial.workspace else {
        println!("workspace: none (run `homeward setup` or `homeward join LINK`)");
        client.close().await;
        return Ok(());
    };
    println!("workspace: {workspace}");
    println!("relay: {}", initial.origin.as_deref().unwrap_or("?"));
    // Connected, refused, or failed once: any of them answers the question.
    let mut watch = client.watch_status();
    let answered = tokio::time::timeout(
        STATUS_PROBE,
        watch.wait_for(|s| {
            matches!(
                s.connection,
                Connection::Connected | Connection::Refused | Connection::Waiting
            )
        }),
    )
    .await
    .is_ok();
    let status = client.status().await?;
    let reachable = match status.connection {
        Connection::Connected => "yes".to_owned(),
        Connection::Refused => format!(
            "yes, but it refused this device ({})",
            status.refused.map_or("refused", |c| c.as_str())
        ),
        _ if !answered => format!("no answer within {} s", STATUS_PROBE.as_secs()),
        _ => "no".to_owned(),
    };
    println!("relay reachable: {reachable}");
    let role = status
        .role
        .map_or("unknown (never connected)", |r| r.as_str());
    println!("role: {role}");
    println!("head: {}", status.head);
    println!("cursor: {}", status.cursor);
    println!("pending uploads: {}", status.pending_uploads);
    println!("documents: {}", status.documents);
    println!("quarantined entries: {}", status.quarantined_entries);
    if status.quarantined_entries > 0 {
        eprintln!(
            "note: {} entries of the workspace log did not verify or open with this device's \
             workspace key; they are skipped (headers are kept in the state directory, run with \
             HOMEWARD_LOG=warn to see which). Tell your coordinator: a device may be faulty or \
             its key stolen.",
            status.quarantined_entries
        );
    }
    if status.bootstrap_pending {
        println!("bootstrap: interrupted, resumes on the next pull");
    }
    if status.redeem_pending {
        println!("joining: the relay has not confirmed this device yet");
    }
    println!(
        "last error: {}",
        status.last_error.as_deref().unwrap_or("none")
    );
    client.close().await;
    if status.connection == Connection::Connected {
        Ok(())
    } else {
        bail!(
            "the relay did not accept a connection: {}",
            status.last_error.as_deref().unwrap_or("no answer")
        )
    }
}

async fn devices(state: &Path) -> Result<()> {
    let (client, _) = open_set_up(state).await?;
    let devices = client
        .devices()
        .await
        .context("listing devices (only admins can)")?;
    let me = client.device_id();
    for d in devices {
        let mut line = format!(
            "{}  {:<10}  joined {}",
            d.device,
            d.role.as_str(),
            format_utc(d.joined_ms)
        );
        if let Some(revoked) = d.revoked_ms {
            line.push_str(&format!("  revoked {}", format_utc(revoked)));
        }
        if d.device == me {
            line.push_str("  (this device)");
        }
        println!("{line}");
    }
    client.close().await;
    Ok(())
}

fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (n, unit) = match s {
        s if s % 86_400 == 0 => (s / 86_400, "day"),
        s if s % 3600 == 0 => (s / 3600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// `YYYY-MM-DD HH:MM UTC` from Unix milliseconds.
fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let date = Date::from_unix_ms(ms);
    let of_day = secs.rem_euclid(86_400);
    format!("{date} {:02}:{:02} UTC", of_day / 3600, of_day % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_in_utc() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(1_700_000_000_000), "2023-11-14 22:13 UTC");
    }
}
