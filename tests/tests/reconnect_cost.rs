//! What a reconnect costs on the wire, against the real relay binary: the
//! handshake is one round trip (the relay's challenge comes unasked, the
//! device answers with one signed Hello, the relay welcomes it), and a
//! device that is already current sends nothing more. Counted in frames
//! and bytes (`NativeClient::counters`), never timed.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use homeward_e2e::{RelayProcess, sync_until_cursor, synthetic_cases, team};
use native_client::{ClientOptions, NativeClient};
use shared::case_doc::CaseEdit;
use shared::ids::DocId;
use shared::wire::Role;

const SYNC: Duration = Duration::from_secs(60);
/// Issue 7's budget for a reconnect with nothing to exchange.
const NO_CHANGE_BUDGET_BYTES: u64 = 1_000;

/// Two devices in one workspace, both current with a few cases: the admin
/// (who imported them) and a documenter; and the cases' ids.
async fn current_pair(
    relay: &RelayProcess,
    dirs: [&Path; 2],
) -> Result<(NativeClient, NativeClient, Vec<DocId>)> {
    let mut devices = team(relay, &dirs, Role::Documenter, ClientOptions::default()).await?;
    let b = devices.pop().context("b")?;
    let a = devices.pop().context("a")?;
    let ids = a.import_cases(&synthetic_cases(7, 3)).await?;
    let head = a.sync_until_current(SYNC).await?.head;
    let status = sync_until_cursor(&b, head, SYNC).await?;
    ensure!(status.in_step, "b is not in step: {}", status.summary());
    Ok((a, b, ids))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_current_device_reconnects_in_one_round_trip_under_a_kilobyte() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = RelayProcess::start(data.path(), 0)?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (a, b, _) = current_pair(&relay, [dir_a.path(), dir_b.path()]).await?;
    let before = a.status().await?;
    ensure!(before.in_step, "a is not in step: {}", before.summary());
    a.close().await;

    // Counters start at zero with the reopened client.
    let a = NativeClient::open(dir_a.path())?;
    let status = a.sync_until_current(SYNC).await?;
    assert!(status.in_step, "{}", status.summary());
    assert_eq!(status.cursor, before.cursor);
    let cost = a.counters();
    eprintln!(
        "no-change reconnect: {} frames sent, {} received, {} + {} = {} bytes",
        cost.frames_sent,
        cost.frames_received,
        cost.bytes_sent,
        cost.bytes_received,
        cost.wire_bytes()
    );
    assert_eq!(cost.frames_sent, 1, "only Hello: {cost:?}");
    assert_eq!(
        cost.frames_received, 2,
        "only Challenge and Welcome: {cost:?}"
    );
    assert!(
        cost.wire_bytes() <= NO_CHANGE_BUDGET_BYTES,
        "{} bytes over the {NO_CHANGE_BUDGET_BYTES}-byte budget: {cost:?}",
        cost.wire_bytes()
    );
    assert_eq!(cost.entries_applied, 0);

    a.close().await;
    b.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_one_change_behind_catches_up_with_hello_and_one_pull() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = RelayProcess::start(data.path(), 0)?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (a, b, ids) = current_pair(&relay, [dir_a.path(), dir_b.path()]).await?;
    let before = a.status().await?;
    a.close().await;

    // While a is away, b changes one case: one entry.
    ensure!(
        b.edit(ids[0], vec![CaseEdit::SetNotes("seen again".into())])
            .await?,
        "the edit changed nothing"
    );
    let head = b.sync_until_current(SYNC).await?.head;
    assert_eq!(head.0, before.cursor.0 + 1, "one new entry");

    let a = NativeClient::open(dir_a.path())?;
    let status = sync_until_cursor(&a, head, SYNC).await?;
    assert!(status.in_step, "{}", status.summary());
    assert_eq!(a.case(ids[0]).await?.notes.0, "seen again");
    let cost = a.counters();
    eprintln!(
        "one-change reconnect: {} frames sent, {} received, {} + {} = {} bytes",
        cost.frames_sent,
        cost.frames_received,
        cost.bytes_sent,
        cost.bytes_received,
        cost.wire_bytes()
    );
    assert_eq!(cost.frames_sent, 2, "Hello and one Pull: {cost:?}");
    assert_eq!(
        cost.frames_received, 3,
        "Challenge, Welcome and one Batch: {cost:?}"
    );
    assert_eq!(cost.entries_applied, 1);

    a.close().await;
    b.close().await;
    Ok(())
}
