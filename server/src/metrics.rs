//! `/metrics`: the relay's counters in the Prometheus text exposition format.
//!
//! Plain atomics, bumped where things happen and read at scrape time; no
//! metrics crate, no registry. Labels carry only fixed words (an error code,
//! the build's version): never a workspace, device or document id, never a
//! name, never anything from a body. Counters start at 0 when the relay
//! starts; Prometheus handles the reset.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::wire::{ErrorCode, PROTOCOL_VERSION};

use crate::app_state::AppState;

/// Position of `code` in [`ErrorCode::ALL`], which orders the counters.
/// Exhaustive on purpose: a new code does not compile until it has a
/// counter (and the test below checks the positions match `ALL`).
fn error_index(code: ErrorCode) -> usize {
    match code {
        ErrorCode::Malformed => 0,
        ErrorCode::UnsupportedVersion => 1,
        ErrorCode::HandshakeRequired => 2,
        ErrorCode::TooLarge => 3,
        ErrorCode::Internal => 4,
        ErrorCode::Unauthenticated => 5,
        ErrorCode::NotMember => 6,
        ErrorCode::Revoked => 7,
        ErrorCode::Forbidden => 8,
        ErrorCode::BadTicket => 9,
        ErrorCode::BadSignature => 10,
        ErrorCode::CursorPruned => 11,
        ErrorCode::RateLimited => 12,
    }
}

/// The Prometheus text format's content type.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Debug, Default)]
pub struct Metrics {
    connections: AtomicU64,
    pushes: AtomicU64,
    pulls: AtomicU64,
    bootstrap_pages: AtomicU64,
    welcomes: AtomicU64,
    entries_received: AtomicU64,
    entries_stored: AtomicU64,
    entries_served: AtomicU64,
    body_bytes_received: AtomicU64,
    body_bytes_sent: AtomicU64,
    errors: [AtomicU64; ErrorCode::ALL.len()],
    rate_limited: AtomicU64,
    rate_limited_micros: AtomicU64,
    idle_closed: AtomicU64,
    pruned_entries: AtomicU64,
}

fn add(counter: &AtomicU64, n: usize) {
    counter.fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
}

impl Metrics {
    pub fn connection_opened(&self) {
        add(&self.connections, 1);
    }

    /// A push was stored and acked: `entries` in it, `stored` of them new.
    pub fn pushed(&self, entries: usize, stored: usize, body_bytes: usize) {
        add(&self.pushes, 1);
        add(&self.entries_received, entries);
        add(&self.entries_stored, stored);
        add(&self.body_bytes_received, body_bytes);
    }

    /// A pull was answered with `entries` whose bodies hold `body_bytes`.
    pub fn pulled(&self, entries: usize, body_bytes: usize) {
        add(&self.pulls, 1);
        add(&self.entries_served, entries);
        add(&self.body_bytes_sent, body_bytes);
    }

    /// A bootstrap page of `entries` whose bodies hold `body_bytes` was sent.
    pub fn bootstrap_page(&self, entries: usize, body_bytes: usize) {
        add(&self.bootstrap_pages, 1);
        add(&self.entries_served, entries);
        add(&self.body_bytes_sent, body_bytes);
    }

    /// A device passed the handshake.
    pub fn welcomed(&self) {
        add(&self.welcomes, 1);
    }

    /// A prune deleted `entries`.
    pub fn pruned(&self, entries: u64) {
        self.pruned_entries.fetch_add(entries, Ordering::Relaxed);
    }

    /// The relay refused a connection with an `Error` frame.
    pub fn error(&self, code: ErrorCode) {
        add(&self.errors[error_index(code)], 1);
    }

