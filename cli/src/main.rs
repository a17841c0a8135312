//! `homeward`: the native client for operators. Each command opens the
//! state directory, does one thing, and exits non-zero with a message
//! saying what to do when it fails. Output meant for scripts goes to
//! stdout; progress and explanations go to stderr.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use shared::wire::Role;

#[derive(Debug, Parser)]
#[command(
    name = "homeward",
    version,
    about = "The Homeward native client: set up or join a workspace, import cases, sync, administer devices"
)]
struct Cli {
    /// This device's state: its device key, the workspace key, documents
    /// and outbox, all unencrypted on disk. The directory is created
    /// readable by its owner only (0700, files 0600 on unix); keep it on
    /// an encrypted disk and never share or back it up in the clear:
    /// whoever copies it can read and write the workspace as this device.
    #[arg(
        long,
        env = "HOMEWARD_STATE",
        default_value = "./homeward-state",
        global = true
    )]
    state: PathBuf,

    /// How long a command may wait for the relay (e.g. 30s, 5m).
    #[arg(long, env = "HOMEWARD_TIMEOUT", default_value = "2m", value_parser = parse_timeout, global = true)]
    timeout: Duration,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new workspace with the relay's one-time setup code; this
    /// device becomes its admin. Prints the workspace id.
    Setup {
        /// The relay's address, e.g. https://relay.example or http://127.0.0.1:8080.
        #[arg(long)]
        relay: String,
        /// The one-time setup code from the relay's log or `homeward-server setup-code`.
        #[arg(long)]
        code: String,
    },
    /// Join a workspace with an invite link.
    Join {
        /// The whole link, `https://relay.example/#join=…` (quote it in the shell).
        link: String,
    },
    /// Make a one-time invite link (admins only). Prints the link, which
    /// carries the workspace key: share it only over a trusted, end-to-end
    /// encrypted channel.
    Invite {
        #[arg(long, default_value = "documenter", value_parser = parse_role)]
        role: Role,
        /// How long the link stays valid: 30m, 24h, 7d.
        #[arg(long, default_value = "7d", value_parser = native_client::parse_ttl)]
        ttl: Duration,
    },
    /// Import a JSON array of cases (one document each) and upload them.
    /// Prints how many were imported.
    Push { file: PathBuf },
    /// Upload pending changes and download everything new.
    Pull,
    /// Show this device's sync state, and whether the relay answers.
    Status,
    /// List the workspace's devices (admins only).
    Devices,
    /// Cut a device off for good (admins only).
    Revoke {
        /// The device id, 64 hex digits (see `homeward devices`).
        device: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    native_client::parse_ttl(text)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOMEWARD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.state, cli.timeout, cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
