//! Plain HTTP: the installable web app, and the health check.

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app_state::AppState;
use crate::error::ServerError;

/// The PWA's files. An unknown path that looks like an app route (no file
/// extension in its last segment) is answered by `index.html`, so the app's
/// own routes survive a reload; an unknown *file* is a plain 404, so a
/// missing script is never answered with HTML that a cache would keep.
pub fn static_app(state: &AppState) -> Router<AppState> {
    let dir = state.web_dir();
    let index = ServeFile::new(dir.join("index.html"));
    let spa_fallback = move |request: Request| {
        let index = index.clone();
        async move {
            let last = request.uri().path().rsplit('/').next().unwrap_or_default();
            if last.contains('.') {
                return StatusCode::NOT_FOUND.into_response();
            }
            match index.oneshot(request).await {
                Ok(response) => response.into_response(),
                Err(never) => match never {},
            }
        }
    };
    let files = ServeDir::new(dir).fallback(spa_fallback.into_service());
    Router::new()
        .fallback_service(files)
        // `no-cache` still lets browsers keep files, but they revalidate each
        // time: a new app version, and above all a new `sw.js`, is picked up
        // on the next load instead of whenever a cache lifetime runs out.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_web_app,
        ))
}

/// Checked per request, so that building the app while the relay runs is
/// enough; a stat is cheap next to serving a file.
async fn require_web_app(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let index = state.web_dir().join("index.html");
    match tokio::fs::try_exists(&index).await {
        Ok(true) => next.run(request).await,
        _ => ServerError::WebAppMissing { index }.into_response(),
    }
}

pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, ServerError> {
    let store = state.store();
    tokio::task::spawn_blocking(move || store.ping()).await??;
    Ok("ok")
}
