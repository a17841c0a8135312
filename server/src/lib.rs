//! The Homeward relay: a blind, append-only log of sealed entries per
//! workspace, synced over WebSocket, plus the static web app.
//!
//! The relay never interprets an entry body: it stores, orders and forwards
//! opaque bytes, and logs only ids, sizes and counts.

pub mod app_state;
pub mod backup;
pub mod config;
pub mod error;
pub mod list_entries;
pub mod log_store;
pub mod metrics;
pub mod pokes;
pub mod rate_limit;
pub mod revocations;
pub mod setup_code;
pub mod sqlite_store;
pub mod sync_socket;
mod watch_registry;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::get;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::trace::TraceLayer;

pub use crate::app_state::AppState;
pub use crate::backup::backup;
pub use crate::config::Config;
pub use crate::error::ServerError;
pub use crate::list_entries::list_entries;
pub use crate::log_store::LogStore;
pub use crate::sqlite_store::SqliteStore;

/// How long shutdown waits for open sockets to send their close frames.
const SOCKET_DRAIN: Duration = Duration::from_secs(5);

/// The relay's routes: `/v1/sync` (the WebSocket), `/healthz`, `/metrics`
/// (404 when turned off), and the web app at every other path.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/sync", get(sync_socket::upgrade))
        .route("/healthz", get(web::healthz))
        .route("/metrics", get(metrics::scrape))
        .merge(web::static_app(&state))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Binds `addr` ("host:port"); port 0 picks a free port.
pub async fn bind(addr: &str) -> Result<TcpListener, ServerError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: addr.to_owned(),
            source,
        })
}

/// Milliseconds since the Unix epoch, as stored and put on the wire.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The origin the relay names in its challenges: `--public-url`, or else
/// the address it listens on. A wildcard address (0.0.0.0, ::) is nothing a
/// device dials, so it becomes `localhost`, with a warning.
pub fn public_origin(config: &Config, local_addr: SocketAddr) -> Result<String, ServerError> {
    if let Some(origin) = config.public_origin()? {
        return Ok(origin);
    }
    if local_addr.ip().is_unspecified() {
        let origin = format!("http://localhost:{}", local_addr.port());
        tracing::warn!(
            %origin,
            "--public-url is not set and the relay listens on every address: devices can \
             log in only if they dial {origin}. Deployments must set --public-url \
             (HOMEWARD_PUBLIC_URL) to the address devices use"
        );
        return Ok(origin);
    }
    Ok(format!("http://{local_addr}"))
}

/// Opens the store in `config.data_dir` and serves on `listener` until
/// `shutdown` completes; then open sockets get a close frame and the store
/// is closed. On a relay with no workspace yet, logs a fresh setup code.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    run_then(config, listener, shutdown, |_| {}).await
}

/// [`run`], calling `ready` with the bound address once the store is open
/// and a first start's setup code is issued: from then on, requests are
/// answered and `setup-code` run beside the relay is not overtaken.
pub async fn run_then(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), ServerError> {
    config.validate()?;
    let local_addr = listener.local_addr().map_err(|source| ServerError::Io {
        what: "reading the bound address".into(),
        source,
    })?;
    let origin = public_origin(&config, local_addr)?;
    let data_dir = config.data_dir.clone();
    let store: Arc<dyn LogStore> =
        Arc::new(tokio::task::spawn_blocking(move || SqliteStore::open(&data_dir)).await??);
    tracing::info!(data_dir = %config.data_dir.display(), %origin, "store open");
    announce_setup_code(Arc::clone(&store)).await?;
    if !config.web_dir.join("index.html").is_file() {
        tracing::warn!(
            web_dir = %config.web_dir.display(),
            "the web app is not built; `/` answers 503 until it is (run `cargo xtask run`)"
        );
    }

    let (stop_sockets, stop_rx) = watch::channel(false);
    let state = AppState::new(store, &config, origin, stop_rx.clone());
    ready(local_addr);
    let mut open_sockets = state.open_sockets();
    let pruning = tokio::spawn(prune_periodically(
        state.clone(),
        config.retention,
        config.prune_interval,
        stop_rx,
    ));
    // Without TCP_NODELAY a reply written right after another waits for the
    // peer's delayed ACK (~40 ms): every Ack-then-Batch exchange paid it.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
            // Upgraded sockets are no longer HTTP connections, so axum's
            // graceful shutdown does not reach them: tell them directly.
            let _ = stop_sockets.send(true);
        })
        .await
        .map_err(|source| ServerError::Io {
            what: "serving HTTP failed".into(),
            source,
        })?;

    let drained = tokio::time::timeout(SOCKET_DRAIN, open_sockets.wait_for(|open| *open == 0));
    if drained.await.is_err() {
        tracing::warn!("some sockets did not close in time; dropping them");
    }
    // A prune in progress finishes its transaction; the loop then sees the
    // stop and ends.
    if let Err(error) = pruning.await {
        tracing::error!(%error, "the prune task failed");
    }
    tracing::info!("stopped");
    Ok(())
}

/// First start: nobody can create a workspace without a setup code, and the
/// operator reads it from this one log line. A new code replaces any
/// unspent one on every start until the first workspace exists, so a code
/// from an old log stops working.
async fn announce_setup_code(store: Arc<dyn LogStore>) -> Result<(), ServerError> {
    let code = tokio::task::spawn_blocking(move || {
        if store.is_empty()? {
            setup_code::issue(&*store, now_ms()).map(Some)
        } else {
            Ok(None)
        }
    })
    .await??;
    if let Some(code) = code {
        // The one log line that carries a secret, on purpose.
        tracing::info!(
            "first start: to create the first workspace, use this one-time setup code: {code}"
        );
    }
    Ok(())
}

/// Deletes change entries covered by a snapshot older than `retention`,
/// every `interval`, until the relay stops. Failures are logged and retried
/// at the next interval: pruning only saves space.
async fn prune_periodically(
    state: AppState,
    retention: Duration,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let retention_ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
        let store = state.store();
        let before = now_ms().saturating_sub(retention_ms);
        match tokio::task::spawn_blocking(move || store.prune(before)).await {
            Ok(Ok(pruned)) => {
                state.metrics().pruned(pruned.entries);
                if pruned.entries > 0 {
                    tracing::info!(
                        entries = pruned.entries,
                        body_bytes = pruned.body_bytes,
                        "pruned entries covered by snapshots past the retention"
                    );
                }
            }
            Ok(Err(error)) => tracing::error!(%error, "pruning failed; retrying next interval"),
            Err(error) => tracing::error!(%error, "the prune task failed; retrying next interval"),
        }
    }
}