    /// A push had to wait `waited` for the connection's rate limit.
    pub fn rate_limited(&self, waited: Duration) {
        add(&self.rate_limited, 1);
        let micros = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX);
        self.rate_limited_micros
            .fetch_add(micros, Ordering::Relaxed);
    }

    /// A silent connection was closed.
    pub fn idle_closed(&self) {
        add(&self.idle_closed, 1);
    }

    /// The exposition text. `storage_bytes` is `None` when the store could
    /// not tell; the gauge is then left out rather than reported as 0.
    pub fn render(&self, open_connections: usize, storage_bytes: Option<u64>) -> String {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let one = |value: String| vec![(String::new(), value)];
        let mut out = String::with_capacity(4096);
        let mut metric = |name: &str, kind: &str, help: &str, samples: Vec<(String, String)>| {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        metric(
            "homeward_build_info",
            "gauge",
            "The relay's version and wire protocol version; always 1.",
            vec![(
                format!(
                    "{{version=\"{}\",protocol=\"{PROTOCOL_VERSION}\"}}",
                    env!("CARGO_PKG_VERSION")
                ),
                "1".into(),
            )],
        );
        metric(
            "homeward_connections_open",
            "gauge",
            "Sync sockets open now.",
            one(open_connections.to_string()),
        );
        let counters: [(&str, &str, &AtomicU64); 13] = [
            (
                "homeward_connections_total",
                "Sync sockets opened.",
                &self.connections,
            ),
            (
                "homeward_pushes_total",
                "Pushes stored and acked.",
                &self.pushes,
            ),
            ("homeward_pulls_total", "Pulls answered.", &self.pulls),
            (
                "homeward_bootstrap_pages_total",
                "Bootstrap pages sent.",
                &self.bootstrap_pages,
            ),
            (
                "homeward_welcomes_total",
                "Handshakes that ended in Welcome (a device proved its key and membership).",
                &self.welcomes,
            ),
            (
                "homeward_entries_received_total",
                "Entries in acked pushes, retries included.",
                &self.entries_received,
            ),
            (
                "homeward_entries_stored_total",
                "Entries newly stored (retries of stored blobs excluded).",
                &self.entries_stored,
            ),
            (
                "homeward_entries_served_total",
                "Entries sent in pull answers and bootstrap pages.",
                &self.entries_served,
            ),
            (
                "homeward_entry_body_bytes_received_total",
                "Body bytes of entries in acked pushes.",
                &self.body_bytes_received,
            ),
            (
                "homeward_entry_body_bytes_sent_total",
                "Body bytes of entries sent in pull answers and bootstrap pages.",
                &self.body_bytes_sent,
            ),
            (
                "homeward_rate_limited_total",
                "Pushes that waited for their device's rate limit.",
                &self.rate_limited,
            ),
            (
                "homeward_pruned_entries_total",
                "Entries deleted by pruning (covered by a snapshot older than the retention).",
                &self.pruned_entries,
            ),
            (
                "homeward_idle_closed_total",
                "Sockets closed after the idle timeout.",
                &self.idle_closed,
            ),
        ];
        for (name, help, counter) in counters {
            metric(name, "counter", help, one(get(counter).to_string()));
        }
        metric(
            "homeward_rate_limited_seconds_total",
            "counter",
            "Time pushes spent waiting for their device's rate limit.",
            one(format!(
                "{:.6}",
                get(&self.rate_limited_micros) as f64 / 1e6
            )),
        );
        metric(
            "homeward_errors_total",
            "counter",
            "Connections refused with an Error frame, by its stable code.",
            ErrorCode::ALL
                .iter()
                .map(|&code| {
                    (
                        format!("{{code=\"{}\"}}", code.as_str()),
                        get(&self.errors[error_index(code)]).to_string(),
                    )
                })
                .collect(),
        );
        if let Some(bytes) = storage_bytes {
            metric(
                "homeward_storage_bytes",
                "gauge",
                "Bytes the log store occupies on disk (SQLite: database plus WAL).",
                one(bytes.to_string()),
            );
        }
        out
    }
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>) -> Response {
    if !state.serve_metrics() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let store = state.store();
    let storage_bytes = match tokio::task::spawn_blocking(move || store.storage_bytes()).await {
        Ok(Ok(bytes)) => Some(bytes),
        Ok(Err(error)) => {
            tracing::warn!(%error, "cannot measure the store for /metrics");
            None
        }
        Err(error) => {
            tracing::warn!(%error, "cannot measure the store for /metrics");
            None
        }
    };
    let open = *state.open_sockets().borrow();
    let body = state.metrics().render(open, storage_bytes);
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_its_own_counter() {
        for (i, code) in ErrorCode::ALL.into_iter().enumerate() {
            assert_eq!(error_index(code), i, "{code:?}");
        }
        let metrics = Metrics::default();
        metrics.error(ErrorCode::RateLimited);
        let text = metrics.render(0, None);
        for code in ErrorCode::ALL {
            let want = u8::from(code == ErrorCode::RateLimited);
            let line = format!("homeward_errors_total{{code=\"{}\"}} {want}", code.as_str());
            assert!(text.lines().any(|l| l == line), "{line}\n{text}");
        }
    }

    /// Every sample line: `name{labels} value`, values parse as numbers, and
    /// each name has HELP and TYPE before its first sample.
    #[test]
    fn the_exposition_is_well_formed() {
        let metrics = Metrics::default();
        metrics.pushed(3, 2, 300);
        metrics.error(ErrorCode::TooLarge);
        metrics.rate_limited(Duration::from_millis(1500));
        metrics.bootstrap_page(5, 700);
        metrics.pruned(9);
        let text = metrics.render(4, Some(8192));
        let mut typed = std::collections::HashSet::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                typed.insert(rest.split(' ').next().unwrap().to_owned());
                continue;
            }
            if line.starts_with("# HELP ") {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').unwrap();
            value.parse::<f64>().unwrap();
            let name = series.split('{').next().unwrap();
            assert!(typed.contains(name), "{name} has no TYPE line");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
        }
        for expected in [
            "homeward_connections_open 4",
            "homeward_pushes_total 1",
            "homeward_entries_received_total 3",
            "homeward_entries_stored_total 2",
            "homeward_entry_body_bytes_received_total 300",
            "homeward_errors_total{code=\"too_large\"} 1",
            "homeward_errors_total{code=\"malformed\"} 0",
            "homeward_rate_limited_total 1",
            "homeward_rate_limited_seconds_total 1.500000",
            "homeward_storage_bytes 8192",
            "homeward_bootstrap_pages_total 1",
            "homeward_entries_served_total 5",
            "homeward_entry_body_bytes_sent_total 700",
            "homeward_pruned_entries_total 9",
            "homeward_welcomes_total 0",
        ] {
            assert!(text.lines().any(|l| l == expected), "{expected}\n{text}");
        }
        assert!(!metrics.render(0, None).contains("homeward_storage_bytes"));
    }
}
