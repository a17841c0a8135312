//! Everything the operator can set, from flags or `HOMEWARD_*` variables.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use shared::invite_link::origin_of;
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

    /// The address devices reach this relay at, e.g. `https://relay.example`
    /// (scheme, host and port only). Devices sign it into their login, so
    /// it must be exactly what they dial; behind a TLS proxy it is the
    /// proxy's address. Unset, the relay uses its bound address, which suits
    /// only local testing.
    #[arg(long, env = "HOMEWARD_PUBLIC_URL")]
    pub public_url: Option<String>,

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

    /// Entries per second one device may push, sustained, over all its
    /// connections; a push past the allowance waits (the relay stops
    /// reading that socket meanwhile). 0 turns the limit off, e.g. for a
    /// bulk import.
    #[arg(long, env = "HOMEWARD_PUSH_RATE", default_value_t = 500)]
    pub push_rate: u32,

    /// Entries one device may push at once before `--push-rate` applies
    /// (a device catching up after a week offline pushes its whole outbox).
    #[arg(long, env = "HOMEWARD_PUSH_BURST", default_value_t = 5000)]
    pub push_burst: u32,

    /// A connection that sends no Hello (its signed answer to the challenge
    /// the relay sends on opening) this long after opening is closed with
    /// `handshake_required`. Durations: `500ms`,
    /// `10s`, `2m`, `1h`, `30d`.
    #[arg(long, env = "HOMEWARD_HANDSHAKE_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub handshake_timeout: Duration,

    /// How often the relay pings each open socket (browsers answer by
    /// themselves), so a dead peer is noticed.
    #[arg(long, env = "HOMEWARD_PING_INTERVAL", default_value = "30s", value_parser = parse_duration)]
    pub ping_interval: Duration,

    /// A socket the relay has heard nothing from (no message, no pong) for
    /// this long is closed.
    #[arg(long, env = "HOMEWARD_IDLE_TIMEOUT", default_value = "90s", value_parser = parse_duration)]
    pub idle_timeout: Duration,

    /// Serve counters at `/metrics` (Prometheus text format). They hold no
    /// ids or content, but do show activity: restrict the path at the proxy
    /// or turn it off.
    #[arg(
        long,
        env = "HOMEWARD_METRICS",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub metrics: bool,

    /// Change entries a snapshot covers are deleted only this long after
    /// the snapshot was stored. The relay cannot read a snapshot to check
    /// what it holds, so the window leaves time for devices to notice a bad
    /// one while the changes still exist.
    #[arg(long, env = "HOMEWARD_RETENTION", default_value = "30d", value_parser = parse_duration)]
    pub retention: Duration,

    /// How often the relay deletes what `--retention` lets it.
    #[arg(long, env = "HOMEWARD_PRUNE_INTERVAL", default_value = "1h", value_parser = parse_duration)]
    pub prune_interval: Duration,

    /// Longest an invite ticket stays valid, whatever the admin asked for.
    #[arg(long, env = "HOMEWARD_MAX_INVITE_TTL", default_value = "30d", value_parser = parse_duration)]
    pub max_invite_ttl: Duration,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Print every stored entry (never its body) as one JSON object per line.
    ListEntries,
    /// Copy the database to a new file while the relay keeps serving.
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long, env = "HOMEWARD_BACKUP_TO")]
        to: PathBuf,
    },
    /// Make a new one-time setup code (replacing any unused one) and print
    /// it; whoever presents it creates a workspace and becomes its admin.
    SetupCode,
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
        if self.push_rate > 0 && self.push_burst == 0 {
            return Err(ServerError::Config(
                "--push-burst is 0, so no push could ever go through; set it to at least the \
                 largest push a device makes, or turn the limit off with --push-rate 0"
                    .into(),
            ));
        }
        for (flag, value) in [
            ("--handshake-timeout", self.handshake_timeout),
            ("--ping-interval", self.ping_interval),
        ] {
            if value.is_zero() {
                return Err(ServerError::Config(format!("{flag} must be longer than 0")));
            }
        }
        if self.prune_interval.is_zero() {
            return Err(ServerError::Config(
                "--prune-interval must be longer than 0".into(),
            ));
        }
        self.public_origin()?;
        if self.idle_timeout <= self.ping_interval {
            return Err(ServerError::Config(format!(
                "--idle-timeout ({:?}) must be longer than --ping-interval ({:?}), or a live \
                 device is cut off before it could answer a ping; three pings' worth is usual",
                self.idle_timeout, self.ping_interval
            )));
        }
        Ok(())
    }

    /// `--public-url` as the origin devices compute for the address they
    /// dial (`shared::invite_link::origin_of`, with the scheme's default
    /// port dropped as browsers do); `None` when unset.
    pub fn public_origin(&self) -> Result<Option<String>, ServerError> {
        let Some(url) = self.public_url.as_deref().map(str::trim) else {
            return Ok(None);
        };
        let usage = |why: &str| {
            ServerError::Config(format!(
                "--public-url {url:?} {why}; write the address devices open, e.g. \
                 https://relay.example or http://192.168.1.20:8080"
            ))
        };
        let origin = origin_of(url).map_err(|_| usage("is not an http(s) address"))?;
        let rest = url.split_once("://").map_or("", |(_, rest)| rest);
        let tail = rest.find(['/', '?', '#']).map_or("", |at| &rest[at..]);
        if !tail.is_empty() && tail != "/" {
            return Err(usage(
                "has a path, query or fragment; the relay is served at the root of its origin",
            ));
        }
        let default_port = if origin.starts_with("https://") {
            ":443"
        } else {
            ":80"
        };
        Ok(Some(
            origin
                .strip_suffix(default_port)
                .map_or_else(|| origin.clone(), str::to_owned),
        ))
    }
}

