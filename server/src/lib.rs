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
pub mod sqlite_store;
pub mod sync_socket;
pub mod web;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

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

/// Opens the store in `config.data_dir` and serves on `listener` until
/// `shutdown` completes; then open sockets get a close frame and the store
/// is closed.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    config.validate()?;
    let data_dir = config.data_dir.clone();
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&data_dir)).await??;
    tracing::info!(path = %store.path().display(), "store open");
    if !config.web_dir.join("index.html").is_file() {
        tracing::warn!(
            web_dir = %config.web_dir.display(),
            "the web app is not built; `/` answers 503 until it is (run `cargo xtask run`)"
        );
    }

    let (stop_sockets, stop_rx) = watch::channel(false);
    let state = AppState::new(Arc::new(store), &config, stop_rx);
    let mut open_sockets = state.open_sockets();
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
    tracing::info!("stopped");
    Ok(())
}
