//! The relay's errors, and what an HTTP client sees of them.

use std::io;
use std::path::PathBuf;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::log_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("storage failed: {0}")]
    Storage(#[from] StoreError),
    #[error("cannot listen on {addr}: {source} (is another relay already running there?)")]
    Bind {
        addr: String,
        #[source]
        source: io::Error,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("no database at {path}; check --data-dir (a relay creates it on first start)")]
    NoDatabase { path: PathBuf },
    #[error("{path} already exists; a backup never overwrites a file, choose a new name")]
    BackupExists { path: PathBuf },
    #[error("a blocking storage task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("the web app is not built: {index} is missing")]
    WebAppMissing { index: PathBuf },
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            ServerError::WebAppMissing { index } => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "Homeward: the web app is not built ({} is missing).\n\
                     Operator: run `cargo xtask run`, or point --web-dir at a Trunk build.\n",
                    index.display()
                ),
            ),
            ServerError::Storage(_) | ServerError::Task(_) => {
                tracing::error!(error = %self, "request failed: storage unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage unavailable\n".to_owned(),
                )
            }
            _ => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error\n".to_owned(),
                )
            }
        };
        (
            status,
            // An error page must not stick in a cache once the cause is fixed.
            [(header::CACHE_CONTROL, "no-store")],
            body,
        )
            .into_response()
    }
}
