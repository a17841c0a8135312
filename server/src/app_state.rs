//! What every request handler and socket shares.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::config::Config;
use crate::log_store::LogStore;
use crate::metrics::Metrics;
use crate::pokes::Pokes;
use crate::rate_limit::PushAllowances;
use crate::revocations::Revocations;

/// Limits the relay enforces on devices, from [`Config`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_pull_page_bytes: usize,
    pub max_push_body_bytes: usize,
    /// From opening (when the relay sends its challenge) to the device's
    /// signed Hello.
    pub handshake_timeout: Duration,
    pub ping_interval: Duration,
    pub idle_timeout: Duration,
    pub max_invite_ttl: Duration,
}

#[derive(Debug, Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    store: Arc<dyn LogStore>,
    /// Put in every challenge; see `Config::public_url`.
    origin: String,
    limits: Limits,
    serve_metrics: bool,
    metrics: Metrics,
    web_dir: PathBuf,
    pokes: Arc<Pokes>,
    revocations: Arc<Revocations>,
    push_allowances: PushAllowances,
    shutdown: watch::Receiver<bool>,
    open_sockets: watch::Sender<usize>,
}

impl AppState {
    /// `origin` is the relay's public origin (`crate::public_origin`).
    /// `shutdown` turning `true` (or its sender being dropped) tells open
    /// sockets to close.
    pub fn new(
        store: Arc<dyn LogStore>,
        config: &Config,
        origin: String,
        shutdown: watch::Receiver<bool>,
    ) -> AppState {
        AppState {
            shared: Arc::new(Shared {
                store,
                origin,
                limits: Limits {
                    max_pull_page_bytes: config.max_pull_page_bytes,
                    max_push_body_bytes: config.max_push_body_bytes,
                    handshake_timeout: config.handshake_timeout,
                    ping_interval: config.ping_interval,
                    idle_timeout: config.idle_timeout,
                    max_invite_ttl: config.max_invite_ttl,
                },
                serve_metrics: config.metrics,
                metrics: Metrics::default(),
                web_dir: config.web_dir.clone(),
                pokes: Arc::new(Pokes::default()),
                revocations: Arc::new(Revocations::default()),
                push_allowances: PushAllowances::new(config.push_rate, config.push_burst),
                shutdown,
                open_sockets: watch::channel(0).0,
            }),
        }
    }

    pub fn store(&self) -> Arc<dyn LogStore> {
        Arc::clone(&self.shared.store)
    }

    pub fn origin(&self) -> &str {
        &self.shared.origin
    }

    pub fn limits(&self) -> Limits {
        self.shared.limits
    }

    /// Whether `/metrics` is served.
    pub fn serve_metrics(&self) -> bool {
        self.shared.serve_metrics
    }

    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    pub fn web_dir(&self) -> &Path {
        &self.shared.web_dir
    }

    pub fn pokes(&self) -> &Arc<Pokes> {
        &self.shared.pokes
    }

    pub fn revocations(&self) -> &Arc<Revocations> {
        &self.shared.revocations
    }

    pub fn push_allowances(&self) -> &PushAllowances {
        &self.shared.push_allowances
    }

    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.shared.shutdown.clone()
    }

    /// How many sync sockets are open; lets shutdown wait for their close
    /// frames to go out.
    pub fn open_sockets(&self) -> watch::Receiver<usize> {
        self.shared.open_sockets.subscribe()
    }

    pub(crate) fn socket_opened(&self) -> OpenSocket {
        self.shared.open_sockets.send_modify(|n| *n += 1);
        self.shared.metrics.connection_opened();
        OpenSocket {
            state: self.clone(),
        }
    }
}

/// Counts one open socket for as long as it lives.
#[derive(Debug)]
pub(crate) struct OpenSocket {
    state: AppState,
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.state
            .shared
            .open_sockets
            .send_modify(|n| *n = n.saturating_sub(1));
    }
}
