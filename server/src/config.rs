//! Everything the operator can set, from flags or `HOMEWARD_*` variables.

use std::fmt;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use shared::wire::{MAX_FRAME_BYTES, MAX_PUSH_BODY_BYTES};

use crate::error::ServerError;

/// Room a batch frame needs beyond its entries (magic, tags, head, flags).
const FRAME_ENVELOPE_BYTES: usize = 1024;

#[derive(Clone, Parser)]
#[command(
    name = "homeward-server",
    version,
    about = "The Homeward relay: stores and forwards sealed entries per workspace"
)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "HOMEWARD_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Directory for the relay database; created on first start.
    #[arg(
        long,
        env = "HOMEWARD_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// The built web app (Trunk's output) served at `/`.
    #[arg(long, env = "HOMEWARD_WEB_DIR", default_value = "client/dist")]
    pub web_dir: PathBuf,

    /// Log format on stderr: `json` for log collectors.
    #[arg(long, env = "HOMEWARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Most bytes of entries the relay sends in one pull page, whatever a
    /// device asks for.
    #[arg(long, env = "HOMEWARD_MAX_PULL_PAGE_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_pull_page_bytes: usize,

    /// Most body bytes the relay accepts in one push.
    #[arg(long, env = "HOMEWARD_MAX_PUSH_BODY_BYTES", default_value_t = MAX_PUSH_BODY_BYTES * 2)]
    pub max_push_body_bytes: usize,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Print every stored entry (never its body) as one JSON object per line.
    ListEntries,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// Rejects limits the protocol cannot honour, before anything starts.
    pub fn validate(&self) -> Result<(), ServerError> {
        let max_page = MAX_FRAME_BYTES - FRAME_ENVELOPE_BYTES;
        if self.max_pull_page_bytes == 0 || self.max_pull_page_bytes > max_page {
            return Err(ServerError::Config(format!(
                "--max-pull-page-bytes is {}; it must be between 1 and {max_page} so a page fits \
                 in one {MAX_FRAME_BYTES}-byte frame",
                self.max_pull_page_bytes
            )));
        }
        if self.max_push_body_bytes == 0 || self.max_push_body_bytes > max_page {
            return Err(ServerError::Config(format!(
                "--max-push-body-bytes is {}; it must be between 1 and {max_page} so an entry can \
                 be sent back in one {MAX_FRAME_BYTES}-byte frame",
                self.max_push_body_bytes
            )));
        }
        Ok(())
    }
}

// Written by hand so that secrets added later (database URLs, keys) are
// redacted here rather than printed by a stray `{:?}`.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("web_dir", &self.web_dir)
            .field("log_format", &self.log_format)
            .field("max_pull_page_bytes", &self.max_pull_page_bytes)
            .field("max_push_body_bytes", &self.max_push_body_bytes)
            .field("command", &self.command)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_list_entries_takes_the_data_dir() {
        let config = Config::try_parse_from([
            "homeward-server",
            "list-entries",
            "--data-dir",
            "/tmp/relay",
        ])
        .unwrap();
        assert!(matches!(config.command, Some(Command::ListEntries)));
        assert_eq!(config.data_dir, PathBuf::from("/tmp/relay"));

        let config = Config::try_parse_from([
            "homeward-server",
            "--bind",
            "0.0.0.0:9000",
            "--log-format",
            "json",
        ])
        .unwrap();
        assert!(config.command.is_none());
        assert_eq!(config.bind, "0.0.0.0:9000");
        assert_eq!(config.log_format, LogFormat::Json);
        config.validate().unwrap();
    }

    #[test]
    fn limits_past_a_frame_are_refused() {
        let config = Config::try_parse_from([
            "homeward-server",
            "--max-pull-page-bytes",
            &MAX_FRAME_BYTES.to_string(),
        ])
        .unwrap();
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("--max-pull-page-bytes")
        );
    }
}