/// Reads `500ms`, `10s`, `2m`, `1h`, `30d`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let usage = || format!("{text:?} is not a duration; write e.g. 500ms, 10s, 2m, 1h or 30d");
    let value: f64 = number.parse().map_err(|_| usage())?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        "d" => value * 86_400.0,
        _ => return Err(usage()),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| usage())
}

// Written by hand so that secrets added later (database URLs, keys) are
// redacted here rather than printed by a stray `{:?}`.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("data_dir", &self.data_dir)
            .field("web_dir", &self.web_dir)
            .field("log_format", &self.log_format)
            .field("max_pull_page_bytes", &self.max_pull_page_bytes)
            .field("max_push_body_bytes", &self.max_push_body_bytes)
            .field("push_rate", &self.push_rate)
            .field("push_burst", &self.push_burst)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("ping_interval", &self.ping_interval)
            .field("idle_timeout", &self.idle_timeout)
            .field("metrics", &self.metrics)
            .field("retention", &self.retention)
            .field("prune_interval", &self.prune_interval)
            .field("max_invite_ttl", &self.max_invite_ttl)
            .field("command", &self.command)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

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

        for (flags, complaint) in [
            (&["--push-burst", "0"][..], "--push-burst"),
            (&["--ping-interval", "0s"], "--ping-interval"),
            (&["--handshake-timeout", "0"], "--handshake-timeout"),
            (&["--idle-timeout", "30s"], "--idle-timeout"),
        ] {
            let config = Config::try_parse_from(["homeward-server"].iter().chain(flags)).unwrap();
            let error = config.validate().unwrap_err().to_string();
            assert!(error.contains(complaint), "{flags:?}: {error}");
        }
        // No limit at all needs no burst.
        Config::try_parse_from(["homeward-server", "--push-rate", "0", "--push-burst", "0"])
            .unwrap()
            .validate()
            .unwrap();
    }

    #[test]
    fn durations_read_with_units_and_backup_takes_a_target() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        for bad in ["", "s", "10 parsecs", "-1s", "1e400"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }

        let config = Config::try_parse_from([
            "homeward-server",
            "--idle-timeout",
            "2m",
            "--metrics",
            "false",
            "backup",
            "--data-dir",
            "/srv/relay",
            "--to",
            "/backups/relay.sqlite3",
        ])
        .unwrap();
        assert!(
            matches!(&config.command, Some(Command::Backup { to }) if to == Path::new("/backups/relay.sqlite3"))
        );
        assert_eq!(config.data_dir, PathBuf::from("/srv/relay"));
        assert_eq!(config.idle_timeout, Duration::from_secs(120));
        assert!(!config.metrics);
        let defaults = Config::try_parse_from(["homeward-server"]).unwrap();
        assert_eq!(
            (
                defaults.handshake_timeout,
                defaults.ping_interval,
                defaults.idle_timeout
            ),
            (
                Duration::from_secs(10),
                Duration::from_secs(30),
                Duration::from_secs(90)
            )
        );
        assert!(defaults.metrics);
        assert_eq!(
            (
                defaults.retention,
                defaults.prune_interval,
                defaults.max_invite_ttl
            ),
            (
                Duration::from_secs(30 * 86_400),
                Duration::from_secs(3600),
                Duration::from_secs(30 * 86_400)
            )
        );
        assert_eq!(defaults.public_origin().unwrap(), None);
        defaults.validate().unwrap();
    }

    #[test]
    fn the_public_url_becomes_the_origin_devices_compute() {
        let origin = |url: &str| {
            Config::try_parse_from(["homeward-server", "--public-url", url])
                .unwrap()
                .public_origin()
        };
        for (url, want) in [
            ("https://relay.example", "https://relay.example"),
            ("https://Relay.Example/", "https://relay.example"),
            ("https://relay.example:443", "https://relay.example"),
            ("http://relay.example:80/", "http://relay.example"),
            ("https://relay.example:8443", "https://relay.example:8443"),
            ("http://192.168.1.20:8080", "http://192.168.1.20:8080"),
            (" HTTP://[::1]:9000 ", "http://[::1]:9000"),
        ] {
            assert_eq!(origin(url).unwrap().as_deref(), Some(want), "{url}");
        }
        for bad in [
            "relay.example",
            "ftp://relay.example",
            "https://user@relay.example",
            "https://relay.example/homeward",
            "https://relay.example/?x=1",
            "https://",
        ] {
            let error = origin(bad).unwrap_err().to_string();
            assert!(error.contains("--public-url"), "{bad}: {error}");
        }
        let config =
            Config::try_parse_from(["homeward-server", "--public-url", "relay.example"]).unwrap();
        assert!(config.validate().is_err(), "validate checks it too");
    }

    #[test]
    fn setup_code_is_a_subcommand_on_the_data_dir() {
        let config =
            Config::try_parse_from(["homeward-server", "setup-code", "--data-dir", "/srv/relay"])
                .unwrap();
        assert!(matches!(config.command, Some(Command::SetupCode)));
        assert_eq!(config.data_dir, PathBuf::from("/srv/relay"));
    }
}
